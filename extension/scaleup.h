/*-------------------------------------------------------------------------
 *
 * scaleup.h
 *	  Declarations shared by the files of the pg_scaleup extension.
 *
 * The extension keeps three stores in shared memory, each a fixed-capacity
 * dynahash table guarded by its own LWLock:
 *
 *	queries      one entry per (user, database, queryid, top level or not):
 *	             timing for every execution, the normalized text and one
 *	             sample of parameter values.
 *	scans        one entry per (database, queryid, relation, scan shape): how
 *	             a relation was scanned, with which filter columns, sort and
 *	             LIMIT above it, and how many rows it read and kept.
 *	projections  one entry per (database, queryid, relation): which columns of
 *	             the relation a query returned and how many bytes that cost.
 *
 * Locking protocol, the same for the three stores: a backend takes the
 * store's LWLock in shared mode to find an entry and then the entry's
 * spinlock to change its counters.  Creating or removing entries needs the
 * LWLock in exclusive mode.  Nothing that can raise an error runs while an
 * LWLock or spinlock is held: values are computed before, copied after.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCALEUP_H
#define SCALEUP_H

#include "access/attnum.h"
#include "executor/execdesc.h"
#include "storage/lwlock.h"
#include "storage/spin.h"
#include "utils/timestamp.h"

/* Limits on what one scan or projection entry keeps. */
#define SCALEUP_MAX_COLUMNS			32	/* per column list of a scan */
#define SCALEUP_MAX_SORT_KEYS		8
#define SCALEUP_MAX_CONST_QUALS		8
#define SCALEUP_MAX_PROJ_COLUMNS	64	/* per projection entry */
#define SCALEUP_PARAM_SAMPLE_SIZE	1024	/* bytes of one parameter sample */

/* Values of pg_scaleup.track. */
typedef enum ScaleupTrackLevel
{
	SCALEUP_TRACK_NONE,
	SCALEUP_TRACK_TOP,
	SCALEUP_TRACK_ALL
} ScaleupTrackLevel;

/* GUC variables (guc.c). */
extern int	scaleup_max_queries;
extern int	scaleup_max_scans;
extern int	scaleup_max_query_length;
extern int	scaleup_track;
extern double scaleup_sample_rate;
extern bool scaleup_track_parameters;
extern bool scaleup_save;

extern void scaleup_define_gucs(void);

/* ------------------------------------------------------------------------
 * The queries store
 * ------------------------------------------------------------------------
 */
typedef struct QueryKey
{
	Oid			userid;
	Oid			dbid;
	uint64		queryid;
	bool		toplevel;
} QueryKey;

typedef struct QueryCounters
{
	int64		calls;
	int64		rows;
	double		total_time;		/* ms */
	double		min_time;
	double		max_time;
	double		mean_time;
	double		sum_var_time;	/* Welford's running sum of squared deviations */
	double		seq_scans;		/* scaled by 1 / sample rate */
	double		seq_rows_scanned;	/* scaled by 1 / sample rate */
	int64		sampled_calls;
	double		usage;			/* eviction weight, decays on each eviction */
} QueryCounters;

/*
 * The parameter sample is a series of NUL-terminated SQL expressions, one per
 * $n of the normalized text.  Literal constants are captured when the entry is
 * created from the parse tree; values of extended-protocol parameters when
 * the query first runs with them.
 */
typedef struct ParamSample
{
	int16		nparams;		/* values stored in data */
	int16		nextern;		/* the first nextern are bind parameters */
	int16		len;			/* bytes used in data */
	bool		from_parse;		/* literal values came from the parse tree */
	bool		extern_done;	/* bind parameter values have been stored */
	bool		complete;		/* every $n of the text has a value */
	char		data[SCALEUP_PARAM_SAMPLE_SIZE];
} ParamSample;

typedef struct QueryEntry
{
	QueryKey	key;			/* hash key; must be first */
	slock_t		mutex;			/* protects counters, sample and last_seen */
	QueryCounters counters;
	ParamSample params;
	TimestampTz first_seen;
	TimestampTz last_seen;
	int			encoding;
	int			query_len;		/* bytes in query, 0 when unknown */
	char		query[FLEXIBLE_ARRAY_MEMBER];	/* max_query_length bytes */
} QueryEntry;

