-- .se, 2022-02-04: the TLD's signer publishes bad signatures
--
-- What happened.  On 4 February 2022 the registry of .se (the Swedish
-- Internet Foundation, IIS) published zones in which a fault in the signing
-- had left bad DNSSEC signatures.  From about 09:20 UTC resolvers that
-- validate DNSSEC answered SERVFAIL for the names of some 8,000 domains
-- under .se; resolvers that do not validate never noticed.  A zone with good
-- signatures went out about 21:30 UTC.
-- Source: the dns-operations mailing list (DNS-OARC) thread on the .se
-- failures and the registry's own statements (Internetstiftelsen / IIS),
-- not re-checked.
--
-- The drill.  A sealed, signed internet (scenarios/lib/internet.lua,
-- dnssec = true): a test root, a TLD "se." (test addresses only, nothing of
-- the real .se), and two signed domains under it: bank.se, whose delegation
-- the broken signer signed badly, and shop.se, which it signed well (the
-- incident hit ~8,000 of ~1.4 million .se domains; which records exactly
-- carried the bad signatures is not in our sources: we break the
-- signatures over the affected domains' DS at the TLD, `dnssec=badsig` on
-- its referrals and DS answers).  Two resolvers of the same software side by
-- side, as two ISPs: "val" validates (the root's DS as trust anchor), "nonval"
-- does not.  Probes: bank.se and shop.se through the validating one,
-- bank.se through the other.  What it measures: availability per resolver
-- and per domain over the bad-signature window.
-- The lesson: validation turns the TLD's signing error into an outage for
-- validating resolvers' users only, and only for the domains whose chain the
-- error broke; non-validating users see nothing.  The switch:
-- --set validate=false turns validation off on "val": then "availability.val
-- < 0.2" (the outage the incident caused) fails -- the scenario tells a
-- validating resolver from one that is not.
--
-- Timeline (UTC -> speed 2400, 40 incident minutes per real second): 08:50
-- baseline; 09:20 the bad zone published (12 h 10 min, ~18 s real); 21:30
-- the good zone; run ends 22:00.  Onset at each resolver follows the TTL of
-- what it had cached (the DS: `ds_ttl`); at this speed every TTL under 40
-- minutes is served at faultd's 1 s floor (time_distortions).  unbound
-- keeps a zone whose DS failed validation bogus for a fixed 60 real seconds
-- (listed in time_distortions), so its recovery after the fix is not
-- measured here (scenario nz-2023-05-29 measures recovery).
--
-- Assumptions (parameters): which records carried the bad signatures (the
-- affected domains' DS, above); the TLD's TTL for its delegations and DS
-- (`ds_ttl` 3600 s) and the domains' own TTL (`ttl` 300 s) are typical
-- figures, not the registry's.
scenario {
  name = "se-2022-02-04",
  description = "a TLD's signer publishes bad signatures: SERVFAIL at validating resolvers only (.se, 2022-02-04)",
  speed = 2400,
  duration = "790m",    -- 08:50 to 22:00
  start = "2022-02-04T08:50:00Z",
}

local resolvers = use "resolvers"
local software = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" },
  doc = "the software of both resolvers (a profile that validates)" })
local validate = param("validate", { default = true,
  doc = "resolver \"val\" validates DNSSEC (false: both resolvers are non-validating)" })
local ds_ttl = param("ds_ttl", { default = 3600, min = 1, max = 172800,
  doc = "TTL of the TLD's delegations and DS records, seconds (incident time)" })
local ttl = param("ttl", { default = 300, min = 1, max = 86400,
  doc = "TTL of the domains' own records, seconds (incident time)" })

host "rval" {}
host "rnon" {}
host "client" { resolv = { servers = { "198.18.100.53" }, options = { timeout = 1, attempts = 1 } } }
local inet = use "internet"
local net = inet.internet {
  lan = "198.18.100.0/24",
  attach = { rval = "198.18.100.53", rnon = "198.18.100.54", client = "198.18.100.10" },
  dnssec = true,
  zones = {
    ["."] = { ns = { "a.root-servers.test" }, ttl = 86400, negttl = 86400 },
    ["se."] = { ns = { "a.ns.se" }, ttl = ds_ttl, negttl = 7200 },
    ["bank.se."] = { ns = { "ns1" }, ttl = ttl, negttl = ttl,
                     records = "www IN A 198.18.60.80\n" },
    ["shop.se."] = { ns = { "ns1" }, ttl = ttl, negttl = ttl,
                     records = "www IN A 198.18.61.80\n" },
  },
}

resolvers.resolver { software = software, name = "val", host = "rval", listen = "198.18.100.53",
                     root_hints = net.hints,
                     dnssec = validate and { trust_anchors = { net.trust_anchor } } or nil }
resolvers.resolver { software = software, name = "nonval", host = "rnon", listen = "198.18.100.54",
                     root_hints = net.hints }

local function lookup(server, name, addr)
  return { host = "client", every = "100ms", timeout = "1s",
           dns = { name = name, type = "A", server = server, answer = addr } }
end
probe "val" (lookup("198.18.100.53", "www.bank.se", "198.18.60.80"))
probe "val-shop" (lookup("198.18.100.53", "www.shop.se", "198.18.61.80"))
probe "nonval" (lookup("198.18.100.54", "www.bank.se", "198.18.60.80"))

score {
  service = { "val", "val-shop", "nonval" },
  detection = { probe = "val", ok = false },
  stable = "500ms",
}
expect {
  -- validating users lose the domains the bad signatures cover ...
  "availability.val < 0.2",
  -- ... and keep the others
  "availability.val-shop >= 0.99",
  -- non-validating users never notice
  "availability.nonval >= 0.99",
  -- the first SERVFAILs come once the cached DS expires
  "detection_s < 4h in incident time",
}

local tld = net.servers["se."]
timeline(function()
  phase "baseline"                      -- 08:50
  sleep "30m"
  phase "bad signatures"                -- 09:20: the broken zone is out
  for _, s in ipairs(tld) do
    inject(s.dns, "name=bank.se dnssec=badsig")
    inject(s.dns, "name=*.bank.se dnssec=badsig")
  end
  sleep "730m"
  for _, s in ipairs(tld) do clear(s.dns) end
  phase "good zone"                     -- 21:30
  sleep "30m"
end)
