"""Freeze example payloads of every event type that has none yet (run: python shared/tests/contract/freeze_examples.py).

An event on the wire outlives the code that wrote it (a topic keeps every event; a consumer replays
them, a rebuild reads them from the beginning), so what version N of an event looked like is kept
here as it was when version N shipped: the contract's example as a producer puts it on the wire, and
the same with only its required fields. test_contract_compatibility.py checks that today's schemas
still accept every one. A frozen file is never rewritten: a change that would need it rewritten is
a new version of the event (`.v2`, registered beside the old one).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from liandong.contracts import CONTRACTS
from liandong.events.registry import EventContract

EXAMPLES = Path(__file__).resolve().parent / "examples"
ORGPATH = "/chuanying/huangqi/jiayuan/"


def path_of(event_type: str) -> Path:
    return EXAMPLES / f"{event_type}.json"


def examples_of(contract: EventContract) -> list[dict]:
    """The full example and its required fields only, as a producer of today emits them."""
    required = {name for name, f in contract.schema().fields.items() if f.required}
    full = CONTRACTS.new_event(contract.name, "subject-1", contract.example, ORGPATH, version=contract.version).data
    minimal = {k: v for k, v in contract.example.items() if k in required}
    minimal = CONTRACTS.new_event(contract.name, "subject-1", minimal, ORGPATH, version=contract.version).data
    return [full] if minimal == full else [full, minimal]


def freeze(today: str) -> list[str]:
    EXAMPLES.mkdir(exist_ok=True)
    written = []
    for contract in CONTRACTS.all():
        target = path_of(contract.type)
        if target.exists():
            continue
        body = {"type": contract.type, "frozen_on": today, "examples": examples_of(contract)}
        target.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(contract.type)
    return written


if __name__ == "__main__":
    from datetime import date

    for name in freeze(date.today().isoformat()):
        print("froze", name)
    sys.exit(0)
