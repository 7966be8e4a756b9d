"""A relay or a consumer process for the crash test; the test kills it with SIGKILL mid-stream.

Usage: python crash_actor.py relay|consumer   (settings from the environment, as a service reads them)
"""
from __future__ import annotations

import sys
import threading
import time

from marshmallow import Schema, fields

from liandong.bus import open_bus
from liandong.config import Settings
from liandong.consumer import EventConsumer, apply_once, insert_once
from liandong.events import ContractRegistry
from liandong.outbox import OutboxRelay
from liandong.storage import open_database

registry = ContractRegistry()


@registry.contract("crash.case_changed", 1, example={"step": 1})
class CaseChanged(Schema):
    step = fields.Integer(required=True)


def main(role: str) -> None:
    settings = Settings.from_env("crash")
    db = open_database(settings)
    bus = open_bus(settings)
    stop = threading.Event()
    if role == "relay":
        OutboxRelay(bus, [db.collection("cases")], batch_size=20).run(stop, interval=0.02)
        return
    effects = open_database(settings, name=f"{settings.database_prefix}_effects")
    ledger, per_case, totals = (effects.collection(n) for n in ("ledger", "per_case", "totals"))

    def handle(env):
        time.sleep(0.002)  # slow enough that a kill lands inside a batch
        insert_once(ledger, {"_id": env.id, "subject": env.subject})
        apply_once(per_case, env.subject, env.id, {"$inc": {"n": 1}})
        apply_once(totals, "all", env.id, {"$inc": {"n": 1}})

    consumer = EventConsumer(bus, "crash-consumer", ["crash.events"],
                             {registry.by_name("crash.case_changed").type: handle}, registry)
    consumer.run(stop)


if __name__ == "__main__":
    main(sys.argv[1])
