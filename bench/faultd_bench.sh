#!/bin/bash
# bench/faultd_bench.sh -- faultd throughput, latency, rule-matching cost and
# memory, on loopback, with dnsperf.  One run prints one table.
#
#   bench/faultd_bench.sh [BUILD_DIR]        (default build)
#   BENCH_SECONDS=10  length of each dnsperf measurement (-l)
#   BENCH_RATE=10000  offered load (qps) during the latency runs (below
#                     every server's capacity here, so it measures service,
#                     not queueing)
#   BENCH_LAT_ROUNDS=5  rounds of the forwarding latency runs in (a)
#
# Measurements
#  (a) forwarding: faultd with 1,000 non-matching rules vs dnsdist 1.7 with
#      the same 1,000 names, both in front of the same backend (udp_echo,
#      the fastest possible one).  dnsdist twice: at its best, one
#      SuffixMatchNodeRule over a SuffixMatchNode of the 1,000 names (what
#      a dnsdist user writes: one lookup per query), and, for reference, as
#      1,000 separate QNameRule(...) rules (evaluated one by one: its
#      slowest).  qps at saturation with the server's CPU use, and p50/p99
#      latency of sequential queries timed by it_dnsq while dnsperf offers
#      a fixed load (BENCH_RATE qps): the three servers run side by side
#      (each idle while another is measured) and take turns, BENCH_LAT_ROUNDS
#      rounds of 2,000 queries each, percentiles over the pooled times.
#  (b) authoritative: faultd answering from a zone vs udp_echo (recvmmsg/
#      sendmmsg, sets QR, nothing else: the physical limit).
#  (c) rule matching cost: faultd authoritative with 0, 1,000 and 10,000
#      non-matching rules (rules are indexed by name: qps should stay flat).
#  (d) faultd's VmRSS with 0 and with 10,000 rules loaded.
#  (e) the capacity model: faultd authoritative with --capacity far above
#      the load (10M qps: the model's own cost per query), and with
#      --capacity 20000 --queue 200 (the answers a second it lets through:
#      about 20,000, the rest dropped and counted lost by dnsperf; p50/p99
#      under BENCH_RATE's offered load are then queueing).
#  (f) --workers 1 and 2 (SO_REUSEPORT threads), authoritative and
#      forwarding, nothing pinned and dnsperf with 8 sockets: how far a
#      second worker goes on this machine, where dnsperf (and the echo
#      backend) need CPU too.
# CPU pinning (2+ CPUs; BENCH_PIN=0 turns it off): the server under test on
# CPU 0, dnsperf (and the backend in (a)) on CPU 1, so the client never
# steals the server's core and multi-threaded dnsdist gets one core, like
# faultd.  On a shared machine pinning costs tail latency: a pinned server
# cannot move away from another tenant's busy process.
# Traffic goes to 127.0.0.1 only; every run is bounded by -l.
set -u
BUILD=${1:-build}
B=$(cd "$BUILD" && pwd) || exit 2
cd "$(dirname "$0")/.." || exit 2
. bench/bench_lib.sh
DUR=${BENCH_SECONDS:-10}
RATE=${BENCH_RATE:-10000}
ROUNDS=${BENCH_LAT_ROUNDS:-5}
FAULTD=$B/faultd
ECHO=$B/bench/udp_echo
DNSQ=$B/tests/it_dnsq
for x in "$FAULTD" "$ECHO" "$DNSQ"; do
	[ -x "$x" ] || { echo "faultd_bench: $x missing (run make)" >&2; exit 2; }
done
for x in dnsperf dnsdist; do
	command -v $x >/dev/null || { echo "faultd_bench: $x not installed (make deps)" >&2; exit 3; }
done

bench_setup faultd-bench

bench_pinning

stop_last() {   # stop the most recently started server
	local p=${PIDS[-1]}
	kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
	unset 'PIDS[-1]'
}

