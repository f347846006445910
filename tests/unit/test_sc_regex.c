/*
 * test_sc_regex.c -- a scenario's regular expressions checked before
 * regcomp(): ordinary ones pass, broken ones are refused as before, and
 * those glibc would unroll exponentially are refused without compiling.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "harness/sc_regex.h"
#include "lib/err.h"

static void
ok(const char *re)
{
	struct dd_err err = { { 0 } };
	int rc = sc_regex_check(re, &err);

	if (rc != 0)
		print_error("'%s' refused: %s\n", re, err.msg);
	assert_int_equal(rc, 0);
}

static void
refused(const char *re, const char *needle)
{
	struct dd_err err = { { 0 } };

	assert_int_equal(sc_regex_check(re, &err), DD_EINVAL);
	if (strstr(err.msg, needle) == NULL)
		print_error("'%s': '%s' not in: %s\n", re, needle, err.msg);
	assert_non_null(strstr(err.msg, needle));
}

static void
test_ordinary(void **state)
{
	(void)state;
	ok("^tick [0-9]+$");
	ok("ready|listening on [0-9.]+:[0-9]{1,5}");
	ok("([0-9]{1,3}\\.){3}[0-9]{1,3}");
	ok("[]a{+*]x++");          /* brackets, a literal { and one x++ */
	ok("[[:digit:]]+ (ok|OK)\\{9999\\}");
	ok("a{0,4095}");
	ok(".*");
	ok("");
	/* a lone ) is a character */
	ok("a)b");
}

static void
test_invalid(void **state)
{
	(void)state;
	refused("(unclosed", "is not a valid regular expression");
	refused("[", "is not a valid regular expression");
	refused("a{1", "is not a valid regular expression");
	refused("[[:nope:]]", "is not a valid regular expression");
}

static void
test_too_much(void **state)
{
	(void)state;
	/* each + doubles what glibc builds: 2^16 copies here */
	refused("^tick [0-9]++++++++++++++++$", "repeats too much");
	refused("((a{40}){40}){40}", "repeats too much");
	refused("a{4097}", "repeats too much");
	refused("(((((((((((((x+)+)+)+)+)+)+)+)+)+)+)+)+)", "repeats too much");
	refused("(a|b|c|d){2000}", "repeats too much");
	/* deeper than any scenario needs */
	char deep[200];
	memset(deep, '(', 100);
	deep[100] = 'x';
	memset(deep + 101, ')', 98);
	deep[199] = '\0';
	refused(deep, "repeats too much");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_too_much),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
