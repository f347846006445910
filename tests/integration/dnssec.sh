#!/bin/bash
# dnssec.sh -- faultd signs zones (--sign, --ds-out) and breaks DNSSEC on
# purpose (dnssec= rule terms), seen through real resolvers on loopback:
# a parent zone test. and its child example.test., each on its own faultd
# and signed with keys made for the run; the child's DS (from --ds-out) is
# in the parent, the parent's DS is a validating unbound's trust anchor.
# The sealed chain validates (NOERROR with AD, NSEC and NSEC3 denials too);
# then for each fault a fresh validating unbound answers SERVFAIL while a
# non-validating one (iterator only) still answers; live changes to a
# signed zone are signed anew.  Bad --sign input is refused naming the
# value.  ~12 s.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

command -v unbound >/dev/null && command -v kdig >/dev/null \
	|| { skip "dnssec" "needs unbound and kdig"; t_done; }

cat >"$T/child.zone" <<'Z'
$ORIGIN example.test.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 60
@ NS ns1
ns1 A 198.18.0.53
www A 198.18.0.80
*.wild A 198.18.0.99
Z
PC=$(free_port); PP=$(free_port)
fd_start child "$PC" --zone "$T/child.zone" --sign example.test --ds-out "$T/child.ds" \
	--control "$T/child.ctl" || { not_ok "faultd --sign starts"; t_done; }
chk "--ds-out wrote the child's DS (one SHA-256 DS for its KSK)" \
	grep -Eq '^example\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+DS[[:space:]]+[0-9]+ 13 2 [0-9a-f]{64}$' "$T/child.ds"
{ cat <<'Z'
$ORIGIN test.
$TTL 300
@ IN SOA ns hostmaster 1 3600 600 86400 60
@ NS ns
ns A 198.18.0.1
example NS ns1.example
ns1.example A 198.18.0.53
Z
cat "$T/child.ds"; } >"$T/parent.zone"
fd_start parent "$PP" --zone "$T/parent.zone" --sign test --ds-out "$T/parent.ds" \
	--control "$T/parent.ctl" || { not_ok "faultd --sign test starts"; t_done; }

# answers with and without DO straight from faultd
o=$(kdig @127.0.0.1 -p "$PC" www.example.test A +dnssec +norec)
chk "with DO: the A RRset and its RRSIG" grep -q 'RRSIG.*A 13 3 300' <<<"$o"
o=$(kdig @127.0.0.1 -p "$PC" www.example.test A +norec)
chk "without DO: no RRSIG" bash -c '! grep -q RRSIG <<<"$1"' _ "$o"
o=$(kdig @127.0.0.1 -p "$PP" www.example.test A +dnssec +norec)
chk "the parent's referral carries the DS and its RRSIG" grep -q 'RRSIG.*DS 13 2' <<<"$o"

# unbound NAME VALIDATE: a fresh unbound on loopback, stubs to both faultds
UB_PID=""
unbound_start() {
	local port; port=$(free_port)
	[ -n "$UB_PID" ] && { kill "$UB_PID" 2>/dev/null; wait "$UB_PID" 2>/dev/null; }
	mkdir -p "$T/ub"
	{
		echo "server:"
		echo "  interface: 127.0.0.1@$port"
		echo "  port: $port"
		echo '  do-daemonize: no'
		echo '  username: ""'
		echo '  chroot: ""'
		echo "  directory: \"$T/ub\""
		echo "  pidfile: \"$T/ub/pid\""
		echo '  use-syslog: no'
		echo '  do-not-query-localhost: no'
		echo '  local-zone: "test." nodefault'
		echo '  val-log-level: 2'
		if [ "$1" = yes ]; then
			echo '  module-config: "validator iterator"'
			echo "  trust-anchor: \"$(cat "$T/parent.ds")\""
		else
			echo '  module-config: "iterator"'
		fi
		echo 'stub-zone:'
		echo '  name: "test."'
		echo "  stub-addr: 127.0.0.1@$PP"
		echo 'stub-zone:'
		echo '  name: "example.test."'
		echo "  stub-addr: 127.0.0.1@$PC"
	} >"$T/ub/unbound.conf"
	unbound -d -c "$T/ub/unbound.conf" >"$T/ub/log.$1" 2>&1 &
	UB_PID=$!; EXTRA_PIDS+=("$UB_PID"); UB_PORT=$port
	wait_for fd_listening "$port"
}
# ask NAME TYPE: "RCODE flags" from the running unbound
ask() {
	kdig @127.0.0.1 -p "$UB_PORT" "$1" "$2" +dnssec +timeout=4 +retry=0 \
		| awk '/status:/ { r = $6; gsub(/[,;]/, "", r) } /^;; Flags:/ { f = ($0 ~ / ad/) ? "ad" : "-" } END { print r, f }'
}

unbound_start yes || { not_ok "validating unbound starts"; t_done; }
chk "validating unbound: www.example.test NOERROR with AD ($(ask www.example.test A))" \
	test "$(ask www.example.test A)" = "NOERROR ad"
chk "validating unbound: an answer from a wildcard validates ($(ask x.wild.example.test A))" \
	test "$(ask x.wild.example.test A)" = "NOERROR ad"
