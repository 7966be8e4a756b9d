#!/usr/bin/env bash
# A tool from the npm registry, pinned, installed once under the cache dir (<cache>/<dir>/<version>) so a fresh
# clone reuses it: what axe.sh and spectral.sh are, each a line naming its package. `install` installs it if
# the file is missing (or empty) and prints the file's path; `path` only prints it.
#
# Usage: deploy/local/npm_tool.sh <caller script> install|path <dir> <package> <version> <file under node_modules>
#   e.g. npm_tool.sh "$0" install axe-core axe-core 4.14.1 axe-core/axe.min.js
# (the caller's name is what its messages and its usage line say, as if it ran alone)
set -euo pipefail

CALLER="$1" COMMAND="${2:-}" TOOL_DIR="$3" PACKAGE="$4" VERSION="$5" FILE="$6"
NAME="$(basename "$CALLER")"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE_DIR="${LIANDONG_CACHE_DIR:-$REPO_ROOT/.cache}"
DIR="$CACHE_DIR/$TOOL_DIR/$VERSION"
TARGET="$DIR/node_modules/$FILE"

case "$COMMAND" in
  path) echo "$TARGET" ;;
  install)
    if [[ ! -s "$TARGET" ]]; then
      command -v npm >/dev/null || { echo "$NAME: npm not found on PATH (Node.js 18+ is needed)" >&2; exit 1; }
      echo "$NAME: installing $PACKAGE@$VERSION into $DIR (first run only)" >&2
      mkdir -p "$DIR"
      npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "$PACKAGE@$VERSION" \
        >"$DIR/install.log" 2>&1 || { tail -n 30 "$DIR/install.log" >&2; rm -rf "$DIR"; exit 1; }
    fi
    echo "$TARGET"
    ;;
  *) echo "usage: $CALLER install|path" >&2; exit 2 ;;
esac
