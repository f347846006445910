/*
 * test_lua_remote.c -- dns { remote = { ... } } and scenario { topology =
 * false } at load time (harness/lua_remote.c): what they put into struct
 * scenario, and each refusal with its file:line and the field it names.
 * No network, no root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/lua_api.h"
#include "harness/scenario.h"
#include "lib/err.h"

static char tmpdir[64];

struct fx {
	struct scenario *sc;
	struct sc_lua *S;
	struct dd_err err;
};

static void
fx_clear(struct fx *f)
{
	sc_lua_free(f->S);
	scenario_free(f->sc);
	f->S = NULL;
	f->sc = NULL;
}

static int
setup(void **state)
{
	FILE *c;
	char path[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/dd-luaremote-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/ca.pem", tmpdir);
	assert_non_null(c = fopen(path, "w"));
	fclose(c);
	*state = calloc(1, sizeof(struct fx));
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	fx_clear(*state);
	free(*state);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* Line 1 the scenario{} call (head), line 2 body, line 3 the timeline. */
static int
load(struct fx *f, const char *head, const char *body)
{
	char path[256], text[4096];
	FILE *o;

	fx_clear(f);
	memset(&f->err, 0, sizeof(f->err));
	snprintf(path, sizeof(path), "%s/drill.lua", tmpdir);
	snprintf(text, sizeof(text), "%s\n%s\ntimeline(function() end)\n", head, body);
	assert_non_null(o = fopen(path, "w"));
	fputs(text, o);
	fclose(o);
	f->sc = scenario_new(path);
	assert_non_null(f->sc);
	f->sc->set_used = calloc(1, sizeof(bool));
	f->S = sc_lua_new(f->sc, 1, "/nonexistent/build");
	assert_non_null(f->S);
	return sc_lua_load(f->S, &f->err);
}

#define NOTOPO "scenario { name = \"r\", topology = false }"

static void
refused(struct fx *f, const char *head, const char *body, const char *want)
{
	int rc = load(f, head, body);

	if (rc != DD_EINVAL || strstr(f->err.msg, want) == NULL)
		print_error("body %s\nwanted '%s' in: %s (rc %d)\n", body, want, f->err.msg, rc);
	assert_int_equal(rc, DD_EINVAL);
	assert_non_null(strstr(f->err.msg, want));
	assert_non_null(strstr(f->err.msg, "drill.lua:2:"));
}

static void
test_unix_remote(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, NOTOPO, "dns \"edge\" { remote = { control = \"/run/f.sock\" } }\n"
	    "probe \"p\" { tcp = \"198.18.0.1:80\" }"), 0);
	assert_true(f->sc->no_topology);
	assert_int_equal(f->sc->n_dns, 1);
	assert_non_null(f->sc->dns[0].remote);
	assert_string_equal(f->sc->dns[0].remote->control, "/run/f.sock");
	assert_false(f->sc->dns[0].remote->tls);
	assert_null(f->sc->dns[0].host);
	assert_null(f->sc->probes[0].host);
	/* a relative socket path is the scenario folder's */
	assert_int_equal(load(f, NOTOPO, "dns \"edge\" { remote = { control = \"f.sock\" } }"), 0);
	assert_string_equal(f->sc->dns[0].remote->control + strlen(tmpdir), "/f.sock");
}

