#!/bin/bash
# bench/soak.sh -- faultd under sustained load: authoritative and forwarding,
# each at a fixed share (default 80 %) of the maximum measured here, for
# SOAK_SECONDS (default 10 minutes).  Reports lost queries and faultd's RSS
# over time.  A benchmark, not a test: it prints numbers and fails only
# when it cannot run.
#
#   bench/soak.sh [BUILD_DIR]            (default build)
#   SOAK_SECONDS=600   length of each soak (dnsperf -l)
#   SOAK_LOAD=80       offered load, percent of the measured maximum
#   SOAK_SAMPLE=60     seconds between RSS / CPU samples
#   SOAK_MODES="auth fwd"
#   BENCH_SECONDS=10   length of the saturation run that finds the maximum
#   BENCH_PIN=0        no CPU pinning (see bench/bench_lib.sh)
#
# Method, per mode:
#  1. start faultd (auth: answering from a 100-name zone; fwd: forwarding
#     to udp_echo, the fastest possible upstream, with 1,000 non-matching
#     rules loaded as in faultd_bench.sh (a));
#  2. maximum: dnsperf -c 2 -q 200 at saturation for BENCH_SECONDS;
#  3. soak: dnsperf -Q (SOAK_LOAD % of that) for SOAK_SECONDS, sampling
#     faultd's VmRSS and CPU every SOAK_SECONDS;
#  4. lost queries three ways: dnsperf's "Queries lost" (no answer within
#     its 2 s timeout), faultd's own count of queries it received against
#     replies it sent (faultctl stats), and the host's UDP receive-buffer
#     drops over the soak (/proc/net/snmp RcvbufErrors: packets the kernel
#     dropped before any process read them -- dnsperf's or faultd's).
# Traffic goes to 127.0.0.1 only; every dnsperf run is bounded by -l.
set -u
BUILD=${1:-build}
B=$(cd "$BUILD" && pwd) || exit 2
cd "$(dirname "$0")/.." || exit 2
. bench/bench_lib.sh
SOAK=${SOAK_SECONDS:-600}
LOAD=${SOAK_LOAD:-80}
SAMPLE=${SOAK_SAMPLE:-60}
MODES=${SOAK_MODES:-auth fwd}
DUR=${BENCH_SECONDS:-10}
FAULTD=$B/faultd
FAULTCTL=$B/faultctl
ECHO=$B/bench/udp_echo
for x in "$FAULTD" "$FAULTCTL" "$ECHO"; do
	[ -x "$x" ] || { echo "soak: $x missing (run make)" >&2; exit 2; }
done
command -v dnsperf >/dev/null || { echo "soak: dnsperf not installed (make deps)" >&2; exit 3; }
[ "$SAMPLE" -ge 1 ] && [ "$SOAK" -ge 1 ] || { echo "soak: SOAK_SECONDS and SOAK_SAMPLE must be >= 1" >&2; exit 2; }

bench_setup faultd-soak
bench_pinning

{
	echo '$ORIGIN bench.test.'
	echo '$TTL 300'
	echo '@ IN SOA ns hostmaster 1 3600 600 86400 60'
	echo '@ IN NS ns'
	echo 'ns IN A 198.18.0.53'
	for i in $(seq 0 99); do echo "q$i IN A 198.18.1.$i"; done
} >"$T/bench.zone"
for i in $(seq 0 99); do echo "q$i.bench.test A"; done >"$T/queries"
for i in $(seq 1 1000); do echo "name=n$i.nomatch.test action=nxdomain"; done >"$T/rules"

stat_of() {   # stat_of JSON KEY
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}
field() {    # field FILE PATTERN N -- Nth word of dnsperf's line
	awk -v n="$3" "/$2/ {print \$n}" "$1" | head -1
}

