#!/bin/sh
# Prober scheduling accuracy and cost: 20 TCP probes per second against a
# loopback listener for 10 s.  Prints median/p99/max lateness of each tick
# against its grid time and the CPU time used.
#   bench/probe_jitter.sh [BUILD_DIR] [extra probe_jitter options]
set -eu
BUILD=${1:-build}
[ $# -gt 0 ] && shift
bin="$BUILD/bench/probe_jitter"
if [ ! -x "$bin" ]; then
	echo "probe_jitter: $bin missing (make $bin)" >&2
	exit 2
fi
exec "$bin" --rate 20 --seconds 10 "$@"
