/*
 * apply.c
 *		Applying stored suggestions with CREATE and DROP INDEX CONCURRENTLY;
 *		see apply.h for the order of the steps.
 *
 * Safety rules the code below keeps:
 *
 * - Nothing runs on a standby, and nothing runs without the advisory lock,
 *   so a second advisor can never build next to us and the start-up
 *   clean-up can never drop an index another advisor is still building.
 * - The DDL that runs is rebuilt from the parsed suggestion with every name
 *   quoted by PQescapeIdentifier, and sent with PQexecParams, which the
 *   server rejects when it contains more than one statement.  Each statement
 *   runs alone outside a transaction block, as CONCURRENTLY requires.
 * - A failed concurrent build leaves an INVALID index behind; it is dropped
 *   at once, and again at the next start when the session was lost.
 * - The session sets client_connection_check_interval, so a build whose
 *   advisor died is cancelled by the server instead of running on.
 */
#include "apply.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply_ddl.h"
#include "conn.h"
#include "log.h"
#include "sqlquote.h"
#include "strbuf.h"
#include "verify.h"

/* Attempts of a DROP INDEX CONCURRENTLY that fails on lock_timeout. */
#define DROP_ATTEMPTS 3

/* Seconds between two attempts to take a busy apply lock. */
#define LOCK_POLL_SECONDS 1

/* How often the server checks that the advisor is still connected. */
#define CLIENT_CHECK_INTERVAL "1s"

/* SQLSTATE lock_not_available, raised by lock_timeout. */
#define SQLSTATE_LOCK_NOT_AVAILABLE "55P03"

/* The outcome of one suggestion. */
typedef enum
{
	STEP_DONE,					/* applied, or skipped with a recorded reason */
	STEP_FAILED,				/* failed and recorded; go on with the next */
	STEP_FATAL					/* the connection is lost: stop */
} StepResult;

char *
apply_result_error(const PGresult *result, PGconn *conn)
{
	const char *message = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
	StrBuf		text;

	strbuf_init(&text);
	if (message != NULL)
	{
		strbuf_append(&text, message);
		if (sqlstate != NULL)
			strbuf_appendf(&text, " (SQLSTATE %s)", sqlstate);
	}
	else
		strbuf_append(&text, conn_error_message(conn));
	return strbuf_release(&text);
}

static bool
result_is_lock_timeout(const PGresult *result)
{
	const char *sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);

	return sqlstate != NULL && strcmp(sqlstate, SQLSTATE_LOCK_NOT_AVAILABLE) == 0;
}

/* Run a statement with parameters; on failure log "what" and return NULL. */
static PGresult *
run_query(ApplySession *session, const char *what, const char *sql,
		  int nparams, const char *const *params, ExecStatusType expected)
{
	PGresult   *result = PQexecParams(session->conn, sql, nparams, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(result) != expected)
	{
		char	   *error = apply_result_error(result, session->conn);

		log_event(LOG_LEVEL_ERROR, session->target->name, "could not %s: %s", what, error);
		free(error);
		PQclear(result);
		return NULL;
	}
	return result;
}

/* ---- scaleup.actions and scaleup.suggestions ------------------------- */

int64_t
apply_action_begin(ApplySession *session, int64_t suggestion_id, const char *action,
				   const char *sql, const char *details_json)
{
	char		id_text[32];
	const char *params[5];
	PGresult   *result;
	int64_t		action_id;

	snprintf(id_text, sizeof(id_text), "%lld", (long long) suggestion_id);
	params[0] = suggestion_id > 0 ? id_text : NULL;
	params[1] = session->target->name;
	params[2] = action;
	params[3] = sql;
	params[4] = details_json;
	result = run_query(session, "record the action in scaleup.actions",
					   "INSERT INTO scaleup.actions"
					   "       (suggestion_id, target, action, sql, started_at, outcome, details)"
					   " VALUES ($1::bigint, $2, $3, $4, pg_catalog.clock_timestamp(), 'running',"
					   "         $5::jsonb)"
					   " RETURNING id",
					   5, params, PGRES_TUPLES_OK);
	if (result == NULL)
		return 0;
	action_id = strtoll(PQgetvalue(result, 0, 0), NULL, 10);
	PQclear(result);
	return action_id;
}

void
apply_action_finish(ApplySession *session, int64_t action_id, const char *outcome,
					const char *error, const char *details_json)
{
	char		id_text[32];
	const char *params[4];
	PGresult   *result;

	if (action_id <= 0)
		return;
	snprintf(id_text, sizeof(id_text), "%lld", (long long) action_id);
	params[0] = id_text;
	params[1] = outcome;
	params[2] = error;
	params[3] = details_json;
	result = run_query(session, "finish the action in scaleup.actions",
					   "UPDATE scaleup.actions"
					   "   SET outcome = $2, error = $3, finished_at = pg_catalog.clock_timestamp(),"
					   "       details = CASE WHEN $4::jsonb IS NULL THEN details"
					   "                      ELSE coalesce(details, '{}') || $4::jsonb END"
					   " WHERE id = $1::bigint",
					   4, params, PGRES_COMMAND_OK);
	PQclear(result);
}

