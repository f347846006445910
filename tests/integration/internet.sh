#!/bin/bash
# internet.sh -- a sealed internet (scenarios/lib/internet.lua, use
# "internet") and resolvers that iterate through it from the test root
# (resolvers.resolver's root_hints):
#   * the zone text the helper writes (tests/scenarios/internet-zones.lua
#     through `dnsdrill check`): SOA, apex NS, delegations, glue, addresses
#     of out-of-bailiwick servers, hand-written zones left alone;
#   * bad helper input refused by `check` with the scenario's file:line;
#   * real runs of tests/scenarios/internet-iterate.lua (speed 60, one of
#     example.com's four servers answering SERVFAIL for two incident
#     minutes) through unbound, bind9 and pdns, and scenarios/examples/iterate.lua
#     (a hand-written zone among generated ones) through knot: the test
#     root, a TLD server and example.com's servers each got queries from
#     the resolver (result.json dns_stats), per-probe availability
#     (probe_metrics) is 0 at the faulted server, 1 at the others and
#     through the resolver, and nothing is left listening on the machine.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-inet.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

# --- the zone text --------------------------------------------------------
"$DD" check tests/scenarios/internet-zones.lua >"$work/zones.out" 2>&1
check "internet-zones: check passes ($(tail -3 "$work/zones.out" | head -1))" \
	grep -q "ok: scenario 'internet-zones', 10 hosts, 9 dns servers" "$work/zones.out"
# zone ZONE: the text printed for it
zone() { sed -n "/== $1\$/,/^== end/p" "$work/zones.out"; }
zone '\.' >"$work/root.txt"
all_in() {  # all_in FILE LINE...: every line present, exactly
	local f=$1; shift
	for l in "$@"; do grep -qxF -- "$l" "$f" || { echo "# missing in $f: $l"; return 1; }; done
}
check "root: its TTL and SOA" \
	all_in "$work/root.txt" '$ORIGIN .' '$TTL 86400' '@ IN SOA a.root-servers.test. hostmaster 1 3600 600 86400 300'
check "root: TLD delegations and the addresses of its and the TLDs' servers" \
	all_in "$work/root.txt" '@ IN NS a.root-servers.test.' '@ IN NS b.root-servers.test.' \
	'com. IN NS a.gtld.test.' 'com. IN NS b.gtld.test.' 'net. IN NS a.gtld.test.' \
	'a.root-servers.test. IN A 198.18.100.1' 'b.root-servers.test. IN A 198.18.100.3' \
	'a.gtld.test. IN A 198.18.100.4' 'b.gtld.test. IN A 198.18.100.5'
zone 'com\.' >"$work/com.txt"
check "com.: example.com's delegation, in-bailiwick glue only; no hidden.com delegation" \
	sh -c 'all_in() { f=$1; shift; for l in "$@"; do grep -qxF -- "$l" "$f" || return 1; done; }
	  all_in "$1" "example.com. IN NS ns1.example.com." "example.com. IN NS ns9.example.net." \
	    "ns1.example.com. IN A 198.18.100.6" "ns2.example.com. IN A 198.18.100.200" &&
	  ! grep -q "ns9.example.net. IN A\|hidden" "$1"' _ "$work/com.txt"
zone 'example\.com\.' >"$work/excom.txt"
check "example.com.: its TTLs, the delegation that skips a label, its records" \
	all_in "$work/excom.txt" '$TTL 300' '@ IN SOA ns1.example.com. hostmaster 1 3600 600 86400 30' \
	'deep.a.example.com. IN NS ns.deep.a.example.com.' 'ns.deep.a.example.com. IN A 198.18.100.8' \
	'www IN A 198.18.50.80'
check "net.: glue for the hand-written example.net's server; example.net. itself not generated" \
	sh -c 'grep -qxF "ns9.example.net. IN A 198.18.100.9" "$1" && ! grep -q "^== example.net." "$2"' \
	_ <(zone 'net\.') "$work/zones.out"
