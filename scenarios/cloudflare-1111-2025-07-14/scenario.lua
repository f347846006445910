-- Cloudflare 1.1.1.1, 2025-07-14: the public resolver a stub asks first
-- becomes unreachable
--
-- What happened.  A change to the service topology of Cloudflare's public
-- resolver, made weeks earlier and dormant, was activated by an unrelated
-- change and withdrew the resolver's address prefixes from the internet.
-- Queries over UDP, TCP and DoT to the resolver's addresses went nowhere
-- (DoH, reached by name, mostly kept working).  Impact 21:52 to 22:54 UTC;
-- a revert at 22:20 brought back about 77 % of the traffic, the rest
-- returned as the remaining routes were re-advertised.  Clients whose
-- resolv.conf named a second resolver failed over to it after their
-- stub's timeout.  Source: Cloudflare blog, "Cloudflare 1.1.1.1 incident
-- on July 14, 2025".
--
-- This is also the starting documents' pattern "multiple resolvers with
-- fallback": `nameserver A`, `nameserver B`, `options timeout:1 attempts:2`.
--
-- The drill: a client host and an app host whose resolv.conf name the
-- public resolver A first and a second public resolver B (both real
-- unbound, each resolving example.com from its authority).  "The public
-- resolver" is a labelled test address, 198.18.1.1 (never a real one);
-- its anycast edge is a faultd in front of resolver A that, from 21:52,
-- drops every query (the withdrawn routes: packets vanish, no ICMP, no
-- answer); from 22:20 it drops 23 % of them (the revert brought back ~77 %;
-- per query here, per network in reality); at 22:54 it is back.  The
-- client looks the name up with getent (glibc's stub) every 200 ms: the
-- probe's latency is the per-lookup cost of failover.  The app (the demo
-- client, glibc getaddrinfo) fetches from its endpoint with a 2 s deadline
-- per request, DNS included; its /health says whether it serves.
--
-- What it teaches: with B in resolv.conf, glibc's stub asks A, waits its
-- timeout (1 s), then asks B: every lookup succeeds but costs one timeout,
-- for as long as A stays silent (the stub keeps no memory of a dead server
-- between lookups); an app whose deadline is shorter than the stub's
-- timeout fails anyway (`--set app_timeout=1` ... the lookup alone takes
-- 1 s).  The protection is the second nameserver: `--set second=false`
-- (only A) and every lookup fails after timeout x attempts (2 s): the
-- availability expectations fail.
--
-- Scored from 21:52 to 22:20, while A was wholly unreachable; the
-- partial phase after the revert is played but not scored.
-- availability.lookup counts lookups, not time: a probe waiting out a
-- silent server takes no new sample meanwhile.
--
-- Assumptions (parameters): the stub's options [timeout 1, attempts 2, the
-- starting documents' pattern]; the app's deadline [2 s]; the 23 % still
-- unreachable after the revert, applied per query [0.23].
--
-- Timeline (speed 180, 3 incident minutes per real second): 21:47
-- baseline; 21:52 routes withdrawn; 22:20 revert (77 % back); 22:54 all
-- back; 22:59 end.  About 25 s of wall time.  The stub's timeout, the
-- app's deadline and the probes are real time (network time): their cost
-- per lookup is what is measured, at any speed.
-- Run it:  dnsdrill run scenarios/cloudflare-1111-2025-07-14/scenario.lua
--          ... --set second=false           (protection off: fails)
--          ... --set timeout=2 --set attempts=1
scenario {
  name = "cloudflare-1111-2025-07-14",
  description = "the first public resolver in resolv.conf goes unreachable; stubs fail over after their timeout (Cloudflare 1.1.1.1, 2025-07-14)",
  speed = 180,
  duration = "72m",
  start = "2025-07-14T21:47:00Z",
}

local second = param("second", { default = true,
  doc = "resolv.conf names a second resolver B after A (the protection)" })
local timeout = param("timeout", { default = 1, min = 1, max = 30,
  doc = "resolv.conf options timeout: (seconds, real time)" })
local attempts = param("attempts", { default = 2, min = 1, max = 5,
  doc = "resolv.conf options attempts:" })
local app_timeout = param("app_timeout", { default = 2, min = 1, max = 30,
  doc = "the app's deadline per request, DNS included (seconds, real time)" })
local residual = param("residual", { default = 0.23, min = 0, max = 1,
  doc = "share of queries to A still lost after the 22:20 revert (assumption: per query)" })
