/* Unit tests for select.c: greedy selection, budgets, write penalty, drops. */
#include "fixture.h"
#include "select.h"
#include "unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Gains with interaction: item 1 gains little once item 0 is chosen (it
 * serves the same queries), item 2 is on another table.
 */
static double
interacting_gain(void *context, int id, const int *chosen, int nchosen)
{
	const double *alone = context;
	bool		zero_chosen = false;

	for (int c = 0; c < nchosen; c++)
		if (chosen[c] == 0)
			zero_chosen = true;
	if (id == 1 && zero_chosen)
		return 15;
	return alone[id];
}

static SelectBudget
budget_of(double min_gain, int max_per_table, int64_t total, int64_t per_table)
{
	SelectBudget budget;

	budget.min_gain_ms_per_hour = min_gain;
	budget.max_indexes_per_table = max_per_table;
	budget.max_index_bytes_total = total;
	budget.max_index_bytes_per_table = per_table;
	return budget;
}

TEST(select, greedy_reevaluates_after_pick)
{
	double		alone[4] = {1000, 900, 500, 5};
	SelectItem	items[4] = {
		{.table_pos = 0, .size_bytes = 1000, .penalty = 0},
		{.table_pos = 0, .size_bytes = 1000, .penalty = 0},
		{.table_pos = 1, .size_bytes = 1000, .penalty = 100},
		{.table_pos = 0, .size_bytes = 1000, .penalty = 0},
	};
	int			existing[2] = {1, 1};
	int			chosen[4];
	SelectBudget budget = budget_of(20, 10, 1000000, 1000000);
	int			n = select_greedy(items, 4, interacting_gain, alone, &budget,
								  existing, chosen);

	CHECK_INT_EQ(2, n);
	CHECK_INT_EQ(0, chosen[0]);
	CHECK_INT_EQ(2, chosen[1]);
	CHECK_INT_EQ(SELECT_CHOSEN, items[0].outcome);
	/* 900 alone, 15 once item 0 exists: below the minimum of 20 */
	CHECK_INT_EQ(SELECT_BELOW_MINIMUM, items[1].outcome);
	CHECK_DOUBLE_EQ(15, items[1].gain, 1e-9);
	CHECK_INT_EQ(SELECT_CHOSEN, items[2].outcome);
	CHECK_INT_EQ(SELECT_BELOW_MINIMUM, items[3].outcome);
}

TEST(select, budget_per_table_count)
{
	double		alone[3] = {1000, 900, 800};
	SelectItem	items[3] = {
		{.table_pos = 0, .size_bytes = 10},
		{.table_pos = 0, .size_bytes = 10},
		{.table_pos = 1, .size_bytes = 10},
	};
	int			existing[2] = {2, 0};
	int			chosen[3];
	SelectBudget budget = budget_of(1, 3, 1000, 1000);
	int			n;

	/* table 0 has 2 indexes and may have 3: one more fits, item 1 is blocked */
	n = select_greedy(items, 3, interacting_gain, alone, &budget, existing, chosen);
	CHECK_INT_EQ(2, n);
	CHECK_INT_EQ(0, chosen[0]);
	CHECK_INT_EQ(2, chosen[1]);
	CHECK_INT_EQ(SELECT_OVER_BUDGET, items[1].outcome);
}

TEST(select, budget_bytes)
{
	double		alone[3] = {1000, 900, 800};
	SelectItem	items[3] = {
		{.table_pos = 0, .size_bytes = 600},
		{.table_pos = 1, .size_bytes = 600},
		{.table_pos = 1, .size_bytes = 300},
	};
	int			existing[2] = {0, 0};
	int			chosen[3];
	SelectBudget budget = budget_of(1, 10, 1000, 500);
	int			n;

	/* item 0 and 1 exceed the per-table 500 bytes, item 2 fits */
	n = select_greedy(items, 3, interacting_gain, alone, &budget, existing, chosen);
	CHECK_INT_EQ(1, n);
	CHECK_INT_EQ(2, chosen[0]);
	CHECK_INT_EQ(SELECT_OVER_BUDGET, items[0].outcome);
	CHECK_INT_EQ(SELECT_OVER_BUDGET, items[1].outcome);

	/* with room per table, the total of 1000 bytes allows 600 + 300 */
	budget = budget_of(1, 10, 1000, 1000);
	n = select_greedy(items, 3, interacting_gain, alone, &budget, existing, chosen);
	CHECK_INT_EQ(2, n);
	CHECK_INT_EQ(0, chosen[0]);
	CHECK_INT_EQ(2, chosen[1]);
	CHECK_INT_EQ(SELECT_OVER_BUDGET, items[1].outcome);
}

