/* Unit tests for candidates.c: ordering, consolidation, skips, served checks. */
#include "candidates.h"
#include "fixture.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>

/* The DDL of every live candidate, one per line, in set order. */
static char *
live_ddl(const CandidateSet *set)
{
	StrBuf		buf;

	strbuf_init(&buf);
	for (int i = 0; i < set->count; i++)
		if (!set->items[i].dropped)
			strbuf_appendf(&buf, "%s\n", set->items[i].ddl);
	return strbuf_release(&buf);
}

static int
live_count(const CandidateSet *set)
{
	int			n = 0;

	for (int i = 0; i < set->count; i++)
		if (!set->items[i].dropped)
			n++;
	return n;
}

static char *
generate(Snapshot *snap, int64_t min_rows, CandidateSet *set)
{
	PGconn	   *conn = fixture_conn();
	CandidateOptions options = {min_rows};
	char	   *ddl;

	fixture_finish(snap);
	CHECK(candidates_generate(snap, conn, &options, set));
	ddl = live_ddl(set);
	PQfinish(conn);
	return ddl;
}

TEST(candidates, equality_by_selectivity)
{
	Snapshot   *snap = fixture_snapshot(200000);
	StrList		columns = {0};

	fixture_column(snap, "status", true, 5, 0.3);	/* 1/5, top 0.3 */
	fixture_column(snap, "email", true, -1, 0);	/* unique */
	fixture_column(snap, "author_id", true, 2000, 0.001);
	fixture_column(snap, "nostats", true, 0, 0);
	strlist_append(&columns, "status");
	strlist_append(&columns, "nostats");
	strlist_append(&columns, "author_id");
	strlist_append(&columns, "email");
	order_by_selectivity(&snap->tables[0], &columns);
	CHECK_STR_EQ("email", columns.items[0]);
	CHECK_STR_EQ("author_id", columns.items[1]);
	CHECK_STR_EQ("status", columns.items[2]);
	CHECK_STR_EQ("nostats", columns.items[3]);
	strlist_free(&columns);
	snapshot_free(snap);
}

