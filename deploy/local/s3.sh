#!/usr/bin/env bash
# Start/stop a real S3-compatible server for the attachments' tests, without Docker: SeaweedFS (master,
# volume, filer and its S3 gateway in one `weed server` process) on 127.0.0.1, with one test identity.
# The binary is built from the Go module proxy source into <cache>/bin/weed-<version> on first use (as
# ferretdb.sh builds FerretDB) and reused from then on; the first build takes minutes (see docs/attachments.md).
#
# Usage: deploy/local/s3.sh install|start|stop|status|restart-keep-data|kill|endpoint
#
#   install            build the binary if missing (nothing started)
#   start              build if missing, wipe the data dir, start, wait until a signed PUT and GET round-trip
#   stop               graceful stop (TERM, then KILL after S3_STOP_TIMEOUT s); idempotent
#   endpoint           print the S3 endpoint URL (what S3_ENDPOINT is set to)
#
# Environment:
#   S3_PORT              the S3 API's port, default 18333; the server's other ports follow it (+1 master,
#                        +2 volume, +3 filer; their gRPC ports +11, +12, +13, the S3 gRPC +14)
#   S3_ACCESS_KEY, S3_SECRET_KEY   the identity, default liandong-test / liandong-test-secret
#   S3_START_TIMEOUT     seconds to wait for readiness, default 90
#   S3_STOP_TIMEOUT      seconds to wait after TERM before KILL, default 15
#   LIANDONG_CACHE_DIR   cache root, default <repo>/.cache (everything is written under it)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE_DIR="${LIANDONG_CACHE_DIR:-$REPO_ROOT/.cache}"

SEAWEEDFS_MODULE=github.com/seaweedfs/seaweedfs
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6  # what the Go module proxy serves of it (no tagged release)
S3_PORT="${S3_PORT:-18333}"
S3_ACCESS_KEY="${S3_ACCESS_KEY:-liandong-test}"
S3_SECRET_KEY="${S3_SECRET_KEY:-liandong-test-secret}"
S3_START_TIMEOUT="${S3_START_TIMEOUT:-90}"
S3_STOP_TIMEOUT="${S3_STOP_TIMEOUT:-15}"
HOST=127.0.0.1

BIN_DIR="$CACHE_DIR/bin"
BIN="$BIN_DIR/weed-${SEAWEEDFS_VERSION##*-}"
SDIR="$CACHE_DIR/seaweedfs"

if [[ "${1:-}" == endpoint ]]; then echo "http://$HOST:$S3_PORT"; exit 0; fi

NAME=s3 TITLE="SeaweedFS (S3)" PORT="$S3_PORT" SERVER_DIR="$SDIR" CMDLINE_MARK="-s3.port=$S3_PORT "
STOP_TIMEOUT="$S3_STOP_TIMEOUT" START_TIMEOUT="$S3_START_TIMEOUT"
# shellcheck source=deploy/local/server.sh
source "$SCRIPT_DIR/server.sh"

# --- binary --------------------------------------------------------------------

have_binary() { [[ -x "$BIN" ]] && "$BIN" version >/dev/null 2>&1; }

# Not `go install $SEAWEEDFS_MODULE/weed@$SEAWEEDFS_VERSION`: the module's go.mod has a replace directive,
# which `go install module@version` refuses. So: download that exact module version, copy it, build in it.
build_binary() {
  command -v go >/dev/null || fail "go not found on PATH (Go 1.26+ needed once to build SeaweedFS)"
  mkdir -p "$SDIR" "$BIN_DIR"
  log "building SeaweedFS $SEAWEEDFS_VERSION into $BIN (first run only, takes minutes; output in $SDIR/build.log)..."
  local t0=$SECONDS
  (
    if command -v flock >/dev/null; then exec 9>"$SDIR/.build.lock"; flock 9; fi
    have_binary && exit 0
    export GOMODCACHE="$CACHE_DIR/go/mod" GOCACHE="$CACHE_DIR/go/build" \
      GOFLAGS=-modcacherw GOTOOLCHAIN=local GOPATH="$CACHE_DIR/go/path"
    local info dir src="$SDIR/src-$SEAWEEDFS_VERSION"
    info="$(go mod download -json "$SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION")"
    dir="$(printf '%s' "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')"
    rm -rf "$src"
    cp -r "$dir" "$src"
    chmod -R u+w "$src"
    (cd "$src" && go build -trimpath -o "$BIN.tmp" ./weed)
    mv -f "$BIN.tmp" "$BIN"
    rm -rf "$src"
  ) >>"$SDIR/build.log" 2>&1 || {
    tail -n 40 "$SDIR/build.log" >&2
    echo "SeaweedFS could not be started: building $SEAWEEDFS_MODULE@$SEAWEEDFS_VERSION failed (see $SDIR/build.log)" >&2
    exit 1
  }
  have_binary || { echo "SeaweedFS could not be started: $BIN does not run" >&2; exit 1; }
  log "built SeaweedFS in $((SECONDS - t0))s"
  echo "built SeaweedFS $SEAWEEDFS_VERSION in $((SECONDS - t0))s" >>"$SDIR/build.log"
}

