"""The registers of 退管 / 老龄, 残联 and 优抚 (#20) in the figures: stocks that go up and down, services by kind,
and the people and households rehabilitated in a year counted once each; their sentences in the annual report."""
from gateway.adapters.report_sentences import sentences
from gateway.domain.metrics import METRICS, RATES, effect_of

ENTRY = {"entry_id": "e-1", "org_unit_id": "jiayuan", "person_key": "k-1"}


def test_a_register_entry_counts_in_its_register_stock_from_its_day_and_leaves_it_when_ended():
    entered = effect_of("liandong.welfare.register_entry.registered.v1",
                        {**ENTRY, "register": "retiree", "registered_on": "2025-06-01"}, "2026-03-02T02:00:00Z")
    ended = effect_of("liandong.welfare.register_entry.ended.v1",
                      {**ENTRY, "register": "retiree", "ended_on": "2026-09-30", "reason": "died"}, "2026-10-08T02:00:00Z")
    assert (entered.day, entered.deltas) == ("2025-06-01", {"welfare.retirees": 1})  # a paper register's entry
    assert (ended.day, ended.deltas) == ("2026-09-30", {"welfare.retirees": -1})
    for register, key in (("elderly", "welfare.elderly"), ("disabled", "welfare.disabled"),
                          ("veteran", "welfare.veterans")):
        assert effect_of("liandong.welfare.register_entry.registered.v1",
                         {**ENTRY, "register": register, "registered_on": "2026-03-02"},
                         "2026-03-02T02:00:00Z").deltas == {key: 1}
        assert METRICS[key].stock
    updated = {**ENTRY, "register": "disabled", "changed": ["details.grade"]}
    assert effect_of("liandong.welfare.register_entry.updated.v1", updated, "2026-03-02T02:00:00Z") is None


def service(kind: str, first_person: bool, first_household: bool, money: int = 0) -> dict:
    return {"service_id": "s", "entry_id": "e-1", "register": "disabled", "kind": kind, "org_unit_id": "jiayuan",
            "person_key": "k", "delivered_at": "2026-04-01T17:00:00.000000Z", "worker_id": "u-1",
            "money_fen": money, "first_for_person_in_year": first_person,
            "first_for_household_in_year": first_household}


def test_rehabilitation_counts_person_times_and_the_people_and_households_first_served_that_year():
    kind = "liandong.welfare.register_service.delivered.v1"
    first = effect_of(kind, service("rehabilitation", True, True), "2026-04-01T17:00:01Z")
    sibling = effect_of(kind, service("rehabilitation", True, False), "2026-04-01T17:00:01Z")
    again = effect_of(kind, service("rehabilitation", False, False), "2026-04-01T17:00:01Z")
    assert first.day == "2026-04-02"  # the offices' day
    assert first.deltas == {"welfare.register_services": 1, "welfare.rehabilitation": 1,
                            "welfare.rehabilitation_people": 1, "welfare.rehabilitation_households": 1}
    assert sibling.deltas == {"welfare.register_services": 1, "welfare.rehabilitation": 1,
                              "welfare.rehabilitation_people": 1}
    assert again.deltas == {"welfare.register_services": 1, "welfare.rehabilitation": 1}
    visit = effect_of(kind, service("hospital_visit", True, True, money=20000), "2026-04-01T17:00:01Z")
    assert visit.deltas == {"welfare.register_services": 1, "welfare.hospital_visits": 1,
                            "welfare.register_money_fen": 20000}
    # a kind welfare configures later counts in the total until the figures name it
    assert effect_of(kind, service("haircut", True, True), "2026-04-01T17:00:01Z").deltas == {
        "welfare.register_services": 1}


def overview(**values) -> dict:
    return {"metrics": {k: {"value": v} for k, v in values.items()},
            "rates": {r.key: {"value": None} for r in RATES}}


def test_the_annual_report_tells_the_registers_in_the_offices_words():
    said = sentences(overview(**{
        "welfare.retirees": 1182, "welfare.elderly": 300, "welfare.hospital_visits": 2739,
        "welfare.elderly_home_visits": 2266, "welfare.birthday_greetings": 100, "welfare.holiday_greetings": 20,
        "welfare.disabled": 120, "welfare.rehabilitation_households": 50, "welfare.rehabilitation_people": 54,
        "welfare.rehabilitation": 200, "welfare.assistive_devices": 7, "welfare.veterans": 5,
        "welfare.veteran_visits": 10, "welfare.veteran_placements": 5, "welfare.veteran_relief": 5,
        "welfare.households.old_age_allowance": 3, "welfare.disbursed_fen.old_age_allowance": 360000}))
    assert [t for t in said if t[0] in "五六八"] == ["五、退管与为老服务", "六、残疾人工作", "八、优抚安置"]
    assert said["五、退管与为老服务"] == [
        "现有企业离退休人员1182人,登记老年人300人;看望生病住院老人2739人次,走访老人2266人次,生日和节日慰问120人次。",
        "高龄津贴在保3户,发放3,600元。"]
    assert said["六、残疾人工作"] == ["现有持证残疾人120人,为50个家庭的54名残疾人提供康复服务200人次,辅具适配7人次。"]
    assert said["八、优抚安置"] == ["现有优抚对象5人,走访慰问10人次,帮助安置5人次、救助5人次。"]
