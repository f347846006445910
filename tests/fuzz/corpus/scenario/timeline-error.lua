-- a Lua error in the timeline after the fault went in: exit 2, and still a
-- result (verdict error, the reason, the events so far) and a report
scenario { name = "timeline-error" }
host "client" {}
host "auth" {}
lan "lan0" { client = "198.18.0.10/24", auth = "198.18.0.53/24" }
dns "auth" { host = "auth", listen = "198.18.0.53:53",
  zone = "$ORIGIN example.com.\n@ 1 IN SOA ns hm 1 1 1 1 1\nwww 1 IN A 198.18.1.1\n" }
probe "www" { host = "client", every = "100ms", timeout = "1s",
  dns = { name = "www.example.com", server = "198.18.0.53" } }
score { detection = { probe = "www", ok = false }, service = "www" }
expect "detection_s < 1"
timeline(function()
  phase "baseline"
  sleep "500ms"
  phase "fault"
  inject("auth", "name=www.example.com action=servfail")
  sleep "500ms"
  local t = nil
  mark("about to fail")
  local x = t.field          -- line 21: attempt to index a nil value
end)
