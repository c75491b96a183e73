/*
 * analyze.h
 *		One analysis of one target: collect statistics, generate candidate
 *		indexes, evaluate them with the planner, select a set under the
 *		budgets, print it and store it in scaleup.suggestions.
 *
 * The daemon keeps an AnalyzeState per target between cycles, so that the
 * second and later cycles work on deltas of the cumulative counters.  A
 * one-shot "analyze" passes a pointer initialized to NULL and frees the
 * state afterwards.
 */
#ifndef SCALEUP_ANALYZE_H
#define SCALEUP_ANALYZE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <libpq-fe.h>

typedef enum
{
	OUTPUT_TEXT,
	OUTPUT_JSON,
	OUTPUT_SQL,
	OUTPUT_HTML
} OutputFormat;

/* Thresholds and budgets; analyze_settings_default() documents the defaults. */
typedef struct AnalyzeSettings
{
	int64_t		min_calls;		/* a query needs this many calls to count */
	double		min_total_time_ms;	/* ... and this much total execution time */
	double		min_gain_ms_per_hour;	/* smaller net gains are near misses */
	int64_t		min_table_rows; /* smaller tables get no index */
	int			max_indexes_per_table;	/* indexes on a table, existing ones
										 * included */
	int64_t		max_index_bytes_total;	/* new index storage per run, bytes */
	int64_t		max_index_bytes_per_table;	/* new index storage per table */
	int			whatif_statement_timeout_ms;	/* per EXPLAIN of a what-if */
	bool		use_hypopg;		/* false forces the heuristic estimate */
	int64_t		unused_index_min_age_s; /* idx_scan = 0 for this long before a
										 * drop suggestion */
	int64_t		unused_index_min_writes;	/* table writes (ins+upd+del) that
											 * make a table "busy" */
	int64_t		page_rows;		/* rows a page shows: add_limit above this
								 * many rows per call */
} AnalyzeSettings;

typedef struct AnalyzeState AnalyzeState;

/* Fill *settings with the defaults used when the config file omits a key. */
extern void analyze_settings_default(AnalyzeSettings *settings);

/*
 * Analyze one target over "conn" and print the result to "out" in "format".
 * "conninfo" opens the separate what-if session.  With "store", suggestions
 * are upserted into scaleup.suggestions.  *state is NULL on the first call
 * and is then allocated; later calls use it for deltas.
 *
 * Returns 0 on success, 1 on a runtime failure (already logged).
 */
extern int	analyze_target(const char *target_name, PGconn *conn,
						   const char *conninfo,
						   const AnalyzeSettings *settings,
						   OutputFormat format, FILE *out, bool store,
						   AnalyzeState **state);

extern void analyze_state_free(AnalyzeState *state);

#endif							/* SCALEUP_ANALYZE_H */
