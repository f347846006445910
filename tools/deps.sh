#!/bin/sh
# Install the Debian packages dnsdrill needs to build, test and run.
#   deps.sh check    exit 0 when everything is present, 1 otherwise
#   deps.sh install  install what is missing (apt-get), nothing when complete
#
# The resolvers (bind9, knot-resolver, pdns-recursor, dnsmasq-base, unbound,
# dnsdist) are systems under test that dnsdrill starts inside its namespaces;
# their Debian packages must not start them on the machine itself (with no
# systemd, invoke-rc.d would start the init.d scripts on port 53 here).  So
# the install runs under a /usr/sbin/policy-rc.d that exits 101 ("action
# forbidden", the Debian mechanism), put back as it was afterwards, and what
# listens on the machine is compared before and after.
set -eu

PKGS="build-essential pkg-config libldns-dev ldnsutils libpcap-dev libnl-3-dev
libnl-route-3-dev liblua5.4-dev lua5.4 libcmocka-dev knot-dnsutils dnsdist
dnsperf unbound iproute2 nftables procps psmisc chromium jq libxml2-utils
libcap2-bin libjansson-dev clang libclang-rt-14-dev bind9 knot-resolver pdns-recursor dnsmasq-base
libc-ares-dev python3-yaml libssl-dev openssl"

POLICY=/usr/sbin/policy-rc.d
SAVED=/usr/sbin/policy-rc.d.dnsdrill-saved

# Forbid service starts for the install; restore_policy undoes it.
forbid_starts() {
	if [ -e "$POLICY" ] && [ ! -e "$SAVED" ]; then mv "$POLICY" "$SAVED"; fi
	printf '#!/bin/sh\n# dnsdrill deps.sh: no service starts during the install\nexit 101\n' >"$POLICY"
	chmod 0755 "$POLICY"
}
restore_policy() {
	rm -f "$POLICY"
	if [ -e "$SAVED" ]; then mv "$SAVED" "$POLICY"; fi
}

# Listening sockets of the machine, "proto addr:port", sorted.
listeners() { ss -H -lntu 2>/dev/null | awk '{print $1, $5}' | sort -u; }

missing() {
	for p in $PKGS; do
		st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		case "$st" in
		*"install ok installed"*) ;;
		*) printf '%s ' "$p" ;;
		esac
	done
}

m=$(missing)
case "${1:-check}" in
check)
	[ -z "$m" ] && exit 0
	echo "deps: missing Debian packages: $m" >&2
	exit 1 ;;
install)
	[ -z "$m" ] && exit 0
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages ($m) and not root: run 'sudo make deps'" >&2
		exit 3
	fi
	echo "deps: installing $m"
	export DEBIAN_FRONTEND=noninteractive
	before=$(listeners)
	trap restore_policy EXIT INT TERM
	forbid_starts
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $m >/dev/null
	restore_policy
	trap - EXIT INT TERM
	# A package that started a server anyway (a policy-rc.d it ignored):
	# stop it; dnsdrill starts its own inside namespaces.
	for s in unbound dnsdist named bind9 kresd pdns-recursor dnsmasq; do
		if command -v service >/dev/null 2>&1; then service "$s" stop >/dev/null 2>&1 || true; fi
	done
	after=$(listeners)
	if [ -n "$before" ]; then
		new=$(printf '%s\n' "$after" | grep -vxF -e "$before" || true)
	else
		new=$after
	fi
	if [ -n "$new" ]; then
		echo "deps: warning: new listening sockets on this machine since the install:" >&2
		printf '  %s\n' "$new" >&2
	fi
	;;
*)
	echo "usage: deps.sh check|install" >&2; exit 2 ;;
esac
