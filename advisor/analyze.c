/*
 * analyze.c
 *		One analysis of one target, step by step: collect (collect.c),
 *		candidates (candidates.c), what-if costs (whatif.c), selection and
 *		drop suggestions (select.c), storage (store.c) and output (output.c,
 *		report_html.c).
 */
#include "analyze.h"

#include <stdlib.h>
#include <string.h>

#include "candidates.h"
#include "collect.h"
#include "log.h"
#include "output.h"
#include "projections.h"
#include "report_html.h"
#include "select.h"
#include "store.h"
#include "whatif.h"

struct AnalyzeState
{
	Snapshot   *previous;		/* last cycle's snapshot, for deltas */
	bool		warned_hidden;	/* the pg_read_all_stats warning was logged */
};

void
analyze_settings_default(AnalyzeSettings *settings)
{
	settings->min_calls = 10;
	settings->min_total_time_ms = 100.0;
	settings->min_gain_ms_per_hour = 1000.0;	/* one second saved per hour */
	settings->min_table_rows = 10000;
	settings->max_indexes_per_table = 10;
	settings->max_index_bytes_total = 10LL * 1024 * 1024 * 1024;	/* 10 GB */
	settings->max_index_bytes_per_table = 2LL * 1024 * 1024 * 1024;	/* 2 GB */
	settings->whatif_statement_timeout_ms = 5000;
	settings->use_hypopg = true;
	settings->unused_index_min_age_s = 7 * 24 * 3600;	/* a week */
	settings->unused_index_min_writes = 10000;
	settings->page_rows = PROJECTION_DEFAULT_PAGE_ROWS;
}

void
analyze_state_free(AnalyzeState *state)
{
	if (state == NULL)
		return;
	snapshot_free(state->previous);
	free(state);
}

/* Chosen suggestions by net gain, highest first, then the near misses. */
static int
compare_suggestions(const void *a, const void *b)
{
	const Suggestion *x = a,
			   *y = b;

	if (x->near_miss != y->near_miss)
		return x->near_miss ? 1 : -1;
	if (x->gain_ms_per_hour != y->gain_ms_per_hour)
		return x->gain_ms_per_hour > y->gain_ms_per_hour ? -1 : 1;
	return strcmp(x->fingerprint, y->fingerprint);
}

/*
 * Append trim_projection and add_limit suggestions after the index
 * suggestions, which keep their ranks, ordered among themselves as those
 * are.  Without the projection statistics (an older extension) the index
 * suggestions still go out.
 */
static void
suggest_projections(const char *target_name, PGconn *conn, const char *conninfo,
					const Snapshot *snap, const AnalyzeSettings *settings,
					SuggestionList *list)
{
	ProjectionSet projections;
	ProjectionSettings options;
	int			first = list->count;

	if (!projections_collect(target_name, conn, snap, &projections))
		return;
	options.min_calls = settings->min_calls;
	options.page_rows = settings->page_rows;
	options.statement_timeout_ms = settings->whatif_statement_timeout_ms;
	projections_suggest(target_name, snap, &projections, &options, conn, conninfo, list);
	projections_free(&projections);
	qsort(list->items + first, (size_t) (list->count - first), sizeof(Suggestion),
		  compare_suggestions);
}

/*
 * Warn, once per state, when the advisor's role cannot see other roles'
 * queries: the analysis would look clean while missing most of the
 * workload.  Superusers are members of every role.
 */
static void
warn_hidden_queries(const char *target_name, PGconn *conn, AnalyzeState *state)
{
	PGresult   *res;

	if (state->warned_hidden)
		return;
	res = PQexec(conn, "SELECT pg_catalog.pg_has_role('pg_read_all_stats', 'MEMBER')");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		strcmp(PQgetvalue(res, 0, 0), "f") == 0)
	{
		log_event(LOG_LEVEL_WARNING, target_name,
				  "role \"%s\" is not a member of pg_read_all_stats, so the queries of other roles are hidden from the analysis; grant it with GRANT pg_read_all_stats TO %s",
				  PQuser(conn), PQuser(conn));
		state->warned_hidden = true;
	}
	PQclear(res);
}

int
analyze_target(const char *target_name, PGconn *conn, const char *conninfo,
			   const AnalyzeSettings *settings, OutputFormat format, FILE *out,
			   bool store, AnalyzeState **state)
{
	CollectFilter filter;
	CandidateOptions options;
	SelectBudget budget;
	Snapshot   *snap;
	CandidateSet set = {0};
	SuggestionList list = {0};
	WhatIf	   *whatif;
	int			live = 0;
	int			eligible = 0;
	int			result = 0;

	if (*state == NULL)
		*state = calloc(1, sizeof(AnalyzeState));
	if (*state == NULL)
	{
		log_event(LOG_LEVEL_ERROR, target_name, "out of memory");
		return 1;
	}

	warn_hidden_queries(target_name, conn, *state);

	filter.min_calls = settings->min_calls;
	filter.min_total_time_ms = settings->min_total_time_ms;
	snap = collect_snapshot(target_name, conn, (*state)->previous, &filter);
	if (snap == NULL)
		return 1;
	for (int i = 0; i < snap->nqueries; i++)
		if (snap->queries[i].eligible)
			eligible++;

	options.min_table_rows = settings->min_table_rows;
	if (!candidates_generate(snap, conn, &options, &set))
	{
		log_event(LOG_LEVEL_ERROR, target_name,
				  "could not quote an identifier for the generated SQL: %s",
				  PQerrorMessage(conn));
		candidates_free(&set);
		snapshot_free(snap);
		return 1;
	}
	for (int i = 0; i < set.count; i++)
		if (!set.items[i].dropped)
			live++;

	budget.min_gain_ms_per_hour = settings->min_gain_ms_per_hour;
	budget.max_indexes_per_table = settings->max_indexes_per_table;
	budget.max_index_bytes_total = settings->max_index_bytes_total;
	budget.max_index_bytes_per_table = settings->max_index_bytes_per_table;

	whatif = whatif_open(target_name, conninfo, snap, &set, settings->use_hypopg,
						 settings->whatif_statement_timeout_ms);
	select_indexes(target_name, snap, &set, whatif, &budget, conn, &list);
	for (int i = 0; i < snap->nqueries; i++)
	{
		const char *error = whatif_query_error(whatif, i);

		if (error != NULL)
			log_event(LOG_LEVEL_WARNING, target_name,
					  "query %lld could not be re-planned: %s",
					  (long long) snap->queries[i].queryid, error);
	}
	whatif_close(whatif);
	select_drops(snap, settings, conn, &list);
	qsort(list.items, (size_t) list.count, sizeof(Suggestion), compare_suggestions);
	suggest_projections(target_name, conn, conninfo, snap, settings, &list);

	if (store && !store_suggestions(target_name, conn, &list))
		result = 1;

	if (result == 0)
	{
		int			suggested = 0;

		for (int i = 0; i < list.count; i++)
			if (!list.items[i].near_miss)
			{
				suggested++;
				log_event(LOG_LEVEL_INFO, target_name, "suggestion: %s",
						  list.items[i].sql);
			}
		log_event(LOG_LEVEL_INFO, target_name,
				  "analyzed %d queries (%d eligible), %d candidate indexes, %d suggestions",
				  snap->nqueries, eligible, live, suggested);
		if (format == OUTPUT_HTML)
			result = report_html_write_analysis(target_name, conn, snap, &list, out);
		else
			result = output_write(format, target_name, &list, out);
		fflush(out);
	}

	suggestion_list_free(&list);
	candidates_free(&set);
	snapshot_free((*state)->previous);
	(*state)->previous = snap;
	return result;
}
