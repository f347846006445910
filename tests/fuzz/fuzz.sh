#!/bin/bash
# Run the libFuzzer targets built by `make fuzz` and print a table: target,
# seconds, executions, exec/s, crashes.
#   tests/fuzz/fuzz.sh BUILD SECONDS [NAME...]     (default: every target)
#
# Each target runs for SECONDS, or, in goal mode, until it has run its
# number of inputs whatever the time (libFuzzer's -runs):
#   FUZZ_GOAL=1     the issue's goal: 10,000,000 for packet, 2,000,000 for
#                   every other target
#   FUZZ_RUNS=N     N for every target named (overrides FUZZ_GOAL)
# and FUZZ_JOBS=J runs J targets side by side (default 1; the targets are
# single-threaded, so up to the number of cores).
#
# Each target works on a scratch copy of its seed corpus and its past crash
# inputs under BUILD/fuzz-out/NAME/corpus (new inputs land there, never in
# the tree), with tests/fuzz/NAME.dict as its dictionary when there is one
# and the libFuzzer flags in tests/fuzz/NAME.options (one a line, # starts
# a comment) when there are some.  On a crash, a sanitizer report, a leak
# or a timeout the run stops (targets still running are stopped too): the
# report's tail is printed with the path of the saved input
# (BUILD/fuzz-out/NAME/artifacts/...), and the exit status is 1.  Copy that
# input to tests/fuzz/crashes/NAME/ with the fix so `make test` replays it.
set -u
if [ $# -lt 2 ]; then
	echo "usage: [FUZZ_GOAL=1|FUZZ_RUNS=N] [FUZZ_JOBS=J] tests/fuzz/fuzz.sh BUILD SECONDS [NAME...]" >&2
	exit 2
fi
BUILD=$1
secs=$2
shift 2
cd "$(dirname "$0")/../.." || exit 2
num() { case "$1" in ''|*[!0-9]*) return 1 ;; esac; }
num "$secs" || { echo "fuzz: SECONDS must be a number, not '$secs'" >&2; exit 2; }
goal=${FUZZ_GOAL:-}
runs=${FUZZ_RUNS:-}
jobs=${FUZZ_JOBS:-1}
[ -z "$runs" ] || num "$runs" || { echo "fuzz: FUZZ_RUNS must be a number, not '$runs'" >&2; exit 2; }
num "$jobs" && [ "$jobs" -ge 1 ] || { echo "fuzz: FUZZ_JOBS must be 1 or more, not '$jobs'" >&2; exit 2; }
case "$goal" in ''|0) goal= ;; esac

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
for name in "${names[@]}"; do
	if [ ! -x "$BUILD/fuzz/fuzz_$name" ]; then
		echo "fuzz: no target $BUILD/fuzz/fuzz_$name" >&2
		exit 2
	fi
done

# the number of inputs NAME runs in goal mode, or nothing: run for secs
runs_of() {
	if [ -n "$runs" ]; then echo "$runs"
	elif [ -n "$goal" ] && [ "$1" = packet ]; then echo 10000000
	elif [ -n "$goal" ]; then echo 2000000
	fi
}

# UBSan and leaks stop the run like ASan does; symbolized stacks.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# One target, in the background: its log, and a row in WORK/row; exit 1
# on a crash.
fuzz_one() {
	local name=$1 bin=$BUILD/fuzz/fuzz_$1 work=$BUILD/fuzz-out/$1
	local n limit t0 took rc execs eps crashes
	local -a dict=() opts=() limit=()
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"
	for d in tests/fuzz/corpus/$name tests/fuzz/crashes/$name; do
		[ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$work/corpus/" \;
	done
	[ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
	[ -f "tests/fuzz/$name.options" ] &&
	    mapfile -t opts < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' \
	    "tests/fuzz/$name.options")
	n=$(runs_of "$name")
	if [ -n "$n" ]; then
		limit=(-runs="$n")
		echo "== fuzz_$name for $n inputs ($(find "$work/corpus" -type f | wc -l) seeds) ${opts[*]}"
	else
		limit=(-max_total_time="$secs")
		echo "== fuzz_$name for ${secs}s ($(find "$work/corpus" -type f | wc -l) seeds) ${opts[*]}"
	fi
	t0=$(date +%s)
	"$bin" "${limit[@]}" -print_final_stats=1 -timeout=30 \
	    -rss_limit_mb=2048 -artifact_prefix="$work/artifacts/" "${dict[@]}" "${opts[@]}" \
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
	[ -n "$eps" ] && [ "$eps" != 0 ] || eps=$(( took > 0 ? execs / took : execs ))
	crashes=$(find "$work/artifacts" -type f | wc -l)
	if [ -f "$work/stopped" ] && [ "$crashes" -eq 0 ]; then
		# another target crashed and this one was stopped
		printf '%-14s %8s %12s %9s %8s\n' "$name" "$took" "$execs" "$eps" stopped >"$work/row"
		return 0
	fi
	if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
	printf '%-14s %8s %12s %9s %8s\n' "$name" "$took" "$execs" "$eps" "$crashes" >"$work/row"
	if [ "$crashes" -ne 0 ]; then
		{
			echo "fuzz_$name: exit $rc; the report ends:"
			grep -n -m1 -E '^==[0-9]+==ERROR|runtime error:|^ALARM|deadly signal|out-of-memory' \
			    "$work/log" | head -1
			tail -n 40 "$work/log"
			for a in "$work"/artifacts/*; do
				[ -f "$a" ] && echo "fuzz_$name: crash input saved: $a"
			done
		} >"$work/report"
		return 1
	fi
	return 0
}

for name in "${names[@]}"; do rm -f "$BUILD/fuzz-out/$name/row"; done
declare -A pid_of=()   # running target -> the pid of its fuzz_one
status=0
start_all=$(date +%s)
next=0
while :; do
	while [ $status -eq 0 ] && [ $next -lt ${#names[@]} ] && [ ${#pid_of[@]} -lt "$jobs" ]; do
		name=${names[$next]}
		next=$((next + 1))
		fuzz_one "$name" &
		pid_of[$name]=$!
	done
	[ ${#pid_of[@]} -eq 0 ] && break
	# poll: `wait -n` can miss an exit bash reaped while we looked
	sleep 1
	for name in "${!pid_of[@]}"; do
		kill -0 "${pid_of[$name]}" 2>/dev/null && continue
		wait "${pid_of[$name]}"
		rc=$?
		unset "pid_of[$name]"
		if [ $rc -ne 0 ]; then
			cat "$BUILD/fuzz-out/$name/report" 2>/dev/null
			status=1
		fi
	done
	if [ $status -ne 0 ]; then
		# stop the others: each fuzz_one subshell's libFuzzer child
		for name in "${!pid_of[@]}"; do
			touch "$BUILD/fuzz-out/$name/stopped"
			pkill -TERM -P "${pid_of[$name]}" 2>/dev/null
		done
	fi
done

echo
mode="${secs}s each"
[ -n "$goal" ] && mode="goal mode (10 M packet, 2 M others)"
[ -n "$runs" ] && mode="$runs inputs each"
echo "fuzzing: $(( $(date +%s) - start_all ))s in all, $mode, $jobs at a time, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %8s %12s %9s %8s\n' target seconds executions exec/s crashes
for name in "${names[@]}"; do
	[ -f "$BUILD/fuzz-out/$name/row" ] && cat "$BUILD/fuzz-out/$name/row"
done
exit $status
