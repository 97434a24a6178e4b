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

TMP=$(mktemp -d /tmp/drop-test.XXXXXX)
chmod 755 "$TMP"
PGDIR=$TMP/pg
PGPORT=$(python3 "$ROOT/tests/integration/freeport.py" 1)
KPID=""
FAILED=0

# A worker of the asan flavor can hang in libc's exit handlers (a locale
# lock taken in libp11-kit's destructor): give Kore 10 s, then kill it.
stop_kore() {
	[ -n "$KPID" ] || return 0
	kill -TERM "$KPID" 2>/dev/null || true
	i=0
	while kill -0 "$KPID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$KPID" 2>/dev/null; then
		log "kore did not stop in 10 s; killing it"
		pkill -KILL -P "$KPID" 2>/dev/null || true
		kill -KILL "$KPID" 2>/dev/null || true
	fi
	wait "$KPID" 2>/dev/null || true
	KPID=""
}
cleanup() {
	stop_kore
	pg_stop "$PGDIR"
	if [ "$FAILED" = 0 ]; then
		rm -rf "$TMP"
	else
		log "logs kept in $TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "unit tests"
"$ROOT/build/unit/drop_unit" || FAILED=1

export DROP_PG_FSYNC=off
pg_setup "$PGDIR" "$PGPORT"
migrate
seed
make_cert "$TMP/tls"
export DROP_JWT_SECRET="$(openssl rand -base64 48 | tr -d '\n')"
export DROP_ADMIN_TOKEN="$(openssl rand -hex 24)"
export DROP_TRUSTED_PROXIES=127.0.0.1
export DROP_BCRYPT_COST="${DROP_TEST_BCRYPT_COST:-12}"
export_runtime_env "$TMP"

# run_flavor FLAVOR [extra environment for kore]
run_flavor() {
	flavor=$1
	shift
	set -- $(python3 "$ROOT/tests/integration/freeport.py" 2)
	export DROP_HTTPS_PORT=$1 DROP_INTERNAL_PORT=$2
	render_conf "$ROOT/build/$flavor/drop/drop.so" "$TMP" \
	    "$TMP/kore-$flavor.conf"
	log "integration tests ($flavor) on ports $1/$2"
	(cd "$ROOT" && exec env $KORE_ENV kore -fnrc "$TMP/kore-$flavor.conf") \
	    >"$TMP/kore-$flavor.log" 2>&1 &
	KPID=$!
	DROP_TEST_BASE="https://127.0.0.1:$1" \
	DROP_TEST_INTERNAL="http://127.0.0.1:$2" \
	DROP_TEST_PGHOST="$PGDIR/run" DROP_TEST_PGPORT="$PGPORT" \
	DROP_TEST_CERT="$TMP/tls/cert.pem" \
	DROP_TEST_PG_STOP="sh $ROOT/scripts/pgctl.sh stop $PGDIR $PGPORT" \
	DROP_TEST_PG_START="sh $ROOT/scripts/pgctl.sh start $PGDIR $PGPORT" \
	    python3 "$ROOT/tests/integration/run.py" || FAILED=1
	stop_kore
	if grep -E "ERROR: AddressSanitizer|runtime error:|sandbox violation|\) gone|fatal" \
	    "$TMP/kore-$flavor.log" >/dev/null; then
		log "kore ($flavor) reported errors:"
		grep -E -A20 "ERROR: AddressSanitizer|runtime error:|sandbox violation|\) gone|fatal" \
		    "$TMP/kore-$flavor.log" | head -n 60 >&2
		FAILED=1
	fi
}

FLAVORS=${DROP_TEST_FLAVORS:-dev asan}
KORE_ENV=""
case " $FLAVORS " in *" dev "*) run_flavor dev ;; esac
# The sanitizer runtimes go first; libcrypt too, or ASan's crypt_r
# interceptor finds no real function (drop.so is loaded with dlopen).
ASAN_LIBS="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so) $(gcc -print-file-name=libcrypt.so.1)"
KORE_ENV="LD_PRELOAD=$(echo $ASAN_LIBS | tr ' ' ':') ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1"
case " $FLAVORS " in *" asan "*) run_flavor asan ;; esac

[ "$FAILED" = 0 ] || { log "FAILED"; exit 1; }
log "all tests passed"
