-- Dyn, 2016-10-21: an authoritative DNS provider drowned by a DDoS, twice
--
-- What happened.  Dyn's managed DNS platform, authoritative for many large
-- sites, was hit by a distributed denial-of-service attack (much of it from
-- Mirai-infected devices) in two main waves: 11:10 to 13:20 UTC, first in
-- US-East and then more widely, and 15:50 to 17:00 UTC.  Resolvers could
-- not reach Dyn's servers or got late answers: their users saw resolution
-- failures, intermittent and slow, for names hosted there.  Recursive
-- resolvers' own retries (and their clients' retries) added to the load on
-- the servers under attack; reports put the legitimate retry traffic at
-- 10-20 times normal (unconfirmed).
-- Sources: Dyn's incident report on the attack (Dyn company blog; we recall
-- it as "Dyn Analysis Summary Of Friday October 21 Attack", not re-checked)
-- and Dyn's statements on the day.
--
-- The drill.  faultd ("dyn") is authoritative for three customer zones
-- (twitter.com, github.com, reddit.com: test addresses only).  An ISP's real
-- resolver (unbound; --set resolver=...) serves a fleet of users (dnsperf
-- asking 60 names at a bounded rate) and our probes.  The attack itself is
-- not sent: it is modelled by what it did to the legitimate traffic --
-- during each wave the authority loses a share of the packets (`loss`) and
-- what gets through meets a capacity of `capacity` queries a second with a
-- short queue, the rest dropped.  What the drill measures: availability and
-- latency at the users' side, and the queries the authority received during
-- the incident against its baseline rate (result.json `authority.dyn`).
-- The protection: serve-stale (RFC 8767) at the resolver, answering from
-- the expired cache when the authority does not answer within 500 ms;
-- --set serve_stale=false shows the outage.
--
-- Timeline (UTC -> the compressed run at speed 720, 12 incident minutes per
-- real second): 10:40 baseline; 11:10 wave 1 (130 min, ~11 s real); 13:20
-- the attack mitigated; 15:50 wave 2 (70 min, ~6 s); 17:00 over; run ends
-- 17:10.  The score's window runs from wave 1 to the end of wave 2 (the
-- lull included: the incident as users lived it).
--
-- Assumptions (parameters): the share of packets lost and the capacity left
-- (loss 0.7, capacity 10 q/s with 20 waiting: up to 2 s late) stand for a
-- congestion whose real figures were not published; the customers' record TTL (300 s) is a
-- typical figure, not Dyn's -- at speed 720 any TTL under 12 minutes is
-- served at faultd's 1 s floor (listed in time_distortions); the users'
-- query rate (100 q/s over 60 names) is a small ISP's, scaled down.
scenario {
  name = "dyn-2016-10-21",
  description = "authoritative DNS under a DDoS in two waves, retries pile on (Dyn, 2016-10-21)",
  speed = 720,
  duration = "390m",    -- 10:40 to 17:10
  start = "2016-10-21T10:40:00Z",
}

local resolvers = use "resolvers"
local software = param("resolver", { default = "unbound", choices = resolvers.software,
  doc = "the ISP's recursive resolver (a profile in scenarios/lib/resolver_NAME.lua)" })
local serve_stale = param("serve_stale", { default = true,
  doc = "the resolver answers from its expired cache when the authority does not "
     .. "answer (RFC 8767 serve-stale): the protection" })
local loss = param("loss", { default = 0.7, min = 0, max = 1,
  doc = "share of the queries to the authority lost to the attack's congestion during a wave" })
local capacity = param("capacity", { default = 10, min = 1, max = 100000,
  doc = "queries a second the authority still answers during a wave (of those not lost)" })
local queue = param("queue", { default = 20, min = 0, max = 100000,
  doc = "queries that may wait for the authority during a wave (their answers come late)" })
local ttl = param("ttl", { default = 300, min = 1, max = 86400,
  doc = "TTL of the customers' records, seconds (incident time)" })
local load = param("load", { default = 100, min = 1, max = 2000,
  doc = "the users' queries a second to the resolver (dnsperf, real time)" })

-- the network ---------------------------------------------------------------
-- the ISP: users (the fleet), a client for the probes, the resolver; the
-- resolver reaches Dyn over its own link
local stub = { servers = { "198.18.0.53" }, options = { timeout = 2, attempts = 1 } }
host "client"   { resolv = stub }
host "fleet"    { resolv = stub }
host "resolver" {}
host "dyn"      {}
lan "isp" {
  client   = "198.18.0.10/24",
  fleet    = "198.18.0.11/24",
  resolver = "198.18.0.53/24",
}
link "wan" { resolver = "198.18.9.1/30", dyn = "198.18.9.2/30" }

