#!/bin/bash
# tests/lib/catalogue.sh -- what the catalogue_*.sh scripts share: run a
# list of catalogue scenarios side by side and read their results.  Source
# it after tests/lib/tap.sh, with DD (the dnsdrill binary) and work (a
# scratch folder) set.
#
#   runs=( "NAME SCENARIO [key=value,key=value]" ... )
#   cat_run_all          every run at once (each sealed in its own
#                        namespaces), waits; then rc[NAME] is its exit status,
#                        secs[NAME] its wall time (seconds, one decimal) and
#                        $work/NAME its folder, $work/NAME.out its output
#   cat_rerun NAME...    those runs again (a random fault that missed)
#   R NAME               its result.json
#   metric NAME JQ       jq -r JQ on it
#   failed_on NAME M     the verdict is fail and expectation M failed
#   passed_on NAME M     expectation M passed
#   cat_refused SCENARIO KEY=VALUE CHOICES
#                        `dnsdrill check` refuses --set KEY=VALUE (exit 2)
#                        with "--set KEY=VALUE: not one of CHOICES"
declare -A rc secs
# start one entry of runs[] in the background; its pid in pids[NAME]
cat_start() {
	local n sc s sets
	set -- $1
	n=$1 sc=$2 sets=()
	for s in ${3//,/ }; do sets+=(--set "$s"); done
	rm -rf "${work:?}/$n"
	( st=$(date +%s%N)
	  "$DD" run "scenarios/$sc/scenario.lua" "${sets[@]}" --out "$work/$n" --quiet \
		>"$work/$n.out" 2>&1
	  echo "$? $(( ($(date +%s%N) - st) / 1000000 ))" >"$work/$n.rc" ) &
	pids[$n]=$!
}
cat_wait() {
	local n s
	for n in "${!pids[@]}"; do
		wait "${pids[$n]}"
		read -r rc[$n] s <"$work/$n.rc"
		secs[$n]=$(awk -v ms="$s" 'BEGIN { printf "%.1f", ms / 1000 }')
	done
	pids=()
}
cat_run_all() {
	local r
	declare -gA pids=()
	for r in "${runs[@]}"; do cat_start "$r"; done
	cat_wait
}
# cat_rerun NAME...: run these entries of runs[] again, side by side (for
# a run whose random fault never reached what the checks are about; the
# caller says so on a "# " line)
cat_rerun() {
	local r n
	declare -gA pids=()
	for n in "$@"; do
		for r in "${runs[@]}"; do
			[ "${r%% *}" = "$n" ] && cat_start "$r"
		done
	done
	cat_wait
}
R() { echo "$work/$1/result.json"; }
metric() { jq -r "$2" "$(R "$1")"; }
failed_on() {
	jq -e --arg m "$2" '.verdict == "fail" and any(.expectations[]; .metric == $m and .pass == false)' \
		"$(R "$1")" >/dev/null
}
passed_on() {
	jq -e --arg m "$2" 'any(.expectations[]; .metric == $m and .pass == true)' "$(R "$1")" >/dev/null
}
cat_refused() {
	local out e
	out=$("$DD" check "scenarios/$1/scenario.lua" --set "$2" 2>&1)
	e=$?
	[ "$e" = 2 ] && grep -qF -- "--set $2: not one of $3" <<<"$out"
}
