-- Zoom, 2025-04-16: a registry hold takes zoom.us out of the .us zone
--
-- What happened.  A "server hold" was placed on the domain zoom.us at its
-- registry, which removes the domain's delegation (its NS records) from the
-- TLD's zone.  Once resolvers' cached copies of zoom.us's name servers and
-- records ran out, the .us servers answered NXDOMAIN: zoom.us did not
-- exist.  Zoom's status page lived on the same domain and disappeared with
-- it.  Impact 18:25 to 20:12 UTC; after the hold was lifted, NXDOMAIN
-- answers that resolvers had cached kept the name dead for some minutes
-- more (the TLD's negative TTL).  Sources: Zoom status page (incident of
-- 16 April 2025) and press coverage of it.
--
-- The drill: a sealed internet (a test root, us. on two servers, zoom.us
-- on two of its own; com. and zoomstatus.com when the status page lives
-- elsewhere), a real resolver iterating from the root (unbound by default),
-- and a client asking it for zoom.us, www.zoom.us and the status page.
-- At 18:25 both us. servers drop the delegation (delegation_del); at the
-- release it is put back (delegation_set + glue).  What it measures: when
-- the names fail (the caches hide the hold for up to two TTLs), that the
-- status page fails with them, and the drain after the release.
--
-- The protection under test: the resolver's cap on negative caching,
-- negative_max_ttl [300 s].  `--set neg_cap=0` leaves the resolver at its
-- default (unbound: 1 h), so the TLD's own negative TTL [900 s] rules and
-- the recovery expectations fail.  What does NOT help: serve-stale
-- (`--set serve_stale=true`): an NXDOMAIN is an answer, not a failure to
-- get one, so a resolver has no reason to fall back to the stale record
-- and the hold shows just the same.  What does: a status page on another
-- domain (`--set status_domain=zoomstatus.com`) stays up through the hold.
--
-- Assumptions (parameters): the TTL of zoom.us's records and of its
-- delegation [300 s]; us.'s negative TTL (SOA minimum and SOA TTL) [900 s];
-- the hold lifted at 20:12 (the end of the impact window; the status page
-- is not precise about when the hold was lifted and when caches drained).
-- The release lands right after the resolver cached a fresh NXDOMAIN from
-- us.: among the world's resolvers one always just did, so this is the
-- drain the last of them sees (a random moment gives 0 up to the TTL).
-- Server names are made up (a.nic.test, ns1.zoom.us ...).
--
-- Timeline (speed 300, 5 incident minutes per real second): 18:15
-- baseline; 18:25 hold; 20:12 released; 20:42 end.  About 30 s of wall time.
-- Run it:  dnsdrill run scenarios/zoom-2025-04-16/scenario.lua
--          ... --set neg_cap=0            (protection off: fails)
--          ... --set serve_stale=true     (does not help: the hold shows)
scenario {
  name = "zoom-2025-04-16",
  description = "registry hold removes zoom.us from .us: NXDOMAIN, status page too (Zoom, 2025-04-16)",
  speed = 300,
  duration = "147m",
  start = "2025-04-16T18:15:00Z",
}

local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "pdns", "knot" },
  doc = "the recursive resolver that iterates from the test root (knot has no "
     .. "separate negative cap: use it with neg_cap=0)" })
local ttl = param("ttl", { default = 300, min = 300, max = 86400,
  doc = "TTL of zoom.us's records and delegation, incident seconds (assumption)" })
local negttl = param("negttl", { default = 900, min = 300, max = 86400,
  doc = "us.'s negative TTL (SOA minimum and SOA TTL), incident seconds (assumption)" })
local neg_cap = param("neg_cap", { default = 300, min = 0, max = 86400,
  doc = "the resolver's cap on negative caching (negative_max_ttl), incident "
     .. "seconds; 0: the software's default (unbound 1 h): the protection off" })
local serve_stale = param("serve_stale", { default = false,
  doc = "the resolver serves expired records when it cannot refresh them (RFC 8767)" })
local status_domain = param("status_domain", { default = "zoom.us",
  choices = { "zoom.us", "zoomstatus.com" },
  doc = "where the status page lives: on the held domain (as it did) or elsewhere" })

