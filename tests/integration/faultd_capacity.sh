#!/bin/bash
# faultd_capacity.sh -- the capacity model (faultd --capacity, rule
# capacity=): a burst of 200 queries at once against 100 qps with a queue of
# 20 gets 21 answers (the one being served and the 20 waiting), each later
# one delayed by one more service time (10 ms), the longest about 210 ms;
# the rest overflow: dropped, or answered SERVFAIL / REFUSED as configured.
# faultd's counters say the same (capacity_queued, capacity_overflow,
# capacity_wait_max_us), a rule's capacity applies to its names only, and
# bad settings are refused naming the term.  Bounds are wide: the burst's
# own sending spreads over a few ms, which lets one or two more in.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

burst() { # NAME N: N queries for NAME at once (one socket each)
	local list="" i
	for ((i = 0; i < $2; i++)); do list+="${list:+,}$1:A"; done
	dq --server "$S" --batch "$list" --timeout 2000
}
count() { printf '%s\n' "$OUT" | grep -c "$1"; }
stat() { "$FAULTCTL" --control "$T/$1.ctl" stats | awk -v k="$2" '$1 == k":" || $1 == k { print $NF; exit }'; }

write_zone "$T/ex.zone"

# --- the whole server: 100 qps, queue 20, overflow dropped ---
P=$(free_port); S=127.0.0.1:$P
fd_start drop "$P" --zone "$T/ex.zone" --control "$T/drop.ctl" --capacity 100 --queue 20 \
	|| { not_ok "faultd --capacity starts"; t_done; }
burst www.example.test 200
n=$(count '^reply .*rcode=NOERROR'); lost=$(count '^noreply')
chk "burst of 200 at 100 qps, queue 20: 21 answered (got $n, 2 more allowed for the burst's spread), the rest dropped ($lost)" \
	test "$n" -ge 21 -a "$n" -le 23 -a $((n + lost)) = 200
max=$(printf '%s\n' "$OUT" | sed -n 's/^reply .*elapsed_ms=\([0-9.]*\).*/\1/p' | sort -g | tail -1)
chk "the last answer waited its turn: about (queue + 1) x 10 ms = 210 ms (got $max ms; 150..400)" \
	awk -v m="$max" 'BEGIN { exit !(m >= 150 && m <= 400) }'
ov=$(stat drop capacity_overflow); q=$(stat drop capacity_queued); w=$(stat drop capacity_wait_max_us)
chk "counters: capacity_overflow $ov = dropped $lost, capacity_queued $q = answered - 1, wait max $w us in 200..240 ms" \
	test "$ov" = "$lost" -a "$q" = $((n - 1)) -a "$w" -ge 200000 -a "$w" -le 240000
sleep 0.3    # the queue drains (300 ms at 100 qps is 30 queries' worth)
dq --server "$S" --name www.example.test --type A
chk "after the queue drains, a lone query is answered at once (rcode $(val rcode), $(val elapsed_ms) ms < 50)" \
	awk -v r="$(val rcode)" -v m="$(val elapsed_ms)" 'BEGIN { exit !(r == "NOERROR" && m < 50) }'

# --- overflow answered: servfail, refused ---
for how in servfail refused; do
	P=$(free_port); S=127.0.0.1:$P
	fd_start "$how" "$P" --zone "$T/ex.zone" --control "$T/$how.ctl" --capacity 100 --queue 20 \
		--overflow "$how" || { not_ok "faultd --overflow $how starts"; continue; }
	burst www.example.test 200
	up=$(echo "$how" | tr a-z A-Z)
	n=$(count '^reply .*rcode=NOERROR'); f=$(count "^reply .*rcode=$up"); lost=$(count '^noreply')
	chk "--overflow $how: every query answered, $n NOERROR (21..23), $f $up, $lost lost" \
		test "$n" -ge 21 -a "$n" -le 23 -a $((n + f)) = 200 -a "$lost" = 0
done

# --- a rule's capacity: only the names it matches ---
P=$(free_port); S=127.0.0.1:$P
fd_start rule "$P" --zone "$T/ex.zone" --control "$T/rule.ctl" \
	--rule 'name=www.example.test capacity=50 queue=4 overflow=refused' \
	|| { not_ok "faultd with a capacity rule starts"; t_done; }
burst www.example.test 50
n=$(count '^reply .*rcode=NOERROR'); f=$(count '^reply .*rcode=REFUSED')
chk "rule capacity=50 queue=4: 5 of a burst of 50 answered (got $n; up to 7), the rest REFUSED ($f)" \
	test "$n" -ge 5 -a "$n" -le 7 -a $((n + f)) = 50
burst fast.example.test 50
n=$(count '^reply .*rcode=NOERROR')
chk "a name the rule does not match is not limited: 50 of 50 answered ($n)" test "$n" = 50
"$FAULTCTL" --control "$T/rule.ctl" rule add 'name=fast.example.test capacity=0' >"$T/bad.out" 2>&1
chk "rule add capacity=0 refused, naming the term: $(head -1 "$T/bad.out")" \
	grep -q 'capacity=0: must be queries per second' "$T/bad.out"
chk "faultd still up after a refused rule" fd_alive rule

# --- bad settings ---
"$FAULTD" --listen 127.0.0.1:1 --capacity fast >"$T/bad1.out" 2>&1
chk "--capacity fast refused: $(head -1 "$T/bad1.out")" grep -q -- "--capacity: 'fast' must be queries per second" "$T/bad1.out"
"$FAULTD" --listen 127.0.0.1:1 --overflow servfail >"$T/bad2.out" 2>&1
chk "--overflow without --capacity refused" grep -q -- "--overflow: only with --capacity" "$T/bad2.out"
# --- through dnsdrill: dns { capacity = ... } (tests/scenarios/capacity.lua) ---
DD=$BUILD_ABS/dnsdrill
"$DD" run tests/scenarios/capacity.lua --out "$T/run" --quiet >"$T/run.out" 2>&1; rc=$?
R=$T/run/result.json
chk "a run against an authority with capacity 50 qps, queue 1: passes (exit $rc)" test "$rc" = 0
chk "faultd was started with the capacity: its counters show overflow and queueing" \
	jq -e '.dns_stats.auth[-1] | .capacity_overflow > 50 and .capacity_queued > 50 and
	       .capacity_wait_max_us >= 39000 and .capacity_wait_max_us <= 41000' "$R" >/dev/null
fails=$(jq '[.events[] | select(.kind == "probe" and (.ok | not) and .text == "SERVFAIL (want NOERROR)")] | length' "$R")
ov=$(jq '.dns_stats.auth[-1].capacity_overflow' "$R")
chk "every query over capacity is a probe's SERVFAIL ($fails of $ov; the last few may be in flight at the end)" \
	test "$fails" -le "$ov" -a "$fails" -ge $((ov - 4))
printf 'dns "a" { host = "h", listen = "198.18.0.1:53", capacity = { qps = 10, overflow = "explode" } }\nhost "h" {}\ntimeline(function() end)\n' >"$T/bad.lua"
"$DD" check "$T/bad.lua" >"$T/bad.lua.out" 2>&1
chk "check: a bad overflow is refused with file:line: $(head -1 "$T/bad.lua.out")" \
	grep -q 'bad.lua:1: dns .a.: capacity: overflow = "explode": one of drop, servfail, refused' "$T/bad.lua.out"
t_done
