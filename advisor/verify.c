/*
 * verify.c
 *		Verification of applied indexes on measured timings; see verify.h.
 */
#include "verify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "apply_ddl.h"
#include "log.h"

/* ---- the decision ---------------------------------------------------- */

/* Calls and time since the build, counting a reset counter from zero. */
static void
delta_since_build(const QueryTiming *t, int64_t *calls, double *total_ms)
{
	if (t->now_calls < t->built_calls)
	{
		*calls = t->now_calls;
		*total_ms = t->now_total_ms;
	}
	else
	{
		*calls = t->now_calls - t->built_calls;
		*total_ms = t->now_total_ms - t->built_total_ms;
	}
}

/* Mean before the build, or a negative value when unknown. */
static double
mean_before(const QueryTiming *t)
{
	if (t->baseline_calls > 0 && t->before_calls > t->baseline_calls)
		return (t->before_total_ms - t->baseline_total_ms) /
			(double) (t->before_calls - t->baseline_calls);
	if (t->before_calls > 0)
		return t->before_total_ms / (double) t->before_calls;
	return t->evidence_mean_ms;
}

/*
 * Combine the queries of one kind (affected or writes) that have a mean
 * before the build and at least min_calls calls since it: the mean before,
 * weighted by the calls since the build, and the mean since the build.
 * Returns the number of queries combined.
 */
static int
combine(const QueryTiming *timings, int ntimings, bool writes, int64_t min_calls,
		double *before_ms, double *after_ms, int64_t *calls_total)
{
	double		weighted_before = 0;
	double		total_after = 0;
	int64_t		calls_sum = 0;
	int			combined = 0;

	for (int i = 0; i < ntimings; i++)
	{
		const QueryTiming *t = &timings[i];
		int64_t		calls;
		double		total_ms;
		double		before = mean_before(t);

		if (t->is_write != writes || before < 0)
			continue;
		delta_since_build(t, &calls, &total_ms);
		if (calls < min_calls || calls <= 0)
			continue;
		weighted_before += before * (double) calls;
		total_after += total_ms;
		calls_sum += calls;
		combined++;
	}
	*calls_total = calls_sum;
	if (calls_sum > 0)
	{
		*before_ms = weighted_before / (double) calls_sum;
		*after_ms = total_after / (double) calls_sum;
	}
	else
		*before_ms = *after_ms = NAN;
	return combined;
}

