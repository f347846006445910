#!/bin/bash
# resolvers_b.sh -- the Knot Resolver 5.6 and PowerDNS Recursor 4.8
# profiles (scenarios/lib/resolver_knot.lua, resolver_pdns.lua) in real
# runs of tests/scenarios/resolver-b.lua at speed 60: each resolves through
# faultd, an injected fault is seen through it and goes away after the
# clear, result.json has its version and lists the timers it could not keep
# in proportion (and not those it scaled), its configuration and state stay
# in its scratch folder, and nothing listens on the machine or lands in its
# /run.  `dnsdrill check` names file:line for an option a software lacks.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
SC=tests/scenarios/resolver-b.lua
work=$(mktemp -d /tmp/dd-it-resb.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

# options the software cannot honour: errors with the scenario's file:line
bad() {
	printf '%s\n' 'host "r" {}' 'local resolvers = use "resolvers"' \
		"resolvers.resolver { software = \"$1\", host = \"r\", listen = \"198.18.0.53\"," \
		'  stub = { ["example.com"] = "198.18.9.2" },' "  $2 }" \
		'timeline(function() end)' >"$work/bad-$1.lua"
	"$DD" check "$work/bad-$1.lua" 2>&1
}
out=$(bad knot 'servfail_ttl = "30s"')
check "knot: servfail_ttl is an error at file:line ($out)" \
	grep -q "bad-knot.lua:3: knot: servfail_ttl (kresd 5.6 has no such knob" <<<"$out"
out=$(bad pdns 'serve_stale = { client_timeout = "1800ms" }')
check "pdns: serve_stale.client_timeout is an error at file:line ($out)" \
	grep -q "bad-pdns.lua:3: pdns: serve_stale.client_timeout (pdns_recursor 4.8" <<<"$out"
"$DD" check "$SC" --set resolver=pdns >/dev/null 2>"$work/check.err"
check "check warns about pdns's compiled-in throttle, not about its scaled ones" \
	sh -c 'grep -q "process resolver: throttle after a timeout: 10s in the incident lasts 10s" "$1" &&
	  ! grep -q "server-down-throttle-time\|packetcache-servfail-ttl" "$1"' _ "$work/check.err"

listening() { ss -Hlntu 2>/dev/null | grep -c '198\.18\.0\.53:53' ; }
before_run=$(ls -d /run/knot-resolver /run/pdns-recursor /var/run/pdns-recursor 2>/dev/null)

# run NAME ARGS...: one run, its result in $work/NAME
run() {
	local n=$1; shift
	"$DD" run "$SC" --out "$work/$n" --quiet "$@" >"$work/$n.out" 2>&1
	local rc=$?
	check "$n: the run passes (exit $rc)" test "$rc" = 0 || sed 's/^/#   /' "$work/$n.out" | tail -20
}
# base/fault queries at faultd: the inject reading minus the first (a
# stats() at the baseline's start), the clear reading minus the inject one
q() {
	jq -r '.dns_stats.auth as $s | ($s | map(select(.why == "timeline"))[0].queries) as $a |
	  ($s | map(select(.why == "inject"))[0].queries) as $i |
	  ($s | map(select(.why == "clear"))[0].queries) as $c |
	  "base=\($i - $a) fault=\($c - $i)"' "$1"
}
# resolves: every probe before the fault ok, and faultd answered them
resolves() {
	jqt '[.events[] | select(.kind == "probe" and .t_ms < 3000)] | length > 10 and all(.ok)' "$1" &&
	jqt '(.dns_stats.auth | map(select(.why == "inject"))[0].actions.pass) > 0' "$1"
}

# Knot Resolver: SERVFAIL and no answer
for f in servfail drop; do
	run knot-$f --set resolver=knot --set fault=$f
	R=$work/knot-$f/result.json
	check "knot-$f: resolves through faultd ($(q "$R"))" resolves "$R"
	check "knot-$f: the fault is seen (detection $(jq .metrics.detection_s "$R") s, availability $(jq .metrics.availability "$R"))" \
		jqt '.metrics.detection_s < 3 and .metrics.availability < 0.95' "$R"
	check "knot-$f: gone again after the clear (recovery $(jq .metrics.recovery_s "$R") s)" \
		jqt '.metrics.recovery_s != null and .metrics.recovery_s < 3' "$R"
done
R=$work/knot-servfail/result.json
check "knot: result.json versions has kresd's ($(jq -r .versions.resolver "$R"))" \
	jqt '.versions.resolver | test("^Knot Resolver, version 5\\.")' "$R"
check "knot: cache.min_ttl listed as partial (5 s at the 1 s floor), ns_tout not (in proportion), no unknown timers" \
	jqt '(.time_distortions | map(select(.what == "process resolver: cache.min_ttl" and .kind == "partial"
	      and .incident_s == 5 and .real_s == 1)) | length == 1) and
	     (.time_distortions | all(.what | test("ns_tout|timers inside") | not))' "$R"
