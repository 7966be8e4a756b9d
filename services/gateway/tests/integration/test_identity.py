"""Login, refresh, logout, lock-out, first accounts and user administration, through HTTP."""
import pytest

from liandong.testing import wait_for

from gateway.bootstrap import create_app, create_worker
from gateway.service_layer.identity import DEMO_ACCOUNTS, DEMO_PASSWORD
from petition.bootstrap import create_app as petition_app, create_worker as petition_worker


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_every_demo_account_logs_in_with_its_role_and_org_path(make_svc, store):
    svc = make_svc(store=store)
    for username, _, role, unit, duties in DEMO_ACCOUNTS:
        body = svc.login(username).get_json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 900
        grant = body["user"]["grants"][0]
        assert (grant["role"], grant["org_unit"], tuple(grant["duties"])) == (role, unit, duties)
    me = svc.client.get("/api/v1/auth/me", headers=svc.headers("jiayuan_worker")).get_json()
    assert me["grants"][0]["org_path"] == "/chuanying/huangqi/jiayuan/"
    assert "personal_data:read" in me["permissions"]["/chuanying/huangqi/jiayuan/"]


def test_wrong_password_and_unknown_user_look_the_same(svc):
    a, b = svc.login("jiayuan_worker", "not-the-password"), svc.login("nobody_here", "not-the-password")
    assert a.status_code == b.status_code == 401
    assert a.get_json()["error"]["message"] == b.get_json()["error"]["message"]
    assert svc.login("jiayuan_worker", "").status_code == 422


def test_five_failures_lock_the_account_for_fifteen_minutes(svc):
    codes = [svc.login("jiayuan_police", "wrong-password-x").status_code for _ in range(5)]
    assert codes == [401, 401, 401, 401, 423]
    locked = svc.login("jiayuan_police")
    assert locked.status_code == 423 and locked.get_json()["error"]["code"] == "account_locked"
    svc.advance(15 * 60 + 1)
    assert svc.login("jiayuan_police").status_code == 200


def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_session(svc):
    first = svc.login("huangqi_officer").get_json()
    second = svc.client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    new = second.get_json()
    assert new["refresh_token"] != first["refresh_token"] and new["access_token"] != first["access_token"]
    h = {"Authorization": f"Bearer {new['access_token']}"}
    assert svc.client.get("/api/v1/auth/me", headers=h).status_code == 200
    replay = svc.client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replay.status_code == 401
    # the replay was taken as theft: the whole session is gone, including the newest tokens
    assert svc.client.get("/api/v1/auth/me", headers=h).status_code == 401
    assert svc.client.post("/api/v1/auth/refresh", json={"refresh_token": new["refresh_token"]}).status_code == 401
    assert svc.client.post("/api/v1/auth/refresh", json={"refresh_token": "x" * 20}).status_code == 401


def test_logout_is_refused_at_once_by_the_gateway_and_soon_by_every_service(svc, workers):
    petition_settings = svc.settings.for_service("petition")
    workers(svc.worker)
    workers(petition_worker(petition_settings))
    petition = petition_app(petition_settings).test_client()
    h = svc.headers("jiayuan_worker")
    wait_for(lambda: petition.get("/api/v1/petition/org-units/jiayuan", headers=h).status_code == 200, 20,
             message="petition knows the tree and accepts the token")
    assert svc.client.post("/api/v1/auth/logout", headers=h).status_code == 204
    assert svc.client.get("/api/v1/auth/me", headers=h).status_code == 401
    wait_for(lambda: petition.get("/api/v1/petition/org-units/jiayuan", headers=h).status_code == 401, 20,
             message="petition refuses the revoked token")
    assert svc.client.get("/api/v1/auth/me", headers=svc.headers("jiayuan_worker")).status_code == 200


def test_production_has_only_the_first_admin_from_the_environment(gw_settings):
    settings = gw_settings(env="production", admin_password="Prod-Admin-Secret-42")
    create_worker(settings)
    client = create_app(settings).test_client()
    assert client.post("/api/v1/auth/login", json={"username": "district_admin", "password": DEMO_PASSWORD}).status_code == 401
    login = client.post("/api/v1/auth/login", json={"username": "admin", "password": "Prod-Admin-Secret-42"})
    assert login.status_code == 200
    h = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    assert client.get("/api/v1/org/tree", headers=h).get_json()["units"] == []
    made = client.post("/api/v1/org/units", headers=h, json={"id": "yuelu", "name": "岳麓区", "level": "district"})
    assert made.status_code == 201 and made.get_json()["path"] == "/yuelu/"


