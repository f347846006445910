-- .nz, 2023-05-29: a TLD key rollover whose DS at the root matches no key
--
-- What happened.  During a DNSSEC key rollover of .nz, from 29 May 2023,
-- what the root published for .nz and the keys .nz signed with stopped
-- matching: resolvers that validate DNSSEC could not build a chain of trust
-- to .nz and answered SERVFAIL for .nz names; resolvers that do not
-- validate were not affected.  After the registry corrected it the failures
-- did not stop at once: they cleared by themselves as the resolvers' cached
-- DS and DNSKEY records expired (the last on 31 May, ~10:45 UTC, about two
-- days in all); a resolver operator who flushed the cache fixed it at once.
-- Source: InternetNZ, the .nz status page's incident notices for 29-31 May
-- 2023 (title not re-checked).
--
-- The drill.  A sealed, signed internet (scenarios/lib/internet.lua,
-- dnssec = true): a test root, a TLD "nz." and a signed domain under it
-- (example.nz; test addresses only).  The mismatch is modelled at the root:
-- every DS the root gives for nz. (asked for, or in the referral for a name
-- below it) has a digest that matches no key of nz., validly signed by the
-- root (faultd `dnssec=badds`).  Three resolvers of one software, as three
-- ISPs: "val" validates and waits for its cache, "flushed" validates and its
-- operator flushes the cache (a restart: an empty cache) at the fix plus
-- `flush_after`, "nonval" does not validate.  A probe through each asks
-- www.example.nz.  What it measures: how long each stays failed after the
-- fix (per-probe recovery_s, incident time) against the root's DS TTL, and
-- when the failure started against the same TTL: a validating resolver
-- keeps the DS it validated for its whole TTL, so the bad DS reaches it
-- only when its good one expires, and stays until the bad one does.
-- The lesson: the DS TTL sets both the onset and the tail of a DS/DNSKEY
-- mismatch; fixing the data does not fix the caches, a flush does.
-- The protection: the operator's flush; --set flush=false leaves
-- "flushed" waiting like "val", and "recovery_s.flushed < 4h" fails.
--
-- Timeline (UTC -> speed 7200, two incident hours per real second):
-- 05-29 06:00 baseline (the resolvers fill their caches: the good DS, held
-- `ds_ttl`); 12:00 the mismatching DS published (assumed time); 05-30 12:00
-- the root's DS corrected (`mismatch` 24 h, assumed); run ends 05-31 12:00.
-- With the shipped figures "val" fails from ~05-30 06:00 (its good DS,
-- fetched at 06:00 the day before, expires) to ~05-31 06:00 (its bad DS
-- expires): 18 h after the fix, close to the ~2 days the incident lasted.
-- A restart takes the resolver about half a real second: an hour of the
-- incident at this speed, counted in "flushed"'s recovery.
--
-- Assumptions (parameters): when the mismatch began and how long it stood
-- (`mismatch` 24 h); the root's DS TTL is the real root zone's one day
-- (`ds_ttl` 86400 s), the TLD's DNSKEY TTL an hour (`ttl` 3600 s).  The
-- resolver: PowerDNS Recursor (`resolver` pdns), the one of our profiles
-- whose failure here ends with the bad DS's TTL, as the incident's did.
-- The others stay failed past this run (measured, --set resolver=...):
-- unbound blacks out a zone whose DS failed for a compiled-in 60 real
-- seconds (5 days at this speed; listed in time_distortions); bind9 keeps
-- the failed nz. DNSKEY in its bad cache (no recovery within 12 real
-- seconds after the fix); knot-resolver keeps its cache on disk in its
-- scratch folder, so even the restart does not flush it.
scenario {
  name = "nz-2023-05-29",
  description = "a TLD's DS at the root matches no key: validating resolvers fail until the DS expires; a flush fixes at once (.nz, 2023-05-29)",
  speed = 7200,
  duration = "3240m",   -- 05-29 06:00 to 05-31 12:00 (54 h)
  start = "2023-05-29T06:00:00Z",
}