-- Dyn: one faultd authoritative for the customers' zones --------------------
local customers = { "twitter.com", "github.com", "reddit.com" }
local hosts = { "www", "api", "cdn", "mobile", "static", "auth", "img", "video",
                "search", "m", "login", "status", "blog", "help", "assets", "ws",
                "upload", "news", "mail", "dev" }
local zones, names = {}, {}
for i, z in ipairs(customers) do
  local t = { "$ORIGIN " .. z .. ".", "$TTL " .. ttl,
    "@ IN SOA ns1.p34.dynect.net. hostmaster " .. "2016102101 3600 600 86400 " .. ttl,
    "@ IN NS ns1.p34.dynect.net." }
  for j, h in ipairs(hosts) do
    t[#t + 1] = h .. " IN A 198.18." .. (20 + i) .. "." .. j
    names[#names + 1] = h .. "." .. z .. " A"
  end
  zones[#zones + 1] = table.concat(t, "\n") .. "\n"
end
zones[#zones + 1] = [[
$ORIGIN dynect.net.
$TTL 86400
@ IN SOA ns1.p34 hostmaster 2016102101 3600 600 86400 3600
@ IN NS ns1.p34
ns1.p34 IN A 198.18.9.2
]]

dns "dyn" { host = "dyn", listen = "198.18.9.2:53", zone = zones }

local stubs = { ["dynect.net"] = { "198.18.9.2" } }
for _, z in ipairs(customers) do stubs[z] = { "198.18.9.2" } end
resolvers.resolver {
  software = software,
  name = "resolver",
  host = "resolver",
  listen = { "198.18.0.53" },
  stub = stubs,
  -- RFC 8767: stale answers for up to a day, after 500 ms of trying (real
  -- time: a latency budget) where the software has that knob
  serve_stale = serve_stale and ({
    pdns = { max_stale = "1d" },
    dnsmasq = { max_stale = "1d" },
    dnsdist = {},
  })[software] or serve_stale and { max_stale = "1d", client_timeout = "500ms" } or nil,
}

-- the users: dnsperf asking the 60 names round and round at `load` q/s, up
-- to 100 outstanding, each given 2 s (it does not retry: the resolver does)
process "fleet" {
  host = "fleet",
  cmd = { "dnsperf", "-s", "198.18.0.53", "-d", scratch() .. "/names.txt",
          "-Q", tostring(load), "-q", "100", "-t", "2", "-l", "3600", "-S", "1" },
  files = { ["names.txt"] = table.concat(names, "\n") .. "\n" },
  timers = {},
}

-- watching it ---------------------------------------------------------------
for _, p in ipairs({ { "twitter", "www.twitter.com", "198.18.21.1" },
                     { "github", "api.github.com", "198.18.22.2" } }) do
  probe(p[1]) {
    host = "client", every = "200ms", timeout = "2s",
    dns = { name = p[2], type = "A", server = "198.18.0.53", answer = p[3] },
  }
end

score {
  service = { "twitter", "github" },
  -- the incident as users lived it: both waves and the lull between them;
  -- the stats() readings at its edges bracket result.json `authority.dyn`
  fault = { start = { phase = "wave 1" }, stop = { phase = "over" } },
  stable = "1s",
}
expect {
  -- serve-stale keeps the users answered through both waves
  -- (with it, measured: 1.0 in every run; without it 0.62-0.94 over the
  -- window, the lull included: unbound's retries often get through in time)
  "availability >= 0.98",
  "availability_worst >= 0.97",
  "latency_p95_ms < 1500",
}

-- the incident --------------------------------------------------------------
local function wave()
  inject("dyn", "prob=" .. loss .. " action=drop")
  inject("dyn", "capacity=" .. capacity .. " queue=" .. queue .. " overflow=drop action=pass")
end

timeline(function()
  phase "baseline"                      -- 10:40
  sleep "30m"
  stats("dyn")                          -- the authority's reading at the window's start
  phase "wave 1"                        -- 11:10: US-East first, then wider
  wave()
  sleep "130m"
  stats("dyn")
  clear("dyn")
  phase "mitigated"                     -- 13:20
  sleep "150m"
  stats("dyn")
  phase "wave 2"                        -- 15:50
  wave()
  sleep "70m"
  stats("dyn")
  clear("dyn")
  sleep "1m"
  phase "over"                          -- 17:00
  stats("dyn")                          -- the reading at the window's end
  sleep "10m"
end)
