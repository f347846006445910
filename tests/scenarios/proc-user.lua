-- processes dropping root: user = (and group =) on process declarations;
-- each prints who it runs as (tests/integration/dnsdrill_user.sh reads it)
scenario { name = "proc-user" }
host "app" {}
lan "lan0" { app = "198.18.0.10/24" }
local who = "echo uid=$(id -u) gid=$(id -g) groups=$(id -G); exec sleep 30"
process "as-nobody" { host = "app", user = "nobody", cmd = { "sh", "-c", who } }
process "as-nobody-root-group" { host = "app", user = "nobody", group = "root",
  cmd = { "sh", "-c", who } }
process "as-root" { host = "app", cmd = { "sh", "-c", who } }
timeline(function()
  phase "run"
  sleep "300ms"
end)
