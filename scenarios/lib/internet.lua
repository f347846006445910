-- internet.lua -- a sealed internet in one call: a test root, TLDs and
-- authoritative servers, each name server a faultd (`dns`) on its own host
-- and address, with the zones, delegations and glue a person would write,
-- and the root hints a resolver needs to iterate from the test root.
--
--   local inet = use "internet"
--   local net = inet.internet {
--     lan = "198.18.100.0/24",          -- one LAN for every server (required)
--     name = "inet",                    -- the LAN's name (default "inet")
--     attach = { resolver = "198.18.100.53", client = "198.18.100.10" },
--     zones = {
--       ["."] = { ns = { "a.root-servers.test", "b.root-servers.test" } },
--       ["com."] = { ns = { "a.gtld.test", "b.gtld.test" } },
--       ["example.com."] = { ns = { "ns1", "ns2", { "ns3", "198.18.100.33" } },
--                            ttl = 300, negttl = 60,
--                            records = [[ www IN A 198.18.50.80 ]] },
--       ["example.net."] = { ns = { "ns1.example.net" }, zone = [[ full zone text ]] },
--       ["example.org."] = { ns = { "ns1.example.org" }, file = "example.org.zone" },
--     },
--   }
--   resolvers.resolver { software = "unbound", host = "resolver",
--                        listen = "198.18.100.53", root_hints = net.hints }
--   inject(net.servers["example.com."][1].dns, "action=servfail")
--
-- Zones.  Keys are zone names ("com" and "com." are the same; lower case
-- is used throughout).  "." is required: it is the test root.  A zone's
-- parent is the zone one label up ("example.com." -> "com."), which must be
-- declared too; `parent = "example.com."` on a zone names another ancestor
-- (a delegation that skips labels).  Each zone:
--   ns       the name servers, in order (required, at least one).  A name
--            without a dot is relative to the zone ("ns1" in example.com. is
--            ns1.example.com.); one with a dot is absolute ("a.gtld.test").
--            An entry is the name, or { "name", "198.18.100.33" } with its
--            address, or { name = ..., addr = ..., dns = "short-name" }.
--   ttl      the TTL of the zone's records and of the delegations it
--            publishes (default 3600); negttl: the SOA minimum (default 300).
--            Incident time: faultd serves them divided by speed().
--   records  zone text appended to the generated zone ($ORIGIN is the zone)
--   zone     zone text, served as is (the helper writes nothing into it)
--   file     a zone file (relative to the scenario's folder), served as is
--   delegate false: the parent gets no delegation for this zone (write it
--            yourself in the parent's `records`, or leave the zone
--            unreachable by iteration)
--   dnssec   true | false: sign this zone or not (default: the internet's
--            dnssec option)
--   key      dnssec_key("ZONE"): sign with this key set (made before the
--            internet{} call, so a hand-written parent can hold key.ds)
--
-- DNSSEC.  `dnssec = true` (or { nsec3 = true }: NSEC3 denials) on the
-- internet signs every zone (a zone's own dnssec = false leaves it
-- unsigned).  Each signed zone gets a key set (dnssec_key(zone), made
-- while the scenario loads), its generated parent publishes the DS beside
-- the delegation ("example.com. IN DS TAG 13 2 DIGEST", the parent's TTL),
-- and every server of the zone signs it with those keys (dns { sign = {
-- [zone] = key } }).  The root's DS is net.trust_anchor, what a validating
-- resolver takes: resolvers.resolver { ..., dnssec = { trust_anchors = {
-- net.trust_anchor } } }.  A hand-written parent gets nothing: put the
-- child's key.ds there yourself.
--
-- What the helper writes into a generated zone (one without zone/file):
--   $ORIGIN, $TTL, the SOA (MNAME the first NS, RNAME hostmaster.ZONE,
--   serial 1, refresh 3600, retry 600, expire 86400, minimum negttl), the
--   apex NS set, each child's delegation (NS, with the parent's TTL) unless
--   the child says delegate = false, an A record for every name server name
--   in the zone's namespace that its NS set or a child's NS set names (glue
--   below a cut, authoritative data otherwise), an A record for every
--   name server name whose closest declared zone it is (so out-of-bailiwick
--   names such as a.gtld.test resolve from the root), then `records`.
-- What it leaves alone: a zone given as `zone` or `file` is served exactly
-- as written -- its SOA, NS, delegations and glue are the writer's; the
-- helper still publishes its delegation in a generated parent and serves
-- it from the servers its `ns` names.  A hand-written parent gets nothing
-- from the helper: write the child's NS and glue there yourself.
--
-- Servers.  One faultd per name server name, on its own host, both named
-- after it with the dots as dashes ("ns1.example.com." -> "ns1-example-com",
-- at most 24 characters: give { ..., dns = "short" } otherwise); a name
-- listed by several zones is one server serving all of them (a.gtld.test
-- for com. and net.), as on the internet.  Addresses: given ones as
-- given, the others from the LAN's prefix in order (.1 upwards: zones by
-- depth then name, "." first, each zone's ns in order), skipping those
-- given or attached.  Every address must lie inside 198.18.0.0/15 and the
-- LAN; no real root address is ever used.
--
-- Connecting a resolver and clients: `attach = { HOST = "ADDR", ... }`
-- plugs hosts the scenario declares itself into the internet's LAN with
-- that address (the LAN's prefix length is added).  Every server is on the
-- one LAN, so no routes are needed.  A scenario that wants its resolver
-- elsewhere declares a router itself.
--
-- Returns a table:
--   hints     { { name = "a.root-servers.test.", addr = "198.18.100.1" }, ... }:
--             the root's name servers, what resolvers.resolver's
--             root_hints takes
--   servers   zone -> { { dns = "ns1-example-com", name = "ns1.example.com.",
--             addr = "198.18.100.7" }, ... } in the zone's ns order: the
--             `dns` names to inject() into, the addresses to probe
--   addr      name server name -> address
--   text      zone -> the generated zone text (nil for zone/file zones)
--   lan       the LAN's name; prefix: its prefix length
--   trust_anchor  the root's DS (text), when the root is signed
--   ds, keys  zone -> its DS text / its dnssec_key() table, for signed zones
-- Errors name the scenario's file:line and the zone or name at fault.
local M = {}

local function fail(msg) error({ internet = msg }, 0) end

-- "Example.COM" -> "example.com.", "." -> "."
local function absname(s)
  s = s:lower()
  if s ~= "." and s:sub(-1) ~= "." then s = s .. "." end
  return s
end

local function labels(z)
  if z == "." then return 0 end
  local _, n = z:gsub("%.", "")
  return n
end

-- is name at or below zone?
local function under(name, zone)
  if zone == "." then return true end
  return name == zone or name:sub(-(#zone + 1)) == "." .. zone
end

local function parent_of(z)
  if z == "." then return nil end
  local p = z:match("^[^.]+%.(.+)$")
  return p or "."
end

-- "198.18.100.7" -> number, or nil
local function ip4(s)
  local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if not a then return nil end
  a, b, c, d = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
  if a > 255 or b > 255 or c > 255 or d > 255 then return nil end
  return ((a * 256 + b) * 256 + c) * 256 + d
end

local function ip4str(n)
  return string.format("%d.%d.%d.%d", n // 16777216 % 256, n // 65536 % 256,
    n // 256 % 256, n % 256)
end

local SEALED_LO, SEALED_HI = ip4("198.18.0.0"), ip4("198.19.255.255")

local function sealed(n) return n >= SEALED_LO and n <= SEALED_HI end

local known_top = { lan = true, name = true, attach = true, zones = true, dnssec = true }
local known_zone = { ns = true, ttl = true, negttl = true, records = true, zone = true,
  file = true, delegate = true, parent = true, dnssec = true, key = true }

local function build(t)
  if type(t) ~= "table" then fail("give { lan = \"198.18.100.0/24\", zones = { ... } }") end
  for k in pairs(t) do
    if not known_top[k] then fail("unknown option '" .. tostring(k) .. "'") end
  end

  -- the LAN
  if type(t.lan) ~= "string" then fail("needs lan = \"198.18.100.0/24\" (the servers' LAN)") end
  local base_s, plen = t.lan:match("^([%d.]+)/(%d+)$")
  local base = base_s and ip4(base_s)
  plen = tonumber(plen)
  if not base or not plen or plen < 16 or plen > 30 then
    fail("lan = '" .. t.lan .. "': give an IPv4 prefix of length 16 to 30 (\"198.18.100.0/24\")")
  end
  local size = 1 << (32 - plen)
  base = base - base % size
  if not sealed(base) or not sealed(base + size - 1) then
    fail("lan = '" .. t.lan .. "': outside 198.18.0.0/15 (the sealed test range)")
  end
  local lan_name = t.name or "inet"
  if type(lan_name) ~= "string" then fail("name = \"...\": the LAN's name") end
  local taken = {}
  local function check_addr(a, what)
    if type(a) ~= "string" then fail(what .. ": the address must be a string") end
    local n = ip4(a)
    if not n then fail(what .. ": '" .. a .. "' is not an IPv4 address") end
    if not sealed(n) then
      fail(what .. ": " .. a .. " is outside 198.18.0.0/15 (the sealed test range)")
    end
    if n <= base or n >= base + size - 1 then
      fail(what .. ": " .. a .. " is not a host address of lan " .. t.lan)
    end
    if taken[n] then fail(what .. ": " .. a .. " is already used by " .. taken[n]) end
    return n
  end

  local members = {}
  if t.attach ~= nil then
    if type(t.attach) ~= "table" then fail("attach = { HOST = \"ADDR\", ... }") end
    local hosts = {}
    for h in pairs(t.attach) do
      if type(h) ~= "string" then fail("attach = { HOST = \"ADDR\", ... }: keys are host names") end
      hosts[#hosts + 1] = h
    end
    table.sort(hosts)
    for _, h in ipairs(hosts) do
      local n = check_addr(t.attach[h], "attach " .. h)
      taken[n] = "host " .. h
      members[h] = t.attach[h] .. "/" .. plen
    end
  end

  -- DNSSEC for the whole internet: true, or { nsec3 = true }
  local dnssec_all, nsec3 = false, false
  if t.dnssec ~= nil and t.dnssec ~= false then
    if t.dnssec == true then
      dnssec_all = true
    elseif type(t.dnssec) == "table" then
      for k in pairs(t.dnssec) do
        if k ~= "nsec3" then fail("dnssec: unknown field '" .. tostring(k) .. "' (dnssec = true | { nsec3 = true })") end
      end
      if t.dnssec.nsec3 ~= nil and type(t.dnssec.nsec3) ~= "boolean" then
        fail("dnssec: nsec3 = true | false")
      end
      dnssec_all, nsec3 = true, t.dnssec.nsec3 == true
    else
      fail("dnssec = true | { nsec3 = true }")
    end
  end

  -- the zones, shallowest first
  if type(t.zones) ~= "table" then fail("needs zones = { [\".\"] = { ns = {...} }, ... }") end
  local zones, names = {}, {}
  for k, z in pairs(t.zones) do
    if type(k) ~= "string" or k == "" then fail("zones: keys are zone names (\"com.\")") end
    local zn = absname(k)
    if zones[zn] then fail("zone " .. zn .. " is given twice") end
    if type(z) ~= "table" then fail("zone " .. zn .. ": give { ns = { ... }, ... }") end
    for f in pairs(z) do
      if not known_zone[f] then fail("zone " .. zn .. ": unknown field '" .. tostring(f) .. "'") end
    end
    zones[zn] = { name = zn, def = z, children = {} }
    names[#names + 1] = zn
  end
  table.sort(names, function(a, b)
    if labels(a) ~= labels(b) then return labels(a) < labels(b) end
    return a < b
  end)
  if not zones["."] then fail("zones: no \".\" (the test root every resolver starts from)") end

  local function duration(v, what, default)
    if v == nil then return default end
    if type(v) ~= "number" or v < 0 or v ~= v // 1 then
      fail(what .. ": whole seconds, not negative")
    end
    return v
  end

  local servers = {}     -- name server name -> { name, addr, dns, zones = {} }
  local order = {}       -- server names in address order
  for _, zn in ipairs(names) do
    local Z, z = zones[zn], zones[zn].def
    local what = "zone " .. zn
    -- the parent
    if zn ~= "." then
      local p = z.parent and absname(z.parent) or parent_of(zn)
      if z.parent ~= nil and (type(z.parent) ~= "string" or p == zn or not under(zn, p)) then
        fail(what .. ": parent = '" .. tostring(z.parent) .. "' is not an ancestor of it")
      end
      if not zones[p] then
        fail(what .. ": its parent zone " .. p .. " is not declared (add [\"" .. p
          .. "\"] = { ns = {...} }, or parent = \"...\" for a delegation that skips labels)")
      end
      Z.parent = p
      local kids = zones[p].children
      kids[#kids + 1] = zn
    end
    Z.ttl = duration(z.ttl, what .. " ttl", 3600)
    Z.negttl = duration(z.negttl, what .. " negttl", 300)
    if z.zone ~= nil and z.file ~= nil then fail(what .. ": give zone = or file =, not both") end
    if z.zone ~= nil and type(z.zone) ~= "string" then fail(what .. ": zone = \"zone text\"") end
    if z.file ~= nil and type(z.file) ~= "string" then fail(what .. ": file = \"path\"") end
    if z.dnssec ~= nil and type(z.dnssec) ~= "boolean" then
      fail(what .. ": dnssec = true | false (sign this zone or not)")
    end
    if z.dnssec == nil then Z.signed = dnssec_all or z.key ~= nil else Z.signed = z.dnssec end
    if z.key ~= nil then
      if type(z.key) ~= "table" or z.key.zone ~= zn or not z.key.ds_rdata then
        fail(what .. ": key = dnssec_key(\"" .. zn .. "\") (a key made for this zone)")
      end
      if not Z.signed then fail(what .. ": key = ... with dnssec = false") end
    end
    if Z.signed then
      Z.key = z.key or dnssec_key(zn)
    end
    if z.records ~= nil and (type(z.records) ~= "string" or z.zone or z.file) then
      fail(what .. ": records = \"text\" goes with a generated zone (not with zone = or file =)")
    end
    if type(z.ns) ~= "table" or #z.ns == 0 then
      fail(what .. ": needs ns = { \"ns1\", ... } (at least one name server)")
    end
    Z.ns = {}
    for i, e in ipairs(z.ns) do
      local nm, addr, dns
      if type(e) == "string" then
        nm = e
      elseif type(e) == "table" then
        nm, addr, dns = e.name or e[1], e.addr or e[2], e.dns
      end
      if type(nm) ~= "string" or nm == "" or nm:find("[^%w%-%._]") then
        fail(what .. ": ns[" .. i .. "] is not a name (\"ns1\", \"a.gtld.test\", { \"ns1\", \"ADDR\" })")
      end
      nm = nm:lower()
      local full = nm:find(".", 1, true) and absname(nm)
        or (zn == "." and nm .. "." or nm .. "." .. zn)
      local s = servers[full]
      if not s then
        s = { name = full, zones = {} }
        servers[full] = s
        order[#order + 1] = full
      end
      if addr ~= nil then
        local n = ip4(type(addr) == "string" and addr or "")
        if s.addr and s.addr ~= addr then
          fail(what .. ": name server " .. full .. " has two addresses, " .. s.addr .. " and " .. tostring(addr))
        end
        if not s.addr then
          check_addr(addr, what .. ": name server " .. full)
          taken[n] = "name server " .. full
          s.addr = addr
        end
      end
      if dns ~= nil then
        if type(dns) ~= "string" then fail(what .. ": name server " .. full .. ": dns = \"name\"") end
        s.dns = dns
      end
      if s.zones[#s.zones] == zn then fail(what .. ": ns lists " .. full .. " twice") end
      s.zones[#s.zones + 1] = zn
      Z.ns[#Z.ns + 1] = full
    end
  end

  -- addresses from the pool, then the dns names
  local next_n = base + 1
  local dnsnames = {}
  for _, nm in ipairs(order) do
    local s = servers[nm]
    if not s.addr then
      while taken[next_n] do next_n = next_n + 1 end
      if next_n >= base + size - 1 then
        fail("name server " .. nm .. " has no address: lan " .. t.lan
          .. " has no free one left (give a wider prefix or { \"" .. nm .. "\", \"ADDR\" })")
      end
      s.addr = ip4str(next_n)
      taken[next_n] = "name server " .. nm
    end
    local d = s.dns or nm:sub(1, -2):gsub("%.", "-")
    if #d > 24 or d:find("[^%w%-_]") then
      fail("name server " .. nm .. ": its server name '" .. d .. "' is longer than 24 characters "
        .. "or not letters, digits, '-', '_' (give { \"" .. nm .. "\", dns = \"short\" })")
    end
    if dnsnames[d] then fail("name servers " .. dnsnames[d] .. " and " .. nm .. " both get the server name " .. d) end
    dnsnames[d] = nm
    s.dns = d
  end

  -- the closest declared zone of a name
  local function home(nm)
    local best
    for _, zn in ipairs(names) do
      if under(nm, zn) then best = zn end
    end
    return best
  end

  -- zone text
  local text = {}
  for _, zn in ipairs(names) do
    local Z, z = zones[zn], zones[zn].def
    if not z.zone and not z.file then
      local c = {}
      local function add(s) c[#c + 1] = s end
      add("; " .. zn .. " -- written by scenarios/lib/internet.lua")
      add("$ORIGIN " .. zn)
      add("$TTL " .. Z.ttl)
      add(string.format("@ IN SOA %s hostmaster 1 3600 600 86400 %d", Z.ns[1], Z.negttl))
      for _, nm in ipairs(Z.ns) do add("@ IN NS " .. nm) end
      local glue, glued = {}, {}
      local function want(nm)
        if under(nm, zn) and not glued[nm] then
          glued[nm] = true
          glue[#glue + 1] = nm
        end
      end
      for _, nm in ipairs(Z.ns) do want(nm) end
      for _, kid in ipairs(Z.children) do
        if zones[kid].def.delegate ~= false then
          add("; delegation")
          for _, nm in ipairs(zones[kid].ns) do add(kid .. " IN NS " .. nm) end
          if zones[kid].key then add(kid .. " IN DS " .. zones[kid].key.ds_rdata) end
          for _, nm in ipairs(zones[kid].ns) do want(nm) end
        end
      end
      for _, nm in ipairs(order) do
        if home(nm) == zn then want(nm) end
      end
      if #glue > 0 then add("; name server addresses") end
      for _, nm in ipairs(glue) do add(nm .. " IN A " .. servers[nm].addr) end
      if z.records then
        add("; records")
        add(z.records)
      end
      text[zn] = table.concat(c, "\n") .. "\n"
    end
  end

  -- the servers: a host and a faultd each, on the LAN
  local out = { hints = {}, servers = {}, addr = {}, text = text, lan = lan_name, prefix = plen,
    keys = {}, ds = {} }
  for _, zn in ipairs(names) do
    if zones[zn].key then
      out.keys[zn] = zones[zn].key
      out.ds[zn] = zones[zn].key.ds
    end
  end
  out.trust_anchor = out.ds["."]
  for _, nm in ipairs(order) do
    local s = servers[nm]
    members[s.dns] = s.addr .. "/" .. plen
    out.addr[nm] = s.addr
    local inline, files, sign = {}, {}, nil
    for _, zn in ipairs(s.zones) do
      local z = zones[zn].def
      if z.file then files[#files + 1] = z.file else inline[#inline + 1] = text[zn] or z.zone end
      if zones[zn].key then
        sign = sign or {}
        sign[zn] = zones[zn].key
      end
    end
    host(s.dns) {}
    dns(s.dns) {
      host = s.dns,
      listen = s.addr .. ":53",
      zone = #inline > 0 and inline or nil,
      zones = #files > 0 and files or nil,
      sign = sign,
      nsec3 = sign and nsec3 or nil,
    }
  end
  lan(lan_name)(members)
  for _, zn in ipairs(names) do
    local list = {}
    for i, nm in ipairs(zones[zn].ns) do
      list[i] = { dns = servers[nm].dns, name = nm, addr = servers[nm].addr }
    end
    out.servers[zn] = list
  end
  for i, nm in ipairs(zones["."].ns) do
    out.hints[i] = { name = nm, addr = servers[nm].addr }
  end
  return out
end

function M.internet(t)
  local ok, r = pcall(build, t)
  if ok then return r end
  if type(r) == "table" and r.internet then error("internet: " .. r.internet, 2) end
  error(r, 0)
end

return M
