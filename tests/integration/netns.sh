#!/bin/bash
# netns: topologies that work -- a routed 3-host line (UDP over IPv4 and
# IPv6, per-host resolv.conf and hosts, `ip netns exec` compatibility), a
# shared segment, DNS interception, programs run inside hosts, and bad input
# refused before anything is created.  Needs root (real namespaces).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/netns/lib.sh
nt_require
T=tests/integration/netns

before=$NT_TMP/before
nt_snapshot >"$before"

# --- 3-host line, checked from inside by the library (enter, spawn) -------
out=$("$D" check $T/line.topo --run-id "${NT_TAG}l" --out-dir "$NT_TMP" \
	echo authority 198.18.2.2:7 \
	udp client 198.18.2.2:7 \
	echo authority '[fd00:2::2]:8' \
	udp client '[fd00:2::2]:8' \
	sh client "$NT_TMP/resolv.out" 'cat /etc/resolv.conf' \
	sh client "$NT_TMP/hosts.out" 'cat /etc/hosts' \
	sh resolver "$NT_TMP/fwd.out" 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding' \
	sh client "$NT_TMP/links.out" 'ls /sys/class/net; ip -o addr show' \
	badexec client 2>&1)
rc=$?
echo "$out" | sed -n 's/^\(not \)\{0,1\}ok - /&line: /p'
check "line: driver exits 0" test "$rc" = 0
printf 'nameserver 198.18.1.1\noptions timeout:1\n' >"$NT_TMP/resolv.want"
check "line: the client's resolv.conf is the one given" cmp -s "$NT_TMP/resolv.out" "$NT_TMP/resolv.want"
check "line: the client's hosts file is the one given" grep -qx '198.18.2.2 authority.test' "$NT_TMP/hosts.out"
check "line: the resolver forwards IPv4 and IPv6" test "$(tr -d '\n' <"$NT_TMP/fwd.out")" = 11
check "line: the client sees only its own interfaces" \
	test "$(grep -cvE '^(lo|resolver)$' <(sed -n '1,/^[0-9]*:/p' "$NT_TMP/links.out" | grep -v '^[0-9]*:'))" = 0
check "line: the client has 198.18.1.2/24 and fd00:1::2/64" \
	bash -c "grep -q '198.18.1.2/24' '$NT_TMP/links.out' && grep -q 'fd00:1::2/64' '$NT_TMP/links.out'"
check "line: the echo server saw the client's address (routed, not NATed)" \
	grep -q '^udp from 198.18.1.2:' "$NT_TMP/echo-authority-7.log"
check "line: the IPv6 echo server saw the client's address" \
	grep -q '^udp from \[fd00:1::2\]:' "$NT_TMP/echo-authority-8.log"
nt_same "line: nothing left behind" "$before"

# --- the same line held up, inspected with iproute2, ended by SIGTERM -----
ready=$NT_TMP/ready.up
nt_bg "$D" up $T/line.topo --run-id "${NT_TAG}u" --ready "$ready"
upid=${NT_PIDS[-1]}
if nt_wait_file "$ready"; then
	ns=dd-${NT_TAG}u
	check "up: ip netns list shows the three hosts" \
		test "$(ip netns list | grep -cE "^$ns-(client|resolver|authority)( |$)")" = 3
	check "up: ip netns exec sees the client's resolv.conf" \
		bash -c "ip netns exec $ns-client cat /etc/resolv.conf | cmp -s - '$NT_TMP/resolv.want'"
	check "up: the client's default route points at the resolver" \
		bash -c "ip -n $ns-client route show default | grep -q 'via 198.18.1.1'"
	check "up: the topology is sealed (no default route in the resolver)" \
		bash -c "! ip -n $ns-resolver route show default | grep -q ."
	check "up: no topology interface in the host's namespace" \
		bash -c "! ip -o link show | grep -qE ': (client|resolver|authority)[@:]'"
	check "up: ip netns exec runs commands in a host" \
		bash -c "ip netns exec $ns-authority ip -o addr show | grep -q 'inet 198.18.2.2/24'"
	kill -TERM "$upid"
	wait "$upid"; rc=$?
	check "up: SIGTERM ends the driver by the signal (exit $rc)" test "$rc" = 143
else
	not_ok "up: the topology came up"
fi
nt_same "up: nothing left behind after SIGTERM" "$before"

# --- a shared segment ---------------------------------------------------------
out=$("$D" check $T/lan.topo --run-id "${NT_TAG}s" --out-dir "$NT_TMP" \
	echo c 198.18.10.3:7 \
	udp a 198.18.10.3:7 \
	udp b 198.18.10.3:7 \
	echo far 198.18.200.1:7 \
	udp a 198.18.200.1:7 2>&1)
rc=$?
echo "$out" | sed -n 's/^\(not \)\{0,1\}ok - /&lan: /p'
check "lan: driver exits 0" test "$rc" = 0
nt_same "lan: nothing left behind" "$before"

# --- DNS interception -----------------------------------------------------------
out=$("$D" check $T/intercept.topo --run-id "${NT_TAG}i" --out-dir "$NT_TMP" \
	echo resolver 198.18.1.1:5353 \
	udp client 198.18.250.250:53 \
	tcp client 198.18.250.250:53 \
	udp client 198.18.2.2:53 \
	sh client "$NT_TMP/nft.out" 'nft list ruleset' 2>&1)
rc=$?
echo "$out" | sed -n 's/^\(not \)\{0,1\}ok - /&intercept: /p'
check "intercept: driver exits 0" test "$rc" = 0
check "intercept: the redirect target got the UDP query from the client" \
	grep -q '^udp from 198.18.1.2:' "$NT_TMP/echo-resolver-5353.log"
check "intercept: the redirect target got the TCP query from the client" \
	grep -q '^tcp from 198.18.1.2:' "$NT_TMP/echo-resolver-5353.log"
check "intercept: the rules live in the client's namespace" \
	grep -q 'dnat to 198.18.1.1:5353' "$NT_TMP/nft.out"
# control: without interception nothing answers at 198.18.250.250:53
out=$("$D" check $T/line.topo --run-id "${NT_TAG}j" --out-dir "$NT_TMP" \
	echo resolver 198.18.1.1:5353 \
	noudp client 198.18.250.250:53 2>&1)
check "intercept: control without interception gets no answer" test $? = 0
nt_same "intercept: nothing left behind" "$before"

# --- bad input: refused before anything is created ------------------------------
bad() {  # FILE PATTERN what
	local msg rc
	msg=$("$D" up "$T/$1" --run-id "${NT_TAG}b" 2>&1); rc=$?
	if [ "$rc" = 2 ] || [ "$rc" = 1 ]; then
		if echo "$msg" | grep -q "$2"; then ok "bad input: $3"; return; fi
	fi
	not_ok "bad input: $3 (exit $rc: $msg)"
}
bad bad-unknown-host.topo "link client - resolvr: unknown host 'resolvr'" "a link to an unknown host names it"
bad bad-dup-addr.topo "duplicate address 198.18.1.1/24" "a duplicate address is named"
bad bad-ifname.topo "this-name-is-too-long" "a too long interface name is named"
bad bad-range.topo "host 'client' resolver: address 10.1.2.3/24 is outside" "an address outside the ranges is named"
nt_same "bad input: nothing was created" "$before"

# --- missing privilege --------------------------------------------------------------
if command -v capsh >/dev/null; then
	msg=$(capsh --drop=cap_sys_admin,cap_net_admin -- -c "$D up $T/line.topo --run-id ${NT_TAG}p" 2>&1); rc=$?
	check "no privilege: exit 3" test "$rc" = 3
	check "no privilege: the message says what is needed" \
		bash -c "echo '$msg' | grep -q 'CAP_NET_ADMIN and CAP_SYS_ADMIN' && echo '$msg' | grep -q 'root'"
	nt_same "no privilege: nothing was created" "$before"
else
	skip "no privilege" "capsh not installed"
fi
t_done
