#!/usr/bin/env bash
# The OpenAPI linter Spectral (@stoplight/spectral-cli, from the npm registry), pinned, installed once
# under the cache dir beside Kafka's jars and FerretDB, so a fresh clone reuses it. `make test` runs
# `install`; tests/api/test_api_style.py asks `path` where it is (and fails, never skips, without it).
#
# Usage: deploy/local/spectral.sh install|path
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE_DIR="${LIANDONG_CACHE_DIR:-$REPO_ROOT/.cache}"
SPECTRAL_VERSION=6.15.0
DIR="$CACHE_DIR/spectral/$SPECTRAL_VERSION"
BIN="$DIR/node_modules/.bin/spectral"

case "${1:-}" in
  path) echo "$BIN" ;;
  install)
    if [[ ! -x "$BIN" ]]; then
      command -v npm >/dev/null || { echo "spectral.sh: npm not found on PATH (Node.js 18+ is needed)" >&2; exit 1; }
      echo "spectral.sh: installing @stoplight/spectral-cli@$SPECTRAL_VERSION into $DIR (first run only)" >&2
      mkdir -p "$DIR"
      npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "@stoplight/spectral-cli@$SPECTRAL_VERSION" \
        >"$DIR/install.log" 2>&1 || { tail -n 30 "$DIR/install.log" >&2; rm -rf "$DIR"; exit 1; }
    fi
    echo "$BIN"
    ;;
  *) echo "usage: $0 install|path" >&2; exit 2 ;;
esac
