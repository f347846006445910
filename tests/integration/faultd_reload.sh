#!/bin/bash
# faultd_reload.sh -- SIGHUP (and `faultctl reload`) re-read --rules and
# --zone; a bad rules or zone file is refused with FILE:LINE in the log and
# the old data keeps serving; rules added over the control socket survive.
# Startup errors: a bad command line exits 2 naming the option, a bad file
# exits 1 naming FILE:LINE.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

P=$(free_port)
S=127.0.0.1:$P
write_zone "$T/ex.zone"
cat >"$T/rules.conf" <<'EOF'
# faults for the reload test
name=www.example.test action=servfail

name=fast.example.test ttl=11
EOF
fd_start main "$P" --zone "$T/ex.zone" --rules "$T/rules.conf" --control "$T/ctl" \
	|| { not_ok "faultd starts"; t_done; }
PID=${FD_PID[main]}

dq --server $S --name www.example.test
chk "rules file applies at start (servfail)" test "$(val rcode)" = SERVFAIL
dq --server $S --name fast.example.test
chk "second rule of the file applies (ttl=11)" test "$(val ttl_max)" = 11
fc rule add 'name=ttl.example.test action=refused'
CTLID=$OUT

# edit the rules file and the zone, then SIGHUP
hup() {
	local before
	before=$(grep -c 'SIGHUP' "$T/main.log")
	kill -HUP "$PID"
	wait_for sh -c "[ \$(grep -c SIGHUP '$T/main.log') -gt $before ]"
}
cat >"$T/rules.conf" <<'EOF'
name=www.example.test action=refused
EOF
sed -i 's/^www\tIN A 192.0.2.1$/www\tIN A 192.0.2.99/; s/2024010101/2024010102/' "$T/ex.zone"
echo 'added	IN A 192.0.2.77' >>"$T/ex.zone"
hup
chk "SIGHUP logged as a reload" grep -q "SIGHUP: rules and zones reloaded" "$T/main.log"
dq --server $S --name www.example.test
chk "after SIGHUP the new rules file applies (refused)" test "$(val rcode)" = REFUSED
dq --server $S --name fast.example.test
chk "a rule removed from the file is gone (zone TTL 300 again)" test "$(val ttl_max)" = 300
dq --server $S --name added.example.test
chk "after SIGHUP the edited zone is served (new name)" test "$(sec an | awk '{print $5}')" = 192.0.2.77
dq --server $S --name alias.example.test
chk "after SIGHUP the edited record is served (CNAME -> www A 192.0.2.99)" \
	test "$(sec an | awk '{print $5}' | tr '\n' ' ')" = "www.example.test. 192.0.2.99 " || explain
dq --server $S --name ttl.example.test
chk "a rule added over the control socket survives SIGHUP" test "$(val rcode)" = REFUSED
fc rule list
chk "rule list after reload: file rule first, then the control rule $CTLID" \
	sh -c 'printf "%s\n" "$1" | cut -f3 | tr "\n" "|" | grep -qx "name=www.example.test action=refused|name=ttl.example.test action=refused|"' _ "$OUT" || explain

# a bad rules file is refused: log names file:line, old rules still apply
cat >"$T/rules.conf" <<'EOF'
name=www.example.test action=nxdomain
name=fast.example.test action=explode
EOF
hup
chk "bad rules file on SIGHUP: the log names rules.conf:2 and the bad term" \
	grep -Eq "reload refused.*rules.conf:2.*action=explode" "$T/main.log" || tail -3 "$T/main.log"
dq --server $S --name www.example.test
chk "... and the old rules still apply (refused, not nxdomain)" test "$(val rcode)" = REFUSED
chk "... and faultd is still running" fd_alive main

# a bad zone file on SIGHUP: refused, old zone still served
cat >"$T/rules.conf" <<'EOF'
name=www.example.test action=nxdomain
EOF
cp "$T/ex.zone" "$T/ex.zone.good"
printf 'broken\tIN A 300.1.2.3\n' >>"$T/ex.zone"
nl=$(wc -l <"$T/ex.zone")
hup
chk "bad zone file on SIGHUP: the log names ex.zone:$nl" \
	grep -Eq "reload refused.*ex.zone:$nl" "$T/main.log" || tail -3 "$T/main.log"
