/*
 * test_config.c -- faultd's settings: the defaults, every option on the
 * command line, a config file with every setting (comments, blank lines,
 * "key value", "key = value", quotes, CR LF), the command line adding to
 * the file, and every kind of bad line reported as FILE:LINE with the
 * offending setting or value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultd/config.h"
#include "lib/buf.h"
#include "lib/log.h"

static struct faultd_config C;
static char *ARGV[64];
static int ARGC;
static struct dd_err E;
static char DIR_[64], FILE_[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(DIR_, sizeof(DIR_), "/tmp/test_config.XXXXXX");
	assert_non_null(mkdtemp(DIR_));
	snprintf(FILE_, sizeof(FILE_), "%s/faultd.conf", DIR_);
	memset(&C, 0, sizeof(C));
	ARGC = 0;
	E.msg[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	faultd_config_free(&C);
	for (int i = 0; i < ARGC; i++)
		free(ARGV[i]);
	ARGC = 0;
	unlink(FILE_);
	rmdir(DIR_);
	return 0;
}

/* faultd_config_parse on "faultd" followed by the NULL-terminated args;
 * the strings live until teardown (the config points into them). */
static int
parse(const char *arg, ...)
{
	va_list ap;

	for (int i = 0; i < ARGC; i++)
		free(ARGV[i]);
	faultd_config_free(&C);
	ARGC = 0;
	ARGV[ARGC++] = strdup("faultd");
	va_start(ap, arg);
	for (const char *a = arg; a != NULL; a = va_arg(ap, const char *))
		ARGV[ARGC++] = strdup(a);
	va_end(ap);
	ARGV[ARGC] = NULL;
	E.msg[0] = '\0';
	return faultd_config_parse(&C, ARGC, ARGV, &E);
}

static void
write_file(const char *text)
{
	FILE *f = fopen(FILE_, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *
addr(const struct dd_sockaddr *a)
{
	static char s[4][80];
	static int k;

	k = (k + 1) % 4;
	return dd_sockaddr_str(a, s[k], sizeof(s[k]));
}

/* ---------------- good settings ---------------- */

static void
test_defaults(void **state)
{
	(void)state;
	assert_int_equal(parse("--listen", "127.0.0.1:5300", NULL), CFG_OK);
	assert_int_equal(C.nlisten, 1);
	assert_string_equal(addr(&C.listen[0]), "127.0.0.1:5300");
	assert_int_equal(C.seed, 1);
	assert_int_equal(C.log_level, LOG_LVL_INFO);
	assert_int_equal(C.upstream_timeout_us, 1500000);
	assert_int_equal(C.tcp_idle_us, 10000000);
	assert_int_equal(C.max_tcp, 1024);
	assert_int_equal(C.tcp_out_max, 16u << 20);
	assert_int_equal(C.nzones, 0);
	assert_int_equal(C.nupstreams, 0);
	assert_int_equal(C.nrules, 0);
	assert_null(C.rules_file);
	assert_null(C.control);
}

static void
test_command_line(void **state)
{
	(void)state;
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--listen", "[::1]:5301",
	    "--zone", "a.zone", "--zone", "b.zone", "--upstream", "198.18.0.53",
	    "--rule", "name=x.test action=servfail", "--rule", "action=drop prob=0.5",
	    "--rules", "rules.conf", "--control", "/run/f.sock", "--seed", "42",
	    "--upstream-timeout", "250ms", "--tcp-idle", "2s", "--max-tcp", "7",
	    "--max-tcp-output", "512k", "--log-level", "debug", NULL), CFG_OK);
	assert_int_equal(C.nlisten, 2);
	assert_string_equal(addr(&C.listen[1]), "[::1]:5301");
	assert_int_equal(C.nzones, 2);
	assert_string_equal(C.zones[1], "b.zone");
	assert_int_equal(C.nupstreams, 1);
	assert_string_equal(addr(&C.upstreams[0]), "198.18.0.53:53");   /* default port */
	assert_int_equal(C.nrules, 2);
	assert_string_equal(C.rules[0], "name=x.test action=servfail");
	assert_string_equal(C.rules_file, "rules.conf");
	assert_string_equal(C.control, "/run/f.sock");
	assert_int_equal(C.seed, 42);
	assert_int_equal(C.upstream_timeout_us, 250000);
	assert_int_equal(C.tcp_idle_us, 2000000);
	assert_int_equal(C.max_tcp, 7);
	assert_int_equal(C.tcp_out_max, 512u << 10);
	assert_int_equal(C.log_level, LOG_LVL_DEBUG);
}

