/* test_error.c - the last error is per thread, and prefixes keep the subject first. */
#include <pthread.h>

#include "helpers.h"
#include "internal.h"

static void *other_thread(void *arg)
{
	(void)arg;
	ruta_error__set(RUTA_ENOTFOUND, "set in the other thread");
	return NULL;
}

static void errors_do_not_cross_threads(void **state)
{
	pthread_t t;
	(void)state;
	ruta_error__set(RUTA_EINVALID, "set here");
	assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(ruta_error_last()->code, RUTA_EINVALID);
	assert_string_equal(ruta_error_last()->message, "set here");
}

static void a_prefix_names_the_subject(void **state)
{
	(void)state;
	ruta_error__set(RUTA_EINVALID, "'x' is not allowed");
	assert_int_equal(ruta_error__prefix("contact %s", "email"), RUTA_EINVALID);
	assert_string_equal(ruta_error_last()->message, "contact email: 'x' is not allowed");
	ruta_error__clear();
	assert_int_equal(ruta_error_last()->code, RUTA_OK);
	assert_string_equal(ruta_error_last()->message, "");
}

static void long_messages_are_cut_not_overrun(void **state)
{
	char big[3000];
	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ruta_error__set(RUTA_EINVALID, "%s", big);
	ruta_error__prefix("%s", big);
	assert_true(strlen(ruta_error_last()->message) < 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(errors_do_not_cross_threads),
		cmocka_unit_test(a_prefix_names_the_subject),
		cmocka_unit_test(long_messages_are_cut_not_overrun),
	};
	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
