-- The authority's side, behind a real resolver: a client asks unbound,
-- unbound asks faultd (authoritative for example.com, TTL 0 so every
-- question reaches it).  faultd answers SERVFAIL for a while.  Checked:
-- faultd's counters are read at the inject, from the timeline (stats()),
-- at the clear and at the end; query amplification is scored at the
-- client's link and at the resolver's link to the authority.
scenario { name = "authority-side" }
local action = param("action", { default = "servfail", doc = "the fault faultd applies" })
local gate = param("gate", { default = "", doc = "expectations, separated by ';' (for the tests)" })
for e in string.gmatch(gate, "[^;]+") do expect(e) end

host "client" {}
host "resolver" {}
host "auth" {}
lan "site" { client = "198.18.0.10/24", resolver = "198.18.0.53/24" }
link "up" { resolver = "198.18.9.1/30", auth = "198.18.9.2/30" }

dns "auth" {
  host = "auth",
  listen = "198.18.9.2:53",
  zone = [[
$ORIGIN example.com.
$TTL 0
@    IN SOA ns1 hostmaster 1 3600 600 86400 0
@    IN NS  ns1
ns1  IN A   198.18.9.2
www  IN A   198.18.1.80
]],
}

process "unbound" {
  host = "resolver",
  cmd = { "unbound", "-d", "-p", "-c", path("unbound.conf") },
  cwd = path("."),
  ready = { log = "start of service" },
}

probe "www" {
  host = "client", every = "100ms", timeout = "400ms",
  dns = { name = "www.example.com", type = "A", server = "198.18.0.53", answer = "198.18.1.80" },
}

capture "app_lan" { host = "resolver", iface = "site", sut = "198.18.0.10" }
capture "auth_lan" { host = "auth", iface = "up" }

score {
  detection = { probe = "www", ok = false },
  service = "www",
  amplification = { "auth_lan", "app_lan" },
}

timeline(function()
  phase "baseline"
  sleep "2500ms"
  phase "fault"
  inject("auth", "name=www.example.com type=A action=" .. action)
  sleep "1500ms"
  local s = stats("auth")
  mark("servfail answers " .. s.actions.servfail .. " at " .. s.t_ms)
  sleep "1500ms"
  clear("auth")
  phase "recovery"
  sleep "1500ms"
end)
