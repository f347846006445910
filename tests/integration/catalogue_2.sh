#!/bin/bash
# tests/run.sh: parallel (sealed runs; nothing of the host is compared)
# catalogue_2.sh -- the incident catalogue, part 2 (overload, outages at the
# source and lost sites): dyn-2016-10-21, azure-dns-2021-04-01,
# cloudflare-1111-2024-06-27 and linode-2022-08-23, each run with its
# shipped settings (must pass, exit 0) and with its protection switched off
# (must fail, exit 1, on the named expectation), and cloudflare once more
# with BIND 9 as site A's ISP resolver (--set resolver=bind9), all nine
# side by side (each run is sealed in its own namespaces).  Then what each
# incident teaches, held against faultd's counters (dns_stats) and the
# probes' own events.  "# " lines give each run's wall time and key metrics.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/catalogue.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-cat2.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

# name scenario protection-off setting
runs=(
	"dyn-on dyn-2016-10-21"
	"dyn-off dyn-2016-10-21 serve_stale=false"
	"azure-on azure-dns-2021-04-01"
	"azure-off azure-dns-2021-04-01 serve_stale=false"
	"cf-on cloudflare-1111-2024-06-27"
	"cf-off cloudflare-1111-2024-06-27 second_resolver=false"
	"cf-bind9 cloudflare-1111-2024-06-27 resolver=bind9"
	"linode-on linode-2022-08-23"
	"linode-off linode-2022-08-23 serve_stale=false"
)
cat_run_all

# a probe's availability recomputed from its own events inside the fault
# window, within 0.03 of what the run reported
avail_true() {
	jqt --arg p "$2" '
	  .fault as $f
	  | [.events[] | select(.kind == "probe" and .source == $p and .t_ms >= $f.start_ms and .t_ms <= $f.end_ms) | .ok] as $r
	  | (($r | map(select(.)) | length) / ($r | length)) as $a
	  | ($a - .probe_metrics[$p].metrics.availability) | fabs < 0.03' "$(R "$1")"
}

for r in "${runs[@]}"; do
	set -- $r
	if [ -z "${3:-}" ]; then
		check "$2 passes with its shipped settings (exit ${rc[$1]}, ${secs[$1]} s)" test "${rc[$1]}" = 0
	elif [ "${3%%=*}" = resolver ]; then
		check "$2 with $3 passes (exit ${rc[$1]}, ${secs[$1]} s)" test "${rc[$1]}" = 0
	else
		check "$2 with $3 fails (exit ${rc[$1]}, ${secs[$1]} s)" test "${rc[$1]}" = 1
	fi
done

# --- dyn: serve-stale shields users; the waves multiply the authority's load
check "dyn, serve_stale=false: 'availability >= 0.98' is what fails" failed_on dyn-off availability
# the authority's rate in wave 1 (the timeline's readings around it) against
# its baseline (the start reading to the wave's): retries outpace the cache
wave_ratio() {
	jq '.dns_stats.dyn as $d | ($d | map(select(.why == "timeline"))) as $t
	    | (($t[1].queries - $t[0].queries) / ($t[1].t_ms - $t[0].t_ms))
	      / (($t[0].queries - $d[0].queries) / ($t[0].t_ms - $d[0].t_ms))' "$(R "$1")"
}
for k in on off; do
	w=$(wave_ratio dyn-$k)
	# (1.2-1.9x measured on an idle machine; 0.82 once with the CPU
	# shared by ~20 runs: the resolver's own pacing slows, and the
	# baseline is only 2.5 real s, its cold start included.  0.7 left
	# 15 % below the one loaded figure, so the bound is half the usual
	# rate: what it catches is a resolver (or faultd's counting) that
	# stops asking a dropping authority -- serve-stale without refresh,
	# a server marked down for the wave -- which shows as a ratio near 0,
	# not 0.6)
	check "dyn, $k: the authority kept being asked in wave 1 at 0.5x its usual rate or more (x$(printf %.2f "$w")), though it dropped many (drops $(metric dyn-$k '.dns_stats.dyn[-1].actions.drop'), queued $(metric dyn-$k '.dns_stats.dyn[-1].capacity_queued'))" \
		jqt -n --argjson w "$w" --argjson d "$(metric dyn-$k '.dns_stats.dyn[-1].actions.drop')" \
		  --argjson q "$(metric dyn-$k '.dns_stats.dyn[-1].capacity_queued')" '$w > 0.5 and $d > 100 and $q > 0'
	echo "# dyn-2016-10-21 serve_stale=$([ $k = on ] && echo true || echo false): ${secs[dyn-$k]} s, verdict $(metric dyn-$k .verdict), availability $(metric dyn-$k .metrics.availability), p95 $(metric dyn-$k .metrics.latency_p95_ms) ms, authority x$(metric dyn-$k .authority.dyn.ratio) over the window, wave-1 x$(printf %.2f "$w")"
