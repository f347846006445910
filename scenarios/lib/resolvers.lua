-- resolvers.lua -- a real recursive resolver (or forwarding cache) on a
-- host, declared from a few options, in the software's own configuration.
--
--   local resolvers = use "resolvers"
--   resolvers.resolver {
--     software = "unbound",          -- unbound | bind9 | knot | pdns | dnsmasq | dnsdist
--     name = "resolver",             -- the process's name (default: "resolver")
--     host = "resolver",             -- where it runs
--     listen = { "198.18.0.53" },    -- addresses it answers on (port 53)
--     forward = { ["amazonaws.com"] = { "198.18.9.2" } },  -- zone -> servers
--     stub = { ["example.com"] = { "198.18.9.3" } },       -- zone -> authorities
--     root_hints = net.hints,        -- iterate from a test root (use "internet")
--     serve_stale = { max_stale = "1d", answer_ttl = 30, client_timeout = "1800ms" },
--     negative_max_ttl = "1h",       -- cap on how long a negative answer is cached
--     servfail_ttl = "30s",          -- how long a SERVFAIL is cached (0: not at all)
--     min_ttl = 0, max_ttl = "1d",   -- clamps on cached TTLs
--     dnssec = { trust_anchors = { ". IN DS ..." } },      -- validation on (default off)
--     user = "nobody",               -- drop privileges (default: the profile's choice)
--     extra = "raw configuration",   -- appended to the generated config, as is
--   }
--
-- Every duration is incident time: a number of seconds or a string such as
-- "90s", "15m", "1h", "1d", "500ms".  The profile writes what the software
-- needs at the scenario's speed (speed()): each timer it controls divided
-- by the speed with a floor of 1 s, and it declares every timer it knows
-- in the process's `timers`, so the result lists what could not be kept in
-- proportion (doc/scenario-api.md, "Time").  `forward` sends queries for a
-- zone to recursive servers, `stub` to authorities; zone "." is everything.
-- `root_hints` = { { name = "a.root-servers.test.", addr = "198.18.100.1" },
-- ... } (internet.lua's net.hints) makes the software iterate from that
-- root instead of its built-in real one: each software's own hints
-- (unbound root-hints:, bind9 a hint zone, kresd hints.root(), pdns
-- hint-file=); the forwarders dnsmasq and dnsdist cannot iterate (an
-- error).  forward/stub zones still apply beside it.  Give at least one of
-- forward, stub, root_hints.
-- `dnssec = { trust_anchors = { net.trust_anchor } }` validates; each
-- anchor is a DS (or DNSKEY) record's text ("NAME [TTL] [IN] DS TAG ALG DT
-- DIGEST": internet.lua's net.trust_anchor with dnssec = true, or a
-- dnssec_key()'s .ds) and replaces the software's built-in real root
-- anchor: unbound `trust-anchor:` with the validator module, bind9
-- `trust-anchors { static-ds }` with dnssec-validation yes, knot
-- trust_anchors.remove('.') + trust_anchors.add(), pdns dnssec=validate
-- with clearTA()/addTA() in a lua-config-file, dnsmasq --trust-anchor
-- (dnsdist: an error).  Without dnssec none of them validates.  unbound,
-- bind9, knot and pdns validate the sealed internet's chain
-- (tests/integration/internet_dnssec.sh, doc/scenario-api.md).
-- Options a software cannot honour are errors naming the software and the
-- option, never silently ignored.
--
-- Returns the process's name.  What it declares is an ordinary `process`:
-- its configuration is written into the process's scratch folder
-- (OUT/scratch/NAME) and its version into result.json `versions`.
--
-- A software's profile lives in resolver_SOFTWARE.lua and returns
--   { software = "unbound", declare = function(o) ... end }
-- where o is the normalized options table:
--   o.name, o.host, o.user       strings (o.user may be nil)
--   o.rootless                   rootless(): only root is mapped in this run
--                                (doc/rootless.md), so the profile must not
--                                drop to another user by default; o.user is
--                                then nil or "root" (another user is an error)
--   o.listen                     list of addresses (strings), at least one
--   o.zones                      list of { zone = "amazonaws.com." (absolute,
--                                lower case), kind = "forward" | "stub",
--                                servers = { { addr = "198.18.9.2", port = 53 }, ... } },
--                                in the order given (sorted by zone name)
--   o.root_hints                 nil, or { { name = "a.root-servers.test." (absolute,
--                                lower case), addr = "198.18.100.1" }, ... }
--   o.hints_file()               the root hints as a master file (". NS name"
--                                and "name A addr" lines) for the software's
--                                scratch folder
--   o.serve_stale                nil, or { max_stale = s, answer_ttl = s,
--                                client_timeout = s } (each nil when not given)
--   o.negative_max_ttl, o.servfail_ttl, o.min_ttl, o.max_ttl   seconds or nil
--   o.dnssec                     nil, or { trust_anchors = { "text", ... } }
--   o.extra                      string or nil
--   o.speed                      speed()
--   o.real(s)                    seconds s of incident time at this speed, in
--                                whole real seconds, at least 1 (0 stays 0)
--   o.timer(name, incident_s, real_s, note)   declares a timer of the
--                                software (real_s nil: scaled exactly)
--   o.timers                     the list o.timer built: pass it as the
--                                process's `timers`
--   o.unsupported(what)          raises "SOFTWARE: WHAT is not supported"
-- and declares the process (process(o.name) { ... }).
local M = {}

M.software = { "unbound", "bind9", "knot", "pdns", "dnsmasq", "dnsdist" }

local units = { ms = 0.001, s = 1, m = 60, h = 3600, d = 86400 }

-- seconds of a duration given as a number or a string ("15m", "500ms")
function M.seconds(v, what)
  if type(v) == "number" then
    if v < 0 then error(what .. ": must not be negative", 3) end
    return v
  end
  if type(v) == "string" then
    local n, u = v:match("^(%d+%.?%d*)(%a*)$")
    local k = units[u ~= "" and u or "s"]
    if n and k then return tonumber(n) * k end
  end
  error(what .. ": '" .. tostring(v) .. "' is not a duration (90, \"90s\", \"15m\", \"1h\", \"1d\", \"500ms\")", 3)
end

local function addr_port(s, what)
  if type(s) ~= "string" then error(what .. ": servers are strings", 4) end
  local a, p = s:match("^%[(.+)%]:(%d+)$")
  if not a then
    a, p = s:match("^([%d%.]+):(%d+)$")
  end
  if not a then a, p = s, "53" end
  return { addr = a, port = tonumber(p) }
end

local function zones_of(t, kind, out, what)
  if t == nil then return end
  if type(t) ~= "table" then
    error(what .. ": " .. kind .. " = { [\"zone\"] = { \"server\", ... } }", 3)
  end
  local names = {}
  for z in pairs(t) do
    if type(z) ~= "string" then
      error(what .. ": " .. kind .. " keys are zone names", 3)
    end
    names[#names + 1] = z
  end
  table.sort(names)
  for _, z in ipairs(names) do
    local servers = t[z]
    if type(servers) == "string" then servers = { servers } end
    if type(servers) ~= "table" or #servers == 0 then
      error(what .. ": " .. kind .. " zone '" .. z .. "' needs at least one server", 3)
    end
    local zone = z:lower()
    if zone ~= "." and zone:sub(-1) ~= "." then zone = zone .. "." end
    local list = {}
    for i, s in ipairs(servers) do list[i] = addr_port(s, what) end
    out[#out + 1] = { zone = zone, kind = kind, servers = list }
  end
end

local known = {
  software = true, name = true, host = true, listen = true, forward = true,
  stub = true, serve_stale = true, negative_max_ttl = true, servfail_ttl = true,
  min_ttl = true, max_ttl = true, dnssec = true, user = true, extra = true,
  root_hints = true,
}

-- root_hints = { { name = "a.root-servers.test", addr = "198.18.100.1" }, ... }
local function hints_of(h, what)
  if h == nil then return nil end
  if type(h) ~= "table" or #h == 0 then
    error(what .. ": root_hints = { { name = \"a.root-servers.test.\", addr = \"198.18.100.1\" }, ... }"
      .. " (internet.lua's net.hints)", 3)
  end
  local out = {}
  for i, e in ipairs(h) do
    local name, addr = type(e) == "table" and e.name, type(e) == "table" and e.addr
    if type(name) ~= "string" or not name:match("^[%w%-_.]+$") or type(addr) ~= "string"
        or not (addr:match("^%d+%.%d+%.%d+%.%d+$") or addr:find(":", 1, true)) then
      error(what .. ": root_hints[" .. i .. "] needs name = \"a.root-servers.test.\" and addr = \"ADDR\"", 3)
    end
    name = name:lower()
    if name:sub(-1) ~= "." then name = name .. "." end
    out[i] = { name = name, addr = addr }
  end
  return out
end

function M.resolver(t)
  if type(t) ~= "table" then
    error("resolvers.resolver: give { software = \"unbound\", host = \"...\", ... }", 2)
  end
  local sw = t.software
  local what = "resolver (" .. tostring(sw) .. ")"
  for k in pairs(t) do
    if not known[k] then error(what .. ": unknown option '" .. tostring(k) .. "'", 2) end
  end
  local ok = false
  for _, s in ipairs(M.software) do ok = ok or s == sw end
  if not ok then
    error("resolvers.resolver: software = '" .. tostring(sw) .. "': one of "
      .. table.concat(M.software, ", "), 2)
  end
  if type(t.host) ~= "string" then error(what .. ": needs host = \"...\"", 2) end
  local listen = t.listen
  if type(listen) == "string" then listen = { listen } end
  if type(listen) ~= "table" or #listen == 0 then
    error(what .. ": needs listen = { \"ADDR\", ... }", 2)
  end

  if rootless() and t.user ~= nil and t.user ~= "root" then
    error(what .. ": user = \"" .. tostring(t.user) .. "\": a rootless run maps only root,"
      .. " so the resolver cannot drop to another user (leave user out when rootless();"
      .. " doc/rootless.md)", 2)
  end

  local speed = speed()
  local o = {
    software = sw, name = t.name or "resolver", host = t.host, user = t.user,
    listen = listen, zones = {}, extra = t.extra, speed = speed, timers = {},
    rootless = rootless(),
  }
  zones_of(t.forward, "forward", o.zones, what)
  zones_of(t.stub, "stub", o.zones, what)
  o.root_hints = hints_of(t.root_hints, what)
  for _, z in ipairs(o.zones) do
    if o.root_hints and z.zone == "." then
      error(what .. ": root_hints and a " .. z.kind .. " zone \".\" contradict each other"
        .. " (iterate from the root, or send everything to servers)", 2)
    end
  end
  if #o.zones == 0 and not o.root_hints then
    error(what .. ": needs forward = {...}, stub = {...} or root_hints = {...} (use \"internet\")", 2)
  end
  if t.serve_stale then
    local s = t.serve_stale == true and {} or t.serve_stale
    if type(s) ~= "table" then error(what .. ": serve_stale = true | false | { ... }", 2) end
    o.serve_stale = {
      max_stale = s.max_stale and M.seconds(s.max_stale, what .. " serve_stale.max_stale"),
      answer_ttl = s.answer_ttl and M.seconds(s.answer_ttl, what .. " serve_stale.answer_ttl"),
      client_timeout = s.client_timeout and M.seconds(s.client_timeout, what .. " serve_stale.client_timeout"),
    }
  end
  for _, k in ipairs({ "negative_max_ttl", "servfail_ttl", "min_ttl", "max_ttl" }) do
    if t[k] ~= nil then o[k] = M.seconds(t[k], what .. " " .. k) end
  end
  if t.dnssec then
    local d = t.dnssec == true and {} or t.dnssec
    if type(d) ~= "table" or type(d.trust_anchors or {}) ~= "table" then
      error(what .. ": dnssec = { trust_anchors = { \"...\" } }", 2)
    end
    o.dnssec = { trust_anchors = d.trust_anchors or {} }
  end

  function o.real(s)
    if s == 0 then return 0 end
    local r = math.floor(s / speed + 0.5)
    return r < 1 and 1 or r
  end
  function o.timer(name, incident_s, real_s, note)
    o.timers[#o.timers + 1] = { name = name, incident = incident_s, real = real_s, note = note }
  end
  function o.hints_file()
    local c = { "; root hints written by dnsdrill (scenarios/lib/resolvers.lua)" }
    for _, h in ipairs(o.root_hints) do c[#c + 1] = ".\t3600000\tIN\tNS\t" .. h.name end
    for _, h in ipairs(o.root_hints) do
      c[#c + 1] = h.name .. "\t3600000\tIN\t" .. (h.addr:find(":", 1, true) and "AAAA" or "A")
        .. "\t" .. h.addr
    end
    return table.concat(c, "\n") .. "\n"
  end
  function o.unsupported(opt)
    error(sw .. ": " .. opt .. " is not supported by this software's profile", 4)
  end

  local profile = use("resolver_" .. sw)
  profile.declare(o)
  return o.name
end

return M
