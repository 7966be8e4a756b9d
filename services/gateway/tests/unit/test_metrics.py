"""How events move the offices' figures, and how rates are weighted, without I/O."""
from gateway.domain.metrics import RATES, effect_of, local_day, rate_value


def test_a_group_petition_counts_one_batch_and_its_headcount_in_person_times():
    eff = effect_of("liandong.petition.registered.v1", {"headcount": 40, "is_group": True,
                                                         "registered_at": "2026-03-01T17:30:00.000000Z"},
                    "2026-03-01T17:30:01Z")
    assert eff.day == "2026-03-02"  # 01:30 the next morning in China
    assert eff.deltas == {"petition.batches": 1, "petition.person_times": 40, "petition.group_batches": 1,
                          "petition.group_person_times": 40}


def test_hours_carried_forward_on_rollout_day_count_as_minutes_but_no_participation():
    attended = {"source": "activity", "started_at": "2026-03-05T01:00:00.000000Z", "minutes": 180,
                "delta_minutes": 180, "correction_reason": None}
    opening = {**attended, "source": "opening", "minutes": 7590, "delta_minutes": 7590}
    assert effect_of("liandong.volunteer.attendance.recorded.v1", attended, "2026-03-05T04:00:00Z").deltas == {
        "volunteer.participant_times": 1, "volunteer.minutes": 180}
    assert effect_of("liandong.volunteer.attendance.recorded.v1", opening, "2026-03-05T04:00:00Z").deltas == {
        "volunteer.minutes": 7590}


def test_a_suspended_grant_leaves_the_households_covered_using_what_was_remembered():
    started = effect_of("liandong.welfare.grant.started.v1",
                        {"programme": "dibao_urban", "household_size": 3}, "2026-01-05T02:00:00Z")
    suspended = effect_of("liandong.welfare.grant.suspended.v1", {"programme": "dibao_urban"},
                          "2026-06-05T02:00:00Z", {"household_size": 3, "programme": "dibao_urban"})
    assert started.deltas["welfare.people.dibao_urban"] == 3
    assert suspended.deltas == {"welfare.households": -1, "welfare.people": -3,
                                "welfare.households.dibao_urban": -1, "welfare.people.dibao_urban": -3}


def test_rates_are_weighted_by_their_sums_not_averaged():
    rate = next(r for r in RATES if r.key == "security.mediation_success_rate")
    a = {"security.mediations": 98, "security.mediations_succeeded": 91}
    b = {"security.mediations": 2, "security.mediations_succeeded": 0}
    both = {k: a[k] + b[k] for k in a}
    assert round(rate_value(rate, a), 3) == 0.929
    assert rate_value(rate, both) == 0.91  # not (0.929 + 0) / 2
    assert rate_value(rate, {}) is None


def test_events_that_do_not_move_figures_have_no_effect():
    assert effect_of("liandong.volunteer.coins.reserved.v1", {"coins": 3}, "2026-01-01T00:00:00Z") is None
    assert local_day("2026-12-31T16:00:00.000000Z") == "2027-01-01"


def test_the_register_counts_households_and_residents_as_stocks_that_go_down():
    resident = {"org_unit_id": "jiayuan", "resident_id": "r-1", "person_key": "k", "relationship": "head",
                "residence": "floating", "tags": [], "moved_out_at": None}
    added = effect_of("liandong.security.resident.added.v1", resident, "2026-03-01T02:00:00Z")
    gone = effect_of("liandong.security.resident.moved_out.v1", {**resident, "moved_out_at": "2026-09-01T02:00:00Z"},
                     "2026-09-01T02:00:05Z")
    assert added.deltas == {"security.residents": 1, "security.residents_floating": 1}
    assert (gone.day, gone.deltas) == ("2026-09-01", {"security.residents": -1, "security.residents_floating": -1})
    registered = effect_of("liandong.security.household.registered.v1", {"registered_at": "2026-03-01T02:00:00Z"},
                           "2026-03-01T02:00:01Z")
    left = effect_of("liandong.security.household.left.v1", {"left_at": "2026-09-01T02:00:00Z"}, "2026-09-01T03:00:00Z")
    assert (registered.deltas, left.deltas) == ({"security.households": 1}, {"security.households": -1})


def test_a_grant_from_the_roster_counts_from_its_start_month_one_from_the_platform_from_its_approval():
    imported = {"programme": "dibao_urban", "household_size": 2, "start_period": "2024-03", "imported": True}
    approved = {**imported, "imported": False}
    assert effect_of("liandong.welfare.grant.started.v1", imported, "2026-11-29T02:00:00Z").day == "2024-03-01"
    assert effect_of("liandong.welfare.grant.started.v1", approved, "2026-11-29T02:00:00Z").day == "2026-11-29"


