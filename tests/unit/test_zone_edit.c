/*
 * test_zone_edit.c -- faultd/zone_edit.c: live changes to a loaded zone set
 * (each operation, its errors keeping the old data), answered with
 * zone_answer() after each change, and the same changes as control
 * commands through ctl_exec() with the daemon's zone hook.
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

#include <ldns/ldns.h>

#include "faultd/ctl.h"
#include "faultd/zone.h"
#include "faultd/zone_edit.h"
#include "lib/dnswire.h"

static char tmpdir[64], path_ex[128], path_com[128];
static struct zoneset *zs;

static const char ZONE_EX[] =
	"$ORIGIN example.com.\n"
	"$TTL 300\n"
	"@      IN SOA ns1 host 1 7200 3600 1209600 60\n"
	"@      IN NS  ns1\n"
	"ns1    IN A   198.18.1.53\n"
	"www    IN A   198.18.1.1\n"
	"www    IN A   198.18.1.2\n"
	"www    IN AAAA fd00::1\n"
	"alias  IN CNAME www\n"
	"sub    IN NS  ns.sub\n"
	"ns.sub IN A   198.18.1.99\n";

/* a parent zone for delegation tests: com. delegates example.com. */
static const char ZONE_COM[] =
	"com. 600 IN SOA a.gtld. h.gtld. 1 7200 3600 1209600 60\n"
	"com. 600 IN NS a.gtld.\n"
	"example.com. 900 IN NS ns1.example.com.\n"
	"ns1.example.com. 900 IN A 198.18.1.53\n"
	"other.com. 900 IN NS ns.other.net.\n";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static int
