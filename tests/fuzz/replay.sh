#!/bin/bash
# Replay every seed input and every past crash input of every fuzz target
# through its replay build (BUILD/tests/fuzz_NAME: the target linked with
# tests/fuzz/replay.c, no libFuzzer), one TAP-like line per target:
#   ok - replay NAME (N inputs)
# Fast and deterministic; tests/run.sh runs it in the unit tier, so it runs
# in `make test`, `make unit` and under SANITIZE=address,undefined.
#   tests/fuzz/replay.sh BUILD [FILTER]
set -u
BUILD=${1:-build}
filter=${2:-}
cd "$(dirname "$0")/../.." || exit 2
# a UBSan report fails the replay as an ASan one does
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

fail=0
for bin in "$BUILD"/tests/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	[ -n "$filter" ] && [[ "fuzz_$name" != *"$filter"* ]] && continue
	dirs=()
	n=0
	for d in tests/fuzz/corpus/$name tests/fuzz/crashes/$name; do
		[ -d "$d" ] || continue
		dirs+=("$d")
		n=$((n + $(find "$d" -maxdepth 1 -type f ! -name '.*' | wc -l)))
	done
	if [ "$n" -eq 0 ]; then
		echo "not ok - replay $name: no seed inputs in tests/fuzz/corpus/$name/"
		fail=1
		continue
	fi
	log=$(mktemp)
	"$bin" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok - replay $name ($n inputs)"
	else
		tail -n 40 "$log"
		echo "not ok - replay $name (exit $rc; the last 'replay:' line above names the input)"
		fail=1
	fi
	rm -f "$log"
done
exit $fail
