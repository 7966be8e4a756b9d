"""What the security service learns from welfare: who holds a grant of a programme that marks a key group
(低保 → 低保户, 重残金 → 残疾人; the mapping is configuration), by the platform's person key. The fact is kept
whether or not the person is in the household register yet, and is put on their record when they are."""
from __future__ import annotations

from liandong.contracts import CONTRACTS
from liandong.events.envelope import Envelope

from ..service_layer.key_groups import KeyGroups

GRANT_STARTED = CONTRACTS.by_name("welfare.grant.started").type
GRANT_ENDED = CONTRACTS.by_name("welfare.grant.ended").type


def handlers(key_groups: KeyGroups, programme_tags: dict[str, str]) -> dict:
    """{event type: handler}: a grant of a mapped programme puts its holder in the key group while it runs."""

    def grant(started: bool):
        def handle(event: Envelope) -> None:
            d = event.data
            tag = programme_tags.get(d["programme"])
            if tag is None or not d.get("person_key"):
                return  # a programme that marks no key group, or an event from before person keys
            key_groups.learn(d["person_key"], f"welfare-grant:{d['grant_id']}", tag if started else None, event.id)
        return handle

    return {GRANT_STARTED: grant(True), GRANT_ENDED: grant(False)}
