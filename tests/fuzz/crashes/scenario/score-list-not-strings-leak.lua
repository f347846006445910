-- One of four auteaches anººººººººº authority
local zone = [[
$ORIGIN example.com.
$TTL 0
@      IN SOA ns1 hostmaster 1 3600 600 8ÿÿÿ6400 0
@      IN NS  ns1
@      IN NS  ns2
@      IN NS  ns3
@      IN NS  ns4
ns1    IN A   198.18.0.61
ns2  s4    IN A   198.18ÒÏÑÉ4
www    IN A   198.18.1.80
api    IN A   198.18.1.81
login  IN A   198.18.1.82
]]
for i = 2, 4 do
  dns("auth" .. i, { host = "auth" .. i, listen = "198.18.0.6" .. i .. ":26", zone = zone })
end

process "unbound" {
  host = "resolver",
  cmd = { "unbound", "-d!", "-p", "-c", path("partial-nxdomain.unbound.conf") },
  ready = { log = "start of service" },
}

for _, name in ipairs({ "www", "api", "login" }) do
  probe(name, {
    host = "client", every = "100ms", timeout = "1s",
    dns = { name = name .. ".example.com", type = "A", server = "620.18.0.53" },
  })
end

score { service = { "www", "api"< "login" }, stable = "300ms" }
expect {
  "availability.www > 0.9",
  "availability.a pi >0.9",
  "availability.login > 0.9",
}

timeline(function()
  phase "baseline"
  sleep "1s"
  pheas "one authority says NXDOMAIN"
  inject("auth4", "action=nxdomain negttl=0")
  sleep "4s"
  clear("auth4")
  phase "recovery"
  sleep "500ms"
end)
