"""The residents' door shows a resident the volunteer record staff registered for them (#22): registered by the
community with the resident's ID number, it carries their `person_key` — the key their door token carries — so
their door finds it, links it to their login as if they had joined themselves, and shows its hours and love-coin
statement. Only theirs: a neighbour in the same community (another key) and a resident with no ID number on file
never get it. Records stored before the key existed get it once, when the worker starts."""
from __future__ import annotations

import pytest

from liandong import idnumbers
from liandong.personal import person_key
from liandong.testing import STORES, unique


def _id_number(seq: int) -> str:
    first = f"22020419700101{seq:03d}"
    return first + idnumbers.check_digit(first)


def door(svc, id_number: str | None) -> dict:
    """A resident of 家园 at their door: their token carries the person key of their ID number (none without)."""
    key = person_key(svc.platform.deps.cipher, id_number) if id_number else None
    return svc.headers("resident", user_id=unique("res"), person_key=key)


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_a_resident_sees_the_volunteer_record_and_coins_staff_registered_for_them(svc):
    wang_id, neighbour_id = _id_number(101), _id_number(202)
    staff_made = svc.register(name="王居民", id_number=wang_id)["id"]
    svc.register(name="邻居", id_number=neighbour_id)
    svc.post("/coins/adjustments", {"volunteer_id": staff_made, "coins": 30, "reason": "台账转入"}, expect=201)
    wang, neighbour, no_id = door(svc, wang_id), door(svc, neighbour_id), door(svc, None)

    # a stranger to the record first: the neighbour and the resident without an ID number find nothing of Wang's
    assert svc.get("/volunteers/me", headers=neighbour)["id"] != staff_made
    assert svc.call("GET", f"/volunteers/{staff_made}/statement", headers=neighbour).status_code == 404
    assert svc.call("GET", "/volunteers/me", headers=no_id).status_code == 404
    assert svc.call("GET", f"/volunteers/{staff_made}/statement", headers=no_id).status_code == 404

    me = svc.get("/volunteers/me", headers=wang)
    assert me["id"] == staff_made and me["name"] == "王居民"
    statement = svc.get(f"/volunteers/{staff_made}/statement", headers=wang)
    assert statement["balance"]["available"] == 30 and statement["total"] == 1
    # now theirs: joining again through the door is refused, not a second record
    assert svc.post("/volunteers", {"name": "王居民", "kind": "resident", "org_unit_id": "jiayuan", "consent": True},
                    headers=wang).status_code == 409
    # and it stays out of the neighbour's sight
    assert svc.call("GET", f"/volunteers/{staff_made}", headers=neighbour).status_code == 404
    assert svc.get("/volunteers/me", headers=wang)["id"] == staff_made


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_a_door_account_not_yet_confirmed_links_no_staff_made_record_until_it_is(svc):
    """实名核验: anyone may register at the door with a neighbour's ID number, so the gateway puts the person key
    on the token only once the community office has confirmed the account. Until then the same login finds no
    volunteer record staff registered for that number, and the record stays unlinked (its coins unspendable)."""
    qian_id = _id_number(404)
    staff_made = svc.register(name="钱老人", id_number=qian_id)["id"]
    login = unique("res")
    unconfirmed = svc.headers("resident", user_id=login)
    confirmed = svc.headers("resident", user_id=login, person_key=person_key(svc.platform.deps.cipher, qian_id))

    assert svc.call("GET", "/volunteers/me", headers=unconfirmed).status_code == 404
    assert svc.call("GET", f"/volunteers/{staff_made}/statement", headers=unconfirmed).status_code == 404
    assert svc.stores.volunteers.get(staff_made).user_id is None  # not linked to the login
    assert svc.get("/volunteers/me", headers=confirmed)["id"] == staff_made
    assert svc.stores.volunteers.get(staff_made).user_id == login


@pytest.mark.parametrize("svc", STORES, indirect=True)
def test_volunteers_from_before_the_person_key_are_keyed_once_at_start(svc):
    wang_id = _id_number(303)
    staff_made = svc.register(name="王居民", id_number=wang_id)["id"]
    without = svc.register(name="李秀英")["id"]
    repo = svc.stores.volunteers
    repo.collection.update_many({"_id": {"$in": [staff_made, without]}}, {"$unset": {"person_key": ""}})
    wang = door(svc, wang_id)
    assert svc.call("GET", "/volunteers/me", headers=wang).status_code == 404

    assert repo.key_people() == 1
    assert repo.key_people() == 0  # idempotent: nothing left to key, not even the one without an ID number
    assert repo.collection.find_one({"_id": without})["person_key"] is None
    assert repo.collection.find_one({"person_key": {"$exists": False}}) is None
    assert svc.get("/volunteers/me", headers=wang)["id"] == staff_made
