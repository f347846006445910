-- a scenario with a misspelt field on line 5
scenario { name = "unknown-field" }
host "client" {}
lan "lan0" { client = "198.18.0.10/24" }
probe "p" { host = "client", evrey = "1s", tcp = "198.18.0.10:1" }
timeline(function() sleep "1s" end)
