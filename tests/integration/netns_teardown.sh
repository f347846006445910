#!/bin/bash
# netns teardown: nothing is left behind after a failure injected at every
# build step, after SIGKILL of the building process followed by cleanup
# (with and without a program running inside), and cleanup never touches a
# live run.  Two topologies built at the same time do not collide.  Needs
# root (real namespaces).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/netns/lib.sh
nt_require
T=tests/integration/netns

before=$NT_TMP/before
nt_snapshot >"$before"

# --- a failure injected at each step of the build ------------------------------
steps=$("$D" check $T/intercept.topo --run-id "${NT_TAG}c" --trace 2>&1 >/dev/null | grep -c '^step ')
check "inject: the build has steps to fail at ($steps)" test "$steps" -ge 8
bad=""
for s in $(seq 1 "$steps"); do
	msg=$("$D" check $T/intercept.topo --run-id "${NT_TAG}f" --fail-at "$s" 2>&1); rc=$?
	if [ "$rc" != 1 ] || ! echo "$msg" | grep -q "injected failure at step $s"; then
		bad="$bad $s(exit $rc)"
	fi
	if [ -n "$(nt_snapshot | diff "$before" - )" ]; then bad="$bad $s(leftovers)"; fi
done
check "inject: a failure at each of the $steps steps is reported and rolled back${bad:+:$bad}" test -z "$bad"
half=$(( steps / 2 ))
"$D" check $T/intercept.topo --run-id "${NT_TAG}h" --fail-at "$half" >/dev/null 2>&1
nt_same "inject: nothing left behind after a failure halfway (step $half)" "$before"

# --- SIGKILL of the building process halfway, then cleanup ----------------------
ready=$NT_TMP/ready.kill
nt_bg "$D" up $T/intercept.topo --run-id "${NT_TAG}k" --hang-at "$half" --ready "$ready"
kpid=${NT_PIDS[-1]}
if nt_wait_file "$ready" hanging; then
	check "sigkill: half a topology exists while the build hangs" \
		bash -c "ip netns list | grep -q '^dd-${NT_TAG}k-'"
	kill -KILL "$kpid"; wait "$kpid" 2>/dev/null
	out=$("$D" cleanup); rc=$?
	check "sigkill: cleanup succeeds ($out)" test "$rc" = 0
	check "sigkill: cleanup removed the dead run" bash -c "echo '$out' | grep -Eq 'cleaned [1-9]'"
else
	not_ok "sigkill: the build reached step $half"
fi
nt_same "sigkill: nothing left behind after SIGKILL + cleanup" "$before"

# --- SIGKILL with a program running inside, then cleanup --------------------------
ready=$NT_TMP/ready.kill2
nt_bg "$D" up $T/line.topo --run-id "${NT_TAG}q" --ready "$ready" --out-dir "$NT_TMP" \
	echo authority 198.18.2.2:7
kpid=${NT_PIDS[-1]}
if nt_wait_file "$ready"; then
	kill -KILL "$kpid"; wait "$kpid" 2>/dev/null
	inside=$(ip netns pids "dd-${NT_TAG}q-authority" 2>/dev/null | head -1)
	check "sigkill: the spawned server outlived its owner" test -n "$inside"
	"$D" cleanup >/dev/null; rc=$?
	check "sigkill: cleanup succeeds" test "$rc" = 0
	# gone, or a zombie waiting for init (it holds no namespace then)
	check "sigkill: cleanup stopped the orphaned server" \
		bash -c "[ -n '$inside' ] && { [ ! -e /proc/$inside ] || grep -Eq '^[0-9]+ \(.*\) [ZX] ' /proc/$inside/stat; }"
else
	not_ok "sigkill: the topology with a server came up"
fi
nt_same "sigkill: nothing left behind after SIGKILL + cleanup (with a process)" "$before"

# --- cleanup leaves a live run alone ------------------------------------------------
ready=$NT_TMP/ready.live
nt_bg "$D" up $T/line.topo --run-id "${NT_TAG}a" --ready "$ready" --out-dir "$NT_TMP" \
	echo authority 198.18.2.2:7
