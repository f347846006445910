# rootless.sh -- an unprivileged user for a test, and a copy of the tree it
# can read (source it; needs tap.sh).  CI runs the tests as root from a
# fresh clone, often under a 0700 temporary folder: the user could not
# reach the build there, so the programs, scenarios and tests are copied
# into the test's own folder.
#
#   rl_setup WORK     creates user ddrl<pid><random> (its home WORK/home,
#                     no login) and WORK/tree: build/ (the programs and
#                     it_* helpers), scenarios/, tests/; removes the user
#                     again on every way out (trap on EXIT, INT, TERM: its
#                     processes killed by its uid first, then userdel)
#   as_user CMD...    CMD as that user, in WORK/tree, a clean environment
#   RL_USER RL_UID RL_TREE   set by rl_setup
RL_USER=""

rl_teardown() {
	if [ -n "$RL_USER" ] && id -u "$RL_USER" >/dev/null 2>&1; then
		pkill -KILL -u "$RL_UID" 2>/dev/null
		for _ in $(seq 50); do pgrep -u "$RL_UID" >/dev/null || break; sleep 0.1; done
		userdel "$RL_USER" 2>/dev/null || userdel -f "$RL_USER" 2>/dev/null
		getent group "$RL_USER" >/dev/null && groupdel "$RL_USER" 2>/dev/null
	fi
	[ -n "${RL_WORK:-}" ] && rm -rf "$RL_WORK"
}

rl_setup() {
	local src b f
	RL_WORK=$1
	src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	b=${BUILD_ABS:-$src/build}
	RL_USER=ddrl$$$((RANDOM % 1000))
	trap 'rl_teardown' EXIT
	trap 'rl_teardown; exit 130' INT
	trap 'rl_teardown; exit 143' TERM
	chmod 0755 "$RL_WORK"
	useradd -M -N -g nogroup -d "$RL_WORK/home" -s /usr/sbin/nologin "$RL_USER" || return 1
	RL_UID=$(id -u "$RL_USER")
	mkdir -p "$RL_WORK/home" "$RL_WORK/tree/build/tests"
	chown "$RL_USER" "$RL_WORK/home"
	RL_TREE=$RL_WORK/tree
	for f in dnsdrill faultd faultctl dd-regional-client dd-http-responder; do
		[ -x "$b/$f" ] && cp "$b/$f" "$RL_TREE/build/"
	done
	for f in "$b"/tests/it_*; do [ -x "$f" ] && cp "$f" "$RL_TREE/build/tests/"; done
	cp -r "$src/scenarios" "$src/tests" "$RL_TREE/"
	[ -d "$src/doc/examples" ] && mkdir -p "$RL_TREE/doc" && cp -r "$src/doc/examples" "$RL_TREE/doc/"
	chmod -R a+rX "$RL_TREE"
	mkdir -p "$RL_WORK/out" && chown "$RL_USER" "$RL_WORK/out"
}

as_user() {
	(cd "$RL_TREE" && setpriv --reuid="$RL_UID" --regid="$(id -g "$RL_USER")" \
		--init-groups env -i HOME="$RL_WORK/home" USER="$RL_USER" LOGNAME="$RL_USER" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 TMPDIR=/tmp "$@")
}
