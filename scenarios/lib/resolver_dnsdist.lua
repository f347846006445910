-- resolver_dnsdist.lua -- dnsdist 1.7 as a forwarding cache, for
-- resolvers.resolver { software = "dnsdist", ... } (the contract is in
-- resolvers.lua's header).
--
-- It stands in for the CoreDNS setup of our starting documents, which
-- Debian does not package:
--     forward . A B C { policy sequential; health_check 15s }
--     cache { success 2048 300s; denial 1024 60s }
-- as
--   * one newServer per server of a zone, in the order given (order = 1,
--     2, ...), with setServerPolicy(firstAvailable): the first server that
--     is up gets every query, like `policy sequential`;
--   * health checks every 15 incident seconds (checkInterval, scaled) for
--     the zone's apex SOA; a server is down after 2 failed checks in a row
--     (CoreDNS's max_fails) and up after 1 good one.  A check fails on a
--     timeout (checkTimeout, 1 s: network time, real on purpose) or a
--     SERVFAIL; an empty answer, NXDOMAIN or REFUSED passes.  A fault on
--     one name does not touch the check, so dnsdist never fails over for it;
--   * one packet cache of 2048 entries (CoreDNS keeps 2048 positive and
--     1024 negative apart) with maxTTL = max_ttl or 300 s, maxNegativeTTL =
--     negative_max_ttl or 60 s, SERVFAIL and REFUSED cached for servfail_ttl
--     or 5 s (temporaryFailureTTL; CoreDNS's default servfail 5s), all
--     incident time, scaled;
--   * every server of a zone down: dnsdist drops the query (CoreDNS would
--     still try one of them).  With serve_stale the cache keeps expired
--     entries meanwhile (keepStaleData) and answers them with staleTTL =
--     serve_stale.answer_ttl or dnsdist's 60 s.  dnsdist serves stale only
--     then -- not after a client timeout (client_timeout is an error) and
--     for as long as the servers stay down (max_stale is an error); expired
--     entries are swept every setCacheCleaningDelay (60 s, scaled), so
--     stale data older than that at the outage's start may be gone.
-- Zones other than ".": each gets a pool (z1, z2, ...) and a
-- SuffixMatchNodeRule -> PoolAction, most specific zone first; names in no
-- zone are REFUSED unless "." is a zone (the default pool).  `stub` zones
-- are forwarded the same way: dnsdist only proxies.
-- Not supported: min_ttl (dnsdist's minTTL is an insertion threshold, not
-- a floor), dnssec (dnsdist does not validate).
--
-- dnsdist runs in the foreground (--supervised), logs to stderr
-- (--disable-syslog), opens no console, never polls the security status
-- over the machine's resolver (setSecurityPollSuffix("")), and answers
-- any client of the sealed test network (setACL).  It binds port 53 as
-- root, then drops to _dnsdist (Debian's user for it) or to o.user and
-- the group of the same name, nogroup for nobody (--uid/--gid; a missing
-- group stops it with "Unable to parse group ID").
local M = { software = "dnsdist" }

local HEALTH_CHECK = 15        -- CoreDNS health_check 15s
local MAX_CHECK_FAILURES = 2   -- CoreDNS max_fails
local CACHE_ENTRIES = 2048
local MAX_TTL = 300            -- cache success ... 300s
local MAX_NEGATIVE_TTL = 60    -- cache denial ... 60s
local SERVFAIL_TTL = 5         -- CoreDNS cache's servfail default
local STALE_TTL = 60           -- dnsdist's staleTTL default
local CLEANING_DELAY = 60      -- dnsdist's setCacheCleaningDelay default

local function q(s) return string.format("%q", s) end

local function server_addr(s)
  if s.addr:find(":", 1, true) then return "[" .. s.addr .. "]:" .. s.port end
  return s.addr .. ":" .. s.port
end

local function labels(zone)
  if zone == "." then return 0 end
  local _, n = zone:gsub("%.", "")
  return n
end

function M.declare(o)
  if o.root_hints then
    o.unsupported("root_hints (dnsdist only proxies; it cannot iterate from a root)")
  end
  if o.min_ttl and o.min_ttl ~= 0 then
    o.unsupported("min_ttl (dnsdist's minTTL only keeps shorter answers out of the cache)")
  end
  if o.dnssec then
    o.unsupported("dnssec (dnsdist does not validate)")
  end
  local ss = o.serve_stale
  if ss and ss.max_stale then
    o.unsupported("serve_stale.max_stale (stale entries are served for as long as every server is down)")
  end
  if ss and ss.client_timeout then
    o.unsupported("serve_stale.client_timeout (stale data is served only when every server is down)")
  end

  local check = o.real(HEALTH_CHECK)
  o.timer("checkInterval", HEALTH_CHECK, check,
    "health check of each server (CoreDNS health_check 15s); down after "
    .. MAX_CHECK_FAILURES .. " failures")
  -- a timer of 0 is 0 at any speed: nothing to declare
  local function ttl(name, incident)
    if incident > 0 then o.timer(name, incident, o.real(incident)) end
    return o.real(incident)
  end
  local opts = {
    "maxTTL=" .. ttl("maxTTL", o.max_ttl or MAX_TTL),
    "maxNegativeTTL=" .. ttl("maxNegativeTTL", o.negative_max_ttl or MAX_NEGATIVE_TTL),
    "temporaryFailureTTL=" .. ttl("temporaryFailureTTL", o.servfail_ttl or SERVFAIL_TTL),
  }
  if ss then
    opts[#opts + 1] = "staleTTL=" .. ttl("staleTTL", ss.answer_ttl or STALE_TTL)
    opts[#opts + 1] = "keepStaleData=true"
  end
  local clean = ttl("setCacheCleaningDelay", CLEANING_DELAY)

  local c = {
    "-- written by scenarios/lib/resolver_dnsdist.lua at speed " .. string.format("%g", o.speed),
    "setSecurityPollSuffix('')",
    "setACL({'0.0.0.0/0', '::/0'})",
  }
  local function add(line) c[#c + 1] = line end
  for i, a in ipairs(o.listen) do
    local l = server_addr({ addr = a, port = 53 })
    add((i == 1 and "setLocal(" or "addLocal(") .. q(l) .. ")")
  end
  add("setServerPolicy(firstAvailable)")
  add("setCacheCleaningDelay(" .. clean .. ")")
  add("pc = newPacketCache(" .. CACHE_ENTRIES .. ", {" .. table.concat(opts, ", ") .. "})")

  -- most specific zone first: the first matching rule wins
  local zones = {}
  for i, z in ipairs(o.zones) do zones[i] = z end
  table.sort(zones, function(a, b)
    if labels(a.zone) ~= labels(b.zone) then return labels(a.zone) > labels(b.zone) end
    return a.zone < b.zone
  end)
  local root = false
  for i, z in ipairs(zones) do
    local pool = z.zone == "." and "" or "z" .. i
    root = root or z.zone == "."
    add("-- " .. z.kind .. " " .. z.zone)
    for n, s in ipairs(z.servers) do
      add("newServer({address=" .. q(server_addr(s)) .. ", pool=" .. q(pool)
        .. ", order=" .. n .. ", checkName=" .. q(z.zone) .. ", checkType='SOA'"
        .. ", checkInterval=" .. check .. ", maxCheckFailures=" .. MAX_CHECK_FAILURES
        .. ", rise=1})")
    end
    add("getPool(" .. q(pool) .. "):setCache(pc)")
    if pool ~= "" then
      add("smn" .. i .. " = newSuffixMatchNode()")
      add("smn" .. i .. ":add(" .. q(z.zone) .. ")")
      add("addAction(SuffixMatchNodeRule(smn" .. i .. "), PoolAction(" .. q(pool) .. "))")
    end
  end
  if not root then add("addAction(AllRule(), RCodeAction(DNSRCode.REFUSED))") end
  if o.extra then add(o.extra) end

  -- dnsdist keeps group 0 unless told (--gid): the user's same-named group,
  -- or Debian's nogroup for nobody (there is no group nobody)
  -- (rootless: only root is mapped; dnsdist stays root)
  local user = o.user or "_dnsdist"
  local group = user == "nobody" and "nogroup" or user
  local cmd = { "dnsdist", "--supervised", "--disable-syslog" }
  if not o.rootless then
    for _, a in ipairs({ "--uid", user, "--gid", group }) do cmd[#cmd + 1] = a end
  end
  cmd[#cmd + 1] = "-C"
  cmd[#cmd + 1] = scratch() .. "/dnsdist.conf"
  process(o.name) {
    host = o.host,
    cmd = cmd,
    files = { ["dnsdist.conf"] = table.concat(c, "\n") .. "\n" },
    ready = { tcp = server_addr({ addr = o.listen[1], port = 53 }) },
    version = { "dnsdist", "--version" },
    timers = o.timers,
  }
end

return M
