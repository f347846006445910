#!/bin/bash
# Run the libFuzzer targets built by `make fuzz`, one after the other, each
# for SECONDS, and print a table: target, seconds, executions, exec/s,
# crashes.
#   tests/fuzz/fuzz.sh BUILD SECONDS [NAME...]     (default: every target)
#
# Each target works on a scratch copy of its seed corpus and its past crash
# inputs under BUILD/fuzz-out/NAME/corpus (new inputs land there, never in
# the tree), with tests/fuzz/NAME.dict as its dictionary when there is one.
# On a crash, a sanitizer report, a leak or a timeout the run stops: the
# report's tail is printed with the path of the saved input
# (BUILD/fuzz-out/NAME/artifacts/...), and the exit status is 1.  Copy that
# input to tests/fuzz/crashes/NAME/ with the fix so `make test` replays it.
set -u
if [ $# -lt 2 ]; then
	echo "usage: tests/fuzz/fuzz.sh BUILD SECONDS [NAME...]" >&2
	exit 2
fi
BUILD=$1
secs=$2
shift 2
cd "$(dirname "$0")/../.." || exit 2
case "$secs" in ''|*[!0-9]*) echo "fuzz: SECONDS must be a number, not '$secs'" >&2; exit 2 ;; esac

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for b in "$BUILD"/fuzz/fuzz_*; do
		[ -x "$b" ] && names+=("${b##*/fuzz_}")
	done
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "fuzz: no targets in $BUILD/fuzz/" >&2
	exit 2
fi

# UBSan and leaks stop the run like ASan does; symbolized stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

rows=()
status=0
start_all=$(date +%s)
for name in "${names[@]}"; do
	bin=$BUILD/fuzz/fuzz_$name
	if [ ! -x "$bin" ]; then
		echo "fuzz: no target $bin" >&2
		status=2
		break
	fi
	work=$BUILD/fuzz-out/$name
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"
	for d in tests/fuzz/corpus/$name tests/fuzz/crashes/$name; do
		[ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$work/corpus/" \;
	done
	dict=()
	[ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
	echo "== fuzz_$name for ${secs}s ($(find "$work/corpus" -type f | wc -l) seed inputs)"
	t0=$(date +%s)
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=30 \
	    -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/" "${dict[@]}" \
	    "$work/corpus" >"$work/log" 2>&1
	rc=$?
	took=$(( $(date +%s) - t0 ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	if [ -z "$execs" ]; then
		# no final stats (killed): the last status line "#N ..."
		execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$work/log" | tail -1)
	fi
	execs=${execs:-0}
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -1)
	[ -n "$eps" ] || eps=$(( took > 0 ? execs / took : execs ))
	crashes=$(find "$work/artifacts" -type f | wc -l)
	if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
	rows+=("$(printf '%-14s %8s %12s %9s %8s' "$name" "$took" "$execs" "$eps" "$crashes")")
	if [ "$crashes" -ne 0 ]; then
		echo "fuzz_$name: exit $rc; the report ends:"
		grep -n -m1 -E '^==[0-9]+==ERROR|runtime error:|^ALARM|deadly signal|out-of-memory' \
		    "$work/log" | head -1
		tail -n 40 "$work/log"
		for a in "$work"/artifacts/*; do
			[ -f "$a" ] && echo "fuzz_$name: crash input saved: $a"
		done
		status=1
		break
	fi
done

echo
echo "fuzzing: $(( $(date +%s) - start_all ))s in all"
printf '%-14s %8s %12s %9s %8s\n' target seconds executions exec/s crashes
for r in "${rows[@]}"; do echo "$r"; done
exit $status
