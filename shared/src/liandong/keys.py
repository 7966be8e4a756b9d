"""The signing and encryption keys when none is configured (demo, `make run`): random, made on first
start, kept in the key directory (the data directory unless LIANDONG_KEY_DIR says otherwise).

There is no default key in the source: a public default lets anyone sign a token for any role.
Every process of one data directory must use the same keys (`make run` starts ten at once), so a
key file is written whole under a temporary name and published with `link`, which fails if the
name exists: the first process's key wins and the others read it; none ever reads a half-written
file. Files are 0600, the directory 0700.
"""
from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

KEY_FILES = {"secret_key": "signing.key", "encryption_key": "encryption.key"}


def _read(path: Path) -> str:
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise ValueError(f"{path} is empty")
    return value


def load_or_create(directory: Path, name: str) -> str:
    """The key stored as `directory/<file of name>`, created (random, 32 bytes) if there is none."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / KEY_FILES[name]
    if path.exists():
        return _read(path)
    value = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    tmp = directory / f".{KEY_FILES[name]}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(value + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic: exactly one process publishes; the file is complete when seen
        except FileExistsError:
            pass  # another process was first: use its key
    finally:
        tmp.unlink(missing_ok=True)
    return _read(path)
