#!/bin/bash
# zone_live.sh -- live zone changes through faultctl while faultd runs: each
# change (record del/add, record ttl, zone empty/set/reset, zone ns,
# delegation del/set) is answered on the very next query, a bad zone text
# or record is refused naming its line and the old data still answers, and
# faultd stays up throughout.  --time-scale applies to TTLs set live.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

P=$(free_port)
S=127.0.0.1:$P
write_zone "$T/ex.zone"
cat >"$T/test.zone" <<'EOF'
test.	300 IN SOA a.root. h.root. 1 3600 600 86400 60
test.	300 IN NS a.root.
example.test.	300 IN NS ns1.example.test.
ns1.example.test.	300 IN A 192.0.2.53
other.test.	300 IN NS ns.other.test.
ns.other.test.	300 IN A 192.0.2.54
EOF
fd_start main "$P" --zone "$T/ex.zone" --zone "$T/test.zone" --control "$T/ctl" \
	--time-scale 2 || { not_ok "faultd starts"; t_done; }
answers() { sec an | awk '{print $5}' | sort | tr '\n' ' '; }

dq --server $S --name www.example.test
chk "before: www answers 192.0.2.1" test "$(answers)" = "192.0.2.1 " || explain
fc record del www.example.test. A
chk "record del: exit 0, says what went" test "$RC" = 0 -a "$OUT" = \
	"record del www.example.test. A: 1 record removed from zone example.test." || explain
dq --server $S --name www.example.test
chk "the next query: NOERROR with no A (the type disappeared)" \
	test "$(val rcode)" = NOERROR -a "$(val an)" = 0 || explain
dq --server $S --name www.example.test --type AAAA
chk "the AAAA at the name stays" test "$(val an)" = 1 || explain
fc record add -r 'www.example.test. 600 IN A 192.0.2.9'
dq --server $S --name www.example.test
chk "record add: the next query answers the new A, TTL 600 served as 300 (--time-scale 2)" \
	test "$(answers)" = "192.0.2.9 " -a "$(sec an | awk '{print $2}')" = 300 || explain
fc record ttl www.example.test. A 40
dq --server $S --name www.example.test
chk "record ttl: the TTL changes under the resolver (40 served as 20)" \
	test "$(sec an | awk '{print $2}')" = 20 || explain

# a bad record and a bad zone text: refused with the line, old data kept
printf 'new.example.test. 60 IN A 192.0.2.70\nnew2.example.test. 3x IN A 192.0.2.71\n' >"$T/bad.rr"
fc record add "$T/bad.rr"
chk "bad record text: exit 1, names line 2 and the bad TTL" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "record text:2: bad TTL '"'"'3x'"'"'"' _ "$RC" "$OUT" || explain
dq --server $S --name new.example.test
chk "... and nothing of it was added (NXDOMAIN)" test "$(val rcode)" = NXDOMAIN || explain
cat >"$T/bad.zone" <<'EOF'
$ORIGIN example.test.
@ 60 IN SOA ns1 h 2 1 1 1 1
@ 60 IN NS ns1
www 60 IN A 192.0.2.200
www 60 IN CNAME elsewhere.test.
EOF
fc zone set example.test. "$T/bad.zone"
chk "bad zone text: exit 1 naming zone text:5" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "zone text:5: www.example.test. has a CNAME and other data"' _ "$RC" "$OUT" || explain
dq --server $S --name www.example.test
chk "... the old data still answers" test "$(answers)" = "192.0.2.9 " || explain

# empty the zone, then restore it from its file
fc zone empty example.test.
dq --server $S --name fast.example.test
chk "zone empty: the next query is NXDOMAIN" test "$(val rcode)" = NXDOMAIN || explain
dq --server $S --name example.test --type NS
chk "... the apex NS still answers" test "$(val an)" = 1 || explain
fc zone reset example.test.
dq --server $S --name www.example.test
chk "zone reset: the file's data again" test "$(answers)" = "192.0.2.1 " || explain

# a new zone text
sed 's/192.0.2.1$/192.0.2.111/' "$T/ex.zone" | "$FAULTCTL" --control "$T/ctl" zone set example.test. - >/dev/null
dq --server $S --name www.example.test
chk "zone set from stdin: the new text answers" test "$(answers)" = "192.0.2.111 " || explain
fc zone ns example.test. ns7.example.net. ns8.example.net.
dq --server $S --name example.test --type NS
chk "zone ns: the apex NS set is the new one" \
	test "$(answers)" = "ns7.example.net. ns8.example.net. " || explain

# a registry hold at the parent, then restored
fc delegation del example.test.test.
chk "delegation del at a zone with no such child: exit 1" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "has no delegation of example.test.test."' _ "$RC" "$OUT" || explain
dq --server $S --name x.other.test
chk "before the hold: a referral for other.test (no AA)" \
	test "$(val rcode)" = NOERROR -a "$(val flags)" = qr,rd, || explain
