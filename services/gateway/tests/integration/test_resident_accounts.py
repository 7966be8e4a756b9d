"""The residents' door (居民端, #22) at the gateway: a resident opens their own account with name, ID number,
mobile and password, and their token carries their `person_key` and a resident grant at their community —
nothing wider. One account per person; the staff endpoints refuse it."""
import jwt
import pytest

from liandong.personal import person_key

from gateway.demo import DEMO_RESIDENT
from gateway.service_layer.identity import DEMO_PASSWORD

WANG = {"name": "王小明", "id_number": "220204199001010015", "mobile": "13900000001", "password": "Wang-xiaoming-1",
        "community": "jiayuan"}


def register(svc, **changes):
    return svc.client.post("/api/v1/residents/register", json={**WANG, **changes})


def claims(answer: dict) -> dict:
    return jwt.decode(answer["access_token"], options={"verify_signature": False})


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_a_resident_registers_and_their_token_carries_their_person_key_and_community(make_svc, store):
    svc = make_svc(store=store)
    communities = svc.client.get("/api/v1/residents/communities").get_json()  # asked before signing in
    assert {"id": "jiayuan", "name": "家园社区"} in communities["items"]
    assert all(c["id"] not in ("jiayuan-g1", "jiayuan-b1", "huangqi") for c in communities["items"])
    below = svc.client.get("/api/v1/residents/communities?org_unit=huangqi").get_json()["items"]
    assert below and all(c["id"] != "huangniling" for c in below)  # 黄泥岭 is 西湖街道's
    assert svc.client.get("/api/v1/residents/communities?from=2026-01-01").status_code == 422  # no time to narrow by

    r = register(svc)
    assert r.status_code == 201, r.get_json()
    got = claims(r.get_json())
    # the key is kept with the account, but reaches the token only once the community office has confirmed
    # the account on the ID card (实名核验: test_identity_confirmation.py)
    assert "person_key" not in got and r.get_json()["user"]["identity_confirmed"] is False
    cipher = svc.app.extensions["gateway"]["identity"].users.cipher
    stored = svc.app.extensions["gateway"]["identity"].users.by_username(WANG["mobile"])
    assert stored.person_key == person_key(cipher, WANG["id_number"])
    assert [(g["role"], g["org_unit"], g["org_path"]) for g in got["grants"]] == [
        ("resident", "jiayuan", "/chuanying/huangqi/jiayuan/")]
    assert WANG["id_number"] not in str(got) and "id_number" not in r.get_json()["user"]
    # signs in again with the mobile
    again = svc.login(WANG["mobile"], WANG["password"])
    assert again.status_code == 200 and "person_key" not in claims(again.get_json())
    me = svc.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {again.get_json()['access_token']}"})
    assert me.get_json()["permissions"]["/chuanying/huangqi/jiayuan/"].count("resident:self") == 1


def test_one_account_per_person_and_per_mobile(svc):
    assert register(svc).status_code == 201
    same_person = register(svc, mobile="13900000002")
    same_mobile = register(svc, id_number="220204198803150023", name="另一人")
    assert same_person.status_code == same_mobile.status_code == 409
    # the same words either way: the answer does not say which of the two is known
    assert same_person.get_json()["error"]["message"] == same_mobile.get_json()["error"]["message"]


def test_bad_registrations_are_named_field_by_field(svc):
    bad = register(svc, id_number="220204199001010014", mobile="12345", community="")
    assert bad.status_code == 422
    assert {"id_number", "mobile", "community"} <= set(bad.get_json()["error"]["fields"])
    for unit in ("jiayuan-b1", "huangqi", "nowhere"):  # a building, a sub-district, nothing
        r = register(svc, community=unit)
        assert r.status_code == 422 and "community" in r.get_json()["error"]["fields"], unit
    weak = register(svc, password="short")
    assert weak.status_code == 422 and "password" in weak.get_json()["error"]["fields"]


def test_staff_endpoints_refuse_a_resident(svc):
    token = register(svc).get_json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    for path in ("/api/v1/users", "/api/v1/audit"):
        assert svc.client.get(path, headers=h).status_code == 403, path
    assert svc.client.post("/api/v1/users", json={"username": "x-y-z", "name": "x", "password": "Abcdefgh-12",
                                                  "grants": [{"role": "district_admin", "org_unit": "chuanying"}]},
                           headers=h).status_code == 403


def test_the_demo_resident_signs_in_with_their_mobile(svc):
    r = svc.login(DEMO_RESIDENT["mobile"], DEMO_PASSWORD)
    assert r.status_code == 200, r.get_json()
    got = claims(r.get_json())
    cipher = svc.app.extensions["gateway"]["identity"].users.cipher
    assert got["person_key"] == person_key(cipher, DEMO_RESIDENT["id_number"])
    # staff tokens carry no person key
    assert "person_key" not in claims(svc.login("jiayuan_worker").get_json())
