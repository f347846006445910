#!/bin/bash
# faultd_actions.sh -- every fault action over UDP and TCP, authoritative
# answers from a zone file, IPv4 and IPv6 listeners.  Queries are made with
# it_dnsq (ldns) and, for the truncate -> TCP retry, with kdig as well.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

P=$(free_port)
write_zone "$T/ex.zone"
fd_start main "$P" --listen "[::1]:$P" --zone "$T/ex.zone" --control "$T/ctl" \
	--rule 'name=pass.example.test action=pass' \
	--rule 'name=empty.example.test action=empty' \
	--rule 'name=nxdomain.example.test action=nxdomain' \
	--rule 'name=servfail.example.test action=servfail' \
	--rule 'name=refused.example.test action=refused' \
	--rule 'name=formerr.example.test action=formerr' \
	--rule 'name=drop.example.test action=drop' \
	--rule 'name=trunc.example.test action=truncate' \
	--rule 'name=answer.example.test action=answer:198.18.0.7,198.18.0.8,fd00::7' \
	--rule 'name=ttl.example.test ttl=7' \
	--rule 'name=negttl.example.test action=nxdomain negttl=5' \
	--rule 'name=nosoa.example.test action=empty soa=no' \
	--rule 'name=*.synth.invalid action=nxdomain negttl=9' \
	|| { not_ok "faultd starts"; t_done; }
ok "faultd starts on 127.0.0.1 and ::1 with a zone and 13 rules"

S4=127.0.0.1:$P
S6="[::1]:$P"
for tr in udp tcp; do
	flag=; [ $tr = tcp ] && flag=--tcp

	# --- authoritative answers from the zone ---
	dq --server $S4 $flag --name www.example.test --type A
	chk "$tr: zone A: NOERROR, AA, 1 answer 192.0.2.1 TTL 300" \
		test "$(val rcode)" = NOERROR -a "$(val flags)" = "qr,aa,rd," \
		-a "$(val an)" = 1 -a "$(sec an | awk '{print $2, $5}')" = "300 192.0.2.1" \
		-a "$(val transport)" = $tr || explain
	dq --server $S4 $flag --name www.example.test --type AAAA
	chk "$tr: zone AAAA: 2001:db8::1" test "$(sec an | awk '{print $4, $5}')" = "AAAA 2001:db8::1"
	dq --server $S4 $flag --name nope.example.test --type A
	chk "$tr: zone NXDOMAIN with AA and the zone SOA in authority" \
		test "$(val rcode)" = NXDOMAIN -a "$(val flags)" = "qr,aa,rd," -a "$(val an)" = 0 \
		-a "$(sec ns | awk '{print $1, $4, $NF}')" = "example.test. SOA 120" || explain
	dq --server $S4 $flag --name www.example.test --type TXT
	chk "$tr: zone NODATA: NOERROR, AA, no answer, SOA in authority" \
		test "$(val rcode)" = NOERROR -a "$(val an)" = 0 -a "$(val flags)" = "qr,aa,rd," \
		-a "$(sec ns | awk '{print $4}')" = SOA || explain
	dq --server $S4 $flag --name alias.example.test --type A
	chk "$tr: zone CNAME inside the zone is followed (CNAME then A)" \
		test "$(sec an | awk '{print $4 "/" $5}' | tr '\n' ' ')" = "CNAME/www.example.test. A/192.0.2.1 " || explain
	dq --server $S4 $flag --name www.not-ours.test --type A
	chk "$tr: a name outside the zones with no upstream: REFUSED" test "$(val rcode)" = REFUSED

	# --- actions ---
	dq --server $S4 $flag --name pass.example.test
	chk "$tr: action=pass: the zone's answer, AA" \
		test "$(val rcode)" = NOERROR -a "$(sec an | awk '{print $5}')" = 192.0.2.10 -a "$(val flags)" = "qr,aa,rd,"
	dq --server $S4 $flag --name empty.example.test
	chk "$tr: action=empty: NOERROR, no answer, zone SOA in authority" \
		test "$(val rcode)" = NOERROR -a "$(val an)" = 0 -a "$(val ns)" = 1 \
		-a "$(sec ns | awk '{print $1, $4}')" = "example.test. SOA" || explain
	dq --server $S4 $flag --name nxdomain.example.test
	chk "$tr: action=nxdomain: NXDOMAIN (name exists in the zone), SOA in authority" \
		test "$(val rcode)" = NXDOMAIN -a "$(val an)" = 0 -a "$(val ns)" = 1 || explain
	for a in servfail refused formerr; do
		dq --server $S4 $flag --name $a.example.test
		A=$(echo $a | tr a-z A-Z)
		chk "$tr: action=$a: rcode $A, no records, question echoed" \
			test "$(val rcode)" = "$A" -a "$(val an)$(val ns)" = 00 \
			-a "$(val question)" = "$a.example.test. A" || explain
	done
	dq --server $S4 $flag --name drop.example.test --timeout 400
	chk "$tr: action=drop: no reply at all" test "$RC" = 1 -a "$OUT" != "${OUT#timeout}"
	dq --server $S4 $flag --name answer.example.test --type A
	chk "$tr: action=answer: the two A records given, TTL 60, AA" \
		test "$(sec an | awk '{print $5}' | sort | tr '\n' ' ')" = "198.18.0.7 198.18.0.8 " \
		-a "$(val ttl_min)$(val ttl_max)" = 6060 -a "$(val flags)" = "qr,aa,rd," || explain
	dq --server $S4 $flag --name answer.example.test --type AAAA
	chk "$tr: action=answer: AAAA gets the IPv6 address" test "$(sec an | awk '{print $4, $5}')" = "AAAA fd00::7"
	dq --server $S4 $flag --name answer.example.test --type MX
	chk "$tr: action=answer: other types get NODATA" test "$(val rcode)" = NOERROR -a "$(val an)" = 0
	dq --server $S4 $flag --name ttl.example.test
	chk "$tr: ttl=7 rewrites the zone answer's TTL" \
		test "$(val ttl_min)$(val ttl_max)" = 77 -a "$(sec an | awk '{print $5}')" = 192.0.2.2 || explain
	dq --server $S4 $flag --name negttl.example.test
	chk "$tr: negttl=5: SOA TTL and MINIMUM are 5" \
		test "$(val rcode)" = NXDOMAIN -a "$(sec ns | awk '{print $2, $NF}')" = "5 5" || explain
	dq --server $S4 $flag --name nosoa.example.test
	chk "$tr: soa=no: empty reply without SOA" \
		test "$(val rcode)" = NOERROR -a "$(val an)$(val ns)" = 00 || explain
	dq --server $S4 $flag --name a.b.synth.invalid --type A
	chk "$tr: wildcard rule outside any zone: synthesized NXDOMAIN, SOA at the suffix, negttl 9" \
		test "$(val rcode)" = NXDOMAIN -a "$(sec ns | awk '{print $1, $2, $NF}')" = "synth.invalid. 9 9" || explain
