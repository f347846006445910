#!/bin/bash
# architecture: the house rules of doc/design.md, checked on the built
# objects and the sources, so a change that breaks them fails here.
#   - no two objects call each other in a circle (symbol graph from nm);
#   - folders depend one way only: lib <- model <- reports <- harness, and
#     lib <- netns, faultd, sut; model is pure (no sockets, clocks, processes);
#   - no include from reports/ or model/ into harness/;
#   - one client of faultd's control protocol (the ctl library).
# Needs only a build (BUILD_ABS, as tests/run.sh exports).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
OBJ=${BUILD_ABS:-$PWD/build}/obj
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# objects of today's sources only (a reused build dir may hold stale ones)
objs=$(find "$OBJ" -name '*.o' ! -path '*/tests/*' ! -path '*/bench/*' | sort |
    while read -r o; do s=${o#"$OBJ"/}; [ -f "${s%.o}.c" ] && echo "$o"; done)
check "there are objects to check in $OBJ" test -n "$objs"

# --- symbol graph: "user definer" for every project symbol one object uses
declare -A def
for o in $objs; do
	u=${o#"$OBJ"/}; u=${u%.o}
	for s in $(nm -g --defined-only "$o" | awk '{print $3}'); do def[$s]=$u; done
done
for o in $objs; do
	u=${o#"$OBJ"/}; u=${u%.o}
	for s in $(nm -u "$o" | awk '{print $2}'); do
		d=${def[$s]:-}
		[ -n "$d" ] && [ "$d" != "$u" ] && echo "$u $d"
	done
done | sort -u >"$TMP/edges"
check "the symbol graph has edges ($(wc -l <"$TMP/edges"))" test -s "$TMP/edges"

tsort "$TMP/edges" >/dev/null 2>"$TMP/loops"
loops=$(grep -v 'input contains a loop' "$TMP/loops" | sed 's/^tsort: //' | tr '\n' ' ')
check "no two objects call each other in a circle${loops:+: $loops}" test -z "$loops"

# --- folder dependencies, from symbols and from includes
allowed() {   # allowed FROM TO
	[ "$1" = "$2" ] && return 0
	case "$1:$2" in
	model:lib | reports:lib | reports:model | netns:lib | faultd:lib | sut:lib) return 0 ;;
	harness:lib | harness:model | harness:reports | harness:netns | harness:faultd) return 0 ;;
	esac
	return 1
}
bad=""
while read -r a b; do
	fa=${a%%/*}; fb=${b%%/*}
	allowed "$fa" "$fb" || bad="$bad $a->$b"
done <"$TMP/edges"
check "folders call one way only (lib <- model <- reports <- harness)${bad:+:$bad}" test -z "$bad"

bad=""
for f in $(git ls-files 'lib/*.[ch]' 'model/*.[ch]' 'reports/*.[ch]' 'netns/*.[ch]' \
    'faultd/*.[ch]' 'harness/*.[ch]' 'sut/*.[ch]'); do
	from=${f%%/*}
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		to=${inc%%/*}
		if [ "$to" = "$inc" ]; then bad="$bad $f:$inc(no-folder)"; continue; fi
		allowed "$from" "$to" || bad="$bad $f:$inc"
	done
done
check "includes name their folder and go one way only${bad:+:$bad}" test -z "$bad"

# no two files include each other's headers (a.c including b.h and b.c
# including a.h, or a longer circle of the same kind)
for f in $(git ls-files '*.c' | grep -v '^tests/'); do
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		[ "${f%.*}" != "${inc%.*}" ] && echo "${f%.*} ${inc%.*}"
	done
done | sort -u >"$TMP/incs"
tsort "$TMP/incs" >/dev/null 2>"$TMP/incloops"
loops=$(grep -v 'input contains a loop' "$TMP/incloops" | sed 's/^tsort: //' | tr '\n' ' ')
check "no two files include each other's headers${loops:+: $loops}" test -z "$loops"

hits=$(grep -ln '#include "harness/' model reports -r 2>/dev/null | tr '\n' ' ')
check "no include from reports/ or model/ into harness/${hits:+: $hits}" test -z "$hits"

# model is pure: no sockets, clocks or processes
impure=$(grep -nE '\b(socket|connect|clock_gettime|gettimeofday|time\(|fork|exec[lv]p?|popen|system)\(' \
    model/*.c 2>/dev/null | tr '\n' ' ')
check "model/ has no sockets, clocks or processes${impure:+: $impure}" test -z "$impure"

# --- one control client: only the ctl library connects to a unix socket
clients=$(grep -l 'sockaddr_un' faultd/*.c harness/*.c | xargs grep -l '\bconnect(' |
    grep -v '^faultd/ctl' | tr '\n' ' ')
check "one control-protocol library (no other unix-socket client)${clients:+: $clients}" test -z "$clients"

# --- no file past ~1,500 lines
big=$(git ls-files '*.c' '*.h' | grep -v '^tests/' | xargs wc -l | awk '$2 != "total" && $1 > 1500 {print $2"("$1")"}' | tr '\n' ' ')
check "no source file past 1,500 lines${big:+: $big}" test -z "$big"

t_done