declare -A R
SAMPLES=()   # "mode t rss_kb cpu%"
soak_mode() {
	local mode=$1 port ctl fpid be
	port=$(bench_port)
	ctl=$T/faultd.$mode.sock
	if [ "$mode" = fwd ]; then
		be=$(bench_port)
		$PIN_CLI "$ECHO" "127.0.0.1:$be" &
		PIDS+=($!)
		bench_wait_listen "$be" || return 1
		$PIN_SRV "$FAULTD" --listen "127.0.0.1:$port" --upstream "127.0.0.1:$be" \
			--rules "$T/rules" --control "$ctl" --log-level warn >>"$T/faultd.log" 2>&1 &
	else
		$PIN_SRV "$FAULTD" --listen "127.0.0.1:$port" --zone "$T/bench.zone" \
			--control "$ctl" --log-level warn >>"$T/faultd.log" 2>&1 &
	fi
	fpid=$!
	PIDS+=($fpid)
	bench_wait_listen "$port" || return 1

	echo "soak $mode: maximum (dnsperf -l $DUR at saturation) ..." >&2
	$PIN_CLI dnsperf -s 127.0.0.1 -p "$port" -d "$T/queries" -l "$DUR" -c 2 -q 200 -t 2 \
		>"$T/max.$mode" 2>&1
	local max rate
	max=$(field "$T/max.$mode" 'Queries per second:' 4 | cut -d. -f1)
	[ -n "$max" ] && [ "$max" -gt 0 ] || { cat "$T/max.$mode" >&2; return 1; }
	rate=$(( max * LOAD / 100 ))
	R[${mode}_max]=$max; R[${mode}_rate]=$rate

	echo "soak $mode: $rate qps for $SOAK s ..." >&2
	local s0 d0 t0 rss0 rssmax rssmin
	s0=$("$FAULTCTL" --control "$ctl" stats --json)
	d0=$(bench_udp_drops)
	t0=$(bench_ticks "$fpid")
	rss0=$(bench_rss_kb "$fpid"); rssmax=$rss0; rssmin=$rss0
	SAMPLES+=("$mode 0 $rss0 -")
	$PIN_CLI dnsperf -s 127.0.0.1 -p "$port" -d "$T/queries" -l "$SOAK" -c 2 -q 200 -t 2 \
		-Q "$rate" >"$T/soak.$mode" 2>&1 &
	local perf=$! el=0 tp=$t0 tn rss
	local hz; hz=$(getconf CLK_TCK)
	while kill -0 "$perf" 2>/dev/null && [ "$el" -lt "$SOAK" ]; do
		sleep "$SAMPLE"
		el=$((el + SAMPLE))
		kill -0 "$fpid" 2>/dev/null || { echo "soak $mode: faultd died" >&2; return 1; }
		rss=$(bench_rss_kb "$fpid"); tn=$(bench_ticks "$fpid")
		[ "$rss" -gt "$rssmax" ] && rssmax=$rss
		[ "$rss" -lt "$rssmin" ] && rssmin=$rss
		SAMPLES+=("$mode $el $rss $(awk -v d=$((tn - tp)) -v hz="$hz" -v s="$SAMPLE" \
			'BEGIN {printf "%.0f", 100 * d / hz / s}')")
		tp=$tn
	done
	wait "$perf"
	local s1 d1 t1
	s1=$("$FAULTCTL" --control "$ctl" stats --json)
	d1=$(bench_udp_drops)
	t1=$(bench_ticks "$fpid")
	R[${mode}_sent]=$(field "$T/soak.$mode" 'Queries sent:' 3)
	R[${mode}_done]=$(field "$T/soak.$mode" 'Queries completed:' 3)
	R[${mode}_lost]=$(field "$T/soak.$mode" 'Queries lost:' 3)
	R[${mode}_qps]=$(field "$T/soak.$mode" 'Queries per second:' 4 | cut -d. -f1)
	R[${mode}_fq]=$(( $(stat_of "$s1" queries) - $(stat_of "$s0" queries) ))
	R[${mode}_fr]=$(( $(stat_of "$s1" replies) - $(stat_of "$s0" replies) ))
	R[${mode}_drops]=$((d1 - d0))
	R[${mode}_rss]="$rss0 / $rssmin / $rssmax / $(bench_rss_kb "$fpid")"
	R[${mode}_cpu]=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$SOAK" 'BEGIN {printf "%.0f", 100 * d / hz / s}')
	kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null
	[ "$mode" = fwd ] && { kill "${PIDS[-2]}" 2>/dev/null; wait "${PIDS[-2]}" 2>/dev/null; }
	return 0
}

echo "faultd soak: ${LOAD}% of the measured maximum for ${SOAK}s per mode, $(nproc) CPUs, pinning: $PINNING" >&2
for m in $MODES; do
	case $m in auth|fwd) ;; *) echo "soak: unknown mode '$m' (auth, fwd)" >&2; exit 2 ;; esac
	soak_mode "$m" || { echo "soak: $m could not run (faultd log below)" >&2; cat "$T/faultd.log" >&2; exit 3; }
done

H='%-5s %8s %8s %6s %11s %11s %8s %9s %9s %7s %5s  %s\n'
printf '\n'
printf "$H" mode "max qps" offered seconds sent completed lost "faultd rx" "faultd tx" "kdrops" "cpu%" \
	"VmRSS kB: start / min / max / end"
for m in $MODES; do
	printf "$H" "$m" "${R[${m}_max]}" "${R[${m}_rate]}" "$SOAK" "${R[${m}_sent]}" "${R[${m}_done]}" \
		"${R[${m}_lost]}" "${R[${m}_fq]}" "${R[${m}_fr]}" "${R[${m}_drops]}" "${R[${m}_cpu]}" "${R[${m}_rss]}"
done
printf '\nVmRSS (kB) and CPU over time:\n'
printf '%-5s %8s %10s %6s\n' mode "t (s)" "VmRSS kB" "cpu%"
for s in "${SAMPLES[@]}"; do
	set -- $s
	printf '%-5s %8s %10s %6s\n' "$1" "$2" "$3" "$4"
done
printf '\nlost: queries dnsperf sent without an answer within 2 s.  faultd rx / tx: queries\n'
printf 'faultd counted and replies it sent over the soak (faultctl stats).  kdrops: the\n'
printf "host's UDP receive-buffer drops over the soak (any process).  CPU pinning: %s.\n" "$PINNING"
