#!/bin/sh
# The browser test (tests/browser/walk.mjs) against a running stack; run by
# test.sh with the stack's environment (DROP_TEST_BASE, DROP_TEST_INTERNAL,
# DROP_OPERATOR_ADMIN). Needs Debian's chromium.
set -eu
. "$(dirname "$0")/lib.sh"
. "$ROOT/scripts/tools.sh"
PACKAGES="chromium"
need_packages
tools_ready
node "$ROOT/tests/browser/walk.mjs"
