-- faultd dies under the run (the test kills it from outside at about 1 s):
-- the inject() at 2 s cannot reach it, and the run ends as an environment
-- error (exit 3) naming the dns server and the rule.
scenario { name = "faultd-gone" }
host "auth" {}
lan "lan0" { auth = "198.18.0.53/24" }
dns "auth" { host = "auth", listen = "198.18.0.53:53" }
timeline(function()
  phase "run"
  sleep "2s"
  inject("auth", "name=www.example.com action=servfail")
  sleep "3s"
  mark "still running"
end)
