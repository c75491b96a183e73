/*
 * Unit tests for report_html.c: the escaping function, the page's structure
 * (each suggestion once, under its id), the empty states, and the absence
 * of anything that would load from outside the file.
 */
#include "report_html.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HOSTILE_NAME "<script>alert(1)</script>"
#define HOSTILE_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt;"

static char *
escape(const char *text)
{
	StrBuf		buf;

	strbuf_init(&buf);
	report_html_escape(&buf, text);
	return strbuf_release(&buf);
}

static int
count_occurrences(const char *haystack, const char *needle)
{
	int			count = 0;
	size_t		len = strlen(needle);

	for (const char *p = strstr(haystack, needle); p != NULL; p = strstr(p + len, needle))
		count++;
	return count;
}

static void
add_query(Snapshot *snap, int64_t queryid, const char *text, int64_t calls, double mean_ms)
{
	QueryInfo  *q;

	snap->queries = xrealloc(snap->queries, sizeof(QueryInfo) * (size_t) (snap->nqueries + 1));
	q = &snap->queries[snap->nqueries++];
	memset(q, 0, sizeof(*q));
	q->queryid = queryid;
	q->query = xstrdup(text);
	q->calls = calls;
	q->mean_ms = mean_ms;
	q->total_ms = mean_ms * (double) calls;
	q->window_s = 7500;			/* 2 h 5 min */
	q->eligible = true;
}

static void
add_table(Snapshot *snap, Oid oid, const char *schema, const char *name, double rows,
		  int64_t size_bytes)
{
	TableInfo  *t;

	snap->tables = xrealloc(snap->tables, sizeof(TableInfo) * (size_t) (snap->ntables + 1));
	t = &snap->tables[snap->ntables++];
	memset(t, 0, sizeof(*t));
	t->oid = oid;
	t->schema = xstrdup(schema);
	t->name = xstrdup(name);
	t->relkind = 'r';
	t->rows = rows;
	t->size_bytes = size_bytes;
}

static void
add_scan(Snapshot *snap, int64_t queryid, int table_pos, const char *kind,
		 int64_t executions, int64_t rows_scanned, int64_t rows_kept)
{
	ScanInfo   *s;

	snap->scans = xrealloc(snap->scans, sizeof(ScanInfo) * (size_t) (snap->nscans + 1));
	s = &snap->scans[snap->nscans++];
	memset(s, 0, sizeof(*s));
	s->queryid = queryid;
	s->relid = snap->tables[table_pos].oid;
	s->table_oid = s->relid;
	snprintf(s->scan_kind, sizeof(s->scan_kind), "%s", kind);
	s->limit_rows = -1;
	s->executions = executions;
	s->rows_scanned = rows_scanned;
	s->rows_kept = rows_kept;
	s->query_pos = -1;
	s->table_pos = table_pos;
}

/*
 * Two tables, one with a hostile name, and three queries.  Sequential scans
 * read blog_posts 20 times in full (4,000,000 rows) and the hostile table 5
 * times (50,000 rows).  The featured-products query uses an index.
 */
static Snapshot *
make_snapshot(void)
{
	Snapshot   *snap = xcalloc(1, sizeof(Snapshot));

	snap->taken_at = 1796414400.0;	/* 2026-12-04 20:00:00 UTC */
	snap->stats_age_s = 9000;
	add_table(snap, 16400, "public", "blog_posts", 200000, 150 * 1024 * 1024);
	add_table(snap, 16500, "public", HOSTILE_NAME, 10000, 1024 * 1024);
	add_query(snap, 1001, "SELECT * FROM blog_posts ORDER BY created_at DESC LIMIT $1", 20, 2000.0);
	add_query(snap, 1002, "SELECT id FROM \"" HOSTILE_NAME "\" WHERE a = $1", 5, 40.0);
	add_query(snap, 1003, "SELECT name FROM products WHERE featured", 100, 0.5);
	add_scan(snap, 1001, 0, "seq", 20, 4000000, 200);
	add_scan(snap, 1002, 1, "seq", 5, 50000, 5);
	add_scan(snap, 1003, 0, "index", 100, 1000, 900);
	return snap;
}

