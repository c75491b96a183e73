/*-------------------------------------------------------------------------
 *
 * plan_walk.c
 *	  Scan evidence from an executed plan.
 *
 * After a sampled execution, the plan-state tree carries row counts for every
 * node (INSTRUMENT_ROWS).  This file walks that tree once, top-down, and for
 * each scan of a user table records in the scans store:
 *
 *	- the filter columns, sorted into equality, range and other comparisons,
 *	  and the constant qualifiers (a bare boolean, IS NULL) that a partial
 *	  index could carry;
 *	- the sort keys and the LIMIT above the scan, carried down from the Sort
 *	  and Limit nodes through nodes that keep order and row count;
 *	- the join keys, from the hash, merge and nested-loop join clauses above
 *	  and from comparisons with values a nested loop passes in;
 *	- executions (node loops) and rows read versus kept.
 *
 * Sequential scans are always recorded.  Index and bitmap scans are recorded
 * only when their filter threw away more rows than it kept: an index on the
 * wrong column reads as many rows as no index.
 *
 * Columns are traced through the plan's target lists (OUTER_VAR, INNER_VAR,
 * INDEX_VAR, subquery and CTE scans) back to the base relation they come
 * from.  projection.c uses the same tracing for the returned columns.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/stratnum.h"
#include "access/transam.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_operator_d.h"
#include "catalog/pg_type_d.h"
#include "executor/instrument.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "plan_walk.h"
#include "scaleup.h"

/* Deeper target-list chains than this are not traced. */
#define MAX_TRACE_DEPTH 64

/* What the nodes above a scan impose on it. */
typedef struct AboveInfo
{
	int64		limit_rows;		/* -1 when no LIMIT applies */
	int			nsort;
	List	   *sort_origins[SCALEUP_MAX_SORT_KEYS];	/* ColumnOrigin lists */
	uint8		sort_flags[SCALEUP_MAX_SORT_KEYS];
	double		parallel_loops; /* loops of the Gather above, or 0 */
} AboveInfo;

typedef struct WalkContext
{
	PlannedStmt *stmt;
	Oid			dbid;
	uint64		queryid;
	double		weight;
	Bitmapset  *initplan_params;	/* PARAM_EXEC values computed once */
	Bitmapset **join_columns;	/* per range-table index */
	int			rtable_size;
	double		seq_scans;
	double		seq_rows;
} WalkContext;

/* ------------------------------------------------------------------------
 * Tracing columns to their base relation
 * ------------------------------------------------------------------------
 */

static void resolve_expr(PlannedStmt *stmt, Plan *plan, Node *expr,
						 List **origins, int depth);

static void
add_origin(List **origins, Index rti, AttrNumber attno)
{
	ColumnOrigin *origin = palloc(sizeof(ColumnOrigin));

	origin->rti = rti;
	origin->attno = attno;
	*origins = lappend(*origins, origin);
}

/* Trace output column attno of a child plan. */
static void
resolve_child_column(PlannedStmt *stmt, Plan *child, AttrNumber attno,
					 List **origins, int depth)
{
	TargetEntry *tle;

	if (child == NULL)
		return;
	tle = get_tle_by_resno(child->targetlist, attno);
	if (tle != NULL)
		resolve_expr(stmt, child, (Node *) tle->expr, origins, depth + 1);
}

