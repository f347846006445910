-- What use "internet" writes, without running anything: `dnsdrill check`
-- on this prints each generated zone between "== ZONE" and "== end" lines
-- and the hints, servers and addresses.  tests/integration/internet.sh
-- checks the text.  Covers: out-of-bailiwick name servers (a.gtld.test,
-- addresses in the root zone), one server for two zones (a.gtld.test for
-- com. and net.), in-bailiwick glue (ns1.example.com in com.), a
-- hand-written zone (example.net.: no generated text, still delegated), a
-- delegation that skips labels (parent = ...), delegate = false, a given
-- address (a hand-written zone's server: as its text has it), and the dns
-- name override.
scenario { name = "internet-zones" }
host "resolver" {}

local inet = use "internet"
local net = inet.internet {
  lan = "198.18.100.0/24",
  name = "world",
  attach = { resolver = "198.18.100.2" },
  zones = {
    ["."] = { ns = { "a.root-servers.test", "b.root-servers.test" }, ttl = 86400 },
    ["com"] = { ns = { "a.gtld.test", "b.gtld.test" }, ttl = 7200 },
    ["net."] = { ns = { "a.gtld.test" } },
    ["example.com."] = { ns = { "ns1", { "ns2", "198.18.100.200" }, "ns9.example.net" },
                         ttl = 300, negttl = 30, records = "www IN A 198.18.50.80\n" },
    ["example.net."] = { ns = { { "ns9.example.net", "198.18.100.9" } }, zone = "$ORIGIN example.net.\n"
      .. "@ 60 IN SOA ns9 h 1 1 1 1 1\n@ 60 IN NS ns9\nns9 60 IN A 198.18.100.9\n" },
    ["deep.a.example.com."] = { ns = { { name = "ns.deep.a.example.com", dns = "deep" } },
                                parent = "example.com." },
    ["hidden.com."] = { ns = { "ns.hidden.com" }, delegate = false },
  },
}

local zones = {}
for z in pairs(net.servers) do zones[#zones + 1] = z end
table.sort(zones)
for _, z in ipairs(zones) do
  local names = {}
  for _, s in ipairs(net.servers[z]) do names[#names + 1] = s.dns .. "=" .. s.name .. "@" .. s.addr end
  print("servers " .. z .. " " .. table.concat(names, " "))
  if net.text[z] then print("== " .. z .. "\n" .. net.text[z] .. "== end") end
end
for _, h in ipairs(net.hints) do print("hint " .. h.name .. " " .. h.addr) end
print("lan " .. net.lan .. "/" .. net.prefix)
timeline(function() end)
