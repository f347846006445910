/*
 * test_ctl_tls.c -- the TLS control channel: option checks
 * (ctl_tls_opts_check, ctl_tls_resolve), contexts from PEM files with
 * every bad file named (missing, not PEM, a key of another certificate, a
 * CA file without certificates), and the whole path on one event loop:
 * faultd's control-tls listener (control.c, ctl_exec against a real rule
 * set) and the asynchronous client (ctl_client_new_tls) -- ping, pipelined
 * commands, a reply of many TLS records, a command longer than faultd
 * reads at once (the bytes OpenSSL then holds decrypted must still be
 * read), a client certificate from another CA
 * refused, a server certificate the client's CA did not sign refused, and
 * a server name that does not match.  Certificates are made here with the
 * OpenSSL API (P-256 keys, valid for a day) in a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "faultd/control.h"
#include "faultd/ctl.h"
#include "faultd/ctl_tls.h"
#include "lib/log.h"

static char DIR_[64];
static char P[16][160];   /* file paths, by index below */
enum { CA, CA_KEY, CA2, CA2_KEY, SRV, SRV_KEY, CLI, CLI_KEY, BAD, BAD_KEY,
    SRV2, SRV2_KEY, JUNK, EMPTY };

/* ---------------- making certificates ---------------- */

static EVP_PKEY *
newkey(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

/* A certificate for key named cn, signed by (issuer, ikey), or self-signed
 * when issuer is NULL; a CA when ca; with an IP SAN when ip. */
static X509 *
newcert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, bool ca,
    const char *san)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) :
	    X509_get_subject_name(x));
	X509V3_set_ctx(&v3, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (san != NULL) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
		assert_non_null(ext);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	assert_true(X509_sign(x, issuer != NULL ? ikey : key, EVP_sha256()) > 0);
	return x;
}

static void
write_pem(int cert_i, X509 *x, int key_i, EVP_PKEY *k)
{
	FILE *f = fopen(P[cert_i], "w");

	assert_non_null(f);
	assert_true(PEM_write_X509(f, x) == 1);
	fclose(f);
	f = fopen(P[key_i], "w");
	assert_non_null(f);
	assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
	fclose(f);
}

static int
group_setup(void **state)
{
	static const char *names[] = { "ca.pem", "ca.key", "ca2.pem", "ca2.key",
	    "srv.pem", "srv.key", "cli.pem", "cli.key", "bad.pem", "bad.key",
	    "srv2.pem", "srv2.key", "junk.pem", "empty.pem" };
	EVP_PKEY *kca, *kca2, *ksrv, *kcli, *kbad, *ksrv2;
	X509 *ca, *ca2, *srv, *cli, *bad, *srv2;
	FILE *f;

	(void)state;
	log_init("test_ctl_tls", LOG_LVL_ERROR);
	snprintf(DIR_, sizeof(DIR_), "/tmp/test_ctl_tls.XXXXXX");
	assert_non_null(mkdtemp(DIR_));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		snprintf(P[i], sizeof(P[i]), "%s/%s", DIR_, names[i]);
	kca = newkey(); kca2 = newkey(); ksrv = newkey(); kcli = newkey();
	kbad = newkey(); ksrv2 = newkey();
	ca = newcert(kca, "test CA", NULL, NULL, true, NULL);
	ca2 = newcert(kca2, "other CA", NULL, NULL, true, NULL);
	srv = newcert(ksrv, "faultd.test", ca, kca, false, "DNS:faultd.test,IP:127.0.0.1");
	cli = newcert(kcli, "client", ca, kca, false, NULL);
	bad = newcert(kbad, "intruder", ca2, kca2, false, NULL);
	srv2 = newcert(ksrv2, "faultd.test", ca2, kca2, false, "DNS:faultd.test");
	write_pem(CA, ca, CA_KEY, kca);
	write_pem(CA2, ca2, CA2_KEY, kca2);
	write_pem(SRV, srv, SRV_KEY, ksrv);
	write_pem(CLI, cli, CLI_KEY, kcli);
	write_pem(BAD, bad, BAD_KEY, kbad);
	write_pem(SRV2, srv2, SRV2_KEY, ksrv2);
	X509_free(ca); X509_free(ca2); X509_free(srv); X509_free(cli); X509_free(bad);
	X509_free(srv2);
	EVP_PKEY_free(kca); EVP_PKEY_free(kca2); EVP_PKEY_free(ksrv); EVP_PKEY_free(kcli);
	EVP_PKEY_free(kbad); EVP_PKEY_free(ksrv2);
	assert_non_null(f = fopen(P[JUNK], "w"));
	fputs("this is not PEM\n", f);
	fclose(f);
	assert_non_null(f = fopen(P[EMPTY], "w"));
	fclose(f);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	for (int i = 0; i <= EMPTY; i++)
		unlink(P[i]);
	rmdir(DIR_);
	return 0;
}

