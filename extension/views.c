/*-------------------------------------------------------------------------
 *
 * views.c
 *	  The SQL functions behind the scaleup.* views, reset() and info().
 *
 * Each set-returning function copies the store's entries into local memory
 * under the store's LWLock (and each entry's spinlock), releases the lock,
 * and only then builds its rows.  Column names come from the system caches,
 * and catalog access must not happen while an LWLock is held.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type_d.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "scaleup.h"

PG_FUNCTION_INFO_V1(scaleup_query_stats);
PG_FUNCTION_INFO_V1(scaleup_scan_stats);
PG_FUNCTION_INFO_V1(scaleup_projection_stats);
PG_FUNCTION_INFO_V1(scaleup_reset);
PG_FUNCTION_INFO_V1(scaleup_info);

#define QUERY_STATS_COLS		18
#define SCAN_STATS_COLS			20
#define PROJECTION_STATS_COLS	11
#define INFO_COLS				11

/*
 * Copy every entry of a store into a palloc'd array.  The array is sized for
 * the full capacity before the lock is taken, so nothing is allocated while
 * the lock is held.  Spinlocks are taken per entry for a consistent copy.
 */
static char *
copy_store(StoreId store, int *count)
{
	Size		entry_size = scaleup_entry_size(store);
	char	   *copy = palloc_extended(entry_size * scaleup_capacity(store),
									 MCXT_ALLOC_HUGE);
	HASH_SEQ_STATUS status;
	char	   *entry;
	int			n = 0;

	LWLockAcquire(scaleup_shared->locks[store], LW_SHARED);
	hash_seq_init(&status, scaleup_htab[store]);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		slock_t    *mutex;

		if (n >= scaleup_capacity(store))
		{
			hash_seq_term(&status);
			break;
		}
		if (store == STORE_QUERIES)
			mutex = &((QueryEntry *) entry)->mutex;
		else if (store == STORE_SCANS)
			mutex = &((ScanEntry *) entry)->mutex;
		else
			mutex = &((ProjectionEntry *) entry)->mutex;

		SpinLockAcquire(mutex);
		memcpy(copy + n * entry_size, entry, entry_size);
		SpinLockRelease(mutex);
		n++;
	}
	LWLockRelease(scaleup_shared->locks[store]);

	*count = n;
	return copy;
}

