#!/bin/sh
# make faults: the fault harness (tests/faults/faults.py) against a
# throwaway stack, once per flavor (DROP_FAULT_FLAVORS, default dev asan).
# Loopback only, bounded in time; not part of `make test`, run by CI.
set -eu
. "$(dirname "$0")/lib.sh"

need_packages
FLAVORS=${DROP_FAULT_FLAVORS:-dev asan}
for f in $FLAVORS; do
	sh "$ROOT/scripts/build.sh" "$f"
done

. "$ROOT/scripts/stack.sh"
trap stack_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export DROP_TEST_BCRYPT_COST=${DROP_TEST_BCRYPT_COST:-4}
stack_up

# run_faults FLAVOR: a fresh Kore of that flavor through every fault.
run_faults() {
	start_kore "$1" || { FAILED=1; return 0; }
	log "fault harness ($1) at $BASE_URL"
	DROP_TEST_CERT="$TMP/tls/cert.pem" DROP_FAULT_PGBIN="$(pg_bindir)" \
	DROP_FAULT_KORE_PID="$KPID" python3 "$ROOT/tests/faults/faults.py" || FAILED=1
	t0=$(date +%s%N)
	stop_kore
	log "kore ($1) stopped in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	check_kore_log "$1" 1
}

for f in $FLAVORS; do
	case $f in
	asan)	KORE_ENV=$(asan_env) ;;
	*)	KORE_ENV="" ;;
	esac
	run_faults "$f"
done

[ "$FAILED" = 0 ] || { log "FAILED"; exit 1; }
log "fault harness passed"
