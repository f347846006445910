# tests/lib/tap.sh -- helpers for integration scripts (source it).
#   ok COND_EXIT_STATUS "what"   e.g.  check "faultd answers" test "$rc" = 0
# Scripts print "ok - what" / "not ok - what"; tests/run.sh counts them.
T_FAILED=0
ok()      { echo "ok - $*"; }
not_ok()  { echo "not ok - $*"; T_FAILED=1; }
skip()    { echo "ok - $1 # SKIP ${2:-}"; }
# check "description" command args...   (runs the command, reports)
check() {
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
t_done()  { exit "$T_FAILED"; }
# A free TCP+UDP port on loopback: below the kernel's ephemeral range (so
# no client socket can take it meanwhile), unused in any socket state.
free_port() {
	local p lo
	lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	lo=${lo:-32768}
	for _ in $(seq 100); do
		p=$(( (RANDOM % (lo - 21000)) + 20000 ))
		if ! ss -Hantu "( sport = :$p or dport = :$p )" 2>/dev/null | grep -q .; then
			echo "$p"; return
		fi
	done
	echo 0
}
# wait_for CMD... : retry up to ~5 s
wait_for() {
	for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}