chk "validating unbound: NXDOMAIN proven with NSEC ($(ask nx.example.test A))" \
	test "$(ask nx.example.test A)" = "NXDOMAIN ad"
chk "validating unbound: NODATA proven ($(ask www.example.test TXT))" \
	test "$(ask www.example.test TXT)" = "NOERROR ad"

# each fault: a fresh validating unbound (no cached keys) says SERVFAIL,
# a non-validating one answers as before
fault() { # WHERE RULE QNAME QTYPE NONVAL_RCODE
	local where=$1 rule=$2 qn=$3 qt=$4 want=$5 v n
	"$FAULTCTL" --control "$T/$where.ctl" rule add "$rule" >/dev/null
	unbound_start yes; v=$(ask "$qn" "$qt")
	unbound_start no; n=$(ask "$qn" "$qt")
	"$FAULTCTL" --control "$T/$where.ctl" clear >/dev/null
	chk "$rule: validating SERVFAIL (got $v), non-validating $want (got $n)" \
		test "${v% *}" = SERVFAIL -a "${n% *}" = "$want"
}
fault child 'name=www.example.test dnssec=expired' www.example.test A NOERROR
fault child 'name=www.example.test dnssec=notyet' www.example.test A NOERROR
fault child 'name=www.example.test dnssec=badsig' www.example.test A NOERROR
fault child 'name=www.example.test dnssec=nosig' www.example.test A NOERROR
fault child 'name=example.test type=DNSKEY dnssec=nodnskey' www.example.test A NOERROR
fault child 'name=nx.example.test dnssec=badnsec' nx.example.test A NXDOMAIN
fault parent 'name=example.test type=DS dnssec=badds' www.example.test A NOERROR

unbound_start yes
chk "faults cleared: validating unbound answers NOERROR with AD again ($(ask www.example.test A))" \
	test "$(ask www.example.test A)" = "NOERROR ad"

# live changes to a signed zone are signed anew with the same keys: a
# record added validates, a record deleted is proven gone
"$FAULTCTL" --control "$T/child.ctl" record add -r 'new.example.test. 300 IN A 198.18.0.81' >/dev/null
"$FAULTCTL" --control "$T/child.ctl" record del www.example.test. A >/dev/null
unbound_start yes
chk "live record add on a signed zone: validates ($(ask new.example.test A))" \
	test "$(ask new.example.test A)" = "NOERROR ad"
chk "live record del on a signed zone: the name is proven gone ($(ask www.example.test A))" \
	test "$(ask www.example.test A)" = "NXDOMAIN ad"
"$FAULTCTL" --control "$T/child.ctl" zone reset example.test. >/dev/null
unbound_start yes
chk "zone reset: signed as loaded again ($(ask www.example.test A), new: $(ask new.example.test A))" \
	test "$(ask www.example.test A)" = "NOERROR ad" -a "$(ask new.example.test A)" = "NXDOMAIN ad"

# NSEC3: the child signed again with --nsec3 (same keys are not needed:
# the trust anchor is the parent's, the parent gets the new DS)
kill "${FD_PID[child]}"; wait "${FD_PID[child]}" 2>/dev/null
fd_start child3 "$PC" --zone "$T/child.zone" --sign example.test --nsec3 --ds-out "$T/child.ds" \
	|| { not_ok "faultd --nsec3 starts"; t_done; }
{ grep -v 'IN[[:space:]]DS' "$T/parent.zone"; cat "$T/child.ds"; } >"$T/parent.zone.new"
mv "$T/parent.zone.new" "$T/parent.zone"
"$FAULTCTL" --control "$T/parent.ctl" reload >/dev/null
unbound_start yes
chk "NSEC3: NXDOMAIN proven ($(ask nx.example.test A))" test "$(ask nx.example.test A)" = "NXDOMAIN ad"
chk "NSEC3: NODATA proven ($(ask www.example.test TXT))" test "$(ask www.example.test TXT)" = "NOERROR ad"
chk "NSEC3: wildcard answer proven ($(ask a.wild.example.test A))" test "$(ask a.wild.example.test A)" = "NOERROR ad"

# bad input
o=$("$FAULTD" --listen 127.0.0.1:1 --zone "$T/child.zone" --sign example.test:"$T/Knope" 2>&1); rc=$?
chk "--sign with a missing key file is refused, naming the file (rc $rc: $o)" \
	bash -c '[ "$1" = 1 ] || [ "$1" = 2 ]; grep -q "Knope.private" <<<"$2"' _ "$rc" "$o"
o=$("$FAULTD" --listen 127.0.0.1:1 --zone "$T/child.zone" --sign other.test 2>&1); rc=$?
chk "--sign for a zone not served is refused, naming it ($o)" \
	bash -c '[ "$1" != 0 ] && grep -q "other.test" <<<"$2"' _ "$rc" "$o"
o=$("$FAULTD" --listen 127.0.0.1:1 --zone "$T/child.zone" --rule 'dnssec=sometimes' 2>&1); rc=$?
chk "dnssec=sometimes is refused, naming the term ($o)" \
	bash -c '[ "$1" = 2 ] && grep -q "dnssec=sometimes" <<<"$2"' _ "$rc" "$o"
t_done
