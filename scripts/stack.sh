# Throwaway stack for test.sh and bench.sh (sourced after lib.sh): its own
# PostgreSQL in a temp dir and Kore on free ports.

TMP=$(mktemp -d /tmp/drop-test.XXXXXX)
chmod 755 "$TMP"
PGDIR=$TMP/pg
PGPORT=$(python3 "$ROOT/tests/integration/freeport.py" 1)
KPID=""
BANK_PID=""
FAILED=0
KORE_ENV=""
CLUSTER_PIDS=""
HAPROXY_PID=""

# SIGTERM must stop Kore within 5 s, queries in flight or not; a slower
# stop fails the run (after 10 s it is killed).
stop_kore() {
	[ -n "$KPID" ] || return 0
	kill -TERM "$KPID" 2>/dev/null || true
	i=0
	while kill -0 "$KPID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ $i -gt 50 ]; then
		log "kore took more than 5 s to stop"
		FAILED=1
	fi
	if kill -0 "$KPID" 2>/dev/null; then
		log "kore did not stop in 10 s; its workers' stacks go to its log"
		# shellcheck disable=SC2046
		"$PYTHON" "$ROOT/tests/integration/stack.py" stacks \
		    $(pgrep -P "$KPID") || true
		log "killing kore"
		pkill -KILL -P "$KPID" 2>/dev/null || true
		kill -KILL "$KPID" 2>/dev/null || true
	fi
	wait "$KPID" 2>/dev/null || true
	KPID=""
}

# check_kore_log FLAVOR [KILLED]: sanitizer reports, sandbox kills and
# crashed workers fail the run; exactly KILLED workers (default 0) may be
# gone. Kore's stdout is a buffered file, so lines can repeat: count once.
check_kore_log() {
	f="$TMP/kore-$1.log"
	pattern="ERROR: AddressSanitizer|runtime error:|sandbox violation|seccomp violation|fatal"
	if grep -E "$pattern" "$f" >/dev/null; then
		log "kore ($1) reported errors:"
		grep -E -A20 "$pattern" "$f" | head -n 60 >&2
		FAILED=1
	fi
	gone=$(grep -E '\) gone$' "$f" | sort -u | wc -l)
	if [ "$gone" != "${2:-0}" ]; then
		log "kore ($1): $gone workers gone, expected ${2:-0}"
		grep -E -B20 '\) gone$' "$f" >&2
		grep -E 'exited with status' "$f" | sort -u >&2
		FAILED=1
	fi
}

stack_cleanup() {
	stop_kore
	stop_cluster
	bank_stop
	smtp_stop
	pg_stop "$PGDIR"
	if [ "$FAILED" = 0 ]; then
		rm -rf "$TMP"
	else
		log "logs kept in $TMP"
	fi
}

# Database, certificate and secrets of the throwaway stack.
stack_up() {
	export DROP_PG_FSYNC=off
	export DROP_JWT_SECRET="$(openssl rand -base64 48 | tr -d '\n')"
	export DROP_TRUSTED_PROXIES=127.0.0.1
	export DROP_BCRYPT_COST="${DROP_TEST_BCRYPT_COST:-12}"
	export DROP_BANK_CALLBACK_SECRET="$(openssl rand -hex 24)"
	export DROP_DATA_KEY="$(openssl rand -base64 48 | tr -d '\n')"
	stack_prepare "$TMP"
	DROP_OPERATOR_ADMIN=$(cat "$TMP/secrets/operator_admin")
	export DROP_OPERATOR_ADMIN
	BANK_PORT=$(python3 "$ROOT/tests/integration/freeport.py" 1)
	bank_start "$TMP" "$BANK_PORT"
	export DROP_TEST_BANK="https://127.0.0.1:$BANK_PORT"
	smtp_start "$TMP" "$(python3 "$ROOT/tests/integration/freeport.py" 1)"
	export DROP_TEST_MAIL="$TMP/mail"
}