TEST(candidates, sort_and_limit)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	char	   *ddl;

	fixture_column(snap, "id", true, -1, 0);
	fixture_column(snap, "created_at", true, -1, 0);
	fixture_query(snap, 1, 100, 50);
	fixture_scan(snap, 1, "", "", "created_at DESC", 10, 1.0);
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("CREATE INDEX CONCURRENTLY \"scaleup_posts_created_at\" ON \"public\".\"posts\" (\"created_at\" DESC);\n", ddl);
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, equality_then_sort)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	char	   *ddl;

	fixture_column(snap, "author_id", true, 2000, 0.001);
	fixture_column(snap, "created_at", true, -1, 0);
	fixture_query(snap, 1, 100, 50);
	fixture_scan(snap, 1, "author_id", "", "created_at DESC", 5, 0.0005);
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("CREATE INDEX CONCURRENTLY \"scaleup_posts_author_id_created_at\" ON \"public\".\"posts\" (\"author_id\", \"created_at\" DESC);\n", ddl);
	CHECK_INT_EQ(1, set.items[0].neq);
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, equality_before_range)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	char	   *ddl;

	/* the range column appears in more queries; equality still leads */
	fixture_column(snap, "account_id", true, -0.5, 0);
	fixture_column(snap, "created_at", true, -1, 0);
	fixture_query(snap, 1, 100, 50);
	fixture_query(snap, 2, 100, 50);
	fixture_query(snap, 3, 100, 50);
	fixture_scan(snap, 1, "account_id", "created_at", "", -1, 0.00001);
	fixture_scan(snap, 2, "account_id", "created_at", "", -1, 0.00001);
	fixture_scan(snap, 3, "account_id", "created_at", "", -1, 0.00001);
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("CREATE INDEX CONCURRENTLY \"scaleup_posts_account_id_created_at\" ON \"public\".\"posts\" (\"account_id\", \"created_at\");\n", ddl);
	CHECK_INT_EQ(3, set.items[0].nqueries);
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, prefix_consolidated)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	char	   *ddl;
	int			live = -1;

	/* b is the more selective, so (b, a) would lead with b: reordered */
	fixture_column(snap, "a", true, 1000, 0.002);
	fixture_column(snap, "b", true, 50000, 0.0001);
	fixture_query(snap, 1, 100, 50);
	fixture_query(snap, 2, 100, 50);
	fixture_scan(snap, 1, "a", "", "", -1, 0.001);
	fixture_scan(snap, 2, "a,b", "", "", -1, 0.00001);
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("CREATE INDEX CONCURRENTLY \"scaleup_posts_a_b\" ON \"public\".\"posts\" (\"a\", \"b\");\n", ddl);
	CHECK_INT_EQ(1, live_count(&set));
	for (int i = 0; i < set.count; i++)
		if (!set.items[i].dropped)
			live = i;
	REQUIRE(live >= 0);
	CHECK_INT_EQ(2, set.items[live].nqueries);
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, consolidate_keeps_different_predicates)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	StrList		a = {0},
				ab = {0};

	strlist_append(&a, "a");
	strlist_append(&ab, "a");
	strlist_append(&ab, "b");
	candidate_add(&set, 0, &a, NULL, 1, "deleted_at IS NULL", 0);
	candidate_add(&set, 0, &ab, NULL, 2, NULL, 1);
	candidate_add(&set, 0, &a, NULL, 1, NULL, 2);
	candidates_consolidate(&set);
	CHECK(!set.items[0].dropped);
	CHECK(!set.items[1].dropped);
	CHECK(set.items[2].dropped);
	CHECK_INT_EQ(2, set.items[1].nqueries);
	strlist_free(&a);
	strlist_free(&ab);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, sort_direction_blocks_prefix)
{
	CandidateSet set = {0};
	StrList		ab = {0};
	bool		asc_desc[2] = {false, true};
	bool		asc_asc[2] = {false, false};
	bool		desc_desc[2] = {true, true};

	/* (a, b DESC) cannot serve ORDER BY a, b; (a DESC, b DESC) can */
	strlist_append(&ab, "a");
	strlist_append(&ab, "b");
	candidate_add(&set, 0, &ab, asc_desc, 0, NULL, 0);
	candidate_add(&set, 0, &ab, asc_asc, 0, NULL, 1);
	candidate_add(&set, 0, &ab, desc_desc, 0, NULL, 2);
	candidates_consolidate(&set);
	CHECK(!set.items[0].dropped);
	CHECK(!set.items[1].dropped);
	CHECK(set.items[2].dropped);
	strlist_free(&ab);
	candidates_free(&set);
}

