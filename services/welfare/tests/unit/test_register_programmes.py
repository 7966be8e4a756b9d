"""The allowances of the registers' people (#20) as programmes: 高龄津贴 from the ID number's birth date on the
day of the check, 困难残疾人生活补贴, 优抚对象定期抚恤补助 and 困难党员补助 by the status stated and the document."""
from __future__ import annotations

from datetime import date

import pytest

from liandong import idnumbers
from welfare.adapters.programme_config import load_catalogue
from welfare.domain.programmes import Household, Member, age_on

JIAYUAN = "/chuanying/huangqi/jiayuan/"


def number(born: str, seq: int = 101) -> str:
    first = f"220204{born}{seq:03d}"
    return first + idnumbers.check_digit(first)


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def check(catalogue, code: str, household: Household, today: date):
    return catalogue.check(catalogue.get(code), household, JIAYUAN, today.year, today)


def test_the_old_age_allowance_counts_each_member_aged_80_on_the_day_of_the_check(catalogue):
    assert age_on(number("19460315"), date(2026, 3, 14)) == 79 and age_on(number("19460315"), date(2026, 3, 15)) == 80
    couple = Household((Member("张", number("19460315"), "applicant"), Member("李", number("19440101", 102), "spouse")))
    before = check(catalogue, "old_age_allowance", couple, date(2026, 3, 14))
    assert before.eligible and before.monthly_amount_fen == 10000  # only the one aged 82
    on_the_birthday = check(catalogue, "old_age_allowance", couple, date(2026, 3, 15))
    assert on_the_birthday.monthly_amount_fen == 20000 and on_the_birthday.results[0].figures["qualifying_members"] == 2
    young = Household((Member("王", number("19500101"), "applicant"),))
    assert not check(catalogue, "old_age_allowance", young, date(2026, 3, 15)).eligible


def test_the_disabled_hardship_allowance_needs_a_disabled_member_and_a_low_income(catalogue):
    poor = Household((Member("赵", number("19700101"), "applicant", 50000, disability_grade=3),))
    assert check(catalogue, "disabled_hardship_allowance", poor, date(2026, 3, 2)).monthly_amount_fen == 8000
    richer = Household((Member("赵", number("19700101"), "applicant", 200000, disability_grade=3),))
    assert not check(catalogue, "disabled_hardship_allowance", richer, date(2026, 3, 2)).eligible
    able = Household((Member("赵", number("19700101"), "applicant", 50000),))
    assert not check(catalogue, "disabled_hardship_allowance", able, date(2026, 3, 2)).eligible


@pytest.mark.parametrize("code, status, document", [("entitled_group_subsidy", "entitled_group", "优抚证"),
                                                    ("party_member_hardship_aid", "party_hardship", "党组织证明")])
def test_entitled_and_party_member_aid_by_the_status_stated_and_the_document(catalogue, code, status, document):
    member = (Member("孙", number("19500101"), "applicant"),)
    both = check(catalogue, code, Household(member, stated_statuses=(status,), documents_provided=(document,)),
                 date(2026, 3, 2))
    assert both.eligible and both.monthly_amount_fen > 0
    for partial in (Household(member, stated_statuses=(status,)), Household(member, documents_provided=(document,))):
        result = check(catalogue, code, partial, date(2026, 3, 2))
        assert not result.eligible and len(result.failed()) == 1


def test_a_misconfigured_register_fails_at_start(tmp_path):
    from welfare.adapters.registers import DEFAULT, load_registers
    from welfare.domain.programmes import ConfigurationError

    shipped = load_registers()
    assert {c: r.permission for c, r in shipped.registers.items()} == {
        "retiree": "welfare:retirees", "elderly": "welfare:retirees", "disabled": "welfare:disability",
        "veteran": "welfare:veterans"}
    misspelt = tmp_path / "registers.yaml"
    misspelt.write_text(DEFAULT.read_text(encoding="utf-8").replace("welfare:disability", "welfare:disabilty"),
                        encoding="utf-8")
    with pytest.raises(ConfigurationError, match="welfare:disabilty"):
        load_registers(misspelt)
    no_choices = tmp_path / "bad.yaml"
    no_choices.write_text("registers: {x: {name: X, permission: welfare:retirees, services: {s: S},\n"
                          "  details: {c: {label: C, type: choice}}}}\nend_reasons: {died: 去世}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="x.c"):
        load_registers(no_choices)
