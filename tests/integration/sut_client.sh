#!/bin/bash
# sut_client.sh -- the shipped SUT against a real faultd, on loopback only.
#
# faultd serves example.test (dynamodb.us-east-1 -> 127.0.0.1, us-west-2 ->
# 127.0.0.2); one dd-http-responder per region answers on the same port of
# each address.  dd-regional-client resolves through faultd (--resolver), in
# each resolver mode (libc, builtin, cares): the primary's A record is
# blanked with faultctl, the client must notice (degraded), fail over
# (/health 200 from us-west-2), fail back and turn healthy once the rule is
# gone.  Also: --no-failover keeps
# /health at 503 during the fault; a resolver that drops queries cannot
# stall the loop past --timeout; connect and HTTP failures are named; a
# silent /health client blocks nobody; SIGTERM exits 0.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

CLIENT=$BUILD_ABS/dd-regional-client
RESP=$BUILD_ABS/dd-http-responder
N1=dynamodb.us-east-1.example.test
N2=dynamodb.us-west-2.example.test
RULE="name=$N1 type=A action=empty negttl=1"

for b in "$CLIENT" "$RESP" "$FAULTD" "$FAULTCTL"; do
	if [ ! -x "$b" ]; then not_ok "$b is built"; t_done; fi
done
command -v curl >/dev/null || { skip "sut client" "curl missing"; t_done; }

PD=$(free_port)
PH=$(free_port); while [ "$PH" = "$PD" ]; do PH=$(free_port); done
PC=$(free_port); while [ "$PC" = "$PD" ] || [ "$PC" = "$PH" ]; do PC=$(free_port); done

cat >"$T/example.zone" <<'EOF'
$ORIGIN example.test.
$TTL 1
@	IN SOA ns1 hostmaster 1 3600 600 86400 1
@	IN NS ns1
ns1	IN A 127.0.0.1
dynamodb.us-east-1	IN A 127.0.0.1
dynamodb.us-west-2	IN A 127.0.0.2
dynamodb.eu-west-1	IN A 127.0.0.3
dynamodb.ap-south-1	IN A 127.0.0.4
EOF
fd_start main "$PD" --zone "$T/example.zone" --control "$T/ctl" || { not_ok "faultd starts"; t_done; }

# ---- the responders ----

# resp_start ADDR PORT NAME ARGS...
resp_start() {
	local addr=$1 port=$2 name=$3; shift 3
	"$RESP" --listen "$addr:$port" --name "$name" "$@" >"$T/resp-$name.log" 2>&1 &
	EXTRA_PIDS+=($!)
	wait_for curl -s -o /dev/null "http://$addr:$port/"
}
resp_start 127.0.0.1 "$PH" us-east-1 --log || not_ok "responder us-east-1 starts"
resp_start 127.0.0.2 "$PH" us-west-2 || not_ok "responder us-west-2 starts"
resp_start 127.0.0.4 "$PH" ap-south-1 --status 503 || not_ok "responder --status 503 starts"

OUT=$(curl -s -i "http://127.0.0.1:$PH/ping")
chk "responder: 200 with body {\"region\":\"us-east-1\"} and a newline" \
	sh -c 'printf "%s" "$1" | head -1 | grep -q "^HTTP/1.0 200" && [ "$(curl -s "$2")" = "{\"region\":\"us-east-1\"}" ] && curl -s "$2" | od -c | grep -q "\\\\n"' \
	_ "$OUT" "http://127.0.0.1:$PH/ping" || explain
chk "responder on 127.0.0.2 names us-west-2" \
	test "$(curl -s "http://127.0.0.2:$PH/any/path")" = '{"region":"us-west-2"}'
code=$(curl -s -o "$T/b" -w '%{http_code}' "http://127.0.0.4:$PH/ping")
chk "responder --status 503 answers 503 naming its region" \
	sh -c '[ "$1" = 503 ] && grep -q "\"region\":\"ap-south-1\"" "$2"' _ "$code" "$T/b"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PH/ping")
