-- The framework resolver profiles stand on (issue 11): the scenario
-- library (use), per-process scratch folders with files and cwd, scratch()
-- placeholders, private /tmp and /run per host, version commands.  Each
-- process prints what it sees; tests/integration/dnsdrill_scratch.sh reads
-- the output and result.json.
scenario { name = "scratch" }
local stub = use "stub"
host "h" { resolv = stub.resolv { "198.18.0.11", timeout = 1, attempts = 1 } }
host "g" {}
lan "lan0" { h = "198.18.0.10/24", g = "198.18.0.11/24" }

-- faultd on g (its control socket in the run's folder, or, when that path
-- is too long, in g's private /tmp)
dns "auth" {
  host = "g", listen = "198.18.0.11:53",
  zone = "$ORIGIN example.com.\n@ 1 IN SOA ns hm 1 1 1 1 1\nwww 1 IN A 198.18.1.80\n",
}
-- h's resolv.conf still reaches its processes under the private /run
process "resolve" { host = "h",
  cmd = { "sh", "-c", "grep '^options' /etc/resolv.conf; " ..
    "echo answer=$(getent ahostsv4 www.example.com | head -1); exec sleep 30" },
  ready = { log = "^answer=" },
}
-- writes into the host's private /run and /tmp, reads its own file
process "writer" { host = "h",
  cmd = { "sh", "-c", "echo $$ > /run/dd-scratch-x.pid; echo hello > /tmp/dd-scratch-y; " ..
    "echo cwd=$(pwd); cat conf.txt; echo arg=$0; " ..
    "echo mode=$(stat -c %a .); exec sleep 30", scratch() .. "/conf.txt" },
  files = { ["conf.txt"] = "pidfile=" .. scratch() .. "/pid\nreader=" .. scratch("reader") .. "\n" },
  version = { "sh", "-c", "echo 'writer tool, built today'; echo 'Version 1.2.3'" },
  ready = { log = "^mode=" },
}
-- the same host: sees the writer's /tmp and /run
process "reader" { host = "h",
  cmd = { "sh", "-c", "echo tmp=$(cat /tmp/dd-scratch-y); test -s /run/dd-scratch-x.pid && " ..
    "echo run=shared; exec sleep 30" },
  ready = { log = "^tmp=" },
}
-- another host: does not
process "elsewhere" { host = "g",
  cmd = { "sh", "-c", "if test -e /tmp/dd-scratch-y; then echo other=seen; else echo other=private; fi; " ..
    "exec sleep 30" },
  ready = { log = "^other=" },
  version = { "/nonexistent/dd-no-such-tool", "--version" },
}
-- as another user: its scratch folder is its own and its cwd
process "unpriv" { host = "h", user = "nobody", cwd = scratch(),
  cmd = { "sh", "-c", "echo uid=$(id -u) owner=$(stat -c %U .); echo x > mine && echo wrote; " ..
    "exec sleep 30" },
  ready = { log = "^wrote" },
}
timeline(function()
  phase "run"
  sleep "200ms"
end)
