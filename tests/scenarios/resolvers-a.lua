-- A resolver profile in the path (issue 11): a client asks a real resolver,
-- declared with use "resolvers", which forwards or stubs example.com to
-- faultd; faultd breaks www.example.com for four incident minutes.  At the
-- default speed 60 the whole timeline is ~10 real seconds plus the drain.
-- tests/integration/resolver_unbound.sh and resolver_bind9.sh run it.
scenario {
  name = "resolvers-a",
  speed = 60,
  start = "2025-10-20T06:40:00Z",
  duration = "10m",
}

local resolvers = use "resolvers"
local software = param("software", { default = "unbound", choices = resolvers.software,
  doc = "the resolver in the path" })
local fault = param("fault", { default = "servfail", choices = { "empty", "servfail", "drop" },
  doc = "what faultd does to www.example.com" })
local kind = param("kind", { default = "stub", choices = { "stub", "forward" },
  doc = "how the resolver reaches faultd" })
local stale = param("serve_stale", { default = false, doc = "serve-stale on" })
local user = param("user", { default = "", doc = "the user the resolver drops to (\"\": the profile's choice)" })

local stub = use "stub"
host "client" { resolv = stub.resolv { "198.18.0.53", timeout = 1, attempts = 1 } }
host "resolver" {}
host "auth" {}
lan "lan0" { client = "198.18.0.10/24", resolver = "198.18.0.53/24" }
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

resolvers.resolver {
  software = software,
  host = "resolver",
  listen = { "198.18.0.53" },
  [kind] = { ["example.com"] = { "198.18.9.2" } },
  serve_stale = stale and { max_stale = "1d", client_timeout = "500ms" } or nil,
  negative_max_ttl = "1h",
  user = user ~= "" and user or nil,
}

probe "www" {
  host = "client", every = "100ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = "198.18.0.53", answer = "198.18.1.80" },
}
watch "servfail" { process = "resolver", match = "SERVFAIL" }

score {
  detection = { probe = "www", ok = false },
  service = "www",
  primary = { probe = "www" },
  stable = "500ms",
}
expect { "detection_s < 4 if disrupted", "recovery_s < 30" }

local rules = {
  empty = "action=empty negttl=60",
  servfail = "action=servfail",
  drop = "action=drop",
}

timeline(function()
  phase "baseline"
  sleep "2m"
  phase "fault"
  inject("auth", "name=www.example.com type=A " .. rules[fault])
  sleep "4m"
  clear("auth")
  phase "recovery"
  -- until the client has been answered for a real second in a row (a
  -- stale answer is the right address too, so one good probe is not
  -- recovery), at most 30 real seconds
  local since
  wait_until(function()
    if not probe_ok("www") then since = nil return false end
    since = since or now()
    return now() - since >= 1
  end, "30s")
end)
