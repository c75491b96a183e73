/*-------------------------------------------------------------------------
 *
 * store.c
 *	  The three shared-memory stores: creation, lookup, counting, eviction.
 *
 * Each store is a dynahash table created with a fixed capacity in the main
 * shared memory segment, guarded by one LWLock of the "pg_scaleup" tranche.
 * Counters of an entry are guarded by the entry's spinlock, so backends that
 * hold the LWLock in shared mode can update different entries at once.
 *
 * first_seen and last_seen are the start times of the statements that
 * created and last updated an entry: reading the statement's start time
 * costs no clock call on this path, which every statement takes.
 *
 * When a store is full, the entries with the lowest usage (a weight that
 * grows with each update and decays at each eviction) are removed, five
 * percent at a time, and the removals are counted in the shared state.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "scaleup.h"

/* Fraction of a full store evicted at once. */
#define EVICT_FRACTION		0.05
/* Factor applied to every usage at each eviction, so old activity fades. */
#define USAGE_DECAY			0.99

ScaleupShared *scaleup_shared = NULL;
HTAB	   *scaleup_htab[STORE_COUNT];

static const char *const store_names[STORE_COUNT] = {
	"pg_scaleup queries",
	"pg_scaleup scans",
	"pg_scaleup projections"
};

/* Called after an entry is created, with its LWLock held exclusively. */
typedef void (*EntryInitFunc) (void *entry, const void *arg);

/*
 * Return the size of one entry of a store.  Query entries end with room for
 * pg_scaleup.max_query_length bytes of text.
 */
Size
scaleup_entry_size(StoreId store)
{
	switch (store)
	{
		case STORE_QUERIES:
			return MAXALIGN(offsetof(QueryEntry, query) +
							scaleup_max_query_length);
		case STORE_SCANS:
			return sizeof(ScanEntry);
		case STORE_PROJECTIONS:
			return sizeof(ProjectionEntry);
		default:
			elog(ERROR, "unknown pg_scaleup store %d", (int) store);
	}
	return 0;					/* keep compiler quiet */
}

static Size
store_key_size(StoreId store)
{
	switch (store)
	{
		case STORE_QUERIES:
			return sizeof(QueryKey);
		case STORE_SCANS:
			return sizeof(ScanKey);
		default:
			return sizeof(ProjectionKey);
	}
}

int
scaleup_capacity(StoreId store)
{
	return store == STORE_QUERIES ? scaleup_max_queries : scaleup_max_scans;
}

/* Return the address of an entry's usage counter. */
static double *
entry_usage(StoreId store, void *entry)
{
	switch (store)
	{
		case STORE_QUERIES:
			return &((QueryEntry *) entry)->counters.usage;
		case STORE_SCANS:
			return &((ScanEntry *) entry)->counters.usage;
		default:
			return &((ProjectionEntry *) entry)->counters.usage;
	}
}

/* Return the address of an entry's spinlock. */
static slock_t *
entry_mutex(StoreId store, void *entry)
{
	switch (store)
	{
		case STORE_QUERIES:
			return &((QueryEntry *) entry)->mutex;
		case STORE_SCANS:
			return &((ScanEntry *) entry)->mutex;
		default:
			return &((ProjectionEntry *) entry)->mutex;
	}
}

Size
scaleup_shmem_size(void)
{
	Size		size = MAXALIGN(sizeof(ScaleupShared));
	int			i;

	for (i = 0; i < STORE_COUNT; i++)
		size = add_size(size, hash_estimate_size(scaleup_capacity(i),
												 scaleup_entry_size(i)));
	return size;
}

void
scaleup_shmem_request(void)
{
	RequestAddinShmemSpace(scaleup_shmem_size());
	RequestNamedLWLockTranche("pg_scaleup", STORE_COUNT);
}

/*
 * Create or attach to the shared state and the stores.  In the postmaster,
 * also load the file saved at the last shutdown and arrange for the stores to
 * be saved at the next one.
 */
