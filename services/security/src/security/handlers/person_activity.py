"""What the security service learns of residents from the other services' events, for the one file per
household (一户一档, #19): grants and payments, petitions, volunteer hours, welfare's registers (#20), by
`person_key`."""
from __future__ import annotations

from liandong.contracts import CONTRACTS

from ..adapters.person_activity import PersonActivity


def _type(name: str) -> str:
    return CONTRACTS.by_name(name).type


def handlers(deps) -> dict:
    """{event type: handler}; each applies an event once (a redelivery changes nothing)."""
    store = PersonActivity(deps)
    store.prepare()
    grant_events = ("welfare.grant.started", "welfare.grant.suspended", "welfare.grant.resumed", "welfare.grant.ended")
    petition_steps = ("petition.assigned", "petition.answered", "petition.closed", "petition.escalated")
    return {
        **{_type(n): store.grant_changed for n in grant_events},
        _type("welfare.payment.disbursed"): store.payment_disbursed,
        _type("petition.registered"): store.petition_registered,
        **{_type(n): store.petition_moved for n in petition_steps},
        _type("volunteer.registered"): store.volunteer_registered,
        _type("volunteer.attendance.recorded"): store.attendance_recorded,
        _type("volunteer.coins.credited"): store.coins_credited,
        # welfare's person registers (#20): the member is in the 退管 / 老龄, 残联 or 优抚 register
        _type("welfare.register_entry.registered"): store.register_entry_changed,
        _type("welfare.register_entry.ended"): store.register_entry_changed,
    }
