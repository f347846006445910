-- Facebook, 2021-10-04: every authoritative server of facebook.com
-- unreachable, behind the world's resolvers
--
-- What happened.  A command meant to assess backbone capacity took down
-- Facebook's backbone; its authoritative DNS servers, built to withdraw
-- their own BGP routes when they cannot reach the data centres, did so,
-- and with them every route to facebook.com's name servers.  Resolvers
-- asking for facebook.com got no answer from any authority and answered
-- SERVFAIL; apps and people retried, and a large public resolver saw about
-- 60 times its usual SERVFAIL rate for the domain.  Routes churned from
-- about 15:40 UTC; the outage lasted about five and a half hours (the end,
-- about 21:00-21:20, is not exact).  Sources: Cloudflare blog,
-- "Understanding how Facebook disappeared from the Internet"; Facebook
-- Engineering, "More details about the October 4 outage".
--
-- The drill: a sealed internet (a test root, com., facebook.com on four
-- name servers a..d.ns.facebook.com with glue at com.), a real resolver
-- iterating from the root (unbound by default) for a site of users, and
-- the users: a loop that starts a lookup of www.facebook.com every 200 ms
-- and, when one fails, retries it at once up to `retries` times (people
-- reloading, apps retrying without back-off).  At 15:40 all four name
-- servers drop every query (no answer at all, as with the routes gone); at
-- 21:05 they answer again.  What it measures: the lookups that fail
-- (availability of the www probe), the users' queries to the resolver over
-- the fault against the baseline (query_amplification.users: the retry
-- storm), what the resolver sends to the internet (query_amplification.
-- upstream, and the authorities' counters in result.json `authority`).
--
-- The protection: serve-stale in the resolver (RFC 8767; unbound
-- serve-expired, answering from the expired cache after 500 ms of trying).
-- With it the users never see the outage while the stale records last (up
-- to a day here), so there is no retry storm either.  `--set
-- serve_stale=false` and the resolver answers SERVFAIL once the cached
-- records expire: availability and the users' amplification expectations
-- fail.  (Serve-stale helps here because the authority does not answer at
-- all; compare zoom-2025-04-16 and gcore-2022-11-14, where the authority
-- answers, wrongly, and serve-stale does nothing.)
--
-- Assumptions (parameters): the records' TTL [600 s; facebook.com's real
-- TTLs are not in the reports]; the end at 21:05 [outage_min 325]; the
-- users' retries [3 at once after a failure]; the query rate of the users
-- (one lookup every 200 ms) is a site, not the internet.
--
-- What speed distorts: the resolver's retry timers against silent servers
-- (unbound's RTT back-off, up to 120 s per server) are network time, real
-- at any speed.  For its first ~20 real seconds of trying unbound holds
-- lookups unanswered (the probes and users time out) before it answers
-- SERVFAIL at once; in the incident those seconds were nothing beside
-- five hours, here they are most of the outage.  Either way the users
-- fail and retry.  After the servers return, unbound without serve-stale
-- answers from its SERVFAIL cache for up to 5 real seconds (no option
-- sets it): 50 incident minutes at this speed, so the recovery is not
-- scored here (a speed-1 run measures it).
--
-- Timeline (speed 600, 10 incident minutes per real second): 15:10
-- baseline (long enough for the authorities' usual rate); 15:40
-- authorities unreachable; 21:05 back; 21:15 end.  About 40 s of wall
-- time.
-- Run it:  dnsdrill run scenarios/facebook-2021-10-04/scenario.lua
--          ... --set serve_stale=false       (protection off: fails)
scenario {
  name = "facebook-2021-10-04",
  description = "every facebook.com name server unreachable: SERVFAIL and a retry storm; serve-stale as the shield (Facebook, 2021-10-04)",
  speed = 600,
  duration = "365m",
  start = "2021-10-04T15:10:00Z",
}

local resolver = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" }, doc = "the site's iterating resolver" })
local serve_stale = param("serve_stale", { default = true,
  doc = "the resolver answers from its expired cache when no authority answers (the protection)" })
local ttl = param("ttl", { default = 600, min = 600, max = 86400,
  doc = "TTL of facebook.com's records, incident seconds (assumption)" })
local retries = param("retries", { default = 3, min = 0, max = 10,
  doc = "immediate retries of a failed lookup by the users (0: none)" })
local outage_min = param("outage_min", { default = 325, min = 10, max = 400,
  doc = "minutes from 15:40 until the name servers answer again (assumption: 21:05)" })

host "resolver" {}
host "users" { resolv = { servers = { "198.18.0.53" }, options = { timeout = 1, attempts = 1 } } }
host "client" { resolv = { servers = { "198.18.0.53" }, options = { timeout = 1, attempts = 1 } } }
lan "site" { users = "198.18.0.10/24", client = "198.18.0.11/24", resolver = "198.18.0.53/24" }

local inet = use "internet"
local net = inet.internet {
  lan = "198.18.100.0/24",
  attach = { resolver = "198.18.100.53" },
  zones = {
    ["."] = { ns = { "a.root-servers.test" } },
    ["com."] = { ns = { "a.gtld.test", "b.gtld.test" } },
    ["facebook.com."] = { ns = { "a.ns.facebook.com", "b.ns.facebook.com", "c.ns.facebook.com",
                                 "d.ns.facebook.com" }, ttl = ttl,
      records = [[
www   IN A 198.18.80.1
graph IN A 198.18.80.2
]] },
  },
}

local resolvers = use "resolvers"
resolvers.resolver {
  software = resolver, host = "resolver", listen = "198.18.0.53",
  root_hints = net.hints,
  serve_stale = serve_stale and ({
    pdns = { max_stale = "1d" },
  })[resolver] or serve_stale and { max_stale = "1d", client_timeout = "500ms" } or nil,
}

-- the users: a lookup every 200 ms, each on its own (a slow answer does
-- not slow the others down, as with many users); a failed one retried at
-- once, up to `retries` times
process "users" {
  host = "users", timers = {},    -- their pace is network time, real on purpose
  cmd = { "sh", "-c", [[
look() { getent ahostsv4 www.facebook.com >/dev/null; }
while :; do
  ( look || { i=0; while [ $i -lt ]] .. retries .. [[ ]; do i=$((i + 1)); look && break; done; } ) &
  sleep 0.2
done]] },
}

probe "www" {
  host = "client", every = "200ms", timeout = "2s",
  dns = { name = "www.facebook.com", type = "A", server = "198.18.0.53", answer = "198.18.80.1" },
}
probe "graph" {
  host = "client", every = "200ms", timeout = "2s",
  dns = { name = "graph.facebook.com", type = "A", server = "198.18.0.53", answer = "198.18.80.2" },
}

-- what the users ask the resolver, and what the resolver asks the internet
capture "users" { host = "resolver", iface = "site", sut = "198.18.0.10" }
capture "upstream" { host = "resolver", iface = "inet" }

score {
  detection = { probe = "www", ok = false },
  service = { "www", "graph" },
  primary = { probe = "www" },
  stable = "1s",
  amplification = { "users", "upstream" },
}
expect {
  -- the shield: stale answers while no authority answers
  "availability >= 0.9",
  -- no failures, no storm: the users ask at their usual rate
  "query_amplification.users < 1.5",
}

local fb = net.servers["facebook.com."]
timeline(function()
  phase "baseline"                     -- 15:10
  sleep "30m"
  phase "unreachable"                  -- 15:40: the routes are gone
  for _, s in ipairs(fb) do stats(s.dns) end    -- each server's baseline ends here
  for _, s in ipairs(fb) do inject(s.dns, "action=drop") end
  sleep(outage_min * 60)
  phase "back"                         -- ~21:05
  for _, s in ipairs(fb) do clear(s.dns) end
  sleep "10m"
end)
