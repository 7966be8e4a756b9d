"""The real-population register (实有人口) and grid visits (网格员走访): households, residents, visits, the queue."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal as caller
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..domain.households import CREATED
from ..service_layer import SecurityService
from ..service_layer.register import REGISTER
from . import register_schemas as s

TAGS = ["household register"]


def _registered(outcome: str, record: dict):
    """201 when it was created; 200 when the same household or person was there already (updated or not)."""
    return {**record, "outcome": outcome}, 201 if outcome == CREATED else 200


def blueprint(service: SecurityService) -> Blueprint:
    bp = Blueprint("households", __name__)
    register, visits = service.register, service.visits
    routes = Records(bp, TAGS)
    read = dict(response=s.HouseholdOut, permission="security:read")
    work = dict(response=s.HouseholdOut, permission=REGISTER)

    @bp.post("/households")
    @api("Register a household (户): by its 户号 in its community, else by its address in its org unit; the same "
         "household again answers 200 with outcome updated or unchanged (nothing announced when unchanged)",
         body=s.HouseholdIn, response=s.HouseholdOut, status=201, tags=TAGS, permission=REGISTER)
    def register_household():
        return _registered(*register.register(caller(), load_json(s.HouseholdIn)))

    routes.listing("/households", "list_households", "List households (?tag=, ?residence=, ?status=, ?q= a "
                   "household or ID number), oldest registration first; ID numbers, mobiles and rooms masked unless "
                   "personal_data:read (such reads audited); from/to: registered", register.page,
                   query=s.HouseholdQuery, **read)
    routes.read("/households/<household_id>", "get_household", "Read one household with its members and former "
                "members (一户一档 of the register)", register.get, **read)

    routes.read("/households/<household_id>/file", "household_file", "一户一档: the household with each member's "
                "grants and payments, petitions and volunteer hours (from the services' events) and its visits; "
                "personal_data:read over the household only, every view audited", register.file,
                response=s.HouseholdFileOut, permission="security:read")

    @bp.post("/households/<household_id>/residents")
    @api("Add a resident to the household, or update them (matched by ID number); a person present in another "
         "household is refused (409); answers the household, 200 when the person was there already",
         body=s.ResidentIn, response=s.HouseholdOut, status=201, tags=TAGS, permission=REGISTER)
    def put_resident(household_id: str):
        data = load_json(s.ResidentIn)
        return _registered(*register.put_resident(caller(), household_id, data))

    routes.step("/households/<household_id>/residents/<resident_id>/move-out", "move_out_resident",
                "A resident moves out (迁出): no longer counted, kept in the household's file", register.move_out,
                **work)
    routes.step("/households/<household_id>/leave", "household_leaves", "The household leaves (搬离): every "
                "member moves out, its address is free", register.leave, **work)

    @bp.post("/households/<household_id>/visits")
    @api("Log a grid visit (走访: when, kind, what was found, whether to follow up); the next visit falls due "
         "by the strictest 六必访 rule of the household's key groups", body=s.VisitIn, response=s.VisitOut,
         status=201, tags=TAGS, permission=REGISTER)
    def log_visit(household_id: str):
        data = load_json(s.VisitIn)
        return visits.record(caller(), household_id, data), 201

    @bp.get("/households/<household_id>/visits")
    @api("The household's visits, newest first; findings for grid workers and personal_data:read; from/to: "
         "visited", query=s.ListQuery, response=s.VisitOut, many=True, tags=TAGS, permission="security:read")
    def list_visits(household_id: str):
        return visits.page(caller(), household_id, load_query(s.ListQuery)).body()

    routes.listing("/visit-queue", "visit_queue", "Households overdue for a visit or due within ?within_days= "
                   "(default 7) by the 六必访 rules, the most overdue first; ?tag=; from/to: the due time",
                   visits.queue, query=s.VisitQueueQuery, response=s.VisitDueOut, permission="security:read")
    return bp
