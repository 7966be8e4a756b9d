"""The residents' door shows a resident what staff made for them, through the whole platform (#22): the 家园
community worker registers a petition at the 接待 desk and a volunteer (with love coins) for the demo resident's
ID number; the demo resident signs in at the door (their token carries their person key, never the ID number)
and finds both — the petition with its public status and, once answered, rates it; the volunteer record with its
coins. A neighbour of the same community finds neither. 实名核验: someone who registers at the door with the ID
number of a person staff hold records for finds none of them (petition, volunteer record and its coins, welfare
application) until the community office confirms the account on the ID card; then all. On both backend pairs
(`embedded`, `kafka-mongo`): the coins reach the statement through the ledger's events."""
from __future__ import annotations

import secrets

import requests

from liandong.idnumbers import check_digit
from liandong.testing import wait_for

from gateway.demo import DEMO_RESIDENT

PASSWORD = "Liandong-demo-2026"


class Door:
    def __init__(self, settings):
        self.base = f"http://127.0.0.1:{settings.ports['gateway']}/api/v1"

    def login(self, username: str, password: str = PASSWORD) -> dict:
        r = requests.post(f"{self.base}/auth/login", json={"username": username, "password": password}, timeout=20)
        assert r.status_code == 200, (username, r.status_code, r.text)
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def call(self, headers: dict, method: str, path: str, expect: int = 200, **kw):
        r = requests.request(method, f"{self.base}{path}", headers=headers, timeout=20, **kw)
        assert r.status_code == expect, (method, path, r.status_code, r.text[:500])
        return r.json()

    def status(self, headers: dict, path: str) -> int:
        return requests.get(f"{self.base}{path}", headers=headers, timeout=20).status_code