/* Trace a Var found in the target list or quals of plan. */
static void
resolve_var(PlannedStmt *stmt, Plan *plan, Var *var, List **origins,
			int depth)
{
	if (var->varno == OUTER_VAR)
	{
		ListCell   *lc;

		if (IsA(plan, Append))
		{
			foreach(lc, ((Append *) plan)->appendplans)
				resolve_child_column(stmt, lfirst(lc), var->varattno,
									 origins, depth);
		}
		else if (IsA(plan, MergeAppend))
		{
			foreach(lc, ((MergeAppend *) plan)->mergeplans)
				resolve_child_column(stmt, lfirst(lc), var->varattno,
									 origins, depth);
		}
		else
			resolve_child_column(stmt, outerPlan(plan), var->varattno,
								 origins, depth);
	}
	else if (var->varno == INNER_VAR)
		resolve_child_column(stmt, innerPlan(plan), var->varattno, origins,
							 depth);
	else if (var->varno == INDEX_VAR)
	{
		List	   *tlist = NIL;

		if (IsA(plan, IndexOnlyScan))
			tlist = ((IndexOnlyScan *) plan)->indextlist;
		else if (IsA(plan, ForeignScan))
			tlist = ((ForeignScan *) plan)->fdw_scan_tlist;
		else if (IsA(plan, CustomScan))
			tlist = ((CustomScan *) plan)->custom_scan_tlist;

		if (var->varattno > 0 && var->varattno <= list_length(tlist))
		{
			TargetEntry *tle = list_nth(tlist, var->varattno - 1);

			resolve_expr(stmt, plan, (Node *) tle->expr, origins, depth + 1);
		}
	}
	else if (!IS_SPECIAL_VARNO(var->varno) &&
			 var->varno <= list_length(stmt->rtable))
	{
		RangeTblEntry *rte = rt_fetch(var->varno, stmt->rtable);

		if (IsA(plan, SubqueryScan) &&
			((Scan *) plan)->scanrelid == var->varno)
			resolve_child_column(stmt, ((SubqueryScan *) plan)->subplan,
								 var->varattno, origins, depth);
		else if (IsA(plan, CteScan) &&
				 ((Scan *) plan)->scanrelid == var->varno)
		{
			int			plan_id = ((CteScan *) plan)->ctePlanId;

			if (plan_id > 0 && plan_id <= list_length(stmt->subplans))
				resolve_child_column(stmt, list_nth(stmt->subplans,
													plan_id - 1),
									 var->varattno, origins, depth);
		}
		else if (rte->rtekind == RTE_RELATION)
			add_origin(origins, var->varno, var->varattno);
	}
}

static void
resolve_expr(PlannedStmt *stmt, Plan *plan, Node *expr, List **origins,
			 int depth)
{
	List	   *vars;
	ListCell   *lc;

	if (expr == NULL || depth > MAX_TRACE_DEPTH)
		return;
	check_stack_depth();

	vars = pull_var_clause(expr, PVC_RECURSE_AGGREGATES |
						   PVC_RECURSE_WINDOWFUNCS |
						   PVC_RECURSE_PLACEHOLDERS);
	foreach(lc, vars)
		resolve_var(stmt, plan, (Var *) lfirst(lc), origins, depth);
	list_free(vars);
}

/*
 * Return the base-relation columns an expression evaluated at plan reads, as
 * a List of ColumnOrigin.  A whole-row reference has attno 0.
 */
List *
plan_resolve_origins(PlannedStmt *stmt, Plan *plan, Node *expr)
{
	List	   *origins = NIL;

	resolve_expr(stmt, plan, expr, &origins, 0);
	return origins;
}

/*
 * Return the partitioned table at the root of the partition tree a scanned
 * relation belongs to, or InvalidOid.  The planner's append-relation links
 * resolve partitions reached through their parent; a partition queried by
 * name needs a catalog lookup.
 */
Oid
plan_partition_root(PlannedStmt *stmt, Index rti)
{
	RangeTblEntry *rte = rt_fetch(rti, stmt->rtable);
	Oid			root = InvalidOid;
	Index		current = rti;
	bool		moved = true;

	while (moved)
	{
		ListCell   *lc;

		moved = false;
		foreach(lc, stmt->appendRelations)
		{
			AppendRelInfo *info = lfirst_node(AppendRelInfo, lc);

			if (info->child_relid == current)
			{
				RangeTblEntry *parent = rt_fetch(info->parent_relid,
												 stmt->rtable);

				if (parent->rtekind != RTE_RELATION ||
					parent->relkind != RELKIND_PARTITIONED_TABLE)
					break;
				root = parent->relid;
				current = info->parent_relid;
				moved = true;
				break;
			}
		}
	}

	if (!OidIsValid(root) && rte->rtekind == RTE_RELATION &&
		rte->relkind == RELKIND_RELATION && get_rel_relispartition(rte->relid))
	{
		List	   *ancestors = get_partition_ancestors(rte->relid);

		if (ancestors != NIL)
			root = llast_oid(ancestors);
		list_free(ancestors);
	}

	return root;
}

