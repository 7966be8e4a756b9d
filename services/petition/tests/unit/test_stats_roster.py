"""Statistics in batches and person-times, and the reception roster's gaps."""
from datetime import date

import pytest

from liandong.contracts import CONTRACTS
from liandong.errors import ValidationFailed

from petition.domain.roster import DutyDay, gaps
from petition.domain.stats import summarise


def test_a_group_petition_is_one_batch_and_its_headcount_in_person_times():
    cases = [
        {"headcount": 40, "is_group": True, "state": "closed", "category": "environment_noise", "channel": "visit",
         "answered_on_time": True, "satisfaction": "satisfied", "mediations": [{"outcome": "agreement"}]},
        {"headcount": 1, "is_group": False, "state": "closed", "category": "property", "channel": "hotline",
         "answered_on_time": False, "satisfaction": "not", "escalations": [{"kind": "escalation"}],
         "mediations": [{"outcome": "failed"}]},
        {"headcount": 2, "is_group": False, "state": "registered", "category": "property", "channel": "online",
         "overdue": True, "risk_flags": ["repeat_petitioner"]},
    ]
    s = summarise(cases)
    assert (s["batches"], s["person_times"]) == (3, 43)
    assert (s["group_petitions"], s["group_person_times"]) == (1, 40)
    assert s["summary_zh"]["批次"] == 3 and s["summary_zh"]["人次"] == 43 and s["summary_zh"]["群体性上访人次"] == 40
    assert s["closed"] == 2 and s["resolved_at_this_level"] == 1
    assert s["on_time_rate"] == 0.5 and s["mediation_success_rate"] == 0.5 and s["satisfaction_rate"] == 0.5
    assert s["overdue"] == 1 and s["risk_flagged"] == 1
    assert s["by_category"]["property"] == {"batches": 2, "person_times": 3}
    assert summarise([])["on_time_rate"] is None


def test_roster_gaps_and_duty_validation():
    assert gaps(date(2026, 3, 2), date(2026, 3, 4), {date(2026, 3, 3)}) == ["2026-03-02", "2026-03-04"]
    with pytest.raises(ValidationFailed):
        DutyDay.create("ceguan", date(2026, 3, 2), " ")
    with pytest.raises(ValidationFailed):
        gaps(date(2026, 3, 4), date(2026, 3, 2), set())
    assert DutyDay.create("ceguan", date(2026, 3, 2), "赵书记", "党工委书记").id == "ceguan:2026-03-02"


def test_every_petition_contract_accepts_its_example():
    names = {c.name for c in CONTRACTS.for_service("petition")}
    assert names == {"petition.registered", "petition.assigned", "petition.answered", "petition.closed",
                     "petition.overdue", "petition.escalated", "petition.risk_flagged",
                     "petition.personal_data.accessed",  # every domain service's reads of personal data (audit)
                     # the one-stop service hall (#20)
                     "petition.hall_matter.accepted", "petition.hall_matter.completed",
                     "petition.hall_matter.returned", "petition.hall_matter.overdue",
                     "petition.window_service.logged"}
    for c in CONTRACTS.for_service("petition"):
        CONTRACTS.validate_outgoing(c.type, c.example)
