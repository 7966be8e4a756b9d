"""How `make bench` measures, in one place, so every figure is taken the same way and refused the same way.

- Load: wrk (loopback only, bounded in time). Its own `done()` hook writes the counts and percentiles as
  JSON: every completed response is one latency sample in wrk's histogram (µs resolution), so a
  percentile is an order statistic over all of them, not an interpolation of a few.
- Errors: wrk's non-2xx/3xx answers plus its socket errors (connect, read, write, timeout) are failures;
  a figure is refused (recorded with `refused`, no value) when more than 0.1 % of calls failed. Req/s
  counts the successful answers only.
- Paced load (latency beside latency): wrk's `delay()` after each answer, the same connections and the same
  pauses for both sides; each side's achieved rate is recorded, and a latency is refused when its side's
  answers took more than 10 % of its connections' time (a closed loop: a slower server is offered less — its
  answers' mean latency ÷ (that + the mean pause wrk drew) is the share by which it fell short; the rate reached
  against the rate asked also holds the pauses' own chance: ~280 random pauses at 30/s fall 10 % short one run in
  twenty, which refused an idle bare endpoint answering in 1.3 ms, run 15).
  The pauses are drawn at random (exponential, mean `connections / rate`, cut at `MAX_PAUSE_MS` and drawn
  so the mean stays; each wrk thread seeded apart), so the connections' requests arrive independently, as a
  district's users' do; with a fixed pause, connections that start together can stay in step. Measured
  both ways, random arrivals gave intake a higher p99, not a lower one (`pacing="fixed"` keeps the old way
  for comparison; docs/bench-2026-11-30-intake.md).
- Warm-up: every server gets `WARMUP` seconds of the same load before anything is timed.
- Our own timed loops (HTTP reads): at least `MIN_SAMPLES` samples; percentile by the nearest-rank method
  (the smallest sample with at least p % of the samples at or below it).
"""
from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

# a paced connection's longest pause: gunicorn closes a keep-alive connection idle for 2 s, and wrk counts
# the answer it then does not get as a failed call
MAX_PAUSE_MS = 1500.0
MAX_FAILED = 0.001  # a figure with more than 0.1 % failed calls is refused
MIN_SAMPLES = 200
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))

LUA = """
wrk.method = "%(method)s"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
local bodies = {%(bodies)s}
request = function()
  if #bodies == 0 then return wrk.format(nil, nil, nil, nil) end
  return wrk.format(nil, nil, nil, bodies[math.random(#bodies)])
end
local thread_number = 0
local threads = {}
paused, pauses = 0, 0
setup = function(thread)
  thread_number = thread_number + 1
  thread:set("seed", thread_number)
  threads[thread_number] = thread
end
init = function(args)
  -- every wrk thread has its own Lua state: unseeded, they would all draw the same numbers
  math.randomseed(os.time() * 1000 + (seed or 0) * 7919)
end
%(pace)s
done = function(summary, latency, requests)
  local e = summary.errors
  -- the pauses each thread's delay() drew (its own Lua state; read back through the thread)
  local paused_ms, pause_count = 0, 0
  for _, thread in ipairs(threads) do
    paused_ms = paused_ms + (thread:get("paused") or 0)
    pause_count = pause_count + (thread:get("pauses") or 0)
  end
  io.write(string.format('BENCH_RESULT {"requests": %%d, "duration_us": %%d, "status_errors": %%d, ' ..
    '"socket_errors": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d, "mean_us": %%.3f, ' ..
    '"paused_ms": %%.3f, "pauses": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    paused_ms, pause_count))
end
"""


