#!/bin/bash
# tests/run.sh: parallel (what it looks at on the host is its own: its user's processes and files, its runs' ids)
# rootless.sh -- dnsdrill as an unprivileged user (doc/rootless.md): a user
# made for the test (removed on every way out) runs `dnsdrill check`, the
# example scenario to a verdict with its files written and owned by it, the
# flagship compressed to PASS, a catalogue scenario on the sealed internet
# (se-2022-02-04: a signed test root, DNSSEC validation), and resolver profiles (unbound, and dnsmasq
# which would drop to nobody/dip) through faultd to a verdict.  While the
# example runs, its namespaces and run folder exist inside its own mount
# namespace and nowhere on the host; after everything, nothing of the user
# is left (no process, nothing it owns under /run/netns, /run/dnsdrill or
# /etc/netns, no /run/etc-netns), even after a SIGKILL mid-run.  Where user namespaces are unavailable
# (max_user_namespaces 0 in the namespace it runs in) the error is one line
# naming the sysctl; `cleanup` as the user succeeds and says nothing is
# left; a resolver's `user = "nobody"` is refused at check.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/rootless.sh"
cd "$(dirname "$0")/../.." || exit 2
work=$(mktemp -d /tmp/dd-it-rootless.XXXXXX)
rl_setup "$work" || { not_ok "useradd for the test's user"; t_done; }
O=$work/out
DD=build/dnsdrill
jqt() { jq -e "$@" >/dev/null; }

# 1. check builds nothing and needs nothing privileged
as_user $DD check scenarios/examples/empty-record.lua >"$work/check.out" 2>&1
check "check as $RL_USER: exit 0 ($(head -1 "$work/check.out"))" test $? = 0

# 2. the example to a verdict; meanwhile, look inside its mount namespace
# (as root, with nsenter) and at the host's at the same moment
as_user $DD run scenarios/examples/empty-record.lua --out "$O/ex" --quiet \
	--set fault_at=2 --set fault_for=2 >"$work/ex.out" 2>&1 &
pid=$!
id=""
for _ in $(seq 100); do
	# the parent of the run lives in the run's mount namespace
	p=$(pgrep -u "$RL_UID" -x dnsdrill | head -1)
	[ -n "$p" ] && id=$(nsenter -t "$p" -m ls /run/dnsdrill 2>/dev/null | head -1)
	[ -n "$id" ] && inside=$(nsenter -t "$p" -m ip netns list 2>/dev/null | grep -c "^dd-$id-") &&
		[ "$inside" -gt 0 ] && break
	sleep 0.1
done
host=$( { ip netns list 2>/dev/null | grep "^dd-$id-"; ls -d "/run/dnsdrill/$id" 2>/dev/null
	ls /etc/netns 2>/dev/null | grep "^dd-$id-"; ls -d /run/etc-netns 2>/dev/null; } )
check "mid-run: run $id's namespaces exist in its own mount namespace (${inside:-0})" \
	test -n "$id" -a "${inside:-0}" -gt 0
check "mid-run: and none of them on the host ('$host')" test -z "$host"
wait $pid
rc=$?
R=$O/ex/result.json
check "example as $RL_USER: exit 0 (rc $rc)" test "$rc" = 0
[ "$rc" = 0 ] || tail -5 "$work/ex.out" | sed 's/^/#   /'
check "example: verdict pass, the fault detected" \
	jqt '.verdict == "pass" and .metrics.detection_s != null' "$R"
check "example: result.json, junit.xml, report.html written, owned by $RL_USER" \
	sh -c 'for f in result.json junit.xml report.html; do
	  [ -s "$1/$f" ] && [ "$(stat -c %u "$1/$f")" = "$2" ] || exit 1; done' _ "$O/ex" "$RL_UID"

# 3. the flagship compressed, and two resolver profiles, side by side
as_user $DD run scenarios/aws-use1-2025-10-20/scenario.lua --out "$O/flag" --seed 1 \
	--quiet --set speed="${FLAGSHIP_SPEED:-720}" >"$work/flag.out" 2>&1 &
fp=$!
as_user $DD run tests/scenarios/resolvers-a.lua --out "$O/unbound" --seed 1 --quiet \
	--set software=unbound --set fault=servfail >"$work/unbound.out" 2>&1 &