static Datum
text_array(List *items)
{
	int			n = list_length(items);
	Datum	   *datums = palloc(Max(n, 1) * sizeof(Datum));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, items)
		datums[i++] = CStringGetTextDatum((char *) lfirst(lc));
	return PointerGetDatum(construct_array(datums, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/* Names of the given columns; a column dropped since is left out. */
static Datum
column_names(Oid relid, const AttrNumber *attnos, int n)
{
	List	   *names = NIL;
	int			i;

	for (i = 0; i < n; i++)
	{
		char	   *name = get_attname(relid, attnos[i], true);

		if (name != NULL)
			names = lappend(names, name);
	}
	return text_array(names);
}

/* ------------------------------------------------------------------------
 * scaleup.queries
 * ------------------------------------------------------------------------
 */

/* The parameter sample as text[], or NULL when incomplete. */
static Datum
param_array(const ParamSample *sample, bool *isnull)
{
	List	   *values = NIL;
	const char *cursor = sample->data;
	int			i;

	if (!sample->complete)
	{
		*isnull = true;
		return (Datum) 0;
	}
	for (i = 0; i < sample->nparams; i++)
	{
		values = lappend(values, (char *) cursor);
		cursor += strlen(cursor) + 1;
	}
	*isnull = false;
	return text_array(values);
}

Datum
scaleup_query_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			current_user = GetUserId();
	bool		privileged;
	Size		entry_size;
	char	   *entries;
	int			count;
	int			i;

	scaleup_require_shmem();
	InitMaterializedSRF(fcinfo, 0);

	privileged = has_privs_of_role(current_user, ROLE_PG_READ_ALL_STATS);
	entry_size = scaleup_entry_size(STORE_QUERIES);
	entries = copy_store(STORE_QUERIES, &count);

	for (i = 0; i < count; i++)
	{
		QueryEntry *entry = (QueryEntry *) (entries + i * entry_size);
		QueryCounters *c = &entry->counters;
		Datum		values[QUERY_STATS_COLS];
		bool		nulls[QUERY_STATS_COLS];
		bool		visible = privileged || entry->key.userid == current_user;
		int			col = 0;

		memset(nulls, 0, sizeof(nulls));

		values[col++] = ObjectIdGetDatum(entry->key.userid);
		values[col++] = ObjectIdGetDatum(entry->key.dbid);
		if (visible)
			values[col++] = Int64GetDatumFast((int64) entry->key.queryid);
		else
			nulls[col++] = true;
		values[col++] = BoolGetDatum(entry->key.toplevel);

		if (!visible)
			values[col++] = CStringGetTextDatum("<insufficient privilege>");
		else if (entry->query_len > 0)
		{
			char	   *text = pg_any_to_server(entry->query, entry->query_len,
												entry->encoding);

			values[col++] = CStringGetTextDatum(text);
		}
		else
			nulls[col++] = true;

		values[col++] = Int64GetDatumFast(c->calls);
		values[col++] = Int64GetDatumFast(c->rows);
		values[col++] = Float8GetDatumFast(c->total_time);
		values[col++] = Float8GetDatumFast(c->min_time);
		values[col++] = Float8GetDatumFast(c->max_time);
		values[col++] = Float8GetDatumFast(c->mean_time);
		values[col++] = Float8GetDatumFast(c->calls > 1 ?
										   sqrt(c->sum_var_time / c->calls) : 0.0);
		values[col++] = Int64GetDatumFast((int64) rint(c->seq_scans));
		values[col++] = Int64GetDatumFast((int64) rint(c->seq_rows_scanned));
		values[col++] = Int64GetDatumFast(c->sampled_calls);

		/* Parameter values are shown to privileged roles only. */
		if (privileged && scaleup_track_parameters)
			values[col] = param_array(&entry->params, &nulls[col]);
		else
			nulls[col] = true;
		col++;

		values[col++] = TimestampTzGetDatum(entry->first_seen);
		values[col++] = TimestampTzGetDatum(entry->last_seen);

		Assert(col == QUERY_STATS_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}

	return (Datum) 0;
}

/* ------------------------------------------------------------------------
 * scaleup.scans
 * ------------------------------------------------------------------------
 */

static const char *
scan_kind_name(uint8 kind)
{
	switch (kind)
	{
		case SCAN_KIND_SEQ:
			return "seq";
		case SCAN_KIND_INDEX:
			return "index";
		case SCAN_KIND_BITMAP:
			return "bitmap";
	}
	return "unknown";
}

/* Constant qualifiers as SQL text with quoted identifiers. */
static Datum
const_qual_texts(const ScanShape *shape)
{
	List	   *texts = NIL;
	int			i;

	for (i = 0; i < shape->n_const; i++)
	{
		char	   *name = get_attname(shape->relid, shape->const_att[i], true);
		const char *quoted;

		if (name == NULL)
			continue;
		quoted = quote_identifier(name);
		switch (shape->const_kind[i])
		{
			case CONST_QUAL_TRUE:
				texts = lappend(texts, pstrdup(quoted));
				break;
			case CONST_QUAL_FALSE:
				texts = lappend(texts, psprintf("NOT %s", quoted));
				break;
			case CONST_QUAL_NULL:
				texts = lappend(texts, psprintf("%s IS NULL", quoted));
				break;
			case CONST_QUAL_NOT_NULL:
				texts = lappend(texts, psprintf("%s IS NOT NULL", quoted));
				break;
		}
	}
	return text_array(texts);
}

/*
 * Sort keys as SQL fragments ("created_at DESC"), as raw column names, and
 * as directions.  NULLS FIRST/LAST is written only when it is not the
 * direction's default.
 */
static void
sort_key_arrays(const ScanShape *shape, Datum *keys, Datum *columns,
				Datum *descending)
{
	List	   *key_texts = NIL;
	List	   *names = NIL;
	Datum	   *desc = palloc(Max(shape->n_sort, 1) * sizeof(Datum));
	int			n = 0;
	int			i;

	for (i = 0; i < shape->n_sort; i++)
	{
		char	   *name = get_attname(shape->relid, shape->sort[i], true);
		bool		is_desc = (shape->sort_flags[i] & SORT_KEY_DESC) != 0;
		bool		nulls_first = (shape->sort_flags[i] & SORT_KEY_NULLS_FIRST) != 0;
		const char *nulls = "";

		if (name == NULL)
			break;
		if (is_desc && !nulls_first)
			nulls = " NULLS LAST";
		else if (!is_desc && nulls_first)
			nulls = " NULLS FIRST";

		key_texts = lappend(key_texts, psprintf("%s%s%s",
												quote_identifier(name),
												is_desc ? " DESC" : "",
												nulls));
		names = lappend(names, name);
		desc[n++] = BoolGetDatum(is_desc);
	}

	*keys = text_array(key_texts);
	*columns = text_array(names);
	*descending = PointerGetDatum(construct_array(desc, n, BOOLOID, 1, true,
												  TYPALIGN_CHAR));
}

Datum
scaleup_scan_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *entries;
	int			count;
	int			i;

	scaleup_require_shmem();
	InitMaterializedSRF(fcinfo, 0);

	entries = copy_store(STORE_SCANS, &count);

	for (i = 0; i < count; i++)
	{
		ScanEntry  *entry = (ScanEntry *) (entries + i * sizeof(ScanEntry));
		ScanShape  *shape = &entry->key.shape;
		Datum		values[SCAN_STATS_COLS];
		bool		nulls[SCAN_STATS_COLS];
		int			col = 0;

		/* A relation dropped since has nothing left to advise on. */
		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(shape->relid)))
			continue;

		memset(nulls, 0, sizeof(nulls));

		values[col++] = ObjectIdGetDatum(entry->key.dbid);
		values[col++] = Int64GetDatumFast((int64) entry->key.queryid);
		values[col++] = ObjectIdGetDatum(shape->relid);
		if (OidIsValid(shape->parent_relid))
			values[col++] = ObjectIdGetDatum(shape->parent_relid);
		else
			nulls[col++] = true;
		values[col++] = CStringGetTextDatum(scan_kind_name(shape->kind));
		if (OidIsValid(shape->index_relid))
			values[col++] = ObjectIdGetDatum(shape->index_relid);
		else
			nulls[col++] = true;
		values[col++] = column_names(shape->relid, shape->eq, shape->n_eq);
		values[col++] = column_names(shape->relid, shape->range,
									 shape->n_range);
		values[col++] = column_names(shape->relid, shape->other,
									 shape->n_other);
		values[col++] = const_qual_texts(shape);
		sort_key_arrays(shape, &values[col], &values[col + 1],
						&values[col + 2]);
		col += 3;
		if (shape->limit_rows >= 0)
			values[col++] = Int64GetDatumFast(shape->limit_rows);
		else
			nulls[col++] = true;
		values[col++] = column_names(shape->relid, shape->join, shape->n_join);
		values[col++] = Int64GetDatumFast((int64) rint(entry->counters.executions));
		values[col++] = Int64GetDatumFast((int64) rint(entry->counters.rows_scanned));
		values[col++] = Int64GetDatumFast((int64) rint(entry->counters.rows_kept));
		values[col++] = TimestampTzGetDatum(entry->first_seen);
		values[col++] = TimestampTzGetDatum(entry->last_seen);

		Assert(col == SCAN_STATS_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}

	return (Datum) 0;
}

