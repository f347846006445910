#!/bin/bash
# tests/run.sh: parallel (sealed runs; nothing of the host is compared)
# catalogue_4.sh -- the incident catalogue, part 4 (patterns and resolver
# loss): ip-fallback-pattern, multi-provider-pattern and render-2023-03-01,
# each run with its shipped settings (must pass, exit 0) and with its
# protection switched off (must fail, exit 1, on the named expectation),
# plus the stale-fallback runs of ip-fallback-pattern and ip-fallback and
# render with Knot Resolver (--set resolver=knot), all side by side (each
# run is sealed in its own namespaces).  Then what each teaches, held
# against faultd's counters (dns_stats) and the SUT's own log lines.
# "# " lines give each run's wall time and key metrics.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/catalogue.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-cat4.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

# name scenario settings (comma-separated)
runs=(
	"fb-on ip-fallback-pattern"
	"fb-off ip-fallback-pattern fallback=false"
	"fb-moved ip-fallback-pattern moved=true"
	"fb-serves ip-fallback-pattern moved=true,old_serves=true"
	"fb-knot ip-fallback-pattern resolver=knot"
	"mp-on multi-provider-pattern"
	"mp-off multi-provider-pattern checker=false"
	"render-on render-2023-03-01"
	"render-off render-2023-03-01 second_resolver=false"
	"render-knot render-2023-03-01 resolver=knot"
)
cat_run_all

# a watch's matches (the app's own log lines) inside the fault window,
# optionally only those whose text matches a regex
in_fault() {
	jq -r --arg w "$2" --arg re "${3:-.}" '.fault as $f | [.events[] | select(.kind == "watch" and .source == $w and .t_ms >= $f.start_ms and .t_ms <= $f.end_ms and (.text | test($re)))] | length' "$(R "$1")"
}

for r in "${runs[@]}"; do
	set -- $r
	case $1 in
	*-on) check "$2 passes with its shipped settings (exit ${rc[$1]}, ${secs[$1]} s)" test "${rc[$1]}" = 0 ;;
	*-knot) check "$2 with $3 passes (exit ${rc[$1]}, ${secs[$1]} s)" test "${rc[$1]}" = 0 ;;
	*) check "$2 with $3 fails (exit ${rc[$1]}, ${secs[$1]} s)" test "${rc[$1]}" = 1 ;;
	esac
done

# --- ip-fallback-pattern ------------------------------------------------------
check "ip-fallback, fallback=false: 'availability >= 0.9' is what fails" failed_on fb-off availability
v=$(grep -Ec 'ok=true status=200 addr=198\.18\.0\.101 ms=[0-9]+ via=fallback$' "$work/fb-on/app.stdout")
check "ip-fallback: with the fallback the app logged event=fallback through the fault ($(in_fault fb-on fallback)) and reached 198.18.0.101 via=fallback ($v); without it, no fallback" \
	jqt -n --argjson a "$(in_fault fb-on fallback)" --argjson v "$v" \
	  --argjson b "$(in_fault fb-off fallback)" '$a > 20 and $v > 20 and $b == 0'
check "ip-fallback: the authority really answered empty (faultd: $(metric fb-on '.dns_stats.auth[-1].actions.empty') empty answers)" \
	jqt '.dns_stats.auth[-1].actions.empty > 5' "$(R fb-on)"
check "ip-fallback, moved=true: the stale fixed address fails both availability and right-endpoint" \
	bash -c "$(declare -f failed_on jqt R); work=$work; failed_on fb-moved availability && failed_on fb-moved availability.right-endpoint"
# the fallback hides the DNS failure: the app's errors are connect errors
m_dns=$(in_fault fb-moved dns-error); m_conn=$(in_fault fb-moved connect-error 'reason=connect:ECONNREFUSED ms=[0-9]+ via=fallback')
o_dns=$(in_fault fb-off dns-error); o_conn=$(in_fault fb-off connect-error)
check "ip-fallback, moved=true: the app's failed requests say connect:ECONNREFUSED ($m_conn), never dns: ($m_dns); without the fallback they say dns: ($o_dns)" \
	jqt -n --argjson md "$m_dns" --argjson mc "$m_conn" --argjson od "$o_dns" --argjson oc "$o_conn" '$md == 0 and $mc > 20 and $od > 20 and $oc == 0'
check "ip-fallback, moved=true old_serves=true: available, yet on the wrong endpoint (only right-endpoint fails)" \
	bash -c "$(declare -f failed_on passed_on jqt R); work=$work; passed_on fb-serves availability && failed_on fb-serves availability.right-endpoint"
