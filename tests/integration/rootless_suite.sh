#!/bin/bash
# tests/run.sh: parallel (each script runs as the test's own user: what it sees of the host is that user's)
# rootless_suite.sh -- integration scripts that need no host root, run a
# second time as an unprivileged user (made for the test, removed on every
# way out) so rootless mode stays working: each script's "ok"/"not ok" lines
# come out prefixed with "rootless NAME:".  Which scripts, and why the
# others are not here: doc/rootless.md ("Tests").
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rootless.sh"
cd "$(dirname "$0")/../.." || exit 2
work=$(mktemp -d /tmp/dd-it-rlsuite.XXXXXX)
rl_setup "$work" || { not_ok "useradd for the test's user"; t_done; }

SUITE=${ROOTLESS_SUITE:-dnsdrill_check time_scale matrix_from dnsdrill_lua_bombs zone_live}
for s in $SUITE; do
	st=$(date +%s)
	as_user env BUILD_ABS="$RL_TREE/build" timeout 300 bash "tests/integration/$s.sh" \
		>"$work/$s.log" 2>&1
	rc=$?
	n=$(grep -c '^ok' "$work/$s.log")
	grep -E '^(not )?ok' "$work/$s.log" | sed "s/^\(not ok\|ok\) - /\1 - rootless $s: /"
	check "rootless $s: exit 0 with $n ok ($(( $(date +%s) - st )) s, rc $rc)" \
		test "$rc" = 0 -a "$n" -gt 0
	[ "$rc" = 0 ] || grep -v '^ok' "$work/$s.log" | tail -8 | sed 's/^/#   /'
done
left=$(pgrep -u "$RL_UID" -a)
check "no process of $RL_USER left ('$left')" test -z "$left"
t_done
