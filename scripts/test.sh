#!/bin/sh
# make test: everything CI runs. Builds the dev and asan flavors, runs the
# Check unit tests, then the integration tests against a throwaway stack
# (its own PostgreSQL in a temp dir, Kore on free ports) once per flavor.
set -eu
. "$(dirname "$0")/lib.sh"

need_packages
sh "$ROOT/scripts/build.sh" dev
sh "$ROOT/scripts/build.sh" asan
make -s -C "$ROOT" build/unit/drop_unit

. "$ROOT/scripts/stack.sh"
trap stack_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "unit tests"
"$ROOT/build/unit/drop_unit" || FAILED=1
log "OpenAPI lint"
sh "$ROOT/scripts/lint-openapi.sh" || FAILED=1

stack_up

# run_flavor FLAVOR: the integration tests against Kore of that flavor.
run_flavor() {
	start_kore "$1" || { FAILED=1; return 0; }
	log "integration tests ($1) at $BASE_URL"
	DROP_TEST_CERT="$TMP/tls/cert.pem" DROP_TEST_OPENAPI=1 \
	DROP_TEST_PG_STOP="sh $ROOT/scripts/pgctl.sh stop $PGDIR $PGPORT" \
	DROP_TEST_PG_START="sh $ROOT/scripts/pgctl.sh start $PGDIR $PGPORT" \
	    python3 "$ROOT/tests/integration/run.py" || FAILED=1
	if [ "$1" = dev ]; then
		log "browser test (dev) at $BASE_URL"
		sh "$ROOT/scripts/browser.sh" || FAILED=1
	fi
	stop_kore
	check_kore_log "$1"
	# The plain-HTTP smoke reuses the dev log name: keep this one.
	cp "$TMP/kore-$1.log" "$TMP/kore-$1-suite.log"
}

# The public listener in plain HTTP (behind a TLS-terminating balancer),
# trusting no proxy: X-Forwarded-For must not change the client address.
plain_http_smoke() {
	export DROP_PUBLIC_TLS=no DROP_TRUSTED_PROXIES=
	started=yes
	start_kore dev || started=no
	export DROP_PUBLIC_TLS=yes DROP_TRUSTED_PROXIES=127.0.0.1
	[ "$started" = yes ] || { FAILED=1; return 0; }
	log "plain-HTTP public listener, no trusted proxy, at $BASE_URL"
	DROP_TEST_UNTRUSTED=1 \
	DROP_TEST_ONLY="health_reports,register_creates,login_sets,forwarded_for" \
	    python3 "$ROOT/tests/integration/run.py" || FAILED=1
	stop_kore
	check_kore_log dev
}

FLAVORS=${DROP_TEST_FLAVORS:-dev asan}
KORE_ENV=""
case " $FLAVORS " in *" dev "*) run_flavor dev; plain_http_smoke ;; esac
KORE_ENV=$(asan_env)
case " $FLAVORS " in *" asan "*) run_flavor asan ;; esac

[ "$FAILED" = 0 ] || { log "FAILED"; exit 1; }
log "all tests passed"
