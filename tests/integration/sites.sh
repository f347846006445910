#!/bin/bash
# tests/run.sh: parallel (sealed runs; nothing of the host is compared)
# sites.sh -- divergence by site (scenarios/examples/sites.lua): a fault
# rule with client= hits one site's resolver and not the other's.  With
# failing=east the east probe is mostly down and the west probe never
# fails, and the other way round with failing=west; the authority saw both
# resolvers, each from its own address (faultd's per-client counters), and
# the rules injected name the failing site's address only.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
SC=scenarios/examples/sites.lua
work=$(mktemp -d /tmp/dd-it-sites.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

for f in east west; do
	other=$([ $f = east ] && echo west || echo east)
	"$DD" run "$SC" --set failing=$f --out "$work/$f" --quiet >"$work/$f.out" 2>&1 &
	eval "pid_$f=$!"
done
for f in east west; do
	other=$([ $f = east ] && echo west || echo east)
	eval "wait \$pid_$f"; rc=$?
	R=$work/$f/result.json
	check "failing=$f: the run passes (exit $rc)" test "$rc" = 0
	check "failing=$f: the $f site is down for most of the fault ($(jq -c ".probe_metrics.$f.metrics.availability" "$R")), $other never fails ($(jq -c ".probe_metrics.$other.metrics.availability" "$R"))" \
		jqt ".probe_metrics.$f.metrics.availability < 0.5 and .probe_metrics.$other.metrics.availability == 1" "$R"
	check "failing=$f: the authority saw both resolvers, each from its own link" \
		jqt '[.dns_stats.auth[-1].clients[].addr] | sort == ["198.18.9.1", "198.18.9.5"]' "$R"
	addr=$([ $f = east ] && echo 198.18.9.1 || echo 198.18.9.5)
	check "failing=$f: the fault rule names the $f resolver's address only" \
		jqt "[.events[] | select(.kind == \"fault_inject\") | .text] | length == 1 and (.[0] | test(\"client=$addr/32\"))" "$R"
done
t_done