void
apply_action_record(ApplySession *session, int64_t suggestion_id, const char *action,
					const char *sql, const char *outcome, const char *error,
					const char *details_json)
{
	int64_t		action_id = apply_action_begin(session, suggestion_id, action, sql, details_json);

	apply_action_finish(session, action_id, outcome, error, NULL);
}

bool
apply_set_status(ApplySession *session, int64_t suggestion_id, const char *status,
				 const char *reason)
{
	char		id_text[32];
	const char *params[3];
	PGresult   *result;

	snprintf(id_text, sizeof(id_text), "%lld", (long long) suggestion_id);
	params[0] = id_text;
	params[1] = status;
	params[2] = reason;
	result = run_query(session, "update the status in scaleup.suggestions",
					   "UPDATE scaleup.suggestions"
					   "   SET status = $2, status_reason = $3, updated_at = pg_catalog.now()"
					   " WHERE id = $1::bigint",
					   3, params, PGRES_COMMAND_OK);
	if (result == NULL)
		return false;
	PQclear(result);
	return true;
}

/* ---- dropping indexes ------------------------------------------------ */

bool
apply_drop_index(ApplySession *session, int64_t suggestion_id, const char *action,
				 const char *schema, const char *index_name, char **error)
{
	StrBuf		sql;
	int64_t		action_id;
	bool		dropped = false;

	*error = NULL;
	strbuf_init(&sql);
	strbuf_append(&sql, "DROP INDEX CONCURRENTLY IF EXISTS ");
	if (!sql_append_qualified(&sql, session->conn, schema, index_name))
	{
		*error = xstrdup(conn_error_message(session->conn));
		strbuf_free(&sql);
		return false;
	}

	action_id = apply_action_begin(session, suggestion_id, action, sql.data, NULL);
	for (int attempt = 1; attempt <= DROP_ATTEMPTS; attempt++)
	{
		PGresult   *result = PQexecParams(session->conn, sql.data, 0, NULL, NULL, NULL, NULL, 0);
		bool		retry;

		if (PQresultStatus(result) == PGRES_COMMAND_OK)
		{
			PQclear(result);
			dropped = true;
			break;
		}
		free(*error);
		*error = apply_result_error(result, session->conn);
		retry = result_is_lock_timeout(result) && attempt < DROP_ATTEMPTS;
		PQclear(result);
		if (PQstatus(session->conn) != CONNECTION_OK || !retry)
			break;
		log_event(LOG_LEVEL_WARNING, session->target->name,
				  "could not drop index \"%s\".\"%s\" (attempt %d of %d), retrying in %d s: %s",
				  schema, index_name, attempt, DROP_ATTEMPTS, attempt, *error);
		sleep((unsigned int) attempt);
	}

	if (dropped)
	{
		free(*error);
		*error = NULL;
		log_event(LOG_LEVEL_INFO, session->target->name, "dropped index \"%s\".\"%s\"",
				  schema, index_name);
		apply_action_finish(session, action_id, "succeeded", NULL, NULL);
	}
	else if (PQstatus(session->conn) == CONNECTION_OK)
		apply_action_finish(session, action_id, "failed", *error, NULL);
	strbuf_free(&sql);
	return dropped;
}

/* ---- preconditions --------------------------------------------------- */

/* Returns 1 when the target is a standby or unreachable, after logging why. */
static int
check_primary(ApplySession *session)
{
	PGresult   *result = run_query(session, "check whether the server is a standby",
								   "SELECT pg_catalog.pg_is_in_recovery()", 0, NULL,
								   PGRES_TUPLES_OK);
	bool		standby;

	if (result == NULL)
		return 1;
	standby = strcmp(PQgetvalue(result, 0, 0), "t") == 0;
	PQclear(result);
	if (standby)
	{
		log_event(LOG_LEVEL_ERROR, session->target->name,
				  "cannot apply suggestions on a standby server: pg_is_in_recovery() is true; "
				  "point the target at the primary");
		return 1;
	}
	return 0;
}

static bool
inside_window(const AdvisorConfig *config)
{
	time_t		now = time(NULL);
	struct tm	utc;

	gmtime_r(&now, &utc);
	return config_window_contains(&config->apply_window, utc.tm_hour * 60 + utc.tm_min);
}

/*
 * Take the advisory lock.  Returns 1 when it is held, 0 when the daemon
 * skips because another session holds it, and -1 on an error.
 */
