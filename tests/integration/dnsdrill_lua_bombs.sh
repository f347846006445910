#!/bin/bash
# Scenario code that the instruction watchdog cannot stop (issue 10, bug 7):
# work inside one call into Lua's C library, a __gc finalizer (hooks are off
# there), a thread blocked writing print() output.  Each run has a faultd
# and namespaces; each must end by itself or within ~2 s of SIGINT, and
# leave no namespace and no faultd.  Real namespaces; ~20 s.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-bombs.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	"$DD" cleanup >/dev/null 2>&1
	exec 7>&- 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
jqt() { jq -e "$@" >/dev/null; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# scenario NAME BODY: a faultd on "auth", the timeline runs BODY at once
scenario() {
	cat >"$work/$1.lua" <<LUA
scenario { name = "$1" }
host "auth" {}
lan "lan0" { auth = "198.18.0.53/24" }
dns "auth" { host = "auth", listen = "198.18.0.53:53" }
timeline(function()
  phase "run"
  sleep "200ms"
  $2
  sleep "1s"
end)
LUA
}

# play NAME [STDERR]: run it in the background, wait until the timeline
# runs (faultd's control socket, then 1.5 s), SIGINT unless it ended,
# wait up to 4 s.  Sets rc (exit status, or "alive"), sig (whether it
# was sent) and late_ms (signal to exit; 0 when it ended by itself).
play() {
	local n=$1 err=${2:-$work/$1.out} t_sig=0 t_end pid
	"$DD" run "$work/$n.lua" --out "$work/$n" >"$work/$n.stdout" 2>"$err" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 200); do
		[ -S "$work/$n/auth.ctl" ] || ! kill -0 "$pid" 2>/dev/null && break
		sleep 0.05
	done
	sleep 1.5
	sig=no
	if kill -0 "$pid" 2>/dev/null; then
		kill -INT "$pid"
		sig=yes
		t_sig=$(now_ms)
	fi
	for _ in $(seq 80); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	t_end=$(now_ms)
	if kill -0 "$pid" 2>/dev/null; then
		rc=alive
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		"$DD" cleanup >/dev/null 2>&1
	else
		wait "$pid"
		rc=$?
	fi
	late_ms=$(( t_sig > 0 ? t_end - t_sig : 0 ))
}
# What a run left: its namespaces (by run id, from its progress lines),
# its run directory, its faultd (by control socket).
left_by() {
	local id=$1 ctl=$2
	{ ip netns list 2>/dev/null | grep "^dd-$id-"; ls -d "/run/dnsdrill/$id" 2>/dev/null
	  pgrep -f -- "--control $ctl"; } | sort | tr '\n' ' '
}
run_id() { sed -n 's/.*network up: .* (run \([a-z0-9]*\)).*/\1/p' "$1" | head -1; }

# 1. the pattern bomb: refused at once, a scenario error naming the line
scenario pattern 'string.find(string.rep("a", 30000), ".-.-.-.-.-.-.-b")'
play pattern
check "pattern bomb: the run ends by itself as a scenario error (rc $rc, signal sent: $sig)" \
	test "$rc" = 2 -a "$sig" = no
check "... naming the search and the line: $(grep -o 'pattern.lua:[0-9]*: string.find[^;]*' "$work/pattern.out")" \
	grep -q "pattern.lua:8: string.find: pattern '.-.-.-.-.-.-.-b' on a subject of 30000 bytes" "$work/pattern.out"
check "... result.json: verdict error" jqt '.verdict == "error"' "$work/pattern/result.json"
id=$(run_id "$work/pattern.out")
left=$(left_by "${id:-none}" "$work/pattern/auth.ctl")
check "... nothing left (run ${id:-?}): '$left'" test -n "$id" -a -z "$left"

# 2. a __gc finalizer that loops: refused at setmetatable
scenario gc 'setmetatable({}, { __gc = function() while true do end end })
  for i = 1, 200000 do local t = { i } end'
play gc
check "__gc loop: the run ends by itself as a scenario error (rc $rc, signal sent: $sig)" \
	test "$rc" = 2 -a "$sig" = no
check "... saying why" grep -q "gc.lua:8: setmetatable: __gc is not available in scenarios" "$work/gc.out"
id=$(run_id "$work/gc.out")
left=$(left_by "${id:-none}" "$work/gc/auth.ctl")
check "... nothing left (run ${id:-?}): '$left'" test -n "$id" -a -z "$left"

# 3. stuck in C: print() blocked on a stderr pipe nobody reads.  SIGINT:
# the guard waits 1 s, kills, tears down, exit 3 (no result.json).
mkfifo "$work/err.fifo"
exec 7<>"$work/err.fifo"
scenario stuck 'local s = string.rep("x", 4000)
  for i = 1, 1000 do print(s) end'
play stuck "$work/err.fifo"
timeout 1 cat <&7 >"$work/stuck.out" 2>/dev/null
check "stuck in a write: exit 3 within 2.5 s of SIGINT (rc $rc, ${late_ms} ms)" \
	test "$rc" = 3 -a "$sig" = yes -a "$late_ms" -lt 2500
check "... saying so on stderr" grep -q "stuck.lua: interrupted by signal 2; the scenario's code did not return" "$work/stuck.out"
id=$(run_id "$work/stuck.out")
left=$(left_by "${id:-none}" "$work/stuck/auth.ctl")
check "... nothing left (run ${id:-?}): '$left'" test -n "$id" -a -z "$left"
check "... and no result.json (documented)" test ! -e "$work/stuck/result.json"

# 4. a Lua loop (the watchdog would stop it after 5 s): SIGINT stops it at
# once, the ordinary way, result.json with verdict error
scenario loop 'while true do end'
play loop
check "Lua loop: exit 3 within 2.5 s of SIGINT (rc $rc, ${late_ms} ms)" \
	test "$rc" = 3 -a "$sig" = yes -a "$late_ms" -lt 2500
check "... result.json: verdict error, interrupted by signal 2" \
	jqt '.verdict == "error" and (.error | startswith("interrupted by signal 2"))' "$work/loop/result.json"
id=$(run_id "$work/loop.out")
left=$(left_by "${id:-none}" "$work/loop/auth.ctl")
check "... nothing left (run ${id:-?}): '$left'" test -n "$id" -a -z "$left"
t_done
