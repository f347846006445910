#!/bin/bash
# tests/run.sh: parallel
# CI pipelines (issue 14): the commands of doc/ci/github-actions.yml and
# doc/ci/gitlab-ci.yml are the ones this test runs.  Both files are parsed
# as YAML (python3-yaml); every line of their `run:` steps and
# before_script/script/after_script that calls ./build/dnsdrill (or writes
# the GitHub job summary) is executed as written, in a folder laid out like
# the pipeline's checkout (build/, doc/, scenarios/ linked to this tree),
# the two pipelines side by side.  Each command must exit 0 (the gate
# passes), and the files the pipelines publish must be there: junit.xml,
# report.html, repeat.json, summary.md, summary.json, the job summary.
. "$(dirname "$0")/../lib/tap.sh"
ROOT=$PWD
B=${BUILD_ABS:-$PWD/build}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
work=$(mktemp -d /tmp/dd-it-ci.XXXXXX)
trap 'rm -rf "$work"' EXIT

# --- the commands, as the pipelines write them
"$PY" - "$ROOT/doc/ci/github-actions.yml" "$ROOT/doc/ci/gitlab-ci.yml" "$work" <<'PYEOF'
import sys, yaml

def lines(script):
    """Shell lines of a script, backslash continuations joined."""
    out, cur = [], ''
    for l in str(script).splitlines():
        s = l.rstrip()
        if s.endswith('\\'):
            cur += s[:-1] + ' '
            continue
        cur += s
        if cur.strip():
            out.append(cur.strip())
        cur = ''
    return out

gh_path, gl_path, work = sys.argv[1:4]
gh = yaml.safe_load(open(gh_path))
gl = yaml.safe_load(open(gl_path))
cmds = {'gh': [], 'gl': []}
steps = {'gh': [], 'gl': []}
for job in gh['jobs'].values():
    for st in job.get('steps', []):
        if 'run' in st:
            steps['gh'] += lines(st['run'])
for name, job in gl.items():
    if not isinstance(job, dict) or 'script' not in job:
        continue
    for key in ('before_script', 'script', 'after_script'):
        for item in job.get(key, []):
            steps['gl'] += lines(item)
for k in ('gh', 'gl'):
    with open(f'{work}/{k}.all', 'w') as f:
        f.write('\n'.join(steps[k]) + '\n')
    with open(f'{work}/{k}.cmds', 'w') as f:
        for c in steps[k]:
            if './build/dnsdrill' in c or 'GITHUB_STEP_SUMMARY' in c:
                f.write(c + '\n')
# what the test checks of the files' structure
up = [st for j in gh['jobs'].values() for st in j.get('steps', [])
      if str(st.get('uses', '')).startswith('actions/upload-artifact')]
with open(f'{work}/gh.artifacts', 'w') as f:
    for st in up:
        f.write(st['with']['path'] + '\n')
with open(f'{work}/gl.junit', 'w') as f:
    for name, job in gl.items():
        if isinstance(job, dict) and 'artifacts' in job:
            for p in job['artifacts']['reports']['junit']:
                f.write(p + '\n')
PYEOF
check "both pipeline files parse as YAML and name their commands" \
	test -s "$work/gh.cmds" -a -s "$work/gl.cmds"
for k in gh gl; do
	check "$k: installs with make deps and builds with make" \
		sh -c "grep -qx 'make deps' '$work/$k.all' && grep -q '^make -j2 BUILD=build\$' '$work/$k.all'"
	check "$k: a drill with --junit, one with --repeat, the markdown and JSON summaries" \
		sh -c "grep -q 'dnsdrill run .* --junit out/junit.xml' '$work/$k.cmds' &&
		       grep -q 'dnsdrill run .* --repeat [0-9]' '$work/$k.cmds' &&
		       grep -q 'report --format markdown out/drill > out/summary.md' '$work/$k.cmds' &&
		       grep -q 'report --format summary-json' '$work/$k.cmds'"
done

# --- run them, each pipeline in its own checkout-like folder
run_pipeline() {   # KEY: every command in turn; "rc<TAB>command" per line
	local k=$1 d=$work/$1
	mkdir -p "$d"
	ln -s "$B" "$d/build"
	ln -s "$ROOT/doc" "$d/doc"
	ln -s "$ROOT/scenarios" "$d/scenarios"
	: >"$d/step_summary.md"
	while IFS= read -r cmd; do
		(cd "$d" && GITHUB_STEP_SUMMARY=$d/step_summary.md bash -c "$cmd") \
			>>"$work/$k.log" 2>&1 </dev/null
		printf '%s\t%s\n' "$?" "$cmd" >>"$work/$k.rc"
	done <"$work/$k.cmds"
}
run_pipeline gh & p1=$!
run_pipeline gl & p2=$!
wait "$p1" "$p2"

for k in gh gl; do
	d=$work/$k
	n=$(wc -l <"$work/$k.cmds")
	bad=$(awk -F'\t' '$1 != 0' "$work/$k.rc")
	check "$k: all $n commands ran and exited 0${bad:+: $bad}" \
		sh -c "test \$(wc -l <'$work/$k.rc') = $n && test -z '$bad'"
	[ -z "$bad" ] || sed 's/^/# /' "$work/$k.log" | tail -30
	check "$k: the drill's result.json, junit.xml and report.html, and --junit's copy" \
		test -s "$d/out/drill/result.json" -a -s "$d/out/drill/report.html" \
		-a -s "$d/out/drill/junit.xml" -a -s "$d/out/junit.xml"
	check "$k: junit.xml is XML with the drill's test cases" \
		sh -c "xmllint --noout '$d/out/junit.xml' && grep -q '<testcase' '$d/out/junit.xml'"
	check "$k: the repeat group: repeat.json (3 runs, pass), its junit.xml and report.html" \
		sh -c "jq -e '.verdict == \"pass\" and (.runs | length) == 3 and
		             any(.expectations[]; .metric == \"p90(recovery_s)\" and .statistic == \"p90\" and .pass)' \
		       '$d/out/repeat/repeat.json' >/dev/null &&
		       test -s '$d/out/repeat/junit.xml' -a -s '$d/out/repeat/report.html'"
	check "$k: summary.md holds the drill's and the group's summaries" \
		sh -c "grep -q '^### dnsdrill: .* PASS .*\`ci-gate\`\$' '$d/out/summary.md' &&
		       grep -q '^### dnsdrill: .* PASS .*\`ci-gate\` .* 3 runs\$' '$d/out/summary.md' &&
		       grep -q '^| \`p90(recovery_s) < 1.5\` | ' '$d/out/summary.md'"
	check "$k: summary.json agrees with result.json (verdict, expectations)" \
		test "$(jq -c '[.verdict, [.expectations[] | [.metric, .pass, .observed]]]' "$d/out/summary.json")" = \
		"$(jq -c '[.verdict, [.expectations[] | [.metric, .pass, .observed]]]' "$d/out/drill/result.json")"
done
check "github: the job summary is summary.md" cmp -s "$work/gh/step_summary.md" "$work/gh/out/summary.md"
check "github: the artefact is out/, which holds the reports" \
	sh -c "grep -qx 'out/' '$work/gh.artifacts' && test -s '$work/gh/out/drill/report.html'"
while read -r p; do
	check "gitlab: the junit report $p exists after the job" test -s "$work/gl/$p"
done <"$work/gl.junit"
t_done
