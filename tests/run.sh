#!/bin/bash
# Run a test tier and print one closing line "N passed, N failed".
#   tests/run.sh unit|integration|all BUILD_DIR [FILTER]
#
# Unit tier: every cmocka binary in BUILD/tests/test_*.
# Integration tier: every tests/integration/*.sh; a script prints TAP-like
# lines ("ok - what" / "not ok - what" / "ok - what # SKIP why") and exits
# non-zero if anything failed.  Integration tests need root (namespaces).
set -u
tier=${1:-all}
BUILD=${2:-build}
filter=${3:-}
export BUILD
BUILD_ABS=$(cd "$BUILD" && pwd)
export BUILD_ABS
cd "$(dirname "$0")/.." || exit 2

passed=0; failed=0; skipped=0
failures=()

run_unit() {
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		[ -n "$filter" ] && [[ "$t" != *"$filter"* ]] && continue
		out=$("$t" 2>&1); rc=$?
		p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
		p=${p:-0}; f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		passed=$((passed + p)); failed=$((failed + f))
		if [ "$f" -ne 0 ]; then
			printf '%s\n' "$out"
			failures+=("$(basename "$t")")
			echo "FAIL  unit $(basename "$t") ($p passed, $f failed)"
		else
			echo "PASS  unit $(basename "$t") ($p)"
		fi
	done
	# the fuzz targets' seed and crash inputs, through the replay builds
	# (BUILD/tests/fuzz_*): one "ok - replay NAME (N inputs)" per target
	out=$(./tests/fuzz/replay.sh "$BUILD" "$filter" 2>&1); rc=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f))
	[ "$f" -ne 0 ] && failures+=("fuzz replay")
}

# One integration script's log (its exit status and seconds given): count
# it, print its line (and the whole log when something failed).
tally() { # SCRIPT LOG RC SECS
	local s=$1 log=$2 rc=$3 secs=$4 p sk f
	p=$(grep -c '^ok ' "$log" | tr -d ' ')
	sk=$(grep -c '^ok .*# SKIP' "$log" | tr -d ' ')
	f=$(grep -c '^not ok ' "$log" | tr -d ' ')
	p=$((p - sk))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + sk))
	if [ "$f" -ne 0 ]; then
		cat "$log"
		failures+=("$(basename "$s")")
		echo "FAIL  integration $(basename "$s") ($p passed, $f failed, ${secs}s, exit $rc)"
	else
		echo "PASS  integration $(basename "$s") ($p, ${secs}s)"
	fi
	rm -f "$log"
}

# Integration scripts run one at a time, except those whose header says
#   # tests/run.sh: parallel
# (sealed scenario runs that look at nothing of the host's: no snapshot of
# /run, netns or listening sockets, no timing of their own): those run after
# the others, up to PARALLEL (default 3) at once, so that no script that
# compares the host before and after overlaps another's run.
run_integration() {
	local s log start rc secs par=() i
	if [ "$(id -u)" != 0 ]; then
		echo "integration tests need root (network namespaces); skipped" >&2
		skipped=$((skipped + 1))
		return
	fi
	for s in tests/integration/*.sh; do
		[ -f "$s" ] || continue
		case "$s" in *_lib.sh) continue ;; esac   # helpers sourced by tests
		[ -n "$filter" ] && [[ "$s" != *"$filter"* ]] && continue
		if head -20 "$s" | grep -q '^# tests/run.sh: parallel'; then
			par+=("$s")
			continue
		fi
		log=$(mktemp)
		start=$(date +%s)
		timeout 600 bash "$s" >"$log" 2>&1; rc=$?
		secs=$(( $(date +%s) - start ))
		tally "$s" "$log" "$rc" "$secs"
	done
	# the parallel ones: a pool of PARALLEL; each job leaves LOG.rc and
	# LOG.secs beside its log, tallied in order once all are done
	local max=${PARALLEL:-3} logs=() pids=()
	for i in "${!par[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$max" ]; do wait -n 2>/dev/null || sleep 0.2; done
		logs[i]=$(mktemp)
		( st=$(date +%s); timeout 600 bash "${par[i]}" >"${logs[i]}" 2>&1
		  echo $? >"${logs[i]}.rc"; echo $(( $(date +%s) - st )) >"${logs[i]}.secs" ) &
		pids[i]=$!
	done
	for i in "${!par[@]}"; do
		wait "${pids[i]}" 2>/dev/null
		tally "${par[i]}" "${logs[i]}" "$(cat "${logs[i]}.rc" 2>/dev/null || echo 1)" \
			"$(cat "${logs[i]}.secs" 2>/dev/null || echo 0)"
		rm -f "${logs[i]}.rc" "${logs[i]}.secs"
	done
}

case "$tier" in
unit) run_unit ;;
integration) run_integration ;;
all) run_unit; run_integration ;;
*) echo "usage: tests/run.sh unit|integration|all BUILD [FILTER]" >&2; exit 2 ;;
esac

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
