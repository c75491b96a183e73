/*
 * log.h: one line per event on stderr, as text or as JSON.
 *
 * Text lines look like
 *     2026-12-04 19:50:01 UTC INFO [target] message
 * and JSON lines like
 *     {"time":"2026-12-04T19:50:01Z","level":"info","target":"target","message":"message"}
 * The target is the configured name of the database the event is about, or NULL
 * for events about the advisor itself.  Callers must never pass a conninfo that
 * may hold a password; mask it first with config_mask_conninfo().
 */
#ifndef SCALEUP_LOG_H
#define SCALEUP_LOG_H

#include <stdio.h>

typedef enum
{
	LOG_LEVEL_DEBUG,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR
} LogLevel;

typedef enum
{
	LOG_FORMAT_TEXT,
	LOG_FORMAT_JSON
} LogFormat;

/* Set the minimum level written and the line format; the default is INFO, text. */
void		log_configure(LogLevel min_level, LogFormat format);

/* Write one event; newlines inside the message are replaced so it stays one line. */
void		log_event(LogLevel level, const char *target, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* Redirect log lines to another stream (stderr by default); used by the tests. */
void		log_set_stream(FILE *stream);

/* Upper-case name of a level as written in text lines ("INFO"). */
const char *log_level_name(LogLevel level);

/*
 * Append the JSON string literal for text (with quotes) to buf, which has room
 * for size bytes.  Returns the length the full literal needs, excluding the
 * terminating NUL, like snprintf; the output is truncated when that is >= size.
 */
size_t		log_json_quote(char *buf, size_t size, const char *text);

#endif							/* SCALEUP_LOG_H */
