/*
 * sc_regex.c -- a scenario's regular expressions checked before regcomp()
 * (see sc_regex.h): a walk over the extended syntax that adds up the atoms
 * the expression unrolls to, each repetition multiplying what it repeats
 * the way glibc's parser copies it, stopping as soon as the sum is too
 * large; then regcomp() itself, which the small expressions left are safe
 * to give.
 */
#include "harness/sc_regex.h"

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH_MAX 64   /* nested groups */

/* The end of the bracket expression opening at p ("[...]"), or NULL when
 * it does not close (regcomp() names that error). */
static const char *
bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')       /* a leading ] is a member */
		p++;
	for (; *p != '\0'; p++) {
		if (*p == ']')
			return p;
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char *close = p + 2;
			while (*close != '\0' && !(close[0] == p[1] && close[1] == ']'))
				close++;
			if (*close == '\0')
				return NULL;
			p = close + 1;
		}
	}
	return NULL;
}

/* "{m}", "{m,}", "{m,n}" at p: the copies glibc unrolls (n, or m + 1 when
 * open) and *end past the '}'; 0 when it is not a bound (regcomp()
 * decides what it is then). */
static uint64_t
bound_copies(const char *p, const char **end)
{
	char *e;
	unsigned long m, n;

	if (p[1] < '0' || p[1] > '9')
		return 0;
	m = strtoul(p + 1, &e, 10);
	n = m;
	if (*e == ',') {
		if (e[1] >= '0' && e[1] <= '9')
			n = strtoul(e + 1, &e, 10);
		else {
			n = m + 1;
			e++;
		}
	}
	if (*e != '}')
		return 0;
	*end = e + 1;
	if (n > 1000000)
		n = 1000000;
	return n > 1 ? n : 1;
}

/* The atoms re unrolls to, up to just over limit. */
static uint64_t
unrolled_size(const char *re, uint64_t limit)
{
	/* per open group: its atoms so far, and the last atom's (what a
	 * repetition that follows applies to) */
	uint64_t sum[DEPTH_MAX + 1] = { 0 }, last[DEPTH_MAX + 1] = { 0 };
	int d = 0;

	for (const char *p = re; *p != '\0';) {
		uint64_t atom = 0, copies = 0;
		const char *next = p + 1;

		switch (*p) {
		case '\\':
			atom = 1;
			next = p[1] != '\0' ? p + 2 : p + 1;
			break;
		case '[': {
			const char *e = bracket_end(p);
			if (e == NULL)
				return sum[0];
			atom = 1;
			next = e + 1;
			break;
		}
		case '(':
			if (d == DEPTH_MAX)
				return limit + 1;
			d++;
			sum[d] = last[d] = 0;
			break;
		case ')':
			if (d == 0) {
				atom = 1;   /* a lone ) is an ordinary character */
				break;
			}
			atom = sum[d] > 0 ? sum[d] : 1;
			d--;
			break;
		case '|':
			last[d] = 0;
			break;
		case '+':
			copies = 2;   /* x+ is xx* */
			break;
		case '*':
		case '?':
			copies = 1;
			break;
		case '{':
			copies = bound_copies(p, &next);
			if (copies == 0) {
				atom = 1;
				next = p + 1;
			}
			break;
		default:
			atom = 1;
			break;
		}
		if (atom > 0) {
			sum[d] += atom;
			last[d] = atom;
		} else if (copies > 0 && last[d] > 0) {
			uint64_t grown = last[d] * copies;
			sum[d] += grown - last[d];
			last[d] = grown;
		}
		if (sum[d] > limit || last[d] > limit)
			return limit + 1;
		p = next;
	}
	return sum[0];
}

int
sc_regex_check(const char *re, struct dd_err *err)
{
	regex_t compiled;
	int rc;

	if (unrolled_size(re, SC_REGEX_MAX_SIZE) > SC_REGEX_MAX_SIZE) {
		dd_err_set(err, "repeats too much: unrolled it would be over %d atoms "
		    "(nested or stacked repetitions such as x++ or (x{99}){99})",
		    SC_REGEX_MAX_SIZE);
		return DD_EINVAL;
	}
	rc = regcomp(&compiled, re, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		dd_err_set(err, "is not a valid regular expression");
		return DD_EINVAL;
	}
	regfree(&compiled);
	return 0;
}
