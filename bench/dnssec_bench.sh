#!/bin/bash
# bench/dnssec_bench.sh -- the cost of serving signed zones: faultd on
# 127.0.0.1 with a 100-name zone, dnsperf at saturation (-c 2 -q 200) with
# the DO bit (-D), against the same zone unsigned, signed (--sign, keys
# made at start, NSEC), signed with NSEC3 asking for names that do not exist
# (every reply a denial: SOA, NSEC3s and their RRSIGs), and signed under a
# dnssec=badsig and a dnssec=expired rule matching every name (each reply
# parsed, broken and written again by ldns; expired signs each RRset anew).
# Prints qps, the server's CPU, reply size and lost queries per case.
#   BENCH_SECONDS=5   length of each run;  BENCH_PIN=0  no CPU pinning
cd "$(dirname "$0")/.." || exit 2
. bench/bench_lib.sh
DUR=${BENCH_SECONDS:-5}
B=${1:-${BUILD:-build}}
FAULTD=$B/faultd
[ -x "$FAULTD" ] || { echo "dnssec_bench: $FAULTD missing (run make)" >&2; exit 2; }
command -v dnsperf >/dev/null || { echo "dnssec_bench: dnsperf not installed" >&2; exit 3; }
bench_setup dnssec-bench
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
for i in $(seq 0 99); do echo "nx$i.bench.test A"; done >"$T/nxqueries"

# run LABEL QUERYFILE FAULTD-ARGS...: one faultd, one dnsperf run
run() {
	local label=$1 qf=$2 p pid t0 t1; shift 2
	p=$(bench_port)
	$PIN_SRV "$FAULTD" --listen "127.0.0.1:$p" --zone "$T/bench.zone" --log-level warn "$@" \
		>>"$T/faultd.log" 2>&1 &
	pid=$!; PIDS+=("$pid")
	bench_wait_listen "$p" || { echo "faultd did not start" >&2; cat "$T/faultd.log" >&2; exit 3; }
	t0=$(bench_ticks "$pid")
	$PIN_CLI dnsperf -s 127.0.0.1 -p "$p" -d "$qf" -l "$DUR" -c 2 -q 200 -t 2 -D \
		>"$T/perf.out" 2>&1
	t1=$(bench_ticks "$pid")
	awk -v label="$label" -v dt="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v dur="$DUR" '
	     /Queries per second:/ {q=$4}
	     /Queries lost:/ {l=$3}
	     /Average packet size:/ {split($0, a, "response "); s=a[2]}
	     END {printf "%-34s %9.0f %6.0f %10s %8s\n", label, q, 100 * dt / hz / dur, s, l}' \
	     "$T/perf.out" | tee -a "$T/rows"
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
}

echo "dnssec benchmark: dnsperf -D -l $DUR -c 2 -q 200 on 127.0.0.1, $(nproc) CPUs, pinning: $PINNING"
printf "%-34s %9s %6s %10s %8s\n" "case (queries with DO)" "qps" "cpu%" "reply B" "lost"
run "unsigned" "$T/queries"
run "signed (NSEC)" "$T/queries" --sign bench.test
run "signed NSEC3, NXDOMAIN" "$T/nxqueries" --sign bench.test --nsec3
run "signed, dnssec=badsig on all" "$T/queries" --sign bench.test --rule 'name=*.bench.test dnssec=badsig'
run "signed, dnssec=expired on all" "$T/queries" --sign bench.test --rule 'name=*.bench.test dnssec=expired'
if [ -n "${BENCH_SUMMARY:-}" ] && [ -s "$T/rows" ]; then
	# unsigned vs signed, the key figure for `make bench`'s table
	awk '{ q[NR] = substr($0, 36, 9) + 0 } END { u = q[1]; s = q[2]
		printf "faultd authoritative, unsigned vs signed (DO)\t%.0f / %.0f qps (signed: %.0f %%)\t-\n", u, s, u ? 100 * s / u : 0 }' \
		"$T/rows" >>"$BENCH_SUMMARY"
fi
