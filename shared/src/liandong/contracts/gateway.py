"""Events the gateway publishes: the org tree (组织架构), which every service keeps a copy of."""
from marshmallow import Schema, fields, validate

from . import CONTRACTS

LEVELS = ("city", "district", "subdistrict", "community", "grid", "group", "building")

_EXAMPLE_UNIT = {
    "org_unit_id": "jiayuan",
    "name": "家园社区",
    "level": "community",
    "parent_id": "huangqi",
    "path": "/chuanying/huangqi/jiayuan/",
}


class _OrgUnit(Schema):
    org_unit_id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent_id = fields.String(required=True, allow_none=True)
    path = fields.String(required=True, validate=validate.Regexp(r"^/([a-z0-9-]+/)+$"))


@CONTRACTS.contract("gateway.org_unit.created", 1, example=_EXAMPLE_UNIT)
class OrgUnitCreated(_OrgUnit):
    """An org unit was added to the tree."""


@CONTRACTS.contract("gateway.org_unit.renamed", 1, example=dict(_EXAMPLE_UNIT, name="家园新区社区"))
class OrgUnitRenamed(_OrgUnit):
    """An org unit got a new name; its id and path stay."""


@CONTRACTS.contract("gateway.org_unit.moved", 1,
                    example=dict(_EXAMPLE_UNIT, parent_id="xihu", path="/chuanying/xihu/jiayuan/",
                                 old_path="/chuanying/huangqi/jiayuan/"))
class OrgUnitMoved(_OrgUnit):
    """An org unit (and its subtree) moved under another parent; records follow by path prefix."""

    old_path = fields.String(required=True, validate=validate.Regexp(r"^/([a-z0-9-]+/)+$"))


@CONTRACTS.contract("gateway.org_unit.retired", 1, example=_EXAMPLE_UNIT)
class OrgUnitRetired(_OrgUnit):
    """An org unit was retired: it keeps its history but takes no new records."""


@CONTRACTS.contract("gateway.session.revoked", 1,
                    example={"user_id": "u-1", "token_ids": ["5f1c0e6a8b2d4c3e9a7b6c5d4e3f2a1b"],
                             "expires_at": "2026-03-01T08:15:00.000000Z", "reason": "logout"})
class SessionRevoked(Schema):
    """Access tokens were revoked before they expire (logout, lock-out, role change)."""

    user_id = fields.String(required=True)
    token_ids = fields.List(fields.String(), required=True)
    expires_at = fields.String(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(("logout", "revoked", "locked", "roles_changed")))
