"""Events the security service publishes (平安建设). Each is registered with its schema and an example."""
from marshmallow import Schema, fields, validate  # noqa: F401

from . import CONTRACTS  # noqa: F401

# -- consumed by other services: keep these stable (additive changes only; a breaking change is .v2)


class PatrolParticipant(Schema):
    person_name = fields.String(required=True, validate=validate.Length(min=1, max=50))
    kind = fields.String(required=True, validate=validate.OneOf(("police", "security_volunteer", "lane_guard", "staff")))
    volunteer_id = fields.String(load_default=None, allow_none=True)  # set when the person is a registered volunteer
    minutes = fields.Integer(required=True, validate=validate.Range(min=0, max=24 * 60))


@CONTRACTS.contract("security.patrol.completed", 1, example={
    "patrol_run_id": "run-1", "route_id": "route-1", "org_unit_id": "jiayuan",
    "started_at": "2026-03-01T20:00:00.000000Z", "ended_at": "2026-03-01T21:30:00.000000Z",
    "checkpoints_total": 6, "checkpoints_checked": 6, "findings": 1,
    "participants": [{"person_name": "张建国", "kind": "lane_guard", "volunteer_id": "vol-1", "minutes": 90},
                     {"person_name": "刘警官", "kind": "police", "volunteer_id": None, "minutes": 90}]})
class PatrolCompleted(Schema):
    """A patrol run ended; volunteers among its participants are credited hours by the volunteer service."""

    patrol_run_id = fields.String(required=True)
    route_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    started_at = fields.String(required=True)
    ended_at = fields.String(required=True)
    checkpoints_total = fields.Integer(required=True, validate=validate.Range(min=0))
    checkpoints_checked = fields.Integer(required=True, validate=validate.Range(min=0))
    findings = fields.Integer(load_default=0, validate=validate.Range(min=0))
    participants = fields.List(fields.Nested(PatrolParticipant), required=True)


@CONTRACTS.contract("security.dispute.mediated", 1, example={
    "dispute_id": "d-1", "org_unit_id": "jiayuan", "type": "neighbour", "outcome": "agreement",
    "sessions": 2, "petition_id": "p-1", "mediated_at": "2026-03-02T10:00:00.000000Z"})
class DisputeMediated(Schema):
    """A mediation (人民调解) reached its outcome; `petition_id` links it to the petition it came from."""

    dispute_id = fields.String(required=True)
    org_unit_id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(("neighbour", "family", "property", "labour", "other")))
    outcome = fields.String(required=True, validate=validate.OneOf(("agreement", "failed", "referred_to_court")))
    sessions = fields.Integer(required=True, validate=validate.Range(min=0))
    petition_id = fields.String(load_default=None, allow_none=True)
    mediated_at = fields.String(required=True)
