#!/bin/bash
# faultd_malformed.sh -- malformed input never crashes or stalls faultd.
# Each packet below is sent raw (it_dnsq --raw / --frame); faultd answers
# FORMERR when the header is readable and it is a query, stays silent
# otherwise, and keeps answering good queries over UDP and TCP.  Finally
# `faultctl stats` must show the malformed packets counted.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

P=$(free_port)
S=127.0.0.1:$P
write_zone "$T/ex.zone"
fd_start main "$P" --zone "$T/ex.zone" --control "$T/ctl" --tcp-idle 2s || { not_ok "faultd starts"; t_done; }

HDR=abcd01000001000000000000              # id abcd, RD, QDCOUNT 1
QN=03777777076578616d706c650474657374     # www.example.test without the root
Q=${QN}0000010001                          # + root, type A, class IN
L64=40$(printf '61%.0s' $(seq 64))         # a 64-byte label (0x40: not a length)
L63=3f$(printf '61%.0s' $(seq 63))
alive() {
	dq --server $S --name www.example.test --timeout 1000
	[ "$(val rcode)" = NOERROR ] || return 1
	dq --server $S --tcp --name www.example.test --timeout 1000
	[ "$(val rcode)" = NOERROR ] && fd_alive main
}
# raw_case udp|tcp "what" HEX EXPECT   (EXPECT: an rcode, "closed", or "none" for no reply)
sent=0
raw_case() {
	local tr=$1 what=$2 hex=$3 want=$4 flag=
	[ "$tr" = tcp ] && flag=--tcp
	dq --server $S $flag --raw "$hex" --timeout 400
	sent=$((sent + 1))
	local got
	case "$OUT" in
	"reply "*) got=$(printf '%s' "$OUT" | sed 's/.*rcode=//') ;;
	closed) got=closed ;;
	*) got=none ;;
	esac
	chk "$tr: $what -> $want (got $got)" test "$got" = "$want"
	chk "$tr: ... and faultd still answers over UDP and TCP" alive
}

# --- UDP ---
raw_case udp "short header (4 bytes)" abcd0100 none
raw_case udp "empty datagram" "" none
raw_case udp "counts beyond the data (ANCOUNT 3, no records)" abcd01000001000300000000$Q FORMERR
raw_case udp "compression pointer loop in QNAME" ${HDR}c00c00010001 FORMERR
raw_case udp "forward pointer past the end" ${HDR}c0ff00010001 FORMERR
raw_case udp "label longer than 63" ${HDR}${L64}0000010001 FORMERR
raw_case udp "name longer than 255 (5 x 63-byte labels)" ${HDR}${L63}${L63}${L63}${L63}${L63}0000010001 FORMERR
raw_case udp "question cut short" ${HDR}037777 FORMERR
raw_case udp "truncated record (OPT with RDLENGTH 16, no RDATA)" abcd01000001000000000001${Q}0000291000000000000010 FORMERR
raw_case udp "a response (QR set) is never answered" abcd81000001000000000000$Q none
raw_case udp "QDCOUNT 0" abcd01000000000000000000 FORMERR
big=$(head -c 5000 /dev/zero | od -An -v -tx1 | tr -d ' \n')
raw_case udp "5000-byte datagram" "$big" none

# random garbage: 100 datagrams of 1..300 random bytes (header often readable)
for i in $(seq 100); do
	n=$(( (RANDOM % 300) + 1 ))
	hex=$(head -c $n /dev/urandom | od -An -v -tx1 | tr -d ' \n')
	"$DNSQ" --server $S --raw "$hex" --timeout 1 >/dev/null 2>&1
done
chk "udp: 100 random datagrams: faultd still answers" alive

# --- TCP (the test writes the 2-byte length itself) ---
raw_case tcp "garbage frame (16 bytes, counts beyond data)" 0010abcd0100ffffffffffffffff41414141 FORMERR
raw_case tcp "zero-length frame: connection closed" 0000 closed
raw_case tcp "4-byte frame (no header)" 0004abcd0100 none
raw_case tcp "frame announcing 256 bytes, 2 sent, then hang-up" 0100abcd none
raw_case tcp "HTTP on the DNS port" 474554202f20485454502f312e310d0a0d0a none
raw_case tcp "pointer loop in a framed query" 0012${HDR}c00c00010001 FORMERR
raw_case tcp "a good query then a zero-length frame: the good one is answered" "0022${HDR}${Q}0000" NOERROR
dq --server $S --tcp --frame 65535 --timeout 2000
sent=$((sent + 1))
chk "tcp: a 64 KiB frame (header + 65523 filler bytes) -> FORMERR ($OUT)" test "$OUT" = "reply len=12 rcode=FORMERR"
chk "tcp: ... and faultd still answers over UDP and TCP" alive

# a slow client that dribbles a frame byte by byte does not stall others
( exec 9<>/dev/tcp/127.0.0.1/$P; for b in 00 22 ab cd; do printf "\\x$b" >&9; sleep 0.3; done; exec 9>&- ) &
EXTRA_PIDS+=($!)
sleep 0.2
dq --server $S --tcp --name www.example.test
chk "a half-sent TCP frame on another connection does not stall a query (<50 ms; got $(val elapsed_ms))" \
	sh -c '[ "$1" = NOERROR ] && awk -v e="$2" "BEGIN{exit !(e<50)}"' _ "$(val rcode)" "$(val elapsed_ms)"

fc stats --json
m=$(jq -r .malformed <<<"$OUT" 2>/dev/null)
chk "faultctl stats counts the malformed packets (>= 100 random + 17 crafted; got ${m:-?})" \
	sh -c '[ -n "$1" ] && [ "$1" -ge 100 ]' _ "$m"
fc stats
chk "faultctl stats (text) shows the same malformed count" \
	sh -c 'printf "%s\n" "$1" | grep -Eq "^malformed +$2$"' _ "$OUT" "$m"
chk "faultd still running" fd_alive main
t_done
