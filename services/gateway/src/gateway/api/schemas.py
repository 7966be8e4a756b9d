"""marshmallow schemas of the gateway's own API: the routes validate with them and the OpenAPI is built from them."""
from marshmallow import RAISE, Schema, fields, validate

from liandong.auth import DUTIES, ROLES
from liandong.fields import IsoTime, OrgUnitId, Text
from liandong.listing import ListQuery
from liandong.registry import DOMAIN_SERVICES, SERVICES

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
    identity_confirmed = fields.Boolean(metadata={"description": "a resident's account only: whether the community "
                                                  "office has confirmed it on the ID card (实名核验)"})


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


class NamedCodeSchema(Schema):
    code = fields.String()
    name = fields.String()


class RolesSchema(Schema):
    roles = fields.List(fields.Nested(NamedCodeSchema))
    duties = fields.List(fields.Nested(NamedCodeSchema))


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
    locked_until = IsoTime(allow_none=True)


class UserQuerySchema(ListQuery):
    """org_unit (its subtree, within the admin's scope), page, page_size; accounts have no time of their own."""

    class Meta:
        exclude = ("from_", "to")


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


class TreeQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    root = OrgUnitId(metadata={"description": "only the subtree under this org unit"})


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


class AuditQuerySchema(ListQuery):
    """The one list query (org_unit: the readers' unit; from/to: when it happened) and the trail's filters."""

    user_id = fields.String(metadata={"description": "one reader's account"})
    service = fields.String(validate=validate.OneOf(SERVICES))
    # submit/approve/accept/unlock: the sign-off of a unit's period (its `report` says which)
    action = fields.String(validate=validate.OneOf(("read", "change", "export", "import", "submit", "approve",
                                                    "accept", "unlock")))


class AuditImportSchema(Schema):
    """What an import entry says of the file and what it wrote (never the rows)."""

    id = fields.String(metadata={"description": "the import job, in the service's /imports/jobs/{id}"})
    kind = fields.String()
    title = fields.String()
    file_name = fields.String()
    file_sha256 = fields.String()
    mode = fields.String()
    status = fields.String()
    started_at = IsoTime()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    failed = fields.Integer()


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
    last_at = IsoTime()
    query = fields.String(metadata={"description": "an export's filters"})
    import_ = fields.Nested(AuditImportSchema, data_key="import", metadata={"description": "an import's file and counts"})
    report = fields.Dict(metadata={"description": "a sign-off act: org_unit_id, period, the state it left, reason"})
    profile = fields.Dict(metadata={"description": "a unit profile kept: org_unit_id, as_of and its figures"})
    narrative = fields.Dict(metadata={"description": "a report's written sections changed: org_unit_id, year, sections"})

