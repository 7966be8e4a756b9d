"""Routes of the petition service's settings: the taxonomy (/config) and the reception roster (/roster)."""
from __future__ import annotations

import re
from datetime import date

from flask import Blueprint

from liandong.auth import current_principal
from liandong.errors import ValidationFailed
from liandong.listing import NoQuery
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer import UseCases
from . import schemas as s

CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("not a date", {"day": ["YYYY-MM-DD"]}) from None


def _code(code: str) -> str:
    if not CODE.match(code):
        raise ValidationFailed("not a code", {"code": ["lower-case letters, digits and '_'"]})
    return code


def blueprint(uses: UseCases) -> Blueprint:
    bp = Blueprint("petition_settings", __name__, url_prefix="/api/v1/petition")

    @bp.get("/config")
    @api("The taxonomy: categories with deadlines per level, linked departments, holidays, channels",
         query=NoQuery, tags=["config"], permission="petition:read")
    def config():
        load_query(NoQuery)
        current_principal()
        return uses.taxonomy.view()

    @bp.put("/config/categories/<code>")
    @api("Add or change a category and its deadlines (working days per level)", body=s.CategorySchema,
         tags=["config"], permission="petition:supervise")
    def put_category(code: str):
        return uses.taxonomy.put_category(_code(code), load_json(s.CategorySchema), current_principal())

    @bp.put("/config/departments/<code>")
    @api("Add or rename a linked department (联动部门)", body=s.DepartmentSchema, tags=["config"],
         permission="petition:supervise")
    def put_department(code: str):
        return uses.taxonomy.put_department(_code(code), load_json(s.DepartmentSchema)["name"], current_principal())

    @bp.put("/config/holidays")
    @api("Set the public holidays that are not working days", body=s.HolidaysSchema, tags=["config"],
         permission="petition:supervise")
    def put_holidays():
        return uses.taxonomy.put_holidays(load_json(s.HolidaysSchema)["holidays"], current_principal())

    @bp.get("/roster")
    @api("The reception roster (接访日) of a sub-district for a period: the days with a leader on duty, and "
         "beside them the days nobody is (`gaps`)", query=s.RosterQuery, response=s.DutyDaySchema, many=True,
         tags=["roster"], permission="petition:read")
    def roster():
        return uses.roster.view(load_query(s.RosterQuery), current_principal()).body()

    @bp.put("/roster/<subdistrict_id>/<day>")
    @api("Put a leader on duty on a day", body=s.DutySchema, tags=["roster"], permission="petition:supervise")
    def put_duty(subdistrict_id: str, day: str):
        data = load_json(s.DutySchema)
        return uses.roster.put_duty(subdistrict_id, _day(day), data["leader_name"], data["title"],
                                    current_principal())

    @bp.delete("/roster/<subdistrict_id>/<day>")
    @api("Take a day off the roster", tags=["roster"], permission="petition:supervise", status=204)
    def delete_duty(subdistrict_id: str, day: str):
        uses.roster.delete_duty(subdistrict_id, _day(day), current_principal())
        return "", 204

    return bp