chk "responder: POST gets 405" test "$code" = 405
seq 30 | xargs -P 30 -I{} curl -s -m 3 -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$PH/c{}" >"$T/conc" 2>/dev/null
chk "responder: 30 concurrent clients all get 200" \
	test "$(grep -c '^200$' "$T/conc")" = 30
chk "responder --log: one line per request with peer, path, status" \
	grep -Eq '^ts=[0-9]+\.[0-9]{3} event=http peer=127\.0\.0\.1:[0-9]+ method=GET path=/c7 status=200$' "$T/resp-us-east-1.log"
if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
	P6=$(free_port)
	"$RESP" --listen "[::1]:$P6" --listen "127.0.0.1:$P6" --name v6 >/dev/null 2>&1 &
	EXTRA_PIDS+=($!)
	wait_for curl -s -o /dev/null "http://127.0.0.1:$P6/"
	chk "responder: IPv6 and IPv4 listeners together" \
		test "$(curl -s -g "http://[::1]:$P6/")$(curl -s "http://127.0.0.1:$P6/")" = '{"region":"v6"}{"region":"v6"}'
else
	skip "responder: IPv6 listener" "no ::1 on lo"
fi
"$RESP" --help >"$T/o" 2>&1; rc=$?
chk "responder --help: exit 0, shows --listen" sh -c '[ "$1" = 0 ] && grep -q -- --listen "$2"' _ "$rc" "$T/o"
"$RESP" --listen nonsense >/dev/null 2>&1; rc=$?
chk "responder: bad --listen exits 2" test "$rc" = 2

# ---- client helpers ----

CL_PID=; CL_LOG=; CL_RC=
# cl_start TAG ARGS...: the client with the loopback wiring plus ARGS
cl_start() {
	local tag=$1; shift
	CL_LOG=$T/client-$tag.log
	"$CLIENT" --primary "$N1" --secondary "$N2" --port "$PH" \
		--resolver "127.0.0.1:$PD" --interval 100ms --timeout 500ms \
		--health "127.0.0.1:$PC" "$@" >"$CL_LOG" 2>&1 &
	CL_PID=$!
	EXTRA_PIDS+=("$CL_PID")
	wait_for curl -sf -o /dev/null "http://127.0.0.1:$PC/ready"
}
# cl_stop: SIGTERM, at most 2 s to go; exit status in CL_RC
cl_stop() {
	kill -TERM "$CL_PID" 2>/dev/null
	for _ in $(seq 40); do kill -0 "$CL_PID" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$CL_PID" 2>/dev/null && kill -KILL "$CL_PID"
	wait "$CL_PID"; CL_RC=$?
}
# wait_line ERE [AFTER_LINE] [SECONDS]: first line matching after AFTER_LINE;
# its number in LN
wait_line() {
	local re=$1 after=${2:-0} n=$(( ${3:-6} * 20 ))
	for _ in $(seq "$n"); do
		[ -e "$CL_LOG" ] || { sleep 0.05; continue; }
		LN=$(RE=$re awk -v a="$after" 'NR > a && $0 ~ ENVIRON["RE"] { print NR; exit }' "$CL_LOG")
		[ -n "$LN" ] && return 0
		sleep 0.05
	done
	return 1
}
count() { grep -Ec -- "$1" "$CL_LOG"; }
# health: GET /health; status in HCODE, body in OUT
health() {
	HCODE=$(curl -s -m 2 -o "$T/h.json" -w '%{http_code}' "http://127.0.0.1:$PC/health")
	OUT=$(cat "$T/h.json" 2>/dev/null)
}
health_is() { health; [ "$HCODE" = "$1" ] && jqt "$2"; }
showlog() { sed 's/^/#   /' "$CL_LOG" | tail -40; }
fc_rule() { fc rule add "$1"; RULE_ID=$OUT; [ "$RC" = 0 ]; }

# ---- failover and failback, in both resolver modes ----

