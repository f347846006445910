-- A staging game day: drive a faultd that already runs in front of the
-- staging zone (dnsdrill does not start it) and probe the real resolver
-- from where dnsdrill runs -- no namespaces are built.
--
-- On the staging side, faultd runs as a service, e.g.
--   faultd --listen 10.20.0.53:53 --zone staging.zone --control /run/faultd/edge.sock
-- and this runs next to it (or through a forwarded unix socket; or over
-- the network with faultd --control-tls ADDR:PORT and
-- --set control=tls://ADDR:PORT --set ca=ca.pem --set cert=me.pem --set key=me.key):
--   dnsdrill run scenarios/examples/remote-gameday.lua \
--     --set control=/run/faultd/edge.sock --set server=10.20.0.53 \
--     --set name=www.staging.example.com
-- The run checks the remote answers (ping), records its version, injects
-- and clears over the control socket, reads its counters (result.json
-- dns_stats and authority), and at the end removes every rule it added,
-- on every way out (also Ctrl-C).  tests/integration/remote.sh runs this
-- very file against a faultd inside namespaces the test made.
-- doc/scenario-api.md, "Remote targets and scenarios without a topology".

scenario {
  name = "remote-gameday",
  description = "an empty answer at a remote faultd, seen from here",
  topology = false,   -- probe real endpoints from this machine
}

local control = param("control", { default = "/run/faultd/edge.sock",
  doc = "the remote faultd's control socket, or tls://HOST:PORT (faultd --control-tls)" })
local ca = param("ca", { default = "",
  doc = "with control = tls://...: the CA that signed faultd's certificate (PEM)" })
local cert = param("cert", { default = "", doc = "with tls://: this client's certificate (PEM)" })
local key = param("key", { default = "", doc = "with tls://: the client certificate's key (PEM)" })
local server = param("server", { default = "10.20.0.53",
  doc = "the DNS server the probe asks (the remote faultd, or a resolver in front of it)" })
local name = param("name", { default = "www.staging.example.com", doc = "the name probed" })
local fault_at = param("fault_at", { default = 2, min = 0, doc = "seconds of baseline" })
local fault_for = param("fault_for", { default = 3, min = 0.5, doc = "seconds the fault holds" })
scenario { duration = fault_at + fault_for + 2 }

local remote = { control = control }
if control:find("^tls://") then remote.ca, remote.cert, remote.key = ca, cert, key end
dns "edge" { remote = remote }

probe "www" {
  every = "100ms", timeout = "1s",
  dns = { name = name, type = "A", server = server },
}

score {
  detection = { probe = "www", ok = false },
  service = "www",
  primary = { probe = "www" },
  stable = "500ms",
}
expect { "detection_s < 1", "recovery_s < 2", "availability < 0.7" }

timeline(function()
  phase "baseline"
  at(fault_at)
  phase "fault"
  inject("edge", "name=" .. name .. " type=A action=empty")
  sleep(fault_for)
  clear("edge")
  phase "recovery"
  sleep "2s"
end)
