#!/bin/sh
# make cluster: Drop the way it runs in production, on loopback under
# var/cluster/: a pair of HAProxy balancers (their limits shared as
# peers) ending TLS and health-checking two Drop
# instances (each its own Kore and workers, plain HTTP behind it), a
# PostgreSQL primary with a hot standby fed by streaming replication, the
# sandbox bank and the SMTP sink. Ctrl-C stops it all. After a failover
# (scripts/cluster.sh promote) the promoted standby stays the primary and
# the next start rebuilds the other as its standby. docs/deployment.md.
set -eu
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = promote ]; then
	# The standby of a running cluster takes over (the primary should be
	# stopped first: pg_ctl stop -D var/cluster/pgN/data).
	dev_stack_vars
	for d in "$VAR"/cluster/pg1 "$VAR"/cluster/pg2; do
		[ -f "$d/data/standby.signal" ] || continue
		as_pg "$(pg_bindir)/pg_ctl" -D "$d/data" -w promote >/dev/null &&
		    log "promoted $d" && exit 0
	done
	die "no standby to promote"
fi

dev_stack_vars
FLAVOR=${DROP_FLAVOR:-dev}
CL=$VAR/cluster
PUB=${DROP_HTTPS_PORT:-8443}
INT=${DROP_INTERNAL_PORT:-8444}
# The second balancer of the pair, and the ports the pair talks on.
PUB2=${DROP_HTTPS_PORT2:-8543}
INT2=${DROP_INTERNAL_PORT2:-8544}
PEERS="lb1:${DROP_PEER_PORT:-8471} lb2:$((${DROP_PEER_PORT:-8471} + 1))"
INSTANCES="${DROP_CLUSTER_PORTS:-8451:8461 8452:8462}"
PORT1=${DROP_PG_PORT:-55441}
PORT2=$((PORT1 + 1))
export DROP_PUBLIC_URL="${DROP_PUBLIC_URL:-https://127.0.0.1:$PUB}"
export DROP_WEBHOOK_ALLOW_LOOPBACK="${DROP_WEBHOOK_ALLOW_LOOPBACK:-yes}"
# Clients reach the instances through HAProxy on this machine only.
export DROP_TRUSTED_PROXIES="${DROP_TRUSTED_PROXIES:-127.0.0.1}"

PACKAGES="$PACKAGES haproxy"
need_packages
sh "$ROOT/scripts/build.sh" "$FLAVOR"
mkdir -p "$CL"
PIDS=""
stop_all() {
	trap - EXIT INT TERM
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	bank_stop
	smtp_stop
	pg_stop "$CL/pg1"
	pg_stop "$CL/pg2"
	log "stopped"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The primary is whichever was not a standby when it stopped (a promoted
# standby keeps the role); the other is rebuilt as its standby if it was
# not one.
A=pg1 B=pg2 PA=$PORT1 PB=$PORT2
if [ -f "$CL/pg2/data/PG_VERSION" ] && [ ! -f "$CL/pg2/data/standby.signal" ]; then
	A=pg2 B=pg1 PA=$PORT2 PB=$PORT1
fi
if [ -f "$CL/$B/data/PG_VERSION" ] && [ ! -f "$CL/$B/data/standby.signal" ]; then
	log "$B was a primary too: rebuilt as the standby of $A"
	rm -rf "${CL:?}/$B/data"
fi
# A primary left synchronous by the last run would wait for a standby not
# yet started through the migrations: alone until standby_setup.
[ ! -f "$CL/$A/data/postgresql.auto.conf" ] ||
    as_pg sed -i '/^synchronous_standby_names/d' "$CL/$A/data/postgresql.auto.conf"
PGDIR=$CL/$A PGPORT=$PA
stack_prepare "$CL"
standby_setup "$CL/$A" "$PA" "$CL/$B" "$PB"
# Every instance knows both; libpq takes the one that accepts writes.
export DROP_PG_HOST="$CL/pg1/run,$CL/pg2/run" DROP_PG_PORT="$PORT1,$PORT2"

bank_start "$CL" "${DROP_BANK_PORT:-8445}"
smtp_start "$CL" "${DROP_SMTP_PORT:-2525}"
export DROP_PUBLIC_TLS=no
n=0
for pair in $INSTANCES; do
	n=$((n + 1))
	instance_conf "$ROOT/build/$FLAVOR/drop/drop.so" "$CL" "$CL/kore-$n.conf" \
	    "${pair%%:*}" "${pair##*:}"
	(cd "$ROOT" && exec setsid kore $(kore_flags) "$CL/kore-$n.conf") \
	    >>"$CL/kore-$n.log" 2>&1 &
	PIDS="$PIDS $!"
done
for lb in "lb1 $PUB $INT" "lb2 $PUB2 $INT2"; do
	set -- $lb
	haproxy_conf "$CL" "$2" "$3" "$INSTANCES" "$CL/haproxy-$1.cfg" "$1" "$PEERS"
	haproxy -db -f "$CL/haproxy-$1.cfg" >>"$CL/haproxy-$1.log" 2>&1 &
	PIDS="$PIDS $!"
done

log "web client:   https://127.0.0.1:$PUB/ (HAProxy; dev certificate)"
log "its pair:     https://127.0.0.1:$PUB2/ and http://127.0.0.1:$INT2/ (the same limits)"
log "internal API: http://127.0.0.1:$INT/internal/ (credential in $CL/secrets/operator_admin)"
log "instances:    $INSTANCES (public:internal, plain HTTP), logs $CL/kore-N.log"
log "PostgreSQL:   primary $CL/$A (port $PA), standby $CL/$B (port $PB)"
log "failover:     pg_ctl stop -D $CL/$A/data, then sh scripts/cluster.sh promote"
log "demo login:   demo@drop.example / DemoPass123"
wait
