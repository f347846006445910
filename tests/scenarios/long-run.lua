-- a run that lasts long enough to be interrupted
scenario { name = "long-run" }
param("n", { default = 1, doc = "a label for matrix tests (changes nothing)" })
host "client" { resolv = { "198.18.0.53" } }
host "auth" {}
lan "lan0" { client = "198.18.0.10/24", auth = "198.18.0.53/24" }
dns "auth" { host = "auth", listen = "198.18.0.53:53",
  zone = "$ORIGIN example.com.\n@ 1 IN SOA ns hm 1 1 1 1 1\nwww 1 IN A 198.18.1.1\n" }
process "sleeper" { host = "client", cmd = { "sleep", "600" } }
probe "www" { host = "client", every = "200ms", dns = { name = "www.example.com", server = "198.18.0.53" } }
timeline(function() phase "wait"; sleep "60s" end)
