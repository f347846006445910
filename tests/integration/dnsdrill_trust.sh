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
	test "$(cat "$work/exec/show-tuned.stdout")" = "$(printf 'nameserver 198.18.0.53\nnameserver 198.18.0.54\noptions timeout:2 attempts:3 ndots:2 rotate retrans:2000 retry:3')"

# 4. each probe's settings in result.json (kind, every, timeout, default or
# not), in the summary; check warns when a dns/exec probe gives up before
# the host's stub resolver would (same run as 1)
check "result.json records the probe's settings" \
	jqt '.probes == [{"name": "getent", "kind": "exec", "host": "client",
	    "target": "getent ahostsv4 www.example.com", "every_ms": 200, "timeout_ms": 3000,
	    "timeout_default": false}]' "$E"
check "... between expectations and events" \
	jqt 'keys_unsorted | (index("expectations") < index("probes") and index("probes") < index("events"))' "$E"
check "the summary shows them" grep -q "^probes    getent  exec on client, every 200ms, timeout 3s$" "$work/exec.out"
probe_sc() {   # $1: the client's resolv, $2: the probe's fields
	cat <<LUA
scenario { name = "probe-timeouts" }
host "client" { resolv = $1 }
lan "lan0" { client = "198.18.0.10/24" }
probe "www" { host = "client", dns = { name = "www.example.com", server = "198.18.0.53" }, $2 }
probe "web" { host = "client", http = "http://198.18.0.53/" }
timeline(function() sleep "1s" end)
LUA
}
probe_sc '{ "198.18.0.53" }' 'every = "1s"' >"$work/pt1.lua"
out=$("$DD" check "$work/pt1.lua" 2>"$work/pt1.err"); rc=$?
check "check with a short probe timeout still exits 0 ($rc)" test "$rc" = 0
check "... warns on stderr: the default 1 s against glibc's 5 s x 2 ($(cat "$work/pt1.err"))" \
	grep -q "pt1.lua:4: probe 'www': timeout 1s (the default) is shorter than the stub resolver on host 'client' may wait (glibc: timeout 5s x attempts 2 = 10s; c-ares, doubling its timeout each round: 75s" "$work/pt1.err"
check "... only about the dns probe" test "$(grep -c warning "$work/pt1.err")" = 1
check "... and still says ok on stdout" grep -q ": ok: scenario 'probe-timeouts'" <<<"$out"
probe_sc '{ servers = { "198.18.0.53" }, options = { timeout = 1, attempts = 2 } }' 'timeout = "2s"' >"$work/pt2.lua"
"$DD" check "$work/pt2.lua" >/dev/null 2>"$work/pt2.err"
check "no warning when the probe waits as long as the stub (1 s x 2)" test ! -s "$work/pt2.err"

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

# 5. interrupted and broken runs keep what they saw: verdict error with the
# reason, the events so far, junit.xml with an <error>, report.html; exit
# codes as before (3 interrupted, 2 a scenario error); torn down
"$DD" run tests/scenarios/long-run.lua --out "$work/int" >"$work/int.out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e "$work/int/sleeper.stdout" ] && grep -q "phase wait" "$work/int.out" && break; sleep 0.1; done
sleep 1
kill -INT "$pid"; wait "$pid"; rc=$?
I=$work/int/result.json
id=$(run_id "$work/int.out")
check "SIGINT mid-run exits 3 (rc $rc)" test "$rc" = 3
check "... and writes result.json with verdict error and the reason" \
	jqt '.verdict == "error" and (.error | test("interrupted by signal 2"))' "$I"
check "... holding the events so far (probe results, the phase)" \
	jqt '([.events[] | select(.kind == "probe")] | length >= 3) and ([.events[] | select(.kind == "phase_start" and .source == "wait")] | length == 1)' "$I"
