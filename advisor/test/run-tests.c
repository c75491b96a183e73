/*
 * run-tests.c: runs every unit test registered through TEST() (see unit.h).
 *
 * Usage: run-tests [SUBSTRING]...  runs the tests whose "suite.name" contains
 * one of the substrings, or all tests without arguments.  The last line of
 * output is "N passed, N failed"; the exit status is 1 when a test failed.
 */
#include "unit.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct UnitTest
{
	const char *suite;
	const char *name;
	UnitTestFunction function;
} UnitTest;

static UnitTest *tests = NULL;
static size_t test_count = 0;
static size_t test_capacity = 0;

/* Failed checks in the test that is running. */
static int current_failures = 0;
static const UnitTest *current_test = NULL;

void
unit_register(const char *suite, const char *name, UnitTestFunction function)
{
	if (test_count == test_capacity)
	{
		size_t		new_capacity = test_capacity ? test_capacity * 2 : 64;
		UnitTest   *grown = realloc(tests, new_capacity * sizeof(UnitTest));

		if (grown == NULL)
		{
			fprintf(stderr, "out of memory registering test %s.%s\n", suite, name);
			exit(2);
		}
		tests = grown;
		test_capacity = new_capacity;
	}
	tests[test_count].suite = suite;
	tests[test_count].name = name;
	tests[test_count].function = function;
	test_count++;
}

static void
report_failure_header(const char *file, int line)
{
	if (current_test != NULL)
		fprintf(stdout, "%s:%d: in %s.%s: ", file, line,
				current_test->suite, current_test->name);
	else
		fprintf(stdout, "%s:%d: ", file, line);
}

bool
unit_check(bool ok, const char *file, int line, const char *fmt,...)
{
	va_list		args;

	if (ok)
		return true;
	current_failures++;
	report_failure_header(file, line);
	va_start(args, fmt);
	vfprintf(stdout, fmt, args);
	va_end(args);
	fputc('\n', stdout);
	return false;
}

bool
unit_check_int(long long expected, long long actual,
			   const char *expected_text, const char *actual_text,
			   const char *file, int line)
{
	return unit_check(expected == actual, file, line,
					  "%s: expected %lld (%s), actual %lld",
					  actual_text, expected, expected_text, actual);
}

bool
unit_check_uint(unsigned long long expected, unsigned long long actual,
				const char *expected_text, const char *actual_text,
				const char *file, int line)
{
	return unit_check(expected == actual, file, line,
					  "%s: expected %llu (%s), actual %llu",
					  actual_text, expected, expected_text, actual);
}

bool
unit_check_double(double expected, double actual, double tolerance,
				  const char *expected_text, const char *actual_text,
				  const char *file, int line)
{
	bool		ok = fabs(expected - actual) <= tolerance;

	return unit_check(ok, file, line,
					  "%s: expected %.17g (%s) within %g, actual %.17g",
					  actual_text, expected, expected_text, tolerance, actual);
}

bool
unit_check_str(const char *expected, const char *actual,
			   const char *expected_text, const char *actual_text,
			   const char *file, int line)
{
	bool		ok;

	if (expected == NULL || actual == NULL)
		ok = (expected == actual);
	else
		ok = (strcmp(expected, actual) == 0);
	if (ok)
		return true;

	(void) expected_text;
	if (expected == NULL)
		return unit_check(false, file, line, "%s: expected NULL, actual \"%s\"",
						  actual_text, actual);
	if (actual == NULL)
		return unit_check(false, file, line, "%s: expected \"%s\", actual NULL",
						  actual_text, expected);
	return unit_check(false, file, line, "%s:\n    expected \"%s\"\n    actual   \"%s\"",
					  actual_text, expected, actual);
}

bool
unit_check_contains(const char *needle, const char *haystack,
					const char *needle_text, const char *haystack_text,
					const char *file, int line)
{
	(void) needle_text;
	if (needle != NULL && haystack != NULL && strstr(haystack, needle) != NULL)
		return true;
	return unit_check(false, file, line, "%s: expected to contain \"%s\", actual %s%s%s",
					  haystack_text, needle ? needle : "(NULL)",
					  haystack ? "\"" : "", haystack ? haystack : "NULL",
					  haystack ? "\"" : "");
}

static int
compare_tests(const void *a, const void *b)
{
	const UnitTest *ta = a;
	const UnitTest *tb = b;
	int			cmp = strcmp(ta->suite, tb->suite);

	return cmp != 0 ? cmp : strcmp(ta->name, tb->name);
}

static bool
test_selected(const UnitTest *test, int argc, char **argv)
{
	char		full_name[512];
	int			i;

	if (argc <= 1)
		return true;
	snprintf(full_name, sizeof(full_name), "%s.%s", test->suite, test->name);
	for (i = 1; i < argc; i++)
		if (strstr(full_name, argv[i]) != NULL)
			return true;
	return false;
}

int
main(int argc, char **argv)
{
	size_t		i;
	int			passed = 0;
	int			failed = 0;

	/* Constructors register tests in link order; run them in a stable order. */
	if (test_count > 0)
		qsort(tests, test_count, sizeof(UnitTest), compare_tests);

	for (i = 0; i < test_count; i++)
	{
		if (!test_selected(&tests[i], argc, argv))
			continue;
		current_test = &tests[i];
		current_failures = 0;
		tests[i].function();
		fflush(stderr);
		if (current_failures == 0)
			passed++;
		else
		{
			fprintf(stdout, "FAILED %s.%s\n", tests[i].suite, tests[i].name);
			failed++;
		}
		fflush(stdout);
	}
	current_test = NULL;
	free(tests);

	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
