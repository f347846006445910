#!/bin/bash
# faultd_forward.sh -- faultd as a forwarder in front of real servers started
# here: unbound (authoritative-only local-zone on loopback) and a second
# faultd.  The client gets its own ID and question back; rules apply to
# forwarded answers; a dead upstream yields SERVFAIL within the
# --upstream-timeout bounds; the next upstream is tried; a truncated upstream
# reply is retried over TCP.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

UP=$(free_port)
cat >"$T/unbound.conf" <<EOF
server:
	interface: 127.0.0.1@$UP
	port: $UP
	do-daemonize: no
	use-syslog: no
	logfile: "$T/unbound.log"
	chroot: ""
	username: ""
	directory: "$T"
	pidfile: ""
	do-ip6: no
	num-threads: 1
	access-control: 127.0.0.0/8 allow
	local-zone: "up.test." static
	local-data: "up.test. 120 IN SOA ns.up.test. host.up.test. 1 3600 600 86400 60"
	local-data: "www.up.test. 120 IN A 198.18.5.5"
	local-data: "www.up.test. 120 IN AAAA fd00::5:5"
	local-data: "mail.up.test. 120 IN MX 10 mx.up.test."
remote-control:
	control-enable: no
EOF
if ! command -v unbound >/dev/null; then
	skip "unbound upstream" "unbound not installed"; t_done
fi
unbound -d -c "$T/unbound.conf" >"$T/unbound.out" 2>&1 &
EXTRA_PIDS+=($!)
if ! wait_for sh -c "ss -Hlnu 'sport = :$UP' | grep -q ."; then
	not_ok "unbound starts"; cat "$T/unbound.out"; t_done
fi
dq --server 127.0.0.1:$UP --name www.up.test
chk "unbound upstream answers directly" test "$(sec an | awk '{print $5}')" = 198.18.5.5 || { explain; cat "$T/unbound.out"; }

# front faultd forwarding to unbound, with a few rules on forwarded names
P=$(free_port)
fd_start front "$P" --upstream 127.0.0.1:$UP --control "$T/ctl" --upstream-timeout 300ms \
	--rule 'name=ttl.up.test ttl=33' \
	--rule 'name=mail.up.test ttl=44' \
	--rule 'name=nx.up.test action=nxdomain negttl=7' \
	--rule 'name=slow.up.test delay=150ms' \
	|| { not_ok "front faultd starts"; t_done; }
S=127.0.0.1:$P
for tr in udp tcp; do
	flag=; [ $tr = tcp ] && flag=--tcp
	dq --server $S $flag --name WwW.Up.TeSt --type A --id 4660
	chk "$tr: forwarded answer from unbound: 198.18.5.5, AA from upstream, RA set" \
		test "$(sec an | awk '{print $5}')" = 198.18.5.5 -a "$(val rcode)" = NOERROR \
		-a "$(val flags)" = "qr,aa,rd,ra," || explain
	chk "$tr: the client's own ID (4660) and question, case as sent (0x20)" \
		test "$(val id)" = 4660 -a "$(val question)" = "WwW.Up.TeSt. A" || explain
	dq --server $S $flag --name www.up.test --type AAAA --edns 1232
	chk "$tr: forwarded AAAA with EDNS" test "$(sec an | awk '{print $5}')" = fd00::5:5 -a "$(val edns)" = 1 || explain
	dq --server $S $flag --name nothere.up.test
	chk "$tr: upstream NXDOMAIN passes through with its SOA" \
		test "$(val rcode)" = NXDOMAIN -a "$(sec ns | awk '{print $4}')" = SOA || explain
	dq --server $S $flag --name mail.up.test --type MX
	chk "$tr: ttl=44 rewrites the forwarded answer's TTLs" \
		test "$(val ttl_min)$(val ttl_max)" = 4444 -a "$(sec an | awk '{print $4}')" = MX || explain
	dq --server $S $flag --name nx.up.test
	chk "$tr: action=nxdomain on a forwarded name: synthesized, negttl 7" \
		test "$(val rcode)" = NXDOMAIN -a "$(sec ns | awk '{print $2}')" = 7 || explain
done
fc rule add 'name=www.up.test type=AAAA action=servfail'
dq --server $S --name www.up.test --type AAAA
chk "rule added live applies to forwarded queries (type=AAAA servfail)" test "$(val rcode)" = SERVFAIL
dq --server $S --name www.up.test --type A
chk "... and only to that type" test "$(val rcode)" = NOERROR
dq --server $S --name slow.up.test --repeat 3
chk "delay=150ms on a forwarded query: median 150..230 ms" in_range "$(val median_ms)" 150 230 || explain
fc stats --json
chk "stats: forwarded counted, no upstream timeouts" jqt '.forwarded >= 10 and .upstream_timeouts == 0' || explain

