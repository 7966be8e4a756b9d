#!/usr/bin/env bash
# `make bench`: start Kafka and FerretDB of its own (unless KAFKA_BOOTSTRAP_SERVERS / MONGO_URI
# point at running ones), on ports of its own so a `make test` can run beside it; run the
# benchmarks; stop what it started.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
LOCAL="$ROOT/deploy/local"
PY="${PY:-$ROOT/.venv/bin/python}"
export LIANDONG_CACHE_DIR="${LIANDONG_CACHE_DIR:-$HOME/.cache/liandong}"
export KAFKA_PORT="${BENCH_KAFKA_PORT:-29192}" KAFKA_CONTROLLER_PORT="${BENCH_KAFKA_CONTROLLER_PORT:-29193}"
export FERRETDB_PORT="${BENCH_FERRETDB_PORT:-27118}"
started=()
cleanup() {
  local status=$?
  for svc in "${started[@]}"; do "$LOCAL/$svc.sh" stop >/dev/null 2>&1 || true; done
  exit $status
}
trap cleanup EXIT INT TERM
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  started+=(kafka); "$LOCAL/kafka.sh" start
  export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT"
fi
if [ -z "${MONGO_URI:-}" ]; then
  started+=(ferretdb); "$LOCAL/ferretdb.sh" start
  export MONGO_URI="mongodb://127.0.0.1:$FERRETDB_PORT"
fi
cd "$ROOT"
"$PY" tests/bench/bench.py "$@" 2> >(grep -v '"level": "\(WARNING\|ERROR\)", "service": "gateway", "logger": "kafka' >&2)
