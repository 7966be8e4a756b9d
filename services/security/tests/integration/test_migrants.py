"""Floating population through the HTTP API: one registration per ID and community, permits, masking, audit."""
from datetime import datetime, timedelta, timezone

from liandong.idnumbers import check_digit
from liandong.testing import at_once, wait_for

from ..conftest import HUANGQI



def today():
    return datetime.now(timezone.utc).date()


EXPIRING = "liandong.security.migrant.permit_expiring.v1"


def id_number(seq: int) -> str:
    first17 = f"22028119850312{seq:03d}"
    return first17 + check_digit(first17)


def migrant(unit: str = "jiayuan-b1", seq: int = 1, expires_in_days: int | None = 60, **kw) -> dict:
    body = {"org_unit_id": unit, "name": "赵春生", "id_number": id_number(seq), "origin": "吉林省舒兰市",
            "address": "家园社区1号楼3单元502", "landlord_name": "孙丽", "landlord_mobile": "13904321234",
            "permit_number": f"JL-{seq}"}
    if expires_in_days is not None:
        body["permit_expires_on"] = (today() + timedelta(days=expires_in_days)).isoformat()
    return {**body, **kw}


def test_the_same_id_number_twice_in_one_community_is_refused(svc):
    first = svc.post("/migrants", migrant("jiayuan-b1"))
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["community_id"] == "jiayuan"
    again = svc.post("/migrants", migrant("jiayuan-b2"))  # another building, same community
    assert again.status_code == 409
    assert "id_number" in again.get_json()["error"]["fields"]
    other_community = svc.post("/migrants", migrant("huangniling-b1"), role="community_police",
                               where={"org_unit": "huangniling", "org_path": "/chuanying/xihu/huangniling/"})
    assert other_community.status_code == 201
    wrong = svc.post("/migrants", migrant(id_number="220281198503120019"))
    assert wrong.status_code == 422 and "id_number" in wrong.get_json()["error"]["fields"]


def race(svc, body: dict, n: int = 8) -> list[int]:
    headers = svc.headers()

    def register(_):
        return svc.client.application.test_client().post("/api/v1/security/migrants", json=body,
                                                         headers=headers).status_code

    return sorted(at_once(register, *range(n)))


def test_racing_registrations_of_one_id_number_let_exactly_one_win(svc):
    assert race(svc, migrant(seq=7)) == [201] + [409] * 7
    assert len(svc.get("/migrants?org_unit=jiayuan").get_json()["items"]) == 1


def test_racing_registrations_on_mongo(make_svc):
    mongo_svc = make_svc("mongo")
    assert race(mongo_svc, migrant(seq=8)) == [201] + [409] * 7
    again = mongo_svc.post("/migrants", migrant(seq=8))
    assert again.status_code == 409 and "id_number" in again.get_json()["error"]["fields"]


def test_a_permit_expiring_in_7_days_is_listed_and_announced_once(svc):
    soon = svc.post("/migrants", migrant(seq=2, expires_in_days=10)).get_json()
    later = svc.post("/migrants", migrant(seq=3, expires_in_days=60)).get_json()
    assert svc.get("/migrants/expiring").get_json()["items"] == []
    assert svc.post("/migrants/expiry-scan").get_json()["announced"] == []

    svc.move_clock(days=3)
    listed = svc.get("/migrants/expiring").get_json()["items"]
    assert [(m["id"], m["days_to_expiry"]) for m in listed] == [(soon["id"], 7)]
    assert svc.post("/migrants/expiry-scan").get_json()["announced"] == [soon["id"]]
    assert svc.post("/migrants/expiry-scan").get_json()["announced"] == []  # idempotent
    events = wait_for(lambda: svc.published(EXPIRING), 20, message="permit_expiring event")
    assert [(e.subject, e.data["days_left"]) for e in events] == [(soon["id"], 7)]
    # nothing that names the person travels: no ID number, name or permit number (it would be kept in the
    # event log and the dead letters, unencrypted)
    assert "id_number" not in events[0].data and "name" not in events[0].data and "JL-2" not in str(events[0].data)

    renewed = svc.post(f"/migrants/{soon['id']}/permit", {"permit_number": "JL-2b", "permit_expires_on":
                                                          (today() + timedelta(days=400)).isoformat()})
    assert renewed.status_code == 200
    assert svc.get("/migrants/expiring").get_json()["items"] == []
    assert [m["id"] for m in svc.get("/migrants/expiring?within_days=90").get_json()["items"]] == [later["id"]]

    urgent = svc.post("/migrants", migrant(seq=9, expires_in_days=2)).get_json()  # past already: announced at once
    assert [e.data["days_left"] for e in svc.published_once_settled(EXPIRING, urgent["id"])] == [-1]
    assert urgent["id"] not in svc.post("/migrants/expiry-scan").get_json()["announced"]


def test_id_numbers_are_masked_unless_personal_data_may_be_read_and_such_reads_are_audited(svc):
    created = svc.post("/migrants", migrant(seq=4)).get_json()
    assert created["id_number"] == id_number(4)[:6] + "********" + id_number(4)[-4:]
    assert created["landlord_mobile"] == "139****1234"
    officer = svc.get(f"/migrants/{created['id']}", role="subdistrict_officer", where=HUANGQI,
                      user_id="officer-1").get_json()
    assert officer["id_number"] == id_number(4)
    trail = svc.admin_get("/audit?action=migrant.id_number.read").get_json()["items"]
    assert [(a["user_id"], a["record_id"], a["allowed"]) for a in trail] == [("officer-1", created["id"], True)]
    assert trail[0]["roles"] == ["subdistrict_officer"] and trail[0]["correlation_id"]
    assert svc.get("/audit").status_code == 403  # police do not read the audit trail


def test_periodic_verification_and_moving_out(svc):
    created = svc.post("/migrants", migrant(seq=5)).get_json()
    unchecked = svc.post("/migrants", migrant(seq=6)).get_json()
    assert svc.get("/migrants/verification-due").get_json()["items"] == []
    svc.move_clock(days=91)
    present = svc.post(f"/migrants/{created['id']}/verify", {"result": "present", "note": "入户核查"})
    assert present.status_code == 200 and len(present.get_json()["verifications"]) == 1
    due = svc.get("/migrants/verification-due?days=90").get_json()["items"]
    assert [m["id"] for m in due] == [unchecked["id"]]
    gone = svc.post(f"/migrants/{created['id']}/verify", {"result": "moved_out"})
    assert gone.get_json()["status"] == "moved_out"
    assert svc.post(f"/migrants/{created['id']}/verify", {"result": "present"}).status_code == 409
    moved = svc.published_once_settled("liandong.security.migrant.moved_out.v1")  # the stock goes down (#21)
    assert [(e.data["migrant_id"], e.data["permit_lapsed"]) for e in moved] == [(created["id"], False)]
    stats = svc.get("/stats?org_unit=jiayuan").get_json()["migrants"]
    assert (stats["registered"], stats["verified_in_period"]) == (1, 0)
    events = wait_for(lambda: svc.published("liandong.security.migrant.registered.v1"), 20, message="registered")
    assert events[0].data["community_id"] == "jiayuan" and "id_number" not in events[0].data
