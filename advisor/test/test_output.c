/* Unit tests for output.c: the JSON array, its escaping, the SQL file. */
#include "output.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TEST(output, json_empty_array)
{
	SuggestionList list = {0};
	StrBuf		buf;

	strbuf_init(&buf);
	output_json(&buf, "main", &list);
	CHECK_STR_EQ("[]\n", buf.data);
	strbuf_free(&buf);
}

TEST(output, json_near_misses_left_out)
{
	SuggestionList list = {0};
	Suggestion *s = suggestion_list_add(&list, "create_index");
	StrBuf		buf;

	s->near_miss = true;
	s->fingerprint = strdup("f");
	strbuf_init(&buf);
	output_json(&buf, "main", &list);
	CHECK_STR_EQ("[]\n", buf.data);
	strbuf_free(&buf);
	suggestion_list_free(&list);
}

TEST(output, json_fields_and_escaping)
{
	SuggestionList list = {0};
	Suggestion *s = suggestion_list_add(&list, "create_index");
	StrBuf		buf;

	s->id = 7;
	s->table = strdup("\"My App\".\"Blog Posts; DROP TABLE keep; --\"");
	s->sql = strdup("CREATE INDEX CONCURRENTLY \"x\" ON \"a\\b\" (\"c\td\");");
	s->rationale = strdup("line1\nline2\x01");
	s->fingerprint = strdup("f");
	s->gain_ms_per_hour = 1234.5;
	s->size_bytes = 8192;
	s->write_penalty = 0;
	s->verified_by_planner = true;
	s->created_at = strdup("2026-12-04T20:00:00+00:00");
	s->updated_at = strdup("2026-12-04T20:00:00+00:00");
	s->evidence = calloc(1, sizeof(Evidence));
	s->nevidence = 1;
	s->evidence[0].queryid = -42;
	s->evidence[0].calls = 10;
	s->evidence[0].mean_ms = 2.5;
	s->evidence[0].estimated_mean_ms = NAN;
	s->evidence[0].rows_scanned = 2000;
	s->evidence[0].rows_kept = 20;

	strbuf_init(&buf);
	output_json(&buf, "ta\"rget", &list);
	CHECK_STR_EQ("[\n  {\"id\":7,\"target\":\"ta\\\"rget\",\"kind\":\"create_index\","
				 "\"table\":\"\\\"My App\\\".\\\"Blog Posts; DROP TABLE keep; --\\\"\","
				 "\"sql\":\"CREATE INDEX CONCURRENTLY \\\"x\\\" ON \\\"a\\\\b\\\" (\\\"c\\td\\\");\","
				 "\"rationale\":\"line1\\nline2\\u0001\","
				 "\"evidence\":[{\"queryid\":-42,\"calls\":10,\"mean_ms\":2.500,"
				 "\"estimated_mean_ms\":null,\"rows_scanned\":2000,\"rows_kept\":20}],"
				 "\"estimated_gain_ms_per_hour\":1234.500,\"estimated_size_bytes\":8192,"
				 "\"write_penalty\":0.000,\"verified_by_planner\":true,\"status\":\"pending\","
				 "\"created_at\":\"2026-12-04T20:00:00+00:00\","
				 "\"updated_at\":\"2026-12-04T20:00:00+00:00\","
				 "\"measured_before_ms\":null,\"measured_after_ms\":null}\n]\n",
				 buf.data);
	strbuf_free(&buf);
	suggestion_list_free(&list);
}

TEST(output, sql_comment_stays_one_line)
{
	SuggestionList list = {0};
	Suggestion *s = suggestion_list_add(&list, "create_index");
	StrBuf		buf;

	s->table = strdup("public.\"evil\nDROP TABLE keep;\"");
	s->sql = strdup("CREATE INDEX CONCURRENTLY \"i\" ON \"public\".\"evil\nDROP TABLE keep;\" (\"a\");");
	s->rationale = strdup("Because.");
	s->fingerprint = strdup("f");
	s->size_bytes = 2048;
	strbuf_init(&buf);
	output_sql(&buf, "main", &list);
	CHECK_STR_CONTAINS("\n-- 1. create_index on public.\"evil DROP TABLE keep;\": Because.\n"
					   "--    Estimated gain 0 ms per hour, size 2.0 kB, not verified by the planner.\n"
					   "CREATE INDEX CONCURRENTLY", buf.data);
	strbuf_free(&buf);
	suggestion_list_free(&list);
}

TEST(output, sql_nothing_to_change)
{
	SuggestionList list = {0};
	StrBuf		buf;

	strbuf_init(&buf);
	output_sql(&buf, "main", &list);
	CHECK_STR_CONTAINS("\n-- Nothing to change.\n", buf.data);
	strbuf_free(&buf);
}
