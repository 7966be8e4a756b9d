"""A claim in the README or docs/ names the test that proves it: every test it names must exist.

The threat model alone names some eighty tests; a renamed or deleted test would leave a defence claimed
with nothing behind it. This reads every `path/to/test_x.py::test_name` (and `…::` shorthands that follow a
full one in the same cell) in the README, docs/ and each service's README and checks the function is there.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted(ROOT.glob("services/*/README.md"))]
FULL = re.compile(r"`((?:[\w.-]+/)+test_\w+\.py)::(\w+)(?:\[[^\]`]*\])?`")
SHORT = re.compile(r"`…(?:[\w/]*…)?/?(test_\w+\.py)?::(\w+)(?:\[[^\]`]*\])?`")


def named_tests(text: str) -> list[tuple[str, str]]:
    """(file, test) pairs; a `…::name` shorthand means the last file named before it on the same line."""
    found = []
    for line in text.splitlines():
        last = None
        for m in re.finditer(FULL.pattern + "|" + SHORT.pattern, line):
            if m.group(1):
                last = m.group(1)
                found.append((m.group(1), m.group(2)))
            elif last:
                candidates = [last] if not m.group(3) else [str(Path(last).parent / m.group(3))]
                found.append((candidates[0], m.group(4)))
    return found


CLAIMS = sorted({(doc.relative_to(ROOT).as_posix(), f, t) for doc in DOCS for f, t in named_tests(doc.read_text())})


def test_the_docs_name_tests_at_all():
    assert len(CLAIMS) > 80  # the reader below would silently find nothing if the pattern broke


@pytest.mark.parametrize("doc,path,test", CLAIMS, ids=[f"{d}:{t}" for d, _, t in CLAIMS])
def test_every_test_the_docs_name_exists(doc, path, test):
    source = ROOT / path
    assert source.is_file(), f"{doc} names {path}, which does not exist"
    assert re.search(rf"^\s*(async\s+)?def {re.escape(test)}\(", source.read_text(), re.M), \
        f"{doc} names {path}::{test}, which is not defined there"
