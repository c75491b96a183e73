/*
 * Unit tests for projections.c and projection_sql.c: the choice of wide
 * columns, the select-list and LIMIT rewrites of normalized query texts,
 * quoting, the INCLUDE variant and the suggestions built from a snapshot.
 */
#include "fixture.h"
#include "projections.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Columns of the blog_posts table of these tests, in attnum order. */
static void
blog_columns(StrList *columns)
{
	memset(columns, 0, sizeof(*columns));
	strlist_append(columns, "id");
	strlist_append(columns, "title");
	strlist_append(columns, "body");
	strlist_append(columns, "created_at");
}

/* Rewrite "query" on public.blog_posts without the body column. */
static char *
rewrite_without_body(PGconn *conn, const char *query, const char **reason)
{
	StrList		columns;
	bool		drop[] = {false, false, true, false};
	char	   *sql;

	blog_columns(&columns);
	sql = projection_rewrite_columns(conn, query, "public", "blog_posts", &columns,
									 drop, reason);
	strlist_free(&columns);
	return sql;
}

TEST(projections, quote_only_where_needed)
{
	PGconn	   *conn = fixture_conn();
	const char *cases[][2] = {
		{"title", "title"},
		{"created_at2", "created_at2"},
		{"_private", "_private"},
		{"Title", "\"Title\""},
		{"order", "\"order\""},
		{"user", "\"user\""},
		{"time", "\"time\""},
		{"name", "name"},		/* unreserved keyword */
		{"2fa", "\"2fa\""},
		{"blog post", "\"blog post\""},
		{"a\"b", "\"a\"\"b\""},
		{"price$", "\"price$\""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		char	   *quoted = projection_quote_column(conn, cases[i][0]);

		CHECK_STR_EQ(cases[i][1], quoted);
		free(quoted);
	}
	PQfinish(conn);
}

TEST(projections, rewrite_star_keeps_order)
{
	PGconn	   *conn = fixture_conn();
	const char *reason = NULL;
	char	   *sql = rewrite_without_body(conn,
										   "SELECT * FROM blog_posts ORDER BY created_at DESC LIMIT $1",
										   &reason);

	CHECK_STR_EQ("SELECT id, title, created_at FROM blog_posts ORDER BY created_at DESC LIMIT $1",
				 sql);
	CHECK_NULL(reason);
	free(sql);
	PQfinish(conn);
}

TEST(projections, rewrite_qualified_star)
{
	PGconn	   *conn = fixture_conn();
	const char *reason = NULL;
	char	   *sql;

	sql = rewrite_without_body(conn, "select p.* from public.blog_posts as p where p.id = $1",
							   &reason);
	CHECK_STR_EQ("select p.id, p.title, p.created_at from public.blog_posts as p where p.id = $1",
				 sql);
	free(sql);

	/* t.* of one relation of a join: the other select items stay */
	sql = rewrite_without_body(conn,
							   "SELECT p.*, a.name FROM blog_posts p JOIN authors a ON a.id = p.author_id",
							   &reason);
	CHECK_STR_EQ("SELECT p.id, p.title, p.created_at, a.name FROM blog_posts p JOIN authors a ON a.id = p.author_id",
				 sql);
	free(sql);

	/* the table name qualifies the columns when there is no alias */
	sql = rewrite_without_body(conn, "SELECT blog_posts.* FROM blog_posts WHERE id = $1", &reason);
	CHECK_STR_EQ("SELECT blog_posts.id, blog_posts.title, blog_posts.created_at FROM blog_posts WHERE id = $1",
				 sql);
	free(sql);
	PQfinish(conn);
}

TEST(projections, rewrite_quotes_columns)
{
	PGconn	   *conn = fixture_conn();
	StrList		columns = {0};
	bool		drop[] = {false, false, false, true};
	const char *reason = NULL;
	char	   *sql;

	strlist_append(&columns, "id");
	strlist_append(&columns, "Title");
	strlist_append(&columns, "order");
	strlist_append(&columns, "body");
	sql = projection_rewrite_columns(conn, "SELECT * FROM \"Blog Posts\" WHERE id = $1",
									 "public", "Blog Posts", &columns, drop, &reason);
	CHECK_STR_EQ("SELECT id, \"Title\", \"order\" FROM \"Blog Posts\" WHERE id = $1", sql);
	free(sql);
	strlist_free(&columns);
	PQfinish(conn);
}

TEST(projections, rewrite_explicit_list)
{
	PGconn	   *conn = fixture_conn();
	const char *reason = NULL;
	char	   *sql;

	sql = rewrite_without_body(conn,
							   "SELECT id, title, body, created_at FROM blog_posts WHERE id = $1",
							   &reason);
	CHECK_STR_EQ("SELECT id, title, created_at FROM blog_posts WHERE id = $1", sql);
	free(sql);

	/* an alias on the dropped column, and an expression that stays */
	sql = rewrite_without_body(conn,
							   "SELECT id, upper(title), b.body AS text, created_at FROM blog_posts b",
							   &reason);
	CHECK_STR_EQ("SELECT id, upper(title), created_at FROM blog_posts b", sql);
	free(sql);
	PQfinish(conn);
}

TEST(projections, rewrite_skips_strings_and_ctes)
{
	PGconn	   *conn = fixture_conn();
	const char *reason = NULL;
	char	   *sql;

	sql = rewrite_without_body(conn,
							   "SELECT * FROM blog_posts WHERE title = 'a * FROM b' AND body <> $$x, y$$",
							   &reason);
	CHECK_STR_EQ("SELECT id, title, created_at FROM blog_posts WHERE title = 'a * FROM b' AND body <> $$x, y$$",
				 sql);
	free(sql);

	sql = rewrite_without_body(conn,
							   "WITH recent AS (SELECT * FROM blog_posts LIMIT $1) "
							   "SELECT DISTINCT * FROM blog_posts /* all, FROM */ WHERE id IN (SELECT id FROM recent)",
							   &reason);
	CHECK_STR_EQ("WITH recent AS (SELECT * FROM blog_posts LIMIT $1) "
				 "SELECT DISTINCT id, title, created_at FROM blog_posts /* all, FROM */ WHERE id IN (SELECT id FROM recent)",
				 sql);
	free(sql);
	PQfinish(conn);
}

TEST(projections, rewrite_rejections)
{
	PGconn	   *conn = fixture_conn();
	const char *reason = NULL;
	char	   *sql;

	sql = rewrite_without_body(conn,
							   "SELECT * FROM blog_posts p JOIN authors a ON a.id = p.author_id",
							   &reason);
	CHECK_NULL(sql);
	CHECK_STR_EQ("\"*\" expands to the columns of several relations", reason);

	sql = rewrite_without_body(conn, "SELECT * FROM blog_posts UNION ALL SELECT * FROM old_posts",
							   &reason);
	CHECK_NULL(sql);
	CHECK_STR_EQ("the query combines several SELECTs (UNION, INTERSECT or EXCEPT)", reason);

	sql = rewrite_without_body(conn, "SELECT * FROM other_posts", &reason);
	CHECK_NULL(sql);
	CHECK_STR_EQ("the relation is not named in the FROM clause of the main SELECT", reason);

	sql = rewrite_without_body(conn, "SELECT id, title FROM blog_posts", &reason);
	CHECK_NULL(sql);
	CHECK_STR_EQ("the select list has no \"*\" and no wide column that could be left out", reason);

	sql = rewrite_without_body(conn, "SELECT * FROM blog_posts WHERE title = 'open", &reason);
	CHECK_NULL(sql);
	CHECK_STR_EQ("the query text could not be tokenized", reason);

	sql = rewrite_without_body(conn, "UPDATE blog_posts SET body = $1", &reason);
	CHECK_NULL(sql);
	CHECK_STR_EQ("the statement is not a SELECT", reason);
	PQfinish(conn);
}

TEST(projections, add_limit_rewrites)
{
	const char *reason = NULL;
	char	   *order_by = NULL;
	char	   *sql;

	sql = projection_add_limit("SELECT * FROM blog_posts WHERE published", 100, &order_by, &reason);
	CHECK_STR_EQ("SELECT * FROM blog_posts WHERE published LIMIT 100", sql);
	CHECK_NULL(order_by);
	free(sql);

	sql = projection_add_limit("SELECT id FROM blog_posts ORDER BY created_at DESC, id DESC;",
							   50, &order_by, &reason);
	CHECK_STR_EQ("SELECT id FROM blog_posts ORDER BY created_at DESC, id DESC LIMIT 50;", sql);
	CHECK_STR_EQ("created_at DESC, id DESC", order_by);
	free(sql);
	free(order_by);

	/* a LIMIT in a subquery does not count, and a trailing comment stays last */
	sql = projection_add_limit("SELECT * FROM (SELECT * FROM t LIMIT $1) s -- list", 100,
							   &order_by, &reason);
	CHECK_STR_EQ("SELECT * FROM (SELECT * FROM t LIMIT $1) s LIMIT 100 -- list", sql);
	free(sql);

	sql = projection_add_limit("SELECT * FROM t ORDER BY id LIMIT $1", 100, &order_by, &reason);
	CHECK_NULL(sql);
	CHECK_STR_EQ("the query already has a LIMIT or FETCH", reason);
	free(order_by);

	sql = projection_add_limit("SELECT * FROM t FETCH FIRST 5 ROWS ONLY", 100, &order_by, &reason);
	CHECK_NULL(sql);
	CHECK_STR_EQ("the query already has a LIMIT or FETCH", reason);
}

TEST(projections, wide_column_choice)
{
	ProjectionRow row = {0};
	double		bytes[] = {40, 100, 60000, 80};
	bool		wide[4];

	blog_columns(&row.columns);
	row.column_bytes = bytes;
	row.all_columns = true;
	row.calls = 1;
	row.rows_returned = 10;
	row.bytes_returned = 60220;
	CHECK_INT_EQ(1, projection_choose_wide(&row, wide));
	CHECK(!wide[0]);
	CHECK(!wide[1]);
	CHECK(wide[2]);
	CHECK(!wide[3]);

	/* two wide columns */
	bytes[1] = 20000;
	CHECK_INT_EQ(2, projection_choose_wide(&row, wide));
	CHECK(wide[1]);
	CHECK(wide[2]);

	/* body is wide per row but makes too little of the total */
	bytes[0] = 30000;
	bytes[1] = 30000;
	bytes[2] = 2000;
	bytes[3] = 30000;
	CHECK_INT_EQ(3, projection_choose_wide(&row, wide));
	CHECK(!wide[2]);

	/* every column wide: nothing would be left */
	bytes[2] = 30000;
	CHECK_INT_EQ(0, projection_choose_wide(&row, wide));

	/* saving less than TRIM_MIN_SAVED_BYTES_PER_CALL per call */
	bytes[0] = 4;
	bytes[1] = 10;
	bytes[2] = 1000;
	bytes[3] = 8;
	row.rows_returned = 1;
	CHECK_INT_EQ(0, projection_choose_wide(&row, wide));
	CHECK(!wide[2]);
	strlist_free(&row.columns);
}

TEST(projections, narrow_table_not_wide)
{
	ProjectionRow row = {0};
	double		bytes[] = {40000, 10000};
	bool		wide[2];

	strlist_append(&row.columns, "id");
	strlist_append(&row.columns, "flag");
	row.column_bytes = bytes;
	row.all_columns = true;
	row.calls = 10;
	row.rows_returned = 100000;
	row.bytes_returned = 50000;
	CHECK_INT_EQ(0, projection_choose_wide(&row, wide));
	CHECK(!wide[0]);
	CHECK(!wide[1]);
	strlist_free(&row.columns);
}

TEST(projections, include_variant)
{
	PGconn	   *conn = fixture_conn();
	StrList		columns;
	bool		drop[] = {false, false, true, false};
	char	   *sql;

	blog_columns(&columns);
	sql = projection_include_variant(conn,
									 "CREATE INDEX CONCURRENTLY \"scaleup_blog_posts_created_at\" "
									 "ON \"public\".\"blog_posts\" (\"created_at\" DESC);",
									 &columns, drop);
	CHECK_STR_EQ("CREATE INDEX CONCURRENTLY ON \"public\".\"blog_posts\" (\"created_at\" DESC) "
				 "INCLUDE (\"id\", \"title\");", sql);
	free(sql);

	sql = projection_include_variant(conn,
									 "CREATE INDEX CONCURRENTLY \"i\" ON \"public\".\"blog_posts\" "
									 "(\"id\", \"title\") WHERE (published);",
									 &columns, drop);
	CHECK_STR_EQ("CREATE INDEX CONCURRENTLY ON \"public\".\"blog_posts\" (\"id\", \"title\") "
				 "INCLUDE (\"created_at\") WHERE (published);", sql);
	free(sql);

	/* every kept column is a key already */
	drop[0] = drop[1] = true;
	sql = projection_include_variant(conn,
									 "CREATE INDEX CONCURRENTLY \"i\" ON \"public\".\"blog_posts\" (\"created_at\");",
									 &columns, drop);
	CHECK_NULL(sql);
	strlist_free(&columns);
	PQfinish(conn);
}

TEST(projections, bind_literals)
{
	StrList		literals = {0};
	char	   *sql;

	strlist_append(&literals, "5");
	strlist_append(&literals, "'x'::text");
	sql = projection_bind_literals("SELECT * FROM t WHERE a = $1 AND b = '$2' /* $1 */ LIMIT $2",
								   &literals);
	CHECK_STR_EQ("SELECT * FROM t WHERE a = 5 AND b = '$2' /* $1 */ LIMIT 'x'::text", sql);
	free(sql);

	sql = projection_bind_literals("SELECT * FROM t WHERE a = $3", &literals);
	CHECK_NULL(sql);

	CHECK_INT_EQ(2, projection_max_placeholder("SELECT $2, $1, '$9', $$ $8 $$"));
	CHECK_INT_EQ(0, projection_max_placeholder("SELECT 1"));
	strlist_free(&literals);
}

TEST(projections, format_bytes)
{
	char		text[32];

	projection_format_bytes(text, sizeof(text), 201);
	CHECK_STR_EQ("201 bytes", text);
	projection_format_bytes(text, sizeof(text), 60000);
	CHECK_STR_EQ("58.6 kB", text);
	projection_format_bytes(text, sizeof(text), 15000000);
	CHECK_STR_EQ("14.3 MB", text);
}

/*
 * A snapshot with public.posts (id, title, body, created_at) and two
 * queries: 0 returns ten whole rows with a 6,000-byte body, 1 returns
 * 2,500 narrow rows per call without a LIMIT.
 */
static Snapshot *
posts_snapshot(ProjectionSet *set)
{
	Snapshot   *snap = fixture_snapshot(100000);
	const char *names[] = {"id", "title", "body", "created_at"};
	ProjectionRow *row;

	for (int c = 0; c < 4; c++)
		fixture_column(snap, names[c], true, -1, 0);
	fixture_query(snap, 11, 100, 2.0);
	free(snap->queries[0].query);
	snap->queries[0].query = xstrdup("SELECT * FROM posts ORDER BY created_at DESC LIMIT $1");
	fixture_query(snap, 22, 10, 50.0);
	free(snap->queries[1].query);
	snap->queries[1].query = xstrdup("SELECT id, title FROM posts WHERE title LIKE $1");

	set->count = 2;
	set->rows = xcalloc(2, sizeof(ProjectionRow));
	row = &set->rows[0];
	row->queryid = 11;
	row->relid = 16384;
	for (int c = 0; c < 4; c++)
		strlist_append(&row->columns, names[c]);
	row->column_bytes = xcalloc(4, sizeof(double));
	row->column_bytes[0] = 4000;	/* 100 calls of 10 rows */
	row->column_bytes[1] = 10000;
	row->column_bytes[2] = 6000000;
	row->column_bytes[3] = 8000;
	row->all_columns = true;
	row->calls = 100;
	row->rows_returned = 1000;
	row->bytes_returned = 6022000;
	row->query_pos = 0;
	row->table_pos = 0;

	row = &set->rows[1];
	row->queryid = 22;
	row->relid = 16384;
	strlist_append(&row->columns, "id");
	strlist_append(&row->columns, "title");
	row->column_bytes = xcalloc(2, sizeof(double));
	row->column_bytes[0] = 100000;	/* 10 calls of 2,500 rows */
	row->column_bytes[1] = 250000;
	row->calls = 10;
	row->rows_returned = 25000;
	row->bytes_returned = 350000;
	row->query_pos = 1;
	row->table_pos = 0;
	return snap;
}

TEST(projections, suggestions_from_snapshot)
{
	PGconn	   *conn = fixture_conn();
	ProjectionSet set;
	Snapshot   *snap = posts_snapshot(&set);
	ProjectionSettings settings = {5, 100, 1000};
	SuggestionList list = {0};
	const Suggestion *trim;
	const Suggestion *limit;

	projections_suggest("test", snap, &set, &settings, conn, NULL, &list);
	REQUIRE(list.count == 2);
	trim = &list.items[0];
	limit = &list.items[1];

	CHECK_STR_EQ("trim_projection", trim->kind);
	CHECK_STR_EQ("public.posts", trim->table);
	CHECK_STR_EQ("SELECT id, title, created_at FROM posts ORDER BY created_at DESC LIMIT $1",
				 trim->sql);
	CHECK_STR_EQ("trim_projection 11 public.posts", trim->fingerprint);
	CHECK_STR_EQ("The query returns every column of public.posts, and body makes 99.6 % of "
				 "its 58.8 kB per call; without body the query returns 220 bytes per call, "
				 "5.7 MB less per hour.", trim->rationale);
	CHECK(!trim->near_miss);
	REQUIRE(trim->nevidence == 1);
	CHECK(trim->evidence[0].has_bytes);
	CHECK_DOUBLE_EQ(60220, trim->evidence[0].bytes_per_call, 0.001);
	CHECK_DOUBLE_EQ(220, trim->evidence[0].estimated_bytes_per_call, 0.001);
	CHECK_DOUBLE_EQ(10, trim->evidence[0].rows_per_call, 0.001);
	CHECK(isnan(trim->evidence[0].estimated_mean_ms));
	CHECK_STR_EQ("{\"id\":{\"bytes_per_call\":40,\"bytes_per_hour\":4000},"
				 "\"title\":{\"bytes_per_call\":100,\"bytes_per_hour\":10000},"
				 "\"body\":{\"bytes_per_call\":60000,\"bytes_per_hour\":6000000},"
				 "\"created_at\":{\"bytes_per_call\":80,\"bytes_per_hour\":8000}}",
				 trim->evidence[0].column_bytes);

	CHECK_STR_EQ("add_limit", limit->kind);
	CHECK_STR_EQ("SELECT id, title FROM posts WHERE title LIKE $1 LIMIT 100", limit->sql);
	CHECK_STR_EQ("add_limit 22", limit->fingerprint);
	CHECK_DOUBLE_EQ(35000, limit->evidence[0].bytes_per_call, 0.001);
	CHECK_DOUBLE_EQ(1400, limit->evidence[0].estimated_bytes_per_call, 0.001);
	CHECK_DOUBLE_EQ(2500, limit->evidence[0].rows_per_call, 0.001);
	/* no ORDER BY: time shrinks with the rows, 50 ms * 100 / 2500 */
	CHECK_DOUBLE_EQ(2.0, limit->evidence[0].estimated_mean_ms, 0.001);
	CHECK_DOUBLE_EQ(480.0, limit->gain_ms_per_hour, 0.001);
	CHECK_STR_CONTAINS("an ORDER BY on a unique key makes the pages stable", limit->rationale);

	suggestion_list_free(&list);
	projections_free(&set);
	snapshot_free(snap);
	PQfinish(conn);
}

TEST(projections, rejected_and_thresholds)
{
	PGconn	   *conn = fixture_conn();
	ProjectionSet set;
	Snapshot   *snap = posts_snapshot(&set);
	ProjectionSettings settings = {5, 100, 1000};
	SuggestionList list = {0};

	/* a rejected suggestion is not proposed again */
	strlist_append(&snap->rejected_fingerprints, "trim_projection 11 public.posts");
	projections_suggest("test", snap, &set, &settings, conn, NULL, &list);
	REQUIRE(list.count == 1);
	CHECK_STR_EQ("add_limit", list.items[0].kind);
	suggestion_list_free(&list);

	/* a page of 5,000 rows: 2,500 rows per call is below it */
	settings.page_rows = 5000;
	projections_suggest("test", snap, &set, &settings, conn, NULL, &list);
	CHECK_INT_EQ(0, list.count);
	suggestion_list_free(&list);

	/* too few calls */
	settings.page_rows = 100;
	settings.min_calls = 1000;
	projections_suggest("test", snap, &set, &settings, conn, NULL, &list);
	CHECK_INT_EQ(0, list.count);
	suggestion_list_free(&list);

	projections_free(&set);
	snapshot_free(snap);
	PQfinish(conn);
}

TEST(projections, unlocatable_rewrite_is_near_miss)
{
	PGconn	   *conn = fixture_conn();
	ProjectionSet set;
	Snapshot   *snap = posts_snapshot(&set);
	ProjectionSettings settings = {5, 100, 1000};
	SuggestionList list = {0};

	free(snap->queries[0].query);
	snap->queries[0].query = xstrdup("SELECT * FROM posts p JOIN tags t ON t.post_id = p.id LIMIT $1");
	projections_suggest("test", snap, &set, &settings, conn, NULL, &list);
	REQUIRE(list.count == 2);
	CHECK_STR_EQ("trim_projection", list.items[0].kind);
	CHECK(list.items[0].near_miss);
	CHECK_STR_EQ("\"*\" expands to the columns of several relations",
				 list.items[0].near_miss_reason);
	suggestion_list_free(&list);
	projections_free(&set);
	snapshot_free(snap);
	PQfinish(conn);
}
