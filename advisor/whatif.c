/*
 * whatif.c
 *		Step 3 of analyze: planner costs with hypothetical indexes; see
 *		whatif.h for the session's safety rules and the heuristic.
 */
#include "whatif.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sqlquote.h"

/* Per-query state of the session. */
typedef struct WhatIfQuery
{
	int			prepared;		/* 0 not yet, 1 prepared, -1 failed */
	bool		generic;		/* no parameter sample: generic plan */
	int			nparams;
	char	   *error;			/* why it cannot be planned */
} WhatIfQuery;

struct WhatIf
{
	const char *target;
	const Snapshot *snap;
	const CandidateSet *set;
	PGconn	   *conn;			/* NULL in heuristic mode */
	char	   *hypopg;			/* quoted schema of HypoPG */
	WhatIfQuery *queries;
	int		   *current;		/* candidate ids of the hypothetical set */
	int			ncurrent;
	char	  **hypothetical_oid;	/* per candidate: HypoPG's indexrelid while
									 * it is in the set, else NULL */
	bool	   *requested;		/* per candidate: scratch of whatif_set_indexes */
	int64_t    *sizes;			/* per candidate; 0 = unknown */
};

/* --- heuristic ---------------------------------------------------------------- */

int64_t
estimate_index_size(const TableInfo *table, const Candidate *cand)
{
	double		width = 8 + 4;	/* index tuple header and line pointer */
	double		bytes;

	for (int k = 0; k < cand->columns.count; k++)
	{
		const ColumnInfo *column = table_column(table, cand->columns.items[k]);

		width += column && column->avg_width > 0 ? column->avg_width : 8;
	}
	width = ceil(width / 8.0) * 8.0;	/* MAXALIGN */

	/* NOTE: a partial index is sized like a full one: its share is unknown */
	bytes = table->rows * width / 0.9;
	bytes = ceil(bytes / 8192.0) * 8192.0 + 8192.0; /* plus the metapage */
	if (bytes < 2 * 8192.0)
		bytes = 2 * 8192.0;
	return (int64_t) bytes;
}

/* Rows per execution the candidate would read for this scan, or -1. */
static double
heuristic_scan_rows(const Snapshot *snap, const Candidate *cand, const ScanInfo *scan)
{
	const TableInfo *table = &snap->tables[scan->table_pos];
	double		executions = scan->executions > 0 ? (double) scan->executions : 1;
	double		rows = (double) scan->rows_scanned / executions;
	double		kept = (double) scan->rows_kept / executions;
	double		fraction = 1.0;
	int			k = 0;
	bool		used = false;
	bool		sorted = false;

	/* equality keys, as long as the scan compares them */
	for (; k < cand->neq; k++)
	{
		const char *name = cand->columns.items[k];

		if (!strlist_contains(&scan->eq_columns, name) &&
			!strlist_contains(&scan->join_columns, name))
			break;
		fraction *= column_eq_selectivity(table_column(table, name), table->rows);
		used = true;
	}

	if (k == cand->neq && k < cand->columns.count)
	{
		const char *name = cand->columns.items[k];

		if (scan->sort_columns.count > 0 &&
			cand->columns.count - k >= scan->sort_columns.count)
		{
			bool		same = true,
						reversed = true;

			sorted = true;
			for (int s = 0; s < scan->sort_columns.count; s++)
			{
				if (strcmp(cand->columns.items[k + s], scan->sort_columns.items[s]) != 0)
					sorted = false;
				if (cand->descending[k + s] != scan->sort_descending[s])
					same = false;
				else
					reversed = false;
			}
			sorted = sorted && (same || reversed);
		}
		if (strlist_contains(&scan->range_columns, name))
		{
			fraction *= WHATIF_RANGE_FRACTION;
			used = true;
		}
	}

	if (sorted && scan->limit_rows >= 0)
	{
		double		index_rows = rows * fraction;
		double		pass = index_rows > 0 ? kept / index_rows : 1.0;
		double		needed;

		/* with nothing kept, assume one row in all those read passes */
		if (pass <= 0)
			pass = 1.0 / (index_rows > 1 ? index_rows : 1);
		if (pass > 1)
			pass = 1.0;
		needed = (double) scan->limit_rows / pass;
		return needed < index_rows ? needed : index_rows;
	}
	if (!used)
		return -1;
	return rows * fraction;
}

