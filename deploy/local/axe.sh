#!/usr/bin/env bash
# The accessibility engine axe-core (Deque's, from the npm registry), pinned, installed once under the cache
# dir beside Spectral, so a fresh clone reuses it. `make test` runs `install`; the browser tests ask `path`
# for axe.min.js and inject it into each screen they check (tests/browser/conftest.py, ConsolePage.axe),
# failing, never skipping, without it.
#
# Usage: deploy/local/axe.sh install|path
exec "$(dirname "${BASH_SOURCE[0]}")/npm_tool.sh" "$0" "${1:-}" axe-core axe-core 4.14.1 axe-core/axe.min.js
