-- resolver_pdns.lua -- PowerDNS Recursor 4.8 (pdns_recursor) for
-- resolvers.resolver, software = "pdns".  The contract (the options o) is
-- in resolvers.lua.
--
-- pdns_recursor reads recursor.conf from --config-dir: the scratch folder,
-- which holds it (and recursor.lua for trust anchors); its control socket
-- goes to --socket-dir, the scratch folder too; daemon=no keeps it in the
-- foreground and write-pid=no keeps its pid file off the host.  Zones:
-- forward-zones (stub: the servers are authorities, queried without RD)
-- and forward-zones-recurse (forward: recursive servers, RD set).  It
-- would poll secpoll.powerdns.com and refuse clients outside RFC 1918 and
-- authorities in fc00::/7: the profile turns those off
-- (security-poll-suffix=, allow-from, dont-query=).
--
-- root_hints: hint-file= a file in the scratch folder (root.hints)
-- replaces the compiled-in real root hints; dnssec=off unless dnssec is
-- given (4.8's default process-no-validate would still ask for DNSSEC
-- records); query-local-address stays 0.0.0.0 (no IPv6 queries).
-- root-nx-trust stays on (4.8's default): an NXDOMAIN from the test root
-- is taken as covering everything below the name for its negative TTL.
-- Its timers that matter in an outage, and what the profile does with them
-- at speed():
--   server-down-throttle-time  60 s: after server-down-max-fails (64)
--       timeouts in a row a server is not asked at all for this long.  At
--       speed 360 the unscaled 60 s is six incident hours: the app stayed
--       down long after the fix.  Scaled.
--   packetcache-servfail-ttl   60 s: how long a SERVFAIL is answered from
--       the packet cache (o.servfail_ttl).  Scaled.
--   max-cache-ttl 1 d, max-negative-ttl 1 h, max-cache-bogus-ttl 1 h,
--   packetcache-ttl 1 h, non-resolving-ns-throttle-time 60 s: scaled.
--   minimum-ttl-override 1 s: whole seconds, so at most the 1 s floor.
--   network-timeout 1500 ms: a network timeout, real time on purpose (like
--       faultd's delay=), declared as such.
--   throttles compiled into 4.8 (syncres.cc), not configurable: a
--       server+name+type that answered SERVFAIL/REFUSED 60 s or 3 queries,
--       one that timed out 10 s or 5 queries, unreachable 60 s or 100:
--       declared unscaled.
--   serve-stale: stale records are extended by 30 s at a time (or their
--       original TTL when shorter, which faultd serves in proportion),
--       serve-stale-extensions times: max_stale becomes that count, and
--       the stale answer's TTL is the extension, so answer_ttl and
--       client_timeout (4.8 has no such wait) are not supported.
local M = { software = "pdns" }

local THROTTLE, SERVFAIL_TTL, MAX_CACHE, MAX_NEG = 60, 60, 86400, 3600
local MAX_BOGUS, PKT_TTL, NONRES_THROTTLE, MIN_TTL = 3600, 3600, 60, 1
local STALE_PERIOD = 30

local function target(s)
  if s.addr:find(":") then return "[" .. s.addr .. "]:" .. s.port end
  return s.addr .. ":" .. s.port
end

-- ". IN DS 20326 8 2 E06D..." -> ".", "20326 8 2 E06D..." (pdns's addTA)
-- (words split with gmatch: a backtracking match over a whole DS record
-- is over the sandbox's pattern budget)
local function ds_of(text)
  local words = {}
  for w in text:gmatch("%S+") do words[#words + 1] = w end
  local name = table.remove(words, 1)
  if not name then return nil end
  local i = 1
  while words[i] and words[i]:upper() ~= "DS" do i = i + 1 end
  if not words[i] or not words[i + 4] then return nil end
  return name, table.concat(words, " ", i + 1)
end

function M.declare(o)
  local s = o.serve_stale
  if s and s.answer_ttl ~= nil then
    o.unsupported("serve_stale.answer_ttl (pdns_recursor 4.8 gives a stale record the 30 s " ..
      "extension, or its original TTL when shorter)")
  end
  if s and s.client_timeout ~= nil then
    o.unsupported("serve_stale.client_timeout (pdns_recursor 4.8 serves stale only once " ..
      "resolution has failed)")
  end

  local c = { "# written by dnsdrill's scenarios/lib/resolver_pdns.lua (speed " ..
    o.speed .. ")" }
  local function set(k, v) c[#c + 1] = k .. "=" .. tostring(v) end
  -- the process: foreground, nothing outside the scratch folder
  set("daemon", "no")
  set("write-pid", "no")
  set("socket-dir", scratch())
  set("disable-syslog", "yes")
  set("log-timestamp", "no")
  set("security-poll-suffix", "")
  set("local-address", table.concat(o.listen, ", "))
  set("local-port", 53)
  set("allow-from", "0.0.0.0/0, ::/0")
  set("dont-query", "")
  if o.user then
    set("setuid", o.user)
  end

  local fwd, rec = {}, {}
  for _, z in ipairs(o.zones) do
    local list = {}
    for i, sv in ipairs(z.servers) do list[i] = target(sv) end
    local entry = z.zone .. "=" .. table.concat(list, ";")
    if z.kind == "stub" then fwd[#fwd + 1] = entry else rec[#rec + 1] = entry end
  end
  local files = {}
  if o.root_hints then
    set("hint-file", scratch() .. "/root.hints")
    files["root.hints"] = o.hints_file()
  end
  if #fwd > 0 then set("forward-zones", table.concat(fwd, ", ")) end
  if #rec > 0 then set("forward-zones-recurse", table.concat(rec, ", ")) end

  if o.dnssec == nil then
    set("dnssec", "off")
  else
    set("dnssec", "validate")
    if #o.dnssec.trust_anchors > 0 then
      local lua = { "clearTA()" }
      for _, ta in ipairs(o.dnssec.trust_anchors) do
        local name, ds = ds_of(ta)
        if not name then
          o.unsupported("dnssec trust anchor '" .. ta .. "' (pdns takes DS records: " ..
            "\". IN DS 20326 8 2 E06D...\")")
        end
        lua[#lua + 1] = string.format("addTA(%q, %q)", name, ds)
      end
      files["recursor.lua"] = table.concat(lua, "\n") .. "\n"
      set("lua-config-file", scratch() .. "/recursor.lua")
    end
  end

  -- timers, scaled: each written and declared (real omitted when exact)
  local function scaled(name, incident, note)
    local r = o.real(incident)
    set(name, r)
    o.timer(name, incident, r ~= incident / o.speed and r or nil, note)
  end
  scaled("server-down-throttle-time", THROTTLE,
    "a server with server-down-max-fails (64) timeouts in a row is not asked for this long")
  scaled("packetcache-servfail-ttl", o.servfail_ttl or SERVFAIL_TTL)
  scaled("max-cache-ttl", o.max_ttl or MAX_CACHE)
  scaled("packetcache-ttl", o.max_ttl or PKT_TTL)
  scaled("max-negative-ttl", o.negative_max_ttl or MAX_NEG)
  scaled("max-cache-bogus-ttl", MAX_BOGUS)
  scaled("non-resolving-ns-throttle-time", NONRES_THROTTLE)
  scaled("minimum-ttl-override", o.min_ttl or MIN_TTL,
    o.min_ttl == nil and "pdns's default 1 s; whole seconds" or "whole seconds")
  o.timer("network-timeout", 1.5, 1.5, "a network timeout: real time on purpose")
  o.timer("throttle after SERVFAIL/REFUSED", 60, 60,
    "compiled into 4.8, per server+name+type; also ends after 3 queries")
  o.timer("throttle after a timeout", 10, 10,
    "compiled into 4.8, per server+name+type; also ends after 5 queries")
  o.timer("throttle after unreachable", 60, 60,
    "compiled into 4.8, per server+name+type; also ends after 100 queries")
  if s then
    local max_stale = s.max_stale or 86400
    local n = math.ceil(max_stale / STALE_PERIOD)
    if n < 1 then n = 1 end
    if n > 65535 then n = 65535 end
    set("serve-stale-extensions", n)
    o.timer("serve-stale extension", STALE_PERIOD, STALE_PERIOD,
      "compiled into 4.8, or the record's original TTL when shorter (in proportion); " ..
      "serve-stale-extensions = " .. n .. " of them")
  end
  if o.extra then c[#c + 1] = o.extra end
  files["recursor.conf"] = table.concat(c, "\n") .. "\n"

  process(o.name) {
    host = o.host,
    cmd = { "pdns_recursor", "--config-dir=" .. scratch() },
    files = files,
    ready = { tcp = (o.listen[1]:find(":") and "[" .. o.listen[1] .. "]" or o.listen[1]) .. ":53" },
    -- its banner goes to stderr after a timestamp: keep the name and version
    version = { "sh", "-c", "pdns_recursor --version 2>&1 | " ..
      "sed -n 's/.*\\(PowerDNS Recursor [0-9][^ ]*\\).*/\\1/p' | head -1" },
    timers = o.timers,
  }
end

return M