# --- inputs ---
{
	echo '$ORIGIN bench.test.'
	echo '$TTL 300'
	echo '@ IN SOA ns hostmaster 1 3600 600 86400 60'
	echo '@ IN NS ns'
	echo 'ns IN A 198.18.0.53'
	for i in $(seq 0 99); do echo "q$i IN A 198.18.1.$i"; done
} >"$T/bench.zone"
for i in $(seq 0 99); do echo "q$i.bench.test A"; done >"$T/queries"
for n in 1000 10000; do
	for i in $(seq 1 $n); do echo "name=n$i.nomatch.test action=nxdomain"; done >"$T/rules.$n"
done
: >"$T/rules.0"

# dnsperf: 2 clients (sockets), 200 outstanding, DUR seconds
# perf PORT PID -> "qps avg_ms lost server_cpu_%" (CPU of PID, all threads,
# over the run: when dnsperf is the bottleneck, qps per CPU is the fair
# comparison)
perf() {
	perf_with "$PIN_CLI" 2 200 "$@"
}
# perf_with PIN CLIENTS OUTSTANDING PORT PID: perf with another client set-up
perf_with() {
	local t0 t1 pin=$1 c=$2 q=$3; shift 3
	t0=$(bench_ticks "$2")
	$pin dnsperf -s 127.0.0.1 -p "$1" -d "$T/queries" -l "$DUR" -c "$c" -q "$q" -t 2 \
		>"$T/perf.out" 2>&1
	t1=$(bench_ticks "$2")
	awk -v dt="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v dur="$DUR" '
	     /Queries per second:/ {q=$4}
	     /Average Latency \(s\):/ {a=$4 * 1000}
	     /Queries lost:/ {l=$3}
	     END {printf "%.0f %.3f %s %.0f\n", q, a, l, 100 * dt / hz / dur}' "$T/perf.out"
}
# lat_into PORT FILE: 2,000 sequential queries, each timed by it_dnsq
# (CLOCK_MONOTONIC around each exchange), while dnsperf offers RATE qps in
# the background; their times (ms) appended to FILE.  dnsperf's own
# per-query times (-v) have a ~4 ms tail even against udp_echo (its send
# loop's scheduling), so they are not used for the tail.
lat_into() {
	$PIN_CLI dnsperf -s 127.0.0.1 -p "$1" -d "$T/queries" -l 30 -c 2 -q 200 -t 2 \
		-Q "$RATE" >"$T/bg.out" 2>&1 &
	local bg=$!
	sleep 0.5
	$PIN_CLI "$DNSQ" --server "127.0.0.1:$1" --name q7.bench.test --repeat 2000 --timeout 1000 \
		>"$T/lat.out" 2>&1
	kill -INT "$bg" 2>/dev/null; wait "$bg" 2>/dev/null
	sed -n 's/^elapsed_ms=\([0-9.]*\).*/\1/p' "$T/lat.out" >>"$2"
}
# pct FILE -> "p50_ms p99_ms n" over the times in FILE
pct() {
	sort -n "$1" | awk '{v[NR]=$1} END {if (NR == 0) {print "- - 0"; exit}
	     i50=int(NR*0.50); if (i50<1) i50=1; i99=int(NR*0.99); if (i99<1) i99=1;
	     printf "%.3f %.3f %d\n", v[i50], v[i99], NR}'
}
# lat PORT -> "p50_ms p99_ms n": one lat_into
lat() {
	: >"$T/lat.one"
	lat_into "$1" "$T/lat.one"
	pct "$T/lat.one"
}

start_faultd() {   # start_faultd PORT RULES_FILE ARGS...
	local p=$1 rules=$2; shift 2
	$PIN_SRV "$FAULTD" --listen "127.0.0.1:$p" --rules "$rules" --log-level warn "$@" \
		>>"$T/faultd.log" 2>&1 &
	PIDS+=($!)
	bench_wait_listen "$p"
}

declare -A R
echo "faultd benchmark: dnsperf -l $DUR -c 2 -q 200 on 127.0.0.1, $(nproc) CPUs, pinning: $PINNING" >&2

# ---- (a) forwarding with 1,000 non-matching rules ----
BE=$(bench_port)
$PIN_CLI "$ECHO" "127.0.0.1:$BE" &
PIDS+=($!)
bench_wait_listen "$BE" || exit 3
FP=$(bench_port)
start_faultd "$FP" "$T/rules.1000" --upstream "127.0.0.1:$BE" || exit 3
FPID=${PIDS[-1]}

