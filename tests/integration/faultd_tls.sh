#!/bin/bash
# faultd_tls.sh -- faultd as a standalone server, on loopback: the TLS
# control channel and the metrics endpoint.
#   - certificates made here with the openssl CLI: a CA, faultd's
#     certificate (SAN faultd.test and 127.0.0.1), a client certificate the
#     CA signed, and one another CA signed;
#   - faultctl --connect with the good certificate: ping, rule add, stats;
#     with --tls-name checked (a wrong name refused by the client);
#   - refused: no client certificate (openssl s_client), the other CA's
#     certificate, a plain TCP client (gets not one byte); each refusal is
#     logged with the client's address, and faultd keeps answering DNS
#     (kdig);
#   - metrics: after 50 queries, 10 of them hitting a servfail rule, the
#     endpoint says 50 and 10, and every counter of `faultctl stats` has
#     the same value there; a malformed request gets 400, another path
#     404, POST 405, and faultd keeps running;
#   - bad configuration is a startup error naming the file (a key of
#     another certificate, a missing certificate, a CA file without one);
#   - deploy/systemd/faultd.service passes systemd-analyze verify, with a
#     low exposure level (systemd-analyze security).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

command -v openssl >/dev/null || { skip "faultd TLS" "no openssl CLI"; t_done; }
command -v curl >/dev/null || { skip "faultd metrics" "no curl"; t_done; }

# ---- certificates
C=$T/tls
mkdir -p "$C"
gen_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$C/$1.key" 2>/dev/null; }
gen_ca() {   # gen_ca NAME CN
	gen_key "$1"
	openssl req -x509 -new -key "$C/$1.key" -subj "/CN=$2" -days 2 -out "$C/$1.pem" 2>/dev/null
}
gen_leaf() { # gen_leaf NAME CN CA [SAN]
	gen_key "$1"
	openssl req -new -key "$C/$1.key" -subj "/CN=$2" -out "$C/$1.csr" 2>/dev/null
	if [ -n "${4:-}" ]; then printf 'subjectAltName=%s\n' "$4" >"$C/$1.ext"; else : >"$C/$1.ext"; fi
	openssl x509 -req -in "$C/$1.csr" -CA "$C/$3.pem" -CAkey "$C/$3.key" -CAcreateserial \
		-days 2 -extfile "$C/$1.ext" -out "$C/$1.pem" 2>/dev/null
}
gen_ca ca "dnsdrill test CA"
gen_ca other "another CA"
gen_leaf server faultd.test ca "DNS:faultd.test,IP:127.0.0.1"
gen_leaf good harness ca
gen_leaf bad intruder other
check "openssl made the certificates" test -s "$C/server.pem" -a -s "$C/good.pem" -a -s "$C/bad.pem"

# ---- faultd with a TLS control channel and metrics
P=$(free_port); CP=$(free_port); MP=$(free_port)
S=127.0.0.1:$P
write_zone "$T/ex.zone"
fd_start main "$P" --zone "$T/ex.zone" --control-tls "127.0.0.1:$CP" \
	--tls-cert "$C/server.pem" --tls-key "$C/server.key" --tls-ca "$C/ca.pem" \
	--metrics "127.0.0.1:$MP" || { not_ok "faultd starts"; t_done; }
wait_for ss -Hlnt "sport = :$CP" && wait_for ss -Hlnt "sport = :$MP"
LOG=$T/main.log

# fct CERT ARGS...: faultctl over TLS with CERT's certificate and key
fct() {
	local cert=$1; shift
	OUT=$("$FAULTCTL" --connect "127.0.0.1:$CP" --tls-cert "$C/$cert.pem" \
		--tls-key "$C/$cert.key" --tls-ca "$C/ca.pem" "$@" 2>&1); RC=$?
	return 0
}

fct good ping
chk "faultctl --connect with a certificate the CA signed: ping, pong" \
	test "$RC" = 0 -a "$OUT" = pong || explain
fct good --tls-name faultd.test rule add 'name=servfail.example.test action=servfail'
RID=$OUT
chk "rule add over TLS (server name checked): an id" \
	test "$RC" = 0 -a -n "$RID" -a "$RID" -eq "$RID" 2>/dev/null || explain