static Suggestion *
add_suggestion(SuggestionList *list, const char *kind, int64_t id, const char *table,
			   const char *sql)
{
	Suggestion *s = suggestion_list_add(list, kind);

	s->id = id;
	s->table = xstrdup(table);
	s->sql = xstrdup(sql);
	s->rationale = xstrdup("20 calls read all 200,000 rows to keep 10.");
	s->fingerprint = xstrdup(sql);
	s->gain_ms_per_hour = 19000;
	s->size_bytes = 4 * 1024 * 1024;
	s->write_penalty = 12;
	s->verified_by_planner = true;
	return s;
}

static void
add_evidence(Suggestion *s, int64_t queryid, double mean_ms, double estimated_ms)
{
	Evidence   *ev;

	s->evidence = xrealloc(s->evidence, sizeof(Evidence) * (size_t) (s->nevidence + 1));
	ev = &s->evidence[s->nevidence++];
	memset(ev, 0, sizeof(*ev));
	ev->queryid = queryid;
	ev->calls = 20;
	ev->mean_ms = mean_ms;
	ev->estimated_mean_ms = estimated_ms;
	ev->rows_scanned = 4000000;
	ev->rows_kept = 200;
}

/* Three cards and two folded suggestions: a rejected one and a near miss. */
static void
make_suggestions(SuggestionList *list)
{
	Suggestion *s;

	s = add_suggestion(list, "create_index", 12, "public.blog_posts",
					   "CREATE INDEX CONCURRENTLY ON public.blog_posts (created_at DESC);");
	add_evidence(s, 1001, 2000.0, 12.0);

	s = add_suggestion(list, "create_index", 13, "public.\"" HOSTILE_NAME "\"",
					   "CREATE INDEX CONCURRENTLY ON public.\"" HOSTILE_NAME "\" (a);");
	add_evidence(s, 1002, 40.0, NAN);
	s->evidence[0].note = xstrdup("ERROR:  relation \"" HOSTILE_NAME "\" does not exist");
	s->verified_by_planner = false;

	s = add_suggestion(list, "create_index", 14, "public.orders", "CREATE INDEX CONCURRENTLY ON public.orders (customer_id);");
	free(s->status);
	s->status = xstrdup("verified");
	s->measured_before_ms = 120.0;
	s->measured_after_ms = 12.0;

	s = add_suggestion(list, "drop_index", 15, "public.orders", "DROP INDEX CONCURRENTLY public.orders_dup;");
	free(s->status);
	s->status = xstrdup("rejected");

	s = add_suggestion(list, "create_index", 0, "public.tiny", "CREATE INDEX CONCURRENTLY ON public.tiny (b);");
	s->near_miss = true;
	s->near_miss_reason = xstrdup("gain 400 ms per hour is below the minimum of 1000");
}

static char *
render(const Snapshot *snap, const SuggestionList *list, int64_t bytes_returned)
{
	ReportInput input = {0};
	StrBuf		buf;

	input.target = "shop";
	input.snapshot = snap;
	input.suggestions = list;
	input.bytes_returned = bytes_returned;
	strbuf_init(&buf);
	report_html_render(&buf, &input);
	return strbuf_release(&buf);
}

