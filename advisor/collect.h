/*
 * collect.h
 *		Step 1 of analyze: one snapshot of a target's statistics.
 *
 * A Snapshot contains the extension's views (scaleup.queries aggregated per
 * queryid, scaleup.scans), the tables and indexes they touch with their
 * counters from pg_stat_user_tables and pg_stat_user_indexes, and the
 * column statistics of pg_stats.  Everything is read in a handful of
 * batched queries.  In daemon mode the counters of the second and later
 * snapshots are turned into deltas against the previous one, so rates
 * describe the last interval instead of the time since the last reset.
 */
#ifndef SCALEUP_COLLECT_H
#define SCALEUP_COLLECT_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "strbuf.h"

typedef struct ColumnInfo
{
	char	   *name;
	int			attnum;
	char	   *type_name;		/* format_type() output */
	bool		btree_ok;		/* the type has a default btree opclass */
	bool		has_stats;		/* a pg_stats row exists */
	double		null_frac;
	double		n_distinct;		/* as in pg_stats: < 0 is a fraction of rows */
	int			avg_width;		/* bytes; 0 without statistics */
	double		top_frequency;	/* most_common_freqs[1], 0 when absent */
} ColumnInfo;

typedef struct IndexInfo
{
	Oid			oid;
	char	   *name;
	char	   *schema;
	Oid			table_oid;
	char	   *am;				/* access method name, "btree" ... */
	int			nkeys;			/* key columns, INCLUDE columns excluded */
	int		   *attnums;		/* 0 for an expression column */
	bool	   *descending;
	bool		valid;
	bool		primary;
	bool		unique;
	bool		backs_constraint;	/* pk, unique or exclusion constraint */
	bool		partial;
	bool		has_expressions;
	char	   *predicate;		/* pg_get_expr(indpred), or NULL */
	char	   *shape;			/* am, keys, opclasses, options, expressions
								 * and predicate: equal shapes are duplicates */
	int64_t		idx_scan;
	int64_t		size_bytes;
} IndexInfo;

typedef struct TableInfo
{
	Oid			oid;
	char	   *schema;
	char	   *name;
	char		relkind;		/* 'r' or 'p' (partitioned) */
	double		rows;			/* reltuples, summed over partitions */
	int64_t		size_bytes;
	/* cumulative counters, summed over partitions */
	int64_t		n_tup_ins;
	int64_t		n_tup_upd;
	int64_t		n_tup_del;
	int64_t		n_tup_hot_upd;
	int64_t		seq_scan;
	int64_t		idx_scan;
	/* rates over the observation window (deltas in daemon mode) */
	double		window_s;
	double		ins_per_s;
	double		upd_per_s;
	double		del_per_s;
	double		hot_upd_per_s;
	ColumnInfo *columns;
	int			ncolumns;
	int		   *index_ids;		/* positions in Snapshot.indexes */
	int			nindexes;
	StrList		updated_columns;	/* columns an UPDATE query sets */
} TableInfo;

typedef struct QueryInfo
{
	int64_t		queryid;
	char	   *query;
	int64_t		calls;			/* delta in daemon mode */
	double		total_ms;		/* delta in daemon mode */
	double		mean_ms;
	StrList		parameters;		/* SQL literals for $1..$n */
	bool		has_parameters; /* a sample is visible */
	double		window_s;		/* seconds the calls were counted over */
	double		calls_per_hour;
	/* cumulative values, kept for the next delta */
	int64_t		raw_calls;
	double		raw_total_ms;
	bool		eligible;		/* passes min_calls and min_total_time_ms */
	int		   *scan_ids;		/* positions of its scans in Snapshot.scans */
	int			nscan_ids;
} QueryInfo;

typedef struct ScanInfo
{
	int64_t		queryid;
	Oid			relid;			/* scanned relation (a partition, maybe) */
	Oid			table_oid;		/* the root table indexes go on */
	char		scan_kind[8];	/* "seq", "index" or "bitmap" */
	Oid			index_oid;		/* index used, for index/bitmap scans */
	StrList		eq_columns;
	StrList		range_columns;
	StrList		other_columns;
	StrList		constant_quals;
	StrList		sort_columns;
	bool	   *sort_descending;	/* aligned with sort_columns */
	int64_t		limit_rows;		/* -1 when no LIMIT sits above */
	StrList		join_columns;
	int64_t		executions;
	int64_t		rows_scanned;
	int64_t		rows_kept;
	int			query_pos;		/* position in Snapshot.queries, or -1 */
	int			table_pos;		/* position in Snapshot.tables, or -1 */
} ScanInfo;

typedef struct Snapshot
{
	double		taken_at;		/* server's now(), seconds since the epoch */
	double		stats_age_s;	/* seconds since the statistics were reset */
	char	   *hypopg_schema;	/* schema of HypoPG, or NULL */
	QueryInfo  *queries;
	int			nqueries;
	ScanInfo   *scans;
	int			nscans;
	TableInfo  *tables;
	int			ntables;
	IndexInfo  *indexes;
	int			nindexes;
	StrList		rejected_fingerprints;	/* never proposed again */
} Snapshot;

/* Thresholds collect_snapshot() applies to mark eligible queries. */
typedef struct CollectFilter
{
	int64_t		min_calls;
	double		min_total_time_ms;
} CollectFilter;

/*
 * Read one snapshot of target "target_name" over "conn".  "previous", when
 * not NULL, is the snapshot of the last cycle: counters become deltas
 * against it.  Returns NULL after logging the error.
 */
extern Snapshot *collect_snapshot(const char *target_name, PGconn *conn,
								  const Snapshot *previous,
								  const CollectFilter *filter);

extern void snapshot_free(Snapshot *snapshot);

extern TableInfo *snapshot_table(const Snapshot *snapshot, Oid oid);
extern QueryInfo *snapshot_query(const Snapshot *snapshot, int64_t queryid);
extern const ColumnInfo *table_column(const TableInfo *table, const char *name);
extern const ColumnInfo *table_column_by_attnum(const TableInfo *table, int attnum);

/*
 * Fraction of rows "column = value" keeps, estimated from pg_stats:
 * (1 - null_frac) / distinct values.  1.0 when nothing is known.
 */
extern double column_eq_selectivity(const ColumnInfo *column, double rows);

/*
 * Parse a PostgreSQL text-array literal such as {a,"b c",NULL} into "list";
 * NULL elements are skipped.  Returns false on a malformed literal.
 */
extern bool parse_text_array(const char *literal, StrList *list);

/*
 * Add to "columns" the columns that the SET list of an UPDATE statement
 * assigns, and store the target table in "schema" (may be empty) and
 * "table".  Returns false when "query" is not an UPDATE it can read.
 */
extern bool parse_update_target(const char *query, StrBuf *schema,
								StrBuf *table, StrList *columns);

#endif							/* SCALEUP_COLLECT_H */
