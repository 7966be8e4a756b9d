"""Time, in one place, so that tests can move it.

Times on the wire and in storage are ISO-8601 UTC strings with microseconds and a `Z`, which sort
as they compare. A `FileClock` reads an offset (seconds) from a file on every call, which lets an
end-to-end test move the clock of every process at once (`LIANDONG_CLOCK_FILE`); production uses
the system clock.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path


# The offices' calendar: China Standard Time (UTC+8, no daylight saving). A day a user names
# ("from 2026-01-01") is a day there; times are stored and answered in UTC.
LOCAL_TZ = timezone(timedelta(hours=8))


def to_iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str) -> datetime:
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


class Clock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def now_iso(self) -> str:
        return to_iso(self.now())

    def today(self):
        """Today's date in the offices' calendar (China Standard Time)."""
        return self.now().astimezone(LOCAL_TZ).date()


class FixedClock(Clock):
    """A clock a unit test sets and advances by hand."""

    def __init__(self, start: datetime | str):
        self.current = from_iso(start) if isinstance(start, str) else start

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current = self.current + timedelta(**delta)


class FileClock(Clock):
    """System time plus an offset in seconds read from a file (missing or empty file: no offset)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def offset(self) -> float:
        try:
            text = self.path.read_text().strip()
        except FileNotFoundError:
            return 0.0
        return float(text) if text else 0.0

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + timedelta(seconds=self.offset())

    @staticmethod
    def move(path: str | Path, seconds: float) -> None:
        """Set the offset every process reads, at once: written beside the file and renamed over it, so that
        a process reading meanwhile gets the old offset or the new one, never an empty file — which reads as
        no offset, the real date (a deadline scan then dated its finding today, outside the year under test)."""
        path = Path(path)
        part = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
        part.write_text(str(seconds))
        os.replace(part, path)


def clock_for(clock_file: str | None) -> Clock:
    return FileClock(clock_file) if clock_file else Clock()
