/*-------------------------------------------------------------------------
 *
 * projection.c
 *	  Which columns of each relation a query returned, and their bytes.
 *
 * On a sampled execution of a SELECT, the statement's DestReceiver is
 * wrapped by one that adds up, per output column, the bytes of every value
 * sent.  A varlena value counts at its raw size (toast_raw_datum_size), so a
 * compressed or TOASTed column counts at the size the client receives, and
 * measuring it does not detoast anything.  At the end of the execution each
 * output column is traced back to its base relation and column, and each
 * relation gets one projection sample: its returned columns, whether that is
 * all of them, and the bytes.
 *
 * Cost: one pass over the attributes of each row sent, on sampled executions
 * only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/transam.h"
#include "access/htup_details.h"
#include "executor/executor.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "plan_walk.h"
#include "scaleup.h"

typedef struct CountingReceiver
{
	DestReceiver pub;
	DestReceiver *inner;
	QueryTrack *track;
} CountingReceiver;

/* Bytes a value of the attribute occupies when sent. */
static double
value_bytes(Form_pg_attribute att, Datum value)
{
	if (att->attlen > 0)
		return att->attlen;
	if (att->attlen == -1)
		return (double) (toast_raw_datum_size(value) - VARHDRSZ);
	return (double) strlen(DatumGetCString(value));
}

static bool
counting_receive(TupleTableSlot *slot, DestReceiver *self)
{
	CountingReceiver *receiver = (CountingReceiver *) self;
	QueryTrack *track = receiver->track;
	TupleDesc	desc = slot->tts_tupleDescriptor;
	int			natts = Min(desc->natts, track->ncolumns);
	int			i;

	slot_getallattrs(slot);
	for (i = 0; i < natts; i++)
	{
		if (!slot->tts_isnull[i])
			track->column_bytes[i] += value_bytes(TupleDescAttr(desc, i),
												  slot->tts_values[i]);
	}
	track->rows_sent++;

	return receiver->inner->receiveSlot(slot, receiver->inner);
}

static void
counting_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
	CountingReceiver *receiver = (CountingReceiver *) self;
	QueryTrack *track = receiver->track;

	/* A cursor calls this once per FETCH; keep the counts of earlier ones. */
	if (track->column_bytes == NULL)
	{
		track->ncolumns = typeinfo->natts;
		track->column_bytes =
			MemoryContextAllocZero(track->queryDesc->estate->es_query_cxt,
								   Max(typeinfo->natts, 1) * sizeof(double));
	}

	receiver->inner->rStartup(receiver->inner, operation, typeinfo);
}

static void
counting_shutdown(DestReceiver *self)
{
	CountingReceiver *receiver = (CountingReceiver *) self;

	receiver->inner->rShutdown(receiver->inner);
}

/* The wrapper is never handed to anyone who would destroy it. */
static void
counting_destroy(DestReceiver *self)
{
}

/*
 * Return a receiver that counts the bytes of each row and passes the row on
 * to the statement's receiver.  One wrapper per execution, reused by every
 * ExecutorRun call of a cursor.
 */
DestReceiver *
projection_wrap_receiver(QueryDesc *queryDesc, QueryTrack *track)
{
	CountingReceiver *receiver = (CountingReceiver *) track->receiver;

	if (receiver == NULL)
	{
		receiver = MemoryContextAllocZero(queryDesc->estate->es_query_cxt,
										  sizeof(CountingReceiver));
		receiver->pub.receiveSlot = counting_receive;
		receiver->pub.rStartup = counting_startup;
		receiver->pub.rShutdown = counting_shutdown;
		receiver->pub.rDestroy = counting_destroy;
		receiver->pub.mydest = queryDesc->dest->mydest;
		receiver->track = track;
		track->receiver = (DestReceiver *) receiver;
	}
	receiver->inner = queryDesc->dest;
	return (DestReceiver *) receiver;
}

/* ------------------------------------------------------------------------
 * Attribution to relations
 * ------------------------------------------------------------------------
 */

/* One relation's share of the output, built up column by column. */
typedef struct RelationShare
{
	ProjectionSample sample;
	bool		whole_row;
	TupleDesc	desc;			/* the relation's columns */
} RelationShare;

/*
 * Find or add the share of a relation.  Only the header is initialized: the
 * column arrays are filled as columns are added, which keeps this cheap on
 * the path every sampled SELECT takes.
 */
static RelationShare *
find_share(List **shares, Oid relid, TupleDesc desc)
{
	ListCell   *lc;
	RelationShare *share;

	foreach(lc, *shares)
	{
		share = lfirst(lc);
		if (share->sample.relid == relid)
			return share;
	}
	share = palloc(sizeof(RelationShare));
	share->sample.relid = relid;
	share->sample.all_columns = false;
	share->sample.ncolumns = 0;
	share->sample.bytes = 0;
	share->whole_row = false;
	share->desc = desc;
	*shares = lappend(*shares, share);
	return share;
}

