"""The activity half of the one file per household (一户一档, #19): what welfare, petition and volunteer
announce about residents, kept by their `person_key` and answered by `activity_of`.

The events are published as their services put them on the bus (some twice: the same event redelivered,
a payment and a love-coin credit announced again under a new event id, a payment before its grant's
start), and the security worker applies them; every one counts once.
"""
from __future__ import annotations

import json

import pytest

from liandong import idnumbers
from liandong.personal import person_key
from liandong.testing import wait_for

from security.service_layer.household_file import activity_of

JIAYUAN = "/chuanying/huangqi/jiayuan/"


def _id_number(born: str, seq: int) -> str:
    first = f"220204{born}{seq:03d}"
    return first + idnumbers.check_digit(first)


class Announcer:
    """Publishes other services' events to the harness's bus; counts what the security worker must handle."""

    def __init__(self, svc):
        self.svc, self.count = svc, 0

    def __call__(self, event_name: str, subject: str, /, **data):
        self.count += 1
        return self.svc.publish_event(event_name, data, subject, JIAYUAN)

    def again(self, envelope) -> None:
        """The very same event delivered once more (a relay retry, a replay)."""
        self.count += 1
        bus = self.svc.platform.bus
        bus.publish(envelope.type.split(".")[1] + ".events", envelope.subject, envelope.to_json())
        bus.flush()


def _settled(consumer) -> int:
    """The consumer's count of handled events once it stops moving (the org tree it learns at start)."""
    last = [-1]

    def still() -> bool:
        seen, last[0] = last[0], consumer.handled
        return seen == last[0]

    wait_for(still, 30, interval=0.5, message="the security worker is idle")
    return last[0]


def _grant(grant_id: str, key: str, programme: str = "dibao_urban", **more) -> dict:
    return {"grant_id": grant_id, "programme": programme, "org_unit_id": "jiayuan", "person_key": key, **more}


def _payment(grant_id: str, key: str, period: str, amount: int) -> dict:
    return {**_grant(grant_id, key), "payment_id": f"{grant_id}:{period}", "period": period, "amount_fen": amount}


