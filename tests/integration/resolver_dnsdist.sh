#!/bin/bash
# resolver_dnsdist.sh -- scenarios/lib/resolver_dnsdist.lua: dnsdist 1.7 as
# the forwarding cache that stands in for CoreDNS (firstAvailable, health
# checks every 15 incident s, packet cache), declared with use "resolvers",
# in runs of tests/scenarios/resolver-forwarding.lua at speed 30.  It
# resolves through faultd; a dead authority (drop) fails its health checks,
# is marked down and up again within a check or two of the clear; a
# SERVFAIL is cached (temporaryFailureTTL) so the authority sees about one
# a second, not one per client query.  result.json has its version and
# lists the health check interval and the SERVFAIL TTL held at the 1 s
# floor; its config is in its scratch folder; an option dnsdist cannot
# honour is an error with file:line.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
SC=tests/scenarios/resolver-forwarding.lua
work=$(mktemp -d /tmp/dd-it-dnsdist.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }
. "$(dirname "$0")/../lib/resolver_profile.sh"   # counts

# an option dnsdist cannot honour: the scenario's file and line
cat >"$work/bad.lua" <<'LUA'
local resolvers = use "resolvers"
host "r" {}
resolvers.resolver { software = "dnsdist", host = "r", listen = "198.18.0.53",
  forward = { ["."] = "198.18.0.61" }, min_ttl = 5 }
timeline(function() end)
LUA
"$DD" check "$work/bad.lua" >"$work/bad.out" 2>&1
rc=$?
check "min_ttl: check fails with file:line ($(tail -1 "$work/bad.out"))" \
	sh -c '[ "$1" != 0 ] && grep -q "bad.lua:3: dnsdist: min_ttl (" "$2"' _ "$rc" "$work/bad.out"

ss -Hlntu | awk '{print $1, $5}' | sort >"$work/ss.before"

# the authority drops everything: health checks fail
"$DD" run "$SC" --set software=dnsdist --set fault=drop --out "$work/dr" --quiet >"$work/dr.out" 2>&1
rc=$?
R=$work/dr/result.json
check "drop: the run completes (exit $rc)" test "$rc" = 0 || sed 's/^/#   /' "$work/dr.out"
check "versions: dnsdist 1.7 ($(jq -r .versions.resolver "$R" 2>/dev/null))" \
	jqt '.versions.resolver | test("^dnsdist 1\\.7\\.")' "$R"
C=$work/dr/scratch/resolver/dnsdist.conf
check "its config in the scratch folder: a pool for the zone, checked every 1 s (15 s / 30)" \
	sh -c 'grep -q "^newServer({address=\"198.18.0.61:53\", pool=\"z1\", order=1, checkName=\"example.com.\", checkType=.SOA., checkInterval=1, maxCheckFailures=2" "$1" &&
	  grep -q "PoolAction(\"z1\")" "$1" && grep -q "^setSecurityPollSuffix(..)" "$1"' _ "$C"
check "it answered through faultd before the fault" \
	jqt '.fault.start_ms as $f | ([.events[] | select(.kind == "probe" and .ok and .t_ms < $f)] | length > 20)
	     and ([.dns_stats.auth[] | select(.why == "inject")][0].actions.pass >= 1)' "$R"
check "the dead authority is seen through it (availability $(jq .metrics.availability "$R"))" \
	jqt '.metrics.detection_s != null and .metrics.availability < 0.95' "$R"
check "health checks: marked down during the fault, up after it" \
	sh -c 'grep -q "Marking downstream 198.18.0.61:53 as .down." "$1" &&
	  sed -n "/as .down./,\$p" "$1" | grep -q "as .up."' _ "$work/dr/resolver.stdout"
rec=$(jq .metrics.recovery_s "$R")
check "back within a health check or two of the clear (recovery_s $rec < 2.5)" \
	jqt '.metrics.recovery_s != null and .metrics.recovery_s < 2.5' "$R"
check "time_distortions: checkInterval 15 s held at 1 s, temporaryFailureTTL 5 s at 1 s" \
	jqt '([.time_distortions[] | select(.kind == "partial" and .what == "process resolver: checkInterval" and .incident_s == 15 and .real_s == 1)] | length == 1)
	     and ([.time_distortions[] | select(.what == "process resolver: temporaryFailureTTL" and .incident_s == 5)] | length == 1)
	     and ([.time_distortions[] | select(.what | test("resolver: maxTTL"))] | length == 0)' "$R"

# SERVFAIL on the name: cached by the packet cache
"$DD" run "$SC" --set software=dnsdist --set fault=servfail --out "$work/sf" --quiet >"$work/sf.out" 2>&1
rc=$?
R=$work/sf/result.json
check "servfail: the run completes (exit $rc)" test "$rc" = 0 || sed 's/^/#   /' "$work/sf.out"
read -r bq bs fq fs fsf rec <<<"$(counts "$R")"
echo "# servfail: authority saw $bq queries in ${bs}s before, $fq in ${fs}s during ($fsf SERVFAIL), recovery ${rec}s"
check "the SERVFAIL is seen through it (availability $(jq .metrics.availability "$R"))" \
	jqt '.metrics.detection_s != null and .metrics.availability < 0.8' "$R"
check "SERVFAIL cached: $fsf SERVFAILs at the authority in ${fs}s (the probe asked ~40 times)" \
	test "${fsf:-99}" -le 10
check "visible at most a cached SERVFAIL's life after the clear (recovery_s $rec < 2)" \
	jqt '.metrics.recovery_s != null and .metrics.recovery_s < 2' "$R"

ss -Hlntu | awk '{print $1, $5}' | sort >"$work/ss.after"
check "no new listening socket on the machine" \
	sh -c '! comm -13 "$1" "$2" | grep -q ":53$"' _ "$work/ss.before" "$work/ss.after"
t_done