done
check "dyn: availability from the probes' own events matches the run's" \
	bash -c "$(declare -f avail_true jqt R); work=$work; avail_true dyn-on twitter && avail_true dyn-off twitter && avail_true dyn-off github"

# --- azure: the company's resolver multiplies its queries at the authority
check "azure, serve_stale=false: 'availability >= 0.95' is what fails" failed_on azure-off availability
# the resolver's own queries (faultd's per-client counter, 198.18.9.1) a
# second over the surge against before it
res_ratio() {
	jq '.dns_stats.azuredns as $d
	    | def q(r): [r.clients[] | select(.addr == "198.18.9.1") | .queries][0] // 0;
	      ($d | map(select(.why == "inject"))[0]) as $i | ($d | map(select(.why == "clear"))[0]) as $c
	    | ((q($c) - q($i)) / ($c.t_ms - $i.t_ms)) / ((q($i) - q($d[0])) / ($i.t_ms - $d[0].t_ms))' "$(R "$1")"
}
a_on=$(res_ratio azure-on); a_off=$(res_ratio azure-off)
check "azure: the resolver's retries multiply its queries at the authority during the surge (x$(printf %.1f "$a_on") with serve-stale, x$(printf %.1f "$a_off") without)" \
	jqt -n --argjson a "$a_on" --argjson b "$a_off" '$a > 3 and $b > 3'
check "azure: the platform turned queries away over capacity ($(metric azure-on '.dns_stats.azuredns[-1].capacity_overflow')), and the surge's host asked it too" \
	jqt '.dns_stats.azuredns[-1].capacity_overflow > 100 and any(.dns_stats.azuredns[-1].clients[]; .addr == "198.18.9.100")' "$(R azure-on)"
for k in on off; do
	echo "# azure-dns-2021-04-01 serve_stale=$([ $k = on ] && echo true || echo false): ${secs[azure-$k]} s, verdict $(metric azure-$k .verdict), availability $(metric azure-$k .metrics.availability), p95 $(metric azure-$k .metrics.latency_p95_ms) ms, authority x$(metric azure-$k .authority.azuredns.ratio), resolver x$(printf %.1f "$(res_ratio azure-$k)"), overflow $(metric azure-$k '.dns_stats.azuredns[-1].capacity_overflow')"
done

# --- cloudflare: a second nameserver keeps the black-holed site up, at a price
check "cloudflare, second_resolver=false: 'availability.site-a >= 0.95' is what fails" failed_on cf-off availability.site-a
check "cloudflare: site A pays ~ the stub's 1 s timeout per lookup ($(metric cf-on '.probe_metrics["site-a"].metrics.latency_p50_ms') ms), site B its detour ($(metric cf-on '.probe_metrics["site-b"].metrics.latency_p50_ms') ms)" \
	jqt '.probe_metrics["site-a"].metrics.latency_p50_ms >= 900 and .probe_metrics["site-a"].metrics.latency_p50_ms < 2500
	     and .probe_metrics["site-b"].metrics.latency_p50_ms >= 200 and .probe_metrics["site-b"].metrics.latency_p50_ms < 900' "$(R cf-on)"
# (a lookup at the fault's edges may still get through: not 0 exactly)
check "cloudflare: without the second nameserver site A is dark in the fault, and site B is not" \
	jqt '.probe_metrics["site-a"].metrics.availability < 0.2 and .probe_metrics["site-b"].metrics.availability >= 0.95' "$(R cf-off)"
check "cloudflare: the public resolver dropped site A's queries (faultd: $(metric cf-on '.dns_stats.public[-1].actions.drop') drops) and saw both sites" \
	jqt '.dns_stats.public[-1].actions.drop > 5 and ([.dns_stats.public[-1].clients[].addr] | sort == ["198.18.1.10", "198.18.2.10"])' "$(R cf-on)"
