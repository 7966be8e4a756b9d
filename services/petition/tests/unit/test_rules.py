"""Working days, deadlines, risk flags and search terms: the office's rules without I/O."""
from datetime import date, datetime, timezone

from petition.domain import rules


def test_working_days_skip_weekends_and_holidays():
    cal = rules.Calendar(frozenset({"2026-03-04"}))
    friday = date(2026, 2, 27)
    assert cal.add_working_days(friday, 1) == date(2026, 3, 2)  # Monday
    assert cal.add_working_days(friday, 3) == date(2026, 3, 5)  # Wednesday the 4th is a holiday
    assert cal.subtract_working_days(date(2026, 3, 2), 1) == friday
    assert cal.working_days_between(friday, date(2026, 3, 2)) == 1
    assert cal.working_days_between(date(2026, 2, 28), date(2026, 3, 1)) == 0


def test_deadline_is_the_end_of_the_local_day():
    end = rules.end_of_day(date(2026, 3, 13))
    assert end == datetime(2026, 3, 13, 15, 59, 59, 999999, tzinfo=timezone.utc)
    assert rules.local_date(datetime(2026, 3, 13, 17, 0, tzinfo=timezone.utc)) == date(2026, 3, 14)


def test_levels_and_deadlines_per_category():
    assert rules.level_of("building") == "community"
    assert rules.level_of("subdistrict") == "subdistrict"
    assert rules.level_above("community") == "subdistrict"
    assert rules.level_above("district") is None
    assert rules.deadline_days(rules.DEFAULT_CATEGORIES, "neighbour_dispute", "community") == 5


def test_risk_flags():
    assert rules.risk_flags(is_group=False, headcount=40, repeat=False, says_higher_level=False,
                            content="噪音") == ["group_petition"]
    assert rules.risk_flags(is_group=False, headcount=1, repeat=True, says_higher_level=False,
                            content="扬言要找市领导") == ["repeat_petitioner", "higher_level_threat"]
    assert rules.risk_flags(is_group=False, headcount=1, repeat=False, says_higher_level=False, content="漏水") == []


def test_chinese_search_terms_match_queries_by_bigrams():
    terms = set(rules.search_terms("电机厂噪音扰民 Motor 2号"))
    assert {"电机", "机厂", "噪音", "噪", "motor", "2"} <= terms
    assert set(rules.query_terms("噪音扰民")) <= terms
    assert not set(rules.query_terms("漏水")) <= terms
    assert rules.query_terms("噪") == ["噪"]
