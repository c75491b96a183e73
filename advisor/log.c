/*
 * log.c: the advisor's event log on stderr (see log.h for the line formats).
 *
 * Each event is written with one fprintf call and flushed at once.  Not
 * async-signal-safe: signal handlers only set flags and the main loop logs.
 */
#include "log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static LogLevel log_min_level = LOG_LEVEL_INFO;
static LogFormat log_format = LOG_FORMAT_TEXT;
static FILE *log_stream = NULL;

void
log_configure(LogLevel min_level, LogFormat format)
{
	log_min_level = min_level;
	log_format = format;
}

void
log_set_stream(FILE *stream)
{
	log_stream = stream;
}

const char *
log_level_name(LogLevel level)
{
	switch (level)
	{
		case LOG_LEVEL_DEBUG:
			return "DEBUG";
		case LOG_LEVEL_INFO:
			return "INFO";
		case LOG_LEVEL_WARNING:
			return "WARNING";
		case LOG_LEVEL_ERROR:
			return "ERROR";
	}
	return "UNKNOWN";
}

static const char *
log_level_json_name(LogLevel level)
{
	switch (level)
	{
		case LOG_LEVEL_DEBUG:
			return "debug";
		case LOG_LEVEL_INFO:
			return "info";
		case LOG_LEVEL_WARNING:
			return "warning";
		case LOG_LEVEL_ERROR:
			return "error";
	}
	return "unknown";
}

/* Append one byte when it fits; always count it. */
static void
put_char(char *buf, size_t size, size_t *len, char c)
{
	if (*len + 1 < size)
		buf[*len] = c;
	(*len)++;
}

size_t
log_json_quote(char *buf, size_t size, const char *text)
{
	size_t		len = 0;
	const unsigned char *p;

	put_char(buf, size, &len, '"');
	for (p = (const unsigned char *) (text ? text : ""); *p; p++)
	{
		char		escaped[8];
		const char *e;

		switch (*p)
		{
			case '"':
				e = "\\\"";
				break;
			case '\\':
				e = "\\\\";
				break;
			case '\n':
				e = "\\n";
				break;
			case '\r':
				e = "\\r";
				break;
			case '\t':
				e = "\\t";
				break;
			case '\b':
				e = "\\b";
				break;
			case '\f':
				e = "\\f";
				break;
			default:
				if (*p < 0x20 || *p == 0x7f)
				{
					snprintf(escaped, sizeof(escaped), "\\u%04x", *p);
					e = escaped;
				}
				else
				{
					/* Bytes >= 0x80 pass through: the text is UTF-8. */
					put_char(buf, size, &len, (char) *p);
					continue;
				}
		}
		for (; *e; e++)
			put_char(buf, size, &len, *e);
	}
	put_char(buf, size, &len, '"');
	if (size > 0)
		buf[len < size ? len : size - 1] = '\0';
	return len;
}

/* Format into a malloc'd string; NULL when out of memory. */
static char *
format_message(const char *fmt, va_list args)
{
	va_list		copy;
	int			needed;
	char	   *message;

	va_copy(copy, args);
	needed = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (needed < 0)
		return NULL;
	message = malloc((size_t) needed + 1);
	if (message == NULL)
		return NULL;
	vsnprintf(message, (size_t) needed + 1, fmt, args);
	return message;
}

/* Quote text as JSON into a malloc'd string. */
static char *
json_quote_alloc(const char *text)
{
	size_t		needed = log_json_quote(NULL, 0, text);
	char	   *quoted = malloc(needed + 1);

	if (quoted != NULL)
		log_json_quote(quoted, needed + 1, text);
	return quoted;
}

void
log_event(LogLevel level, const char *target, const char *fmt,...)
{
	va_list		args;
	char	   *message;
	char		timestamp[32];
	time_t		now;
	struct tm	tm_utc;
	FILE	   *stream = log_stream ? log_stream : stderr;
	char	   *p;

	if (level < log_min_level)
		return;

	va_start(args, fmt);
	message = format_message(fmt, args);
	va_end(args);
	if (message == NULL)
		return;

	now = time(NULL);
	gmtime_r(&now, &tm_utc);

	if (log_format == LOG_FORMAT_JSON)
	{
		char	   *json_message = json_quote_alloc(message);
		char	   *json_target = target ? json_quote_alloc(target) : NULL;

		strftime(timestamp, sizeof(timestamp), "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
		if (json_message != NULL && (target == NULL || json_target != NULL))
			fprintf(stream,
					"{\"time\":\"%s\",\"level\":\"%s\",\"target\":%s,\"message\":%s}\n",
					timestamp, log_level_json_name(level),
					json_target ? json_target : "null", json_message);
		free(json_message);
		free(json_target);
	}
	else
	{
		/* Keep one event on one line. */
		for (p = message; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		strftime(timestamp, sizeof(timestamp), "%Y-%m-%d %H:%M:%S UTC", &tm_utc);
		if (target != NULL)
			fprintf(stream, "%s %s [%s] %s\n", timestamp, log_level_name(level),
					target, message);
		else
			fprintf(stream, "%s %s %s\n", timestamp, log_level_name(level), message);
	}
	fflush(stream);
	free(message);
}