/* ------------------------------------------------------------------------
 * scaleup.projections
 * ------------------------------------------------------------------------
 */

Datum
scaleup_projection_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *entries;
	int			count;
	int			i;

	scaleup_require_shmem();
	InitMaterializedSRF(fcinfo, 0);

	entries = copy_store(STORE_PROJECTIONS, &count);

	for (i = 0; i < count; i++)
	{
		ProjectionEntry *entry =
			(ProjectionEntry *) (entries + i * sizeof(ProjectionEntry));
		Datum		values[PROJECTION_STATS_COLS];
		bool		nulls[PROJECTION_STATS_COLS];
		Datum	   *bytes;
		List	   *names = NIL;
		int			nbytes = 0;
		int			col = 0;
		int			j;

		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(entry->key.relid)))
			continue;

		memset(nulls, 0, sizeof(nulls));

		/* Names and bytes stay aligned: a dropped column leaves both. */
		bytes = palloc(Max(entry->ncolumns, 1) * sizeof(Datum));
		for (j = 0; j < entry->ncolumns; j++)
		{
			char	   *name = get_attname(entry->key.relid, entry->columns[j],
										   true);

			if (name == NULL)
				continue;
			names = lappend(names, name);
			bytes[nbytes++] =
				Int64GetDatum((int64) rint(entry->counters.column_bytes[j]));
		}

		values[col++] = ObjectIdGetDatum(entry->key.dbid);
		values[col++] = Int64GetDatumFast((int64) entry->key.queryid);
		values[col++] = ObjectIdGetDatum(entry->key.relid);
		values[col++] = text_array(names);
		values[col++] = BoolGetDatum(entry->all_columns);
		values[col++] = PointerGetDatum(construct_array(bytes, nbytes, INT8OID,
														8, FLOAT8PASSBYVAL,
														TYPALIGN_DOUBLE));
		values[col++] = Int64GetDatumFast((int64) rint(entry->counters.calls));
		values[col++] = Int64GetDatumFast((int64) rint(entry->counters.rows_returned));
		values[col++] = Int64GetDatumFast((int64) rint(entry->counters.bytes_returned));
		values[col++] = TimestampTzGetDatum(entry->first_seen);
		values[col++] = TimestampTzGetDatum(entry->last_seen);

		Assert(col == PROJECTION_STATS_COLS);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}

	return (Datum) 0;
}

