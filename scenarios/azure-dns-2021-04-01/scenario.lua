-- Azure DNS, 2021-04-01: a surge of queries meets a defect; retries pile on
--
-- What happened.  An unusual surge of DNS queries from clients around the
-- world reached Azure DNS, Microsoft's authoritative DNS service; a defect
-- in its edge caches kept them from absorbing it, and the servers behind
-- were overloaded.  Resolvers saw intermittent failures for names hosted on
-- Azure DNS from 21:21 to 22:00 UTC; most services were back by 22:30.  The
-- queries were legitimate and clients retried their failures, so the load
-- grew with the failures, and the volumetric protection, built to drop
-- attack traffic, did not drop it.
-- Source: Microsoft Azure, the root cause analysis (RCA) of the Azure DNS
-- incident of 1 April 2021, in the Azure status history (title not
-- re-checked).
--
-- The drill.  faultd ("azuredns") is authoritative for contoso.com on four
-- name server addresses (ns1..ns4, as Azure DNS gives every zone four),
-- all on one platform: one capacity shared by the four.  A company's real
-- resolver (unbound; --set resolver=...) serves its users (dnsperf at a
-- fixed, bounded rate over 40 names) and our probes.  At 21:21 the surge
-- starts (a second dnsperf on the "internet" side, the world's resolvers,
-- asking the authority directly at `surge` q/s) and the defect leaves the
-- platform `capacity` q/s with a short queue; what is over it gets
-- `overflow` (SERVFAIL by default).  At 22:00 both end.  Measured: the
-- users' availability and latency, the queries the company's resolver sent
-- to the authority during the fault against its baseline rate -- its
-- retries over the four servers (faultd's per-client counters) -- and the
-- authority's own totals (result.json `authority.azuredns`).
-- The protection: serve-stale at the resolver (RFC 8767, after 500 ms of
-- trying); --set serve_stale=false shows the intermittent failures.
--
-- Timeline (UTC -> speed 180, three incident minutes per real second):
-- 21:00 baseline; 21:21 surge and overload (39 min, 13 s real); 22:00 the
-- surge subsides; run ends 22:30 (most services back).
--
-- What it showed (unbound 1.17): without serve-stale the users lose most
-- lookups during the overload (availability 0.08-0.19 over four runs side
-- by side); with it they keep their answers (1.0).  Either way the
-- company's one resolver sent its authority many times its baseline rate
-- while the platform turned queries away: ~10x without serve-stale
-- (unbound's 5 s SERVFAIL cache holds it back), ~75x with it (each lookup
-- of an expired name may set unbound trying the four servers again).
-- Retries from legitimate resolvers are what the surge is made of.
-- At capacity 300 (a quarter of the surge over it) the outcome without
-- serve-stale was a coin toss: 0.18 to 0.99 from run to run, as unbound
-- did or did not meet a SERVFAIL from all four servers; 200 makes the
-- lesson hold every time.
-- Distortion: unbound caches a SERVFAIL for 5 s whatever the speed (15
-- incident minutes at 180), so without serve-stale the failures look less
-- intermittent than at speed 1 (--set speed=30 for a closer look).
--
-- Assumptions (parameters): the surge's size (`surge` 400 q/s against
-- `capacity` 200 q/s during the defect) and the answer to queries over
-- capacity (`overflow` servfail; drop and refused also offered) are not
-- published figures; the records' TTL (`ttl` 300 s) is a typical one.
scenario {
  name = "azure-dns-2021-04-01",
  description = "authoritative DNS overloaded by a query surge and retries, intermittent failures (Azure DNS, 2021-04-01)",
  speed = 180,
  duration = "90m",     -- 21:00 to 22:30
  start = "2021-04-01T21:00:00Z",
}

local resolvers = use "resolvers"
local software = param("resolver", { default = "unbound", choices = resolvers.software,
  doc = "the company's recursive resolver (a profile in scenarios/lib/resolver_NAME.lua)" })
local serve_stale = param("serve_stale", { default = true,
  doc = "the resolver answers from its expired cache when the authority fails (RFC 8767): the protection" })
local surge = param("surge", { default = 400, min = 0, max = 5000,
  doc = "the surge's queries a second at the authority (dnsperf, real time)" })
local capacity = param("capacity", { default = 200, min = 1, max = 100000,
  doc = "queries a second the platform answers while the defect lasts" })
local queue = param("queue", { default = 50, min = 0, max = 100000,
  doc = "queries that may wait for the platform (their answers come late)" })
local overflow = param("overflow", { default = "servfail", choices = { "servfail", "drop", "refused" },
  doc = "what a query over capacity gets" })
local ttl = param("ttl", { default = 300, min = 1, max = 86400,
  doc = "TTL of contoso.com's records, seconds (incident time)" })
