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
# A free TCP+UDP port on loopback.
free_port() {
	local p
	for _ in $(seq 50); do
		p=$(( (RANDOM % 20000) + 20000 ))
		if ! ss -Hlntu "sport = :$p" 2>/dev/null | grep -q .; then echo "$p"; return; fi
	done
	echo 0
}
# wait_for CMD... : retry up to ~5 s
wait_for() {
	for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}
