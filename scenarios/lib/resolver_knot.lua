-- resolver_knot.lua -- Knot Resolver 5.6 (kresd) for resolvers.resolver,
-- software = "knot".  The contract (the options o) is in resolvers.lua.
--
-- kresd runs in the foreground without its prompt (`kresd -n -c CONFIG
-- RUNDIR`, kresd(8)) with its scratch folder as the run directory: the LMDB
-- cache (data.mdb, lock.mdb) and the control socket (control/PID) live
-- there, so nothing reaches the host.  The configuration is Lua:
--   net.listen(ADDR, 53)                     per o.listen
--   policy.add(policy.suffix(policy.STUB/FORWARD({ 'ADDR@PORT', ... }),
--              { todname('zone.') }))        per zone, the deepest first
--   trust_anchors.remove('.')                validation off (kresd validates
--                                            by default against the real root
--                                            key, which a test root lacks)
--   cache.max_ttl / min_ttl / ns_tout        clamps and the dead-server hold
--   modules.load('serve_stale < cache')      with its timeout and callback
--
-- root_hints: hints.root({ ['a.root-servers.test.'] = { '198.18.100.1' } })
-- replaces kresd's built-in real root hints (the hints module, loaded for
-- it); validation stays off (trust_anchors.remove('.'), below: kresd's
-- built-in anchor is the real root's), priming stays unloaded (the hints
-- are used as they are), and net.ipv6 = false (no IPv6 in the sealed net)
-- unless an address is IPv6.  kresd refuses client queries for names
-- under test., onion., invalid. and local. (policy.special_names): name
-- servers may live there (a.gtld.test), the names clients ask may not.
-- kresd's timers that matter in an outage, and what the profile does with
-- them at speed():
--   cache.min_ttl    default 5 s: every TTL below it is raised to it (a
--                    stub zone's SERVFAIL's too), so
--                    at speed 30 a 60 s record served as 2 s would live
--                    5 real s (150 incident s).  Scaled (whole seconds,
--                    at least 1; 0 stays 0).
--   cache.max_ttl    default 6 days; also caps negative answers (kresd has
--                    no separate negative cap).  Scaled.
--   cache.ns_tout    1000 ms: an upstream address that timed out 4 times in
--                    a row is skipped for this long (lib/selection.h).
--                    In milliseconds, so scaled exactly down to 1 ms.
--   serve_stale      timeout 3 s (serve_stale.timeout, a client-facing wait,
--                    kept in real time like a stub's timeout) and at most
--                    1 day stale (its callback, scaled); the stale answer's
--                    TTL is the callback's return value (1 s by default).
-- No knob caps a SERVFAIL's life: through policy.STUB kresd caches the
-- authority's SERVFAIL packet like any answer, its TTL 0 raised to
-- cache.min_ttl (seen in its debug log: "stashed packet ... TTL 1 (56 B)"),
-- so servfail_ttl is not supported; nor is negative_max_ttl (negative
-- answers are capped by cache.max_ttl like any other).
local M = { software = "knot" }

-- kresd's defaults (knot-resolver 5.6 doc, cache.rst; lib/selection.h;
-- modules/serve_stale)
local MIN_TTL, MAX_TTL, NS_TOUT_MS = 5, 6 * 86400, 1000
local STALE_TIMEOUT, STALE_MAX, STALE_TTL = 3, 86400, 1

local function lstr(s)
  return string.format("%q", s)
end

-- "198.18.9.2@53", "fd00::2@53": kresd's address@port spelling
local function target(s)
  return s.addr .. "@" .. s.port
end

local function labels(zone)
  if zone == "." then return 0 end
  local _, n = zone:gsub("%.", "")
  return n
end

