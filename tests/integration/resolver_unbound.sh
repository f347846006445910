#!/bin/bash
# resolver_unbound.sh -- the unbound profile (scenarios/lib/resolver_unbound.lua)
# in real runs of tests/scenarios/resolvers-a.lua at speed 60: a SERVFAIL
# through a stub zone, a silent authority through a forward zone, the same
# with serve-stale and user = nobody; its timers written scaled (infra-host-ttl 900 s -> 15),
# the SERVFAIL cache it cannot scale listed as a distortion; an option it
# cannot honour is an error at check with the scenario's file:line.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/resolver_profile.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-unbound.XXXXXX)
trap 'rm -rf "$work"' EXIT
VRE='^Version 1\.[0-9]+'

rp_run servfail unbound servfail "$VRE" unbound.conf --set kind=stub
C=$work/servfail/scratch/resolver/unbound.conf
check "servfail: a stub zone to faultd, timers scaled to speed 60 (infra-host-ttl 15, cache-max-negative-ttl 60)" \
	sh -c 'grep -q "^stub-zone:" "$1" && grep -qx "    stub-addr: 198.18.9.2" "$1" &&
	  grep -qx "    infra-host-ttl: 15" "$1" && grep -qx "    cache-max-negative-ttl: 60" "$1" &&
	  grep -qx "    pidfile: \"$2/scratch/resolver/unbound.pid\"" "$1"' _ "$C" "$(cd "$work/servfail" && pwd -P)"
check "servfail: the SERVFAIL cache (5 s, no option) is listed unscaled; infra-host-ttl, in proportion, is not" \
	rp_jq '([.time_distortions[] | select(.kind == "unscaled" and .what == "process resolver: SERVFAIL cache" and .incident_s == 5 and .real_s == 5)] | length == 1) and
	       ([.time_distortions[] | select(.what | test("infra-host-ttl"))] | length == 0)' "$R"
check "servfail: unbound logged its SERVFAIL (the watch saw $(jq '[.events[] | select(.kind == "watch" and .source == "servfail")] | length' "$R"))" \
	rp_jq '[.events[] | select(.kind == "watch" and .source == "servfail")] | length > 0' "$R"

rp_run drop unbound drop "$VRE" unbound.conf --set kind=forward
check "drop: a forward zone to faultd" grep -qx "    forward-addr: 198.18.9.2" "$work/drop/scratch/resolver/unbound.conf"

RP_EXPECT=hidden rp_run stale unbound drop "$VRE" unbound.conf --set kind=forward --set serve_stale=true \
	--set user=nobody
C=$work/stale/scratch/resolver/unbound.conf
check "stale: user = nobody: unbound drops to it itself (username: \"nobody\"), and still answered" \
	grep -qx '    username: "nobody"' "$C"
check "stale: serve-expired on, serve-expired-ttl 1d -> 1440, client timeout 500 ms (real time, listed)" \
	sh -c 'grep -qx "    serve-expired: yes" "$1" && grep -qx "    serve-expired-ttl: 1440" "$1" &&
	  grep -qx "    serve-expired-client-timeout: 500" "$1"' _ "$C"
check "stale: expired answers kept the client served throughout (availability $(jq .metrics.availability "$R"))" \
	rp_jq '.metrics.availability >= 0.95' "$R"

# an option unbound cannot honour: an error at check, with file:line
cat >"$work/bad.lua" <<'LUA'
scenario { name = "bad" }
local r = use "resolvers"
host "h" {}
r.resolver { software = "unbound", host = "h", listen = "198.18.0.53",
  forward = { ["example.com"] = "198.18.0.54" }, servfail_ttl = "30s" }
timeline(function() end)
LUA
"$DD" check "$work/bad.lua" >"$work/bad.out" 2>&1
rc=$?
check "check: servfail_ttl is refused for unbound, with the scenario's file:line (exit $rc: $(head -1 "$work/bad.out"))" \
	sh -c '[ "$1" != 0 ] && grep -q "bad.lua:4: unbound: servfail_ttl .* is not supported" "$2"' _ "$rc" "$work/bad.out"
t_done
