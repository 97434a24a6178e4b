#!/bin/sh
# make bench: throughput and latency of the hot read paths with wrk against
# a throwaway prod-flavor stack. Timing goals live here, not in tests.
set -eu
. "$(dirname "$0")/lib.sh"
PACKAGES="$PACKAGES wrk"
need_packages
sh "$ROOT/scripts/build.sh" prod
. "$ROOT/scripts/stack.sh"
trap stack_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stack_up
start_kore prod
SECS=${DROP_BENCH_SECONDS:-10}
for path in /api/health /api/rates /api/rates/RSD /api/nope; do
	log "wrk ${SECS}s, 2 threads, 64 connections: GET $path"
	wrk -t2 -c64 -d"${SECS}s" --latency -s "$ROOT/scripts/bench-xff.lua" \
	    "$BASE_URL$path" | sed -n '1,12p'
done
stop_kore
