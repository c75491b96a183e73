/*
 * fixture.h
 *		Hand-built snapshots for the unit tests of candidates and selection,
 *		and a libpq connection object that never connected, which is enough
 *		for PQescapeIdentifier.
 */
#ifndef SCALEUP_TEST_FIXTURE_H
#define SCALEUP_TEST_FIXTURE_H

#include <libpq-fe.h>

#include "collect.h"

/* A snapshot with one table "public.posts" of "rows" rows and no columns. */
extern Snapshot *fixture_snapshot(double rows);

/* Add a column; n_distinct < 0 is a fraction of rows, as in pg_stats. */
extern void fixture_column(Snapshot *snap, const char *name, bool btree_ok,
						   double n_distinct, double top_frequency);

/* Add an eligible query with "calls" calls of "mean_ms"; returns its position. */
extern int	fixture_query(Snapshot *snap, int64_t queryid, int64_t calls, double mean_ms);

/*
 * Add a seq scan of query "queryid" on the table.  Lists are comma-separated
 * column names ("" for none); "sort" items may end in " DESC".
 */
extern ScanInfo *fixture_scan(Snapshot *snap, int64_t queryid, const char *eq,
							  const char *range, const char *sort, int64_t limit,
							  double kept_fraction);

/* Add an index with the given key attnums; "desc" may be NULL. */
extern IndexInfo *fixture_index(Snapshot *snap, const char *name, const int *attnums,
								const bool *desc, int nkeys);

/* Resolve scan positions; call after the last fixture_* addition. */
extern void fixture_finish(Snapshot *snap);

/* A connection object in CONNECTION_BAD state, for quoting. */
extern PGconn *fixture_conn(void);

#endif							/* SCALEUP_TEST_FIXTURE_H */