double
heuristic_cost(const Snapshot *snap, const CandidateSet *set, int query_pos,
			   const int *ids, int count)
{
	const QueryInfo *query = &snap->queries[query_pos];
	double		cost = 0;

	for (int i = 0; i < query->nscan_ids; i++)
	{
		const ScanInfo *scan = &snap->scans[query->scan_ids[i]];
		double		executions;
		double		best;

		if (scan->table_pos < 0)
			continue;
		executions = scan->executions > 0 ? (double) scan->executions : 1;
		best = (double) scan->rows_scanned / executions;
		for (int c = 0; c < count; c++)
		{
			const Candidate *cand = &set->items[ids[c]];
			double		rows;

			if (cand->table_pos != scan->table_pos)
				continue;
			rows = heuristic_scan_rows(snap, cand, scan);
			if (rows >= 0 && rows < best)
				best = rows;
		}
		/* one row's worth of fixed work per execution */
		cost += (best + 1) * executions;
	}
	return cost > 0 ? cost : 1;
}

double
parse_total_cost(const char *json)
{
	const char *p = strstr(json, "\"Total Cost\":");

	if (p == NULL)
		return -1;
	p += strlen("\"Total Cost\":");
	while (*p == ' ')
		p++;
	return strtod(p, NULL);
}

/* --- planner session ------------------------------------------------------------ */

