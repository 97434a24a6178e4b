#!/bin/sh
# make test: everything CI runs. Builds the dev and asan flavors, runs the
# Check unit tests, the layer check, the OpenAPI lint, the web client's
# unit tests (node --test tests/web/) and the parsers under libFuzzer
# (30 s each: scripts/fuzz.sh), then the integration tests with
# pytest once per flavor (each session starts its own stack:
# tests/integration/stack.py), a plain-HTTP smoke, the bank client
# against Prism serving the Berlin Group's definition, and the tests again
# through make cluster's topology (--cluster).
#   DROP_TEST_FLAVORS=dev   one flavor only
#   DROP_TEST_K=expr        pytest's -k (DROP_TEST_ONLY=a,b means "a or b")
set -eu
. "$(dirname "$0")/lib.sh"

# gdb: where a Kore that will not stop is stuck (tests/integration/stack.py);
# haproxy: the cluster's balancer (--cluster).
PACKAGES="$PACKAGES gdb haproxy"
need_packages
sh "$ROOT/scripts/build.sh" dev
sh "$ROOT/scripts/build.sh" asan
make -s -C "$ROOT" build/unit/drop_unit
FAILED=0

log "unit tests"
"$ROOT/build/unit/drop_unit" || FAILED=1
log "layers (src/lib < src/core < src/api, no cycle)"
"$PYTHON" "$ROOT/tests/layers.py" dev || FAILED=1
log "OpenAPI lint"
sh "$ROOT/scripts/lint-openapi.sh" || FAILED=1
log "web client unit tests (node --test)"
. "$ROOT/scripts/tools.sh"
tools_ready
node --test "$ROOT/tests/web/" >"$ROOT/build/web-unit.log" 2>&1 ||
    { cat "$ROOT/build/web-unit.log"; FAILED=1; }
grep -E "^# (pass|fail)" "$ROOT/build/web-unit.log" >&2 || true
log "fuzzing the parsers (libFuzzer, ASan, UBSan)"
DROP_FUZZ_SECONDS=${DROP_FUZZ_SECONDS:-30} sh "$ROOT/scripts/fuzz.sh" ||
    FAILED=1

K=${DROP_TEST_K:-}
if [ -z "$K" ] && [ -n "${DROP_TEST_ONLY:-}" ]; then
	K=$(echo "$DROP_TEST_ONLY" | sed 's/,/ or /g')
fi

# pytest_run ARGS...: the integration tests, in their own session.
pytest_run() {
	(cd "$ROOT/tests/integration" && "$PYTHON" -m pytest "$@") || FAILED=1
}

FLAVORS=${DROP_TEST_FLAVORS:-dev asan}
for f in $FLAVORS; do
	log "integration tests ($f)"
	if [ -n "$K" ]; then
		pytest_run --flavor "$f" -k "$K"
	else
		pytest_run --flavor "$f"
	fi
	if [ "$f" = dev ] && [ -z "$K" ]; then
		# Behind a TLS-terminating balancer, trusting no proxy:
		# X-Forwarded-For must not change the client address.
		log "plain-HTTP public listener, no trusted proxy (dev)"
		pytest_run --flavor dev --plain-http -k "health_reports or \
register_creates or login_sets or forwarded_for"
		# A bank nobody here wrote: Prism serving the Berlin Group's
		# definition must accept every call Drop makes.
		log "bank client against Prism (Berlin Group definition, dev)"
		pytest_run --flavor dev --bank prism
		# make cluster's topology: every test that does not restart
		# PostgreSQL or Kore itself through HAProxy and two instances,
		# then the cluster's faults (test_cluster.py).
		log "cluster: HAProxy, two instances, primary and standby (dev)"
		pytest_run --flavor dev --cluster
	fi
done

[ "$FAILED" = 0 ] || { log "FAILED"; exit 1; }
log "all tests passed"
