"""The console's 签报 card on the report page: a community submits its month, its sub-district approves it, and a
refusal comes back in the API's words (issue #21)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_community_submits_its_month_and_the_sub_district_approves_it(new_tab):
    worker = new_tab()
    worker.login("jiayuan_worker")
    page = worker.page
    worker.go("reports", "jiayuan")
    card = page.locator("#sign-off")
    card.locator("[name=period]").fill("2026-10")
    card.get_by_role("button", name="报送").click()
    page.locator("#sign-off-state", has_text="2026-10：已报送").wait_for()
    # the month under way has not ended: the API's refusal is shown on the field
    card.locator("[name=period]").fill("2099-01")
    card.get_by_role("button", name="报送").click()
    card.locator('[data-field="period"] .err', has_text="ends on").wait_for()
    assert not worker.errors, worker.errors

    officer = new_tab()
    officer.login("huangqi_officer")
    officer.go("reports", "jiayuan")
    card = officer.page.locator("#sign-off")
    card.locator("[name=period]").fill("2026-10")
    card.get_by_role("button", name="审核").click()
    officer.page.locator("#sign-off-state", has_text="2026-10：已审核").wait_for()
    assert not officer.errors, officer.errors
