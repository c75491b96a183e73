/*-------------------------------------------------------------------------
 *
 * hooks.c
 *	  The server hooks through which pg_scaleup watches every statement.
 *
 * Every hook saves the previous one at installation and calls it (or the
 * standard function) so that other extensions keep working.
 *
 * Nesting: nesting_level counts executor and utility calls in progress, so a
 * statement run inside a function is distinguished from one a client sent.  The
 * level is restored with PG_FINALLY, so an error leaves no stale level.
 * EXECUTE, PREPARE, DEALLOCATE, DECLARE, FETCH and CLOSE do not add a level:
 * the statement they run is the client's own.
 *
 * Per-execution state (QueryTrack) lives in the executor's memory context and
 * is linked into a backend-local list while the statement runs.  A reset
 * callback on that context unlinks it, so an error, which deletes the
 * context, cannot leave a dangling entry behind.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/parallel.h"
#include "common/pg_prng.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/analyze.h"
#include "storage/ipc.h"
#include "tcop/utility.h"
#include "utils/memutils.h"
#include "utils/queryjumble.h"

#include "hooks.h"
#include "normalize.h"
#include "scaleup.h"
#include "statement.h"

static int	nesting_level = 0;
static QueryTrack *active_tracks = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;
static post_parse_analyze_hook_type prev_post_parse_analyze_hook = NULL;
static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ExecutorRun_hook_type prev_ExecutorRun = NULL;
static ExecutorFinish_hook_type prev_ExecutorFinish = NULL;
static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/*
 * Is a statement at this nesting level tracked?  Parallel workers never
 * record anything: the leader counts their rows once, from the
 * instrumentation they send back.
 */
static inline bool
tracking_enabled(int level)
{
	if (scaleup_shared == NULL || IsParallelWorker())
		return false;
	return scaleup_track == SCALEUP_TRACK_ALL ||
		(scaleup_track == SCALEUP_TRACK_TOP && level == 0);
}

/* ------------------------------------------------------------------------
 * Shared memory
 * ------------------------------------------------------------------------
 */

static void
scaleup_shmem_request_hook(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	scaleup_shmem_request();
}

static void
scaleup_shmem_startup_hook(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	scaleup_shmem_startup();
}

/* ------------------------------------------------------------------------
 * Parse analysis: the normalized text
 * ------------------------------------------------------------------------
 */

static void
make_query_key(QueryKey *key, uint64 queryid, bool toplevel)
{
	memset(key, 0, sizeof(*key));
	key->userid = GetUserId();
	key->dbid = MyDatabaseId;
	key->queryid = queryid;
	key->toplevel = toplevel;
}

/*
 * Turn the literals that normalization replaced into the tail of a parameter
 * sample; the first nextern values are placeholders for bind parameters.
 */
static void
literal_sample(ParamSample *sample, int nextern, List *literals)
{
	ListCell   *lc;
	int			i;

	memset(sample, 0, sizeof(*sample));
	sample->complete = true;
	sample->from_parse = true;

	for (i = 0; i < nextern; i++)
		param_sample_add(sample, "");
	foreach(lc, literals)
		param_sample_add(sample, (const char *) lfirst(lc));

	sample->nextern = nextern;
	sample->extern_done = (nextern == 0);
	if (nextern > 0)
		sample->complete = false;
}

/*
 * Create the entry of a query that was just parsed, with its normalized text
 * and the literal values that normalization replaced.
 */
static void
record_parsed_query(uint64 queryid, const char *source, int location,
					int len, JumbleState *jstate)
{
	QueryKey	key;
	const char *text;
	char	   *normalized;
	List	   *literals = NIL;
	ParamSample sample;

	make_query_key(&key, queryid, nesting_level == 0);
	if (store_query_exists(&key))
		return;

	text = scaleup_statement_text(source, &location, &len);

	if (jstate != NULL && jstate->clocations_count > 0)
	{
		normalized = scaleup_normalize_query(text, location, &len, jstate,
											 &literals);
		literal_sample(&sample, jstate->highest_extern_param_id, literals);
	}
	else
	{
		normalized = (char *) text;
		literal_sample(&sample, 0, NIL);
		sample.from_parse = false;
		sample.extern_done = false;
	}

	/* With sampling off, keep no values now and take none later. */
	if (!scaleup_track_parameters)
	{
		memset(&sample, 0, sizeof(sample));
		sample.extern_done = true;
	}

	store_query_text(&key, normalized, len, &sample);
}

