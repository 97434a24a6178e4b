#!/bin/sh
# The sanctions list Drop screens users and recipients against
# (docs/sanctions.md): replaced whole from a CSV file in one transaction,
# as the schema's owner, with a row in sanctions_loads and the audit log.
# On the development stack's database, or with PGHOST set on the one
# libpq's environment names (like scripts/operator.sh).
#   sanctions.sh load FILE
set -eu
. "$(dirname "$0")/lib.sh"

[ $# = 2 ] && [ "$1" = load ] || die "usage: sanctions.sh load FILE"
[ -r "$2" ] || die "cannot read $2"
if [ -n "${PGHOST:-}" ]; then
	psql_owner() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
else
	dev_stack_vars
	[ -f "$PGDIR/data/PG_VERSION" ] || die "no database under $PGDIR: run make run or make db first"
	if [ ! -f "$PGDIR/data/postmaster.pid" ]; then
		pg_start "$PGDIR" "$PGPORT"
		trap 'pg_stop "$PGDIR"' EXIT
	fi
fi
sanctions_load "$2" "cli:$(id -un)"