TEST(report_html, escape_special_characters)
{
	const struct
	{
		const char *input;
		const char *expected;
	}			cases[] = {
		{"<", "&lt;"},
		{">", "&gt;"},
		{"&", "&amp;"},
		{"\"", "&quot;"},
		{"'", "&#39;"},
		{"a < b && c > 'd' \"e\"", "a &lt; b &amp;&amp; c &gt; &#39;d&#39; &quot;e&quot;"},
		{"&amp;", "&amp;amp;"},
		{"tab\tnewline\nreturn\r", "tab\tnewline\nreturn\r"},
		{"bell\x07" "del\x7f", "bell&#xFFFD;del&#xFFFD;"},
		{"caf\xC3\xA9", "caf\xC3\xA9"},
		{"", ""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char	   *actual = escape(cases[i].input);

		CHECK_STR_EQ(cases[i].expected, actual);
		free(actual);
	}
}

TEST(report_html, escape_null_appends_nothing)
{
	StrBuf		buf;

	strbuf_init(&buf);
	strbuf_append(&buf, "x");
	report_html_escape(&buf, NULL);
	CHECK_STR_EQ("x", buf.data);
	strbuf_free(&buf);
}

TEST(report_html, escape_hostile_table_name)
{
	char	   *actual = escape(HOSTILE_NAME);

	CHECK_STR_EQ(HOSTILE_ESCAPED, actual);
	free(actual);
}

TEST(report_html, hostile_names_shown_as_text)
{
	Snapshot   *snap = make_snapshot();
	SuggestionList list = {0};
	char	   *page;

	make_suggestions(&list);
	page = render(snap, &list, 1024);

	CHECK(strstr(page, "<script") == NULL);
	CHECK(strstr(page, "alert(1)</") == NULL);
	/* table chart label, query text, card heading, DDL, error note */
	CHECK_STR_CONTAINS("<b>public." HOSTILE_ESCAPED "</b>", page);
	CHECK_STR_CONTAINS("SELECT id FROM &quot;" HOSTILE_ESCAPED "&quot; WHERE a = $1", page);
	CHECK_STR_CONTAINS("<h3>public.&quot;" HOSTILE_ESCAPED "&quot;</h3>", page);
	CHECK_STR_CONTAINS("ON public.&quot;" HOSTILE_ESCAPED "&quot; (a);", page);
	CHECK_STR_CONTAINS("<p class=\"note\">Not re-planned: ERROR:  relation &quot;" HOSTILE_ESCAPED
					   "&quot; does not exist", page);

	free(page);
	suggestion_list_free(&list);
	snapshot_free(snap);
}

TEST(report_html, hostile_target_name_escaped)
{
	ReportInput input = {0};
	SuggestionList list = {0};
	StrBuf		buf;

	input.target = HOSTILE_NAME;
	input.suggestions = &list;
	input.bytes_returned = -1;
	strbuf_init(&buf);
	report_html_render(&buf, &input);
	CHECK(strstr(buf.data, "<script") == NULL);
	CHECK_STR_CONTAINS("<title>ScaleUp review: " HOSTILE_ESCAPED "</title>", buf.data);
	strbuf_free(&buf);
}

TEST(report_html, each_suggestion_once_by_id)
{
	Snapshot   *snap = make_snapshot();
	SuggestionList list = {0};
	char	   *page;

	make_suggestions(&list);
	page = render(snap, &list, 1024);

	CHECK_INT_EQ(5, count_occurrences(page, "<article "));
	CHECK_INT_EQ(5, count_occurrences(page, "id=\"suggestion-"));
	CHECK_INT_EQ(1, count_occurrences(page, "id=\"suggestion-12\""));
	CHECK_INT_EQ(1, count_occurrences(page, "id=\"suggestion-13\""));
	CHECK_INT_EQ(1, count_occurrences(page, "id=\"suggestion-14\""));
	CHECK_INT_EQ(1, count_occurrences(page, "id=\"suggestion-15\""));
	/* the near miss was not stored: its position in the list names it */
	CHECK_INT_EQ(1, count_occurrences(page, "id=\"suggestion-unsaved-5\""));
	CHECK_INT_EQ(1, count_occurrences(page, "ON public.blog_posts (created_at DESC);"));
	CHECK_INT_EQ(1, count_occurrences(page, "DROP INDEX CONCURRENTLY public.orders_dup;"));

	free(page);
	suggestion_list_free(&list);
	snapshot_free(snap);
}

TEST(report_html, rejected_and_near_misses_folded)
{
	Snapshot   *snap = make_snapshot();
	SuggestionList list = {0};
	char	   *page;
	const char *folded;

	make_suggestions(&list);
	page = render(snap, &list, 1024);
	folded = strstr(page, "<section id=\"not-suggested\"><details class=\"folded-list\">");
	REQUIRE_NOT_NULL(folded);

	CHECK_STR_CONTAINS("<summary>Rejected suggestions and near misses (2)</summary>", folded);
	CHECK(strstr(page, "id=\"suggestion-12\"") < folded);
	CHECK(strstr(page, "id=\"suggestion-13\"") < folded);
	CHECK(strstr(page, "id=\"suggestion-14\"") < folded);
	CHECK_NOT_NULL(strstr(folded, "id=\"suggestion-15\""));
	CHECK_NOT_NULL(strstr(folded, "id=\"suggestion-unsaved-5\""));
	CHECK_STR_CONTAINS("Not suggested: gain 400 ms per hour is below the minimum of 1000", folded);
	/* ranks count the cards above only */
	CHECK_INT_EQ(3, count_occurrences(page, "<span class=\"rank\">"));

	free(page);
	suggestion_list_free(&list);
	snapshot_free(snap);
}

TEST(report_html, header_totals)
{
	Snapshot   *snap = make_snapshot();
	SuggestionList list = {0};
	char	   *page;

	make_suggestions(&list);
	page = render(snap, &list, 3 * 1024 * 1024);

	CHECK_STR_CONTAINS("<span>Target <b>shop</b></span>", page);
	CHECK_STR_CONTAINS("<span>Snapshot 2026-12-04 20:00:00 UTC</span>", page);
	CHECK_STR_CONTAINS("<span>Observation window 2 h 5 min</span>", page);
	CHECK_STR_CONTAINS("<b>3</b><small>queries tracked, 125 calls</small>", page);
	/* 20 x 2000 + 5 x 40 + 100 x 0.5 ms */
	CHECK_STR_CONTAINS("<b>40.25 s</b><small>total execution time</small>", page);
	CHECK_STR_CONTAINS("<b>40.20 s</b><small>in queries with sequential scans</small>", page);
	CHECK_STR_CONTAINS("<b>4,050,000</b><small>rows read by sequential scans</small>", page);
	CHECK_STR_CONTAINS("<b>3.0 MB</b><small>returned to clients since the last reset</small>", page);
	CHECK_STR_CONTAINS("<b>3</b><small>suggestions</small>", page);

	free(page);
	suggestion_list_free(&list);
	snapshot_free(snap);
}

TEST(report_html, charts_ordered_and_labelled)
{
	Snapshot   *snap = make_snapshot();
	SuggestionList list = {0};
	char	   *page;
	const char *queries;
	const char *tables;

	page = render(snap, &list, 0);
	queries = strstr(page, "<section id=\"queries\">");
	tables = strstr(page, "<section id=\"tables\">");
	REQUIRE_NOT_NULL(queries);
	REQUIRE_NOT_NULL(tables);

	/* queries by total time: 40 s, then 200 ms, then 50 ms */
	CHECK(strstr(queries, "ORDER BY created_at") < strstr(queries, "WHERE a = $1"));
	CHECK(strstr(queries, "WHERE a = $1") < strstr(queries, "WHERE featured"));
	CHECK_STR_CONTAINS("<b>40.00 s</b> total<br>20 calls, 2.00 s mean", queries);
	CHECK_STR_CONTAINS("<b>50.0 ms</b> total<br>100 calls, 0.50 ms mean", queries);
	CHECK_STR_CONTAINS("<title>40.00 s total, 20 calls, 2.00 s mean: SELECT * FROM blog_posts",
					   queries);
	/* the longest bar is full width, the others in proportion */
	CHECK_STR_CONTAINS("<rect class=\"fill\" width=\"100.00\" height=\"10\"/>", queries);
	CHECK_STR_CONTAINS("<rect class=\"fill\" width=\"0.60\" height=\"10\"/>", queries);

	/* tables by rows read sequentially; index scans are not counted */
	CHECK(strstr(tables, "public.blog_posts") < strstr(tables, "public." HOSTILE_ESCAPED));
	CHECK_STR_CONTAINS("<b>4,000,000</b> rows read<br>20 scans by 1 query, 0.005% kept", tables);
	CHECK_STR_CONTAINS("<b>50,000</b> rows read<br>5 scans by 1 query, 0.01% kept", tables);
	CHECK_STR_CONTAINS("about 200,000 rows, 150.0 MB", tables);
	CHECK_STR_CONTAINS("<rect class=\"fill\" width=\"1.25\" height=\"10\"/>", tables);

	CHECK_STR_CONTAINS("No suggestions: no change is expected", page);
	CHECK(strstr(page, "not-suggested") == NULL);

	free(page);
	snapshot_free(snap);
}

TEST(report_html, long_query_folded_with_full_text)
{
	Snapshot   *snap = xcalloc(1, sizeof(Snapshot));
	SuggestionList list = {0};
	StrBuf		text;
	char	   *page;

	strbuf_init(&text);
	strbuf_append(&text, "SELECT\n    id,\n    title");
	for (int i = 0; i < 20; i++)
		strbuf_appendf(&text, ",\n    column_%02d", i);
	strbuf_append(&text, "\nFROM blog_posts");
	add_query(snap, 7, text.data, 1, 1.0);
	page = render(snap, &list, 0);

	/* white space folded, cut after 90 characters */
	CHECK_STR_CONTAINS("<details class=\"sql\"><summary><code>SELECT id, title, column_00, "
					   "column_01, column_02, column_03, column_04, column_05, column_06, "
					   "colum\xE2\x80\xA6</code></summary>", page);
	CHECK_STR_CONTAINS("<pre><code>SELECT\n    id,\n    title,\n    column_00,", page);
	CHECK_STR_CONTAINS("column_19\nFROM blog_posts</code></pre></details>", page);

	free(page);
	strbuf_free(&text);
	snapshot_free(snap);
}

TEST(report_html, short_query_not_folded)
{
	Snapshot   *snap = xcalloc(1, sizeof(Snapshot));
	SuggestionList list = {0};
	char	   *page;

	add_query(snap, 7, "  SELECT 1\n", 1, 1.0);
	page = render(snap, &list, 0);
	CHECK_STR_CONTAINS("<div class=\"label\"><code class=\"sql\">SELECT 1</code></div>", page);
	CHECK(strstr(page, "<details class=\"sql\">") == NULL);
	free(page);
	snapshot_free(snap);
}

TEST(report_html, empty_states_in_words)
{
	Snapshot   *snap = xcalloc(1, sizeof(Snapshot));
	SuggestionList list = {0};
	char	   *page;

	snap->taken_at = 1796414400.0;
	page = render(snap, &list, 0);
	CHECK_STR_CONTAINS("<p class=\"empty\">No queries were tracked in this window.", page);
	CHECK_STR_CONTAINS("<p class=\"empty\">No table was read by a sequential scan in this window.</p>",
					   page);
	CHECK_STR_CONTAINS("<p class=\"empty\">No suggestions: no change is expected to save "
					   "enough time to be worth it.</p>", page);
	CHECK_STR_CONTAINS("<b>0</b><small>suggestions</small>", page);
	CHECK_INT_EQ(0, count_occurrences(page, "<article"));
	CHECK(strstr(page, "not-suggested") == NULL);
	free(page);
	snapshot_free(snap);
}

TEST(report_html, without_snapshot)
{
	SuggestionList list = {0};
	char	   *page;

	make_suggestions(&list);
	page = render(NULL, &list, -1);
	CHECK_STR_CONTAINS("No queries were tracked in this window.", page);
	CHECK_STR_CONTAINS("<b>not known</b><small>returned to clients since the last reset</small>",
					   page);
	CHECK_STR_CONTAINS("query id 1001 (text not in this snapshot)", page);
	CHECK_INT_EQ(1, count_occurrences(page, "id=\"suggestion-12\""));
	free(page);
	suggestion_list_free(&list);
}

TEST(report_html, evidence_before_and_after)
{
	Snapshot   *snap = make_snapshot();
	SuggestionList list = {0};
	char	   *page;
	const char *card;

	make_suggestions(&list);
	page = render(snap, &list, 0);

	card = strstr(page, "id=\"suggestion-12\"");
	REQUIRE_NOT_NULL(card);
	CHECK_STR_CONTAINS("<rect class=\"before\" width=\"100.00\" height=\"9\"><title>now 2.00 s per call",
					   card);
	CHECK_STR_CONTAINS("<rect class=\"after\" y=\"13\" width=\"0.60\" height=\"9\"><title>"
					   "estimated 12.0 ms per call", card);
	CHECK_STR_CONTAINS("now <b>2.00 s</b>, estimated <b>12.0 ms</b> (167\xC3\x97 faster)"
					   "<br>20 calls, 4,000,000 rows scanned, 200 kept</div>", card);
	CHECK_STR_CONTAINS("<dt>Estimated gain</dt><dd>19.00 s per hour</dd>", card);
	CHECK_STR_CONTAINS("<dt>Estimated size</dt><dd>4.0 MB</dd>", card);
	CHECK_STR_CONTAINS("<dt>Write penalty</dt><dd>12.0 ms per hour</dd>", card);
	CHECK_STR_CONTAINS("<span class=\"pill good\">verified by the planner</span>", card);

	card = strstr(page, "id=\"suggestion-13\"");
	REQUIRE_NOT_NULL(card);
	CHECK_STR_CONTAINS("now <b>40.0 ms</b>, not estimated<br>", card);
	CHECK_STR_CONTAINS("<rect class=\"after\" y=\"13\" width=\"0.00\" height=\"9\">"
					   "<title>not estimated</title>", card);
	CHECK_STR_CONTAINS("<span class=\"pill warn\">heuristic estimate</span>", card);

	free(page);
	suggestion_list_free(&list);
	snapshot_free(snap);
}

TEST(report_html, measured_before_and_after)
{
	Snapshot   *snap = make_snapshot();
	SuggestionList list = {0};
	char	   *page;
	const char *card;

	make_suggestions(&list);
	page = render(snap, &list, 0);
	card = strstr(page, "id=\"suggestion-14\"");
	REQUIRE_NOT_NULL(card);

	CHECK_STR_CONTAINS("<span class=\"pill good\">verified</span>", card);
	CHECK_STR_CONTAINS("<h4>Measured after applying</h4>", card);
	CHECK_STR_CONTAINS("before <b>120 ms</b>, after <b>12.0 ms</b> (10.0\xC3\x97 faster)", card);
	CHECK_STR_CONTAINS("No tracked query is listed as evidence", card);
	/* only the applied suggestion has measurements */
	CHECK_INT_EQ(1, count_occurrences(page, "Measured after applying"));

	free(page);
	suggestion_list_free(&list);
	snapshot_free(snap);
}

TEST(report_html, no_external_references)
{
	Snapshot   *snap = make_snapshot();
	SuggestionList list = {0};
	char	   *page;

	make_suggestions(&list);
	page = render(snap, &list, 0);

	CHECK(strstr(page, "http") == NULL);
	CHECK(strstr(page, "src=") == NULL);
	CHECK(strstr(page, "<link") == NULL);
	CHECK(strstr(page, "<script") == NULL);
	CHECK(strstr(page, "<img") == NULL);
	CHECK(strstr(page, "<iframe") == NULL);
	CHECK(strstr(page, "@import") == NULL);
	CHECK(strstr(page, "url(") == NULL);
	CHECK(strstr(page, "//") == NULL);
	/* links stay inside the page */
	CHECK_INT_EQ(count_occurrences(page, "href="), count_occurrences(page, "href=\"#"));
	CHECK_STR_CONTAINS("<!DOCTYPE html>\n<html lang=\"en\">", page);
	CHECK_STR_CONTAINS("</html>\n", page);

	free(page);
	suggestion_list_free(&list);
	snapshot_free(snap);
}

TEST(report_html, responsive_and_print_styles)
{
	SuggestionList list = {0};
	char	   *page = render(NULL, &list, 0);

	CHECK_STR_CONTAINS("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
					   page);
	CHECK_STR_CONTAINS("@media (max-width:720px){", page);
	CHECK_STR_CONTAINS("@media print{", page);
	free(page);
}

TEST(report_html, write_to_stream)
{
	ReportInput input = {0};
	SuggestionList list = {0};
	char	   *data = NULL;
	size_t		size = 0;
	FILE	   *out = open_memstream(&data, &size);

	REQUIRE_NOT_NULL(out);
	input.target = "shop";
	input.suggestions = &list;
	input.bytes_returned = 0;
	CHECK_INT_EQ(0, report_html_write(&input, out));
	fclose(out);
	CHECK(size > 1000);
	CHECK_STR_CONTAINS("</html>\n", data);
	free(data);
}

TEST(report_html, small_times_and_singular_calls)
{
	Snapshot   *snap = xcalloc(1, sizeof(Snapshot));
	SuggestionList list = {0};
	Suggestion *s;
	char	   *page;

	add_query(snap, 7, "SELECT 1", 1, 0.004);
	s = add_suggestion(&list, "create_index", 3, "public.t", "CREATE INDEX ON t (a);");
	add_evidence(s, 7, 2000.0, 0.004);
	s->evidence[0].calls = 1;
	s->write_penalty = 0;
	page = render(snap, &list, 0);

	CHECK_STR_CONTAINS("<b>0.004 ms</b> total<br>1 call, 0.004 ms mean", page);
	CHECK_STR_CONTAINS("now <b>2.00 s</b>, estimated <b>0.004 ms</b> (500000\xC3\x97 faster)"
					   "<br>1 call, ", page);
	CHECK_STR_CONTAINS("<dt>Write penalty</dt><dd>0 ms per hour</dd>", page);

	free(page);
	suggestion_list_free(&list);
	snapshot_free(snap);
}

TEST(report_html, updated_at_shortened_and_escaped)
{
	SuggestionList list = {0};
	Suggestion *s;
	char	   *page;

	s = add_suggestion(&list, "create_index", 3, "public.t", "CREATE INDEX ON t (a);");
	s->updated_at = xstrdup("2026-12-04T20:13:06.978152+00:00");
	s = add_suggestion(&list, "create_index", 4, "public.t", "CREATE INDEX ON t (b);");
	s->updated_at = xstrdup("<b>&-<>-<>T<>:<>:<>.1<i>");
	page = render(NULL, &list, 0);

	CHECK_STR_CONTAINS("<dt>Updated</dt><dd>2026-12-04 20:13:06+00:00</dd>", page);
	CHECK_STR_CONTAINS("<dt>Updated</dt><dd>&lt;b&gt;&amp;-&lt;&gt;-&lt;&gt; &lt;&gt;:&lt;&gt;:"
					   "&lt;&gt;&lt;i&gt;</dd>", page);
	CHECK(strstr(page, "<i>") == NULL);

	free(page);
	suggestion_list_free(&list);
}

TEST(report_html, projection_bytes_evidence)
{
	Snapshot   *snap = make_snapshot();
	SuggestionList list = {0};
	Suggestion *s;
	Evidence   *ev;
	char	   *page;
	const char *card;

	s = add_suggestion(&list, "trim_projection", 21, "public.blog_posts",
					   "SELECT id, title, created_at FROM blog_posts ORDER BY created_at DESC LIMIT $1");
	add_evidence(s, 1001, 2000.0, NAN);
	ev = &s->evidence[0];
	ev->has_bytes = true;
	ev->bytes_per_call = 61440;
	ev->estimated_bytes_per_call = 1024;
	ev->rows_per_call = 10;
	ev->column_bytes = xstrdup("{\"body\": 59392, \"<b>\": 1}");
	page = render(snap, &list, 0);
	card = strstr(page, "id=\"suggestion-21\"");
	REQUIRE_NOT_NULL(card);

	CHECK_STR_CONTAINS("<span class=\"pill kind\">Trim projection</span>", card);
	CHECK_STR_CONTAINS("<pre class=\"code\" aria-label=\"rewritten query\"><code>SELECT id, title, "
					   "created_at FROM blog_posts", card);
	CHECK_STR_CONTAINS("<rect class=\"before\" width=\"100.00\" height=\"9\"><title>now 60.0 kB "
					   "per call</title></rect><rect class=\"after\" y=\"13\" width=\"1.67\" "
					   "height=\"9\"><title>rewritten 1.0 kB per call</title>", card);
	CHECK_STR_CONTAINS("now <b>60.0 kB</b>, rewritten <b>1.0 kB</b> per call (98% less)"
					   "<br>20 calls, 10 rows per call, 2.00 s mean</div>", card);
	CHECK_STR_CONTAINS("Bytes per call by column: <code>{&quot;body&quot;: 59392, "
					   "&quot;&lt;b&gt;&quot;: 1}</code>", card);

	free(page);
	suggestion_list_free(&list);
	snapshot_free(snap);
}
