-- Cloudflare 1.1.1.1, 2024-06-27: the public resolver black-holed from some
-- networks, slow from others
--
-- What happened.  From 18:51 UTC one network announced a more specific
-- route for the resolver's address (a hijack) and another leaked routes
-- that pulled traffic through a long detour.  Users of the public resolver
-- in about 300 networks could not reach it at all: their queries went into
-- the hijacker's network and got no answer.  Elsewhere it answered, but
-- late.  Cloudflare detected it at 20:03 and worked with the networks
-- involved to withdraw the bad routes.  Clients with a second resolver in
-- resolv.conf kept resolving, paying their stub's timeout on each lookup.
-- Source: Cloudflare blog, "Cloudflare 1.1.1.1 incident on June 27, 2024".
--
-- The drill.  "The public resolver" is a labelled test address,
-- 198.18.53.1 (a stand-in for the real one; the sealed network has none),
-- served by a faultd ("public") that forwards to example.com's authority.
-- Two client sites reach it over their own paths: site A's path is
-- black-holed (a drop rule on site A's subnet, client=198.18.1.0/24), site
-- B's is slowed (delay= on its subnet).  Site A's stub lists the public
-- resolver first and its ISP's resolver (a real unbound; --set
-- resolver=bind9|knot|pdns for another) second, with glibc's `timeout:1
-- attempts:2`; site B lists only the public resolver.
-- Measured per site, by glibc's own lookups (getent): availability and the
-- latency of a whole lookup.  The protection: site A's second nameserver;
-- --set second_resolver=false leaves it out, and site A goes dark.
--
-- Timeline (UTC -> speed 600, ten incident minutes per real second):
-- 18:30 baseline; 18:51 the hijack and the leak; 20:03 detected (a mark);
-- the bad routes withdrawn at `until` (default 22:00, not in our sources);
-- run ends 15 minutes later.
--
-- Assumptions (parameters): the detour's extra latency (`delay` 250 ms,
-- +-50 ms) was not published; the hour the routes were withdrawn (`until`,
-- minutes after 18:51) is a guess; the stubs' timeouts are glibc's options
-- as many hosts set them, not Cloudflare's figures.  Site A's ISP resolver
-- is unbound by default (`resolver`): an ISP's recursive resolver, so one
-- of the recursive resolvers (unbound, bind9, knot, pdns); the forwarders
-- dnsmasq and dnsdist resolve nothing themselves and are refused.
scenario {
  name = "cloudflare-1111-2024-06-27",
  description = "public resolver black-holed from one site by a route hijack, slow from another (Cloudflare 1.1.1.1, 2024-06-27)",
  speed = 600,
  duration = "225m",    -- 18:30 to 22:15
  start = "2024-06-27T18:30:00Z",
}

local resolvers = use "resolvers"
local second = param("second_resolver", { default = true,
  doc = "site A's resolv.conf lists its ISP's resolver after the public one: the protection" })
local delay = param("delay", { default = 250, min = 0, max = 5000,
  doc = "extra latency on site B's detour to the public resolver, ms (real time: network)" })
local until_min = param("until", { default = 189, min = 80, max = 600,
  doc = "minutes after 18:51 when the bad routes were withdrawn (default 22:00)" })
local timeout = param("timeout", { default = 1, min = 1, max = 30,
  doc = "site A's stub timeout per server (resolv.conf timeout:, seconds, real)" })
local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" },
  doc = "site A's ISP resolver, its second nameserver (a profile in "
     .. "scenarios/lib/resolver_NAME.lua): a recursive resolver, so not the "
     .. "forwarders dnsmasq or dnsdist" })

-- the network ---------------------------------------------------------------
local PUBLIC = "198.18.53.1"            -- "1.1.1.1" in this sealed network
local site_a = [[
nameserver ]] .. PUBLIC .. "\n"
  .. (second and "nameserver 198.18.1.53\n" or "")
  .. "options timeout:" .. timeout .. " attempts:2\n"
host "client-a" { resolv = site_a,
  routes = { { to = PUBLIC .. "/32", via = "198.18.1.1" } } }
host "client-b" { resolv = { servers = { PUBLIC }, options = { timeout = 2, attempts = 2 } },
  routes = { { to = PUBLIC .. "/32", via = "198.18.2.1" } } }
host "public" { lo = { PUBLIC .. "/32" } }   -- the anycast resolver: one address, many paths
host "isp-a" {}                               -- site A's ISP resolver
host "auth" {}
lan "site-a" { ["client-a"] = "198.18.1.10/24", ["isp-a"] = "198.18.1.53/24", public = "198.18.1.1/24" }
lan "site-b" { ["client-b"] = "198.18.2.10/24", public = "198.18.2.1/24" }
lan "backbone" { public = "198.18.9.1/24", auth = "198.18.9.2/24", ["isp-a"] = "198.18.9.3/24" }

dns "auth" {
  host = "auth", listen = "198.18.9.2:53",
  zone = [[
$ORIGIN example.com.
$TTL 300
@    IN SOA ns1 hostmaster 2024062701 3600 600 86400 300
@    IN NS  ns1
ns1  IN A   198.18.9.2
www  IN A   198.18.50.80
]],
}
-- the public resolver: faultd forwarding to the authority, so its rules can
-- treat each client network differently (the routes decided who reached it)
dns "public" { host = "public", listen = PUBLIC .. ":53", upstreams = { "198.18.9.2" } }
-- site A's ISP resolver (scenarios/lib/resolvers.lua): example.com from
-- its authority, like every recursive resolver of the sealed network
resolvers.resolver {
  software = resolver, name = "isp-a", host = "isp-a",
  listen = { "198.18.1.53" },
  stub = { ["example.com"] = { "198.18.9.2" } },
}

-- watching it: glibc's whole lookup at each site --------------------------
for _, s in ipairs({ "a", "b" }) do
  probe("site-" .. s) {
    host = "client-" .. s, every = "300ms", timeout = "6s",
    exec = { "getent", "ahostsv4", "www.example.com" },
  }
end
probe "public-from-b" {                 -- the public resolver itself, from site B
  host = "client-b", every = "300ms", timeout = "4s",
  dns = { name = "www.example.com", type = "A", server = PUBLIC, answer = "198.18.50.80" },
}

score {
  service = { "site-a", "site-b" },
  latency = { "site-a", "site-b" },
  stable = "1s",
}
expect {
  -- site A keeps resolving through its second nameserver ...
  "availability.site-a >= 0.95",
  -- ... paying the first one's timeout on every lookup (glibc does not
  -- remember a dead server: each lookup asks it first)
  "latency_p50_ms.site-a >= " .. (timeout * 1000 * 0.9),
  "latency_p50_ms.site-a < " .. (timeout * 1000 + 1500),
  -- site B is answered, slowly
  "availability.site-b >= 0.95",
  "latency_p50_ms.site-b >= " .. (delay * 0.8),
}

timeline(function()
  phase "baseline"                      -- 18:30
  sleep "21m"
  phase "hijack"                        -- 18:51: site A black-holed, site B detoured
  inject("public", "client=198.18.1.0/24 action=drop")
  inject("public", "client=198.18.2.0/24 delay=" .. delay .. "ms jitter=" .. (delay // 5) .. "ms")
  at("93m", function() mark "detected (20:03)" end)
  sleep(until_min * 60)
  clear("public")
  phase "routes withdrawn"
  sleep "15m"
end)
