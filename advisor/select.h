/*
 * select.h
 *		Step 4 and 5 of analyze: choose the indexes to suggest, and the
 *		indexes to drop.
 *
 * Selection is greedy because indexes interact: once (a, b) is chosen, (a)
 * gains nothing.  Each round takes the candidate with the largest net gain
 * that fits the budgets, after evaluating it again when an index was chosen
 * on its table since its last evaluation.  Net gain is the estimated query time saved minus
 * the write penalty, both in ms per hour.
 */
#ifndef SCALEUP_SELECT_H
#define SCALEUP_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze.h"
#include "candidates.h"
#include "collect.h"
#include "whatif.h"

/*
 * Estimated cost of one btree index entry, in ms.  Inserting 300,000 rows
 * with random keys into a table with one more index cost 4 to 26 us more
 * per row on a loaded 2-core machine (PostgreSQL 15).  10 us is a rough
 * middle, good enough to rank write-heavy tables.
 */
#define WRITE_MS_PER_INDEX_ENTRY 0.01

typedef struct Evidence
{
	int64_t		queryid;
	int64_t		calls;
	double		mean_ms;
	double		estimated_mean_ms;	/* NAN when not estimated */
	int64_t		rows_scanned;
	int64_t		rows_kept;
	char	   *note;			/* why it was not re-planned, or NULL */
	/* result-set evidence of trim_projection and add_limit suggestions */
	bool		has_bytes;		/* the four fields below are set */
	double		bytes_per_call;
	double		estimated_bytes_per_call;
	double		rows_per_call;
	char	   *column_bytes;	/* JSON object: column -> {"bytes_per_call": n,
								 * "bytes_per_hour": n} */
	int64_t		rewritten_queryid;	/* query identifier of the suggested
									 * rewrite, 0 when unknown */
	char	   *include_variant;	/* CREATE INDEX ... INCLUDE (...) giving a
									 * trimmed query an index-only scan, or
									 * NULL; also without has_bytes */
} Evidence;

typedef struct Suggestion
{
	char		kind[16];		/* create_index, drop_index, ... */
	char	   *table;			/* schema.table, quoted where needed */
	char	   *sql;
	char	   *rationale;
	char	   *fingerprint;
	Evidence   *evidence;
	int			nevidence;
	double		gain_ms_per_hour;
	int64_t		size_bytes;
	double		write_penalty;	/* ms per hour */
	bool		verified_by_planner;
	/* filled by the store, or defaults without it */
	int64_t		id;				/* 0 when not stored */
	char	   *status;
	char	   *created_at;
	char	   *updated_at;
	double		measured_before_ms; /* NAN when not measured */
	double		measured_after_ms;
	/* near misses: shown in the text output only */
	bool		near_miss;
	char	   *near_miss_reason;
} Suggestion;

typedef struct SuggestionList
{
	Suggestion *items;
	int			count;
} SuggestionList;

/* Inputs of selection that are not in the snapshot. */
typedef struct SelectBudget
{
	double		min_gain_ms_per_hour;
	int			max_indexes_per_table;
	int64_t		max_index_bytes_total;
	int64_t		max_index_bytes_per_table;
} SelectBudget;

/*
 * Choose among the live candidates of "set" with "whatif" and append the
 * chosen ones, then the near misses, to "out".  "display_conn" quotes the
 * table names shown.
 */
extern void select_indexes(const char *target, const Snapshot *snap,
						   CandidateSet *set, WhatIf *whatif,
						   const SelectBudget *budget, PGconn *display_conn,
						   SuggestionList *out);

/*
 * Append drop suggestions: exact duplicates of another index, and indexes
 * never scanned for unused_index_min_age_s on a table written at least
 * unused_index_min_writes times.  Never an index behind a primary key,
 * unique or exclusion constraint, nor any unique index.
 */
extern void select_drops(const Snapshot *snap, const AnalyzeSettings *settings,
						 PGconn *display_conn, SuggestionList *out);

/* Write penalty of one more index on "table", in ms per hour. */
extern double write_penalty(const TableInfo *table, const Candidate *cand);

/*
 * Select items greedily; select_indexes and the unit tests share this core.
 * "gain" returns the gross gain (ms per hour) of item "id" when the items in
 * "chosen" exist.  An item is chosen when its net gain (gain minus penalty)
 * is the largest of the round, reaches the minimum and fits the budgets.
 * Before that, it is evaluated again if an item on its table was chosen
 * since its last evaluation.  Items never evaluated again keep the gain of
 * an earlier round, an upper bound, in items[].gain and their outcome.
 * "existing" counts the indexes each table already has.  Fills each item's
 * outcome and returns the number of items chosen, listed in chosen[].
 */
typedef double (*GainFunction) (void *context, int id, const int *chosen, int nchosen);

typedef enum SelectOutcome
{
	SELECT_CHOSEN,
	SELECT_BELOW_MINIMUM,		/* positive net gain, below the minimum */
	SELECT_OVER_BUDGET,			/* large enough, but no budget left */
	SELECT_NO_GAIN
} SelectOutcome;

typedef struct SelectItem
{
	int			table_pos;
	int64_t		size_bytes;
	double		penalty;		/* ms per hour */
	double		gain;			/* output: last evaluated gross gain */
	SelectOutcome outcome;		/* output */
} SelectItem;

extern int	select_greedy(SelectItem *items, int count, GainFunction gain,
						  void *context, const SelectBudget *budget,
						  const int *existing, int *chosen);

/* Display form of schema.table: each part quoted only when needed. */
extern char *display_table_name(PGconn *conn, const char *schema, const char *name);

extern void suggestion_list_free(SuggestionList *list);
/* Free the strings and evidence of one suggestion. */
extern void suggestion_clear(Suggestion *s);
extern Suggestion *suggestion_list_add(SuggestionList *list, const char *kind);

#endif							/* SCALEUP_SELECT_H */
