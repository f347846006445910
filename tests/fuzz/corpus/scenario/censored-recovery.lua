-- The run ends before the SUT is seen back: recovery_s is censored (at
-- least the time from the clear to the end of the run), an expectation on
-- it fails saying "not recovered within N s", never passes.  The signal is
-- an operator's mark the timeline never makes.
scenario { name = "censored-recovery" }
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
  dns = { name = "www.example.com", type = "A", server = "198.18.0.53" },
}
score { service = "www", primary = { mark = "recovered" }, stable = "500ms" }
expect {
  "recovery_s < 1",     -- the bound alone breaks it
  "recovery_s < 60",    -- undecided: the run was too short to tell
}
timeline(function()
  phase "baseline"
  sleep "500ms"
  phase "fault"
  inject("auth", "name=www.example.com action=servfail")
  sleep "1s"
  clear("auth")
  phase "waiting"
  sleep "1500ms"
end)
