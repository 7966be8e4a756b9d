#!/usr/bin/env bash
# Start/stop a real S3-compatible server for the attachments' tests, without Docker: S3Proxy (org.gaul:s3proxy,
# Apache-2.0) serving the S3 API over a directory (jclouds' filesystem-nio2 store) on 127.0.0.1, checking the
# signatures (SigV4) of one test identity. Its jars come from Maven Central on first use into
# <cache>/s3proxy/libs (as kafka.sh fetches Kafka's) and are reused from then on.
#
# Why not SeaweedFS built from its Go module (as ferretdb.sh builds FerretDB): its `weed` command pulls 1,739
# packages (over a gigabyte of module sources: every cloud SDK, Arrow, Iceberg…); after 25 minutes on a 2-core
# machine about a fifth of them were compiled, and CI builds on a fresh machine inside a 60-minute `make test`.
# S3Proxy: 171 jars (54 MB) fetched in 2 minutes, started in 20 s (docs/attachments.md).
#
# Usage: deploy/local/s3.sh install|start|stop|status|restart-keep-data|kill|endpoint
#
#   install            fetch the jars if missing (nothing started)
#   start              fetch if missing, wipe the data dir, start, wait until a signed PUT and GET round-trip
#   stop               graceful stop (TERM, then KILL after S3_STOP_TIMEOUT s); idempotent
#   endpoint           print the S3 endpoint URL (what S3_ENDPOINT is set to)
#
# Environment:
#   S3_PORT              the S3 API's port, default 18333 (listens on 127.0.0.1 only)
#   S3_ACCESS_KEY, S3_SECRET_KEY   the identity, default liandong-test / liandong-test-secret
#   S3_START_TIMEOUT     seconds to wait for readiness, default 90
#   S3_STOP_TIMEOUT      seconds to wait after TERM before KILL, default 15
#   LIANDONG_CACHE_DIR   cache root, default <repo>/.cache (everything is written under it)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE_DIR="${LIANDONG_CACHE_DIR:-$REPO_ROOT/.cache}"
POM="$SCRIPT_DIR/s3proxy/pom.xml"  # the S3Proxy version is pinned there

S3_PORT="${S3_PORT:-18333}"
S3_ACCESS_KEY="${S3_ACCESS_KEY:-liandong-test}"
S3_SECRET_KEY="${S3_SECRET_KEY:-liandong-test-secret}"
S3_START_TIMEOUT="${S3_START_TIMEOUT:-90}"
S3_STOP_TIMEOUT="${S3_STOP_TIMEOUT:-15}"
HOST=127.0.0.1

SDIR="$CACHE_DIR/s3proxy"
LIBS="$SDIR/libs"
M2_REPO="$CACHE_DIR/m2"
CONF="$SDIR/s3proxy-$S3_PORT.conf"

if [[ "${1:-}" == endpoint ]]; then echo "http://$HOST:$S3_PORT"; exit 0; fi

NAME=s3 TITLE="S3Proxy (S3)" PORT="$S3_PORT" SERVER_DIR="$SDIR" CMDLINE_MARK="org.gaul.s3proxy.Main --properties $CONF"
STOP_TIMEOUT="$S3_STOP_TIMEOUT" START_TIMEOUT="$S3_START_TIMEOUT"
# shellcheck source=deploy/local/server.sh
source "$SCRIPT_DIR/server.sh"

# --- jars -------------------------------------------------------------------

# fetch_jars: server.sh (the runtime jars of $POM into $LIBS, once per version of the pom)

# --- readiness -----------------------------------------------------------------

# A SigV4-signed PUT of a bucket and of an object, then a GET of it (stdlib only): the port opens before the
# store answers, and a signed round trip proves the identity is the one the tests use.
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
  fetch_jars
  claim_ports "$S3_PORT"
  keep_or_wipe_data "$mode" "$DATA_DIR"
  cat >"$CONF" <<EOF
# generated by deploy/local/s3.sh -- loopback only, signatures checked (AWS SigV2 or SigV4)
s3proxy.endpoint=http://$HOST:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$DATA_DIR
EOF

  # Keep "--properties $CONF" last and whole: running_pid matches the command line by it.
  run_until_ready "$t0" "S3Proxy ready on http://$HOST:$S3_PORT" \
    env LOG_LEVEL=info java -XX:-UsePerfData -Xmx256m -cp "$LIBS/*" org.gaul.s3proxy.Main --properties "$CONF"
}

start_fresh() { start_server_fresh_or_keep fresh; }
start_keep() { start_server_fresh_or_keep keep; }

if [[ "${1:-}" == install ]]; then
  fetch_jars
  echo "S3Proxy: $LIBS"
  exit 0
fi
dispatch "${1:-}"
