#!/bin/bash
# tests/run.sh: parallel
# remote.sh -- a scenario drives a faultd it did not start, from a
# scenario without a topology (scenario { topology = false }).  The remote
# side is emulated inside namespaces this test makes (198.18.77.0/24 on a
# veth pair): faultd runs in one, started here; dnsdrill runs inside the
# other (ip netns exec), so no packet leaves namespaces the test made.
# Asserts: the verdict and metrics of scenarios/examples/remote-gameday.lua
# (the probe saw the fault window; dns_stats and authority from the remote
# in result.json; its version recorded); afterwards the remote has exactly
# the rule it had before and still runs; an interrupted run (SIGINT while a
# fault and live zone changes hold) takes its rule and zone changes back;
# a remote that does not answer is a clear exit 3; `check` refuses the bad
# combinations naming the field and file:line; the same game day over TLS
# (faultd --control-tls, a client certificate) passes and cleans up, and a
# certificate from another CA is refused.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
set -u
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
FAULTD=$B/faultd
FAULTCTL=$B/faultctl
DNSQ=$B/tests/it_dnsq
T=$(mktemp -d /tmp/dd-it-remote.XXXXXX)
SRV=dd-it-remote-srv-$$
CLI=dd-it-remote-cli-$$
FPID=
cleanup() {
	[ -n "${KEEP:-}" ] && { echo "# kept $T"; return; }
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null && wait "$FPID" 2>/dev/null
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
jqt() { jq -e "$1" "$2" >/dev/null 2>&1; }
fc() { OUT=$("$FAULTCTL" --control "$T/ctl" "$@" 2>&1); RC=$?; }
# the rules faultd lists, without ids and hits
rules() { fc rule list; printf '%s\n' "$OUT" | cut -f3 | sed '/^$/d'; }

ip netns add "$SRV" && ip netns add "$CLI" &&
	ip link add "ddrs$$" netns "$SRV" type veth peer name "ddrc$$" netns "$CLI" &&
	ip -n "$SRV" addr add 198.18.77.1/24 dev "ddrs$$" && ip -n "$SRV" link set "ddrs$$" up &&
	ip -n "$CLI" addr add 198.18.77.10/24 dev "ddrc$$" && ip -n "$CLI" link set "ddrc$$" up &&
	ip -n "$SRV" link set lo up && ip -n "$CLI" link set lo up ||
	{ not_ok "the test's namespaces"; t_done; }

cat >"$T/ex.zone" <<'Z'
$ORIGIN example.test.
$TTL 300
@	IN SOA ns1 hostmaster 1 3600 600 86400 1
@	IN NS ns1
ns1	IN A 198.18.77.1
www	IN A 192.0.2.1
fast	IN A 192.0.2.5
ttl	IN A 192.0.2.2
Z
ip netns exec "$SRV" "$FAULTD" --listen 198.18.77.1:53 --zone "$T/ex.zone" \
	--control "$T/ctl" >"$T/faultd.log" 2>&1 &
FPID=$!
for _ in $(seq 100); do fc ping; [ "$RC" = 0 ] && break; sleep 0.05; done
check "the remote faultd answers on its control socket" test "$RC" = 0
# the operator's own rule: not the run's to touch
fc rule add 'name=keep.example.test action=refused'
BEFORE=$(rules)
q() { ip netns exec "$CLI" "$DNSQ" --server 198.18.77.1:53 --name "$1" ${2:+--type $2} --timeout 1000; }

# 1. the example game day, run from inside the client namespace
ip netns exec "$CLI" "$DD" run scenarios/examples/remote-gameday.lua --out "$T/run1" --quiet \
	--seed 7 --set control="$T/ctl" --set server=198.18.77.1 --set name=www.example.test \
	--set fault_at=1 --set fault_for=2 >"$T/run1.out" 2>&1
rc=$?
R=$T/run1/result.json
check "remote-gameday run exits 0 (pass) (rc $rc)" test "$rc" = 0 || sed 's/^/#   /' "$T/run1.out"
check "verdict pass" test "$(jq -r .verdict "$R")" = pass
dur=$(jq -r '.fault.end_ms - .fault.start_ms' "$R")
check "the fault window is the 2 s the timeline held (${dur} ms)" test "$dur" -ge 1800 -a "$dur" -le 2600
check "the probe saw it: detection within 0.5 s, recovery within 1 s" \
	jqt '.metrics.detection_s >= 0 and .metrics.detection_s <= 0.5 and .metrics.recovery_s >= 0 and .metrics.recovery_s <= 1' "$R"
check "availability over the fault window is low (the remote's fault was seen)" \
	jqt '.metrics.availability < 0.5' "$R"
check "dns_stats of the remote: readings at start, inject, clear and end" \
	jqt '.dns_stats.edge | map(.why) as $w | ($w | index("start")) and ($w | index("inject")) and ($w | index("clear")) and ($w | index("end"))' "$R"
check "authority: the remote counted the probe's queries during the fault" \
	jqt '.authority.edge.queries > 5 and .authority.edge.baseline_queries > 2' "$R" || jq -c '.authority' "$R" | sed 's/^/#   /'
check "versions records the remote faultd" jqt '.versions.edge | length > 0' "$R"
check "the probe ran from here (no host) and no network was built" \
	sh -c '! grep -q "network up" "$1" && jq -e ".probes[0].host == null" "$2" >/dev/null' _ "$T/run1.out" "$R"
check "after the run the remote has exactly the rule it had before" test "$(rules)" = "$BEFORE"
answers() { kill -0 "$FPID" && q "$1" A | grep -q "^an=1"; }
check "the remote faultd still runs and answers" answers www.example.test
check "nothing of the run outside its folder: the control socket is still faultd's" \
	test -S "$T/ctl"

# 2. interrupted: SIGINT while the fault and two zone changes hold
ip netns exec "$CLI" "$DD" run tests/scenarios/remote-interrupt.lua --out "$T/run2" \
	--set control="$T/ctl" --set server=198.18.77.1 >"$T/run2.out" 2>&1 &
pid=$!
for _ in $(seq 200); do
	[ "$(rules | wc -l)" -ge 2 ] && ! q fast.example.test A | grep -q '^an=1' && break
	sleep 0.05
done
check "mid-run the fault and the record deletion hold on the remote" \
	sh -c '[ "$(echo "$1" | wc -l)" -ge 2 ]' _ "$(rules)"
for _ in $(seq 40); do q ttl.example.test A | grep -q '^ttl_min=7$' && break; sleep 0.05; done
check "mid-run the TTL change holds (ttl.example.test 7 s)" \
	sh -c 'printf "%s" "$1" | grep -q "^ttl_min=7$"' _ "$(q ttl.example.test A)"
kill -INT "$pid"
wait "$pid"
rc=$?
check "the interrupted run exits 3 (rc $rc)" test "$rc" = 3
check "its verdict is error" test "$(jq -r .verdict "$T/run2/result.json")" = error
check "after SIGINT the remote has exactly the rule it had before" test "$(rules)" = "$BEFORE" ||
	sed 's/^/#   /' "$T/run2.out"
check "the deleted record is back (zone reset)" answers fast.example.test
check "the TTL change is gone too (zone reset found ttl.example.test.'s zone)" \
	sh -c 'printf "%s" "$1" | grep -q "^ttl_min=300"' _ "$(q ttl.example.test A)"
check "the remote faultd still runs" kill -0 "$FPID"
spid=$(sed -n 's/.*started sut on host (here) (pid \([0-9]*\)).*/\1/p' "$T/run2/sut.stdout" "$T/run2.out" 2>/dev/null | head -1)
check "a process without a topology ran here and was stopped with the run" \
	sh -c '[ -n "$1" ] && ! kill -0 "$1" 2>/dev/null && grep -qx up "$2"' _ "$spid" "$T/run2/sut.stdout"


# 3. a remote that does not answer: exit 3 naming it
ip netns exec "$CLI" "$DD" run tests/scenarios/remote-interrupt.lua --out "$T/run3" --quiet \
	--set control="$T/nobody.sock" >"$T/run3.out" 2>&1
rc=$?
check "an unreachable remote: exit 3, says which (rc $rc)" \
	sh -c '[ "$1" = 3 ] && grep -q "remote faultd at .*nobody.sock does not answer" "$2"' _ "$rc" "$T/run3.out"

# 4. check: the bad combinations, each naming the field and file:line
cp /dev/null "$T/ca.pem"
bad() {
	printf 'scenario { name = "b", topology = false }\n%s\ntimeline(function() end)\n' "$2" >"$T/b.lua"
	out=$("$DD" check "$T/b.lua" 2>&1); rc=$?
	check "check refuses $1 (exit 2, file:line, the field)" \
		sh -c '[ "$1" = 2 ] && printf "%s" "$2" | grep -q "$3"' _ "$rc" "$out" "$3" || printf '#   %s\n' "$out"
}
bad "listen beside remote" 'dns "e" { remote = { control = "/x.sock" }, listen = "198.18.0.1:53" }' \
	"b.lua:2: dns 'e': listen = ... applies only to a faultd dnsdrill starts"
bad "zone beside remote" 'dns "e" { remote = { control = "/x.sock" }, zone = "x" }' "b.lua:2: .*zone = "
bad "capacity beside remote" 'dns "e" { remote = { control = "/x.sock" }, capacity = { qps = 1 } }' "b.lua:2: .*capacity = "
bad "sign beside remote" 'dns "e" { remote = { control = "/x.sock" }, sign = { "example." } }' "b.lua:2: .*sign = "
bad "upstreams beside remote" 'dns "e" { remote = { control = "/x.sock" }, upstreams = "198.18.0.1" }' "b.lua:2: .*upstreams = "
bad "a tls:// control without its key" \
	"dns \"e\" { remote = { control = \"tls://198.18.0.1:853\", ca = \"$T/ca.pem\", cert = \"$T/ca.pem\" } }" \
	"b.lua:2: .*needs key = "
bad "a tls:// credential that cannot be read" \
	"dns \"e\" { remote = { control = \"tls://198.18.0.1:853\", ca = \"$T/ca.pem\", cert = \"$T/none.pem\", key = \"$T/ca.pem\" } }" \
	"b.lua:2: .*cert = .*cannot read"
bad "a tls:// port out of range" \
	'dns "e" { remote = { control = "tls://198.18.0.1:0", ca = "a", cert = "b", key = "c" } }' "b.lua:2: .*port '0'"
bad "host = in a probe without a topology" 'probe "p" { host = "h", tcp = "198.18.0.1:1" }' \
	"b.lua:2: probe 'p': host = \"h\" given"
bad "a host declared without a topology" 'host "h" {}' "b.lua:2: host 'h': .*builds no hosts"
bad "a started faultd without a topology" 'dns "e" { host = "h", listen = "198.18.0.1:53" }' \
	"b.lua:2: dns 'e': .*starts no faultd"
printf 'scenario { name = "b" }\nhost "h" {}\ndns "e" { host = "h", remote = { control = "/x.sock" } }\ntimeline(function() end)\n' >"$T/b.lua"
out=$("$DD" check "$T/b.lua" 2>&1); rc=$?
check "check refuses host beside remote in a scenario with a topology" \
	sh -c '[ "$1" = 2 ] && printf "%s" "$2" | grep -q "b.lua:3: dns .e.: host = "' _ "$rc" "$out"
printf 'scenario { name = "b", topology = false }\ndns "e" { remote = { control = "tls://198.18.0.1:853", ca = "%s", cert = "%s", key = "%s", name = "faultd.test" } }\nprobe "p" { tcp = "198.18.0.1:1" }\ntimeline(function() end)\n' "$T/ca.pem" "$T/ca.pem" "$T/ca.pem" >"$T/b.lua"
check "check accepts a tls:// remote with its files" "$DD" check -q "$T/b.lua"

# 5. over TLS: a second faultd on 198.18.77.2 with --control-tls (and a
# unix socket for this test to look), driven by the same game day from the
# client namespace with a client certificate; one from another CA is refused
if command -v openssl >/dev/null; then
	C=$T/tls; mkdir -p "$C"
	gen_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$C/$1.key" 2>/dev/null; }
	gen_ca() { gen_key "$1"; openssl req -x509 -new -key "$C/$1.key" -subj "/CN=$2" -days 2 -out "$C/$1.pem" 2>/dev/null; }
	gen_leaf() {   # NAME CN CA [SAN]
		gen_key "$1"
		openssl req -new -key "$C/$1.key" -subj "/CN=$2" -out "$C/$1.csr" 2>/dev/null
		if [ -n "${4:-}" ]; then printf 'subjectAltName=%s\n' "$4" >"$C/$1.ext"; else : >"$C/$1.ext"; fi
		openssl x509 -req -in "$C/$1.csr" -CA "$C/$3.pem" -CAkey "$C/$3.key" -CAcreateserial \
			-days 2 -extfile "$C/$1.ext" -out "$C/$1.pem" 2>/dev/null
	}
	gen_ca ca "remote test CA"; gen_ca other "another CA"
	gen_leaf server faultd ca "IP:198.18.77.2"
	gen_leaf me dnsdrill ca
	gen_leaf intruder intruder other
	ip -n "$SRV" addr add 198.18.77.2/24 dev "ddrs$$"
	ip netns exec "$SRV" "$FAULTD" --listen 198.18.77.2:53 --zone "$T/ex.zone" --control "$T/ctl2" \
		--control-tls 198.18.77.2:8953 --tls-cert "$C/server.pem" --tls-key "$C/server.key" \
		--tls-ca "$C/ca.pem" >"$T/faultd2.log" 2>&1 &
	FPID2=$!
	for _ in $(seq 100); do "$FAULTCTL" --control "$T/ctl2" ping >/dev/null 2>&1 && break; sleep 0.05; done
	"$FAULTCTL" --control "$T/ctl2" rule add 'name=keep.example.test action=refused' >/dev/null
	gd() {   # gd OUTDIR CERT: the game day over TLS as that client
		ip netns exec "$CLI" "$DD" run scenarios/examples/remote-gameday.lua --out "$T/$1" --quiet \
			--set control=tls://198.18.77.2:8953 --set ca="$C/ca.pem" --set cert="$C/$2.pem" \
			--set key="$C/$2.key" --set server=198.18.77.2 --set name=www.example.test \
			--set fault_at=1 --set fault_for=2 >"$T/$1.out" 2>&1
	}
	gd run5 me; rc=$?
	check "over TLS with a client certificate: the game day passes (exit $rc)" test "$rc" = 0 \
		|| sed 's/^/#   /' "$T/run5.out"
	check "over TLS: the fault was injected there and seen (availability < 0.5, faultd counted empty answers)" \
		jqt '.metrics.availability < 0.5 and (.dns_stats.edge[-1].actions.empty > 0)' "$T/run5/result.json"
	check "over TLS: the remote's version is recorded ($(jq -r .versions.edge "$T/run5/result.json"))" \
		jqt '.versions.edge | startswith("faultd ")' "$T/run5/result.json"
	check "over TLS: afterwards the remote has only the operator's rule" \
		test "$("$FAULTCTL" --control "$T/ctl2" rule list | cut -f3 | sed '/^$/d')" = "name=keep.example.test action=refused"
	gd run6 intruder; rc=$?
	check "a client certificate from another CA is refused: exit 3 naming TLS ($(grep -o 'TLS[^;]*' "$T/run6.out" | head -1))" \
		sh -c '[ "$1" = 3 ] && grep -q "TLS" "$2"' _ "$rc" "$T/run6.out" || sed 's/^/#   /' "$T/run6.out"
	check "faultd logged the refusal with the client's address" grep -q "refused 198.18.77.10" "$T/faultd2.log"
	kill "$FPID2" 2>/dev/null; wait "$FPID2" 2>/dev/null
else
	skip "a remote over TLS" "no openssl CLI"
fi
t_done