static int
take_lock(ApplySession *session)
{
	PGresult   *result;
	bool		locked;
	char	   *holder = NULL;

	result = run_query(session, "take the advisory lock",
					   "SELECT pg_catalog.pg_try_advisory_lock(" APPLY_LOCK_KEY ")",
					   0, NULL, PGRES_TUPLES_OK);
	if (result == NULL)
		return -1;
	locked = strcmp(PQgetvalue(result, 0, 0), "t") == 0;
	PQclear(result);
	if (locked)
		return 1;

	/* Name the holder: pg_locks splits a bigint key into classid and objid. */
	result = PQexec(session->conn,
					"SELECT pg_catalog.string_agg(pid::text, ', ') FROM pg_catalog.pg_locks"
					" WHERE locktype = 'advisory' AND granted AND objsubid = 1"
					"   AND database = (SELECT oid FROM pg_catalog.pg_database"
					"                    WHERE datname = pg_catalog.current_database())"
					"   AND ((classid::bigint << 32) | objid::bigint) = " APPLY_LOCK_KEY);
	if (PQresultStatus(result) == PGRES_TUPLES_OK && !PQgetisnull(result, 0, 0))
		holder = xstrdup(PQgetvalue(result, 0, 0));
	PQclear(result);

	if (!session->options->wait_for_lock)
	{
		log_event(LOG_LEVEL_INFO, session->target->name,
				  "another session (pid %s) holds the apply lock %s on this database; skipping apply in this cycle",
				  holder ? holder : "unknown", APPLY_LOCK_KEY);
		free(holder);
		return 0;
	}
	log_event(LOG_LEVEL_INFO, session->target->name,
			  "another session (pid %s) holds the apply lock %s on this database; waiting for it",
			  holder ? holder : "unknown", APPLY_LOCK_KEY);
	free(holder);

	/*
	 * Poll instead of calling pg_advisory_lock(): a session blocked in that
	 * call is a running transaction, which the other session's CREATE INDEX
	 * CONCURRENTLY waits for, so each would wait for the other until the
	 * deadlock detector cancels one of them.
	 */
	while (!locked)
	{
		if (session->options->stop_requested && session->options->stop_requested())
			return 0;
		sleep(LOCK_POLL_SECONDS);
		result = run_query(session, "take the advisory lock",
						   "SELECT pg_catalog.pg_try_advisory_lock(" APPLY_LOCK_KEY ")",
						   0, NULL, PGRES_TUPLES_OK);
		if (result == NULL)
			return -1;
		locked = strcmp(PQgetvalue(result, 0, 0), "t") == 0;
		PQclear(result);
	}
	log_event(LOG_LEVEL_INFO, session->target->name, "apply lock acquired");
	return 1;
}

/* Set the session's timeouts for DDL; false after logging an error. */
static bool
set_timeouts(ApplySession *session)
{
	char		lock_timeout[32];
	char		statement_timeout[32];
	const char *params[3] = {lock_timeout, statement_timeout, CLIENT_CHECK_INTERVAL};
	PGresult   *result;

	snprintf(lock_timeout, sizeof(lock_timeout), "%lldms",
			 (long long) session->config->apply_lock_timeout_ms);
	snprintf(statement_timeout, sizeof(statement_timeout), "%lldms",
			 (long long) session->config->apply_statement_timeout_ms);
	result = run_query(session, "set the timeouts of the apply session",
					   "SELECT pg_catalog.set_config('lock_timeout', $1, false),"
					   "       pg_catalog.set_config('statement_timeout', $2, false),"
					   "       pg_catalog.set_config('client_connection_check_interval', $3, false)",
					   3, params, PGRES_TUPLES_OK);
	if (result == NULL)
		return false;
	PQclear(result);
	return true;
}

/* ---- clean-up after an interrupted apply ----------------------------- */

/*
 * Close the action rows of a session that ended mid-step, then drop the
 * INVALID indexes with our prefix.  The caller holds the advisory lock, so
 * no other advisor is running a step on this database.  Indexes that a
 * REINDEX CONCURRENTLY is building ("_ccnew") or that some session is still
 * building are left alone.  Returns the number of leftovers not dropped.
 */
static int
clean_up_interrupted(ApplySession *session)
{
	PGresult   *result;
	int			failures = 0;

	result = run_query(session, "close the interrupted actions",
					   "UPDATE scaleup.actions"
					   "   SET outcome = 'failed', finished_at = pg_catalog.clock_timestamp(),"
					   "       error = 'interrupted: the advisor session that ran this step ended before it finished'"
					   " WHERE outcome = 'running'"
					   " RETURNING id, coalesce(suggestion_id::text, 'none'), action, target",
					   0, NULL, PGRES_TUPLES_OK);
	if (result == NULL)
		return 1;
	for (int i = 0; i < PQntuples(result); i++)
		log_event(LOG_LEVEL_WARNING, session->target->name,
				  "action %s (%s of suggestion %s, target \"%s\") was interrupted; marked failed",
				  PQgetvalue(result, i, 0), PQgetvalue(result, i, 2),
				  PQgetvalue(result, i, 1), PQgetvalue(result, i, 3));
	PQclear(result);

	result = run_query(session, "look for INVALID indexes left by an interrupted build",
					   "SELECT n.nspname, c.relname, i.indrelid::pg_catalog.regclass::text"
					   "  FROM pg_catalog.pg_index i"
					   "  JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
					   "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
					   " WHERE NOT i.indisvalid"
					   "   AND c.relname LIKE '" APPLY_INDEX_PREFIX "%'"
					   "   AND c.relname !~ '_cc(new|old)[0-9]*$'"
					   "   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_progress_create_index p"
					   "                    WHERE p.index_relid = c.oid)"
					   " ORDER BY n.nspname, c.relname",
					   0, NULL, PGRES_TUPLES_OK);
	if (result == NULL)
		return 1;
	for (int i = 0; i < PQntuples(result); i++)
	{
		const char *schema = PQgetvalue(result, i, 0);
		const char *index_name = PQgetvalue(result, i, 1);
		char	   *error = NULL;

		log_event(LOG_LEVEL_WARNING, session->target->name,
				  "found INVALID index \"%s\".\"%s\" on %s left by a failed or interrupted build; dropping it",
				  schema, index_name, PQgetvalue(result, i, 2));
		if (!apply_drop_index(session, 0, "drop_invalid_index", schema, index_name, &error))
		{
			log_event(LOG_LEVEL_ERROR, session->target->name,
					  "could not drop INVALID index \"%s\".\"%s\"; the next apply retries: %s",
					  schema, index_name, error);
			failures++;
		}
		free(error);
		if (PQstatus(session->conn) != CONNECTION_OK)
		{
			failures++;
			break;
		}
	}
	PQclear(result);
	return failures;
}

