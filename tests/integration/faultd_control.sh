#!/bin/bash
# faultd_control.sh -- rules changed through faultctl while queries flow:
# a change applies to the very next query, rule list shows hits, stats and
# stats --json parse, a bad rule is refused whole (exit 1, the offending term
# named) and the running rules stay as they were; the socket is mode 0600.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

P=$(free_port)
S=127.0.0.1:$P
write_zone "$T/ex.zone"
fd_start main "$P" --zone "$T/ex.zone" --control "$T/ctl" || { not_ok "faultd starts"; t_done; }

chk "control socket is a socket with mode 0600" \
	test "$(stat -c '%F %a' "$T/ctl")" = "socket 600" || stat "$T/ctl"
fc ping
chk "faultctl ping: exit 0, pong" test "$RC" = 0 -a "$OUT" = pong
fc version
chk "faultctl version: faultd's own (\"$OUT\" = faultd --version)" \
	test "$RC" = 0 -a "$OUT" = "$("$FAULTD" --version)"

# background traffic: a steady flow of queries for www over UDP and TCP
flow() {
	local i=0 tr
	while [ -e "$T/flow.on" ]; do
		tr=; [ $((i % 2)) = 1 ] && tr=--tcp
		"$DNSQ" --server "$S" $tr --name www.example.test --timeout 1000 | sed -n 's/^rcode=//p'
		i=$((i + 1))
	done >>"$T/flow.log"
}
touch "$T/flow.on"
flow &
EXTRA_PIDS+=($!)
wait_for test -s "$T/flow.log"

dq --server $S --name www.example.test
chk "before any rule: NOERROR" test "$(val rcode)" = NOERROR

fc rule add 'name=www.example.test action=servfail'
ID1=$OUT
chk "rule add prints the new rule's id" test "$RC" = 0 -a -n "$ID1" -a "$ID1" -eq "$ID1" 2>/dev/null
mark=$(wc -l <"$T/flow.log")
dq --server $S --name www.example.test
chk "the very next UDP query after rule add gets SERVFAIL" test "$(val rcode)" = SERVFAIL
dq --server $S --tcp --name www.example.test
chk "and the next TCP query too" test "$(val rcode)" = SERVFAIL
dq --server $S --name fast.example.test
chk "other names are untouched" test "$(val rcode)" = NOERROR

# the background flow sees the fault (give it a moment to do a few queries)
wait_for sh -c "tail -n +$((mark + 2)) '$T/flow.log' | grep -q SERVFAIL"
chk "the background flow sees SERVFAIL after rule add" \
	sh -c "tail -n +$((mark + 2)) '$T/flow.log' | grep -q SERVFAIL"

fc rule list
line=$(printf '%s\n' "$OUT" | awk -F'\t' -v id="$ID1" '$1 == id')
hits=$(printf '%s' "$line" | cut -f2)
chk "rule list shows the rule with id, its text and >= 2 hits" \
	sh -c '[ -n "$1" ] && [ "$2" -ge 2 ] && printf "%s" "$1" | grep -q "action=servfail"' _ "$line" "$hits" || explain

# first match wins; insert puts a rule before the others
fc rule add 'name=www.example.test action=refused'
ID2=$OUT
dq --server $S --name www.example.test
chk "a later rule for the same name does not win (first match)" test "$(val rcode)" = SERVFAIL
fc rule insert 'name=www.example.test action=nxdomain'
ID3=$OUT
dq --server $S --name www.example.test
chk "rule insert puts the rule first" test "$(val rcode)" = NXDOMAIN
fc rule list
chk "rule list order: inserted, first, second" \
	test "$(printf '%s\n' "$OUT" | cut -f1 | tr '\n' ' ')" = "$ID3 $ID1 $ID2 "

# a bad rule is refused whole and the rules stay as they were
fc rule list; before=$(printf '%s\n' "$OUT" | cut -f1,3)
for bad in 'name=www.example.test action=explode' 'name=www.example.test colour=red' \
	'name=www.example.test delay=soon' 'name=www.example.test prob=2' \
	'name=www.example.test client=300.1.2.3/8' 'action=answer:not-an-ip' \
	'name=www.example.test type=NOSUCHTYPE'; do
	term=$(printf '%s' "$bad" | awk '{print $NF}')
	key=${term%%=*}
	fc rule add "$bad"
	chk "bad rule '$bad': exit 1, message names '$key'" \
		sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q -- "$3"' _ "$RC" "$OUT" "$key" || explain