# --- dead upstreams ---
# one that never answers (a faultd that drops everything) and a port nobody listens on
BH=$(free_port)
fd_start blackhole "$BH" --rule 'action=drop' || not_ok "blackhole faultd starts"
DEAD=$(free_port)
P2=$(free_port)
fd_start dead "$P2" --upstream 127.0.0.1:$BH --upstream-timeout 300ms || not_ok "faultd with a dead upstream starts"
for tr in udp tcp; do
	flag=; [ $tr = tcp ] && flag=--tcp
	dq --server 127.0.0.1:$P2 $flag --name www.up.test --timeout 3000
	chk "$tr: upstream that never answers: SERVFAIL after 300..800 ms (not a hang)" \
		sh -c '[ "$1" = SERVFAIL ] && awk -v e="$2" "BEGIN{exit !(e>=290 && e<=800)}"' _ "$(val rcode)" "$(val elapsed_ms)" || explain
done
P3=$(free_port)
fd_start dead2 "$P3" --upstream 127.0.0.1:$DEAD --upstream-timeout 300ms || not_ok "faultd with a closed-port upstream starts"
dq --server 127.0.0.1:$P3 --name www.up.test --timeout 3000
chk "upstream port closed: SERVFAIL within 800 ms" \
	sh -c '[ "$1" = SERVFAIL ] && awk -v e="$2" "BEGIN{exit !(e<=800)}"' _ "$(val rcode)" "$(val elapsed_ms)" || explain
dq --server 127.0.0.1:$P3 --clients 20 --name www.up.test --timeout 3000
chk "20 concurrent queries to a dead upstream all come back (as SERVFAIL) within 1 s" \
	sh -c 'printf "%s" "$1" | grep -q "ok=0 total=20" && awk -v e="$(printf "%s" "$1" | sed "s/.*elapsed_ms=//")" "BEGIN{exit !(e<=1000)}"' _ "$OUT" || explain
dq --server 127.0.0.1:$P3 --tcp --name www.up.test --timeout 3000
chk "the faultd is responsive afterwards (tcp SERVFAIL again, no hang)" test "$(val rcode)" = SERVFAIL

# fallback: first upstream dead, second alive
P4=$(free_port)
fd_start fallback "$P4" --upstream 127.0.0.1:$BH --upstream 127.0.0.1:$UP --upstream-timeout 300ms || not_ok "fallback faultd starts"
dq --server 127.0.0.1:$P4 --name www.up.test --timeout 3000
chk "first upstream silent: the second answers after one timeout (300..800 ms)" \
	sh -c '[ "$1" = 198.18.5.5 ] && awk -v e="$2" "BEGIN{exit !(e>=290 && e<=800)}"' _ "$(sec an | awk '{print $5}')" "$(val elapsed_ms)" || explain

# --- truncated upstream reply retried over TCP ---
write_zone "$T/ex.zone"
TP=$(free_port)
fd_start trunc_up "$TP" --listen "[::1]:$TP" --zone "$T/ex.zone" --rule 'action=truncate transport=udp' || not_ok "truncating upstream starts"
dq --server 127.0.0.1:$TP --name www.example.test
chk "the truncating upstream sets TC over UDP" test "$(val tc)" = 1
P5=$(free_port)
fd_start via "$P5" --upstream 127.0.0.1:$TP --control "$T/ctl2" --upstream-timeout 500ms || not_ok "faultd in front of the truncating upstream starts"
dq --server 127.0.0.1:$P5 --name www.example.test
chk "UDP client gets the full answer: faultd retried the upstream over TCP" \
	test "$(val tc)" = 0 -a "$(sec an | awk '{print $5}')" = 192.0.2.1 -a "$(val rcode)" = NOERROR || explain
dq --server 127.0.0.1:$P5 --tcp --name alias.example.test
chk "TCP client through the same path gets the CNAME chain" test "$(val an)" = 2 || explain
OUT=$("$FAULTCTL" --control "$T/ctl2" stats --json)
chk "stats: upstream_tcp_retries counted" jqt '.upstream_tcp_retries >= 2' || explain
P6=$(free_port)
fd_start via6 "$P6" --listen "[::1]:$P6" --upstream "[::1]:$TP" --upstream-timeout 500ms || not_ok "faultd with an IPv6 upstream starts"
dq --server "[::1]:$P6" --name www.example.test --type AAAA
chk "IPv6 client -> faultd -> IPv6 upstream (truncated over UDP, retried over TCP): 2001:db8::1" \
	test "$(sec an | awk '{print $5}')" = 2001:db8::1 -a "$(val tc)" = 0 || explain

dead=
for n in front blackhole dead dead2 fallback trunc_up via via6; do
	fd_alive $n || dead="$dead $n"
done
chk "every faultd still running" test -z "$dead" || echo "# died:$dead"
t_done