/* ---- the suggestions to apply ---------------------------------------- */

/* Columns of the query in load_suggestions(). */
enum
{
	SUG_ID,
	SUG_KIND,
	SUG_STATUS,
	SUG_TABLE,
	SUG_INDEX_NAME,
	SUG_SQL,
	SUG_QUERYIDS
};

static PGresult *
load_suggestions(ApplySession *session)
{
	const ApplyOptions *options = session->options;
	StrBuf		ids;
	const char *params[4];
	PGresult   *result;

	/*
	 * $4, allow_drop_in_auto, lets auto mode apply pending drops too.
	 * NOTE: auto mode takes every pending row of the target, including rows
	 * an earlier cycle stored that the latest analysis no longer selects.
	 */
	strbuf_init(&ids);
	strbuf_append_char(&ids, '{');
	for (int i = 0; i < options->nids; i++)
		strbuf_appendf(&ids, "%s%lld", i > 0 ? "," : "", (long long) options->ids[i]);
	strbuf_append_char(&ids, '}');

	params[0] = session->target->name;
	params[1] = options->selection == APPLY_NAMED ? "named"
		: options->selection == APPLY_AUTO ? "auto" : "approved";
	params[2] = ids.data;
	params[3] = session->config->allow_drop_in_auto ? "true" : "false";
	result = run_query(session, "read scaleup.suggestions",
					   "SELECT s.id, s.kind, s.status, s.\"table\", s.index_name, s.sql,"
					   "       '{' || coalesce((SELECT pg_catalog.string_agg(e->>'queryid', ',')"
					   "                          FROM pg_catalog.jsonb_array_elements("
					   "                                 CASE WHEN pg_catalog.jsonb_typeof(s.evidence) = 'array'"
					   "                                      THEN s.evidence ELSE '[]' END) e"
					   "                         WHERE e->>'queryid' ~ '^-?[0-9]+$'), '') || '}'"
					   "  FROM scaleup.suggestions s"
					   " WHERE s.target = $1"
					   "   AND CASE $2"
					   "       WHEN 'named' THEN s.id = ANY ($3::bigint[])"
					   "       WHEN 'approved' THEN s.status = 'approved'"
					   "                        AND s.kind IN ('create_index', 'drop_index')"
					   "       ELSE (s.status = 'approved' AND s.kind IN ('create_index', 'drop_index'))"
					   "         OR (s.status = 'pending' AND s.kind = 'create_index')"
					   "         OR (s.status = 'pending' AND s.kind = 'drop_index' AND $4::boolean)"
					   "       END"
					   " ORDER BY s.id",
					   4, params, PGRES_TUPLES_OK);
	strbuf_free(&ids);
	return result;
}

/* Log each named id that is not a suggestion of this target; returns their number. */
static int
report_missing_ids(ApplySession *session, const PGresult *suggestions)
{
	int			missing = 0;

	for (int i = 0; i < session->options->nids; i++)
	{
		bool		found = false;

		for (int row = 0; row < PQntuples(suggestions); row++)
			if (strtoll(PQgetvalue(suggestions, row, SUG_ID), NULL, 10) == session->options->ids[i])
				found = true;
		if (!found)
		{
			log_event(LOG_LEVEL_ERROR, session->target->name,
					  "suggestion %lld not found for target \"%s\"; run \"scaleup-advisor review\" to list the ids",
					  (long long) session->options->ids[i], session->target->name);
			missing++;
		}
	}
	return missing;
}

/* A table resolved in the catalog. */
typedef struct TableRef
{
	char		oid[16];
	char	   *schema;
	char	   *name;
} TableRef;

static void
table_ref_free(TableRef *table)
{
	free(table->schema);
	free(table->name);
}

/*
 * Look up a table by a possibly qualified, possibly quoted name.  Returns
 * false when it does not exist (or the lookup failed, which is logged).
 */
static bool
resolve_table(ApplySession *session, const char *name, TableRef *table)
{
	const char *params[1] = {name};
	PGresult   *result;
	bool		found;

	memset(table, 0, sizeof(*table));
	result = run_query(session, "look up the table",
					   "SELECT c.oid, n.nspname, c.relname"
					   "  FROM pg_catalog.pg_class c"
					   "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
					   " WHERE c.oid = pg_catalog.to_regclass($1)"
					   "   AND c.relkind IN ('r', 'p', 'm')",
					   1, params, PGRES_TUPLES_OK);
	if (result == NULL)
		return false;
	found = PQntuples(result) == 1;
	if (found)
	{
		snprintf(table->oid, sizeof(table->oid), "%s", PQgetvalue(result, 0, 0));
		table->schema = xstrdup(PQgetvalue(result, 0, 1));
		table->name = xstrdup(PQgetvalue(result, 0, 2));
	}
	PQclear(result);
	return found;
}

