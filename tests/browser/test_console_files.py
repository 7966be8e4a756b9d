"""The console's files themselves: nothing points outside the gateway, and nothing needs an inline script."""
from __future__ import annotations

import re

from gateway.console import CSP, STATIC

OWN = [p for p in STATIC.rglob("*") if p.is_file() and "vendor" not in p.parts]


def test_the_console_refers_to_no_other_host():
    assert any(p.suffix == ".js" for p in OWN) and (STATIC / "index.html").exists()
    for path in OWN:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), f"{path.name} names another host"
        assert "@import" not in text and "@font-face" not in text, path.name


def test_index_loads_only_its_own_files_and_no_inline_code():
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/console/") or s == "data:," for s in sources), sources
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script would need 'unsafe-inline'"
    assert not re.search(r"\son[a-z]+=", html), "inline event handlers would need 'unsafe-inline'"
    assert "script-src 'self'" in CSP and "connect-src 'self'" in CSP


def test_echarts_is_vendored_with_its_licence():
    vendor = STATIC / "vendor" / "echarts"
    assert (vendor / "echarts.min.js").stat().st_size > 500_000
    assert "Apache License" in (vendor / "LICENSE").read_text(encoding="utf-8")