/* ------------------------------------------------------------------------
 * The scans store
 * ------------------------------------------------------------------------
 */
typedef enum ScanKind
{
	SCAN_KIND_SEQ = 1,
	SCAN_KIND_INDEX,
	SCAN_KIND_BITMAP
} ScanKind;

/* Sort-key flags. */
#define SORT_KEY_DESC			0x01
#define SORT_KEY_NULLS_FIRST	0x02

/* Kinds of constant qualifier (a filter with no value that can vary). */
typedef enum ConstQualKind
{
	CONST_QUAL_TRUE = 1,		/* col (a boolean column) */
	CONST_QUAL_FALSE,			/* NOT col */
	CONST_QUAL_NULL,			/* col IS NULL */
	CONST_QUAL_NOT_NULL			/* col IS NOT NULL */
} ConstQualKind;

/*
 * What one scan looked like.  The whole shape is part of the hash key, so a
 * query that scans a relation in two ways gets two entries.  Column lists are
 * attribute numbers in ascending order without repeats; sort keys are in
 * sort order.  The struct is zeroed before filling so padding compares equal.
 */
typedef struct ScanShape
{
	Oid			relid;
	Oid			parent_relid;	/* partitioned root, or InvalidOid */
	Oid			index_relid;	/* for index and bitmap scans */
	int64		limit_rows;		/* offset + count of the LIMIT above, or -1 */
	uint8		kind;			/* a ScanKind */
	uint8		n_eq;
	uint8		n_range;
	uint8		n_other;
	uint8		n_join;
	uint8		n_sort;
	uint8		n_const;
	AttrNumber	eq[SCALEUP_MAX_COLUMNS];
	AttrNumber	range[SCALEUP_MAX_COLUMNS];
	AttrNumber	other[SCALEUP_MAX_COLUMNS];
	AttrNumber	join[SCALEUP_MAX_COLUMNS];
	AttrNumber	sort[SCALEUP_MAX_SORT_KEYS];
	uint8		sort_flags[SCALEUP_MAX_SORT_KEYS];
	AttrNumber	const_att[SCALEUP_MAX_CONST_QUALS];
	uint8		const_kind[SCALEUP_MAX_CONST_QUALS];
} ScanShape;

typedef struct ScanKey
{
	Oid			dbid;
	uint64		queryid;
	ScanShape	shape;
} ScanKey;

typedef struct ScanCounters
{
	double		executions;		/* scan node loops, scaled */
	double		rows_scanned;
	double		rows_kept;
	double		usage;
} ScanCounters;

typedef struct ScanEntry
{
	ScanKey		key;			/* hash key; must be first */
	slock_t		mutex;
	ScanCounters counters;
	TimestampTz first_seen;
	TimestampTz last_seen;
} ScanEntry;

/* ------------------------------------------------------------------------
 * The projections store
 * ------------------------------------------------------------------------
 */
typedef struct ProjectionKey
{
	Oid			dbid;
	uint64		queryid;
	Oid			relid;
} ProjectionKey;

typedef struct ProjectionCounters
{
	double		calls;			/* scaled by 1 / sample rate */
	double		rows_returned;
	double		bytes_returned;
	double		column_bytes[SCALEUP_MAX_PROJ_COLUMNS];
	double		usage;
} ProjectionCounters;

typedef struct ProjectionEntry
{
	ProjectionKey key;			/* hash key; must be first */
	slock_t		mutex;
	bool		all_columns;
	int16		ncolumns;
	AttrNumber	columns[SCALEUP_MAX_PROJ_COLUMNS];
	ProjectionCounters counters;
	TimestampTz first_seen;
	TimestampTz last_seen;
} ProjectionEntry;

/* What one execution found, ready to be added to a projection entry. */
typedef struct ProjectionSample
{
	Oid			relid;
	bool		all_columns;
	int16		ncolumns;
	AttrNumber	columns[SCALEUP_MAX_PROJ_COLUMNS];
	double		column_bytes[SCALEUP_MAX_PROJ_COLUMNS];
	double		bytes;
} ProjectionSample;

