-- resolver_dnsmasq.lua -- dnsmasq 2.90 as a forwarding cache, for
-- resolvers.resolver { software = "dnsmasq", ... } (the contract is in
-- resolvers.lua's header).
--
-- dnsmasq only forwards: a `stub` zone becomes a server=/zone/addr#port
-- line exactly like a `forward` zone (dnsmasq sends the query on with RD
-- set; an authority such as faultd answers it all the same), zone "." a
-- plain server=addr#port.  Several servers for a zone: dnsmasq sends to the
-- one it found fastest and re-measures them all every 20 s or 50 queries
-- (FORWARD_TIME, FORWARD_TEST: compiled in, so not in proportion).
--
-- What dnsmasq does about the things a DNS outage is made of:
--   * SERVFAIL is never cached: every client query during a SERVFAIL goes
--     to the authority (servfail_ttl = 0 is what it does; any other value
--     is an error);
--   * negative answers are cached for the SOA's TTL/MINIMUM, which faultd
--     scales; max-cache-ttl and min-cache-ttl clamp positive and negative
--     entries alike, so there is no separate negative cap
--     (negative_max_ttl is an error: use max_ttl);
--   * serve-stale is --use-stale-cache=MAX: stale data is answered at once
--     with TTL 0 and refreshed behind it, so answer_ttl (other than 0) and
--     client_timeout are errors;
--   * its wait for an upstream answer (10 s, TIMEOUT) and the client's
--     retries are network time: real on purpose, like the stub's timeout.
-- DNSSEC: --dnssec with one --trust-anchor per DS text given; dnsmasq
-- validates answers from a server=/zone/ line only when a trust anchor
-- covers that zone, and has no built-in anchor worth using in a test
-- network, so dnssec without trust_anchors is an error.
--
-- dnsmasq starts as root (to bind port 53) and then drops to its own
-- default user, nobody, or to o.user (--user=); its pid file is written
-- before that, into the scratch folder.  It reads no /etc/resolv.conf, no
-- /etc/hosts and no /etc/dnsmasq.conf, and logs to stderr (never the
-- machine's syslog), each query included.
local M = { software = "dnsmasq" }

-- dnsmasq's compiled-in defaults that the configuration writes out
local CACHE_SIZE = 150
local STALE_DEFAULT = 86400     -- --use-stale-cache without a value: 1 day
local MIN_CACHE_TTL_MAX = 3600  -- dnsmasq refuses min-cache-ttl above 1 h

local function server_addr(s)
  local a = s.addr
  -- dnsmasq takes IPv6 addresses bare: fd00::53#53
  return a .. "#" .. s.port
end

-- ". IN DS 20326 8 2 E06D..." (owner, optional TTL and class, DS, four
-- fields) -> "trust-anchor=.,20326,8,2,E06D..."
local function trust_anchor(text)
  local w = {}
  for x in tostring(text):gmatch("%S+") do w[#w + 1] = x end
  local i = 2
  while w[i] and w[i]:upper() ~= "DS" do i = i + 1 end
  if #w ~= i + 4 then return nil end
  return "trust-anchor=" .. w[1] .. "," .. w[i + 1] .. "," .. w[i + 2] .. ","
    .. w[i + 3] .. "," .. w[i + 4]
end

function M.declare(o)
  if o.root_hints then
    o.unsupported("root_hints (dnsmasq only forwards; it cannot iterate from a root)")
  end
  if o.servfail_ttl and o.servfail_ttl ~= 0 then
    o.unsupported("servfail_ttl (dnsmasq never caches SERVFAIL; only 0 describes it)")
  end
  if o.negative_max_ttl then
    o.unsupported("negative_max_ttl (max-cache-ttl caps negative and positive answers alike: use max_ttl)")
  end
  local ss = o.serve_stale
  if ss and ss.answer_ttl and ss.answer_ttl ~= 0 then
    o.unsupported("serve_stale.answer_ttl (stale answers carry TTL 0)")
  end
  if ss and ss.client_timeout then
    o.unsupported("serve_stale.client_timeout (stale data is answered at once, then refreshed)")
  end
  if o.dnssec and #o.dnssec.trust_anchors == 0 then
    o.unsupported("dnssec without trust_anchors (give the DS records of the test zones)")
  end
  local anchors = {}
  for i, ta in ipairs(o.dnssec and o.dnssec.trust_anchors or {}) do
    anchors[i] = trust_anchor(ta)
    if not anchors[i] then
      o.unsupported("dnssec trust anchor '" .. tostring(ta) .. "' (want 'OWNER [TTL] [IN] DS TAG ALG DIGESTTYPE DIGEST')")
    end
  end
  if o.max_ttl == 0 then
    o.unsupported("max_ttl = 0 (dnsmasq's max-cache-ttl=0 means no cap; extra = \"cache-size=0\" caches nothing)")
  end
  if o.min_ttl and o.real(o.min_ttl) > MIN_CACHE_TTL_MAX then
    o.unsupported("min_ttl above 1 h real (dnsmasq's limit on min-cache-ttl)")
  end

  local c = {
    "# written by scenarios/lib/resolver_dnsmasq.lua at speed " .. string.format("%g", o.speed),
    "no-resolv",
    "no-hosts",
    "bind-interfaces",
    "pid-file=" .. scratch() .. "/dnsmasq.pid",
    "log-facility=-",
    "log-queries",
    "cache-size=" .. CACHE_SIZE,
  }
  local function add(line) c[#c + 1] = line end
  for _, a in ipairs(o.listen) do add("listen-address=" .. a) end
  local several = false
  for _, z in ipairs(o.zones) do
    add("# " .. z.kind .. " " .. z.zone)
    local dom = z.zone == "." and "" or "/" .. z.zone:sub(1, -2) .. "/"
    for _, s in ipairs(z.servers) do add("server=" .. dom .. server_addr(s)) end
    several = several or #z.servers > 1
  end
  if several then
    o.timer("FORWARD_TIME", 20, 20,
      "dnsmasq re-measures a zone's servers every 20 s (or 50 queries); compiled in")
  end
  if o.max_ttl then
    add("max-cache-ttl=" .. o.real(o.max_ttl))
    o.timer("max-cache-ttl", o.max_ttl, o.real(o.max_ttl))
  end
  if o.min_ttl and o.min_ttl > 0 then
    add("min-cache-ttl=" .. o.real(o.min_ttl))
    o.timer("min-cache-ttl", o.min_ttl, o.real(o.min_ttl))
  end
  if ss then
    local max = ss.max_stale or STALE_DEFAULT
    -- 0: stale data is served however old (dnsmasq's meaning, and ours)
    add("use-stale-cache=" .. o.real(max))
    if max > 0 then o.timer("use-stale-cache", max, o.real(max)) end
  end
  if o.dnssec then
    add("dnssec")
    for _, a in ipairs(anchors) do add(a) end
  end
  if o.extra then add(o.extra) end

  local cmd = { "dnsmasq", "-k", "--conf-file=" .. scratch() .. "/dnsmasq.conf" }
  if o.user then cmd[#cmd + 1] = "--user=" .. o.user end
  -- rootless: only root (uid and gid 0) is mapped; dnsmasq keeps root
  -- when told so (its default user is nobody, its default group dip; an
  -- empty group skips the setgroups() a user namespace denies)
  if o.rootless and not o.user then
    cmd[#cmd + 1] = "--user=root"
    cmd[#cmd + 1] = "--group="  -- empty: no group change, no setgroups()
  end
  local l = o.listen[1]
  process(o.name) {
    host = o.host,
    cmd = cmd,
    files = { ["dnsmasq.conf"] = table.concat(c, "\n") .. "\n" },
    ready = { tcp = (l:find(":", 1, true) and "[" .. l .. "]" or l) .. ":53" },
    version = { "dnsmasq", "--version" },
    timers = o.timers,
  }
end

return M
