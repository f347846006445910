local co = coroutine.wrap(function() while true do coroutine.yield(1) end end)
for i = 1, 10 do co() end
scenario { name = "co" }
host "a" {}
dns "d" { host = "a", listen = "198.18.0.53:53", rules = { "name=x. action=servfail" } }