@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "embedded"), ("sqlite", "kafka")])
def test_the_household_file_shows_each_members_grants_petitions_and_hours_once(make_svc, store, bus):
    svc = make_svc(store, bus)
    cipher = svc.platform.deps.cipher
    mother, son, neighbour = (person_key(cipher, _id_number(b, s)) for b, s in
                              (("19600101", 101), ("19880202", 113), ("19700303", 125)))
    consumer = svc.worker.consumers[0]
    before = _settled(consumer)
    say = Announcer(svc)

    # welfare: the mother's 低保 grant paid twice, then suspended at a re-review; a 临时救助 paid once and ended
    say("welfare.payment.disbursed", "g-1:2026-01", **_payment("g-1", mother, "2026-01", 108000))  # before its start
    started = say("welfare.grant.started", "g-1", **_grant("g-1", mother, application_id="a-1", household_size=2,
                                                           monthly_amount_fen=108000, programme_name="城市低保",
                                                           start_period="2026-01"))
    say.again(started)
    feb = say("welfare.payment.disbursed", "g-1:2026-02", **_payment("g-1", mother, "2026-02", 108000))
    say.again(feb)
    say("welfare.payment.disbursed", "g-1:2026-02", **_payment("g-1", mother, "2026-02", 108000))  # a new event id
    say("welfare.grant.suspended", "g-1", **_grant("g-1", mother, reason="收入超标"))
    relief_started = say("welfare.grant.started", "g-2", **_grant("g-2", mother, "temporary_relief",
                                                                  application_id="a-2", household_size=2,
                                                                  monthly_amount_fen=50000))
    say("welfare.payment.disbursed", "g-2:2026-03", **{**_payment("g-2", mother, "2026-03", 50000),
                                                       "programme": "temporary_relief"})
    say("welfare.grant.ended", "g-2", **_grant("g-2", mother, "temporary_relief", reason="一次性救助已发放"))

    # petition: mother and son petition together, the case is assigned and closed; a petition naming no one
    registered = {"org_unit_id": "jiayuan", "category": "environment_noise", "level": "community",
                  "channel": "visit", "headcount": 2, "is_group": False, "anonymous": False, "risk_flags": [],
                  "deadline": "2026-03-13", "registered_at": "2026-03-02T01:30:00.000000Z"}
    filed = say("petition.registered", "p-1", petition_id="p-1", person_keys=[son, mother], **registered)
    say.again(filed)
    say("petition.assigned", "p-1", petition_id="p-1", org_unit_id="jiayuan", category="environment_noise",
        level="community", unit_kind="department", unit_id="environment", unit_name="环保", person="王科长",
        deadline="2026-03-13", task="核查", requirement="书面答复", assigned_at="2026-03-02T02:00:00.000000Z")
    say("petition.closed", "p-1", petition_id="p-1", org_unit_id="jiayuan", category="environment_noise",
        level="community", satisfaction="satisfied", headcount=2, is_group=False, resolved_at_level=True,
        closed_at="2026-03-11T08:00:00.000000Z")
    say("petition.escalated", "p-1", petition_id="p-1", org_unit_id="jiayuan", category="environment_noise",
        level="community", kind="supervision", from_level="community", to_level="subdistrict",
        reason="overdue since 2026-03-13", escalated_at="2026-03-14T00:00:05.000000Z")  # 督办: still closed
    say("petition.registered", "p-2", petition_id="p-2", person_keys=[], **registered)

    # volunteer: the son serves 3 hours, corrected to 2.5; 30 coins credited (announced twice)
    say("volunteer.registered", "vol-1", volunteer_id="vol-1", name="张建国", kind="resident", org_unit_id="jiayuan",
        skills=[], user_id=None, registered_at="2026-03-01T08:00:00.000000Z", person_key=son)
    attendance = {"attendance_id": "act-1:vol-1", "source": "activity", "activity_id": "act-1", "patrol_run_id": None,
                  "volunteer_id": "vol-1", "activity_type": "health_clinic", "org_unit_id": "jiayuan",
                  "started_at": "2026-03-05T01:00:00.000000Z", "correction_reason": None}
    served = say("volunteer.attendance.recorded", "act-1", **attendance, minutes=180, delta_minutes=180, coins=30,
                 delta_coins=30)
    say.again(served)
    say("volunteer.attendance.recorded", "act-1", **{**attendance, "correction_reason": "提前离开"}, minutes=150,
        delta_minutes=-30, coins=25, delta_coins=-5)
    for _ in range(2):
        say("volunteer.coins.credited", "vol-1", entry_id="e-1", volunteer_id="vol-1", coins=30, reason="attendance",
            activity_id="act-1", org_unit_id="jiayuan")

    # welfare's registers (#20): the mother is a retiree (from a paper register) who moved away; the son is disabled
    entry = {"org_unit_id": "jiayuan", "person_key": mother}
    entered = say("welfare.register_entry.registered", "e-1", entry_id="e-1", register="retiree",
                  registered_on="2019-05-01", **entry)
    say.again(entered)
    say("welfare.register_entry.ended", "e-1", entry_id="e-1", register="retiree", ended_on="2026-03-20",
        reason="moved_away", **entry)
    say("welfare.register_entry.registered", "e-2", entry_id="e-2", register="disabled", registered_on="2026-03-01",
        **{**entry, "person_key": son})

    wait_for(lambda: consumer.handled >= before + say.count, 30, message="the security worker handled every event")
    _settled(consumer)
    deps = svc.platform.deps
    files = activity_of(deps, [mother, son, neighbour])
    assert files[mother]["registers"] == [{"entry_id": "e-1", "register": "retiree", "status": "ended",
                                           "registered_on": "2019-05-01", "ended_on": "2026-03-20",
                                           "org_unit_id": "jiayuan"}]
    assert [(r["register"], r["status"]) for r in files[son]["registers"]] == [("disabled", "active")]

    dibao, relief = files[mother]["grants"]
    assert dibao == {"grant_id": "g-1", "programme": "dibao_urban", "programme_name": "城市低保", "status": "suspended",
                     "started": "2026-01", "monthly_amount_fen": 108000, "org_unit_id": "jiayuan",
                     "payments": {"count": 2, "total_fen": 216000, "last_period": "2026-02"}}
    assert relief == {"grant_id": "g-2", "programme": "temporary_relief", "programme_name": None,
                      "status": "ended", "started": relief_started.time[:7],  # no start_period: the event's month
                      "monthly_amount_fen": 50000, "org_unit_id": "jiayuan",
                      "payments": {"count": 1, "total_fen": 50000, "last_period": "2026-03"}}
    assert files[mother]["payments"] == {"count": 3, "total_fen": 266000, "last_period": "2026-03"}
    petition = {"petition_id": "p-1", "category": "environment_noise", "status": "closed",
                "filed_at": "2026-03-02T01:30:00.000000Z", "org_unit_id": "jiayuan"}
    assert files[mother]["petitions"] == files[son]["petitions"] == [petition]
    assert files[mother]["volunteer"] == {"volunteer_ids": [], "minutes": 0, "hours": 0.0, "coins_credited": 0}
    assert files[son]["volunteer"] == {"volunteer_ids": ["vol-1"], "minutes": 150, "hours": 2.5, "coins_credited": 30}
    assert files[son]["grants"] == [] and files[son]["payments"]["count"] == 0
    assert files[neighbour] == {"grants": [], "payments": {"count": 0, "total_fen": 0, "last_period": None},
                                "petitions": [], "volunteer": {"volunteer_ids": [], "minutes": 0, "hours": 0.0,
                                                               "coins_credited": 0}, "registers": []}
    assert activity_of(deps, []) == {}

    # no names kept: the projection holds pseudonyms, ids, codes and amounts only
    stored = [d for c in ("activity_grants", "activity_petitions", "activity_volunteers")
              for d in deps.db.collection(c).find({})]
    assert "张建国" not in json.dumps(stored, ensure_ascii=False)
    assert not deps.db.collection("activity_petitions").find_one({"_id": "p-2"})  # names no one: not kept