up=$!
# a catalogue scenario on the sealed internet: a signed test root, a TLD
# with several name servers, validating and non-validating unbound
as_user $DD run scenarios/se-2022-02-04/scenario.lua --out "$O/se" --quiet \
	>"$work/se.out" 2>&1 &
sp=$!
as_user $DD run tests/scenarios/resolver-forwarding.lua --out "$O/dnsmasq" --quiet \
	--set software=dnsmasq --set fault=servfail >"$work/dnsmasq.out" 2>&1
mrc=$?
wait $up; urc=$?
wait $fp; frc=$?
wait $sp; src=$?
check "flagship as $RL_USER: exit 0 (rc $frc)" test "$frc" = 0
[ "$frc" = 0 ] || tail -8 "$work/flag.out" | sed 's/^/#   /'
check "flagship: verdict pass, failed over ($(jq -c .metrics.failover_s "$O/flag/result.json" 2>/dev/null) s)" \
	jqt '.verdict == "pass" and .metrics.failover_s != null' "$O/flag/result.json"
check "unbound profile: exit 0 (rc $urc), the SERVFAIL seen through it, its version recorded" \
	jqt '.verdict == "pass" and .fault.service_disrupted and (.versions.resolver | test("^Version 1"))' \
	"$O/unbound/result.json"
[ "$urc" = 0 ] || tail -5 "$work/unbound.out" "$O/unbound/resolver.stderr" | sed 's/^/#   /'
check "dnsmasq profile: exit 0 (rc $mrc), it answered through faultd ($(jq -c .authority.auth.queries "$O/dnsmasq/result.json" 2>/dev/null) queries)" \
	jqt '.verdict == "pass" and .authority.auth.queries > 0' "$O/dnsmasq/result.json"
check "dnsmasq: it did not try to change its user or group" \
	sh -c '! grep -q "FAILED to start\|failed to change" "$1"' _ "$O/dnsmasq/resolver.stderr"
check "se-2022-02-04 (sealed internet, DNSSEC) as $RL_USER: exit 0 (rc $src), the validator failed bank.se ($(jq -c '.probe_metrics.val.metrics.availability' "$O/se/result.json" 2>/dev/null)), the non-validator did not" \
	jqt '.verdict == "pass" and .probe_metrics.val.metrics.availability < 0.2 and .probe_metrics.nonval.metrics.availability >= 0.99' "$O/se/result.json"
[ "$src" = 0 ] || tail -8 "$work/se.out" | sed 's/^/#   /'

# 4. what cannot work rootless, said plainly
as_user $DD check tests/scenarios/resolvers-a.lua --set user=nobody >"$work/user.out" 2>&1
rc=$?
check "a resolver's user = \"nobody\" is refused at check (exit $rc): $(grep -o 'user = .*' "$work/user.out" | head -c 90)" \
	sh -c '[ "$1" = 2 ] && grep -q "a rootless run maps only root" "$2"' _ "$rc" "$work/user.out"
as_user $DD run --no-rootless scenarios/examples/empty-record.lua --out "$O/nr" >"$work/nr.out" 2>&1
rc=$?
check "--no-rootless as a user: exit 3, needs root" \
	sh -c '[ "$1" = 3 ] && grep -q "needs root" "$2"' _ "$rc" "$work/nr.out"
# a scenario without a topology probes this machine's network: rootless it
# could not see it (it refuses, naming --no-rootless); with --no-rootless a
# user runs it (no root needed): here it goes on to the remote control
# socket, which does not exist, and stops there (exit 3)
as_user $DD run scenarios/examples/remote-gameday.lua --out "$O/gd" --quiet \
	--set control="$work/none.sock" >"$work/gd.out" 2>&1
rc=$?
check "topology = false rootless: refused, naming --no-rootless (exit $rc)" \
	sh -c '[ "$1" = 2 ] && grep -q "run it with --no-rootless" "$2"' _ "$rc" "$work/gd.out"
as_user $DD run --no-rootless scenarios/examples/remote-gameday.lua --out "$O/gd2" --quiet \
	--set control="$work/none.sock" >"$work/gd2.out" 2>&1
rc=$?
check "topology = false with --no-rootless as a user: past the privilege check, to the remote (exit $rc: $(grep -o 'does not answer' "$work/gd2.out" | head -1))" \
	sh -c '[ "$1" = 3 ] && grep -q "does not answer" "$2" && ! grep -q "needs root" "$2"' _ "$rc" "$work/gd2.out"

