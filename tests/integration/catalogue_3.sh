#!/bin/bash
# tests/run.sh: parallel (sealed runs; nothing of the host is compared)
# catalogue_3.sh -- the incident catalogue, part 3 (DNSSEC): se-2022-02-04
# and nz-2023-05-29, each run with its shipped settings (must pass, exit 0)
# and with its protection switched off (must fail, exit 1, on the named
# expectation), all four side by side (each run is sealed in its own
# namespaces).  Then what each incident teaches, held against faultd's
# counters (dns_stats) and the probes' own events.  "# " lines give each
# run's wall time and key metrics.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/catalogue.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-cat3.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

# name scenario protection-off setting
runs=(
	"se-on se-2022-02-04"
	"se-off se-2022-02-04 validate=false"
	"nz-on nz-2023-05-29"
	"nz-off nz-2023-05-29 flush=false"
)
cat_run_all

# a probe's results from T1 to T2 (ms): "ok failed"
cnt() { jq -r "[.events[] | select(.kind == \"probe\" and .source == \"$2\" and .t_ms >= $3 and .t_ms < $4)] | \"\([.[] | select(.ok)] | length) \([.[] | select(.ok | not)] | length)\"" "$(R "$1")"; }
# hits of the injected rules at a server, from its last reading before the clear
hits() { jq "[.dns_stats[\"$2\"][] | select(.why == \"clear\")][-1].rule_hits // [] | map(.hits) | add // 0" "$(R "$1")"; }
# a probe's failing stretch, first to last failure, in incident hours
span_h() { jq --argjson sp "$3" "[.events[] | select(.kind == \"probe\" and .source == \"$2\" and (.ok | not)) | .t_ms] | (.[-1] - .[0]) / 1000 * \$sp / 3600" "$(R "$1")"; }

for r in "${runs[@]}"; do
	set -- $r
	if [ -z "${3:-}" ]; then
		check "$2 passes with its shipped settings (exit ${rc[$1]}, ${secs[$1]} s)" test "${rc[$1]}" = 0
	else
		check "$2 with $3 fails (exit ${rc[$1]}, ${secs[$1]} s)" test "${rc[$1]}" = 1
	fi
done

# --- .se: bad signatures at the TLD fail validating users only
check "se, validate=false: 'availability.val < 0.2' is what fails" failed_on se-off availability.val
check "se: the validating resolver said SERVFAIL for bank.se, and only SERVFAIL" \
	jqt '[.events[] | select(.kind == "probe" and .source == "val" and (.ok | not))] | length > 50 and all(.text | startswith("SERVFAIL"))' "$(R se-on)"
for k in on off; do
	a=$(cnt se-$k val-shop 0 999999999) b=$(cnt se-$k nonval 0 999999999)
	check "se, $k: shop.se through the validating resolver ($a ok/failed) and bank.se through the other ($b) never failed" \
		test "${a#* }" = 0 -a "${a% *}" -gt 100 -a "${b#* }" = 0 -a "${b% *}" -gt 100
done
check "se: the bad signatures came from the TLD's server (rule hits $(hits se-on a-ns-se)); bank.se's own server had no rule" \
	jqt --argjson h "$(hits se-on a-ns-se)" '$h > 0 and all(.dns_stats["ns1-bank-se"][]; .rules == 0)' "$(R se-on)"
for k in on off; do
	echo "# se-2022-02-04 validate=$([ $k = on ] && echo true || echo false): ${secs[se-$k]} s, verdict $(metric se-$k .verdict), availability val(bank.se) $(metric se-$k .probe_metrics.val.metrics.availability | cut -c1-5), val-shop $(metric se-$k '.probe_metrics["val-shop"].metrics.availability'), nonval $(metric se-$k .probe_metrics.nonval.metrics.availability), first SERVFAIL $(metric se-$k .metrics_incident.detection_s) incident s after the bad zone"
done

# --- .nz: the DS TTL sets onset and tail; a flush ends it
check "nz, flush=false: 'recovery_s.flushed < 4h in incident time' is what fails" failed_on nz-off recovery_s.flushed
for k in on off; do
	s=$(span_h nz-$k val 7200)
	check "nz, $k: the validating resolver failed for about one DS TTL (24 h): $(printf %.1f "$s") incident hours from its first failure to its last" \
		jqt -n --argjson s "$s" '$s > 20 and $s < 28'
	n=$(cnt nz-$k nonval 0 999999999)
	check "nz, $k: the non-validating resolver never failed ($n)" test "${n#* }" = 0 -a "${n% *}" -gt 100
done
check "nz: the good DS in the cache held the failure off past 6 incident hours ($(metric nz-on .metrics_incident.detection_s) s), the bad one kept it past the fix ($(metric nz-on '.expectations[] | select(.metric == "recovery_s.val") | .observed' | head -1) s)" \
	jqt '.metrics_incident.detection_s > 21600 and .metrics_incident.recovery_s > 21600' "$(R nz-on)"
f=$(jq '[.events[] | select(.kind == "mark" and .text == "flush")][0].t_ms' "$(R nz-on)")
x=$(cnt nz-on flushed "$((f + 2000))" 999999999)
check "nz: after the flush the flushed resolver answered every probe from 2 s on (a restart under load: ~1 s) ($x ok/failed)" \
	test "${x#* }" = 0 -a "${x% *}" -gt 50
check "nz: without the flush it recovered with the other validating resolver (recovery > 12 incident h)" \
	jqt '[.expectations[] | select(.metric == "recovery_s.flushed")][0].observed > 43200' "$(R nz-off)"
check "nz: the mismatching DS came from the root's server (rule hits $(hits nz-on a-root-servers-test))" \
	test "$(hits nz-on a-root-servers-test)" -gt 0
for k in on off; do
	echo "# nz-2023-05-29 flush=$([ $k = on ] && echo true || echo false): ${secs[nz-$k]} s, verdict $(metric nz-$k .verdict), val failing $(printf %.1f "$(span_h nz-$k val 7200)") incident h (onset $(metric nz-$k .metrics_incident.detection_s) s after the bad DS, back $(metric nz-$k .metrics_incident.recovery_s) s after the fix), flushed back $(metric nz-$k '[.expectations[] | select(.metric == "recovery_s.flushed")][0].observed') s after the fix, nonval $(metric nz-$k .probe_metrics.nonval.metrics.availability)"
done
t_done