TEST(candidates, skips_non_btree_columns)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	char	   *ddl;

	fixture_column(snap, "location", false, -1, 0);
	fixture_column(snap, "doc", false, -1, 0);
	fixture_column(snap, "author_id", true, 2000, 0.001);
	fixture_query(snap, 1, 100, 50);
	fixture_query(snap, 2, 100, 50);
	fixture_scan(snap, 1, "location,author_id", "", "", -1, 0.0001);
	fixture_scan(snap, 2, "doc", "", "", -1, 0.0001);
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("CREATE INDEX CONCURRENTLY \"scaleup_posts_author_id\" ON \"public\".\"posts\" (\"author_id\");\n", ddl);
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, low_selectivity_gets_nothing)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	char	   *ddl;

	fixture_column(snap, "published", true, 2, 0.5);
	fixture_query(snap, 1, 100, 50);
	fixture_scan(snap, 1, "published", "", "", -1, 0.5);
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("", ddl);
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, small_table_gets_nothing)
{
	Snapshot   *snap = fixture_snapshot(200);
	CandidateSet set = {0};
	char	   *ddl;

	fixture_column(snap, "author_id", true, -1, 0);
	fixture_query(snap, 1, 100, 50);
	fixture_scan(snap, 1, "author_id", "", "", -1, 0.005);
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("", ddl);
	CHECK_INT_EQ(0, set.count);
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, partial_index_for_common_predicate)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	ScanInfo   *s;
	char	   *ddl;

	fixture_column(snap, "author_id", true, 2000, 0.001);
	fixture_column(snap, "deleted_at", true, -0.1, 0);
	fixture_query(snap, 1, 100, 50);
	fixture_query(snap, 2, 100, 50);
	s = fixture_scan(snap, 1, "author_id,deleted_at", "", "", -1, 0.0001);
	strlist_append(&s->constant_quals, "deleted_at IS NULL");
	s = fixture_scan(snap, 2, "author_id,deleted_at", "", "", -1, 0.0001);
	strlist_append(&s->constant_quals, "deleted_at IS NULL");
	ddl = generate(snap, 10000, &set);
	CHECK_STR_CONTAINS("ON \"public\".\"posts\" (\"author_id\") WHERE deleted_at IS NULL;\n", ddl);
	CHECK_STR_CONTAINS("CREATE INDEX CONCURRENTLY \"scaleup_posts_author_id_", ddl);
	CHECK_INT_EQ(1, live_count(&set));
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, no_partial_when_one_query_differs)
{
	Snapshot   *snap = fixture_snapshot(200000);
	ScanInfo   *s;
	char	   *predicate;

	fixture_query(snap, 1, 100, 50);
	fixture_query(snap, 2, 100, 50);
	s = fixture_scan(snap, 1, "author_id", "", "", -1, 0.0001);
	strlist_append(&s->constant_quals, "deleted_at IS NULL");
	fixture_scan(snap, 2, "author_id", "", "", -1, 0.0001);
	fixture_finish(snap);
	predicate = common_constant_predicate(snap, 0);
	CHECK_NULL(predicate);
	free(predicate);
	snapshot_free(snap);
}