failover_cycle() {
	local mode=$1 ln_deg ln_fo ln_fb
	cl_start "$mode" --resolver-mode "$mode" || { not_ok "$mode: client starts (/ready)"; showlog; return; }
	chk "$mode: start line names the mode and the resolver" \
		grep -Eq "^ts=0\.[0-9]{3} event=start primary=$N1 primary_label=us-east-1 secondary=$N2 secondary_label=us-west-2 resolver=$mode server=127\.0\.0\.1:$PD failover=true fail_after=3 recover_after=3 interval_ms=100 timeout_ms=500$" "$CL_LOG" || showlog
	chk "$mode: healthy on us-east-1 at start" wait_line '^ts=[0-9.]+ event=healthy region=us-east-1$' || showlog
	chk "$mode: requests go to 127.0.0.1 and succeed" \
		grep -Eq '^ts=[0-9]+\.[0-9]{3} event=request region=us-east-1 ok=true status=200 addr=127\.0\.0\.1 ms=[0-9]+$' "$CL_LOG"
	chk "$mode: /health 200, healthy, served by us-east-1" \
		health_is 200 '.region == "us-east-1" and .state == "healthy" and .served_by == "us-east-1" and .consecutive_failures == 0 and .requests >= 1 and .ok == .requests' || explain

	local base; base=$(wc -l <"$CL_LOG")
	fc_rule "$RULE" || { not_ok "$mode: faultctl rule add"; explain; }
	chk "$mode: degraded noticed on the first NODATA" \
		wait_line '^ts=[0-9.]+ event=degraded region=us-east-1 reason=dns:NODATA failures=1$' "$base" || showlog
	ln_deg=$LN
	chk "$mode: failover to us-west-2 after it" \
		wait_line '^ts=[0-9.]+ event=failover from=us-east-1 to=us-west-2 reason=dns:NODATA failures=3$' "$ln_deg" || showlog
	ln_fo=$LN
	chk "$mode: exactly 3 failed requests (dns:NODATA) between the rule and the failover" \
		test "$(awk -v a="$base" -v b="$ln_fo" 'NR > a && NR < b && /event=request region=us-east-1 ok=false reason=dns:NODATA/' "$CL_LOG" | wc -l)" = 3 || showlog
	chk "$mode: /health 200 from us-west-2, state failed-over" \
		wait_for health_is 200 '.served_by == "us-west-2" and .state == "failed-over" and .failovers == 1' || { health; explain; }
	chk "$mode: requests now go to 127.0.0.2" \
		wait_line '^ts=[0-9.]+ event=request region=us-west-2 ok=true status=200 addr=127\.0\.0\.2 ' "$ln_fo"
	chk "$mode: the primary is probed while failed over (and still fails)" \
		wait_line '^ts=[0-9.]+ event=probe region=us-east-1 ok=false reason=dns:NODATA ' "$ln_fo"
	chk "$mode: no failback while the fault holds" sh -c '! grep -q event=failback "$1"' _ "$CL_LOG"

	base=$(wc -l <"$CL_LOG")
	fc rule del "$RULE_ID"
	chk "$mode: failback once the rule is deleted" \
		wait_line '^ts=[0-9.]+ event=failback from=us-west-2 to=us-east-1 probes=3$' "$base" || showlog
	ln_fb=$LN
	chk "$mode: 3 good probes of us-east-1 before the failback" \
		test "$(awk -v a="$base" -v b="$ln_fb" 'NR > a && NR < b && /event=probe region=us-east-1 ok=true/' "$CL_LOG" | wc -l)" -ge 3
	chk "$mode: healthy on us-east-1 after the failback" \
		wait_line '^ts=[0-9.]+ event=healthy region=us-east-1$' "$ln_fb" || showlog
	chk "$mode: /health 200 from us-east-1, healthy, 1 failover, 1 failback" \
		wait_for health_is 200 '.served_by == "us-east-1" and .state == "healthy" and .failovers == 1 and .failbacks == 1' || { health; explain; }
	chk "$mode: ts strictly formatted and non-decreasing" \
		awk '!/^ts=[0-9]+\.[0-9][0-9][0-9] event=[a-z]+( |$)/ { exit 1 } { t = substr($1, 4) + 0; if (t < last) exit 1; last = t }' "$CL_LOG" || showlog
	cl_stop
	chk "$mode: SIGTERM exits 0 promptly, with a stop line" \
		sh -c '[ "$1" = 0 ] && tail -1 "$2" | grep -Eq "event=stop signal=TERM$"' _ "$CL_RC" "$CL_LOG" || showlog
}
failover_cycle libc
failover_cycle builtin
failover_cycle cares