/*
 * Find a valid btree index on the table whose leading key columns are
 * "columns", or an index called index_name in the table's schema.  Returns
 * its name (malloc'd) and sets *same_name, or NULL when there is none.
 */
static char *
find_equivalent_index(ApplySession *session, const TableRef *table,
					  const StrList *columns, const char *index_name, bool *same_name)
{
	const char *params[3] = {table->oid, index_name, table->schema};
	PGresult   *result;
	char	   *found = NULL;
	int			row = 0;

	*same_name = false;
	result = run_query(session, "look for an equivalent index",
					   "SELECT ic.relname, k.ord, a.attname, ic.relname = $2"
					   "  FROM pg_catalog.pg_index i"
					   "  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
					   "  JOIN pg_catalog.pg_am am ON am.oid = ic.relam"
					   "  CROSS JOIN LATERAL pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)"
					   "  LEFT JOIN pg_catalog.pg_attribute a"
					   "         ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum <> 0"
					   " WHERE i.indrelid = $1::oid AND i.indisvalid AND i.indpred IS NULL"
					   "   AND am.amname = 'btree' AND k.ord <= i.indnkeyatts"
					   " UNION ALL "
					   "SELECT c.relname, 0, NULL, true"
					   "  FROM pg_catalog.pg_class c"
					   "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
					   " WHERE c.relname = $2 AND n.nspname = $3"
					   " ORDER BY 1, 2",
					   3, params, PGRES_TUPLES_OK);
	if (result == NULL)
		return NULL;

	while (row < PQntuples(result) && found == NULL)
	{
		const char *name = PQgetvalue(result, row, 0);
		StrList		keys = {0};
		bool		named_alike = false;
		bool		expression_seen = false;

		for (; row < PQntuples(result) && strcmp(PQgetvalue(result, row, 0), name) == 0; row++)
		{
			if (strcmp(PQgetvalue(result, row, 3), "t") == 0)
				named_alike = true;
			if (strcmp(PQgetvalue(result, row, 1), "0") == 0)
				continue;
			if (PQgetisnull(result, row, 2))
				expression_seen = true;
			else if (!expression_seen)
				strlist_append(&keys, PQgetvalue(result, row, 2));
		}
		if (named_alike)
		{
			found = xstrdup(name);
			*same_name = true;
		}
		else if (apply_index_is_equivalent(&keys, columns))
			found = xstrdup(name);
		strlist_free(&keys);
	}
	PQclear(result);
	return found;
}

/* True when schema contains an INVALID index called index_name. */
static bool
invalid_index_exists(ApplySession *session, const char *schema, const char *index_name)
{
	const char *params[2] = {schema, index_name};
	PGresult   *result = run_query(session, "look for an INVALID index",
								   "SELECT 1 FROM pg_catalog.pg_index i"
								   "  JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
								   "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
								   " WHERE n.nspname = $1 AND c.relname = $2 AND NOT i.indisvalid",
								   2, params, PGRES_TUPLES_OK);
	bool		exists;

	if (result == NULL)
		return false;
	exists = PQntuples(result) > 0;
	PQclear(result);
	return exists;
}

/* Mark a suggestion failed, with the reason logged and recorded. */
static StepResult
fail_suggestion(ApplySession *session, int64_t id, int64_t action_id, const char *sql,
				const char *action, const char *reason)
{
	log_event(LOG_LEVEL_ERROR, session->target->name, "suggestion %lld failed: %s",
			  (long long) id, reason);
	if (action_id > 0)
		apply_action_finish(session, action_id, "failed", reason, NULL);
	else
		apply_action_record(session, id, action, sql, "failed", reason, NULL);
	apply_set_status(session, id, "failed", reason);
	return STEP_FAILED;
}

/* The JSON object {"table": ..., "table_oid": ..., "index": ..., "before": {...}}. */
static char *
build_details(ApplySession *session, const TableRef *table, const char *index_name,
			  const char *queryids, const char *moment, bool with_names)
{
	StrBuf		json;

	strbuf_init(&json);
	strbuf_append_char(&json, '{');
	if (with_names)
	{
		strbuf_append(&json, "\"table\": ");
		strbuf_append_json_string(&json, table->name);
		strbuf_append(&json, ", \"schema\": ");
		strbuf_append_json_string(&json, table->schema);
		strbuf_appendf(&json, ", \"table_oid\": %s, \"index\": ", table->oid);
		strbuf_append_json_string(&json, index_name);
		strbuf_append(&json, ", ");
	}
	strbuf_appendf(&json, "\"%s\": ", moment);
	if (!verify_append_snapshot(session->conn, session->target->name, queryids,
								table->schema, table->name, &json))
	{
		strbuf_free(&json);
		return NULL;
	}
	strbuf_append_char(&json, '}');
	return strbuf_release(&json);
}