local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" },
  doc = "the software of both public resolvers" })

local A, B = "198.18.1.1", "198.18.8.8"   -- labelled test addresses
local stub = use "stub"
local resolv = second and stub.resolv { A, B, timeout = timeout, attempts = attempts }
                       or stub.resolv { A, timeout = timeout, attempts = attempts }

-- one LAN: the client, the app, A's edge and its resolver, B, the
-- authority and the app's endpoint
host "client" { resolv = resolv }
host "app" { resolv = resolv }
host "edge-a" {}
host "resolver-a" {}
host "resolver-b" {}
host "auth" {}
host "web" {}
lan "net" {
  client = "198.18.0.10/16", app = "198.18.0.20/16",
  ["edge-a"] = A .. "/16", ["resolver-a"] = "198.18.1.11/16",
  ["resolver-b"] = B .. "/16", auth = "198.18.9.2/16", web = "198.18.50.80/16",
}

dns "auth" {
  host = "auth", listen = "198.18.9.2:53",
  zone = [[
$ORIGIN example.com.
$TTL 300
@   IN SOA ns1 hostmaster 1 3600 600 86400 300
@   IN NS  ns1
ns1 IN A   198.18.9.2
www IN A   198.18.50.80
]],
}

local resolvers = use "resolvers"
resolvers.resolver { software = resolver, name = "resolver-a", host = "resolver-a",
  listen = "198.18.1.11", stub = { ["example.com"] = { "198.18.9.2" } } }
resolvers.resolver { software = resolver, name = "resolver-b", host = "resolver-b",
  listen = B, stub = { ["example.com"] = { "198.18.9.2" } } }

-- A's anycast edge: forwards to resolver A until the routes go
dns "edge-a" {
  host = "edge-a", listen = A .. ":53", upstreams = { "198.18.1.11:53" },
}

process "web" {
  host = "web",
  cmd = { bin "dd-http-responder", "--listen", "198.18.50.80:80", "--name", "web" },
  ready = { tcp = "198.18.50.80:80" },
  timers = {},
}
process "app" {
  host = "app",
  cmd = { bin "dd-regional-client", "--primary", "www.example.com",
          "--primary-label", "web", "--interval", "200ms",
          "--timeout", app_timeout .. "s", "--no-failover",
          "--family", "4", "--health", "198.18.0.20:8080", "--resolver-mode", "libc" },
  ready = { http = "http://198.18.0.20:8080/ready" },
  timers = {},   -- its interval and deadline are network time, real on purpose
}

-- a lookup through the client's own stub, as any program makes it; its
-- timeout covers glibc's whole wait (timeout x attempts per server)
probe "lookup" {
  host = "client", every = "200ms", timeout = (timeout * attempts * 2 + 1) .. "s",
  exec = { "getent", "ahostsv4", "www.example.com" },
}
probe "service" {
  host = "client", every = "200ms", timeout = "1s",
  http = { url = "http://198.18.0.20:8080/health", status = 200 },
}
watch "app-failed" { process = "app", match = "event=request .*ok=false" }

score {
  detection = { probe = "lookup", ok = false },
  service = { "lookup", "service" },
  primary = { probe = "service" },
  latency = "lookup",
  stable = "1s",
  -- scored while A was wholly unreachable (21:52-22:20); the partial
  -- phase after the revert is played, not scored (a lookup that hits the
  -- lost 23 % costs the same timeout)
  fault = { start = { phase = "routes withdrawn" }, stop = { phase = "revert" } },
}
expect {
  -- the protection: with B every lookup still succeeds, and the app serves
  "availability.lookup >= 0.95",
  "availability.service >= 0.9",
  -- the cost: a typical lookup waits out A's timeout, once (not timeout x
  -- attempts, which is what a lookup with no answer at all costs)
  "latency_p50_ms.lookup >= " .. math.floor(timeout * 1000 * 0.8),
  "latency_p50_ms.lookup < " .. math.floor(timeout * 1000 * 1.5),
}

timeline(function()
  phase "baseline"                      -- 21:47
  sleep "5m"
  phase "routes withdrawn"              -- 21:52: A unreachable
  inject("edge-a", "action=drop")
  sleep "28m"
  phase "revert"                        -- 22:20: ~77 % of routes back
  clear("edge-a")
  if residual > 0 then inject("edge-a", "prob=" .. residual .. " action=drop") end
  sleep "34m"
  phase "restored"                      -- 22:54
  clear("edge-a")
  sleep "5m"
end)
