#!/bin/bash
# tests/run.sh: parallel (sealed runs; nothing of the host is compared)
# internet_dnssec.sh -- DNSSEC in the sealed internet
# (tests/scenarios/internet-dnssec.lua): internet.lua signs the root, com.
# and example.com. (two servers) with keys dnssec_key() made at load, each
# parent publishes its child's DS, the root's DS is the trust anchor of a
# validating resolver; a non-validating one of the same software sits beside
# it.  Baseline: both answer (the validating one only because the whole
# chain validates).  Signatures expired on example.com.'s servers, then a
# DS at com. that matches no key: the validating resolver answers SERVFAIL
# in each phase, the other never does (result.json probe_metrics).  Through
# unbound and bind9 side by side (~25 s).  Then `dnsdrill check` on bad
# sign options: file:line and the zone, nothing written.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
SC=tests/scenarios/internet-dnssec.lua
work=$(mktemp -d /tmp/dd-it-dnssec.XXXXXX)
trap 'rm -rf "$work"' EXIT
jqt() { jq -e "$@" >/dev/null; }

for r in unbound bind9; do
	"$DD" run "$SC" --set resolver=$r --out "$work/$r" --quiet >"$work/$r.out" 2>&1 &
	eval "pid_$r=$!"
done
for r in unbound bind9; do
	eval "wait \$pid_$r"; rc=$?
	O=$work/$r R=$work/$r/result.json
	check "$r: the run passes its expectations (exit $rc): availability val $(jq -c .probe_metrics.val.metrics.availability "$R"), nonval $(jq -c .probe_metrics.nonval.metrics.availability "$R")" \
		test "$rc" = 0
	ph() { jq "[.events[] | select(.kind == \"phase_start\" and .source == \"$1\")][0].t_ms" "$R"; }
	E=$(ph expired) W=$(ph between) D=$(ph badds) V=$(ph recovered)
	# probe results of PROBE from T1 to T2 (ms): "ok failed"
	cnt() { jq -r "[.events[] | select(.kind == \"probe\" and .source == \"$1\" and .t_ms >= $2 and .t_ms < $3)] | \"\([.[] | select(.ok)] | length) \([.[] | select(.ok | not)] | length)\"" "$R"; }
	b=$(cnt val 0 "$E"); n=$(cnt nonval 0 "$E")
	check "$r: baseline: the validating resolver answers (the sealed chain validates: $b ok/failed), the other too ($n)" \
		test "${b#* }" = 0 -a "${b% *}" -gt 10 -a "${n#* }" = 0
	x=$(cnt val $((E + 2000)) "$W")
	check "$r: dnssec=expired at example.com.'s servers: the validating resolver fails ($x ok/failed, from 2 s after the inject (TTLs of 1 s) to the clear)" \
		test "${x% *}" = 0 -a "${x#* }" -gt 15
	y=$(cnt val $((D - 1000)) "$D")
	check "$r: cleared: the validating resolver answers again before the next fault ($y in the last second)" \
		test "${y#* }" = 0 -a "${y% *}" -gt 5
	z=$(cnt val $((D + 2000)) "$V")
	check "$r: dnssec=badds at com.'s servers: the validating resolver fails ($z, from 2 s after the inject to the clear)" \
		test "${z% *}" = 0 -a "${z#* }" -gt 15
	n=$(cnt nonval 0 999999999)
	check "$r: the non-validating resolver answered every probe of the run ($n)" \
		test "${n#* }" = 0 -a "${n% *}" -gt 100
	check "$r: per-probe availability in probe_metrics: val < 0.8, nonval 1" \
		jqt '.probe_metrics.val.metrics.availability < 0.8 and .probe_metrics.nonval.metrics.availability == 1' "$R"
	check "$r: SERVFAIL is what the validating resolver said" \
		jqt '[.events[] | select(.kind == "probe" and .source == "val" and (.ok | not))] | all(.text | startswith("SERVFAIL"))' "$R"
	check "$r: the parents' zones hold the DS (root: com., com.: example.com.)" \
		grep -q '^com\. IN DS [0-9]* 13 2 ' "$O/a-root-servers-test-zone1.zone" -a \
		-n "$(grep '^example\.com\. IN DS [0-9]* 13 2 ' "$O/a-gtld-test-zone1.zone")"
	check "$r: the keys in OUT/keys: 3 zones x KSK+ZSK, every file 0600, the folder 0700" \
		test "$(find "$O/keys" -name 'K*.private' -perm 600 | wc -l)" = 6 -a \
		"$(find "$O/keys" -type f ! -perm 600 | wc -l)" = 0 -a "$(stat -c %a "$O/keys")" = 700
	check "$r: one key set per zone, shared by all its servers (3 DS in OUT/keys/ds)" \
		test "$(grep -c 'IN DS' "$O/keys/ds")" = 3
done
check "unbound: its compiled-in 60 s bogus key entry is listed as a time distortion" \
	jqt '[.time_distortions[] | select(.what == "process val: bogus key entry")] | length == 1' "$work/unbound/result.json"

# dnsdrill check: bad sign options, at file:line, nothing written
mkdir -p "$work/chk" && cd "$work/chk" || exit 2
bad() { # WANT-LINE NEEDLE LUA...
	local line=$1 needle=$2; shift 2
	printf '%s\n' 'host "h" {}' "$@" 'timeline(function() end)' >bad.lua
	out=$("$DD" check bad.lua 2>&1); rc=$?
	check "check refuses: $needle (exit $rc)" \
		bash -c '[ "$1" = 2 ] && grep -qF "bad.lua:$2:" <<<"$3" && grep -qF "$4" <<<"$3"' _ "$rc" "$line" "$out" "$needle"
}
Z="'\$ORIGIN com.\n@ 60 IN SOA ns hm 1 2 3 4 5\n@ 60 IN NS ns\n'"
bad 2 "zone example.org. is not served by this server (it serves com.)" \
	"dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = $Z, sign = { 'example.org' } }"
bad 3 "the key was made for example.com." "local k = dnssec_key('example.com.')" \
	"dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = $Z, sign = { ['com.'] = k } }"
bad 2 "nsec3 = true without sign" \
	"dns 'a' { host = 'h', listen = '198.18.0.1:53', zone = $Z, nsec3 = true }"
bad 2 "dnssec_key: 'a b' is not a zone name" "local k = dnssec_key('a b')"
bad 3 "internet: dnssec = true | { nsec3 = true }" "local inet = use 'internet'" \
	"inet.internet { lan = '198.18.100.0/24', dnssec = 'yes', zones = { ['.'] = { ns = { 'a.root' } } } }"
bad 3 "internet: zone com.: key = dnssec_key(\"com.\")" "local inet = use 'internet'" \
	"inet.internet { lan = '198.18.100.0/24', zones = { ['.'] = { ns = { 'a.root' } }, ['com.'] = { ns = { 'a.gtld' }, key = dnssec_key('net.') } } }"
out=$("$DD" check "$OLDPWD/$SC" 2>&1); rc=$?
check "check of the signed internet passes and writes nothing (exit $rc; files here: $(ls -A | grep -v '^bad.lua$' | wc -l))" \
	test "$rc" = 0 -a "$(ls -A | grep -v '^bad.lua$' | wc -l)" = 0
for r in knot pdns; do
	out=$("$DD" check "$OLDPWD/$SC" --set resolver=$r 2>&1); rc=$?
	check "check: the $r profile takes the test root's DS as its trust anchor (exit $rc)" test "$rc" = 0
done
cd "$OLDPWD" || exit 2
t_done
