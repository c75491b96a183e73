/*-------------------------------------------------------------------------
 *
 * plan_walk.h
 *	  Tracing plan columns back to the base relations they come from.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCALEUP_PLAN_WALK_H
#define SCALEUP_PLAN_WALK_H

#include "nodes/plannodes.h"

/* A column of a base relation, by range-table index and attribute number. */
typedef struct ColumnOrigin
{
	Index		rti;
	AttrNumber	attno;			/* 0 for a whole-row reference */
} ColumnOrigin;

extern List *plan_resolve_origins(PlannedStmt *stmt, Plan *plan, Node *expr);
extern Oid	plan_partition_root(PlannedStmt *stmt, Index rti);

#endif							/* SCALEUP_PLAN_WALK_H */
