"""What each worker of a community did in a period, as the seeds tell it (003: "退管员**提供窗口服务2412次,走访2266次"),
from the services that keep it — petition's hall (`GET /petition/hall/stats`: window services per worker), welfare's
visits (`GET /welfare/visits/counts`) and the registers' services (`GET /welfare/register-services/counts`) — asked
over HTTP with the caller's own token, as the labels are (vocabularies). The gateway's figures are sums per org unit
and cannot tell people apart; these answers can. A service that is down or refuses the caller leaves its part out:
the report is written without it."""
from __future__ import annotations

import json
import logging
from datetime import date
from urllib.parse import urlencode

from .proxy import ServiceProxy, ServiceUnavailable

log = logging.getLogger(__name__)

# (service, path, the answer's workers as (user id, name, count)) -> which count of the row
_SOURCES = (
    ("petition", "/api/v1/petition/hall/stats", "window_services",
     lambda d: [(w["user_id"], w.get("name"), w.get("window_services", 0)) for w in d.get("workers") or []]),
    ("welfare", "/api/v1/welfare/visits/counts", "visits",
     lambda d: [(k, w.get("visitor_name"), w.get("visits", 0)) for k, w in (d.get("per_worker") or {}).items()]),
    ("welfare", "/api/v1/welfare/register-services/counts", "register_services",
     lambda d: [(k, w.get("worker_name"), w.get("services", 0)) for k, w in (d.get("per_worker") or {}).items()]),
)
COUNTS = tuple(count for _, _, count, _ in _SOURCES)


class WorkerCounts:
    def __init__(self, proxy: ServiceProxy):
        self.proxy = proxy

    def _answer(self, service: str, path: str, query: bytes, authorization: str) -> dict | None:
        try:
            upstream = self.proxy.forward(service, "GET", path, query,
                                          {"Authorization": authorization, "Accept": "application/json"}, b"")
        except ServiceUnavailable:
            return None
        if upstream.status != 200:  # 403: the caller holds no such duty there; 404: no such endpoint yet
            return None
        try:
            return json.loads(upstream.body)
        except ValueError:
            return None

    def of(self, authorization: str | None, org_unit: str, start: date, end: date) -> list[dict]:
        """One row per worker — {user_id, name, window_services, visits, register_services} — busiest first."""
        if not authorization:
            return []
        query = urlencode({"org_unit": org_unit, "from": start.isoformat(), "to": end.isoformat()}).encode()
        rows: dict[str, dict] = {}
        for service, path, count, read in _SOURCES:
            answer = self._answer(service, path, query, authorization)
            if not isinstance(answer, dict):
                continue
            try:
                workers = read(answer)
            except (KeyError, TypeError, AttributeError) as exc:  # a shape this gateway does not know yet
                log.warning("%s per-worker counts not read: %s", service, exc)
                continue
            for user_id, name, n in workers:
                row = rows.setdefault(user_id, {"user_id": user_id, "name": "", **{c: 0 for c in COUNTS}})
                row["name"] = row["name"] or name or ""
                row[count] += n
        return sorted(rows.values(), key=lambda r: (-sum(r[c] for c in COUNTS), r["user_id"]))


def worker_lines(rows: list[dict]) -> list[str]:
    """"李某提供窗口服务2412次,走访2266次;王某…": each worker's counts in the seeds' words, none left at zero."""
    said = []
    for row in rows:
        parts = [f"{label}{row[count]}次" for count, label in (("window_services", "提供窗口服务"), ("visits", "走访"),
                                                              ("register_services", "为老助残优抚服务"))
                 if row[count]]
        if parts:
            said.append(f"{row['name'] or '工作人员'}" + ",".join(parts))
    return [";".join(said) + "。"] if said else []
