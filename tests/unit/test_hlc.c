/* test_hlc.c - the hybrid logical clock: monotonic, tracks the wall, carries overflow. */
#include "helpers.h"
#include "internal.h"

#define MS(x) ((uint64_t)(x) << RUTA_HLC_COUNTER_BITS)

static void follows_the_wall_clock_when_it_is_ahead(void **state)
{
	(void)state;
	assert_int_equal(ruta_hlc__next(MS(1000) + 5, 2000, 0), MS(2000));
}

static void counts_up_within_one_millisecond(void **state)
{
	(void)state;
	assert_int_equal(ruta_hlc__next(MS(2000), 2000, 0), MS(2000) + 1);
	assert_int_equal(ruta_hlc__next(MS(2000) + 1, 2000, 0), MS(2000) + 2);
}

static void stays_monotonic_when_the_wall_clock_jumps_back(void **state)
{
	uint64_t last = ruta_hlc__next(0, 1795000000000LL, 0);   /* 2026 */
	uint64_t next = ruta_hlc__next(last, 1577836800000LL, 0); /* back to 2020 */
	(void)state;
	assert_true(next > last);
	assert_int_equal(next, last + 1);
}

static void supersedes_the_version_it_overwrote(void **state)
{
	/* A remote version from a clock far ahead: an edit of it must still win. */
	uint64_t base = MS(9000000000000LL);
	(void)state;
	assert_true(ruta_hlc__next(MS(1000), 1000, base) > base);
	assert_int_equal(ruta_hlc__next(MS(1000), 1000, base), base + 1);
}

static void counter_overflow_carries_into_the_milliseconds(void **state)
{
	uint64_t last = MS(5000), v = 0;
	int i;
	(void)state;
	/* 70,000 changes stamped in the same wall millisecond. */
	for (i = 0; i < 70000; i++) {
		v = ruta_hlc__next(last, 5000, 0);
		assert_true(v > last);
		last = v;
	}
	assert_int_equal(v >> RUTA_HLC_COUNTER_BITS, 5001);
	assert_int_equal(v & 0xffff, 70000 - 65536);
	/* The wall catches up: a later millisecond takes over again. */
	assert_int_equal(ruta_hlc__next(v, 5002, 0), MS(5002));
}

static void negative_and_huge_wall_clocks_are_clamped(void **state)
{
	(void)state;
	assert_int_equal(ruta_hlc__next(0, -5, 0), 1);
	assert_true(ruta_hlc__next(0, INT64_MAX, 0) <= (uint64_t)INT64_MAX);
	assert_int_equal(ruta_hlc__next((uint64_t)INT64_MAX, 0, 0), (uint64_t)INT64_MAX);
}

/* Two replicas that saw the same last version and edit in the same
 * millisecond issue different versions, each above what it must exceed. */
static void own_versions_of_two_replicas_differ(void **state)
{
	uint64_t last = MS(2000) + 0x1234, base = MS(2000) + 0x1300;
	uint64_t a = ruta_hlc__next_own(last, 2000, base, 0x17);
	uint64_t b = ruta_hlc__next_own(last, 2000, base, 0xc4);
	(void)state;
	assert_true(a != b);
	assert_int_equal(a & 0xff, 0x17);
	assert_int_equal(b & 0xff, 0xc4);
	assert_true(a > base && b > base && a > last && b > last);
	/* the smallest such version: within 256 of what the plain clock gives */
	assert_true(a - ruta_hlc__next(last, 2000, base) < 256);
	/* and again from there: still increasing, still its own byte */
	assert_true(ruta_hlc__next_own(a, 2000, 0, 0x17) > a);
	assert_int_equal(ruta_hlc__next_own(a, 2000, 0, 0x17) & 0xff, 0x17);
}

static void text_forms_round_trip(void **state)
{
	char hex[17], human[40];
	uint64_t h = MS(1795346627909LL) + 3, back = 0;
	(void)state;
	ruta_hlc_format(hex, h);
	assert_string_equal(hex, "01a202ff7d450003");   /* (1795346627909 << 16) + 3 */
	ASSERT_OK(ruta_hlc__parse(&back, hex));
	assert_int_equal(back, h);
	ruta_hlc_describe(human, h);
	assert_string_equal(human, "2026-11-22T11:23:47.909Z+3");
	ruta_hlc_describe(human, MS(1795346627007LL) + 65535);   /* padded ms, the widest counter */
	assert_string_equal(human, "2026-11-22T11:23:47.007Z+65535");
	ruta_hlc_describe(human, MS(946684800000LL) + 10);
	assert_string_equal(human, "2000-01-01T00:00:00.000Z+10");
	ruta_hlc_describe(human, 0);
	assert_string_equal(human, "1970-01-01T00:00:00.000Z+0");
	assert_int_equal(ruta_hlc__parse(&back, "01A202FF7D450003"), RUTA_EINVALID);
	assert_int_equal(ruta_hlc__parse(&back, "01a203046845000"), RUTA_EINVALID);
	assert_int_equal(ruta_hlc__parse(&back, "ffffffffffffffff"), RUTA_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(follows_the_wall_clock_when_it_is_ahead),
		cmocka_unit_test(counts_up_within_one_millisecond),
		cmocka_unit_test(stays_monotonic_when_the_wall_clock_jumps_back),
		cmocka_unit_test(supersedes_the_version_it_overwrote),
		cmocka_unit_test(counter_overflow_carries_into_the_milliseconds),
		cmocka_unit_test(negative_and_huge_wall_clocks_are_clamped),
		cmocka_unit_test(own_versions_of_two_replicas_differ),
		cmocka_unit_test(text_forms_round_trip),
	};
	return cmocka_run_group_tests_name("hlc", tests, NULL, NULL);
}