local resolvers = use "resolvers"
local software = param("resolver", { default = "pdns",
  choices = { "unbound", "bind9", "knot", "pdns" },
  doc = "the software of the three resolvers (a profile that validates)" })
local flush = param("flush", { default = true,
  doc = "the operator of resolver \"flushed\" flushes its cache at the fix: the protection" })
local flush_after = param("flush_after", { default = 0, min = 0, max = 86400,
  doc = "seconds (incident time) from the fix to the flush" })
local ds_ttl = param("ds_ttl", { default = 86400, min = 60, max = 172800,
  doc = "TTL of the root's DS (and delegation) for nz., seconds (incident time)" })
local ttl = param("ttl", { default = 3600, min = 60, max = 86400,
  doc = "TTL of nz.'s records, its DNSKEY included, seconds (incident time)" })
local mismatch = param("mismatch", { default = 1440, min = 60, max = 2400,
  doc = "minutes (incident time) the root published the mismatching DS" })

host "rval" {}
host "rflush" {}
host "rnon" {}
host "client" { resolv = { servers = { "198.18.100.53" }, options = { timeout = 1, attempts = 1 } } }
local inet = use "internet"
local net = inet.internet {
  lan = "198.18.100.0/24",
  attach = { rval = "198.18.100.53", rflush = "198.18.100.55", rnon = "198.18.100.54",
             client = "198.18.100.10" },
  dnssec = true,
  zones = {
    ["."] = { ns = { "a.root-servers.test" }, ttl = ds_ttl, negttl = 86400 },
    ["nz."] = { ns = { "ns1.dns.net.nz" }, ttl = ttl, negttl = ttl },
    ["example.nz."] = { ns = { "ns1" }, ttl = ttl, negttl = ttl,
                        records = "www IN A 198.18.64.80\n" },
  },
}

local anchor = { trust_anchors = { net.trust_anchor } }
resolvers.resolver { software = software, name = "val", host = "rval", listen = "198.18.100.53",
                     root_hints = net.hints, dnssec = anchor }
resolvers.resolver { software = software, name = "flushed", host = "rflush", listen = "198.18.100.55",
                     root_hints = net.hints, dnssec = anchor }
resolvers.resolver { software = software, name = "nonval", host = "rnon", listen = "198.18.100.54",
                     root_hints = net.hints }

local function lookup(server)
  return { host = "client", every = "100ms", timeout = "1s",
           dns = { name = "www.example.nz", type = "A", server = server, answer = "198.18.64.80" } }
end
probe "val" (lookup("198.18.100.53"))
probe "flushed" (lookup("198.18.100.55"))
probe "nonval" (lookup("198.18.100.54"))

score {
  service = { "val", "flushed", "nonval" },
  detection = { probe = "val", ok = false },
  primary = { probe = "val" },
  stable = "500ms",
}
expect {
  -- the good DS in the cache holds off the failure ...
  "detection_s > 6h in incident time",
  -- ... and the bad one holds it past the fix, until it expires
  "recovery_s.val > 6h in incident time",
  "recovery_s.val < 30h in incident time",
  -- a flush ends it at once (a restart: ~1 h at this speed)
  "recovery_s.flushed < 4h in incident time",
  "availability.nonval >= 0.99",
}

local root = net.servers["."]
timeline(function()
  phase "baseline"                      -- 05-29 06:00
  sleep "6h"
  phase "mismatch"                      -- 12:00: the root's DS matches no key of nz.
  for _, s in ipairs(root) do
    inject(s.dns, "name=nz dnssec=badds")
    inject(s.dns, "name=*.nz dnssec=badds")
  end
  sleep(mismatch * 60)
  for _, s in ipairs(root) do clear(s.dns) end
  phase "fixed"                         -- 05-30 12:00: the root's DS right again
  if flush then
    sleep(flush_after)
    mark "flush"
    local t = now()
    stop "flushed"
    -- start again as soon as it has exited (start refuses a running one)
    repeat sleep "5m" until pcall(start, "flushed")
    flush_after = flush_after + (now() - t) * speed()
  end
  sleep(2 * 86400 - 6 * 3600 - mismatch * 60 - (flush and flush_after or 0))
end)