void
scaleup_shmem_startup(void)
{
	bool		found;
	int			i;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);

	scaleup_shared = ShmemInitStruct("pg_scaleup", sizeof(ScaleupShared),
									 &found);
	if (!found)
	{
		LWLockPadded *locks = GetNamedLWLockTranche("pg_scaleup");

		for (i = 0; i < STORE_COUNT; i++)
		{
			scaleup_shared->locks[i] = &locks[i].lock;
			scaleup_shared->evictions[i] = 0;
		}
		SpinLockInit(&scaleup_shared->mutex);
		scaleup_shared->last_reset = GetCurrentTimestamp();
	}

	for (i = 0; i < STORE_COUNT; i++)
	{
		HASHCTL		info;

		memset(&info, 0, sizeof(info));
		info.keysize = store_key_size(i);
		info.entrysize = scaleup_entry_size(i);
		scaleup_htab[i] = ShmemInitHash(store_names[i],
										scaleup_capacity(i),
										scaleup_capacity(i),
										&info,
										HASH_ELEM | HASH_BLOBS);
	}

	LWLockRelease(AddinShmemInitLock);

	if (!IsUnderPostmaster)
	{
		on_shmem_exit(store_file_save, (Datum) 0);
		if (!found)
			store_file_load();
	}
}

/*
 * Raise an error unless the library was preloaded.  Every SQL function calls
 * this first, so that a forgotten shared_preload_libraries entry gives one
 * clear message instead of empty results.
 */
void
scaleup_require_shmem(void)
{
	if (scaleup_shared == NULL || scaleup_htab[STORE_QUERIES] == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pg_scaleup must be loaded via shared_preload_libraries"),
				 errhint("Add pg_scaleup to shared_preload_libraries in postgresql.conf and restart the server.")));
}

/* Sort entries by ascending usage. */
typedef struct UsageRef
{
	void	   *entry;
	double		usage;
} UsageRef;

static int
usage_cmp(const void *a, const void *b)
{
	double		ua = ((const UsageRef *) a)->usage;
	double		ub = ((const UsageRef *) b)->usage;

	if (ua < ub)
		return -1;
	if (ua > ub)
		return 1;
	return 0;
}

/*
 * Remove the least-used entries of a full store and count them.  The caller
 * holds the store's LWLock exclusively, so no spinlock is needed to read the
 * usage of any entry.  The array is allocated in the caller's memory context;
 * an allocation failure raises an error, and error recovery releases the
 * LWLock.
 */
static void
store_evict(StoreId store)
{
	HTAB	   *htab = scaleup_htab[store];
	long		count = hash_get_num_entries(htab);
	UsageRef   *refs;
	HASH_SEQ_STATUS status;
	void	   *entry;
	long		n = 0;
	long		nremove;
	long		i;

	if (count == 0)
		return;

	refs = palloc(count * sizeof(UsageRef));
	hash_seq_init(&status, htab);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		double	   *usage = entry_usage(store, entry);

		refs[n].entry = entry;
		refs[n].usage = *usage;
		*usage *= USAGE_DECAY;
		n++;
	}

	qsort(refs, n, sizeof(UsageRef), usage_cmp);

	nremove = Max(1, (long) (n * EVICT_FRACTION));
	for (i = 0; i < nremove && i < n; i++)
		hash_search(htab, refs[i].entry, HASH_REMOVE, NULL);

	pfree(refs);

	SpinLockAcquire(&scaleup_shared->mutex);
	scaleup_shared->evictions[store] += Min(nremove, n);
	SpinLockRelease(&scaleup_shared->mutex);
}

/*
 * Find the entry with the given key, creating it when it does not exist and
 * create is true.  Returns with the store's LWLock held (shared if the entry
 * existed, exclusive if it was created): the caller updates the counters
 * under the entry's spinlock and then releases the LWLock.  *created reports
 * which case happened, and init runs on a new entry before it becomes visible.
 * Returns NULL, with no lock held, when the entry does not exist and create
 * is false.
 */
