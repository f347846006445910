-- A sealed internet (use "internet"): a test root, a TLD with two servers
-- and example.com on four, each a faultd on its own host; a real resolver
-- iterates from the test root (root_hints = net.hints).  One of the four
-- example.com servers breaks www for two incident minutes; a probe per
-- name server address and one through the resolver measure availability
-- per probe.  tests/integration/internet.sh runs it.
scenario {
  name = "internet-iterate",
  speed = 60,
  duration = "4m",
}

local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" }, doc = "the resolver under test" })
local fault = param("fault", { default = "servfail", choices = { "servfail", "drop", "empty" },
  doc = "what ns1.example.com does to www.example.com" })

host "resolver" {}
host "client" {}

local inet = use "internet"
local net = inet.internet {
  lan = "198.18.100.0/24",
  attach = { resolver = "198.18.100.53", client = "198.18.100.10" },
  zones = {
    ["."] = { ns = { "a.root-servers.test" } },
    ["com."] = { ns = { "a.gtld.test", "b.gtld.test" } },
    -- a minute: one real second at speed 60, so the resolver asks again
    ["example.com."] = { ns = { "ns1", "ns2", "ns3", "ns4" }, ttl = 60, negttl = 60,
                         records = "www IN A 198.18.50.80\n" },
  },
}

local resolvers = use "resolvers"
resolvers.resolver {
  software = resolver,
  host = "resolver",
  listen = "198.18.100.53",
  root_hints = net.hints,
}

probe "www" {
  host = "client", every = "100ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = "198.18.100.53", answer = "198.18.50.80" },
}
-- each of example.com's servers, asked directly
for i, s in ipairs(net.servers["example.com."]) do
  probe("ns" .. i) {
    host = "client", every = "100ms", timeout = "500ms",
    dns = { name = "www.example.com", type = "A", server = s.addr, answer = "198.18.50.80" },
  }
end

score {
  detection = { probe = "ns1", ok = false },
  service = "www",
  primary = { probe = "ns1" },
  stable = "500ms",
}

-- asked directly, the faulted server fails and the other three do not;
-- a SERVFAIL or a timeout from one server sends the resolver to another
expect { "availability.ns1 < 0.2", "availability.ns2 == 1", "availability.ns3 == 1",
         "availability.ns4 == 1" }
if fault ~= "empty" then expect "availability.www > 0.9" end

local rule = { servfail = "action=servfail", drop = "action=drop", empty = "action=empty negttl=60" }
local ns1 = net.servers["example.com."][1].dns

timeline(function()
  phase "baseline"
  sleep "1m"
  phase "fault"
  inject(ns1, "name=www.example.com " .. rule[fault])
  sleep "2m"
  clear(ns1)
  phase "recovery"
  sleep "1m"
end)