# ---- --no-failover: /health stays 503 during the fault ----

cl_start nofo --no-failover --resolver-mode libc || not_ok "no-failover: client starts"
wait_line '^ts=[0-9.]+ event=healthy region=us-east-1$' >/dev/null
base=$(wc -l <"$CL_LOG")
fc_rule "$RULE"
chk "no-failover: degraded noticed" wait_line 'event=degraded region=us-east-1 reason=dns:NODATA failures=1$' "$base" || showlog
wait_line 'event=request region=us-east-1 ok=false' "$LN" >/dev/null
bad=0
for _ in 1 2 3 4 5 6; do
	health_is 503 '.state == "degraded" and .served_by == "us-east-1" and .last_reason == "dns:NODATA"' || { bad=1; explain; }
	sleep 0.15
done
chk "no-failover: /health 503, degraded, served_by us-east-1 throughout the fault" test "$bad" = 0
chk "no-failover: at least 6 failed requests and never a failover" \
	sh -c '[ "$(grep -c "event=request region=us-east-1 ok=false" "$1")" -ge 6 ] && ! grep -Eq "event=failover|region=us-west-2" "$1"' _ "$CL_LOG" || showlog
health
chk "no-failover: consecutive_failures counts the streak (>= 6)" jqt '.consecutive_failures >= 6' || explain
base=$(wc -l <"$CL_LOG")
fc rule del "$RULE_ID"
chk "no-failover: healthy again after the rule is deleted" \
	wait_line '^ts=[0-9.]+ event=healthy region=us-east-1$' "$base" || showlog
chk "no-failover: /health back to 200" wait_for health_is 200 '.state == "healthy"'
cl_stop

# ---- a resolver that never answers cannot stall the loop ----

cl_start hang --resolver-mode libc --timeout 400ms || not_ok "hang: client starts"
wait_line '^ts=[0-9.]+ event=healthy region=us-east-1$' >/dev/null
# a silent health client holds a connection open the whole time
exec 3<>"/dev/tcp/127.0.0.1/$PC"
base=$(wc -l <"$CL_LOG")
fc_rule "name=$N1 action=drop"
chk "hang: requests fail with dns:timeout" \
	wait_line 'event=request region=us-east-1 ok=false reason=dns:timeout ms=[0-9]+$' "$base" || showlog
# a loop blocked in a lookup would answer after glibc's 5 s timeout: 1.5 s
# is far from that and wide enough for a loaded CI machine (the health
# check itself is curl's start-up plus one request)
t0=$(date +%s%N)
health
t1=$(date +%s%N)
chk "hang: /health answers at once (< 1500 ms, got $(( (t1 - t0) / 1000000 )) ms) while lookups hang and a silent client is connected" \
	sh -c '[ "$1" = 503 ] || [ "$1" = 200 ]; [ $(( ($3 - $2) / 1000000 )) -lt 1500 ]' _ "$HCODE" "$t0" "$t1"
chk "hang: failover on dns:timeout" \
	wait_line 'event=failover from=us-east-1 to=us-west-2 reason=dns:timeout failures=3$' "$base" || showlog
chk "hang: every timed-out request gave up at --timeout (400 ms, +300 ms slack)" \
	awk '/ok=false reason=dns:timeout/ { n++; split($NF, m, "="); if (m[2] + 0 < 390 || m[2] + 0 > 700) bad = 1 } END { exit !(n >= 3 && !bad) }' "$CL_LOG" || showlog
