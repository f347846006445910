#!/bin/bash
# tests/run.sh: parallel (sealed runs; nothing of the host is compared)
# catalogue_1.sh -- the incident catalogue, part 1 (delegation, partial
# authority and resolver loss): azure-dns-2019-05-02, zoom-2025-04-16,
# cloudflare-1111-2025-07-14, gcore-2022-11-14 and facebook-2021-10-04,
# each with its shipped settings and with its protection switched off,
# all side by side (each run is sealed in its own namespaces).  Per
# scenario: the shipped run passes (exit 0), the protection-off run fails
# (exit 1) with the named expectation failing, and what the incident
# teaches holds in result.json against the truth (faultd's counters, the
# probes' events).  "# " lines give each run's wall time and key metrics.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/catalogue.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-cat1.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }
jv() { jq -r "$@"; }

# name scenario settings (comma-separated)
runs=(
	"az       azure-dns-2019-05-02"
	"az-off   azure-dns-2019-05-02        neg_cap=0"
	"zoom     zoom-2025-04-16"
	"zoom-off zoom-2025-04-16             neg_cap=0"
	"zoom-ss  zoom-2025-04-16             serve_stale=true"
	"cf       cloudflare-1111-2025-07-14"
	"cf-off   cloudflare-1111-2025-07-14  second=false"
	"gc       gcore-2022-11-14"
	"gc-off   gcore-2022-11-14            failover=false"
	"fb       facebook-2021-10-04"
	"fb-off   facebook-2021-10-04         serve_stale=false"
)
cat_run_all
# gcore: the app is hit only if a refresh of api.example.com comes back
# empty (each does with p=0.25, some 18 refreshes over the fault: about one
# run in 180 is never hit, and then neither the failover nor its absence
# shows); such a run is run again, once, and said so
again=()
for n in gc gc-off; do
	if jq -e '.probe_metrics.api.metrics.availability == 1' "$(R $n)" >/dev/null 2>&1; then
		echo "# $n: api.example.com was never answered empty (seed $(jq .seed "$(R $n)")): run again"
		again+=("$n")
	fi
