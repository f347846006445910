/*
 * test_buf.c -- the growable byte buffer: appends that grow it, printf,
 * consuming a prefix (write queues), compaction keeping what is unread,
 * reset, and requests too large to satisfy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"

static void
test_append_grows(void **state)
{
	struct dd_buf b = { 0 };
	char chunk[100];

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	for (int i = 0; i < 50; i++)
		assert_int_equal(dd_buf_append(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(b.len, 5000);
	assert_true(b.cap >= 5000);
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(b.data[i], 'a');
	assert_int_equal(b.oom, 0);
	dd_buf_free(&b);
}

static void
test_printf_appends_text(void **state)
{
	struct dd_buf b = { 0 };

	(void)state;
	assert_int_equal(dd_buf_printf(&b, "rule %d", 7), 0);
	assert_int_equal(dd_buf_printf(&b, " %s\n", "added"), 0);
	assert_int_equal(b.len, strlen("rule 7 added\n"));
	assert_memory_equal(b.data, "rule 7 added\n", b.len);
	/* printf leaves the text NUL-terminated just past len */
	assert_int_equal(b.data[b.len], '\0');
	/* longer than the first allocation */
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(dd_buf_printf(&b, "%s", big), 0);
	assert_int_equal(b.len, 13 + 999);
	assert_int_equal(b.data[b.len - 1], 'x');
	dd_buf_free(&b);
}

static void
test_consume_and_compact(void **state)
{
	struct dd_buf b = { 0 };
	char big[300];

	(void)state;
	assert_int_equal(dd_buf_append(&b, "0123456789", 10), 0);
	dd_buf_consume(&b, 4);
	assert_int_equal(b.off, 4);
	assert_memory_equal(b.data + b.off, "456789", 6);
	/* an append that needs room moves the unread part to the front */
	size_t cap = b.cap;
	memset(big, 'z', sizeof(big));
	assert_int_equal(dd_buf_append(&b, big, cap - 10 + 2), 0);
	assert_int_equal(b.off, 0);
	assert_memory_equal(b.data, "456789", 6);
	assert_int_equal(b.len, 6 + cap - 8);
	/* consuming everything empties it */
	dd_buf_consume(&b, b.len);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.off, 0);
	dd_buf_free(&b);
}

static void
test_reset_and_free(void **state)
{
	struct dd_buf b = { 0 };

	(void)state;
	assert_int_equal(dd_buf_append(&b, "abc", 3), 0);
	b.oom = 1;
	dd_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.oom, 0);
	assert_non_null(b.data);       /* memory kept for reuse */
	dd_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
	dd_buf_free(&b);               /* twice is harmless */
	dd_buf_free(NULL);
}

/* Nothing onto an empty buffer (mark_big in result_json_read does this for
 * a big number at the very start): no change and no arithmetic on the NULL
 * data pointer (UBSan reported "applying zero offset to null pointer" in
 * fuzz_result; this test fails under SANITIZE=undefined without the fix). */
static void
test_append_nothing_to_empty(void **state)
{
	struct dd_buf b = { 0 };

	(void)state;
	assert_int_equal(dd_buf_append(&b, "", 0), 0);
	assert_int_equal(dd_buf_append(&b, NULL, 0), 0);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_false(b.oom);
	assert_int_equal(dd_buf_append(&b, "x", 1), 0);
	assert_int_equal(dd_buf_append(&b, NULL, 0), 0);
	assert_int_equal(b.len, 1);
	assert_memory_equal(b.data, "x", 1);
	dd_buf_free(&b);
}

static void
test_impossible_size_is_enomem(void **state)
{
	struct dd_buf b = { 0 };

	(void)state;
	assert_int_equal(dd_buf_append(&b, "abc", 3), 0);
	/* never reaches memcpy: the size cannot be satisfied */
	assert_int_equal(dd_buf_append(&b, "x", SIZE_MAX - 2), DD_ENOMEM);
	assert_int_equal(b.oom, 1);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "abc", 3);
	dd_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_grows),
		cmocka_unit_test(test_printf_appends_text),
		cmocka_unit_test(test_consume_and_compact),
		cmocka_unit_test(test_reset_and_free),
		cmocka_unit_test(test_append_nothing_to_empty),
		cmocka_unit_test(test_impossible_size_is_enomem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
