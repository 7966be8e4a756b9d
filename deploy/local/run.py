"""`make run`: start the gateway and the services (liandong.registry), each with its web process and its worker.

Every process logs to data/logs/<name>.log (JSON lines); errors are echoed here. A process that
dies is started again (with a growing pause). Ctrl-C stops everything and waits for it.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from liandong.registry import DEFAULT_PORTS, SERVICES

ROOT = Path(__file__).resolve().parents[2]


def commands(python: str, host: str, ports: dict[str, int], threads: int) -> dict[str, list[str]]:
    bindir = Path(python).parent
    out: dict[str, list[str]] = {}
    for svc in SERVICES:
        out[f"{svc}-worker"] = [python, "-m", f"{svc}.worker"]
    for svc in SERVICES:
        out[f"{svc}-web"] = [str(bindir / "gunicorn"), "--bind", f"{host}:{ports[svc]}", "--workers", "1",
                             "--threads", str(threads), "--worker-class", "gthread", "--graceful-timeout", "5",
                             "--timeout", "60", f"{svc}.bootstrap:create_app()"]
    return out


class Supervisor:
    def __init__(self, cmds: dict[str, list[str]], logdir: Path, env: dict):
        self.cmds = cmds
        self.logdir = logdir
        self.env = env
        self.procs: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, int] = {}
        self.started_at: dict[str, float] = {}
        self.healthy_after = 60.0  # s up after which a death counts as the first again
        self.once: set[str] = set()  # jobs that end when done (exit 0): started again only after a failure
        self.stopping = False
        logdir.mkdir(parents=True, exist_ok=True)

    def start(self, name: str) -> None:
        log = open(self.logdir / f"{name}.log", "ab")
        proc = subprocess.Popen(self.cmds[name], stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                cwd=ROOT, start_new_session=True)
        self.procs[name] = proc
        self.started_at[name] = time.monotonic()
        threading.Thread(target=self._echo_errors, args=(name,), daemon=True).start()

    def _echo_errors(self, name: str) -> None:
        path = self.logdir / f"{name}.log"
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            while not self.stopping:
                line = fh.readline()
                if not line:
                    time.sleep(0.3)
                    continue
                text = line.decode("utf-8", "replace").strip()
                try:
                    rec = json.loads(text)
                    if rec.get("level") in ("ERROR", "CRITICAL"):
                        print(f"[{name}] {rec.get('msg')} {rec.get('exc', '')}".strip(), flush=True)
                except ValueError:
                    if "Error" in text or "Traceback" in text:
                        print(f"[{name}] {text}", flush=True)

    def watch(self) -> None:
        """Start again what died, each after its own pause (2, 4, 8 ... 30 s as it keeps dying; from 2 s
        again once it had run `healthy_after` seconds), so one crash loop never holds back the others."""
        due: dict[str, float] = {}
        while not self.stopping:
            now = time.monotonic()
            for name, proc in list(self.procs.items()):
                if name in due or proc.poll() is None or (name in self.once and proc.returncode == 0):
                    continue
                if now - self.started_at[name] >= self.healthy_after:
                    self.restarts[name] = 0
                n = self.restarts[name] = self.restarts.get(name, 0) + 1
                pause = min(2 ** n, 30)
                print(f"[{name}] exited with {proc.returncode}; restarting in {pause}s (#{n})", flush=True)
                due[name] = now + pause
            for name, at in list(due.items()):
                if at <= now and not self.stopping:
                    del due[name]
                    self.start(name)
            time.sleep(0.2)

    def stop(self) -> None:
        self.stopping = True
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.time() + 15
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def wait_ready(url: str, timeout: float) -> dict | None:
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as resp:
                return json.loads(resp.read())
        except Exception as exc:  # noqa: BLE001 - not up yet
            last = exc
            time.sleep(0.5)
    print(f"not ready after {timeout:.0f}s: {last}", flush=True)
    return None


DEMO_MARKER = ".demo-activity-played"


def play_demo_activity(env: dict, gateway: str) -> None:
    """Demo mode: fill the demo district with a day's worth of activity, once per data directory
    (LIANDONG_DEMO_ACTIVITY=0 turns it off). A failure is printed, never fatal."""
    if env.get("LIANDONG_ENV", "demo") != "demo" or env.get("LIANDONG_DEMO_ACTIVITY", "1") == "0":
        return
    marker = Path(env["LIANDONG_DATA_DIR"]) / DEMO_MARKER
    if marker.exists():
        return
    try:
        import demo_activity  # deploy/local/demo_activity.py, beside this file

        result = demo_activity.play(gateway)
        marker.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        n = result["actions"]
        print(f"Demo activity played once for this data directory ({sum(result['calls'].values())} API calls in "
              f"{result['seconds']}s: {n.get('petition.register', 0)} petitions, {n.get('welfare.apply', 0)} welfare "
              f"applications, {n.get('volunteer.attendance', 0)} volunteer attendances, "
              f"{n.get('security.incident', 0)} incidents, {n.get('security.patrol', 0)} patrols, "
              f"{n.get('security.mediation', 0)} mediations); its figures are in {marker}", flush=True)
    except Exception as exc:  # noqa: BLE001 - the platform runs on without it
        print(f"Demo activity failed (not fatal; it plays again at the next start): {exc}", flush=True)


def start_demo_history(env: dict, sup: Supervisor) -> None:
    """Demo mode: a year and a bit of history for the demo district (deploy/local/demo_history.py), generated once
    per data directory in the background, its progress at GET /api/v1/demo/history (LIANDONG_DEMO_HISTORY=0
    turns it off). Run as a supervised job: a crash starts it again, and it resumes where it was."""
    if env.get("LIANDONG_ENV", "demo") != "demo" or env.get("LIANDONG_DEMO_HISTORY", "1") == "0":
        return
    import demo_history  # beside this file

    if demo_history.done(Path(env["LIANDONG_DATA_DIR"])):
        return
    sup.cmds["demo-history"] = [sys.executable, str(Path(__file__).with_name("demo_history.py"))]
    sup.once.add("demo-history")
    sup.start("demo-history")
    print("Generating the demo district's history in the background (progress on the console's home page) ...",
          flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    env = dict(os.environ)
    env.setdefault("LIANDONG_DATA_DIR", str(ROOT / "data"))
    env.setdefault("PYTHONUNBUFFERED", "1")
    if env.get("LIANDONG_ENV", "demo") == "demo" and not env.get("WELFARE_PROGRAMMES_FILE"):
        # the demo plays a day in which applications are reviewed and approved: its programmes run
        # without 公示, since a review may never shorten a programme's notice (set the variable to see them)
        from welfare.adapters.programme_config import write_compressed

        Path(env["LIANDONG_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        env["WELFARE_PROGRAMMES_FILE"] = str(write_compressed(Path(env["LIANDONG_DATA_DIR"]) / "programmes-demo.yaml"))
    host = env.get("LIANDONG_HOST", "127.0.0.1")
    ports = {s: int(env.get(f"LIANDONG_{s.upper()}_PORT", DEFAULT_PORTS[s])) for s in SERVICES}
    sup = Supervisor(commands(sys.executable, host, ports, args.threads), Path(env["LIANDONG_DATA_DIR"]) / "logs", env)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    started = time.time()
    for name in sup.cmds:
        sup.start(name)
    threading.Thread(target=sup.watch, daemon=True).start()
    gateway = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{ports['gateway']}"
    print(f"Liandong is starting (data in {env['LIANDONG_DATA_DIR']}, logs in {sup.logdir}) ...", flush=True)

    def report():
        body = wait_ready(f"http://{host}:{ports['gateway']}/readyz", 120)
        if body and body.get("ready"):
            print(f"Liandong is ready in {time.time() - started:.1f}s: {gateway}  (Ctrl-C stops it)", flush=True)
            start_demo_history(env, sup)
            play_demo_activity(env, f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{ports['gateway']}")

    threading.Thread(target=report, daemon=True).start()
    stop.wait()
    print("stopping ...", flush=True)
    sup.stop()
    print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
