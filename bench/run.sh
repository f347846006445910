#!/bin/bash
# bench/run.sh BUILD_DIR -- every benchmark, one after another (`make bench`).
# Benchmarks are not tests: they print numbers and fail only when they cannot
# run.  Add new benchmarks to the list below.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 2
rc=0
export BENCH_SUMMARY
BENCH_SUMMARY=$(mktemp /tmp/dd-bench-summary.XXXXXX)
trap 'rm -f "$BENCH_SUMMARY"' EXIT
for b in bench/faultd_bench.sh bench/netns_bench.sh bench/probe_jitter.sh bench/dnssec_bench.sh bench/startup_bench.sh bench/matrix_jobs_bench.sh; do
	echo "== $b"
	bash "$b" "$BUILD" || rc=1
done
# every benchmark's key figures, one table
echo
echo "== summary"
printf 'machine: %s, %s CPUs (%s), %s RAM; load average at the end %s\n' "$(uname -r)" "$(nproc)" \
	"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
	"$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)" "$(cut -d' ' -f1-3 /proc/loadavg)"
awk -F'\t' 'BEGIN { printf "%-52s %-62s %s\n", "measurement", "figure", "goal" }
	{ printf "%-52s %-62s %s\n", $1, $2, $3 }' "$BENCH_SUMMARY"
exit $rc
