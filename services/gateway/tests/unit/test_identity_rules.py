"""Password hashing, lock-out, org moves, import checks and the circuit breaker, without I/O."""
from datetime import datetime, timedelta, timezone

import pytest

from liandong.errors import Conflict, ValidationFailed

from gateway.adapters.proxy import CircuitBreaker
from gateway.domain.identity import RoleGrant, User, hash_password, verify_password
from gateway.domain.org_tree import OrgUnit
from gateway.service_layer.org import flatten_tree, parse_csv

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)


def test_passwords_are_salted_scrypt_hashes():
    h1, h2 = hash_password("家园社区-2026-pass"), hash_password("家园社区-2026-pass")
    assert h1.startswith("scrypt$32768$8$1$") and h1 != h2
    assert verify_password("家园社区-2026-pass", h1) and not verify_password("wrong-password", h1)
    assert not verify_password("x", "garbage")


def test_five_failures_lock_the_account_for_fifteen_minutes():
    user = User.register("u1", "jiayuan_worker", "民政员", "correct-horse-1", [RoleGrant("community_worker", "jiayuan")])
    assert [user.login("nope", T0) for _ in range(4)] == ["wrong"] * 4
    assert user.login("nope", T0) == "locked"
    assert user.login("correct-horse-1", T0 + timedelta(minutes=14)) == "locked"
    assert user.login("correct-horse-1", T0 + timedelta(minutes=15, seconds=1)) == "ok"
    assert user.failed_logins == 0 and user.locked_until is None


def test_registration_rules():
    with pytest.raises(ValidationFailed) as err:
        User.register("u", "ok_name", "", "short", [RoleGrant("community_worker", "jiayuan")])
    assert "password" in err.value.fields
    with pytest.raises(ValidationFailed):
        User.register("u", "ok_name", "", "long-enough-pw", [RoleGrant("resident", "jiayuan", ("corrections",))])
    with pytest.raises(ValidationFailed):
        User.register("u", "Bad Name", "", "long-enough-pw", [RoleGrant("resident", "jiayuan")])
    with pytest.raises(ValidationFailed):
        User.register("u", "ok_name", "", "long-enough-pw", [RoleGrant("mayor", "jiayuan")])


def test_moving_a_unit_changes_its_path_and_refuses_cycles_and_bad_levels():
    district = OrgUnit.create("chuanying", "船营区", "district", None)
    huangqi = OrgUnit.create("huangqi", "黄旗街道", "subdistrict", district)
    xihu = OrgUnit.create("xihu", "西湖街道", "subdistrict", district)
    jiayuan = OrgUnit.create("jiayuan", "家园社区", "community", huangqi)
    grid = OrgUnit.create("jiayuan-g1", "第一网格", "grid", jiayuan)
    jiayuan.events.clear()
    assert jiayuan.move(xihu) == "/chuanying/huangqi/jiayuan/"
    assert jiayuan.path == "/chuanying/xihu/jiayuan/" and jiayuan.parent_id == "xihu"
    assert jiayuan.events == [("gateway.org_unit.moved", {
        "org_unit_id": "jiayuan", "name": "家园社区", "level": "community", "parent_id": "xihu",
        "path": "/chuanying/xihu/jiayuan/", "old_path": "/chuanying/huangqi/jiayuan/"})]
    grid.events.clear()
    grid.follow(jiayuan.path)
    assert grid.path == "/chuanying/xihu/jiayuan/jiayuan-g1/" and grid.events[0][1]["old_path"].startswith("/chuanying/huangqi/")
    with pytest.raises(ValidationFailed):
        jiayuan.move(grid)  # into its own subtree
    with pytest.raises(ValidationFailed):
        huangqi.move(xihu)  # a sub-district under a sub-district
    xihu.retire()
    with pytest.raises(Conflict):
        jiayuan.move(xihu)


def test_import_files_become_rows():
    rows = parse_csv("\ufeffid,name,level,parent_id\nceguan,册关街道,subdistrict,chuanying\nyangshang,阳上社区,community,ceguan\n")
    assert [(r["id"], r["parent_id"]) for r in rows] == [("ceguan", "chuanying"), ("yangshang", "ceguan")]
    with pytest.raises(ValidationFailed):
        parse_csv("id,name\nx,y\n")
    rows = flatten_tree({"id": "a", "name": "A", "level": "district", "children": [{"id": "b", "name": "B", "level": "subdistrict"}]})
    assert [(r["id"], r["parent_id"]) for r in rows] == [("a", None), ("b", "a")]


