"""Codes and their labels come from the service that owns them, never from a copy in the gateway.

Welfare configures a programme the gateway has never heard of; the reports count it from its first
event and name it in welfare's words (overview, annual report), with no gateway edit.
"""
from __future__ import annotations

import io
from datetime import date

import pytest
import yaml
from docx import Document
from openpyxl import load_workbook

from liandong.testing import wait_for

from welfare.bootstrap import create_app as welfare_app

JIAYUAN = "/chuanying/huangqi/jiayuan/"
NEW = "winter_heating_aid"  # a programme only welfare's configuration knows
NEW_NAME = "冬季取暖补贴"


def programmes_file(tmp_path) -> str:
    """A district's welfare configuration (WELFARE_PROGRAMMES_FILE): 城市低保 and a programme of its own."""
    below_line = [{"rule": "income_per_member_below_line", "line": "dibao_urban"}]
    config = {"lines": [{"area": "chuanying", "year": date.today().year, "dibao_urban": "720.00"}],
              "programmes": {
                  "dibao_urban": {"name": "城市最低生活保障 (城市低保)", "schedule": "monthly", "notice_days": 7,
                                  "documents": ["身份证"], "rules": below_line,
                                  "amount": {"rule": "gap_to_line", "line": "dibao_urban"}},
                  NEW: {"name": NEW_NAME, "schedule": "once", "notice_days": 3, "documents": ["身份证"],
                        "rules": below_line, "amount": {"rule": "fixed_per_household", "yuan": "300.00"}}}}
    path = tmp_path / "programmes.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_a_programme_added_only_in_welfares_configuration_is_counted_and_named_in_welfares_words(
        make_svc, serve, workers, tmp_path, monkeypatch, store):
    svc = make_svc(store=store)
    workers(svc.worker)  # the reports projector reads every service's topic
    monkeypatch.setenv("WELFARE_PROGRAMMES_FILE", programmes_file(tmp_path))  # the district's own configuration
    serve(welfare_app(svc.settings.for_service("welfare")), port=svc.settings.ports["welfare"])
    year = date.today().year
    svc.publish_event("welfare.grant.started", {
        "grant_id": "g-new", "application_id": "a-new", "programme": NEW, "org_unit_id": "jiayuan",
        "household_size": 2, "monthly_amount_fen": 30000}, "g-new", JIAYUAN)
    svc.publish_event("welfare.payment.disbursed", {
        "payment_id": "g-new:1", "grant_id": "g-new", "programme": NEW, "org_unit_id": "jiayuan",
        "period": f"{year}-01", "amount_fen": 30000}, "g-new", JIAYUAN)
    admin = svc.headers()
    period = {"org_unit": "huangqi", "from": f"{year}-01-01", "to": f"{year}-12-31"}

    def overview():
        r = svc.client.get("/api/v1/reports/overview", query_string=period, headers=admin)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    o = wait_for(lambda: (lambda o: o if o["metrics"].get(f"welfare.disbursed_fen.{NEW}", {}).get("value") else None)(
        overview()), 30, message="the new programme's payment is counted")
    households = o["metrics"][f"welfare.households.{NEW}"]
    assert (households["value"], households["label"], households["name"]) == (1, f"{NEW_NAME}在保户数", NEW_NAME)
    assert o["metrics"][f"welfare.people.{NEW}"]["value"] == 2
    assert o["metrics"][f"welfare.disbursed_fen.{NEW}"]["label"] == f"{NEW_NAME}发放金额"
    assert o["metrics"]["welfare.households"]["value"] == 1  # and in the total, as every programme
    # every programme welfare lists, under welfare's name (none of a copy's: 城市低保 is welfare's 城市最低生活保障),
    # with nothing yet; and no programme welfare does not list
    assert o["metrics"]["welfare.households.dibao_urban"]["name"] == "城市最低生活保障 (城市低保)"
    assert o["metrics"]["welfare.households.dibao_urban"]["value"] == 0
    assert {m["code"] for m in o["metrics"].values() if m.get("of") == "welfare.households"} == {"dibao_urban", NEW}
    kids = {c["org_unit"]["id"]: c for c in o["children"]}
    assert kids["jiayuan"]["metrics"][f"welfare.people.{NEW}"]["value"] == 2

    year_q = {"org_unit": "huangqi", "year": year}
    docx = svc.client.get("/api/v1/reports/annual.docx", query_string=year_q, headers=admin)
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert f"{NEW_NAME}在保1户2人、发放300元" in text
    xlsx = svc.client.get("/api/v1/reports/annual.xlsx", query_string=year_q, headers=admin)
    sheet = load_workbook(io.BytesIO(xlsx.data))["主要指标"]
    rows = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[f"{NEW_NAME}在保户数"] == 1 and rows[f"{NEW_NAME}发放金额"] == 300
    catalogue = svc.client.get("/api/v1/reports/metrics", headers=admin).get_json()
    assert catalogue["metrics"][f"welfare.households.{NEW}"]["label"] == f"{NEW_NAME}在保户数"


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_with_welfare_down_a_programme_is_named_as_its_events_named_it_or_shown_by_its_code(make_svc, workers, store):
    """Welfare down: the figures are the gateway's own (events); a code is named as the events named it
    (the optional programme_name of the contract), else it stays a code; nothing comes from a copy."""
    svc = make_svc(store=store)
    workers(svc.worker)
    year = date.today().year
    svc.publish_event("welfare.payment.disbursed", {
        "payment_id": "g-x:1", "grant_id": "g-x", "programme": "dibao_urban", "org_unit_id": "jiayuan",
        "period": f"{year}-01", "amount_fen": 100}, "g-x", JIAYUAN)
    svc.publish_event("welfare.payment.disbursed", {
        "payment_id": "g-y:1", "grant_id": "g-y", "programme": NEW, "programme_name": NEW_NAME,
        "org_unit_id": "jiayuan", "period": f"{year}-01", "amount_fen": 200}, "g-y", JIAYUAN)
    admin = svc.headers()
    q = {"org_unit": "jiayuan", "from": f"{year}-01-01", "to": f"{year}-12-31"}
    # Two grants, two keys: on Kafka they may sit on two partitions and be read in either order, so wait for both.
    # A programme's name is kept before its payment's figure is added: wait for the values, not the entries.
    both = ("welfare.disbursed_fen.dibao_urban", f"welfare.disbursed_fen.{NEW}")
    o = wait_for(lambda: (lambda r: r.get_json() if all(r.get_json()["metrics"].get(m, {}).get("value") for m in both)
                          else None)(svc.client.get("/api/v1/reports/overview", query_string=q, headers=admin)),
                 30, message="both payments are counted")
    entry = o["metrics"]["welfare.disbursed_fen.dibao_urban"]
    assert (entry["value"], entry["label"]) == (100, "dibao_urban发放金额")
    named = o["metrics"][f"welfare.disbursed_fen.{NEW}"]
    assert (named["value"], named["label"]) == (200, f"{NEW_NAME}发放金额")
    assert "welfare" in o["services_unavailable"]


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_incident_types_and_volunteer_kinds_are_named_by_their_owning_services(make_svc, serve, workers, store):
    """Security names its incident types (GET /security/config), volunteer its kinds and team types
    (GET /volunteer/types): the overview's breakdown and the vocabulary the console reads say them in
    those services' words."""
    from security.bootstrap import create_app as security_app
    from security.domain.vocabulary import INCIDENT_TYPES
    from volunteer.bootstrap import create_app as volunteer_app
    from volunteer.domain.model import BUILTIN_TEAM_TYPE_NAMES, VOLUNTEER_KIND_NAMES

    svc = make_svc(store=store)
    workers(svc.worker)
    serve(security_app(svc.settings.for_service("security")), port=svc.settings.ports["security"])
    serve(volunteer_app(svc.settings.for_service("volunteer")), port=svc.settings.ports["volunteer"])
    year = date.today().year
    svc.publish_event("security.incident.reported", {
        "incident_id": "i-1", "org_unit_id": "jiayuan", "type": "gas_leak", "severity": "high", "emergency": True,
        "injured": 0, "affected": 3, "reported_by_kind": "resident", "reported_at": f"{year}-02-01T02:00:00.000000Z"},
        "i-1", JIAYUAN)
    admin = svc.headers()
    q = {"org_unit": "jiayuan", "from": f"{year}-01-01", "to": f"{year}-12-31"}
    # every type is in the breakdown from the start (at 0): wait for the incident's count, not the entry
    o = wait_for(lambda: (lambda r: r.get_json() if r.get_json()["metrics"].get("security.incidents.gas_leak", {}).get("value")
                          else None)(svc.client.get("/api/v1/reports/overview", query_string=q, headers=admin)),
                 30, message="the incident is counted")
    assert o["metrics"]["security.incidents.gas_leak"]["name"] == INCIDENT_TYPES["gas_leak"] == "天然气泄漏"
    # every type security lists is in the breakdown under its name, none it does not list
    listed = {m["code"]: m["name"] for m in o["metrics"].values() if m.get("of") == "security.incidents"}
    assert listed == INCIDENT_TYPES

    types = svc.client.get("/api/v1/volunteer/types", query_string={"page_size": 100}, headers=admin).get_json()
    assert {k["kind"]: k["name"] for k in types["kinds"]} == VOLUNTEER_KIND_NAMES
    assert {t["type"]: t["name"] for t in types["items"] if t["builtin"]} == BUILTIN_TEAM_TYPE_NAMES
