-- Linode, 2022-08-23: every hosted zone fails after a faulty deploy
--
-- What happened.  A manual deploy to Linode's authoritative DNS platform
-- went wrong and every zone it hosted stopped resolving, from 20:35 to
-- 21:26 UTC: resolvers got no usable answer for any name in those zones.
-- What the servers answered exactly is not in the status updates (we
-- default to SERVFAIL; REFUSED is a parameter).
-- Source: Linode (Akamai), its status page's incident report for
-- 2022-08-23 (title not re-checked).
--
-- The drill.  faultd ("linode") is authoritative for a customer's zone,
-- shop.example; a real resolver (unbound; --set resolver=...) serves the
-- customer's users.  At 20:35 every answer becomes `answer` (SERVFAIL) for
-- 51 minutes, then the deploy is rolled back.  Two probes tell what the
-- protection, serve-stale at the resolver (RFC 8767), can and cannot do:
-- "cached" asks www.shop.example, which the resolver has answered before
-- (serve-stale answers it from the expired cache), "new" asks a name never
-- asked before each time (u<nanoseconds>.shop.example under a wildcard: a
-- new visitor, a new session host), which no cache holds: serve-stale
-- cannot help it.  --set serve_stale=false shows the cached name failing
-- too once its TTL runs out.
--
-- Timeline (UTC -> speed 240, four incident minutes per real second):
-- 20:20 baseline; 20:35 the deploy (51 min, ~13 s real); 21:26 rolled
-- back; run ends 21:40.
--
-- Assumptions (parameters): the answer the servers gave (`answer`
-- servfail); the zone's TTL (`ttl` 300 s, served at faultd's 1 s floor at
-- speed 240, i.e. 4 incident minutes).
scenario {
  name = "linode-2022-08-23",
  description = "every hosted zone answers SERVFAIL after a bad deploy; serve-stale covers only cached names (Linode, 2022-08-23)",
  speed = 240,
  duration = "80m",     -- 20:20 to 21:40
  start = "2022-08-23T20:20:00Z",
}

local resolvers = use "resolvers"
local software = param("resolver", { default = "unbound", choices = resolvers.software,
  doc = "the users' recursive resolver (a profile in scenarios/lib/resolver_NAME.lua)" })
local serve_stale = param("serve_stale", { default = true,
  doc = "the resolver answers from its expired cache when the authority fails (RFC 8767): the protection" })
local answer = param("answer", { default = "servfail", choices = { "servfail", "refused", "drop" },
  doc = "what the broken platform answered (not published)" })
local ttl = param("ttl", { default = 300, min = 1, max = 86400,
  doc = "TTL of the zone's records, seconds (incident time)" })

host "client"   { resolv = { servers = { "198.18.0.53" }, options = { timeout = 2, attempts = 1 } } }
host "resolver" {}
host "linode"   {}
lan "site" { client = "198.18.0.10/24", resolver = "198.18.0.53/24" }
link "wan" { resolver = "198.18.9.1/30", linode = "198.18.9.2/30" }

dns "linode" {
  host = "linode", listen = "198.18.9.2:53",
  zone = ([[
$ORIGIN shop.example.
$TTL {ttl}
@    IN SOA ns1.linode.com. hostmaster 2022082301 3600 600 86400 {ttl}
@    IN NS  ns1
ns1  IN A   198.18.9.2
www  IN A   198.18.40.80
*    IN A   198.18.40.81
]]):gsub("{ttl}", tostring(ttl)),
}

resolvers.resolver {
  software = software, name = "resolver", host = "resolver",
  listen = { "198.18.0.53" },
  stub = { ["shop.example"] = { "198.18.9.2" } },
  serve_stale = serve_stale and ({
    pdns = { max_stale = "1d" },
    dnsmasq = { max_stale = "1d" },
    dnsdist = {},
  })[software] or serve_stale and { max_stale = "1d", client_timeout = "500ms" } or nil,
}

probe "cached" {                        -- a name the resolver has answered before
  host = "client", every = "200ms", timeout = "2s",
  dns = { name = "www.shop.example", type = "A", server = "198.18.0.53", answer = "198.18.40.80" },
}
probe "new" {                           -- a name nobody asked before, each time
  host = "client", every = "200ms", timeout = "3s",
  exec = { "sh", "-c", "kdig +short +timeout=2 +retry=0 @198.18.0.53 "
    .. "u$(date +%s%N).shop.example A | grep -qx 198.18.40.81" },
}

score {
  service = { "cached", "new" },
  primary = { probe = "new" },          -- back when a new name resolves again
  stable = "1s",
}
expect {
  -- serve-stale keeps answering the name it has seen (without it, measured: < 0.3) ...
  "availability.cached >= 0.95",
  -- ... and cannot answer one it never saw
  "availability.new < 0.1",
  -- new names resolve again soon after the rollback
  "recovery_s < 30m in incident time",
}

timeline(function()
  phase "baseline"                      -- 20:20
  sleep "15m"
  phase "deploy"                        -- 20:35: every zone broken
  inject("linode", "action=" .. answer)
  sleep "51m"
  clear("linode")
  phase "rolled back"                   -- 21:26
  sleep "14m"
end)
