"""The annual and monthly reports' prose: the change on the same period a year earlier in the seeds' words
("比增12%"), said only when the year before has a figure, and the disbursement sentence naming each programme."""
from __future__ import annotations

from gateway.adapters.report_sentences import sentences
from gateway.domain.metrics import METRICS, RATES


def overview(now: dict, before: dict | None = None, extra: dict | None = None) -> dict:
    """An overview as the gateway answers it: every figure with its value and, when given, the year before's."""
    metrics = {k: {"value": now.get(k, 0), **({"previous_year": before.get(k, 0)} if before is not None else {})}
               for k in METRICS}
    metrics.update(extra or {})
    return {"metrics": metrics, "rates": {r.key: {"value": None} for r in RATES},
            "period": {"from": "2026-03-01", "to": "2026-03-31"}}


NOW = {"petition.batches": 12, "petition.person_times": 27, "welfare.households": 40,
       "welfare.disbursed_fen": 5_000_000, "volunteer.volunteers": 110, "volunteer.minutes": 600,
       "security.incidents": 7}
BEFORE = {"petition.batches": 10, "petition.person_times": 30, "welfare.households": 40,
          "welfare.disbursed_fen": 4_000_000, "volunteer.volunteers": 0, "volunteer.minutes": 480,
          "security.incidents": 10}


def test_the_change_on_a_year_earlier_is_said_in_the_seeds_words():
    s = sentences(overview(NOW, BEFORE))
    assert s["一、信访工作"][0].endswith(
        "。与去年同期相比,接访批次增加2批次(比增20%)、接访人次减少3人次(比减10%)。")
    assert s["二、民政救助"][1].endswith("与去年同期相比,在保户数与去年同期持平、发放金额增加10,000元(比增25%)。")
    # no volunteers registered a year earlier: the sentence names only the hours, never "比增100%"
    assert s["三、志愿服务"][0].endswith("与去年同期相比,服务时长增加2.0小时(比增25%)。")
    assert s["四、平安建设"][0].endswith("与去年同期相比,各类事件减少3起(比减30%)。")
    assert "比增100%" not in "".join(line for lines in s.values() for line in lines)


def test_nothing_is_compared_when_the_year_before_has_no_figures():
    for before in (None, {}):  # an overview without the year before, and a platform new this year
        text = "".join(line for lines in sentences(overview(NOW, before)).values() for line in lines)
        assert "去年同期" not in text and "比增" not in text and "比减" not in text
        assert "2026年3月共接访12批次27人次" in text


def test_the_disbursement_names_each_programme_paid_with_its_amount():
    programmes = {
        "welfare.disbursed_fen.dibao_urban": {"value": 3_500_000, "of": "welfare.disbursed_fen", "code": "dibao_urban",
                                             "name": "城市低保"},
        "welfare.disbursed_fen.temporary_relief": {"value": 1_500_000, "of": "welfare.disbursed_fen",
                                                   "code": "temporary_relief", "name": "临时救助"},
        "welfare.disbursed_fen.dibao_rural": {"value": 0, "of": "welfare.disbursed_fen", "code": "dibao_rural",
                                             "name": "农村低保"},
    }
    line = sentences(overview({**NOW, "welfare.payments": 9}, extra=programmes))["二、民政救助"][1]
    assert line.startswith("合计发放城市低保35,000元、临时救助15,000元,共计50,000元,共9笔;")
    assert "农村低保" not in line  # nothing paid under it in the period
    # a sum no configured programme names stands alone
    assert sentences(overview(NOW))["二、民政救助"][1].startswith("合计发放救助金50,000元,共0笔;")


def test_overdue_petitions_are_said_with_those_escalated_not_all_claimed_escalated():
    line = sentences(overview({**NOW, "petition.overdue": 3, "petition.escalated": 1}))["一、信访工作"][1]
    assert line.endswith("超期3件,上报督办1件,预警0件。") and "均已督办" not in line
