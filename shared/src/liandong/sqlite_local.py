"""One SQLite connection per thread and per process, as the embedded storage and the embedded event log
keep them: a forked worker opens its own (a connection must not cross a fork), every one in WAL mode
with the same busy timeout, and an error to open or ping it is the caller's "unavailable" error."""
from __future__ import annotations

import os
import sqlite3
import threading
from typing import Callable


def thread_connection(local: threading.local, path: str, synchronous: str, unavailable: type[Exception],
                      what: str, setup: Callable[[sqlite3.Connection], None] | None = None) -> sqlite3.Connection:
    conn = getattr(local, "conn", None)
    if conn is None or local.pid != os.getpid():
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={synchronous}")
            conn.execute("PRAGMA busy_timeout=30000")
            if setup is not None:
                setup(conn)
        except sqlite3.Error as exc:
            raise unavailable(f"cannot open {what} {path}: {exc}") from exc
        local.conn = conn
        local.pid = os.getpid()
    return conn


def ping(conn: Callable[[], sqlite3.Connection], unavailable: type[Exception]) -> None:
    try:
        conn().execute("SELECT 1").fetchone()
    except sqlite3.Error as exc:
        raise unavailable(str(exc)) from exc


def close_thread_connection(local: threading.local) -> None:
    conn = getattr(local, "conn", None)
    if conn is not None:
        conn.close()
        local.conn = None
