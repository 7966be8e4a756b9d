"""The residents' door shows a resident the welfare applications staff took for them (#22): an application taken
at the window names its applicant (申请人) by ID number, so it carries their `person_key` — the key their door
token carries — and their door's read-only 'my applications' shows where it stands (submitted, in the public
notice, approved or rejected), never the household's figures. Only theirs: the applicant's household members and
neighbours (other keys) do not see it, and a resident with no ID number on file sees only what they filed at the
door. Applications stored before the key existed get it once, when the worker starts."""
from __future__ import annotations

import pytest

from liandong.personal import person_key
from liandong.testing import unique

from welfare_testkit import household


def door(svc, id_number: str | None) -> dict:
    key = person_key(svc.platform.deps.cipher, id_number) if id_number else None
    return svc.headers("resident", user_id=unique("res"), person_key=key)


def mine(svc, headers) -> list[dict]:
    r = svc.call("GET", "/my-applications", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_a_resident_follows_the_application_staff_took_for_them(svc):
    members = household(seq=840)["members"]
    applicant, spouse = members[0]["id_number"], members[1]["id_number"]
    taken = svc.apply(seq=840)["id"]  # at the window, by the community's civil-affairs worker
    svc.apply(seq=850)  # a neighbour's
    wang, wife, no_id = door(svc, applicant), door(svc, spouse), door(svc, None)
    # (no person key: also the token of a door account not yet confirmed at the community office — 实名核验 —
    # whatever ID number it registered with; the gateway adds the key only once confirmed, #22)
    online = svc.post("/applications", {"org_unit_id": "jiayuan", "programme": "dibao_urban",
                                        "household": household(seq=860)}, headers=no_id, expect=201).get_json()["id"]

    seen = mine(svc, wang)
    assert [a["id"] for a in seen] == [taken]
    assert seen[0]["status"] == "submitted" and seen[0]["channel"] == "window" and seen[0]["programme_name"]
    assert not {"household", "eligibility", "history", "objections"} & set(seen[0])
    assert svc.call("GET", f"/my-applications/{taken}", headers=wang).get_json()["status"] == "submitted"

    # a member of the household who did not apply, and a resident with no ID number on file: not theirs
    assert mine(svc, wife) == []
    assert svc.call("GET", f"/my-applications/{taken}", headers=wife).status_code == 404
    assert [a["id"] for a in mine(svc, no_id)] == [online]
    assert svc.call("GET", f"/my-applications/{taken}", headers=no_id).status_code == 404
    # staff have no door of their own: none is theirs
    assert mine(svc, svc.headers()) == []
    assert svc.call("GET", f"/my-applications/{taken}", headers=svc.headers()).status_code == 404

    r = svc.post(f"/applications/{taken}/community-review", {"decision": "pass"})
    assert r.status_code == 200, r.get_json()
    now = svc.call("GET", f"/my-applications/{taken}", headers=wang).get_json()
    assert now["status"] == "in_notice" and now["notice_ends_at"]


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_applications_from_before_the_person_key_are_keyed_once_at_start(svc):
    applicant = household(seq=870)["members"][0]["id_number"]
    taken = svc.apply(seq=870)["id"]
    repo = svc.welfare.stores.applications
    repo.collection.update_many({}, {"$unset": {"person_key": ""}})
    wang = door(svc, applicant)
    assert mine(svc, wang) == []

    assert repo.key_people() >= 1
    assert repo.key_people() == 0  # idempotent
    assert [a["id"] for a in mine(svc, wang)] == [taken]
