#!/bin/bash
# faultd_tcp_abuse.sh -- TCP clients that misbehave cannot take TCP (or a
# core) away from the rest (issue 10, bugs 5, 6, 10, 11):
#   - fd limit: under `prlimit --nofile=64` --max-tcp is lowered (logged),
#     and when the limit is hit anyway (lowered while running) the listener
#     pauses instead of spinning: faultd's CPU time stays low while clients
#     hold every descriptor, and TCP is answered again once they leave;
#   - slowloris: connections trickling a byte at a time are closed after
#     --tcp-idle counted from their last complete query, and a normal
#     client is served meanwhile although --max-tcp is small;
#   - half-close: a client that sends its query and shuts down its write
#     side still gets a delayed and a forwarded answer; `replies` counts
#     only answers written, one lost with its client counts as a drop;
#   - output bounds: 20 clients pipelining queries for a large answer and
#     never reading keep faultd's peak RSS modest, are closed after
#     --tcp-idle, and a normal client is served; with a small
#     --max-tcp-output the connections holding the most are closed at once.
# FAULTD_BIN=path runs the checks against another faultd binary.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh
FAULTD=${FAULTD_BIN:-$FAULTD}
AB=$BUILD_ABS/tests/it_tcpabuse

write_zone "$T/ex.zone"
for i in $(seq 1 200); do
	printf 'big\tIN A 198.18.%d.%d\n' $((i / 250)) $((i % 250 + 1)) >>"$T/ex.zone"
done

# CPU time (user + system) of PID in clock ticks
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
# start faultd under a wrapper (prlimit ...): NAME PORT WRAPPER... -- ARGS...
fd_start_wrapped() {
	local name=$1 port=$2 w=()
	shift 2
	while [ "$1" != -- ]; do w+=("$1"); shift; done
	shift
	"${w[@]}" "$FAULTD" --listen "127.0.0.1:$port" "$@" >"$T/$name.log" 2>&1 &
	FD_PID[$name]=$!
	wait_for fd_listening "$port" || { sed 's/^/#   /' "$T/$name.log"; return 1; }
}

# ---- bug 5: the fd limit ---------------------------------------------------
P=$(free_port)
if fd_start_wrapped lim "$P" prlimit --nofile=64:64 -- --zone "$T/ex.zone"; then
	pid=${FD_PID[lim]}
	chk "prlimit --nofile=64: the log says --max-tcp was lowered" \
		grep -q -- '--max-tcp lowered from 1024 to' "$T/lim.log" || sed 's/^/#   /' "$T/lim.log"
	"$AB" hold --server 127.0.0.1:$P --conns 100 --ms 3000 >"$T/hold1.out" &
	hp=$!
	sleep 0.6
	c0=$(ticks "$pid"); sleep 2; c1=$(ticks "$pid")
	chk "nofile=64, 100 clients holding connections: faultd used < 20% of a core over 2 s ($((c1 - c0)) ticks of $((2 * HZ)))" \
		test $((c1 - c0)) -lt $((2 * HZ / 5))
	wait "$hp"
	dq --server 127.0.0.1:$P --tcp --name www.example.test --timeout 2000
	chk "nofile=64: TCP is answered once those clients left (rcode ${RC}:$(val rcode))" test "$(val rcode)" = NOERROR
	kill "$pid"; wait "$pid" 2>/dev/null; unset 'FD_PID[lim]'
else
	not_ok "faultd starts under prlimit --nofile=64"
fi

# the limit hit anyway: --max-tcp was set under a higher limit, then the
# limit is lowered under the running faultd
P=$(free_port)
if fd_start lowered "$P" --zone "$T/ex.zone" --max-tcp 200; then
	pid=${FD_PID[lowered]}
	prlimit --pid "$pid" --nofile=48:48
	"$AB" hold --server 127.0.0.1:$P --conns 80 --ms 3000 >"$T/hold2.out" &
	hp=$!
	sleep 0.6
	c0=$(ticks "$pid"); sleep 2; c1=$(ticks "$pid")
	nfd=$(ls "/proc/$pid/fd" | wc -l)
	chk "at the fd limit ($nfd of 48 open): faultd used < 20% of a core over 2 s ($((c1 - c0)) ticks of $((2 * HZ)))" \
		test $((c1 - c0)) -lt $((2 * HZ / 5))
	chk "at the fd limit: the listener was paused, and the log says so" \
		grep -q 'cannot accept: Too many open files; pausing the listener' "$T/lowered.log"
	wait "$hp"
	dq --server 127.0.0.1:$P --tcp --name www.example.test --timeout 2000
	chk "after the clients left: TCP answered again (rcode ${RC}:$(val rcode))" test "$(val rcode)" = NOERROR
else
	not_ok "faultd starts (fd limit lowered later)"
fi

# ---- bug 6: slowloris -------------------------------------------------------
P=$(free_port)
if fd_start slow "$P" --zone "$T/ex.zone" --max-tcp 8 --tcp-idle 1s; then
	"$AB" slow --server 127.0.0.1:$P --conns 8 --every 100 --ms 3200 >"$T/slow.out" &
	sp=$!
	sleep 1.9
	dq --server 127.0.0.1:$P --tcp --name www.example.test --timeout 1000
	normal=$(val rcode)
	wait "$sp"
	OUT=$(cat "$T/slow.out")
	chk "8 slow clients (a byte every 100 ms, --max-tcp 8, --tcp-idle 1s): all closed in 0.9..2.5 s ($OUT)" \
		sh -c 'set -- $1; [ "$2" = closed=8 ] && awk -v f="${4#first_ms=}" -v l="${5#last_ms=}" "BEGIN{exit !(f>=900 && l<=2500)}"' _ "$OUT"
	chk "meanwhile a normal TCP client is answered (rcode: ${normal:-none})" test "$normal" = NOERROR
