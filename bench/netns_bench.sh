#!/bin/bash
# bench/netns_bench.sh -- build and tear down a 10-host topology N times
# (default 20) with the netns library, then the same topology with an
# equivalent script of `ip` commands, in the same run; print both medians
# and the ratio.  Needs root.  Sends no traffic at all.
#
#   bench/netns_bench.sh [BUILD_DIR] [N]
#
# The topology: a LAN segment (bridge in its own namespace) with client, app,
# stub and the core router; six more hosts (resolver, three authorities, two
# regional endpoints) each on a veth to the core.  IPv4 and IPv6 on every
# interface, default routes (v4 and v6) via the core, forwarding on the core,
# resolv.conf and hosts files for the three LAN hosts.  11 namespaces, 10
# veth pairs, 1 bridge, 20 addresses, 18 routes, 6 files.
set -u
BUILD=${1:-build}
N=${2:-20}
D=$BUILD/tests/it_netns
if [ "$(id -u)" != 0 ]; then echo "netns_bench: needs root" >&2; exit 3; fi
if [ ! -x "$D" ]; then echo "netns_bench: build $D first (make)" >&2; exit 2; fi
TMP=$(mktemp -d /tmp/dd-netns-bench.XXXXXX)
TAG=b$(printf '%05d' $(( $$ % 100000 )))
had_etc_netns=$([ -d /etc/netns ] && echo 1)
cleanup() {
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^dd-$TAG"); do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf /etc/netns/dd-"$TAG"* "$TMP"
	[ -n "$had_etc_netns" ] || rmdir /etc/netns 2>/dev/null
}
trap cleanup EXIT

LAN="client app stub"
SPOKES="resolver auth1 auth2 auth3 regiona regionb"

# --- the description, for the library ---------------------------------------
{
	echo "segment lan"
	echo "host core forward"
	i=1
	for h in $LAN; do
		echo "host $h"
		echo "attach lan $h"
		echo "addr $h lan 198.18.0.$i/24"
		echo "addr $h lan fd00:0::$i/64"
		echo "route $h default via 198.18.0.254"
		echo "route $h default6 via fd00:0::fe"
		echo "resolv $h nameserver 198.18.1.1"
		echo "hosts $h 198.18.1.1 resolver.test"
		i=$((i + 1))
	done
	echo "attach lan core"
	echo "addr core lan 198.18.0.254/24"
	echo "addr core lan fd00:0::fe/64"
	n=1
	for h in $SPOKES; do
		echo "host $h"
		echo "link core $h"
		echo "addr core $h 198.18.$n.254/24"
		echo "addr core $h fd00:$n::fe/64"
		echo "addr $h core 198.18.$n.1/24"
		echo "addr $h core fd00:$n::1/64"
		echo "route $h default via 198.18.$n.254"
		echo "route $h default6 via fd00:$n::fe"
		n=$((n + 1))
	done
} >"$TMP/bench.topo"

# --- the same topology as a script of ip commands -------------------------------
ipscript() {  # RUNID
	local r=dd-$1 i=1 n=1 h
	ip netns add "$r-lan"
	ip -n "$r-lan" link set lo up
	ip netns add "$r-core"
	ip -n "$r-core" link set lo up
	ip netns exec "$r-core" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	for h in $LAN $SPOKES; do
		ip netns add "$r-$h"
		ip -n "$r-$h" link set lo up
	done
	ip -n "$r-lan" link add br0 type bridge
	ip -n "$r-lan" link set br0 up
	for h in $LAN core; do
		ip -n "$r-lan" link add "p$i" type veth peer name lan netns "$r-$h"
		ip -n "$r-lan" link set "p$i" master br0 up
		ip -n "$r-$h" link set lan up
		i=$((i + 1))
	done
	for h in $SPOKES; do
		ip -n "$r-core" link add "$h" type veth peer name core netns "$r-$h"
		ip -n "$r-core" link set "$h" up
		ip -n "$r-$h" link set core up
	done
	i=1
	for h in $LAN; do
		ip -n "$r-$h" addr add "198.18.0.$i/24" dev lan
		ip -n "$r-$h" addr add "fd00:0::$i/64" dev lan nodad
		ip -n "$r-$h" route add default via 198.18.0.254
		ip -n "$r-$h" -6 route add default via fd00:0::fe
		mkdir -p "/etc/netns/$r-$h"
		echo "nameserver 198.18.1.1" >"/etc/netns/$r-$h/resolv.conf"
		echo "198.18.1.1 resolver.test" >"/etc/netns/$r-$h/hosts"
		i=$((i + 1))
	done
	ip -n "$r-core" addr add 198.18.0.254/24 dev lan
	ip -n "$r-core" addr add fd00:0::fe/64 dev lan nodad
	for h in $SPOKES; do
		ip -n "$r-core" addr add "198.18.$n.254/24" dev "$h"
		ip -n "$r-core" addr add "fd00:$n::fe/64" dev "$h" nodad
		ip -n "$r-$h" addr add "198.18.$n.1/24" dev core
		ip -n "$r-$h" addr add "fd00:$n::1/64" dev core nodad
		ip -n "$r-$h" route add default via "198.18.$n.254"
		ip -n "$r-$h" -6 route add default via "fd00:$n::fe"
		n=$((n + 1))
	done
}
ipteardown() {  # RUNID
	local r=dd-$1 h
	for h in lan core $LAN $SPOKES; do ip netns del "$r-$h"; done
	rm -rf /etc/netns/"$r"-*
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }

