/*
 * fuzz_rule.c -- faultd's rule language (faultd/rule.c): one rule through
 * rule_parse(), and an input of several lines as a rules file through
 * rules_load_file().
 *
 * Checked (abort() when not so): a refused rule says why; a rules file with
 * a NUL byte is refused (it would cut a rule short); an accepted rule's
 * canonical text (the one `rule list` shows and a rules file would hold)
 * parses again to the same rule and is its own canonical text; an accepted
 * rule goes into a rule set, is matched against a few queries and is
 * deleted again.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultd/rule.h"
#include "lib/dnswire.h"
#include "lib/log.h"
#include "tests/fuzz/fuzzlib.h"

static struct fuzz_file F;
static struct dns_query QS[4];
static struct sockaddr_in C4;
static struct sockaddr_in6 C6;

static void
make_query(struct dns_query *q, const char *name, uint16_t type, bool edns)
{
	uint8_t buf[512];
	struct dns_writer w;
	uint8_t wire[DNS_MAX_NAME];
	int n = dns_name_from_str(name, wire, sizeof(wire));

	dns_w_init(&w, buf, sizeof(buf));
	dns_w_u16(&w, 0x1234);
	dns_w_u16(&w, DNS_RD);
	dns_w_u16(&w, 1);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, 0);
	dns_w_u16(&w, edns ? 1 : 0);
	dns_w_bytes(&w, wire, (size_t)n);
	dns_w_u16(&w, type);
	dns_w_u16(&w, DNS_C_IN);
	if (edns)
		dns_w_opt(&w, 1232, true);
	if (n < 0 || w.overflow || dns_parse_query(buf, w.len, q) != 0)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init("fuzz_rule", LOG_LVL_ERROR);
	fuzz_file_init(&F);
	make_query(&QS[0], "www.example.com", DNS_T_A, false);
	make_query(&QS[1], "A.B.Example.COM", DNS_T_AAAA, true);
	make_query(&QS[2], "example.org", DNS_T_TXT, false);
	make_query(&QS[3], ".", DNS_T_NS, true);
	C4.sin_family = AF_INET;
	inet_pton(AF_INET, "198.18.1.10", &C4.sin_addr);
	C6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "fd00::10", &C6.sin6_addr);
	return 0;
}

/* Two parses of the same rule: equal in everything but identity. */
static bool
same_rule(const struct rule *a, const struct rule *b)
{
	struct rule x = *a, y = *b;

	x.text = y.text = NULL;
	x.id = y.id = 0;
	x.seq = y.seq = 0;
	x.hits = y.hits = 0;
	x.origin = y.origin = RULE_FROM_CLI;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

static void
check_rule(struct rule *r)
{
	struct rule *r2 = NULL;
	struct dd_err err = { "" };
	struct dd_rng rng;

	FUZZ_CHECK(r->text != NULL && r->text[0] != '\0', "no canonical text");
	FUZZ_CHECK(rule_parse(r->text, &r2, &err) == 0, "canonical '%s' refused: %s", r->text,
	    err.msg);
	FUZZ_CHECK(same_rule(r, r2), "canonical '%s' parses to another rule", r->text);
	FUZZ_CHECK(strcmp(r->text, r2->text) == 0, "canonical '%s' is not canonical ('%s')",
	    r->text, r2->text);
	rule_free(r2);

	/* into a set with a neighbour, matched, deleted */
	struct ruleset *rs = ruleset_new();
	struct rule *other = NULL;
	uint64_t id;

	if (rs == NULL || rule_parse("name=*.example.com action=servfail", &other, &err) != 0)
		abort();
	FUZZ_CHECK(ruleset_add(rs, other, false) == 0, "add");
	FUZZ_CHECK(ruleset_add(rs, r, true) == 0, "add");
	id = r->id;
	dd_rng_seed(&rng, 1);
	for (size_t i = 0; i < 4; i++) {
		for (int tr = TRANSPORT_UDP; tr <= TRANSPORT_TCP; tr++) {
			struct rule *m = ruleset_match(rs, &QS[i], (const struct sockaddr *)&C4,
			    (enum rule_transport)tr, &rng);
			FUZZ_CHECK(m == NULL || m == r || m == other, "matched a stranger");
			m = ruleset_match(rs, &QS[i], (const struct sockaddr *)&C6,
			    (enum rule_transport)tr, &rng);
			FUZZ_CHECK(m == NULL || m == r || m == other, "matched a stranger");
		}
	}
	FUZZ_CHECK(ruleset_count(rs) == 2, "count");
	FUZZ_CHECK(ruleset_del(rs, id) == 0, "del");
	FUZZ_CHECK(ruleset_count(rs) == 1, "count after del");
	ruleset_free(rs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct rule *r = NULL;
	struct dd_err err = { "" };
	int rc;

	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (rule_parse(text, &r, &err) == 0)
		check_rule(r);      /* r now belongs to a set, freed there */
	else
		FUZZ_CHECK(r == NULL && err.msg[0] != '\0', "refused without a reason");

	/* several lines: a rules file */
	if (memchr(data, '\n', size) != NULL) {
		struct rule **rules = NULL;
		size_t n = 0;

		fuzz_file_put(&F, data, size);
		err.msg[0] = '\0';
		rc = rules_load_file(F.path, &rules, &n, &err);
		/* a NUL byte would cut its line's rule short: refused */
		FUZZ_CHECK(rc != 0 || memchr(data, '\0', size) == NULL,
		    "a rules file with a NUL byte loaded");
		if (rc == 0) {
			for (size_t i = 0; i < n; i++) {
				struct rule *again = NULL;
				FUZZ_CHECK(rule_parse(rules[i]->text, &again, &err) == 0 &&
				    same_rule(rules[i], again), "rule %zu of the file", i);
				rule_free(again);
			}
			rules_free_array(rules, n);
		} else {
			FUZZ_CHECK(rules == NULL && err.msg[0] != '\0', "file refused without a reason");
		}
	}
	free(text);
	return 0;
}
