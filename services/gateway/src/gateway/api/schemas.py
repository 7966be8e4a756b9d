"""marshmallow schemas of the gateway's own API: the routes validate with them and the OpenAPI is built from them."""
from marshmallow import Schema, fields, validate

from liandong.auth import DUTIES, ROLES
from liandong.fields import OrgUnitId, Text

LEVELS = ("city", "district", "subdistrict", "community", "grid", "group", "building")


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class RefreshSchema(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=10, max=256))


class GrantSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(tuple(ROLES)))
    org_unit = OrgUnitId(required=True)
    duties = fields.List(fields.String(validate=validate.OneOf(tuple(DUTIES))), load_default=list)


class TokenGrantSchema(GrantSchema):
    org_path = fields.String()


class SessionUserSchema(Schema):
    id = fields.String()
    username = fields.String()
    name = fields.String()
    grants = fields.List(fields.Nested(TokenGrantSchema))


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    refresh_token = fields.String()
    refresh_expires_in = fields.Integer()
    user = fields.Nested(SessionUserSchema)


class MeSchema(Schema):
    user_id = fields.String()
    name = fields.String()
    grants = fields.List(fields.Nested(TokenGrantSchema))
    permissions = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class NewUserSchema(Schema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9_.-]{2,63}$"))
    name = Text(max_length=50, load_default="")
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)
    grants = fields.List(fields.Nested(GrantSchema), required=True, validate=validate.Length(min=1, max=10))


class UserChangesSchema(Schema):
    name = Text(max_length=50)
    grants = fields.List(fields.Nested(GrantSchema), validate=validate.Length(min=1, max=10))
    active = fields.Boolean()


class PasswordSchema(Schema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class OwnPasswordSchema(PasswordSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class UserSchema(Schema):
    id = fields.String()
    username = fields.String()
    name = fields.String()
    grants = fields.List(fields.Nested(GrantSchema))
    active = fields.Boolean()
    locked_until = fields.String(allow_none=True)


class UserListSchema(Schema):
    users = fields.List(fields.Nested(UserSchema))


class UserQuerySchema(Schema):
    org_unit = OrgUnitId()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    skip = fields.Integer(load_default=0, validate=validate.Range(min=0))


class RevokedSchema(Schema):
    sessions_revoked = fields.Integer()


class NewOrgUnitSchema(Schema):
    id = OrgUnitId(required=True)
    name = Text(max_length=100, min_length=1, required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent_id = OrgUnitId(load_default=None, allow_none=True)


class RenameSchema(Schema):
    name = Text(max_length=100, min_length=1, required=True)


class MoveSchema(Schema):
    parent_id = OrgUnitId(required=True)


class OrgUnitSchema(Schema):
    id = fields.String()
    name = fields.String()
    level = fields.String()
    parent_id = fields.String(allow_none=True)
    path = fields.String()
    retired = fields.Boolean()
    version = fields.Integer()


class OrgTreeSchema(Schema):
    units = fields.List(fields.Nested(OrgUnitSchema))


class MovedSchema(Schema):
    moved = fields.List(fields.Nested(OrgUnitSchema))


class ImportSchema(Schema):
    """The request body is the file itself: text/csv (id,name,level,parent_id) or application/yaml."""

    file = fields.String(metadata={"description": "CSV with header id,name,level,parent_id, or nested YAML"})


class ImportResultSchema(Schema):
    created = fields.Integer()
    unchanged = fields.Integer()


class AuditQuerySchema(Schema):
    user_id = fields.String()
    service = fields.String()
    action = fields.String(validate=validate.OneOf(("read", "change", "export")))
    since = fields.String()
    until = fields.String()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    skip = fields.Integer(load_default=0, validate=validate.Range(min=0))


class AuditEntrySchema(Schema):
    id = fields.String()
    at = fields.String()
    user_id = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    org_path = fields.String()
    action = fields.String()
    method = fields.String()
    path = fields.String()
    service = fields.String()
    status = fields.Integer()
    fields_ = fields.List(fields.String(), data_key="fields")
    correlation_id = fields.String(allow_none=True)
    reads = fields.Integer(metadata={"description": "reads the service reported for this request"})
    paths = fields.List(fields.String(), metadata={"description": "the last 20 routes read in this request"})
    last_at = fields.String()
    query = fields.String(metadata={"description": "an export's filters"})


class AuditListSchema(Schema):
    entries = fields.List(fields.Nested(AuditEntrySchema))
