#!/bin/sh
# make faults: the fault harness (tests/faults/faults.py) against a
# throwaway stack with the sandbox bank, once per flavor
# (DROP_FAULT_FLAVORS, default dev asan; DROP_FAULT_ONLY and
# DROP_FAULT_REPEAT narrow and repeat the faults: tests/faults/faults.py).
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
# An unanswered payment is given up on after 60 s here (15 min in
# production), so the harness sees every payment end; 60 s outlasts a lost
# answer's lease (30 s) plus a retry that meets a killed bank.
export DROP_BANK_GIVEUP_S=${DROP_BANK_GIVEUP_S:-60}
# The payers pay far faster than a person: the per-user limit stays out.
export DROP_RATELIMIT_PAY_PER_USER=1000000
# The demo shop's webhook receiver is the harness's own, on loopback.
export DROP_WEBHOOK_ALLOW_LOOPBACK=yes
stack_up

# run_faults FLAVOR: a fresh Kore of that flavor through every fault.
run_faults() {
	# A fault restarts the bank under the harness, which stops it on exit.
	curl -ks -o /dev/null "https://127.0.0.1:$BANK_PORT/sandbox/health" ||
	    { bank_stop; bank_start "$TMP" "$BANK_PORT"; }
	start_kore "$1" || { FAILED=1; return 0; }
	log "fault harness ($1) at $BASE_URL"
	DROP_TEST_CERT="$TMP/tls/cert.pem" DROP_FAULT_PGBIN="$(pg_bindir)" \
	DROP_FAULT_KORE_PID="$KPID" DROP_FAULT_TMP="$TMP" \
	DROP_FAULT_BANK_PID="$BANK_PID" \
	    "$PYTHON" "$ROOT/tests/faults/faults.py" || FAILED=1
	t0=$(date +%s%N)
	stop_kore
	log "kore ($1) stopped in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	# Each worker-kill fault kills one; the harness counts them.
	check_kore_log "$1" "$(cat "$TMP/workers-killed" 2>/dev/null || echo 2)"
	rm -f "$TMP/workers-killed"
}

# Under ASan on a small machine everything takes about three times as
# long: the harness waits three times as long for Drop and the bank to
# agree, and Kore gives up on a payment after 180 s (see reliability.md,
# "Giving up": the window hides, it does not close, that risk).
for f in $FLAVORS; do
	case $f in
	asan)	KORE_ENV=$(asan_env)
		export DROP_FAULT_SLOW=3 DROP_BANK_GIVEUP_S=180 ;;
	*)	KORE_ENV=""
		export DROP_FAULT_SLOW=1 DROP_BANK_GIVEUP_S=60 ;;
	esac
	run_faults "$f"
done

[ "$FAILED" = 0 ] || { log "FAILED"; exit 1; }
log "fault harness passed"
