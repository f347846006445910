#!/bin/bash
# sut_cares.sh -- dd-regional-client --resolver-mode cares as a c-ares
# client on a test host: its own network and mount namespaces, faultd on
# 198.18.0.53:53, and no --resolver: the host's /etc/resolv.conf (bind-
# mounted, as the harness gives each host its own) is all c-ares is told.
# The options line is the one harness/resolvconf.c writes for options = {
# timeout = 1, attempts = 2 } (test_resolvconf.c pins that text).
#   - it resolves and serves from us-east-1; an empty record fails it over;
#   - against a dropping server a lookup gives up after c-ares's own
#     timeout x tries from resolv.conf (1 s then 2 s: ~3 s), having sent
#     exactly 2 tries of A and of AAAA -- not c-ares's defaults (5 s, 4);
#   - with two nameservers, 'rotate' spreads lookups over both, and without
#     it every query goes to the first.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh

if [ -z "${SUT_CARES_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { skip "sut cares" "needs root (namespaces)"; t_done; }
	command -v unshare >/dev/null || { skip "sut cares" "unshare missing"; t_done; }
	SUT_CARES_NS=1 exec unshare --net --mount --propagation private bash "$0" "$@"
fi
. tests/integration/faultd_lib.sh

CLIENT=$BUILD_ABS/dd-regional-client
RESP=$BUILD_ABS/dd-http-responder
N1=dynamodb.us-east-1.example.test
N2=dynamodb.us-west-2.example.test
for b in "$CLIENT" "$RESP" "$FAULTD" "$FAULTCTL"; do
	if [ ! -x "$b" ]; then not_ok "$b is built"; t_done; fi
done

# the host: loopback up, the test addresses on it
ip link set lo up
for a in 198.18.0.53 198.18.0.54 198.18.1.1 198.18.2.1; do ip addr add "$a/32" dev lo; done

cat >"$T/example.zone" <<'EOF'
$ORIGIN example.test.
$TTL 1
@	IN SOA ns1 hostmaster 1 3600 600 86400 1
@	IN NS ns1
ns1	IN A 198.18.0.53
dynamodb.us-east-1	IN A 198.18.1.1
dynamodb.us-west-2	IN A 198.18.2.1
EOF
# ns_start NAME ADDR: faultd on ADDR:53, control socket $T/NAME.ctl
ns_start() {
	"$FAULTD" --listen "$2:53" --zone "$T/example.zone" --control "$T/$1.ctl" \
		>"$T/$1.log" 2>&1 &
	FD_PID[$1]=$!
	wait_for "$FAULTCTL" --control "$T/$1.ctl" ping
}
ns_start a 198.18.0.53 || { not_ok "faultd a starts"; sed 's/^/#   /' "$T/a.log"; t_done; }
ns_start b 198.18.0.54 || { not_ok "faultd b starts"; t_done; }
for r in us-east-1:198.18.1.1 us-west-2:198.18.2.1; do
	"$RESP" --listen "${r#*:}:80" --name "${r%%:*}" >/dev/null 2>&1 &
	EXTRA_PIDS+=($!)
	wait_for curl -s -o /dev/null "http://${r#*:}/" || not_ok "responder ${r%%:*} starts"
done

# the host's resolv.conf
resolv() { printf '%s' "$1" >"$T/resolv.conf"; }
resolv $'nameserver 198.18.0.53\noptions timeout:1 attempts:2 retrans:1000 retry:2\n'
mount --bind "$T/resolv.conf" /etc/resolv.conf ||
	{ not_ok "bind-mount a resolv.conf over /etc/resolv.conf"; t_done; }

CL_PID=; CL_LOG=
# cl_start TAG ARGS...: the client in cares mode, no --resolver
cl_start() {
	CL_LOG=$T/client-$1.log; shift
	"$CLIENT" --primary "$N1" --secondary "$N2" --resolver-mode cares \
		--interval 100ms "$@" >"$CL_LOG" 2>&1 &
	CL_PID=$!
	EXTRA_PIDS+=("$CL_PID")
}
cl_stop() { kill -TERM "$CL_PID" 2>/dev/null; wait "$CL_PID" 2>/dev/null; }
# wait_line ERE [SECONDS]: LINE holds the first line matching
wait_line() {
	for _ in $(seq $(( ${2:-6} * 20 ))); do
		LINE=$(grep -Em1 -- "$1" "$CL_LOG" 2>/dev/null) && return 0
		sleep 0.05
	done
	return 1
}
showlog() { sed 's/^/#   /' "$CL_LOG" | tail -20; }
# queries NAME: queries faultd NAME has seen
queries() { "$FAULTCTL" --control "$T/$1.ctl" stats --json | jq '.queries'; }
fca() { "$FAULTCTL" --control "$T/a.ctl" "$@" >/dev/null; }

# 1. resolves from resolv.conf's nameserver, fails over on an empty record
cl_start fo --timeout 1s
check "the client names c-ares and resolv.conf's server" \
	wait_line '^ts=[0-9.]+ event=start .* resolver=cares server=198\.18\.0\.53:53 ' || showlog
check "it resolves and gets 200 from us-east-1 (198.18.1.1)" \
	wait_line 'event=request region=us-east-1 ok=true status=200 addr=198\.18\.1\.1 ' || showlog
fca rule add "name=$N1 type=A action=empty negttl=1"
check "an empty record: failover to us-west-2 on dns:NODATA" \
	wait_line 'event=failover from=us-east-1 to=us-west-2 reason=dns:NODATA failures=3$' || showlog
check "then served from us-west-2 (198.18.2.1)" \
	wait_line 'event=request region=us-west-2 ok=true status=200 addr=198\.18\.2\.1 ' || showlog
cl_stop
fca clear

# 2. a server that drops everything: c-ares's own timeout and tries
fca rule add "name=$N1 action=drop"
q0=$(queries a)
cl_start drop --timeout 20s --interval 10s --no-failover
if wait_line 'event=request region=us-east-1 ok=false ' 10; then
	ms=${LINE##*ms=}
	q=$(( $(queries a) - q0 ))
	check "the lookup fails as c-ares's own timeout: dns:timeout ($LINE)" \
		grep -q 'reason=dns:timeout' <<<"$LINE"
	check "after 1 s + 2 s (timeout:1, 2 tries, doubling): ${ms} ms in [2500, 4500]" \
		test "$ms" -ge 2500 -a "$ms" -le 4500
	check "2 tries each of A and AAAA reached the server ($q queries; defaults would be 8)" \
		test "$q" = 4
else
	not_ok "a lookup against a dropping server ends within 10 s"; showlog
fi
cl_stop
fca clear

# 3. rotate: lookups spread over both servers; without it, all to the first
qa=$(queries a); qb=$(queries b)
resolv $'nameserver 198.18.0.53\nnameserver 198.18.0.54\noptions rotate\n'
cl_start rot --timeout 1s --no-failover
wait_line 'event=request ' >/dev/null
sleep 1
cl_stop
da=$(( $(queries a) - qa )); db=$(( $(queries b) - qb ))
check "rotate: both nameservers asked ($da and $db queries)" test "$da" -ge 3 -a "$db" -ge 3
qa=$(queries a); qb=$(queries b)
resolv $'nameserver 198.18.0.53\nnameserver 198.18.0.54\n'
cl_start norot --timeout 1s --no-failover
sleep 1
cl_stop
da=$(( $(queries a) - qa )); db=$(( $(queries b) - qb ))
check "no rotate: only the first nameserver asked ($da and $db queries)" test "$da" -ge 6 -a "$db" = 0

"$CLIENT" --help >"$T/o" 2>&1
check "--help names --resolver-mode cares" grep -q 'or cares (libc-ares on the loop' "$T/o"
"$CLIENT" --primary "$N1" --resolver-mode c-ares >"$T/o" 2>&1; rc=$?
check "an unknown --resolver-mode exits 2 naming it" \
	sh -c '[ "$1" = 2 ] && grep -q -- "--resolver-mode" "$2"' _ "$rc" "$T/o"
t_done
