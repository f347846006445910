-- a SUT that exits at start-up without a ready check: exit 3 with its
-- last output, not a pass
scenario { name = "start-exits" }
host "app" {}
lan "lan0" { app = "198.18.0.10/24" }
process "sut" { host = "app", cmd = { "sh", "-c", "echo fatal >&2; exit 4" } }
timeline(function() sleep "1s" end)
