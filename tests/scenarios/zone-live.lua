-- live zone changes from the timeline: a record emptied (NODATA: the TXT at
-- the name stays) and restored, and a
-- registry hold (the delegation of shop.net. removed at its parent, then
-- restored); each change is a zone_change event, the probes see each one.
scenario { name = "zone-live" }
host "client" {}
host "auth" {}
lan "lan0" { client = "198.18.0.10/24", auth = "198.18.0.53/24" }
dns "auth" {
  host = "auth",
  listen = "198.18.0.53:53",
  zone = { [[
$ORIGIN example.com.
$TTL 1
@    IN SOA ns1 hostmaster 1 3600 600 86400 1
@    IN NS  ns1
ns1  IN A   198.18.0.53
www  IN A   198.18.1.80
www  IN TXT  "the A goes, the name stays"
]], [[
$ORIGIN net.
$TTL 1
@         IN SOA a.root.test. hostmaster.root.test. 1 3600 600 86400 1
@         IN NS  a.root.test.
shop      IN NS  ns1.shop
ns1.shop  IN A   198.18.0.54
]] },
}
probe "www" {
  host = "client", every = "100ms", timeout = "400ms",
  dns = { name = "www.example.com", type = "A", server = "198.18.0.53", answer = "198.18.1.80" },
}
probe "shop" {
  host = "client", every = "100ms", timeout = "400ms",
  dns = { name = "www.shop.net", type = "A", server = "198.18.0.53", rcode = "NOERROR", empty = true },
}
-- no inject()/clear() here: the fault window is the "record gone" phase,
-- named by matchers; www is the service
score {
  service = "www",
  primary = { probe = "www" },
  stable = "200ms",
  fault = { start = { phase = "record gone" }, stop = { phase = "hold" } },
}
timeline(function()
  phase "baseline"
  sleep "500ms"
  phase "record gone"
  record_del("auth", "www.example.com.", "A")
  sleep "1s"
  record_add("auth", "www.example.com. 1 IN A 198.18.1.80")
  phase "hold"
  sleep "500ms"
  delegation_del("auth", "shop.net.")
  sleep "1s"
  delegation_set("auth", "shop.net.", { "ns1.shop.net." })
  record_add("auth", "ns1.shop.net. 1 IN A 198.18.0.54")
  phase "recovery"
  sleep "700ms"
end)
