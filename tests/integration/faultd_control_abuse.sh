#!/bin/bash
# faultd_control_abuse.sh -- faultd's control socket holds a bounded cost
# whatever a client does (issue 10, bug 8):
#   1. a client that pipelines `stats` and never reads its answers is
#      throttled (faultd stops reading it) instead of buffered: faultd's
#      VmRSS stays small, and another client is still served meanwhile;
#   2. connections idle for --control-idle are closed -- silent, half a
#      command, or replies never read -- while one that keeps sending
#      commands is not, and faultctl (connecting afresh) still works;
#   3. at the fd limit (issue 10, bug 5) the control listener pauses instead
#      of spinning: faultd's CPU stays low while clients hold every
#      descriptor, and faultctl works again once they leave.
# Uses tests/it_ctlconn (tests/integration/it_ctlconn.c) as the bad client.
# (Times are seen from the client: the loop's clock, read once per wake-up,
# may date a connection a few ms before it connected, hence 950 ms.)
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh
CONN=$BUILD_ABS/tests/it_ctlconn

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# ---- 1. backpressure (default settings: no --control-idle given) ----
P=$(free_port)
write_zone "$T/ex.zone"
fd_start bp "$P" --zone "$T/ex.zone" --control "$T/ctl" || { not_ok "faultd starts"; t_done; }
# a few rules make each `stats` answer bigger (about 1.3 kB)
for i in 1 2 3 4 5; do fc rule add "name=r$i.example.test action=servfail"; done
rss0=$(rss_kb "${FD_PID[bp]}")
# 200,000 pipelined `stats` (1.2 MB of commands) would be ~260 MB of answers
"$CONN" --control "$T/ctl" --flood 200000 --for 4000 >"$T/flood.out" 2>&1 &
flood_pid=$!
EXTRA_PIDS+=($flood_pid)
max=0
served=1
for _ in $(seq 14); do
	sleep 0.25
	r=$(rss_kb "${FD_PID[bp]}")
	[ -n "$r" ] && [ "$r" -gt "$max" ] && max=$r
done
# while the flood is still connected and unread: another client is served
t0=$(date +%s%N)
fc ping
ping_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$RC" = 0 ] && [ "$OUT" = pong ] || served=0
fc stats
stats_rc=$RC
for _ in $(seq 4); do
	sleep 0.25
	r=$(rss_kb "${FD_PID[bp]}")
	[ -n "$r" ] && [ "$r" -gt "$max" ] && max=$r
done
wait "$flood_pid"
sent=$(val sent "$(cat "$T/flood.out")")
echo "# VmRSS ${rss0} kB at start, at most ${max} kB during the flood; flood client sent ${sent:-?} commands"
chk "faultd stays up under a non-reading stats flood" fd_alive bp
chk "VmRSS under a non-reading stats flood stays below 40 MB (got ${max} kB, from ${rss0} kB)" \
	test "${max:-999999999}" -lt 40960
chk "VmRSS grows by less than 24 MB (got $(( max - rss0 )) kB)" test $(( max - rss0 )) -lt 24576
chk "faultd stopped taking the flood's commands (sent ${sent:-?} < 20000 of 200000)" \
	test -n "$sent" -a "${sent:-200000}" -lt 20000
chk "another client is served during the flood (ping in ${ping_ms} ms, stats exit $stats_rc)" \
	test "$served" = 1 -a "$stats_rc" = 0 -a "$ping_ms" -lt 2000
kill "${FD_PID[bp]}"; wait "${FD_PID[bp]}" 2>/dev/null; unset 'FD_PID[bp]'

# ---- 2. idle timeout: --control-idle 1s (sweep every 250 ms) ----
P=$(free_port)
fd_start idle "$P" --zone "$T/ex.zone" --control "$T/ctl2" --control-idle 1s ||
	{ not_ok "faultd --control-idle 1s starts"; t_done; }
"$CONN" --control "$T/ctl2" --silent --for 4000 >"$T/silent.out" 2>&1 &
s_pid=$!
"$CONN" --control "$T/ctl2" --partial --for 4000 >"$T/partial.out" 2>&1 &
p_pid=$!
"$CONN" --control "$T/ctl2" --ping 300 --for 3500 >"$T/ping.out" 2>&1 &
a_pid=$!
"$CONN" --control "$T/ctl2" --flood 200000 --for 4000 >"$T/flood2.out" 2>&1 &
f_pid=$!
EXTRA_PIDS+=($s_pid $p_pid $a_pid $f_pid)
wait $s_pid $p_pid $a_pid $f_pid
OUT=$(cat "$T/silent.out")
closed=$(val closed_ms)
chk "a silent control client is closed after --control-idle 1s (950..2500 ms; got ${closed:-$OUT})" \
	in_range "${closed:-99999}" 950 2500 || explain
OUT=$(cat "$T/partial.out")
closed=$(val closed_ms)
chk "one that sent half a command is closed too (950..2500 ms; got ${closed:-$OUT})" \
	in_range "${closed:-99999}" 950 2500 || explain
OUT=$(cat "$T/ping.out")
chk "an active client (ping every 300 ms for 3.5 s) is never closed and every ping is answered" \
	test "$(val pings)" -ge 8 -a "$(val failed)" = 0 -a "$(val closed)" = 0 || explain
OUT=$(cat "$T/flood2.out")
chk "a client that never reads its replies is closed within the 4 s" test "$(val closed)" = 1 || explain
chk "and faultd says so in its log" grep -q "has not read .* bytes of replies" "$T/idle.log" ||
	sed 's/^/#   /' "$T/idle.log"
fc_idle() { OUT=$("$FAULTCTL" --control "$T/ctl2" "$@" 2>&1); RC=$?; }
fc_idle ping
chk "faultctl still works after all that (ping: exit $RC, '$OUT')" test "$RC" = 0 -a "$OUT" = pong
chk "faultd --control-idle is still up" fd_alive idle
# ---- 3. the fd limit on the control listener ----
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
P=$(free_port)
fd_start lim "$P" --zone "$T/ex.zone" --control "$T/ctl3" || { not_ok "faultd starts (fd limit)"; t_done; }
pid=${FD_PID[lim]}
prlimit --pid "$pid" --nofile=32:32
holders=()
for _ in $(seq 40); do
	"$CONN" --control "$T/ctl3" --silent --for 3000 >/dev/null 2>&1 &
	holders+=($!)
done
EXTRA_PIDS+=("${holders[@]}")
sleep 0.6
c0=$(ticks "$pid"); sleep 2; c1=$(ticks "$pid")
nfd=$(ls "/proc/$pid/fd" | wc -l)
chk "control listener at the fd limit ($nfd of 32 open): faultd used < 20% of a core over 2 s ($((c1 - c0)) ticks of $((2 * HZ)))" \
	test $((c1 - c0)) -lt $((2 * HZ / 5))
chk "the control listener was paused, and the log says so" \
	grep -q 'control: cannot accept: Too many open files; pausing the listener' "$T/lim.log" ||
	sed 's/^/#   /' "$T/lim.log"
for h in "${holders[@]}"; do wait "$h" 2>/dev/null; done
OUT=$("$FAULTCTL" --control "$T/ctl3" ping 2>&1); RC=$?
chk "after the holders left, faultctl works again (ping: exit $RC, '$OUT')" test "$RC" = 0 -a "$OUT" = pong
t_done
