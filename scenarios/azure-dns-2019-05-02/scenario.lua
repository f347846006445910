-- Azure DNS, 2019-05-02: one of windows.net's four name servers answers
-- NXDOMAIN for every name
--
-- What happened.  While Microsoft moved domains from a legacy DNS system to
-- Azure DNS, a delegation change left one of the four name servers of some
-- Microsoft domains (windows.net, which database.windows.net and many other
-- service names live under) pointing at servers that held an empty copy of
-- the zone.  A resolver picks among a zone's servers, so about a quarter of
-- its lookups went to the empty copy and came back NXDOMAIN; it cached each
-- NXDOMAIN for the zone's negative TTL, which lengthened the impact.
-- Impact 19:29 to 22:35 UTC; most services were back by 21:40.
-- Source: Microsoft Azure, "RCA - Network Connectivity - DNS Resolution"
-- (Azure status history, incident of 2 May 2019).
--
-- What clients and resolvers saw: NXDOMAIN for names that exist, on about
-- one lookup in four at the authorities; the clients' share was set by how
-- long each kind of answer stays cached (a positive one for the records'
-- TTL, a negative one for the SOA minimum, capped by the resolver).
--
-- The drill: a sealed internet (a test root, net., windows.net with four
-- name servers), a real resolver that iterates from the root (unbound by
-- default), and a client asking it for eight names.  At 19:29 the fourth
-- server's copy of windows.net goes empty (zone_empty: only the SOA and NS
-- stay, every other name is NXDOMAIN); at the fix it is restored.  What it
-- measures: the share of failed lookups during the fault (availability)
-- and, after the fix, how long the cached NXDOMAIN keeps names dead
-- (recovery_s per name, incident time).
--
-- The protection (the SUT's setting under test): the resolver's cap on
-- negative caching, negative_max_ttl (unbound's cache-max-negative-ttl).
-- Shipped at 300 s, the same as the records' TTL: the client-side share
-- stays near the authorities' 25 % and the tail after the fix is at most
-- 5 minutes.  `--set neg_cap=0` leaves the resolver at its own default
-- (unbound: 1 h): an NXDOMAIN then outlives a good answer twelve-fold, so
-- the failing share climbs to a half or more (35-65 % measured) and the
-- tail towards the hour -- the expectations below fail.
--
-- Assumptions (parameters, defaults in brackets): the zone's negative TTL
-- (SOA minimum) [3600 s] and records' TTL [300 s] are not in the report;
-- the rollback time is not either: the fix is placed at 21:35 [fix_at], so
-- that an hour of negative caching ends at 22:35 as the report's end does.
-- The change is modelled as the fourth server's zone emptied, not as a new
-- NS name in the delegation: a resolver sees the same thing (one server in
-- four answers NXDOMAIN); the NS-set TTL that staggered the onset is not
-- modelled.  Name server names are made up (ns1..ns4.azure-dns.test).
--
-- Timeline (incident UTC -> compressed run at speed 300, 5 incident
-- minutes per real second): 19:19 baseline; 19:29 the fourth copy empty;
-- 21:35 restored; 22:45 end.  About 40 s of wall time.
-- Run it:  dnsdrill run scenarios/azure-dns-2019-05-02/scenario.lua
--          ... --set neg_cap=0              (protection off: fails)
--          ... --set resolver=bind9 --set negttl=900
scenario {
  name = "azure-dns-2019-05-02",
  description = "1 of 4 windows.net name servers serves an empty zone: ~25% NXDOMAIN (Azure DNS, 2019-05-02)",
  speed = 300,
  duration = "206m",
  start = "2019-05-02T19:19:00Z",
}

local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "pdns", "knot" },
  doc = "the recursive resolver that iterates from the test root (knot has "
     .. "no separate negative cap: use it with neg_cap=0)" })
local negttl = param("negttl", { default = 3600, min = 300, max = 86400,
  doc = "windows.net's negative TTL (SOA minimum), incident seconds (assumption)" })
local ttl = param("ttl", { default = 300, min = 300, max = 86400,
  doc = "TTL of windows.net's records, incident seconds (assumption)" })
local neg_cap = param("neg_cap", { default = 300, min = 0, max = 86400,
  doc = "the resolver's cap on negative caching (negative_max_ttl), incident "
     .. "seconds; 0: the software's own default (unbound 1 h): the protection off" })
local fix_at = param("fix_at", { default = 126, min = 10, max = 186,
  doc = "minutes from 19:29 to the rollback (assumption: 21:35)" })