setup(void **state)
{
	struct dd_err err = { "" };
	const char *files[1];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_zone_edit.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path_ex, sizeof(path_ex), "%s/example.com.zone", tmpdir);
	snprintf(path_com, sizeof(path_com), "%s/com.zone", tmpdir);
	write_file(path_ex, ZONE_EX);
	write_file(path_com, ZONE_COM);
	files[0] = path_ex;
	if (zoneset_load(&zs, files, 1, &err) != 0) {
		fprintf(stderr, "load: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	zoneset_free(zs);
	zs = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh set for tests that need the parent zone too. */
static struct zoneset *
load_com(void)
{
	struct dd_err err = { "" };
	const char *files[1] = { path_com };
	struct zoneset *s = NULL;

	assert_int_equal(zoneset_load(&s, files, 1, &err), 0);
	return s;
}

/* Ask set s: the reply's rcode; *an the answer count; ttl of the first
 * answer record in *ttl (when any). */
static int
ask_in(struct zoneset *s, const char *name, ldns_rr_type type, size_t *an,
    uint32_t *ttl)
{
	uint8_t query[512], reply[4096];
	size_t qlen = 0, rlen = 0;
	struct dns_query q;
	ldns_rdf *dn = ldns_dname_new_frm_str(name);
	ldns_pkt *p = ldns_pkt_query_new(dn, type, LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *wire = NULL;
	const struct zone *z;
	int rcode;

	assert_int_equal(ldns_pkt2wire(&wire, p, &qlen), LDNS_STATUS_OK);
	memcpy(query, wire, qlen);
	free(wire);
	ldns_pkt_free(p);
	assert_int_equal(dns_parse_query(query, qlen, &q), 0);
	z = zoneset_find(s, q.qname);
	assert_non_null(z);
	assert_int_equal(zone_answer(s, z, query, &q, reply, sizeof(reply), &rlen), 0);
	assert_int_equal(ldns_wire2pkt(&p, reply, rlen), LDNS_STATUS_OK);
	rcode = ldns_pkt_get_rcode(p);
	if (an != NULL)
		*an = ldns_rr_list_rr_count(ldns_pkt_answer(p));
	if (ttl != NULL && ldns_rr_list_rr_count(ldns_pkt_answer(p)) > 0)
		*ttl = ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(p), 0));
	ldns_pkt_free(p);
	return rcode;
}

static int
ask(const char *name, ldns_rr_type type, size_t *an)
{
	return ask_in(zs, name, type, an, NULL);
}

static void
test_record_del_and_add(void **state)
{
	struct dd_err err = { "" };
	char msg[512];
	size_t an = 0;
	const char *rec = "www.example.com. 30 IN A 198.18.1.7\n";

	(void)state;
	assert_int_equal(ask("www.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 2);
	/* fill the reply cache: the change must not be hidden by it */
	assert_int_equal(ask("www.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NOERROR);
	/* one record by its data */
	assert_int_equal(zone_edit_del(zs, "www.example.com.", LDNS_RR_TYPE_A,
	    "198.18.1.1", msg, sizeof(msg), &err), 0);
	assert_int_equal(ask("www.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 1);
	/* the RRset: the type disappears, the name stays (NODATA) */
	assert_int_equal(zone_edit_del(zs, "www.example.com", LDNS_RR_TYPE_A, NULL,
	    msg, sizeof(msg), &err), 0);
	assert_non_null(strstr(msg, "1 record removed"));
	assert_int_equal(ask("www.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 0);
	assert_int_equal(ask("www.example.com.", LDNS_RR_TYPE_AAAA, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 1);
	/* deleting it again: an error naming it */
	assert_int_equal(zone_edit_del(zs, "www.example.com.", LDNS_RR_TYPE_A, NULL,
	    msg, sizeof(msg), &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "no www.example.com. A in zone example.com."));
	/* add it back */
	assert_int_equal(zone_edit_add(zs, rec, strlen(rec), msg, sizeof(msg), &err), 0);
	assert_int_equal(ask("www.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 1);
	/* the same record twice: refused with its line */
	assert_int_equal(zone_edit_add(zs, rec, strlen(rec), msg, sizeof(msg), &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "record text:1: already in the zone"));
	/* everything at a name: NXDOMAIN after */
	assert_int_equal(zone_edit_del(zs, "alias.example.com.", 0, NULL, msg,
	    sizeof(msg), &err), 0);
	assert_int_equal(ask("alias.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NXDOMAIN);
}

static void
test_bad_changes_keep_old_data(void **state)
{
	struct dd_err err = { "" };
	char msg[512];
	size_t an = 0;
	const char *bad_ttl = "new.example.com. 60 IN A 198.18.1.9\n"
	    "new2.example.com. 3x IN A 198.18.1.10\n";
	const char *cname = "ns1.example.com. 60 IN CNAME www.example.com.\n";
	const char *outside = "www.example.org. 60 IN A 198.18.1.9\n";
	const char *zone_bad = "example.com. 60 IN SOA ns1.example.com. h. 2 1 1 1 1\n"
	    "example.com. 60 IN NS ns1.example.com.\n"
	    "www.example.com. 60 IN BOGUS 1\n";

	(void)state;
	assert_int_equal(zone_edit_add(zs, bad_ttl, strlen(bad_ttl), msg, sizeof(msg),
	    &err), DD_EINVAL);
	assert_string_equal(err.msg, "record text:2: bad TTL '3x'");
	assert_int_equal(ask("new.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(zone_edit_add(zs, cname, strlen(cname), msg, sizeof(msg), &err),
	    DD_EINVAL);
	assert_non_null(strstr(err.msg, "record text:1: ns1.example.com. has a CNAME and other data"));
	assert_int_equal(ask("ns1.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 1);
	assert_int_equal(zone_edit_add(zs, outside, strlen(outside), msg, sizeof(msg),
	    &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "in no zone faultd serves"));
	assert_int_equal(zone_edit_set(zs, "example.com.", zone_bad, strlen(zone_bad),
	    msg, sizeof(msg), &err), DD_EINVAL);
	assert_string_equal(err.msg, "zone text:3: unknown type 'BOGUS'");
	assert_int_equal(ask("ns1.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NOERROR);
	/* a text for another zone */
	assert_int_equal(zone_edit_set(zs, "example.com.", ZONE_COM, strlen(ZONE_COM),
	    msg, sizeof(msg), &err), DD_EINVAL);
	assert_non_null(strstr(err.msg, "not the zone's origin example.com."));
	/* the SOA stays */
	assert_int_equal(zone_edit_del(zs, "example.com.", LDNS_RR_TYPE_SOA, NULL, msg,
	    sizeof(msg), &err), DD_EINVAL);
	assert_int_equal(ask("example.com.", LDNS_RR_TYPE_SOA, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 1);
	/* a zone faultd does not serve */
	assert_int_equal(zone_edit_empty(zs, "example.org.", msg, sizeof(msg), &err),
	    DD_EINVAL);
	assert_non_null(strstr(err.msg, "no zone 'example.org.'"));
}

static void
test_set_empty_reset(void **state)
{
	struct dd_err err = { "" };
	char msg[512];
	size_t an = 0;
	const char *text = "$ORIGIN example.com.\n"
	    "@ 60 IN SOA ns1 h 2 1 1 1 1\n"
	    "@ 60 IN NS ns1\n"
	    "ns1 60 IN A 198.18.1.53\n"
	    "fresh 60 IN TXT \"new\"\n";

	(void)state;
	assert_int_equal(zone_edit_set(zs, "example.com.", text, strlen(text), msg,
	    sizeof(msg), &err), 0);
	assert_int_equal(ask("fresh.example.com.", LDNS_RR_TYPE_TXT, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 1);
	assert_int_equal(ask("www.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NXDOMAIN);
	/* empty: SOA and NS answer, everything else is gone */
	assert_int_equal(zone_edit_empty(zs, "example.com.", msg, sizeof(msg), &err), 0);
	assert_non_null(strstr(msg, "2 records removed"));
	assert_int_equal(ask("example.com.", LDNS_RR_TYPE_NS, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 1);
	assert_int_equal(ask("ns1.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NXDOMAIN);
	/* reset: the file's data again */
	assert_int_equal(zone_edit_reset(zs, "example.com.", msg, sizeof(msg), &err), 0);
	assert_int_equal(ask("www.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 2);
	assert_int_equal(ask("fresh.example.com.", LDNS_RR_TYPE_TXT, &an), LDNS_RCODE_NXDOMAIN);
}

static void
test_ttls_and_ns(void **state)
{
	struct dd_err err = { "" };
	char msg[512];
	size_t an = 0;
	uint32_t ttl = 0;
	struct dd_buf out = { 0 };

	(void)state;
	assert_int_equal(zone_edit_ttl(zs, "www.example.com.", LDNS_RR_TYPE_A, 5, msg,
	    sizeof(msg), &err), 0);
	ask_in(zs, "www.example.com.", LDNS_RR_TYPE_A, &an, &ttl);
	assert_int_equal(ttl, 5);
	ask_in(zs, "www.example.com.", LDNS_RR_TYPE_AAAA, &an, &ttl);
	assert_int_equal(ttl, 300);
	assert_int_equal(zone_edit_ttl(zs, "nope.example.com.", 0, 5, msg, sizeof(msg),
	    &err), DD_EINVAL);
	assert_int_equal(zone_edit_zone_ttl(zs, "example.com.", 9, msg, sizeof(msg), &err), 0);
	ask_in(zs, "www.example.com.", LDNS_RR_TYPE_AAAA, &an, &ttl);
	assert_int_equal(ttl, 9);
	const char *names[] = { "ns7.example.net.", "ns8.example.net" };
	assert_int_equal(zone_edit_ns(zs, "example.com.", names, 2, msg, sizeof(msg), &err), 0);
	assert_int_equal(ask("example.com.", LDNS_RR_TYPE_NS, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 2);
	assert_int_equal(zone_edit_show(zs, "example.com.", &out, &err), 0);
	dd_buf_append(&out, "", 1);
	assert_non_null(strstr((char *)out.data, "example.com.\t9\tIN\tNS\tns8.example.net."));
	assert_null(strstr((char *)out.data, "NS\tns1.example.com."));
	dd_buf_free(&out);
	assert_int_equal(zone_edit_reset(zs, "example.com.", msg, sizeof(msg), &err), 0);
}

static void
test_delegation(void **state)
{
	struct zoneset *s = load_com();
	struct dd_err err = { "" };
	char msg[512];
	size_t an = 0;
	const char *names[] = { "ns1.example.com." };
	const char *glue = "ns1.example.com. 900 IN A 198.18.1.53\n";

	(void)state;
	/* a referral before */
	assert_int_equal(ask_in(s, "www.example.com.", LDNS_RR_TYPE_A, &an, NULL),
	    LDNS_RCODE_NOERROR);
	assert_int_equal(zone_edit_deleg_del(s, "example.com.", msg, sizeof(msg), &err), 0);
	assert_non_null(strstr(msg, "2 records removed from zone com."));
	assert_int_equal(ask_in(s, "example.com.", LDNS_RR_TYPE_NS, &an, NULL),
	    LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ask_in(s, "www.example.com.", LDNS_RR_TYPE_A, &an, NULL),
	    LDNS_RCODE_NXDOMAIN);
	/* the other delegation stays */
	assert_int_equal(ask_in(s, "www.other.com.", LDNS_RR_TYPE_A, &an, NULL),
	    LDNS_RCODE_NOERROR);
	/* no such delegation (any more) */
	assert_int_equal(zone_edit_deleg_del(s, "example.com.", msg, sizeof(msg), &err),
	    DD_EINVAL);
	assert_non_null(strstr(err.msg, "zone com. has no delegation of example.com."));
	assert_int_equal(zone_edit_deleg_del(s, "example.org.", msg, sizeof(msg), &err),
	    DD_EINVAL);
	/* restored: NS set and glue */
	assert_int_equal(zone_edit_deleg_set(s, "example.com.", names, 1, msg,
	    sizeof(msg), &err), 0);
	assert_int_equal(zone_edit_add(s, glue, strlen(glue), msg, sizeof(msg), &err), 0);
	assert_int_equal(ask_in(s, "www.example.com.", LDNS_RR_TYPE_A, &an, NULL),
	    LDNS_RCODE_NOERROR);
	assert_int_equal(an, 0);    /* a referral: NS in authority */
	zoneset_free(s);
}

/* The control commands, as faultd runs them. */
static int
hook(void *arg, const char *cmd, const char *args, struct dd_buf *data, char *msg,
    size_t msglen, struct dd_err *err)
{
	return zone_edit_cmd(arg, cmd, args, data, msg, msglen, err);
}

static char *
run(const struct ctl_target *t, const char *line)
{
	static char buf[8192];
	struct dd_buf out = { 0 };

	ctl_exec(t, line, &out);
	snprintf(buf, sizeof(buf), "%.*s", (int)out.len, (char *)out.data);
	dd_buf_free(&out);
	return buf;
}

static void
test_control_commands(void **state)
{
	struct ruleset *rs = ruleset_new();
	struct ctl_target t = { .rules = rs, .zone = hook, .arg = zs };
	struct ctl_target none = { .rules = rs };
	struct dd_buf line = { 0 };
	const char *text = "new.example.com. 60 IN A 198.18.1.8\n"
	    "new.example.com. 60 IN TXT \"a\\\\b\"\n";
	size_t an = 0;

	(void)state;
	assert_string_equal(run(&t, "record del www.example.com. AAAA"),
	    "OK record del www.example.com. AAAA: 1 record removed from zone example.com.\n");
	assert_int_equal(ask("www.example.com.", LDNS_RR_TYPE_AAAA, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 0);
	assert_string_equal(run(&t, "record del www.example.com. AAAA"),
	    "ERR record del: no www.example.com. AAAA in zone example.com.\n");
	/* a text: escaped on the line */
	dd_buf_printf(&line, "record add ");
	ctl_text_escape(text, strlen(text), &line);
	dd_buf_append(&line, "", 1);
	assert_non_null(strstr((char *)line.data, "\\n"));
	assert_string_equal(run(&t, (char *)line.data),
	    "OK record add: 2 records in zone example.com.\n");
	dd_buf_free(&line);
	assert_int_equal(ask("new.example.com.", LDNS_RR_TYPE_TXT, &an), LDNS_RCODE_NOERROR);
	assert_int_equal(an, 1);
	assert_string_equal(run(&t, "record add new.example.com. 60 IN A\\q"),
	    "ERR bad escape at offset 24 of the text (only \\\\, \\n, \\t and \\r)\n");
	assert_string_equal(run(&t, "record ttl www.example.com. A 12"),
	    "OK record ttl www.example.com. A: TTL 12 on 2 records\n");
	assert_non_null(strstr(run(&t, "record ttl www.example.com. A soon"), "ERR record ttl: 'soon' is not a TTL"));
	assert_non_null(strstr(run(&t, "record del www.example.com. QQQ"), "ERR record del: unknown type 'QQQ'"));
	assert_non_null(strstr(run(&t, "zone show example.com."), "www.example.com.\t12\tIN\tA\t198.18.1.1\n"));
	assert_non_null(strstr(run(&t, "zone empty example.com."), "OK zone example.com.: emptied"));
	assert_string_equal(run(&t, "zone ttl example.com. 5 6"), "ERR zone ttl: zone ttl ORIGIN TTL\n");
	assert_non_null(strstr(run(&t, "zone reset example.com."), "OK zone example.com.: read again"));
	assert_non_null(strstr(run(&t, "zone ns example.com. ns1.example.com. ns2.example.net."), "OK zone example.com.: NS set of 2 names (was 1)"));
	assert_non_null(strstr(run(&t, "delegation del sub.example.com."), "OK delegation del sub.example.com.: 2 records removed"));
	assert_int_equal(ask("x.sub.example.com.", LDNS_RR_TYPE_A, &an), LDNS_RCODE_NXDOMAIN);
	assert_non_null(strstr(run(&t, "delegation del sub.example.com."), "ERR delegation del: zone example.com. has no delegation"));
	assert_non_null(strstr(run(&t, "delegation frob x."), "ERR delegation: unknown subcommand 'frob'"));
	assert_non_null(strstr(run(&t, "zone reset example.com."), "OK"));
	/* a faultd without zones */
	assert_string_equal(run(&none, "zone empty example.com."),
	    "ERR zone: faultd serves no zones here\n");
	ruleset_free(rs);
}

static void
test_escape_roundtrip(void **state)
{
	const char *text = "a\\b\n\tc\r\n";
	struct dd_buf b = { 0 };
	struct dd_err err = { "" };
	char *back = NULL;
	size_t len = 0;

	(void)state;
	ctl_text_escape(text, strlen(text), &b);
	dd_buf_append(&b, "", 1);
	assert_string_equal((char *)b.data, "a\\\\b\\n\\tc\\r\\n");
	assert_int_equal(ctl_text_unescape((char *)b.data, &back, &len, &err), 0);
	assert_string_equal(back, text);
	assert_int_equal(len, strlen(text));
	free(back);
	assert_int_equal(ctl_text_unescape("x\\", &back, &len, &err), DD_EINVAL);
	assert_null(back);
	dd_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_record_del_and_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_changes_keep_old_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_empty_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ttls_and_ns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delegation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_commands, setup, teardown),
		cmocka_unit_test(test_escape_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
