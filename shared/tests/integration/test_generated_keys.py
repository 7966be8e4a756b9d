"""Without configured secrets the keys are random, made on first start, kept 0600 in the data directory,
the same for every process of that directory; the old public default key signs nothing any more."""
import os
import stat
import subprocess
import sys
import time

import jwt
import pytest

from liandong.auth import AUDIENCE, ISSUER, Grant, Principal, TokenService
from liandong.config import Settings
from liandong.platform import Platform

OLD_PUBLIC_DEFAULT = "dev-only-insecure-secret-change-me"  # what the source used to ship


def demo_env(tmp_path, **extra) -> dict:
    return {"LIANDONG_DATA_DIR": str(tmp_path / "data"), "LIANDONG_ENV": "demo", **extra}


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_a_token_signed_with_the_old_public_default_is_refused(make_settings, store):
    settings = make_settings(service="petition", store=store)
    # the keys a demo process has when none is configured (make run, compose's demo)
    unset = Settings.from_env("petition", {"LIANDONG_DATA_DIR": str(settings.data_dir)})
    settings = settings.with_overrides(secret_key=unset.secret_key, encryption_key=unset.encryption_key)
    app = Platform.create("petition", settings).create_app()
    client = app.test_client()
    admin = Principal("u-forger", "伪造者", (Grant("district_admin", "chuanying", "/chuanying/"),))
    now = int(time.time())
    forged = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "u-forger", "name": "伪造者",
                         "grants": [g.to_claim() for g in admin.grants], "iat": now, "nbf": now - 5,
                         "exp": now + 600, "jti": "forged"}, OLD_PUBLIC_DEFAULT, algorithm="HS256")
    refused = client.get("/api/v1/petition/org-units/x", headers={"Authorization": f"Bearer {forged}"})
    assert refused.status_code == 401
    # the same claims signed with the data directory's key pass the signature check (404: no such unit)
    real = TokenService(settings.with_keys().secret_key).issue(admin)[0]
    assert client.get("/api/v1/petition/org-units/x", headers={"Authorization": f"Bearer {real}"}).status_code == 404


def test_keys_are_random_kept_0600_and_stable_across_restarts(tmp_path):
    first = Settings.from_env("gateway", demo_env(tmp_path))
    assert first.secret_key and first.encryption_key and first.secret_key != first.encryption_key
    assert OLD_PUBLIC_DEFAULT not in (first.secret_key, first.encryption_key)
    keys = tmp_path / "data" / "keys"
    for name in ("signing.key", "encryption.key"):
        assert stat.S_IMODE(os.stat(keys / name).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(keys).st_mode) & 0o077 == 0
    again = Settings.from_env("welfare", demo_env(tmp_path))  # a restart, another process of the same data dir
    assert (again.secret_key, again.encryption_key) == (first.secret_key, first.encryption_key)
    other = Settings.from_env("gateway", {"LIANDONG_DATA_DIR": str(tmp_path / "other")})
    assert other.secret_key != first.secret_key  # random, not a constant
    configured = Settings.from_env("gateway", demo_env(tmp_path, LIANDONG_SECRET_KEY="k" * 40))
    assert configured.secret_key == "k" * 40 and configured.encryption_key == first.encryption_key
    moved = Settings.from_env("gateway", demo_env(tmp_path, LIANDONG_KEY_DIR=str(tmp_path / "shared-keys")))
    assert (tmp_path / "shared-keys" / "signing.key").exists() and moved.secret_key != first.secret_key


def test_an_empty_signing_key_is_refused():
    with pytest.raises(ValueError):
        TokenService("")


def test_processes_starting_at_once_agree_on_the_keys(tmp_path):
    """`make run` starts ten processes on a fresh data directory at the same instant."""
    start_at = time.time() + 2.0
    code = ("import sys, time\n"
            "from liandong.config import Settings\n"
            f"time.sleep(max(0, {start_at} - time.time()))\n"
            "s = Settings.from_env('gateway')\n"
            "print(s.secret_key, s.encryption_key)\n")
    env = dict(os.environ, **demo_env(tmp_path))
    env.pop("LIANDONG_SECRET_KEY", None)
    env.pop("LIANDONG_ENCRYPTION_KEY", None)
    env.pop("LIANDONG_KEY_DIR", None)
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(10)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        outs.append(out.strip())
    assert len(set(outs)) == 1 and outs[0].split()[0] and len(outs[0].split()) == 2
    assert outs[0].split()[0] == (tmp_path / "data" / "keys" / "signing.key").read_text().strip()


@pytest.mark.parametrize("store", ["sqlite", "mongo"])
def test_a_rotated_signing_key_still_verifies_its_tokens_only_while_listed_as_previous(make_settings, store):
    """Rotation: the new key signs; the old one, in LIANDONG_PREVIOUS_SECRET_KEYS, only verifies until its
    tokens expire, and once removed from the list its tokens are refused."""
    old_key, new_key = "o" * 43, "n" * 43
    someone = Principal("u-1", "甲", (Grant("district_admin", "chuanying", "/chuanying/"),))
    old_token = TokenService(old_key).issue(someone)[0]
    rotating = make_settings(service="petition", store=store, secret_key=new_key, previous_secret_keys=(old_key,))
    platform = Platform.create("petition", rotating)
    c = platform.create_app().test_client()
    assert c.get("/api/v1/petition/org-units/x", headers={"Authorization": f"Bearer {old_token}"}).status_code == 404
    fresh = platform.tokens.issue(someone)[0]
    assert jwt.decode(fresh, new_key, algorithms=["HS256"], audience=AUDIENCE)["sub"] == "u-1"  # the new key signs
    done = Platform.create("petition", rotating.with_overrides(previous_secret_keys=())).create_app().test_client()
    assert done.get("/api/v1/petition/org-units/x", headers={"Authorization": f"Bearer {old_token}"}).status_code == 401
    env = Settings.from_env("petition", {"LIANDONG_DATA_DIR": "/nonexistent-unused", "LIANDONG_SECRET_KEY": new_key,
                                         "LIANDONG_ENCRYPTION_KEY": "e" * 43,
                                         "LIANDONG_PREVIOUS_SECRET_KEYS": f"{old_key}, x"})
    assert env.previous_secret_keys == (old_key, "x")