# 5. no user namespaces: the user's own namespace with max_user_namespaces
# 0 (the nested unshare fails with ENOSPC, as on a machine set so)
as_user unshare -Ur sh -c 'echo 0 >/proc/sys/user/max_user_namespaces &&
	exec build/dnsdrill run --rootless scenarios/examples/empty-record.lua --out "$1"' \
	_ "$O/nons" >"$work/nons.out" 2>&1
rc=$?
check "no user namespaces: exit 3, one line naming the sysctl and the fix: $(head -c 150 "$work/nons.out")" \
	sh -c '[ "$1" = 3 ] && [ "$(wc -l <"$2")" = 1 ] &&
	  grep -q "user.max_user_namespaces is 0; set it with .sysctl -w user.max_user_namespaces=" "$2" &&
	  grep -q "or run dnsdrill as root" "$2"' _ "$rc" "$work/nons.out"

# 6. cleanup as the user: succeeds, nothing to remove
as_user $DD cleanup >"$work/cleanup.out" 2>&1
rc=$?
check "cleanup as $RL_USER: exit 0, says nothing is left ($(head -1 "$work/cleanup.out"))" \
	sh -c '[ "$1" = 0 ] && grep -q "nothing to remove" "$2"' _ "$rc" "$work/cleanup.out"

# 7. SIGTERM to the dnsdrill the user started (the parent outside the PID
# namespace) reaches the run: torn down, verdict error, exit 3; and a
# matrix runs rootless too
as_user $DD run scenarios/examples/empty-record.lua --out "$O/term" --quiet >/dev/null 2>&1 &
tp=$!
for _ in $(seq 100); do pgrep -u "$RL_UID" -x faultd >/dev/null && break; sleep 0.1; done
kill -TERM "$(pgrep -u "$RL_UID" -x dnsdrill -o)"
wait $tp
rc=$?
check "SIGTERM to dnsdrill mid-run: exit 3 (rc $rc), result.json says error" \
	sh -c '[ "$1" = 3 ] && jq -e ".verdict == \"error\"" "$2" >/dev/null' _ "$rc" "$O/term/result.json"
as_user $DD matrix tests/scenarios/matrix-verdict.lua --vary strict=false,true --out "$O/mx" \
	>"$work/mx.out" 2>&1
rc=$?
check "matrix as $RL_USER: both runs, one pass and one FAIL, exit 1 (rc $rc)" \
	sh -c '[ "$1" = 1 ] && grep -q "2 runs: 1 pass, 1 fail" "$2/matrix.txt"' _ "$rc" "$O/mx"
[ "$rc" = 1 ] || tail -5 "$work/mx.out" | sed 's/^/#   /'

# 8. SIGKILL to dnsdrill mid-run (no teardown at all): its PID namespace
# takes faultd with it
as_user $DD run scenarios/examples/empty-record.lua --out "$O/killed" --quiet >/dev/null 2>&1 &
for _ in $(seq 100); do pgrep -u "$RL_UID" -x faultd >/dev/null && break; sleep 0.1; done
had=$(pgrep -u "$RL_UID" -x faultd | wc -l)
pkill -KILL -u "$RL_UID" -x dnsdrill
wait 2>/dev/null
for _ in $(seq 50); do pgrep -u "$RL_UID" >/dev/null || break; sleep 0.1; done
check "SIGKILL to dnsdrill mid-run: its faultd ($had) went with it ('$(pgrep -u "$RL_UID" -a)')" \
	sh -c '[ "$1" -gt 0 ] && ! pgrep -u "$2" >/dev/null' _ "$had" "$RL_UID"

# 9. nothing of the user is left on the host
sleep 0.2
left=$( { pgrep -u "$RL_UID" -a
	find /run/netns /run/dnsdrill /etc/netns -maxdepth 2 -uid "$RL_UID" 2>/dev/null
	ls -d /run/etc-netns 2>/dev/null; ip netns list 2>/dev/null | grep "^dd-$id-"; } )
check "nothing of $RL_USER left: no process, nothing it owns under /run/netns, /run/dnsdrill, /etc/netns ('$left')" \
	test -z "$left"
t_done
