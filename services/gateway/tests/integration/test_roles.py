"""The platform's roles and duties have one list (liandong.auth) and one place every client reads their names from
(GET /api/v1/auth/roles): a role or duty added to auth.py without a name the offices use fails here, and the
console keeps no copy of its own that could fall out of step (issue #22)."""
from __future__ import annotations

import re
from pathlib import Path

from liandong import auth

CONSOLE = Path(__file__).resolve().parents[2] / "src" / "gateway" / "console" / "static"
CHINESE = re.compile(r"^[\u4e00-\u9fff（）、]+$")


def test_every_role_and_duty_auth_grants_is_named_in_chinese_by_the_gateway(svc):
    answer = svc.client.get("/api/v1/auth/roles", headers=svc.headers("jiayuan_grid"))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    roles = {r["code"]: r["name"] for r in answer.get_json()["roles"]}
    duties = {d["code"]: d["name"] for d in answer.get_json()["duties"]}
    # every role a grant may hold (it has permissions) and every duty that widens them
    assert set(auth.PERMISSIONS) | set(auth.ROLES) == set(roles)
    assert set(auth.DUTY_PERMISSIONS) | set(auth.DUTIES) <= set(duties)
    unnamed = {code: name for code, name in {**roles, **duties}.items() if not CHINESE.match(name or "")}
    assert not unnamed, f"roles or duties without a Chinese name in liandong.auth: {unnamed}"
    assert roles["community_police"] == "社区民警" and duties["corrections"] == "矫正专干"


def test_the_roles_need_a_login(svc):
    assert svc.client.get("/api/v1/auth/roles").status_code == 401


def test_the_console_names_roles_only_from_the_gateway():
    """No role or duty code written into the console's scripts: a copy there would miss tomorrow's role."""
    # these words are also other vocabularies' codes: a volunteer's kind, an activity type, a screen
    elsewhere = {"resident", "family_planning", "corrections"}
    codes = (set(auth.ROLES) | set(auth.PERMISSIONS) | set(auth.DUTIES)) - elsewhere
    found = {}
    for script in CONSOLE.rglob("*.js"):
        if "vendor" in script.parts:
            continue
        text = script.read_text(encoding="utf-8")
        hits = [c for c in codes if re.search(rf"[\"'`]{c}[\"'`]|\b{c}:", text)]
        if hits:
            found[str(script.relative_to(CONSOLE))] = hits
    assert not found, f"the console names roles itself; use state.roleNames / state.dutyNames (GET /api/v1/auth/roles): {found}"
