#!/bin/bash
# tests/run.sh: parallel (sealed runs; nothing of the host is compared)
# The flagship end to end, compressed: the AWS us-east-1 empty-record replay
# with a real unbound in the path.  With failover the app passes; without it
# the verdict is fail and the exit code 1; the report files exist and parse;
# a matrix has one row per combination; the app resolving with c-ares passes.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
SC=scenarios/aws-use1-2025-10-20/scenario.lua
SPEED=${FLAGSHIP_SPEED:-720}
work=$(mktemp -d /tmp/dd-it-flagship.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

# 0. every value of every choice the flagship offers passes `dnsdrill check`
# (a resolver profile refuses options its software lacks: the scenario must
# give each what it has)
bad=""
for r in unbound bind9 knot pdns dnsmasq dnsdist; do
	for se in true false; do
		for c in glibc c-ares builtin; do
			"$DD" check "$SC" --set resolver=$r --set serve_expired=$se --set client=$c \
				>/dev/null 2>"$work/chk.err" || bad+=" $r/serve_expired=$se/$c: $(head -1 "$work/chk.err")"
		done
	done
done
check "check passes for every resolver x serve_expired x client${bad:+:$bad}" test -z "$bad"

# 1. failover on: detected, failed over, recovered, within the scenario's bounds
"$DD" run "$SC" --out "$work/on" --seed 1 --quiet --set speed=$SPEED >"$work/on.out" 2>&1
rc=$?
R=$work/on/result.json
check "failover on: exit 0 (rc $rc)" test "$rc" = 0
[ "$rc" = 0 ] || { cat "$work/on.out"; tail -5 "$work"/on/*.stdout 2>/dev/null; }
check "failover on: verdict pass" jqt '.verdict == "pass"' "$R"
check "detection observed ($(jq -c .metrics.detection_s "$R"))" jqt '.metrics.detection_s != null and .metrics.detection_s < 12' "$R"
check "failover observed ($(jq -c .metrics.failover_s "$R"))" jqt '.metrics.failover_s != null and .metrics.failover_s < 15' "$R"
check "recovery observed ($(jq -c .metrics.recovery_s "$R"))" jqt '.metrics.recovery_s != null' "$R"
# failover_s and recovery_s are the app's own logged decisions (its
# event=failover / event=failback lines, as the watches read them); the
# probe-based figures stay in the result, per probe, and come later (the
# probes see a decision on their next result)
check "failover_s is the app's logged failover" jqt '.fault.start_ms as $s |
	([.events[] | select(.kind == "watch" and .source == "failover" and .t_ms >= $s)][0].t_ms - $s) / 1000 |
	. - $ARGS.named.x | fabs < 1e-9' --argjson x "$(jq .metrics.failover_s "$R")" "$R"
check "recovery_s is the app's logged failback" jqt '.fault.end_ms as $e |
	([.events[] | select(.kind == "watch" and .source == "failback" and .t_ms >= $e)][0].t_ms - $e) / 1000 |
	. - $ARGS.named.x | fabs < 1e-9' --argjson x "$(jq .metrics.recovery_s "$R")" "$R"
check "the service probe saw the failover no earlier ($(jq -c '.probe_metrics.service.metrics.failover_s' "$R"))" \
	jqt '.probe_metrics.service.metrics.failover_s >= .metrics.failover_s - 0.1' "$R"
check "the on-primary probe saw the failback no earlier ($(jq -c '.probe_metrics["on-primary"].metrics.recovery_s' "$R"))" \
	jqt '.probe_metrics["on-primary"].metrics.recovery_s >= .metrics.recovery_s - 0.1' "$R"
check "query amplification measured from the capture ($(jq -c .metrics.query_amplification "$R"))" \
	jqt '.metrics.query_amplification != null and .metrics.query_amplification > 0' "$R"
check "the app logged its failover" grep -q 'event=failover' "$work/on/app.stdout"
check "requests were served by us-west-2 during the fault" grep -q 'us-west-2' "$work/on/app.stdout"
check "unbound ran in the path (its log, its version: $(jq -c .versions.resolver "$R"))" \
	sh -c 'test -s "$1/resolver.stderr" && jq -e ".versions.resolver | startswith(\"Version 1.\")" "$1/result.json" >/dev/null' _ "$work/on"
check "pcap of the app's DNS written" test -s "$work/on/app-dns.pcap"
check "junit.xml is well-formed with one testcase per expectation" \
	test "$(grep -c '<testcase' "$work/on/junit.xml")" = "$(jq '.expectations | length' "$R")"
if command -v xmllint >/dev/null; then
	check "junit.xml parses (xmllint)" xmllint --noout "$work/on/junit.xml"
fi
check "report.html written with its timeline" grep -q '<svg' "$work/on/report.html"
"$DD" report "$work/on" >/dev/null 2>&1
check "dnsdrill report re-renders report.html" test -s "$work/on/report.html"

# 2. failover off: the app stays on the broken region -> fail, exit 1
"$DD" run "$SC" --out "$work/off" --seed 1 --quiet --set speed=$SPEED --set failover=false \
	>"$work/off.out" 2>&1
rc=$?
check "failover off: exit 1 (rc $rc)" test "$rc" = 1
check "failover off: verdict fail" jqt '.verdict == "fail"' "$work/off/result.json"
check "failover off: failover_s never observed" jqt '.metrics.failover_s == null' "$work/off/result.json"
check "failover off: censored, at least the fault's length" \
	jqt '.metric_bounds.failover_s.censored and
	     .metric_bounds.failover_s.at_least >= (.fault.end_ms - .fault.start_ms) / 1000 - 0.001' \
	"$work/off/result.json"

# 3. a matrix: one row per combination (side by side: --jobs 4)
"$DD" matrix "$SC" --vary fault=empty,timeout --vary serve_expired=false,true \
	--set speed=$SPEED --seed 1 --jobs 4 --out "$work/mx" >"$work/mx.out" 2>&1
rc=$?
check "matrix exits 0 (rc $rc)" test "$rc" = 0
rows=$(grep -cE '^ *fault-(empty|timeout)_serve_expired-(true|false)' "$work/mx/matrix.txt")
check "matrix.txt has one row per combination ($rows of 4)" test "$rows" = 4
check "matrix.html written" grep -q '<table' "$work/mx/matrix.html"
# RFC 8767: serve-expired shields clients from an unreachable authority,
# not from an empty answer (an authoritative NOERROR is a successful refresh)
a_to=$(jq '.metrics.availability // 0' "$work/mx/fault-timeout_serve_expired-true/result.json")
a_em=$(jq '.metrics.availability // 0' "$work/mx/fault-empty_serve_expired-true/result.json")
d_to=$(jq -c '.fault.service_disrupted' "$work/mx/fault-timeout_serve_expired-true/result.json")
check "serve-expired keeps the service up through a timeout (availability $a_to, disrupted $d_to)" \
	jqt '.metrics.availability >= 0.95' "$work/mx/fault-timeout_serve_expired-true/result.json"
check "a run that rode the fault out passes: detection was not required" \
	jqt '.verdict == "pass" and ([.expectations[] | select(.metric == "detection_s")][0].pass)' \
	"$work/mx/fault-timeout_serve_expired-true/result.json"
check "serve-expired does not help against an empty answer (degraded logged)" \
	grep -q 'event=degraded' "$work/mx/fault-empty_serve_expired-true/app.stdout"

# 4. the app resolving with libc-ares (client=c-ares): c-ares reads the app
# host's resolv.conf (one try of 1 s, as retrans:/retry:) and the app still
# notices the empty record, fails over and comes home
"$DD" run "$SC" --out "$work/cares" --seed 1 --quiet --set speed=$SPEED --set client=c-ares \
	>"$work/cares.out" 2>&1
rc=$?
R=$work/cares/result.json
check "client=c-ares: exit 0 (rc $rc)" test "$rc" = 0
[ "$rc" = 0 ] || { cat "$work/cares.out"; tail -5 "$work/cares/app.stdout" 2>/dev/null; }
check "client=c-ares: the app resolved with c-ares through unbound (its start line)" \
	grep -q 'event=start .* resolver=cares server=198\.18\.0\.53:53 ' "$work/cares/app.stdout"
check "client=c-ares: verdict pass, failover ($(jq -c .metrics.failover_s "$R")) and recovery ($(jq -c .metrics.recovery_s "$R")) observed" \
	jqt '.verdict == "pass" and .metrics.failover_s != null and .metrics.recovery_s != null' "$R"
check "client=c-ares: the app failed over on dns:NODATA" \
	grep -q 'event=failover from=us-east-1 to=us-west-2 reason=dns:NODATA' "$work/cares/app.stdout"
t_done