static void
test_config_file(void **state)
{
	(void)state;
	write_file(
	    "# faultd for the test\n"
	    "\n"
	    "listen 127.0.0.1:5300\n"
	    "  listen = [::1]:5301   \n"
	    "zone=zones/example.test.zone\n"
	    "upstream\t198.18.0.53:5353\r\n"
	    "rule 'name=www.example.test type=A action=empty negttl=5'\n"
	    "rule \"action=drop prob=0.25\"\n"
	    "rules rules.conf\n"
	    "control /run/faultd.sock\n"
	    "seed 18446744073709551615\n"
	    "upstream-timeout 2s\n"
	    "tcp-idle 1500ms\n"
	    "max-tcp 65536\n"
	    "max-tcp-output 1G\n"
	    "log-level warn\n"
	    "   # indented comment\n");
	assert_int_equal(parse("--config", FILE_, NULL), CFG_OK);
	assert_int_equal(C.nlisten, 2);
	assert_string_equal(addr(&C.listen[0]), "127.0.0.1:5300");
	assert_string_equal(addr(&C.listen[1]), "[::1]:5301");
	assert_int_equal(C.nzones, 1);
	assert_string_equal(C.zones[0], "zones/example.test.zone");
	assert_int_equal(C.nupstreams, 1);
	assert_string_equal(addr(&C.upstreams[0]), "198.18.0.53:5353");
	assert_int_equal(C.nrules, 2);
	assert_string_equal(C.rules[0], "name=www.example.test type=A action=empty negttl=5");
	assert_string_equal(C.rules[1], "action=drop prob=0.25");
	assert_string_equal(C.rules_file, "rules.conf");
	assert_string_equal(C.control, "/run/faultd.sock");
	assert_true(C.seed == UINT64_MAX);
	assert_int_equal(C.upstream_timeout_us, 2000000);
	assert_int_equal(C.tcp_idle_us, 1500000);
	assert_int_equal(C.max_tcp, 65536);
	assert_int_equal(C.tcp_out_max, 1u << 30);
	assert_int_equal(C.log_level, LOG_LVL_WARN);
}

static void
test_command_line_adds_to_file(void **state)
{
	(void)state;
	write_file("listen 127.0.0.1:5300\nseed 5\nrule action=refused\n");
	/* in order: the file's settings, then the ones after --config */
	assert_int_equal(parse("--config", FILE_, "--listen", "127.0.0.2:5300",
	    "--seed", "9", "--rule", "action=drop", NULL), CFG_OK);
	assert_int_equal(C.nlisten, 2);
	assert_string_equal(addr(&C.listen[1]), "127.0.0.2:5300");
	assert_int_equal(C.seed, 9);
	assert_int_equal(C.nrules, 2);
	assert_string_equal(C.rules[0], "action=refused");
	assert_string_equal(C.rules[1], "action=drop");
}

static void
test_version(void **state)
{
	(void)state;
	assert_int_equal(parse("--version", NULL), CFG_EXIT_OK);
}

/* ---------------- bad config lines: FILE:LINE ---------------- */