/* ---------------- options ---------------- */

static void
test_opts_check(void **state)
{
	struct ctl_tls_opts o = { "127.0.0.1:8053", "ca.pem", "c.pem", "c.key", NULL };
	struct dd_err e;

	(void)state;
	assert_int_equal(ctl_tls_opts_check(&o, &e), 0);
	o.addr = "[fd00::1]:8053";
	assert_int_equal(ctl_tls_opts_check(&o, &e), 0);
	o.addr = "faultd.chaos.svc:8053";
	assert_int_equal(ctl_tls_opts_check(&o, &e), 0);
	static const char *bad[] = { "127.0.0.1", "fd00::1:8053", "[fd00::1]8053",
	    "h:0", "h:65536", "h:", ":53", "h:5x", "[]:53" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.addr = bad[i];
		assert_int_equal(ctl_tls_opts_check(&o, &e), DD_EINVAL);
		assert_non_null(strstr(e.msg, bad[i]));
	}
	o.addr = NULL;
	assert_int_equal(ctl_tls_opts_check(&o, &e), DD_EINVAL);
	assert_non_null(strstr(e.msg, "no address"));
	o.addr = "h:53";
	o.ca_file = NULL;
	assert_int_equal(ctl_tls_opts_check(&o, &e), DD_EINVAL);
	assert_non_null(strstr(e.msg, "the CA file missing"));
	o.ca_file = "ca.pem";
	o.key_file = "";
	assert_int_equal(ctl_tls_opts_check(&o, &e), DD_EINVAL);
	assert_non_null(strstr(e.msg, "the key missing"));
	o.key_file = "k";
	o.server_name = "";
	assert_int_equal(ctl_tls_opts_check(&o, &e), DD_EINVAL);
	assert_int_equal(ctl_tls_opts_check(NULL, &e), DD_EINVAL);
}

static void
test_resolve(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct dd_err e;

	(void)state;
	assert_int_equal(ctl_tls_resolve("127.0.0.1:8053", &ss, &len, &e), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8053);
	assert_int_equal(ctl_tls_resolve("[fd00::1]:853", &ss, &len, &e), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ctl_tls_resolve("localhost:853", &ss, &len, &e), 0);
	assert_int_equal(ctl_tls_resolve("no-such-host.invalid:853", &ss, &len, &e),
	    DD_EINVAL);
	assert_non_null(strstr(e.msg, "cannot resolve no-such-host.invalid"));
	assert_int_equal(ctl_tls_resolve("nonsense", &ss, &len, &e), DD_EINVAL);
}

/* ---------------- contexts from files ---------------- */

static void
test_ctx_files(void **state)
{
	struct dd_err e;
	SSL_CTX *ctx;
	char missing[200];

	(void)state;
	ctx = ctl_tls_ctx_new(true, P[SRV], P[SRV_KEY], P[CA], &e);
	assert_non_null(ctx);
	SSL_CTX_free(ctx);
	ctx = ctl_tls_ctx_new(false, P[CLI], P[CLI_KEY], P[CA], &e);
	assert_non_null(ctx);
	SSL_CTX_free(ctx);

	snprintf(missing, sizeof(missing), "%s/none.pem", DIR_);
	assert_null(ctl_tls_ctx_new(true, missing, P[SRV_KEY], P[CA], &e));
	assert_non_null(strstr(e.msg, "TLS certificate"));
	assert_non_null(strstr(e.msg, missing));
	assert_non_null(strstr(e.msg, "No such file"));
	assert_null(ctl_tls_ctx_new(true, P[SRV], missing, P[CA], &e));
	assert_non_null(strstr(e.msg, "TLS key"));
	assert_null(ctl_tls_ctx_new(true, P[SRV], P[SRV_KEY], missing, &e));
	assert_non_null(strstr(e.msg, "TLS CA file"));
	/* not PEM */
	assert_null(ctl_tls_ctx_new(true, P[JUNK], P[SRV_KEY], P[CA], &e));
	assert_non_null(strstr(e.msg, P[JUNK]));
	assert_non_null(strstr(e.msg, "not a usable PEM certificate"));
	assert_null(ctl_tls_ctx_new(true, P[SRV], P[JUNK], P[CA], &e));
	assert_non_null(strstr(e.msg, P[JUNK]));
	/* another certificate's key */
	assert_null(ctl_tls_ctx_new(true, P[SRV], P[CLI_KEY], P[CA], &e));
	assert_non_null(strstr(e.msg, "does not match the certificate"));
	assert_non_null(strstr(e.msg, P[CLI_KEY]));
	/* a CA file with no certificate */
	assert_null(ctl_tls_ctx_new(true, P[SRV], P[SRV_KEY], P[JUNK], &e));
	assert_non_null(strstr(e.msg, "no usable certificate"));
	assert_null(ctl_tls_ctx_new(true, P[SRV], P[SRV_KEY], P[EMPTY], &e));
	assert_non_null(strstr(e.msg, P[EMPTY]));
}

