"""The household register's rules without I/O: natural-key outcomes, 独居老人 by age, the strictest 六必访 rule."""
from datetime import date

from liandong.idnumbers import born_on, check_digit, years_old

from security.config import SecuritySettings
from security.domain.households import CREATED, UNCHANGED, UPDATED, Household, ResidentAdded, ResidentChanged
from security.domain.visits import DEFAULT_RULES, VisitRules, days_overdue

T0 = "2026-03-01T08:00:00.000000Z"
TODAY = date(2026, 3, 1)


def number(born: str, seq: int = 1) -> str:
    first17 = f"220204{born}{seq:03d}"
    return first17 + check_digit(first17)


def household() -> Household:
    return Household.register(id="h1", org_path="/c/h/j/", org_unit_id="j", community_id="j", registered_by="u",
                              now=T0)


def put(hh: Household, born: str, seq: int = 1, **kw):
    data = {"name": "王", "id_number": number(born, seq), "relationship": "head", "residence": "registered",
            "mobile": None, "hand_tags": [], **kw}
    outcome = hh.put_member(resident_id=f"r{seq}", person_key=f"k{seq}", given_tags=[], now=T0, **data)
    hh.refresh(TODAY, DEFAULT_RULES, T0)
    return outcome[0]


def test_birth_date_and_age_come_from_the_id_number():
    assert born_on(number("19660302")).isoformat() == "1966-03-02"
    assert years_old(date(1966, 3, 2), TODAY) == 59 and years_old(date(1966, 3, 1), TODAY) == 60


def test_a_member_is_created_then_unchanged_or_updated_by_what_the_office_keyed_in():
    hh = household()
    assert put(hh, "19850312") == CREATED
    assert put(hh, "19850312") == UNCHANGED
    assert put(hh, "19850312", residence="floating") == UPDATED
    assert [type(e) for e in hh.events[1:]] == [ResidentAdded, ResidentChanged]


def test_elderly_alone_is_one_present_member_of_60_or_more():
    hh = household()
    put(hh, "19660301")  # 60 today
    assert hh.tags == ["elderly_alone"] and hh.visit_rule == "elderly_alone"
    put(hh, "19900101", seq=2, relationship="child")
    assert hh.tags == [] and hh.visit_rule == "household"
    young = household()
    put(young, "19660302")  # 60 tomorrow
    assert young.tags == []
    young.refresh(date(2026, 3, 2), DEFAULT_RULES, T0)
    assert young.tags == ["elderly_alone"]


def test_the_strictest_rule_of_the_tags_sets_the_next_visit():
    rules = VisitRules({"dibao": 30, "disabled": 20, "household": 365})
    assert rules.strictest(["dibao", "disabled"]) == "disabled"
    assert rules.strictest([]) == "household"
    assert VisitRules({"dibao": 30}).strictest([]) is None
    hh = household()
    put(hh, "19850312", hand_tags=["dibao"])
    assert (hh.visit_rule, hh.visit_due_at) == ("dibao", "2026-03-31T08:00:00.000000Z")


def test_days_overdue_round_down():
    from liandong.clock import from_iso

    assert days_overdue("2026-03-01T08:00:00.000000Z", from_iso("2026-03-04T09:00:00.000000Z")) == 3
    assert days_overdue("2026-03-08T08:00:00.000000Z", from_iso("2026-03-01T08:00:00.000000Z")) == -7


def test_rules_are_overridden_in_the_environment(monkeypatch):
    monkeypatch.setenv("SECURITY_VISIT_RULES", "elderly_alone=3,household=0")
    monkeypatch.setenv("SECURITY_TAG_PROGRAMMES", "my_aid=disabled")
    settings = SecuritySettings.from_env()
    assert settings.visit_days == {"elderly_alone": 3, "dibao": 30, "correction": 30, "disabled": 30}
    assert settings.programme_tags["my_aid"] == "disabled" and settings.programme_tags["dibao_urban"] == "dibao"
    monkeypatch.setenv("SECURITY_VISIT_RULES", "nobody=3")
    import pytest

    with pytest.raises(ValueError):
        SecuritySettings.from_env()