def test_circuit_breaker_opens_then_lets_one_trial_through():
    now = [0.0]
    breaker = CircuitBreaker(threshold=3, reset_after=10, clock=lambda: now[0])
    for _ in range(3):
        assert breaker.allow()
        breaker.failure()
    assert breaker.state == "open" and not breaker.allow()
    now[0] += 10
    assert breaker.allow() and not breaker.allow()  # one trial only
    breaker.failure()
    assert breaker.state == "open"
    now[0] += 10
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed" and breaker.allow()


class _Flaky:
    """Stands in for requests.Session: every call fails to connect, after `cost` seconds of fake time."""

    def __init__(self, now: list, cost: float, error):
        self.now, self.cost, self.error, self.calls = now, cost, error, 0

    def request(self, *args, **kwargs):
        self.calls += 1
        self.now[0] += self.cost
        raise self.error("no connection")


def test_gets_are_retried_only_while_a_dead_service_still_answers_503_within_two_seconds():
    import requests

    from liandong.config import Settings

    from gateway.adapters.proxy import ServiceProxy, ServiceUnavailable

    now = [0.0]
    proxy = ServiceProxy(Settings(), ("welfare",), clock=lambda: now[0])
    proxy.session = refused = _Flaky(now, 0.0, requests.ConnectionError)
    with pytest.raises(ServiceUnavailable) as err:
        proxy.forward("welfare", "GET", "/api/v1/welfare/x", b"", {}, b"")
    assert err.value.service == "welfare" and refused.calls == 3  # refused at once: two retries
    proxy = ServiceProxy(Settings(), ("welfare",), clock=lambda: now[0])
    proxy.session = hanging = _Flaky(now, 1.0, requests.ConnectTimeout)
    with pytest.raises(ServiceUnavailable):
        proxy.forward("welfare", "GET", "/api/v1/welfare/x", b"", {}, b"")
    assert hanging.calls == 1  # a second 1 s connect attempt would pass the 2 s promise
    proxy.session = posted = _Flaky(now, 0.0, requests.ConnectionError)
    with pytest.raises(ServiceUnavailable):
        proxy.forward("welfare", "POST", "/api/v1/welfare/x", b"", {}, b"{}")
    assert posted.calls == 1  # never retried


def test_an_open_breaker_is_probed_early_soon_after_a_refusal_and_rarely_after_a_timeout():
    from gateway.adapters.proxy import CircuitBreaker

    now = [0.0]
    refused = CircuitBreaker(threshold=1, reset_after=10.0, clock=lambda: now[0])
    refused.failure("refused")
    assert not refused.allow() and not refused.claim_probe()  # not at once
    now[0] += 0.25
    assert refused.claim_probe() and not refused.claim_probe()  # one probe at a time
    assert not refused.probed(False) and refused.state == "open"
    now[0] += 0.25
    assert refused.claim_probe() and refused.probed(True)  # back: this caller makes the trial call
    assert refused.state == "half_open" and not refused.allow()
    refused.success()
    assert refused.state == "closed"

    hanging = CircuitBreaker(threshold=1, reset_after=10.0, clock=lambda: now[0])
    hanging.failure("timeout")
    now[0] += 1.0
    assert not hanging.claim_probe()  # a hanging service is not probed every few hundred ms
    now[0] += 1.1
    assert hanging.claim_probe()


def test_the_proxy_tells_a_refused_connection_from_a_timeout():
    import requests

    from liandong.config import Settings

    from gateway.adapters.proxy import ServiceProxy, ServiceUnavailable

    now = [0.0]
    # an answer cut off mid-way (the worker was killed while answering) is the service's failure too:
    # 503 from the gateway, never a 500 of its own
    for error, kind in ((requests.ConnectionError, "refused"), (requests.ConnectTimeout, "timeout"),
                        (requests.ReadTimeout, "timeout"), (requests.exceptions.ChunkedEncodingError, "refused")):
        proxy = ServiceProxy(Settings(), ("welfare",), breaker_threshold=1, clock=lambda: now[0])
        proxy.session = _Flaky(now, 0.0, error)
        with pytest.raises(ServiceUnavailable):
            proxy.forward("welfare", "GET", "/api/v1/welfare/x", b"", {}, b"")
        assert proxy.breakers["welfare"].last_kind == kind, error
