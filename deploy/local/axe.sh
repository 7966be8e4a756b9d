#!/usr/bin/env bash
# The accessibility engine axe-core (Deque's, from the npm registry), pinned, installed once under the cache
# dir beside Spectral, so a fresh clone reuses it. `make test` runs `install`; the browser tests ask `path`
# for axe.min.js and inject it into each screen they check (tests/browser/conftest.py, ConsolePage.axe),
# failing, never skipping, without it.
#
# Usage: deploy/local/axe.sh install|path
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE_DIR="${LIANDONG_CACHE_DIR:-$REPO_ROOT/.cache}"
AXE_VERSION=4.14.1
DIR="$CACHE_DIR/axe-core/$AXE_VERSION"
JS="$DIR/node_modules/axe-core/axe.min.js"

case "${1:-}" in
  path) echo "$JS" ;;
  install)
    if [[ ! -s "$JS" ]]; then
      command -v npm >/dev/null || { echo "axe.sh: npm not found on PATH (Node.js 18+ is needed)" >&2; exit 1; }
      echo "axe.sh: installing axe-core@$AXE_VERSION into $DIR (first run only)" >&2
      mkdir -p "$DIR"
      npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "axe-core@$AXE_VERSION" \
        >"$DIR/install.log" 2>&1 || { tail -n 30 "$DIR/install.log" >&2; rm -rf "$DIR"; exit 1; }
    fi
    echo "$JS"
    ;;
  *) echo "usage: $0 install|path" >&2; exit 2 ;;
esac
