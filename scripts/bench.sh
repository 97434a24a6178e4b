#!/bin/sh
# make bench: Drop against its own ceilings (tests/bench/bench.py) on a
# throwaway prod-flavor stack with the bench population. Writes
# docs/performance.md and docs/performance.png. Timing goals live here,
# not in tests. Loopback only, bounded; about 5 minutes.
set -eu
. "$(dirname "$0")/lib.sh"
PACKAGES="$PACKAGES wrk gnuplot-nox haproxy"
need_packages
sh "$ROOT/scripts/build.sh" prod
. "$ROOT/scripts/stack.sh"
trap stack_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stack_up
log "loading the bench population (1,000,000 transactions take a minute)"
t0=$(date +%s)
psql_owner -f "$ROOT/tests/bench/population.sql" >/dev/null
log "population loaded in $(( $(date +%s) - t0 )) s"
export DROP_BENCH=yes
# A few users pay thousands of times a minute: the per-user limit stays out.
export DROP_RATELIMIT_PAY_PER_USER=1000000
# First the plain-HTTP public listener (behind a TLS-terminating balancer).
export DROP_PUBLIC_TLS=no
start_kore prod
DROP_BENCH_PLAIN=yes DROP_BENCH_PGBIN="$(pg_bindir)" \
DROP_BENCH_KORE_PID="$KPID" DROP_BENCH_TMP="$TMP" \
    python3 "$ROOT/tests/bench/bench.py" || FAILED=1
stop_kore
# Then make cluster's front: HAProxy ending TLS over two instances (A-D).
start_cluster prod
DROP_BENCH_CLUSTER=yes DROP_BENCH_PGBIN="$(pg_bindir)" \
DROP_BENCH_KORE_PID="$(echo $CLUSTER_PIDS | cut -d" " -f1)" DROP_BENCH_TMP="$TMP" \
DROP_TEST_CERT="$TMP/tls/cert.pem" \
    python3 "$ROOT/tests/bench/bench.py" || FAILED=1
stop_cluster
check_kore_log cluster1
check_kore_log cluster2
export DROP_PUBLIC_TLS=yes
start_kore prod
DROP_BENCH_PGBIN="$(pg_bindir)" DROP_BENCH_KORE_PID="$KPID" \
DROP_BENCH_TMP="$TMP" DROP_TEST_CERT="$TMP/tls/cert.pem" \
DROP_BENCH_BANK_PID="$BANK_PID" \
    python3 "$ROOT/tests/bench/bench.py" || FAILED=1
stop_kore
check_kore_log prod
[ "$FAILED" = 0 ] || { log "FAILED"; exit 1; }
