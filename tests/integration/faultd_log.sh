#!/bin/bash
# faultd_log.sh -- logs go to stderr, one line per event; --log-level
# chooses how many: debug shows every query with the rule that decided it,
# warn hides the start-up line, and a bad level is a usage error.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

P=$(free_port)
write_zone "$T/ex.zone"
fd_start dbg "$P" --zone "$T/ex.zone" --control "$T/ctl" --log-level debug \
	--rule 'name=www.example.test delay=5ms' || { not_ok "faultd starts"; t_done; }
dq --server "127.0.0.1:$P" --name www.example.test
dq --server "127.0.0.1:$P" --tcp --name nope.example.test
fc rule add 'name=gone.example.test action=drop'
dq --server "127.0.0.1:$P" --name gone.example.test --timeout 300
sleep 0.2
L=$T/dbg.log
chk "debug: one line per query, with client, transport, name, rule and action" \
	grep -qE 'query from 127\.0\.0\.1:[0-9]+ over udp: www\.example\.test\. A id=[0-9]+ rule=1 action=pass delay=5ms -> reply' "$L"
chk "debug: TCP queries logged as tcp" grep -q 'over tcp: nope.example.test. A' "$L"
chk "debug: a dropped query says drop" grep -qE 'gone\.example\.test\. A .*action=drop .*-> drop' "$L"
chk "control changes are logged" grep -q 'control: rule 2 added: name=gone.example.test action=drop' "$L"
chk "every log line names faultd and a level" \
	test "$(grep -cvE '^faultd: (error|warn|info|debug): ' "$L")" = 0

P2=$(free_port)
fd_start quiet "$P2" --zone "$T/ex.zone" --log-level warn || { not_ok "faultd starts at warn"; t_done; }
dq --server "127.0.0.1:$P2" --name www.example.test
chk "warn: no start-up or query lines" test ! -s "$T/quiet.log"

out=$("$FAULTD" --listen 127.0.0.1:1 --log-level chatty 2>&1); rc=$?
chk "a bad --log-level exits 2 naming the option ($out)" \
	test "$rc" = 2 -a -n "$(grep -- "--log-level: 'chatty'" <<<"$out")"
t_done