static void
scaleup_post_parse_analyze(ParseState *pstate, Query *query,
						   JumbleState *jstate)
{
	if (prev_post_parse_analyze_hook)
		prev_post_parse_analyze_hook(pstate, query, jstate);

	if (!tracking_enabled(nesting_level) || query->queryId == UINT64CONST(0) ||
		query->utilityStmt != NULL || pstate->p_sourcetext == NULL)
		return;

	/*
	 * Without constants the source text is the normalized text, and the
	 * first execution stores it: skip the lookup here.
	 */
	if (jstate == NULL || jstate->clocations_count == 0)
		return;

	record_parsed_query(query->queryId, pstate->p_sourcetext,
						query->stmt_location, query->stmt_len, jstate);
}

/* ------------------------------------------------------------------------
 * Executor
 * ------------------------------------------------------------------------
 */

static QueryTrack *
find_track(QueryDesc *queryDesc)
{
	QueryTrack *track;

	for (track = active_tracks; track != NULL; track = track->next)
	{
		if (track->queryDesc == queryDesc)
			return track;
	}
	return NULL;
}

static void
forget_track(void *arg)
{
	QueryTrack *target = (QueryTrack *) arg;
	QueryTrack **link;

	for (link = &active_tracks; *link != NULL; link = &(*link)->next)
	{
		if (*link == target)
		{
			*link = target->next;
			return;
		}
	}
}

/* Attach tracking state to a started query, in its executor context. */
static void
start_track(QueryDesc *queryDesc, bool sampled, double weight)
{
	MemoryContext oldcxt;
	QueryTrack *track;

	oldcxt = MemoryContextSwitchTo(queryDesc->estate->es_query_cxt);

	/* The standard executor times ExecutorRun and ExecutorFinish for us. */
	if (queryDesc->totaltime == NULL)
		queryDesc->totaltime = InstrAlloc(1, INSTRUMENT_TIMER, false);

	track = palloc0(sizeof(QueryTrack));
	track->queryDesc = queryDesc;
	track->toplevel = (nesting_level == 0);
	track->sampled = sampled;
	track->weight = weight;

	track->unlink_callback.func = forget_track;
	track->unlink_callback.arg = track;
	MemoryContextRegisterResetCallback(queryDesc->estate->es_query_cxt,
									   &track->unlink_callback);

	track->next = active_tracks;
	active_tracks = track;

	MemoryContextSwitchTo(oldcxt);
}

static void
scaleup_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	bool		track;
	bool		sampled = false;
	double		rate = scaleup_sample_rate;

	/* EXPLAIN without ANALYZE, the advisor's what-if check, runs nothing. */
	track = tracking_enabled(nesting_level) &&
		queryDesc->plannedstmt->queryId != UINT64CONST(0) &&
		(eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0;

	if (track && rate > 0.0)
	{
		sampled = rate >= 1.0 || pg_prng_double(&pg_global_prng_state) < rate;
		if (sampled)
			queryDesc->instrument_options |= INSTRUMENT_ROWS;
	}

	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);

	if (track)
		start_track(queryDesc, sampled, sampled ? 1.0 / rate : 0.0);
}

static void
scaleup_ExecutorRun(QueryDesc *queryDesc, ScanDirection direction,
					uint64 count, bool execute_once)
{
	QueryTrack *volatile track = find_track(queryDesc);
	DestReceiver *volatile saved_dest = queryDesc->dest;

	if (track != NULL && track->sampled &&
		queryDesc->operation == CMD_SELECT)
		queryDesc->dest = projection_wrap_receiver(queryDesc, track);

	nesting_level++;
	PG_TRY();
	{
		if (prev_ExecutorRun)
			prev_ExecutorRun(queryDesc, direction, count, execute_once);
		else
			standard_ExecutorRun(queryDesc, direction, count, execute_once);
	}
	PG_FINALLY();
	{
		nesting_level--;
		queryDesc->dest = saved_dest;
	}
	PG_END_TRY();

	/* standard_ExecutorRun resets es_processed, so it counts this run. */
	if (track != NULL)
		track->rows += queryDesc->estate->es_processed;
}

static void
scaleup_ExecutorFinish(QueryDesc *queryDesc)
{
	nesting_level++;
	PG_TRY();
	{
		if (prev_ExecutorFinish)
			prev_ExecutorFinish(queryDesc);
		else
			standard_ExecutorFinish(queryDesc);
	}
	PG_FINALLY();
	{
		nesting_level--;
	}
	PG_END_TRY();
}

