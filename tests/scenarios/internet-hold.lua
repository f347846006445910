-- A registry hold in a sealed internet (the Zoom 2025 pattern): the TLD's
-- servers drop the delegation of example.com (delegation_del on both com.
-- servers), so a resolver that iterates from the test root gets NXDOMAIN
-- from com. once its cached delegation and answer expire; after the
-- delegation is restored, clients stay down until the NXDOMAIN the resolver
-- cached (com.'s negative TTL) drains.  Incident time: example.com's records
-- and com.'s delegation live 2 minutes, com.'s negative TTL is 5 minutes.
scenario { name = "internet-hold", speed = 60, duration = "21m" }

local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" }, doc = "the resolver that iterates" })
local negttl = param("negttl", { default = 300, min = 60, max = 3600,
  doc = "com.'s negative TTL (SOA minimum), incident seconds" })

host "resolver" {}
host "client" {}
local inet = use "internet"
local net = inet.internet {
  lan = "198.18.100.0/24",
  attach = { resolver = "198.18.100.53", client = "198.18.100.10" },
  zones = {
    ["."] = { ns = { "a.root-servers.test" } },
    ["com."] = { ns = { "a.gtld.test", "b.gtld.test" }, ttl = 120, negttl = negttl },
    ["example.com."] = { ns = { "ns1", "ns2" }, ttl = 120,
                         records = "www IN A 198.18.50.80\n" },
  },
}

local resolvers = use "resolvers"
resolvers.resolver { software = resolver, host = "resolver", listen = "198.18.100.53",
                     root_hints = net.hints }

probe "www" {
  host = "client", every = "100ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = "198.18.100.53", answer = "198.18.50.80" },
}

score {
  detection = { probe = "www", ok = false },
  service = "www",
  primary = { probe = "www" },
  stable = "500ms",
  fault = { start = { phase = "hold" }, stop = { phase = "released" } },
}
expect {
  -- the caches hide the hold: the resolver keeps asking example.com's own
  -- servers while the NS set it cached from them lives (2 minutes), and
  -- answers from its cached A until that expires too: at most 2 x 2
  -- minutes (+ a probe)
  "detection_s < 270s in incident time",
  -- after the release: the cached NXDOMAIN drains within com.'s negative TTL
  "recovery_s <= " .. (negttl + 30) .. "s in incident time",
}

local tld = net.servers["com."]
timeline(function()
  phase "baseline"
  sleep "3m"
  phase "hold"
  for _, s in ipairs(tld) do delegation_del(s.dns, "example.com.") end
  sleep "10m"
  phase "released"
  for _, s in ipairs(tld) do
    delegation_set(s.dns, "example.com.", { "ns1.example.com.", "ns2.example.com." })
    record_add(s.dns, "ns1.example.com. 120 IN A " .. net.addr["ns1.example.com."] .. "\n" ..
                      "ns2.example.com. 120 IN A " .. net.addr["ns2.example.com."])
  end
  sleep "8m"
end)
