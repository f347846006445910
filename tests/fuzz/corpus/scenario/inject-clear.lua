-- faults travel to faultd in the background: a rule cleared in the same
-- breath as it was injected (before faultd acknowledged it) is deleted once
-- acknowledged; a second rule holds for 1 s; handles are the run's own.
scenario { name = "inject-clear" }
host "client" {}
host "auth" {}
lan "lan0" { client = "198.18.0.10/24", auth = "198.18.0.53/24" }
dns "auth" {
  host = "auth",
  listen = "198.18.0.53:53",
  zone = [[
$ORIGIN example.com.
$TTL 1
@    IN SOA ns1 hostmaster 1 3600 600 86400 1
@    IN NS  ns1
ns1  IN A   198.18.0.53
www  IN A   198.18.1.80
]],
}
probe "www" {
  host = "client", every = "100ms", timeout = "400ms",
  dns = { name = "www.example.com", type = "A", server = "198.18.0.53", answer = "198.18.1.80" },
}
timeline(function()
  phase "baseline"
  sleep "500ms"
  local a = inject("auth", "name=www.example.com type=A action=servfail")
  clear("auth", a)
  mark("first " .. a)
  sleep "1s"
  phase "fault"
  local b = inject("auth", "name=www.example.com type=A action=empty negttl=0")
  mark("second " .. b)
  sleep "1s"
  clear("auth", b)
  phase "recovery"
  sleep "1s"
end)
