#!/bin/bash
# Rules are checked with faultd's own parser before faultd sees them:
# `dnsdrill check` refuses a bad rule in a dns server's rules = { ... } and
# in a literal inject() (exit 2, file:line, the bad term); `dnsdrill run`
# refuses them before building anything; a rule the timeline builds at run
# time is refused at the timeline's line (exit 2), the run leaves nothing
# behind but its result (verdict error).
. "$(dirname "$0")/../lib/tap.sh"
B=${BUILD_ABS:-$PWD/build}
DD=$B/dnsdrill
work=$(mktemp -d /tmp/dd-it-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

# What a run left: its namespaces (by its run id), its run directory, its
# faultd.  Only this run's: other tests may build namespaces meanwhile.
left_by() {
	local id=$1 ctl=$2
	{ ip netns list 2>/dev/null | grep "^dd-$id-"; ls -d "/run/dnsdrill/$id" 2>/dev/null
	  ls /run/netns 2>/dev/null | grep "^dd-$id-"; pgrep -f -- "--control $ctl"; } | sort
}

# one LAN, faultd with a zone; $1 goes into the dns server, $2 is the timeline
scenario() {
	cat <<EOF
scenario { name = "rules" }
host "client" { resolv = { "198.18.0.53" } }
host "auth" {}
lan "lan0" { client = "198.18.0.10/24", auth = "198.18.0.53/24" }
dns "auth" { host = "auth", listen = "198.18.0.53:53",
  zone = "\$ORIGIN example.com.\n@ 1 IN SOA ns hm 1 1 1 1 1\nwww 1 IN A 198.18.1.1\n",
$1
}
timeline(function()
$2
end)
EOF
}

# 1. a bad rule in rules = { ... }: line 8 holds it
scenario '  rules = {
    "name=x action=explode",
  },' '  sleep "1s"' >"$work/bad-dns.lua"
out=$("$DD" check "$work/bad-dns.lua" 2>&1); rc=$?
check "check: a bad rules = {} entry exits 2 ($rc)" test "$rc" = 2
check "check: ... naming file:line ($out)" grep -q "bad-dns.lua:8: " <<<"$out"
check "check: ... the rule and faultd's reason naming explode" \
	grep -q "rule \"name=x action=explode\": action=explode: unknown action" <<<"$out"
out=$("$DD" run "$work/bad-dns.lua" --out "$work/r1" 2>&1); rc=$?
check "run: the same scenario exits 2 before building ($rc)" test "$rc" = 2
check "run: ... with the same message" grep -q "bad-dns.lua:8: .*explode" <<<"$out"
if grep -q "network up" <<<"$out" || [ -e "$work/r1" ]; then not_ok "run: ... and builds nothing"
else ok "run: ... and builds nothing"; fi

# 2. a bad literal inject(): line 13; the built and commented ones are not read
scenario '' '  local verb = "drop"
  inject("auth", "name=www.example.com action=" .. verb)
  -- inject("auth", "name=x action=implode")
  inject("auth",
    "name=www.example.com action=explode")' >"$work/bad-inject.lua"
out=$("$DD" check "$work/bad-inject.lua" 2>&1); rc=$?
check "check: a bad literal inject() exits 2 ($rc)" test "$rc" = 2
check "check: ... naming file:line ($out)" grep -q "bad-inject.lua:13: inject auth: " <<<"$out"
check "check: ... and explode" grep -q "action=explode: unknown action" <<<"$out"
if grep -q implode <<<"$out"; then not_ok "check: a commented-out inject() is ignored"
else ok "check: a commented-out inject() is ignored"; fi

# 3. a rule built at run time: check cannot see it, the run refuses it at
# the timeline's line (14) after a good rule went through
scenario '' '  phase "fault"
  inject("auth", "name=www.example.com action=empty")
  local verb = "expl" .. "ode"
  sleep "300ms"
  inject("auth", "name=www.example.com action=" .. verb)
  mark "not reached"' >"$work/bad-runtime.lua"
"$DD" check "$work/bad-runtime.lua" >/dev/null 2>&1
check "check: a rule built at run time passes check (it cannot be read)" test $? = 0
out=$("$DD" run "$work/bad-runtime.lua" --out "$work/r3" 2>&1); rc=$?
id=$(sed -n 's/.*network up: .* (run \([a-z0-9]*\)).*/\1/p' <<<"$out")
check "run: the network was built (run ${id:-?})" test -n "$id"
check "run: a bad rule built by the timeline exits 2 ($rc)" test "$rc" = 2
check "run: ... naming the timeline's line ($out)" grep -q "bad-runtime.lua:14: inject auth: " <<<"$out"
check "run: ... refused on our side, with faultd's reason" \
	grep -q "rule \"name=www.example.com action=explode\": action=explode: unknown action" <<<"$out"
check "run: faultd took the good rule" grep -q "rule 1 added" "$work/r3/auth.stderr"
if grep -q explode "$work/r3/auth.stderr"; then not_ok "run: faultd never saw the bad rule"
else ok "run: faultd never saw the bad rule"; fi
check "run: the result says error, naming the rule (not pass or fail)" \
	jq -e '.verdict == "error" and (.error | test("bad-runtime.lua:14: inject auth: .*explode"))' "$work/r3/result.json"
left=$(left_by "${id:-none}" "$work/r3/auth.ctl")
check "run: nothing left behind (ip netns list, run dir, faultd): '$left'" test -z "$left"
# 4. files a scenario names stay in its folder (issue 10, bug 9): a zone
# path that climbs out is refused by check (exit 2, file:line, the path)
mkdir -p "$work/conf"
cat >"$work/conf/escape.lua" <<'EOF'
scenario { name = "escape" }
host "auth" {}
lan "lan0" { auth = "198.18.0.53/24" }
dns "auth" { host = "auth", listen = "198.18.0.53:53",
  zones = { "../../../../etc/passwd" } }
timeline(function() end)
EOF
out=$("$DD" check "$work/conf/escape.lua" 2>&1); rc=$?
check "check: a zone path leaving the scenario's folder exits 2 ($rc)" test "$rc" = 2
check "check: ... naming the file:line and the path ($out)" \
	grep -q "escape.lua:4: dns 'auth': '../../../../etc/passwd' is outside the scenario's folder" <<<"$out"
t_done
