#!/bin/bash
# faultd_upstream_spoof.sh -- the forwarder's upstream sockets against a
# spoofer on loopback (issue 10).  it_upstub is the upstream and, seeing each
# forwarded query, also the attacker who knows its ID and question:
#  - forged answers from another port and another address are not taken;
#  - an answer with the right ID but another question is not taken, and the
#    real answer after it still is;
#  - faultd's upstream sockets are connected to the upstream from the address
#    the kernel picked (not the wildcard), the source ports of forwarded
#    queries vary and keep changing.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh
STUB=$BUILD_ABS/tests/it_upstub

UP=$(free_port)
"$STUB" --listen 127.0.0.1:$UP --log "$T/stub.log" >"$T/stub.out" 2>&1 &
EXTRA_PIDS+=($!)
if ! wait_for sh -c "ss -Hlnu 'sport = :$UP' | grep -q ."; then
	not_ok "upstream stub starts"; cat "$T/stub.out"; t_done
fi
P=$(free_port)
fd_start front "$P" --upstream 127.0.0.1:$UP --control "$T/ctl" --upstream-timeout 1s \
	|| { not_ok "faultd starts"; t_done; }
S=127.0.0.1:$P

dq --server $S --name plain.up.test
chk "plain forwarded query: the upstream's answer 198.18.7.7" \
	test "$(sec an | awk '{print $5}')" = 198.18.7.7 || explain

dq --server $S --name spoof.up.test --timeout 3000
chk "forged answers (right ID and question) from 127.0.0.1:other-port and 127.0.0.2 are not taken: 198.18.7.7, not 6.6.6.6" \
	test "$(sec an | awk '{print $5}')" = 198.18.7.7 -a "$(val rcode)" = NOERROR || explain

dq --server $S --name wrongq.up.test --timeout 3000
chk "an answer with the right ID from the upstream but another question is skipped; the real one after it is taken" \
	test "$(sec an | awk '{print $5}')" = 198.18.7.7 -a "$(val rcode)" = NOERROR || explain

# the sockets faultd talks to the upstream on: local address, peer
socks=$(ss -Hanup | grep "pid=${FD_PID[front]}," | awk '{print $4, $5}')
chk "every upstream socket is connected to 127.0.0.1:$UP from 127.0.0.1 (no wildcard, no unconnected socket)" \
	sh -c '[ -n "$1" ] && ! printf "%s\n" "$1" | grep -v "^127.0.0.1:$3 " | grep -v "^127.0.0.1:[0-9]* 127.0.0.1:$2\$" | grep -q .' _ "$socks" "$UP" "$P" \
	|| echo "# sockets: $socks"

: >"$T/stub.log"
for i in $(seq 1 32); do
	dq --server $S --name "p$i.up.test"
done
ports=$(sed -n 's/^peer=127\.0\.0\.1:\([0-9]*\) name=p[0-9]*$/\1/p' "$T/stub.log" | sort -u | wc -l)
queries=$(grep -c 'name=p[0-9]' "$T/stub.log")
chk "32 forwarded queries came from at least 4 different source ports ($ports ports, $queries queries)" \
	test "$queries" -ge 32 -a "$ports" -ge 4 || sed 's/^/#   /' "$T/stub.log"

# ports rotate: a socket is replaced after 128 queries, so 1,200 queries
# over 8 sockets come from more than 8 ports, and faultd's descriptors stay few
: >"$T/stub.log"
for i in 1 2 3 4; do
	dq --server $S --clients 300 --name many.up.test
done
ports=$(sed -n 's/^peer=127\.0\.0\.1:\([0-9]*\) name=many$/\1/p' "$T/stub.log" | sort -u | wc -l)
fds=$(ls /proc/${FD_PID[front]}/fd | wc -l)
chk "1,200 forwarded queries: more than 8 source ports as sockets rotate ($ports), under 64 descriptors open ($fds)" \
	test "$ports" -gt 8 -a "$fds" -lt 64
chk "faultd still running" fd_alive front
t_done
