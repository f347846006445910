-- DNSSEC breaks in a signed sealed internet (Slack 2021, .se 2022, .nz
-- 2023): the test root, com. and example.com. (on two servers) signed with
-- keys made for the run, each parent publishing its child's DS, the root's
-- DS the trust anchor.  Two resolvers of the same software on the client's
-- side, one validating ("val") and one not ("nonval"), a probe through
-- each.  Baseline: both answer.  Then two faults, each in its own phase and
-- cleared after it: signatures expired on example.com.'s servers, and a DS
-- at com.'s servers that matches no key of example.com. (a rollover gone
-- wrong).  The validating resolver answers SERVFAIL, the other does not.
-- Incident time: every TTL 60 s, so at speed 60 caches hold a second.
scenario { name = "internet-dnssec", speed = 60, duration = "23m" }

local software = param("resolver", { default = "unbound",
  choices = { "unbound", "bind9", "knot", "pdns" }, doc = "the software of both resolvers" })
local after = param("after", { default = 5, min = 1, max = 120,
  doc = "incident minutes watched after the last fault is cleared" })
local nsec3 = param("nsec3", { default = "no", choices = { "no", "yes" },
  doc = "deny with NSEC3 instead of NSEC" })

host "rval" {}
host "rnon" {}
host "client" {}
local inet = use "internet"
local net = inet.internet {
  lan = "198.18.100.0/24",
  attach = { rval = "198.18.100.53", rnon = "198.18.100.54", client = "198.18.100.10" },
  dnssec = { nsec3 = nsec3 == "yes" },
  zones = {
    ["."] = { ns = { "a.root-servers.test" }, ttl = 60, negttl = 60 },
    ["com."] = { ns = { "a.gtld.test" }, ttl = 60, negttl = 60 },
    ["example.com."] = { ns = { "ns1", "ns2" }, ttl = 60, negttl = 60,
                         records = "www IN A 198.18.50.80\n" },
  },
}

local resolvers = use "resolvers"
resolvers.resolver { software = software, name = "val", host = "rval", listen = "198.18.100.53",
                     root_hints = net.hints, dnssec = { trust_anchors = { net.trust_anchor } } }
resolvers.resolver { software = software, name = "nonval", host = "rnon", listen = "198.18.100.54",
                     root_hints = net.hints }

probe "val" {
  host = "client", every = "100ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = "198.18.100.53", answer = "198.18.50.80" },
}
probe "nonval" {
  host = "client", every = "100ms", timeout = "1s",
  dns = { name = "www.example.com", type = "A", server = "198.18.100.54", answer = "198.18.50.80" },
}

score {
  service = { "val", "nonval" },
  detection = { probe = "val", ok = false },
  stable = "500ms",
  fault = { start = { phase = "expired" }, stop = { phase = "recovered" } },
}
expect {
  -- the validating resolver fails during the faults, the other never
  "availability.val < 0.8",
  "availability.nonval >= 0.99",
}

local child, tld = net.servers["example.com."], net.servers["com."]
timeline(function()
  phase "baseline"
  sleep "3m"
  phase "expired"
  -- the answer's signatures only: expired DNSKEY signatures would make
  -- unbound black the zone out for 60 real seconds (BOGUS_KEY_TTL)
  for _, s in ipairs(child) do inject(s.dns, "name=www.example.com dnssec=expired") end
  sleep "4m"
  for _, s in ipairs(child) do clear(s.dns) end
  -- unbound caches a SERVFAIL 5 real seconds whatever the speed
  phase "between"
  sleep "7m"
  phase "badds"
  -- every DS com. gives for example.com: asked for (or in a minimised
  -- query's referral) and in the referral for a name below it
  for _, s in ipairs(tld) do
    inject(s.dns, "name=example.com dnssec=badds")
    inject(s.dns, "name=*.example.com dnssec=badds")
  end
  sleep "4m"
  for _, s in ipairs(tld) do clear(s.dns) end
  phase "recovered"
  sleep(after * 60)
end)
