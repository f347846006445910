#!/bin/bash
# make demo: until the scenario runner lands, show faultd's core trick on
# loopback: serve a zone, blank a record live, and watch a client see it.
set -u
BUILD=${1:-build}
FAULTD=$BUILD/faultd
FAULTCTL=$BUILD/faultctl
dir=$(mktemp -d /tmp/dnsdrill-demo.XXXXXX)
port=$(( (RANDOM % 20000) + 20000 ))
ctl=$dir/faultd.sock
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

q() { kdig @127.0.0.1 -p "$port" +tries=1 +timeout=2 "$@"; }
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cat <<MSG
dnsdrill demo (faultd only; the scenario runner replaces this demo later)

What it shows: faultd serves doc/examples/example.com.zone on 127.0.0.1:$port.
We ask for www.example.com, then blank the record through the control socket
the way the 2025-10-20 us-east-1 DynamoDB record was blanked (NOERROR, no
addresses), ask again, and put it back.
MSG
"$FAULTD" --listen 127.0.0.1:$port --zone doc/examples/example.com.zone \
	--control "$ctl" --log-level warn &
pid=$!
for _ in $(seq 50); do [ -S "$ctl" ] && break; sleep 0.1; done

say "1. healthy: www.example.com A"
q www.example.com A +noall +answer +comments | grep -E 'status|IN'
say "2. blank the record: faultctl rule add 'name=www.example.com type=A action=empty negttl=5'"
id=$("$FAULTCTL" --control "$ctl" rule add 'name=www.example.com type=A action=empty negttl=5')
echo "rule id $id"
say "3. the client now sees NOERROR with no answer (and an SOA saying: cache this for 5 s)"
q www.example.com A +noall +answer +authority +comments | grep -E 'status|IN'
say "4. the fix: faultctl rule del $id"
"$FAULTCTL" --control "$ctl" rule del "$id"
q www.example.com A +noall +answer +comments | grep -E 'status|IN'
say "faultd counters"
"$FAULTCTL" --control "$ctl" stats | grep -E '^(queries|replies|authoritative|action\.empty|action\.pass) '
