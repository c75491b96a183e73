/*
 * select.c
 *		Steps 4 and 5 of analyze: greedy index selection under budgets, and
 *		drop suggestions; see select.h.
 */
#include "select.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sqlquote.h"

/* --- suggestion lists --------------------------------------------------------- */

Suggestion *
suggestion_list_add(SuggestionList *list, const char *kind)
{
	Suggestion *s;

	list->items = xrealloc(list->items, sizeof(Suggestion) * (size_t) (list->count + 1));
	s = &list->items[list->count++];
	memset(s, 0, sizeof(*s));
	snprintf(s->kind, sizeof(s->kind), "%s", kind);
	s->status = xstrdup("pending");
	s->measured_before_ms = NAN;
	s->measured_after_ms = NAN;
	return s;
}

void
suggestion_clear(Suggestion *s)
{
	free(s->table);
	free(s->sql);
	free(s->rationale);
	free(s->fingerprint);
	for (int e = 0; e < s->nevidence; e++)
	{
		free(s->evidence[e].note);
		free(s->evidence[e].column_bytes);
		free(s->evidence[e].include_variant);
	}
	free(s->evidence);
	free(s->status);
	free(s->created_at);
	free(s->updated_at);
	free(s->near_miss_reason);
	memset(s, 0, sizeof(*s));
}