apid=${NT_PIDS[-1]}
ready2=$NT_TMP/ready.dead
nt_bg "$D" up $T/line.topo --run-id "${NT_TAG}d" --hang-at 4 --ready "$ready2"
dpid=${NT_PIDS[-1]}
if nt_wait_file "$ready" && nt_wait_file "$ready2" hanging; then
	kill -KILL "$dpid"; wait "$dpid" 2>/dev/null
	live_before=$(ip netns list | grep -c "^dd-${NT_TAG}a-")
	server=$(ip netns pids "dd-${NT_TAG}a-authority" | head -1)
	"$D" cleanup >/dev/null
	check "live: the dead run is gone" bash -c "! ip netns list | grep -q '^dd-${NT_TAG}d-'"
	check "live: the live run's namespaces are untouched ($live_before)" \
		test "$(ip netns list | grep -c "^dd-${NT_TAG}a-")" = 3
	check "live: the live run's process still runs" kill -0 "$server"
	check "live: the live run's journal is still there" test -s "/run/dnsdrill/${NT_TAG}a/journal"
	check "live: the live run still works (resolv.conf via ip netns exec)" \
		bash -c "ip netns exec dd-${NT_TAG}a-client cat /etc/resolv.conf | grep -q 198.18.1.1"
	kill -INT "$apid"; wait "$apid"; rc=$?
	check "live: SIGINT tears the live run down (exit $rc)" test "$rc" = 130
	check "live: its process was stopped" bash -c "! kill -0 '$server' 2>/dev/null"
else
	not_ok "live: both runs came up"
fi
nt_same "live: nothing left behind" "$before"

# --- two topologies at the same time ------------------------------------------------
for n in 1 2; do
	mkdir -p "$NT_TMP/x$n"
	( "$D" check $T/intercept.topo --run-id "${NT_TAG}x$n" --out-dir "$NT_TMP/x$n" \
		echo resolver 198.18.1.1:5353 udp client 198.18.250.250:53 \
		echo authority 198.18.2.2:7 udp client 198.18.2.2:7 \
		>"$NT_TMP/x$n.out" 2>&1; echo $? >"$NT_TMP/x$n.rc" ) &
	NT_PIDS+=($!)
done
wait "${NT_PIDS[-1]}" "${NT_PIDS[-2]}"
for n in 1 2; do
	check "concurrent: topology $n built, worked and went away" \
		bash -c "[ \"\$(cat '$NT_TMP/x$n.rc')\" = 0 ] && ! grep -q '^not ok' '$NT_TMP/x$n.out'"
	grep '^not ok' "$NT_TMP/x$n.out" | sed 's/^/# /'
done
check "concurrent: each intercept target saw only its own client" \
	bash -c "[ \$(grep -c '^udp from 198.18.1.2' '$NT_TMP/x1/echo-resolver-5353.log') -ge 1 ] && [ \$(grep -c '^udp from 198.18.1.2' '$NT_TMP/x2/echo-resolver-5353.log') -ge 1 ]"
nt_bg "$D" up $T/line.topo --run-id "${NT_TAG}z" --ready "$NT_TMP/z1"
zpid=${NT_PIDS[-1]}
if nt_wait_file "$NT_TMP/z1"; then
	msg=$("$D" check $T/line.topo --run-id "${NT_TAG}z" 2>&1); rc=$?
	check "concurrent: a run id in use is refused (exit $rc)" \
		bash -c "[ $rc = 1 ] && echo '$msg' | grep -q 'run ${NT_TAG}z already exists'"
	check "concurrent: ... and the first run is untouched" \
		test "$(ip netns list | grep -c "^dd-${NT_TAG}z-")" = 3
else
	not_ok "concurrent: the first run came up"
fi
kill -TERM "$zpid"; wait "$zpid" 2>/dev/null
nt_same "concurrent: nothing left behind" "$before"
t_done
