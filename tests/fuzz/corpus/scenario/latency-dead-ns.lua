-- A stub resolver with two nameservers whose first goes silent: glibc asks
-- the first, waits out its timeout, then asks the second.  Every lookup
-- still succeeds (availability 1) but takes ~1 s instead of a few ms: the
-- latency expectations must fail the run.
scenario { name = "latency-dead-ns" }

-- resolv.conf as written, options explicit: glibc gives each server 1 s
-- (its default is 5 s, twice), no rotation, so the first is always asked
-- first
host "client" { resolv = [[
nameserver 198.18.0.53
nameserver 198.18.0.54
options timeout:1 attempts:1
]] }
host "ns1" {}
host "ns2" {}
lan "lan0" {
  client = "198.18.0.10/24",
  ns1 = "198.18.0.53/24",
  ns2 = "198.18.0.54/24",
}

local zone = [[
$ORIGIN example.com.
$TTL 1
@    IN SOA ns1 hostmaster 1 3600 600 86400 1
@    IN NS  ns1
@    IN NS  ns2
ns1  IN A   198.18.0.53
ns2  IN A   198.18.0.54
www  IN A   198.18.1.80
]]
dns "ns1" { host = "ns1", listen = "198.18.0.53:53", zone = zone }
dns "ns2" { host = "ns2", listen = "198.18.0.54:53", zone = zone }

-- glibc's own resolution, through the client's resolv.conf
probe "lookup" {
  host = "client", every = "250ms", timeout = "4s",
  exec = { "getent", "ahostsv4", "www.example.com" },
}

score { service = "lookup", stable = "500ms" }
expect {
  "availability >= 0.99",
  "latency_p99_ms < 500",
  "slowdown < 5",
}

timeline(function()
  phase "baseline"
  sleep "2s"
  phase "first nameserver silent"
  inject("ns1", "action=drop")
  sleep "3500ms"
  clear("ns1")
  phase "recovery"
  sleep "1s"
end)
