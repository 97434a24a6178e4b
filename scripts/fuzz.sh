#!/bin/sh
# make fuzz: every parser of src/lib that reads what a client or a bank
# sends, under libFuzzer with ASan and UBSan (tests/fuzz/fuzz_*.c), for
# DROP_FUZZ_SECONDS each (default 60; make test runs 30). Corpora grow in
# build/fuzz/corpus/<target> from the seeds in tests/fuzz/seeds/<target>;
# a crash or a broken property leaves its input in build/fuzz/ and fails.
#   DROP_FUZZ_ONLY=money,psd2   those targets only
set -eu
. "$(dirname "$0")/lib.sh"

PACKAGES="clang libclang-rt-14-dev libjansson-dev libjwt-dev libssl-dev
libqrencode-dev"
need_packages

SECONDS_EACH=${DROP_FUZZ_SECONDS:-60}
OUT=$ROOT/build/fuzz
mkdir -p "$OUT"
TARGETS=$(cd "$ROOT/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
if [ -n "${DROP_FUZZ_ONLY:-}" ]; then
	TARGETS=$(echo "$DROP_FUZZ_ONLY" | tr ',' ' ')
fi

FAILED=0
for t in $TARGETS; do
	bin=$OUT/fuzz_$t
	# shellcheck disable=SC2046
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    -I"$ROOT/tests/unit/nokore" -I"$ROOT/src/lib" \
	    -o "$bin" "$ROOT/tests/fuzz/fuzz_$t.c" "$ROOT"/src/lib/*.c \
	    -ljwt -ljansson -lcrypto -lqrencode -lm ||
	    die "fuzz: $t does not build"
	corpus=$OUT/corpus/$t
	mkdir -p "$corpus"
	seeds=$ROOT/tests/fuzz/seeds/$t
	[ -d "$seeds" ] || seeds=
	log "fuzz: $t for ${SECONDS_EACH}s"
	# shellcheck disable=SC2086
	if ! (cd "$OUT" && "$bin" -max_total_time="$SECONDS_EACH" \
	    -max_len=4096 -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
	    "$corpus" $seeds >"$OUT/$t.log" 2>&1); then
		tail -40 "$OUT/$t.log" >&2
		log "fuzz: $t FAILED (input saved in $OUT)"
		FAILED=1
	else
		grep -E "stat::number_of_executed_units|stat::new_units_added" \
		    "$OUT/$t.log" | tr '\n' ' ' >&2
		echo >&2
	fi
done
[ "$FAILED" = 0 ] || exit 1
log "fuzz: no crash and no broken property"
