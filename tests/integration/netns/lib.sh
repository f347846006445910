# tests/integration/netns/lib.sh -- shared by the netns*.sh tests (source it
# after tests/lib/tap.sh).  Needs root; every script removes what it made
# through an EXIT trap, even when failing.
NT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
D=${BUILD_ABS:-$(pwd)/build}/tests/it_netns
# a run-id prefix of our own: [a-z0-9], short enough for 12-char run ids
NT_TAG=t$(printf '%05d' $(( $$ % 100000 )))
NT_TMP=$(mktemp -d /tmp/dd-netns-test.XXXXXX)
NT_PIDS=()

nt_require() {
	if [ "$(id -u)" != 0 ]; then
		skip "netns integration tests" "need root"
		exit 0
	fi
	if [ ! -x "$D" ]; then
		not_ok "driver $D is built"
		exit 1
	fi
}

# Everything of the host that a run could leave behind.  Other dnsdrill runs
# (dd-OTHERID-...) that come and go meanwhile are filtered out; ours stay.
nt_snapshot() {
	local others="dd-[a-z0-9]+-"
	{
		echo "== ip netns list"; ip netns list 2>/dev/null | awk '{print $1}'
		echo "== ip link"; ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//'
		echo "== /run/netns"; [ -d /run/netns ] && ls -A /run/netns
		echo "== /etc/netns"; [ -d /etc/netns ] && ls -A /etc/netns
		echo "== mounts"; awk '{print $5}' /proc/self/mountinfo
	} 2>/dev/null | grep -Ev "$others" | sort
	# ours, unfiltered
	{ ip netns list; ls -A /run/netns /etc/netns; cat /proc/self/mountinfo; } 2>/dev/null |
		grep -E "dd-${NT_TAG}" | sort
}

# nt_same "what" BEFORE-FILE: compare with a fresh snapshot
nt_same() {
	local what=$1 before=$2 after
	after=$(mktemp "$NT_TMP/snap.XXXXXX")
	nt_snapshot >"$after"
	if diff -u "$before" "$after" >"$after.diff"; then
		ok "$what"
	else
		not_ok "$what"
		sed 's/^/# /' "$after.diff"
	fi
}

# Start a driver in the background; remember it for the trap.
nt_bg() {
	"$@" &
	NT_PIDS+=($!)
}

nt_wait_file() {  # FILE [PATTERN]: up to ~30 s
	for _ in $(seq 300); do
		if [ -s "$1" ] && { [ -z "${2:-}" ] || grep -q "$2" "$1"; }; then return 0; fi
		sleep 0.1
	done
	return 1
}

nt_cleanup() {
	local p
	for p in "${NT_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${NT_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	# anything of ours a failed test left: the driver's cleanup, then by hand
	"$D" cleanup >/dev/null 2>&1
	"$D" cleanup --root "$NT_TMP/root" >/dev/null 2>&1
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^dd-${NT_TAG}"); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf /etc/netns/dd-"${NT_TAG}"* /run/dnsdrill/"${NT_TAG}"* 2>/dev/null
	rm -rf "$NT_TMP"
}
trap nt_cleanup EXIT
