#!/bin/bash
# make demo: replay the AWS us-east-1 2025-10-20 DynamoDB empty-record
# incident (about a minute) against the demo regional client, with a real
# unbound in the path, and print the score and the report's path.
set -u
BUILD=${1:-build}
SC=scenarios/aws-use1-2025-10-20/scenario.lua
if [ "$(id -u)" != 0 ]; then
	echo "make demo builds network namespaces and needs root: sudo make demo" >&2
	exit 3
fi
out=dnsdrill-out/demo-$(date +%Y%m%d-%H%M%S)
cat <<MSG
dnsdrill demo: $SC

On 2025-10-20 a race in AWS's DNS automation left
dynamodb.us-east-1.amazonaws.com with an empty record for hours.  This replays
it in about a minute: an app reaching DynamoDB through a real unbound, faultd
as amazonaws.com's authority blanking the us-east-1 record, and the app
expected to notice, fail over to us-west-2, and come back when the record
returns.  (Try --set failover=false, fault=nxdomain|servfail|timeout,
serve_expired=true, resolver=bind9: 'dnsdrill check $SC' lists the
scenario's parameters.)

MSG
exec "$BUILD/dnsdrill" run "$SC" --out "$out" "${@:2}"