/* ------------------------------------------------------------------------
 * Classifying the filter of one scan
 * ------------------------------------------------------------------------
 */

typedef struct ScanQualContext
{
	WalkContext *walk;
	Scan	   *scan;
	ScanShape  *shape;
} ScanQualContext;

static void
add_column(AttrNumber *list, uint8 *n, int max, AttrNumber attno)
{
	int			i;
	int			j;

	for (i = 0; i < *n; i++)
	{
		if (list[i] == attno)
			return;
		if (list[i] > attno)
			break;
	}
	if (*n >= max)
		return;
	for (j = *n; j > i; j--)
		list[j] = list[j - 1];
	list[i] = attno;
	(*n)++;
}

static void
add_const_qual(ScanShape *shape, AttrNumber attno, ConstQualKind kind)
{
	int			i;

	for (i = 0; i < shape->n_const; i++)
	{
		if (shape->const_att[i] == attno && shape->const_kind[i] == kind)
			return;
	}
	if (shape->n_const >= SCALEUP_MAX_CONST_QUALS)
		return;
	shape->const_att[shape->n_const] = attno;
	shape->const_kind[shape->n_const] = kind;
	shape->n_const++;
}

/*
 * Return the table column a Var of the scan's filter stands for, or
 * InvalidAttrNumber.  Index-only scans name columns by index position.
 */
static AttrNumber
scan_var_attno(Scan *scan, Var *var)
{
	if (var->varno == scan->scanrelid)
		return var->varattno > 0 ? var->varattno : InvalidAttrNumber;

	if (var->varno == INDEX_VAR && IsA(scan, IndexOnlyScan))
	{
		List	   *tlist = ((IndexOnlyScan *) scan)->indextlist;

		if (var->varattno > 0 && var->varattno <= list_length(tlist))
		{
			TargetEntry *tle = list_nth(tlist, var->varattno - 1);

			if (IsA(tle->expr, Var) && ((Var *) tle->expr)->varattno > 0)
				return ((Var *) tle->expr)->varattno;
		}
	}
	return InvalidAttrNumber;
}

