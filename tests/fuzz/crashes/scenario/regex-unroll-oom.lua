-- Event times that mean one thing: a process prints a line every 300 ms,
-- each carrying its own wall-clock time in ms; a watch stamps each line
-- when it is read from the process's pipe.  A probe's answer is held back
-- 150 ms by faultd: its event carries both when the attempt started
-- (start_ms) and when the answer came (t_ms).
scenario { name = "event-times" }
host "app" {}
host "auth" {}
lan "lan0" { app = "198.18.0.10/24", auth = "198.18.0.53/24" }
dns "auth" {
  host = "auth",
  listen = "198.18.0.53:53",
  rules = { "name=slow.example.com delay=150ms" },
  zone = [[
$ORIGIN example.com.
$TTL 1
@    IN SOA ns1 hostmaster 1 3600 600 86400 1
@    IN NS  ns1
ns1  IN A   198.18.0.53
slow IN A   198.18.1.80
]],
}
process "ticker" {
  host = "app",
  cmd = { "sh", "-c", "sleep 0.2; for i in 1 2 3 4 5 6 7 8; do echo \"tick $(date +%s%3N)\"; sleep 0.3; done; exec sleep 30" },
}
watch "tick" { process = "ticker", match = "^tick [0-9]+++++++++++++++++++++++++++++++++$" }
probe "slow" {
  host = "app", every = "500ms", timeout = "400ms",
  dns = { name = "slow.example.com", type = "A", server = "198.18.0.53", answer = "198.18.1.80" },
}
timeline(function()
  phase "run"
  wait_until(function() return seen "tick" >= 8 end, "6s")
  sleep "200ms"
end)