DP=$(bench_port)
{
	echo "setLocal('127.0.0.1:$DP')"
	echo "newServer({address='127.0.0.1:$BE', checkName='q0.bench.test.', checkInterval=3600})"
	echo "setServerPolicy(firstAvailable)"
	for i in $(seq 1 1000); do
		echo "addAction(QNameRule('n$i.nomatch.test.'), RCodeAction(DNSRCode.NXDOMAIN))"
	done
} >"$T/dnsdist.conf"
$PIN_SRV dnsdist --supervised --disable-syslog -C "$T/dnsdist.conf" >"$T/dnsdist.log" 2>&1 &
PIDS+=($!)
DPID=$!
bench_wait_listen "$DP" || { cat "$T/dnsdist.log" >&2; exit 3; }

SP=$(bench_port)
{
	echo "setLocal('127.0.0.1:$SP')"
	echo "newServer({address='127.0.0.1:$BE', checkName='q0.bench.test.', checkInterval=3600})"
	echo "setServerPolicy(firstAvailable)"
	echo "local names = newSuffixMatchNode()"
	for i in $(seq 1 1000); do
		echo "names:add('n$i.nomatch.test.')"
	done
	echo "addAction(SuffixMatchNodeRule(names), RCodeAction(DNSRCode.NXDOMAIN))"
} >"$T/dnsdist-smn.conf"
$PIN_SRV dnsdist --supervised --disable-syslog -C "$T/dnsdist-smn.conf" >"$T/dnsdist-smn.log" 2>&1 &
PIDS+=($!)
SPID=$!
bench_wait_listen "$SP" || { cat "$T/dnsdist-smn.log" >&2; exit 3; }
sleep 1   # first health checks

# all three up on the same core, each measured while the others idle
echo "(a) faultd forwarding ..." >&2
R[a_fd]=$(perf "$FP" "$FPID")
echo "(a) dnsdist forwarding, SuffixMatchNodeRule ..." >&2
R[a_ds]=$(perf "$SP" "$SPID")
echo "(a) dnsdist forwarding, 1,000 QNameRule ..." >&2
R[a_dd]=$(perf "$DP" "$DPID")
# the tails: LAT_ROUNDS rounds of 2,000 queries, the three servers in turn
# in each round, so a change in the machine's load falls on all of them
# alike; p50/p99 over the pooled times
: >"$T/lat.a_fd"; : >"$T/lat.a_ds"; : >"$T/lat.a_dd"
for r in $(seq 1 "$ROUNDS"); do
	echo "(a) latency, round $r of $ROUNDS ..." >&2
	lat_into "$FP" "$T/lat.a_fd"
	lat_into "$SP" "$T/lat.a_ds"
	lat_into "$DP" "$T/lat.a_dd"
done
R[a_fd_lat]=$(pct "$T/lat.a_fd"); R[a_ds_lat]=$(pct "$T/lat.a_ds"); R[a_dd_lat]=$(pct "$T/lat.a_dd")
stop_last; stop_last; stop_last
stop_last   # the echo backend

# ---- (b) authoritative vs the echo limit; (c) rule count; (d) RSS ----
EP=$(bench_port)
$PIN_SRV "$ECHO" "127.0.0.1:$EP" &
PIDS+=($!)
bench_wait_listen "$EP" || exit 3
echo "(b) udp_echo ..." >&2
R[b_echo]=$(perf "$EP" "${PIDS[-1]}"); R[b_echo_lat]=$(lat "$EP")
stop_last

for n in 0 1000 10000; do
	AP=$(bench_port)
	start_faultd "$AP" "$T/rules.$n" --zone "$T/bench.zone" || exit 3
	sleep 0.2
	R[rss_$n]=$(bench_rss_kb "${PIDS[-1]}")
	echo "(c) faultd authoritative, $n rules ..." >&2
	R[c_$n]=$(perf "$AP" "${PIDS[-1]}")
	[ $n = 0 ] && R[b_fd_lat]=$(lat "$AP")
	R[rss_after_$n]=$(bench_rss_kb "${PIDS[-1]}")
	stop_last
