-- Multi-provider authoritative DNS with health-checked failover: one
-- provider starts answering from an empty zone; how long do clients keep
-- hitting it once a health checker has withdrawn it?
--
-- Where it comes from.  Not a dated incident: one of the three patterns in
-- the project's starting documents (issue 13: "two providers serving the
-- same zone, a health checker that moves or withdraws records when one
-- provider fails: one provider fails; measure how long clients keep
-- hitting it, as set by TTLs and negative caching").  The failure is the
-- one Azure's 2019-05-02 report describes for one of four name servers (an
-- empty zone answering NXDOMAIN), here at a whole provider.  The folder is
-- named after the pattern (multi-provider-pattern), not NAME-DATE: there
-- is no date, and the clock below is invented.
--
-- The drill.  A sealed internet (use "internet"): a test root, com., and
-- example.com delegated to two providers, ns1.provider-a.test and
-- ns1.provider-b.test, each a faultd serving the same zone.  A real
-- unbound iterates from the root for a client that looks up
-- www.example.com (TTL 60 s) every 200 ms.  Provider A's zone goes empty
-- (zone_empty: NXDOMAIN for www, the SOA's negative TTL); resolvers that
-- pick A cache the NXDOMAIN, those that pick B do not: about half of the
-- lookups fail while both are listed.  The health checker (a loop in the
-- timeline standing for the team's monitoring) asks provider A directly
-- every `check_every` (probe "provider-a"; default a minute) and, after
-- `checks` failures (default 3)
-- in a row, withdraws A: the parent's NS set for example.com becomes B
-- alone (delegation_set at com.) and so does the zone's own NS set at B
-- (zone_ns).  Resolvers still hold the old NS set until its TTL (`ns_ttl`,
-- the delegation's and the zone's) runs out, and failed answers until the
-- negative TTL (`negttl`) does: that is how long clients keep hitting A
-- -- at most.  A resolver that takes the zone's own NS set from the
-- answers of the healthy provider (unbound does) drops A as soon as it
-- next asks B, which the test measures.
-- --set checker=false: no health checker (protection off): A stays listed.
-- Measured: availability of www through the resolver over the fault; the
-- queries at provider A after the withdrawal (faultd's own counters, read
-- every 5 incident s by the timeline) and when the last one came.
--
-- Timeline (speed 60; invented clock): 12:00 baseline; 12:03 provider A's
-- zone empties; the checker withdraws it about checks x check_every
-- later; 12:33 A repaired (zone back, both providers listed again);
-- 12:36 end.
--
-- Assumptions (parameters): the TTLs (ns_ttl 120 s, negttl 120 s, the
-- record's 60 s), the checker's interval and threshold; the resolver
-- (`resolver`, default unbound: its server choice is random among servers
-- of similar round trip; bind9, knot and pdns are offered, not run in CI).
scenario {
  name = "multi-provider-pattern",
  description = "two authoritative DNS providers, one serves an empty zone; a health checker withdraws it (pattern)",
  speed = 60,
  duration = "36m",
  start = "12:00",
}

local checker = param("checker", { default = true,
  doc = "a health checker withdraws the failing provider from the NS sets: the protection" })
local ns_ttl = param("ns_ttl", { default = 120, min = 60, max = 86400,
  doc = "TTL of example.com's NS set, at the parent (com.) and in the zone, incident seconds" })
local negttl = param("negttl", { default = 120, min = 1, max = 3600,
  doc = "negative TTL (SOA minimum) of example.com, incident seconds; a negative answer "
     .. "is cached for the lower of it and the SOA's own TTL (ns_ttl: the helper gives "
     .. "every record of the zone that TTL)" })
local check_every = param("check_every", { default = 60, min = 1, max = 600,
  doc = "the health checker's interval, incident seconds" })
local checks = param("checks", { default = 3, min = 1, max = 20,
  doc = "failed checks in a row before the checker withdraws a provider" })

host "resolver" {}
host "client" {}
local net = use "internet".internet {
  lan = "198.18.100.0/24",
  attach = { resolver = "198.18.100.53", client = "198.18.100.10" },
  zones = {
    ["."] = { ns = { "a.root-servers.test" } },
    ["com."] = { ns = { "a.gtld.test" }, ttl = ns_ttl },
    ["example.com."] = { ns = { "ns1.provider-a.test", "ns1.provider-b.test" },
                         ttl = ns_ttl, negttl = negttl,
                         records = "www 60 IN A 198.18.50.80\n" },
  },
}
local A = net.servers["example.com."][1]
local B = net.servers["example.com."][2]
local COM = net.servers["com."][1]

local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" },
  doc = "the clients' resolver, iterating from the test root (CI runs unbound)" })
use "resolvers".resolver {
  software = resolver, host = "resolver", listen = "198.18.100.53",
  root_hints = net.hints,
}

probe "www" {                       -- the clients, through their resolver
  host = "client", every = "200ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = "198.18.100.53", answer = "198.18.50.80" },
}
probe "provider-a" {                -- the health checker's view of provider A
  host = "client", every = "500ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = A.addr, answer = "198.18.50.80" },
}

score {
  fault = { start = { phase = "provider A fails" }, stop = { phase = "provider A repaired" } },
  service = "www",
  primary = { probe = "www" },
  latency = {},
  stable = "1s",
}
expect {
  -- lookups fail until the checker acts and the cached NS set and
  -- NXDOMAINs run out (0.87-1 measured); without the checker, for the
  -- whole fault each pick of A costs a negative TTL (120 s) where a pick
  -- of B lasts the record's 60 s (0.30-0.60 measured over 8 runs; with a
  -- negative TTL of 60 s it reached 0.755, too near a gate)
  "availability >= 0.8",
}

timeline(function()
  phase "baseline"                               -- 12:00
  sleep "3m"
  phase "provider A fails"                       -- 12:03
  zone_empty(A.dns, "example.com.")
  local t_end = now() + 30 * 60 / speed()
  if checker then
    local bad = 0
    while bad < checks do
      sleep(check_every)
      if probe_ok("provider-a") == false then bad = bad + 1 else bad = 0 end
    end
    delegation_set(COM.dns, "example.com.", { B.name })
    zone_ns(B.dns, "example.com.", { B.name })
    mark "provider A withdrawn"
  end
  -- faultd's counters at A every 30 incident s: how long it is still asked
  -- (the readings stay in result.json's dns_stats)
  local last_q, last_t = stats(A.dns).queries, now()
  while now() < t_end do
    sleep "30s"
    local q = stats(A.dns).queries
    if q > last_q then last_q, last_t = q, now() end
  end
  print(string.format("provider A last asked at %.1f s into the timeline", last_t))
  phase "provider A repaired"                    -- 12:33
  zone_reset(A.dns, "example.com.")
  if checker then
    delegation_set(COM.dns, "example.com.", { A.name, B.name })
    zone_reset(B.dns, "example.com.")
  end
  sleep "3m"
end)
