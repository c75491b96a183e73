/*
 * unit.h: a small unit-test framework for the advisor.
 *
 * A test file defines tests with TEST(suite, name) { ... }; a constructor
 * registers each one, so test/run-tests.c runs every test linked into it
 * without a list to maintain.  Inside a test:
 *
 *     CHECK(cond)                        cond is true
 *     CHECK_INT_EQ(expected, actual)     two integers (compared as long long)
 *     CHECK_UINT_EQ(expected, actual)    two unsigned integers
 *     CHECK_DOUBLE_EQ(expected, actual, tolerance)
 *     CHECK_STR_EQ(expected, actual)     two strings; NULL equals only NULL
 *     CHECK_STR_CONTAINS(needle, haystack)
 *     CHECK_NULL(ptr), CHECK_NOT_NULL(ptr)
 *
 * A failed CHECK prints "file:line: ... expected ..., actual ..." and the test
 * goes on; REQUIRE(cond) and REQUIRE_NOT_NULL(ptr) also end the test at once.
 * A test fails when any of its checks failed.
 */
#ifndef SCALEUP_UNIT_H
#define SCALEUP_UNIT_H

#include <stdbool.h>
#include <stddef.h>

typedef void (*UnitTestFunction) (void);

void		unit_register(const char *suite, const char *name, UnitTestFunction function);

/* Record the outcome of one check; returns ok.  Used by the macros below. */
bool		unit_check(bool ok, const char *file, int line, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));
bool		unit_check_int(long long expected, long long actual,
						   const char *expected_text, const char *actual_text,
						   const char *file, int line);
bool		unit_check_uint(unsigned long long expected, unsigned long long actual,
							const char *expected_text, const char *actual_text,
							const char *file, int line);
bool		unit_check_double(double expected, double actual, double tolerance,
							  const char *expected_text, const char *actual_text,
							  const char *file, int line);
bool		unit_check_str(const char *expected, const char *actual,
						   const char *expected_text, const char *actual_text,
						   const char *file, int line);
bool		unit_check_contains(const char *needle, const char *haystack,
								const char *needle_text, const char *haystack_text,
								const char *file, int line);

#define TEST(suite, name) \
	static void test_##suite##_##name(void); \
	__attribute__((constructor)) static void register_##suite##_##name(void) \
	{ \
		unit_register(#suite, #name, test_##suite##_##name); \
	} \
	static void test_##suite##_##name(void)

#define CHECK(cond) \
	unit_check((cond) ? true : false, __FILE__, __LINE__, "CHECK(%s) failed", #cond)

#define CHECK_INT_EQ(expected, actual) \
	unit_check_int((long long) (expected), (long long) (actual), \
				   #expected, #actual, __FILE__, __LINE__)

#define CHECK_UINT_EQ(expected, actual) \
	unit_check_uint((unsigned long long) (expected), (unsigned long long) (actual), \
					#expected, #actual, __FILE__, __LINE__)

#define CHECK_DOUBLE_EQ(expected, actual, tolerance) \
	unit_check_double((double) (expected), (double) (actual), (double) (tolerance), \
					  #expected, #actual, __FILE__, __LINE__)

#define CHECK_STR_EQ(expected, actual) \
	unit_check_str((expected), (actual), #expected, #actual, __FILE__, __LINE__)

#define CHECK_STR_CONTAINS(needle, haystack) \
	unit_check_contains((needle), (haystack), #needle, #haystack, __FILE__, __LINE__)

#define CHECK_NULL(ptr) \
	unit_check((ptr) == NULL, __FILE__, __LINE__, "%s: expected NULL, actual %p", \
			   #ptr, (const void *) (ptr))

#define CHECK_NOT_NULL(ptr) \
	unit_check((ptr) != NULL, __FILE__, __LINE__, "%s: expected non-NULL, actual NULL", #ptr)

#define REQUIRE(cond) \
	do { if (!CHECK(cond)) return; } while (0)

#define REQUIRE_NOT_NULL(ptr) \
	do { if (!CHECK_NOT_NULL(ptr)) return; } while (0)

#endif							/* SCALEUP_UNIT_H */
