/*
 * projections.h
 *		Step 5 of analyze, for result sets: trim_projection and add_limit
 *		suggestions from the bytes and rows that queries return.
 *
 * The collector's scaleup.projections has one row per (query, relation):
 * the columns the query returned from that relation, and the bytes each of
 * them cost over the sampled calls, scaled to all calls.  Varlena values
 * count at their raw size, so a compressed or TOASTed body counts at the
 * size the client receives.
 *
 * trim_projection: a query that returns every column of a relation, where a
 * few wide columns make most of the bytes, gets its normalized text
 * rewritten with an explicit column list without those columns.  The
 * rewrite keeps the $n placeholders of the normalized text.
 *
 * add_limit: a query without LIMIT that returns more rows per call than a
 * page shows gets the same text with LIMIT appended, and keyset pagination
 * in its rationale when it has an ORDER BY.
 *
 * Every rewrite is checked with EXPLAIN (never EXPLAIN ANALYZE) on a
 * connection of its own, in a read-only transaction that is rolled back.
 * A rewrite that cannot be located in the text or that the server rejects
 * becomes a near miss with the reason.
 */
#ifndef SCALEUP_PROJECTIONS_H
#define SCALEUP_PROJECTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "collect.h"
#include "select.h"
#include "strbuf.h"

/* Default of AnalyzeSettings.page_rows: rows a page of results shows. */
#define PROJECTION_DEFAULT_PAGE_ROWS 100

/* A column is wide when its values average at least this many bytes per row... */
#define WIDE_COLUMN_MIN_BYTES 128
/* ...and it makes at least this fraction of the bytes the query returns. */
#define WIDE_COLUMN_MIN_SHARE 0.10
/* Trimming is suggested when the wide columns make at least this fraction... */
#define TRIM_MIN_SHARE 0.50
/* ...and leaving them out saves at least this many bytes per call. */
#define TRIM_MIN_SAVED_BYTES_PER_CALL 1024

/*
 * An index-only scan is proposed (an INCLUDE variant of a create_index
 * suggestion) when the trimmed query keeps at most this many columns.
 */
#define INCLUDE_MAX_COLUMNS 4

/* One row of scaleup.projections. */
typedef struct ProjectionRow
{
	int64_t		queryid;
	Oid			relid;
	StrList		columns;		/* returned columns, in attnum order */
	double	   *column_bytes;	/* aligned with columns */
	bool		all_columns;
	int64_t		calls;
	int64_t		rows_returned;
	int64_t		bytes_returned;
	int			query_pos;		/* position in Snapshot.queries, or -1 */
	int			table_pos;		/* position in Snapshot.tables, or -1 */
} ProjectionRow;

typedef struct ProjectionSet
{
	ProjectionRow *rows;
	int			count;
} ProjectionSet;

/* Thresholds of projections_suggest(). */
typedef struct ProjectionSettings
{
	int64_t		min_calls;		/* a query needs this many calls */
	int64_t		page_rows;		/* add_limit above this many rows per call */
	int			statement_timeout_ms;	/* per EXPLAIN of a rewrite */
} ProjectionSettings;

/*
 * Read scaleup.projections of the current database in one query and link
 * each row to its query and table in "snap".  Returns false after logging
 * the error.
 */
extern bool projections_collect(const char *target, PGconn *conn,
								const Snapshot *snap, ProjectionSet *set);

extern void projections_free(ProjectionSet *set);

/*
 * Append trim_projection and add_limit suggestions to "out", with near
 * misses for queries whose rewrite failed.  "display_conn" quotes
 * identifiers.  With "conninfo" not NULL, every rewrite is checked with
 * EXPLAIN on a connection of its own.  A failing connection is logged and
 * leaves the rewrites unchecked.  Rejected fingerprints are skipped.
 *
 * Call it after the create_index suggestions are in "out".  An eligible
 * query may keep at most INCLUDE_MAX_COLUMNS columns after trimming while a
 * create_index suggestion on the same table helps it.  Then the INCLUDE
 * variant of that index (an index-only scan for the trimmed query) goes
 * into the evidence of both suggestions.
 */
extern void projections_suggest(const char *target, const Snapshot *snap,
								const ProjectionSet *set,
								const ProjectionSettings *settings,
								PGconn *display_conn, const char *conninfo,
								SuggestionList *out);

/* --- parts exposed for the unit tests --------------------------------- */

/*
 * Mark in wide[] (aligned with row->columns) the columns to leave out, by
 * the WIDE_COLUMN_* and TRIM_* rules above.  Returns the number marked, 0
 * when trimming is not worth suggesting or would leave no column.
 */
extern int	projection_choose_wide(const ProjectionRow *row, bool *wide);

/*
 * Quote a column name only where needed: names that are not all
 * lower-case letters, digits and underscores, or that are SQL keywords
 * other than unreserved ones, go through PQescapeIdentifier.  Returns a
 * malloc'd string, or NULL when libpq rejects the name.
 */
extern char *projection_quote_column(PGconn *conn, const char *name);

/*
 * Rewrite the select list of "query" (a normalized SELECT) so that it
 * returns the columns of "columns" (in their order) whose "drop" flag is
 * false, in place of "*" or "alias.*", and without the plain references
 * to dropped columns.  "schema" and "table" name the relation, so that its
 * alias is found in the FROM clause.  Returns the new text, or NULL with
 * *reason set (a static string) when the select list cannot be rewritten.
 */
extern char *projection_rewrite_columns(PGconn *conn, const char *query,
										const char *schema, const char *table,
										const StrList *columns, const bool *drop,
										const char **reason);

/*
 * Append "LIMIT limit" to a SELECT without a top-level LIMIT or FETCH,
 * before a trailing semicolon or comment.  Stores the text of its
 * top-level ORDER BY keys in *order_by (malloc'd, NULL without one).
 * Returns NULL with *reason set when the query cannot take a LIMIT.
 */
extern char *projection_add_limit(const char *query, int64_t limit,
								  char **order_by, const char **reason);

/*
 * Build the INCLUDE variant of "index_sql" (CREATE INDEX [CONCURRENTLY]
 * name ON table (keys) [WHERE ...]).  It has the same keys, and as INCLUDE
 * columns those of "columns" whose "drop" flag is false and that are not
 * keys, every one quoted.  It has no index name, so the server picks one.  Returns NULL when
 * the statement cannot be read or every kept column is already a key.
 */
extern char *projection_include_variant(PGconn *conn, const char *index_sql,
										const StrList *columns, const bool *drop);

/*
 * Append the text report's section for trim_projection and add_limit
 * suggestions of "list": the chosen ones, then the near misses.
 */
extern void projections_append_text(StrBuf *buf, const SuggestionList *list);

/* Whether "kind" is trim_projection or add_limit. */
extern bool projection_kind(const char *kind);

/*
 * Replace each $n placeholder of "sql" (outside strings and comments) with
 * literals->items[n - 1].  Returns NULL when a placeholder has no literal
 * or the text cannot be tokenized.
 */
extern char *projection_bind_literals(const char *sql, const StrList *literals);

/*
 * Highest $n placeholder of "sql", outside strings and comments; 0 when it
 * has none or cannot be tokenized.
 */
extern int	projection_max_placeholder(const char *sql);

/* Format a byte count for people: "512 bytes", "58.4 kB", "21.1 MB". */
extern void projection_format_bytes(char *buf, size_t size, double bytes);

#endif							/* SCALEUP_PROJECTIONS_H */
