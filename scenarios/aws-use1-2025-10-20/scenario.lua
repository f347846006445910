-- AWS us-east-1, 2025-10-20: the DynamoDB regional endpoint's record goes empty
--
-- A race between two instances of AWS's DNS automation applied an old plan
-- and then deleted it, leaving dynamodb.us-east-1.amazonaws.com with no IP
-- addresses.  Impact began 06:48 UTC; DNS was restored at 09:25; clients
-- recovered by about 09:40 as caches expired.
--
-- The drill: an app in a client site talks to DynamoDB in us-east-1 through
-- a real resolver (unbound; --set resolver=bind9|knot|pdns|dnsmasq|dnsdist
-- for another).  faultd, authoritative for amazonaws.com, blanks the
-- us-east-1 record for the incident's 157 minutes (compressed), then puts it
-- back.  Does the app notice, fail over to us-west-2, and come home?
--
-- What resolvers saw: AWS's summary speaks of an "empty DNS record"; whether
-- resolvers got NOERROR with no data or NXDOMAIN is not stated, so the
-- fault is a parameter (empty by default; nxdomain, servfail and timeout
-- show what other failures of the same record would have done).
--
-- Timeline (speed 360, six incident minutes a real second): 05:48
-- baseline; 06:48 the record is emptied; 09:25 restored; 09:40 end.
--
-- Assumptions (parameters): the kind of failure [empty]; the negative TTL
-- of the empty answer [5 s: the record's short TTL, as an endpoint behind
-- health-checked DNS has]; the app's failover after 3 failures; its
-- stub's one try of 1 s.  The app and its two regions are the demo client
-- and two HTTP responders, not DynamoDB.
--
-- Source: AWS, "Summary of the Amazon DynamoDB Service Disruption in the
-- Northern Virginia (US-EAST-1) Region" (October 2025).

scenario {
  name = "aws-use1-2025-10-20",
  description = "DynamoDB us-east-1 endpoint record left empty (AWS, 2025-10-20)",
  speed = 360,          -- six incident minutes per real second: ~50 s in all
  duration = "232m",    -- 05:48 to 09:40 (shown on the status line)
  start = "2025-10-20T05:48:00Z",   -- the incident's clock at the timeline's start
}

local fault = param("fault", { default = "empty",
  choices = { "empty", "nxdomain", "servfail", "timeout" },
  doc = "what resolvers got from the authority: NOERROR/no data (what AWS's "
     .. "summary implies), NXDOMAIN, SERVFAIL, or no answer at all" })
local negttl = param("negttl", { default = 5, min = 0, max = 3600,
  doc = "negative TTL (SOA minimum) of empty/nxdomain answers, seconds" })
local resolvers = use "resolvers"
local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns", "dnsmasq", "dnsdist" },
  doc = "the app's recursive resolver (a profile in scenarios/lib/resolver_NAME.lua)" })
local serve_expired = param("serve_expired", { default = false,
  doc = "the resolver answers from expired cache when the authority fails "
     .. "(RFC 8767 serve-stale)" })
local failover = param("failover", { default = true,
  doc = "the app fails over to us-west-2 after repeated failures" })
local fail_after = param("fail_after", { default = 3, min = 1, max = 100,
  doc = "consecutive failures before the app fails over" })
local client = param("client", { default = "glibc",
  choices = { "glibc", "c-ares", "builtin" },
  doc = "how the app resolves: glibc's getaddrinfo, libc-ares (both as "
     .. "configured by the app host's resolv.conf), or the app's own one-shot "
     .. "UDP stub" })

-- the network ---------------------------------------------------------------
-- site LAN: the app, its resolver, a client watching the app, and the two
-- regional endpoints; the resolver reaches the authority over its own link.
-- the app's stub gives its resolver one try of 1 s (glibc's defaults would be
-- timeout 5, attempts 2; c-ares's 5 s and 4 tries, doubling); the client,
-- where the probes run, has the same
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

-- DNS: faultd is amazonaws.com's authority; a resolver resolves for the app
dns "route53" {
  host = "auth",
  listen = "198.18.9.2:53",
  zones = { "amazonaws.com.zone" },
}