void
verify_judge(const VerifyRules *rules, const QueryTiming *timings, int ntimings,
			 double elapsed_ms, VerifyResult *result)
{
	int			measurable = 0;
	int			ready = 0;
	const QueryTiming *lagging = NULL;
	int64_t		lagging_calls = 0;
	int64_t		write_calls;
	bool		patience_over = elapsed_ms >= (double) rules->after_ms * VERIFY_PATIENCE_FACTOR;

	memset(result, 0, sizeof(*result));
	result->decision = VERIFY_WAIT;
	result->before_ms = result->after_ms = NAN;
	result->write_before_ms = result->write_after_ms = NAN;

	if (elapsed_ms < (double) rules->after_ms)
	{
		snprintf(result->reason, sizeof(result->reason),
				 "waiting: %.0f s of %.0f s since the build have passed",
				 elapsed_ms / 1000.0, (double) rules->after_ms / 1000.0);
		return;
	}

	for (int i = 0; i < ntimings; i++)
	{
		const QueryTiming *t = &timings[i];
		int64_t		calls;
		double		total_ms;

		if (t->is_write || mean_before(t) < 0)
			continue;
		measurable++;
		delta_since_build(t, &calls, &total_ms);
		if (calls >= rules->min_calls)
			ready++;
		else if (lagging == NULL)
		{
			lagging = t;
			lagging_calls = calls;
		}
	}

	if (measurable == 0)
	{
		result->decision = VERIFY_REVERT;
		snprintf(result->reason, sizeof(result->reason),
				 "no affected query has a mean time from before the build, so no gain can be shown");
		return;
	}
	if (ready < measurable && !(patience_over && ready > 0))
	{
		snprintf(result->reason, sizeof(result->reason),
				 "waiting: query %s ran %lld of the %lld calls needed since the build",
				 lagging->queryid, (long long) lagging_calls, (long long) rules->min_calls);
		return;
	}

	result->queries_judged = combine(timings, ntimings, false, rules->min_calls,
									 &result->before_ms, &result->after_ms, &result->calls);
	result->improvement = result->before_ms > 0
		? (result->before_ms - result->after_ms) / result->before_ms : 0;

	result->writes_measured = combine(timings, ntimings, true, rules->min_calls,
									  &result->write_before_ms, &result->write_after_ms,
									  &write_calls) > 0;
	if (result->writes_measured)
		result->write_slowdown = result->write_before_ms > 0
			? result->write_after_ms / result->write_before_ms - 1 : 0;

	if (result->improvement < rules->min_improvement)
	{
		result->decision = VERIFY_REVERT;
		snprintf(result->reason, sizeof(result->reason),
				 "mean time of the affected queries went from %.3f ms to %.3f ms "
				 "(%.1f%% faster), less than the required %.1f%%",
				 result->before_ms, result->after_ms, result->improvement * 100.0,
				 rules->min_improvement * 100.0);
		return;
	}
	if (result->writes_measured && result->write_slowdown > rules->max_write_slowdown)
	{
		result->decision = VERIFY_REVERT;
		snprintf(result->reason, sizeof(result->reason),
				 "mean write time on the table rose from %.3f ms to %.3f ms "
				 "(%.1f%% slower), more than the allowed %.1f%%",
				 result->write_before_ms, result->write_after_ms,
				 result->write_slowdown * 100.0, rules->max_write_slowdown * 100.0);
		return;
	}

	result->decision = VERIFY_KEEP;
	if (result->writes_measured)
		snprintf(result->reason, sizeof(result->reason),
				 "mean time of the affected queries went from %.3f ms to %.3f ms "
				 "(%.1f%% faster); mean write time went from %.3f ms to %.3f ms",
				 result->before_ms, result->after_ms, result->improvement * 100.0,
				 result->write_before_ms, result->write_after_ms);
	else
		snprintf(result->reason, sizeof(result->reason),
				 "mean time of the affected queries went from %.3f ms to %.3f ms "
				 "(%.1f%% faster); no writes on the table to compare",
				 result->before_ms, result->after_ms, result->improvement * 100.0);
}

/* ---- counters -------------------------------------------------------- */

typedef struct CounterRow
{
	char		queryid[24];
	int64_t		calls;
	double		total_ms;
	bool		is_write;
} CounterRow;

/*
 * Read the current counters of the queries in "queryids" and of the writes
 * on schema.table.  Returns the rows (malloc'd, *nrows of them), or NULL
 * after logging an error.
 */
static CounterRow *
fetch_counters(PGconn *conn, const char *target, const char *queryids,
			   const char *schema, const char *table, int *nrows)
{
	const char *params[1] = {queryids};
	PGresult   *result;
	CounterRow *rows;
	int			count = 0;

	result = PQexecParams(conn,
						  "SELECT q.queryid::text, pg_catalog.sum(q.calls)::bigint,"
						  "       pg_catalog.sum(q.total_exec_time)::float8,"
						  "       pg_catalog.min(q.query),"
						  "       pg_catalog.bool_or(q.queryid = ANY ($1::bigint[]))"
						  "  FROM scaleup.queries q"
						  " WHERE q.dbid = (SELECT d.oid FROM pg_catalog.pg_database d"
						  "                  WHERE d.datname = pg_catalog.current_database())"
						  "   AND (q.queryid = ANY ($1::bigint[])"
						  "        OR q.query ~* '^\\s*(insert|update|delete)\\M')"
						  " GROUP BY q.queryid",
						  1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(result) != PGRES_TUPLES_OK)
	{
		char	   *error = apply_result_error(result, conn);

		log_event(LOG_LEVEL_ERROR, target, "could not read scaleup.queries: %s", error);
		free(error);
		PQclear(result);
		return NULL;
	}

	rows = xcalloc((size_t) PQntuples(result) + 1, sizeof(CounterRow));
	for (int i = 0; i < PQntuples(result); i++)
	{
		bool		affected = strcmp(PQgetvalue(result, i, 4), "t") == 0;
		CounterRow *row = &rows[count];

		if (!affected && (PQgetisnull(result, i, 3) ||
						  !apply_is_write_on_table(PQgetvalue(result, i, 3), schema, table)))
			continue;
		snprintf(row->queryid, sizeof(row->queryid), "%s", PQgetvalue(result, i, 0));
		row->calls = strtoll(PQgetvalue(result, i, 1), NULL, 10);
		row->total_ms = strtod(PQgetvalue(result, i, 2), NULL);
		row->is_write = !affected;
		count++;
	}
	PQclear(result);
	*nrows = count;
	return rows;
}