fc delegation del other.test.
dq --server $S --name x.other.test
chk "delegation del: the parent answers NXDOMAIN below the child" test "$(val rcode)" = NXDOMAIN || explain
dq --server $S --name other.test --type NS
chk "... and for the child itself" test "$(val rcode)" = NXDOMAIN || explain
fc delegation set other.test. ns.other.test.
fc record add -r 'ns.other.test. 300 IN A 192.0.2.54'
dq --server $S --name x.other.test
chk "delegation set + glue: the referral is back, with its glue" \
	test "$(val rcode)" = NOERROR -a "$(sec ns | awk '{print $5}')" = ns.other.test. \
	-a "$(sec ar | awk '{print $5}')" = 192.0.2.54 || explain
chk "faultd is still running" fd_alive main
chk "every change is in faultd's log" grep -q "control: delegation del other.test." "$T/main.log"

# the same from a scenario's timeline (as a user: rootless, doc/rootless.md)
"$BUILD_ABS/dnsdrill" run tests/scenarios/zone-live.lua --out "$T/run" --quiet >/dev/null 2>&1
chk "zone-live.lua runs (exit 0)" test $? = 0
R=$T/run/result.json
OUT=$(cat "$R" 2>/dev/null)
chk "five zone_change events from auth, in the timeline's order" \
	jqt '[.events[] | select(.kind == "zone_change" and .source == "auth") | .text | split(":")[0]] ==
	    ["record del www.example.com. A", "record add", "delegation del shop.net.",
	     "delegation set shop.net.", "record add"]'
# the probes see each change between its event and the one undoing it
z() { jq "[.events[] | select(.kind == \"zone_change\")][$1].t_ms" "$R"; }
Z0=$(z 0); Z1=$(z 1); Z2=$(z 2); Z3=$(z 3)
# a failing answer comes after faultd applied the change, which it does just
# before it acknowledges it (t_ms of zone_change: the ack read; a reply read
# in the same loop turn may come first: 50 ms of slack), and its query left
# before the change undoing it was acknowledged (start_ms; 100 ms of slack
# for a loaded machine)
odd() {   # the failing probes of $1 outside (lo, hi) or with other text
	jq -c "[.events[] | select(.kind == \"probe\" and .source == \"$1\" and .ok == false)
	    | select(.t_ms < $2 - 50 or .start_ms > $3 + 100 or (.text | startswith(\"$4\") | not))
	    | {t_ms, start_ms, text}] | .[:5]" "$R"
}
chk "www answers NODATA only while its A is deleted (fails after $Z0 ms, ok from $Z1 ms)" \
	jqt "[.events[] | select(.kind == \"probe\" and .source == \"www\" and .ok == false)] |
	    (length >= 5 and all(.t_ms >= $Z0 - 50 and .start_ms <= $Z1 + 100) and all(.text == \"NOERROR empty\"))" ||
	echo "#   outside: $(odd www "$Z0" "$Z1" "NOERROR empty")"
chk "the parent answers NXDOMAIN below shop.net. only during the hold ($Z2..$Z3 ms)" \
	jqt "[.events[] | select(.kind == \"probe\" and .source == \"shop\" and .ok == false)] |
	    (length >= 5 and all(.t_ms >= $Z2 - 50 and .start_ms <= $Z3 + 100) and all(.text | startswith(\"NXDOMAIN\")))" ||
	echo "#   outside: $(odd shop "$Z2" "$Z3" NXDOMAIN)"
chk "the report's timeline has the zone row" grep -q 'class="row zone"' "$T/run/report.html"
P0=$(jq '[.events[] | select(.kind == "phase_start" and .source == "record gone")][0].t_ms' "$R")
P1=$(jq '[.events[] | select(.kind == "phase_start" and .source == "hold")][0].t_ms' "$R")
chk "score { fault = { start =, stop = } }: the window is the \"record gone\" phase ($P0..$P1 ms), scored from it" \
	jqt ".fault.start_ms == $P0 and .fault.end_ms == $P1 and
	    .metrics.recovery_s != null and .metrics.availability < 0.5"

# a change faultd refuses stops the run: exit 2, the call's file:line named
sed 's/record_add("auth", "www.example.com. 1 IN A 198.18.1.80")/record_del("auth", "nothere.example.com.", "A")/' \
	tests/scenarios/zone-live.lua >"$T/bad.lua"
ln=$(grep -n 'nothere' "$T/bad.lua" | cut -d: -f1)
OUT=$("$BUILD_ABS/dnsdrill" run "$T/bad.lua" --out "$T/bad" --quiet 2>&1); RC=$?
chk "a refused change: exit 2 naming bad.lua:$ln and faultd's reason" \
	sh -c '[ "$1" = 2 ] && printf "%s" "$2" | grep -q "bad.lua:$3: record_del(auth): faultd refused: record del: no nothere.example.com. A"' \
	_ "$RC" "$OUT" "$ln" || explain
t_done
