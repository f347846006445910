-- An authority with a capacity (dns { capacity = ... }, faultd --capacity):
-- 50 queries a second with 1 waiting.  Four probes ask it directly, each
-- again 20 ms after its last answer: up to four queries at once, so one is
-- served, one waits (20 ms, one service time) and two overflow (SERVFAIL
-- here, so the probes see failures at once); faultd's counters over the
-- window tell the same story.
scenario { name = "capacity", duration = "4s" }

host "client" {}
host "auth" {}
lan "lan0" { client = "198.18.0.10/24", auth = "198.18.0.53/24" }

dns "auth" {
  host = "auth",
  listen = "198.18.0.53:53",
  capacity = { qps = 50, queue = 1, overflow = "servfail" },
  zone = [[
$ORIGIN example.com.
$TTL 300
@    IN SOA ns1 hostmaster 1 3600 600 86400 300
@    IN NS  ns1
ns1  IN A   198.18.0.53
www  IN A   198.18.1.80
]],
}

for i = 1, 4 do
  probe("www" .. i) {
    host = "client", every = "20ms", timeout = "1s",
    dns = { name = "www.example.com", type = "A", server = "198.18.0.53", answer = "198.18.1.80" },
  }
end

score { service = { "www1", "www2", "www3", "www4" }, latency = { "www1", "www2", "www3", "www4" } }
expect { "availability < 0.9", "latency_p50_ms >= 20", "dns_answers.auth.pass > 50" }

timeline(function()
  mark "overload"
  inject("auth", "name=nothing.example.com action=pass")   -- opens the window
  sleep "3s"
  clear("auth")
end)
