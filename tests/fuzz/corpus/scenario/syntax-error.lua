-- a scenario with a Lua syntax error on line 4
scenario { name = "syntax-error" }
host "a" {}
host "b" { forward = true
timeline(function() end)