local load = param("load", { default = 50, min = 1, max = 2000,
  doc = "the company's users' queries a second to their resolver (dnsperf, real time)" })

-- the network ---------------------------------------------------------------
local stub = { servers = { "198.18.0.53" }, options = { timeout = 2, attempts = 1 } }
host "client"   { resolv = stub }
host "users"    { resolv = stub }
host "resolver" {}
host "world"    {}                      -- the rest of the internet's resolvers
host "azure"    {}
lan "corp" { client = "198.18.0.10/24", users = "198.18.0.11/24", resolver = "198.18.0.53/24" }
local ns = { "198.18.9.11", "198.18.9.12", "198.18.9.13", "198.18.9.14" }
lan "internet" {
  resolver = "198.18.9.1/24",
  world = "198.18.9.100/24",
  azure = { ns[1] .. "/24", ns[2] .. "/24", ns[3] .. "/24", ns[4] .. "/24" },
}

-- Azure DNS: one platform, four name server addresses -----------------------
local names, surge_names = {}, {}
local t = { "$ORIGIN contoso.com.", "$TTL " .. ttl,
  "@ IN SOA ns1-01.azure-dns.com. azuredns-hostmaster.microsoft.com. 1 3600 300 2419200 " .. ttl }
for i = 1, 4 do t[#t + 1] = "@ IN NS ns" .. i .. ".contoso.com." end
for i = 1, 4 do t[#t + 1] = "ns" .. i .. " IN A " .. ns[i] end
for i = 1, 40 do
  t[#t + 1] = "app" .. i .. " IN A 198.18.30." .. i
  names[#names + 1] = "app" .. i .. ".contoso.com A"
end
for i = 1, 200 do surge_names[#surge_names + 1] = "app" .. (i % 40 + 1) .. ".contoso.com A" end
dns "azuredns" {
  host = "azure",
  listen = { ns[1] .. ":53", ns[2] .. ":53", ns[3] .. ":53", ns[4] .. ":53" },
  zone = table.concat(t, "\n") .. "\n",
}

resolvers.resolver {
  software = software,
  name = "resolver",
  host = "resolver",
  listen = { "198.18.0.53" },
  stub = { ["contoso.com"] = ns },
  serve_stale = serve_stale and ({
    pdns = { max_stale = "1d" },
    dnsmasq = { max_stale = "1d" },
    dnsdist = {},
  })[software] or serve_stale and { max_stale = "1d", client_timeout = "500ms" } or nil,
}

-- the company's users: a fixed rate of lookups through the resolver
process "users" {
  host = "users",
  cmd = { "dnsperf", "-s", "198.18.0.53", "-d", scratch() .. "/names.txt",
          "-Q", tostring(load), "-q", "100", "-t", "2", "-l", "3600", "-S", "1" },
  files = { ["names.txt"] = table.concat(names, "\n") .. "\n" },
  timers = {},
}
-- the surge: the world's resolvers asking the four servers, started and
-- stopped by the timeline (bounded: `surge` q/s, an hour at most)
local per_ns = math.max(1, math.floor(surge / 4))
for i = 1, 4 do
  process("surge" .. i) {
    host = "world",
    autostart = false,
    cmd = { "dnsperf", "-s", ns[i], "-d", scratch() .. "/names.txt",
            "-Q", tostring(per_ns), "-q", "200", "-t", "1", "-l", "3600" },
    files = { ["names.txt"] = table.concat(surge_names, "\n") .. "\n" },
    timers = {},
  }
end

-- watching it ---------------------------------------------------------------
for _, p in ipairs({ { "app1", "app1.contoso.com", "198.18.30.1" },
                     { "app2", "app2.contoso.com", "198.18.30.2" } }) do
  probe(p[1]) {
    host = "client", every = "200ms", timeout = "2s",
    dns = { name = p[2], type = "A", server = "198.18.0.53", answer = p[3] },
  }
end

score { service = { "app1", "app2" }, stable = "1s" }
expect {
  -- serve-stale rides out the overload (without it, measured: 0.08-0.19)
  "availability >= 0.95",
  "availability_worst >= 0.9",
  "dns_answers.azuredns.pass > 0",
}

-- the incident --------------------------------------------------------------
timeline(function()
  phase "baseline"                      -- 21:00
  sleep "21m"
  phase "surge"                         -- 21:21: the surge, the defect
  inject("azuredns", "capacity=" .. capacity .. " queue=" .. queue
    .. " overflow=" .. overflow .. " action=pass")
  if surge > 0 then for i = 1, 4 do start("surge" .. i) end end
  sleep "39m"
  if surge > 0 then for i = 1, 4 do stop("surge" .. i) end end
  clear("azuredns")
  phase "subsided"                      -- 22:00
  sleep "30m"                           -- 22:30: most services back
end)