host "resolver" {}
host "client" {}
local inet = use "internet"
local zones = {
  ["."] = { ns = { "a.root-servers.test" } },
  -- us. written out for its SOA's TTL: a negative answer lives
  -- min(SOA TTL, SOA minimum) (RFC 2308); the delegation and glue of
  -- zoom.us are then ours to write
  ["us."] = { ns = { "a.nic.test", "b.nic.test" }, zone = string.format([[
$ORIGIN us.
$TTL %d
@        %d IN SOA a.nic.test. hostmaster 1 3600 600 86400 %d
@        IN NS a.nic.test.
@        IN NS b.nic.test.
zoom     IN NS ns1.zoom.us.
zoom     IN NS ns2.zoom.us.
ns1.zoom IN A  198.18.100.21
ns2.zoom IN A  198.18.100.22
]], ttl, negttl, negttl) },
  ["zoom.us."] = { ns = { { "ns1", "198.18.100.21" }, { "ns2", "198.18.100.22" } },
                   ttl = ttl, records = [[
@       IN A 198.18.70.1
www     IN A 198.18.70.1
status  IN A 198.18.70.9
]] },
}
if status_domain ~= "zoom.us" then
  zones["com."] = { ns = { "a.gtld.test" } }
  zones["zoomstatus.com."] = { ns = { "ns1" }, ttl = ttl, records = "status IN A 198.18.71.9\n" }
end
local net = inet.internet {
  lan = "198.18.100.0/24",
  attach = { resolver = "198.18.100.53", client = "198.18.100.10" },
  zones = zones,
}

local resolvers = use "resolvers"
resolvers.resolver {
  software = resolver, host = "resolver", listen = "198.18.100.53",
  root_hints = net.hints,
  negative_max_ttl = neg_cap > 0 and neg_cap or nil,
  serve_stale = serve_stale and { max_stale = "1d" } or nil,
}

local function name_probe(p, n, answer)
  probe(p, {
    host = "client", every = "100ms", timeout = "1s",
    dns = { name = n, type = "A", server = "198.18.100.53", answer = answer },
  })
end
name_probe("apex", "zoom.us", "198.18.70.1")
name_probe("www", "www.zoom.us", "198.18.70.1")
name_probe("status", "status." .. status_domain, status_domain == "zoom.us" and "198.18.70.9" or "198.18.71.9")

score {
  detection = { probe = "www", ok = false },
  service = { "apex", "www" },
  primary = { probe = "www" },
  stable = "500ms",
  fault = { start = { phase = "hold" }, stop = { phase = "released" } },
}
-- the drain after the release: the cap, plus up to one real second of the
-- resolver's whole-second clock (speed() incident seconds) and a probe
local bound = (neg_cap > 0 and neg_cap or 300) + speed() + 120
expect {
  -- the caches hide the hold for at most the delegation's and the
  -- record's TTLs (+ the whole-second clock)
  "detection_s <= " .. (2 * ttl + speed() + 60) .. "s in incident time",
  "availability < 0.5",                        -- the hold is an outage
  "recovery_s.apex <= " .. bound .. "s in incident time",
  "recovery_s.www <= " .. bound .. "s in incident time",
}

local tld = net.servers["us."]
timeline(function()
  phase "baseline"                     -- 18:15
  sleep "10m"
  phase "hold"                         -- 18:25: the registry's hold
  for _, s in ipairs(tld) do stats(s.dns) end
  for _, s in ipairs(tld) do delegation_del(s.dns, "zoom.us.") end
  sleep "107m"
  -- release right after the resolver asked us. again (a fresh NXDOMAIN in
  -- its cache: the worst case, see the header); poll every 100 real ms
  local function asked()
    local n = 0
    for _, s in ipairs(tld) do n = n + stats(s.dns).queries end
    return n
  end
  local q0 = asked()
  -- (at most the negative TTL in force and 5 s more: with every name's
  -- NXDOMAIN cached, the resolver asks again only once they expire)
  local polls = (math.min(negttl, neg_cap > 0 and neg_cap or 3600) / speed() + 5) * 10
  for _ = 1, polls do
    sleep(speed() * 0.1)
    if asked() > q0 then break end
  end
  phase "released"                     -- 20:12: the hold lifted
  for _, s in ipairs(tld) do
    delegation_set(s.dns, "zoom.us.", { "ns1.zoom.us.", "ns2.zoom.us." })
    record_add(s.dns, "ns1.zoom.us. " .. ttl .. " IN A " .. net.addr["ns1.zoom.us."] .. "\n" ..
                      "ns2.zoom.us. " .. ttl .. " IN A " .. net.addr["ns2.zoom.us."])
  end
  sleep "30m"
end)
