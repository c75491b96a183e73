/* Unit tests for log.c: JSON escaping and the two line formats. */
#include "log.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run one log_event through a temporary stream and return the line written. */
static char *
capture_event(LogLevel min_level, LogFormat format, LogLevel level,
			  const char *target, const char *message)
{
	char	   *buffer = NULL;
	size_t		length = 0;
	FILE	   *stream = open_memstream(&buffer, &length);

	if (stream == NULL)
		return NULL;
	log_set_stream(stream);
	log_configure(min_level, format);
	log_event(level, target, "%s", message);
	fclose(stream);
	log_set_stream(NULL);
	log_configure(LOG_LEVEL_INFO, LOG_FORMAT_TEXT);
	return buffer;
}

TEST(log, json_quote_escapes)
{
	char		buf[128];

	CHECK_UINT_EQ(2, log_json_quote(buf, sizeof(buf), ""));
	CHECK_STR_EQ("\"\"", buf);

	log_json_quote(buf, sizeof(buf), "say \"hi\"\\ now");
	CHECK_STR_EQ("\"say \\\"hi\\\"\\\\ now\"", buf);

	log_json_quote(buf, sizeof(buf), "a\nb\rc\td\b\f");
	CHECK_STR_EQ("\"a\\nb\\rc\\td\\b\\f\"", buf);

	log_json_quote(buf, sizeof(buf), "bell\x07 del\x7f esc\x1b");
	CHECK_STR_EQ("\"bell\\u0007 del\\u007f esc\\u001b\"", buf);

	/* UTF-8 passes through unchanged. */
	log_json_quote(buf, sizeof(buf), "caf\xc3\xa9");
	CHECK_STR_EQ("\"caf\xc3\xa9\"", buf);
}

TEST(log, json_quote_truncates)
{
	char		buf[6];

	/* Needs 2 quotes + 6 bytes; the buffer holds 5 bytes and the NUL. */
	CHECK_UINT_EQ(8, log_json_quote(buf, sizeof(buf), "abcdef"));
	CHECK_STR_EQ("\"abcd", buf);
	CHECK_UINT_EQ(8, log_json_quote(NULL, 0, "abcdef"));
}

TEST(log, json_line)
{
	char	   *line = capture_event(LOG_LEVEL_INFO, LOG_FORMAT_JSON, LOG_LEVEL_WARNING,
									 "shop \"eu\"", "line one\nline \"two\"");
	const char *after_time;

	REQUIRE_NOT_NULL(line);
	/* {"time":"YYYY-MM-DDTHH:MM:SSZ", is 31 bytes. */
	CHECK_INT_EQ(0, strncmp(line, "{\"time\":\"", 9));
	REQUIRE(strlen(line) > 31);
	CHECK_INT_EQ('Z', line[28]);
	after_time = line + 31;
	CHECK_STR_EQ("\"level\":\"warning\",\"target\":\"shop \\\"eu\\\"\","
				 "\"message\":\"line one\\nline \\\"two\\\"\"}\n", after_time);
	free(line);
}

TEST(log, json_line_without_target)
{
	char	   *line = capture_event(LOG_LEVEL_DEBUG, LOG_FORMAT_JSON, LOG_LEVEL_DEBUG,
									 NULL, "started");

	REQUIRE_NOT_NULL(line);
	REQUIRE(strlen(line) > 31);
	CHECK_STR_EQ("\"level\":\"debug\",\"target\":null,\"message\":\"started\"}\n",
				 line + 31);
	free(line);
}

TEST(log, text_line)
{
	char	   *line = capture_event(LOG_LEVEL_INFO, LOG_FORMAT_TEXT, LOG_LEVEL_ERROR,
									 "shop", "could not connect\nsecond line");

	REQUIRE_NOT_NULL(line);
	/* "YYYY-MM-DD HH:MM:SS UTC " is 24 bytes. */
	REQUIRE(strlen(line) > 24);
	CHECK_INT_EQ(0, strncmp(line + 19, " UTC ", 5));
	CHECK_STR_EQ("ERROR [shop] could not connect second line\n", line + 24);
	free(line);
}

TEST(log, text_line_without_target)
{
	char	   *line = capture_event(LOG_LEVEL_INFO, LOG_FORMAT_TEXT, LOG_LEVEL_INFO,
									 NULL, "stopping");

	REQUIRE_NOT_NULL(line);
	REQUIRE(strlen(line) > 24);
	CHECK_STR_EQ("INFO stopping\n", line + 24);
	free(line);
}

TEST(log, below_minimum_level_dropped)
{
	char	   *line = capture_event(LOG_LEVEL_WARNING, LOG_FORMAT_TEXT, LOG_LEVEL_INFO,
									 "shop", "not shown");

	REQUIRE_NOT_NULL(line);
	CHECK_STR_EQ("", line);
	free(line);
}