TEST(select, penalty_outweighs_gain)
{
	double		alone[1] = {500};
	SelectItem	items[1] = {{.table_pos = 0, .size_bytes = 10, .penalty = 600}};
	int			existing[1] = {0};
	int			chosen[1];
	SelectBudget budget = budget_of(1, 10, 1000, 1000);

	CHECK_INT_EQ(0, select_greedy(items, 1, interacting_gain, alone, &budget,
								  existing, chosen));
	CHECK_INT_EQ(SELECT_NO_GAIN, items[0].outcome);
}

TEST(select, write_penalty_with_hot_updates)
{
	Snapshot   *snap = fixture_snapshot(100000);
	CandidateSet set = {0};
	StrList		cols = {0};
	TableInfo  *t = &snap->tables[0];

	t->ins_per_s = 1.0;
	t->upd_per_s = 0.5;
	t->hot_upd_per_s = 0.25;
	t->nindexes = 2;
	strlist_append(&t->updated_columns, "status");
	strlist_append(&cols, "status");
	candidate_add(&set, 0, &cols, NULL, 1, NULL, -1);

	/* (1 insert + 0.25 cold updates) per second, one entry each */
	CHECK_DOUBLE_EQ(1.25 * 3600 * 0.01, write_penalty(t, NULL), 1e-9);
	/* plus 0.25 HOT updates turning cold, each in 3 indexes */
	CHECK_DOUBLE_EQ(2.0 * 3600 * 0.01, write_penalty(t, &set.items[0]), 1e-9);

	t->nindexes = 0;			/* the fixture owns no index_ids */
	strlist_free(&cols);
	candidates_free(&set);
	snapshot_free(snap);
}

TEST(select, drops_duplicate_and_unused_not_pk)
{
	Snapshot   *snap = fixture_snapshot(100000);
	SuggestionList list = {0};
	AnalyzeSettings settings;
	PGconn	   *conn = fixture_conn();
	int			keys_id[1] = {1};
	int			keys_a[1] = {2};
	IndexInfo  *ix;

	analyze_settings_default(&settings);
	settings.unused_index_min_age_s = 3600;
	settings.unused_index_min_writes = 1000;
	fixture_column(snap, "id", true, -1, 0);
	fixture_column(snap, "a", true, 100, 0.01);
	snap->tables[0].n_tup_ins = 5000;
	fixture_index(snap, "posts_pkey", keys_id, NULL, 1);
	fixture_index(snap, "posts_a_idx", keys_a, NULL, 1);
	fixture_index(snap, "posts_a_idx1", keys_a, NULL, 1);
	fixture_index(snap, "posts_id_idx", keys_id, NULL, 1);
	ix = &snap->indexes[0];
	ix->primary = ix->unique = ix->backs_constraint = true;
	/* a and a1 are duplicates; a is scanned; id_idx is unused */
	free(snap->indexes[2].shape);
	snap->indexes[2].shape = strdup("posts_a_idx");
	snap->indexes[1].idx_scan = 10;
	snap->indexes[2].idx_scan = 10;

	select_drops(snap, &settings, conn, &list);
	REQUIRE(list.count == 2);
	CHECK_STR_EQ("drop_index", list.items[0].kind);
	CHECK_STR_EQ("DROP INDEX CONCURRENTLY \"public\".\"posts_a_idx1\";", list.items[0].sql);
	CHECK_STR_CONTAINS("same columns, options and predicate as posts_a_idx", list.items[0].rationale);
	CHECK_STR_EQ("DROP INDEX CONCURRENTLY \"public\".\"posts_id_idx\";", list.items[1].sql);
	CHECK_STR_EQ("public.posts", list.items[1].table);
	suggestion_list_free(&list);

	/* not busy enough: only the duplicate remains */
	snap->tables[0].n_tup_ins = 10;
	select_drops(snap, &settings, conn, &list);
	CHECK_INT_EQ(1, list.count);
	suggestion_list_free(&list);

	/* statistics too young: the same */
	snap->tables[0].n_tup_ins = 5000;
	snap->stats_age_s = 60;
	select_drops(snap, &settings, conn, &list);
	CHECK_INT_EQ(1, list.count);
	suggestion_list_free(&list);

	/* the newer duplicate is the scanned one: the older one goes */
	snap->stats_age_s = 3600;
	snap->indexes[1].idx_scan = 0;
	select_drops(snap, &settings, conn, &list);
	REQUIRE(list.count == 2);
	CHECK_STR_EQ("DROP INDEX CONCURRENTLY \"public\".\"posts_a_idx\";", list.items[0].sql);
	CHECK_STR_CONTAINS("same columns, options and predicate as posts_a_idx1", list.items[0].rationale);
	suggestion_list_free(&list);

	PQfinish(conn);
	snapshot_free(snap);
}
