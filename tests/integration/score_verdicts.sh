#!/bin/bash
# What the score must see, on real namespaces, faultd and resolvers:
#  1. latency: glibc (getent) with two nameservers, the first silent: every
#     lookup works (availability passes) but takes ~1 s, and the latency
#     and slowdown expectations fail the run;
#  2. a partial outage: one of four authorities answers NXDOMAIN behind a
#     real unbound; each name's availability is scored and a per-probe
#     expectation fails;
#  3. censoring: the run ends before the SUT is seen back; recovery_s is a
#     lower bound in result.json, the summary, junit.xml and report.html,
#     and its expectations fail, never pass.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-score.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }
# the check on metric $2 (its whole name) in result $1
ex() { jq -c --arg m "$2" '[.expectations[] | select(.metric == $m)][0]' "$1"; }

# 1. latency ---------------------------------------------------------------
if ! command -v getent >/dev/null; then
	skip "latency: stub with a silent first nameserver" "no getent"
else
	"$DD" run tests/scenarios/latency-dead-ns.lua --out "$work/lat" --seed 1 \
		>"$work/lat.out" 2>&1
	rc=$?
	R=$work/lat/result.json
	check "latency: exit 1, the gate failed (rc $rc)" test "$rc" = 1
	[ "$rc" = 1 ] || tail -30 "$work/lat.out"
	check "latency: availability passes ($(ex "$R" availability))" \
		jqt '[.expectations[] | select(.metric == "availability")][0].pass' "$R"
	check "latency: baseline p50 is a few ms ($(jq .metrics.baseline_latency_p50_ms "$R"))" \
		jqt '.metrics.baseline_latency_p50_ms < 200' "$R"
	# glibc waits out the silent server's timeout (1 s) before the second
	check "latency: p50 during the fault ~1 s ($(jq .metrics.latency_p50_ms "$R"))" \
		jqt '.metrics.latency_p50_ms > 900 and .metrics.latency_p50_ms < 2000' "$R"
	check "latency: latency_p99_ms < 500 fails ($(ex "$R" latency_p99_ms))" \
		jqt '[.expectations[] | select(.metric == "latency_p99_ms")][0] |
		     (.pass | not) and .observed > 900' "$R"
	check "latency: slowdown < 5 fails ($(jq .metrics.slowdown "$R"))" \
		jqt '[.expectations[] | select(.metric == "slowdown")][0].pass | not' "$R"
	check "latency: the probe's own figures match" \
		jqt '.probe_metrics.lookup.metrics.latency_p50_ms == .metrics.latency_p50_ms' "$R"
fi

# 2. one of four authorities answers NXDOMAIN behind unbound ---------------
if ! command -v unbound >/dev/null; then
	skip "partial outage behind unbound" "unbound not installed"
else
	"$DD" run tests/scenarios/partial-nxdomain.lua --out "$work/part" --seed 1 \
		>"$work/part.out" 2>&1
	rc=$?
	R=$work/part/result.json
	check "partial: exit 1 (rc $rc)" test "$rc" = 1
	[ "$rc" = 1 ] || tail -30 "$work/part.out"
	check "partial: every name scored on its own" \
		jqt '[.probe_metrics.www, .probe_metrics.api, .probe_metrics.login | .metrics.availability != null] | all' "$R"
	# a quarter of the lookups go to the broken authority (unbound picks at
	# random among the four): wide bounds
	check "partial: the worst name lost lookups ($(jq .metrics.availability_worst "$R"))" \
		jqt '.metrics.availability_worst > 0.3 and .metrics.availability_worst < 0.9' "$R"
	check "partial: the pooled availability shows it ($(jq .metrics.availability "$R"))" \
		jqt '.metrics.availability > 0.4 and .metrics.availability < 0.97' "$R"
	check "partial: a per-probe availability expectation fails" \
		jqt '[.expectations[] | select(.metric | startswith("availability.")) |
		      select(.pass | not)] | length >= 1' "$R"
	check "partial: its message names the probe" \
		grep -qE 'availability\.(www|api|login) = 0\.[0-9]+, expected > 0\.9' "$work/part.out"
fi

# 3. censored recovery ------------------------------------------------------
"$DD" run tests/scenarios/censored-recovery.lua --out "$work/cen" --seed 1 >"$work/cen.out" 2>&1
rc=$?
R=$work/cen/result.json
check "censored: exit 1 (rc $rc)" test "$rc" = 1
check "censored: recovery_s stays null for strict readers" jqt '.metrics.recovery_s == null' "$R"
# the clear, 1.5 s of timeline and the 1 s tail: at least ~2.5 s
check "censored: a lower bound beside it ($(jq -c .metric_bounds.recovery_s "$R"))" \
	jqt '.metric_bounds.recovery_s.censored and .metric_bounds.recovery_s.at_least > 2
	     and .metric_bounds.recovery_s.at_least < 4' "$R"
check "censored: recovery_s < 1 fails: not recovered within" \
	jqt '.expectations[0] | (.pass | not) and .censored and
	     (.message | test("not recovered within [0-9.]+ s"))' "$R"
check "censored: recovery_s < 60 fails too, undecided" \
	jqt '.expectations[1] | (.pass | not) and (.message | test("undecided"))' "$R"
check "censored: the summary shows the bound" grep -qE '^recovery_s +>=[0-9]+\.[0-9]{3} +not recovered' "$work/cen.out"
check "censored: junit.xml carries it" grep -q 'name="censored.recovery_s" value="&gt;= ' "$work/cen/junit.xml"
check "censored: report.html marks it" grep -q 'censored</span>' "$work/cen/report.html"
"$DD" report "$work/cen" >/dev/null 2>&1
check "censored: dnsdrill report renders it again" grep -q 'censored</span>' "$work/cen/report.html"
t_done
