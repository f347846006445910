#!/bin/bash
# dnsdrill_scratch.sh -- what resolver profiles stand on (issue 11), in real
# runs of tests/scenarios/scratch.lua: use "stub" builds a host's
# resolv.conf; every process gets OUT/scratch/NAME (0700, its user's) as its
# cwd with its files = {...} in it and scratch() expanded in cmd and files;
# each host has a private /tmp and /run shared by its processes (nothing
# reaches the machine, another host does not see them); version = {...}
# lands in result.json and the summary; a run folder too deep for a socket
# path puts faultd's control socket in the host's private /tmp.
# A program under another folder of /tmp still runs (its folder is kept).
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-scratch.XXXXXX)
trap 'rm -rf "$work"' EXIT
SC=tests/scenarios/scratch.lua
R=$work/run
# the files the scenario's processes write into /tmp and /run: gone first
rm -f /tmp/dd-scratch-y /run/dd-scratch-x.pid

"$DD" check "$SC" >"$work/check.out" 2>&1
rc=$?
check "check passes and creates nothing" \
	sh -c '[ "$1" = 0 ] && [ ! -e "$2" ] && [ ! -e /tmp/dd-scratch-y ] && [ ! -e dnsdrill-out/scratch ]' \
	_ "$rc" "$R" || sed 's/^/#   /' "$work/check.out"
"$DD" run "$SC" --out "$R" >"$work/run.out" 2>&1
rc=$?
check "the run passes" test "$rc" = 0 || sed 's/^/#   /' "$work/run.out"
out() { cat "$R/$1.stdout" 2>/dev/null; }
real=$(cd "$R" 2>/dev/null && pwd -P)

# scratch, files, cwd
check "cwd defaults to the scratch folder ($(out writer | grep cwd=))" \
	grep -qx "cwd=$real/scratch/writer" "$R/writer.stdout"
check "files = {...} written there, scratch() expanded in them" \
	sh -c 'grep -qx "pidfile=$1/scratch/writer/pid" "$2" && grep -qx "reader=$1/scratch/reader" "$2"' \
	_ "$real" "$R/scratch/writer/conf.txt"
check "the process read its file from its cwd" grep -qx "pidfile=$real/scratch/writer/pid" "$R/writer.stdout"
check "scratch() expanded in cmd" grep -qx "arg=$real/scratch/writer/conf.txt" "$R/writer.stdout"
check "scratch folders are 0700" test "$(stat -c %a "$R/scratch/writer")" = 700
check "user = nobody: owns its scratch folder, writes in it ($(out unpriv | head -1))" \
	sh -c 'grep -qx "uid=$(id -u nobody) owner=nobody" "$1" && grep -qx wrote "$1" &&
	  [ "$(stat -c %U "$2/mine")" = nobody ]' _ "$R/unpriv.stdout" "$R/scratch/unpriv"

# private /tmp and /run
check "nothing written to /tmp or /run reached the machine" \
	sh -c '[ ! -e /tmp/dd-scratch-y ] && [ ! -e /run/dd-scratch-x.pid ]'
check "processes of one host share /tmp and /run ($(out reader | tr '\n' ' '))" \
	sh -c 'grep -qx tmp=hello "$1" && grep -qx run=shared "$1"' _ "$R/reader.stdout"
check "another host does not see them ($(out elsewhere))" grep -qx other=private "$R/elsewhere.stdout"
check "resolv.conf still works under the private /run ($(out resolve))" \
	grep -q "^answer=198.18.1.80 " "$R/resolve.stdout"
# this run's only: other runs on the machine may be live meanwhile
id=$(sed -n 's/.*network up: .* (run \([a-z0-9]*\)).*/\1/p' "$work/run.out" | head -1)
check "no private mounts left (run $id)" \
	sh -c '[ -n "$1" ] && ! grep -q " /run/dnsdrill/$1/" /proc/self/mountinfo && [ ! -e "/run/dnsdrill/$1" ]' _ "$id"

# use, versions
check "use \"stub\": the host's resolv.conf it built ($(grep options "$R/resolve.stdout"))" \
	grep -qx "options timeout:1 attempts:1 retrans:1000 retry:1" "$R/resolve.stdout"
check "result.json versions: the version-like line" \
	jq -e '.versions.writer == "Version 1.2.3"' "$R/result.json"
check "a version command that cannot run is recorded, not fatal" \
	jq -e '.versions.elsewhere | startswith("unknown (")' "$R/result.json"
check "the summary shows the versions" grep -q "^versions  writer  Version 1.2.3" "$work/run.out"
check "so does the report" grep -q "Version 1.2.3" "$R/report.html"

# an installed layout (make install): PREFIX/bin/dnsdrill finds the
# library in PREFIX/share/dnsdrill/scenarios/lib
mkdir -p "$work/inst/bin" "$work/inst/share/dnsdrill/scenarios" "$work/sc"
cp "$DD" "$work/inst/bin/" && cp -r scenarios/lib "$work/inst/share/dnsdrill/scenarios/"
printf 'local s = use "stub"\nhost "h" { resolv = s.resolv { "198.18.0.53" } }\ntimeline(function() end)\n' \
	>"$work/sc/inst.lua"
(cd "$work" && "$work/inst/bin/dnsdrill" check "$work/sc/inst.lua") >"$work/inst.out" 2>&1
check "installed: use finds PREFIX/share/dnsdrill/scenarios/lib" grep -q ": ok: scenario 'inst'" "$work/inst.out" \
	|| sed 's/^/#   /' "$work/inst.out"

# a run folder too deep for a socket path: faultd's socket goes to the
# host's private /tmp, which the harness reaches through the run directory
deep=$work/$(printf 'd%.0s' $(seq 90))
mkdir -p "$deep"
"$DD" run "$SC" --out "$deep/run" --quiet >"$work/deep.out" 2>&1
rc=$?
check "a deep run folder: faultd still answers (exit $rc)" test "$rc" = 0 \
	|| sed 's/^/#   /' "$work/deep.out"
check "... and resolves ($(cat "$deep/run/resolve.stdout" 2>/dev/null))" \
	grep -q "^answer=198.18.1.80 " "$deep/run/resolve.stdout"
# a program under another folder of the machine's /tmp (a SUT built there)
# stays visible in the hosts' private /tmp
mkdir -p "$work/sc" "$work/prog"
cp "$B/dd-http-responder" "$work/prog/"
cat >"$work/sc/prog.lua" <<EOS
scenario { name = "prog-in-tmp" }
host "a" {}
lan "l" { a = "198.18.0.10/24" }
process "srv" { host = "a", cmd = { "$work/prog/dd-http-responder", "--listen", "198.18.0.10:80",
  "--name", "x" }, ready = { tcp = "198.18.0.10:80" } }
timeline(function() sleep "1s" end)
EOS
"$DD" run "$work/sc/prog.lua" --out "$work/prog-run" --quiet >"$work/prog.out" 2>&1
rc=$?
check "a program under the machine's /tmp (not the scenario's folder) still runs (exit $rc)" \
	test "$rc" = 0 || sed 's/^/#   /' "$work/prog.out"
t_done