# --- readiness -----------------------------------------------------------------

# A SigV4-signed PUT of a bucket and of an object, then a GET of it (stdlib only): the gateway answers before
# its filer is ready, so an open port is not enough.
probe() {
  python3 - "http://$HOST:$S3_PORT" "$S3_ACCESS_KEY" "$S3_SECRET_KEY" <<'PY'
import datetime, hashlib, hmac, sys, urllib.request
endpoint, access, secret = sys.argv[1:4]
host = endpoint.split("//", 1)[1]

def call(method, path, body=b""):
    now = datetime.datetime.now(datetime.timezone.utc)
    amz, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    digest = hashlib.sha256(body).hexdigest()
    headers = {"host": host, "x-amz-content-sha256": digest, "x-amz-date": amz}
    signed = ";".join(sorted(headers))
    canonical = "\n".join([method, path, "", *(f"{k}:{headers[k]}" for k in sorted(headers)), "", signed, digest])
    scope = f"{day}/us-east-1/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (day, "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={access}/{scope}, SignedHeaders={signed}, "
                                f"Signature={signature}")
    del headers["host"]
    req = urllib.request.Request(endpoint + path, data=body if method == "PUT" else None, method=method,
                                 headers=headers)
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.read()

try:
    try:
        call("PUT", "/liandong-probe")
    except urllib.error.HTTPError as exc:
        if exc.code != 409:  # already made by an earlier probe
            raise
    call("PUT", "/liandong-probe/ready", b"ok")
    sys.exit(0 if call("GET", "/liandong-probe/ready") == b"ok" else 1)
except Exception:
    sys.exit(1)
PY
}

# --- commands -------------------------------------------------------------------

start_server_fresh_or_keep() {
  local mode="$1"  # fresh | keep
  local t0=$SECONDS
  have_binary || build_binary
  command -v python3 >/dev/null || fail "python3 not found on PATH"
  stop_server
  local p
  for p in "$S3_PORT" $((S3_PORT + 1)) $((S3_PORT + 2)) $((S3_PORT + 3)) $((S3_PORT + 11)) $((S3_PORT + 12)) \
           $((S3_PORT + 13)) $((S3_PORT + 14)); do
    port_in_use "$p" && fail "port $HOST:$p is already in use by another process"
  done

  mkdir -p "$SDIR"
  if [[ "$mode" == keep && -d "$DATA_DIR" ]]; then
    echo "==== s3.sh restart-keep-data $(date -Is) ====" >>"$LOG_FILE"
  else
    if [[ "$mode" == keep ]]; then log "no existing data in $DATA_DIR, starting fresh"; fi
    rm -rf "$DATA_DIR"
    : >"$LOG_FILE"
  fi
  mkdir -p "$DATA_DIR"
  cat >"$SDIR/s3-$S3_PORT.json" <<JSON
{"identities": [{"name": "liandong-test",
                 "credentials": [{"accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY"}],
                 "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON

  # Keep -s3.port before the other flags' values are read: running_pid matches "-s3.port=... ".
  # Small volumes (the tests' files are kilobytes) so a fresh data dir is not gigabytes of preallocation.
  local pid
  pid="$(spawn "$BIN" server -s3.port="$S3_PORT" -s3 -s3.config="$SDIR/s3-$S3_PORT.json" \
    -s3.port.grpc=$((S3_PORT + 14)) \
    -ip="$HOST" -ip.bind="$HOST" -dir="$DATA_DIR" \
    -master.port=$((S3_PORT + 1)) -master.port.grpc=$((S3_PORT + 11)) -master.volumeSizeLimitMB=64 \
    -volume.port=$((S3_PORT + 2)) -volume.port.grpc=$((S3_PORT + 12)) -volume.max=16 \
    -filer -filer.port=$((S3_PORT + 3)) -filer.port.grpc=$((S3_PORT + 13)))" || fail "process did not start"
  wait_ready "$pid" "$S3_PORT"
  log "started in $((SECONDS - t0))s (pid $pid, log $LOG_FILE)"
  echo "SeaweedFS S3 ready on http://$HOST:$S3_PORT"
}

start_fresh() { start_server_fresh_or_keep fresh; }
start_keep() { start_server_fresh_or_keep keep; }

if [[ "${1:-}" == install ]]; then
  have_binary || build_binary
  echo "SeaweedFS $SEAWEEDFS_VERSION: $BIN"
  exit 0
fi
dispatch "${1:-}"
