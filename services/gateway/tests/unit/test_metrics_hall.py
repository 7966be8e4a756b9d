"""The one-stop service hall's figures (便民服务, #20): how its events move them, the on-time rate, and the
annual report's sentences — without I/O."""
from gateway.adapters.report_sentences import sentences
from gateway.domain.metrics import effect_of
from gateway.service_layer.reports import _present

HALL = "liandong.petition.hall_matter."
OFFICES = {"hall_office": {"tuiguan": "退管", "shebao": "社保", "minzheng": "民政"}}


def test_an_accepted_matter_counts_once_by_its_office_and_on_behalf_and_is_dated_by_its_acceptance():
    accepted = {"matter_id": "m-1", "org_unit_id": "jiayuan", "item": "age_allowance", "office": "laoling",
                "on_behalf": True, "time_limit_days": 10, "due_date": "2026-03-16",
                "accepted_at": "2026-03-01T17:30:00.000000Z", "person_key": None}
    eff = effect_of(f"{HALL}accepted.v1", accepted, "2026-03-05T00:00:00Z")
    assert eff.day == "2026-03-02"  # accepted 01:30 on the 2nd in China, whenever the event was read
    assert eff.deltas == {"petition.hall_matters": 1, "petition.hall_matters.laoling": 1, "petition.hall_on_behalf": 1}
    at_the_window = effect_of(f"{HALL}accepted.v1", {**accepted, "on_behalf": False}, "2026-03-05T00:00:00Z")
    assert at_the_window.deltas == {"petition.hall_matters": 1, "petition.hall_matters.laoling": 1}


def test_completions_count_on_time_ones_apart_returns_overdue_and_window_services_count_once():
    base = {"matter_id": "m-1", "org_unit_id": "jiayuan", "item": "x", "office": "shebao", "on_behalf": False,
            "due_date": "2026-03-16"}
    done = effect_of(f"{HALL}completed.v1", {**base, "on_time": True, "completed_at": "2026-03-12T07:00:00Z"}, "")
    late = effect_of(f"{HALL}completed.v1", {**base, "on_time": False, "completed_at": "2026-03-20T07:00:00Z"}, "")
    assert (done.day, done.deltas) == ("2026-03-12", {"petition.hall_completed": 1,
                                                      "petition.hall_completed_on_time": 1})
    assert late.deltas == {"petition.hall_completed": 1}
    returned = effect_of(f"{HALL}returned.v1", {**base, "had_been_accepted": False,
                                                "returned_at": "2026-03-05T02:00:00Z"}, "")
    assert returned.deltas == {"petition.hall_returned": 1}
    overdue = effect_of(f"{HALL}overdue.v1", {**base, "detected_at": "2026-03-16T16:00:05Z"}, "")
    assert (overdue.day, overdue.deltas) == ("2026-03-17", {"petition.hall_overdue": 1})
    window = effect_of("liandong.petition.window_service.logged.v1", {
        "service_id": "w-1", "org_unit_id": "jiayuan", "office": "tuiguan", "kind": "consultation",
        "worker": "u-1", "served_at": "2026-03-02T02:10:00Z"}, "")
    assert window.deltas == {"petition.window_services": 1, "petition.window_services.tuiguan": 1}


def test_the_annual_report_says_the_halls_figures_in_the_offices_words():
    figures = {"petition.hall_matters": 5, "petition.hall_matters.shebao": 3, "petition.hall_matters.minzheng": 2,
               "petition.hall_on_behalf": 2, "petition.hall_completed": 4, "petition.hall_completed_on_time": 3,
               "petition.hall_returned": 1, "petition.hall_overdue": 1, "petition.window_services": 7,
               "petition.window_services.tuiguan": 6, "petition.window_services.shebao": 1}
    overview = _present(figures, labels=OFFICES)
    assert overview["rates"]["petition.hall_on_time_rate"]["value"] == 0.75
    assert overview["metrics"]["petition.window_services.tuiguan"]["label"] == "退管窗口服务"
    assert sentences(overview)["十、便民服务"] == [
        "一站式服务大厅受理各类事项5件,办结4件,按时办结率75.0%,其中全程代办2件;窗口服务7次。",
        "受理事项中民政2件、社保3件;窗口服务中社保1次、退管6次;退件1件,超期1件。"]
    quiet = sentences(_present({}, labels=OFFICES))["十、便民服务"]
    assert quiet == ["一站式服务大厅受理各类事项0件,办结0件,按时办结率—,其中全程代办0件;窗口服务0次。",
                     "退件0件,超期0件。"]