static void
test_bad_config_lines(void **state)
{
	static const struct { const char *line, *want; } bad[] = {
		{ "nmae x.test", "unknown setting 'nmae'" },
		{ "config other.conf", "unknown setting 'config'" },
		{ "help yes", "unknown setting 'help'" },
		{ "listen", "'listen' needs a value" },
		{ "zone   ", "'zone' needs a value" },
		{ "listen localhost", "'localhost' is not ADDR:PORT" },
		{ "upstream 1.2.3", "'1.2.3' is not ADDR:PORT" },
		{ "rule name=x.test action=explode", "rule 'name=x.test action=explode': " },
		{ "rule name=x.test colour=red", "colour" },
		{ "seed many", "'many' is not a number" },
		{ "upstream-timeout soon", "'soon' is not a duration" },
		{ "tcp-idle 0", "'0' is not a duration" },
		{ "max-tcp 0", "'0' must be 1..65536" },
		{ "max-tcp 65537", "'65537' must be 1..65536" },
		{ "log-level loud", "'loud' is not error, warn, info or debug" },
		{ "max-tcp-output 100k", "'100k' must be a size from 256k up" },
		{ "max-tcp-output lots", "'lots' must be a size from 256k up" },
		{ "max-tcp-output 16MB", "'16MB' must be a size from 256k up" },
		{ "max-tcp-output 2048G", "'2048G' must be a size from 256k up" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[512], where[256];

		/* the bad line is line 4, after a comment, a blank and a good line */
		snprintf(text, sizeof(text), "# test\n\nlisten 127.0.0.1:5300\n%s\nseed 3\n",
		    bad[i].line);
		write_file(text);
		assert_int_equal(parse("--config", FILE_, NULL), CFG_USAGE);
		snprintf(where, sizeof(where), "%s:4: ", FILE_);
		if (strncmp(E.msg, where, strlen(where)) != 0 ||
		    strstr(E.msg, bad[i].want) == NULL)
			fail_msg("'%s': got '%s', want '%s...%s'", bad[i].line, E.msg, where,
			    bad[i].want);
	}
}

static void
test_bad_rule_line_names_term(void **state)
{
	(void)state;
	write_file("listen 127.0.0.1:5300\nrule name=x.test delay=soon\n");
	assert_int_equal(parse("--config", FILE_, NULL), CFG_USAGE);
	assert_non_null(strstr(E.msg, ":2: rule 'name=x.test delay=soon': "));
	assert_non_null(strstr(E.msg, "delay"));
}

/* A NUL byte would end the value early ("rule action=drop<NUL> name=x"
 * would become a rule that drops everything, as on the control socket,
 * issue 10 bug 13): the line is refused with FILE:LINE. */
static void
test_config_line_nul_byte(void **state)
{
	static const char text[] = "listen 127.0.0.1:5300\nrule action=drop\0 name=x.test\n";
	char where[256];
	FILE *f = fopen(FILE_, "w");

	(void)state;
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, sizeof(text) - 1, f), sizeof(text) - 1);
	fclose(f);
	assert_int_equal(parse("--config", FILE_, NULL), CFG_USAGE);
	snprintf(where, sizeof(where), "%s:2: ", FILE_);
	if (strncmp(E.msg, where, strlen(where)) != 0 || strstr(E.msg, "NUL") == NULL)
		fail_msg("got '%s', want '%s' and the NUL byte", E.msg, where);
	assert_int_equal(C.nrules, 0);
}

/* An empty value on the command line is refused as in a file (exit 2
 * now, not a failure to open '' later); found by fuzz_config. */
static void
test_empty_values_refused(void **state)
{
	static const char *const opts[] = { "--zone", "--rules", "--control", "--listen",
		"--upstream", "--rule" };

	(void)state;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		assert_int_equal(parse("--listen", "127.0.0.1:5300", opts[i], "", NULL), CFG_USAGE);
		if (strstr(E.msg, opts[i]) == NULL)
			fail_msg("%s '': got '%s'", opts[i], E.msg);
	}
}

static void
test_missing_config_file(void **state)
{
	char want[256];

	(void)state;
	assert_int_equal(parse("--config", "/nonexistent/faultd.conf", NULL), CFG_USAGE);
	snprintf(want, sizeof(want), "--config: /nonexistent/faultd.conf: No such file or directory");
	assert_string_equal(E.msg, want);
}

/* ---------------- bad command lines ---------------- */

static void
test_bad_command_lines(void **state)
{
	(void)state;
	assert_int_equal(parse(NULL), CFG_USAGE);
	assert_string_equal(E.msg, "nothing to listen on: give --listen ADDR:PORT");

	assert_int_equal(parse("--listen", "nowhere", NULL), CFG_USAGE);
	assert_string_equal(E.msg, "--listen: 'nowhere' is not ADDR:PORT "
	    "(e.g. 127.0.0.1:5300 or [::1]:5300)");

	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--rule", "action=explode", NULL),
	    CFG_USAGE);
	assert_true(strncmp(E.msg, "--rule 'action=explode': ", 25) == 0);
	assert_non_null(strstr(E.msg, "explode"));

	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--frobnicate", NULL), CFG_USAGE);
	assert_string_equal(E.msg, "option '--frobnicate' is unknown or needs a value (see --help)");

	/* a long option without its value is named (it once came out as
	 * "option '-\001'") */
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--zone", NULL), CFG_USAGE);
	assert_string_equal(E.msg, "option '--zone' needs a value (see --help)");

	assert_int_equal(parse("--listen", "127.0.0.1:5300", "-x", NULL), CFG_USAGE);
	assert_string_equal(E.msg, "option '-x' is unknown or needs a value (see --help)");

	assert_int_equal(parse("--listen", "127.0.0.1:5300", "extra", NULL), CFG_USAGE);
	assert_string_equal(E.msg, "unexpected argument 'extra' (see --help)");

	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--max-tcp", "-1", NULL), CFG_USAGE);
	assert_string_equal(E.msg, "--max-tcp: '-1' must be 1..65536");
}