function M.declare(o)
  if o.negative_max_ttl ~= nil then
    o.unsupported("negative_max_ttl (kresd caps negative answers with cache.max_ttl like " ..
      "any other: give max_ttl)")
  end
  if o.servfail_ttl ~= nil then
    o.unsupported("servfail_ttl (kresd 5.6 has no such knob: a stub zone's SERVFAIL is " ..
      "cached for cache.min_ttl, i.e. min_ttl)")
  end

  local c = { "-- written by dnsdrill's scenarios/lib/resolver_knot.lua (speed " ..
    o.speed .. ")" }
  local function add(s) c[#c + 1] = s end
  add("log_level('info')")
  for _, a in ipairs(o.listen) do
    add("net.listen(" .. lstr(a) .. ", 53, { kind = 'dns' })")
  end
  -- the cache in the run directory (the scratch folder), small
  add("cache.open(16 * MB, 'lmdb://" .. scratch() .. "')")
  -- no priming of the real root, no time-skew query to it
  add("modules.unload('priming')")
  add("modules.unload('detect_time_skew')")

  if o.root_hints then
    local v6, by = false, {}
    for _, a in ipairs(o.listen) do v6 = v6 or a:find(":", 1, true) ~= nil end
    local order = {}
    for _, h in ipairs(o.root_hints) do
      v6 = v6 or h.addr:find(":", 1, true) ~= nil
      if not by[h.name] then by[h.name] = {} order[#order + 1] = h.name end
      local l = by[h.name]
      l[#l + 1] = lstr(h.addr)
    end
    if not v6 then add("net.ipv6 = false") end
    add("modules.load('hints > iterate')")
    local ents = {}
    for _, n in ipairs(order) do ents[#ents + 1] = "[" .. lstr(n) .. "] = { " .. table.concat(by[n], ", ") .. " }" end
    add("hints.root({ " .. table.concat(ents, ", ") .. " })")
  end

  -- policies: the first match wins, so the deepest zone first
  local zones = {}
  for i, z in ipairs(o.zones) do zones[i] = z end
  table.sort(zones, function(a, b)
    local la, lb = labels(a.zone), labels(b.zone)
    if la ~= lb then return la > lb end
    return a.zone < b.zone
  end)
  for _, z in ipairs(zones) do
    local list = {}
    for i, s in ipairs(z.servers) do list[i] = lstr(target(s)) end
    local action = (z.kind == "stub" and "policy.STUB" or "policy.FORWARD") ..
      "({ " .. table.concat(list, ", ") .. " })"
    if z.zone == "." then
      add("policy.add(policy.all(" .. action .. "))")
    else
      add("policy.add(policy.suffix(" .. action .. ", { todname(" .. lstr(z.zone) .. ") }))")
    end
  end

  -- DNSSEC: off unless asked for; with anchors, only those
  if o.dnssec == nil then
    add("trust_anchors.remove('.')")
  elseif #o.dnssec.trust_anchors > 0 then
    add("trust_anchors.remove('.')")
    for _, ta in ipairs(o.dnssec.trust_anchors) do
      add("trust_anchors.add(" .. lstr(ta) .. ")")
    end
  end

  -- the cache's clamps, scaled
  local min_ttl = o.min_ttl or MIN_TTL
  local max_ttl = o.max_ttl or MAX_TTL
  local min_real, max_real = o.real(min_ttl), o.real(max_ttl)
  if max_real <= min_real then max_real = min_real + 1 end
  add("cache.max_ttl(" .. max_real .. ")")
  add("cache.min_ttl(" .. min_real .. ")")
  o.timer("cache.min_ttl", min_ttl, min_real ~= min_ttl / o.speed and min_real or nil,
    (o.min_ttl == nil and "kresd's default 5 s: shorter TTLs are raised to it; " or "") ..
    "also how long a stub zone's SERVFAIL is cached")
  o.timer("cache.max_ttl", max_ttl, max_real ~= max_ttl / o.speed and max_real or nil,
    "also the cap on negative answers")

  -- the dead-upstream hold: milliseconds, so in proportion to 1 ms
  local ns_ms = math.floor(NS_TOUT_MS / o.speed + 0.5)
  if ns_ms < 1 then ns_ms = 1 end
  add("cache.ns_tout(" .. ns_ms .. ")")
  o.timer("cache.ns_tout", NS_TOUT_MS / 1000,
    ns_ms ~= NS_TOUT_MS / o.speed and ns_ms / 1000 or nil,
    "an upstream address that timed out 4 times in a row is skipped this long")

  if o.serve_stale then
    local s = o.serve_stale
    local timeout = s.client_timeout or STALE_TIMEOUT
    local max_stale = s.max_stale or STALE_MAX
    local ttl = s.answer_ttl or STALE_TTL
    local max_real_stale, ttl_real = o.real(max_stale), o.real(ttl)
    add("modules.load('serve_stale < cache')")
    add("serve_stale.timeout = " .. math.floor(timeout * 1000 + 0.5))
    -- the callback decides per record: its TTL (negative: how long expired)
    -- against the stale limit; its answer is the stale answer's TTL
    add("serve_stale.callback = require('ffi').cast('kr_stale_cb', function(ttl)")
    add("  if ttl + " .. max_real_stale .. " > 0 then return " .. ttl_real .. " end")
    add("  return -1")
    add("end)")
    o.timer("serve_stale.timeout", timeout, timeout,
      "how long a client waits before a stale answer: real time, like a stub's timeout")
    o.timer("serve_stale max stale", max_stale,
      max_real_stale ~= max_stale / o.speed and max_real_stale or nil,
      s.max_stale == nil and "the module's fixed 1 day, scaled" or nil)
    o.timer("serve_stale answer TTL", ttl, ttl_real ~= ttl / o.speed and ttl_real or nil)
  end
  if o.user then
    -- after the sockets and the cache are open
    add("user(" .. lstr(o.user) .. ")")
  end
  if o.extra then add(o.extra) end

  process(o.name) {
    host = o.host,
    cmd = { "kresd", "-n", "-c", scratch() .. "/kresd.conf", scratch() },
    files = { ["kresd.conf"] = table.concat(c, "\n") .. "\n" },
    ready = { tcp = (o.listen[1]:find(":") and "[" .. o.listen[1] .. "]" or o.listen[1]) .. ":53" },
    version = { "kresd", "--version" },
    timers = o.timers,
  }
end

return M
