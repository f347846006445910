#!/bin/bash
# faultd_time_scale.sh -- --time-scale 60 serves every TTL in proportion:
# a zone TTL of 300 as 5, the zone's SOA MINIMUM 120 as 2, a rule's
# negttl=30 (0.5 s in proportion) as the 1 s floor, and an answer forwarded
# from an upstream (another faultd, unscaled) divided too; floored TTLs are
# counted in stats.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib/tap.sh
. tests/integration/faultd_lib.sh

write_zone "$T/ex.zone"
cat >"$T/fw.zone" <<'Z'
$ORIGIN fw.test.
$TTL 300
@	IN SOA ns1 hostmaster 1 3600 600 86400 240
@	IN NS ns1
ns1	IN A 192.0.2.53
www	IN A 192.0.2.77
Z
PU=$(free_port)
fd_start up "$PU" --zone "$T/ex.zone" --zone "$T/fw.zone" || { not_ok "upstream faultd starts"; t_done; }
P=$(free_port)
fd_start main "$P" --zone "$T/ex.zone" --control "$T/ctl" --time-scale 60 \
	--upstream "127.0.0.1:$PU" \
	--rule 'name=negttl.example.test action=nxdomain negttl=30' \
	--rule 'name=ttl.example.test ttl=120' \
	|| { not_ok "faultd --time-scale 60 starts"; t_done; }
ok "faultd starts with --time-scale 60"

S=127.0.0.1:$P
dq --server "$S" --name www.example.test --type A
chk "zone TTL 300 served as 5" test "$(sec an | awk '{print $2, $5}')" = "5 192.0.2.1" || explain
dq --server "$S" --name nope.example.test --type A
chk "zone NXDOMAIN: SOA TTL and MINIMUM 120 served as 2" \
	test "$(sec ns | awk '{print $2, $4, $NF}')" = "2 SOA 2" || explain
dq --server "$S" --name negttl.example.test --type A
chk "negttl=30 served as 1 (the floor; 0.5 s in proportion)" \
	test "$(val rcode)" = NXDOMAIN -a "$(sec ns | awk '{print $2, $NF}')" = "1 1" || explain
dq --server "$S" --name ttl.example.test --type A
chk "ttl=120 served as 2" test "$(sec an | awk '{print $2}')" = 2 || explain
dq --server "$S" --tcp --name www.example.test --type A
chk "over TCP too: 300 as 5" test "$(sec an | awk '{print $2}')" = 5 || explain

# forwarded: the upstream serves 300 (and a SOA MINIMUM of 240), the
# client sees 5 (and 4)
dq --server "127.0.0.1:$PU" --name www.fw.test --type A
chk "the upstream itself serves 300" test "$(sec an | awk '{print $2}')" = 300 || explain
dq --server "$S" --name www.fw.test --type A
chk "forwarded answer: TTL 300 served as 5" \
	test "$(sec an | awk '{print $2, $5}')" = "5 192.0.2.77" || explain
dq --server "$S" --name nope.fw.test --type A
chk "forwarded NXDOMAIN: SOA MINIMUM 240 served as 4" \
	test "$(val rcode)" = NXDOMAIN -a "$(sec ns | awk '{print $2, $NF}')" = "4 4" || explain

fc stats --json
chk "stats: two TTLs floored (TTL and MINIMUM of negttl=30), smallest and largest 30" \
	jqt '.ttl_floored == 2 and .ttl_floored_min == 30 and .ttl_floored_max == 30' || explain

t_done
