#!/bin/bash
# bench/run.sh BUILD_DIR -- every benchmark, one after another (`make bench`).
# Benchmarks are not tests: they print numbers and fail only when they cannot
# run.  Add new benchmarks to the list below.
set -u
BUILD=${1:-build}
cd "$(dirname "$0")/.." || exit 2
rc=0
for b in bench/faultd_bench.sh bench/netns_bench.sh bench/probe_jitter.sh bench/startup_bench.sh bench/matrix_jobs_bench.sh; do
	echo "== $b"
	bash "$b" "$BUILD" || rc=1
done
exit $rc
