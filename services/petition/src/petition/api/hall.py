"""Routes of the one-stop service hall under /api/v1/petition/hall: the catalogue, matters, window services,
and the figures per worker."""
from __future__ import annotations

from flask import Blueprint

from liandong.auth import current_principal
from liandong.listing import NoQuery
from liandong.openapi import api
from liandong.web import load_json, load_query

from ..service_layer import UseCases
from ..service_layer.hall import present_matter, present_window_service
from . import hall_schemas as s

ACTIONS = {
    "materials": (s.HallMaterialsSchema, "Bring the missing materials (补齐材料); complete, the matter is accepted"),
    "progress": (s.HallNoteSchema, "Record that the matter is being handled (办理中)"),
    "refer": (s.HallNoteSchema, "Hand the matter to its office (转办)"),
    "complete": (s.HallNoteSchema, "Complete the matter (办结); on time if by the end of its due date"),
    "return": (s.HallReturnSchema, "Return the matter to the resident with a reason (退件)"),
}
TAGS = ["hall"]


def blueprint(uses: UseCases) -> Blueprint:
    bp = Blueprint("petition_hall", __name__, url_prefix="/api/v1/petition/hall")
    hall = uses.hall

    def shown(matter, p) -> dict:
        return present_matter(matter, p, hall.catalogue)

    @bp.get("/items")
    @api("The hall's catalogue (服务事项): office, materials, time limit in working days, 全程代办",
         query=s.HallItemQuery, response=s.HallItemSchema, many=True, tags=TAGS, permission="petition:hall")
    def items():
        return hall.items(load_query(s.HallItemQuery), current_principal()).body()

    @bp.post("/matters")
    @api("Take a resident's matter at a window: accepted (受理) with its due date, or told once what is missing "
         "(一次性告知) and waiting for it (补齐材料)", body=s.HallMatterInSchema, response=s.HallMatterSchema, status=201,
         tags=TAGS, permission="petition:hall")
    def receive():
        p = current_principal()
        return shown(hall.receive(load_json(s.HallMatterInSchema), p), p), 201

    @bp.get("/matters")
    @api("The hall's matters, newest first (residents' numbers masked without personal_data:read)",
         query=s.HallMatterListQuery, response=s.HallMatterSchema, many=True, tags=TAGS, permission="petition:hall")
    def search():
        p = current_principal()
        return hall.search(load_query(s.HallMatterListQuery), p).body(lambda m: shown(m, p))

    @bp.get("/matters/<matter_id>")
    @api("One matter with its timeline", query=NoQuery, response=s.HallMatterSchema, tags=TAGS,
         permission="petition:hall")
    def get_one(matter_id: str):
        load_query(NoQuery)
        p = current_principal()
        return shown(hall.get(matter_id, p), p)

    def make_action(action: str, schema):
        def act(matter_id: str):
            p = current_principal()
            return shown(hall.act(matter_id, action, load_json(schema), p), p)

        act.__name__ = f"hall_{action}"
        return act

    for action, (schema, summary) in ACTIONS.items():
        view = api(summary, body=schema, response=s.HallMatterSchema, tags=TAGS,
                   permission="petition:hall")(make_action(action, schema))
        bp.add_url_rule(f"/matters/<matter_id>/{action}", endpoint=f"hall_{action}", view_func=view, methods=["POST"])

    @bp.post("/window-services")
    @api("Tally a window contact that is not a matter (窗口服务: 咨询, 政策解答, 代填表格, 开具证明…)",
         body=s.WindowServiceInSchema, response=s.WindowServiceSchema, status=201, tags=TAGS,
         permission="petition:hall")
    def log_window_service():
        return present_window_service(hall.log_window_service(load_json(s.WindowServiceInSchema),
                                                              current_principal())), 201

    @bp.get("/window-services")
    @api("The window services, newest first", query=s.WindowServiceListQuery, response=s.WindowServiceSchema,
         many=True, tags=TAGS, permission="petition:hall")
    def window_services():
        return hall.window_services(load_query(s.WindowServiceListQuery), current_principal()).body(
            present_window_service)

    @bp.get("/stats")
    @api("Per worker over a period: window services (by kind) and matters accepted (窗口服务 per 退管员…)",
         query=s.HallStatsQuery, response=s.HallStatsSchema, tags=TAGS, permission="petition:hall")
    def per_worker():
        return hall.per_worker(load_query(s.HallStatsQuery), current_principal())

    return bp