bool
verify_append_snapshot(PGconn *conn, const char *target, const char *queryids,
					   const char *schema, const char *table, StrBuf *json)
{
	int			nrows;
	CounterRow *rows = fetch_counters(conn, target, queryids, schema, table, &nrows);

	if (rows == NULL)
		return false;
	strbuf_append_char(json, '{');
	for (int i = 0; i < nrows; i++)
		strbuf_appendf(json, "%s\"%s\": {\"calls\": %lld, \"total_ms\": %.6f, \"write\": %s}",
					   i > 0 ? ", " : "", rows[i].queryid, (long long) rows[i].calls,
					   rows[i].total_ms, rows[i].is_write ? "true" : "false");
	strbuf_append_char(json, '}');
	free(rows);
	return true;
}

/* ---- verification of the applied suggestions ------------------------ */

typedef struct TimingList
{
	QueryTiming *items;
	int			count;
	int			cap;
} TimingList;

static QueryTiming *
timing_find_or_add(TimingList *list, const char *queryid, bool is_write)
{
	for (int i = 0; i < list->count; i++)
		if (strcmp(list->items[i].queryid, queryid) == 0)
			return &list->items[i];
	if (list->count == list->cap)
	{
		list->cap = list->cap ? list->cap * 2 : 8;
		list->items = xrealloc(list->items, (size_t) list->cap * sizeof(QueryTiming));
	}
	memset(&list->items[list->count], 0, sizeof(QueryTiming));
	snprintf(list->items[list->count].queryid, sizeof(list->items[0].queryid), "%s", queryid);
	list->items[list->count].is_write = is_write;
	list->items[list->count].evidence_mean_ms = -1;
	return &list->items[list->count++];
}

/* Store one row of the query in load_stored_timings(). */
static void
store_timing_row(TimingList *list, const PGresult *result, int i, StrBuf *ids)
{
	const char *moment = PQgetvalue(result, i, 0);
	const char *queryid = PQgetvalue(result, i, 1);
	bool		is_write = strcmp(PQgetvalue(result, i, 4), "t") == 0;
	QueryTiming *t;

	if (PQgetisnull(result, i, 1))
		return;
	if (strcmp(moment, "evidence") == 0)
	{
		t = timing_find_or_add(list, queryid, false);
		t->is_write = false;
		if (!PQgetisnull(result, i, 3))
			t->evidence_mean_ms = strtod(PQgetvalue(result, i, 3), NULL);
		strbuf_appendf(ids, "%s%s", ids->len > 1 ? "," : "", queryid);
		return;
	}
	if (strcmp(moment, "baseline") == 0)
	{
		for (int j = 0; j < list->count; j++)
			if (strcmp(list->items[j].queryid, queryid) == 0)
			{
				list->items[j].baseline_calls = strtoll(PQgetvalue(result, i, 2), NULL, 10);
				list->items[j].baseline_total_ms = strtod(PQgetvalue(result, i, 3), NULL);
			}
		return;
	}
	t = timing_find_or_add(list, queryid, is_write);
	if (strcmp(moment, "before") == 0)
	{
		t->before_calls = strtoll(PQgetvalue(result, i, 2), NULL, 10);
		t->before_total_ms = strtod(PQgetvalue(result, i, 3), NULL);
	}
	else
	{
		t->built_calls = strtoll(PQgetvalue(result, i, 2), NULL, 10);
		t->built_total_ms = strtod(PQgetvalue(result, i, 3), NULL);
	}
}