/* Build one create_index suggestion. */
static StepResult
apply_create_index(ApplySession *session, const PGresult *suggestions, int row)
{
	const char *target = session->target->name;
	int64_t		id = strtoll(PQgetvalue(suggestions, row, SUG_ID), NULL, 10);
	const char *stored_sql = PQgetvalue(suggestions, row, SUG_SQL);
	const char *table_text = PQgetvalue(suggestions, row, SUG_TABLE);
	const char *queryids = PQgetvalue(suggestions, row, SUG_QUERYIDS);
	IndexDdl	ddl;
	TableRef	table;
	TableRef	ddl_table;
	char	   *error = NULL;
	char	   *index_name;
	char	   *equivalent = NULL;
	bool		same_name;
	StrBuf		sql;
	StrBuf		ddl_table_text;
	char	   *details;
	int64_t		action_id;
	PGresult   *result;
	double		started;
	StepResult	step = STEP_DONE;
	char		reason[1024];

	if (!apply_parse_create_index(stored_sql, &ddl, &error))
	{
		snprintf(reason, sizeof(reason), "its sql is not one CREATE INDEX statement: %s", error);
		free(error);
		return fail_suggestion(session, id, 0, stored_sql, "create_index", reason);
	}
	index_name = xstrdup(PQgetisnull(suggestions, row, SUG_INDEX_NAME)
						 ? (ddl.index_name ? ddl.index_name : "")
						 : PQgetvalue(suggestions, row, SUG_INDEX_NAME));
	if (index_name[0] == '\0')
	{
		apply_index_ddl_free(&ddl);
		free(index_name);
		return fail_suggestion(session, id, 0, stored_sql, "create_index",
							   "its CREATE INDEX statement names no index");
	}

	/* The statement's table must be the suggestion's table. */
	if (!resolve_table(session, table_text, &table))
	{
		snprintf(reason, sizeof(reason), "table %s does not exist", table_text);
		apply_index_ddl_free(&ddl);
		free(index_name);
		return fail_suggestion(session, id, 0, stored_sql, "create_index", reason);
	}
	strbuf_init(&ddl_table_text);
	if (ddl.schema != NULL)
		sql_append_qualified(&ddl_table_text, session->conn, ddl.schema, ddl.table);
	else
		sql_append_ident(&ddl_table_text, session->conn, ddl.table);
	if (!resolve_table(session, ddl_table_text.data, &ddl_table) ||
		strcmp(ddl_table.oid, table.oid) != 0)
	{
		snprintf(reason, sizeof(reason), "its sql builds the index on %s, not on its table %s",
				 ddl_table_text.data, table_text);
		table_ref_free(&ddl_table);
		table_ref_free(&table);
		strbuf_free(&ddl_table_text);
		apply_index_ddl_free(&ddl);
		free(index_name);
		return fail_suggestion(session, id, 0, stored_sql, "create_index", reason);
	}
	table_ref_free(&ddl_table);
	strbuf_free(&ddl_table_text);

	/* The statement that runs: every name quoted again. */
	strbuf_init(&sql);
	strbuf_appendf(&sql, "CREATE %sINDEX CONCURRENTLY ", ddl.unique ? "UNIQUE " : "");
	sql_append_ident(&sql, session->conn, index_name);
	strbuf_append(&sql, " ON ");
	sql_append_qualified(&sql, session->conn, table.schema, table.name);
	/*
	 * NOTE: the key list, INCLUDE and WHERE parts are the stored text.  The
	 * parser accepted them as part of one CREATE INDEX statement, and the
	 * server rejects a second statement in PQexecParams.
	 */
	strbuf_appendf(&sql, " %s", ddl.tail);

	/* Re-check just before building: the index may exist by now. */
	equivalent = find_equivalent_index(session, &table, &ddl.key_columns, index_name, &same_name);
	if (equivalent != NULL)
	{
		if (same_name)
			snprintf(reason, sizeof(reason),
					 "not applied: an index called \"%s\" already exists in schema \"%s\"",
					 equivalent, table.schema);
		else
			snprintf(reason, sizeof(reason),
					 "not applied: the valid index \"%s\" on %s already has the same leading columns",
					 equivalent, table_text);
		log_event(LOG_LEVEL_INFO, target, "suggestion %lld skipped: %s", (long long) id, reason);
		{
			StrBuf		skip_details;

			strbuf_init(&skip_details);
			strbuf_append(&skip_details, "{\"reason\": ");
			strbuf_append_json_string(&skip_details, reason);
			strbuf_append(&skip_details, ", \"existing_index\": ");
			strbuf_append_json_string(&skip_details, equivalent);
			strbuf_append_char(&skip_details, '}');
			apply_action_record(session, id, "create_index", sql.data, "skipped", NULL,
								skip_details.data);
			strbuf_free(&skip_details);
		}
		apply_set_status(session, id, "rejected", reason);
		goto done;
	}

	details = build_details(session, &table, index_name, queryids, "before", true);
	if (details == NULL)
	{
		step = fail_suggestion(session, id, 0, sql.data, "create_index",
							   "could not read the query statistics before the build");
		goto done;
	}
	action_id = apply_action_begin(session, id, "create_index", sql.data, details);
	free(details);
	if (action_id == 0)
	{
		step = STEP_FAILED;
		goto done;
	}

	log_event(LOG_LEVEL_INFO, target, "suggestion %lld: building index \"%s\" on %s: %s",
			  (long long) id, index_name, table_text, sql.data);
	started = conn_now();
	result = PQexecParams(session->conn, sql.data, 0, NULL, NULL, NULL, NULL, 0);
	if (PQresultStatus(result) == PGRES_COMMAND_OK)
	{
		PQclear(result);
		details = build_details(session, &table, index_name, queryids, "built", false);
		apply_action_finish(session, action_id, "succeeded", NULL, details);
		free(details);
		apply_set_status(session, id, "applied", NULL);
		log_event(LOG_LEVEL_INFO, target, "suggestion %lld applied: index \"%s\" on %s built in %.1f s",
				  (long long) id, index_name, table_text, conn_now() - started);
		goto done;
	}

	error = apply_result_error(result, session->conn);
	PQclear(result);
	if (PQstatus(session->conn) != CONNECTION_OK)
	{
		log_event(LOG_LEVEL_ERROR, target,
				  "lost the connection while building index \"%s\" of suggestion %lld: %s; "
				  "the next apply drops the INVALID index it may have left",
				  index_name, (long long) id, error);
		free(error);
		step = STEP_FATAL;
		goto done;
	}

	snprintf(reason, sizeof(reason), "CREATE INDEX CONCURRENTLY failed after %.1f s: %s",
			 conn_now() - started, error);
	free(error);
	error = NULL;
	step = fail_suggestion(session, id, action_id, sql.data, "create_index", reason);

	/* The failed build may have left an INVALID index: drop it now. */
	if (invalid_index_exists(session, table.schema, index_name))
	{
		log_event(LOG_LEVEL_WARNING, target,
				  "the failed build left INVALID index \"%s\".\"%s\"; dropping it",
				  table.schema, index_name);
		if (!apply_drop_index(session, id, "drop_invalid_index", table.schema, index_name, &error))
			log_event(LOG_LEVEL_ERROR, target,
					  "could not drop INVALID index \"%s\".\"%s\"; the next apply retries: %s",
					  table.schema, index_name, error);
		free(error);
	}
	if (PQstatus(session->conn) != CONNECTION_OK)
		step = STEP_FATAL;

done:
	free(equivalent);
	strbuf_free(&sql);
	table_ref_free(&table);
	apply_index_ddl_free(&ddl);
	free(index_name);
	return step;
}

