"""限时办结制: a case left past its deadline turns overdue and goes to the supervisor by itself."""
from liandong.testing import wait_for

from petition.bootstrap import detect_overdue


def overdue_gauge(svc) -> float:
    """What /metrics says to the alert LiandongPetitionsOverdue (deploy/observability/alerts.yaml)."""
    import re

    text = svc.client.get("/metrics").get_data(as_text=True)
    found = re.search(r'^liandong_petitions_overdue\{service="petition"\} (\S+)$', text, re.M)
    assert found, "liandong_petitions_overdue is not emitted"
    return float(found.group(1))


def test_overdue_is_detected_and_escalated_without_anyone_touching_it(make_svc, tmp_path):
    svc = make_svc(scan_seconds=0.1, clock_file=str(tmp_path / "clock"))
    svc.move_clock(0)
    case = svc.file(org_unit="jiayuan-b1")
    today = case["registered_at"]  # the local date decides the deadline; assign for today
    from liandong.clock import from_iso
    from petition.domain.rules import local_date

    deadline = local_date(from_iso(today)).isoformat()
    svc.post(f"/petitions/{case['id']}/assign", svc.assignment(deadline=deadline), expect=200)
    assert svc.get(f"/petitions/{case['id']}")["overdue"] is False
    assert overdue_gauge(svc) == 0

    svc.move_clock(2 * 24 * 3600)  # two days later, nobody has answered
    # one scan saves the flag, then the reminder (a second save): both waited for, not the first alone
    acted = lambda: {e["action"] for e in svc.get(f"/petitions/{case['id']}/timeline")["entries"]}  # noqa: E731
    late = wait_for(lambda: (lambda c: c if c["overdue"] and {"reminder", "overdue"} <= acted() else None)(
        svc.get(f"/petitions/{case['id']}")), 20, message="the deadline scan flags the case overdue and reminds")
    assert late["state"] == "assigned" and late["overdue_count"] == 1
    assert late["supervision"]["required"] is True and late["supervision"]["level"] == "subdistrict"
    assert late["escalations"][-1]["kind"] == "supervision"
    actions = [e["action"] for e in svc.get(f"/petitions/{case['id']}/timeline")["entries"]]
    assert "reminder" in actions and "overdue" in actions  # reminded before, then flagged
    assert svc.get("/petitions", overdue="true", org_unit="jiayuan")["total"] == 1
    assert overdue_gauge(svc) == 1

    types = {"liandong.petition.overdue.v1", "liandong.petition.escalated.v1"}
    wait_for(lambda: {e.type for e in svc.events(types) if e.subject == case["id"]} == types, 20,
             message="petition.overdue and petition.escalated on the bus")

    # the supervisor (督办) sets a new deadline and puts a name on the case
    new_deadline = local_date(from_iso(late["updated_at"])).isoformat()
    supervised = svc.post(f"/petitions/{case['id']}/supervise", {"note": "限期办结", "new_deadline": new_deadline},
                          headers=svc.officer(name="赵书记"), expect=200).get_json()
    assert supervised["overdue"] is False and supervised["deadline"] == new_deadline
    assert supervised["supervision"]["supervisor"]["name"] == "赵书记"
    assert overdue_gauge(svc) == 0  # a new deadline: no longer past it
    assert svc.post(f"/petitions/{case['id']}/supervise", {"note": "x"}, expect=403)  # community worker


def test_suspended_cases_do_not_turn_overdue(make_svc, tmp_path):
    svc = make_svc(scan_seconds=3600, clock_file=str(tmp_path / "clock"))
    svc.move_clock(0)
    case = svc.file(org_unit="jiayuan")
    pid = case["id"]
    svc.post(f"/petitions/{pid}/assign", svc.assignment(deadline=case["deadline"]), expect=200)
    svc.post(f"/petitions/{pid}/suspend", {"reason": "等待房屋鉴定报告"}, expect=200)
    other = svc.file(org_unit="jiayuan", category="property")
    svc.move_clock(60 * 24 * 3600)
    detect_overdue(svc.settings)  # what the worker runs periodically, called directly
    assert svc.get(f"/petitions/{other['id']}")["overdue"] is True
    suspended = svc.get(f"/petitions/{pid}")
    assert suspended["state"] == "suspended" and suspended["overdue"] is False
    resumed = svc.post(f"/petitions/{pid}/resume", {"note": "报告已出"}, expect=200).get_json()
    assert resumed["state"] == "assigned" and resumed["deadline"] > case["deadline"]
