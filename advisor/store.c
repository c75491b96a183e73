/*
 * store.c
 *		Upsert of suggestions into scaleup.suggestions; see store.h.
 */
#include "store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "output.h"

static const char *const upsert_sql =
"INSERT INTO scaleup.suggestions AS s"
"       (target, fingerprint, kind, \"table\", sql, rationale, evidence,"
"        estimated_gain_ms_per_hour, estimated_size_bytes, write_penalty,"
"        verified_by_planner)"
" VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11)"
" ON CONFLICT (target, fingerprint) DO UPDATE"
"   SET kind = EXCLUDED.kind, \"table\" = EXCLUDED.\"table\", sql = EXCLUDED.sql,"
"       rationale = EXCLUDED.rationale, evidence = EXCLUDED.evidence,"
"       estimated_gain_ms_per_hour = EXCLUDED.estimated_gain_ms_per_hour,"
"       estimated_size_bytes = EXCLUDED.estimated_size_bytes,"
"       write_penalty = EXCLUDED.write_penalty,"
"       verified_by_planner = EXCLUDED.verified_by_planner,"
"       updated_at = pg_catalog.now()"
"   WHERE s.status <> 'rejected'"
" RETURNING s.id, s.status, pg_catalog.to_json(s.created_at)#>>'{}',"
"           pg_catalog.to_json(s.updated_at)#>>'{}',"
"           s.measured_before_ms, s.measured_after_ms";

static bool
exec_command(const char *target, PGconn *conn, const char *sql)
{
	PGresult   *res = PQexec(conn, sql);
	bool		ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	if (!ok)
		log_event(LOG_LEVEL_ERROR, target, "could not store suggestions: %s",
				  PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

static bool
upsert_one(const char *target, PGconn *conn, Suggestion *s, bool *rejected)
{
	StrBuf		evidence;
	char		gain[64],
				size[32],
				penalty[64];
	const char *params[11];
	PGresult   *res;
	bool		ok;

	strbuf_init(&evidence);
	output_evidence_json(&evidence, s);
	snprintf(gain, sizeof(gain), "%.3f", s->gain_ms_per_hour);
	snprintf(size, sizeof(size), "%lld", (long long) s->size_bytes);
	snprintf(penalty, sizeof(penalty), "%.3f", s->write_penalty);
	params[0] = target;
	params[1] = s->fingerprint;
	params[2] = s->kind;
	params[3] = s->table;
	params[4] = s->sql;
	params[5] = s->rationale;
	params[6] = evidence.data;
	params[7] = gain;
	params[8] = size;
	params[9] = penalty;
	params[10] = s->verified_by_planner ? "true" : "false";

	res = PQexecParams(conn, upsert_sql, 11, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		log_event(LOG_LEVEL_ERROR, target, "could not store suggestion \"%s\": %s",
				  s->fingerprint, PQresultErrorMessage(res));
	else if (PQntuples(res) == 0)
		*rejected = true;
	else
	{
		*rejected = false;
		s->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		free(s->status);
		s->status = xstrdup(PQgetvalue(res, 0, 1));
		s->created_at = xstrdup(PQgetvalue(res, 0, 2));
		s->updated_at = xstrdup(PQgetvalue(res, 0, 3));
		s->measured_before_ms = PQgetisnull(res, 0, 4) ? NAN :
			strtod(PQgetvalue(res, 0, 4), NULL);
		s->measured_after_ms = PQgetisnull(res, 0, 5) ? NAN :
			strtod(PQgetvalue(res, 0, 5), NULL);
	}
	PQclear(res);
	strbuf_free(&evidence);
	return ok;
}

bool
store_suggestions(const char *target, PGconn *conn, SuggestionList *list)
{
	bool	   *rejected = xcalloc((size_t) list->count + 1, sizeof(bool));
	int			kept = 0;

	if (!exec_command(target, conn, "BEGIN"))
	{
		free(rejected);
		return false;
	}
	for (int i = 0; i < list->count; i++)
	{
		if (list->items[i].near_miss)
			continue;
		if (!upsert_one(target, conn, &list->items[i], &rejected[i]))
		{
			exec_command(target, conn, "ROLLBACK");
			free(rejected);
			return false;
		}
	}
	if (!exec_command(target, conn, "COMMIT"))
	{
		free(rejected);
		return false;
	}

	/* the upsert left rejected rows alone: they are not proposed again */
	for (int i = 0; i < list->count; i++)
	{
		if (rejected[i])
		{
			log_event(LOG_LEVEL_DEBUG, target, "suggestion \"%s\" stays rejected",
					  list->items[i].fingerprint);
			suggestion_clear(&list->items[i]);
			continue;
		}
		list->items[kept++] = list->items[i];
	}
	list->count = kept;
	free(rejected);
	return true;
}
