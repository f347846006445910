#!/bin/bash
# bench/startup_bench.sh -- how long dnsdrill takes before it observes and
# after it has observed: for the flagship (scenarios/aws-use1-2025-10-20)
# and a 20-host topology (bench/scenarios/hosts20.lua), N runs each
# (default 3), medians.
#
#   bench/startup_bench.sh [BUILD_DIR] [N]
#
# Per run, from the clock around `dnsdrill run` and result.json (`started`
# is t_ms 0 of the event log; proc_start events are when each process was
# spawned; duration_ms ends the observation):
#   start-up   the command's start to the first probe result
#   ready      of that, the time from spawning each of the scenario's
#              processes (the resolver, the SUT, its endpoints) to the next
#              thing the run did: their own start-up and readiness (a log
#              line, a TCP or HTTP check), not the harness's
#   harness    start-up minus ready: load the scenario, build the network,
#              start faultd (ready when its control socket answers), spawn,
#              probe
#   teardown   the end of the observation to the command's exit (stop the
#              processes, tear the namespaces down, write the results)
# The goal (issue 15): harness and teardown under 1 s for the flagship.
# Needs root (namespaces).  Sends packets only inside its own namespaces.
set -u
BUILD=${1:-build}
N=${2:-3}
cd "$(dirname "$0")/.." || exit 2
DD=$BUILD/dnsdrill
[ -x "$DD" ] || { echo "startup_bench: $DD missing (run make)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "startup_bench: needs root" >&2; exit 3; }
T=$(mktemp -d /tmp/dd-startup-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

# one run -> "startup ready harness teardown" in ms
one() {   # one SCENARIO OUTDIR
	local t0 t1 s
	t0=$(date +%s%N)
	"$DD" run "$1" --out "$2" --quiet --seed 1 >"$2.log" 2>&1
	t1=$(date +%s%N)
	[ -s "$2/result.json" ] || { echo "- - - -"; return; }
	s=$(date -d "$(jq -r .started "$2/result.json")" +%s%3N)
	jq -r --argjson inv "$((t0 / 1000000 - s))" --argjson exit "$((t1 / 1000000 - s))" '
	  (.events | map(select(.kind == "probe")) | .[0].t_ms) as $p
	  | [.events[] | select(.t_ms <= $p)] as $e
	  | ([range(0; $e | length) as $i
	      | select($e[$i].kind == "proc_start" and ($e[$i].text | startswith("faultd (") | not))
	      | (($e[$i + 1].t_ms // $p) - $e[$i].t_ms)] | add // 0) as $ready
	  | "\($p - $inv) \($ready) \($p - $inv - $ready) \($exit - .duration_ms)"' "$2/result.json"
}
med() { sort -n | awk '{v[NR]=$1} END {print (NR ? v[int((NR + 1) / 2)] : "-")}'; }

printf 'machine: %s, %s CPUs, %s; load %s\n' "$(uname -r)" "$(nproc)" \
	"$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %10s %10s %10s %10s\n' "scenario (median of $N)" "start-up" "ready" "harness" "teardown"
. bench/bench_lib.sh
for sc in scenarios/aws-use1-2025-10-20/scenario.lua bench/scenarios/hosts20.lua; do
	for i in $(seq 1 "$N"); do one "$sc" "$T/run$i"; rm -rf "$T/run$i"; done >"$T/rows"
	name="$(basename "$(dirname "$sc")")/$(basename "$sc")"
	su=$(cut -d' ' -f1 "$T/rows" | med); rd=$(cut -d' ' -f2 "$T/rows" | med)
	hs=$(cut -d' ' -f3 "$T/rows" | med); td=$(cut -d' ' -f4 "$T/rows" | med)
	printf '%-34s %8s ms %8s ms %8s ms %8s ms\n' "$name" "$su" "$rd" "$hs" "$td"
	bench_summary "start-up / teardown: $([ "${name##*/}" = scenario.lua ] && echo "${name%%/*}" || basename "$sc" .lua)" \
		"${hs} ms harness (+${rd} ms its processes' readiness) / ${td} ms" "< 1 s each"
done
