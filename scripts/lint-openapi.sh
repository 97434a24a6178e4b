#!/bin/sh
# make lint-openapi: Redocly's linter (npm, test-only, pinned in
# tests/tools/package-lock.json) on docs/openapi.yaml.
set -eu
. "$(dirname "$0")/lib.sh"
. "$ROOT/scripts/tools.sh"
tools_ready
"$ROOT/tests/tools/node_modules/.bin/redocly" lint \
    --config "$ROOT/tests/tools/redocly.yaml" "$ROOT/docs/openapi.yaml"
