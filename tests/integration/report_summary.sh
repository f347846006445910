#!/bin/bash
# tests/run.sh: parallel
# The pull-request summary (issue 14): `dnsdrill report --format markdown`
# and `--format summary-json` of a real run, a `run --repeat 2` folder and
# a two-run matrix folder, checked against what the runs wrote
# (result.json, repeat.json): verdict, params, each expectation's observed
# value and outcome, the metrics not observed with their reasons, the
# group's gates and runs, the matrix's rows.  The three run side by side.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
EX=scenarios/examples/empty-record.lua
work=$(mktemp -d /tmp/dd-it-summary.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }
fast=(--set fault_at=1 --set fault_for=1)

"$DD" run "$EX" "${fast[@]}" --out "$work/run" --quiet >"$work/run.log" 2>&1 & p1=$!
"$DD" run tests/scenarios/repeat-spread.lua --repeat 2 --seed 5 --out "$work/rep" --quiet \
	>"$work/rep.log" 2>&1 & p2=$!
"$DD" matrix "$EX" --set fault_at=1 --vary fault_for=1,1.5 --out "$work/mx" --quiet \
	>"$work/mx.log" 2>&1 & p3=$!
wait "$p1"; rc1=$?; wait "$p2"; rc2=$?; wait "$p3"; rc3=$?
check "the run, the group and the matrix ran (exit $rc1, $rc2 -- max(...) < 0 fails --, $rc3)" \
	test "$rc1" = 0 -a "$rc2" = 1 -a "$rc3" = 0

# --- one run
R=$work/run/result.json
"$DD" report --format markdown "$work/run" >"$work/run.md"; mrc=$?
"$DD" report --format summary-json "$work/run" >"$work/run.json"; jrc=$?
check "report --format markdown and summary-json exit 0 (exit $mrc, $jrc)" test "$mrc" = 0 -a "$jrc" = 0
check "summary-json: format, kind, scenario, verdict, seed and params are result.json's" \
	test "$(jq -c '[.format, .kind, .scenario, .verdict, .seed, .params]' "$work/run.json")" = \
	"$(jq -c '["dnsdrill-summary/1", "run", .scenario, .verdict, .seed, .params]' "$R")"
# (the summary writes numbers to 12 significant digits, doc/results.md: an
# availability of 1/11 is 0.0909090909091 there, so observed values agree
# to 1e-11 of their size, not to the last bit)
same_expectations() {
	jq -e -n --slurpfile s "$work/run.json" --slurpfile r "$R" '
	  def near(a; b): if (a | type) == "number" and (b | type) == "number"
	    then ((a - b) | fabs) <= 1e-11 * ([(a | fabs), (b | fabs), 1e-300] | max) else a == b end;
	  [$s[0].expectations[] | [.metric, .bound, .observed, .pass]] as $x
	  | [$r[0].expectations[] | [.metric, .bound, .observed, .pass]] as $y
	  | ($x | length) == ($y | length)
	    and all(range(0; $x | length) as $i | $x[$i] as $a | $y[$i] as $b
	        | $a[0] == $b[0] and $a[1] == $b[1] and near($a[2]; $b[2]) and $a[3] == $b[3]; .)' >/dev/null
}
check "summary-json: each expectation's metric, bound, observed value and outcome are result.json's" \
	same_expectations ||
	jq -c '[.expectations[] | [.metric, .bound, .observed, .pass]]' "$work/run.json" "$R" | sed 's/^/#   /'
check "summary-json: the metrics not observed are result.json's nulls without a bound, with their notes" \
	test "$(jq -c '[.not_observed[] | [.metric, .why]]' "$work/run.json")" = \
	"$(jq -c '. as $r | [.metrics | to_entries[] | select(.value == null and ($r.metric_bounds[.key] == null)) | [.key, $r.metric_notes[.key]]]' "$R")"
v=$(jq -r .verdict "$R")
check "markdown: the heading names the verdict and the scenario" \
	grep -qi "^### dnsdrill: .* $v .*\`empty-record\`\$" "$work/run.md"
