#!/bin/sh
# pgctl.sh start|stop DIR PORT: the private cluster alone (tests use it to
# take the database away and bring it back).
set -eu
. "$(dirname "$0")/lib.sh"
case $1 in
start)	pg_start "$2" "$3" ;;
stop)	pg_stop "$2" ;;
*)	die "usage: pgctl.sh start|stop DIR PORT" ;;
esac
