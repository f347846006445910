#!/bin/bash
# Repeat runs (issue 9): `dnsdrill run --repeat 3` of a compressed
# empty-record scenario gives three runs with seeds s..s+2, each with its
# own files, and the group's repeat.json, junit.xml, report.html and
# summary: each metric's spread in order, a passing p90(detection_s) < 1, a
# failing max(detection_s) < 0, exit 1.  Real namespaces and faultd.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
SC=tests/scenarios/repeat-spread.lua
work=$(mktemp -d /tmp/dd-it-repeat.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

# side by side (--jobs 3): what follows holds as it does one after another
# (tests/integration/matrix_jobs.sh compares the two)
"$DD" run "$SC" --repeat 3 --seed 41 --jobs 3 --out "$work/g" >"$work/g.out" 2>&1; rc=$?
R=$work/g/repeat.json
check "--repeat 3 with a failing statistic exits 1 (rc $rc)" test "$rc" = 1
check "repeat.json: format, scenario, verdict fail, params" \
	jqt '.format == "dnsdrill-repeat/1" and .scenario == "repeat-spread" and .verdict == "fail" and .params.fault_at == "1"' "$R"
check "three runs with seeds 41..43 in run-1..run-3" \
	jqt '.seeds == [41, 42, 43] and ([.runs[].dir] == ["run-1", "run-2", "run-3"]) and ([.runs[].seed] == [41, 42, 43])' "$R"
for k in 1 2 3; do
	check "run-$k has its own result.json (seed $((40 + k))), junit.xml and report.html" \
		jqt --argjson s $((40 + k)) '.seed == $s and .scenario == "repeat-spread"' "$work/g/run-$k/result.json"
	test -s "$work/g/run-$k/junit.xml" -a -s "$work/g/run-$k/report.html" || not_ok "run-$k files"
done
check "each run's verdict in repeat.json is its result.json's" \
	test "$(jq -c '[.runs[].verdict]' "$R")" = "$(jq -s -c '[.[].verdict]' "$work"/g/run-{1,2,3}/result.json)"
check "every metric with values: min <= median <= p90 <= max, n + missing = 3" \
	jqt 'all(.metrics[]; .n + .missing == 3 and (.n == 0 or (.min.value <= .median.value and .median.value <= .p90.value and .p90.value <= .max.value)))' "$R"
check "detection_s seen in every run, its values those of the runs" \
	jqt --slurpfile r1 "$work/g/run-1/result.json" '.metrics[] | select(.metric == "detection_s") | .n == 3 and .values[0] == $r1[0].metrics.detection_s' "$R"
check "p90(detection_s) < 1 passes on the distribution" \
	jqt '.expectations[] | select(.metric == "p90(detection_s)") | .pass and .statistic == "p90" and .value < 1 and (.at_least | not)' "$R"
check "max(detection_s) < 0 fails" \
	jqt '.expectations[] | select(.metric == "max(detection_s)") | (.pass | not) and .value >= 0' "$R"
check "the plain detection_s < 1 held in all 3 runs" \
	jqt '.expectations[] | select(.metric == "detection_s") | .pass and .held == 3 and .statistic == null' "$R"
check "junit.xml: one testcase per expectation of the group, one failure" \
	test "$(grep -c '<testcase ' "$work/g/junit.xml"):$(grep -c '<failure ' "$work/g/junit.xml")" = "4:1"
if command -v xmllint >/dev/null; then
	check "junit.xml is well-formed" xmllint --noout "$work/g/junit.xml"
fi
check "report.html links each run's report" \
	test "$(grep -o 'href="run-[123]/report.html"' "$work/g/report.html" | sort -u | wc -l)" = 3
check "report.html has a spread table per metric" \
	test "$(grep -c '<table class="spread">' "$work/g/report.html")" = "$(jq '.metrics | length' "$R")"
check "stdout: the group's summary" grep -q "^FAIL  repeat-spread: 3 runs, seeds 41..43$" "$work/g.out"
check "stdout: the failing statistic" grep -q "^  FAIL  max(detection_s) = .* over 3 runs, expected < 0$" "$work/g.out"

# matrix --repeat: each combination a group in DIR/LABEL, the table its
# medians, exit 1 as the group failed.
# --jobs 2: the group's two runs side by side
"$DD" matrix "$SC" --vary fault_for=1 --repeat 2 --seed 5 --jobs 2 --out "$work/m" >"$work/m.out" 2>&1; rc=$?
M=$work/m/fault_for-1/repeat.json
check "matrix --repeat 2: exit 1, the combination's group with seeds 5, 6 ($rc)" \
	test "$rc" = 1 -a "$(jq -c '.seeds' "$M" 2>/dev/null)" = "[5,6]"
med=$(jq '.metrics[] | select(.metric == "detection_s") | .median.value' "$M")
check "the table's row is the group's: FAIL, detection_s its median ($med)" \
	awk -v m="$med" '$1 == "run" { for (i = 1; i <= NF; i++) col[$i] = i }
	    $1 == "fault_for-1" { d = $(col["detection_s"]) + 0
	      ok = $(col["verdict"]) == "FAIL" && d - m < 0.001 && m - d < 0.001 } END { exit !ok }' "$work/m/matrix.txt"
check "the matrix says its rows are medians" grep -q "each row is 2 runs, each metric their median" "$work/m.out"

# Without --seed, the first run chooses its seed and the group records it.
"$DD" run "$SC" --repeat 1 --out "$work/one" >"$work/one.out" 2>&1; rc=$?
check "--repeat 1 without --seed: rc 1 (the max gate), seed recorded ($rc)" \
	test "$rc" = 1 -a "$(jq '.seeds[0]' "$work/one/repeat.json")" = "$(jq '.seed' "$work/one/run-1/result.json")"

# ... and side by side: run 1's seed chosen before any starts, the others
# following it, as one after another
"$DD" run "$SC" --repeat 2 --jobs 2 --out "$work/two" >"$work/two.out" 2>&1; rc=$?
check "--repeat 2 --jobs 2 without --seed: seeds S, S+1, each the run's own ($rc)" \
	bash -c "test '$rc' = 1 && s=\$(jq '.seeds[0]' '$work/two/repeat.json') &&
	         test \"\$(jq -c '.seeds' '$work/two/repeat.json')\" = \"[\$s,\$((s + 1))]\" &&
	         test \"\$(jq .seed '$work/two/run-2/result.json')\" = \$((s + 1))"
# matrix --repeat --jobs over two combinations: each group's row comes back
# from its own process (as result.json text) and is the group's median
"$DD" matrix "$SC" --vary fault_for=1,2 --repeat 2 --seed 5 --jobs 4 --out "$work/mj" >"$work/mj.out" 2>&1; rc=$?
bad=""
for l in fault_for-1 fault_for-2; do
	med=$(jq '.metrics[] | select(.metric == "detection_s") | .median.value' "$work/mj/$l/repeat.json" 2>/dev/null)
	awk -v m="$med" -v l="$l" '$1 == "run" { for (i = 1; i <= NF; i++) col[$i] = i }
	    $1 == l { d = $(col["detection_s"]) + 0; ok = m != "" && d - m < 0.001 && m - d < 0.001 }
	    END { exit !ok }' "$work/mj/matrix.txt" || bad="$bad $l"
done
check "matrix --repeat 2 --jobs 4 over two combinations: exit 1, each row its group's median${bad:+ (not:$bad)} ($rc)" \
	test "$rc" = 1 -a -z "$bad"

# A scenario error stops before any folder is made: exit 2.
"$DD" run tests/scenarios/syntax-error.lua --repeat 2 --jobs 2 --out "$work/bad" >"$work/bad.out" 2>&1; rc=$?
check "--repeat on a broken scenario exits 2 and makes nothing ($rc)" test "$rc" = 2 -a ! -e "$work/bad"
"$DD" run "$SC" --repeat 0 >/dev/null 2>&1; rc=$?
check "--repeat 0 is a usage error ($rc)" test "$rc" = 2
t_done
