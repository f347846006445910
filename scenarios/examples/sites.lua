-- Divergence by site: a fault that hits some client networks and not others.
--
-- Real outages are often partial by geography: one provider's resolvers
-- fail while another's keep answering, an anycast site serves stale data,
-- an ACL or a route leak cuts off one network.  Model it with one resolver
-- per site, each on its own subnet and its own link to the authority, and a
-- fault rule with client= that matches only the failing sites' resolvers:
-- the authority sees the site by the address the resolver queries from.
--
-- Here site "east" (its resolver queries from 198.18.9.1) gets SERVFAIL for
-- www.example.com for five incident minutes; site "west" (198.18.9.5) is
-- never touched.  A probe in each site resolves through its own resolver,
-- so availability is measured per site (availability.east,
-- availability.west) and the run's availability pools both.
--   dnsdrill run scenarios/examples/sites.lua
--   dnsdrill run scenarios/examples/sites.lua --set failing=both
scenario {
  name = "sites",
  description = "a fault that hits one site's resolver and not the other's",
  speed = 60,
  duration = "8m",
}

local resolvers = use "resolvers"
local failing = param("failing", { default = "east", choices = { "east", "west", "both" },
  doc = "which sites' resolvers the authority fails" })
local software = param("resolver", { default = "unbound", choices = resolvers.software,
  doc = "the resolver software at both sites" })

-- each site: a client and its resolver on the site's subnet ...
host "client-east"   { resolv = { servers = { "198.18.1.53" }, options = { timeout = 1, attempts = 1 } } }
host "resolver-east" {}
host "client-west"   { resolv = { servers = { "198.18.2.53" }, options = { timeout = 1, attempts = 1 } } }
host "resolver-west" {}
host "auth" {}
lan "east" { ["client-east"] = "198.18.1.10/24", ["resolver-east"] = "198.18.1.53/24" }
lan "west" { ["client-west"] = "198.18.2.10/24", ["resolver-west"] = "198.18.2.53/24" }
-- ... and its own way to the authority: the address the authority sees
link "wan-east" { ["resolver-east"] = "198.18.9.1/30", auth = "198.18.9.2/30" }
link "wan-west" { ["resolver-west"] = "198.18.9.5/30", auth = "198.18.9.6/30" }

dns "auth" {
  host = "auth",
  listen = { "198.18.9.2:53", "198.18.9.6:53" },
  zone = [[
$ORIGIN example.com.
$TTL 60
@    IN SOA ns1 hostmaster 1 3600 600 86400 60
@    IN NS  ns1
ns1  IN A   198.18.9.2
www  IN A   198.18.1.80
]],
}

for site, wan in pairs({ east = "198.18.9.2", west = "198.18.9.6" }) do
  resolvers.resolver {
    software = software,
    name = "resolver-" .. site,
    host = "resolver-" .. site,
    listen = { site == "east" and "198.18.1.53" or "198.18.2.53" },
    forward = { ["example.com"] = { wan } },
  }
  probe(site) {
    host = "client-" .. site, every = "100ms", timeout = "1s",
    dns = { name = "www.example.com", type = "A",
            server = site == "east" and "198.18.1.53" or "198.18.2.53", answer = "198.18.1.80" },
  }
end

score { service = { "east", "west" }, stable = "500ms" }
local down = { east = failing ~= "west", west = failing ~= "east" }
expect {
  -- a failing site is down for most of the fault (its resolver caches the
  -- SERVFAIL only briefly); a spared one never notices
  "availability.east " .. (down.east and "< 0.5" or ">= 0.99"),
  "availability.west " .. (down.west and "< 0.5" or ">= 0.99"),
}

local clients = {
  east = "client=198.18.9.1/32",
  west = "client=198.18.9.5/32",
}
timeline(function()
  phase "baseline"
  sleep "1m"
  phase "fault"
  for _, site in ipairs({ "east", "west" }) do
    if down[site] then
      inject("auth", "name=www.example.com " .. clients[site] .. " action=servfail")
    end
  end
  sleep "5m"
  clear("auth")
  phase "recovery"
  sleep "2m"
end)
