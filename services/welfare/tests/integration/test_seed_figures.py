"""The facts behind the seeds' figures (#21): households helped by the 爱心超市 and people helped by the 爱心基金 —
distinct in a calendar year, marked on the events — and pairings (结对帮扶) that start and end, their events telling
whether the helper's / household's first pairing started or last one ended."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from liandong.testing import wait_for
from welfare_testkit import SUBDISTRICT

BOTH = pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)


def events_of(svc, name: str, count: int) -> list:
    types = {f"liandong.welfare.{name}.v1"}
    wait_for(lambda: len(svc.events(types)) >= count, 20, message=f"{count} of {name}")
    return svc.events(types)


HANDED: list[str] = []


def _hand_out(svc, household: str, expect: int = 201) -> None:
    r = svc.post("/goods/handouts", {"item_id": "jiayuan:mianbei", "quantity": 1, "household_id": household})
    assert r.status_code == expect, r.get_json()
    if expect == 201:
        HANDED.append(r.get_json()["_id"])


@BOTH
def test_supermarket_and_fund_mark_the_first_of_each_household_and_person_in_a_year(svc):
    HANDED.clear()
    assert svc.post("/goods/donations", {"org_unit_id": "jiayuan", "sku": "mianbei", "name": "棉被", "unit": "床",
                                         "quantity": 5, "donor": "居民", "unit_value_fen": 100}).status_code == 201
    _hand_out(svc, "h-1")
    _hand_out(svc, "h-1")  # the same household again that year: not a second household helped
    _hand_out(svc, "h-2")
    _hand_out(svc, "h-3", expect=201)
    _hand_out(svc, "h-4", expect=201)
    _hand_out(svc, "h-5", expect=409)  # nothing left: no hand-out, so h-5's first of the year is still to come
    svc.clock.set(datetime(2027, 1, 10, 2, tzinfo=timezone.utc))
    svc.post("/goods/donations", {"org_unit_id": "jiayuan", "sku": "mianbei", "name": "棉被", "unit": "床",
                                  "quantity": 5, "donor": "居民"})
    _hand_out(svc, "h-1")  # a new year: h-1 is helped again for the first time
    _hand_out(svc, "h-5")
    by_movement = {e.data["movement_id"]: e.data for e in events_of(svc, "goods.handed_out", 7)}
    assert [(by_movement[m]["recipient"], by_movement[m]["first_for_household_in_year"]) for m in HANDED] == [
        ("household:h-1", True), ("household:h-1", False), ("household:h-2", True), ("household:h-3", True),
        ("household:h-4", True), ("household:h-1", True), ("household:h-5", True)]

    svc.clock.set(datetime(2026, 5, 1, 2, tzinfo=timezone.utc))
    assert svc.post("/fund/donations", {"org_unit_id": "jiayuan", "donor": "共建单位", "donor_kind": "co_building_unit",
                                        "amount_fen": 1000000}, **SUBDISTRICT).status_code == 201

    granted = []

    def grant(recipient: str) -> None:
        asked = svc.post("/fund/grants", {"org_unit_id": "jiayuan", "recipient": recipient, "reason": "大病",
                                          "amount_fen": 10000}, **SUBDISTRICT).get_json()
        r = svc.post(f"/fund/grants/{asked['_id']}/approval", {}, **SUBDISTRICT)
        assert r.status_code == 200, r.get_json()
        granted.append(asked["_id"])

    grant("王某某")
    grant(" 王某某 ")  # the same person (as written, spaces aside) helped twice: one person helped
    grant("李某某")
    svc.clock.set(datetime(2027, 2, 1, 2, tzinfo=timezone.utc))
    grant("王某某")  # next year: a first again
    paid = events_of(svc, "fund.grant_paid", 4)
    by_entry = {e.data["entry_id"]: e.data["first_for_person_in_year"] for e in paid}  # a grant's entry is its id
    assert [by_entry[g] for g in granted] == [True, False, True, True]
    assert all("王" not in str(e.data) and "李" not in str(e.data) for e in paid)  # nobody named


@BOTH
def test_pairings_tell_distinct_helpers_and_households_as_they_start_and_end(svc):
    def pair(helper: str, household: str, **extra) -> dict:
        r = svc.post("/pairings", {"org_unit_id": "jiayuan", "helper_id": helper, "helper_name": "干部",
                                   "helper_kind": "cadre", "household": household, "plan": "每月走访", **extra})
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    first = pair("cadre-1", "幸福路3号 张家", started_on="2026-02-01")
    second = pair("cadre-1", "幸福路5号 李家")  # the same helper's second household
    third = pair("cadre-2", "幸福路3号  张家")  # the same household (as written) with a second helper
    assert "household_key" not in first and first["started_on"] == "2026-02-01"
    started = events_of(svc, "pairing.started", 3)  # each pairing's own events in order, not across pairings
    assert {e.data["pairing_id"]: (e.data["first_for_helper"], e.data["first_for_household"]) for e in started} == {
        first["_id"]: (True, True), second["_id"]: (False, True), third["_id"]: (True, False)}

    ended = svc.post(f"/pairings/{third['_id']}/end", {"reason": "no_longer_needed", "ended_on": "2026-03-02"})
    assert ended.status_code == 200, ended.get_json()
    assert ended.get_json()["status"] == "ended" and ended.get_json()["ended_on"] == "2026-03-02"
    again = svc.post(f"/pairings/{third['_id']}/end", {"reason": "no_longer_needed"})
    assert again.status_code == 409
    svc.post(f"/pairings/{first['_id']}/end", {"reason": "no_longer_needed"})
    before_start = svc.post(f"/pairings/{pair('cadre-3', 'x')['_id']}/end",
                            {"reason": "other", "ended_on": "2020-01-01"})
    assert before_start.status_code == 422 and "ended_on" in before_start.get_json()["error"]["fields"]
    assert svc.post(f"/pairings/{first['_id']}/end", {"reason": "bored"}).status_code in (409, 422)
    gone = events_of(svc, "pairing.ended", 2)
    # cadre-2's only pairing ended (one helper fewer), the household still had cadre-1; then cadre-1's first one:
    # cadre-1 still helps 李家, 张家 has nobody left
    assert {e.data["pairing_id"]: (e.data["last_for_helper"], e.data["last_for_household"]) for e in gone} == {
        third["_id"]: (True, False), first["_id"]: (False, True)}
    assert all("张" not in str(e.data) for e in started + gone)


@BOTH
def test_a_pairing_stored_before_its_events_ends_without_moving_the_figures(svc):
    pairings = svc.welfare.stores.pairings
    pairings.collection.insert_one({  # as #20 stored it: no version, no start day, never counted
        "_id": "old-1", "org_path": "/chuanying/huangqi/jiayuan/", "org_unit_id": "jiayuan", "helper_id": "c-1",
        "helper_name": "干部", "helper_kind": "cadre", "household": "x", "plan": "y", "goals": [], "status": "active",
        "created_at": "2025-06-01T00:00:00.000000Z", "created_by": "u"})
    r = svc.post("/pairings/old-1/end", {"reason": "no_longer_needed"})
    assert r.status_code == 200, r.get_json()
    ended = events_of(svc, "pairing.ended", 1)
    assert [(e.data["last_for_helper"], e.data["last_for_household"]) for e in ended] == [(False, False)]
