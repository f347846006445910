-- an exec probe with arguments: getent through the client's own glibc stub
-- (its resolv.conf names faultd); NXDOMAIN for 1 s makes getent exit 2.
-- Each host's resolv.conf holds what its resolv = says and nothing else.
scenario { name = "exec-getent" }
host "client" { resolv = { "198.18.0.53" } }
host "tuned" { resolv = { servers = { "198.18.0.53", "198.18.0.54" },
  options = { timeout = 2, attempts = 3, rotate = true, ndots = 2 } } }
host "auth" {}
lan "lan0" { client = "198.18.0.10/24", tuned = "198.18.0.11/24", auth = "198.18.0.53/24" }
-- what each host's processes see as /etc/resolv.conf
process "show-plain" { host = "client", cmd = { "sh", "-c", "cat /etc/resolv.conf; exec sleep 600" } }
process "show-tuned" { host = "tuned", cmd = { "sh", "-c", "cat /etc/resolv.conf; exec sleep 600" } }
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
