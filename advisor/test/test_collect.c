/* Unit tests for the parsers of collect.c and whatif.c. */
#include "collect.h"
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