S=$work/knot-servfail/scratch/resolver
check "knot: its config and LMDB cache in the scratch folder" \
	sh -c 'grep -q "^policy.add(policy.suffix(policy.STUB({ \"198.18.9.2@53\" })" "$1/kresd.conf" &&
	  grep -q "^trust_anchors.remove(.\..)" "$1/kresd.conf" && grep -q "^cache.ns_tout(17)$" "$1/kresd.conf" &&
	  test -s "$1/data.mdb"' _ "$S"

# PowerDNS Recursor: an empty answer; a SERVFAIL with serve-stale on
run pdns-empty --set resolver=pdns --set fault=empty
R=$work/pdns-empty/result.json
check "pdns-empty: resolves through faultd ($(q "$R"))" resolves "$R"
check "pdns-empty: the fault is seen (detection $(jq .metrics.detection_s "$R") s, availability $(jq .metrics.availability "$R"))" \
	jqt '.metrics.detection_s < 3 and .metrics.availability < 0.8' "$R"
check "pdns-empty: gone again after the clear (recovery $(jq .metrics.recovery_s "$R") s)" \
	jqt '.metrics.recovery_s != null and .metrics.recovery_s < 3' "$R"
check "pdns: result.json versions has pdns_recursor's ($(jq -r .versions.resolver "$R"))" \
	jqt '.versions.resolver | test("^PowerDNS Recursor 4\\.[0-9]")' "$R"
check "pdns: the compiled-in throttles listed unscaled, server-down-throttle-time not (60 s -> 1 s)" \
	jqt '(.time_distortions | map(select(.kind == "unscaled" and (.what | startswith("process resolver: throttle after"))))
	      | length == 3) and (.time_distortions | all(.what | test("server-down|timers inside") | not))' "$R"
S=$work/pdns-empty/scratch/resolver
check "pdns: recursor.conf and its control socket in the scratch folder" \
	sh -c 'grep -qx "forward-zones=example.com.=198.18.9.2:53" "$1/recursor.conf" &&
	  grep -qx "server-down-throttle-time=1" "$1/recursor.conf" && test -S "$1/pdns_recursor.controlsocket"' _ "$S"
run pdns-stale --set resolver=pdns --set fault=servfail --set serve_stale=true
R=$work/pdns-stale/result.json
check "pdns serve-stale: a SERVFAIL from the authority never reaches the client (availability $(jq .metrics.availability "$R"), $(q "$R"))" \
	jqt '.metrics.availability >= 0.9 and (.dns_stats.auth | map(select(.why == "clear"))[0].actions.servfail) > 0' "$R"

check "nothing left listening on the machine" test "$(listening)" = 0
check "no /run/knot-resolver or /run/pdns-recursor on the machine" \
	test "$(ls -d /run/knot-resolver /run/pdns-recursor /var/run/pdns-recursor 2>/dev/null)" = "$before_run"
t_done
