-- `dnsdrill run --repeat` (tests/integration/repeat.sh): the empty-record
-- example on a compressed timeline, gated on statistics over the runs.
-- p90(detection_s) < 1 holds (the probe asks every 100 ms), max(...) < 0
-- cannot (detection is never negative; it can be exactly 0, when a probe's
-- failed answer comes in the same millisecond as the fault), and
-- the plain detection_s < 1 must hold in every run.
scenario {
  name = "repeat-spread",
  description = "empty answer for 1 s; statistics over repeated runs",
}

local fault_at = param("fault_at", { default = 1, min = 0, doc = "seconds of baseline" })
local fault_for = param("fault_for", { default = 1, min = 0.5, doc = "seconds the fault holds" })

host "client" { resolv = { servers = { "198.18.0.53" },
                           options = { timeout = 1, attempts = 1 } } }
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
  host = "client", every = "100ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = "198.18.0.53", answer = "198.18.1.80" },
}

score {
  detection = { probe = "www", ok = false },
  service = "www",
  primary = { probe = "www" },
  stable = "500ms",
}
expect { "p90(detection_s) < 1", "max(detection_s) < 0", "detection_s < 1",
         "median(availability.www) < 0.9" }

timeline(function()
  phase "baseline"
  at(fault_at)
  phase "fault"
  inject("auth", "name=www.example.com type=A action=empty negttl=1")
  sleep(fault_for)
  clear("auth")
  phase "recovery"
  sleep "1s"
end)
