-- a matrix gate: strict=true expects a detection that cannot happen (no
-- fault), so that run fails; strict=false has nothing to fail
scenario { name = "matrix-verdict" }
local strict = param("strict", { default = false, doc = "expect what cannot happen" })
host "h" {}
lan "lan0" { h = "198.18.0.10/24" }
score { stable = "100ms" }
if strict then expect "detection_s < 1" end
timeline(function() sleep "100ms" end)