for k in on off moved serves knot; do
	echo "# ip-fallback-pattern $(case $k in on) echo shipped ;; off) echo fallback=false ;; moved) echo moved=true ;; serves) echo moved=true old_serves=true ;; knot) echo resolver=knot ;; esac): ${secs[fb-$k]} s, verdict $(metric fb-$k .verdict), availability $(metric fb-$k .metrics.availability), right-endpoint $(metric fb-$k '.probe_metrics["right-endpoint"].metrics.availability'), fallbacks $(in_fault fb-$k fallback), dns errors $(in_fault fb-$k dns-error), connect errors $(in_fault fb-$k connect-error)"
done

# --- multi-provider-pattern -------------------------------------------------
check "multi-provider, checker=false: 'availability >= 0.8' is what fails" failed_on mp-off availability
# the resolver's queries at provider A (faultd's per-client counter) over
# the timeline's readings: when did the last one come?
last_a() {   # real ms of the first reading that shows the resolver's last query at A
	jq '[.dns_stats["ns1-provider-a-test"][] | select(.why == "timeline") | {t_ms, q: ([.clients[]? | select(.addr == "198.18.100.53") | .queries][0] // 0)}] as $r
	    | ($r[-1].q) as $max | [$r[] | select(.q == $max)][0].t_ms' "$(R "$1")"
}
wd=$(metric mp-on '[.events[] | select(.kind == "mark" and .text == "provider A withdrawn")][0].t_ms')
la_on=$(last_a mp-on); la_off=$(last_a mp-off)
fend_off=$(metric mp-off .fault.end_ms); fstart_off=$(metric mp-off .fault.start_ms)
# bound: NS TTL 120 + the negative answer's 120 (min of the SOA's TTL and
# MINIMUM) + the record's 60 + a reading (30), incident s, at speed 60
check "multi-provider: after the checker withdrew provider A, the resolver stopped asking it within the NS TTL + negative TTL ($(( (la_on - wd) * 60 / 1000 )) incident s after, bound 330)" \
	jqt -n --argjson l "$la_on" --argjson w "$wd" '$l - $w <= 330 * 1000 / 60'
# (when it last asks A is unbound's random pick among the two; what the
# checker changes is that it stops: without it A is still asked after the
# checker would have withdrawn it and the caches run out, 3 x 60 + NS TTL
# 120 + negative TTL 120 + a reading 30 = 450 incident s into the fault)
check "multi-provider: without the checker the resolver still asked A past the time the checker would have withdrawn it (450 incident s)" \
	jqt -n --argjson l "$la_off" --argjson s "$fstart_off" '$l >= $s + 450 * 1000 / 60'
check "multi-provider: the health checker's own probe of A failed throughout the fault" \
	jqt '.probe_metrics["provider-a"].metrics.availability < 0.1' "$(R mp-on)"
# the site's resolver is a parameter, any profile (it only forwards)
check "ip-fallback, resolver=knot: Knot Resolver ($(metric fb-knot .versions.resolver)) in unbound's place, the app fell back through the fault ($(in_fault fb-knot fallback)) on the authority's empty answers ($(metric fb-knot '.dns_stats.auth[-1].actions.empty'))" \
	jqt --argjson f "$(in_fault fb-knot fallback)" '(.versions.resolver | startswith("Knot Resolver")) and $f > 20 and .dns_stats.auth[-1].actions.empty > 5' "$(R fb-knot)"
for r in dnsmasq dnsdist; do
	check "ip-fallback, resolver=$r: check accepts a forwarder" \
		bash -c '"$1" check scenarios/ip-fallback-pattern/scenario.lua --set resolver=$2 >/dev/null 2>&1' _ "$DD" $r
done
for k in on off; do
	la=$(last_a mp-$k)
	echo "# multi-provider-pattern checker=$([ $k = on ] && echo true || echo false): ${secs[mp-$k]} s, verdict $(metric mp-$k .verdict), availability $(metric mp-$k .metrics.availability), resolver's queries at provider A in the fault $(metric mp-$k '[.dns_stats["ns1-provider-a-test"][] | [.clients[]? | select(.addr == "198.18.100.53") | .queries][0] // 0] | .[-1] - .[0]'), last one $(( (la - $(metric mp-$k .fault.start_ms)) * 60 / 1000 )) incident s into the fault$([ $k = on ] && echo ", $(( (la - wd) * 60 / 1000 )) s after the withdrawal at $(( (wd - $(metric mp-$k .fault.start_ms)) * 60 / 1000 )) s")"
