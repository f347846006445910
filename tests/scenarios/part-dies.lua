-- A part of the run dies under it with nothing left to ask of it (only a
-- probe runs; at about 1 s the test kills faultd from outside, or deletes
-- the captured link): the run ends at once as an environment error (exit
-- 3, verdict "error") naming the dns server or the capture, not as the
-- SUT's failure or a pass with half the evidence.
scenario { name = "part-dies" }
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
capture "client_lan" { host = "client", iface = "lan0", sut = "198.18.0.10" }
timeline(function()
  phase "run"
  sleep "4s"
  mark "still running"
end)