-- the app's resolver, in its own configuration (scenarios/lib/resolvers.lua
-- and resolver_SOFTWARE.lua): amazonaws.com forwarded to the authority
-- (faultd answers as the authority; every software can forward, not all
-- can stub), nothing else resolvable (the network is sealed).  Its timers
-- (unbound's infra-host-ttl, BIND's servfail-ttl, ...) are written scaled to
-- the speed by the profile; what cannot be is listed in the result.
resolvers.resolver {
  software = resolver,
  name = "resolver",
  host = "resolver",
  listen = { "198.18.0.53" },
  forward = { ["amazonaws.com"] = { "198.18.9.2" } },
  -- RFC 8767: answer from the expired cache when the authority cannot be
  -- reached, for up to a day; where the software has the knob, after 500 ms
  -- of trying (a latency budget: real time).  pdns_recursor and dnsmasq
  -- have no such budget (one serves stale once resolution failed, the other
  -- at once); dnsdist serves stale only while every server is down, with
  -- neither knob: each profile refuses a knob its software lacks, so the
  -- scenario gives each what it has.
  serve_stale = serve_expired and ({
    pdns = { max_stale = "1d" },
    dnsmasq = { max_stale = "1d" },
    dnsdist = {},
  })[resolver] or serve_expired and { max_stale = "1d", client_timeout = "500ms" } or nil,
}

-- the regional endpoints and the app under test ------------------------------
process "dynamodb-use1" {
  host = "use1",
  cmd = { bin "dd-http-responder", "--listen", "198.18.0.101:80", "--name", "us-east-1" },
  ready = { tcp = "198.18.0.101:80" },
}
process "dynamodb-usw2" {
  host = "usw2",
  cmd = { bin "dd-http-responder", "--listen", "198.18.0.102:80", "--name", "us-west-2" },
  ready = { tcp = "198.18.0.102:80" },
}

local app_cmd = { bin "dd-regional-client",
  "--primary", "dynamodb.us-east-1.amazonaws.com",
  "--secondary", "dynamodb.us-west-2.amazonaws.com",
  "--interval", "200ms", "--timeout", "1s",
  "--fail-after", tostring(fail_after), "--recover-after", "3",
  "--health", "198.18.0.20:8080",
  "--resolver-mode", ({ glibc = "libc", ["c-ares"] = "cares", builtin = "builtin" })[client] }
if not failover then app_cmd[#app_cmd + 1] = "--no-failover" end
process "app" { host = "app", cmd = app_cmd, ready = { http = "http://198.18.0.20:8080/ready" } }

-- watching it ---------------------------------------------------------------
probe "service" {                      -- is the app serving requests at all?
  host = "client", every = "200ms", timeout = "1s",
  http = { url = "http://198.18.0.20:8080/health", status = 200 },
}
probe "on-primary" {                   -- ... and from us-east-1?
  host = "client", every = "200ms", timeout = "1s",
  http = { url = "http://198.18.0.20:8080/health", status = 200,
           body = '"served_by":"us-east-1"' },
}
probe "resolver" {                     -- what the app's resolver says
  host = "client", every = "500ms", timeout = "1500ms",
  dns = { name = "dynamodb.us-east-1.amazonaws.com", type = "A", server = "198.18.0.53" },
}

watch "degraded" { process = "app", match = "event=degraded" }
watch "failover" { process = "app", match = "event=failover" }
watch "failback" { process = "app", match = "event=failback" }
-- the resolver's own word on a failed lookup: unbound's log-servfail lines,
-- named's "SERVFAIL unexpected RCODE"; other software may log none
watch "servfail" { process = "resolver", match = "SERVFAIL" }

capture "app-dns" { host = "app", iface = "site", sut = "198.18.0.20" }

-- failover and recovery at the moment the app acted: its own logged
-- decisions (the probes see them up to one probe interval later; their
-- figures stay in the result, per probe: failover_s of "service",
-- recovery_s of "on-primary")
score {
  detection = { watch = "degraded" },
  service = "service",
  failover = { watch = "failover" },
  primary = { watch = "failback" },
  primary_lost = { watch = "failover" },
  stable = "2s",
  amplification = "app-dns",
}
expect {
  -- cached answers (5 s TTL) hide the fault at first; with serve-expired a
  -- SERVFAIL or silent authority never reaches the app: nothing to detect
  "detection_s < 12 if disrupted",
  "failover_s < 15",
  "recovery_s < 20",           -- negative cache drain, then failback
  "availability >= 0.6",
}

-- the incident, 06:48 to 09:40 UTC ------------------------------------------
local rules = {
  empty    = "action=empty negttl=" .. negttl,
  nxdomain = "action=nxdomain negttl=" .. negttl,
  servfail = "action=servfail",
  timeout  = "action=drop",
}

timeline(function()
  phase "baseline"                     -- 05:48: all well
  sleep "60m"

  phase "record empty"                 -- 06:48: the automation deletes the plan
  inject("route53", "name=dynamodb.us-east-1.amazonaws.com " .. rules[fault])
  sleep "157m"

  phase "dns restored"                 -- 09:25: operators restore the record
  clear("route53")
  -- 09:40: clients recovered as caches expired; give the drain real time
  wait_until(function() return probe_ok("on-primary") end, "30s")
  sleep "15m"
end)
