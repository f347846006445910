#!/bin/sh
# Install the Debian packages dnsdrill needs to build, test and run.
#   deps.sh check    exit 0 when everything is present, 1 otherwise
#   deps.sh install  install what is missing (apt-get), nothing when complete
set -eu

PKGS="build-essential pkg-config libldns-dev ldnsutils libpcap-dev libnl-3-dev
libnl-route-3-dev liblua5.4-dev lua5.4 libcmocka-dev knot-dnsutils dnsdist
dnsperf unbound iproute2 nftables procps psmisc chromium jq libxml2-utils
libcap2-bin libjansson-dev clang libclang-rt-14-dev libc-ares-dev"

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
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $m >/dev/null
	# Debian starts some servers on install; dnsdrill starts its own.
	for s in unbound dnsdist; do
		if command -v service >/dev/null 2>&1; then service "$s" stop >/dev/null 2>&1 || true; fi
	done
	;;
*)
	echo "usage: deps.sh check|install" >&2; exit 2 ;;
esac
