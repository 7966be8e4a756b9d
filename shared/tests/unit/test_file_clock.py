"""The clock every process of an end-to-end test reads from one file: moving it is seen at once, and a process
reading while it moves sees the old time or the new one — never the real date (an empty file reads as no offset),
which dated a deadline scan's finding outside the year under test (tests/e2e/test_year_hall.py, once in CI)."""
from __future__ import annotations

import threading

from liandong.clock import FileClock


def test_a_moved_clock_is_read_by_another_clock_on_the_same_file(tmp_path):
    path = tmp_path / "clock"
    reader = FileClock(path)
    assert reader.offset() == 0.0  # no file yet: the real time
    FileClock.move(path, 3600)
    assert reader.offset() == 3600.0
    FileClock.move(path, -86400.5)
    assert reader.offset() == -86400.5
    assert [p.name for p in tmp_path.iterdir()] == ["clock"]  # nothing left beside it


def test_a_reader_never_sees_the_real_date_while_the_clock_moves(tmp_path):
    path = tmp_path / "clock"
    FileClock.move(path, 100)
    reader = FileClock(path)
    done = threading.Event()
    seen: set[float] = set()

    def read() -> None:
        while not done.is_set():
            seen.add(reader.offset())

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for i in range(3000):
            FileClock.move(path, 100 + i % 2)
    finally:
        done.set()
        thread.join()
    assert seen <= {100.0, 101.0}, sorted(seen)[:5]