echo "netns_bench: 10 hosts + 1 segment, $N iterations each, $(nproc) CPUs, kernel $(uname -r)"

# Interleaved, one library round then one script round, so both see the same
# machine load (CI runners and shared hosts are noisy).  A warm-up round of
# each first, not counted.
"$D" bench "$TMP/bench.topo" 1 >/dev/null || { echo "netns_bench: library build failed" >&2; exit 1; }
ipscript "${TAG}w" && ipteardown "${TAG}w" || { echo "netns_bench: ip script failed" >&2; exit 1; }
: >"$TMP/lib.out"
: >"$TMP/ip.out"
for k in $(seq "$N"); do
	"$D" bench "$TMP/bench.topo" 1 | grep '^iteration' >>"$TMP/lib.out" ||
		{ echo "netns_bench: library build failed" >&2; exit 1; }
	t0=$(date +%s%N)
	ipscript "${TAG}s$k" || { echo "netns_bench: ip script failed" >&2; exit 1; }
	ipteardown "${TAG}s$k"
	t1=$(date +%s%N)
	awk -v ns=$((t1 - t0)) 'BEGIN {printf "%.2f\n", ns / 1e6}' >>"$TMP/ip.out"
done
lib=$(sed -n 's/.*total_ms \([0-9.]*\).*/\1/p' "$TMP/lib.out" | median)
libbuild=$(sed -n 's/.*build_ms \([0-9.]*\).*/\1/p' "$TMP/lib.out" | median)
libdown=$(sed -n 's/.*teardown_ms \([0-9.]*\).*/\1/p' "$TMP/lib.out" | median)
libmin=$(sed -n 's/.*total_ms \([0-9.]*\).*/\1/p' "$TMP/lib.out" | sort -n | head -1)
libmax=$(sed -n 's/.*total_ms \([0-9.]*\).*/\1/p' "$TMP/lib.out" | sort -n | tail -1)
ipmed=$(median <"$TMP/ip.out")

printf 'library  build+teardown median %8.2f ms  (build %.2f ms, teardown %.2f ms; min %s, max %s)\n' \
	"$lib" "$libbuild" "$libdown" "$libmin" "$libmax"
printf 'ip script build+teardown median %8.2f ms  (min %s, max %s)\n' "$ipmed" \
	"$(sort -n "$TMP/ip.out" | head -1)" "$(sort -n "$TMP/ip.out" | tail -1)"
ratio=$(awk -v a="$ipmed" -v b="$lib" 'BEGIN {printf "%.1f", a / b}')
echo "speed-up: ${ratio}x (goal: >= 5x, and library < 250 ms)"
[ -n "${BENCH_SUMMARY:-}" ] && printf '%s\t%s\t%s\n' "10-host topology build+teardown: library / ip script" \
	"$lib / $ipmed ms (${ratio}x)" ">= 5x, library < 250 ms" >>"$BENCH_SUMMARY"
awk -v r="$ratio" -v l="$lib" 'BEGIN {exit !(r >= 5 && l < 250)}' && echo "goal: met" || echo "goal: NOT met"