miss=""
while IFS=$'\t' read -r label obs res; do
	grep -qF "| \`$label\` | $obs | $res" "$work/run.md" || miss="$miss [$label $obs $res]"
done < <(jq -r '.expectations[] | ["\(.metric) \(.bound)", (if .observed == null then "-" else (.observed * 1000 | round / 1000 | tostring) end), (if .pass then "pass" else "**FAIL**" end)] | @tsv' "$R" |
	awk -F'\t' 'BEGIN{OFS="\t"} $2 != "-" {$2 = sprintf("%.3f", $2)} 1')
check "markdown: a row per expectation with its observed value and outcome${miss:+: missing$miss}" test -z "$miss"
miss=""
for m in $(jq -r '.not_observed[].metric' "$work/run.json"); do
	grep -q "^- \`$m\`: " "$work/run.md" || miss="$miss $m"
done
check "markdown: each metric not observed is listed with its reason${miss:+: missing$miss}" test -z "$miss"
check "markdown: queries at the authority for the dns server" grep -q '^| `auth` | `[0-9]* over the fault' "$work/run.md"
"$DD" report "$work/run" >/dev/null; hrc=$?
check "report without --format still renders report.html (exit $hrc)" test "$hrc" = 0 -a -s "$work/run/report.html"
"$DD" report --format bogus "$work/run" >/dev/null 2>"$work/bogus.err"; brc=$?
check "an unknown --format is a usage error, exit 2 (exit $brc)" \
	sh -c "test $brc = 2 && grep -q 'markdown or summary-json' '$work/bogus.err'"
"$DD" report --format markdown "$work/nothing" >/dev/null 2>&1; nrc=$?
check "a folder that holds no run: exit 2 (exit $nrc)" test "$nrc" = 2

# --- the --repeat group
G=$work/rep/repeat.json
"$DD" report --format summary-json "$work/rep" >"$work/rep.json"; rrc=$?
"$DD" report --format markdown "$work/rep/repeat.json" >"$work/rep.md"
check "repeat: summary-json's verdict, gates (statistic, value, pass) and runs are repeat.json's (exit $rrc)" \
	test "$(jq -c '[.kind, .verdict, [.expectations[] | [.metric, .statistic, .value, .pass]], [.runs[] | [.dir, .seed, .verdict]]]' "$work/rep.json")" = \
	"$(jq -c '["repeat", .verdict, [.expectations[] | [.metric, .statistic, .value, .pass]], [.runs[] | [.dir, .seed, .verdict]]]' "$G")"
check "repeat: markdown has the percentile gate passing and max(...) < 0 failing, a row per run" \
	sh -c "grep -q '^| \`p90(detection_s) < 1\` | [0-9.]* | pass: ' '$work/rep.md' &&
	       grep -q '^| \`max(detection_s) < 0\` | [0-9.]* | \*\*FAIL\*\*: ' '$work/rep.md' &&
	       grep -q '^| \`run-1\` | 5 | ' '$work/rep.md' && grep -q '^| \`run-2\` | 6 | ' '$work/rep.md'"

# --- the matrix folder
"$DD" report --format summary-json "$work/mx" >"$work/mx.json"; xrc=$?
"$DD" report --format markdown "$work/mx" >"$work/mx.md"
check "matrix: a row per run folder, each verdict its result.json's (exit $xrc)" \
	test "$(jq -c '[.kind, [.runs[] | [.label, .verdict]]]' "$work/mx.json")" = \
	"$(printf '["matrix",[["fault_for-1","%s"],["fault_for-1.5","%s"]]]' \
		"$(jq -r .verdict "$work/mx/fault_for-1/result.json")" \
		"$(jq -r .verdict "$work/mx/fault_for-1.5/result.json")")"
check "matrix: markdown lists the shared params once and the varied one per row" \
	sh -c "grep -q '^Same in every run: .*\`fault_at=1\`' '$work/mx.md' &&
	       grep -q '^| \`fault_for-1.5\` | \`empty-record\` | \`fault_for=1.5\` | ' '$work/mx.md'"
t_done
