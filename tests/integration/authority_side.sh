#!/bin/bash
# The authority's side (issue 9), behind a real unbound: faultd's counters
# are read into result.json (dns_stats) at the inject, from the timeline
# (stats()), at the clear and at the end; they agree with each other, with
# the rule's hits and with the timeline's own view; query amplification is
# scored at the client's link and at the resolver's link to the authority,
# and the latter agrees with what faultd itself counted.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
if ! command -v unbound >/dev/null 2>&1; then
	skip "authority side behind unbound" "unbound not installed (make deps)"
	t_done
fi
work=$(mktemp -d /tmp/dd-it-auth.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

# gates on faultd's counters over the fault and on the authority's link
"$DD" run tests/scenarios/authority-side/scenario.lua --out "$work/r" --seed 3 \
	--set "gate=dns_queries.auth < 100000;dns_answers.auth.servfail > 0;query_amplification.auth_lan >= 0" \
	>"$work/out" 2>&1
rc=$?
check "authority-side run exits 0 ($(grep dnsdrill: "$work/out"))" test "$rc" = 0
R=$work/r/result.json
# faultd's readings, those at phase starts aside: [0] at the timeline's
# start, [1] inject, [2] from the timeline (stats()), [3] clear, [4] end
S='(.dns_stats.auth | map(select(.why != "phase")))'
A=$S
P='(.dns_stats.auth | map(select(.why == "phase")))'

check "dns_stats sits after expectations, before events" \
	jqt 'keys_unsorted | (index("expectations") < index("dns_stats")) and (index("dns_stats") < index("events"))' "$R"
check "faultd read at start, inject, timeline, clear, end, in time order" \
	jqt "[$A[] | .why] == [\"start\", \"inject\", \"timeline\", \"clear\", \"end\"] and ([$A[] | .t_ms] | . == sort)" "$R"
check "one more reading at each phase start, within 50 ms of it" \
	jqt "[.events[] | select(.kind == \"phase_start\") | .t_ms] as \$p | ($P | length) == (\$p | length) and
	     ([range(\$p | length) as \$i | ($P[\$i].t_ms - \$p[\$i]) | . >= 0 and . <= 50] | all)" "$R"
check "the start reading comes before the fault, at the timeline's start (within 500 ms)" \
	jqt "$A[0].t_ms - ([.events[] | select(.kind == \"phase_start\")][0].t_ms) | . >= -50 and . <= 500" "$R"
# queries at the authority: the figure is faultd's own counts subtracted
check "authority.auth: queries = clear - inject reading = dns_queries.auth ($(jq -c .authority.auth "$R"))" \
	jqt ". as \$r | .authority.auth | .queries == ((\$r | $S)[3].queries - (\$r | $S)[1].queries) and
	    .queries == \$r.expectations[0].observed and .queries > 0" "$R"
check "authority.auth: baseline = inject - start reading, its span from the start reading" \
	jqt ". as \$r | .authority.auth | .baseline_queries == ((\$r | $S)[1].queries - (\$r | $A)[0].queries) and
	    .baseline_s > 0 and .baseline_s <= ((\$r | $S)[1].t_ms - (\$r | $A)[0].t_ms) / 1000 and
	    ((.ratio - (.qps / .baseline_qps)) | fabs) < 1e-9" "$R"
q=$(jq '.authority.auth.queries' "$R")
check "summary: queries at the authority, $q over the fault" \
	grep -q "^    queries at the authority: $q over the fault ([0-9.]*/s), baseline [0-9.]*/s (x[0-9.]*)$" "$work/out"
check "the inject reading comes with faultd's acknowledgement (within 50 ms)" \
	jqt "($S[1].t_ms) - ([.events[] | select(.kind == \"fault_inject\")][0].t_ms) | . >= 0 and . <= 50" "$R"
check "the inject reading holds the new rule, not yet hit" \
	jqt "$S[1].rule_hits | length == 1 and .[0].rule == \"name=www.example.com type=A action=servfail\" and .[0].hits <= 1" "$R"
check "at the clear every SERVFAIL was the rule's ($(jq -c "$S[3].actions.servfail" "$R"))" \
	jqt "$S[3] | .actions.servfail > 0 and .rule_hits[0].hits == .actions.servfail" "$R"
check "at the end the rule is gone and no SERVFAIL came after the clear" \
	jqt "($S[4].rule_hits == []) and ($S[4].actions.servfail == $S[3].actions.servfail)" "$R"
check "answers per action add up to the queries" \
	jqt "all($S[]; ([.actions[]] | add) == .queries)" "$R"
check "the one client is the resolver, with every query" \
	jqt "$S[4] | .clients == [{\"addr\": \"198.18.9.1\", \"queries\": .queries}] and .clients_other == 0" "$R"
mark=$(jq -r '.events[] | select(.kind == "mark") | .text' "$R")
check "stats() gave the timeline its reading ($mark)" \
	test "$mark" = "servfail answers $(jq "$S[2].actions.servfail" "$R") at $(jq "$S[2].t_ms" "$R")"

# expectations on faultd's counters: from the inject reading to the clear
# reading; on the authority's link: its figure in .amplification
E='.expectations'
check "dns_queries.auth = queries from inject to clear reading ($(jq -c "$E[0]" "$R"))" \
	jqt ". as \$r | $E[0] | .metric == \"dns_queries.auth\" and .pass and
	    .observed == ((\$r | $S)[3].queries - (\$r | $S)[1].queries) and .observed > 0" "$R"
check "dns_answers.auth.servfail = the fault's SERVFAILs ($(jq -c "$E[1].observed" "$R"))" \
	jqt ". as \$r | $E[1] | .metric == \"dns_answers.auth.servfail\" and .pass and
	    .observed == ((\$r | $S)[3].actions.servfail - (\$r | $S)[1].actions.servfail) and .observed > 0" "$R"
check "query_amplification.auth_lan gates the authority's link" \
	jqt ". as \$r | $E[2] | .metric == \"query_amplification.auth_lan\" and .pass and
	    .observed == \$r.amplification.auth_lan" "$R"
check "summary: the counter expectations with their values" \
	grep -q "^dns_answers.auth.servfail > 0 *[0-9]" "$work/out"

# amplification per link; the first link is query_amplification
check "amplification at both links ($(jq -c .amplification "$R"))" \
	jqt '(.amplification | keys_unsorted) == ["auth_lan", "app_lan"] and
	    (.amplification | all(.[]; type == "number")) and
	    .metrics.query_amplification == .amplification.auth_lan' "$R"
check "the client's rate did not change: app_lan 0.7..1.4" \
	jqt '.amplification.app_lan >= 0.7 and .amplification.app_lan <= 1.4' "$R"
# faultd's own count: the rate from the timeline reading to the clear
# (the fault's second half) over the baseline rate up to the inject
tl0=$(jq '[.events[] | select(.kind == "phase_start")][0].t_ms' "$R")
fr=$(jq --argjson t0 "$tl0" "($S[3].queries - $S[2].queries) / ($S[3].t_ms - $S[2].t_ms)
	/ ($S[1].queries / ($S[1].t_ms - \$t0))" "$R")
check "auth_lan agrees with faultd's own count ($(jq .amplification.auth_lan "$R") vs $fr, +/- 0.35)" \
	jqt --argjson fr "$fr" '(.amplification.auth_lan - $fr | fabs) <= 0.35' "$R"

# a fault the resolver passes on (NXDOMAIN, not cached): the authority's
# link now sees what the client sends, and faultd agrees
# link and a SERVFAIL gate that must now fail
"$DD" run tests/scenarios/authority-side/scenario.lua --out "$work/nx" --seed 3 --quiet \
	--set "action=nxdomain negttl=0" \
	--set "gate=dns_answers.auth.nxdomain > 0;dns_answers.auth.servfail > 0;query_amplification.auth_lan > 1000" \
	>/dev/null 2>&1
check "the NXDOMAIN run fails its gates: exit 1" test $? = 1
N=$work/nx/result.json
check "NXDOMAIN: nxdomain answers pass, servfail 0 fails, amplification > 1000 fails ($(jq -c '[.expectations[] | [.observed, .pass]]' "$N"))" \
	jqt '[.expectations[] | .pass] == [true, false, false] and
	    .expectations[0].observed > 0 and .expectations[1].observed == 0 and
	    .expectations[1].message == "dns_answers.auth.servfail = 0, expected > 0" and
	    .expectations[2].observed == .amplification.auth_lan' "$N"
"$DD" check tests/scenarios/authority-side/scenario.lua --set "gate=dns_queries.nope < 1" >"$work/chk" 2>&1
check "check refuses a dns server the scenario does not declare (exit 2)" \
	test $? = 2 -a -n "$(grep "no dns server named 'nope'" "$work/chk")"
tl0=$(jq '[.events[] | select(.kind == "phase_start")][0].t_ms' "$N")
fr=$(jq --argjson t0 "$tl0" "($S[3].queries - $S[2].queries) / ($S[3].t_ms - $S[2].t_ms)
	/ ($S[1].queries / ($S[1].t_ms - \$t0))" "$N")
check "NXDOMAIN passed on: auth_lan $(jq .amplification.auth_lan "$N") near 1 and near faultd's $fr" \
	jqt --argjson fr "$fr" '.amplification.auth_lan >= 0.7 and .amplification.auth_lan <= 1.4 and
	    (.amplification.auth_lan - $fr | fabs) <= 0.35' "$N"

H=$work/r/report.html
check "report: the authority's side, a table for auth" grep -q '<h3><code>auth</code></h3>' "$H"
check "report: amplification per link among the metrics" grep -q 'query_amplification @ auth_lan' "$H"
check "summary: the authority's line" grep -q '^dns auth .* queries (pass [0-9]*, servfail [0-9]*)' "$work/out"
t_done
