-- a scenario whose SUT program does not exist
scenario { name = "missing-binary" }
host "app" {}
lan "lan0" { app = "198.18.0.10/24" }
process "sut" { host = "app", cmd = { "/nonexistent/dd-no-such-sut", "--flag" } }
timeline(function() sleep "1s" end)
