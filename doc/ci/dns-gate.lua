-- The drill the pipelines in doc/ci/ run as a gate (doc/ci.md): the
-- empty-record example on a compressed timeline, with expectations a
-- single run checks and one on a percentile that `--repeat N` checks over
-- the runs.  Replace it with your own scenario; keep the expectations.
scenario {
  name = "ci-gate",
  description = "www.example.com answers NOERROR with no address for 1 s",
}

local fault_at = param("fault_at", { default = 1, min = 0, doc = "seconds of baseline" })
local fault_for = param("fault_for", { default = 1, min = 0.5, doc = "seconds the fault holds" })
scenario { duration = fault_at + fault_for + 2 }

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
-- detection and recovery within bounds in every run; over repeated runs
-- the 90th percentile of recovery is the gate
expect { "detection_s < 1", "recovery_s < 2", "p90(recovery_s) < 1.5" }

timeline(function()
  phase "baseline"
  at(fault_at)
  phase "fault"
  inject("auth", "name=www.example.com type=A action=empty negttl=1")
  sleep(fault_for)
  clear("auth")
  phase "recovery"
  sleep "2s"
end)