TEST(candidates, served_by_existing_index)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	StrList		a = {0},
				ab = {0},
				b = {0},
				id_a = {0};
	int			keys_ab[2] = {2, 3};	/* a, b */
	bool		desc_ab[2] = {false, true};
	int			keys_id[1] = {1};
	bool		desc1[2] = {false, false};
	bool		desc2[2] = {false, true};
	bool		desc3[2] = {true, false};
	IndexInfo  *ix;
	IndexInfo  *pk;
	const TableInfo *table;

	fixture_column(snap, "id", true, -1, 0);
	fixture_column(snap, "a", true, 100, 0.01);
	fixture_column(snap, "b", true, -1, 0);
	fixture_index(snap, "posts_a_b_idx", keys_ab, desc_ab, 2);
	pk = fixture_index(snap, "posts_pkey", keys_id, NULL, 1);
	ix = &snap->indexes[0];		/* the second addition moved the array */
	pk->primary = pk->unique = pk->backs_constraint = true;
	table = &snap->tables[0];

	strlist_append(&a, "a");
	strlist_append(&ab, "a");
	strlist_append(&ab, "b");
	strlist_append(&b, "b");
	strlist_append(&id_a, "id");
	strlist_append(&id_a, "a");
	candidate_add(&set, 0, &a, NULL, 1, NULL, -1);	/* prefix: served */
	candidate_add(&set, 0, &ab, desc2, 1, NULL, -1);	/* same: served */
	candidate_add(&set, 0, &ab, desc1, 1, NULL, -1);	/* one key reversed */
	candidate_add(&set, 0, &b, NULL, 1, NULL, -1);	/* not leading */
	candidate_add(&set, 0, &id_a, NULL, 2, NULL, -1);	/* pk among eq */
	candidate_add(&set, 0, &ab, desc3, 1, NULL, -1);	/* a reversed, b asc */

	CHECK(candidate_served_by(&set.items[0], table, ix));
	CHECK(candidate_served_by(&set.items[1], table, ix));
	CHECK(candidate_served_by(&set.items[2], table, ix));
	CHECK(!candidate_served_by(&set.items[3], table, ix));
	CHECK(!candidate_served_by(&set.items[3], table, pk));
	CHECK(candidate_served_by(&set.items[4], table, pk));
	CHECK(!candidate_served_by(&set.items[4], table, ix));
	CHECK(candidate_served_by(&set.items[5], table, ix));

	/* an invalid index serves nothing */
	ix->valid = false;
	CHECK(!candidate_served_by(&set.items[0], table, ix));
	ix->valid = true;

	/* a partial index serves only the same predicate */
	ix->partial = true;
	ix->predicate = strdup("(deleted_at IS NULL)");
	CHECK(!candidate_served_by(&set.items[0], table, ix));
	set.items[0].predicate = strdup("deleted_at IS NULL");
	CHECK(candidate_served_by(&set.items[0], table, ix));

	strlist_free(&a);
	strlist_free(&ab);
	strlist_free(&b);
	strlist_free(&id_a);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, primary_key_serves_lookup)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	int			keys_id[1] = {1};
	IndexInfo  *pk;
	char	   *ddl;

	fixture_column(snap, "id", true, -1, 0);
	pk = fixture_index(snap, "posts_pkey", keys_id, NULL, 1);
	pk->primary = pk->unique = pk->backs_constraint = true;
	fixture_query(snap, 1, 100, 50);
	fixture_scan(snap, 1, "id", "", "", -1, 0.000005);
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("", ddl);
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, merged_candidate_not_reordered)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	char	   *ddl;

	/*
	 * (a) is merged into (b, a), which is reordered to (a, b) for it.  (b)
	 * must not reorder it back, or the query on a alone loses its index.
	 */
	fixture_column(snap, "a", true, 1000, 0.002);
	fixture_column(snap, "b", true, 50000, 0.0001);
	fixture_query(snap, 1, 100, 50);
	fixture_query(snap, 2, 100, 50);
	fixture_query(snap, 3, 100, 50);
	fixture_scan(snap, 1, "a", "", "", -1, 0.001);
	fixture_scan(snap, 2, "a,b", "", "", -1, 0.00001);
	fixture_scan(snap, 3, "b", "", "", -1, 0.00002);
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("CREATE INDEX CONCURRENTLY \"scaleup_posts_a_b\" ON \"public\".\"posts\" (\"a\", \"b\");\n"
				 "CREATE INDEX CONCURRENTLY \"scaleup_posts_b\" ON \"public\".\"posts\" (\"b\");\n",
				 ddl);
	CHECK_INT_EQ(2, live_count(&set));
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, join_keys_of_two_joins_split)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	ScanInfo   *scan;
	char	   *ddl;

	/* a hash join on a and another on b: no lookup binds both */
	fixture_column(snap, "a", true, 1000, 0.002);
	fixture_column(snap, "b", true, 5000, 0.0005);
	fixture_query(snap, 1, 100, 50);
	scan = fixture_scan(snap, 1, "", "", "", -1, 1.0);
	strlist_append(&scan->join_columns, "a");
	strlist_append(&scan->join_columns, "b");
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("CREATE INDEX CONCURRENTLY \"scaleup_posts_a\" ON \"public\".\"posts\" (\"a\");\n"
				 "CREATE INDEX CONCURRENTLY \"scaleup_posts_b\" ON \"public\".\"posts\" (\"b\");\n",
				 ddl);
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(candidates, weak_equality_key_left_out)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	char	   *ddl;

	/* published is true for 98 % of the rows: filtering, not a key */
	fixture_column(snap, "author_id", true, 20000, 0.00005);
	fixture_column(snap, "published", true, 2, 0.98);
	fixture_column(snap, "created_at", true, -1, 0.000005);
	fixture_query(snap, 1, 100, 50);
	fixture_scan(snap, 1, "author_id,published", "", "created_at DESC", 5, 0.00004);
	ddl = generate(snap, 10000, &set);
	CHECK_STR_EQ("CREATE INDEX CONCURRENTLY \"scaleup_posts_author_id_created_at\" ON \"public\".\"posts\" (\"author_id\", \"created_at\" DESC);\n",
				 ddl);
	free(ddl);
	candidates_free(&set);
	snapshot_free(snap);
}
