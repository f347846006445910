#!/bin/bash
# faultd_workers.sh -- faultd --workers 2: two threads serve one address
# (SO_REUSEPORT) from one rule set, one set of zones and one set of
# counters.  Under load from 16 client sockets both threads work; a rule
# added live applies to every answer whichever thread reads the query; the
# counters add up to what the clients sent, forwarded queries included; a
# reload and a clean stop work; a second faultd on the same address is
# refused instead of silently sharing it.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

if ! command -v dnsperf >/dev/null; then
	skip "faultd --workers" "dnsperf not installed"; t_done
fi
cat >"$T/z" <<'EOF2'
$ORIGIN w.test.
$TTL 300
@ IN SOA ns hostmaster 1 3600 600 86400 60
@ IN NS ns
ns IN A 198.18.0.53
www IN A 198.18.1.1
EOF2
# an upstream for the names outside w.test.
UP=$(free_port)
cat >"$T/up.zone" <<'EOF2'
$ORIGIN up.test.
$TTL 300
@ IN SOA ns hostmaster 1 3600 600 86400 60
@ IN NS ns
ns IN A 198.18.0.54
fwd IN A 198.18.2.2
EOF2
fd_start up "$UP" --zone "$T/up.zone" || { not_ok "upstream faultd starts"; t_done; }
P=$(free_port); MP=$(free_port)
fd_start front "$P" --workers 2 --zone "$T/z" --upstream 127.0.0.1:$UP --control "$T/ctl" \
	--metrics 127.0.0.1:$MP \
	|| { not_ok "faultd --workers 2 starts"; t_done; }
PID=${FD_PID[front]}
check "two threads serve (/proc/PID/task)" test "$(ls /proc/$PID/task | wc -l)" = 2
fc stats
check "stats says workers 2" grep -qx 'workers *2' <<<"$OUT"

# load from 16 sockets: the kernel spreads them over both threads
for i in $(seq 1 50); do echo "www.w.test A"; echo "fwd.up.test A"; done >"$T/q"
dnsperf -s 127.0.0.1 -p "$P" -d "$T/q" -l 3 -c 16 -q 64 >"$T/perf1" 2>&1
sent1=$(awk '/Queries sent:/ {print $3}' "$T/perf1")
done1=$(awk '/Queries completed:/ {print $3}' "$T/perf1")
echo "# dnsperf: $sent1 sent, $done1 completed"
check "every query was answered ($done1 of $sent1)" test -n "$sent1" -a "$sent1" = "$done1" -a "${sent1:-0}" -gt 1000
busy=0
for t in /proc/$PID/task/*; do
	ticks=$(awk '{print $14 + $15}' "$t/stat")
	echo "# thread ${t##*/}: $ticks CPU ticks"
	[ "$ticks" -gt 0 ] && busy=$((busy + 1))
done
check "both threads served queries (CPU time on each)" test "$busy" = 2
fc stats
q=$(awk '$1 == "queries" {print $2}' <<<"$OUT")
r=$(awk '$1 == "replies" {print $2}' <<<"$OUT")
fw=$(awk '$1 == "forwarded" {print $2}' <<<"$OUT")
au=$(awk '$1 == "authoritative" {print $2}' <<<"$OUT")
check "the counters add up over both threads: queries $q = replies $r = dnsperf's $sent1" \
	test "$q" = "$sent1" -a "$r" = "$sent1"
check "forwarded ($fw) + authoritative ($au) = queries ($q)" test $((fw + au)) = "$q"
mq=$(curl -s --max-time 5 "http://127.0.0.1:$MP/metrics" | awk '$1 == "faultd_queries_total" {print $2}')
check "the metrics endpoint says the same over both threads (faultd_queries_total $mq)" test "$mq" = "$q"
fc stats --json
upq=$(jq '.upstream_timeouts + .upstream_failures' <<<"$OUT" 2>/dev/null)
check "no upstream timeouts or failures across the workers ($upq)" test "$upq" = 0

# a live rule reaches every thread: 16 sockets, every answer NXDOMAIN
fc rule add 'name=www.w.test action=nxdomain'
check "rule added" test "$RC" = 0
for i in $(seq 1 100); do echo "www.w.test A"; done >"$T/q2"
dnsperf -s 127.0.0.1 -p "$P" -d "$T/q2" -n 1 -c 16 -q 16 -v >"$T/perf2" 2>&1
nx=$(grep -c '^> NXDOMAIN ' "$T/perf2"); other=$(grep -E '^> ' "$T/perf2" | grep -vc '^> NXDOMAIN ')
echo "# after the rule: $nx NXDOMAIN, $other other"
check "after the rule, all 100 answers from 16 sockets are NXDOMAIN" test "$nx" = 100 -a "$other" = 0
fc rule list
hits=$(awk 'NR == 1 {print $2}' <<<"$OUT")
check "the rule's hits count over both threads (100: $hits)" test "$hits" = 100

# reload (SIGHUP) under the lock, then a clean stop
kill -HUP "$PID"; sleep 0.3
dq --server 127.0.0.1:$P --name www.w.test
check "after SIGHUP faultd answers (rules from the control socket stay: NXDOMAIN)" \
	test "$(val rcode)" = NXDOMAIN
"$FAULTD" --listen "127.0.0.1:$P" --zone "$T/z" --workers 2 >"$T/second.log" 2>&1
rc=$?
check "a second faultd --workers on the same address is refused (exit $rc): $(head -1 "$T/second.log")" \
	grep -q "Address already in use" "$T/second.log"
dq --server 127.0.0.1:$P --name fwd.up.test
check "the first still answers all of it (forwarded: 198.18.2.2)" test "$(sec an | awk '{print $5}')" = 198.18.2.2
t0=$(date +%s%N)
kill -TERM "$PID"; wait "$PID"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
unset 'FD_PID[front]'
check "SIGTERM stops both threads cleanly (exit $rc in $ms ms)" test "$rc" = 0 -a "$ms" -lt 5000
t_done
