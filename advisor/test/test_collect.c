/* Unit tests for the parsers of collect.c and whatif.c. */
#include "collect.h"
#include "fixture.h"
#include "whatif.h"
#include "unit.h"

TEST(collect, text_array_literal)
{
	StrList		list = {0};

	CHECK(parse_text_array("{a,\"Created At\",NULL,\"NULL\",\"q\\\"x\",\"b\\\\c\"}", &list));
	REQUIRE(list.count == 5);
	CHECK_STR_EQ("a", list.items[0]);
	CHECK_STR_EQ("Created At", list.items[1]);
	CHECK_STR_EQ("NULL", list.items[2]);
	CHECK_STR_EQ("q\"x", list.items[3]);
	CHECK_STR_EQ("b\\c", list.items[4]);
	strlist_free(&list);

	CHECK(parse_text_array("{}", &list));
	CHECK_INT_EQ(0, list.count);
	CHECK(!parse_text_array("a,b", &list));
	strlist_free(&list);
}

TEST(collect, update_set_columns)
{
	StrBuf		schema,
				table;
	StrList		columns = {0};

	strbuf_init(&schema);
	strbuf_init(&table);
	CHECK(parse_update_target("UPDATE \"My App\".\"Orders\" o SET status = $1, "
							  "\"Total\" = f(a, b), (x, y) = ($2, $3) WHERE id = $4",
							  &schema, &table, &columns));
	CHECK_STR_EQ("My App", schema.data);
	CHECK_STR_EQ("Orders", table.data);
	REQUIRE(columns.count == 4);
	CHECK_STR_EQ("status", columns.items[0]);
	CHECK_STR_EQ("Total", columns.items[1]);
	CHECK_STR_EQ("x", columns.items[2]);
	CHECK_STR_EQ("y", columns.items[3]);
	strlist_free(&columns);

	CHECK(parse_update_target("update ONLY accounts set balance = balance + $1",
							  &schema, &table, &columns));
	CHECK_STR_EQ("", schema.data);
	CHECK_STR_EQ("accounts", table.data);
	REQUIRE(columns.count == 1);
	CHECK_STR_EQ("balance", columns.items[0]);
	strlist_free(&columns);

	CHECK(!parse_update_target("SELECT 1", &schema, &table, &columns));
	strbuf_free(&schema);
	strbuf_free(&table);
}

TEST(collect, eq_selectivity)
{
	ColumnInfo	column = {0};

	column.has_stats = true;
	column.n_distinct = 100;
	CHECK_DOUBLE_EQ(0.01, column_eq_selectivity(&column, 1000), 1e-12);
	column.n_distinct = -0.5;
	CHECK_DOUBLE_EQ(0.002, column_eq_selectivity(&column, 1000), 1e-12);
	column.n_distinct = 2;
	column.null_frac = 0.5;
	column.top_frequency = 0.4;
	CHECK_DOUBLE_EQ(0.4, column_eq_selectivity(&column, 1000), 1e-12);
	column.has_stats = false;
	CHECK_DOUBLE_EQ(1.0, column_eq_selectivity(&column, 1000), 1e-12);
	CHECK_DOUBLE_EQ(1.0, column_eq_selectivity(NULL, 1000), 1e-12);
}

TEST(whatif, total_cost_parsed)
{
	CHECK_DOUBLE_EQ(8.06, parse_total_cost("[{\"Plan\": {\"Startup Cost\": 0.04,\n"
										   "  \"Total Cost\": 8.06, \"Plans\": "
										   "[{\"Total Cost\": 99}]}}]"), 1e-12);
	CHECK_DOUBLE_EQ(-1, parse_total_cost("[]"), 1e-12);
}

TEST(whatif, heuristic_cost_of_scans)
{
	Snapshot   *snap = fixture_snapshot(200000);
	CandidateSet set = {0};
	StrList		created = {0},
				author = {0};
	bool		desc[1] = {true};
	int			ids[2] = {0, 1};

	fixture_column(snap, "author_id", true, 2000, 0.001);
	fixture_column(snap, "created_at", true, -1, 0);
	fixture_query(snap, 1, 100, 50);
	fixture_query(snap, 2, 100, 50);
	fixture_scan(snap, 1, "", "", "created_at DESC", 10, 1.0);
	fixture_scan(snap, 2, "author_id", "", "", -1, 0.0005);
	fixture_finish(snap);
	strlist_append(&created, "created_at");
	strlist_append(&author, "author_id");
	candidate_add(&set, 0, &created, desc, 0, NULL, 0);
	candidate_add(&set, 0, &author, NULL, 1, NULL, 1);

	/* 100 executions of 200,000 rows, plus one unit each */
	CHECK_DOUBLE_EQ(20000100, heuristic_cost(snap, &set, 0, NULL, 0), 1e-6);
	/* the sorted index reads the 10 rows the LIMIT needs */
	CHECK_DOUBLE_EQ(1100, heuristic_cost(snap, &set, 0, ids, 1), 1e-6);
	/* author_id does not apply to query 1 */
	CHECK_DOUBLE_EQ(20000100, heuristic_cost(snap, &set, 0, &ids[1], 1), 1e-6);
	/* the most common value's frequency 0.001 beats 1/2000: 200 rows each */
	CHECK_DOUBLE_EQ(20100, heuristic_cost(snap, &set, 1, ids, 2), 1e-6);

	strlist_free(&created);
	strlist_free(&author);
	candidates_free(&set);
	snapshot_free(snap);
}
