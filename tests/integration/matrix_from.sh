#!/bin/bash
# `dnsdrill matrix --from DIR...` (issue 9, "matrix for people"): the table
# of two runs that exist -- scenarios/examples/empty-record.lua compressed,
# one passing and one failing -- built without running anything: exit 1,
# rows linking to each run's report.html (relative links that still
# resolve when everything is moved), the parameters the runs share above
# the table, a folder of runs taken whole, an error verdict as an error row
# and exit 3, and exit 2 naming a folder without result.json; queries at
# the authority in the table, result.json, report.html and the summary,
# equal to faultd's own counts, and a dash for an older result.json.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
SC=scenarios/examples/empty-record.lua
work=$(mktemp -d /tmp/dd-it-mxfrom.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/runs"

# The two runs.  speed=1000 squeezes the fault into a few ms (longer on a
# busy machine), between the probe's 100 ms attempts: no detection, no
# failed result, or an ok one at the fault's start in the window, so the
# run fails.  Only a failed result alone inside the window would let it
# pass (rare): then it is run again, at most 3 times.
"$DD" run "$SC" --set fault_at=1 --set fault_for=1 --out "$work/runs/pass" --quiet \
	>"$work/pass.out" 2>&1; rc=$?
check "the passing run exits 0 (rc $rc)" test "$rc" = 0
for try in 1 2 3; do
	"$DD" run "$SC" --set fault_at=1 --set fault_for=1 --set speed=1000 \
		--out "$work/runs/fail" --force --quiet >"$work/fail.out" 2>&1; rc=$?
	[ "$rc" = 1 ] && break
done
check "the compressed run fails (rc $rc, try $try)" test "$rc" = 1

# 1. the table from the two run folders
"$DD" matrix --from "$work/runs/pass" "$work/runs/fail" --out "$work/mx" \
	>"$work/mx.out" 2>"$work/mx.err"; rc=$?
check "matrix --from with a failed run exits 1 (rc $rc: $(head -c 300 "$work/mx.err"))" test "$rc" = 1
check "matrix.txt and matrix.html written" test -s "$work/mx/matrix.txt" -a -s "$work/mx/matrix.html"
check "nothing was run: no run folder inside --out" test -z "$(find "$work/mx" -mindepth 1 -type d)"
links() { grep -o 'href="[^"]*report.html"' "$1" | sed 's/^href="//; s/"$//'; }
n=0; bad=
for l in $(links "$work/mx/matrix.html"); do
	n=$((n + 1))
	case "$l" in /*) bad="$bad $l(absolute)" ;; esac
	[ -f "$work/mx/$l" ] || bad="$bad $l"
done
check "two links, both relative and resolving to report.html files ($n;$bad)" test "$n" = 2 -a -z "$bad"
check "the links name the runs' folders" \
	test "$(links "$work/mx/matrix.html" | tr '\n' ' ')" = "../runs/pass/report.html ../runs/fail/report.html "
check "the parameters the runs share are listed once above the table ($(head -1 "$work/mx/matrix.txt"))" \
	test "$(head -1 "$work/mx/matrix.txt")" = "same in every run: negttl=1, fault_at=1, fault_for=1"
header=$(sed -n 3p "$work/mx/matrix.txt")
check "... and are no columns; speed, which differs, is ($header)" \
	bash -c '[[ "$1" == run*speed*verdict*folder ]] && [[ "$1" != *negttl* && "$1" != *fault_at* ]]' _ "$header"
check "the html says the same above its table" \
	grep -q '<p class="same">Same in every run: <code>negttl=1</code><code>fault_at=1</code><code>fault_for=1</code></p>' "$work/mx/matrix.html"
check "matrix.txt names each run's folder" \
	bash -c 'grep -q "^.*/runs/pass .*  pass .*\.\./runs/pass/$" "$1" && grep -q "^.*/runs/fail .*  FAIL .*\.\./runs/fail/$" "$1"' _ "$work/mx/matrix.txt"
check "the failed detection shows as failed, not as a neutral dash" \
	grep -Eq '<td class="num fail" title="[^"]*detection_s[^"]*">(✗ not observed|≥ [0-9.]+)</td>' "$work/mx/matrix.html"
check "stdout has the table, then where it is" \
	bash -c 'grep -q "2 runs: 1 pass, 1 fail" "$1" && grep -q "^matrix: .*/mx/matrix.txt" "$1"' _ "$work/mx.out"

# 1b. queries at the authority: a column per DNS server after the metrics;
# each run's cell is faultd's own count over the fault, from its readings
# in result.json (clear reading minus inject reading)
jqt() { jq -e "$@" >/dev/null; }
faultd_count() {
	jq '[.dns_stats.auth[] | select(.why == "inject")][0].queries as $i
	  | [.dns_stats.auth[] | select(.why == "clear")][0].queries as $c | $c - $i' "$1"
}
check "the matrix has a queries@auth column after the metrics ($header)" \
	bash -c '[[ "$1" == *query_amplification*queries@auth*folder ]]' _ "$header"
for run in pass fail; do
	want=$(faultd_count "$work/runs/$run/result.json")
	got=$(grep "\.\./runs/$run/\$" "$work/mx/matrix.txt" |
		sed -E 's/.*  ([0-9]+|-)( \(x[0-9.]+\))? +\.\.\/runs\/'"$run"'\/$/\1/')
	check "$run: the table's queries@auth ($got) is faultd's count over the fault ($want)" \
		test -n "$want" -a "$got" = "$want"
	check "$run: result.json's authority.auth.queries is that count too" \
		jqt --argjson w "$want" '.authority.auth.queries == $w' "$work/runs/$run/result.json"
done
want=$(faultd_count "$work/runs/pass/result.json")
check "report.html: queries at the authority, $want over the fault" \
	grep -q "<p class=\"summary auth\">Queries at the authority: $want over the fault" "$work/runs/pass/report.html"
check "the text summary says the same ($want)" \
	bash -c 'grep -q "^    queries at the authority: $1 over the fault" "$2"' _ "$want" "$work/pass.out"
check "the html table has the column and the pass run's count" \
	bash -c 'grep -q "<th class=\"auth\">queries@auth</th></tr>" "$2" &&
	    grep -q "<td class=\"num auth\" title=\"$1 over the fault[^\"]*\">$1[ <]" "$2"' _ "$want" "$work/mx/matrix.html"
# an older result.json (before the figure): a dash, not an error
mkdir -p "$work/old/run"
jq 'del(.authority)' "$work/runs/pass/result.json" >"$work/old/run/result.json"
"$DD" matrix --from "$work/runs/pass" "$work/old/run" --out "$work/mx6" >"$work/mx6.out" 2>&1; rc=$?
check "matrix --from an older result.json exits 0 (rc $rc)" test "$rc" = 0
check "... its queries@auth cell is a dash" \
	grep -Eq '  - +\.\./old/run/$' "$work/mx6/matrix.txt"
"$DD" report "$work/old/run" >/dev/null 2>&1; rc=$?
check "report on an older result.json renders (rc $rc), the figure a dash" \
	bash -c '[ "$1" = 0 ] && grep -q "Queries at the authority: -</p>" "$2"' _ "$rc" "$work/old/run/report.html"

# 2. moved or published together, the links still resolve
mkdir -p "$work/moved" && cp -r "$work/mx" "$work/runs" "$work/moved/"
bad=
for l in $(links "$work/moved/mx/matrix.html"); do [ -f "$work/moved/mx/$l" ] || bad="$bad $l"; done
check "the links resolve after moving the matrix and its runs ($bad)" test -z "$bad"

# 3. a folder of run folders, taken whole (natural order), into a new --out
"$DD" matrix --from "$work/runs" --out "$work/mx2" >"$work/mx2.out" 2>&1; rc=$?
check "--from a folder of runs exits 1 (rc $rc)" test "$rc" = 1
check "... one row per run folder in it, in order" \
	test "$(links "$work/mx2/matrix.html" | tr '\n' ' ')" = "../runs/fail/report.html ../runs/pass/report.html "

# 4. a run in error: an error row with its reason, and exit 3
mkdir -p "$work/err/broken"
jq '.verdict = "error" | .error = "interrupted by signal 2; everything torn down"' \
	"$work/runs/pass/result.json" >"$work/err/broken/result.json"
"$DD" matrix --from "$work/runs/pass" "$work/err/broken" --out "$work/mx3" >"$work/mx3.out" 2>&1; rc=$?
check "--from with a run in error exits 3 (rc $rc)" test "$rc" = 3
check "... an error row with the reason" \
	grep -q '<span class="badge error">ERROR</span></td><td class="error" colspan="[0-9]*">interrupted by signal 2; everything torn down</td>' "$work/mx3/matrix.html"
check "... the run without report.html is named on stderr" \
	grep -q "broken has no report.html" "$work/mx3.out"

# 5. refusals: a folder without result.json (2, named), --out holding a run
mkdir -p "$work/empty/sub"
out=$("$DD" matrix --from "$work/runs/pass" "$work/empty" --out "$work/mx4" 2>&1); rc=$?
check "a folder without result.json exits 2 naming it (rc $rc: $out)" \
	bash -c '[ "$1" = 2 ] && [[ "$2" == *"$3: no result.json"* ]] && [ ! -e "$4" ]' _ "$rc" "$out" "$work/empty" "$work/mx4"
out=$("$DD" matrix --from "$work/runs/pass" --out "$work/runs" --force 2>&1); rc=$?
check "--out holding a run is refused, even with --force (rc $rc: $out)" \
	bash -c '[ "$1" = 2 ] && [ -f "$2" ]' _ "$rc" "$work/runs/pass/result.json"
out=$("$DD" matrix --from "$work/runs/pass" --vary x=1,2 --out "$work/mx5" 2>&1); rc=$?
check "--from with --vary is a usage error (rc $rc)" test "$rc" = 2
"$DD" matrix --help | grep -q -- "--from" ; rc=$?
check "matrix --help tells of --from" test "$rc" = 0
t_done