done

for cap in 10000000:1000000 20000:200; do
	AP=$(bench_port)
	start_faultd "$AP" "$T/rules.0" --zone "$T/bench.zone" --capacity "${cap%%:*}" \
		--queue "${cap##*:}" || exit 3
	echo "(e) faultd authoritative, --capacity ${cap%%:*} ..." >&2
	R[e_${cap%%:*}]=$(perf "$AP" "${PIDS[-1]}"); R[e_${cap%%:*}_lat]=$(lat "$AP")
	stop_last
done

# ---- (f) --workers: one and two threads, nothing pinned ----
# On this machine's 2 CPUs dnsperf needs one of them, so a second worker
# can only show how far it goes; 8 client sockets so SO_REUSEPORT spreads
# them over both workers.
for w in 1 2; do
	AP=$(bench_port)
	"$FAULTD" --listen "127.0.0.1:$AP" --rules "$T/rules.0" --zone "$T/bench.zone" \
		--workers $w --log-level warn >>"$T/faultd.log" 2>&1 &
	PIDS+=($!)
	bench_wait_listen "$AP" || exit 3
	echo "(f) faultd authoritative, --workers $w, unpinned ..." >&2
	R[f_auth_$w]=$(perf_with "" 8 400 "$AP" "${PIDS[-1]}")
	stop_last
done
BE=$(bench_port)
"$ECHO" "127.0.0.1:$BE" &
PIDS+=($!)
bench_wait_listen "$BE" || exit 3
for w in 1 2; do
	FP=$(bench_port)
	"$FAULTD" --listen "127.0.0.1:$FP" --rules "$T/rules.1000" --upstream "127.0.0.1:$BE" \
		--workers $w --log-level warn >>"$T/faultd.log" 2>&1 &
	PIDS+=($!)
	bench_wait_listen "$FP" || exit 3
	echo "(f) faultd forwarding, --workers $w, unpinned ..." >&2
	R[f_fwd_$w]=$(perf_with "" 8 400 "$FP" "${PIDS[-1]}")
	stop_last
done
stop_last   # the echo backend

f() { echo "${R[$1]}" | awk -v k="$2" '{print $k}'; }
printf '\n'
H='%-56s %9s %6s %11s %8s %8s %8s\n'
printf "$H" "measurement" "qps" "cpu%" "qps/core" "avg ms" "p50 ms" "p99 ms"
printf "$H" "-----------" "---" "----" "--------" "------" "------" "------"
row() {
	printf "$H" "$1" "$(f "$2" 1)" "$(f "$2" 4)" \
		"$(awk -v q="$(f "$2" 1)" -v c="$(f "$2" 4)" 'BEGIN {if (c > 0) printf "%.0f", q * 100 / c; else print "-"}')" \
		"$(f "$2" 2)" "${3:--}" "${4:--}"
}
row "(a) faultd fwd -> udp_echo, 1,000 non-matching rules" a_fd "$(f a_fd_lat 1)" "$(f a_fd_lat 2)"
row "(a) dnsdist 1.7 fwd -> udp_echo, SuffixMatchNodeRule" a_ds "$(f a_ds_lat 1)" "$(f a_ds_lat 2)"
row "(a) dnsdist 1.7 fwd -> udp_echo, 1,000 QNameRule rules" a_dd "$(f a_dd_lat 1)" "$(f a_dd_lat 2)"
row "(b) udp_echo (recvmmsg/sendmmsg, physical limit)" b_echo "$(f b_echo_lat 1)" "$(f b_echo_lat 2)"
row "(b)(c) faultd authoritative (zone), 0 rules" c_0 "$(f b_fd_lat 1)" "$(f b_fd_lat 2)"
row "(c) faultd authoritative, 1,000 non-matching rules" c_1000
row "(c) faultd authoritative, 10,000 non-matching rules" c_10000
row "(e) faultd authoritative, --capacity 10M (model's cost)" e_10000000 "$(f e_10000000_lat 1)" "$(f e_10000000_lat 2)"
row "(e) faultd authoritative, --capacity 20000 --queue 200" e_20000 "$(f e_20000_lat 1)" "$(f e_20000_lat 2)"
# the issue's comparison: faultd against dnsdist at its best, same run
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2fx", a / b; else print "-"}'; }
qpc() { awk -v q="$(f "$1" 1)" -v c="$(f "$1" 4)" 'BEGIN {if (c > 0) printf "%.0f", q * 100 / c; else print 0}'; }
printf '%-56s %9s %6s %11s %8s %8s %8s\n' "(a) faultd / dnsdist SuffixMatchNodeRule" \
	"$(ratio "$(f a_fd 1)" "$(f a_ds 1)")" "" "$(ratio "$(qpc a_fd)" "$(qpc a_ds)")" "" \
	"$(ratio "$(f a_fd_lat 1)" "$(f a_ds_lat 1)")" "$(ratio "$(f a_fd_lat 2)" "$(f a_ds_lat 2)")"
