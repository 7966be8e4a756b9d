"""What the OpenAPI fuzzing covered, printed at the end of the run (operations, examples, failures per service)."""
from __future__ import annotations

import pytest

REPORT: dict[tuple[str, str], dict] = {}


@pytest.fixture(scope="session")
def fuzz_report() -> dict:
    return REPORT


def pytest_terminal_summary(terminalreporter):
    if not REPORT:
        return
    terminalreporter.write_sep("-", "schemathesis: OpenAPI fuzzing per service")
    for (service, caller), row in sorted(REPORT.items()):
        terminalreporter.write_line(
            f"{service:<10} {caller:<14} operations={row['operations']:<3} examples={row['examples']:<5} "
            f"failures={row['failures']}  ({row['seconds']:.1f} s)")