/* Add a column to a share, keeping the list sorted; returns its slot. */
static int
share_add_column(RelationShare *share, AttrNumber attno)
{
	ProjectionSample *s = &share->sample;
	int			i;
	int			j;

	for (i = 0; i < s->ncolumns; i++)
	{
		if (s->columns[i] == attno)
			return i;
		if (s->columns[i] > attno)
			break;
	}
	if (s->ncolumns >= SCALEUP_MAX_PROJ_COLUMNS)
		return -1;
	for (j = s->ncolumns; j > i; j--)
	{
		s->columns[j] = s->columns[j - 1];
		s->column_bytes[j] = s->column_bytes[j - 1];
	}
	s->columns[i] = attno;
	s->column_bytes[i] = 0;
	s->ncolumns++;
	return i;
}

/*
 * Map a scanned column to the relation it is reported under, and return
 * that relation's tuple descriptor in *desc.  A partition's column is
 * reported under the partitioned root, by name, because attribute numbers
 * may differ between a partition and its root.  The scanned relation is
 * already open in the executor state, so the common case reads no catalog.
 */
static Oid
report_column(EState *estate, ColumnOrigin *origin, AttrNumber *attno,
			  TupleDesc *desc)
{
	PlannedStmt *stmt = estate->es_plannedstmt;
	Relation	rel = ExecGetRangeTableRelation(estate, origin->rti);
	Oid			root;
	Relation	root_rel;
	char	   *name;

	*attno = origin->attno;
	*desc = RelationGetDescr(rel);
	if (!rel->rd_rel->relispartition)
		return RelationGetRelid(rel);

	root = plan_partition_root(stmt, origin->rti);
	if (!OidIsValid(root))
		return RelationGetRelid(rel);

	if (origin->attno > 0)
	{
		name = get_attname(RelationGetRelid(rel), origin->attno, true);
		*attno = name ? get_attnum(root, name) : InvalidAttrNumber;
		if (*attno == InvalidAttrNumber)
			return InvalidOid;
	}

	/* The executor holds a lock on the root, so its descriptor is stable. */
	root_rel = RelationIdGetRelation(root);
	if (!RelationIsValid(root_rel))
		return InvalidOid;
	*desc = RelationGetDescr(root_rel);
	RelationClose(root_rel);
	return root;
}

/* Count a relation's live columns and tell whether the share has them all. */
static void
finish_share(RelationShare *share)
{
	TupleDesc	desc = share->desc;
	int			live = 0;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		live++;
		if (share->whole_row)
			share_add_column(share, att->attnum);
	}

	share->sample.all_columns = (share->sample.ncolumns == live);
}

/* Attribute one output column's bytes to the relation it comes from. */
static void
attribute_output_column(EState *estate, TargetEntry *tle, double bytes,
						List **shares)
{
	PlannedStmt *stmt = estate->es_plannedstmt;
	List	   *origins = plan_resolve_origins(stmt, stmt->planTree,
											   (Node *) tle->expr);
	TupleDesc	desc = NULL;
	ListCell   *lc;
	Oid			relid = InvalidOid;
	AttrNumber	attno = InvalidAttrNumber;
	bool		single_relation = true;
	bool		single_column = true;
	RelationShare *share;

	foreach(lc, origins)
	{
		ColumnOrigin *origin = lfirst(lc);
		RangeTblEntry *rte = rt_fetch(origin->rti, stmt->rtable);
		AttrNumber	report_attno;
		Oid			report_relid;

		if (rte->relid < FirstNormalObjectId)
			return;
		report_relid = report_column(estate, origin, &report_attno, &desc);
		if (!OidIsValid(report_relid))
			return;

		share = find_share(shares, report_relid, desc);
		if (report_attno == 0)
			share->whole_row = true;
		else
			share_add_column(share, report_attno);

		if (OidIsValid(relid) && relid != report_relid)
			single_relation = false;
		if (attno != InvalidAttrNumber && attno != report_attno)
			single_column = false;
		relid = report_relid;
		attno = report_attno;
	}

	/* Values computed from several relations are counted in none. */
	if (!OidIsValid(relid) || !single_relation)
		return;

	share = find_share(shares, relid, desc);
	share->sample.bytes += bytes;
	if (single_column && attno > 0)
	{
		int			slot = share_add_column(share, attno);

		if (slot >= 0)
			share->sample.column_bytes[slot] += bytes;
	}
}

/*
 * Record the projection samples of a finished, sampled SELECT.  weight
 * scales the counts (1 / sample rate).
 */
void
projection_record(QueryDesc *queryDesc, QueryTrack *track, double weight)
{
	PlannedStmt *stmt = queryDesc->plannedstmt;
	List	   *shares = NIL;
	ListCell   *lc;
	int			column = 0;

	if (track->column_bytes == NULL || queryDesc->operation != CMD_SELECT)
		return;

	foreach(lc, stmt->planTree->targetlist)
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->resjunk)
			continue;
		if (column >= track->ncolumns)
			break;
		attribute_output_column(queryDesc->estate, tle,
								track->column_bytes[column], &shares);
		column++;
	}

	foreach(lc, shares)
	{
		RelationShare *share = lfirst(lc);

		finish_share(share);
		store_record_projection(MyDatabaseId, stmt->queryId, &share->sample,
								weight, (double) track->rows_sent);
	}
}