/*
 * Fill the list with the affected queries of the suggestion's evidence, the
 * "before" and "built" counters stored in the build's action row and the
 * baselines of earlier builds, and
 * return the affected queryids as an array literal (malloc'd), or NULL after
 * logging an error.
 */
static char *
load_stored_timings(ApplySession *session, const char *suggestion_id,
					const char *action_id, TimingList *list)
{
	const char *params[2] = {suggestion_id, action_id};
	PGresult   *result;
	StrBuf		ids;

	result = PQexecParams(session->conn,
						  "SELECT 'evidence', e->>'queryid', NULL::bigint,"
						  "       (e->>'mean_ms')::float8, false"
						  "  FROM scaleup.suggestions s,"
						  "       pg_catalog.jsonb_array_elements(s.evidence) e"
						  " WHERE s.id = $1::bigint AND e ? 'queryid'"
						  " UNION ALL "
						  "SELECT m.moment, c.key, (c.value->>'calls')::bigint,"
						  "       (c.value->>'total_ms')::float8,"
						  "       coalesce((c.value->>'write')::boolean, false)"
						  "  FROM scaleup.actions a,"
						  "       (VALUES ('before'), ('built')) m(moment),"
						  "       pg_catalog.jsonb_each(a.details->m.moment) c"
						  " WHERE a.id = $2::bigint"
						  " UNION ALL "
						  "SELECT * FROM ("
						  " SELECT DISTINCT ON (c.key) 'baseline', c.key,"
						  "        (c.value->>'calls')::bigint, (c.value->>'total_ms')::float8,"
						  "        coalesce((c.value->>'write')::boolean, false)"
						  "   FROM scaleup.actions p,"
						  "        pg_catalog.jsonb_each(p.details->'built') c"
						  "  WHERE p.action = 'create_index' AND p.outcome = 'succeeded'"
						  "    AND p.id < $2::bigint"
						  "  ORDER BY c.key, p.id DESC) b",
						  2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(result) != PGRES_TUPLES_OK)
	{
		char	   *error = apply_result_error(result, session->conn);

		log_event(LOG_LEVEL_ERROR, session->target->name,
				  "could not read the counters stored for suggestion %s: %s", suggestion_id, error);
		free(error);
		PQclear(result);
		return NULL;
	}

	strbuf_init(&ids);
	strbuf_append_char(&ids, '{');
	/* Baselines apply only to the queries found, so they are read last. */
	for (int i = 0; i < PQntuples(result); i++)
		if (strcmp(PQgetvalue(result, i, 0), "baseline") != 0)
			store_timing_row(list, result, i, &ids);
	for (int i = 0; i < PQntuples(result); i++)
		if (strcmp(PQgetvalue(result, i, 0), "baseline") == 0)
			store_timing_row(list, result, i, &ids);
	strbuf_append_char(&ids, '}');
	PQclear(result);
	return strbuf_release(&ids);
}

/* JSON number, or null for NAN. */
static void
append_json_number(StrBuf *json, const char *key, double value)
{
	if (isnan(value))
		strbuf_appendf(json, "\"%s\": null", key);
	else
		strbuf_appendf(json, "\"%s\": %.6f", key, value);
}

static char *
result_details_json(const VerifyResult *verdict, double elapsed_ms, const char *decision)
{
	StrBuf		json;

	strbuf_init(&json);
	strbuf_appendf(&json, "{\"decision\": \"%s\", ", decision);
	append_json_number(&json, "before_ms", verdict->before_ms);
	strbuf_append(&json, ", ");
	append_json_number(&json, "after_ms", verdict->after_ms);
	strbuf_append(&json, ", ");
	append_json_number(&json, "improvement", verdict->improvement);
	strbuf_appendf(&json, ", \"calls_since_build\": %lld, \"queries_judged\": %d, ",
				   (long long) verdict->calls, verdict->queries_judged);
	append_json_number(&json, "write_before_ms", verdict->write_before_ms);
	strbuf_append(&json, ", ");
	append_json_number(&json, "write_after_ms", verdict->write_after_ms);
	strbuf_append(&json, ", ");
	append_json_number(&json, "write_slowdown",
					   verdict->writes_measured ? verdict->write_slowdown : NAN);
	strbuf_append(&json, ", ");
	append_json_number(&json, "seconds_since_build", elapsed_ms / 1000.0);
	strbuf_append(&json, ", \"reason\": ");
	strbuf_append_json_string(&json, verdict->reason);
	strbuf_append_char(&json, '}');
	return strbuf_release(&json);
}