fct good --tls-name not-faultd.test ping
chk "a server name the certificate does not carry: refused by faultctl (exit 3)" \
	test "$RC" = 3 || explain
grep -q "hostname mismatch" <<<"$OUT"; chk "... saying why" test $? = 0 || explain
chk "the log names the accepted client" grep -q "client certificate /CN=harness accepted" "$LOG"

# ---- refused clients
fct bad rule add 'action=drop'
chk "a certificate from another CA: refused (exit 3)" test "$RC" = 3 || explain
grep -q "TLS" <<<"$OUT"; chk "... faultctl says it was TLS" test $? = 0 || explain
chk "faultd logs the refusal with the client's address" \
	grep -qE "control-tls: refused 127\.0\.0\.1:[0-9]+: certificate verify failed" "$LOG"

out=$( (printf 'rule add action=drop\n'; sleep 1) | timeout 10 openssl s_client -quiet \
	-connect "127.0.0.1:$CP" -CAfile "$C/ca.pem" 2>&1)
chk "no client certificate: no reply" test -z "$(grep -E '^(OK|ERR|[0-9]+$)' <<<"$out")"
chk "faultd logs it (peer did not return a certificate)" \
	wait_for grep -qE "refused 127\.0\.0\.1:[0-9]+: peer did not return a certificate" "$LOG"

out=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$CP; printf 'ping\nrule add action=drop\n' >&3; cat <&3" 2>/dev/null | wc -c)
chk "a plain TCP client gets not one byte" test "$out" = 0
chk "faultd logs the plain client" wait_for grep -qE "refused 127\.0\.0\.1:[0-9]+: (wrong version number|http request|unexpected eof)" "$LOG"

fct good rule list
chk "after the refusals: still exactly the one rule" test "$RC" = 0 -a "$(wc -l <<<"$OUT")" = 1 || explain

# ---- counters: 50 queries, 10 of them hit the servfail rule (no query
# was sent before this point)
for i in $(seq 50); do
	if [ $((i % 5)) = 0 ]; then n=servfail.example.test; else n=www.example.test; fi
	"$DNSQ" --server "$S" --name "$n" --timeout 2000 >/dev/null 2>&1
done
fct good stats
STATS=$OUT
M=$(curl -sS --max-time 5 "http://127.0.0.1:$MP/metrics")
# mval SERIES: the value of the sample line that starts with SERIES (label
# values may hold spaces: the value is the last field)
mval() { awk -v k="$1 " 'index($0, k) == 1 { print $NF; exit }' <<<"$M"; }
chk "stats: queries 50" test "$(awk '$1 == "queries" {print $2}' <<<"$STATS")" = 50 || echo "$STATS" | sed 's/^/#   /'
chk "metrics: faultd_queries_total 50" test "$(mval faultd_queries_total)" = 50
chk "metrics: faultd_actions_total{action=\"servfail\"} 10" \
	test "$(mval 'faultd_actions_total{action="servfail"}')" = 10
chk "metrics: the rule's hits are 10" \
	test "$(mval "faultd_rule_hits_total{id=\"$RID\",rule=\"name=servfail.example.test action=servfail\"}")" = 10
chk "metrics: client 127.0.0.1 sent 50" \
	test "$(mval 'faultd_client_queries_total{client="127.0.0.1"}')" = 50
# every counter faultctl shows, the same in the metrics
bad=""; n=0
while read -r k v; do
	case "$k" in
	action.*) m="faultd_actions_total{action=\"${k#action.}\"}" ;;
	rule.*) m=$(grep -F "faultd_rule_hits_total{id=\"${k#rule.}\"," <<<"$M" | sed 's/ [0-9]*$//') ;;
	client.other) m='faultd_client_queries_total{client="other"}' ;;
	client.*) m="faultd_client_queries_total{client=\"${k#client.}\"}" ;;
	*) if grep -q "^faultd_${k}_total " <<<"$M"; then m=faultd_${k}_total; else m=faultd_$k; fi ;;
	esac
	got=$(mval "$m")
	n=$((n + 1))
	[ "$got" = "$v" ] || bad="$bad $k=$v/metrics:${got:-none}"
