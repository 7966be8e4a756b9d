"""The console resubmits a request whose answer was lost with the same Idempotency-Key (issue #16)."""
from __future__ import annotations

import uuid

import pytest
import requests

from .test_console import api_token

pytestmark = pytest.mark.e2e


def test_a_petition_submitted_again_after_a_lost_answer_is_registered_once(new_tab, console, tools):
    worker = new_tab()
    worker.login("jiayuan_worker")
    page = worker.page
    keys: list[str] = []

    def lose_the_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the gateway and the service handle it and store the petition ...
            route.abort("connectionreset")  # ... and the answer never reaches the browser
        else:
            route.continue_()

    page.route("**/api/v1/petition/petitions", lose_the_first_answer)
    marker = f"断线重交{uuid.uuid4().hex[:8]}"
    worker.go("petitions/new", "jiayuan")
    form = page.locator("#petition-form")
    form.locator("[name=category]").select_option("environment_noise")
    form.locator("[name=channel]").select_option("visit")
    form.locator("[name=title]").fill(marker)
    form.locator("[name=content]").fill(f"楼下饭店油烟和噪音扰民 {marker}")
    form.locator('[name="p0.name"]').fill("刘女士")
    form.locator('[name="p0.id_number"]').fill(tools.id_number("19750315", "135"))
    page.click("#submit-petition")
    page.wait_for_function("() => document.querySelector('#submit-petition') && "
                           "!document.querySelector('#submit-petition').disabled")
    assert len(keys) == 1 and "petition-detail" not in page.content()
    page.click("#submit-petition")  # the user submits the same form again
    page.locator('.petition-detail[data-state="registered"]').wait_for()

    found = requests.get(f"{console.base}/api/v1/petition/petitions", params={"q": marker, "org_unit": "jiayuan"},
                         headers=api_token(console.base, "jiayuan_worker"), timeout=10).json()
    assert found["total"] == 1, found  # registered once, not once per click
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