/* ---------------- the channel on one loop ---------------- */

struct got {
	int n;
	int rc[8];
	char status[8][64];
	char err[8][400];
	size_t data_len[8];
};

static void
on_reply(void *arg, int rc, const char *status, const char *data, size_t data_len,
    const char *errmsg)
{
	struct got *g = arg;

	(void)data;
	g->rc[g->n] = rc;
	snprintf(g->status[g->n], sizeof(g->status[0]), "%s", status ? status : "");
	snprintf(g->err[g->n], sizeof(g->err[0]), "%s", errmsg ? errmsg : "");
	g->data_len[g->n] = data_len;
	g->n++;
}

/* A free TCP port on 127.0.0.1 (bound, read, released). */
static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

struct chan {
	struct ev_loop *loop;
	struct ruleset *rs;
	struct ctl_target t;
	struct control *srv;
	char addr[32];
};

static void
chan_open(struct chan *ch, int srv_cert, int srv_key)
{
	struct control_tls_conf conf = { .cert_file = P[srv_cert], .key_file = P[srv_key],
	    .ca_file = P[CA] };
	struct dd_err e;

	ch->loop = ev_loop_new();
	ch->rs = ruleset_new();
	assert_non_null(ch->loop);
	assert_non_null(ch->rs);
	ch->t = (struct ctl_target){ .rules = ch->rs };
	snprintf(ch->addr, sizeof(ch->addr), "127.0.0.1:%d", free_port());
	assert_int_equal(dd_sockaddr_parse(ch->addr, -1, &conf.addr), 0);
	assert_int_equal(control_open_tls(&ch->srv, ch->loop, &conf, &ch->t, 0, &e), 0);
}

static void
chan_close(struct chan *ch)
{
	control_close(ch->srv);
	ruleset_free(ch->rs);
	ev_loop_free(ch->loop);
}

/* Run the loop until g has n replies (at most ~5 s). */
static void
wait_for(struct chan *ch, struct got *g, int n)
{
	for (int i = 0; i < 500 && g->n < n; i++)
		ev_loop_once(ch->loop, 10000);
	assert_int_equal(g->n, n);
}

static struct ctl_client *
client(struct chan *ch, int cert, int key, int ca, const char *name)
{
	struct ctl_tls_opts o = { ch->addr, P[ca], P[cert], P[key], name };
	struct dd_err e;
	struct ctl_client *c = ctl_client_new_tls(ch->loop, &o, &e);

	assert_non_null(c);
	return c;
}