done

# --- render-2023-03-01 ------------------------------------------------------
check "render, second_resolver=false: 'availability >= 0.9' is what fails" failed_on render-off availability
check "render: the looping resolver itself was down a large part of the loop ($(metric render-on .probe_metrics.resolver.metrics.availability))" \
	jqt '.probe_metrics.resolver.metrics.availability < 0.8' "$(R render-on)"
restarts=$(metric render-on '[.events[] | select(.kind == "mark" and (.text | startswith("restart")))] | length')
# queries from the looping resolver (198.18.100.53) at a server: baseline
# (17:41-17:50) and loop (17:50-18:08) per real second, from the
# timeline's three readings
rates() {
	jq --arg s "$2" '[.dns_stats[$s][] | select(.why == "timeline") | {t_ms, q: ([.clients[]? | select(.addr == "198.18.100.53") | .queries][0] // 0)}] as $r
	  | "\(($r[1].q - $r[0].q)) \(($r[2].q - $r[1].q)) \(($r[1].t_ms - $r[0].t_ms)) \(($r[2].t_ms - $r[1].t_ms))"' -r "$(R "$1")"
}
read -r rb rl tb tl <<<"$(rates render-on a-root-servers-test)"
check "render: each cold start asks the root again: $rl root queries in the loop for $restarts restarts, $rb in the warm baseline" \
	jqt -n --argjson rb "$rb" --argjson rl "$rl" --argjson n "$restarts" '$n >= 5 and $rl >= $n and $rb <= 1'
read -r eb el etb etl <<<"$(rates render-on ns1-example-com)"
read -r eb2 el2 _ _ <<<"$(rates render-on ns2-example-com)"
burst=$(jq -n --argjson b "$((eb + eb2))" --argjson l "$((el + el2))" --argjson tb "$etb" --argjson tl "$etl" 'if $b == 0 then "inf" else (($l / $tl) / ($b / $tb) * 100 | round / 100) end' -r)
check "render: example.com's servers got more queries a second from the looping resolver in the loop ($((el + el2))) than in the warm baseline ($((eb + eb2))): x$burst" \
	jqt -n --argjson b "$((eb + eb2))" --argjson l "$((el + el2))" --argjson tb "$etb" --argjson tl "$etl" '$l / $tl > 1.5 * ($b / $tb)'
check "render: the app without a second resolver logged DNS errors in the loop, with one almost none" \
	jqt -n --argjson a "$(in_fault render-off dns-error)" --argjson b "$(in_fault render-on dns-error)" '$a > 10 and $b <= 3'
# both instances' software is a parameter: kresd keeps its cache on disk,
# where a crash leaves it warm, so the scenario empties it at each start;
# without that the loop sends no query to the root at all (seen: 0)
read -r kb kl _ _ <<<"$(rates render-knot a-root-servers-test)"
kn=$(metric render-knot '[.events[] | select(.kind == "mark" and (.text | startswith("restart")))] | length')
check "render, resolver=knot: Knot Resolver ($(metric render-knot .versions.resolver)) starts cold too: $kl root queries in the loop for $kn restarts, $kb in the warm baseline" \
	jqt -n --argjson rb "$kb" --argjson rl "$kl" --argjson n "$kn" --arg v "$(metric render-knot .versions.resolver)" \
	  '($v | startswith("Knot Resolver")) and $n >= 5 and $rl >= $n / 2 and $rb <= 1'
for r in dnsmasq dnsdist; do
	check "render, resolver=$r: check refuses a forwarder (the instances iterate from the root), naming the param and the choices" \
		cat_refused render-2023-03-01 resolver=$r "unbound, bind9, knot, pdns"
done
for k in on off knot; do
	read -r rb rl _ _ <<<"$(rates render-$k a-root-servers-test)"
	echo "# render-2023-03-01 $(case $k in on) echo second_resolver=true ;; off) echo second_resolver=false ;; knot) echo resolver=knot ;; esac): ${secs[render-$k]} s, verdict $(metric render-$k .verdict), availability $(metric render-$k .metrics.availability), looping resolver $(metric render-$k .probe_metrics.resolver.metrics.availability), recovery $(metric render-$k .metrics_incident.recovery_s) incident s, restarts $(metric render-$k '[.events[] | select(.kind == "mark" and (.text | startswith("restart")))] | length'), root queries baseline/loop $rb/$rl, app dns errors $(in_fault render-$k dns-error)"
done
t_done