done
fc rule list
chk "after refused rules the running set is unchanged (ids, texts, order)" \
	test "$(printf '%s\n' "$OUT" | cut -f1,3)" = "$before" || explain
dq --server $S --name www.example.test
chk "and still applies" test "$(val rcode)" = NXDOMAIN
fc rule del 999999
chk "rule del of an unknown id: exit 1" test "$RC" = 1
fc rule del abc
chk "rule del of a non-number: exit 1" test "$RC" = 1
fc frobnicate
chk "unknown faultctl command: exit 2" test "$RC" = 2

# stats, text and JSON
fc stats
chk "stats (text): queries, malformed and per-action lines with numbers" \
	sh -c 'printf "%s\n" "$1" | grep -Eq "^queries +[0-9]+$" && printf "%s\n" "$1" | grep -Eq "^malformed +[0-9]+$" && printf "%s\n" "$1" | grep -Eq "^action.servfail +[1-9][0-9]*$"' _ "$OUT" || explain
fc stats --json
chk "stats --json parses; counters consistent (queries = udp + tcp, servfail >= 3)" \
	jqt '.queries == .queries_udp + .queries_tcp and .queries > 5 and .actions.servfail >= 3 and .rules == 3 and (.rule_hits | length) == 3' || explain
chk "stats --json rule_hits has the hits of rule $ID1" \
	jqt ".rule_hits[] | select(.id == $ID1) | .hits >= 2" || explain
chk "stats --json: every query from the one client address, each rule's text" \
	jqt '.clients == [{"addr": "127.0.0.1", "queries": .queries}] and .clients_other == 0 and
	    all(.rule_hits[]; .rule | type == "string" and test("action="))' || explain

# deleting the rules takes the faults away on the next query
fc rule del "$ID3"
chk "rule del: exit 0" test "$RC" = 0
dq --server $S --name www.example.test
chk "after deleting the inserted rule the next query is SERVFAIL again" test "$(val rcode)" = SERVFAIL
fc rule del "$ID1"; fc rule del "$ID2"
mark=$(wc -l <"$T/flow.log")
dq --server $S --name www.example.test
chk "after rule del the very next query is NOERROR" test "$(val rcode)" = NOERROR
dq --server $S --tcp --name www.example.test
chk "over TCP too" test "$(val rcode)" = NOERROR
sleep 0.3
chk "the background flow is clean after rule del" \
	sh -c "tail -n +$((mark + 2)) '$T/flow.log' | grep -q NOERROR && ! tail -n +$((mark + 2)) '$T/flow.log' | grep -qv NOERROR"

# clear
fc rule add 'action=refused'; fc rule add 'name=fast.example.test action=drop'
fc clear
chk "clear: exit 0" test "$RC" = 0
fc rule list
chk "clear empties the rule list" test -z "$OUT"
dq --server $S --name fast.example.test
chk "after clear queries pass" test "$(val rcode)" = NOERROR

rm -f "$T/flow.on"
wait "${EXTRA_PIDS[0]}" 2>/dev/null
chk "the background flow never went unanswered" sh -c "! grep -qv -x -e NOERROR -e SERVFAIL -e NXDOMAIN -e REFUSED '$T/flow.log'" || sort "$T/flow.log" | uniq -c
chk "the background flow made many queries" test "$(wc -l <"$T/flow.log")" -ge 20

# control socket gone, faultctl says so
"$FAULTCTL" --control "$T/nonexistent" ping >/dev/null 2>&1; rc=$?
chk "faultctl to a missing socket: exit 3" test "$rc" = 3
kill -TERM "${FD_PID[main]}"; wait "${FD_PID[main]}"; rc=$?
chk "SIGTERM: faultd exits 0" test "$rc" = 0
chk "and removes its control socket" test ! -e "$T/ctl"
t_done
