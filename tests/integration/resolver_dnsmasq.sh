#!/bin/bash
# resolver_dnsmasq.sh -- scenarios/lib/resolver_dnsmasq.lua: dnsmasq 2.90
# declared with use "resolvers", in runs of tests/scenarios/resolver-forwarding.lua
# at speed 30 (a fault held 2 incident minutes = 4 s).  It resolves through
# faultd; a SERVFAIL is never cached, so every client query during it
# reaches the authority (the issue's "~100x its baseline"), and it is gone
# the moment the authority answers again; an empty answer is cached (the
# SOA's negative TTL), so the authority sees fewer queries.  result.json has
# its version; its config and pid file are in its scratch folder, nothing
# on the machine; an option dnsmasq cannot honour is an error with file:line.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
SC=tests/scenarios/resolver-forwarding.lua
work=$(mktemp -d /tmp/dd-it-dnsmasq.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }
. "$(dirname "$0")/../lib/resolver_profile.sh"   # counts

# an option dnsmasq cannot honour: the scenario's file and line
"$DD" check "$SC" --set software=dnsmasq --set servfail_ttl=30 >"$work/bad.out" 2>&1
rc=$?
check "servfail_ttl = 30: check fails with file:line ($(tail -1 "$work/bad.out"))" \
	sh -c '[ "$1" != 0 ] && grep -q "resolver-forwarding.lua:[0-9]*: dnsmasq: servfail_ttl (dnsmasq never caches SERVFAIL" "$2"' \
	_ "$rc" "$work/bad.out"
"$DD" check "$SC" --set software=dnsmasq --set max_ttl=20 >"$work/ttl.out" 2>&1
check "max_ttl = 20 s at speed 30: check names max-cache-ttl at the 1 s floor" \
	grep -q "warning: time: process resolver: max-cache-ttl: 20s in the incident lasts 1s" "$work/ttl.out"

had_pid=$([ -e /run/dnsmasq.pid ] && echo 1)
ss -Hlntu | awk '{print $1, $5}' | sort >"$work/ss.before"

# SERVFAIL
"$DD" run "$SC" --set software=dnsmasq --set fault=servfail --out "$work/sf" --quiet >"$work/sf.out" 2>&1
rc=$?
R=$work/sf/result.json
check "servfail: the run completes (exit $rc)" test "$rc" = 0 || sed 's/^/#   /' "$work/sf.out"
check "versions: dnsmasq 2.90 ($(jq -r .versions.resolver "$R" 2>/dev/null))" \
	jqt '.versions.resolver | test("[Dd]nsmasq version 2\\.90")' "$R"
C=$work/sf/scratch/resolver
check "its config in the scratch folder: the zone forwarded to faultd, the pid file there" \
	sh -c 'grep -qx "server=/example.com/198.18.0.61#53" "$1/dnsmasq.conf" &&
	  grep -qx "pid-file=$(cd "$1" && pwd -P)/dnsmasq.pid" "$1/dnsmasq.conf" && [ -s "$1/dnsmasq.pid" ]' _ "$C"
check "it answered through faultd before the fault (the baseline's probes, faultd's pass answers)" \
	jqt '.fault.start_ms as $f | ([.events[] | select(.kind == "probe" and .ok and .t_ms < $f)] | length > 20)
	     and ([.dns_stats.auth[] | select(.why == "inject")][0].actions.pass >= 1)' "$R"
check "the SERVFAIL is seen through it (availability $(jq .metrics.availability "$R"))" \
	jqt '.metrics.detection_s != null and .metrics.availability < 0.8' "$R"
read -r bq bs fq fs fsf rec <<<"$(counts "$R")"
echo "# servfail: authority saw $bq queries in ${bs}s before, $fq in ${fs}s during ($fsf SERVFAIL), recovery ${rec}s"
check "SERVFAIL not cached: $fsf SERVFAILs at the authority in ${fs}s (the probe asked ~40 times)" \
	test "${fsf:-0}" -ge 30
check "queries at the authority: the fault's rate at least 5x the baseline's" \
	awk -v bq="$bq" -v bs="$bs" -v fq="$fq" -v fs="$fs" 'BEGIN { if (bq < 1) bq = 1; exit !(fq / fs >= 5 * bq / bs) }'
check "gone as soon as the authority answers (recovery_s $rec < 1)" \
	jqt '.metrics.recovery_s != null and .metrics.recovery_s < 1' "$R"
check "its timers are declared (no 'unknown' distortion for it)" \
	jqt '[.time_distortions[] | select(.kind == "unknown" and (.what | test("resolver")))] | length == 0' "$R"

# empty answer: cached for the SOA's negative TTL (60 s = 2 s real)
"$DD" run "$SC" --set software=dnsmasq --set fault=empty --out "$work/em" --quiet >"$work/em.out" 2>&1
rc=$?
R=$work/em/result.json
check "empty: the run completes (exit $rc)" test "$rc" = 0 || sed 's/^/#   /' "$work/em.out"
read -r bq bs fq fs fsf rec <<<"$(counts "$R")"
echo "# empty: authority saw $bq queries in ${bs}s before, $fq in ${fs}s during, recovery ${rec}s"
check "the empty answer is seen through it (availability $(jq .metrics.availability "$R"))" \
	jqt '.metrics.detection_s != null and .metrics.availability < 0.8' "$R"
check "negative answers cached: $fq queries at the authority in ${fs}s (not one per probe)" \
	test "${fq:-99}" -le 10
check "visible at most the negative TTL after the clear (recovery_s $rec <= 3)" \
	jqt '.metrics.recovery_s != null and .metrics.recovery_s <= 3' "$R"

# nothing on the machine
ss -Hlntu | awk '{print $1, $5}' | sort >"$work/ss.after"
check "no new listening socket on the machine" \
	sh -c '! comm -13 "$1" "$2" | grep -q ":53$"' _ "$work/ss.before" "$work/ss.after"
check "no /run/dnsmasq.pid on the machine" sh -c '[ -n "$1" ] || [ ! -e /run/dnsmasq.pid ]' _ "$had_pid"
t_done