done

# --- truncate: UDP gets TC, TCP passes, clients retry ---
dq --server $S4 --name trunc.example.test
chk "udp: action=truncate: TC set, no answer records" test "$(val tc)" = 1 -a "$(val an)" = 0 || explain
dq --server $S4 --tcp --name trunc.example.test
chk "tcp: action=truncate passes over TCP: the zone's answer" \
	test "$(val tc)" = 0 -a "$(sec an | awk '{print $5}')" = 192.0.2.3 || explain
dq --server $S4 --name trunc.example.test --tc-retry
chk "it_dnsq: truncated UDP answer retried over TCP succeeds" \
	test "$(val tc_retry)" = 1 -a "$(val transport)" = tcp -a "$(val an)" = 1 || explain
OUT=$(kdig @127.0.0.1 -p "$P" +retry=0 +timeout=2 trunc.example.test A 2>&1)
chk "kdig: truncated UDP reply makes it retry over TCP, which answers 192.0.2.3" \
	sh -c 'printf "%s\n" "$1" | grep -q "(TCP)" && printf "%s\n" "$1" | grep -q "192.0.2.3" && printf "%s\n" "$1" | grep -q "status: NOERROR"' _ "$OUT" || explain
OUT=$(drill -p "$P" nxdomain.example.test @127.0.0.1 2>&1)
chk "drill (ldns) sees the nxdomain action" grep -q "rcode: NXDOMAIN" <<<"$OUT"

# --- IPv6 listener ---
dq --server "$S6" --name www.example.test
chk "::1 udp: zone answer" test "$(sec an | awk '{print $5}')" = 192.0.2.1
dq --server "$S6" --tcp --name servfail.example.test
chk "::1 tcp: rules apply (servfail)" test "$(val rcode)" = SERVFAIL
dq --server "$S6" --name nope.example.test --edns 1232 --do
chk "::1 udp with EDNS: NXDOMAIN carries SOA and an OPT record" \
	test "$(val rcode)" = NXDOMAIN -a "$(val edns)" = 1 -a "$(val ns)" = 1 || explain

# --- counters reflect what happened ---
fc stats --json
chk "stats --json parses and counts actions (servfail>=3, drop>=2, truncate>=2)" \
	jqt '.actions.servfail >= 3 and .actions.drop >= 2 and .actions.truncate >= 2 and .authoritative > 0' || explain
chk "faultd still running" fd_alive main
t_done
