"""Per-worker counts (seed 003: "退管员**提供窗口服务2412次,走访2266次") asked of the services that keep them, joined by
worker, said in a community's annual report; a service down or refusing leaves only its part out."""
import io
import json
from datetime import date

from docx import Document

from gateway.adapters.documents import annual_docx
from gateway.adapters.proxy import ServiceUnavailable, Upstream
from gateway.adapters.worker_counts import WorkerCounts, worker_lines
from gateway.domain.metrics import METRICS, RATES

ANSWERS = {
    "/api/v1/petition/hall/stats": {"workers": [{"user_id": "u-1", "name": "李某", "window_services": 2412},
                                                {"user_id": "u-2", "name": "王某", "window_services": 2525}]},
    "/api/v1/welfare/visits/counts": {"per_worker": {"u-1": {"visitor_name": "李某", "visits": 2266},
                                                     "u-3": {"visitor_name": "赵某", "visits": 7}}},
}


class FakeProxy:
    def __init__(self, answers: dict, down: tuple = ()):
        self.answers, self.down, self.asked = answers, down, []

    def forward(self, service, method, path, query, headers, body):
        self.asked.append((service, path, query.decode(), headers["Authorization"]))
        if service in self.down:
            raise ServiceUnavailable(service, "down")
        if path not in self.answers:
            return Upstream(403, b'{"error": {}}', {})
        return Upstream(200, json.dumps(self.answers[path]).encode(), {})


def test_each_workers_counts_are_joined_from_the_services_and_said_as_the_seed_does():
    proxy = FakeProxy(ANSWERS)
    rows = WorkerCounts(proxy).of("Bearer t", "jiayuan", date(2026, 1, 1), date(2026, 12, 31))
    assert [(r["name"], r["window_services"], r["visits"]) for r in rows] == [
        ("李某", 2412, 2266), ("王某", 2525, 0), ("赵某", 0, 7)]
    assert all(q == "org_unit=jiayuan&from=2026-01-01&to=2026-12-31" and a == "Bearer t" for _, _, q, a in proxy.asked)
    assert worker_lines(rows) == ["李某提供窗口服务2412次,走访2266次;王某提供窗口服务2525次;赵某走访7次。"]
    assert WorkerCounts(proxy).of(None, "jiayuan", date(2026, 1, 1), date(2026, 12, 31)) == []


def test_a_service_down_leaves_its_part_out():
    rows = WorkerCounts(FakeProxy(ANSWERS, down=("petition",))).of("Bearer t", "jiayuan", date(2026, 1, 1),
                                                                     date(2026, 12, 31))
    assert worker_lines(rows) == ["李某走访2266次;赵某走访7次。"]


def test_the_annual_report_has_a_workers_section_when_given():
    o = {"org_unit": {"id": "jiayuan", "name": "家园社区", "level": "community"},
         "period": {"from": "2026-01-01", "to": "2026-12-31"}, "children": [],
         "metrics": {k: {"value": 0, "previous_year": 0} for k in METRICS},
         "rates": {r.key: {"value": None} for r in RATES}}
    rows = [{"user_id": "u-1", "name": "李某", "window_services": 3, "visits": 1, "register_services": 0}]

    def text(**kw) -> str:
        return "\n".join(p.text for p in Document(io.BytesIO(annual_docx(o, 2026, {}, **kw))).paragraphs)

    assert "工作人员" in text(workers=rows) and "李某提供窗口服务3次,走访1次。" in text(workers=rows)
    assert "工作人员" not in text()