chk "hang: requests keep their pace (gaps <= timeout + interval + 700 ms; glibc alone would wait 5 s)" \
	awk '/event=request /{ t = substr($1, 4) + 0; if (last && t - last > 1.2) bad = 1; last = t } END { exit bad }' "$CL_LOG" || showlog
chk "hang: /health 200 from us-west-2" wait_for health_is 200 '.served_by == "us-west-2"' || explain
exec 3>&-
fc clear
chk "hang: failback after the drop rule is cleared" \
	wait_line 'event=failback from=us-west-2 to=us-east-1' "$base" || showlog
cl_stop
chk "hang: SIGTERM exits 0 even with lookups still in threads" test "$CL_RC" = 0

# ---- connect and HTTP failures are named ----

CL_LOG=$T/client-refused.log
"$CLIENT" --primary dynamodb.eu-west-1.example.test --no-failover --port "$PH" \
	--resolver "127.0.0.1:$PD" --resolver-mode builtin --interval 50ms --timeout 500ms >"$CL_LOG" 2>&1 &
CL_PID=$!; EXTRA_PIDS+=("$CL_PID")
chk "nobody listening: reason=connect:ECONNREFUSED" \
	wait_line '^ts=[0-9.]+ event=request region=eu-west-1 ok=false reason=connect:ECONNREFUSED ms=[0-9]+$' || showlog
cl_stop
CL_LOG=$T/client-503.log
"$CLIENT" --primary dynamodb.ap-south-1.example.test --port "$PH" \
	--resolver "127.0.0.1:$PD" --family 4 --interval 50ms >"$CL_LOG" 2>&1 &
CL_PID=$!; EXTRA_PIDS+=("$CL_PID")
check_503() {
	wait_line 'event=degraded region=ap-south-1 reason=http:503 failures=1$' &&
		wait_line 'event=request region=ap-south-1 ok=false reason=http:503' "$LN" &&
		! grep -q 'event=failover' "$CL_LOG"
}
chk "endpoint answers 503: reason=http:503, degraded, no failover without --secondary" \
	check_503 || showlog
cl_stop

# ---- command line ----

"$CLIENT" --help >"$T/o" 2>&1; rc=$?
chk "client --help: exit 0, shows --primary and --resolver-mode" \
	sh -c '[ "$1" = 0 ] && grep -q -- --primary "$2" && grep -q -- --resolver-mode "$2"' _ "$rc" "$T/o"
out=$("$CLIENT" --version 2>&1); rc=$?
chk "client --version: exit 0, names itself" test "$rc" = 0 -a "${out#dd-regional-client }" != "$out"
"$CLIENT" --secondary "$N2" >"$T/o" 2>&1; rc=$?
chk "client without --primary: exit 2, says so" sh -c '[ "$1" = 2 ] && grep -q -- --primary "$2"' _ "$rc" "$T/o"
"$CLIENT" --primary "$N1" --interval soon >"$T/o" 2>&1; rc=$?
chk "client bad --interval: exit 2 naming it" sh -c '[ "$1" = 2 ] && grep -q -- --interval "$2"' _ "$rc" "$T/o"
"$CLIENT" --primary "$N1" --resolver-mode libc --resolver '[::1]:53' >"$T/o" 2>&1; rc=$?
chk "client: libc mode refuses an IPv6 --resolver (exit 2)" test "$rc" = 2
printf '# no nameserver here\n' >"$T/resolv.conf"
"$CLIENT" --primary "$N1" --resolver-mode builtin --resolv-conf "$T/resolv.conf" >"$T/o" 2>&1; rc=$?
chk "client builtin: resolv.conf without a nameserver is an error naming the file (exit 2)" \
	sh -c '[ "$1" = 2 ] && grep -q "resolv.conf" "$2"' _ "$rc" "$T/o"
chk "faultd is still alive" fd_alive main
t_done
