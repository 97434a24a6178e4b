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
owner_db
sanctions_load "$2" "cli:$(id -un)"
