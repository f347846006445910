#!/bin/bash
# tests/run.sh: parallel
# dnsdrill matrix --jobs and run --repeat --jobs: runs side by side, each in
# its own process and sealed network.  Held against the truth -- the same
# matrix and the same group run one after another: the same rows (labels,
# parameters, verdicts, seeds), each time metric within one probe interval
# of the serial run's, in less wall time.  Then Ctrl-C (SIGINT to the
# matrix alone) during a --jobs 4 matrix: every run stops and tears down (no
# namespace, journal folder, /etc/netns file, mount or process of theirs
# left), and the table is written with the four runs as errors.  Needs root.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
BUILD=${BUILD:-build}
DD=$BUILD/dnsdrill
if [ "$(id -u)" != 0 ]; then skip "matrix --jobs" "needs root"; exit 0; fi
work=$(mktemp -d /tmp/dd-matrix-jobs.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done; wait; rm -rf "$work"' EXIT

SC=scenarios/examples/empty-record.lua
MX=(matrix "$SC" --vary negttl=1,2 --vary fault_for=1,2 --set fault_at=1 --seed 7 --quiet)
RP=(run "$SC" --set fault_at=1 --set fault_for=1 --repeat 3 --seed 11 --quiet)

# timed CMD... -> $work/NAME.{out,secs,rc}
timed() {
	local name=$1 st; shift
	st=$(date +%s%N)
	"$DD" "$@" >"$work/$name.out" 2>&1
	echo $? >"$work/$name.rc"
	echo $(( ($(date +%s%N) - st) / 1000000 )) >"$work/$name.ms"
}

# the serial pair side by side, then the parallel pair side by side: each
# one measured under the same company
timed mser "${MX[@]}" --out "$work/mser" &
timed rser "${RP[@]}" --out "$work/rser" &
wait
timed mpar "${MX[@]}" --jobs 4 --out "$work/mpar" &
timed rpar "${RP[@]}" --jobs 3 --out "$work/rpar" &
wait
declare -A rc ms
for n in mser mpar rser rpar; do
	read -r rc[$n] <"$work/$n.rc"; read -r ms[$n] <"$work/$n.ms"
done

# rows: label verdict seed params (sorted keys), one per run folder
rows() {
	local d=$1 f
	for f in "$d"/*/result.json; do
		jq -r --arg l "$(basename "$(dirname "$f")")" \
			'[$l, .verdict, (.seed|tostring), (.params|to_entries|sort_by(.key)|map("\(.key)=\(.value)")|join(","))] | join(" ")' "$f"
	done | sort
}
# the time metrics of two runs' result.json more than one probe interval
# apart (the smallest interval of their probes), as "metric=a/b" words
far() {
	jq -rn --slurpfile a "$1" --slurpfile b "$2" '
		($a[0].probes | map(.every_ms) | min / 1000) as $iv |
		["detection_s","failover_s","recovery_s"][] as $m |
		($a[0].metrics[$m]) as $x | ($b[0].metrics[$m]) as $y |
		select(($x == null) != ($y == null) or
		       ($x != null and (($x - $y) | fabs) > $iv + 0.05)) |
		"\($m)=\($x)/\($y)(interval \($iv))"'
}

check "matrix: serial and --jobs 4 both complete (exit ${rc[mser]}, ${rc[mpar]})" \
	test "${rc[mser]}" = 0 -a "${rc[mpar]}" = 0
rows "$work/mser" >"$work/mser.rows"; rows "$work/mpar" >"$work/mpar.rows"
check "matrix --jobs 4: the same four rows as serially (label, verdict, seed, parameters)" \
	bash -c "test \"\$(wc -l <'$work/mpar.rows')\" = 4 && diff '$work/mser.rows' '$work/mpar.rows'"
check "matrix --jobs 4: the table lists them in combination order, with the same verdicts" \
	bash -c "diff <(awk '/^run /,/^\$/' '$work/mser/matrix.txt' | awk '{print \$1, \$2, \$3, \$4}') \
	              <(awk '/^run /,/^\$/' '$work/mpar/matrix.txt' | awk '{print \$1, \$2, \$3, \$4}')"
bad=""
for d in "$work"/mser/*/; do
	l=$(basename "$d")
	[ -f "$work/mpar/$l/result.json" ] || { bad="$bad $l(missing)"; continue; }
	f=$(far "$d/result.json" "$work/mpar/$l/result.json")
	[ -n "$f" ] && bad="$bad $l:$(echo $f)"
done
check "matrix --jobs 4: each row's detection/failover/recovery within one probe interval of the serial run's${bad:+:$bad}" \
	test -z "$bad"
check "matrix --jobs 4 took less than 0.8x the serial wall time (${ms[mpar]} ms against ${ms[mser]} ms)" \
	test $(( ms[mpar] * 10 )) -lt $(( ms[mser] * 8 ))
check "matrix --jobs 4: each run's output lines carry its label" \
	bash -c "! grep -v '^dnsdrill matrix: \|^\[negttl-[12]_fault_for-[12]\] ' '$work/mpar.out' | grep -q '^dnsdrill: '"

check "repeat: serial and --jobs 3 both complete (exit ${rc[rser]}, ${rc[rpar]})" \
	test "${rc[rser]}" = 0 -a "${rc[rpar]}" = 0
check "repeat --jobs 3: the same runs, seeds and verdicts as serially, the group's the same" \
	bash -c "diff <(jq -c '[.verdict, [.runs[] | [.dir, .seed, .verdict]]]' '$work/rser/repeat.json') \
	              <(jq -c '[.verdict, [.runs[] | [.dir, .seed, .verdict]]]' '$work/rpar/repeat.json')"
bad=""
for k in 1 2 3; do
	f=$(far "$work/rser/run-$k/result.json" "$work/rpar/run-$k/result.json")
	[ -n "$f" ] && bad="$bad run-$k:$(echo $f)"
done
check "repeat --jobs 3: each run's time metrics within one probe interval of the serial run's${bad:+:$bad}" \
	test -z "$bad"
check "repeat --jobs 3 took less than 0.8x the serial wall time (${ms[rpar]} ms against ${ms[rser]} ms)" \
	test $(( ms[rpar] * 10 )) -lt $(( ms[rser] * 8 ))

# --- Ctrl-C during a --jobs run -------------------------------------------------
# our runs' ids: the journals under /run/dnsdrill whose owner is a child of $1
our_runs() {
	local j owner
	for j in /run/dnsdrill/*/journal; do
		owner=$(awk '$1 == "owner" {print $2; exit}' "$j" 2>/dev/null)
		[ -n "$owner" ] && [ "$(awk '/^PPid:/ {print $2}' /proc/"$owner"/status 2>/dev/null)" = "$1" ] &&
			basename "$(dirname "$j")"
	done
}
# everything of those runs on the host
leftovers() {
	local id
	for id in "$@"; do
		ip netns list 2>/dev/null | grep "^dd-$id-"
		ls -d /run/dnsdrill/"$id" /etc/netns/dd-"$id"-* /run/netns/dd-"$id"-* 2>/dev/null
		grep "dd-$id-" /proc/self/mountinfo
	done
}
"$DD" matrix tests/scenarios/long-run.lua --vary n=1,2,3,4 --jobs 4 --out "$work/mxi" \
	>"$work/mxi.out" 2>&1 &
mpid=$!
pids+=("$mpid")
ids=()
for _ in $(seq 1 200); do
	mapfile -t ids < <(our_runs "$mpid")
	[ "${#ids[@]}" = 4 ] && [ "$(ls -d "$work"/mxi/n-*/scratch 2>/dev/null | wc -l)" = 4 ] && break
	sleep 0.1
done
sleep 1.5
children=$(pgrep -P "$mpid" | tr '\n' ' ')
inside=$(for id in "${ids[@]}"; do for ns in $(ip netns list | awk -v p="dd-$id-" 'index($1, p) == 1 {print $1}'); do
	ip netns pids "$ns"; done; done | tr '\n' ' ')
check "SIGINT: four runs were live side by side (runs: ${ids[*]}; ${#inside} chars of pids inside)" \
	test "${#ids[@]}" = 4 -a -n "$inside"
kill -INT "$mpid"; wait "$mpid"; rc=$?
pids=()
check "SIGINT to the matrix alone stops it: exit 3 (rc $rc)" test "$rc" = 3
left=$(leftovers "${ids[@]}")
check "... no namespace, journal folder, /etc/netns file or mount of its four runs left${left:+: $left}" \
	test -z "$left"
alive=""
for p in $children $inside; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
check "... none of its processes left (children: $children)${alive:+; alive:$alive}" test -z "$alive"
check "... the table written with the four runs as errors" \
	bash -c "grep -q '^4 runs: 0 pass, 0 fail, 4 error' '$work/mxi/matrix.txt' &&
	         test \"\$(jq -r .verdict '$work'/mxi/n-*/result.json | sort -u)\" = error &&
	         grep -q 'interrupted by signal 2' '$work/mxi.out'"
t_done
