#!/bin/bash
# Event times that mean one thing (issue 9): a watch event is stamped when
# the line is read from the process's pipe, not when a 50 ms poll finds it
# in a file; a probe event carries its attempt's start (start_ms) beside
# the time its answer came (t_ms).
#
# The truth is the process's own clock: each line holds the wall-clock ms
# at which it was printed.  (watch t_ms - printed ms) is then the same for
# every line but for the reading delay; polling every 50 ms spreads it over
# up to 50 ms, pipes keep it within a few.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-times.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

"$DD" run tests/scenarios/event-times.lua --out "$work/r" --seed 7 --quiet >"$work/out" 2>&1
rc=$?
check "event-times run exits 0 ($(tail -3 "$work/out" | tr '\n' ' '))" test "$rc" = 0
R=$work/r/result.json

n=$(jq '[.events[] | select(.kind == "watch" and .source == "tick")] | length' "$R")
check "8 ticks watched ($n)" test "$n" = 8
# offset of each line: when the run saw it minus when it was printed
spread=$(jq '[.events[] | select(.kind == "watch" and .source == "tick")
	| .t_ms - (.text | ltrimstr("tick ") | tonumber)] | max - min' "$R")
check "watch events keep the lines' own spacing: spread ${spread} ms <= 10 ms" \
	test "${spread:-999}" -le 10
gaps=$(jq -c '[.events[] | select(.kind == "watch" and .source == "tick") | .t_ms]
	| [range(1; length) as $i | .[$i] - .[$i - 1]]' "$R")
check "consecutive ticks 300 ms apart and a little (the sleep and date): $gaps" \
	jqt 'all(.[]; . >= 295 and . <= 400)' <<<"$gaps"

# probes: the answer is held 150 ms, so the result comes 150 ms after the
# attempt started; attempts start on the 500 ms grid
check "every probe event has start_ms <= t_ms" \
	jqt '[.events[] | select(.kind == "probe")] | length >= 4 and
	    all(.[]; .start_ms != null and .start_ms <= .t_ms)' "$R"
check "t_ms - start_ms is the latency (+/- 2 ms), about 150 ms" \
	jqt 'all(.events[] | select(.kind == "probe");
	    .ok and (.t_ms - .start_ms - .latency_ms | fabs) <= 2 and .latency_ms >= 148 and .latency_ms < 250)' "$R"
check "attempts start on the 500 ms grid (+/- 10 ms)" \
	jqt '[.events[] | select(.kind == "probe") | .start_ms]
	    | [range(1; length) as $i | .[$i] - .[$i - 1]] | all(.[]; . >= 490 and . <= 510)' "$R"
t_done