done <<<"$STATS"
chk "all $n counters of faultctl stats equal the metrics'${bad:+:$bad}" test -z "$bad" -a "$n" -ge 30
chk "metrics: Content-Type text/plain; version=0.0.4" \
	grep -qi '^content-type: text/plain; version=0.0.4' <<<"$(curl -sS -D - -o /dev/null "http://127.0.0.1:$MP/metrics")"
chk "metrics: a HELP and a TYPE line for faultd_queries_total" \
	test "$(grep -c -e '^# HELP faultd_queries_total ' -e '^# TYPE faultd_queries_total counter$' <<<"$M")" = 2

# ---- bad requests
first() { timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$MP; printf '$1' >&3; head -1 <&3" | tr -d '\r'; }
chk "a malformed request: 400" test "$(first 'GARBAGE\r\n\r\n')" = "HTTP/1.1 400 Bad Request"
chk "binary bytes: 400" test "$(first '\x16\x03\x01\x00\x05hello')" = "HTTP/1.1 400 Bad Request"
chk "another path: 404" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MP/")" = 404
chk "POST: 405" test "$(curl -s -o /dev/null -w '%{http_code}' -d x "http://127.0.0.1:$MP/metrics")" = 405
chk "faultd keeps running" fd_alive main
chk "... and serving metrics" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MP/metrics")" = 200
out=$(kdig @127.0.0.1 -p "$P" www.example.test A +short +timeout=2 +retry=1 2>&1)
chk "... and answering DNS (kdig)" test "$out" = 192.0.2.1 || echo "# $out"
out=$(kdig @127.0.0.1 -p "$P" servfail.example.test A +timeout=2 +retry=1 2>&1)
grep -q "status: SERVFAIL" <<<"$out"; chk "... with the rule added over TLS (SERVFAIL)" test $? = 0

# ---- bad configuration: a startup error naming the file
start_err() {   # start_err ARGS...: faultd's exit code and stderr
	OUT=$(timeout 10 "$FAULTD" --listen "127.0.0.1:$(free_port)" --control-tls "127.0.0.1:$(free_port)" "$@" 2>&1); RC=$?
}
start_err --tls-cert "$C/server.pem" --tls-key "$C/good.key" --tls-ca "$C/ca.pem"
chk "a key of another certificate: exit 1, both files named" \
	test "$RC" = 1 -a -n "$(grep -F "$C/good.key does not match the certificate $C/server.pem" <<<"$OUT")" || explain
start_err --tls-cert "$C/none.pem" --tls-key "$C/server.key" --tls-ca "$C/ca.pem"
chk "a missing certificate: exit 1, named" \
	test "$RC" = 1 -a -n "$(grep -F "$C/none.pem: No such file or directory" <<<"$OUT")" || explain
start_err --tls-cert "$C/server.pem" --tls-key "$C/server.key" --tls-ca "$T/ex.zone"
chk "a CA file without a certificate: exit 1, named" \
	test "$RC" = 1 -a -n "$(grep -F "TLS CA file $T/ex.zone" <<<"$OUT")" || explain
start_err --tls-cert "$C/server.pem" --tls-ca "$C/ca.pem"
chk "--control-tls without --tls-key: usage error (exit 2)" test "$RC" = 2 || explain

# ---- the systemd unit parses (with ExecStart pointing at this build)
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/unit"
	sed "s#/usr/local/bin/faultd#$FAULTD#" deploy/systemd/faultd.service >"$T/unit/faultd.service"
	out=$(systemd-analyze verify --man=no "$T/unit/faultd.service" 2>&1); rc=$?
	chk "systemd-analyze verify deploy/systemd/faultd.service" test "$rc" = 0 -a -z "$out" || echo "# $out"
	lvl=$(systemd-analyze security --offline=yes "$T/unit/faultd.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for faultd.service: \([0-9.]*\).*/\1/p')
	chk "the unit's exposure level is low (${lvl:-?} <= 2.5)" fle "${lvl:-99}" 2.5
else
	skip "systemd-analyze verify" "no systemd-analyze"
fi
t_done
