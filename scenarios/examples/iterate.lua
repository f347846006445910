-- A sealed internet, and a real resolver that iterates through it from a
-- test root: no forwarding, no real root, every server a faultd.
--
--   .              a.root-servers.test             198.18.100.1
--   com.           a.gtld.test, b.gtld.test        198.18.100.2-3
--   example.com.   ns1..ns4.example.com            198.18.100.4-7  (generated)
--   example.net.   ns1.example.net                 198.18.100.8    (hand-written)
--
-- use "internet" writes each generated zone (SOA, NS, delegations, glue)
-- and declares one host and one faultd per name server; example.net's zone
-- is written by hand below and served as is, while com.'s generated zone
-- delegates to it.  Halfway through, one of example.com's four servers
-- answers SERVFAIL for www: asked directly it fails, through the resolver
-- (which tries another server) it does not.
-- Run it:  dnsdrill run scenarios/examples/iterate.lua
--          dnsdrill run scenarios/examples/iterate.lua --set resolver=bind9
scenario {
  name = "iterate",
  description = "a resolver iterates from a test root; 1 of 4 name servers fails",
  speed = 60,
  duration = "4m",
}

local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" }, doc = "the resolver that iterates" })

host "resolver" {}
host "client" { resolv = { servers = { "198.18.100.53" }, options = { timeout = 1, attempts = 1 } } }

local inet = use "internet"
local net = inet.internet {
  lan = "198.18.100.0/24",
  attach = { resolver = "198.18.100.53", client = "198.18.100.10" },
  zones = {
    ["."] = { ns = { "a.root-servers.test" } },
    ["com."] = { ns = { "a.gtld.test", "b.gtld.test" } },
    ["example.com."] = { ns = { "ns1", "ns2", "ns3", "ns4" }, ttl = 60,
                         records = "www IN A 198.18.50.80\n" },
    ["net."] = { ns = { "a.gtld.test", "b.gtld.test" } },
    -- written by hand: served exactly as it stands
    ["example.net."] = { ns = { "ns1.example.net" }, zone = [[
$ORIGIN example.net.
$TTL 60
@    IN SOA ns1 hostmaster 7 3600 600 86400 60
@    IN NS  ns1
ns1  IN A   198.18.100.8
www  IN CNAME www.example.com.
]] },
  },
}

local resolvers = use "resolvers"
resolvers.resolver {
  software = resolver,
  host = "resolver",
  listen = "198.18.100.53",
  root_hints = net.hints,     -- iterate from a.root-servers.test
}

probe "www" {
  host = "client", every = "100ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = "198.18.100.53", answer = "198.18.50.80" },
}
probe "cname" {
  host = "client", every = "200ms", timeout = "1s",
  dns = { name = "www.example.net", type = "A", server = "198.18.100.53", answer = "198.18.50.80" },
}
-- the faulted server, asked directly
local ns1 = net.servers["example.com."][1]
probe "ns1" {
  host = "client", every = "100ms", timeout = "500ms",
  dns = { name = "www.example.com", type = "A", server = ns1.addr, answer = "198.18.50.80" },
}

score {
  detection = { probe = "ns1", ok = false },
  service = { "www", "cname" },
  primary = { probe = "ns1" },
  stable = "500ms",
}
expect { "availability.ns1 < 0.2", "availability.www > 0.9", "availability.cname > 0.9" }

timeline(function()
  phase "baseline"
  sleep "1m"
  phase "fault"
  inject(ns1.dns, "name=www.example.com action=servfail")
  sleep "2m"
  clear(ns1.dns)
  phase "recovery"
  sleep "1m"
end)
