# resolver_profile.sh -- what every resolver profile owes (issue 11), for
# tests/integration/resolver_SOFTWARE.sh: one run of
# tests/scenarios/resolvers-a.lua (a client, the resolver declared with
# use "resolvers", faultd as example.com's authority breaking
# www.example.com for four incident minutes at speed 60) and the checks
# that hold for any software: the run passes, the fault is seen through the
# resolver (RP_EXPECT=hidden: hidden by it, e.g. serve-stale; =any: either),
# result.json `versions` has its version, its configuration is in
# its scratch folder, and nothing was left on the machine (no listener on
# port 53 or a test address, nothing named after a resolver in /run or
# /tmp); also counts(), faultd's baseline/fault figures.  It prints, as TAP comments, what the resolver did with the fault
# (detection, how long it stayed visible after the clear, queries at the
# authority) for the resolver x fault table.
#
# Needs tap.sh, $DD and $work.  rp_run NAME SOFTWARE FAULT VERSION_RE CONF
# [--set k=v ...]: the run goes to $work/NAME; sets R to its result.json.
RP_SC=tests/scenarios/resolvers-a.lua

# the machine's state a run must not change
rp_host_state() {
	ss -lntuH 2>/dev/null | awk '{print $1, $5}' |
		grep -E ':53$|198\.1[89]\.|fd[0-9a-f]{2}:' | sort -u
	ls -1 /run /tmp 2>/dev/null |
		grep -iE 'unbound|named|bind|kres|knot|pdns|recursor|dnsmasq|dnsdist' |
		grep -v '^dd-it-' | sort   # (other tests' work folders)
}

rp_jq() { jq -e "$@" >/dev/null; }

rp_run() {
	local name=$1 sw=$2 fault=$3 vre=$4 conf=$5
	shift 5
	local out=$work/$name before after rc
	before=$(rp_host_state)
	"$DD" run "$RP_SC" --out "$out" --seed 1 --quiet --set software="$sw" \
		--set fault="$fault" "$@" >"$out.out" 2>&1
	rc=$?
	after=$(rp_host_state)
	R=$out/result.json
	check "$name: the run passes (exit $rc)" test "$rc" = 0
	if [ "$rc" != 0 ]; then
		tail -20 "$out.out" | sed 's/^/#   /'
		tail -5 "$out/resolver.stderr" 2>/dev/null | sed 's/^/#   /'
	fi
	case ${RP_EXPECT:-seen} in
	seen) check "$name: the $fault fault is seen through $sw (detection $(jq -c .metrics.detection_s "$R") s)" \
		rp_jq '.fault.service_disrupted and .metrics.detection_s != null' "$R" ;;
	hidden) check "$name: $sw hides the $fault fault from the client (disrupted: $(jq -c .fault.service_disrupted "$R"))" \
		rp_jq '(.fault.service_disrupted | not) and .metrics.detection_s == null' "$R" ;;
	esac
	check "$name: result.json versions: $(jq -c .versions.resolver "$R")" \
		rp_jq --arg re "$vre" '.versions.resolver | test($re)' "$R"
	check "$name: its configuration is in its scratch folder (scratch/resolver/$conf)" \
		test -s "$out/scratch/resolver/$conf"
	check "$name: nothing left on the machine (listeners, /run, /tmp)" test "$before" = "$after"
	[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after") | sed 's/^/#   /'
	# the numbers for the resolver x fault table: queries at the authority
	# before the inject, during the fault, after the clear
	jq -r --arg n "$name" '
		def q(w): [.dns_stats.auth[] | select(.why == w)][0].queries // 0;
		(q("inject")) as $a | (q("clear")) as $b | (.dns_stats.auth[-1].queries) as $c |
		"# \($n): detection \(.metrics.detection_s) s (\(.metrics_incident.detection_s) s incident), " +
		"visible after the clear \(.metrics.recovery_s) s (\(.metrics_incident.recovery_s) s incident), " +
		"availability \(.metrics.availability * 1000 | round / 1000), " +
		"authority queries \($a) before / \($b - $a) during / \($c - $b) after"' "$R"
}

# faultd's counters over the baseline (first timeline reading -> inject)
# and the fault (inject -> clear): "base_queries base_s fault_queries fault_s
# fault_servfails recovery_s"
counts() {
	jq -r '[.dns_stats.auth[]] as $r
	  | ($r | map(select(.why == "timeline")) | first) as $a
	  | ($r | map(select(.why == "inject")) | first) as $i
	  | ($r | map(select(.why == "clear")) | first) as $c
	  | [$i.queries - $a.queries, ($i.t_ms - $a.t_ms) / 1000,
	     $c.queries - $i.queries, ($c.t_ms - $i.t_ms) / 1000,
	     $c.actions.servfail - $i.actions.servfail, .metrics.recovery_s] | @tsv' "$1"
}