-- the network: the internet's servers, the resolver and a client on one LAN
host "resolver" {}
host "client" {}
local inet = use "internet"
local net = inet.internet {
  lan = "198.18.100.0/24",
  attach = { resolver = "198.18.100.53", client = "198.18.100.10" },
  zones = {
    ["."] = { ns = { "a.root-servers.test" } },
    ["net."] = { ns = { "a.gtld.test", "b.gtld.test" } },
    -- written out (not generated) for its SOA: a negative answer lives
    -- min(SOA TTL, SOA minimum) (RFC 2308), so the SOA's own TTL must be at
    -- least the negative TTL for that to be what resolvers cache
    ["windows.net."] = {
      ns = { "ns1.azure-dns.test", "ns2.azure-dns.test", "ns3.azure-dns.test",
             "ns4.azure-dns.test" },
      zone = string.format([[
$ORIGIN windows.net.
$TTL %d
@        %d IN SOA ns1.azure-dns.test. hostmaster 1 3600 300 2419200 %d
@        IN NS  ns1.azure-dns.test.
@        IN NS  ns2.azure-dns.test.
@        IN NS  ns3.azure-dns.test.
@        IN NS  ns4.azure-dns.test.
database IN A 198.18.60.1
blob     IN A 198.18.60.2
queue    IN A 198.18.60.3
table    IN A 198.18.60.4
vault    IN A 198.18.60.5
servicebus IN A 198.18.60.6
login    IN A 198.18.60.7
management IN A 198.18.60.8
]], ttl, math.max(negttl, ttl), negttl) },
  },
}
local NAMES = { "database", "blob", "queue", "table", "vault", "servicebus",
                "login", "management" }

local resolvers = use "resolvers"
resolvers.resolver {
  software = resolver, host = "resolver", listen = "198.18.100.53",
  root_hints = net.hints,
  negative_max_ttl = neg_cap > 0 and neg_cap or nil,
}

-- the client's view: each name through the resolver, NXDOMAIN is a failure
for i, n in ipairs(NAMES) do
  probe(n, {
    host = "client", every = "100ms", timeout = "1s",
    dns = { name = n .. ".windows.net", type = "A", server = "198.18.100.53",
            answer = "198.18.60." .. i },
  })
end

score {
  detection = (function()
    local m = {}
    for _, n in ipairs(NAMES) do m[#m + 1] = { probe = n, ok = false } end
    return m
  end)(),
  service = NAMES,
  primary = { probe = "database" },
  stable = "500ms",
  fault = { start = { phase = "one copy empty" }, stop = { phase = "restored" } },
}

-- the failing share clients see: near the authorities' 25 % when negative
-- answers are cached no longer than positive ones (wide bounds: the fault
-- holds a few dozen cache cycles); and after the fix every name back
-- within the cap, plus up to one real second of the resolver's
-- whole-second clock (speed() incident seconds) and a probe
local ex = {
  "availability >= 0.6",
  "availability <= 0.9",             -- the fault was seen at all
}
local bound = (neg_cap > 0 and neg_cap or 300) + speed() + 120
for _, n in ipairs(NAMES) do
  ex[#ex + 1] = "recovery_s." .. n .. " <= " .. bound .. "s in incident time"
end
expect(ex)

local ws = net.servers["windows.net."]
local bad = ws[4].dns
timeline(function()
  phase "baseline"                     -- 19:19
  sleep "10m"
  phase "one copy empty"               -- 19:29: the fourth server's zone is empty
  for _, s in ipairs(ws) do stats(s.dns) end
  zone_empty(bad, "windows.net.")
  sleep(fix_at * 60)
  -- the rollback lands just after the resolver cached a fresh NXDOMAIN
  -- from the empty copy: among the world's many resolvers one always
  -- just did, so this is the tail the last of them sees (a random moment
  -- would give anywhere from 0 to the negative TTL).  Fresh means: first
  -- a cached NXDOMAIN expired (a name's probe went from NXDOMAIN to an
  -- answer), then a name went from an answer to NXDOMAIN.  (Unbound ties
  -- the negative answers of a zone to the zone's SOA in its cache: they
  -- expire together with it, and an NXDOMAIN fetched while that SOA lives
  -- gets only what remains of it; the first one after it expired starts
  -- the negative TTL afresh.)  Polls every 100 real ms, for at most twice
  -- the negative TTL in force and 5 s more.
  local last = {}
  for _, n in ipairs(NAMES) do last[n] = probe_ok(n) end
  local expired = false
  local polls = (2 * math.min(negttl, neg_cap > 0 and neg_cap or 3600) / speed() + 5) * 10
  for _ = 1, polls do
    sleep(speed() * 0.1)
    local came, went = false, false
    for _, n in ipairs(NAMES) do
      local now = probe_ok(n)
      if last[n] == false and now == true then came = true end
      if last[n] == true and now == false then went = true end
      last[n] = now
    end
    if expired and went then break end
    expired = expired or came
  end
  phase "restored"                     -- ~21:35 (assumption): rolled back
  for _, s in ipairs(ws) do stats(s.dns) end
  zone_reset(bad, "windows.net.")
  sleep "70m"                          -- the negative-cache tail, to 22:45
end)