row "(f) faultd authoritative, --workers 1, unpinned, -c 8" f_auth_1
row "(f) faultd authoritative, --workers 2, unpinned, -c 8" f_auth_2
row "(f) faultd fwd -> udp_echo, --workers 1, unpinned, -c 8" f_fwd_1
row "(f) faultd fwd -> udp_echo, --workers 2, unpinned, -c 8" f_fwd_2
qpc_row() { echo "$(f "$1" 1) qps, $(qpc "$1") qps/core, p50 $(f "$1_lat" 1) ms, p99 $(f "$1_lat" 2) ms"; }
bench_summary "faultd forwarding (1,000 rules), 1 core" "$(qpc_row a_fd)"
bench_summary "dnsdist SuffixMatchNodeRule (its best), 1 core" "$(qpc_row a_ds)"
bench_summary "dnsdist 1,000 QNameRule (reference)" "$(qpc_row a_dd)"
bench_summary "faultd / dnsdist at its best: qps, qps/core" \
	"$(ratio "$(f a_fd 1)" "$(f a_ds 1)"), $(ratio "$(qpc a_fd)" "$(qpc a_ds)"); p99 $(f a_fd_lat 2) vs $(f a_ds_lat 2) ms" \
	">= 1.3x qps/core, qps not lower, p99 not worse"
bench_summary "faultd authoritative (zone), 1 core" \
	"$(f c_0 1) qps, $(qpc c_0) qps/core, p50 $(f b_fd_lat 1) ms, p99 $(f b_fd_lat 2) ms"
bench_summary "udp_echo (the limit), 1 core" "$(f b_echo 1) qps"
bench_summary "--workers 1 / 2, authoritative, unpinned" "$(f f_auth_1 1) / $(f f_auth_2 1) qps"
bench_summary "--workers 1 / 2, forwarding, unpinned" "$(f f_fwd_1 1) / $(f f_fwd_2 1) qps"
printf '%-56s %9s\n' "(d) faultd VmRSS, 0 rules (after load)" "${R[rss_after_0]} kB"
printf '%-56s %9s\n' "(d) faultd VmRSS, 10,000 rules (start / after load)" "${R[rss_10000]} / ${R[rss_after_10000]} kB"
lost=$(for k in a_fd a_ds a_dd b_echo c_0 c_1000 c_10000 e_10000000; do f $k 3; done | awk '{s+=$1} END {print s+0}')
printf '\nqps: dnsperf -l %s -c 2 -q 200 (saturation), avg ms from the same run; cpu%%: the\n' "$DUR"
printf 'server process (all threads) over that run; qps/core = qps / (cpu%%/100).\n'
printf 'p50/p99: sequential it_dnsq queries while dnsperf offers %s qps (-Q): 2,000 a\n' "$RATE"
printf 'row; (a) %s rounds of 2,000 for each server, taking turns, pooled.\n' "$ROUNDS"
printf 'queries lost over all saturation runs: %s (the capacity-limited run excepted: it\n' "$lost"
printf 'loses by design, %s).  CPU pinning: %s.\n' "$(f e_20000 3)" "$PINNING"
