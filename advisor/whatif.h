/*
 * whatif.h
 *		Step 3 of analyze: the cost of a query with hypothetical indexes.
 *
 * With HypoPG installed in the target database, a WhatIf session is a
 * connection of its own with a statement_timeout, inside a READ ONLY
 * transaction that is rolled back at the end.  Hypothetical indexes are
 * created with hypopg_create_index() and queries are planned with EXPLAIN
 * (FORMAT JSON), never EXPLAIN ANALYZE, so no workload query runs.  A query
 * with $n parameters is prepared under a name of the advisor's own and
 * planned with EXPLAIN EXECUTE on its parameter sample.  Without a sample,
 * it gets a generic plan.  Costs are the planner's "Total Cost".
 *
 * Without HypoPG (or with use_hypopg off), the cost is a heuristic: the rows
 * each scan of the query reads.  Without a usable index that is the observed
 * rows scanned.  With one, it is the rows left after its equality keys
 * (pg_stats selectivity) and a range key (a quarter of them).  When the
 * index also delivers the sort order under a LIMIT, it is just the rows the
 * LIMIT needs.  Such estimates are not planner-verified.
 */
#ifndef SCALEUP_WHATIF_H
#define SCALEUP_WHATIF_H

#include <stdbool.h>
#include <stdint.h>

#include "candidates.h"
#include "collect.h"

/* Fraction of rows a range condition is assumed to keep (heuristic only). */
#define WHATIF_RANGE_FRACTION 0.25

typedef struct WhatIf WhatIf;

/*
 * Start a what-if session.  "use_planner" false, HypoPG missing or a
 * failing connection all give a heuristic session (the last one logged).
 * Never returns NULL.
 */
extern WhatIf *whatif_open(const char *target, const char *conninfo,
						   const Snapshot *snap, const CandidateSet *set,
						   bool use_planner, int statement_timeout_ms);

extern bool whatif_uses_planner(const WhatIf *whatif);

/*
 * Make the hypothetical index set exactly the candidates in "ids".
 * Returns false when one could not be created: that candidate's
 * position is stored in *failed (else -1).
 */
extern bool whatif_set_indexes(WhatIf *whatif, const int *ids, int count,
							   int *failed);

/*
 * Estimate the cost of query "query_pos" under the current set.  Returns
 * false when the query cannot be planned, and whatif_query_error() then
 * returns the reason.
 */
extern bool whatif_cost(WhatIf *whatif, int query_pos, double *cost);

/* Why a query could not be re-planned, or NULL. */
extern const char *whatif_query_error(const WhatIf *whatif, int query_pos);

/* Estimated size of candidate "id" in bytes (HypoPG's, or the heuristic). */
extern int64_t whatif_index_size(WhatIf *whatif, int id);

/*
 * Heuristic size of an index with the candidate's keys: rows times key
 * widths from pg_stats plus tuple overhead, at btree's 90% fill factor.
 */
extern int64_t estimate_index_size(const TableInfo *table, const Candidate *cand);

/* Heuristic cost of query "query_pos" with candidates "ids" added. */
extern double heuristic_cost(const Snapshot *snap, const CandidateSet *set,
							 int query_pos, const int *ids, int count);

/* Parse the first "Total Cost" of EXPLAIN (FORMAT JSON) output; -1 if absent. */
extern double parse_total_cost(const char *json);

/* Reset hypothetical indexes, roll back, deallocate and disconnect. */
extern void whatif_close(WhatIf *whatif);

#endif							/* SCALEUP_WHATIF_H */
