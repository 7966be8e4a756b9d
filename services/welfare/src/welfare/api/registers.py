"""Routes of the person registers (退管 / 老龄, 残联, 优抚): parse, call the use case, present (the use cases
answer what the caller may see: masked without personal_data:read)."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.listing import PeriodQuery
from liandong.openapi import api
from liandong.routes import Records
from liandong.web import load_json, load_query

from ..service_layer import Welfare
from . import register_schemas as s

# each register is reached only through its office's permission (registers.yaml)
THE_REGISTERS = "the register's own: welfare:retirees (retiree, elderly), welfare:disability, welfare:veterans"


def blueprint(welfare: Welfare) -> Blueprint:
    bp = Blueprint("welfare_registers", __name__, url_prefix="/api/v1/welfare")
    registers = welfare.registers
    routes = Records(bp, ["registers"])
    entry = dict(response=s.RegisterEntrySchema, permission=THE_REGISTERS)

    routes.listing("/register-kinds", "list_register_kinds", "The registers: what each records, its services, the "
                   "permission that reaches it, why an entry ends", registers.catalogue_of_registers,
                   query=s.RegisterKindQuery, response=s.RegisterKindSchema, permission="welfare:read")
    routes.create("/register-entries", "enter_person", "Enter a resident into a register (one entry per person "
                  "per register: 409 for a second)", registers.enter, body=s.EntryInSchema, **entry)
    routes.listing("/register-entries", "list_register_entries", "Entries of the registers the caller holds, newest "
                   "first; masked without personal_data:read; every entry listed is an audited read",
                   registers.page, query=s.EntryQuery, **entry)
    routes.read("/register-entries/<entry_id>", "get_register_entry", "One entry (an audited read)", registers.get,
                **entry)

    @bp.patch("/register-entries/<entry_id>")
    @api("Change an entry's person or details (the fields given)", body=s.EntryChangeSchema, tags=["registers"],
         **entry)
    def update_register_entry(entry_id):
        return registers.update(current_principal(), entry_id, load_json(s.EntryChangeSchema))

    routes.step("/register-entries/<entry_id>/end", "end_register_entry", "End an entry (died, moved away…): the "
                "register's stock goes down", registers.end, body=s.EntryEndSchema, takes=None, **entry)

    @bp.post("/register-entries/<entry_id>/services")
    @api("Log a service delivered to the entry's person (看望住院, 走访, 康复服务, 安置 …) by a worker",
         body=s.ServiceInSchema, response=s.RegisterServiceSchema, status=201, permission=THE_REGISTERS,
         tags=["registers"])
    def deliver_register_service(entry_id):
        return registers.deliver(current_principal(), entry_id, load_json(s.ServiceInSchema)), 201

    routes.listing("/register-services", "list_register_services", "Services delivered to the registers' people, "
                   "newest first", registers.services_page, query=s.ServiceQuery, response=s.RegisterServiceSchema,
                   permission=THE_REGISTERS)

    @bp.get("/register-services/counts")
    @api("Services per worker and per kind under an org unit from..to (\"走访2266次\")", query=PeriodQuery,
         response=s.RegisterCountsSchema, permission="welfare:read", tags=["registers"])
    def register_service_counts():
        return registers.counts(current_principal(), load_query(PeriodQuery))

    routes.listing("/register-audit", "register_audit", "Who read, changed or tried to reach the registers' "
                   "records, newest first (each office sees its own)", registers.audit_page, query=s.AuditQuery,
                   response=s.RegisterAuditSchema, permission="audit:read")
    return bp
