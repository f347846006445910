-- bench/startup_bench.sh's 20-host topology: twenty client hosts and an
-- authority on one LAN, a probe from every client, a short fault.  What it
-- measures is the harness's own start-up and teardown, not the SUT.
scenario {
  name = "hosts20",
  description = "twenty hosts on one LAN probing one faultd (start-up benchmark)",
  duration = 4,
}

local n = param("hosts", { default = 20, min = 1, max = 200, doc = "client hosts" })
local addrs = { auth = "198.18.0.53/24" }
host "auth" {}
for i = 1, n do
  host("h" .. i) {}
  addrs["h" .. i] = string.format("198.18.0.%d/24", 100 + i)
end
lan "lan0" (addrs)

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

for i = 1, n do
  probe("www" .. i) {
    host = "h" .. i, every = "100ms", timeout = "1s",
    dns = { name = "www.example.com", type = "A", server = "198.18.0.53", answer = "198.18.1.80" },
  }
end

score {
  detection = { probe = "www1", ok = false },
  service = "www1",
  primary = { probe = "www1" },
  stable = "300ms",
}

timeline(function()
  phase "baseline"
  sleep "1s"
  phase "fault"
  inject("auth", "name=www.example.com type=A action=empty")
  sleep "1s"
  clear("auth")
  phase "recovery"
  sleep "1s"
end)
