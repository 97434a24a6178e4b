#!/bin/sh
# Operators of the internal API (docs/operations.md): make one, its
# credential printed once, or disable one. On the development stack's
# database (started for the step if it is not running), or, with PGHOST
# set, on the database libpq's environment names, as the schema's owner.
#   operator.sh add NAME support|compliance|admin
#   operator.sh disable NAME
set -eu
. "$(dirname "$0")/lib.sh"

usage() { die "usage: operator.sh add NAME support|compliance|admin | disable NAME"; }

[ $# = 2 ] || [ $# = 3 ] || usage
BY="cli:$(id -un)"
owner_db
case $1 in
add)
	[ $# = 3 ] || usage
	case $3 in support|compliance|admin) ;; *) usage ;; esac
	operator_add "$2" "$3" "$BY" || die "cannot add the operator $2"
	log "operator $2 ($3) added; the line above is its only copy"
	;;
disable)
	[ $# = 2 ] || usage
	[ -n "$(operator_disable "$2" "$BY")" ] ||
	    die "no enabled operator named $2"
	log "operator $2 disabled"
	;;
*)
	usage
	;;
esac
