"""Fixtures for the console's browser tests: the platform as `make run` starts it, and Debian's headless Chromium."""
from __future__ import annotations

import os
import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from liandong.config import SERVICES, Settings
from liandong.testing import free_port, load_module, unique

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = os.environ.get("LIANDONG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "Liandong-demo-2026"


def _e2e():
    """The e2e suite's start/stop/check helpers, so the console is tested on the platform exactly as they start it."""
    return load_module(ROOT / "tests" / "e2e" / "conftest.py", "liandong_e2e_conftest")


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """The whole platform (deploy/local/run.py) on free ports; yields the gateway's base URL and settings.

    LIANDONG_CONSOLE_TEST_URL points the tests at a platform that is already running instead.
    """
    from types import SimpleNamespace

    given = os.environ.get("LIANDONG_CONSOLE_TEST_URL")
    if given:
        yield SimpleNamespace(base=given.rstrip("/"), settings=None)
        return
    e2e = _e2e()
    tmp = tmp_path_factory.mktemp("console")
    settings = Settings(service="gateway", store="sqlite", bus="embedded", data_dir=tmp / "data",
                        database_prefix=unique("ld"), log_json=True, relay_interval=0.02,
                        ports={s: free_port() for s in SERVICES})
    log = tmp / "run.log"
    # one platform for the whole browser run: its ~200 logins (jiayuan_worker alone dozens, sometimes more than
    # ten in a minute) must not meet the per-user login limit meant for guessing (tested in the gateway's tests)
    proc = e2e.start_platform(settings, log, LIANDONG_LOGIN_ATTEMPTS="1000")
    try:
        e2e.check_running(settings)
        yield SimpleNamespace(base=f"http://127.0.0.1:{settings.ports['gateway']}", settings=settings, log=log)
    finally:
        e2e.stop_platform(proc)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class ConsolePage:
    """One browser tab on the console, with the page's errors collected so a test can assert there were none."""

    def __init__(self, context, base: str):
        self.context = context
        self.base = base
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        # 4xx answers are part of the flows (a wrong password); script errors and 5xx answers are not.
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}")
                     if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        self.page.on("response", lambda r: self.errors.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None)
        # Generous: in CI two lanes of tests share two cores with Kafka, FerretDB and the platform, and a
        # screen that appears in 16 s there is not a broken screen (a wrong one still fails at the wait).
        self.page.set_default_timeout(30000)

    def open(self, route: str = "") -> None:
        self.page.goto(f"{self.base}/console/{'#/' + route if route else ''}")

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Log in with the keyboard only: type, Tab, type, Enter."""
        page = self.page
        if not page.url.startswith(self.base):
            page.goto(self.base + "/")
        page.locator("#login-user").wait_for()
        page.locator("#login-user").fill("")
        page.locator("#login-pass").fill("")
        page.locator("#login-user").focus()
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        page.keyboard.press("Enter")
        try:
            page.locator("#user-name").wait_for()
        except Exception:  # say why the console refused (the page's own message), not only that it timed out
            raise AssertionError(f"{username} not logged in: {page.locator('#login-error').all_inner_texts()}") from None

    def go(self, route: str, org: str | None = None) -> None:
        joint = "&" if "?" in route else "?"  # a route may carry its own filters: the org joins them
        self.page.evaluate("r => { location.hash = r; }", f"#/{route}" + (f"{joint}org={org}" if org else ""))
        self.page.wait_for_function("() => !document.querySelector('#main .loading')")

    def axe(self, screen: str, allow: tuple[str, ...] = ()) -> list[dict]:
        """axe-core (Deque's engine, from npm: deploy/local/axe.sh) over the page as it is now; fails on any serious
        or critical violation, naming the rule and the elements. Returns the lesser ones (moderate, minor) so a test
        may look at them. `allow`: rule ids a screen argues away in its test, never silently."""
        # the notice (toast) fading in or out is half-transparent text no user reads: check once it has settled
        self.page.wait_for_function("() => { const t = document.querySelector('#toast'); "
                                    "return !t || ['0', '1'].includes(getComputedStyle(t).opacity); }")
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            # through the DevTools protocol, not a <script> tag: the console's CSP ('self' only) rightly refuses inline
            self.page.evaluate("src => { (0, eval)(src); }", axe_source())
        result = self.page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""")
        bad = [v for v in result if v["impact"] in ("serious", "critical") and v["id"] not in allow]
        if bad:
            self.page.screenshot(path=str(artifact(f"axe-{screen}.png")), full_page=True)
        assert not bad, f"axe-core on {screen}: " + "; ".join(f"{v['id']} ({v['impact']}: {v['help']}) at {v['nodes']}"
                                                              for v in bad)
        return [v for v in result if v not in bad]

    def metric(self, key: str) -> float:
        kpi = self.page.locator(f'.kpi[data-metric="{key}"]')
        try:
            kpi.wait_for()
        except Exception:
            self.page.screenshot(path=str(artifact(f"failed-{key}.png")), full_page=True)
            raise AssertionError(f"no figure {key}: {self.page.locator('#main').inner_text()[:500]}") from None
        return float(kpi.get_attribute("data-value"))

    # -- the steps the screens' tests share (#22: test_console_cases, _welfare, _volunteer_admin)

    def fill_form(self, form: str, values: dict, submit: bool = True) -> None:
        """Fill the form `#<form>` the way a user does, field by field in `values`' order (a select gets the option
        of that value, a checkbox is ticked or cleared, any other field is typed), then press its button."""
        locator = self.page.locator(f"#{form}")
        for name, value in values.items():
            field = locator.locator(f'[name="{name}"]')
            kind = field.evaluate("e => e.tagName + (e.type === 'checkbox' ? ':checkbox' : '')")
            if kind == "SELECT":
                field.select_option(str(value))
            elif kind.endswith(":checkbox"):
                field.check() if value else field.uncheck()
            else:
                field.fill(str(value))
        if submit:
            locator.locator("button[type=submit]").click()

    def submit_form(self, form: str, **values) -> None:
        """fill_form with the fields as keywords: `tab.submit_form("suspend-form", reason="...")`."""
        self.fill_form(form, values)

    def visit(self, route: str, org: str | None = None, axe: str | None = None) -> None:
        """go to a screen and, named `axe`, check it with axe-core as every screen a test opens must be."""
        self.go(route, org)
        if axe:
            self.axe(axe)

    def toast(self, text: str) -> None:
        """Wait for the notice (toast) that says `text`: what a form says when the service took it."""
        self.page.locator("#toast", has_text=text).wait_for()

    def record_id(self) -> str:
        """The id of the record the screen shows: the last part of the route (`#/hall/<id>?org=...`)."""
        return self.page.evaluate("() => location.hash.split('?')[0].split('/').pop()")

    def wait_route(self, fragment: str) -> None:
        """Wait for the screen a form goes to when it succeeds; else fail saying what the screen shows (its error)."""
        try:
            self.page.wait_for_function("f => location.hash.includes(f) && !document.querySelector('#main .loading')",
                                        arg=fragment)
        except Exception:
            raise AssertionError(f"not at {fragment}: {self.page.locator('#main').inner_text()[:800]}") from None

    def api(self, username: str, under: str = "") -> "GatewayApi":
        """The gateway's API as the demo account `username` (its paths below /api/v1/<under>), to check the effect."""
        return GatewayApi(self.base, username, under)