static bool
store_measurement(ApplySession *session, const char *suggestion_id,
				  const VerifyResult *verdict)
{
	char		before[64];
	char		after[64];
	const char *params[3] = {suggestion_id, before, after};
	PGresult   *result;
	bool		ok;

	snprintf(before, sizeof(before), "%.6f", verdict->before_ms);
	snprintf(after, sizeof(after), "%.6f", verdict->after_ms);
	if (isnan(verdict->before_ms))
		params[1] = NULL;
	if (isnan(verdict->after_ms))
		params[2] = NULL;
	result = PQexecParams(session->conn,
						  "UPDATE scaleup.suggestions"
						  "   SET measured_before_ms = $2::float8,"
						  "       measured_after_ms = $3::float8,"
						  "       updated_at = pg_catalog.now()"
						  " WHERE id = $1::bigint",
						  3, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(result) == PGRES_COMMAND_OK;
	if (!ok)
	{
		char	   *error = apply_result_error(result, session->conn);

		log_event(LOG_LEVEL_ERROR, session->target->name,
				  "could not store the measured times of suggestion %s: %s", suggestion_id, error);
		free(error);
	}
	PQclear(result);
	return ok;
}

/*
 * Verify one applied suggestion.  Returns false when an error kept it from
 * being verified or reverted.
 */
static bool
verify_one(ApplySession *session, PGresult *applied, int row, bool ddl_allowed)
{
	const char *target = session->target->name;
	const char *suggestion_id = PQgetvalue(applied, row, 0);
	const char *table_text = PQgetvalue(applied, row, 1);
	const char *schema = PQgetvalue(applied, row, 2);
	const char *table = PQgetvalue(applied, row, 3);
	const char *index_name = PQgetvalue(applied, row, 4);
	const char *action_id = PQgetvalue(applied, row, 5);
	double		elapsed_ms = strtod(PQgetvalue(applied, row, 6), NULL);
	bool		index_exists = strcmp(PQgetvalue(applied, row, 7), "t") == 0;
	int64_t		id = strtoll(suggestion_id, NULL, 10);
	VerifyRules rules;
	VerifyResult verdict;
	TimingList timings = {0};
	char	   *queryids;
	CounterRow *now;
	int			nnow;
	char	   *details;
	bool		ok = true;

	if (!index_exists)
	{
		char		reason[256];

		snprintf(reason, sizeof(reason),
				 "index \"%s\" no longer exists: it was dropped outside scaleup-advisor before verification",
				 index_name);
		log_event(LOG_LEVEL_WARNING, target, "suggestion %s: %s", suggestion_id, reason);
		apply_action_record(session, id, "verify", NULL, "failed", reason, NULL);
		return apply_set_status(session, id, "failed", reason);
	}

	rules.after_ms = session->config->verify_after_ms;
	rules.min_calls = session->config->verify_min_calls;
	rules.min_improvement = session->config->verify_min_improvement;
	rules.max_write_slowdown = session->config->verify_max_write_slowdown;

	queryids = load_stored_timings(session, suggestion_id, action_id, &timings);
	if (queryids == NULL)
		return false;
	now = fetch_counters(session->conn, target, queryids, schema, table, &nnow);
	if (now == NULL)
	{
		free(queryids);
		free(timings.items);
		return false;
	}
	for (int i = 0; i < nnow; i++)
	{
		QueryTiming *t = NULL;

		for (int j = 0; j < timings.count; j++)
			if (strcmp(timings.items[j].queryid, now[i].queryid) == 0)
				t = &timings.items[j];
		/* A write first seen after the build has no mean before it. */
		if (t == NULL)
			continue;
		t->now_calls = now[i].calls;
		t->now_total_ms = now[i].total_ms;
	}
	free(now);
	free(queryids);

	verify_judge(&rules, timings.items, timings.count, elapsed_ms, &verdict);
	free(timings.items);

	if (verdict.decision == VERIFY_WAIT)
	{
		log_event(LOG_LEVEL_DEBUG, target, "suggestion %s (index \"%s\" on %s): %s",
				  suggestion_id, index_name, table_text, verdict.reason);
		return true;
	}

	if (verdict.decision == VERIFY_KEEP)
	{
		details = result_details_json(&verdict, elapsed_ms, "keep");
		log_event(LOG_LEVEL_INFO, target, "suggestion %s verified, index \"%s\" on %s kept: %s",
				  suggestion_id, index_name, table_text, verdict.reason);
		apply_action_record(session, id, "verify", NULL, "succeeded", NULL, details);
		ok = store_measurement(session, suggestion_id, &verdict) &&
			apply_set_status(session, id, "verified", verdict.reason);
		free(details);
		return ok;
	}

	/* VERIFY_REVERT */
	if (!ddl_allowed)
	{
		log_event(LOG_LEVEL_INFO, target,
				  "suggestion %s: index \"%s\" on %s will be dropped in the next apply window: %s",
				  suggestion_id, index_name, table_text, verdict.reason);
		return true;
	}
	details = result_details_json(&verdict, elapsed_ms, "revert");
	log_event(LOG_LEVEL_WARNING, target, "suggestion %s did not help, dropping index \"%s\" on %s: %s",
			  suggestion_id, index_name, table_text, verdict.reason);
	apply_action_record(session, id, "verify", NULL, "succeeded", NULL, details);
	free(details);
	store_measurement(session, suggestion_id, &verdict);
	{
		char	   *error = NULL;

		if (apply_drop_index(session, id, "revert_index", schema, index_name, &error))
		{
			char		reason[700];

			snprintf(reason, sizeof(reason), "reverted: %s", verdict.reason);
			ok = apply_set_status(session, id, "reverted", reason);
		}
		else
		{
			log_event(LOG_LEVEL_ERROR, target,
					  "suggestion %s: could not drop index \"%s\"; the next apply retries: %s",
					  suggestion_id, index_name, error);
			ok = false;
		}
		free(error);
	}
	return ok;
}

int
verify_applied(ApplySession *session, bool ddl_allowed)
{
	const char *params[1] = {session->target->name};
	PGresult   *result;
	int			failures = 0;

	/*
	 * One row per applied create_index suggestion with its latest successful
	 * build.  The index is looked up in the table's schema by the name the
	 * build action recorded.
	 */
	result = PQexecParams(session->conn,
						  "SELECT s.id, s.\"table\", n.nspname, c.relname,"
						  "       a.details->>'index', a.id,"
						  "       EXTRACT(EPOCH FROM pg_catalog.clock_timestamp() - a.finished_at)"
						  "         * 1000,"
						  "       EXISTS (SELECT 1 FROM pg_catalog.pg_class i"
						  "                WHERE i.relname = a.details->>'index'"
						  "                  AND i.relnamespace = c.relnamespace"
						  "                  AND i.relkind = 'i')"
						  "  FROM scaleup.suggestions s"
						  "  JOIN LATERAL (SELECT x.id, x.finished_at, x.details"
						  "                  FROM scaleup.actions x"
						  "                 WHERE x.suggestion_id = s.id"
						  "                   AND x.action = 'create_index'"
						  "                   AND x.outcome = 'succeeded'"
						  "                 ORDER BY x.id DESC LIMIT 1) a ON true"
						  "  JOIN pg_catalog.pg_class c"
						  "    ON c.oid = (a.details->>'table_oid')::oid"
						  "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
						  " WHERE s.target = $1 AND s.kind = 'create_index'"
						  "   AND s.status = 'applied'"
						  " ORDER BY s.id",
						  1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(result) != PGRES_TUPLES_OK)
	{
		char	   *error = apply_result_error(result, session->conn);

		log_event(LOG_LEVEL_ERROR, session->target->name,
				  "could not read the applied suggestions: %s", error);
		free(error);
		PQclear(result);
		return 1;
	}
	for (int row = 0; row < PQntuples(result); row++)
	{
		if (session->options->stop_requested && session->options->stop_requested())
			break;
		if (!verify_one(session, result, row, ddl_allowed))
			failures++;
	}
	PQclear(result);
	return failures;
}
