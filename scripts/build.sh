#!/bin/sh
# Builds one kodev flavor (dev, prod, asan) into build/<flavor>/drop/drop.so.
# kodev names the module after its directory, so each flavor builds in a
# directory called drop that links to src/, assets/ and conf/.
set -eu
. "$(dirname "$0")/lib.sh"
flavor=${1:-dev}
dir=$ROOT/build/$flavor/drop
mkdir -p "$dir"
for d in src assets conf; do
	ln -sfn "$ROOT/$d" "$dir/$d"
done
cd "$dir"
if [ "$(cat .flavor 2>/dev/null || true)" != "$flavor" ]; then
	kodev flavor "$flavor" >/dev/null
	kodev clean >/dev/null 2>&1 || true
fi
# kodev tracks .c files only: a changed header or config means rebuild
# all, and so does an asset changed through its link (openapi.yaml).
if [ -f drop.so ] && [ -n "$( { find -L src conf -newer drop.so -type f \
    \( -name '*.h' -o -name 'build.conf' \); find -L assets -newer drop.so \
    -type f; } | head -n 1)" ]; then
	kodev clean >/dev/null
fi
kodev build >build.log 2>&1 || { cat build.log >&2; exit 1; }
log "built $dir/drop.so ($flavor)"