check "... junit.xml with an error element" grep -q '<error type="error" message="interrupted by signal 2' "$work/int/junit.xml"
check "... report.html showing ERROR" grep -q 'id="verdict">ERROR<' "$work/int/report.html"
check "... the summary says ERROR" grep -q "^verdict   ERROR" "$work/int.out"
left=$(left_by "${id:-none}" "$work/int/auth.ctl")
check "... and nothing left behind (run ${id:-?}): '$left'" test -n "$id" -a -z "$left"
"$DD" run tests/scenarios/long-run.lua --out "$work/term" --quiet >"$work/term.out" 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e "$work/term/sleeper.stdout" ] && break; sleep 0.1; done
sleep 1.5
kill -TERM "$pid"; wait "$pid"; rc=$?
check "SIGTERM: exit 3, verdict error (rc $rc)" \
	jqt '.verdict == "error" and (.error | test("signal 15"))' "$work/term/result.json"
"$DD" run tests/scenarios/timeline-error.lua --out "$work/lua" --quiet >"$work/lua.out" 2>&1; rc=$?
L=$work/lua/result.json
check "a Lua error in the timeline exits 2 (rc $rc)" test "$rc" = 2
check "... result.json: verdict error naming file:line" \
	jqt '.verdict == "error" and (.error | test("timeline-error.lua:21: attempt to index a nil value"))' "$L"
check "... the events up to the error, scored (the fault detected)" \
	jqt '([.events[] | select(.kind == "mark" and .text == "about to fail")] | length == 1) and .metrics.detection_s != null' "$L"
check "... junit.xml: one error, the expectations still there" \
	grep -q 'tests="2" failures="0" errors="1"' "$work/lua/junit.xml"
check "... report.html written" grep -q 'The run ended in error' "$work/lua/report.html"

# 6. a reused --out DIR: refused when it holds anything (exit 2, naming DIR
# and --force, nothing touched), emptied first with --force (only what is
# inside: a link to elsewhere is removed, not followed)
mkdir -p "$work/reuse/old" "$work/elsewhere"
echo "an earlier run" >"$work/reuse/old.pcap"
echo "mine" >"$work/elsewhere/keep"
ln -s "$work/elsewhere" "$work/reuse/link"
out=$("$DD" run tests/scenarios/proc-exit.lua --out "$work/reuse" --quiet 2>&1); rc=$?
check "--out on a non-empty directory exits 2 (rc $rc)" test "$rc" = 2
check "... naming the directory and --force ($out)" grep -q -- "--out $work/reuse: .*--force" <<<"$out"
check "... touching nothing in it" test -e "$work/reuse/old.pcap" -a ! -e "$work/reuse/result.json"
"$DD" run tests/scenarios/proc-exit.lua --out "$work/reuse" --force --quiet >/dev/null 2>&1; rc=$?
check "--force runs into it (rc $rc)" test "$rc" = 0
check "... after emptying it: the old run's files are gone, the new result is there" \
	test ! -e "$work/reuse/old.pcap" -a ! -e "$work/reuse/old" -a ! -L "$work/reuse/link" -a -s "$work/reuse/result.json"
check "... and a link inside was not followed" test "$(cat "$work/elsewhere/keep")" = mine
"$DD" run tests/scenarios/proc-exit.lua --out "$work/fresh/new" --quiet >/dev/null 2>&1
check "--out on a new directory (parents made) still works" test -s "$work/fresh/new/result.json"

