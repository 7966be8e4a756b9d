"""Roles, scopes and tokens, without I/O."""
import jwt
import pytest

from liandong.auth import AUDIENCE, Grant, Principal, TokenService
from liandong.errors import Forbidden, NotFound, Unauthorized

JIAYUAN = Grant("community_worker", "jiayuan", "/chuanying/huangqi/jiayuan/", ("civil_affairs",))
HUANGQI = Grant("subdistrict_officer", "huangqi", "/chuanying/huangqi/")


def test_a_grant_covers_its_subtree_only():
    worker = Principal("u1", "王敏", (JIAYUAN,))
    assert worker.can("petition:read", "/chuanying/huangqi/jiayuan/jiayuan-g1/")
    assert not worker.can("petition:read", "/chuanying/huangqi/")
    assert not worker.can("petition:read", "/chuanying/xihu/huangniling/")
    officer = Principal("u2", "李强", (HUANGQI, Grant("subdistrict_officer", "jiayuan", "/chuanying/huangqi/jiayuan/")))
    assert officer.scopes("petition:read") == ["/chuanying/huangqi/"]
    assert officer.scope_filter("petition:read") == {"org_path": {"$regex": "^/chuanying/huangqi/"}}


def test_a_district_setting_needs_the_permission_held_at_the_root():
    roots = ["/chuanying/"]
    district = Principal("u0", "区", (Grant("district_admin", "chuanying", "/chuanying/"),))
    district.require_district("volunteer:manage", roots)
    for someone in (Principal("u1", "王敏", (JIAYUAN,)), Principal("u2", "李强", (HUANGQI,))):
        assert someone.has("volunteer:manage")  # held in a community or a sub-district: not enough
        with pytest.raises(Forbidden) as refused:
            someone.require_district("volunteer:manage", roots)
        assert "/" not in str(refused.value)
    with pytest.raises(Forbidden):  # a tree not known yet refuses rather than guesses
        district.require_district("volunteer:manage", [])


def test_a_record_out_of_sight_is_not_found_and_a_refusal_never_names_where_it_lives():
    worker = Principal("u1", "王敏", (JIAYUAN,))
    elsewhere = "/chuanying/xihu/huangniling/"
    with pytest.raises(NotFound) as hidden:
        worker.authorize("volunteer:manage", elsewhere, read="volunteer:read", what="volunteer", record_id="v9")
    assert str(hidden.value) == "no volunteer 'v9'"  # the words of a record that does not exist
    resident = Principal("u2", "张三", (Grant("resident", "jiayuan", "/chuanying/huangqi/jiayuan/"),))
    with pytest.raises(Forbidden) as refused:  # their own record: seen, but not theirs to manage
        resident.authorize("volunteer:manage", "/chuanying/huangqi/jiayuan/", read="volunteer:read",
                           what="volunteer", record_id="v1", own=True)
    assert "/chuanying" not in str(refused.value)
    with pytest.raises(Forbidden) as plain:
        worker.require("org:admin", elsewhere)
    assert "/chuanying" not in str(plain.value)
    worker.authorize("volunteer:manage", "/chuanying/huangqi/jiayuan/", read="volunteer:read", what="volunteer",
                     record_id="v1")  # in scope: allowed


def test_corrections_records_need_the_duty():
    assert not Principal("u", "", (JIAYUAN,)).has("security:corrections")
    duty = Grant("community_worker", "jiayuan", "/chuanying/huangqi/jiayuan/", ("corrections",))
    assert Principal("u", "", (duty,)).has("security:corrections")
    with pytest.raises(Forbidden):
        Principal("u", "", (JIAYUAN,)).require("security:corrections", "/chuanying/huangqi/jiayuan/")


def test_tokens_round_trip_and_refuse_tampered_and_foreign_ones():
    tokens = TokenService("k" * 32, ttl_seconds=60)
    token, claims = tokens.issue(Principal("u1", "王敏", (JIAYUAN,)))
    assert TokenService("k" * 32).verify(token).grants == (JIAYUAN,)
    with pytest.raises(Unauthorized):
        TokenService("another-key" * 3).verify(token)
    head, body, sig = token.split(".")
    with pytest.raises(Unauthorized):
        tokens.verify(f"{head}.{body}x.{sig}")
    foreign = jwt.encode(dict(claims, aud="someone-else"), "k" * 32, algorithm="HS256")
    with pytest.raises(Unauthorized):
        tokens.verify(foreign)
    unsigned = jwt.encode(dict(claims, aud=AUDIENCE), None, algorithm="none")
    with pytest.raises(Unauthorized):
        tokens.verify(unsigned)


def test_an_expired_token_is_refused():
    import time

    issued_an_hour_ago = TokenService("k" * 32, ttl_seconds=60, clock=lambda: time.time() - 3600)
    token, _ = issued_an_hour_ago.issue(Principal("u1", "", (JIAYUAN,)))
    with pytest.raises(Unauthorized, match="expired"):
        TokenService("k" * 32).verify(token)


def test_a_resident_not_yet_confirmed_has_a_community_but_no_person_key():
    """实名核验 (#22): the gateway puts a resident's person key on the token only once the community office has
    confirmed the account; until then their door still knows their community (sign-ups, the supermarket) and
    nothing matches them by person."""
    jiayuan = Grant("resident", "jiayuan", "/chuanying/huangqi/jiayuan/")
    unconfirmed = Principal("u-1", "王", (jiayuan,))
    assert unconfirmed.home() == jiayuan
    with pytest.raises(Forbidden):
        unconfirmed.own_key()
    assert Principal("u-1", "王", (jiayuan,), person_key="pk").own_key() == "pk"
    with pytest.raises(Forbidden):  # staff have no home at the door
        Principal("u-2", "李", (Grant("community_worker", "jiayuan", "/chuanying/huangqi/jiayuan/"),)).home()
