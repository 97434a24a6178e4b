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

stack_up

# run_flavor FLAVOR: the integration tests against Kore of that flavor.
run_flavor() {
	start_kore "$1" || { FAILED=1; return 0; }
	log "integration tests ($1) at $BASE_URL"
	DROP_TEST_BASE="$BASE_URL" DROP_TEST_INTERNAL="$INTERNAL_URL" \
	DROP_TEST_PGHOST="$PGDIR/run" DROP_TEST_PGPORT="$PGPORT" \
	DROP_TEST_CERT="$TMP/tls/cert.pem" \
	DROP_TEST_PG_STOP="sh $ROOT/scripts/pgctl.sh stop $PGDIR $PGPORT" \
	DROP_TEST_PG_START="sh $ROOT/scripts/pgctl.sh start $PGDIR $PGPORT" \
	    python3 "$ROOT/tests/integration/run.py" || FAILED=1
	stop_kore
	check_kore_log "$1"
}

# Sanitizer reports, sandbox kills and crashed workers fail the run.
check_kore_log() {
	pattern="ERROR: AddressSanitizer|runtime error:|sandbox violation|\) gone|fatal"
	if grep -E "$pattern" "$TMP/kore-$1.log" >/dev/null; then
		log "kore ($1) reported errors:"
		grep -E -A20 "$pattern" "$TMP/kore-$1.log" | head -n 60 >&2
		FAILED=1
	fi
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
	DROP_TEST_BASE="$BASE_URL" DROP_TEST_INTERNAL="$INTERNAL_URL" \
	DROP_TEST_PGHOST="$PGDIR/run" DROP_TEST_PGPORT="$PGPORT" \
	DROP_TEST_UNTRUSTED=1 \
	DROP_TEST_ONLY="health_reports,register_creates,login_sets,forwarded_for" \
	    python3 "$ROOT/tests/integration/run.py" || FAILED=1
	stop_kore
	check_kore_log dev
}

FLAVORS=${DROP_TEST_FLAVORS:-dev asan}
KORE_ENV=""
case " $FLAVORS " in *" dev "*) run_flavor dev; plain_http_smoke ;; esac
# The sanitizer runtimes go first; libcrypt too, or ASan's crypt_r
# interceptor finds no real function (drop.so is loaded with dlopen).
ASAN_LIBS="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so) $(gcc -print-file-name=libcrypt.so.1)"
KORE_ENV="LD_PRELOAD=$(echo $ASAN_LIBS | tr ' ' ':') ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1"
case " $FLAVORS " in *" asan "*) run_flavor asan ;; esac

[ "$FAILED" = 0 ] || { log "FAILED"; exit 1; }
log "all tests passed"
