-- Render, 2023-03-01: the region's recursive resolvers crash-loop, each
-- restart from a cold cache
--
-- What happened.  On 1 March 2023, from 17:50 to 18:08 UTC, name lookups
-- failed for services across one of Render's regions.  The recursive
-- resolvers the region relied on were crash-looping: each one started with
-- an empty cache and too few resources for the load it met, fell over, and
-- started again.  Source: Render status page (incident of 2023-03-01).  The
-- status page gives the window and the cause in a sentence; the shape of
-- the loop (how long a resolver stayed up, how long it was down) is ours.
--
-- The drill.  A sealed internet (use "internet": test root, com., and
-- example.com with the app's endpoint api.example.com); the region's
-- resolver is a real unbound iterating from the root (--set
-- resolver=bind9|knot|pdns for another).  An app (the demo
-- client, glibc's getaddrinfo through the host's resolv.conf) calls the
-- endpoint every 200 ms.  During the incident the timeline kills the
-- resolver (SIGKILL: a crash) and starts it again, `up` incident seconds
-- up and `down` down, for the 18 minutes.  Each start is a cold cache: it
-- asks the root, com. and example.com again, a burst at the authorities
-- that a warm cache never sends.
-- The protection: a second resolver instance in resolv.conf (the same
-- software, on its own host, not in the loop; glibc moves to it at once
-- when the first one's port is closed, after `timeout` when it is
-- silent).  --set second_resolver=false leaves the app with the looping
-- one alone (protection off).
-- Measured: the app's availability over the loop, recovery once it ends,
-- and the queries the looping resolver sent to the root and to
-- example.com's server during the loop against its baseline (faultd's
-- per-client counters).
--
-- Timeline (UTC -> speed 60, a minute per real second): 17:40 baseline;
-- 17:50 the crash loop begins; 18:08 it ends (the resolver stays up);
-- 18:16 end.
--
-- Assumptions (parameters): `up` (30 s) and `down` (90 s) per crash; the
-- record TTLs (api 300 s; the helper's 3600 s for NS and glue); a crash is
-- a SIGKILL (the port closes: glibc fails over at once; a hung resolver,
-- which glibc waits `timeout` for, is not modelled); the second resolver
-- shares nothing with the first (in the incident, every resolver of the
-- region was in the loop: the protection is a resolver of another fate).
-- The software of both instances (`resolver`, default unbound) must
-- iterate from the test root: unbound, bind9, knot or pdns; the forwarders
-- dnsmasq and dnsdist cannot and are refused.  kresd (knot) keeps its
-- cache on disk in its run folder, where a crash leaves it warm; the
-- incident's resolvers came back empty, so with knot each start clears
-- it first (cache.clear() in its configuration) and is as cold as the
-- others'.
scenario {
  name = "render-2023-03-01",
  description = "recursive resolvers crash-loop from a cold cache across a region (Render, 2023-03-01)",
  speed = 60,
  duration = "36m",       -- 17:40 to 18:16
  start = "2023-03-01T17:40:00Z",
}

local second = param("second_resolver", { default = true,
  doc = "the app's resolv.conf lists a second resolver instance (not in the loop): the protection" })
local up = param("up", { default = 30, min = 10, max = 600,
  doc = "incident seconds a resolver stays up before it crashes again" })
local down = param("down", { default = 90, min = 10, max = 600,
  doc = "incident seconds it stays down before it is started again" })
local timeout = param("timeout", { default = 1, min = 1, max = 30,
  doc = "the app's stub timeout per server (resolv.conf timeout:, real seconds)" })
local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" },
  doc = "the software of both resolver instances (a profile in "
     .. "scenarios/lib/resolver_NAME.lua): it iterates from the test root, "
     .. "which the forwarders dnsmasq and dnsdist cannot" })

host "resolver" {}
host "resolver2" {}
host "app" {
  resolv = "nameserver 198.18.100.53\n" .. (second and "nameserver 198.18.100.54\n" or "")
        .. "options timeout:" .. timeout .. " attempts:2\n",
}
host "client" {}
host "api" {}

local net = use "internet".internet {
  lan = "198.18.100.0/24",
  attach = { resolver = "198.18.100.53", resolver2 = "198.18.100.54",
             app = "198.18.100.20", client = "198.18.100.10", api = "198.18.100.80" },
  zones = {
    ["."] = { ns = { "a.root-servers.test" } },
    ["com."] = { ns = { "a.gtld.test" } },
    ["example.com."] = { ns = { "ns1", "ns2" },
                         records = "api 300 IN A 198.18.100.80\n" },
  },
}

-- both instances iterate from the test root (scenarios/lib/resolvers.lua);
-- a start is a cold cache: kresd's on-disk cache is emptied as it starts
local resolvers = use "resolvers"
local cold = resolver == "knot" and "cache.clear()" or nil
resolvers.resolver { software = resolver, name = "resolver", host = "resolver",
  listen = "198.18.100.53", root_hints = net.hints, extra = cold }
resolvers.resolver { software = resolver, name = "resolver2", host = "resolver2",
  listen = "198.18.100.54", root_hints = net.hints, extra = cold }

process "api" {
  host = "api", timers = {},
  cmd = { bin "dd-http-responder", "--listen", "198.18.100.80:80", "--name", "api" },
  ready = { tcp = "198.18.100.80:80" },
}
process "app" {
  host = "app", timers = {},
  cmd = { bin "dd-regional-client", "--primary", "api.example.com", "--primary-label", "api",
          "--interval", "200ms", "--timeout", tostring(2 * timeout + 1) .. "s",
          "--health", "198.18.100.20:8080" },
  ready = { http = "http://198.18.100.20:8080/ready" },
}

probe "service" {                     -- the app, as its users see it
  host = "client", every = "200ms", timeout = "1s",
  http = { url = "http://198.18.100.20:8080/health", status = 200 },
}
probe "resolver" {                    -- the looping resolver itself
  host = "client", every = "200ms", timeout = "1s",
  dns = { name = "api.example.com", type = "A", server = "198.18.100.53", answer = "198.18.100.80" },
}
watch "dns-error" { process = "app", match = "ok=false reason=dns:" }

score {
  fault = { start = { phase = "crash loop" }, stop = { phase = "loop ends" } },
  detection = { probe = "resolver", ok = false },
  service = "service",
  primary = { probe = "service" },
  latency = {},
  stable = "1s",
}
expect {
  "availability >= 0.9",
  "recovery_s < 2m in incident time",
}

-- every authority's counters (kept in result.json's dns_stats, why =
-- "timeline"): the warm baseline from 17:41 to 17:50 against the loop
local function read_authorities()
  for _, z in ipairs({ ".", "com.", "example.com." }) do
    for _, s in ipairs(net.servers[z]) do stats(s.dns) end
  end
end

timeline(function()
  phase "baseline"                    -- 17:40
  sleep "1m"
  read_authorities()                  -- 17:41: the cache is warm
  at "10m"
  read_authorities()
  phase "crash loop"                  -- 17:50
  local n = 0
  while now() * speed() < (10 + 18) * 60 - up - down do
    kill("resolver")
    sleep(down)
    start("resolver")
    n = n + 1
    mark("restart " .. n .. " (cold cache)")
    sleep(up)
  end
  at "28m"
  read_authorities()
  phase "loop ends"                   -- 18:08
  sleep "8m"
end)
