#!/bin/bash
# time_scale.sh -- a compressed run (speed 60) keeps the TTLs faultd serves
# in proportion and says what it could not: `dnsdrill check` warns about the
# rule negttl=30 at the 1 s floor; the run's result.json lists the TTLs
# faultd served at the floor (the fault's negttl=5), the stub resolver's
# real-time timeout and the probe as the observer, gives the incident-time
# metrics beside the real ones, and the text summary, report.html and the
# status line show the incident's clock (start 05:48 UTC).
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
SC=tests/scenarios/time-scale.lua
work=$(mktemp -d /tmp/dd-it-time.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

"$DD" check "$SC" >"$work/check.out" 2>"$work/check.err"
check "check passes" test $? = 0
check "check warns about negttl=30 at the floor" grep -q \
	"^dnsdrill: warning: time: dns auth: rule 'name=old.example.com action=nxdomain negttl=30': negttl=30: 30s in the incident lasts 1s = 1m00s of the incident" \
	"$work/check.err"
check "check warns about the stub resolver's real-time timeout" \
	grep -q '^dnsdrill: warning: time: host client: stub resolver timeout:1' "$work/check.err"
check "check warns that 'detection_s < 1' bounds real seconds, and gives the incident-time form" grep -q \
	"^dnsdrill: warning: time: $SC:[0-9]*: expectation 'detection_s < 1' bounds real seconds (1s is 1m of the incident at speed 60): its verdict depends on the speed; 'detection_s < 1m in incident time' means the same at any speed" \
	"$work/check.err"
check "check does not warn about the bounds in incident time" \
	bash -c "! grep -q \"in incident time' bounds\" '$work/check.err'"
"$DD" check "$SC" --set speed=1 >/dev/null 2>"$work/check1.err"
check "at speed 1 check has no time warning" bash -c "! grep -q 'time:' '$work/check1.err'"

# the run, on a pseudo-terminal so the status line is drawn
script -qec "'$DD' run '$SC' --out '$work/r' --seed 3" "$work/tty.out" >/dev/null 2>&1
rc=$?
check "the run passes (exit $rc)" test "$rc" = 0
R=$work/r/result.json
check "result.json: incident_start and the timeline's start" \
	jqt '.incident_start == "2025-10-20T05:48:00Z" and .incident_t0_ms > 0' "$R"
check "result.json: faultd served TTLs at the 1 s floor, the smallest 5 s (the fault's negttl)" \
	jqt '[.time_distortions[] | select(.kind == "floor" and (.what | test("^dns auth: [0-9]+ TTLs served at the 1 s floor \\(5\\.\\.5 s\\)$")) and .incident_s == 5 and .real_s == 1)] | length == 1' "$R"
check "result.json: the rule negttl=30 is listed, the stub resolver, and the probe as the observer" \
	jqt '([.time_distortions[] | .kind] | index("unscaled") != null and index("observer") != null) and
	     any(.time_distortions[]; .what | test("negttl=30$"))' "$R"
check "faultd was started with --time-scale 60 (its counters saw the floor)" \
	jqt '.dns_stats.auth[-1].ttl_floored > 0 and .dns_stats.auth[-1].ttl_floored_min == 5' "$R"
check "metrics stay real; metrics_incident is metrics x 60" \
	jqt '.metrics.detection_s != null and (.metrics_incident.detection_s - .metrics.detection_s * 60 | fabs) < 1e-6' "$R"
check "expectations in incident time: checked on metrics_incident (real seconds x 60)" \
	jqt '[.expectations[] | select(.bound | endswith("in incident time"))] as $e |
	     ($e | length) == 2 and all($e[]; .pass) and
	     $e[0].observed == .metrics_incident.detection_s and
	     $e[1].observed == .metrics_incident.recovery_s and
	     .metrics_incident.recovery_s > .metrics.recovery_s and
	     ($e[1].message | test("^recovery_s = [0-9.]+ \\([0-9.]+ s real\\) < 2m in incident time$"))' "$R"
"$DD" report "$work/r" >/dev/null 2>&1
check "report.html has the Time section and the incident axis" \
	bash -c "grep -q '<h2>Time</h2>' '$work/r/report.html' && grep -q '>incident UTC</text>' '$work/r/report.html'"
check "the text summary shows the fault on the incident's clock (05:49 -> 05:51)" \
	grep -qE 'fault on the incident.s clock: 05:4[89]:[0-9]{2} -> 05:5[01]:[0-9]{2} \(2m0[0-9]s\)' "$work/tty.out"
check "the status line shows the incident's clock" grep -qE 'incident 05:(4[89]|5[0-2]):[0-9]{2} UTC' "$work/tty.out"
t_done
