"""What else the seeds report (#21) in the figures: volunteer teams and pairings as stocks that go up and down,
the 爱心超市's households and the 爱心基金's people each counted once a year; their sentences in the annual report."""
from gateway.adapters.report_sentences import sentences
from gateway.domain.metrics import METRICS, RATES, effect_of

AT = "2026-03-02T02:00:00Z"


def test_a_team_counts_from_the_day_it_was_formed_until_the_day_it_was_dissolved():
    formed = effect_of("liandong.volunteer.team.formed.v1", {"team_id": "t-1", "org_unit_id": "jiayuan",
                                                             "type": "elderly_care", "formed_on": "2025-05-01"}, AT)
    gone = effect_of("liandong.volunteer.team.dissolved.v1", {"team_id": "t-1", "org_unit_id": "jiayuan",
                                                              "dissolved_on": "2026-11-30"}, AT)
    assert (formed.day, formed.deltas) == ("2025-05-01", {"volunteer.teams": 1})
    assert (gone.day, gone.deltas) == ("2026-11-30", {"volunteer.teams": -1})
    assert METRICS["volunteer.teams"].stock


def pairing(kind: str, word: str, helper: bool, household: bool, day: str) -> object:
    return effect_of(f"liandong.welfare.pairing.{kind}.v1", {
        "pairing_id": "p", "org_unit_id": "jiayuan", "helper_kind": "cadre", f"{kind}_on": day, "reason": "other",
        f"{word}_for_helper": helper, f"{word}_for_household": household}, AT)


def test_pairings_count_distinct_helpers_and_households_up_and_down():
    first = pairing("started", "first", True, True, "2026-02-01")
    second_household = pairing("started", "first", False, True, "2026-02-02")
    second_helper = pairing("started", "first", True, False, "2026-02-03")
    assert (first.day, first.deltas) == ("2026-02-01", {"welfare.pairing_helpers": 1, "welfare.paired_households": 1})
    assert second_household.deltas == {"welfare.paired_households": 1}
    assert second_helper.deltas == {"welfare.pairing_helpers": 1}
    ended = pairing("ended", "last", False, True, "2026-11-30")
    assert (ended.day, ended.deltas) == ("2026-11-30", {"welfare.paired_households": -1})
    assert METRICS["welfare.pairing_helpers"].stock and METRICS["welfare.paired_households"].stock


def test_the_supermarkets_households_and_the_funds_people_count_once_a_year():
    handout = {"movement_id": "m", "org_unit_id": "jiayuan", "item_id": "i", "name": "棉被", "quantity": 2,
               "unit": "床", "value_fen": 200, "recipient": "household:h-1"}
    first = effect_of("liandong.welfare.goods.handed_out.v1", {**handout, "first_for_household_in_year": True}, AT)
    again = effect_of("liandong.welfare.goods.handed_out.v1", {**handout, "first_for_household_in_year": False}, AT)
    before = effect_of("liandong.welfare.goods.handed_out.v1", handout, AT)  # an event of before #21
    assert first.deltas == {"welfare.goods_handed_out": 2, "welfare.goods_handed_out_fen": 200,
                            "welfare.supermarket_households": 1}
    assert again.deltas == before.deltas == {"welfare.goods_handed_out": 2, "welfare.goods_handed_out_fen": 200}
    grant = {"entry_id": "e", "fund_id": "fund:jiayuan", "org_unit_id": "jiayuan", "amount_fen": 5000,
             "balance_after_fen": 0}
    assert effect_of("liandong.welfare.fund.grant_paid.v1", {**grant, "first_for_person_in_year": True},
                     AT).deltas == {"welfare.fund_out_fen": 5000, "welfare.fund_people": 1}
    assert effect_of("liandong.welfare.fund.grant_paid.v1", {**grant, "first_for_person_in_year": False},
                     AT).deltas == {"welfare.fund_out_fen": 5000}


def overview(**values) -> dict:
    return {"metrics": {k: {"value": v} for k, v in values.items()},
            "rates": {r.key: {"value": None} for r in RATES}}


def test_the_annual_report_says_them_as_the_seeds_do():
    said = sentences(overview(**{"volunteer.volunteers": 89, "volunteer.teams": 5,
                                 "welfare.supermarket_households": 66, "welfare.fund_people": 65,
                                 "welfare.pairing_helpers": 108, "welfare.paired_households": 127}))
    assert said["三、志愿服务"][0].startswith("注册志愿者89名,组建了5支志愿服务队,")
    assert "爱心超市为66户困难家庭发放物资,爱心基金帮助65名困难居民;108名干部与127户困难家庭结对帮扶。" in said["二、民政救助"]