_TOKENS: dict[tuple[str, str], tuple[float, dict]] = {}


class GatewayApi:
    """The gateway's API as a demo account uses it. One login per account and platform while its token is young
    (the browser logs in too, and the gateway limits logins per account)."""

    def __init__(self, base: str, username: str, under: str = ""):
        cached = _TOKENS.get((base, username))
        if cached is None or time.monotonic() - cached[0] > 600:  # access tokens live 900 s
            r = requests.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD},
                              timeout=20)
            assert r.status_code == 200, (username, r.status_code, r.text[:300])
            cached = _TOKENS[(base, username)] = (time.monotonic(),
                                                  {"Authorization": f"Bearer {r.json()['access_token']}"})
        self.base = f"{base}/api/v1/{under.strip('/')}".rstrip("/")
        self.headers = cached[1]

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def get(self, path: str, expect: int = 200, **query) -> dict:
        r = requests.get(self.url(path), headers=self.headers, params=query, timeout=30)
        assert r.status_code == expect, (path, r.status_code, r.text[:300])
        return r.json()

    def put(self, path: str, body: dict, expect: int = 200) -> dict:
        r = requests.put(self.url(path), headers=self.headers, json=body, timeout=30)
        assert r.status_code == expect, (path, r.status_code, r.text[:300])
        return r.json()

    def post(self, path: str, body: dict, expect=(200, 201, 202)) -> dict:
        """A write, with its own Idempotency-Key as the console sends it."""
        r = requests.post(self.url(path), headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex}, json=body,
                          timeout=30)
        assert r.status_code in ((expect,) if isinstance(expect, int) else expect), (path, r.status_code, r.text[:300])
        return r.json()


@pytest.fixture
def new_tab(chromium, console):
    contexts = []

    def make(viewport=(1366, 768), **kw) -> ConsolePage:
        ctx = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN",
                                   timezone_id="Asia/Shanghai", accept_downloads=True, **kw)
        contexts.append(ctx)
        return ConsolePage(ctx, console.base)

    yield make
    for ctx in contexts:
        ctx.close()


_AXE: list[str] = []


def axe_source() -> str:
    """axe.min.js where `make test` installed it (deploy/local/axe.sh path, the cache dir as test.sh sets it)."""
    if not _AXE:
        import subprocess

        env = dict(os.environ, LIANDONG_CACHE_DIR=os.environ.get("LIANDONG_CACHE_DIR",
                                                                 str(Path.home() / ".cache" / "liandong")))
        path = Path(subprocess.run(["bash", str(ROOT / "deploy" / "local" / "axe.sh"), "path"], capture_output=True,
                                   text=True, check=True, env=env).stdout.strip())
        if not path.exists():
            pytest.fail(f"axe-core is not installed at {path}: run deploy/local/axe.sh install (make test does it)",
                        pytrace=False)
        _AXE.append(path.read_text(encoding="utf-8"))
    return _AXE[0]


def gateway_netloc(base: str) -> str:
    return urlsplit(base).netloc


def id_number(birth: str = "19650312", seq: str = "123", area: str = "220204") -> str:
    """A valid mainland ID number (GB 11643 check digit)."""
    first = area + birth + seq
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first + "10X98765432"[sum(int(d) * w for d, w in zip(first, weights)) % 11]


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / re.sub(r"[^\w.-]", "_", name)


@pytest.fixture
def tools():
    from types import SimpleNamespace

    return SimpleNamespace(id_number=id_number, artifact=artifact, gateway_netloc=gateway_netloc)
