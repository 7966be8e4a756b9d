"""实名核验 (#22): registering at the residents' door checks only the ID number's check digit, so whoever types
a neighbour's number first would see what staff registered for the neighbour. The account's token carries the
person key — what every service matches staff-made records by — only once the staff of the account's community
have confirmed it after seeing the ID card; another community's staff cannot (404), and the act is audited."""
import jwt
import pytest

from liandong.personal import person_key

from gateway.demo import DEMO_RESIDENT

ZHAO = {"name": "赵邻居", "id_number": "220204199001010015", "mobile": "13900000011", "password": "Zhao-linju-2026",
        "community": "jiayuan"}


def claims(answer: dict) -> dict:
    return jwt.decode(answer["access_token"], options={"verify_signature": False})


def waiting(svc, staff: str, **q) -> list[str]:
    r = svc.client.get("/api/v1/residents", query_string={"confirmed": "false", **q}, headers=svc.headers(staff))
    assert r.status_code == 200, r.get_json()
    return [a["mobile"] for a in r.get_json()["items"]]


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_the_community_office_confirms_a_door_account_and_only_then_its_token_carries_the_person_key(make_svc, store):
    svc = make_svc(store=store)
    answer = svc.client.post("/api/v1/residents/register", json=ZHAO).get_json()
    user_id = answer["user"]["id"]
    assert "person_key" not in claims(answer) and answer["user"]["identity_confirmed"] is False

    # the office finds who waits; the demo resident is confirmed already, another community sees no one of ours
    assert waiting(svc, "jiayuan_worker") == [ZHAO["mobile"]]
    assert DEMO_RESIDENT["mobile"] not in waiting(svc, "jiayuan_worker")
    assert ZHAO["mobile"] not in waiting(svc, "huangniling_worker")
    assert ZHAO["mobile"] in waiting(svc, "district_admin")  # an administrator of accounts (users:admin) too
    assert svc.client.get("/api/v1/residents?org_unit=huangniling",
                          headers=svc.headers("jiayuan_worker")).status_code == 403  # not their community
    confirmed = svc.client.get("/api/v1/residents?confirmed=true", headers=svc.headers("jiayuan_worker")).get_json()
    assert DEMO_RESIDENT["mobile"] in [a["mobile"] for a in confirmed["items"]]
    assert "id_number" not in str(confirmed)

    path = f"/api/v1/residents/{user_id}/identity-confirmation"
    # another community's staff: as if there were no such account; the resident themselves: not theirs to do
    assert svc.client.post(path, headers=svc.headers("huangniling_worker")).status_code == 404
    assert svc.client.post(path, headers={"Authorization": f"Bearer {answer['access_token']}"}).status_code == 403
    assert svc.client.post("/api/v1/residents/nobody/identity-confirmation",
                           headers=svc.headers("jiayuan_worker")).status_code == 404
    # a staff account is no resident account to confirm
    staff_id = svc.login("jiayuan_grid").get_json()["user"]["id"]
    assert svc.client.post(f"/api/v1/residents/{staff_id}/identity-confirmation",
                           headers=svc.headers("jiayuan_worker")).status_code == 404
    assert "person_key" not in claims(svc.login(ZHAO["mobile"], ZHAO["password"]).get_json())

    r = svc.client.post(path, headers=svc.headers("jiayuan_police"))  # the community police keep the register too
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["identity_confirmed"] is True and r.get_json()["identity_confirmed_at"]
    assert waiting(svc, "jiayuan_worker") == []

    signed_in = svc.login(ZHAO["mobile"], ZHAO["password"]).get_json()
    cipher = svc.app.extensions["gateway"]["identity"].users.cipher
    assert claims(signed_in)["person_key"] == person_key(cipher, ZHAO["id_number"])
    assert signed_in["user"]["identity_confirmed"] is True
    # a token refreshed after the confirmation carries it as well (no second sign-in needed)
    refreshed = svc.client.post("/api/v1/auth/refresh", json={"refresh_token": answer["refresh_token"]})
    assert claims(refreshed.get_json())["person_key"] == person_key(cipher, ZHAO["id_number"])

    audit = svc.client.get("/api/v1/audit", headers=svc.headers("district_admin")).get_json()["items"]
    assert any(e.get("action") == "confirm_identity" and e.get("path") == path for e in audit), audit


def test_a_grid_worker_reaches_no_community_account(svc):
    user_id = svc.client.post("/api/v1/residents/register", json=ZHAO).get_json()["user"]["id"]
    assert svc.client.post(f"/api/v1/residents/{user_id}/identity-confirmation",
                           headers=svc.headers("jiayuan_grid")).status_code == 404
    assert waiting(svc, "jiayuan_grid") == []
