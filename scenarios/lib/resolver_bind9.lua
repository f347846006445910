-- resolver_bind9.lua -- BIND 9 (named 9.18) as a resolver profile: what
-- resolvers.resolver { software = "bind9", ... } declares (the contract is
-- in resolvers.lua's header).
--
-- named runs in the foreground logging to stderr (-g), from named.conf in
-- its scratch folder, which is also its `directory` (where it writes
-- managed keys and dumps); `pid-file none`, `session-keyfile none` and
-- `controls {}` (no rndc channel) keep it from writing anything outside
-- it.  Zones: forward -> `type forward; forward only;` with `forwarders`,
-- stub -> `type static-stub;` with `server-addresses` (port 53 only: BIND's
-- grammar has no port there).  named logs an authority's SERVFAIL as
-- "SERVFAIL unexpected RCODE resolving 'NAME/A/IN': ADDR#53" (a timeout
-- logs nothing at its default severity).  It is ready on its "running" line.  `user` becomes named's -u: named
-- binds port 53 as root, then drops to the user.
--
-- Timers (incident time in, real time written; resolvers.lua scales):
--   max-cache-ttl          604800 s (a week), or max_ttl
--   min-cache-ttl          min_ttl (BIND refuses more than 90 s)
--   max-ncache-ttl         10800 s, or negative_max_ttl
--   servfail-ttl           1 s, or servfail_ttl (BIND refuses more than
--                          30 s; 0 turns the SERVFAIL cache off); whole
--                          seconds, so at speeds above 1 the floor of 1 s
--                          makes it longer than in proportion (listed)
--   max-stale-ttl          max_stale or 86400 s, with serve_stale
--   stale-answer-ttl       answer_ttl or 30 s, with serve_stale
--   stale-refresh-time     30 s, with serve_stale: after a failed refresh,
--                          stale answers are given at once for that long
--                          without asking the authority again
--   stale-answer-client-timeout  client_timeout (default off: a stale
--                          answer only once resolution has failed); a
--                          latency budget, real time on purpose (listed)
--   prefetch               2 9 (BIND's default): a record of at least 9 s
--                          TTL asked for in its last 2 s is refreshed at
--                          once; during an empty-record fault that brings
--                          the empty answer up to 2 s early.  Whole
--                          seconds, and the eligibility at least the trigger
--                          + 6 s: at speed 2-4 written as `prefetch 1 7`,
--                          above 4 the trigger rounds to 0 and prefetch is
--                          off (both listed)
-- lame-ttl is not written: 9.18 forces it to 0 (CVE-2021-25219).
-- resolver-query-timeout (10 s) and the retry back-off towards an
-- authority are network time, real time on purpose (doc/scenario-api.md,
-- "Time").
-- root_hints: a hint zone (`zone "." { type hint; file "root.hints"; }`,
-- the file in the scratch folder) replaces named's built-in real root
-- hints; dnssec-validation no unless dnssec is given (9.18's default
-- `auto` would use the real root's managed key, which the test root does
-- not have), and named -4 (the sealed net has no IPv6) unless an address
-- is IPv6.
local M = { software = "bind9" }

local function q(s) return '"' .. s .. '"' end

-- "NAME [TTL] [CLASS] DS|DNSKEY rdata" -> a trust-anchors entry
local function anchor(text)
  local tok = {}
  for w in text:gmatch("%S+") do tok[#tok + 1] = w end
  local name, i = tok[1], 2
  while tok[i] and tok[i]:upper() ~= "DS" and tok[i]:upper() ~= "DNSKEY" do i = i + 1 end
  local ty = tok[i] and tok[i]:upper()
  if not ty or #tok < i + 4 then
    error("bind9: trust anchor '" .. text .. "': give a DS or DNSKEY record in "
      .. "presentation format (\". IN DS 20326 8 2 E06D...\")", 0)
  end
  local rest = table.concat(tok, "", i + 4)
  return string.format("%s %s %s %s %s %s;", q(name),
    ty == "DS" and "static-ds" or "static-key", tok[i + 1], tok[i + 2], tok[i + 3], q(rest))
end

function M.declare(o)
  local c = {}
  local function line(s) c[#c + 1] = s end
  -- a timer named lets us set: declared, and its real value written
  local function timer(opt, incident, note)
    local real = o.real(incident)
    if incident > 0 then o.timer(opt, incident, real, note) end
    line("\t" .. opt .. " " .. real .. ";")
  end

  if o.user then
    o.unsupported("user (named -u reads named.conf after dropping privileges; "
      .. "the scratch folder is root's)")
  end
  if o.min_ttl and o.min_ttl > 90 then
    o.unsupported("min_ttl above 90 s (BIND's limit for min-cache-ttl)")
  end
  if o.servfail_ttl and o.servfail_ttl > 30 then
    o.unsupported("servfail_ttl above 30 s (BIND's limit for servfail-ttl)")
  end
  for _, z in ipairs(o.zones) do
    for _, s in ipairs(z.servers) do
      if z.kind == "stub" and s.port ~= 53 then
        o.unsupported("stub server " .. s.addr .. " port " .. s.port
          .. " (static-stub server-addresses take no port; use forward)")
      end
    end
  end

  local v4, v6 = {}, {}
  for _, a in ipairs(o.listen) do
    if a:find(":", 1, true) then v6[#v6 + 1] = a .. ";" else v4[#v4 + 1] = a .. ";" end
  end
  local hints_v6 = false
  for _, h in ipairs(o.root_hints or {}) do hints_v6 = hints_v6 or h.addr:find(":", 1, true) ~= nil end
  local files = {}

  line("// written by dnsdrill's resolver profile (scenarios/lib/resolver_bind9.lua)")
  line(string.format("// at speed %g: timers in real seconds, see result.json time_distortions",
    o.speed))
  line("options {")
  line("\tdirectory " .. q(scratch()) .. ";")
  line("\tpid-file none;")
  line("\tsession-keyfile none;")
  line("\tlisten-on port 53 { " .. (#v4 > 0 and table.concat(v4, " ") or "none;") .. " };")
  line("\tlisten-on-v6 port 53 { " .. (#v6 > 0 and table.concat(v6, " ") or "none;") .. " };")
  line("\trecursion yes;")
  -- the network is sealed: whoever reaches it may ask
  line("\tallow-query { any; };")
  line("\tallow-recursion { any; };")
  line("\tnotify no;")
  line("\tdnssec-validation " .. (o.dnssec and "yes" or "no") .. ";")
  timer("max-cache-ttl", o.max_ttl or 604800)
  if o.min_ttl then timer("min-cache-ttl", o.min_ttl) end
  timer("max-ncache-ttl", o.negative_max_ttl or 10800)
  timer("servfail-ttl", o.servfail_ttl or 1, "how long a SERVFAIL is cached")
  -- prefetch: nearest whole seconds BIND accepts (0 turns it off)
  local trigger = math.floor(2 / o.speed + 0.5)
  local eligible = trigger > 0 and math.max(trigger + 6, math.floor(9 / o.speed + 0.5)) or 0
  line("\tprefetch " .. trigger .. (trigger > 0 and " " .. eligible or "") .. ";")
  local why = trigger > 0 and "" or "; 2 s is under BIND's 1 s resolution at this speed: "
    .. "prefetch off, so an empty or changed record reaches clients up to 2 s of "
    .. "the incident later than at speed 1"
  o.timer("prefetch", 2, trigger,
    "a record of at least 9 s TTL asked for in its last 2 s is refreshed at once" .. why)
  if trigger > 0 then
    o.timer("prefetch eligibility", 9, eligible,
      "only records of at least this TTL are prefetched (BIND: the trigger + 6 s or more)")
  end
  local ss = o.serve_stale
  if ss then
    line("\tstale-cache-enable yes;")
    line("\tstale-answer-enable yes;")
    timer("max-stale-ttl", ss.max_stale or 86400)
    timer("stale-answer-ttl", ss.answer_ttl or 30)
    timer("stale-refresh-time", 30,
      "after a failed refresh, stale answers are given without asking the authority")
    if ss.client_timeout and ss.client_timeout > 0 then
      o.timer("stale-answer-client-timeout", ss.client_timeout, ss.client_timeout,
        "how long a client waits before a stale answer: a latency budget, real time")
      line("\tstale-answer-client-timeout " .. math.floor(ss.client_timeout * 1000 + 0.5) .. ";")
    else
      line("\tstale-answer-client-timeout off;")
    end
  else
    line("\tstale-cache-enable no;")
    line("\tstale-answer-enable no;")
  end
  line("};")
  line("")
  if o.dnssec and #o.dnssec.trust_anchors > 0 then
    line("trust-anchors {")
    for _, ta in ipairs(o.dnssec.trust_anchors) do line("\t" .. anchor(ta)) end
    line("};")
    line("")
  end
  line("controls {};")
  for _, z in ipairs(o.zones) do
    line("")
    local name = z.zone == "." and "." or z.zone:sub(1, -2)
    line("zone " .. q(name) .. " {")
    local list = {}
    if z.kind == "forward" then
      for _, s in ipairs(z.servers) do list[#list + 1] = s.addr .. " port " .. s.port .. ";" end
      line("\ttype forward;")
      line("\tforward only;")
      line("\tforwarders { " .. table.concat(list, " ") .. " };")
    else
      for _, s in ipairs(z.servers) do list[#list + 1] = s.addr .. ";" end
      line("\ttype static-stub;")
      line("\tserver-addresses { " .. table.concat(list, " ") .. " };")
    end
    line("};")
  end
  local cmd = { "named", "-g", "-c", scratch() .. "/named.conf" }
  if o.root_hints then
    files["root.hints"] = o.hints_file()
    line("")
    line("zone \".\" {")
    line("\ttype hint;")
    line("\tfile " .. q(scratch() .. "/root.hints") .. ";")
    line("};")
    if #v6 == 0 and not hints_v6 then table.insert(cmd, 2, "-4") end
  end
  if o.extra then line("") line(o.extra) end
  files["named.conf"] = table.concat(c, "\n") .. "\n"

  process(o.name) {
    host = o.host,
    cmd = cmd,
    files = files,
    ready = { log = "running$" },
    version = { "named", "-v" },
    timers = o.timers,
  }
end

return M