static void *
store_acquire_entry(StoreId store, const void *key, bool create,
					EntryInitFunc init, const void *init_arg, bool *created)
{
	LWLock	   *lock = scaleup_shared->locks[store];
	HTAB	   *htab = scaleup_htab[store];
	void	   *entry;
	bool		found;

	*created = false;

	LWLockAcquire(lock, LW_SHARED);
	entry = hash_search(htab, key, HASH_FIND, NULL);
	if (entry != NULL)
		return entry;
	LWLockRelease(lock);

	if (!create)
		return NULL;

	LWLockAcquire(lock, LW_EXCLUSIVE);

	/* Another backend may have created it while we waited for the lock. */
	entry = hash_search(htab, key, HASH_FIND, NULL);
	if (entry != NULL)
		return entry;

	if (hash_get_num_entries(htab) >= scaleup_capacity(store))
		store_evict(store);

	entry = hash_search(htab, key, HASH_ENTER_NULL, &found);
	if (entry == NULL)
	{
		/* Cannot happen after an eviction, but never write past capacity. */
		LWLockRelease(lock);
		return NULL;
	}

	memset((char *) entry + store_key_size(store), 0,
		   scaleup_entry_size(store) - store_key_size(store));
	SpinLockInit(entry_mutex(store, entry));
	*entry_usage(store, entry) = 1.0;
	if (init)
		init(entry, init_arg);

	*created = true;
	return entry;
}

/* ------------------------------------------------------------------------
 * Queries
 * ------------------------------------------------------------------------
 */

typedef struct QueryInitArg
{
	const char *text;
	int			len;
	const ParamSample *literals;	/* NULL when the text is not normalized */
	bool		has_bind_params;
} QueryInitArg;

static void
query_entry_init(void *entry_ptr, const void *arg_ptr)
{
	QueryEntry *entry = (QueryEntry *) entry_ptr;
	const QueryInitArg *arg = (const QueryInitArg *) arg_ptr;
	TimestampTz now = GetCurrentStatementStartTimestamp();

	entry->first_seen = now;
	entry->last_seen = now;
	entry->encoding = GetDatabaseEncoding();
	entry->counters.min_time = 0;

	if (arg->text != NULL)
	{
		int			len = Min(arg->len, scaleup_max_query_length - 1);

		/* Never cut a multibyte character in half. */
		len = pg_mbcliplen(arg->text, arg->len, len);
		memcpy(entry->query, arg->text, len);
		entry->query[len] = '\0';
		entry->query_len = len;
	}

	/*
	 * Source text keeps its literals, so the sample needs only the bind
	 * parameters; with none, the empty sample is already complete.
	 */
	if (arg->literals != NULL)
		entry->params = *arg->literals;
	else
		entry->params.complete = !arg->has_bind_params;
}

/* Return true if the queries store has an entry for key. */
bool
store_query_exists(const QueryKey *key)
{
	LWLock	   *lock = scaleup_shared->locks[STORE_QUERIES];
	bool		exists;

	LWLockAcquire(lock, LW_SHARED);
	exists = hash_search(scaleup_htab[STORE_QUERIES], key, HASH_FIND,
						 NULL) != NULL;
	LWLockRelease(lock);
	return exists;
}

/*
 * Create the entry of a query that was just parsed, with its normalized text
 * and the literal values it replaced.  An existing entry keeps its text.
 */
void
store_query_text(const QueryKey *key, const char *text, int len,
				 const ParamSample *literals)
{
	QueryInitArg arg = {text, len, literals, false};
	bool		created;
	void	   *entry;

	entry = store_acquire_entry(STORE_QUERIES, key, true, query_entry_init,
								&arg, &created);
	if (entry != NULL)
		LWLockRelease(scaleup_shared->locks[STORE_QUERIES]);
}

/*
 * Add one execution to a query's counters.  Without text, a missing entry is
 * not created and QUERY_NOT_FOUND is returned, so that the caller prepares
 * the text only in that rare case and calls again.  The text given here is
 * the statement's source text, not normalized: the parse step did not store
 * one, because the query had no constants or its entry was evicted since.
 */