/* Add the finished execution to the stores. */
static void
record_execution(QueryDesc *queryDesc, QueryTrack *track)
{
	QueryKey	key;
	QueryExecution exec;
	QueryRecordResult result;
	ParamListInfo params = queryDesc->params;
	MemoryContext oldcxt;

	/* Allocations below die with the executor state a moment later. */
	oldcxt = MemoryContextSwitchTo(queryDesc->estate->es_query_cxt);

	InstrEndLoop(queryDesc->totaltime);

	memset(&exec, 0, sizeof(exec));
	exec.elapsed_ms = queryDesc->totaltime->total * 1000.0;
	exec.rows = track->rows;
	exec.sampled = track->sampled;
	exec.weight = track->weight;
	exec.has_bind_params = params != NULL && params->numParams > 0;

	if (track->sampled)
	{
		plan_walk_record(queryDesc, track, track->weight, &exec.seq_scans,
						 &exec.seq_rows);
		projection_record(queryDesc, track, track->weight);
	}

	make_query_key(&key, queryDesc->plannedstmt->queryId, track->toplevel);
	result = store_record_query(&key, &exec, NULL, 0);
	if (result == QUERY_NOT_FOUND)
	{
		int			location = queryDesc->plannedstmt->stmt_location;
		int			len = queryDesc->plannedstmt->stmt_len;
		const char *text = scaleup_statement_text(queryDesc->sourceText,
												  &location, &len);

		result = store_record_query(&key, &exec, text, len);
	}

	if (result == QUERY_WANTS_PARAMS && scaleup_track_parameters &&
		exec.has_bind_params)
	{
		ParamSample sample;

		if (param_sample_from_params(&sample, params))
			store_record_params(&key, &sample);
	}

	MemoryContextSwitchTo(oldcxt);
}

static void
scaleup_ExecutorEnd(QueryDesc *queryDesc)
{
	QueryTrack *track = find_track(queryDesc);

	if (track != NULL)
	{
		forget_track(track);
		if (queryDesc->totaltime != NULL && scaleup_shared != NULL)
			record_execution(queryDesc, track);
	}

	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

/* ------------------------------------------------------------------------
 * Utility statements: nesting only
 * ------------------------------------------------------------------------
 */

/* Statements whose executor work belongs to the client's own statement. */
static bool
is_transparent_utility(Node *parsetree)
{
	return IsA(parsetree, ExecuteStmt) ||
		IsA(parsetree, PrepareStmt) ||
		IsA(parsetree, DeallocateStmt) ||
		IsA(parsetree, DeclareCursorStmt) ||
		IsA(parsetree, FetchStmt) ||
		IsA(parsetree, ClosePortalStmt);
}

/* Run a utility statement one nesting level deeper, unless transparent. */
static void
run_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			ProcessUtilityContext context, ParamListInfo params,
			QueryEnvironment *queryEnv, DestReceiver *dest,
			QueryCompletion *qc)
{
	volatile bool nest = !is_transparent_utility(pstmt->utilityStmt);

	if (nest)
		nesting_level++;
	PG_TRY();
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
									params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		if (nest)
			nesting_level--;
	}
	PG_END_TRY();
}

/*
 * The core computes no query identifier for the query of a cursor, so the
 * cursor's executions would go unseen: compute it before the query is
 * planned.  It equals the identifier of the same query sent on its own.
 * Returns the statement to run, a copy when the tree was read-only.
 */
static PlannedStmt *
identify_cursor_query(PlannedStmt *pstmt, const char *queryString,
					  bool *readOnlyTree)
{
	DeclareCursorStmt *declare;
	Query	   *inner;
	JumbleState *jstate;

	if (*readOnlyTree)
	{
		pstmt = copyObject(pstmt);
		*readOnlyTree = false;
	}

	declare = (DeclareCursorStmt *) pstmt->utilityStmt;
	inner = castNode(Query, declare->query);
	if (inner->queryId != UINT64CONST(0))
		return pstmt;

	jstate = JumbleQuery(inner, queryString);
	if (inner->queryId != UINT64CONST(0))
		record_parsed_query(inner->queryId, queryString, pstmt->stmt_location,
							pstmt->stmt_len, jstate);
	return pstmt;
}

static void
scaleup_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
					   bool readOnlyTree, ProcessUtilityContext context,
					   ParamListInfo params, QueryEnvironment *queryEnv,
					   DestReceiver *dest, QueryCompletion *qc)
{
	if (IsA(pstmt->utilityStmt, DeclareCursorStmt) &&
		tracking_enabled(nesting_level) && queryString != NULL)
		pstmt = identify_cursor_query(pstmt, queryString, &readOnlyTree);

	run_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv,
				dest, qc);
}

void
scaleup_install_hooks(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = scaleup_shmem_request_hook;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = scaleup_shmem_startup_hook;
	prev_post_parse_analyze_hook = post_parse_analyze_hook;
	post_parse_analyze_hook = scaleup_post_parse_analyze;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = scaleup_ExecutorStart;
	prev_ExecutorRun = ExecutorRun_hook;
	ExecutorRun_hook = scaleup_ExecutorRun;
	prev_ExecutorFinish = ExecutorFinish_hook;
	ExecutorFinish_hook = scaleup_ExecutorFinish;
	prev_ExecutorEnd = ExecutorEnd_hook;
	ExecutorEnd_hook = scaleup_ExecutorEnd;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = scaleup_ProcessUtility;
}