def test_a_migrant_found_moved_out_leaves_the_floating_population_and_a_lapsed_permit_is_its_own_stock():
    fact = {"migrant_id": "m-1", "org_unit_id": "jiayuan", "community_id": "jiayuan"}
    lapsed = effect_of("liandong.security.migrant.permit_lapsed.v1", {**fact, "expired_on": "2026-09-30"},
                       "2026-10-03T01:00:00Z")
    assert (lapsed.day, lapsed.deltas) == ("2026-10-01", {"security.migrant_permits_lapsed": 1})  # the day after
    gone = effect_of("liandong.security.migrant.moved_out.v1",
                     {**fact, "moved_out_at": "2026-10-08T02:00:00Z", "permit_lapsed": True}, "2026-10-08T02:00:01Z")
    assert (gone.day, gone.deltas) == ("2026-10-08", {"security.migrants": -1, "security.migrant_permits_lapsed": -1})
    still_valid = effect_of("liandong.security.migrant.moved_out.v1",
                            {**fact, "moved_out_at": "2026-10-08T02:00:00Z", "permit_lapsed": False}, "2026-10-08")
    assert still_valid.deltas == {"security.migrants": -1}
    renewed = effect_of("liandong.security.migrant.permit_renewed.v1",
                        {**fact, "permit_expires_on": "2027-09-30", "was_lapsed": True}, "2026-10-09T02:00:00Z")
    assert renewed.deltas == {"security.migrant_permits_lapsed": -1}
    assert effect_of("liandong.security.migrant.permit_renewed.v1",
                     {**fact, "permit_expires_on": "2027-09-30", "was_lapsed": False}, "2026-10-09T02:00:00Z") is None


def test_a_residence_status_change_moves_the_resident_between_the_figures_by_status():
    resident = {"org_unit_id": "jiayuan", "resident_id": "r-1", "person_key": "k", "relationship": "head",
                "residence": "floating", "tags": [], "moved_out_at": None}
    moved = effect_of("liandong.security.resident.changed.v1", {**resident, "previous_residence": "registered"},
                      "2026-05-01T02:00:00Z")
    assert moved.deltas == {"security.residents_registered": -1, "security.residents_floating": 1}
    # a change of tags only (or an event from before the field existed) moves nothing
    assert effect_of("liandong.security.resident.changed.v1", resident, "2026-05-01T02:00:00Z") is None


def test_a_volunteer_who_left_is_no_longer_registered():
    left = effect_of("liandong.volunteer.left.v1", {"volunteer_id": "v", "org_unit_id": "jiayuan",
                                                     "left_at": "2026-10-08T02:00:00.000000Z"}, "2026-10-08T02:00:01Z")
    assert (left.day, left.deltas) == ("2026-10-08", {"volunteer.volunteers": -1})

# -- 就业 / 社保 (#20)

def _effect(name: str, data: dict, at: str = "2026-11-29T02:00:00Z"):
    return effect_of(f"liandong.welfare.{name}.v1", data, at)


def test_job_seekers_are_a_stock_that_a_placement_or_an_ending_takes_down_and_a_placement_counts_as_placed():
    seeker = {"jobseeker_id": "js-1", "org_unit_id": "jiayuan", "person_key": "k"}
    registered = _effect("jobseeker.registered", {**seeker, "category": "laid_off", "registered_on": "2026-03-02"})
    on_site = _effect("jobseeker.placed", {**seeker, "kind": "flexible", "on_site": True, "placed_on": "2026-05-20"})
    elsewhere = _effect("jobseeker.placed", {**seeker, "kind": "enterprise", "on_site": False, "placed_on": "2026-06-01"})
    ended = _effect("jobseeker.ended", {**seeker, "reason": "moved_away", "ended_on": "2026-07-01"})
    assert (registered.day, registered.deltas) == ("2026-03-02", {"welfare.jobseekers": 1})
    assert (on_site.day, on_site.deltas) == ("2026-05-20", {"welfare.jobseekers": -1, "welfare.placements": 1,
                                                            "welfare.placements_on_site": 1})
    assert elsewhere.deltas == {"welfare.jobseekers": -1, "welfare.placements": 1}
    assert (ended.day, ended.deltas) == ("2026-07-01", {"welfare.jobseekers": -1})
    issued = _effect("reemployment_certificate.issued", {**seeker, "certificate_id": "rc-1", "issued_on": "2026-03-10"})
    assert (issued.day, issued.deltas) == ("2026-03-10", {"welfare.reemployment_certificates": 1})


def test_a_zero_employment_household_leaves_the_stock_when_cleared_and_counts_as_cleared():
    identified = _effect("zero_employment_household.identified", {"identified_on": "2026-02-20", "working_age_members": 2})
    cleared = _effect("zero_employment_household.cleared", {"cleared_on": "2026-05-20", "days_open": 89})
    assert (identified.day, identified.deltas) == ("2026-02-20", {"welfare.zero_employment_households": 1})
    assert (cleared.day, cleared.deltas) == ("2026-05-20", {"welfare.zero_employment_households": -1,
                                                            "welfare.zero_employment_cleared": 1})


def test_a_medical_insurance_enrolment_counts_in_the_year_enrolled_for_not_the_day_of_enrolment():
    next_year = _effect("medical_insurance.enrolled", {"year": 2027, "enrolled_on": "2026-12-10"}, "2026-12-10T02:00:00Z")
    assert (next_year.day, next_year.deltas) == ("2027-01-01", {"welfare.medical_insurance_enrolled": 1})
