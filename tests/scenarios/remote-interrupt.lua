-- tests/integration/remote.sh: a run against a remote faultd that is
-- interrupted (SIGINT) while its fault and a live zone change hold; the
-- run must take both back on its way out.
scenario { name = "remote-interrupt", topology = false }
local control = param("control", { default = "/nonexistent.sock", doc = "control socket" })
local server = param("server", { default = "198.18.77.1", doc = "the remote faultd" })
dns "edge" { remote = { control = control } }
probe "www" { every = "200ms", timeout = "1s",
  dns = { name = "www.example.test", type = "A", server = server } }
-- a process without a topology runs here, and is stopped with the run
process "sut" { cmd = { "sh", "-c", "echo up; exec sleep 600" }, ready = { log = "up" } }
watch "sut-up" { process = "sut", match = "^up$" }
timeline(function()
  phase "fault"
  inject("edge", "name=www.example.test type=A action=servfail")
  record_del("edge", "fast.example.test.", "A")
  ttl_set("edge", "ttl.example.test.", "A", 7)
  sleep "60s"
end)