dq --server $S --name added.example.test
chk "... the old zone is still served" test "$(sec an | awk '{print $5}')" = 192.0.2.77
dq --server $S --name www.example.test
chk "... and the reload was all-or-nothing: the (good) new rules file was not applied either" \
	test "$(val rcode)" = REFUSED

# faultctl reload does the same as SIGHUP
cp "$T/ex.zone.good" "$T/ex.zone"
fc reload
chk "faultctl reload: exit 0 once the files are good" test "$RC" = 0 || explain
dq --server $S --name www.example.test
chk "faultctl reload applied the rules file (nxdomain)" test "$(val rcode)" = NXDOMAIN
echo 'type=BOGUS' >>"$T/rules.conf"
fc reload
chk "faultctl reload with a bad rules file: exit 1, names rules.conf:2" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "rules.conf:2"' _ "$RC" "$OUT" || explain
rm "$T/rules.conf"
fc reload
chk "faultctl reload with the rules file gone: exit 1, names the file" \
	sh -c '[ "$1" = 1 ] && printf "%s" "$2" | grep -q "rules.conf"' _ "$RC" "$OUT" || explain
dq --server $S --name www.example.test
chk "... rules unchanged (nxdomain)" test "$(val rcode)" = NXDOMAIN

# --- startup errors ---
# start_err WANT_EXIT PATTERN "what" ARGS...
start_err() {
	local want=$1 pat=$2 what=$3; shift 3
	OUT=$(timeout 5 "$FAULTD" "$@" 2>&1); RC=$?
	chk "startup: $what: exit $want, message names '$pat'" \
		sh -c '[ "$1" = "$2" ] && printf "%s" "$3" | grep -qF -- "$4"' _ "$RC" "$want" "$OUT" "$pat" || explain
}
Q=$(free_port)
L="--listen 127.0.0.1:$Q"
start_err 2 "--listen" "no --listen"
start_err 2 "--listen" "bad --listen address" --listen 127.0.0.1:notaport
start_err 2 "--bogus" "unknown option" $L --bogus
start_err 2 "--upstream" "bad --upstream" $L --upstream nowhere
start_err 2 "--upstream-timeout" "bad --upstream-timeout" $L --upstream-timeout soon
start_err 2 "--max-tcp" "--max-tcp 0" $L --max-tcp 0
start_err 2 "--log-level" "bad --log-level" $L --log-level loud
start_err 2 "extra" "stray argument" $L extra
start_err 2 "action=explode" "bad --rule" $L --rule 'name=x.test action=explode'
start_err 2 "--rule" "bad --rule names the option" $L --rule 'name=x.test action=explode'
printf 'name=a.test action=drop\n\nname=b.test delay=forever\n' >"$T/bad.rules"
start_err 1 "bad.rules:3" "bad rules file" $L --rules "$T/bad.rules"
start_err 1 "missing.rules" "missing rules file" $L --rules "$T/missing.rules"
cp "$T/ex.zone.good" "$T/bad.zone"
printf 'oops\tIN AAAA not-an-address\n' >>"$T/bad.zone"
start_err 1 "bad.zone:$(wc -l <"$T/bad.zone")" "bad zone file" $L --zone "$T/bad.zone"
start_err 1 "missing.zone" "missing zone file" $L --zone "$T/missing.zone"
printf 'listen 127.0.0.1:%s\nfrobnicate yes\n' "$Q" >"$T/bad.conf"
start_err 2 "bad.conf:2" "bad --config file" --config "$T/bad.conf"
start_err 1 "127.0.0.1:$P" "listen address in use" --listen 127.0.0.1:$P
chk "no faultd left listening on the error port" sh -c "! ss -Hlnu 'sport = :$Q' | grep -q ."

# a good config file works
Q2=$(free_port)
cat >"$T/good.conf" <<EOF
# faultd settings
listen 127.0.0.1:$Q2
zone $T/ex.zone.good
rule 'name=www.example.test action=answer:198.18.9.9'
EOF
"$FAULTD" --config "$T/good.conf" >"$T/conf.log" 2>&1 &
FD_PID[conf]=$!
wait_for fd_listening "$Q2"
dq --server 127.0.0.1:$Q2 --name www.example.test
chk "--config FILE: listen, zone and a quoted rule from the file" test "$(sec an | awk '{print $5}')" = 198.18.9.9 || explain
t_done