static void
test_tls_remote(void **state)
{
	struct fx *f = *state;
	char body[512];

	snprintf(body, sizeof(body), "dns \"edge\" { remote = { control = \"tls://[fd00::53]:8953\","
	    " ca = \"ca.pem\", cert = \"%s/ca.pem\", key = \"ca.pem\", name = \"faultd.test\" } }",
	    tmpdir);
	assert_int_equal(load(f, NOTOPO, body), 0);
	assert_true(f->sc->dns[0].remote->tls);
	assert_string_equal(f->sc->dns[0].remote->addr, "[fd00::53]:8953");
	assert_string_equal(f->sc->dns[0].remote->server_name, "faultd.test");
	assert_int_equal(strncmp(f->sc->dns[0].remote->ca, tmpdir, strlen(tmpdir)), 0);
	refused(f, NOTOPO, "dns \"e\" { remote = { control = \"tls://h:853\", ca = \"ca.pem\", "
	    "cert = \"ca.pem\" } }", "needs key = ");
	refused(f, NOTOPO, "dns \"e\" { remote = { control = \"tls://h:853\", ca = \"ca.pem\", "
	    "cert = \"gone.pem\", key = \"ca.pem\" } }", "cert = 'gone.pem': cannot read");
	refused(f, NOTOPO, "dns \"e\" { remote = { control = \"tls://h:70000\" } }",
	    "port '70000' is not 1..65535");
	refused(f, NOTOPO, "dns \"e\" { remote = { control = \"tls://fd00::1:853\" } }",
	    "an IPv6 address goes in brackets");
	refused(f, NOTOPO, "dns \"e\" { remote = { control = \"https://h\" } }", "no other scheme");
	refused(f, NOTOPO, "dns \"e\" { remote = { control = \"/x.sock\", key = \"ca.pem\" } }",
	    "key = ... is for a tls:// control");
	refused(f, NOTOPO, "dns \"e\" { remote = { } }", "needs control = ");
	refused(f, NOTOPO, "dns \"e\" { remote = { control = \"/x\", port = 1 } }",
	    "unknown field 'port'");
}

static void
test_started_only_fields(void **state)
{
	static const char *const fields[][2] = {
		{ "host = \"h\"", "host = ..." }, { "listen = \"198.18.0.1:53\"", "listen = ..." },
		{ "zones = \"a.zone\"", "zones = ..." }, { "zone = \"x\"", "zone = ..." },
		{ "upstreams = \"198.18.0.2\"", "upstreams = ..." },
		{ "rules = \"action=drop\"", "rules = ..." },
		{ "upstream_timeout = \"1s\"", "upstream_timeout = ..." },
		{ "capacity = { qps = 5 }", "capacity = ..." },
		{ "sign = { \"example.\" }", "sign = ..." }, { "nsec3 = true", "nsec3 = ..." },
	};
	struct fx *f = *state;
	char body[256];

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(body, sizeof(body), "dns \"e\" { remote = { control = \"/x.sock\" }, %s }",
		    fields[i][0]);
		refused(f, NOTOPO, body, fields[i][1]);
		assert_non_null(strstr(f->err.msg, "applies only to a faultd dnsdrill starts"));
	}
}

static void
test_host_rules(void **state)
{
	struct fx *f = *state;

	refused(f, NOTOPO, "probe \"p\" { host = \"h\", tcp = \"198.18.0.1:1\" }",
	    "probe 'p': host = \"h\" given");
	refused(f, NOTOPO, "process \"p\" { host = \"h\", cmd = { \"true\" } }",
	    "process 'p': host = \"h\" given");
	refused(f, NOTOPO, "capture \"c\" { host = \"h\" }", "capture 'c': host = \"h\" given");
	refused(f, NOTOPO, "host \"h\" {}", "host 'h': scenario { topology = false } (line 1)");
	refused(f, NOTOPO, "dns \"e\" { host = \"h\", listen = \"198.18.0.1:53\" }",
	    "starts no faultd");
	/* with a topology (the default) host = stays required */
	refused(f, "scenario { name = \"r\" } host \"h\" {}", "probe \"p\" { tcp = \"198.18.0.1:1\" }",
	    "probe 'p': needs host = ");
	refused(f, "scenario { name = \"r\" } host \"h\" {}", "dns \"e\" { listen = \"198.18.0.1:53\" }",
	    "dns 'e': needs host = ");
	/* and no hosts without topology = false says how */
	assert_int_equal(load(f, "scenario { name = \"r\" }", ""), DD_EINVAL);
	assert_non_null(strstr(f->err.msg, "topology = false"));
	refused(f, NOTOPO, "dns \"e\" { remote = { control = \"/x\" } } watch \"w\" { process = "
	    "\"e\", match = \"x\" }", "dns 'e' is a remote faultd");
	/* a process without a topology: no host, accepted */
	assert_int_equal(load(f, NOTOPO, "process \"p\" { cmd = { \"true\" } }"), 0);
	assert_null(f->sc->procs[0].host);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unix_remote, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_remote, setup, teardown),
		cmocka_unit_test_setup_teardown(test_started_only_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_rules, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
