"""Back up a running platform, destroy its data, restore, and get the same figures back."""
from __future__ import annotations

import shutil

import pytest
import requests

from liandong import backup
from liandong.testing import auth_headers, wait_for



def figures(settings) -> dict:
    gateway = f"http://127.0.0.1:{settings.ports['gateway']}"
    h = auth_headers(settings)
    tree = requests.get(f"{gateway}/api/v1/org/tree", headers=h, timeout=5).json()["units"]
    known = {}
    for svc in ("petition", "welfare", "volunteer", "security"):
        url = f"http://127.0.0.1:{settings.ports[svc]}/api/v1/{svc}/org-units/yangzhong"
        known[svc] = requests.get(url, headers=h, timeout=5).json().get("path")
    return {"tree": sorted((u["id"], u["path"], u["name"]) for u in tree), "known": known}


@pytest.mark.e2e
def test_backup_destroy_restore_gives_the_same_figures(platform_settings, e2e, tmp_path):
    settings = platform_settings()
    proc = e2e.start_platform(settings, tmp_path / "run1.log")
    try:
        e2e.check_running(settings)
        before = wait_for(lambda: (lambda f: f if all(f["known"].values()) else None)(figures(settings)), 30,
                          message="every service knows the tree")
        taken = backup.backup(settings, tmp_path / "backup")  # online, while the platform runs
    finally:
        e2e.stop_platform(proc)
    assert "bus.db" in taken["files"] and any(n.endswith("_gateway.db") for n in taken["files"])
    shutil.rmtree(settings.data_dir)  # destroy
    backup.restore(settings, tmp_path / "backup")
    proc = e2e.start_platform(settings, tmp_path / "run2.log")
    try:
        e2e.check_running(settings)
        assert figures(settings) == before
    finally:
        e2e.stop_platform(proc)