check "servers: one faultd per name server (a.gtld.test serves com. and net.), dns names, hints" \
	all_in "$work/zones.out" \
	'dnsdrill: info: scenario: servers net. a-gtld-test=a.gtld.test.@198.18.100.4' \
	'dnsdrill: info: scenario: servers deep.a.example.com. deep=ns.deep.a.example.com.@198.18.100.8' \
	'dnsdrill: info: scenario: hint b.root-servers.test. 198.18.100.3' \
	'dnsdrill: info: scenario: lan world/24'

# --- bad input: errors at the scenario's file:line ------------------------
# bad NAME LAN ZONE-LINE [EXTRA]: check a scenario around one zone line
bad() {
	printf '%s\n' 'host "r" {}' 'local inet = use "internet"' 'local net = inet.internet {' \
		"  lan = \"$2\"," '  zones = {' '    ["."] = { ns = { "a.root-servers.test" } },' \
		"    $3" '  },' '}' "${4:-}" 'timeline(function() end)' >"$work/$1.lua"
	"$DD" check "$work/$1.lua" 2>&1
}
out=$(bad noparent 198.18.100.0/24 '["example.com."] = { ns = { "ns1" } },')
check "a zone whose parent is not declared ($out)" \
	grep -q "noparent.lua:3: internet: zone example.com.: its parent zone com. is not declared" <<<"$out"
out=$(bad noaddr 198.18.100.0/30 '["com."] = { ns = { "a.gtld.test", "b.gtld.test" } },')
check "a name server with no address left for it ($out)" \
	grep -q "noaddr.lua:3: internet: name server b.gtld.test. has no address" <<<"$out"
out=$(bad outside 198.18.100.0/24 '["com."] = { ns = { { "a.gtld.test", "192.0.2.1" } } },')
check "a name server address outside 198.18.0.0/15 ($out)" \
	grep -q "outside.lua:3: internet: zone com.: name server a.gtld.test.: 192.0.2.1 is outside 198.18.0.0/15" <<<"$out"
out=$(bad twice 198.18.100.0/24 '["com."] = { ns = { "a.gtld.test", "A.GTLD.test." } },')
check "a name server listed twice in one zone ($out)" \
	grep -q "twice.lua:3: internet: zone com.: ns lists a.gtld.test. twice" <<<"$out"
out=$(bad lanout 10.0.0.0/24 '')
check "a LAN outside 198.18.0.0/15 ($out)" \
	grep -q "lanout.lua:3: internet: lan = '10.0.0.0/24': outside 198.18.0.0/15" <<<"$out"
out=$(bad noroot 198.18.100.0/24 '' 'local x = inet.internet { lan = "198.18.101.0/24", zones = { ["com."] = { ns = { "a" } } } }')
check "no test root ($out)" grep -q 'noroot.lua:10: internet: zones: no "."' <<<"$out"
out=$(bad dnsmasq 198.18.100.0/24 '' 'use "resolvers".resolver { software = "dnsmasq", host = "r", listen = "198.18.100.53", root_hints = net.hints }')
check "dnsmasq cannot iterate: root_hints is an error ($out)" \
	grep -q "dnsmasq.lua:10: dnsmasq: root_hints (dnsmasq only forwards" <<<"$out"
out=$(bad rootzone 198.18.100.0/24 '' 'use "resolvers".resolver { software = "unbound", host = "r", listen = "198.18.100.53", root_hints = net.hints, forward = { ["."] = "198.18.100.1" } }')
check "root_hints with a forward zone \".\" is an error ($out)" \
	grep -q 'rootzone.lua:10: resolver (unbound): root_hints and a forward zone "." contradict' <<<"$out"

