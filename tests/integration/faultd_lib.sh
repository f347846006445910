#!/bin/bash
# tests/integration/faultd_lib.sh -- shared helpers for the faultd_*.sh
# integration scripts (source it after tests/lib/tap.sh).  Run directly, it
# checks that the binaries the other scripts need exist and start.
#
#   fd_start NAME PORT ARGS...   start build/faultd listening on 127.0.0.1:PORT
#                                (plus ARGS), log in $T/NAME.log, pid in
#                                FD_PID[NAME]; waits until it answers
#   dq ARGS...                   run it_dnsq, output in $OUT, exit in $RC
#   val KEY [TEXT]               value of "KEY=..." in TEXT (default $OUT)
#   fc ARGS...                   faultctl --control $T/ctl ARGS (output $OUT)
# Everything started is killed and $T removed on exit (kept, with the
# daemons' logs, when FD_KEEP=1).
set -u
BUILD_ABS=${BUILD_ABS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
FAULTD=$BUILD_ABS/faultd
FAULTCTL=$BUILD_ABS/faultctl
DNSQ=$BUILD_ABS/tests/it_dnsq
T=$(mktemp -d /tmp/faultd-it.XXXXXX)
declare -A FD_PID=()
EXTRA_PIDS=()
OUT=""
RC=0

fd_cleanup() {
	local p
	for p in "${FD_PID[@]}" "${EXTRA_PIDS[@]}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null
	done
	for p in "${FD_PID[@]}" "${EXTRA_PIDS[@]}"; do
		[ -n "$p" ] && wait "$p" 2>/dev/null
	done
	if [ -n "${FD_KEEP:-}" ]; then echo "# kept $T"; else rm -rf "$T"; fi
}
trap fd_cleanup EXIT


# fd_start NAME PORT ARGS...
fd_start() {
	local name=$1 port=$2; shift 2
	"$FAULTD" --listen "127.0.0.1:$port" "$@" >"$T/$name.log" 2>&1 &
	FD_PID[$name]=$!
	if ! wait_for fd_listening "$port"; then
		echo "# faultd $name did not start:"; sed 's/^/#   /' "$T/$name.log"
		return 1
	fi
}
fd_listening() {
	ss -Hlnu "sport = :$1" | grep -q . && ss -Hlnt "sport = :$1" | grep -q .
}
fd_alive() { kill -0 "${FD_PID[$1]}" 2>/dev/null; }

dq() {
	OUT=$("$DNSQ" "$@" 2>&1); RC=$?
	return 0
}
# val KEY [TEXT]: the first "KEY=value" (whole line) in TEXT
val() {
	printf '%s\n' "${2-$OUT}" | sed -n "s/^$1=//p" | head -1
}
# section lines: sec an|ns|ar [TEXT]
sec() {
	printf '%s\n' "${2-$OUT}" | sed -n "s/^$1\t//p"
}
fc() {
	OUT=$("$FAULTCTL" --control "$T/ctl" "$@" 2>&1); RC=$?
	return 0
}
# chk "what" CMD...: like tap.sh's check, but returns 1 on failure so
# "chk ... || explain" can show what came back
chk() {
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; return 1; fi
}
# jqt FILTER: jq -e FILTER on $OUT, quietly
jqt() { jq -e "$1" >/dev/null 2>&1 <<<"$OUT"; }
# float comparisons: fle A B  (A <= B)
fle() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
# in_range X LO HI
in_range() { fle "$2" "$1" && fle "$1" "$3"; }
# show the output of the last command when a check fails
explain() { printf '%s\n' "$OUT" | sed 's/^/#   /'; }

# A small zone used by most scripts.
write_zone() {
	cat >"$1" <<'EOF'
$ORIGIN example.test.
$TTL 300
@	IN SOA ns1 hostmaster 2024010101 3600 600 86400 120
@	IN NS ns1
ns1	IN A 192.0.2.53
www	IN A 192.0.2.1
www	IN AAAA 2001:db8::1
alias	IN CNAME www
ttl	IN A 192.0.2.2
trunc	IN A 192.0.2.3
slow	IN A 192.0.2.4
fast	IN A 192.0.2.5
EOF
	local n
	for n in pass empty nxdomain servfail refused formerr drop answer negttl nosoa; do
		printf '%s\tIN A 192.0.2.10\n' "$n" >>"$1"
	done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	. "$(dirname "$0")/../lib/tap.sh"
	check "faultd is built" test -x "$FAULTD"
	check "faultctl is built" test -x "$FAULTCTL"
	check "it_dnsq is built" test -x "$DNSQ"
	out=$("$FAULTD" --version 2>&1); rc=$?
	check "faultd --version exits 0 and names itself" test "$rc" = 0 -a "${out#faultd }" != "$out"
	out=$("$FAULTD" --help 2>&1); rc=$?
	check "faultd --help exits 0 and shows --listen" grep -q -- --listen <<<"$out"
	t_done
fi
