"""An attacker with a community worker's login, against the running platform (issue #16, from outside).

The services' own tests prove each defence where it lives; this one replays, through the gateway of a
platform started as `make run` starts it, what a curious 黄泥岭 worker or 家园 worker actually tried:
another community's volunteer's coins, a dispute on another community's petition, duplicate checks that
named other communities, district settings, a payment for a month years ahead, encoded dot segments, parallel
password guesses, and a full-ID read on a service's own port that the audit trail must still see. On both
backend pairs (`embedded`, `kafka-mongo`): the coin saga and the audit trail travel by events.
"""
from __future__ import annotations

import concurrent.futures
import random
import time
import uuid

import pytest
import requests

from liandong.idnumbers import check_digit
from liandong.testing import auth_headers, wait_for

PASSWORD = "Liandong-demo-2026"


def id_number() -> str:
    first = f"22020419{random.randint(50, 89)}0{random.randint(1, 9)}{random.randint(10, 28)}{random.randint(100, 999)}"
    return first + check_digit(first)


class Gateway:
    def __init__(self, settings):
        self.base = f"http://127.0.0.1:{settings.ports['gateway']}"
        self.tokens: dict[str, dict] = {}

    def login(self, username: str, password: str = PASSWORD) -> requests.Response:
        return requests.post(f"{self.base}/api/v1/auth/login", json={"username": username, "password": password},
                             timeout=15)

    def as_(self, username: str) -> dict:
        if username not in self.tokens:
            r = self.login(username)
            assert r.status_code == 200, r.text
            self.tokens[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return self.tokens[username]

    def call(self, who: str, method: str, path: str, **kw) -> requests.Response:
        """As the console calls: a POST carries an Idempotency-Key and is sent again with the same key when the
        gateway could not learn its outcome (502/503/504 while a loaded service is slow), so a retry never makes
        a second record; everything else is answered as it came."""
        headers = dict(self.as_(who))
        if method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        for attempt in range(4):
            r = requests.request(method, f"{self.base}/api/v1{path}", headers=headers, timeout=30, **kw)
            if method != "POST" or r.status_code not in (409, 502, 503, 504) or (
                    r.status_code == 409 and "still being processed" not in r.text):
                return r
            time.sleep(1 + attempt)
        return r

    def made(self, who: str, path: str, body: dict) -> dict:
        r = self.call(who, "POST", path, json=body)
        assert r.status_code == 201, (path, r.status_code, r.text[:500])
        return r.json()


def nothing_from(response: requests.Response, *words: str) -> None:
    """The answer carries nothing of the other community's record: not where it lives, nor any of `words`
    (the id the caller sent may come back: "no petition '<id>'" is what a missing one answers too)."""
    text = response.text
    assert "/chuanying/huangqi/" not in text and "/chuanying/xihu/" not in text, text
    assert "jiayuan" not in text and "huangniling" not in text, text
    for w in words:
        assert w not in text, (w, text)


@pytest.mark.e2e
def test_a_community_worker_reaches_nothing_of_another_community_through_the_running_platform(
        platform):
    settings = platform.start()
    gw = Gateway(settings)

    # -- 黄泥岭's own records: a volunteer with 50 love coins, a petition of 家园 with a petitioner's number
    vol = gw.made("huangniling_worker", "/volunteer/volunteers", {
        "name": "黄泥岭志愿者", "kind": "resident", "org_unit_id": "huangniling", "consent": True})
    assert gw.call("huangniling_worker", "POST", "/volunteer/coins/adjustments", json={
        "volunteer_id": vol["id"], "coins": 50, "reason": "开户"}).status_code in (200, 201, 202)

    def balance() -> int:
        v = gw.call("huangniling_worker", "GET", f"/volunteer/volunteers/{vol['id']}").json()
        return v["totals"].get("available", 0)

    wait_for(lambda: balance() == 50, 30, message="the opening coins")
    number = id_number()
    petition = gw.call("jiayuan_worker", "POST", "/petition/petitions", json={
        "org_unit_id": "jiayuan", "category": "property", "channel": "visit",
        "content": "楼道照明长期损坏", "petitioner": {"name": "刘女士", "id_number": number}})
    assert petition.status_code == 201, petition.text
    petition = petition.json()

    # 1. a 家园 worker redeems 黄泥岭's volunteer's coins at 家园's supermarket: the coins stay put
    item = gw.call("jiayuan_worker", "POST", "/welfare/goods/donations", json={
        "org_unit_id": "jiayuan", "sku": "probe-kettle", "name": "暖瓶", "unit": "个", "quantity": 5,
        "donor": "共建单位", "donor_kind": "co_building_unit", "unit_value_fen": 2500, "coin_price": 20}).json()
    r = gw.call("jiayuan_worker", "POST", "/welfare/goods/redemptions", json={
        "org_unit_id": "jiayuan", "volunteer_id": vol["id"], "items": [{"item_id": item["item_id"], "quantity": 2}]})
    assert r.status_code in (202, 404, 422), r.text
    if r.status_code == 202:  # taken for the saga: the volunteer service must refuse it
        final = wait_for(lambda: (lambda x: x if x["status"] in ("handed_out", "cancelled") else None)(
            gw.call("jiayuan_worker", "GET", f"/welfare/goods/redemptions/{r.json()['id']}").json()), 30,
            message="the redemption to settle")
        assert final["status"] == "cancelled", final  # the volunteer service refused: nothing was debited
    assert balance() == 50

    # 2. a 黄泥岭 worker opens a dispute naming 家园's petition: 404, nothing of the petition in the answer
    r = gw.call("huangniling_worker", "POST", "/security/disputes", json={
        "org_unit_id": "huangniling", "type": "neighbour", "summary": "邻里纠纷",
        "parties": [{"name": "甲"}, {"name": "乙"}], "mediator_name": "调解员", "petition_id": petition["id"]})
    assert r.status_code == 404, r.text
    nothing_from(r, "property", "楼道照明")

    # 3. the same person files in 黄泥岭: the duplicate check names nothing of 家园
    r = gw.call("huangniling_worker", "POST", "/petition/petitions", json={
        "org_unit_id": "huangniling", "category": "property", "channel": "visit",
        "content": "楼道照明长期损坏", "petitioner": {"name": "刘女士", "id_number": number}})
    assert r.status_code == 201, r.text
    assert not r.json().get("possible_duplicates") and not r.json().get("repeat_petitioner"), r.text
    assert petition["id"] not in r.text

    # 4. records of another community answer like missing ones, in every service
    for who, path, record in (("jiayuan_worker", f"/volunteer/volunteers/{vol['id']}", vol),
                              ("huangniling_worker", f"/petition/petitions/{petition['id']}", petition),
                              ("huangniling_worker", f"/petition/petitions/{petition['id']}/timeline", petition)):
        r = gw.call(who, "GET", path)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert r.json()["error"]["message"] == f"no {path.split('/')[2][:-1]} {record['id']!r}", r.text
        nothing_from(r, "楼道照明", "黄泥岭志愿者")

    # 5. district settings and months ahead are not a community worker's
    types = gw.call("jiayuan_worker", "GET", "/volunteer/types").json()
    key = types["items"][0]["type"]
    r = gw.call("jiayuan_worker", "PUT", f"/volunteer/rates/{key}", json={"coins_per_hour": 999})
    assert r.status_code in (403, 404), r.text
    r = gw.call("jiayuan_worker", "POST", "/welfare/disbursements", json={"org_unit_id": "jiayuan",
                                                                          "period": "2030-01"})
    assert r.status_code == 422, r.text

    # 6. dot segments, however encoded, never leave the service's prefix
    for path in ("/api/v1/petition/%2e%2e/welfare/programmes", "/api/v1/petition/%252e%252e/welfare/programmes",
                 "/api/v1/exports/petition/%252e%252e/welfare/programmes?format=csv"):
        r = requests.get(gw.base + path, headers=gw.as_("jiayuan_worker"), timeout=10)
        assert r.status_code in (400, 404), (path, r.status_code, r.text[:200])

    # 7. twenty wrong passwords at once lock the account; the right one is refused afterwards
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda _: gw.login("resident_li", "wrong-password").status_code, range(20)))
    assert set(codes) <= {401, 423, 429}, codes
    assert gw.login("resident_li").status_code != 200

    # 8. a full-ID read on a service's own port is in the gateway's audit trail
    officer = auth_headers(settings, "subdistrict_officer", "huangqi", "/chuanying/huangqi/")
    port = settings.ports["petition"]
    r = requests.get(f"http://127.0.0.1:{port}/api/v1/petition/petitions/{petition['id']}", headers=officer,
                     timeout=10)
    assert r.status_code == 200 and number in r.text

    def audited():
        entries = gw.call("district_admin", "GET", "/audit", params={"service": "petition"}).json()
        entries = entries.get("items", entries.get("entries", []))
        return [e for e in entries if petition["id"] in (e.get("path") or "") + str(e.get("record_id") or "")]

    wait_for(audited, 30, message="the service-port read in the audit trail")

    # 9. outsiders see whether the platform is ready, not its inside
    r = requests.get(f"{gw.base}/readyz", timeout=10, headers={"X-Forwarded-For": "203.0.113.9"})
    assert "http://" not in r.text and "backlog" not in r.text, r.text