/* ------------------------------------------------------------------------
 * reset() and info()
 * ------------------------------------------------------------------------
 */

Datum
scaleup_reset(PG_FUNCTION_ARGS)
{
	scaleup_require_shmem();
	store_reset();
	PG_RETURN_VOID();
}

static int64
store_size(StoreId store)
{
	int64		n;

	LWLockAcquire(scaleup_shared->locks[store], LW_SHARED);
	n = hash_get_num_entries(scaleup_htab[store]);
	LWLockRelease(scaleup_shared->locks[store]);
	return n;
}

Datum
scaleup_info(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[INFO_COLS];
	bool		nulls[INFO_COLS];
	int64		evictions[STORE_COUNT];
	TimestampTz last_reset;
	int			col = 0;
	int			i;

	scaleup_require_shmem();

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	SpinLockAcquire(&scaleup_shared->mutex);
	for (i = 0; i < STORE_COUNT; i++)
		evictions[i] = scaleup_shared->evictions[i];
	last_reset = scaleup_shared->last_reset;
	SpinLockRelease(&scaleup_shared->mutex);

	memset(nulls, 0, sizeof(nulls));
	for (i = 0; i < STORE_COUNT; i++)
	{
		values[col++] = Int64GetDatum(store_size(i));
		values[col++] = Int64GetDatum(scaleup_capacity(i));
	}
	values[col++] = Int64GetDatum(evictions[STORE_QUERIES] +
								  evictions[STORE_SCANS] +
								  evictions[STORE_PROJECTIONS]);
	for (i = 0; i < STORE_COUNT; i++)
		values[col++] = Int64GetDatum(evictions[i]);
	values[col++] = TimestampTzGetDatum(last_reset);

	Assert(col == INFO_COLS);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