else
	not_ok "faultd starts (slowloris)"
fi

# ---- bug 10: half-close -----------------------------------------------------
P=$(free_port); PU=$(free_port)
sed 's/example\.test\./other.test./' "$T/ex.zone" >"$T/other.zone"
fd_start up "$PU" --zone "$T/other.zone" --rule 'name=www.other.test delay=200ms' ||
	not_ok "upstream faultd starts"
if fd_start half "$P" --zone "$T/ex.zone" --upstream 127.0.0.1:$PU --control "$T/ctl" \
	--rule 'name=slow.example.test delay=300ms'; then
	OUT=$("$AB" halfclose --server 127.0.0.1:$P --name slow.example.test --timeout 2000)
	chk "half-close: a delay=300ms answer arrives after the client shut down its write side ($OUT)" \
		sh -c 'set -- $1; [ "$1" = reply ] && [ "$2" = rcode=0 ] && [ "$3" = an=1 ] && awk -v e="${5#elapsed_ms=}" "BEGIN{exit !(e>=299.5)}"' _ "$OUT"
	OUT=$("$AB" halfclose --server 127.0.0.1:$P --name www.other.test --timeout 2000)
	chk "half-close: a forwarded answer (upstream delays 200ms) arrives too ($OUT)" \
		sh -c 'set -- $1; [ "$1" = reply ] && [ "$2" = rcode=0 ] && [ "$3" = an=1 ] && awk -v e="${5#elapsed_ms=}" "BEGIN{exit !(e>=199.5)}"' _ "$OUT"
	fc stats --json; r0=$(jq .replies <<<"$OUT"); d0=$(jq .drops <<<"$OUT")
	# a client that resets its connection before its delayed answer: that
	# answer is never written, so it is no reply
	"$AB" abort --server 127.0.0.1:$P --name slow.example.test --ms 50 >/dev/null
	sleep 0.5
	fc stats --json; r1=$(jq .replies <<<"$OUT"); d1=$(jq .drops <<<"$OUT")
	chk "stats: an answer whose client reset the connection first counts as a drop, not a reply (replies $r0 -> $r1, drops $d0 -> $d1)" \
		test "$r1" = "$r0" -a "$d1" = $((d0 + 1))
	"$AB" halfclose --server 127.0.0.1:$P --name slow.example.test --timeout 2000 >/dev/null
	fc stats --json; r2=$(jq .replies <<<"$OUT")
	chk "stats: a half-closed client's delayed answer, written, counts as a reply ($r1 -> $r2)" \
		test "$r2" = $((r1 + 1))
	chk "stats: no TCP connection left open after those answers" jqt '.tcp_connections == 0'
else
	not_ok "faultd starts (half-close)"
fi

# ---- bug 11: output bounds ---------------------------------------------------
P=$(free_port)
if fd_start out "$P" --zone "$T/ex.zone" --tcp-idle 1500ms; then
	pid=${FD_PID[out]}
	rss0=$(kb "$pid" VmRSS)
	"$AB" noread --server 127.0.0.1:$P --conns 20 --queries 3000 --name big.example.test \
		--ms 3500 >"$T/noread.out" &
	np=$!
	sleep 1
	dq --server 127.0.0.1:$P --tcp --name www.example.test --timeout 1000
	ntcp=$(val rcode)
	dq --server 127.0.0.1:$P --name www.example.test --timeout 1000
	nudp=$(val rcode)
	wait "$np"
	hwm=$(kb "$pid" VmHWM)
	OUT=$(cat "$T/noread.out")
	if ldd "$FAULTD" 2>/dev/null | grep -q libasan; then
		skip "20 non-reading clients: peak RSS bound" "ASan changes memory use ($rss0 -> peak $hwm kB)"
	else
		chk "20 non-reading clients pipelining 3,000 queries each: faultd's peak RSS grew < 20 MB ($rss0 -> peak $hwm kB; $OUT)" \
			test $((hwm - rss0)) -lt 20480
	fi
	chk "meanwhile a normal client is served over TCP and UDP (${ntcp:-none}, ${nudp:-none})" \
		test "$ntcp" = NOERROR -a "$nudp" = NOERROR
	chk "the non-reading clients were closed by faultd (--tcp-idle 1500ms) ($OUT)" \
		grep -q 'connected=20 .*closed_by_server=20' <<<"$OUT"
else
	not_ok "faultd starts (output bounds)"
fi

P=$(free_port)
if fd_start outmax "$P" --zone "$T/ex.zone" --max-tcp-output 512k; then
	OUT=$("$AB" noread --server 127.0.0.1:$P --conns 20 --queries 3000 --name big.example.test --ms 1000)
	chk "--max-tcp-output 512k: the connections holding the most are closed at once ($OUT)" \
		grep -q 'closing the connection holding the most' "$T/outmax.log"
	dq --server 127.0.0.1:$P --tcp --name www.example.test --timeout 1000
	chk "--max-tcp-output 512k: a normal TCP client is served afterwards ($(val rcode))" test "$(val rcode)" = NOERROR
else
	not_ok "faultd starts (--max-tcp-output)"
fi

for n in "${!FD_PID[@]}"; do
	chk "faultd $n still running" fd_alive "$n"
done
t_done
