-- An A record goes empty for three seconds; a client's DNS probe sees it.
--
-- The smallest complete scenario: two hosts on one LAN, faultd serving a
-- zone written inline, one probe, a fault injected and cleared, scored.
-- Run it:  dnsdrill run scenarios/examples/empty-record.lua

scenario {
  name = "empty-record",
  description = "www.example.com answers NOERROR with no address for 3 s",
}

local negttl = param("negttl", { default = 1, min = 0, max = 3600,
  doc = "negative TTL (SOA minimum) in the empty answer" })
local fault_at = param("fault_at", { default = 2, min = 0, doc = "seconds of baseline" })
local fault_for = param("fault_for", { default = 3, min = 0.5, doc = "seconds the fault holds" })
scenario { duration = fault_at + fault_for + 2 }   -- for the status line

-- the client's stub resolver tries once, for 1 s (glibc alone would wait
-- 5 s, twice); the probe waits as long, so it fails only where the stub would
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
  detection = { probe = "www", ok = false },   -- the client noticed
  service = "www",
  primary = { probe = "www" },                 -- back to normal
  stable = "500ms",
}
expect { "detection_s < 1", "recovery_s < 2", "availability < 0.5" }

timeline(function()
  phase "baseline"
  at(fault_at)
  phase "fault"
  inject("auth", "name=www.example.com type=A action=empty negttl=" .. negttl)
  sleep(fault_for)
  clear("auth")
  phase "recovery"
  sleep "2s"
end)
