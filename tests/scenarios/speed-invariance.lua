-- speed-invariance.lua -- the flagship's shape (scenarios/aws-use1-2025-10-20),
-- short, with every timer that matters stated in incident time and kept in
-- proportion at any speed, so a run at speed 1 and a run at speed 10 give
-- the same verdict and the same incident-time metrics (within the tolerance
-- tests/integration/speed_invariance.sh derives and states).
--
-- An app (dd-regional-client) talks to dynamodb.us-east-1 through a real
-- resolver (--set resolver=unbound|bind9|knot, `use "resolvers"`, which
-- scales the resolver's own timers); faultd, authoritative for
-- amazonaws.com, empties the us-east-1 record for two incident minutes
-- after a 30 s baseline; the app fails over to us-west-2 and back.
--
-- What follows the speed, and why it stays whole:
--   - the timeline (sleep) and every TTL faultd serves (faultd --time-scale);
--     the TTL and negative TTL are 10 s of incident time, so at speed 10
--     they are exactly 1 real second: no TTL reaches faultd's 1 s floor up
--     to speed 10;
--   - the resolver's timers (its profile writes them scaled; what it cannot
--     is in result.json time_distortions: none of them acts on an empty
--     answer -- unbound's 5 s SERVFAIL cache, BIND's 1 s servfail-ttl and
--     kresd's 5 s cache.min_ttl, which no TTL here is under);
--   - the app's own timers: --interval, --timeout, and with them the
--     --fail-after / --recover-after rounds.  The app is our own demo
--     client, so the scenario can state its timers in incident time and
--     divide them by speed() (a real app's timers would be a distortion);
--   - the score's `stable` window (5 incident s).
-- What stays real: the probes (the observer: every 200 ms real, i.e. a
-- 2 incident-s grid at speed 10) and the hosts' stub resolver timeout (1 s;
-- an empty answer comes back at once, so it never fires).  There is no
-- DNS probe of the resolver: it would refresh the resolver's cache on a
-- real-time grid, i.e. more often in incident time at speed 1 than at 10.
-- --set scale_app=false keeps the app's timers in real seconds: the
-- verdict then depends on the speed (the test's proof that it can fail).
scenario {
  name = "speed-invariance",
  description = "short flagship: empty us-east-1 record for 2 incident minutes, in proportion at any speed",
  speed = 10,
  duration = "190s",
  start = "2025-10-20T06:47:30Z",
}

local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot" },
  doc = "the app's recursive resolver (scenarios/lib/resolver_NAME.lua)" })
local ttl = param("ttl", { default = 10, min = 1, max = 3600,
  doc = "TTL of the endpoint records, incident seconds" })
local negttl = param("negttl", { default = 10, min = 0, max = 3600,
  doc = "negative TTL (SOA minimum, the fault's negttl=), incident seconds" })
local scale_app = param("scale_app", { default = true,
  doc = "the app's timers are incident time (divided by the speed); false: real seconds" })

-- incident seconds -> a real duration for a program's option, in ms
local function real(s)
  local k = scale_app and speed() or 1
  return math.max(1, math.floor(s * 1000 / k + 0.5)) .. "ms"
end

local stub = { servers = { "198.18.0.53" }, options = { timeout = 1, attempts = 1 } }
host "client"   { resolv = stub }
host "app"      { resolv = stub }
host "resolver" {}
host "auth"     {}
host "use1"     {}
host "usw2"     {}

lan "site" {
  client   = "198.18.0.10/24",
  app      = "198.18.0.20/24",
  resolver = "198.18.0.53/24",
  use1     = "198.18.0.101/24",
  usw2     = "198.18.0.102/24",
}
link "wan" { resolver = "198.18.9.1/30", auth = "198.18.9.2/30" }

dns "route53" {
  host = "auth",
  listen = "198.18.9.2:53",
  zone = string.format([[
$ORIGIN amazonaws.com.
$TTL %d
@                   IN SOA ns1 hostmaster 2025102001 3600 600 86400 %d
@                   IN NS  ns1
ns1                 IN A   198.18.9.2
dynamodb.us-east-1  IN A   198.18.0.101
dynamodb.us-west-2  IN A   198.18.0.102
]], ttl, negttl),
}

local resolvers = use "resolvers"
resolvers.resolver {
  software = resolver,
  host = "resolver",
  listen = { "198.18.0.53" },
  forward = { ["amazonaws.com"] = { "198.18.9.2" } },
}

process "dynamodb-use1" {
  host = "use1",
  cmd = { bin "dd-http-responder", "--listen", "198.18.0.101:80", "--name", "us-east-1" },
  ready = { tcp = "198.18.0.101:80" },
  timers = {},        -- none: it answers at once
}
process "dynamodb-usw2" {
  host = "usw2",
  cmd = { bin "dd-http-responder", "--listen", "198.18.0.102:80", "--name", "us-west-2" },
  ready = { tcp = "198.18.0.102:80" },
  timers = {},
}

-- a request every 2 incident s (200 ms real at speed 10), 10 s to answer;
-- three failures in a row fail over, three good probes of the primary fail
-- back: 4 and 4-6 incident s of the app's own reaction at any speed
process "app" {
  host = "app",
  cmd = { bin "dd-regional-client",
    "--primary", "dynamodb.us-east-1.amazonaws.com",
    "--secondary", "dynamodb.us-west-2.amazonaws.com",
    "--interval", real(2), "--timeout", real(10),
    "--fail-after", "3", "--recover-after", "3",
    "--health", "198.18.0.20:8080", "--resolver-mode", "libc" },
  ready = { http = "http://198.18.0.20:8080/ready" },
  -- its timers, declared: in proportion (nothing listed), or with
  -- scale_app=false real seconds (listed as unscaled)
  timers = {
    { name = "--interval", incident = 2, real = not scale_app and 2 or nil },
    { name = "--timeout", incident = 10, real = not scale_app and 10 or nil },
  },
}

probe "service" {
  host = "client", every = "200ms", timeout = "1s",
  http = { url = "http://198.18.0.20:8080/health", status = 200 },
}
probe "on-primary" {
  host = "client", every = "200ms", timeout = "1s",
  http = { url = "http://198.18.0.20:8080/health", status = 200,
           body = '"served_by":"us-east-1"' },
}

watch "degraded" { process = "app", match = "event=degraded" }
watch "failover" { process = "app", match = "event=failover" }
watch "failback" { process = "app", match = "event=failback" }

score {
  detection = { watch = "degraded" },
  service = "service",
  failover = { watch = "failover" },
  primary = { watch = "failback" },
  primary_lost = { watch = "failover" },
  stable = real(5),
}
expect {
  -- cached record (10 s) + one request interval + the resolver's
  -- whole-second clock (1 real s: 10 incident s at speed 10)
  "detection_s < 30s in incident time if disrupted",
  "failover_s < 40s in incident time",
  -- negative cache (10 s) + its whole-second clock + 3 good probes
  "recovery_s < 40s in incident time",
  "availability >= 0.8",
}

timeline(function()
  phase "baseline"
  sleep "30s"
  phase "record empty"
  inject("route53", "name=dynamodb.us-east-1.amazonaws.com action=empty negttl=" .. negttl)
  sleep "2m"
  phase "dns restored"
  clear("route53")
  sleep "40s"
end)
