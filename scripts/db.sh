#!/bin/sh
# make db: the private PostgreSQL of `make run` alone, migrated and seeded,
# with the dev certificate and secrets, for `kodev run` in another terminal.
set -eu
. "$(dirname "$0")/lib.sh"

VAR=${DROP_VAR_DIR:-$ROOT/var}
case $VAR in /*) ;; *) VAR=$ROOT/$VAR ;; esac
PGDIR=$VAR/pg
PGPORT=${DROP_PG_PORT:-55432}

need_packages
mkdir -p "$VAR"
pg_setup "$PGDIR" "$PGPORT"
trap 'pg_stop "$PGDIR"; log "stopped"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
migrate
seed
make_cert "$VAR/tls"
export_runtime_env "$VAR"
log "PostgreSQL on $PGDIR/run port $PGPORT; Ctrl-C stops it"
while :; do sleep 3600; done
