"""A programme's name travels with the events that name it (#17: single sources of truth).

The gateway's reports name a programme in welfare's words without keeping a list of their own, even one
that welfare's configuration added yesterday and the gateway has never heard of, and even while welfare
cannot be asked: the name comes on `welfare.grant.started` and `welfare.payment.disbursed`.
"""
from __future__ import annotations

import pytest

from liandong.testing import wait_for

from welfare_testkit import SUBDISTRICT


@pytest.mark.parametrize("svc", ["sqlite", "mongo"], indirect=True)
def test_grant_started_and_payment_disbursed_carry_the_programmes_configured_name(svc):
    name = svc.welfare.catalogue.get("dibao_urban").name
    grant = svc.approved_grant(SUBDISTRICT)
    svc.clock.set_month(grant["start_period"])
    paid = svc.post("/disbursements", {"org_unit_id": "huangqi", "period": grant["start_period"]}, **SUBDISTRICT)
    assert paid.status_code in (200, 201), paid.get_json()
    wanted = {"liandong.welfare.grant.started.v1", "liandong.welfare.payment.disbursed.v1"}
    events = wait_for(lambda: (e := svc.events(wanted)) and {x.type for x in e} == wanted and e, 20,
                      message="grant.started and payment.disbursed on welfare's topic")
    for event in events:
        assert event.data["programme"] == "dibao_urban"
        assert event.data["programme_name"] == name, (event.type, event.data)