# site A's ISP resolver is a parameter: BIND 9 plays it as unbound does,
# and the forwarders, which resolve nothing themselves, are refused by name
check "cloudflare, resolver=bind9: passes (exit ${rc[cf-bind9]}) with BIND as site A's ISP resolver ($(metric cf-bind9 '.versions["isp-a"]' | cut -c1-12)), which asked the authority ($(metric cf-bind9 '[.dns_stats.auth[-1].clients[] | select(.addr == "198.18.9.3") | .queries][0]') queries) and carried site A (availability $(metric cf-bind9 '.probe_metrics["site-a"].metrics.availability'))" \
	jqt --argjson rc "${rc[cf-bind9]}" '$rc == 0 and (.versions["isp-a"] | startswith("BIND "))
	     and ([.dns_stats.auth[-1].clients[] | select(.addr == "198.18.9.3") | .queries][0] // 0) > 0
	     and .probe_metrics["site-a"].metrics.availability >= 0.95' "$(R cf-bind9)"
for r in dnsmasq dnsdist; do
	check "cloudflare, resolver=$r: check refuses it, naming the param and the choices" \
		cat_refused cloudflare-1111-2024-06-27 resolver=$r "unbound, bind9, knot, pdns"
done
for k in on off; do
	echo "# cloudflare-1111-2024-06-27 second_resolver=$([ $k = on ] && echo true || echo false): ${secs[cf-$k]} s, verdict $(metric cf-$k .verdict), site-a availability $(metric cf-$k '.probe_metrics["site-a"].metrics.availability') p50 $(metric cf-$k '.probe_metrics["site-a"].metrics.latency_p50_ms') ms, site-b availability $(metric cf-$k '.probe_metrics["site-b"].metrics.availability') p50 $(metric cf-$k '.probe_metrics["site-b"].metrics.latency_p50_ms') ms (baseline $(metric cf-$k '.probe_metrics["site-b"].metrics.baseline_latency_p50_ms') ms)"
done
echo "# cloudflare-1111-2024-06-27 resolver=bind9: ${secs[cf-bind9]} s, verdict $(metric cf-bind9 .verdict), site-a availability $(metric cf-bind9 '.probe_metrics["site-a"].metrics.availability') p50 $(metric cf-bind9 '.probe_metrics["site-a"].metrics.latency_p50_ms') ms, site-b availability $(metric cf-bind9 '.probe_metrics["site-b"].metrics.availability') p50 $(metric cf-bind9 '.probe_metrics["site-b"].metrics.latency_p50_ms') ms"

# --- linode: serve-stale answers what it has seen, never a first lookup
check "linode, serve_stale=false: 'availability.cached >= 0.95' is what fails" failed_on linode-off availability.cached
check "linode: a name never asked before fails in both runs, the cached one only without serve-stale" \
	jqt -n --argjson a "$(metric linode-on '.probe_metrics.new.metrics.availability')" \
	  --argjson b "$(metric linode-off '.probe_metrics.new.metrics.availability')" \
	  --argjson c "$(metric linode-on '.probe_metrics.cached.metrics.availability')" \
	  --argjson d "$(metric linode-off '.probe_metrics.cached.metrics.availability')" \
	  '$a < 0.1 and $b < 0.1 and $c >= 0.95 and $d < 0.5'
check "linode: the authority answered SERVFAIL throughout ($(metric linode-on '.dns_stats.linode[-1].actions.servfail'))" \
	jqt '.dns_stats.linode[-1].actions.servfail > 50' "$(R linode-on)"
check "linode: availability from the probes' own events matches the run's" \
	bash -c "$(declare -f avail_true jqt R); work=$work; avail_true linode-on cached && avail_true linode-on new && avail_true linode-off cached"
for k in on off; do
	echo "# linode-2022-08-23 serve_stale=$([ $k = on ] && echo true || echo false): ${secs[linode-$k]} s, verdict $(metric linode-$k .verdict), cached $(metric linode-$k .probe_metrics.cached.metrics.availability), new $(metric linode-$k .probe_metrics.new.metrics.availability), new names back after $(metric linode-$k .metrics_incident.recovery_s) incident s, authority x$(metric linode-$k .authority.linode.ratio)"
done
t_done
