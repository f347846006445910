-- Gcore, 2022-11-14: a quarter of the authority's answers come back empty
--
-- What happened.  Gcore's authoritative DNS answered up to 25 % of queries
-- with NOERROR and no data: the name exists, but has no address.  The
-- cause was a bug in the servers' answer cache, which keyed names case-
-- sensitively, so some lookups (resolvers vary the case of the names they
-- ask, as a defence against spoofing) missed the data.  Impact 19:53 to
-- 20:26 UTC (33 minutes).  Source: Gcore status page (incident of
-- 14 November 2022).
--
-- What clients saw: an empty answer is an answer: a resolver caches it for
-- the negative TTL (the SOA minimum) and hands it to every client that
-- asks meanwhile, just as it caches a good one for the record's TTL.  The
-- share of failed lookups clients see is therefore set by those two TTLs,
-- not by the authority's 25 % alone, and a client that retries through the
-- same resolver within the negative TTL gets the same empty answer again.
--
-- The drill: a customer zone, example.com, on "Gcore" (a faultd), behind a
-- real resolver (unbound by default, stub zones); an app (the demo client)
-- whose primary endpoint is api.example.com and whose secondary,
-- api.example.net, is served by another DNS provider; a client probing
-- eight names of example.com through the resolver and the app's health.
-- From 19:53 to 20:26 the authority answers a query with NOERROR/no data
-- at random with probability 0.25 (prob=0.25 action=empty; the case-keyed
-- cache is not modelled: which queries missed is taken as random).
--
-- The protection: the app fails over to the name on the other provider
-- after two failed requests (and back once the primary answers again).
-- `--set failover=false` keeps it on the primary: it then serves only
-- while the resolver holds a good answer; it never fails over, so its
-- failover expectation fails, and its availability one with it (about
-- three runs in four: how much of the fault the cached empty answers
-- cover is luck, some 18 cache cycles of the one name).
-- `--set serve_stale=true` tries RFC 8767 serve-stale in the resolver:
-- an empty answer is an answer, not a failure to get one, so serve-stale
-- is not meant for it; how much unbound's "answer expired data first,
-- refresh after" changes is left to the run to show (one run each, app
-- without failover: 0.65 without, 0.88 with -- within the spread of this
-- metric between runs, 0.55-0.88).
--
-- Assumptions (parameters): the share of empty answers [0.25: "up to 25 %",
-- taken as constant]; the zone's TTL [60 s] and negative TTL [60 s] are
-- not in the report (short, as a CDN's names tend to be).
--
-- Timeline (speed 60, one incident minute per real second: the 33
-- minutes hold some 18 cache cycles of each name, enough that the app's
-- name is all but sure to be hit): 19:51 baseline; 19:53 empty answers;
-- 20:26 fixed; 20:29 end.  About 40 s.
-- Run it:  dnsdrill run scenarios/gcore-2022-11-14/scenario.lua
--          ... --set failover=false          (protection off: fails)
--          ... --set negttl=600              (longer negative caching)
scenario {
  name = "gcore-2022-11-14",
  description = "the authority answers 25% of queries NOERROR/no data for 33 minutes (Gcore, 2022-11-14)",
  speed = 60,
  duration = "38m",
  start = "2022-11-14T19:51:00Z",
}

local share = param("share", { default = 0.25, min = 0, max = 1,
  doc = "chance the authority answers a query empty (NOERROR, no data)" })
local ttl = param("ttl", { default = 60, min = 60, max = 86400,
  doc = "TTL of example.com's records, incident seconds (assumption)" })
local negttl = param("negttl", { default = 60, min = 60, max = 86400,
  doc = "negative TTL of the empty answers (SOA TTL and minimum), incident seconds (assumption)" })
local failover = param("failover", { default = true,
  doc = "the app fails over to its secondary name on another DNS provider (the protection)" })
local serve_stale = param("serve_stale", { default = false,
  doc = "the resolver serves expired records when it cannot refresh them (RFC 8767)" })
local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" }, doc = "the app's recursive resolver" })

local stub = { servers = { "198.18.0.53" }, options = { timeout = 1, attempts = 1 } }
host "client" { resolv = stub }
host "app" { resolv = stub }
host "resolver" {}
host "gcore" {}
host "other" {}
host "web1" {}
host "web2" {}
lan "site" {
  client = "198.18.0.10/24", app = "198.18.0.20/24", resolver = "198.18.0.53/24",
  web1 = "198.18.0.101/24", web2 = "198.18.0.102/24",
}
lan "wan" { resolver = "198.18.9.1/24", gcore = "198.18.9.2/24", other = "198.18.9.3/24" }

local NAMES = { "www", "api", "img", "static", "login", "cdn", "shop", "mail" }
local recs = {}
for i, n in ipairs(NAMES) do
  recs[#recs + 1] = string.format("%-6s IN A 198.18.0.%d", n, n == "api" and 101 or 110 + i)
end
dns "gcore" {
  host = "gcore", listen = "198.18.9.2:53",
  zone = string.format([[
$ORIGIN example.com.
$TTL %d
@   %d IN SOA ns1 hostmaster 1 3600 600 86400 %d
@   IN NS ns1
ns1 IN A  198.18.9.2
]], ttl, negttl, negttl) .. table.concat(recs, "\n") .. "\n",
}
dns "other" {
  host = "other", listen = "198.18.9.3:53",
  zone = string.format([[
$ORIGIN example.net.
$TTL %d
@   IN SOA ns1 hostmaster 1 3600 600 86400 %d
@   IN NS ns1
ns1 IN A  198.18.9.3
api IN A  198.18.0.102
]], ttl, negttl),
}

local resolvers = use "resolvers"
resolvers.resolver {
  software = resolver, host = "resolver", listen = "198.18.0.53",
  stub = { ["example.com"] = { "198.18.9.2" }, ["example.net"] = { "198.18.9.3" } },
  serve_stale = serve_stale and { max_stale = "1d" } or nil,
}

process "web1" {
  host = "web1", timers = {},
  cmd = { bin "dd-http-responder", "--listen", "198.18.0.101:80", "--name", "primary" },
  ready = { tcp = "198.18.0.101:80" },
}
process "web2" {
  host = "web2", timers = {},
  cmd = { bin "dd-http-responder", "--listen", "198.18.0.102:80", "--name", "secondary" },
  ready = { tcp = "198.18.0.102:80" },
}
local app_cmd = { bin "dd-regional-client",
  "--primary", "api.example.com", "--primary-label", "primary",
  "--secondary", "api.example.net", "--secondary-label", "secondary",
  "--interval", "200ms", "--timeout", "1s", "--family", "4",
  "--fail-after", "2", "--recover-after", "3",
  "--health", "198.18.0.20:8080", "--resolver-mode", "libc" }
if not failover then app_cmd[#app_cmd + 1] = "--no-failover" end
process "app" {
  host = "app", cmd = app_cmd, timers = {},   -- its interval and deadline: network time
  ready = { http = "http://198.18.0.20:8080/ready" },
}

-- the app serving at all, and each name as the resolver's clients see it
probe "service" {
  host = "client", every = "200ms", timeout = "1s",
  http = { url = "http://198.18.0.20:8080/health", status = 200 },
}
for _, n in ipairs(NAMES) do
  probe(n, {
    host = "client", every = "100ms", timeout = "1s",
    dns = { name = n .. ".example.com", type = "A", server = "198.18.0.53" },
  })
end
watch "failover" { process = "app", match = "event=failover" }
watch "failback" { process = "app", match = "event=failback" }

score {
  detection = { probe = "api", ok = false },
  service = "service",
  failover = { watch = "failover" },
  primary = { watch = "failback" },
  primary_lost = { watch = "failover" },
  latency = {},
  stable = "1s",
}
expect {
  -- the protection: failing over to the other provider's name keeps the
  -- app serving (a request or two lost at each switch)
  "availability >= 0.9",
  -- ... it did fail over, during the fault, once it was hit (the first
  -- empty answer for its name comes at a random point: failover_s counts
  -- from the fault's start, so the bound is the fault's length)
  "failover_s < 33m in incident time if disrupted",
  -- and it comes home once the primary answers again
  "recovery_s < 10m in incident time",
}

timeline(function()
  phase "baseline"                      -- 19:51
  sleep "2m"
  phase "empty answers"                 -- 19:53: the answer cache misses a quarter
  inject("gcore", "prob=" .. share .. " action=empty negttl=" .. negttl)
  sleep "33m"
  phase "fixed"                         -- 20:26
  clear("gcore")
  sleep "3m"
end)
