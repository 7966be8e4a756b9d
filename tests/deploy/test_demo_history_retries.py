"""The demo history's generator against a service that refuses or stumbles (#22): a permanent refusal (a 422)
stops that step at once — never asked again — with the service's answer in the progress, and the history goes
on without it (the steps acting on what it would have made are left out with it); a transient failure (no
connection, 429, 502/503/504) is asked again with the same Idempotency-Key, waiting longer each time, and a
service that stays down fails the run after the patience (run.py starts it again: it resumes)."""
from __future__ import annotations

import json
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
import demo_history as dh  # noqa: E402


class Service:
    """A stub of the gateway: each path answers from its script (status, body), the last answer repeated."""

    def __init__(self, scripts: dict[str, list[tuple[int, dict]]]):
        self.scripts, self.seen = scripts, []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                service.seen.append((self.path, self.headers["Idempotency-Key"], body))
                script = service.scripts[self.path]
                status, answer = script.pop(0) if len(script) > 1 else script[0]
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def calls(self, path: str) -> int:
        return sum(1 for p, _, _ in self.seen if p == f"{dh.API}{path}")


@pytest.fixture
def service():
    made = []

    def make(scripts):
        made.append(Service({f"{dh.API}{k}": v for k, v in scripts.items()}))
        return made[-1]
    yield make
    for s in made:
        s.server.shutdown()


def writer_for(base: str, tmp_path: Path, **kw):
    waits, said = [], []
    w = dh.Writer(base, dh.Files(tmp_path), {}, timeout=5, sleep=waits.append, log=said.append, **kw)
    w.tokens = {dh.CLERK: "t"}
    return w, waits, said


DAY = date(2025, 3, 5)


def test_a_refused_step_is_asked_once_said_in_the_progress_and_the_history_goes_on(service, tmp_path):
    svc = service({
        "/welfare/applications": [(422, {"errors": {"household": ["a member's ID number is not valid"]}})],
        "/welfare/visits": [(201, {"id": "v-1"})]})
    w, waits, said = writer_for(svc.base, tmp_path)
    steps = [dh.Step(540, dh.CLERK, "/welfare/applications", {"org_unit_id": "jiayuan"}, ref="app"),
             dh.Step(570, dh.CLERK, "/welfare/applications/{app}/community-review", {"decision": "pass"}),
             dh.Step(600, dh.CLERK, "/welfare/visits", {"org_unit_id": "jiayuan"}, ref="visit")]
    for n, s in enumerate(steps):
        w.step(DAY, n, s)

    assert svc.calls("/welfare/applications") == 1 and waits == []  # never asked again, no waiting
    assert w.refs == {"visit": "v-1"}  # the review of the application never made is left out; the visit made
    assert [(r["day"], r["step"], r["path"]) for r in w.refused] == [("2025-03-05", 0, "/welfare/applications")]
    shown = dh.refusals(w.refused)
    assert shown["steps_refused"] == 1
    assert "422" in shown["error"] and "ID number is not valid" in shown["error"] and "/welfare/applications" in \
        shown["error"], shown
    assert any("refused" in line and "422" in line for line in said), said  # and in the log

    w.step(DAY, 0, steps[0])  # the same step again after a restart: still said once
    assert len(w.refused) == 1


def test_transient_failures_are_asked_again_with_the_same_key_waiting_longer(service, tmp_path):
    svc = service({"/security/incidents": [(503, {}), (502, {}), (429, {}), (504, {}), (201, {"id": "i-1"})]})
    w, waits, _ = writer_for(svc.base, tmp_path)
    w.step(DAY, 7, dh.Step(600, dh.CLERK, "/security/incidents", {"org_unit_id": "jiayuan"}, ref="incident"))

    assert w.refs == {"incident": "i-1"} and w.refused == []
    keys = {key for _, key, _ in svc.seen}
    assert len(svc.seen) == 5 and keys == {"demo-history:2025-03-05:7"}  # one key: made once whatever was lost
    assert waits == sorted(waits) and waits[-1] > waits[0], waits  # backing off


def test_a_service_that_stays_down_fails_the_run_after_the_patience(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    w, waits, _ = writer_for(f"http://127.0.0.1:{port}", tmp_path, patience=20)
    with pytest.raises(dh.HistoryError, match="still failing") as raised:
        w.step(DAY, 0, dh.Step(600, dh.CLERK, "/security/incidents", {}))
    assert not isinstance(raised.value, dh.StepRefused)  # transient: the run fails and resumes, nothing left out
    assert w.refused == [] and len(waits) >= 3 and sum(waits) >= 20, waits