/* --control-idle: 60 s unless set, a duration on the command line or in a
 * config file, never 0. */
static void
test_control_idle(void **state)
{
	(void)state;
	assert_int_equal(parse("--listen", "127.0.0.1:5300", NULL), CFG_OK);
	assert_int_equal(C.control_idle_us, 60000000);
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--control-idle", "90s", NULL),
	    CFG_OK);
	assert_int_equal(C.control_idle_us, 90000000);
	write_file("listen 127.0.0.1:5300\ncontrol-idle 2m\n");
	assert_int_equal(parse("--config", FILE_, NULL), CFG_OK);
	assert_int_equal(C.control_idle_us, 120000000);
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--control-idle", "0", NULL),
	    CFG_USAGE);
	assert_string_equal(E.msg, "--control-idle: '0' is not a duration ('1500ms', '10s')");
	write_file("listen 127.0.0.1:5300\ncontrol-idle soon\n");
	assert_int_equal(parse("--config", FILE_, NULL), CFG_USAGE);
	assert_non_null(strstr(E.msg, ":2: 'soon' is not a duration"));
}

/* --time-scale: 1 unless set, a number > 0 on the command line or in a
 * config file (time-scale 360). */
static void
test_time_scale(void **state)
{
	(void)state;
	assert_int_equal(parse("--listen", "127.0.0.1:5300", NULL), CFG_OK);
	assert_true(C.time_scale == 1.0);
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--time-scale", "60", NULL), CFG_OK);
	assert_true(C.time_scale == 60.0);
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--time-scale", "0.5", NULL), CFG_OK);
	assert_true(C.time_scale == 0.5);
	write_file("listen 127.0.0.1:5300\ntime-scale 360\n");
	assert_int_equal(parse("--config", FILE_, NULL), CFG_OK);
	assert_true(C.time_scale == 360.0);
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--time-scale", "0", NULL), CFG_USAGE);
	assert_string_equal(E.msg,
	    "--time-scale: '0' must be a number > 0 (incident seconds per real second)");
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--time-scale", "fast", NULL), CFG_USAGE);
	write_file("listen 127.0.0.1:5300\ntime-scale -2\n");
	assert_int_equal(parse("--config", FILE_, NULL), CFG_USAGE);
	assert_non_null(strstr(E.msg, ":2: '-2' must be a number > 0"));
}

static void
test_output_sizes(void **state)
{
	static const struct { const char *v; size_t want; } good[] = {
		{ "262144", 262144 }, { "300000", 300000 }, { "256k", 256u << 10 },
		{ "16M", 16u << 20 }, { "16m", 16u << 20 }, { "2g", 2ull << 30 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(parse("--listen", "127.0.0.1:5300", "--max-tcp-output", good[i].v,
		    NULL), CFG_OK);
		if (C.tcp_out_max != good[i].want)
			fail_msg("'%s': got %zu, want %zu", good[i].v, C.tcp_out_max, good[i].want);
	}
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--max-tcp-output", "262143", NULL),
	    CFG_USAGE);
	assert_string_equal(E.msg, "--max-tcp-output: '262143' must be a size from 256k up "
	    "('16M', '512k')");
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--max-tcp-output", "k", NULL),
	    CFG_USAGE);
}

/* --control-tls with its three files, --metrics; each missing piece or
 * stray file option named; the same settings from a config file. */
