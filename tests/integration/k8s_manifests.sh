#!/bin/bash
# Kubernetes manifests (issue 14, deploy/kubernetes/): a design not run
# against a cluster, so what can be checked here is checked: every file
# parses as YAML (python3-yaml, several documents each), every document
# has apiVersion, kind and metadata.name; the parts agree with each other
# (the Service's ClusterIP is what CoreDNS forwards to and what the
# example pod resolves with; each file faultd is given is a key of its
# ConfigMap or Secret) and faultd's zone is a zone ldns reads.
. "$(dirname "$0")/../lib/tap.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
work=$(mktemp -d /tmp/dd-it-k8s.XXXXXX)
trap 'rm -rf "$work"' EXIT
K=deploy/kubernetes

check "there are manifests in $K" test -n "$(ls "$K"/*.yaml 2>/dev/null)"
"$PY" - "$work" "$K"/*.yaml >"$work/out" 2>&1 <<'PYEOF'
import re, sys, yaml
work, files = sys.argv[1], sys.argv[2:]
docs = []
for f in files:
    try:
        ds = [d for d in yaml.safe_load_all(open(f)) if d is not None]
    except yaml.YAMLError as e:
        print(f"not ok - {f} parses as YAML: {e}".replace('\n', ' '))
        continue
    print(f"ok - {f} parses as YAML ({len(ds)} documents)")
    for i, d in enumerate(ds):
        name = (d.get('metadata') or {}).get('name') if isinstance(d, dict) else None
        good = isinstance(d, dict) and d.get('apiVersion') and d.get('kind') and name
        print(f"{'ok' if good else 'not ok'} - {f}[{i}]: apiVersion, kind and "
              f"metadata.name ({d.get('kind') if isinstance(d, dict) else '?'}/{name})")
        if good:
            docs.append(d)

def find(kind, name):
    for d in docs:
        if d['kind'] == kind and d['metadata']['name'] == name:
            return d
    print(f"not ok - a {kind} named {name}")
    sys.exit(0)

def say(cond, what):
    print(f"{'ok' if cond else 'not ok'} - {what}")

svc = find('Service', 'faultd')
ip = svc['spec']['clusterIP']
core = find('ConfigMap', 'coredns-custom')['data']['chaos.server']
fwd = re.search(r'forward\s+\.\s+(\S+)', core)
say(fwd and fwd.group(1) == ip, f"CoreDNS forwards chaos.example to the faultd Service's ClusterIP ({ip})")
pod = find('Pod', 'sut-through-faultd')
say(pod['spec']['dnsConfig']['nameservers'] == [ip], "the example pod resolves through the same address")
dep = find('Deployment', 'faultd')
c = dep['spec']['template']['spec']['containers'][0]
args = dict(a[2:].split('=', 1) for a in c['args'])
mounts = {m['name']: m['mountPath'] for m in c['volumeMounts']}
vols = {v['name']: v for v in dep['spec']['template']['spec']['volumes']}
cm = find('ConfigMap', 'faultd-config')['data']
sec = find('Secret', 'faultd-control-tls')['stringData']
bad = []
for flag in ('zone', 'rules', 'tls-cert', 'tls-key', 'tls-ca'):
    path = args.get(flag, '')
    hit = False
    for vname, mp in mounts.items():
        if path.startswith(mp + '/'):
            key = path[len(mp) + 1:]
            v = vols[vname]
            src = cm if 'configMap' in v else sec if 'secret' in v else {}
            hit = key in src
    if not hit:
        bad.append(f"--{flag}={path}")
say(not bad, "every file faultd is given is a key of its ConfigMap or Secret" + (": " + " ".join(bad) if bad else ""))
ports = {p['name'] for p in c['ports']}
say({p['targetPort'] for p in svc['spec']['ports']} <= ports, "the Service's target ports are the container's")
say(all(f in args for f in ('control-tls', 'metrics', 'listen', 'upstream')),
    "faultd listens, forwards, and has its control channel and metrics")
job = find('Job', 'dnsdrill-game-day')
jargs = job['spec']['template']['spec']['containers'][0]['args']
say(jargs[0] == 'run' and any(a.startswith('--junit=') for a in jargs), "the Job runs a drill with --junit")
open(f"{work}/zone", 'w').write(cm['chaos.example.zone'])
# the Job's scenario, its credentials pointed at files that exist here
sc = find('ConfigMap', 'dnsdrill-scenario')['data']['game-day.lua']
for f in ('tls.crt', 'tls.key', 'ca.crt'):
    open(f"{work}/{f}", 'w').write("placeholder\n")
    sc = sc.replace(f"/etc/dnsdrill/tls/{f}", f"{work}/{f}")
open(f"{work}/game-day.lua", 'w').write(sc)
PYEOF
prc=$?
cat "$work/out"
grep -q '^not ok' "$work/out" && T_FAILED=1
check "the manifest checks ran to the end (python exit $prc)" test "$prc" = 0 -a -s "$work/zone"
check "faultd's zone in the ConfigMap is a zone ldns reads" \
	sh -c "ldns-read-zone '$work/zone' >/dev/null"
DD=${BUILD_ABS:-$PWD/build}/dnsdrill
out=$("$DD" check -q "$work/game-day.lua" 2>&1); rc=$?
check "the Job's scenario passes dnsdrill check (a remote faultd over tls://, no topology) (exit $rc)" \
	test "$rc" = 0 || printf "#   %s\n" "$out"
t_done
