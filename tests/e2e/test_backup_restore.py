"""Back up a running platform after records were made in every service, destroy its data, restore, and
get the same records back (ids and fields, through the API), on SQLite and on FerretDB with Kafka.

The records are made after start: the demo tree alone would come back on an empty data directory
(it is imported again), so a restore that did nothing would pass. The keys are the settings' own
(`make_settings` sets them): a backup holds no keys, a restore needs the same ones (docs/operations.md).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from liandong import backup


def destroy(settings, e2e) -> None:
    shutil.rmtree(settings.data_dir)
    if settings.store == "mongo":
        e2e.drop_databases(settings)


@pytest.mark.e2e
@pytest.mark.parametrize("store,bus", [("sqlite", "embedded"), ("mongo", "kafka")])
def test_backup_destroy_restore_gives_the_same_records_in_every_service(platform_settings, e2e, tmp_path, store,
                                                                       bus):
    settings = platform_settings(store=store, bus=bus)
    proc = e2e.start_platform(settings, tmp_path / "run1.log")
    try:
        e2e.check_running(settings)
        records = e2e.Records(settings)
        records.create()
        before = records.snapshot()
        taken = backup.backup(settings, tmp_path / "backup")  # online, while the platform runs
    finally:
        e2e.stop_platform(proc)
    assert not any(p.name.endswith(".key") or p.name == "keys" for p in Path(tmp_path / "backup").rglob("*"))
    if store == "sqlite":
        assert "bus.db" in taken["files"] and any(n.endswith("_gateway.db") for n in taken["files"])
    try:
        destroy(settings, e2e)
        backup.restore(settings, tmp_path / "backup")
        proc = e2e.start_platform(settings, tmp_path / "run2.log")
        try:
            e2e.check_running(settings)
            e2e.check_same_records(before, records.snapshot())
        finally:
            e2e.stop_platform(proc)
    finally:
        if store == "mongo":
            destroy(settings, e2e)
