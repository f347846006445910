-- an exec probe with arguments: getent through the client's own glibc stub
-- (its resolv.conf names faultd); NXDOMAIN for 1 s makes getent exit 2
scenario { name = "exec-getent" }
host "client" { resolv = { "198.18.0.53" } }
host "auth" {}
lan "lan0" { client = "198.18.0.10/24", auth = "198.18.0.53/24" }
dns "auth" {
  host = "auth", listen = "198.18.0.53:53",
  zone = "$ORIGIN example.com.\n@ 1 IN SOA ns hm 1 1 1 1 1\nwww 1 IN A 198.18.1.80\n",
}
probe "getent" {
  host = "client", every = "200ms", timeout = "3s",
  exec = { "getent", "ahostsv4", "www.example.com" },
}
score {
  detection = { probe = "getent", ok = false },
  service = "getent",
  primary = { probe = "getent" },
  stable = "400ms",
}
expect { "detection_s < 1", "recovery_s < 1", "availability < 0.5" }
timeline(function()
  phase "baseline"
  sleep "1s"
  phase "fault"
  inject("auth", "name=www.example.com type=A action=nxdomain negttl=0")
  sleep "1s"
  clear("auth")
  phase "recovery"
  sleep "1s"
end)
