#!/usr/bin/env bash
# The OpenAPI linter Spectral (@stoplight/spectral-cli, from the npm registry), pinned, installed once
# under the cache dir beside Kafka's jars and FerretDB, so a fresh clone reuses it. `make test` runs
# `install`; tests/api/test_api_style.py asks `path` where it is (and fails, never skips, without it).
#
# Usage: deploy/local/spectral.sh install|path
exec "$(dirname "${BASH_SOURCE[0]}")/npm_tool.sh" "$0" "${1:-}" spectral @stoplight/spectral-cli 6.15.0 .bin/spectral
