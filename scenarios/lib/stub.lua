-- stub.lua -- a host's stub resolver (its resolv.conf) in one call.
--
--   local stub = use "stub"
--   host "client" {
--     resolv = stub.resolv { "198.18.0.53", "198.18.0.54",
--                            timeout = 1, attempts = 2, rotate = true },
--   }
--
-- stub.resolv{...} returns the { servers = {...}, options = {...} } table
-- that host's resolv = takes (doc/scenario-api.md): the addresses in the
-- order given, the options named.  stub.glibc_defaults says what glibc
-- does when an option is left out, for scenarios that want to be explicit.
local M = {}

local options = {
  timeout = true, attempts = true, ndots = true, rotate = true, edns0 = true,
  single_request = true, single_request_reopen = true, use_vc = true,
  trust_ad = true,
}

-- glibc's resolv.conf(5) defaults
M.glibc_defaults = { timeout = 5, attempts = 2, ndots = 1, rotate = false }

function M.resolv(t)
  if type(t) ~= "table" then
    error("stub.resolv: give { \"ADDR\", ..., timeout = N, ... }", 2)
  end
  local servers, opts, any = {}, {}, false
  for i, a in ipairs(t) do servers[i] = a end
  for k, v in pairs(t) do
    if type(k) ~= "number" then
      if not options[k] then
        error("stub.resolv: unknown option '" .. tostring(k) .. "'", 2)
      end
      opts[k] = v
      any = true
    end
  end
  if #servers == 0 then
    error("stub.resolv: name at least one nameserver address", 2)
  end
  local r = { servers = servers }
  if any then r.options = opts end
  return r
end

return M
