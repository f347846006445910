-- a process that exits during the run: an event, not an error; stop() and
-- start() from the timeline; a watch over its output
scenario { name = "proc-exit" }
host "app" {}
lan "lan0" { app = "198.18.0.10/24" }
process "crasher" { host = "app", cmd = { "sh", "-c", "echo ready; sleep 1; echo bye; exit 7" } }
process "later" { host = "app", cmd = { "sleep", "30" }, autostart = false }
watch "bye" { process = "crasher", match = "^bye$" }
timeline(function()
  phase "run"
  local ok = wait_until(function() return seen "bye" > 0 end, "5s")
  mark(ok and "saw bye" or "no bye")
  start "later"
  sleep "300ms"
  stop "later"
  sleep "500ms"
end)