done
[ ${#again[@]} = 0 ] || cat_rerun "${again[@]}"
# the expectations that failed, by metric
failed() { jv '[.expectations[] | select(.pass == false) | .metric] | join(",")' "$(R "$1")"; }
# a run's verdict and wall time, then the protection-off run's failures
verdicts() {
	local on=$1 off=$2 want=$3
	echo "# $on: exit ${rc[$on]}, wall ${secs[$on]} s; $off: exit ${rc[$off]}, wall ${secs[$off]} s, failed: $(failed "$off")"
	check "$on: the shipped settings pass (exit ${rc[$on]})" test "${rc[$on]}" = 0
	if [ "${rc[$on]}" != 0 ]; then sed -n '/^expectation/,/^$/p' "$work/$on.out"; fi
	check "$off: with the protection off the run fails (exit ${rc[$off]}) on $want" \
		bash -c "test '${rc[$off]}' = 1 && [[ ',$(failed "$off")' == *',$want'* ]]"
}
# t_ms of a phase's start
phase_at() { jv --arg p "$2" '[.events[] | select(.kind == "phase_start" and .source == $p)][0].t_ms' "$(R "$1")"; }

# --- azure-dns-2019-05-02 ----------------------------------------------------
verdicts az az-off recovery_s.
A=$(R az); A0=$(R az-off)
E=$(phase_at az "one copy empty"); F=$(phase_at az restored)
# the truth at the authorities: the empty copy got about a quarter of the
# resolver's windows.net queries over the fault
share4=$(jq '[.authority | to_entries[] | select(.key | test("azure-dns")) | .value.queries] as $q
	| (.authority["ns4-azure-dns-test"].queries / ($q | add))' "$A")
echo "# az: the empty copy's share of windows.net queries over the fault $share4; failing share clients saw $(jq '1 - .metrics.availability' "$A") (off: $(jq '1 - .metrics.availability' "$A0"))"
check "az: the empty copy (1 of 4 servers) got 10-45 % of the resolver's windows.net queries over the fault ($share4)" \
	jqt "$share4 >= 0.10 and $share4 <= 0.45" -n
check "az: NXDOMAIN reached the clients only after the copy was emptied, and not before 19:29" \
	jqt "[.events[] | select(.kind == \"probe\" and (.text | startswith(\"NXDOMAIN\")))] | length > 20 and all(.t_ms > $E)" "$A"
check "az: capped at 300 s, the failing share clients saw stays near the quarter (10-40 %)" \
	jqt '(1 - .metrics.availability) >= 0.10 and (1 - .metrics.availability) <= 0.40' "$A"
tail_on=$(jq '[.probe_metrics[] | .metrics.recovery_s] | max * 300' "$A")
tail_off=$(jq '[.probe_metrics[] | .metrics.recovery_s] | max * 300' "$A0")
echo "# az: negative-cache tail after the fix (the last name back, incident s): capped $tail_on, uncapped $tail_off"
# (the fix is timed to land just after a fresh NXDOMAIN is cached: 2700-3900 s
# measured on an idle machine, 1473 s once and 3917 s once on a loaded one,
# where the timing drifts; the claim is the cap's: without it the tail passes
# what the cap allows, and never the zone's negative TTL plus two real
# seconds (600 incident s: the stable window, a probe and a late scheduler))
check "az: uncapped, the cached NXDOMAIN outlives the fix by more than the cap allows, at most the zone's hour + 2 real s ($tail_off s; capped, at most the cap + 1 real s: $tail_on s)" \
	jqt -n "$tail_off > 720 and $tail_off <= 4200 and $tail_on <= 720"

# --- zoom-2025-04-16 ---------------------------------------------------------
verdicts zoom zoom-off recovery_s.
Z=$(R zoom); Z0=$(R zoom-off); ZS=$(R zoom-ss)
H=$(phase_at zoom hold)
check "zoom: both us. servers dropped the delegation at the hold" \
	jqt "[.events[] | select(.kind == \"zone_change\" and (.text | startswith(\"delegation del zoom.us.\"))) | .t_ms]
	     | length == 2 and all(. >= $H and . < $H + 500)" "$Z"
check "zoom: NXDOMAIN only after the hold began" \
	jqt "[.events[] | select(.kind == \"probe\" and (.text | startswith(\"NXDOMAIN\")))] | length > 20 and all(.t_ms > $H)" "$Z"
check "zoom: the status page on the held domain failed with it (availability.status $(jq '.probe_metrics.status.metrics.availability' "$Z"))" \
	jqt '.probe_metrics.status.metrics.availability < 0.3' "$Z"
on=$(jq '.probe_metrics.www.metrics.recovery_s * 300' "$Z"); off=$(jq '.probe_metrics.www.metrics.recovery_s * 300' "$Z0")
echo "# zoom: detection $(jq '.metrics_incident.detection_s' "$Z") s incident; drain after the release (www, incident s): capped $on, uncapped $off (us. negative TTL 900); serve-stale: exit ${rc[zoom-ss]}, availability $(jq '.metrics.availability' "$ZS")"
check "zoom: uncapped, the drain lasts the TLD's negative TTL (www $off s > 720; capped $on s)" \
	jqt -n "$off > 720 and $on <= 720"
check "zoom: serve-stale does not shield from NXDOMAIN (exit ${rc[zoom-ss]}: still an outage, availability $(jq '.metrics.availability' "$ZS"))" \
	bash -c "test '${rc[zoom-ss]}' = 0 && jq -e '.metrics.availability < 0.3' '$ZS' >/dev/null"

# --- cloudflare-1111-2025-07-14 ---------------------------------------------
verdicts cf cf-off availability.lookup
C=$(R cf); C0=$(R cf-off)
echo "# cf: lookup latency baseline p50 $(jq '.probe_metrics.lookup.metrics.baseline_latency_p50_ms' "$C") ms, while A was gone p50 $(jq '.probe_metrics.lookup.metrics.latency_p50_ms' "$C") p95 $(jq '.probe_metrics.lookup.metrics.latency_p95_ms' "$C") ms; only A: lookups $(jq '.probe_metrics.lookup.metrics.availability' "$C0"), app $(jq '.probe_metrics.service.metrics.availability' "$C0")"
check "cf: A's edge dropped queries over the outage (the withdrawn routes), and after the revert still some" \
	jqt '[.dns_stats["edge-a"][] | select(.why == "clear")] | .[0].actions.drop > 5 and .[1].actions.drop > .[0].actions.drop' "$C"
# while A was wholly unreachable (21:52-22:20), every lookup waited out A
W0=$(phase_at cf "routes withdrawn"); W1=$(phase_at cf revert)
med=$(jq --argjson a "$W0" --argjson b "$W1" '[.events[] | select(.kind == "probe" and .source == "lookup" and .ok and .t_ms > $a + 1500 and .t_ms < $b) | .latency_ms] | sort | .[length / 2 | floor]' "$C")
echo "# cf: median lookup while A was wholly unreachable: $med ms"
# (the baseline is a few ms idle, but getent is a process started per
# lookup: on a loaded 2-core machine it took 174 ms once; the claim is the
# extra stub timeout, so the bound is "at least 600 ms more than before")
base=$(jq '.probe_metrics.lookup.metrics.baseline_latency_p50_ms' "$C")
check "cf: with B, each lookup cost one stub timeout while A was gone (median $med ms: 800-1500), at least 600 ms more than before ($base ms)" \
	jqt -n "$med >= 800 and $med < 1500 and $med - $base >= 600"
slow=$(grep -c 'event=request .*ok=true .*ms=1[0-9][0-9][0-9]$' "$work/cf/app.stdout")
check "cf: the app's requests still succeeded, each a timeout slower ($slow requests of 1-2 s)" test "$slow" -ge 5
check "cf: with only A in resolv.conf the app failed (availability.service $(jq '.probe_metrics.service.metrics.availability' "$C0"))" \
	jqt '.probe_metrics.service.metrics.availability < 0.9' "$C0"

# --- gcore-2022-11-14 --------------------------------------------------------
verdicts gc gc-off failover_s
G=$(R gc); G0=$(R gc-off)
auth=$(jq '.expectations as $x | .dns_stats.gcore as $s
	| ([$s[] | select(.why == "clear")][0]) as $c | ([$s[] | select(.why == "inject")][0]) as $i
	| ($c.actions.empty - $i.actions.empty) / ($c.queries - $i.queries)' "$G")
F0=$(jq '[.events[] | select(.kind == "fault_inject")][0].t_ms' "$G")
F1=$(jq '[.events[] | select(.kind == "fault_clear")][0].t_ms' "$G")
names=$(jq --argjson a "$F0" --argjson b "$F1" '[.events[] | select(.kind == "probe" and (.source | test("^(www|api|img|static|login|cdn|shop|mail)$")) and .t_ms >= $a and .t_ms < $b)]
	| (map(select(.ok == false)) | length) / length' "$G")
echo "# gc: empty answers at the authority over the fault $auth; failed lookups the names' clients saw $names (per name $(jq -c '[.probe_metrics | to_entries[] | select(.key != "service") | (1 - .value.metrics.availability) * 100 | floor]' "$G") %); app availability with failover $(jq .metrics.availability "$G"), without $(jq .metrics.availability "$G0")"
check "gc: the authority answered 10-45 % of its queries empty over the fault ($auth, prob=0.25)" \
	jqt -n "$auth >= 0.10 and $auth <= 0.45"
check "gc: clients through the caching resolver saw a share of the same order (10-50 %: $names)" \
	jqt -n "$names >= 0.10 and $names <= 0.50"
check "gc: the empty answers appeared only once the fault began" \
	jqt "[.events[] | select(.kind == \"probe\" and .text == \"NOERROR empty\")] | length > 10 and all(.t_ms > $F0)" "$G"
check "gc: the app failed over and came home (failover events, and its last switch a failback)" \
	jqt '[.events[] | select(.kind == "watch" and (.source == "failover" or .source == "failback"))]
		| (map(select(.source == "failover")) | length >= 1) and .[-1].source == "failback"' "$G"

# --- facebook-2021-10-04 -----------------------------------------------------
verdicts fb fb-off query_amplification.users
FB=$(R fb); FB0=$(R fb-off)
# queries at facebook.com's four servers over the fault per second, over
# their baseline's (one query added to the baseline: it may have none)
ratio() { jq '[.authority | to_entries[] | select(.key | test("ns-facebook-com$")) | .value] as $v
	| ($v | map(.queries) | add) / $v[0].fault_s / ((($v | map(.baseline_queries) | add) + 1) / $v[0].baseline_s)' "$1"; }
echo "# fb: users' queries over the fault vs baseline: serve-stale $(jq '.amplification.users' "$FB"), off $(jq '.amplification.users' "$FB0"); resolver upstream $(jq '.amplification.upstream' "$FB") / $(jq '.amplification.upstream' "$FB0"); facebook.com's servers: $(ratio "$FB") / $(ratio "$FB0") x their baseline rate; availability $(jq .metrics.availability "$FB") / $(jq .metrics.availability "$FB0")"
check "fb: all four facebook.com servers dropped queries over the fault" \
	jqt '[.dns_stats | to_entries[] | select(.key | test("ns-facebook-com$")) | .value[-1].actions.drop] | length == 4 and all(. > 0)' "$FB0"
check "fb: without serve-stale the users saw SERVFAIL or silence, and retried: amplification.users > 2" \
	jqt '.amplification.users > 2 and ([.events[] | select(.kind == "probe" and .source == "www" and .ok == false)] | length > 10)' "$FB0"
check "fb: the resolver kept asking the silent servers: their rate over the fault above the baseline ($(ratio "$FB0") x)" \
	jqt -n "$(ratio "$FB0") > 1"
check "fb: with serve-stale the users never failed (no failed www lookups)" \
	jqt '[.events[] | select(.kind == "probe" and .source == "www" and .ok == false)] | length == 0' "$FB"
t_done
