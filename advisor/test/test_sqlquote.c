/* Unit tests for sqlquote.c: hostile identifiers and index names. */
#include "fixture.h"
#include "candidates.h"
#include "sqlquote.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

TEST(sqlquote, hostile_names)
{
	PGconn	   *conn = fixture_conn();
	StrBuf		buf;
	char	   *quoted;

	strbuf_init(&buf);
	CHECK(sql_append_qualified(&buf, conn, "My App", "Blog Posts; DROP TABLE keep; --"));
	CHECK_STR_EQ("\"My App\".\"Blog Posts; DROP TABLE keep; --\"", buf.data);

	quoted = sql_quote_ident(conn, "Created At");
	CHECK_STR_EQ("\"Created At\"", quoted);
	free(quoted);

	quoted = sql_quote_ident(conn, "a\"b");
	CHECK_STR_EQ("\"a\"\"b\"", quoted);
	free(quoted);

	quoted = sql_quote_ident(conn, "\"); DROP TABLE keep; --");
	CHECK_STR_EQ("\"\"\"); DROP TABLE keep; --\"", quoted);
	free(quoted);

	strbuf_free(&buf);
	PQfinish(conn);
}

TEST(sqlquote, index_name_sanitized)
{
	StrList		cols = {0};
	char	   *name;

	strlist_append(&cols, "Created At");
	name = sql_index_name("Blog Posts; DROP TABLE keep; --", &cols, "x", false);
	CHECK_STR_EQ("scaleup_blog_posts_drop_table_keep_created_at", name);
	free(name);

	name = sql_index_name("Blog Posts; DROP TABLE keep; --", &cols, "x", true);
	CHECK_STR_EQ("scaleup_blog_posts_drop_table_keep_created_at_fd0c5087", name);
	free(name);
	strlist_free(&cols);
}

TEST(sqlquote, index_name_truncated)
{
	StrList		cols = {0};
	char	   *a;
	char	   *b;
	const char *table = "a_table_name_that_is_long_enough_to_need_truncation_by_itself";

	strlist_append(&cols, "created_at");
	a = sql_index_name(table, &cols, "create_index a", false);
	b = sql_index_name(table, &cols, "create_index b", false);
	CHECK_UINT_EQ(63, strlen(a));
	CHECK_STR_EQ("scaleup_a_table_name_that_is_long_enough_to_need_trunc_29c0612d", a);
	CHECK_STR_EQ("scaleup_a_table_name_that_is_long_enough_to_need_trunc_26c05c74", b);
	CHECK(strcmp(a, b) != 0);
	free(a);
	free(b);
	strlist_free(&cols);
}

TEST(sqlquote, index_name_short_kept)
{
	StrList		cols = {0};
	char	   *name;

	strlist_append(&cols, "author_id");
	strlist_append(&cols, "created_at");
	name = sql_index_name("blog_posts", &cols, "x", false);
	CHECK_STR_EQ("scaleup_blog_posts_author_id_created_at", name);
	free(name);
	strlist_free(&cols);
}

TEST(sqlquote, equal_names_get_hashes)
{
	Snapshot   *snap = fixture_snapshot(100000);
	PGconn	   *conn = fixture_conn();
	CandidateSet set = {0};
	StrList		ab_c = {0},
				a_bc = {0};

	/* (a_b, c) and (a, b_c) would both be named scaleup_posts_a_b_c */
	strlist_append(&ab_c, "a_b");
	strlist_append(&ab_c, "c");
	strlist_append(&a_bc, "a");
	strlist_append(&a_bc, "b_c");
	candidate_add(&set, 0, &ab_c, NULL, 2, NULL, -1);
	candidate_add(&set, 0, &a_bc, NULL, 2, NULL, -1);
	REQUIRE(candidates_build_sql(snap, conn, &set));
	CHECK(strcmp(set.items[0].name, set.items[1].name) != 0);
	CHECK_UINT_EQ(strlen("scaleup_posts_a_b_c_12345678"), strlen(set.items[0].name));
	CHECK_UINT_EQ(strlen("scaleup_posts_a_b_c_12345678"), strlen(set.items[1].name));
	CHECK_STR_CONTAINS("scaleup_posts_a_b_c_", set.items[0].name);
	CHECK_STR_CONTAINS("scaleup_posts_a_b_c_", set.items[1].name);
	CHECK_STR_EQ("create_index \"public\".\"posts\" (\"a_b\", \"c\")", set.items[0].fingerprint);

	strlist_free(&ab_c);
	strlist_free(&a_bc);
	candidates_free(&set);
	PQfinish(conn);
	snapshot_free(snap);
}
