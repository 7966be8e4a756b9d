"""Open311 api keys: a district admin issues and revokes them; each is stored hashed and files only in the
subtree of its org unit; the demo key is seeded once."""
import hashlib

import pytest

from petition.service_layer.open311_keys import DEMO_KEY, DEMO_KEY_ID, Open311Keys

KEYS = "/api/v1/petition/open311/keys"


def _file(svc, key, **extra):
    form = {"service_code": "environment_noise", "description": "楼下烧烤油烟", "address_string": "小区门口",
            "attribute[frequency]": "recurring", "api_key": key, **extra}
    return svc.client.post("/open311/v2/requests.json", data=form)


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_a_district_admin_issues_and_revokes_keys_that_are_stored_hashed_and_file_in_their_unit_only(
        make_svc, store):
    svc = make_svc(store=store)
    admin = svc.headers("district_admin", "chuanying", "/chuanying/")
    body = {"app": "黄泥岭社区App", "org_unit_id": "huangniling"}

    # only users:admin held at the district issues keys: not an officer, not a community, not a sub-district admin
    for who in (svc.officer(), svc.staff(), svc.resident("r-keys"),
                svc.headers("district_admin", "xihu", "/chuanying/xihu/")):
        r = svc.client.post(KEYS, json=body, headers=who)
        assert r.status_code == 403, (who, r.get_json())
        assert svc.client.get(KEYS, headers=who).status_code == 403
    assert svc.client.post(KEYS, json=body).status_code == 401
    assert svc.client.post(KEYS, json={**body, "org_unit_id": "nowhere"}, headers=admin).status_code == 422
    assert svc.client.post(KEYS, json={"app": ""}, headers=admin).status_code in (400, 422)

    issued = svc.post("/open311/keys", body, headers=admin, expect=201).get_json()
    key = issued["api_key"]
    assert key.startswith("ld311_") and len(key) > 40 and issued["active"] and issued["org_unit_id"] == "huangniling"

    # stored as its digest only: the clear key is nowhere in the store, nor in the list
    stored = Open311Keys(svc.platform.deps).repo.collection.find({})
    assert key not in str(stored)
    assert hashlib.sha256(key.encode()).hexdigest() in {d["digest"] for d in stored}
    listed = svc.get("/open311/keys", headers=admin)["items"]
    mine = next(k for k in listed if k["id"] == issued["id"])
    assert mine["app"] == "黄泥岭社区App" and "api_key" not in mine and "digest" not in mine
    assert key not in str(listed)

    # the key files in its unit's subtree: at its unit, or an address_id inside; never outside
    r = _file(svc, key)
    assert r.status_code == 201, r.get_json()
    assert svc.get(f"/petitions/{r.get_json()[0]['service_request_id']}",
                   headers=admin)["org_unit_id"] == "huangniling"
    r = _file(svc, key, address_id="huangniling-b2")
    assert r.status_code == 201 and svc.get(f"/petitions/{r.get_json()[0]['service_request_id']}",
                                            headers=admin)["org_unit_id"] == "huangniling-b2"
    r = _file(svc, key, address_id="jiayuan-b1")
    assert r.status_code == 403 and r.get_json()[0]["code"] == 403
    assert "jiayuan" not in str(r.get_json()) and "/chuanying" not in str(r.get_json())
    # a 家园 resident signed in through 黄泥岭's app may file at home with their own token, not through this key
    jiayuan_resident = svc.resident("r-jiayuan")
    r = svc.client.post("/open311/v2/requests.json", headers=jiayuan_resident, data={
        "service_code": "environment_noise", "description": "家园的噪音", "address_id": "jiayuan-b1",
        "attribute[frequency]": "once", "api_key": key})
    assert r.status_code == 403 and "area" in r.get_json()[0]["description"], r.get_json()
    assert svc.get("/petitions", headers=jiayuan_resident)["total"] == 0

    # revoked: refused exactly like a made-up key, and the list says so
    revoked = svc.post(f"/open311/keys/{issued['id']}/revoke", headers=admin, expect=200).get_json()
    assert revoked["active"] is False and revoked["revoked_at"]
    gone, made_up = _file(svc, key), _file(svc, "ld311_" + "x" * 43)
    assert gone.status_code == made_up.status_code == 403
    assert gone.get_json() == made_up.get_json() == [{"code": 403, "description": "api_key is not valid"}]
    assert svc.client.post(f"{KEYS}/{issued['id']}/revoke", headers=svc.officer()).status_code == 403
    assert svc.client.post(f"{KEYS}/nope/revoke", headers=admin).status_code == 404


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_the_demo_key_is_seeded_once_and_a_revoked_one_stays_revoked_across_restarts(make_svc, store):
    svc = make_svc(store=store)  # tests run in demo mode: the worker seeded it
    keys = Open311Keys(svc.platform.deps)
    r = _file(svc, DEMO_KEY)
    assert r.status_code == 201, r.get_json()
    assert svc.get(f"/petitions/{r.get_json()[0]['service_request_id']}")["org_unit_id"] == "jiayuan"
    keys.prepare()
    keys.prepare()  # restarts
    assert [d["_id"] for d in keys.repo.collection.find({"_id": DEMO_KEY_ID})] == [DEMO_KEY_ID]
    assert DEMO_KEY not in str(keys.repo.collection.find({}))
    admin = svc.headers("district_admin", "chuanying", "/chuanying/")
    svc.post(f"/open311/keys/{DEMO_KEY_ID}/revoke", headers=admin, expect=200)
    keys.prepare()
    assert _file(svc, DEMO_KEY).status_code == 403


def test_two_apps_behind_one_address_with_the_same_idempotency_key_each_file_their_own(svc):
    """Without a token the Idempotency-Key is scoped by the app the api_key names, not by the client's address:
    two apps behind one NAT choosing the same key must not get each other's request back."""
    admin = svc.headers("district_admin", "chuanying", "/chuanying/")
    other = svc.post("/open311/keys", {"app": "家园物业App", "org_unit_id": "jiayuan"}, headers=admin,
                     expect=201).get_json()["api_key"]
    same = {"Idempotency-Key": "req-1", "X-Forwarded-For": "10.1.2.3"}
    first = svc.client.post("/open311/v2/requests.json", headers=same, data={
        "service_code": "environment_noise", "description": "居民App: 噪音", "address_string": "1号楼",
        "attribute[frequency]": "once", "api_key": DEMO_KEY})
    second = svc.client.post("/open311/v2/requests.json", headers=same, data={
        "service_code": "property", "description": "物业App: 电梯故障", "address_string": "2号楼",
        "attribute[frequency]": "ongoing", "api_key": other})
    assert first.status_code == second.status_code == 201, (first.get_json(), second.get_json())
    a, b = first.get_json()[0]["service_request_id"], second.get_json()[0]["service_request_id"]
    assert a != b
    req = svc.client.get(f"/open311/v2/requests/{b}.json").get_json()[0]
    assert req["service_code"] == "property" and "电梯" in req["description"]


def test_production_seeds_no_demo_key(make_settings):
    import dataclasses

    from petition.bootstrap import create_platform

    settings = make_settings(service="petition")
    keys = Open311Keys(create_platform(dataclasses.replace(settings, env="production")).deps)
    keys.prepare()
    assert keys.repo.collection.find({}) == []
    demo = Open311Keys(create_platform(settings).deps)
    demo.prepare()
    assert [d["_id"] for d in demo.repo.collection.find({})] == [DEMO_KEY_ID]
