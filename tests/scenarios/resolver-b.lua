-- A real Knot Resolver or PowerDNS Recursor (use "resolvers", software
-- knot | pdns) between a client and faultd, authoritative for example.com;
-- www's record is broken (empty, servfail, drop) for three incident
-- minutes.  Baseline, fault and recovery are equally long, so faultd's
-- query counter over the baseline (a stats() reading at its start) and over
-- the fault compare directly.  tests/integration/resolvers_b.sh runs it.
scenario {
  name = "resolver-b",
  speed = 60,
  start = "2025-10-20T06:45:00Z",
  duration = "9m",
}

local resolver = param("resolver", { default = "knot", choices = { "knot", "pdns" },
  doc = "the resolver under test" })
local fault = param("fault", { default = "servfail", choices = { "empty", "servfail", "drop" },
  doc = "what the authority does to www.example.com A" })
local after = param("after", { default = 180, min = 1,
  doc = "incident seconds watched after the fault is cleared" })
local serve_stale = param("serve_stale", { default = false,
  doc = "the resolver serves stale records when the authority fails" })

host "client" { resolv = { servers = { "198.18.0.53" }, options = { timeout = 1, attempts = 1 } } }
host "resolver" {}
host "auth" {}
lan "site" { client = "198.18.0.10/24", resolver = "198.18.0.53/24" }
link "wan" { resolver = "198.18.9.1/30", auth = "198.18.9.2/30" }

-- TTLs of a minute: one real second at speed 60
dns "auth" {
  host = "auth",
  listen = "198.18.9.2:53",
  zone = [[
$ORIGIN example.com.
$TTL 60
@    IN SOA ns1 hostmaster 1 3600 600 86400 60
@    IN NS  ns1
ns1  IN A   198.18.9.2
www  IN A   198.18.1.80
]],
}

local resolvers = use "resolvers"
resolvers.resolver {
  software = resolver,
  host = "resolver",
  listen = { "198.18.0.53" },
  stub = { ["example.com"] = { "198.18.9.2" } },
  serve_stale = serve_stale and { max_stale = "1h" } or nil,
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

local rule = {
  empty = "action=empty negttl=60",
  servfail = "action=servfail",
  drop = "action=drop",
}

timeline(function()
  phase "baseline"
  stats("auth")
  sleep "3m"
  phase "fault"
  inject("auth", "name=www.example.com type=A " .. rule[fault])
  sleep "3m"
  clear("auth")
  phase "recovery"
  sleep(after)
end)