# start_kore FLAVOR: Kore on two free ports (DROP_HTTPS_PORT and
# DROP_INTERNAL_PORT), $KORE_ENV added to its environment; waits for health.
start_kore() {
	set -- "$1" $(python3 "$ROOT/tests/integration/freeport.py" 2)
	export DROP_HTTPS_PORT=$2 DROP_INTERNAL_PORT=$3
	scheme=https
	[ "${DROP_PUBLIC_TLS:-yes}" = yes ] || scheme=http
	# The bank sends the user and its callbacks back here.
	export DROP_PUBLIC_URL="$scheme://127.0.0.1:$2"
	render_conf "$ROOT/build/$1/drop/drop.so" "$TMP" "$TMP/kore-$1.conf"
	# Its own session: a Kore process that signals its process group
	# (seen with seccomp tracing: "parent gone" in the keymgr) must not
	# reach make or this script.
	(cd "$ROOT" && exec env $KORE_ENV setsid kore $(kore_flags) \
	    "$TMP/kore-$1.conf") >"$TMP/kore-$1.log" 2>&1 &
	KPID=$!
	BASE_URL="$scheme://127.0.0.1:$2"
	INTERNAL_URL="http://127.0.0.1:$3"
	# What the Python tests and harnesses need to reach this stack.
	export DROP_TEST_BASE="$BASE_URL" DROP_TEST_INTERNAL="$INTERNAL_URL"
	export DROP_TEST_PGHOST="$PGDIR/run" DROP_TEST_PGPORT="$PGPORT"
	export DROP_TEST_PGDIR="$PGDIR" DROP_TEST_KORE_LOG="$TMP/kore-$1.log"
	i=0
	until curl -ks -o /dev/null "$BASE_URL/api/health"; do
		i=$((i + 1))
		[ $i -lt 150 ] || { log "kore ($1) did not start"; return 1; }
		sleep 0.2
	done
}

# start_cluster FLAVOR: make cluster's front on this stack's database (no
# standby: make bench measures the balancer): two Kores on free ports in
# plain HTTP (logs kore-cluster1.log, kore-cluster2.log) and HAProxy
# ending TLS on a third; BASE_URL is HAProxy. stop_cluster stops them.
start_cluster() {
	pairs=""
	CLUSTER_PIDS=""
	n=0
	for p in $(python3 "$ROOT/tests/integration/freeport.py" 4); do
		pairs="$pairs $p"
	done
	set -- "$1" $pairs
	cl_pub=$(python3 "$ROOT/tests/integration/freeport.py" 1)
	cl_int=$(python3 "$ROOT/tests/integration/freeport.py" 1)
	# The bank sends the user and its callbacks back through HAProxy.
	export DROP_PUBLIC_URL="https://127.0.0.1:$cl_pub"
	for pair in "$2:$3" "$4:$5"; do
		n=$((n + 1))
		instance_conf "$ROOT/build/$1/drop/drop.so" "$TMP" \
		    "$TMP/kore-cluster$n.conf" "${pair%%:*}" "${pair##*:}"
		(cd "$ROOT" && exec env $KORE_ENV setsid kore $(kore_flags) \
		    "$TMP/kore-cluster$n.conf") >"$TMP/kore-cluster$n.log" 2>&1 &
		CLUSTER_PIDS="$CLUSTER_PIDS $!"
	done
	haproxy_conf "$TMP" "$cl_pub" "$cl_int" "$2:$3 $4:$5" "$TMP/haproxy.cfg" \
	    lb1 "lb1:$(python3 "$ROOT/tests/integration/freeport.py" 1)"
	haproxy -db -f "$TMP/haproxy.cfg" >"$TMP/haproxy.log" 2>&1 &
	HAPROXY_PID=$!
	BASE_URL="https://127.0.0.1:$cl_pub"
	export DROP_TEST_BASE="$BASE_URL" DROP_TEST_INTERNAL="http://127.0.0.1:$cl_int"
	export DROP_TEST_PGHOST="$PGDIR/run" DROP_TEST_PGPORT="$PGPORT"
	# Each instance ready, then HAProxy's checks (each second, up after
	# two) have seen it.
	for port in "$2" "$4" ""; do
		url="http://127.0.0.1:$port/api/health"
		[ -n "$port" ] || url="$BASE_URL/api/health"
		i=0
		until [ "$(curl -ks -o /dev/null -w '%{http_code}' "$url")" = 200 ]; do
			i=$((i + 1))
			[ $i -lt 150 ] || { log "the cluster did not start"; return 1; }
			sleep 0.2
		done
	done
	sleep 3
}

stop_cluster() {
	for p in $CLUSTER_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $CLUSTER_PIDS; do wait "$p" 2>/dev/null || true; done
	CLUSTER_PIDS=""
	[ -z "${HAPROXY_PID:-}" ] || { kill "$HAPROXY_PID" 2>/dev/null || true;
	    wait "$HAPROXY_PID" 2>/dev/null || true; }
	HAPROXY_PID=""
}
