"""Storage of the hall's matters (办件, with their outbox; the resident's particulars encrypted) and window
services (窗口服务, an append-only tally), every query asked of them, and the catalogue's YAML loader."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import yaml

from liandong.listing import Page, page_of
from liandong.personal import PersonalFields, person_key
from liandong.repository import OutboxRepository
from liandong.storage import subtree
from liandong.storage.filters import all_of, any_of, between

from ..domain import hall
from .repository import list_filters

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "hall.yaml"
CATALOGUE_ENV = "PETITION_HALL_FILE"  # a deployment's own catalogue (the same shape as hall.yaml)


def load_catalogue(path: str | Path | None = None) -> hall.Catalogue:
    """The catalogue named by `path`, else by PETITION_HALL_FILE, else the one shipped with the service."""
    with open(path or os.environ.get(CATALOGUE_ENV) or DEFAULT_CATALOGUE, encoding="utf-8") as fh:
        return hall.Catalogue(yaml.safe_load(fh) or {})


def readable_by(principal, permissions: tuple[str, ...]) -> dict:
    """The hall's records the caller may read: the scopes of whichever of `permissions` they hold (at least one)."""
    return any_of(principal.scope_filter(p) for p in permissions if principal.has(p))


def _page(repo, query: dict, sort_field: str, page: int, page_size: int) -> Page:
    return page_of(repo.collection, query, page=page, page_size=page_size, sort=[(sort_field, -1)], load=repo.loaded)


_MATTER_STORED = [f.name for f in dataclasses.fields(hall.HallMatter) if f.name not in ("version", "events")]
# the list's filters that are one stored field each: (query parameter, field)
MATTER_FILTERS = (("status", "state"), ("item", "item"), ("office", "office"))
MATTER_FLAGS = (("on_behalf", "on_behalf"), ("overdue", "overdue"))


class HallMatterRepository(OutboxRepository[hall.HallMatter]):
    collection_name = "hall_matters"
    personal = PersonalFields.of("resident.name", "resident.id_number", "resident.mobile")
    indexes = (
        ([("org_path", 1), ("received_at", -1)], {"name": "org_received"}),
        ([("state", 1), ("org_path", 1), ("received_at", -1)], {"name": "state_org_received"}),
        ([("state", 1), ("overdue", 1), ("due_at", 1)], {"name": "state_due"}),  # the overdue scan
        ([("org_path", 1), ("accepted_at", 1)], {"name": "org_accepted"}),  # per worker, a period
    )

    def page(self, args: dict, scope: dict, within: str | None, page: int, page_size: int) -> Page:
        """One page of the list (`GET /hall/matters`), newest received first, counted up to TOTAL_CAP."""
        where = all_of(scope, subtree(within) if within else None, *list_filters(args, MATTER_FILTERS, MATTER_FLAGS),
                       between("received_at", args.get("from_"), args.get("to")))
        return _page(self, where, "received_at", page, page_size)

    def past_due(self, now_iso: str, limit: int = 500) -> list[hall.HallMatter]:
        """Matters still running past their due date and not flagged overdue yet (the deadline scan)."""
        return self.find({"state": {"$in": list(hall.ACTIVE)}, "overdue": False, "due_at": {"$lt": now_iso}},
                         limit=limit)

    def accepted_within(self, org_path: str, start: str | None, end: str | None) -> list[dict]:
        """Who accepted which matters in a period (the per-worker tally): no personal field is read."""
        where = all_of(subtree(org_path), {"accepted_at": {"$ne": None}}, between("accepted_at", start, end))
        return self.collection.find(where, projection={"received_by": 1, "timeline": 1, "office": 1})

    def person_key(self, m: hall.HallMatter) -> str | None:
        number = (m.resident or {}).get("id_number")
        return person_key(self.deps.cipher, number) if number else None

    def to_document(self, m: hall.HallMatter) -> dict:
        return {**{name: getattr(m, name) for name in _MATTER_STORED}, "_id": m.id}

    def from_document(self, doc: dict) -> hall.HallMatter:
        return hall.HallMatter(**{name: doc[name] for name in _MATTER_STORED if name in doc})

    def publish(self, m: hall.HallMatter, ev):
        base = {"matter_id": m.id, "org_unit_id": m.org_unit_id, "item": m.item, "office": m.office,
                "on_behalf": m.on_behalf}
        if isinstance(ev, hall.MatterAccepted):
            return "petition.hall_matter.accepted", {**base, "time_limit_days": m.time_limit_days,
                                                     "due_date": m.due_date, "accepted_at": ev.at,
                                                     "person_key": self.person_key(m)}
        if isinstance(ev, hall.MatterCompleted):
            return "petition.hall_matter.completed", {**base, "due_date": m.due_date, "on_time": m.on_time,
                                                      "completed_at": ev.at}
        if isinstance(ev, hall.MatterReturned):
            return "petition.hall_matter.returned", {**base, "had_been_accepted": ev.had_been_accepted,
                                                     "returned_at": ev.at}
        if isinstance(ev, hall.MatterOverdue):
            return "petition.hall_matter.overdue", {**base, "due_date": m.due_date, "detected_at": ev.at}
        return None


_WINDOW_STORED = [f.name for f in dataclasses.fields(hall.WindowService) if f.name not in ("version", "events")]


class WindowServiceRepository(OutboxRepository[hall.WindowService]):
    """One entry per window contact, written with its event; never changed."""

    collection_name = "window_services"
    indexes = (([("org_path", 1), ("served_at", -1)], {"name": "org_served"}),
               ([("worker.user_id", 1), ("served_at", -1)], {"name": "worker_served"}))

    def page(self, args: dict, scope: dict, within: str | None, page: int, page_size: int) -> Page:
        where = all_of(scope, subtree(within) if within else None,
                       *list_filters(args, (("office", "office"), ("kind", "kind"), ("worker", "worker.user_id")), ()),
                       between("served_at", args.get("from_"), args.get("to")))
        return _page(self, where, "served_at", page, page_size)

    def served_within(self, org_path: str, start: str | None, end: str | None) -> list[dict]:
        return self.collection.find(all_of(subtree(org_path), between("served_at", start, end)),
                                    projection={"worker": 1, "kind": 1, "office": 1})

    def to_document(self, w: hall.WindowService) -> dict:
        return {**{name: getattr(w, name) for name in _WINDOW_STORED}, "_id": w.id}

    def from_document(self, doc: dict) -> hall.WindowService:
        return hall.WindowService(**{name: doc[name] for name in _WINDOW_STORED if name in doc})

    def publish(self, w: hall.WindowService, ev):
        if isinstance(ev, hall.WindowServiceLogged):
            return "petition.window_service.logged", {"service_id": w.id, "org_unit_id": w.org_unit_id,
                                                      "office": w.office, "kind": w.kind,
                                                      "worker": w.worker["user_id"], "served_at": w.served_at}
        return None
