"""Every metric the alert rules and the Grafana dashboard read is emitted by the running platform.

The names are read out of the PromQL expressions of deploy/observability/alerts.yaml and
grafana-dashboard.json (nothing listed by hand here), and looked up among the samples of every
service's real /metrics after a small journey: records in every service and a petition left past
its deadline (the test moves the platform's clock, LIANDONG_CLOCK_FILE). /metrics gives its detail
to callers in the cluster's networks; the test calls from loopback, which is one.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from liandong.clock import FileClock
from liandong.config import SERVICES
from liandong.testing import wait_for

OBSERVABILITY = Path(__file__).resolve().parents[2] / "deploy" / "observability"
NAME = re.compile(r"\bliandong_[a-z_]+")


def expressions() -> dict[str, str]:
    """Every PromQL expression of the alert rules and the dashboard, by where it is."""
    out = {}
    for group in yaml.safe_load((OBSERVABILITY / "alerts.yaml").read_text(encoding="utf-8"))["groups"]:
        for rule in group["rules"]:
            out[f"alerts.yaml:{rule['alert']}"] = rule["expr"]

    def walk(node, where):
        if isinstance(node, dict):
            if isinstance(node.get("expr"), str):
                out[f"grafana-dashboard.json:{where}"] = node["expr"]
            for k, v in node.items():
                walk(v, node.get("title", where) if k == "targets" else where)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]" if not isinstance(v, dict) or "title" not in v else v["title"])

    walk(json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text(encoding="utf-8")), "dashboard")
    return out


def metric_names(expr: str) -> set[str]:
    """The series an expression reads (a histogram's _bucket/_sum/_count are its own series names)."""
    return set(NAME.findall(expr))


def scrape(settings) -> dict[str, dict[str, list]]:
    """Per service, every sample of its /metrics by sample name: [(labels, value), ...]."""
    out: dict[str, dict[str, list]] = {}
    for svc in SERVICES:
        r = requests.get(f"http://127.0.0.1:{settings.ports[svc]}/metrics", timeout=10)
        assert r.status_code == 200, (svc, r.status_code, r.text[:300])
        samples: dict[str, list] = {}
        for family in text_string_to_metric_families(r.text):
            for s in family.samples:
                samples.setdefault(s.name, []).append((s.labels, s.value))
        out[svc] = samples
    return out


def value(scraped: dict, svc: str, name: str, **labels) -> float | None:
    for got, v in scraped[svc].get(name, []):
        if all(got.get(k) == want for k, want in labels.items()):
            return v
    return None


def test_the_names_are_read_from_both_files():
    """The parser finds what the files hold (a parser finding nothing would make the e2e test vacuous)."""
    found = {w: metric_names(e) for w, e in expressions().items()}
    assert any(w.startswith("alerts.yaml:") for w in found) and any(w.startswith("grafana") for w in found)
    assert all(found.values()), {w: e for w, e in expressions().items() if not found[w]}
    names = set().union(*found.values())
    assert {"liandong_petitions_overdue", "liandong_consumer_lag_messages",
            "liandong_http_request_duration_seconds_bucket", "liandong_http_requests_total"} <= names


@pytest.mark.e2e
def test_every_metric_the_alerts_and_the_dashboard_read_is_emitted(platform_settings, e2e, tmp_path, backend_pair):
    clock = tmp_path / "clock"
    settings = platform_settings(*backend_pair).with_overrides(clock_file=str(clock))
    proc = e2e.start_platform(settings, tmp_path / "run.log")
    try:
        e2e.check_running(settings)
        records = e2e.Records(settings)
        records.create()
        late = records.call("jiayuan_worker", "POST", "/petition/petitions", json={
            "org_unit_id": "jiayuan", "category": "property", "channel": "hotline", "title": "路灯损坏",
            "content": "二区主干道三盏路灯损坏,夜间出行不便", "petitioners": [{"name": "郑秋菊"}]})
        assert late["due_at"]
        FileClock.move(clock, 400 * 24 * 3600)  # a year later nobody has answered it: the deadline scan flags it

        records.tokens.clear()  # the tokens of a year ago have expired
        wait_for(lambda: records.call("jiayuan_worker", "GET", f"/petition/petitions/{late['id']}")["overdue"], 30,
                 0.5, message="the deadline scan flags the petition overdue")
        # every service's consumer groups report their lag, per group (the gateway has two: its own and the reports
        # projector's), and each service's own group has handled the journey's events; a worker writes its heartbeat
        # every 2 s, later than that on a loaded machine
        want = {"gateway": {"gateway", "gateway-reports-g1"}, "petition": {"petition"}, "welfare": {"welfare"},
                "volunteer": {"volunteer"}, "security": {"security"}}
        seen: dict = {}

        def reported():
            scraped = scrape(settings)
            seen.update({svc: ({labels["group"] for labels, _ in scraped[svc].get("liandong_consumer_lag_messages", [])},
                               value(scraped, svc, "liandong_consumer_handled_events", group=svc) or 0)
                         for svc in SERVICES})
            done = all(seen[svc][0] == want[svc] and seen[svc][1] > 0 for svc in SERVICES)
            return scraped if done else None

        try:
            scraped = wait_for(reported, 60, 1, message="every group's lag reported and every service's events handled")
        except AssertionError:
            assert {svc: groups for svc, (groups, _) in seen.items()} == want, seen
            assert all(handled > 0 for _, handled in seen.values()), seen
            raise
        emitted = {name for samples in scraped.values() for name in samples}
        missing = {where: sorted(metric_names(expr) - emitted) for where, expr in expressions().items()
                   if metric_names(expr) - emitted}
        assert not missing, f"read by the alerts or the dashboard, emitted by no service: {missing}"

        # the journey made them say something: requests served, events handled, the overdue petition
        assert value(scraped, "petition", "liandong_petitions_overdue", service="petition") == 1
        assert value(scraped, "gateway", "liandong_http_requests_total", service="gateway", status="201")
    finally:
        e2e.stop_platform(proc)  # platform_settings drops the test's MongoDB databases