# 6b. an --out DIR another user could write in (the README's /tmp/drill made
# by someone else, or world-writable): refused before anything is written,
# so a link planted there (junit.xml -> a file of root's) is never followed
mkdir -p "$work/shared"
echo "root's file" >"$work/victim"
ln -s "$work/victim" "$work/shared/junit.xml"
chmod 1777 "$work/shared"
out=$("$DD" run tests/scenarios/proc-exit.lua --out "$work/shared" --force --quiet 2>&1); rc=$?
check "--out writable by everyone exits 2 even with --force (rc $rc)" test "$rc" = 2
check "... saying why ($out)" grep -q -- "--out $work/shared: writable by everyone" <<<"$out"
chmod 0755 "$work/shared"
chown 4242:4242 "$work/shared"
out=$("$DD" run tests/scenarios/proc-exit.lua --out "$work/shared" --force --quiet 2>&1); rc=$?
check "--out owned by another user exits 2 (rc $rc)" test "$rc" = 2
check "... naming its owner ($out)" grep -q -- "--out $work/shared: owned by uid 4242" <<<"$out"
check "... the planted link neither followed nor removed" \
	test "$(cat "$work/victim")" = "root's file" -a -L "$work/shared/junit.xml"
ln -s "$work/fresh/new" "$work/outlink"
out=$("$DD" run tests/scenarios/proc-exit.lua --out "$work/outlink" --force --quiet 2>&1); rc=$?
check "--out that is a symbolic link exits 2 (rc $rc): --force would empty its target" test "$rc" = 2
check "... saying so ($out), its target untouched" \
	bash -c 'grep -q "is a symbolic link" <<<"$1" && test -s "$2"' _ "$out" "$work/fresh/new/result.json"

# 7. dnsdrill matrix gates CI: exit 1 when any run failed, 0 when all passed
"$DD" matrix tests/scenarios/matrix-verdict.lua --vary strict=false,true --jobs 2 --out "$work/mx" \
	>"$work/mx.out" 2>&1; rc=$?
check "matrix with a failing run exits 1 (rc $rc)" test "$rc" = 1
check "... after running both (the table has a pass and a FAIL row)" \
	grep -q "2 runs: 1 pass, 1 fail" "$work/mx/matrix.txt"
"$DD" matrix tests/scenarios/matrix-verdict.lua --vary strict=false --out "$work/mx2" >/dev/null 2>&1; rc=$?
check "matrix where every run passed exits 0 (rc $rc)" test "$rc" = 0
# several scenarios in one matrix (the catalogue): each runs, labelled by its
# name; a --set key only one declares goes to that one, the other runs as is
"$DD" matrix tests/scenarios/matrix-verdict.lua tests/scenarios/time-scale.lua \
	--set strict=true --jobs 2 --out "$work/mxs" >"$work/mxs.out" 2>&1; rc=$?
check "matrix over two scenarios: both ran (exit $rc: one fails on purpose), each in its own folder" \
	test "$rc" = 1 -a -f "$work/mxs/matrix-verdict/result.json" -a -f "$work/mxs/time-scale/result.json"
check "... --set strict=true reached the scenario that declares it, and only that one" \
	bash -c "jq -e '.params.strict == \"true\"' '$work/mxs/matrix-verdict/result.json' >/dev/null &&
	         jq -e '.params.strict == null' '$work/mxs/time-scale/result.json' >/dev/null &&
	         grep -q '^2 runs: 1 pass, 1 fail' '$work/mxs/matrix.txt'"

"$DD" matrix tests/scenarios/matrix-verdict.lua tests/scenarios/time-scale.lua \
	--set strikt=true --out "$work/mxt" >"$work/mxt.out" 2>&1; rc=$?
