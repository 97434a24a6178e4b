#!/bin/sh
# make db: the private PostgreSQL of `make run` alone, migrated and seeded,
# with the dev certificate and secrets, for `kodev run` in another terminal.
set -eu
. "$(dirname "$0")/lib.sh"

dev_stack_vars

need_packages
mkdir -p "$VAR"
trap 'pg_stop "$PGDIR"; log "stopped"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
stack_prepare "$VAR"
log "PostgreSQL on $PGDIR/run port $PGPORT; Ctrl-C stops it"
while :; do sleep 3600; done
