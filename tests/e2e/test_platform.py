"""The whole platform as `make run` starts it: five web processes and five workers, through HTTP."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
import requests

from liandong.config import SERVICES

@pytest.mark.e2e
def test_make_run_serves_ready_and_keeps_its_data_across_a_restart(platform_settings, e2e, tmp_path):
    settings = platform_settings()
    proc = e2e.start_platform(settings, tmp_path / "run1.log")
    try:
        first = e2e.check_running(settings)
        assert first["jiayuan"]["path"] == "/chuanying/huangqi/jiayuan/" and len(first) == 22
    finally:
        e2e.stop_platform(proc)
    assert proc.returncode == 0, (tmp_path / "run1.log").read_text()[-2000:]
    proc = e2e.start_platform(settings, tmp_path / "run2.log")
    try:
        second = e2e.check_running(settings)
        assert second == first  # the same tree, loaded once, still there
    finally:
        e2e.stop_platform(proc)


@pytest.mark.e2e
@pytest.mark.kafka
@pytest.mark.mongo
def test_the_platform_runs_on_kafka_and_ferretdb(platform_settings, e2e, tmp_path):
    settings = platform_settings(store="mongo", bus="kafka")
    proc = e2e.start_platform(settings, tmp_path / "run.log")
    try:
        units = e2e.check_running(settings)
        assert units["yangzhong"]["path"] == "/chuanying/ceguan/yangzhong/"
    finally:
        e2e.stop_platform(proc)
    import pymongo

    client = pymongo.MongoClient(settings.mongo_uri)
    for svc in SERVICES:
        client.drop_database(f"{settings.database_prefix}_{svc}")