def test_user_administration_within_the_admins_scope(svc):
    admin = svc.headers("district_admin")
    new = {"username": "yangchun_worker", "name": "阳春社区保障员", "password": "Yangchun-2026-pw",
           "grants": [{"role": "community_worker", "org_unit": "yangchun", "duties": ["social_security"]}]}
    created = svc.client.post("/api/v1/users", headers=admin, json=new)
    assert created.status_code == 201
    uid = created.get_json()["id"]
    assert svc.client.post("/api/v1/users", headers=admin, json=new).status_code == 409
    assert svc.client.post("/api/v1/users", headers=admin, json={**new, "username": "weak_one", "password": "short"}).status_code == 422
    assert svc.client.post("/api/v1/users", headers=admin,
                         json={**new, "username": "nowhere_user", "grants": [{"role": "resident", "org_unit": "atlantis"}]}).status_code == 422
    assert svc.client.post("/api/v1/users", headers=svc.headers("huangqi_officer"), json=new).status_code == 403
    login = svc.login("yangchun_worker", "Yangchun-2026-pw").get_json()
    assert login["user"]["grants"][0]["org_path"] == "/chuanying/ceguan/yangchun/"
    listed = svc.client.get("/api/v1/users?org_unit=ceguan", headers=admin).get_json()["items"]
    assert [u["username"] for u in listed] == ["yangchun_worker"]
    old = {"Authorization": f"Bearer {login['access_token']}"}
    changed = svc.client.patch(f"/api/v1/users/{uid}", headers=admin,
                             json={"grants": [{"role": "grid_worker", "org_unit": "yangchun"}]})
    assert changed.status_code == 200 and changed.get_json()["grants"][0]["role"] == "grid_worker"
    assert svc.client.get("/api/v1/auth/me", headers=old).status_code == 401  # roles changed: old token refused
    assert svc.client.patch(f"/api/v1/users/{uid}", headers=admin, json={"active": False}).status_code == 200
    assert svc.login("yangchun_worker", "Yangchun-2026-pw").status_code == 401
    assert svc.client.patch(f"/api/v1/users/{uid}", headers=admin, json={"active": True}).status_code == 200
    for _ in range(5):
        svc.login("yangchun_worker", "wrong-password-x")
    assert svc.login("yangchun_worker", "Yangchun-2026-pw").status_code == 423
    assert svc.client.post(f"/api/v1/users/{uid}/unlock", headers=admin).status_code == 200
    assert svc.client.post(f"/api/v1/users/{uid}/password", headers=admin, json={"password": "Another-Pass-77"}).status_code == 204
    assert svc.login("yangchun_worker", "Another-Pass-77").status_code == 200
    assert svc.client.post(f"/api/v1/users/{uid}/revoke-sessions", headers=admin).get_json() == {"sessions_revoked": 1}


def test_login_is_rate_limited_per_username_and_ip(make_svc):
    from gateway.bootstrap import GatewayOptions

    svc = make_svc(options=GatewayOptions(login_attempts=3))
    svc.at_a_minutes_start()
    assert [svc.login("resident_zhang").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert svc.login("resident_li").status_code == 200


def test_the_login_limit_is_the_operators_to_set(make_svc, monkeypatch):
    from gateway.bootstrap import GatewayOptions
    from liandong.config import ConfigError

    monkeypatch.setenv("LIANDONG_LOGIN_ATTEMPTS", "2")
    svc = make_svc()  # no options given: the environment's
    svc.at_a_minutes_start()
    assert [svc.login("resident_zhang").status_code for _ in range(3)] == [200, 200, 429]
    with pytest.raises(ConfigError, match="LIANDONG_LOGIN_ATTEMPTS"):
        GatewayOptions.from_env({"LIANDONG_LOGIN_ATTEMPTS": "many"})


def test_expired_sessions_revocations_and_keys_are_purged(svc):
    from gateway.bootstrap import purge_expired

    svc.at_a_minutes_start()  # the login's rate-limit windows must not end (and be purged) before the first purge
    h = svc.headers("jiayuan_grid")
    svc.client.post("/api/v1/auth/logout", headers=h)
    platform = svc.app.extensions["liandong_platform"]
    assert purge_expired(platform) == {"sessions": 0, "revoked_tokens": 0, "idempotency_keys": 0,
                                       "rate_limit_windows": 0}
    svc.advance(8 * 24 * 3600)
    assert purge_expired(platform) == {"sessions": 1, "revoked_tokens": 1, "idempotency_keys": 0,
                                       "rate_limit_windows": 2}  # the login, per account and per address


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_twenty_parallel_wrong_passwords_lock_the_account(make_svc, serve, store):
    """Each guess counted in one atomic update: parallel guesses cannot all read the same count and all
    pass under the limit (before: 20 at once all got 401 and the right password then logged in)."""
    import concurrent.futures

    import requests

    from gateway.bootstrap import GatewayOptions

    # the per-process rate limit set high: several gateway processes each count on their own, so the
    # lock-out must hold by itself
    svc = make_svc(store=store, options=GatewayOptions(login_attempts=1000))
    url = serve(svc.app).url + "/api/v1/auth/login"

    def guess(i):
        return requests.post(url, json={"username": "jiayuan_police", "password": f"wrong-password-{i}"},
                             timeout=60).status_code

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(guess, range(20)))
    assert set(codes) <= {401, 423} and 423 in codes, codes
    right = requests.post(url, json={"username": "jiayuan_police", "password": DEMO_PASSWORD}, timeout=60)
    assert right.status_code == 423 and right.json()["error"]["code"] == "account_locked"
