-- resolver_unbound.lua -- unbound (1.17) as a resolver profile: what
-- resolvers.resolver { software = "unbound", ... } declares (the contract
-- is in resolvers.lua's header).
--
-- unbound runs in the foreground (-d) without a pid file (-p), with its
-- configuration, working directory and everything it could write in its
-- scratch folder: chroot "" and pidfile inside scratch(), no remote control,
-- no auto-trust-anchor file (the anchors are written inline).  It logs to
-- stderr at verbosity 1 with log-servfail (a "SERVFAIL <name>" line for each
-- one it gives, for watches) and is ready on its "start of service" line.
-- It stays root unless `user` is given: unbound binds port 53 as root and
-- then drops to `username:` itself.
--
-- Timers (incident time in, real time written; resolvers.lua scales):
--   infra-host-ttl          900 s: how long a dead authority stays marked
--                           down (and its RTT remembered)
--   cache-max-ttl           86400 s, or max_ttl
--   cache-min-ttl           min_ttl (unbound's default 0 is not a timer)
--   cache-max-negative-ttl  3600 s, or negative_max_ttl
--   SERVFAIL cache          5 s (NORR_TTL in unbound's source): a failed
--                           lookup is answered SERVFAIL from the cache for
--                           5 s; no option sets it, so it cannot be scaled
--                           and servfail_ttl is unsupported (except 5)
--   serve-expired-ttl       max_stale (unbound's default 0: no limit)
--   serve-expired-reply-ttl answer_ttl or 30 s
--   serve-expired-client-timeout  client_timeout (default 0: answer from the
--                           expired cache at once); a latency budget against
--                           network time, so it stays real (listed)
--   val-bogus-ttl           60 s, with dnssec
--   bogus key entry         60 s, with dnssec (BOGUS_KEY_TTL in unbound's
--                           source): a zone whose DS or DNSKEY set failed
--                           validation is SERVFAIL for that long, whatever
--                           its TTLs; no option, so real time (listed)
-- root_hints: `root-hints:` a file in the scratch folder (root.hints), so
-- unbound primes and iterates from the test root instead of its compiled-in
-- real one; module-config "iterator" (no validator, so no trust anchor,
-- aggressive NSEC or root key sentinel) unless dnssec is given, do-ip6: no
-- unless an address is IPv6 (the sealed net has no v6 route), and
-- qname-minimisation and harden-* at unbound's defaults, which work there.
-- Timeouts towards the authorities (unknown-server-time-limit 376 ms,
-- infra-cache-min-rtt 50 ms, the RTT back-off) are network time and real
-- time on purpose, like faultd's delay= (doc/scenario-api.md, "Time").
local M = { software = "unbound" }

local function q(s) return '"' .. s .. '"' end

local function addr(s)
  return s.port == 53 and s.addr or (s.addr .. "@" .. s.port)
end

function M.declare(o)
  local c = {}
  local function line(s) c[#c + 1] = s end
  -- a timer unbound lets us set: declared, and its real value written
  local function timer(opt, incident, note)
    local real = o.real(incident)
    if incident > 0 then o.timer(opt, incident, real, note) end
    line("    " .. opt .. ": " .. real)
  end

  if o.servfail_ttl and o.servfail_ttl ~= 5 then
    o.unsupported("servfail_ttl (unbound caches a SERVFAIL for a fixed 5 s)")
  end

  local v6 = false
  for _, a in ipairs(o.listen) do v6 = v6 or a:find(":", 1, true) ~= nil end
  for _, z in ipairs(o.zones) do
    for _, s in ipairs(z.servers) do v6 = v6 or s.addr:find(":", 1, true) ~= nil end
  end
  for _, h in ipairs(o.root_hints or {}) do v6 = v6 or h.addr:find(":", 1, true) ~= nil end
  local files = {}

  line("# written by dnsdrill's resolver profile (scenarios/lib/resolver_unbound.lua)")
  line(string.format("# at speed %g: timers in real seconds, see result.json time_distortions", o.speed))
  line("server:")
  for _, a in ipairs(o.listen) do line("    interface: " .. a) end
  line("    port: 53")
  line("    do-ip6: " .. (v6 and "yes" or "no"))
  -- the network is sealed: whoever reaches it may ask
  line("    access-control: 0.0.0.0/0 allow")
  line("    access-control: ::/0 allow")
  line("    username: " .. q(o.user or ""))
  line("    chroot: \"\"")
  line("    directory: " .. q(scratch()))
  line("    pidfile: " .. q(scratch() .. "/unbound.pid"))
  line("    use-syslog: no")
  line("    logfile: \"\"")
  line("    verbosity: 1")
  line("    log-servfail: yes")
  line("    do-not-query-localhost: no")
  timer("infra-host-ttl", 900, "how long an authority that stopped answering stays marked down")
  timer("cache-max-ttl", o.max_ttl or 86400)
  timer("cache-min-ttl", o.min_ttl or 0)
  timer("cache-max-negative-ttl", o.negative_max_ttl or 3600)
  o.timer("SERVFAIL cache", 5, 5,
    "unbound caches a failed lookup for 5 s (NORR_TTL, no option): real time at any speed")

  local ss = o.serve_stale
  if ss then
    line("    serve-expired: yes")
    timer("serve-expired-ttl", ss.max_stale or 0)
    timer("serve-expired-reply-ttl", ss.answer_ttl or 30)
    local ct = ss.client_timeout or 0
    if ct > 0 then
      o.timer("serve-expired-client-timeout", ct, ct,
        "how long a client waits before an expired answer: a latency budget, real time")
    end
    line("    serve-expired-client-timeout: " .. math.floor(ct * 1000 + 0.5))
  else
    line("    serve-expired: no")
  end

  if o.dnssec then
    line("    module-config: \"validator iterator\"")
    for _, ta in ipairs(o.dnssec.trust_anchors) do line("    trust-anchor: " .. q(ta)) end
    timer("val-bogus-ttl", 60, "how long data that failed validation is cached")
    o.timer("bogus key entry", 60, 60, "a zone whose DS or DNSKEY failed validation is "
      .. "blacked out this long (BOGUS_KEY_TTL, compiled in): real time at any speed")
  else
    line("    module-config: \"iterator\"")
  end

  if o.root_hints then
    files["root.hints"] = o.hints_file()
    line("    root-hints: " .. q(scratch() .. "/root.hints"))
  end

  for _, z in ipairs(o.zones) do
    line("")
    if z.kind == "forward" then
      line("forward-zone:")
      line("    name: " .. q(z.zone))
      for _, s in ipairs(z.servers) do line("    forward-addr: " .. addr(s)) end
    else
      line("stub-zone:")
      line("    name: " .. q(z.zone))
      for _, s in ipairs(z.servers) do line("    stub-addr: " .. addr(s)) end
      line("    stub-prime: no")
    end
  end
  line("")
  line("remote-control:")
  line("    control-enable: no")
  if o.extra then line("") line(o.extra) end
  files["unbound.conf"] = table.concat(c, "\n") .. "\n"

  process(o.name) {
    host = o.host,
    cmd = { "unbound", "-d", "-p", "-c", scratch() .. "/unbound.conf" },
    files = files,
    ready = { log = "start of service" },
    version = { "unbound", "-V" },
    timers = o.timers,
  }
end

return M
