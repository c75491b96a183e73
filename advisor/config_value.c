/*
 * config_value.c: parse and format the single values of the configuration
 * file: durations, sizes, percentages, time windows, booleans and integers.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS_PER_SECOND 1000.0
#define MS_PER_MINUTE (60 * MS_PER_SECOND)
#define MS_PER_HOUR (60 * MS_PER_MINUTE)
#define MS_PER_DAY (24 * MS_PER_HOUR)
#define KB 1024.0
#define MB (1024 * KB)
#define GB (1024 * MB)
#define TB (1024 * GB)

static const char *
skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * Parse "<number><unit>" where the number may have a fraction and spaces may
 * sit around the unit.  Looks the unit up in names[] and multiplies by the
 * matching factors[].  The result must be a whole number of base units.
 */
static bool
parse_number_with_unit(const char *text, const char *const *names,
					   const double *factors, bool case_sensitive, int64_t *result)
{
	const char *p = skip_spaces(text);
	const char *unit_start;
	char	   *end;
	double		number;
	size_t		unit_len;
	int			i;

	if (!isdigit((unsigned char) *p) && *p != '.')
		return false;
	errno = 0;
	number = strtod(p, &end);
	if (errno != 0 || end == p || !isfinite(number))
		return false;
	/* strtod also reads hexadecimal and exponents, which are not accepted. */
	for (; p < end; p++)
		if (!isdigit((unsigned char) *p) && *p != '.')
			return false;

	unit_start = skip_spaces(end);
	unit_len = 0;
	while (isalpha((unsigned char) unit_start[unit_len]))
		unit_len++;
	if (unit_len == 0 || *skip_spaces(unit_start + unit_len) != '\0')
		return false;

	for (i = 0; names[i] != NULL; i++)
	{
		bool		same;

		if (strlen(names[i]) != unit_len)
			continue;
		same = case_sensitive ? strncmp(unit_start, names[i], unit_len) == 0
			: strncasecmp(unit_start, names[i], unit_len) == 0;
		if (same)
		{
			double		value = number * factors[i];

			if (value > 9.0e15 || value != floor(value))
				return false;
			*result = (int64_t) value;
			return true;
		}
	}
	return false;
}

bool
config_parse_duration(const char *text, int64_t *ms)
{
	static const char *const names[] = {"ms", "s", "m", "min", "h", "d", NULL};
	static const double factors[] = {1, MS_PER_SECOND, MS_PER_MINUTE, MS_PER_MINUTE,
	MS_PER_HOUR, MS_PER_DAY};

	return parse_number_with_unit(text, names, factors, true, ms);
}

/* PostgreSQL's memory units: case-sensitive, 1024-based. */
bool
config_parse_size(const char *text, int64_t *bytes)
{
	static const char *const names[] = {"B", "kB", "MB", "GB", "TB", NULL};
	static const double factors[] = {1, KB, MB, GB, TB};

	return parse_number_with_unit(text, names, factors, true, bytes);
}

/* "10%" or "0.1". */
bool
config_parse_fraction(const char *text, double *fraction)
{
	const char *p = skip_spaces(text);
	char	   *end;
	double		number;
	const char *q;

	if (!isdigit((unsigned char) *p) && *p != '.')
		return false;
	errno = 0;
	number = strtod(p, &end);
	if (errno != 0 || end == p || !isfinite(number))
		return false;
	for (q = p; q < end; q++)
		if (!isdigit((unsigned char) *q) && *q != '.')
			return false;
	end = (char *) skip_spaces(end);
	if (*end == '%')
	{
		number /= 100.0;
		end = (char *) skip_spaces(end + 1);
	}
	if (*end != '\0')
		return false;
	*fraction = number;
	return true;
}

/* Parse "HH:MM" into minutes after midnight; 24:00 is allowed. */
static bool
parse_time_of_day(const char *text, size_t len, int *minute)
{
	int			hours;
	int			minutes;

	if (len != 5 || !isdigit((unsigned char) text[0]) || !isdigit((unsigned char) text[1]) ||
		text[2] != ':' || !isdigit((unsigned char) text[3]) || !isdigit((unsigned char) text[4]))
		return false;
	hours = (text[0] - '0') * 10 + (text[1] - '0');
	minutes = (text[3] - '0') * 10 + (text[4] - '0');
	if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0))
		return false;
	*minute = hours * 60 + minutes;
	return true;
}

bool
config_parse_window(const char *text, TimeWindow *window)
{
	const char *dash = strchr(text, '-');
	int			start;
	int			end;

	if (dash == NULL)
		return false;
	if (!parse_time_of_day(text, (size_t) (dash - text), &start) ||
		!parse_time_of_day(dash + 1, strlen(dash + 1), &end))
		return false;
	if (start == 24 * 60 || end == 0 || start == end)
		return false;
	window->start_minute = start;
	window->end_minute = end;
	return true;
}

bool
config_window_contains(const TimeWindow *window, int minute_of_day)
{
	if (window->start_minute < window->end_minute)
		return minute_of_day >= window->start_minute && minute_of_day < window->end_minute;
	/* The window wraps past midnight, such as 22:00-04:00. */
	return minute_of_day >= window->start_minute || minute_of_day < window->end_minute;
}

void
config_format_duration(int64_t ms, char *buf, size_t size)
{
	static const struct
	{
		const char *name;
		int64_t		factor;
	}			units[] = {
		{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}
	};
	size_t		i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
	{
		if (ms != 0 && ms % units[i].factor == 0)
		{
			snprintf(buf, size, "%lld%s", (long long) (ms / units[i].factor), units[i].name);
			return;
		}
	}
	if (ms == 0)
		snprintf(buf, size, "0s");
	else
		snprintf(buf, size, "%lldms", (long long) ms);
}

void
config_format_size(int64_t bytes, char *buf, size_t size)
{
	static const char *const names[] = {"TB", "GB", "MB", "kB"};
	int64_t		factor = (int64_t) 1 << 40;
	int			i;

	for (i = 0; i < 4; i++, factor >>= 10)
	{
		if (bytes != 0 && bytes % factor == 0)
		{
			snprintf(buf, size, "%lld%s", (long long) (bytes / factor), names[i]);
			return;
		}
	}
	snprintf(buf, size, "%lldB", (long long) bytes);
}

void
config_format_fraction(double fraction, char *buf, size_t size)
{
	snprintf(buf, size, "%g%%", fraction * 100.0);
}

void
config_format_window(const TimeWindow *window, char *buf, size_t size)
{
	snprintf(buf, size, "%02d:%02d-%02d:%02d",
			 window->start_minute / 60, window->start_minute % 60,
			 window->end_minute / 60, window->end_minute % 60);
}

bool
config_parse_bool(const char *text, bool *value)
{
	static const char *const true_words[] = {"true", "yes", "on", NULL};
	static const char *const false_words[] = {"false", "no", "off", NULL};
	int			i;

	for (i = 0; true_words[i] != NULL; i++)
		if (strcasecmp(text, true_words[i]) == 0)
		{
			*value = true;
			return true;
		}
	for (i = 0; false_words[i] != NULL; i++)
		if (strcasecmp(text, false_words[i]) == 0)
		{
			*value = false;
			return true;
		}
	return false;
}

bool
config_parse_integer(const char *text, int64_t *value)
{
	const char *p = text;
	char	   *end;
	long long	number;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char) *p))
		return false;
	errno = 0;
	number = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*value = number;
	return true;
}
