# bench/bench_lib.sh -- shell helpers shared by the benchmarks (sourced).
# Loopback only: every helper here talks to 127.0.0.1.
#
#   bench_setup NAME      a scratch folder $T (/tmp/NAME.XXXXXX) and a list
#                         PIDS of started processes: on exit or interrupt
#                         the processes are stopped and $T removed
#   bench_pinning         sets PIN_SRV / PIN_CLI / PINNING from BENCH_PIN and
#                         the CPU count (server on CPU 0, load on CPU 1)
#   bench_port            a free port below the ephemeral range
#   bench_wait_listen P   wait (up to 10 s) until something listens on UDP P
#   bench_ticks PID       CPU ticks (user + system) used by PID so far
#   bench_rss_kb PID      VmRSS of PID in kB
#   bench_udp_drops       the host's UDP receive-buffer drops so far
#                         (/proc/net/snmp RcvbufErrors, IPv4)
#   bench_summary WHAT FIGURE [GOAL]
#                         one line for `make bench`'s closing table
#                         (bench/run.sh sets BENCH_SUMMARY; a no-op
#                         when a benchmark runs on its own)

bench_pinning() {
	if [ "${BENCH_PIN:-1}" = 0 ]; then
		PIN_SRV=; PIN_CLI=
		PINNING="off (BENCH_PIN=0)"
	elif [ "$(nproc)" -ge 2 ]; then
		PIN_SRV="taskset -c 0"; PIN_CLI="taskset -c 1"
		PINNING="server on CPU 0; load (and any backend) on CPU 1"
	else
		PIN_SRV=; PIN_CLI=
		PINNING="none (1 CPU)"
	fi
}

bench_port() {
	local p
	for _ in $(seq 100); do
		p=$(( (RANDOM % 10000) + 21000 ))
		ss -Hantu "( sport = :$p or dport = :$p )" | grep -q . || { echo $p; return; }
	done
	echo 0
}

bench_wait_listen() {
	for _ in $(seq 200); do
		ss -Hlnu "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	echo "bench: nothing listening on $1" >&2
	return 1
}

bench_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
bench_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
bench_udp_drops() {
	awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) n[$i] = i; h = 1 }
	               else print $(n["RcvbufErrors"]) }' /proc/net/snmp
}

bench_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}

bench_setup() {
	T=$(mktemp -d "/tmp/$1.XXXXXX")
	PIDS=()
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_summary() {
	[ -n "${BENCH_SUMMARY:-}" ] || return 0
	printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$BENCH_SUMMARY"
}
