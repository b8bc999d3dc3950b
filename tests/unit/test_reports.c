/* test_reports.c - the parts of the sales reports with edge cases: periods,
 * the Pareto classes of ABC, ratios. */
#include "helpers.h"

#include "reports.h"

static void periods_are_whole_utc_months(void **state)
{
	int from = 0, to = 0;
	(void)state;
	assert_int_equal(ruta_report__period(&from, &to, "2026-09", 0), 0);
	assert_int_equal(from, 2026 * 12 + 8);
	assert_int_equal(to, from + 1);
	assert_int_equal(ruta_report__period(&from, &to, "2026-11..2027-02", 0), 0);
	assert_int_equal(to - from, 4);
	assert_int_equal(ruta_report__period(&from, &to, "2026-Q4", 0), 0);
	assert_int_equal(from, 2026 * 12 + 9);
	assert_int_equal(to - from, 3);
	assert_int_equal(ruta_report__period(&from, &to, "2026", 0), 0);
	assert_int_equal(to - from, 12);
	/* the default: the month of now, 2026-11-22T19:00:00Z */
	assert_int_equal(ruta_report__period(&from, &to, NULL, 1795374000LL), 0);
	assert_int_equal(from, 2026 * 12 + 10);
}

static void bad_periods_are_refused(void **state)
{
	static const char *const bad[] = { "2026-13", "2026-00", "2026-9", "26-09", "2026-Q5",
		"2026-11..2026-09", "2026-09..", "..2026-09", "2026-09x", "x", "02026", "2026-09-01" };
	size_t i;
	int from, to;
	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ruta_report__period(&from, &to, bad[i], 0), -1);
}

static void pareto_counts_the_share_before_the_account(void **state)
{
	/* 70 + 20 + 6 + 4 = 100: the account crossing 80 % is still an A */
	const int64_t v[] = { 70, 20, 6, 4 };
	char c[5] = { 0 };
	(void)state;
	ruta_report__pareto(c, v, 4, 80, 95);
	assert_string_equal(c, "AABC");
}

static void pareto_edge_cases(void **state)
{
	const int64_t zeros[] = { 0, 0 }, one[] = { 5 }, tail[] = { 50, 50, 0 }, tie[] = { 10, 10, 10, 10 };
	char c[5] = { 0 };
	(void)state;
	ruta_report__pareto(c, zeros, 2, 80, 95);
	assert_string_equal(c, "CC");                  /* nothing bought: C */
	memset(c, 0, sizeof(c));
	ruta_report__pareto(c, one, 1, 80, 95);
	assert_string_equal(c, "A");                   /* the only one starts at 0 % */
	memset(c, 0, sizeof(c));
	ruta_report__pareto(c, tail, 3, 80, 95);
	assert_string_equal(c, "AAC");                 /* zero is C even under the bound */
	memset(c, 0, sizeof(c));
	ruta_report__pareto(c, tie, 4, 80, 95);
	assert_string_equal(c, "AAAA");                /* 0, 25, 50, 75 % before: all A */
	memset(c, 0, sizeof(c));
	ruta_report__pareto(c, tie, 4, 50, 75);
	assert_string_equal(c, "AABC");
}

static void ratios_have_one_decimal_rounded_half_up(void **state)
{
	char t[32];
	(void)state;
	ruta_report__ratio(t, sizeof(t), 1, 3, 100);
	assert_string_equal(t, "33.3");
	ruta_report__ratio(t, sizeof(t), 2, 3, 100);
	assert_string_equal(t, "66.7");
	ruta_report__ratio(t, sizeof(t), 13, 2, 1);
	assert_string_equal(t, "6.5");
	ruta_report__ratio(t, sizeof(t), 1, 0, 100);
	assert_string_equal(t, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(periods_are_whole_utc_months),
		cmocka_unit_test(bad_periods_are_refused),
		cmocka_unit_test(pareto_counts_the_share_before_the_account),
		cmocka_unit_test(pareto_edge_cases),
		cmocka_unit_test(ratios_have_one_decimal_rounded_half_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
