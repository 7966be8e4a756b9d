#!/usr/bin/env bash
# `make test`: start a real Kafka broker, a three-broker Kafka cluster, FerretDB and an S3-compatible server (unless
# KAFKA_BOOTSTRAP_SERVERS / KAFKA_CLUSTER_BOOTSTRAP_SERVERS / MONGO_URI / S3_ENDPOINT already point at running
# ones), run every test against them and the embedded adapters, stop what it started. If either cannot be started the run fails: nothing is skipped.
#
# `make test SERVICE=petition` (any name in liandong.registry): that service's own tests, the shared
# contract suites (event contracts, their compatibility, storage, bus), its rows of the architecture
# checks and the API style checks of its endpoints — against the same real backends.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
# Kafka's jars and the FerretDB build are kept outside the clone, so a fresh clone reuses them.
export LIANDONG_CACHE_DIR="${LIANDONG_CACHE_DIR:-$HOME/.cache/liandong}"
started=()

if [ -n "${SERVICE:-}" ]; then
  "$PY" -m liandong.registry port "$SERVICE" >/dev/null || exit 2  # names the services when it is not one
  # the architecture and API style checks are parametrized per service: keep only this one's rows
  set -- "services/$SERVICE" shared/tests/contract tests/architecture tests/api \
    -k "$SERVICE or not (test_service_shape or test_api_style)" "$@"
  echo "make test: the $SERVICE service, the contract suites, its architecture and API style rows"
fi

cleanup() {
  local status=$?
  for svc in "${started[@]}"; do "$HERE/$svc.sh" stop >/dev/null 2>&1 || true; done
  exit $status
}
trap cleanup EXIT INT TERM

t_start=$SECONDS
pids=()
# backend <script> <variable> <address it will have> <what>: start it (in parallel) unless the variable
# already points at a running one
backend() {
  if [ -z "${!2:-}" ]; then
    started+=("$1")
    "$HERE/$1.sh" start & pids+=($!)
    export "$2=$3"
  else
    echo "using the $4 at ${!2}"
  fi
}
backend kafka KAFKA_BOOTSTRAP_SERVERS "127.0.0.1:${KAFKA_PORT:-19092}" "Kafka broker"
backend ferretdb MONGO_URI "mongodb://127.0.0.1:${FERRETDB_PORT:-27018}" "MongoDB-protocol server"
# attachments in a district's S3-compatible storage (S3Proxy, deploy/local/s3.sh; docs/attachments.md)
backend s3 S3_ENDPOINT "http://127.0.0.1:${S3_PORT:-18333}" "S3-compatible server"
# three brokers of their own for the fault tests, which kill them (tests/faults/test_kafka_cluster.py);
# one service's run has no fault tests
if [ -z "${SERVICE:-}" ]; then
  backend kafka-cluster KAFKA_CLUSTER_BOOTSTRAP_SERVERS "$("$HERE/kafka-cluster.sh" bootstrap)" "Kafka cluster"
fi
for pid in "${pids[@]}"; do
  if ! wait "$pid"; then
    echo "make test: a test dependency could not be started (see above); failing, not skipping." >&2
    exit 1
  fi
done

# The console's browser tests drive Debian's Chromium (not a downloaded browser), with CJK fonts so
# its Chinese pages render as users see them; wrk is the load of the bench harness's tiny run (tests/bench).
if ! dpkg -s chromium fonts-noto-cjk wrk >/dev/null 2>&1; then
  echo "installing Debian's chromium and fonts-noto-cjk for the browser tests"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y -q chromium fonts-noto-cjk wrk >/dev/null \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium fonts-noto-cjk wrk >/dev/null; } \
    || { echo "make test: Chromium could not be installed; failing, not skipping." >&2; exit 1; }
fi

# The OpenAPI linter of the API style checks (tests/api), pinned, from the npm registry.
"$HERE/spectral.sh" install >/dev/null \
  || { echo "make test: Spectral could not be installed; failing, not skipping." >&2; exit 1; }

# The accessibility engine the browser tests run on every screen (tests/browser), pinned, from the npm registry.
"$HERE/axe.sh" install >/dev/null \
  || { echo "make test: axe-core could not be installed; failing, not skipping." >&2; exit 1; }

echo "make test: Kafka, the Kafka cluster, FerretDB, S3Proxy, Chromium, Spectral and axe-core ready in $((SECONDS - t_start)) s"

cd "$ROOT"
t_tests=$SECONDS
status=0
# The whole suite runs in two lanes at once (LIANDONG_TEST_LANES=1: one): most of its time is spent waiting
# for the platform's processes, brokers and browsers, and every test already takes its own ports, topics,
# databases and buckets, so two lanes share the backends above safely. Lane 2 takes the services' own
# suites (but the gateway's), the browser and API style tests; lane 1 everything else, so a new folder
# of tests runs without being listed here. The split balances the lanes' times in CI (2026-11-30, both
# lanes together: 3 443 s and 3 782 s, then the fuzz tests' 207 s moved to lane 1).
LANE_2=(services/petition services/welfare services/volunteer services/security tests/browser tests/api)
if [ $# -gt 0 ] || [ "${LIANDONG_TEST_LANES:-2}" = 1 ]; then
  "$PY" -m pytest "$@" || status=$?
else
  echo "make test: the suite in two lanes at once; each line says its lane, each lane ends with its time per part"
  lanes_dir=$(mktemp -d)
  lane() {  # lane <n> <pytest arguments…>: its output line by line, marked with its number
    local n=$1 t=$SECONDS lane_status=0
    shift
    "$PY" -m pytest "$@" 2>&1 | tee "$lanes_dir/$n.log" | sed -u "s/^/[lane $n] /" || lane_status=$?
    echo "[lane $n] make test: lane $n took $((SECONDS - t)) s, exit $lane_status"
    return $lane_status
  }
  lane 1 "${LANE_2[@]/#/--ignore=}" & lane_1=$!
  lane 2 "${LANE_2[@]}" & lane_2=$!
  wait $lane_1 || status=$?
  wait $lane_2 || status=$?
  # The lanes' outputs interleave and a CI log may keep only its tail: each lane's failures and
  # its count again, last, so the one lane that failed is named where the log ends.
  for n in 1 2; do
    echo "make test: lane $n's outcome:"
    sed -n '/short test summary info/,$p' "$lanes_dir/$n.log" | grep -E '^(FAILED|ERROR) ' | sed "s/^/[lane $n] /" || true
    grep -E '^=+ .*(passed|failed|error|no tests ran).* in [0-9.]+s' "$lanes_dir/$n.log" | tail -1 | sed "s/^/[lane $n] /" || true
  done
  rm -rf "$lanes_dir"
fi
echo "make test: the tests took $((SECONDS - t_tests)) s (the time per part is in pytest's summary above, one per lane)"
exit $status
