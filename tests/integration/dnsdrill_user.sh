#!/bin/bash
# dnsdrill_user.sh -- processes declared with user = (and group =) run as
# that user inside their host, root ones stay root; a user this machine lacks
# fails `dnsdrill check` and `dnsdrill run` with the scenario's FILE:LINE.
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-user.XXXXXX)
trap 'rm -rf "$work"' EXIT

nobody_uid=$(id -u nobody) nobody_gid=$(id -g nobody)
"$DD" run tests/scenarios/proc-user.lua --out "$work/run" --quiet >"$work/run.out" 2>&1
rc=$?
check "the run exits 0" test "$rc" = 0 || sed 's/^/#   /' "$work/run.out"
out=$(cat "$work/run/as-nobody.stdout" 2>/dev/null)
check "user = \"nobody\": runs as nobody ($out)" \
	test "$out" = "uid=$nobody_uid gid=$nobody_gid groups=$(id -G nobody)"
out=$(cat "$work/run/as-nobody-root-group.stdout" 2>/dev/null)
check "user = \"nobody\", group = \"root\": uid nobody, gid 0 ($out)" \
	sh -c 'case "$1" in "uid=$2 gid=0 groups=0"*) exit 0;; esac; exit 1' _ "$out" "$nobody_uid"
out=$(cat "$work/run/as-root.stdout" 2>/dev/null)
check "no user =: runs as root ($out)" test "${out%% *}" = uid=0

sed 's/user = "nobody", group/user = "dd-no-such-user", group/' tests/scenarios/proc-user.lua \
	>"$work/nouser.lua"
"$DD" check "$work/nouser.lua" >"$work/check.out" 2>&1
rc=$?
check "check: a user this machine lacks exits 2" test "$rc" = 2
check "... naming the file and line and the user" \
	grep -q "nouser.lua:8:.*user 'dd-no-such-user': no such user" "$work/check.out" \
	|| sed 's/^/#   /' "$work/check.out"
"$DD" run "$work/nouser.lua" --out "$work/run2" --quiet >"$work/run2.out" 2>&1
rc=$?
check "run: exits 2 before building anything, same message" \
	sh -c '[ "$1" = 2 ] && grep -q "nouser.lua:8:.*no such user" "$2"' _ "$rc" "$work/run2.out" \
	|| sed 's/^/#   /' "$work/run2.out"
t_done