QueryRecordResult
store_record_query(const QueryKey *key, const QueryExecution *exec,
				   const char *text, int len)
{
	QueryInitArg arg = {text, len, NULL, exec->has_bind_params};
	QueryEntry *entry;
	QueryCounters *c;
	bool		created;
	bool		want_params;
	TimestampTz now = GetCurrentStatementStartTimestamp();
	double		elapsed_ms = exec->elapsed_ms;

	entry = store_acquire_entry(STORE_QUERIES, key, text != NULL,
								query_entry_init, &arg, &created);
	if (entry == NULL)
		return QUERY_NOT_FOUND;

	SpinLockAcquire(&entry->mutex);
	c = &entry->counters;

	/* Welford's online algorithm for the mean and the variance. */
	c->calls++;
	c->rows += exec->rows;
	c->total_time += elapsed_ms;
	if (c->calls == 1)
	{
		c->min_time = elapsed_ms;
		c->max_time = elapsed_ms;
		c->mean_time = elapsed_ms;
	}
	else
	{
		double		old_mean = c->mean_time;

		c->mean_time += (elapsed_ms - old_mean) / c->calls;
		c->sum_var_time += (elapsed_ms - old_mean) * (elapsed_ms - c->mean_time);
		if (elapsed_ms < c->min_time)
			c->min_time = elapsed_ms;
		if (elapsed_ms > c->max_time)
			c->max_time = elapsed_ms;
	}
	if (exec->sampled)
	{
		c->sampled_calls++;
		c->seq_scans += exec->seq_scans * exec->weight;
		c->seq_rows_scanned += exec->seq_rows * exec->weight;
	}
	c->usage += 1.0;
	entry->last_seen = now;
	want_params = !entry->params.extern_done;
	SpinLockRelease(&entry->mutex);

	LWLockRelease(scaleup_shared->locks[STORE_QUERIES]);
	return want_params ? QUERY_WANTS_PARAMS : QUERY_RECORDED;
}

/* Store the first sample of bind parameter values of a query. */
void
store_record_params(const QueryKey *key, const ParamSample *sample)
{
	LWLock	   *lock = scaleup_shared->locks[STORE_QUERIES];
	QueryEntry *entry;

	LWLockAcquire(lock, LW_SHARED);
	entry = hash_search(scaleup_htab[STORE_QUERIES], key, HASH_FIND, NULL);
	if (entry != NULL)
	{
		SpinLockAcquire(&entry->mutex);
		if (!entry->params.extern_done)
			param_sample_merge_extern(&entry->params, sample);
		SpinLockRelease(&entry->mutex);
	}
	LWLockRelease(lock);
}

/* ------------------------------------------------------------------------
 * Scans and projections
 * ------------------------------------------------------------------------
 */

static void
timestamps_init(TimestampTz *first_seen, TimestampTz *last_seen)
{
	*first_seen = GetCurrentStatementStartTimestamp();
	*last_seen = *first_seen;
}

static void
scan_entry_init(void *entry_ptr, const void *arg)
{
	ScanEntry  *entry = (ScanEntry *) entry_ptr;

	timestamps_init(&entry->first_seen, &entry->last_seen);
}

/* Add one scan's counts (already scaled) to its entry. */
void
store_record_scan(Oid dbid, uint64 queryid, const ScanShape *shape,
				  double executions, double rows_scanned, double rows_kept)
{
	ScanKey		key;
	ScanEntry  *entry;
	bool		created;
	TimestampTz now = GetCurrentStatementStartTimestamp();

	memset(&key, 0, sizeof(key));
	key.dbid = dbid;
	key.queryid = queryid;
	key.shape = *shape;

	entry = store_acquire_entry(STORE_SCANS, &key, true, scan_entry_init,
								NULL, &created);
	if (entry == NULL)
		return;

	SpinLockAcquire(&entry->mutex);
	entry->counters.executions += executions;
	entry->counters.rows_scanned += rows_scanned;
	entry->counters.rows_kept += rows_kept;
	entry->counters.usage += 1.0;
	entry->last_seen = now;
	SpinLockRelease(&entry->mutex);

	LWLockRelease(scaleup_shared->locks[STORE_SCANS]);
}

