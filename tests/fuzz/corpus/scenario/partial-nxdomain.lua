-- One of four authoritative servers answers NXDOMAIN for everything; a real
-- unbound spreads its queries over the four, so about a quarter of every
-- name's lookups fail.  No single probe tells the whole story: each name's
-- availability is scored on its own, and a per-probe expectation fails.
scenario { name = "partial-nxdomain" }

host "client" {}
host "resolver" {}
host "auth1" {}
host "auth2" {}
host "auth3" {}
host "auth4" {}
lan "lan0" {
  client   = "198.18.0.10/24",
  resolver = "198.18.0.53/24",
  auth1    = "198.18.0.61/24",
  auth2    = "198.18.0.62/24",
  auth3    = "198.18.0.63/24",
  auth4    = "198.18.0.64/24",
}

-- TTL 0: unbound caches nothing, every lookup reaches an authority
local zone = [[
$ORIGIN example.com.
$TTL 0
@      IN SOA ns1 hostmaster 1 3600 600 86400 0
@      IN NS  ns1
@      IN NS  ns2
@      IN NS  ns3
@      IN NS  ns4
ns1    IN A   198.18.0.61
ns2    IN A   198.18.0.62
ns3    IN A   198.18.0.63
ns4    IN A   198.18.0.64
www    IN A   198.18.1.80
api    IN A   198.18.1.81
login  IN A   198.18.1.82
]]
for i = 1, 4 do
  dns("auth" .. i, { host = "auth" .. i, listen = "198.18.0.6" .. i .. ":53", zone = zone })
end

process "unbound" {
  host = "resolver",
  cmd = { "unbound", "-d", "-p", "-c", path("partial-nxdomain.unbound.conf") },
  ready = { log = "start of service" },
}

for _, name in ipairs({ "www", "api", "login" }) do
  probe(name, {
    host = "client", every = "100ms", timeout = "1s",
    dns = { name = name .. ".example.com", type = "A", server = "198.18.0.53" },
  })
end

score { service = { "www", "api", "login" }, stable = "300ms" }
expect {
  "availability.www > 0.9",
  "availability.api > 0.9",
  "availability.login > 0.9",
}

timeline(function()
  phase "baseline"
  sleep "1s"
  phase "one authority says NXDOMAIN"
  inject("auth4", "action=nxdomain negttl=0")
  sleep "4s"
  clear("auth4")
  phase "recovery"
  sleep "500ms"
end)