def test_the_demo_resident_sees_and_rates_what_staff_registered_for_them(platform):
    platform.start()
    door = Door(platform.settings)
    office = door.login("jiayuan_worker")
    number = DEMO_RESIDENT["id_number"]

    pid = door.call(office, "POST", "/petition/petitions", 201, json={
        "org_unit_id": "jiayuan", "category": "environment_noise", "channel": "visit", "title": "夜间施工扰民",
        "content": "小区东侧工地每晚施工到十二点。",
        "petitioners": [{"name": DEMO_RESIDENT["name"], "id_number": number, "mobile": DEMO_RESIDENT["mobile"]}]})["id"]
    vid = door.call(office, "POST", "/volunteer/volunteers", 201, json={
        "name": DEMO_RESIDENT["name"], "kind": "resident", "org_unit_id": "jiayuan", "consent": True,
        "id_number": number})["id"]
    door.call(office, "POST", "/volunteer/coins/adjustments", 201,
              json={"volunteer_id": vid, "coins": 15, "reason": "台账转入"})

    resident = door.login(DEMO_RESIDENT["mobile"])
    mine = door.call(resident, "GET", "/petition/petitions", params={"page_size": 100})
    assert pid in [p["id"] for p in mine["items"]]
    public = door.call(resident, "GET", f"/petition/petitions/{pid}")
    assert public["status"] == "受理" and "petitioners" not in public
    me = door.call(resident, "GET", "/volunteer/volunteers/me")
    assert me["id"] == vid
    statement = wait_for(lambda: (s := door.call(resident, "GET", f"/volunteer/volunteers/{vid}/statement"))
                         ["balance"]["available"] == 15 and s, 60, message="the coins on the resident's statement")
    assert statement["total"] >= 1

    # the community answers; the resident rates it at the door, and the staff see the rating
    for step, body in (("assign", {"unit_kind": "community", "unit_id": "jiayuan", "person": "刘海燕",
                                   "deadline": "2099-12-31", "task": "联系工地", "requirement": "夜间停工"}),
                       ("start", {"mode": "on_site_check"}), ("answer", {"text": "工地已承诺晚十点后停工。"})):
        door.call(office, "POST", f"/petition/petitions/{pid}/{step}", json=body)
    assert door.call(resident, "GET", f"/petition/petitions/{pid}")["answer"]["text"] == "工地已承诺晚十点后停工。"
    door.call(resident, "POST", f"/petition/petitions/{pid}/close", json={"satisfaction": "satisfied"})
    closed = door.call(office, "GET", f"/petition/petitions/{pid}")
    assert (closed["state"], closed["satisfaction"]) == ("closed", "satisfied")

    # a neighbour of the same community registers at the door: none of it is theirs
    first = f"22020419860606{secrets.randbelow(900) + 100}"
    mobile = "135" + f"{secrets.randbelow(10**8):08d}"
    door.call({}, "POST", "/residents/register", 201, json={
        "name": "赵邻居", "id_number": first + check_digit(first), "mobile": mobile, "password": "Zhao-linju-2026",
        "community": "jiayuan"})
    neighbour = door.login(mobile, "Zhao-linju-2026")
    assert pid not in [p["id"] for p in door.call(neighbour, "GET", "/petition/petitions")["items"]]
    assert door.status(neighbour, f"/petition/petitions/{pid}") == 404
    assert door.status(neighbour, "/volunteer/volunteers/me") == 404
    assert door.status(neighbour, f"/volunteer/volunteers/{vid}/statement") == 404

    # 实名核验: the office holds records for 钱; whoever registers at the door with 钱's ID number sees none of
    # them until the community office has seen the ID card and confirmed the account
    first = f"22020419520303{secrets.randbelow(900) + 100}"
    qian = first + check_digit(first)
    qian_pid = door.call(office, "POST", "/petition/petitions", 201, json={
        "org_unit_id": "jiayuan", "category": "environment_noise", "channel": "visit", "title": "楼上漏水",
        "content": "楼上漏水三个月无人处理。", "petitioners": [{"name": "钱老人", "id_number": qian}]})["id"]
    qian_vid = door.call(office, "POST", "/volunteer/volunteers", 201, json={
        "name": "钱老人", "kind": "resident", "org_unit_id": "jiayuan", "consent": True, "id_number": qian})["id"]
    door.call(office, "POST", "/volunteer/coins/adjustments", 201,
              json={"volunteer_id": qian_vid, "coins": 20, "reason": "台账转入"})
    qian_app = door.call(office, "POST", "/welfare/applications", 201, json={
        "org_unit_id": "jiayuan", "programme": "dibao_urban", "channel": "window", "household": {
            "address": "家园社区5号楼", "members": [{"name": "钱老人", "id_number": qian, "relation": "applicant",
                                                 "monthly_income_fen": 30000, "employment": "retired"}]}})["id"]
    mobile = "136" + f"{secrets.randbelow(10**8):08d}"
    registered = door.call({}, "POST", "/residents/register", 201, json={
        "name": "钱老人", "id_number": qian, "mobile": mobile, "password": "Qian-laoren-2026", "community": "jiayuan"})
    assert registered["user"]["identity_confirmed"] is False
    unconfirmed = door.login(mobile, "Qian-laoren-2026")
    assert qian_pid not in [p["id"] for p in door.call(unconfirmed, "GET", "/petition/petitions")["items"]]
    assert door.status(unconfirmed, f"/petition/petitions/{qian_pid}") == 404
    assert door.status(unconfirmed, "/volunteer/volunteers/me") == 404  # not linked: its coins stay unspendable
    assert door.status(unconfirmed, f"/volunteer/volunteers/{qian_vid}/statement") == 404
    assert qian_app not in [a["id"] for a in door.call(unconfirmed, "GET", "/welfare/my-applications")["items"]]
    assert door.status(unconfirmed, f"/welfare/my-applications/{qian_app}") == 404

    waiting = door.call(office, "GET", "/residents", params={"confirmed": "false"})["items"]
    assert registered["user"]["id"] in [a["id"] for a in waiting]
    door.call(office, "POST", f"/residents/{registered['user']['id']}/identity-confirmation")
    confirmed = door.login(mobile, "Qian-laoren-2026")
    assert qian_pid in [p["id"] for p in door.call(confirmed, "GET", "/petition/petitions")["items"]]
    assert door.call(confirmed, "GET", "/volunteer/volunteers/me")["id"] == qian_vid
    wait_for(lambda: door.call(confirmed, "GET", f"/volunteer/volunteers/{qian_vid}/statement")
             ["balance"]["available"] == 20, 60, message="the coins on the confirmed resident's statement")
    assert door.call(confirmed, "GET", f"/welfare/my-applications/{qian_app}")["status"] == "submitted"
