#!/bin/bash
# Failures that must never pass (issue 9): each case here is a run that
# used to crash, pass or keep nothing, and now must not.  Short runs, real
# namespaces and faultd; every output folder is new under $work.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-trust.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }
# What one run left behind, by its run id (and its faultd by control socket).
left_by() {
	local id=$1 ctl=$2
	{ ip netns list 2>/dev/null | grep "^dd-$id-"; ls -d "/run/dnsdrill/$id" 2>/dev/null
	  ls /run/netns 2>/dev/null | grep "^dd-$id-"; pgrep -f -- "--control $ctl"; } | sort
}
run_id() { sed -n 's/.*network up: .* (run \([a-z0-9]*\)).*/\1/p' "$1" | head -1; }

# 1. an exec probe with arguments (getent through the client's glibc stub,
# whose resolv.conf names faultd): check accepts it, the run works
out=$("$DD" check tests/scenarios/exec-getent.lua 2>&1); rc=$?
check "exec probe with arguments: check exits 0 ($rc: $out)" test "$rc" = 0
"$DD" run tests/scenarios/exec-getent.lua --out "$work/exec" >"$work/exec.out" 2>&1; rc=$?
E=$work/exec/result.json
check "exec probe with arguments: the run exits 0, no crash (rc $rc)" test "$rc" = 0
check "getent answered through faultd before the fault (exit 0)" \
	jqt '.fault.start_ms as $s | [.events[] | select(.kind == "probe" and .t_ms < $s)] | (length >= 3 and all(.ok and .text == "exit 0"))' "$E"
check "getent failed during the NXDOMAIN fault (exit 2)" \
	jqt '.fault as $f | [.events[] | select(.kind == "probe" and .t_ms > $f.start_ms + 100 and .t_ms < $f.end_ms)] | (length >= 3 and all((.ok | not) and .text == "exit 2"))' "$E"
check "detection and recovery scored from the exec probe" \
	jqt '.metrics.detection_s < 1 and .metrics.recovery_s < 1 and .verdict == "pass"' "$E"
id=$(run_id "$work/exec.out")
left=$(left_by "${id:-none}" "$work/exec/auth.ctl")
check "exec probe run: nothing left behind (run ${id:-?}): '$left'" test -n "$id" -a -z "$left"

# 3. resolv.conf holds what the scenario said, nothing else: a plain list
# gives nameserver lines only (glibc's own defaults apply), options only
# when stated (same run as 1)
check "resolv = { ADDR }: nameserver line only, no hidden options ($(tr '\n' '|' <"$work/exec/show-plain.stdout"))" \
	test "$(cat "$work/exec/show-plain.stdout")" = "nameserver 198.18.0.53"
check "resolv = { servers, options }: exactly the options given ($(tr '\n' '|' <"$work/exec/show-tuned.stdout"))" \
	test "$(cat "$work/exec/show-tuned.stdout")" = "$(printf 'nameserver 198.18.0.53\nnameserver 198.18.0.54\noptions timeout:2 attempts:3 ndots:2 rotate')"

# 2. a SUT that exits at start-up: exit 3 with its last output, with a ready
# check (start-fails) and without one (start-exits); a process that lives
# past the grace period and exits later is an event (proc-exit, in
# dnsdrill_run.sh)
out=$("$DD" run tests/scenarios/start-exits.lua --out "$work/se" --quiet 2>&1); rc=$?
check "a SUT exiting at start-up without ready exits 3 (rc $rc)" test "$rc" = 3
check "... naming the process, host and exit status ($out)" \
	grep -q "process 'sut' on host 'app' exited during start-up (status 4)" <<<"$out"
check "... with its last output" grep -q "| fatal" <<<"$out"
if grep -q "verdict *PASS" <<<"$out"; then not_ok "... and no PASS"; else ok "... and no PASS"; fi
out=$("$DD" run tests/scenarios/start-fails.lua --out "$work/sf" --quiet 2>&1); rc=$?
check "a SUT exiting at start-up with ready exits 3 with its status (rc $rc)" \
	grep -q "exited during start-up (status 4)" <<<"$out"

t_done