static void
projection_entry_init(void *entry_ptr, const void *arg)
{
	ProjectionEntry *entry = (ProjectionEntry *) entry_ptr;
	const ProjectionSample *sample = (const ProjectionSample *) arg;

	entry->all_columns = sample->all_columns;
	entry->ncolumns = sample->ncolumns;
	memcpy(entry->columns, sample->columns,
		   sample->ncolumns * sizeof(AttrNumber));
	timestamps_init(&entry->first_seen, &entry->last_seen);
}

/*
 * Add one execution's returned columns and bytes (scaled by calls, the
 * execution's weight) to the relation's projection entry.  The column list is
 * the one of the first execution; bytes of columns missing from it count in
 * the total only.
 */
void
store_record_projection(Oid dbid, uint64 queryid,
						const ProjectionSample *sample, double calls,
						double rows)
{
	ProjectionKey key;
	ProjectionEntry *entry;
	bool		created;
	int			i;
	int			j;
	TimestampTz now = GetCurrentStatementStartTimestamp();

	memset(&key, 0, sizeof(key));
	key.dbid = dbid;
	key.queryid = queryid;
	key.relid = sample->relid;

	entry = store_acquire_entry(STORE_PROJECTIONS, &key, true,
								projection_entry_init, sample, &created);
	if (entry == NULL)
		return;

	SpinLockAcquire(&entry->mutex);
	entry->counters.calls += calls;
	entry->counters.rows_returned += rows * calls;
	entry->counters.bytes_returned += sample->bytes * calls;
	for (i = 0, j = 0; i < sample->ncolumns; i++)
	{
		while (j < entry->ncolumns && entry->columns[j] < sample->columns[i])
			j++;
		if (j < entry->ncolumns && entry->columns[j] == sample->columns[i])
			entry->counters.column_bytes[j] += sample->column_bytes[i] * calls;
	}
	entry->counters.usage += 1.0;
	entry->last_seen = now;
	SpinLockRelease(&entry->mutex);

	LWLockRelease(scaleup_shared->locks[STORE_PROJECTIONS]);
}

/* ------------------------------------------------------------------------
 * Reset and loading
 * ------------------------------------------------------------------------
 */

/* Remove every entry of every store and remember when. */
void
store_reset(void)
{
	int			i;

	for (i = 0; i < STORE_COUNT; i++)
	{
		HASH_SEQ_STATUS status;
		void	   *entry;

		LWLockAcquire(scaleup_shared->locks[i], LW_EXCLUSIVE);
		hash_seq_init(&status, scaleup_htab[i]);
		while ((entry = hash_seq_search(&status)) != NULL)
			hash_search(scaleup_htab[i], entry, HASH_REMOVE, NULL);
		LWLockRelease(scaleup_shared->locks[i]);
	}

	SpinLockAcquire(&scaleup_shared->mutex);
	for (i = 0; i < STORE_COUNT; i++)
		scaleup_shared->evictions[i] = 0;
	scaleup_shared->last_reset = GetCurrentTimestamp();
	SpinLockRelease(&scaleup_shared->mutex);
}

/*
 * Insert an entry read from the saved file.  Only the postmaster calls this,
 * at start-up, before any backend exists, so no lock is taken.  Returns NULL
 * when the store is full.
 */
void *
store_insert_loaded(StoreId store, const void *saved)
{
	HTAB	   *htab = scaleup_htab[store];
	void	   *entry;
	bool		found;

	if (hash_get_num_entries(htab) >= scaleup_capacity(store))
		return NULL;

	entry = hash_search(htab, saved, HASH_ENTER_NULL, &found);
	if (entry == NULL)
		return NULL;

	memcpy(entry, saved, scaleup_entry_size(store));
	SpinLockInit(entry_mutex(store, entry));
	return entry;
}
