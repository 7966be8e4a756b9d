"""Programmes as configuration: each rule explains itself with its figures; amounts are exact fen."""
from __future__ import annotations

from decimal import Decimal

import pytest

from welfare.adapters.programme_config import load_catalogue
from welfare.domain.money import fen_to_yuan, times, yuan_to_fen
from welfare.domain.programmes import Catalogue, ConfigurationError, Household, Member

JIAYUAN = "/chuanying/huangqi/jiayuan/"


def members(*incomes_yuan, grade=0, college=False):
    rel = ["applicant", "spouse", "child", "parent"]
    return tuple(Member(f"m{i}", "x", rel[i], yuan_to_fen(str(inc)), grade if i == 0 else 0, "unemployed",
                        college and i == 2) for i, inc in enumerate(incomes_yuan))


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_all_required_programmes_are_configured(catalogue):
    assert {"dibao_urban", "dibao_rural", "severe_disability", "temporary_aid", "serious_illness", "rent_subsidy",
            "golden_autumn_student_aid"} <= set(catalogue.programmes)
    assert catalogue.get("dibao_urban").documents[:2] == ("户口簿", "身份证")


def test_line_per_area_and_year(catalogue):
    assert catalogue.line_fen("dibao_urban", JIAYUAN, 2026) == 72000
    assert catalogue.line_fen("dibao_urban", JIAYUAN, 2025) == 69000
    assert catalogue.line_fen("dibao_urban", JIAYUAN, 2019) is None
    more = Catalogue({"lines": [{"area": "chuanying", "year": 2026, "dibao_urban": "720"},
                                {"area": "huangqi", "year": 2026, "dibao_urban": "750.50"}], "programmes": {}})
    assert more.line_fen("dibao_urban", JIAYUAN, 2026) == 75050  # the more specific area wins
    assert more.line_fen("dibao_urban", "/chuanying/xihu/", 2026) == 72000


def test_dibao_eligible_household_gets_the_gap_to_the_line(catalogue):
    result = catalogue.check(catalogue.get("dibao_urban"), Household(members(800, 0, 0)), JIAYUAN, 2026)
    assert result.eligible
    assert [r.rule for r in result.results] == ["residence", "income_per_member_below_line", "assets_per_member_at_most"]
    income = result.results[1]
    assert income.figures["income_per_member_fen"] == 26666 and income.figures["limit_fen"] == 72000
    assert "266.66" in income.explanation and "720.00" in income.explanation
    assert result.monthly_amount_fen == 136000


def test_dibao_failures_say_which_rule_and_why(catalogue):
    rich = Household(members(2400, 0, 0), residence="rural", financial_assets_fen=yuan_to_fen("60000"))
    result = catalogue.check(catalogue.get("dibao_urban"), rich, JIAYUAN, 2026)
    assert not result.eligible and result.monthly_amount_fen == 0
    assert [r.rule for r in result.failed()] == ["residence", "income_per_member_below_line",
                                                 "assets_per_member_at_most"]
    on_the_line = catalogue.check(catalogue.get("dibao_urban"), Household(members(720, 720)), JIAYUAN, 2026)
    assert not on_the_line.eligible  # below the line, not at it
    no_line = catalogue.check(catalogue.get("dibao_urban"), Household(members(100)), JIAYUAN, 2030)
    assert "no dibao_urban line" in no_line.failed()[0].explanation


def test_other_programmes(catalogue):
    disabled = catalogue.check(catalogue.get("severe_disability"), Household(members(3000, grade=1)), JIAYUAN, 2026)
    assert disabled.eligible and disabled.monthly_amount_fen == 10000
    grade3 = catalogue.check(catalogue.get("severe_disability"), Household(members(0, grade=3)), JIAYUAN, 2026)
    assert not grade3.eligible
    fire = Household(members(500, 0), emergency_reason="家中失火", requested_amount_fen=yuan_to_fen("5000"))
    aid = catalogue.check(catalogue.get("temporary_aid"), fire, JIAYUAN, 2026)
    assert aid.eligible and aid.monthly_amount_fen == 3 * 72000  # capped at three months of the line
    ill = Household(members(600, 0), medical_expenses_fen=yuan_to_fen("45000.01"))
    illness = catalogue.check(catalogue.get("serious_illness"), ill, JIAYUAN, 2026)
    assert illness.eligible and illness.monthly_amount_fen == 2250000  # 50 %, rounded down to the fen
    crowded = Household(members(900, 0, 0), housing_area_m2=Decimal("38.5"))
    assert catalogue.check(catalogue.get("rent_subsidy"), crowded, JIAYUAN, 2026).monthly_amount_fen == 30000
    student = Household(members(800, 0, 0, college=True))
    assert catalogue.check(catalogue.get("golden_autumn_student_aid"), student, JIAYUAN, 2026).eligible


def test_bad_configuration_is_found_at_start():
    with pytest.raises(ConfigurationError):
        Catalogue({"programmes": {"x": {"name": "x", "rules": [{"rule": "astrology"}], "amount": {"rule": "gap_to_line"}}}})
    with pytest.raises(ConfigurationError):
        Catalogue({"programmes": {"x": {"name": "x", "schedule": "weekly", "amount": {"rule": "gap_to_line"}}}})


def test_money_is_exact():
    assert yuan_to_fen("471906") == 47190600 and yuan_to_fen("0.07") == 7
    assert fen_to_yuan(47190600) == "471906.00" and fen_to_yuan(-5) == "-0.05"
    assert times(72000, "1.5") == 108000
    with pytest.raises(TypeError):
        yuan_to_fen(0.1)
    with pytest.raises(ValueError):
        yuan_to_fen("1.001")