/* Drop one index for a drop_index suggestion. */
static StepResult
apply_drop_suggestion(ApplySession *session, const PGresult *suggestions, int row)
{
	int64_t		id = strtoll(PQgetvalue(suggestions, row, SUG_ID), NULL, 10);
	const char *stored_sql = PQgetvalue(suggestions, row, SUG_SQL);
	DropIndexDdl ddl;
	char	   *error = NULL;
	char		reason[1024];
	StrBuf		name;
	const char *params[1];
	PGresult   *result;
	StepResult	step = STEP_DONE;

	if (!apply_parse_drop_index(stored_sql, &ddl, &error))
	{
		snprintf(reason, sizeof(reason), "its sql is not one DROP INDEX statement: %s", error);
		free(error);
		return fail_suggestion(session, id, 0, stored_sql, "drop_index", reason);
	}

	strbuf_init(&name);
	if (ddl.schema != NULL)
		sql_append_qualified(&name, session->conn, ddl.schema, ddl.index_name);
	else
		sql_append_ident(&name, session->conn, ddl.index_name);
	params[0] = name.data;
	result = run_query(session, "look up the index to drop",
					   "SELECT n.nspname, c.relname,"
					   "       EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = c.oid)"
					   "  FROM pg_catalog.pg_class c"
					   "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
					   " WHERE c.oid = pg_catalog.to_regclass($1) AND c.relkind IN ('i', 'I')",
					   1, params, PGRES_TUPLES_OK);
	if (result == NULL)
		step = STEP_FAILED;
	else if (PQntuples(result) == 0)
	{
		snprintf(reason, sizeof(reason), "index %s no longer exists; nothing to drop", name.data);
		log_event(LOG_LEVEL_INFO, session->target->name, "suggestion %lld: %s", (long long) id, reason);
		apply_action_record(session, id, "drop_index", stored_sql, "skipped", reason, NULL);
		apply_set_status(session, id, "applied", reason);
	}
	else if (strcmp(PQgetvalue(result, 0, 2), "t") == 0)
	{
		snprintf(reason, sizeof(reason),
				 "index %s backs a constraint (primary key, unique or exclusion) and is never dropped",
				 name.data);
		step = fail_suggestion(session, id, 0, stored_sql, "drop_index", reason);
	}
	else if (apply_drop_index(session, id, "drop_index", PQgetvalue(result, 0, 0),
							  PQgetvalue(result, 0, 1), &error))
	{
		/* NOTE: verification measures created indexes only; a drop stays "applied". */
		apply_set_status(session, id, "applied", NULL);
		log_event(LOG_LEVEL_INFO, session->target->name, "suggestion %lld applied: index %s dropped",
				  (long long) id, name.data);
	}
	else
	{
		snprintf(reason, sizeof(reason), "DROP INDEX CONCURRENTLY failed: %s", error);
		log_event(LOG_LEVEL_ERROR, session->target->name, "suggestion %lld failed: %s",
				  (long long) id, reason);
		if (PQstatus(session->conn) == CONNECTION_OK)
			apply_set_status(session, id, "failed", reason);
		step = PQstatus(session->conn) == CONNECTION_OK ? STEP_FAILED : STEP_FATAL;
	}
	free(error);
	PQclear(result);
	strbuf_free(&name);
	apply_drop_ddl_free(&ddl);
	return step;
}