static void
test_tls_and_metrics(void **state)
{
	(void)state;
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--control-tls", "[::1]:8053",
	    "--tls-cert", "s.pem", "--tls-key", "s.key", "--tls-ca", "ca.pem",
	    "--metrics", "127.0.0.1:9153", NULL), CFG_OK);
	assert_true(C.control_tls);
	assert_string_equal(addr(&C.control_tls_addr), "[::1]:8053");
	assert_string_equal(C.tls_cert, "s.pem");
	assert_string_equal(C.tls_key, "s.key");
	assert_string_equal(C.tls_ca, "ca.pem");
	assert_true(C.metrics);
	assert_string_equal(addr(&C.metrics_addr), "127.0.0.1:9153");

	assert_int_equal(parse("--listen", "127.0.0.1:5300", NULL), CFG_OK);
	assert_false(C.control_tls);
	assert_false(C.metrics);

	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--control-tls", "127.0.0.1:8053",
	    "--tls-cert", "s.pem", "--tls-ca", "ca.pem", NULL), CFG_USAGE);
	assert_true(strncmp(E.msg, "--control-tls: needs --tls-key FILE", 35) == 0);
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--control-tls", "127.0.0.1:8053",
	    NULL), CFG_USAGE);
	assert_true(strncmp(E.msg, "--control-tls: needs --tls-cert FILE", 36) == 0);
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--tls-ca", "ca.pem", NULL),
	    CFG_USAGE);
	assert_string_equal(E.msg, "--tls-ca: only with --control-tls ADDR:PORT");
	/* the port is required: no default for a control channel */
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--control-tls", "127.0.0.1",
	    NULL), CFG_USAGE);
	assert_non_null(strstr(E.msg, "--control-tls: '127.0.0.1' is not ADDR:PORT"));
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--metrics", "localhost:9153",
	    NULL), CFG_USAGE);
	assert_non_null(strstr(E.msg, "--metrics: 'localhost:9153' is not ADDR:PORT"));

	write_file("listen 127.0.0.1:5300\ncontrol-tls 127.0.0.1:8053\n"
	    "tls-cert /etc/faultd/s.pem\ntls-key /etc/faultd/s.key\n"
	    "tls-ca /etc/faultd/ca.pem\nmetrics [::1]:9153\n");
	assert_int_equal(parse("--config", FILE_, NULL), CFG_OK);
	assert_true(C.control_tls);
	assert_string_equal(C.tls_ca, "/etc/faultd/ca.pem");
	assert_string_equal(addr(&C.metrics_addr), "[::1]:9153");
}

static void
test_too_many_listen(void **state)
{
	struct dd_buf b = { 0 };

	(void)state;
	for (int i = 0; i <= CFG_MAX; i++)
		dd_buf_printf(&b, "listen 127.0.0.%d:5300\n", i + 1);
	dd_buf_append(&b, "", 1);
	write_file((const char *)b.data);
	dd_buf_free(&b);
	assert_int_equal(parse("--config", FILE_, NULL), CFG_USAGE);
	assert_non_null(strstr(E.msg, ":65: at most 64 listen addresses"));
}

static void
test_workers(void **state)
{
	(void)state;
	assert_int_equal(parse("--listen", "127.0.0.1:5300", NULL), CFG_OK);
	assert_int_equal(C.workers, 1);
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--workers", "4", NULL), CFG_OK);
	assert_int_equal(C.workers, 4);
	write_file("listen 127.0.0.1:5300\nworkers 2\n");
	assert_int_equal(parse("--config", FILE_, NULL), CFG_OK);
	assert_int_equal(C.workers, 2);
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--workers", "0", NULL), CFG_USAGE);
	assert_string_equal(E.msg, "--workers: '0' must be 1..64");
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--workers", "65", NULL), CFG_USAGE);
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--workers", "two", NULL), CFG_USAGE);
	/* every worker binds the address itself: port 0 would give each its own */
	assert_int_equal(parse("--listen", "127.0.0.1:5300", "--listen", "[::1]:0",
	    "--workers", "2", NULL), CFG_USAGE);
	assert_string_equal(E.msg, "--workers 2: --listen [::1]:0 needs a port other than 0");
	assert_int_equal(parse("--listen", "127.0.0.1:0", NULL), CFG_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_workers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_line_adds_to_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_config_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rule_line_names_term, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_line_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_values_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_config_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_command_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_listen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_scale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls_and_metrics, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