def wrk(url: str, bodies: list[dict] | None = None, token: str = "", seconds: float = 10, connections: int = 16,
        rate: float | None = None, threads: int = 2, pacing: str = "exponential") -> dict:
    """Load for `seconds` (bounded); POSTs a body picked at random from `bodies`, or GETs when there are none.
    With `rate`, each connection pauses after each answer: `connections / rate` on average, drawn from an
    exponential distribution (or exactly that long with `pacing="fixed"`)."""
    assert url.startswith("http://127.0.0.1:"), "the load stays on this machine"
    assert pacing in ("exponential", "fixed"), pacing
    bodies = bodies or []
    pace = ""
    if rate:
        mean_ms = connections * 1000.0 / rate
        if pacing == "exponential" and mean_ms < MAX_PAUSE_MS / 2:
            scale = _truncated_exponential_scale(mean_ms, MAX_PAUSE_MS)
            # inverse of the exponential's distribution function, cut at MAX_PAUSE_MS
            draw = f"-{scale:.6f} * math.log(1 - math.random() * cut)"
            pace = f"local cut = 1 - math.exp(-{MAX_PAUSE_MS} / {scale:.6f})\n"
        else:
            pacing = "fixed"  # (a mean this long cannot be drawn under the cut: the pause is the mean)
            draw = f"{mean_ms:.3f}"
        # each pause drawn is summed, so the refusal can tell the server's share of the shortfall from chance's
        pace += (f"function delay() local pause = {draw}; paused = paused + pause; pauses = pauses + 1; "
                 f"return pause end")
    script = LUA % {"method": "POST" if bodies else "GET",
                    "auth": f'wrk.headers["Authorization"] = "Bearer {token}"' if token else "",
                    "bodies": ",".join("[[" + json.dumps(b, ensure_ascii=False) + "]]" for b in bodies), "pace": pace}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    try:
        out = subprocess.run(["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                              "--timeout", "10s", "-s", fh.name, url],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(fh.name)
    m = re.search(r"BENCH_RESULT (\{.*\})", out)
    if not m:
        raise RuntimeError(f"wrk gave no result: {out[-500:]}")
    r = json.loads(m.group(1))
    failed = r["status_errors"] + r["socket_errors"]
    secs = r["duration_us"] / 1e6
    return {"requests": r["requests"], "failed": failed, "failed_share": failed / max(1, r["requests"]),
            "rps": (r["requests"] - failed) / secs, "rate_asked": rate, "samples": r["requests"],
            "p50_ms": r["p50_us"] / 1000, "p90_ms": r["p90_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
            "max_ms": r["max_us"] / 1000, "mean_ms": r["mean_us"] / 1000,
            "pause_ms": r["paused_ms"] / r["pauses"] if rate and r["pauses"] else None, "method": f"wrk histogram over every answer, {secs:.0f} s" + (
                f", paced: {pacing} pauses, {connections} connections" if rate else "")}


def _truncated_exponential_scale(mean: float, cut: float) -> float:
    """The scale of an exponential distribution which, cut at `cut`, has this mean (mean < cut / 2): its mean
    θ − cut / (e^(cut/θ) − 1) grows with θ from 0 towards cut / 2, so bisection finds θ."""
    def cut_mean(theta: float) -> float:
        return theta - cut / math.expm1(min(cut / theta, 700.0))

    low, high = mean, mean
    while cut_mean(high) < mean:
        high *= 2
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if cut_mean(middle) < mean else (low, middle)
    return (low + high) / 2


def long_enough(probe: dict, seconds: float, share: float = 1.0, longest: float = 180.0) -> float:
    """A load's length: `seconds`, or longer when `share` of the rate `probe` reached (a warm-up) would give fewer
    than MIN_SAMPLES answers in it (with a quarter to spare) — a slow path such as intake on FerretDB, ~10 answers
    a second, is measured long enough to be a figure rather than refused for too few samples; never beyond
    `longest`."""
    rate = probe["rps"] * share
    return min(longest, max(seconds, 1.25 * MIN_SAMPLES / rate if rate > 0 else longest))


def paced_connections(rate: float, most: int) -> int:
    """Connections for a paced load at `rate`: `most`, or fewer when each connection's mean pause
    (connections / rate) would pass MAX_PAUSE_MS / 2 — the server closes a connection idle for 2 s."""
    return max(1, min(most, int(rate * MAX_PAUSE_MS / 2000)))


def server_share(result: dict) -> float | None:
    """A paced load's shortfall that the server caused: its answers' share of each connection's time, mean latency ÷
    (mean latency + mean pause drawn). Each connection asks again only after its answer and its pause, so it is
    offered less by exactly this share; None for a load not paced."""
    if result.get("pause_ms") is None or result.get("mean_ms") is None:
        return None
    return result["mean_ms"] / (result["mean_ms"] + result["pause_ms"])


def refusal(result: dict, rate_floor: float = 0.9) -> str:
    """Why a load's figures cannot be used ("" when they can)."""
    if result["failed_share"] > MAX_FAILED:
        return f"{result['failed']} of {result['requests']} calls failed (> {MAX_FAILED:.1%})"
    if result.get("samples", 0) < MIN_SAMPLES:
        return f"only {result.get('samples', 0)} samples (< {MIN_SAMPLES})"
    if result.get("rate_asked"):
        share = server_share(result)
        if share is None and result["rps"] < rate_floor * result["rate_asked"]:
            return f"reached {result['rps']:.0f}/s of the {result['rate_asked']:.0f}/s asked"
        if share is not None and share > 1 - rate_floor:
            return (f"its answers took {share:.0%} of its connections' time (> {1 - rate_floor:.0%}): "
                    f"reached {result['rps']:.0f}/s of the {result['rate_asked']:.0f}/s asked")
    return ""


def percentile(samples: list[float], p: float) -> float:
    """Nearest rank: the smallest sample with at least p % of all samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def timed_gets(get, n: int = MIN_SAMPLES, warmup: int = 10, give_up: int = 5) -> dict:
    """`n` sequential calls of `get()` (which returns an HTTP status) after `warmup` untimed ones. A figure with
    one failed call in 200 is refused anyway: after `give_up` failures the calls stop (on FerretDB a list that
    does not answer takes its 30 s timeout each time: 200 of them held a run for 100 minutes)."""
    failed = 0
    for _ in range(warmup):
        failed += not 200 <= get() < 300
        if failed >= give_up:
            break
    samples, failed = [], 0
    for _ in range(n):
        t = time.perf_counter()
        status = get()
        samples.append((time.perf_counter() - t) * 1000)
        failed += not 200 <= status < 300
        if failed >= give_up:
            break
    calls = len(samples)
    return {"samples": calls, "requests": calls, "failed": failed, "failed_share": failed / calls,
            "p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95), "p99_ms": percentile(samples, 99),
            "method": "nearest rank"}


def cpu_seconds(*groups: int) -> float:
    """CPU (user + system) used so far by every process of these process groups (a gunicorn master and its
    workers, a service's worker): on a machine others load too, CPU per answer is what they cannot inflate
    as much as a rate (it still includes the caches and frequency they share)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) in groups:  # pgrp; utime and stime follow as the 12th and 13th fields after `)`
            total += int(fields[11]) + int(fields[12])
    return total / tick


# -- processes -----------------------------------------------------------------------------------

def wait_http(url: str, timeout: float = 120, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def gunicorn(app: str, port: int, env: dict, log: Path, workers: int = 1, threads: int = 8,
             chdir: Path | None = None, worker_class: str = "gthread") -> subprocess.Popen:
    """The services' own gunicorn settings (deploy/local/run.py), with `workers` processes; `worker_class="sync"`
    (one request at a time per process, no threads) only to compare with (tests/bench/intake_concurrency.py)."""
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--worker-class", worker_class, "--graceful-timeout", "5", "--timeout", "60"]
    if worker_class == "gthread":
        cmd += ["--threads", str(threads)]
    if chdir:
        cmd += ["--chdir", str(chdir)]
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(cmd + [app], env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    wait_http(f"http://127.0.0.1:{port}/healthz", proc=proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