/* ------------------------------------------------------------------------
 * Shared state and the store API (store.c)
 * ------------------------------------------------------------------------
 */
typedef enum StoreId
{
	STORE_QUERIES,
	STORE_SCANS,
	STORE_PROJECTIONS,
	STORE_COUNT
} StoreId;

typedef struct ScaleupShared
{
	LWLock	   *locks[STORE_COUNT];
	slock_t		mutex;			/* protects the fields below */
	int64		evictions[STORE_COUNT];
	TimestampTz last_reset;
} ScaleupShared;

extern ScaleupShared *scaleup_shared;
extern struct HTAB *scaleup_htab[STORE_COUNT];

extern Size scaleup_shmem_size(void);
extern void scaleup_shmem_request(void);
extern void scaleup_shmem_startup(void);
extern void scaleup_require_shmem(void);
extern Size scaleup_entry_size(StoreId store);
extern int	scaleup_capacity(StoreId store);

extern bool store_query_exists(const QueryKey *key);
extern void store_query_text(const QueryKey *key, const char *text, int len,
							 const ParamSample *literals);
/* One finished execution, as store_record_query adds it. */
typedef struct QueryExecution
{
	double		elapsed_ms;
	int64		rows;
	bool		sampled;
	double		weight;			/* 1 / sample rate when sampled */
	double		seq_scans;		/* not scaled */
	double		seq_rows;		/* not scaled */
	bool		has_bind_params;
} QueryExecution;

/* Outcomes of store_record_query. */
typedef enum QueryRecordResult
{
	QUERY_NOT_FOUND,			/* no entry, and no text to create one */
	QUERY_RECORDED,
	QUERY_WANTS_PARAMS			/* recorded; the entry has no bind values */
} QueryRecordResult;

extern QueryRecordResult store_record_query(const QueryKey *key,
											const QueryExecution *exec,
											const char *text, int len);
extern void store_record_params(const QueryKey *key, const ParamSample *sample);
extern void store_record_scan(Oid dbid, uint64 queryid, const ScanShape *shape,
							  double executions, double rows_scanned,
							  double rows_kept);
extern void store_record_projection(Oid dbid, uint64 queryid,
									const ProjectionSample *sample,
									double calls, double rows);
extern void store_reset(void);
extern void *store_insert_loaded(StoreId store, const void *entry);

/* store_file.c: keeping the stores across a clean restart */
extern void store_file_load(void);
extern void store_file_save(int code, Datum arg);

/* parameter samples (params.c) */
extern bool param_sample_add(ParamSample *sample, const char *value);
extern bool param_sample_from_params(ParamSample *sample, ParamListInfo params);
extern void param_sample_merge_extern(ParamSample *target,
									  const ParamSample *bound);

/* plan_walk.c: evidence from an executed plan */
typedef struct QueryTrack QueryTrack;
extern void plan_walk_record(QueryDesc *queryDesc, QueryTrack *track,
							 double weight, double *seq_scans,
							 double *seq_rows);

/* projection.c: counting returned bytes */
extern DestReceiver *projection_wrap_receiver(QueryDesc *queryDesc,
											  QueryTrack *track);
extern void projection_record(QueryDesc *queryDesc, QueryTrack *track,
							  double weight);

/*
 * Per-execution state, allocated in the query's executor memory context so
 * that an error, which deletes that context, also removes it (see hooks.c).
 */
struct QueryTrack
{
	QueryDesc  *queryDesc;
	QueryTrack *next;
	bool		toplevel;
	bool		sampled;
	double		weight;			/* 1 / sample rate of a sampled execution */
	int64		rows;			/* rows processed over every ExecutorRun */
	int			ncolumns;		/* output columns counted below */
	double	   *column_bytes;	/* bytes per output column, sampled runs */
	int64		rows_sent;		/* rows that reached the receiver */
	DestReceiver *receiver;		/* byte-counting wrapper, made once */
	MemoryContextCallback unlink_callback;	/* unlinks this on deletion */
};

#endif							/* SCALEUP_H */