void
suggestion_list_free(SuggestionList *list)
{
	for (int i = 0; i < list->count; i++)
		suggestion_clear(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

static bool
plain_identifier(const char *name)
{
	if (!(islower((unsigned char) name[0]) || name[0] == '_'))
		return false;
	for (const char *p = name; *p; p++)
		if (!(islower((unsigned char) *p) || isdigit((unsigned char) *p) || *p == '_'))
			return false;
	return true;
}

char *
display_table_name(PGconn *conn, const char *schema, const char *name)
{
	StrBuf		buf;

	strbuf_init(&buf);
	if (plain_identifier(schema))
		strbuf_append(&buf, schema);
	else
		sql_append_ident(&buf, conn, schema);
	strbuf_append_char(&buf, '.');
	if (plain_identifier(name))
		strbuf_append(&buf, name);
	else
		sql_append_ident(&buf, conn, name);
	return strbuf_release(&buf);
}

/* --- write penalty -------------------------------------------------------------- */

double
write_penalty(const TableInfo *table, const Candidate *cand)
{
	double		cold_updates = table->upd_per_s - table->hot_upd_per_s;
	double		entries_per_s;

	if (cold_updates < 0)
		cold_updates = 0;
	/* each insert and each non-HOT update adds an entry to every index */
	entries_per_s = table->ins_per_s + cold_updates;

	/*
	 * An index on a column that UPDATEs set makes their HOT updates cold:
	 * each then adds an entry to every index of the table, this one included.
	 */
	if (cand != NULL)
	{
		bool		touched = false;

		for (int k = 0; k < cand->columns.count; k++)
			if (strlist_contains(&table->updated_columns, cand->columns.items[k]))
				touched = true;
		if (touched)
			entries_per_s += table->hot_upd_per_s * (table->nindexes + 1);
	}
	return entries_per_s * 3600.0 * WRITE_MS_PER_INDEX_ENTRY;
}

/* --- greedy core ------------------------------------------------------------------ */

int
select_greedy(SelectItem *items, int count, GainFunction gain, void *context,
			  const SelectBudget *budget, const int *existing, int *chosen)
{
	int			nchosen = 0;
	int			ntables = 0;
	bool	   *done = xcalloc((size_t) count + 1, sizeof(bool));
	int		   *evaluated_at = xcalloc((size_t) count + 1, sizeof(int));
	int		   *picked_at;
	int		   *on_table;
	int64_t    *table_bytes;
	int64_t		total_bytes = 0;

	for (int i = 0; i < count; i++)
		if (items[i].table_pos + 1 > ntables)
			ntables = items[i].table_pos + 1;
	picked_at = xcalloc((size_t) ntables + 1, sizeof(int));
	on_table = xcalloc((size_t) ntables + 1, sizeof(int));
	table_bytes = xcalloc((size_t) ntables + 1, sizeof(int64_t));
	for (int t = 0; t < ntables; t++)
		on_table[t] = existing[t];

	for (int i = 0; i < count; i++)
	{
		items[i].outcome = SELECT_NO_GAIN;
		items[i].gain = gain(context, i, chosen, 0);
	}

	/*
	 * Lazy greedy: a gain only shrinks as indexes are added, so a stale gain
	 * is an upper bound.  The best item is evaluated again when an index was
	 * chosen on its table since its last evaluation, and taken only when it
	 * is still the best with a fresh gain.
	 */
	for (;;)
	{
		int			best = -1;
		double		best_net = 0;

		for (int i = 0; i < count; i++)
		{
			int			t = items[i].table_pos;
			double		net;

			if (done[i])
				continue;
			net = items[i].gain - items[i].penalty;
			if (net <= 0)
				items[i].outcome = SELECT_NO_GAIN;
			else if (net < budget->min_gain_ms_per_hour)
				items[i].outcome = SELECT_BELOW_MINIMUM;
			else if (on_table[t] + 1 > budget->max_indexes_per_table ||
					 table_bytes[t] + items[i].size_bytes > budget->max_index_bytes_per_table ||
					 total_bytes + items[i].size_bytes > budget->max_index_bytes_total)
				items[i].outcome = SELECT_OVER_BUDGET;
			else if (best < 0 || net > best_net)
			{
				best = i;
				best_net = net;
			}
		}
		if (best < 0)
			break;
		if (evaluated_at[best] < picked_at[items[best].table_pos])
		{
			items[best].gain = gain(context, best, chosen, nchosen);
			evaluated_at[best] = nchosen;
			continue;
		}

		done[best] = true;
		items[best].outcome = SELECT_CHOSEN;
		chosen[nchosen++] = best;
		total_bytes += items[best].size_bytes;
		on_table[items[best].table_pos]++;
		table_bytes[items[best].table_pos] += items[best].size_bytes;
		picked_at[items[best].table_pos] = nchosen;
	}
	free(done);
	free(evaluated_at);
	free(picked_at);
	free(on_table);
	free(table_bytes);
	return nchosen;
}

/* --- evaluation with the what-if session ------------------------------------------ */

typedef struct EvalContext
{
	const char *target;
	const Snapshot *snap;
	CandidateSet *set;
	WhatIf	   *whatif;
	int		   *live;			/* item -> candidate id */
	SelectItem *items;
	double	   *base_cost;		/* per query, no new index; < 0 unknown */
	bool	   *base_failed;
	double	   *current_cost;	/* per query, with the chosen ones */
	int			current_version;	/* nchosen that last_pick is for */
	int		   *last_pick;		/* per table: 1 + position in the chosen list
								 * of its last chosen index, 0 if none */
	int		   *current_stamp;	/* per query: 1 + its relevant_picks() when
								 * current_cost was computed, 0 if never */
	double	  **after_ratio;	/* per item, per affected query: cost ratio */
	bool	   *any_planned;	/* per item */
	bool	   *create_failed;	/* per item */
} EvalContext;

static bool
query_base_cost(EvalContext *ctx, int query_pos, double *cost)
{
	if (ctx->base_failed[query_pos])
		return false;
	if (ctx->base_cost[query_pos] < 0)
	{
		int			failed;

		whatif_set_indexes(ctx->whatif, NULL, 0, &failed);
		if (!whatif_cost(ctx->whatif, query_pos, &ctx->base_cost[query_pos]) ||
			ctx->base_cost[query_pos] <= 0)
		{
			ctx->base_failed[query_pos] = true;
			return false;
		}
	}
	*cost = ctx->base_cost[query_pos];
	return true;
}

/*
 * Number of leading entries of the chosen list that can change the plan of
 * a query: up to the last index chosen on one of the tables its scans read.
 * Indexes on other tables do not change its plan, so its cost with the
 * chosen set stays valid until an index is chosen on one of its tables.
 */
static int
relevant_picks(EvalContext *ctx, int query_pos, const int *chosen_ids, int nchosen)
{
	const QueryInfo *query = &ctx->snap->queries[query_pos];
	int			last = 0;

	if (ctx->current_version != nchosen)
	{
		memset(ctx->last_pick, 0, sizeof(int) * (size_t) (ctx->snap->ntables + 1));
		for (int c = 0; c < nchosen; c++)
			ctx->last_pick[ctx->set->items[chosen_ids[c]].table_pos] = c + 1;
		ctx->current_version = nchosen;
	}
	for (int i = 0; i < query->nscan_ids; i++)
	{
		int			t = ctx->snap->scans[query->scan_ids[i]].table_pos;

		if (t >= 0 && ctx->last_pick[t] > last)
			last = ctx->last_pick[t];
	}
	return last;
}

/* Cost of a query with the chosen indexes; cached until one is chosen on its tables. */
static bool
query_current_cost(EvalContext *ctx, int query_pos, const int *chosen_ids,
				   int nchosen, double *cost)
{
	int			relevant = relevant_picks(ctx, query_pos, chosen_ids, nchosen);

	if (ctx->current_stamp[query_pos] == relevant + 1)
	{
		*cost = ctx->current_cost[query_pos];
		return true;
	}
	if (relevant == 0)
	{
		if (!query_base_cost(ctx, query_pos, cost))
			return false;
	}
	else
	{
		int			failed;

		if (!whatif_set_indexes(ctx->whatif, chosen_ids, nchosen, &failed) ||
			!whatif_cost(ctx->whatif, query_pos, cost))
			return false;
	}
	ctx->current_cost[query_pos] = *cost;
	ctx->current_stamp[query_pos] = relevant + 1;
	return true;
}

/*
 * Gain of a candidate HypoPG could not create, from the heuristic, ignoring
 * the indexes chosen before it.  Such a suggestion is not planner-verified.
 */
static double
heuristic_gain(EvalContext *ctx, int item)
{
	Candidate  *cand = &ctx->set->items[ctx->live[item]];
	int			id = ctx->live[item];
	double		gain = 0;

	for (int q = 0; q < cand->nqueries; q++)
	{
		int			query_pos = cand->queries[q];
		const QueryInfo *query = &ctx->snap->queries[query_pos];
		double		base = heuristic_cost(ctx->snap, ctx->set, query_pos, NULL, 0);
		double		after = heuristic_cost(ctx->snap, ctx->set, query_pos, &id, 1);

		ctx->after_ratio[item][q] = after / base;
		gain += query->calls_per_hour * query->mean_ms * (base - after) / base;
	}
	return gain;
}

static double
evaluate_gain(void *context, int item, const int *chosen, int nchosen)
{
	EvalContext *ctx = context;
	Candidate  *cand = &ctx->set->items[ctx->live[item]];
	int		   *ids = xmalloc(sizeof(int) * (size_t) (nchosen + 1));
	double		gain = 0;
	int			failed;

	if (ctx->create_failed[item])
	{
		free(ids);
		return heuristic_gain(ctx, item);
	}
	for (int c = 0; c < nchosen; c++)
		ids[c] = ctx->live[chosen[c]];

	/* the costs with the chosen indexes only, before adding this one */
	for (int q = 0; q < cand->nqueries; q++)
	{
		double		cost;

		query_current_cost(ctx, cand->queries[q], ids, nchosen, &cost);
	}

	ids[nchosen] = ctx->live[item];
	if (!whatif_set_indexes(ctx->whatif, ids, nchosen + 1, &failed))
	{
		if (failed == ctx->live[item])
			ctx->create_failed[item] = true;
		free(ids);
		return ctx->create_failed[item] ? heuristic_gain(ctx, item) : 0;
	}
	ctx->items[item].size_bytes = whatif_index_size(ctx->whatif, ctx->live[item]);

	for (int q = 0; q < cand->nqueries; q++)
	{
		int			query_pos = cand->queries[q];
		const QueryInfo *query = &ctx->snap->queries[query_pos];
		double		base,
					before,
					after;

		ctx->after_ratio[item][q] = NAN;
		if (!query_base_cost(ctx, query_pos, &base) ||
			ctx->current_stamp[query_pos] !=
			relevant_picks(ctx, query_pos, ids, nchosen) + 1)
			continue;
		before = ctx->current_cost[query_pos];
		if (!whatif_cost(ctx->whatif, query_pos, &after))
			continue;
		ctx->any_planned[item] = true;
		if (after > before)
			after = before;
		ctx->after_ratio[item][q] = after / base;
		gain += query->calls_per_hour * query->mean_ms * (before - after) / base;
	}
	free(ids);
	return gain;
}

static void
format_ms(char *buf, size_t size, double ms)
{
	if (ms >= 100)
		snprintf(buf, size, "%.0f ms", ms);
	else if (ms >= 1)
		snprintf(buf, size, "%.1f ms", ms);
	else
		snprintf(buf, size, "%.3f ms", ms);
}

/* Fill evidence and rationale of an index suggestion. */
static void
describe_candidate(EvalContext *ctx, int item, Suggestion *s)
{
	const Candidate *cand = &ctx->set->items[ctx->live[item]];
	double		calls = 0,
				before = 0,
				after = 0;
	char		before_text[32],
				after_text[32];

	s->evidence = xcalloc((size_t) cand->nqueries + 1, sizeof(Evidence));
	for (int q = 0; q < cand->nqueries; q++)
	{
		int			query_pos = cand->queries[q];
		const QueryInfo *query = &ctx->snap->queries[query_pos];
		Evidence   *e = &s->evidence[s->nevidence++];
		const char *error = whatif_query_error(ctx->whatif, query_pos);

		e->queryid = query->queryid;
		e->calls = query->calls;
		e->mean_ms = query->mean_ms;
		e->estimated_mean_ms = isnan(ctx->after_ratio[item][q]) ? NAN :
			query->mean_ms * ctx->after_ratio[item][q];
		if (error != NULL && isnan(e->estimated_mean_ms))
			e->note = xstrdup(error);
		for (int i = 0; i < query->nscan_ids; i++)
		{
			const ScanInfo *scan = &ctx->snap->scans[query->scan_ids[i]];

			if (scan->table_pos == cand->table_pos)
			{
				e->rows_scanned += scan->rows_scanned;
				e->rows_kept += scan->rows_kept;
			}
		}
		if (!isnan(e->estimated_mean_ms))
		{
			calls += (double) query->calls;
			before += query->mean_ms * (double) query->calls;
			after += e->estimated_mean_ms * (double) query->calls;
		}
	}
	format_ms(before_text, sizeof(before_text), calls > 0 ? before / calls : 0);
	format_ms(after_text, sizeof(after_text), calls > 0 ? after / calls : 0);
	{
		StrBuf		buf;

		strbuf_init(&buf);
		strbuf_appendf(&buf, "%s %d %s on %s from %s to %s per call",
					   s->verified_by_planner ? "The planner estimates that it speeds up" :
					   "A heuristic estimate says that it speeds up",
					   s->nevidence, s->nevidence == 1 ? "query" : "queries",
					   s->table, before_text, after_text);
		if (cand->predicate)
			strbuf_appendf(&buf, ", as a partial index on the predicate every query repeats");
		strbuf_append_char(&buf, '.');
		s->rationale = strbuf_release(&buf);
	}
}

void
select_indexes(const char *target, const Snapshot *snap, CandidateSet *set,
			   WhatIf *whatif, const SelectBudget *budget, PGconn *display_conn,
			   SuggestionList *out)
{
	EvalContext ctx = {0};
	int			nlive = 0;
	int		   *existing = xcalloc((size_t) snap->ntables + 1, sizeof(int));
	int		   *chosen;
	int			nchosen;

	ctx.target = target;
	ctx.snap = snap;
	ctx.set = set;
	ctx.whatif = whatif;
	ctx.live = xcalloc((size_t) set->count + 1, sizeof(int));
	for (int i = 0; i < set->count; i++)
	{
		if (set->items[i].dropped || set->items[i].nqueries == 0)
			continue;
		if (strlist_contains(&snap->rejected_fingerprints, set->items[i].fingerprint))
		{
			log_event(LOG_LEVEL_DEBUG, target, "skipping rejected suggestion %s",
					  set->items[i].fingerprint);
			continue;
		}
		ctx.live[nlive++] = i;
	}
	for (int t = 0; t < snap->ntables; t++)
		existing[t] = snap->tables[t].nindexes;

	ctx.items = xcalloc((size_t) nlive + 1, sizeof(SelectItem));
	ctx.after_ratio = xcalloc((size_t) nlive + 1, sizeof(double *));
	ctx.any_planned = xcalloc((size_t) nlive + 1, sizeof(bool));
	ctx.create_failed = xcalloc((size_t) nlive + 1, sizeof(bool));
	ctx.base_cost = xmalloc(sizeof(double) * (size_t) (snap->nqueries + 1));
	ctx.base_failed = xcalloc((size_t) snap->nqueries + 1, sizeof(bool));
	ctx.current_cost = xcalloc((size_t) snap->nqueries + 1, sizeof(double));
	ctx.current_stamp = xcalloc((size_t) snap->nqueries + 1, sizeof(int));
	ctx.last_pick = xcalloc((size_t) snap->ntables + 1, sizeof(int));
	for (int q = 0; q < snap->nqueries; q++)
		ctx.base_cost[q] = -1;
	for (int i = 0; i < nlive; i++)
	{
		Candidate  *cand = &set->items[ctx.live[i]];
		const TableInfo *table = &snap->tables[cand->table_pos];

		ctx.items[i].table_pos = cand->table_pos;
		ctx.items[i].size_bytes = estimate_index_size(table, cand);
		ctx.items[i].penalty = write_penalty(table, cand);
		ctx.after_ratio[i] = xcalloc((size_t) cand->nqueries + 1, sizeof(double));
	}

	chosen = xcalloc((size_t) nlive + 1, sizeof(int));
	nchosen = select_greedy(ctx.items, nlive, evaluate_gain, &ctx, budget, existing, chosen);

	/*
	 * The evidence of each chosen index is evaluated once more with the
	 * indexes chosen before it, so the numbers shown are the ones it won with.
	 */
	for (int c = 0; c < nchosen; c++)
	{
		int			item = chosen[c];
		Candidate  *cand = &set->items[ctx.live[item]];
		Suggestion *s = suggestion_list_add(out, "create_index");

		ctx.items[item].gain = evaluate_gain(&ctx, item, chosen, c);
		s->table = display_table_name(display_conn, snap->tables[cand->table_pos].schema,
									  snap->tables[cand->table_pos].name);
		s->sql = xstrdup(cand->ddl);
		s->fingerprint = xstrdup(cand->fingerprint);
		s->gain_ms_per_hour = ctx.items[item].gain - ctx.items[item].penalty;
		s->size_bytes = ctx.items[item].size_bytes;
		s->write_penalty = ctx.items[item].penalty;
		s->verified_by_planner = whatif_uses_planner(whatif) && ctx.any_planned[item];
		describe_candidate(&ctx, item, s);
	}

	for (int i = 0; i < nlive; i++)
	{
		Candidate  *cand = &set->items[ctx.live[i]];
		Suggestion *s;
		double		net = ctx.items[i].gain - ctx.items[i].penalty;
		StrBuf		reason;

		if (ctx.items[i].outcome != SELECT_BELOW_MINIMUM &&
			ctx.items[i].outcome != SELECT_OVER_BUDGET)
			continue;
		s = suggestion_list_add(out, "create_index");
		s->near_miss = true;
		s->table = display_table_name(display_conn, snap->tables[cand->table_pos].schema,
									  snap->tables[cand->table_pos].name);
		s->sql = xstrdup(cand->ddl);
		s->fingerprint = xstrdup(cand->fingerprint);
		s->gain_ms_per_hour = net;
		s->size_bytes = ctx.items[i].size_bytes;
		s->write_penalty = ctx.items[i].penalty;
		s->verified_by_planner = whatif_uses_planner(whatif) && ctx.any_planned[i];
		strbuf_init(&reason);
		if (ctx.items[i].outcome == SELECT_BELOW_MINIMUM)
			strbuf_appendf(&reason, "net gain %.0f ms/h is below the minimum of %.0f ms/h",
						   net, budget->min_gain_ms_per_hour);
		else
			strbuf_append(&reason, "no index budget left for this table or in total");
		s->near_miss_reason = strbuf_release(&reason);
		describe_candidate(&ctx, i, s);
	}

	for (int i = 0; i < nlive; i++)
		free(ctx.after_ratio[i]);
	free(ctx.after_ratio);
	free(ctx.items);
	free(ctx.live);
	free(ctx.any_planned);
	free(ctx.create_failed);
	free(ctx.base_cost);
	free(ctx.base_failed);
	free(ctx.current_cost);
	free(ctx.current_stamp);
	free(ctx.last_pick);
	free(chosen);
	free(existing);
}

/* --- drop suggestions -------------------------------------------------------------- */

static bool
never_drop(const IndexInfo *index)
{
	return index->primary || index->unique || index->backs_constraint;
}

static bool
used_by_scans(const Snapshot *snap, const IndexInfo *index)
{
	for (int i = 0; i < snap->nscans; i++)
		if (snap->scans[i].index_oid == index->oid)
			return true;
	return false;
}

static void
add_drop(const Snapshot *snap, const TableInfo *table, const IndexInfo *index,
		 PGconn *conn, const char *rationale, SuggestionList *out)
{
	Suggestion *s;
	StrBuf		buf;

	if (never_drop(index))
		return;
	strbuf_init(&buf);
	strbuf_append(&buf, "drop_index ");
	sql_append_qualified(&buf, conn, index->schema, index->name);
	if (strlist_contains(&snap->rejected_fingerprints, buf.data))
	{
		strbuf_free(&buf);
		return;
	}
	s = suggestion_list_add(out, "drop_index");
	s->fingerprint = strbuf_release(&buf);
	strbuf_init(&buf);
	strbuf_append(&buf, "DROP INDEX CONCURRENTLY ");
	sql_append_qualified(&buf, conn, index->schema, index->name);
	strbuf_append_char(&buf, ';');
	s->sql = strbuf_release(&buf);
	s->table = display_table_name(conn, table->schema, table->name);
	s->rationale = xstrdup(rationale);
	s->size_bytes = index->size_bytes;
	/* dropping saves the write cost the index has now */
	s->gain_ms_per_hour = write_penalty(table, NULL);
	s->write_penalty = 0;
	s->verified_by_planner = false;
}

/* True when duplicate "a" is a better one to keep than "b". */
static bool
keeper_first(const IndexInfo *a, const IndexInfo *b)
{
	if (never_drop(a) != never_drop(b))
		return never_drop(a);
	if (a->idx_scan != b->idx_scan)
		return a->idx_scan > b->idx_scan;
	return a->oid < b->oid;
}

void
select_drops(const Snapshot *snap, const AnalyzeSettings *settings,
			 PGconn *conn, SuggestionList *out)
{
	StrBuf		why;

	strbuf_init(&why);
	for (int t = 0; t < snap->ntables; t++)
	{
		const TableInfo *table = &snap->tables[t];
		int64_t		writes = table->n_tup_ins + table->n_tup_upd + table->n_tup_del;

		/* partitioned indexes have no scan counts of their own */
		if (table->relkind == 'p')
			continue;
		for (int i = 0; i < table->nindexes; i++)
		{
			const IndexInfo *index = &snap->indexes[table->index_ids[i]];
			const IndexInfo *twin = NULL;
			bool		has_duplicates = false;

			if (!index->valid || never_drop(index))
				continue;

			/*
			 * Of a group of duplicates, keep the one behind a constraint,
			 * else the most scanned, else the oldest; drop the others.
			 */
			for (int j = 0; j < table->nindexes; j++)
			{
				const IndexInfo *other = &snap->indexes[table->index_ids[j]];

				if (other == index || !other->valid || strcmp(other->shape, index->shape) != 0)
					continue;
				has_duplicates = true;
				if (keeper_first(other, twin != NULL ? twin : index))
					twin = other;
			}
			strbuf_reset(&why);
			if (twin != NULL)
			{
				strbuf_appendf(&why, "Index %s has the same columns, options and predicate as %s, so it only adds write cost.",
							   index->name, twin->name);
				add_drop(snap, table, index, conn, why.data, out);
				continue;
			}

			/*
			 * The index its duplicates give way to is not also dropped as
			 * unused in the same run: that would leave none of the group.
			 * The next run judges it alone.
			 */
			if (has_duplicates)
				continue;

			if (index->idx_scan == 0 && !used_by_scans(snap, index) &&
				snap->stats_age_s >= (double) settings->unused_index_min_age_s &&
				writes >= settings->unused_index_min_writes)
			{
				strbuf_appendf(&why, "Index %s has not been scanned in the %.1f days since statistics were reset, while the table took %lld writes.",
							   index->name, snap->stats_age_s / 86400.0, (long long) writes);
				add_drop(snap, table, index, conn, why.data, out);
			}
		}
	}
	strbuf_free(&why);
}