# --- real runs -------------------------------------------------------------
listening() { ss -Hlntu 2>/dev/null | grep -c '198\.18\.100\.' ; }
run() {  # run NAME SCENARIO ARGS...
	local n=$1 sc=$2; shift 2
	"$DD" run "$sc" --out "$work/$n" --quiet "$@" >"$work/$n.out" 2>&1
	local rc=$?
	check "$n: the run passes (exit $rc)" test "$rc" = 0 || sed 's/^/#   /' "$work/$n.out" | tail -20
}
# from R SERVER...: queries the resolver (198.18.100.53) sent to these servers, at the end
from() {
	local R=$1; shift
	local s
	for s in "$@"; do
		jq -r --arg s "$s" '[.dns_stats[$s][-1].clients[]? | select(.addr == "198.18.100.53") | .queries] | add // 0' "$R"
	done | paste -sd+ | bc
}
avail() { jq -r --arg p "$2" '.probe_metrics[$p].metrics.availability' "$1"; }
iterated() {  # iterated NAME: the root, a TLD server and example.com's servers asked by the resolver
	local R=$work/$1/result.json
	local root tld zone
	root=$(from "$R" a-root-servers-test)
	tld=$(from "$R" a-gtld-test b-gtld-test)
	zone=$(from "$R" ns1-example-com ns2-example-com ns3-example-com ns4-example-com)
	check "$1: the resolver iterated: root $root, TLD $tld, example.com $zone queries" \
		test "$root" -gt 0 -a "$tld" -gt 0 -a "$zone" -gt 0
}

for r in unbound bind9 pdns; do
	run "$r" tests/scenarios/internet-iterate.lua --set resolver=$r
	R=$work/$r/result.json
	iterated "$r"
	check "$r: 1 of 4 servers faulted: per probe ns1 $(avail "$R" ns1), ns2-4 $(avail "$R" ns2) $(avail "$R" ns3) $(avail "$R" ns4), through the resolver $(avail "$R" www)" \
		jqt '.probe_metrics as $p | $p.ns1.metrics.availability < 0.2 and
		     ([$p.ns2, $p.ns3, $p.ns4] | all(.metrics.availability == 1)) and
		     $p.www.metrics.availability > 0.9 and
		     (.dns_stats["ns1-example-com"] | map(select(.why == "clear"))[0].actions.servfail) > 0' "$R"
done
check "unbound: root-hints in its config, the hints file in its scratch folder" \
	sh -c 'grep -q "^    root-hints: \".*/root.hints\"" "$1/unbound.conf" &&
	  grep -qP "^\.\t3600000\tIN\tNS\ta\.root-servers\.test\.$" "$1/root.hints" &&
	  grep -qP "^a\.root-servers\.test\.\t3600000\tIN\tA\t198\.18\.100\.1$" "$1/root.hints"' \
	_ "$work/unbound/scratch/resolver"
check "bind9: a hint zone with the hints file, validation off" \
	sh -c 'grep -q "^	type hint;" "$1/named.conf" && grep -q "^	dnssec-validation no;" "$1/named.conf" &&
	  grep -qP "^b\.gtld|^\.\t3600000\tIN\tNS\ta\.root-servers\.test\.$" "$1/root.hints"' \
	_ "$work/bind9/scratch/resolver"

check "pdns: hint-file in recursor.conf, dnssec off" \
	sh -c 'grep -qx "hint-file=.*/root.hints" "$1/recursor.conf" && grep -qx "dnssec=off" "$1/recursor.conf" &&
	  test -s "$1/root.hints"' _ "$work/pdns/scratch/resolver"

run knot scenarios/examples/iterate.lua --set resolver=knot
R=$work/knot/result.json
iterated knot
check "knot: the hand-written example.net answers through the resolver (cname $(avail "$R" cname)), www $(avail "$R" www), ns1 $(avail "$R" ns1)" \
	jqt '.probe_metrics as $p | $p.cname.metrics.availability > 0.9 and $p.www.metrics.availability > 0.9
	     and $p.ns1.metrics.availability < 0.2' "$R"
check "knot: hints.root and no IPv6 in kresd.conf" \
	sh -c 'grep -qF "hints.root({ [\"a.root-servers.test.\"] = { \"198.18.100.1\" } })" "$1" &&
	  grep -qx "net.ipv6 = false" "$1"' _ "$work/knot/scratch/resolver/kresd.conf"

check "nothing left listening on the machine" test "$(listening)" = 0
t_done