check "... a --set key that no scenario declares (a typo) is an error, not ignored: exit $rc, nothing run" \
	bash -c "test '$rc' = 2 && grep -q -- \"--set 'strikt': none of the 2 scenarios declares that parameter\" '$work/mxt.out' &&
	         ! ls '$work/mxt'/*/result.json >/dev/null 2>&1"

# Ctrl-C stops the whole matrix, not just the run it lands in
"$DD" matrix tests/scenarios/long-run.lua --vary n=1,2,3 --out "$work/mxi" >"$work/mxi.out" 2>&1 &
mpid=$!
for _ in $(seq 1 100); do [ -e "$work/mxi/n-1/scratch" ] && break; sleep 0.1; done
sleep 1.5
kill -INT "$mpid"; wait "$mpid"; rc=$?
check "matrix interrupted in run 1 of 3 stops there: exit 3 (rc $rc), no run 2" \
	test "$rc" = 3 -a ! -e "$work/mxi/n-2"
check "... saying so, with the interrupted run in the table as an error" \
	bash -c "grep -q 'interrupted during run 1/3' '$work/mxi.out' && grep -q '^1 run: 0 pass, 0 fail, 1 error' '$work/mxi/matrix.txt'"
"$DD" matrix tests/scenarios/matrix-verdict.lua --vary strict=false --out "$work/mx2" >/dev/null 2>&1; rc=$?
check "matrix into a used --out exits 2 (rc $rc)" test "$rc" = 2

# 8. the smaller ones
M=$work/mx/strict-false/result.json
check "duration_ms is the run's length (timeline 100 ms + tail), not the last event's time ($(jq .duration_ms "$M"))" \
	jqt '(.events | length) == 0 and .duration_ms >= 650 and .duration_ms < 5000' "$M"
check "started has milliseconds ($(jq -r .started "$M"))" \
	jqt '.started | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$")' "$M"
check "the summary's 'N events, X s' is the run's length too" \
	grep -Eq "^0 events, 0[.][6-9][0-9]{2}s$" "$work/mx/strict-false/junit.xml"
cat >"$work/net-bad.lua" <<'LUA'
scenario { name = "net-bad" }
host "a" {}
host "b" {}
lan "lan0" { a = "198.18.0.10/24", b = "198.18.0.10/24" }
timeline(function() sleep "1s" end)
LUA
out=$("$DD" check "$work/net-bad.lua" 2>/dev/null); rc=$?
check "check: a network error exits 2 ($rc) and prints no ok ($out)" test "$rc" = 2 -a -z "$out"
out=$("$DD" check tests/scenarios/missing-binary.lua 2>&1); rc=$?
check "check: a missing program exits 3 as run does ($rc)" test "$rc" = 3
check "... naming the process and path ($out)" \
	grep -q "missing-binary.lua:5: process 'sut': cannot run /nonexistent/dd-no-such-sut" <<<"$out"
if grep -q ": ok:" <<<"$out"; then not_ok "... and no ok"; else ok "... and no ok"; fi
cat >"$work/exec-missing.lua" <<'LUA'
scenario { name = "exec-missing" }
host "a" {}
lan "lan0" { a = "198.18.0.10/24" }
probe "p" { host = "a", exec = { path "no-such-probe.sh", "x" } }
timeline(function() sleep "1s" end)
LUA
out=$("$DD" check "$work/exec-missing.lua" 2>&1); rc=$?
check "check: an exec probe's missing path() program exits 3 naming it ($rc: $out)" \
	grep -q "exec-missing.lua:4: probe 'p': cannot run $work/no-such-probe.sh" <<<"$out"
out=$("$DD" check scenarios/examples/empty-record.lua --set negttl=7 2>&1)
check "check prints the parameters with defaults, --set values, ranges and docs" \
	grep -q "^  negttl     default 1, set to 7; 0..3600$" <<<"$out"
check "... and each one's doc" grep -q "^             negative TTL (SOA minimum) in the empty answer$" <<<"$out"
rm -f "$work/exec/report.html"
out=$("$DD" report "$work/exec/result.json" 2>&1); rc=$?
check "dnsdrill report DIR/result.json works ($rc: $out)" test "$rc" = 0 -a -s "$work/exec/report.html"
"$DD" list tests/scenarios >"$work/list.out"
check "list is sorted by path" env LC_ALL=C sort -c -k1,1 "$work/list.out"
check "list's descriptions start in one column" \
	test "$(awk '{ p = length($1); r = substr($0, p + 1); match(r, /^ +/); print p + RLENGTH }' "$work/list.out" | sort -u | wc -l)" = 1

t_done