static Node *
strip_relabel(Node *node)
{
	while (node != NULL && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	return node;
}

/* The column a node is, or InvalidAttrNumber if it is not a plain column. */
static AttrNumber
node_column(ScanQualContext *ctx, Node *node)
{
	node = strip_relabel(node);
	if (node != NULL && IsA(node, Var))
		return scan_var_attno(ctx->scan, (Var *) node);
	return InvalidAttrNumber;
}

/* Does the expression read any column of the scanned relation? */
static bool
reads_scan_column(ScanQualContext *ctx, Node *node)
{
	List	   *vars = pull_var_clause(node, PVC_RECURSE_AGGREGATES |
									   PVC_RECURSE_WINDOWFUNCS |
									   PVC_RECURSE_PLACEHOLDERS);
	ListCell   *lc;
	bool		found = false;

	foreach(lc, vars)
	{
		Var		   *var = (Var *) lfirst(lc);

		if (var->varno == ctx->scan->scanrelid || var->varno == INDEX_VAR)
		{
			found = true;
			break;
		}
	}
	list_free(vars);
	return found;
}

/* Does the value come from a join partner (a nested-loop or SubPlan param)? */
static bool
join_param_walker(Node *node, void *context)
{
	ScanQualContext *ctx = (ScanQualContext *) context;

	if (node == NULL)
		return false;
	if (IsA(node, Param))
	{
		Param	   *param = (Param *) node;

		return param->paramkind == PARAM_EXEC &&
			!bms_is_member(param->paramid, ctx->walk->initplan_params);
	}
	return expression_tree_walker(node, join_param_walker, context);
}

/* Every column of the scan the expression reads goes to other_columns. */
static void
add_other_columns(ScanQualContext *ctx, Node *node)
{
	List	   *vars = pull_var_clause(node, PVC_RECURSE_AGGREGATES |
									   PVC_RECURSE_WINDOWFUNCS |
									   PVC_RECURSE_PLACEHOLDERS);
	ListCell   *lc;

	foreach(lc, vars)
	{
		AttrNumber	attno = scan_var_attno(ctx->scan, (Var *) lfirst(lc));

		if (attno != InvalidAttrNumber)
			add_column(ctx->shape->other, &ctx->shape->n_other,
					   SCALEUP_MAX_COLUMNS, attno);
	}
	list_free(vars);
}

/* Is "col LIKE pattern" a search a btree can serve (a fixed prefix)? */
static bool
is_prefix_like(Oid opno, Node *pattern)
{
	Const	   *c;
	char	   *pattern_text;
	bool		prefix;

	if (opno != OID_TEXT_LIKE_OP && opno != OID_BPCHAR_LIKE_OP &&
		opno != OID_NAME_LIKE_OP)
		return false;

	pattern = strip_relabel(pattern);
	if (pattern == NULL || !IsA(pattern, Const) ||
		((Const *) pattern)->constisnull)
		return false;

	c = (Const *) pattern;
	if (c->consttype != TEXTOID && c->consttype != BPCHAROID &&
		c->consttype != VARCHAROID)
		return false;

	pattern_text = TextDatumGetCString(c->constvalue);
	prefix = pattern_text[0] != '\0' && pattern_text[0] != '%' &&
		pattern_text[0] != '_' && pattern_text[0] != '\\';
	pfree(pattern_text);
	return prefix;
}

/* Classify a btree operator: 1 equality, 2 range, 0 neither. */
static int
btree_operator_class(Oid opno)
{
	List	   *interpretations = get_op_btree_interpretation(opno);
	ListCell   *lc;
	int			result = 0;

	foreach(lc, interpretations)
	{
		OpBtreeInterpretation *interp = lfirst(lc);

		if (interp->strategy == BTEqualStrategyNumber)
		{
			result = 1;
			break;
		}
		if (interp->strategy == BTLessStrategyNumber ||
			interp->strategy == BTLessEqualStrategyNumber ||
			interp->strategy == BTGreaterStrategyNumber ||
			interp->strategy == BTGreaterEqualStrategyNumber)
			result = 2;
	}
	list_free_deep(interpretations);
	return result;
}

/* col op value, value op col */
static void
classify_opexpr(ScanQualContext *ctx, OpExpr *op)
{
	Node	   *left;
	Node	   *right;
	AttrNumber	attno;
	Node	   *value;
	int			class;

	if (list_length(op->args) != 2)
	{
		add_other_columns(ctx, (Node *) op);
		return;
	}

	left = linitial(op->args);
	right = lsecond(op->args);

	if ((attno = node_column(ctx, left)) != InvalidAttrNumber &&
		!reads_scan_column(ctx, right))
		value = right;
	else if ((attno = node_column(ctx, right)) != InvalidAttrNumber &&
			 !reads_scan_column(ctx, left))
		value = left;
	else
	{
		add_other_columns(ctx, (Node *) op);
		return;
	}

	if (join_param_walker(value, ctx))
	{
		add_column(ctx->shape->join, &ctx->shape->n_join,
				   SCALEUP_MAX_COLUMNS, attno);
		return;
	}

	if (value == right && is_prefix_like(op->opno, right))
	{
		add_column(ctx->shape->range, &ctx->shape->n_range,
				   SCALEUP_MAX_COLUMNS, attno);
		return;
	}

	class = btree_operator_class(op->opno);
	if (class == 1)
		add_column(ctx->shape->eq, &ctx->shape->n_eq, SCALEUP_MAX_COLUMNS,
				   attno);
	else if (class == 2)
		add_column(ctx->shape->range, &ctx->shape->n_range,
				   SCALEUP_MAX_COLUMNS, attno);
	else
		add_column(ctx->shape->other, &ctx->shape->n_other,
				   SCALEUP_MAX_COLUMNS, attno);
}

static void
classify_clause(ScanQualContext *ctx, Node *clause)
{
	AttrNumber	attno;

	clause = strip_relabel(clause);
	if (clause == NULL)
		return;

	if (IsA(clause, BoolExpr) && ((BoolExpr *) clause)->boolop == AND_EXPR)
	{
		ListCell   *lc;

		foreach(lc, ((BoolExpr *) clause)->args)
			classify_clause(ctx, lfirst(lc));
		return;
	}

	if (IsA(clause, OpExpr))
	{
		classify_opexpr(ctx, (OpExpr *) clause);
		return;
	}

	if (IsA(clause, ScalarArrayOpExpr))
	{
		ScalarArrayOpExpr *saop = (ScalarArrayOpExpr *) clause;

		if (saop->useOr && list_length(saop->args) == 2 &&
			(attno = node_column(ctx, linitial(saop->args))) != InvalidAttrNumber &&
			!reads_scan_column(ctx, lsecond(saop->args)) &&
			btree_operator_class(saop->opno) == 1)
		{
			add_column(ctx->shape->eq, &ctx->shape->n_eq, SCALEUP_MAX_COLUMNS,
					   attno);
			return;
		}
	}
	else if (IsA(clause, NullTest))
	{
		NullTest   *test = (NullTest *) clause;

		if ((attno = node_column(ctx, (Node *) test->arg)) != InvalidAttrNumber)
		{
			if (test->nulltesttype == IS_NULL)
			{
				add_column(ctx->shape->eq, &ctx->shape->n_eq,
						   SCALEUP_MAX_COLUMNS, attno);
				add_const_qual(ctx->shape, attno, CONST_QUAL_NULL);
			}
			else
			{
				add_column(ctx->shape->other, &ctx->shape->n_other,
						   SCALEUP_MAX_COLUMNS, attno);
				add_const_qual(ctx->shape, attno, CONST_QUAL_NOT_NULL);
			}
			return;
		}
	}
	else if (IsA(clause, Var))
	{
		if ((attno = node_column(ctx, clause)) != InvalidAttrNumber)
		{
			add_column(ctx->shape->eq, &ctx->shape->n_eq, SCALEUP_MAX_COLUMNS,
					   attno);
			add_const_qual(ctx->shape, attno, CONST_QUAL_TRUE);
			return;
		}
	}
	else if (IsA(clause, BoolExpr) &&
			 ((BoolExpr *) clause)->boolop == NOT_EXPR &&
			 (attno = node_column(ctx, linitial(((BoolExpr *) clause)->args))) != InvalidAttrNumber)
	{
		add_column(ctx->shape->eq, &ctx->shape->n_eq, SCALEUP_MAX_COLUMNS,
				   attno);
		add_const_qual(ctx->shape, attno, CONST_QUAL_FALSE);
		return;
	}
	else if (IsA(clause, BooleanTest) &&
			 (attno = node_column(ctx, (Node *) ((BooleanTest *) clause)->arg)) != InvalidAttrNumber)
	{
		add_column(ctx->shape->eq, &ctx->shape->n_eq, SCALEUP_MAX_COLUMNS,
				   attno);
		return;
	}

	add_other_columns(ctx, clause);
}

static void
classify_quals(ScanQualContext *ctx, List *quals)
{
	ListCell   *lc;

	foreach(lc, quals)
		classify_clause(ctx, lfirst(lc));
}

/* ------------------------------------------------------------------------
 * The walk
 * ------------------------------------------------------------------------
 */

/* Is a user table scanned here?  System catalogs are left out. */
static bool
is_user_table(RangeTblEntry *rte)
{
	return rte->rtekind == RTE_RELATION &&
		(rte->relkind == RELKIND_RELATION || rte->relkind == RELKIND_MATVIEW) &&
		rte->relid >= FirstNormalObjectId;
}

/* The index a bitmap heap scan used, when a single one. */
static Oid
bitmap_index(Plan *plan)
{
	Plan	   *child = outerPlan(plan);

	if (child != NULL && IsA(child, BitmapIndexScan))
		return ((BitmapIndexScan *) child)->indexid;
	return InvalidOid;
}

/* Copy the sort keys above that belong to this scan's relation. */
static void
fill_sort_keys(ScanShape *shape, const AboveInfo *above, Index rti)
{
	int			i;

	for (i = 0; i < above->nsort; i++)
	{
		ListCell   *lc;
		AttrNumber	attno = InvalidAttrNumber;

		foreach(lc, above->sort_origins[i])
		{
			ColumnOrigin *origin = lfirst(lc);

			if (origin->rti == rti && origin->attno > 0)
			{
				attno = origin->attno;
				break;
			}
		}

		/* An index can only serve a prefix of the ORDER BY. */
		if (attno == InvalidAttrNumber)
			break;
		shape->sort[shape->n_sort] = attno;
		shape->sort_flags[shape->n_sort] = above->sort_flags[i];
		shape->n_sort++;
	}
}

static void
record_scan(WalkContext *ctx, PlanState *ps, const AboveInfo *above)
{
	Plan	   *plan = ps->plan;
	Scan	   *scan = (Scan *) plan;
	Instrumentation *instr = ps->instrument;
	RangeTblEntry *rte;
	ScanShape	shape;
	ScanQualContext qctx;
	double		executions;
	double		kept;
	double		removed;
	int			member;

	if (instr == NULL || scan->scanrelid == 0 ||
		scan->scanrelid > list_length(ctx->stmt->rtable))
		return;
	rte = rt_fetch(scan->scanrelid, ctx->stmt->rtable);
	if (!is_user_table(rte))
		return;

	InstrEndLoop(instr);
	if (instr->nloops <= 0)
		return;

	memset(&shape, 0, sizeof(shape));
	kept = instr->ntuples;
	removed = instr->nfiltered1;

	switch (nodeTag(plan))
	{
		case T_SeqScan:
			shape.kind = SCAN_KIND_SEQ;
			break;
		case T_IndexScan:
			shape.kind = SCAN_KIND_INDEX;
			shape.index_relid = ((IndexScan *) plan)->indexid;
			removed += instr->nfiltered2;
			break;
		case T_IndexOnlyScan:
			shape.kind = SCAN_KIND_INDEX;
			shape.index_relid = ((IndexOnlyScan *) plan)->indexid;
			removed += instr->nfiltered2;
			break;
		case T_BitmapHeapScan:
			shape.kind = SCAN_KIND_BITMAP;
			shape.index_relid = bitmap_index(plan);
			removed += instr->nfiltered2;
			break;
		default:
			return;
	}

	/* An index scan matters only when its filter discarded most rows. */
	if (shape.kind != SCAN_KIND_SEQ && removed <= kept)
		return;

	/* Workers report their loops too; count the Gather's executions. */
	executions = instr->nloops;
	if (plan->parallel_aware && above->parallel_loops > 0)
		executions = above->parallel_loops;

	shape.relid = rte->relid;
	shape.parent_relid = plan_partition_root(ctx->stmt, scan->scanrelid);
	shape.limit_rows = above->limit_rows;

	qctx.walk = ctx;
	qctx.scan = scan;
	qctx.shape = &shape;
	classify_quals(&qctx, plan->qual);
	if (IsA(plan, IndexScan))
		classify_quals(&qctx, ((IndexScan *) plan)->indexqualorig);
	else if (IsA(plan, IndexOnlyScan))
		classify_quals(&qctx, ((IndexOnlyScan *) plan)->indexqual);
	else if (IsA(plan, BitmapHeapScan))
		classify_quals(&qctx, ((BitmapHeapScan *) plan)->bitmapqualorig);

	member = -1;
	if (scan->scanrelid < ctx->rtable_size)
	{
		while ((member = bms_next_member(ctx->join_columns[scan->scanrelid],
										 member)) >= 0)
			add_column(shape.join, &shape.n_join, SCALEUP_MAX_COLUMNS,
					   (AttrNumber) member);
	}

	fill_sort_keys(&shape, above, scan->scanrelid);

	if (shape.kind == SCAN_KIND_SEQ)
	{
		ctx->seq_scans += executions;
		ctx->seq_rows += kept + removed;
	}

	store_record_scan(ctx->dbid, ctx->queryid, &shape,
					  executions * ctx->weight,
					  (kept + removed) * ctx->weight,
					  kept * ctx->weight);
}

/* Note the columns that hash, merge and nested-loop join clauses compare. */
static void
note_join_columns(WalkContext *ctx, Plan *plan)
{
	List	   *clauses;
	List	   *origins;
	ListCell   *lc;

	switch (nodeTag(plan))
	{
		case T_HashJoin:
			clauses = ((HashJoin *) plan)->hashclauses;
			break;
		case T_MergeJoin:
			clauses = ((MergeJoin *) plan)->mergeclauses;
			break;
		case T_NestLoop:
			clauses = ((Join *) plan)->joinqual;
			break;
		default:
			return;
	}

	origins = plan_resolve_origins(ctx->stmt, plan, (Node *) clauses);
	foreach(lc, origins)
	{
		ColumnOrigin *origin = lfirst(lc);

		if (origin->attno > 0 && origin->rti < ctx->rtable_size)
			ctx->join_columns[origin->rti] =
				bms_add_member(ctx->join_columns[origin->rti], origin->attno);
	}
}

/* Take the sort keys of a Sort (or Incremental Sort) node. */
static void
note_sort(WalkContext *ctx, Sort *sort, AboveInfo *next)
{
	int			i;

	next->nsort = 0;
	for (i = 0; i < sort->numCols && i < SCALEUP_MAX_SORT_KEYS; i++)
	{
		TargetEntry *tle = get_tle_by_resno(sort->plan.targetlist,
											sort->sortColIdx[i]);
		Oid			opfamily;
		Oid			opcintype;
		int16		strategy;
		uint8		flags = 0;

		if (tle == NULL)
			break;
		if (get_ordering_op_properties(sort->sortOperators[i], &opfamily,
									   &opcintype, &strategy) &&
			strategy == BTGreaterStrategyNumber)
			flags |= SORT_KEY_DESC;
		if (sort->nullsFirst[i])
			flags |= SORT_KEY_NULLS_FIRST;

		next->sort_origins[i] = plan_resolve_origins(ctx->stmt, (Plan *) sort,
													 (Node *) tle->expr);
		next->sort_flags[i] = flags;
		next->nsort++;
	}
}

static void walk_planstate(WalkContext *ctx, PlanState *ps,
						   const AboveInfo *above);

static void
walk_list(WalkContext *ctx, PlanState **states, int n, const AboveInfo *above)
{
	int			i;

	for (i = 0; i < n; i++)
		walk_planstate(ctx, states[i], above);
}

/* Collect the params InitPlans compute once, so they read as constants. */
static void
note_initplans(WalkContext *ctx, PlanState *ps)
{
	ListCell   *lc;

	foreach(lc, ps->initPlan)
	{
		SubPlanState *sps = lfirst(lc);
		ListCell   *lp;

		foreach(lp, sps->subplan->setParam)
			ctx->initplan_params = bms_add_member(ctx->initplan_params,
												  lfirst_int(lp));
	}
}

static void
walk_planstate(WalkContext *ctx, PlanState *ps, const AboveInfo *above)
{
	AboveInfo	next = *above;
	Plan	   *plan;

	if (ps == NULL)
		return;
	check_stack_depth();
	plan = ps->plan;

	switch (nodeTag(plan))
	{
		case T_SeqScan:
		case T_IndexScan:
		case T_IndexOnlyScan:
		case T_BitmapHeapScan:
			record_scan(ctx, ps, above);
			return;

		case T_Limit:
			{
				LimitState *ls = (LimitState *) ps;

				next.limit_rows = ls->noCount ? -1 : ls->offset + ls->count;
				break;
			}

		case T_Sort:
		case T_IncrementalSort:
			note_sort(ctx, (Sort *) plan, &next);
			break;

		case T_Gather:
		case T_GatherMerge:
			if (ps->instrument != NULL)
			{
				InstrEndLoop(ps->instrument);
				next.parallel_loops = ps->instrument->nloops;
			}
			break;

		case T_HashJoin:
		case T_MergeJoin:
		case T_NestLoop:
			note_join_columns(ctx, plan);
			next.limit_rows = -1;
			break;

		case T_Unique:
			next.limit_rows = -1;
			break;

		case T_Hash:
		case T_Result:
		case T_Material:
		case T_Memoize:
		case T_Append:
		case T_MergeAppend:
		case T_SubqueryScan:
		case T_LockRows:
			/* These keep both the order and the row count of their input. */
			break;

		default:
			/* Aggregation, window functions, set operations and the rest. */
			next.limit_rows = -1;
			next.nsort = 0;
			break;
	}

	note_initplans(ctx, ps);

	walk_planstate(ctx, outerPlanState(ps), &next);
	walk_planstate(ctx, innerPlanState(ps), &next);

	switch (nodeTag(plan))
	{
		case T_Append:
			walk_list(ctx, ((AppendState *) ps)->appendplans,
					  ((AppendState *) ps)->as_nplans, &next);
			break;
		case T_MergeAppend:
			walk_list(ctx, ((MergeAppendState *) ps)->mergeplans,
					  ((MergeAppendState *) ps)->ms_nplans, &next);
			break;
		case T_SubqueryScan:
			walk_planstate(ctx, ((SubqueryScanState *) ps)->subplan, &next);
			break;
		case T_CustomScan:
			{
				ListCell   *lc;

				foreach(lc, ((CustomScanState *) ps)->custom_ps)
					walk_planstate(ctx, lfirst(lc), &next);
				break;
			}
		default:
			break;
	}
}

/*
 * Record the scans of a finished, sampled execution and return the number of
 * sequential-scan executions and rows they read (not scaled).  weight scales
 * the recorded counters.  Must be called before the executor state is freed.
 */
void
plan_walk_record(QueryDesc *queryDesc, QueryTrack *track, double weight,
				 double *seq_scans, double *seq_rows)
{
	WalkContext ctx;
	AboveInfo	top;
	ListCell   *lc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.stmt = queryDesc->plannedstmt;
	ctx.dbid = MyDatabaseId;
	ctx.queryid = queryDesc->plannedstmt->queryId;
	ctx.weight = weight;
	ctx.rtable_size = list_length(ctx.stmt->rtable) + 1;
	ctx.join_columns = palloc0(ctx.rtable_size * sizeof(Bitmapset *));

	memset(&top, 0, sizeof(top));
	top.limit_rows = -1;

	/* InitPlans hang off the nodes; collect their params before the walk. */
	note_initplans(&ctx, queryDesc->planstate);

	walk_planstate(&ctx, queryDesc->planstate, &top);

	/* SubPlans, InitPlans and CTEs, each from its own top. */
	foreach(lc, queryDesc->estate->es_subplanstates)
		walk_planstate(&ctx, (PlanState *) lfirst(lc), &top);

	*seq_scans = ctx.seq_scans;
	*seq_rows = ctx.seq_rows;
}