/* Apply one suggestion after checking that its kind and status allow it. */
static StepResult
apply_one(ApplySession *session, const PGresult *suggestions, int row)
{
	const char *id = PQgetvalue(suggestions, row, SUG_ID);
	const char *kind = PQgetvalue(suggestions, row, SUG_KIND);
	const char *status = PQgetvalue(suggestions, row, SUG_STATUS);

	if (strcmp(status, "applied") == 0 || strcmp(status, "verified") == 0)
	{
		log_event(LOG_LEVEL_INFO, session->target->name,
				  "suggestion %s is already %s; nothing to do", id, status);
		return STEP_DONE;
	}
	if (strcmp(kind, "create_index") == 0)
		return apply_create_index(session, suggestions, row);
	if (strcmp(kind, "drop_index") == 0)
		return apply_drop_suggestion(session, suggestions, row);

	log_event(LOG_LEVEL_WARNING, session->target->name,
			  "suggestion %s is a %s: it changes the application's query, which scaleup-advisor cannot apply",
			  id, kind);
	return STEP_FAILED;
}

/* ---- the whole run --------------------------------------------------- */

/* Apply the chosen suggestions in id order; returns the number that failed. */
static int
apply_suggestions(ApplySession *session, bool *connection_lost)
{
	PGresult   *suggestions = load_suggestions(session);
	int			failures = 0;
	int			applied = 0;

	*connection_lost = false;
	if (suggestions == NULL)
		return 1;
	if (session->options->selection == APPLY_NAMED)
		failures += report_missing_ids(session, suggestions);
	if (PQntuples(suggestions) == 0)
		log_event(LOG_LEVEL_DEBUG, session->target->name, "no suggestion to apply");

	for (int row = 0; row < PQntuples(suggestions); row++)
	{
		StepResult	step;

		if (session->options->stop_requested && session->options->stop_requested())
		{
			log_event(LOG_LEVEL_INFO, session->target->name,
					  "stop requested; the remaining suggestions wait for the next apply");
			break;
		}
		if (!session->options->ignore_window && !inside_window(session->config))
		{
			log_event(LOG_LEVEL_INFO, session->target->name,
					  "the apply window closed; the remaining suggestions wait for the next window");
			break;
		}
		step = apply_one(session, suggestions, row);
		if (step == STEP_FATAL)
		{
			failures++;
			*connection_lost = true;
			break;
		}
		if (step == STEP_FAILED)
			failures++;
		else
			applied++;
	}
	if (PQntuples(suggestions) > 0)
		log_event(LOG_LEVEL_INFO, session->target->name,
				  "apply finished: %d of %d suggestion%s done, %d failed",
				  applied, PQntuples(suggestions), PQntuples(suggestions) == 1 ? "" : "s", failures);
	else
		log_event(session->options->manual ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG,
				  session->target->name, "no approved suggestion to apply");
	PQclear(suggestions);
	return failures;
}

int
apply_target(const AdvisorConfig *config, const TargetConfig *target,
			 const char *conninfo, const ApplyOptions *options)
{
	ApplySession session;
	bool		ddl_allowed;
	bool		connection_lost = false;
	int			failures = 0;
	int			locked;

	if (target->role == TARGET_ROLE_REPLICA)
	{
		log_event(LOG_LEVEL_ERROR, target->name,
				  "cannot apply suggestions: the target is configured with role \"replica\"");
		return 1;
	}

	session.config = config;
	session.target = target;
	session.options = options;
	session.conn = conn_open(target->name, conninfo);
	if (session.conn == NULL)
		return 1;

	if (check_primary(&session) != 0)
	{
		PQfinish(session.conn);
		return 1;
	}

	ddl_allowed = options->ignore_window || inside_window(config);
	if (!ddl_allowed)
	{
		char		window[32];

		config_format_window(&config->apply_window, window, sizeof(window));
		if (options->manual)
		{
			log_event(LOG_LEVEL_ERROR, target->name,
					  "the current time is outside the apply window %s (UTC); nothing was applied; "
					  "use --now to apply anyway",
					  window);
			PQfinish(session.conn);
			return 1;
		}
		log_event(LOG_LEVEL_DEBUG, target->name,
				  "outside the apply window %s (UTC): verifying only", window);
	}

	locked = take_lock(&session);
	if (locked <= 0)
	{
		PQfinish(session.conn);
		return locked < 0 ? 1 : 0;
	}
	if (!set_timeouts(&session))
	{
		PQfinish(session.conn);
		return 1;
	}

	/* Outside the window too: an INVALID index costs writes and serves no read. */
	failures += clean_up_interrupted(&session);
	if (ddl_allowed && PQstatus(session.conn) == CONNECTION_OK)
		failures += apply_suggestions(&session, &connection_lost);
	if (!connection_lost && PQstatus(session.conn) == CONNECTION_OK)
		failures += verify_applied(&session, ddl_allowed);

	/* Ending the session releases the advisory lock and the settings. */
	PQfinish(session.conn);
	return failures == 0 ? 0 : 1;
}
