-- Hard-coded IP fallback: a client that connects to a fixed address when
-- resolution fails, and what that costs when the address goes stale
--
-- Where it comes from.  Not a dated incident: one of the three patterns in
-- the project's starting documents (issue 13, "The patterns from our
-- starting documents": "a client that falls back to fixed addresses when
-- resolution fails ... score it, including the stale-fallback risk").
-- Teams ship it after an outage such as the flagship's empty record (AWS
-- us-east-1, 2025-10-20): "if DNS fails, use the address we know".  Being a
-- pattern, the folder is named after it (ip-fallback-pattern) rather than
-- NAME-DATE: there is no date to put there, and the clock below is an
-- invented one.
--
-- The drill.  An app (the demo client, dd-regional-client, resolving with
-- glibc through a real unbound that forwards example.com to faultd; --set
-- resolver=bind9|knot|pdns|dnsmasq|dnsdist for another) calls
-- api.example.com every 200 ms.  Its deployment carries the endpoint's
-- address as a fixed fallback (`--fallback-addr api.example.com=
-- 198.18.0.101`).  The authority then answers the endpoint's name with an
-- empty record (NOERROR, no data; --set fault=servfail|nxdomain for the
-- others) for 10 incident minutes.
--   - Shipped: the fixed address is still the endpoint.  Resolution fails,
--     the app logs event=fallback and keeps working on 198.18.0.101.
--   - --set moved=true: the stale-fallback risk.  Before the fault, the
--     endpoint moves to 198.18.0.103 (the record follows it; the old
--     responder is stopped, nothing answers on .101 any more).  Resolution
--     then fails; the fallback sends every request to the dead address.
--     The app is down as it would be without the fallback, and worse, its
--     errors say connect:ECONNREFUSED (a network problem on a host that
--     does not exist) instead of the DNS failure it is: the fallback hides
--     the real failure.  With --set old_serves=true the old address still
--     answers (a decommissioned instance left running): the app stays
--     "available" while talking to the wrong endpoint, which only the
--     right-endpoint probe sees.
--   - --set fallback=false: no fixed address; the app fails with DNS.
-- Scored: availability of the app's /health (probe "service") and whether
-- the app reaches the endpoint DNS currently names (probe "right-endpoint":
-- the app's /health reports the address its last good request reached).
--
-- Timeline (speed 60, a minute per real second; invented clock, 12:00 UTC):
-- 12:00 baseline; 12:02 the endpoint moves (only with moved=true);
-- 12:04 the record goes empty; 12:14 it is restored; 12:17 end.
--
-- Assumptions (parameters): the record TTL and negative TTL (60 s); the
-- kind of resolution failure (`fault`, default empty); a lookup that times
-- out entirely is not a fallback trigger in the demo client (its request
-- deadline covers the lookup), so `fault` offers no timeout.  The site's
-- resolver (`resolver`, default unbound) only forwards example.com to the
-- authority, which every profile can, forwarders included.
scenario {
  name = "ip-fallback-pattern",
  description = "hard-coded IP fallback when resolution fails, and the stale-fallback risk (pattern)",
  speed = 60,
  duration = "17m",
  start = "12:00",
}

local fallback = param("fallback", { default = true,
  doc = "the app falls back to its fixed address when resolution fails: the protection" })
local moved = param("moved", { default = false,
  doc = "the endpoint moved to 198.18.0.103 before the fault and its old address "
     .. "stopped serving: the fixed fallback address is stale" })
local old_serves = param("old_serves", { default = false,
  doc = "with moved=true, the old address keeps answering (a decommissioned "
     .. "instance left up) instead of going dark" })
local fault = param("fault", { default = "empty", choices = { "empty", "servfail", "nxdomain" },
  doc = "what resolution returns during the fault: NOERROR/no data, SERVFAIL, NXDOMAIN" })
local ttl = param("ttl", { default = 60, min = 1, max = 3600,
  doc = "TTL of the endpoint's record and negative TTL (SOA minimum), incident seconds" })
local resolvers = use "resolvers"
local resolver = param("resolver", { default = "unbound", choices = resolvers.software,
  doc = "the site's resolver, forwarding example.com to the authority (a profile "
     .. "in scenarios/lib/resolver_NAME.lua)" })

local OLD, NEW = "198.18.0.101", "198.18.0.103"
local current = moved and NEW or OLD   -- the endpoint DNS names during the fault

-- the network ---------------------------------------------------------------
local stub = { servers = { "198.18.0.53" }, options = { timeout = 1, attempts = 1 } }
host "client"   { resolv = stub }
host "app"      { resolv = stub }
host "resolver" {}
host "auth"     {}
host "old"      {}
host "new"      {}
lan "site" {
  client = "198.18.0.10/24", app = "198.18.0.20/24", resolver = "198.18.0.53/24",
  old = OLD .. "/24", new = NEW .. "/24",
}
link "wan" { resolver = "198.18.9.1/30", auth = "198.18.9.2/30" }

dns "auth" {
  host = "auth", listen = "198.18.9.2:53",
  zone = string.format([[
$ORIGIN example.com.
$TTL %d
@    IN SOA ns1 hostmaster 1 3600 600 86400 %d
@    IN NS  ns1
ns1  IN A   198.18.9.2
api  IN A   %s
]], ttl, ttl, OLD),
}

resolvers.resolver {
  software = resolver, name = "resolver", host = "resolver",
  listen = { "198.18.0.53" },
  forward = { ["example.com"] = { "198.18.9.2" } },
}

-- the endpoint, at its old address and (after the move) its new one
process "api-old" {
  host = "old", timers = {},
  cmd = { bin "dd-http-responder", "--listen", OLD .. ":80", "--name", "api-old" },
  ready = { tcp = OLD .. ":80" },
}
process "api-new" {
  host = "new", timers = {},
  cmd = { bin "dd-http-responder", "--listen", NEW .. ":80", "--name", "api-new" },
  ready = { tcp = NEW .. ":80" },
}

local app = { bin "dd-regional-client", "--primary", "api.example.com",
  "--primary-label", "api", "--interval", "200ms", "--timeout", "1s",
  "--health", "198.18.0.20:8080" }
if fallback then
  app[#app + 1] = "--fallback-addr"
  app[#app + 1] = "api.example.com=" .. OLD   -- written into the deployment at 12:00
end
process "app" { host = "app", cmd = app, timers = {},
  ready = { http = "http://198.18.0.20:8080/ready" } }

-- watching it ---------------------------------------------------------------
probe "service" {
  host = "client", every = "200ms", timeout = "1s",
  http = { url = "http://198.18.0.20:8080/health", status = 200 },
}
probe "right-endpoint" {
  host = "client", every = "200ms", timeout = "1s",
  http = { url = "http://198.18.0.20:8080/health", status = 200,
           body = '"addr":"' .. current:gsub("%.", "\\.") .. '"' },
}
probe "dns" {
  host = "client", every = "500ms", timeout = "1500ms",
  dns = { name = "api.example.com", type = "A", server = "198.18.0.53", answer = current },
}

watch "fallback" { process = "app", match = "event=fallback" }
watch "dns-error" { process = "app", match = "ok=false reason=dns:" }
watch "connect-error" { process = "app", match = "ok=false reason=connect:" }

score {
  detection = { probe = "dns", ok = false },
  service = "service",
  primary = { probe = "dns" },
  latency = {},
  stable = "1s",
}
expect {
  "availability >= 0.9",
  "availability.right-endpoint >= 0.9",
}

local rules = { empty = "action=empty", servfail = "action=servfail", nxdomain = "action=nxdomain" }

timeline(function()
  phase "baseline"                       -- 12:00
  sleep "2m"
  if moved then
    phase "endpoint moved"               -- 12:02: the record follows, the old host goes
    record_del("auth", "api.example.com.", "A")
    record_add("auth", "api.example.com. " .. ttl .. " IN A " .. NEW)
    sleep "1m"
    if not old_serves then stop("api-old") end
  end
  at "4m"
  phase "resolution fails"               -- 12:04
  inject("auth", "name=api.example.com " .. rules[fault] .. " negttl=" .. ttl)
  sleep "10m"
  clear("auth")
  phase "record restored"                -- 12:14
  sleep "3m"
end)
