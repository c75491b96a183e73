/*
 * candidates.h
 *		Step 2 of analyze: candidate indexes from the scan evidence.
 *
 * For each scan of an eligible query on a large enough table, the key
 * columns are the equality and join columns, most selective first (from
 * pg_stats), followed by either the sort keys in the query's direction or
 * one range column.  A constant predicate that every scan of the table
 * repeats becomes the WHERE clause of a partial index.  Candidates that are
 * a prefix of another are folded into it, and candidates that an existing
 * valid btree index already serves are dropped.
 */
#ifndef SCALEUP_CANDIDATES_H
#define SCALEUP_CANDIDATES_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "collect.h"
#include "strbuf.h"

/* Most key columns a candidate gets. */
#define CANDIDATE_MAX_KEYS 4

/*
 * Largest fraction of a table's rows a filter may keep and still be worth
 * an index on its own: a boolean true for half the rows is not.
 */
#define CANDIDATE_MAX_FILTER_FRACTION 0.2

typedef struct Candidate
{
	int			table_pos;		/* position in Snapshot.tables */
	StrList		columns;		/* key columns, raw names */
	bool		descending[CANDIDATE_MAX_KEYS];
	int			neq;			/* leading columns compared with "=" */
	char	   *predicate;		/* partial-index WHERE clause, or NULL */
	int		   *queries;		/* positions in Snapshot.queries it may help */
	int			nqueries;
	char	   *fingerprint;	/* stable identity across runs */
	char	   *name;			/* generated index name */
	char	   *ddl;			/* CREATE INDEX CONCURRENTLY ... */
	char	   *hypothetical_ddl;	/* CREATE INDEX ... for hypopg */
	bool		dropped;		/* folded into another or already served */
	int			fixed_prefix;	/* leading keys another merged candidate
								 * relies on; they are not reordered */
} Candidate;

typedef struct CandidateSet
{
	Candidate  *items;
	int			count;
} CandidateSet;

typedef struct CandidateOptions
{
	int64_t		min_table_rows;
} CandidateOptions;

/*
 * Generate the candidates for "snap".  "conn" is used only for quoting
 * identifiers.  Returns false when an identifier could not be quoted.
 */
extern bool candidates_generate(const Snapshot *snap, PGconn *conn,
								const CandidateOptions *options,
								CandidateSet *set);

extern void candidates_free(CandidateSet *set);

/*
 * The building blocks of candidates_generate, exposed for the unit tests.
 */

/*
 * Append a candidate with the given keys and return its position.  When a
 * live candidate with the same keys exists, "query_pos" is added to it
 * instead, and its position returned.
 */
extern int	candidate_add(CandidateSet *set, int table_pos, const StrList *columns,
						  const bool *descending, int neq, const char *predicate,
						  int query_pos);

/*
 * Fold candidates that are a prefix of another one on the same table and
 * predicate into it, reordering equality columns so a shared prefix comes
 * first: (a) and (b, a) become one (a, b).
 */
extern void candidates_consolidate(CandidateSet *set);

/* True when an existing valid btree index of the table serves "cand". */
extern bool candidate_served_by(const Candidate *cand, const TableInfo *table,
								const IndexInfo *index);

/* Fill fingerprint, name and DDL of every live candidate. */
extern bool candidates_build_sql(const Snapshot *snap, PGconn *conn, CandidateSet *set);

/* Sort equality columns by selectivity, most selective first, ties by name. */
extern void order_by_selectivity(const TableInfo *table, StrList *columns);

/*
 * The WHERE clause every scan of the table repeats (quals joined with AND in
 * sorted order), or NULL.  Only scans of eligible queries count.
 */
extern char *common_constant_predicate(const Snapshot *snap, int table_pos);

#endif							/* SCALEUP_CANDIDATES_H */