static bool
exec_ok(WhatIf *whatif, const char *sql, const char *what)
{
	PGresult   *res = PQexecParams(whatif->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	ExecStatusType status = PQresultStatus(res);
	bool		ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

	if (!ok)
		log_event(LOG_LEVEL_WARNING, whatif->target, "what-if session: could not %s: %s",
				  what, PQresultErrorMessage(res));
	PQclear(res);
	return ok;
}

/* After a failed statement: roll back and open a new read-only transaction. */
static bool
restart_transaction(WhatIf *whatif)
{
	return exec_ok(whatif, "ROLLBACK", "roll back") &&
		exec_ok(whatif, "BEGIN READ ONLY", "begin a read-only transaction");
}

WhatIf *
whatif_open(const char *target, const char *conninfo, const Snapshot *snap,
			const CandidateSet *set, bool use_planner, int statement_timeout_ms)
{
	WhatIf	   *whatif = xcalloc(1, sizeof(WhatIf));
	char		sql[128];

	whatif->target = target;
	whatif->snap = snap;
	whatif->set = set;
	whatif->queries = xcalloc((size_t) snap->nqueries + 1, sizeof(WhatIfQuery));
	whatif->current = xcalloc((size_t) set->count + 1, sizeof(int));
	whatif->sizes = xcalloc((size_t) set->count + 1, sizeof(int64_t));
	whatif->hypothetical_oid = xcalloc((size_t) set->count + 1, sizeof(char *));
	whatif->requested = xcalloc((size_t) set->count + 1, sizeof(bool));

	if (!use_planner || snap->hypopg_schema == NULL)
	{
		if (use_planner)
			log_event(LOG_LEVEL_INFO, target,
					  "HypoPG is not installed in the target database, so gains are heuristic estimates");
		return whatif;
	}

	whatif->conn = PQconnectdb(conninfo ? conninfo : "");
	if (PQstatus(whatif->conn) != CONNECTION_OK)
	{
		log_event(LOG_LEVEL_WARNING, target,
				  "could not open the what-if session, so gains are heuristic estimates: %s",
				  PQerrorMessage(whatif->conn));
		PQfinish(whatif->conn);
		whatif->conn = NULL;
		return whatif;
	}
	whatif->hypopg = sql_quote_ident(whatif->conn, snap->hypopg_schema);
	snprintf(sql, sizeof(sql), "SET statement_timeout = %d", statement_timeout_ms);
	if (whatif->hypopg == NULL ||
		!exec_ok(whatif, "SET application_name = 'scaleup-advisor what-if'",
				 "set application_name") ||
		!exec_ok(whatif, sql, "set statement_timeout") ||
		!exec_ok(whatif, "SET plan_cache_mode = force_custom_plan", "set plan_cache_mode") ||
		!exec_ok(whatif, "BEGIN READ ONLY", "begin a read-only transaction"))
	{
		log_event(LOG_LEVEL_WARNING, target,
				  "what-if session unusable, so gains are heuristic estimates");
		PQfinish(whatif->conn);
		whatif->conn = NULL;
		free(whatif->hypopg);
		whatif->hypopg = NULL;
	}
	return whatif;
}

bool
whatif_uses_planner(const WhatIf *whatif)
{
	return whatif->conn != NULL;
}

static bool
reset_hypothetical(WhatIf *whatif)
{
	char		sql[256];

	snprintf(sql, sizeof(sql), "SELECT %s.hypopg_reset()", whatif->hypopg);
	for (int i = 0; i < whatif->ncurrent; i++)
	{
		free(whatif->hypothetical_oid[whatif->current[i]]);
		whatif->hypothetical_oid[whatif->current[i]] = NULL;
	}
	whatif->ncurrent = 0;
	if (exec_ok(whatif, sql, "reset the hypothetical indexes"))
		return true;
	return restart_transaction(whatif) &&
		exec_ok(whatif, sql, "reset the hypothetical indexes");
}

static bool
create_hypothetical(WhatIf *whatif, int id)
{
	const Candidate *cand = &whatif->set->items[id];
	StrBuf		sql;
	const char *params[1] = {cand->hypothetical_ddl};
	PGresult   *res;
	bool		ok;

	strbuf_init(&sql);
	strbuf_appendf(&sql, "SELECT %s.hypopg_relation_size(h.indexrelid), h.indexrelid"
				   " FROM %s.hypopg_create_index($1) h",
				   whatif->hypopg, whatif->hypopg);
	res = PQexecParams(whatif->conn, sql.data, 1, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
	if (ok)
	{
		whatif->sizes[id] = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		free(whatif->hypothetical_oid[id]);
		whatif->hypothetical_oid[id] = xstrdup(PQgetvalue(res, 0, 1));
	}
	else
	{
		log_event(LOG_LEVEL_WARNING, whatif->target,
				  "could not create hypothetical index \"%s\": %s",
				  cand->hypothetical_ddl, PQresultErrorMessage(res));
		restart_transaction(whatif);
	}
	PQclear(res);
	strbuf_free(&sql);
	return ok;
}

/* Drop one hypothetical index of the set by its HypoPG indexrelid. */
static bool
drop_hypothetical(WhatIf *whatif, int id)
{
	StrBuf		sql;
	const char *params[1] = {whatif->hypothetical_oid[id]};
	PGresult   *res;
	bool		ok;

	strbuf_init(&sql);
	strbuf_appendf(&sql, "SELECT %s.hypopg_drop_index($1::pg_catalog.oid)", whatif->hypopg);
	res = PQexecParams(whatif->conn, sql.data, 1, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	strbuf_free(&sql);
	if (ok)
	{
		free(whatif->hypothetical_oid[id]);
		whatif->hypothetical_oid[id] = NULL;
	}
	return ok;
}

/*
 * The set changes by a few indexes between two calls (the chosen ones plus
 * one candidate), so only the difference is dropped and created.  A failed
 * drop falls back to a reset and a full rebuild.
 */
bool
whatif_set_indexes(WhatIf *whatif, const int *ids, int count, int *failed)
{
	int			kept = 0;
	bool		drop_failed = false;

	*failed = -1;
	if (whatif->conn == NULL)
	{
		for (int i = 0; i < count; i++)
			whatif->current[i] = ids[i];
		whatif->ncurrent = count;
		return true;
	}

	for (int i = 0; i < count; i++)
		whatif->requested[ids[i]] = true;
	for (int i = 0; i < whatif->ncurrent; i++)
	{
		int			id = whatif->current[i];

		if (!whatif->requested[id] && !drop_failed && drop_hypothetical(whatif, id))
			continue;
		if (!whatif->requested[id])
			drop_failed = true;
		whatif->current[kept++] = id;
	}
	whatif->ncurrent = kept;
	for (int i = 0; i < count; i++)
		whatif->requested[ids[i]] = false;

	if (drop_failed)
	{
		restart_transaction(whatif);
		if (!reset_hypothetical(whatif))
			return false;
	}

	for (int i = 0; i < count; i++)
	{
		if (whatif->hypothetical_oid[ids[i]] != NULL)
			continue;
		if (!create_hypothetical(whatif, ids[i]))
		{
			*failed = ids[i];
			reset_hypothetical(whatif);
			return false;
		}
		whatif->current[whatif->ncurrent++] = ids[i];
	}
	return true;
}

/* True when the text has a $n parameter outside string literals. */
static bool
has_parameters(const char *query)
{
	for (const char *p = query; *p; p++)
	{
		if (*p == '\'')
		{
			for (p++; *p && !(*p == '\'' && p[1] != '\''); p += (*p == '\'') ? 2 : 1)
				;
			if (!*p)
				break;
			continue;
		}
		if (*p == '$' && isdigit((unsigned char) p[1]) &&
			(p == query || !(isalnum((unsigned char) p[-1]) || p[-1] == '_')))
			return true;
	}
	return false;
}

/*
 * Length of the quoted or commented run that starts at p (a string literal,
 * a quoted identifier, a dollar-quoted string or a comment), or 0 when p
 * starts none.  $n parameters never occur inside such a run.
 */
static size_t
skip_quoted(const char *query, const char *p)
{
	const char *q = p;
	bool		escapes = false;

	/* E'...' strings take backslash escapes; standard strings do not. */
	if ((*p == 'E' || *p == 'e') && p[1] == '\'' &&
		(p == query || !(isalnum((unsigned char) p[-1]) || p[-1] == '_')))
	{
		escapes = true;
		p++;
	}
	if (*p == '\'' || *p == '"')
	{
		char		quote = *p;

		for (q = p + 1; *q; q++)
		{
			if (*q == quote && q[1] == quote)
				q++;
			else if (*q == quote)
				return (size_t) (q - p) + 1 + (escapes ? 1 : 0);
			else if (escapes && *q == '\\' && q[1])
				q++;
		}
		return (size_t) (q - p) + (escapes ? 1 : 0);
	}
	if (p[0] == '-' && p[1] == '-')
	{
		for (q = p; *q && *q != '\n'; q++)
			;
		return (size_t) (q - p);
	}
	if (p[0] == '/' && p[1] == '*')
	{
		const char *end = strstr(p + 2, "*/");

		return end ? (size_t) (end - p) + 2 : strlen(p);
	}
	if (p[0] == '$' && !isdigit((unsigned char) p[1]))
	{
		/* $tag$ ... $tag$, where tag may be empty */
		const char *close = p + 1;
		size_t		taglen;
		const char *end;
		char		tag[64];

		while (*close && (isalnum((unsigned char) *close) || *close == '_'))
			close++;
		if (*close != '$' || (size_t) (close - p) + 1 >= sizeof(tag))
			return 0;
		taglen = (size_t) (close - p) + 1;
		memcpy(tag, p, taglen);
		tag[taglen] = '\0';
		end = strstr(close + 1, tag);
		return end ? (size_t) (end - p) + taglen : strlen(p);
	}
	return 0;
}

/*
 * Write query with every $n replaced by the n-th sampled value into out.
 * The values of constants are the literals as written in the query, and the
 * values of bind parameters are typed literals ('42'::integer), so the
 * result is the query as it ran.  It plans even where PREPARE cannot infer
 * a parameter's type (interval $1, an operator over two parameters).
 * Returns false when the text uses a $n the sample has no value for.
 */
static bool
substitute_parameters(const char *query, const StrList *values, StrBuf *out)
{
	const char *p = query;

	while (*p)
	{
		size_t		run = skip_quoted(query, p);

		if (run > 0)
		{
			strbuf_appendf(out, "%.*s", (int) run, p);
			p += run;
			continue;
		}
		if (*p == '$' && isdigit((unsigned char) p[1]) &&
			(p == query || !(isalnum((unsigned char) p[-1]) || p[-1] == '_')))
		{
			char	   *end;
			long		n = strtol(p + 1, &end, 10);

			if (n < 1 || n > values->count)
				return false;
			strbuf_append(out, values->items[n - 1]);
			p = end;
			continue;
		}
		strbuf_append_char(out, *p);
		p++;
	}
	return true;
}

/* Only statements EXPLAIN can plan; anything else is not re-planned. */
static bool
plannable(const char *query)
{
	static const char *const keywords[] = {"SELECT", "WITH", "VALUES", "TABLE",
	"INSERT", "UPDATE", "DELETE", "(", NULL};
	const char *p = query;

	while (*p && isspace((unsigned char) *p))
		p++;
	for (int i = 0; keywords[i]; i++)
		if (strncasecmp(p, keywords[i], strlen(keywords[i])) == 0)
			return true;
	return false;
}

static void
set_query_error(WhatIf *whatif, int query_pos, const char *message)
{
	WhatIfQuery *wq = &whatif->queries[query_pos];
	size_t		len;

	free(wq->error);
	wq->error = xstrdup(message);
	len = strlen(wq->error);
	while (len > 0 && (wq->error[len - 1] == '\n' || wq->error[len - 1] == ' '))
		wq->error[--len] = '\0';
	wq->prepared = -1;
}

/* PREPARE the query as scaleup_whatif_<pos>; on failure record the error. */
static bool
prepare_query(WhatIf *whatif, int query_pos)
{
	const QueryInfo *q = &whatif->snap->queries[query_pos];
	WhatIfQuery *wq = &whatif->queries[query_pos];
	char		name[64];
	PGresult   *res;

	snprintf(name, sizeof(name), "scaleup_whatif_%d", query_pos);
	res = PQprepare(whatif->conn, name, q->query, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
	{
		set_query_error(whatif, query_pos, PQresultErrorMessage(res));
		PQclear(res);
		restart_transaction(whatif);
		return false;
	}
	PQclear(res);
	res = PQdescribePrepared(whatif->conn, name);
	wq->nparams = PQresultStatus(res) == PGRES_COMMAND_OK ? PQnparams(res) : 0;
	PQclear(res);
	wq->prepared = 1;
	wq->generic = !q->has_parameters || q->parameters.count != wq->nparams;
	return true;
}

static void
deallocate_query(WhatIf *whatif, int query_pos)
{
	char		sql[96];

	snprintf(sql, sizeof(sql), "DEALLOCATE scaleup_whatif_%d", query_pos);
	exec_ok(whatif, sql, "deallocate a what-if statement");
	whatif->queries[query_pos].prepared = 0;
}

/* Run an EXPLAIN statement and parse its cost; on error record it. */
static bool
explain_cost(WhatIf *whatif, int query_pos, const char *sql, double *cost)
{
	PGresult   *res = PQexecParams(whatif->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	bool		ok = false;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) >= 1)
	{
		*cost = parse_total_cost(PQgetvalue(res, 0, 0));
		ok = *cost >= 0;
		if (!ok)
			set_query_error(whatif, query_pos, "EXPLAIN output has no total cost");
	}
	else
	{
		set_query_error(whatif, query_pos, PQresultErrorMessage(res));
		restart_transaction(whatif);
	}
	PQclear(res);
	return ok;
}

bool
whatif_cost(WhatIf *whatif, int query_pos, double *cost)
{
	const QueryInfo *q = &whatif->snap->queries[query_pos];
	WhatIfQuery *wq = &whatif->queries[query_pos];
	StrBuf		sql;
	bool		ok;

	if (whatif->conn == NULL)
	{
		*cost = heuristic_cost(whatif->snap, whatif->set, query_pos,
							   whatif->current, whatif->ncurrent);
		return true;
	}
	if (wq->prepared < 0)
		return false;
	if (q->query == NULL || !plannable(q->query))
	{
		set_query_error(whatif, query_pos, q->query == NULL ?
						"the query text is not visible" :
						"only SELECT, INSERT, UPDATE and DELETE can be re-planned");
		return false;
	}

	strbuf_init(&sql);
	if (!has_parameters(q->query))
	{
		strbuf_appendf(&sql, "EXPLAIN (FORMAT JSON) %s", q->query);
		ok = explain_cost(whatif, query_pos, sql.data, cost);
		strbuf_free(&sql);
		return ok;
	}

	/* With a complete sample, plan the query as it ran. */
	if (q->has_parameters)
	{
		strbuf_append(&sql, "EXPLAIN (FORMAT JSON) ");
		if (substitute_parameters(q->query, &q->parameters, &sql))
		{
			ok = explain_cost(whatif, query_pos, sql.data, cost);
			strbuf_free(&sql);
			return ok;
		}
		strbuf_reset(&sql);
	}

	/*
	 * A generic plan is cached by the prepared statement and would not see a
	 * new hypothetical index, so it is prepared again for every estimate.
	 */
	if (wq->prepared == 1 && wq->generic)
		deallocate_query(whatif, query_pos);
	if (wq->prepared == 0 && !prepare_query(whatif, query_pos))
	{
		strbuf_free(&sql);
		return false;
	}

	if (wq->generic)
		exec_ok(whatif, "SET plan_cache_mode = force_generic_plan", "set plan_cache_mode");
	strbuf_appendf(&sql, "EXPLAIN (FORMAT JSON) EXECUTE scaleup_whatif_%d", query_pos);
	if (wq->nparams > 0)
	{
		strbuf_append_char(&sql, '(');
		for (int i = 0; i < wq->nparams; i++)
		{
			if (i > 0)
				strbuf_append(&sql, ", ");
			strbuf_append(&sql, wq->generic ? "NULL" : q->parameters.items[i]);
		}
		strbuf_append_char(&sql, ')');
	}
	ok = explain_cost(whatif, query_pos, sql.data, cost);
	if (wq->generic)
		exec_ok(whatif, "SET plan_cache_mode = force_custom_plan", "set plan_cache_mode");
	strbuf_free(&sql);
	return ok;
}

const char *
whatif_query_error(const WhatIf *whatif, int query_pos)
{
	return whatif->queries[query_pos].error;
}

int64_t
whatif_index_size(WhatIf *whatif, int id)
{
	const Candidate *cand = &whatif->set->items[id];

	if (whatif->sizes[id] > 0)
		return whatif->sizes[id];
	return estimate_index_size(&whatif->snap->tables[cand->table_pos], cand);
}

void
whatif_close(WhatIf *whatif)
{
	if (whatif == NULL)
		return;
	if (whatif->conn != NULL)
	{
		reset_hypothetical(whatif);
		exec_ok(whatif, "ROLLBACK", "roll back");
		for (int i = 0; i < whatif->snap->nqueries; i++)
			if (whatif->queries[i].prepared == 1)
				deallocate_query(whatif, i);
		PQfinish(whatif->conn);
	}
	for (int i = 0; i < whatif->snap->nqueries; i++)
		free(whatif->queries[i].error);
	free(whatif->queries);
	free(whatif->current);
	free(whatif->hypothetical_oid);
	free(whatif->requested);
	free(whatif->sizes);
	free(whatif->hypopg);
	free(whatif);
}
