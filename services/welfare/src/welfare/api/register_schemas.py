"""marshmallow schemas of the person registers' API (退管 / 老龄, 残联, 优抚): bodies, queries, answers."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from liandong.fields import Fen, IdNumber, IsoDate, IsoTime, Mobile, OrgUnitId, Text
from liandong.listing import ListQuery

from .schemas import Several, _Untimed, answer

CODE = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$", error="a code such as retiree")


class PersonSchema(Schema):
    """The resident (encrypted at rest; masked in answers without personal_data:read)."""

    name = Text(max_length=50, min_length=1, required=True)
    id_number = IdNumber(required=True)
    phone = Mobile(load_default="")
    address = Text(max_length=200, load_default="")
    household_head_id_number = IdNumber(metadata={
        "description": "户主's ID number when another person heads the household (households served are counted "
                       "by it); default: the person's own"})


class PersonChangeSchema(Schema):
    name = Text(max_length=50, min_length=1)
    id_number = IdNumber()  # refused with a message: an entry's ID number does not change
    phone = Mobile()
    address = Text(max_length=200)
    household_head_id_number = IdNumber()


class EntryInSchema(Schema):
    register = fields.String(required=True, validate=CODE, metadata={"description": "retiree, elderly, disabled, veteran"})
    org_unit_id = OrgUnitId(required=True)
    person = fields.Nested(PersonSchema, required=True)
    details = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "what the register records (GET /register-kinds): e.g. disabled {category, grade, "
                       "certificate_number}"})
    registered_on = IsoDate(metadata={"description": "在册 since (default today): an entry from a paper register"})


class EntryChangeSchema(Schema):
    person = fields.Nested(PersonChangeSchema, load_default=dict)
    details = fields.Dict(keys=fields.String(), load_default=dict)


class EntryEndSchema(Schema):
    reason = fields.String(required=True, validate=CODE, metadata={"description": "died, moved_away, …"})
    ended_on = IsoDate(metadata={"description": "default today"})
    note = Text(max_length=1000, load_default="")


class ServiceInSchema(Schema):
    kind = fields.String(required=True, validate=CODE, metadata={"description": "one of the register's services"})
    delivered_at = IsoTime(metadata={"description": "default now"})
    worker_id = fields.String(validate=validate.Length(1, 80), metadata={"description": "default: the caller"})
    worker_name = Text(max_length=50)
    money_fen = Fen(load_default=0)
    goods = Text(max_length=500, load_default="")
    notes = Text(max_length=2000, load_default="")


class RegisterKindQuery(_Untimed):
    """The registers are the same in every unit."""


class EntryQuery(ListQuery):
    """`from`/`to`: when entered; default every register the caller holds."""

    register = Several(metadata={"description": "register codes, comma-separated"})
    status = Several(metadata={"description": "active, ended; comma-separated"})


class ServiceQuery(ListQuery):
    """`from`/`to`: when delivered."""

    register = Several(metadata={"description": "register codes, comma-separated"})
    kind = Several(metadata={"description": "service kinds, comma-separated"})
    entry_id = fields.String(validate=validate.Length(1, 120))


class AuditQuery(ListQuery):
    """`from`/`to`: when."""

    action = Several(metadata={"description": "register.read, register.list, register.enter, …"})
    register = Several()
    user_id = fields.String(validate=validate.Length(1, 120))
    allowed = fields.Boolean()


RegisterKindSchema = answer("RegisterKindSchema", strings=("code", "name", "permission"),
                            lists=("details", "services", "end_reasons"))
RegisterEntrySchema = answer(
    "RegisterEntrySchema", strings=("id", "register", "register_name", "org_unit_id", "person_key", "household_key",
                                    "registered_by", "end_reason", "end_note"),
    times=("registered_at",), dicts=("person", "details"), lists=("history",), booleans=("masked",),
    registered_on=IsoDate(), ended_on=IsoDate(allow_none=True), status=fields.String(metadata={
        "description": "active or ended"}))
RegisterServiceSchema = answer(
    "RegisterServiceSchema", strings=("id", "entry_id", "register", "org_unit_id", "kind", "worker_id", "worker_name",
                                      "goods", "notes", "person_key"),
    times=("delivered_at", "recorded_at"), integers=("money_fen",),
    booleans=("first_for_person", "first_for_household"))
RegisterCountsSchema = answer("RegisterCountsSchema", strings=("org_unit_id", "from", "to"),
                              integers=("services", "money_fen"), dicts=("by_kind", "per_worker"))
RegisterAuditSchema = answer("RegisterAuditSchema", strings=("id", "user_id", "name", "action", "register",
                                                             "record_id", "org_path", "correlation_id"),
                             times=("at",), booleans=("allowed", "unmasked"),
                             roles=fields.List(fields.String()), org_units=fields.List(fields.String()))
