-- a process that dies while starting: exit 3 with its last output
scenario { name = "start-fails" }
host "app" {}
lan "lan0" { app = "198.18.0.10/24" }
process "sut" { host = "app", cmd = { "sh", "-c", "echo 'config error: no upstream' >&2; exit 4" },
  ready = { tcp = "198.18.0.10:8080" } }
timeline(function() sleep "1s" end)
