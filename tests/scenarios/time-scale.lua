-- Time in proportion (issue 11): at speed 60 faultd serves the zone's TTL
-- 300 as 5 s and the fault's negttl=5 at the 1 s floor (5 s would be 83 ms);
-- result.json lists that floor, `dnsdrill check` warns about it before.
-- Durations below are incident time: 4 incident minutes, 4 real seconds.
scenario {
  name = "time-scale",
  speed = 60,
  start = "2025-10-20T05:48:00Z",
  duration = "4m",
}

host "client" { resolv = { servers = { "198.18.0.53" },
                           options = { timeout = 1, attempts = 1 } } }
host "auth" {}
lan "lan0" { client = "198.18.0.10/24", auth = "198.18.0.53/24" }

dns "auth" {
  host = "auth",
  listen = "198.18.0.53:53",
  rules = { "name=old.example.com action=nxdomain negttl=30" },
  zone = [[
$ORIGIN example.com.
$TTL 300
@    IN SOA ns1 hostmaster 1 3600 600 86400 300
@    IN NS  ns1
ns1  IN A   198.18.0.53
www  IN A   198.18.1.80
]],
}

probe "www" {
  host = "client", every = "100ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = "198.18.0.53", answer = "198.18.1.80" },
}

score {
  detection = { probe = "www", ok = false },
  service = "www",
  primary = { probe = "www" },
  stable = "500ms",
}
-- the first in real seconds (check warns: its verdict depends on the speed);
-- the others in incident time (a probe every 100 ms: about 6 incident s)
expect { "detection_s < 1", "detection_s < 1m in incident time",
         "recovery_s < 2m in incident time" }

timeline(function()
  phase "baseline"
  sleep "1m"
  phase "fault"
  inject("auth", "name=www.example.com type=A action=empty negttl=5")
  sleep "2m"
  clear("auth")
  phase "recovery"
  sleep "1m"
end)