static void
test_channel(void **state)
{
	struct chan ch;
	struct got g = { 0 };
	struct ctl_client *c;
	char line[300];

	(void)state;
	chan_open(&ch, SRV, SRV_KEY);
	c = client(&ch, CLI, CLI_KEY, CA, "faultd.test");
	assert_int_equal(ctl_client_send(c, "ping", 0, on_reply, &g), 0);
	assert_int_equal(ctl_client_send(c, "rule add name=a.test action=servfail", 0,
	    on_reply, &g), 0);
	assert_int_equal(ctl_client_send(c, "rule del 99", 0, on_reply, &g), 0);
	wait_for(&ch, &g, 3);
	assert_int_equal(g.rc[0], 0);
	assert_string_equal(g.status[0], "pong");
	assert_int_equal(g.rc[1], 0);
	assert_int_equal(ruleset_count(ch.rs), 1);
	assert_int_equal(g.rc[2], DD_EINVAL);
	assert_non_null(strstr(g.err[2], "no rule 99"));

	/* a reply of ~60 KB: several TLS records, each larger than a read */
	for (int i = 0; i < 300; i++) {
		struct rule *r;
		struct dd_err e;
		snprintf(line, sizeof(line), "name=n%03d.a-rather-long-name-to-fill-the-record"
		    ".example.test type=AAAA action=answer:fd00::%x negttl=5", i, i + 1);
		assert_int_equal(rule_parse(line, &r, &e), 0);
		assert_int_equal(ruleset_add(ch.rs, r, false), 0);
	}
	assert_int_equal(ctl_client_send(c, "rule list", 0, on_reply, &g), 0);
	/* a command of 6,000 bytes: one TLS record, more than faultd reads at
	 * once; the rest waits decrypted inside OpenSSL, not on the socket */
	{
		char big[6010] = "ping ";
		memset(big + 5, 'x', 6000);
		big[6005] = '\0';
		assert_int_equal(ctl_client_send(c, big, 0, on_reply, &g), 0);
	}
	wait_for(&ch, &g, 5);
	assert_int_equal(g.rc[3], 0);
	assert_true(g.data_len[3] > 30000);
	assert_int_equal(g.rc[4], 0);
	assert_string_equal(g.status[4], "pong");
	ctl_client_free(c);
	chan_close(&ch);
}

static void
test_refused(void **state)
{
	struct chan ch;
	struct got g = { 0 };
	struct ctl_client *c;

	(void)state;
	chan_open(&ch, SRV, SRV_KEY);
	/* a client certificate from another CA: faultd refuses it */
	c = client(&ch, BAD, BAD_KEY, CA, NULL);
	assert_int_equal(ctl_client_send(c, "rule add action=drop", 2000000, on_reply, &g), 0);
	wait_for(&ch, &g, 1);
	assert_int_equal(g.rc[0], DD_EIO);
	assert_non_null(strstr(g.err[0], "TLS"));
	assert_int_equal(ruleset_count(ch.rs), 0);
	ctl_client_free(c);
	/* the client expects another name: it refuses faultd */
	c = client(&ch, CLI, CLI_KEY, CA, "other.test");
	assert_int_equal(ctl_client_send(c, "clear", 2000000, on_reply, &g), 0);
	wait_for(&ch, &g, 2);
	assert_int_equal(g.rc[1], DD_EIO);
	assert_non_null(strstr(g.err[1], "hostname mismatch"));
	ctl_client_free(c);
	/* faultd's certificate by a CA the client does not trust */
	c = client(&ch, CLI, CLI_KEY, CA2, NULL);
	assert_int_equal(ctl_client_send(c, "ping", 2000000, on_reply, &g), 0);
	wait_for(&ch, &g, 3);
	assert_int_equal(g.rc[2], DD_EIO);
	assert_non_null(strstr(g.err[2], "certificate verify failed"));
	ctl_client_free(c);
	/* and a good one still gets in afterwards; the IP SAN matches too */
	c = client(&ch, CLI, CLI_KEY, CA, "127.0.0.1");
	assert_int_equal(ctl_client_send(c, "ping", 0, on_reply, &g), 0);
	wait_for(&ch, &g, 4);
	assert_int_equal(g.rc[3], 0);
	ctl_client_free(c);
	chan_close(&ch);
}

static void
test_new_tls_errors(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct ctl_tls_opts o = { "127.0.0.1:1", P[CA], P[CLI], P[SRV_KEY], NULL };
	struct ctl_result res;
	struct dd_err e;

	(void)state;
	assert_null(ctl_client_new_tls(loop, &o, &e));
	assert_non_null(strstr(e.msg, "does not match"));
	o.key_file = P[CLI_KEY];
	o.addr = "127.0.0.1";
	assert_null(ctl_client_new_tls(loop, &o, &e));
	assert_non_null(strstr(e.msg, "not HOST:PORT"));
	/* the blocking face: options refused before anything is sent */
	assert_int_equal(ctl_request_tls(&o, "ping", 0, &res, &e), DD_EINVAL);
	assert_null(res.data);
	ctl_result_free(&res);
	/* nobody listening */
	o.addr = "127.0.0.1:1";
	assert_int_equal(ctl_request_tls(&o, "ping", 2000000, &res, &e), DD_EIO);
	assert_non_null(strstr(e.msg, "127.0.0.1:1"));
	ctl_result_free(&res);
	ev_loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_check),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_ctx_files),
		cmocka_unit_test(test_channel),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_new_tls_errors),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
