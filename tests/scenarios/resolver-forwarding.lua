-- A forwarding cache (dnsmasq or dnsdist, from scenarios/lib/resolvers.lua)
-- between a client and faultd, the authority for example.com; one fault,
-- compressed: speed 30, the fault held two incident minutes (4 s).
--   empty     www.example.com A answers NOERROR with no address (negttl 60 s)
--   servfail  www.example.com answers SERVFAIL
--   drop      the authority answers nothing at all (every name: health
--             checks fail too)
-- faultd's counters are read at the start, so the baseline's query rate at
-- the authority can be set beside the fault's (tests/integration/resolver_*.sh).
local resolvers = use "resolvers"

scenario { name = "resolver-forwarding", speed = 30,
  description = "a forwarding cache in front of a failing authority" }

local software = param("software", { default = "dnsmasq", choices = { "dnsmasq", "dnsdist" },
  doc = "the forwarding cache" })
local fault = param("fault", { default = "servfail", choices = { "empty", "servfail", "drop" },
  doc = "what the authority does during the fault" })
local servfail_ttl = param("servfail_ttl", { default = -1, min = -1,
  doc = "resolver option servfail_ttl (incident s); -1 leaves it to the profile" })
local max_ttl = param("max_ttl", { default = -1, min = -1,
  doc = "resolver option max_ttl (incident s); -1 leaves it to the profile" })

-- the probe asks the resolver itself; the stub says the same
host "client" { resolv = { servers = { "198.18.0.53" }, options = { timeout = 1, attempts = 1 } } }
host "resolver" {}
host "auth" {}
lan "lan0" {
  client   = "198.18.0.10/24",
  resolver = "198.18.0.53/24",
  auth     = "198.18.0.61/24",
}

-- TTLs in incident time: faultd serves them / 30 (60 s -> 2 s)
dns "auth" {
  host = "auth", listen = "198.18.0.61:53",
  zone = [[
$ORIGIN example.com.
$TTL 60
@    IN SOA ns1 hostmaster 1 3600 600 86400 60
@    IN NS  ns1
ns1  IN A   198.18.0.61
www  IN A   198.18.1.80
]],
}

resolvers.resolver {
  software = software,
  host = "resolver",
  listen = { "198.18.0.53" },
  forward = { ["example.com"] = { "198.18.0.61" } },
  servfail_ttl = servfail_ttl >= 0 and servfail_ttl or nil,
  max_ttl = max_ttl >= 0 and max_ttl or nil,
}

probe "www" {
  host = "client", every = "100ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = "198.18.0.53", answer = "198.18.1.80" },
}

score {
  detection = { probe = "www", ok = false },
  service = "www",
  primary = { probe = "www" },
  stable = "500ms",
}

local rules = {
  empty = "name=www.example.com type=A action=empty negttl=60",
  servfail = "name=www.example.com action=servfail",
  drop = "action=drop",
}

timeline(function()
  phase "baseline"
  stats("auth")             -- the baseline's first reading
  at "90s"
  phase "fault"
  inject("auth", rules[fault])
  sleep "120s"
  clear("auth")
  phase "recovery"
  sleep "150s"
end)
