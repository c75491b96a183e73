/*
 * projections.c
 *		trim_projection and add_limit suggestions from scaleup.projections;
 *		see projections.h.  The text rewrites are in projection_sql.c.
 *
 * Bytes per call are the collector's bytes_returned (scaled from the
 * sampled calls) divided by its calls.  Bytes per hour multiply that by the
 * query's calls per hour from the snapshot.  Nothing here estimates time
 * for a trimmed projection: the saving is in bytes sent, and how much time
 * that buys depends on the network and the client.
 */
#include "projections.h"
#include "output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sqlquote.h"

/* One query per run, whatever the number of queries and relations. */
static const char *const projections_sql =
"SELECT p.queryid,"
"       coalesce(pg_catalog.pg_partition_root(p.relid), p.relid)::pg_catalog.oid,"
"       p.columns, p.all_columns, p.column_bytes, p.calls, p.rows_returned,"
"       p.bytes_returned"
"  FROM scaleup.projections p"
" WHERE p.dbid = (SELECT oid FROM pg_catalog.pg_database"
"                  WHERE datname = pg_catalog.current_database())"
" ORDER BY p.queryid, 2, p.relid";

/* Name under which rewrites are prepared for their EXPLAIN check. */
#define CHECK_STATEMENT "scaleup_projection_check"

/* --- collection ------------------------------------------------------------ */

static int64_t
get_int64(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0;
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

/*
 * Add the bytes of one scaleup.projections row to "row": the partitions of
 * a partitioned table are merged into one row of the root table, each
 * column's bytes added by name.
 */
static void
merge_projection(ProjectionRow *row, const StrList *columns, const StrList *bytes,
				 bool all_columns, int64_t calls, int64_t rows_returned,
				 int64_t bytes_returned)
{
	for (int c = 0; c < columns->count; c++)
	{
		int			pos = strlist_index(&row->columns, columns->items[c]);
		double		value = c < bytes->count ? strtod(bytes->items[c], NULL) : 0;

		if (pos < 0)
		{
			strlist_append(&row->columns, columns->items[c]);
			row->column_bytes = xrealloc(row->column_bytes,
										 sizeof(double) * (size_t) row->columns.count);
			pos = row->columns.count - 1;
			row->column_bytes[pos] = 0;
		}
		row->column_bytes[pos] += value;
	}
	row->all_columns = row->all_columns || all_columns;
	if (calls > row->calls)
		row->calls = calls;
	row->rows_returned += rows_returned;
	row->bytes_returned += bytes_returned;
}

bool
projections_collect(const char *target, PGconn *conn, const Snapshot *snap,
					ProjectionSet *set)
{
	PGresult   *res = PQexecParams(conn, projections_sql, 0, NULL, NULL, NULL, NULL, 0);
	int			rows;

	memset(set, 0, sizeof(*set));
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		log_event(LOG_LEVEL_WARNING, target, "could not read scaleup.projections: %s",
				  PQresultErrorMessage(res));
		PQclear(res);
		return false;
	}
	rows = PQntuples(res);
	set->rows = xcalloc((size_t) rows + 1, sizeof(ProjectionRow));
	for (int r = 0; r < rows; r++)
	{
		int64_t		queryid = get_int64(res, r, 0);
		Oid			relid = (Oid) strtoul(PQgetvalue(res, r, 1), NULL, 10);
		ProjectionRow *row;
		StrList		columns = {0};
		StrList		bytes = {0};

		if (set->count > 0 && set->rows[set->count - 1].queryid == queryid &&
			set->rows[set->count - 1].relid == relid)
			row = &set->rows[set->count - 1];
		else
		{
			const TableInfo *table = snapshot_table(snap, relid);
			const QueryInfo *query = snapshot_query(snap, queryid);

			row = &set->rows[set->count++];
			row->queryid = queryid;
			row->relid = relid;
			row->query_pos = query ? (int) (query - snap->queries) : -1;
			row->table_pos = table ? (int) (table - snap->tables) : -1;
		}
		if (!PQgetisnull(res, r, 2))
			parse_text_array(PQgetvalue(res, r, 2), &columns);
		if (!PQgetisnull(res, r, 4))
			parse_text_array(PQgetvalue(res, r, 4), &bytes);
		merge_projection(row, &columns, &bytes, PQgetvalue(res, r, 3)[0] == 't',
						 get_int64(res, r, 5), get_int64(res, r, 6), get_int64(res, r, 7));
		strlist_free(&columns);
		strlist_free(&bytes);
	}
	PQclear(res);
	return true;
}

void
projections_free(ProjectionSet *set)
{
	for (int i = 0; i < set->count; i++)
	{
		strlist_free(&set->rows[i].columns);
		free(set->rows[i].column_bytes);
	}
	free(set->rows);
	memset(set, 0, sizeof(*set));
}

/* --- choosing the wide columns ------------------------------------------- */

int
projection_choose_wide(const ProjectionRow *row, bool *wide)
{
	double		total = 0;
	double		wide_bytes = 0;
	int			nwide = 0;

	for (int c = 0; c < row->columns.count; c++)
	{
		wide[c] = false;
		total += row->column_bytes[c];
	}
	if (total <= 0 || row->calls <= 0 || row->rows_returned <= 0)
		return 0;

	for (int c = 0; c < row->columns.count; c++)
	{
		double		per_row = row->column_bytes[c] / (double) row->rows_returned;

		if (per_row >= WIDE_COLUMN_MIN_BYTES &&
			row->column_bytes[c] >= WIDE_COLUMN_MIN_SHARE * total)
		{
			wide[c] = true;
			wide_bytes += row->column_bytes[c];
			nwide++;
		}
	}
	if (nwide == 0 || nwide == row->columns.count ||
		wide_bytes < TRIM_MIN_SHARE * total ||
		wide_bytes / (double) row->calls < TRIM_MIN_SAVED_BYTES_PER_CALL)
	{
		for (int c = 0; c < row->columns.count; c++)
			wide[c] = false;
		return 0;
	}
	return nwide;
}

/* --- building suggestions ------------------------------------------------- */

/* Bytes per call of every relation that query "queryid" returns columns of. */
static double
query_bytes_per_call(const ProjectionSet *set, int64_t queryid)
{
	double		bytes = 0;

	for (int i = 0; i < set->count; i++)
		if (set->rows[i].queryid == queryid && set->rows[i].calls > 0)
			bytes += (double) set->rows[i].bytes_returned / (double) set->rows[i].calls;
	return bytes;
}

/* Rows scanned and kept by the scans of query "queryid" on table "table_oid". */
static void
scan_rows(const Snapshot *snap, int64_t queryid, Oid table_oid,
		  int64_t *scanned, int64_t *kept)
{
	*scanned = 0;
	*kept = 0;
	for (int i = 0; i < snap->nscans; i++)
		if (snap->scans[i].queryid == queryid && snap->scans[i].table_oid == table_oid)
		{
			*scanned += snap->scans[i].rows_scanned;
			*kept += snap->scans[i].rows_kept;
		}
}

/*
 * The per-column costs of a projection row as a JSON object, in column
 * order: {"column": {"bytes_per_call": n, "bytes_per_hour": n}, ...}.
 */
static char *
column_bytes_json(const ProjectionRow *row, double calls_per_hour)
{
	StrBuf		buf;

	strbuf_init(&buf);
	strbuf_append_char(&buf, '{');
	for (int c = 0; c < row->columns.count; c++)
	{
		double		per_call = row->column_bytes[c] / (double) row->calls;

		if (c > 0)
			strbuf_append_char(&buf, ',');
		strbuf_append_json_string(&buf, row->columns.items[c]);
		strbuf_appendf(&buf, ":{\"bytes_per_call\":%.0f,\"bytes_per_hour\":%.0f}",
					   per_call, per_call * calls_per_hour);
	}
	strbuf_append_char(&buf, '}');
	return strbuf_release(&buf);
}

/* One Evidence for "query", with the result-set numbers filled in. */
static Evidence *
new_evidence(const Snapshot *snap, const QueryInfo *query, Oid table_oid,
			 double bytes_per_call, double estimated_bytes_per_call,
			 double rows_per_call)
{
	Evidence   *ev = xcalloc(1, sizeof(Evidence));

	ev->queryid = query->queryid;
	ev->calls = query->calls;
	ev->mean_ms = query->mean_ms;
	ev->estimated_mean_ms = NAN;
	scan_rows(snap, query->queryid, table_oid, &ev->rows_scanned, &ev->rows_kept);
	ev->has_bytes = true;
	ev->bytes_per_call = bytes_per_call;
	ev->estimated_bytes_per_call = estimated_bytes_per_call;
	ev->rows_per_call = rows_per_call;
	return ev;
}

/* Mark "s" as a near miss, with the reason it is not suggested. */
static void
mark_near_miss(Suggestion *s, const char *reason)
{
	s->near_miss = true;
	free(s->near_miss_reason);
	s->near_miss_reason = xstrdup(reason);
}

/*
 * When trim suggestion "trim_pos" keeps at most INCLUDE_MAX_COLUMNS
 * columns, find a create_index suggestion on the same table that helps the
 * same query, and write the INCLUDE variant of that index into the
 * evidence of both.
 */
static void
link_index(SuggestionList *out, int trim_pos, const ProjectionRow *row,
		   const bool *wide, PGconn *conn)
{
	Suggestion *trim = &out->items[trim_pos];
	int			kept = 0;

	for (int c = 0; c < row->columns.count; c++)
		if (!wide[c])
			kept++;
	if (kept > INCLUDE_MAX_COLUMNS)
		return;

	for (int i = 0; i < out->count; i++)
	{
		Suggestion *index = &out->items[i];
		char	   *variant;

		if (strcmp(index->kind, "create_index") != 0 || index->near_miss ||
			strcmp(index->table, trim->table) != 0)
			continue;
		for (int e = 0; e < index->nevidence; e++)
		{
			Evidence   *ev = &index->evidence[e];

			if (ev->queryid != row->queryid || ev->include_variant != NULL)
				continue;
			variant = projection_include_variant(conn, index->sql, &row->columns, wide);
			if (variant == NULL)
				continue;
			ev->include_variant = variant;
			if (trim->evidence[0].include_variant == NULL)
				trim->evidence[0].include_variant = xstrdup(variant);
		}
	}
}

static void
suggest_trim(const Snapshot *snap, const ProjectionSet *set, const ProjectionRow *row,
			 PGconn *conn, SuggestionList *out)
{
	const QueryInfo *query = &snap->queries[row->query_pos];
	const TableInfo *table = &snap->tables[row->table_pos];
	bool	   *wide = xcalloc((size_t) row->columns.count + 1, sizeof(bool));
	double		calls = (double) row->calls;
	double		query_bytes = query_bytes_per_call(set, row->queryid);
	double		saved = 0;
	char	   *fingerprint;
	const char *reason = NULL;
	char	   *sql;
	Suggestion *s;
	StrBuf		buf;
	StrBuf		names;
	char		now_text[32],
				after_text[32],
				hour_text[32];

	if (projection_choose_wide(row, wide) == 0)
	{
		free(wide);
		return;
	}
	strbuf_init(&buf);
	strbuf_appendf(&buf, "trim_projection %lld %s.%s", (long long) row->queryid,
				   table->schema, table->name);
	fingerprint = strbuf_release(&buf);
	if (strlist_contains(&snap->rejected_fingerprints, fingerprint))
	{
		free(fingerprint);
		free(wide);
		return;
	}

	sql = projection_rewrite_columns(conn, query->query, table->schema, table->name,
									 &row->columns, wide, &reason);
	strbuf_init(&names);
	for (int c = 0; c < row->columns.count; c++)
		if (wide[c])
		{
			char	   *quoted = projection_quote_column(conn, row->columns.items[c]);

			if (names.len > 0)
				strbuf_append(&names, ", ");
			strbuf_append(&names, quoted ? quoted : row->columns.items[c]);
			free(quoted);
			saved += row->column_bytes[c] / calls;
		}

	s = suggestion_list_add(out, "trim_projection");
	s->table = display_table_name(conn, table->schema, table->name);
	s->fingerprint = fingerprint;
	s->sql = sql ? sql : xstrdup(query->query);
	s->gain_ms_per_hour = 0;
	s->evidence = new_evidence(snap, query, table->oid, query_bytes,
							   query_bytes - saved, (double) row->rows_returned / calls);
	s->nevidence = 1;
	s->evidence[0].column_bytes = column_bytes_json(row, query->calls_per_hour);

	projection_format_bytes(now_text, sizeof(now_text), query_bytes);
	projection_format_bytes(after_text, sizeof(after_text), query_bytes - saved);
	projection_format_bytes(hour_text, sizeof(hour_text), saved * query->calls_per_hour);
	strbuf_init(&buf);
	strbuf_appendf(&buf, "The query returns every column of %s, and %s %s %.1f %% of its "
				   "%s per call; without %s the query returns %s per call, %s less "
				   "per hour.",
				   s->table, names.data, strchr(names.data, ',') ? "make" : "makes",
				   100.0 * saved / query_bytes, now_text, names.data, after_text, hour_text);
	s->rationale = strbuf_release(&buf);
	if (sql == NULL)
		mark_near_miss(s, reason);
	else if (query->eligible)
		link_index(out, out->count - 1, row, wide, conn);
	strbuf_free(&names);
	free(wide);
}

static void
suggest_limit(const Snapshot *snap, const ProjectionSet *set, const ProjectionRow *row,
			  const ProjectionSettings *settings, PGconn *conn, SuggestionList *out)
{
	const QueryInfo *query = &snap->queries[row->query_pos];
	const TableInfo *table = &snap->tables[row->table_pos];
	double		rows_per_call = (double) row->rows_returned / (double) row->calls;
	double		query_bytes = query_bytes_per_call(set, row->queryid);
	double		fraction = (double) settings->page_rows / rows_per_call;
	char	   *order_by = NULL;
	const char *reason = NULL;
	char	   *sql;
	Suggestion *s;
	StrBuf		buf;
	char		now_text[32],
				after_text[32],
				hour_text[32];

	if (rows_per_call <= (double) settings->page_rows)
		return;
	strbuf_init(&buf);
	strbuf_appendf(&buf, "add_limit %lld", (long long) row->queryid);
	if (strlist_contains(&snap->rejected_fingerprints, buf.data))
	{
		strbuf_free(&buf);
		return;
	}
	sql = projection_add_limit(query->query, settings->page_rows, &order_by, &reason);
	if (sql == NULL && strcmp(reason, "the query already has a LIMIT or FETCH") == 0)
	{
		/* a LIMIT larger than a page is the application's choice */
		strbuf_free(&buf);
		return;
	}

	s = suggestion_list_add(out, "add_limit");
	s->fingerprint = strbuf_release(&buf);
	s->table = display_table_name(conn, table->schema, table->name);
	s->sql = sql ? sql : xstrdup(query->query);
	s->evidence = new_evidence(snap, query, table->oid, query_bytes,
							   query_bytes * fraction, rows_per_call);
	s->nevidence = 1;

	/*
	 * Without ORDER BY the scan stops after a page of rows, so time shrinks
	 * about as the rows do (an estimate).  With ORDER BY and no index on
	 * the sort keys every row is still read and sorted: no time is claimed.
	 */
	if (order_by == NULL)
	{
		s->evidence[0].estimated_mean_ms = query->mean_ms * fraction;
		s->gain_ms_per_hour = (query->mean_ms - s->evidence[0].estimated_mean_ms) *
			query->calls_per_hour;
	}

	projection_format_bytes(now_text, sizeof(now_text), query_bytes);
	projection_format_bytes(after_text, sizeof(after_text), query_bytes * fraction);
	projection_format_bytes(hour_text, sizeof(hour_text),
							query_bytes * (1 - fraction) * query->calls_per_hour);
	strbuf_init(&buf);
	strbuf_appendf(&buf, "The query returns %.0f rows (%s) per call without a LIMIT; "
				   "a page of %lld rows is %s per call, %s less per hour",
				   rows_per_call, now_text, (long long) settings->page_rows, after_text,
				   hour_text);
	if (order_by != NULL)
		strbuf_appendf(&buf, ", and the next page is fetched with keyset pagination: "
					   "keep the last row's values of ORDER BY %s and add a WHERE "
					   "condition that starts after them, rather than an OFFSET.",
					   order_by);
	else
		strbuf_append(&buf, ", and an ORDER BY on a unique key makes the pages stable.");
	s->rationale = strbuf_release(&buf);
	if (sql == NULL)
		mark_near_miss(s, reason);
	free(order_by);
}

/* --- checking rewrites with EXPLAIN --------------------------------------- */

static bool
run_command(PGconn *conn, const char *sql, char **error)
{
	PGresult   *res = PQexec(conn, sql);
	bool		ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
		PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok && error != NULL && *error == NULL)
		*error = xstrdup(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) ?
						 PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
						 PQerrorMessage(conn));
	PQclear(res);
	return ok;
}

/*
 * Plan "sql" with EXPLAIN (VERBOSE), inside a savepoint of the caller's
 * read-only transaction, and store the query identifier the server
 * computed in *queryid (0 when compute_query_id is off).  With "bind",
 * the $n placeholders are replaced by the query's parameter sample, as an
 * application that sends constants would.  Without it, "sql" is prepared
 * and explained with EXECUTE on the sample (NULLs without one), as an
 * application that sends parameters would.  The two give different query
 * identifiers.  Returns NULL on success, else the server's message.
 */
static char *
explain_queryid(PGconn *conn, const char *sql, const QueryInfo *query, bool bind,
				int64_t *queryid)
{
	StrBuf		command;
	char	   *error = NULL;
	PGresult   *res;

	*queryid = 0;
	strbuf_init(&command);
	if (bind)
	{
		char	   *bound = projection_bind_literals(sql, &query->parameters);

		if (bound == NULL)
		{
			strbuf_free(&command);
			return xstrdup("the parameter sample does not cover every placeholder");
		}
		strbuf_appendf(&command, "EXPLAIN (VERBOSE, FORMAT JSON) %s", bound);
		free(bound);
	}
	else
	{
		strbuf_appendf(&command, "PREPARE " CHECK_STATEMENT " AS %s", sql);
		run_command(conn, "SAVEPOINT " CHECK_STATEMENT, &error);
		if (!run_command(conn, command.data, &error))
		{
			strbuf_free(&command);
			run_command(conn, "ROLLBACK TO SAVEPOINT " CHECK_STATEMENT, NULL);
			return error;
		}
		strbuf_reset(&command);
		strbuf_append(&command, "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE " CHECK_STATEMENT);
		for (int i = 0; i < projection_max_placeholder(sql); i++)
		{
			strbuf_append(&command, i == 0 ? "(" : ", ");
			if (query->has_parameters && i < query->parameters.count)
				strbuf_append(&command, query->parameters.items[i]);
			else
				strbuf_append(&command, "NULL");
		}
		if (projection_max_placeholder(sql) > 0)
			strbuf_append_char(&command, ')');
	}

	if (error == NULL)
	{
		if (bind)
			run_command(conn, "SAVEPOINT " CHECK_STATEMENT, &error);
		res = PQexec(conn, command.data);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		{
			const char *found = strstr(PQgetvalue(res, 0, 0), "\"Query Identifier\":");

			if (found != NULL)
				*queryid = strtoll(found + strlen("\"Query Identifier\":"), NULL, 10);
		}
		else
			error = xstrdup(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) ?
							PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
							PQerrorMessage(conn));
		PQclear(res);
	}
	strbuf_free(&command);
	run_command(conn, "ROLLBACK TO SAVEPOINT " CHECK_STATEMENT, NULL);
	/* prepared statements outlive a rollback */
	if (!bind)
		run_command(conn, "DEALLOCATE " CHECK_STATEMENT, NULL);
	return error;
}

/*
 * Check one rewrite: the server must plan it.  Then find how the
 * application sends the query, by explaining the original text both ways
 * until one reproduces its query identifier.  The rewrite explained the
 * same way gives the identifier the rewritten query will have, and review
 * uses it to measure that query after approval.  Returns NULL on success, else the reason.
 */
static char *
check_rewrite(PGconn *conn, const char *sql, const QueryInfo *query,
			  int64_t *rewritten_queryid)
{
	int64_t		original;
	int64_t		rewritten;
	char	   *error;

	*rewritten_queryid = 0;
	error = explain_queryid(conn, sql, query, false, &rewritten);
	if (error != NULL)
		return error;
	error = explain_queryid(conn, query->query, query, false, &original);
	if (error == NULL && original == query->queryid)
	{
		*rewritten_queryid = rewritten;
		return NULL;
	}
	free(error);
	if (!query->has_parameters)
		return NULL;
	error = explain_queryid(conn, query->query, query, true, &original);
	if (error == NULL && original == query->queryid)
	{
		error = explain_queryid(conn, sql, query, true, &rewritten);
		if (error == NULL)
			*rewritten_queryid = rewritten;
	}
	/* the rewrite planned above: a failure here only loses the identifier */
	free(error);
	return NULL;
}

static void
check_rewrites(const char *target, const Snapshot *snap, const char *conninfo,
			   int statement_timeout_ms, SuggestionList *out, int first)
{
	PGconn	   *conn;
	char		timeout[96];

	if (first >= out->count)
		return;
	conn = PQconnectdb(conninfo);
	snprintf(timeout, sizeof(timeout), "SET statement_timeout = %d", statement_timeout_ms);
	if (PQstatus(conn) != CONNECTION_OK ||
		!run_command(conn, "BEGIN TRANSACTION READ ONLY", NULL) ||
		!run_command(conn, timeout, NULL))
	{
		log_event(LOG_LEVEL_WARNING, target,
				  "could not open a session to check rewritten queries: %s",
				  PQerrorMessage(conn));
		PQfinish(conn);
		return;
	}
	for (int i = first; i < out->count; i++)
	{
		Suggestion *s = &out->items[i];
		const QueryInfo *query = snapshot_query(snap, s->evidence[0].queryid);
		char	   *error;

		if (s->near_miss || query == NULL)
			continue;
		error = check_rewrite(conn, s->sql, query, &s->evidence[0].rewritten_queryid);
		if (error != NULL)
		{
			StrBuf		reason;

			strbuf_init(&reason);
			strbuf_appendf(&reason, "the rewritten query failed EXPLAIN: %s", error);
			mark_near_miss(s, reason.data);
			strbuf_free(&reason);
			free(error);
		}
	}
	run_command(conn, "ROLLBACK", NULL);
	PQfinish(conn);
}

void
projections_suggest(const char *target, const Snapshot *snap, const ProjectionSet *set,
					const ProjectionSettings *settings, PGconn *display_conn,
					const char *conninfo, SuggestionList *out)
{
	int			first = out->count;

	for (int i = 0; i < set->count; i++)
	{
		const ProjectionRow *row = &set->rows[i];
		const QueryInfo *query;

		if (row->query_pos < 0 || row->table_pos < 0 || row->calls <= 0)
			continue;
		query = &snap->queries[row->query_pos];
		if (query->calls < settings->min_calls || query->query == NULL)
			continue;
		if (row->all_columns)
			suggest_trim(snap, set, row, display_conn, out);

		/*
		 * One add_limit per query, on the relation that returns the most
		 * bytes.  The rows of one query are next to each other.
		 */
		{
			bool		largest = true;

			for (int j = i - 1; j >= 0 && set->rows[j].queryid == row->queryid; j--)
				if (set->rows[j].bytes_returned >= row->bytes_returned)
					largest = false;
			for (int j = i + 1; j < set->count && set->rows[j].queryid == row->queryid; j++)
				if (set->rows[j].bytes_returned > row->bytes_returned)
					largest = false;
			if (largest)
				suggest_limit(snap, set, row, settings, display_conn, out);
		}
	}
	if (conninfo != NULL)
		check_rewrites(target, snap, conninfo, settings->statement_timeout_ms, out, first);
}

/* --- text report ------------------------------------------------------------ */

bool
projection_kind(const char *kind)
{
	return strcmp(kind, "trim_projection") == 0 || strcmp(kind, "add_limit") == 0;
}

/*
 * Append one line per column of a column_bytes object that
 * column_bytes_json() wrote, widest first.  Escapes in the names are shown
 * as written.
 */
static void
append_column_costs(StrBuf *buf, const char *json)
{
	StrList		names = {0};
	double	   *per_call = NULL;
	double	   *per_hour = NULL;
	const char *p = json;

	if (*p++ != '{')
		return;
	while (*p == '"')
	{
		const char *start = ++p;
		StrBuf		name;
		double		call,
					hour;
		int			used = 0;

		while (*p && *p != '"')
			p += (*p == '\\' && p[1]) ? 2 : 1;
		if (*p != '"')
			break;
		strbuf_init(&name);
		strbuf_append_len(&name, start, (size_t) (p - start));
		p++;
		if (sscanf(p, ":{\"bytes_per_call\":%lf,\"bytes_per_hour\":%lf}%n",
				   &call, &hour, &used) != 2 || used == 0)
		{
			strbuf_free(&name);
			break;
		}
		p += used;
		strlist_append(&names, name.data);
		strbuf_free(&name);
		per_call = xrealloc(per_call, sizeof(double) * (size_t) names.count);
		per_hour = xrealloc(per_hour, sizeof(double) * (size_t) names.count);
		per_call[names.count - 1] = call;
		per_hour[names.count - 1] = hour;
		if (*p == ',')
			p++;
	}

	for (int done = 0; done < names.count; done++)
	{
		int			widest = -1;
		char		call_text[32],
					hour_text[32];

		for (int c = 0; c < names.count; c++)
			if (per_call[c] >= 0 && (widest < 0 || per_call[c] > per_call[widest]))
				widest = c;
		projection_format_bytes(call_text, sizeof(call_text), per_call[widest]);
		projection_format_bytes(hour_text, sizeof(hour_text), per_hour[widest]);
		strbuf_append(buf, "        column ");
		output_append_one_line(buf, names.items[widest]);
		strbuf_appendf(buf, ": %s per call, %s per hour\n", call_text, hour_text);
		per_call[widest] = -1;
	}
	strlist_free(&names);
	free(per_call);
	free(per_hour);
}

static void
append_projection_text(StrBuf *buf, int rank, const Suggestion *s)
{
	if (rank > 0)
		strbuf_appendf(buf, "%4d  ", rank);
	else
		strbuf_append(buf, "   -  ");
	strbuf_appendf(buf, "%-15s  ", s->kind);
	output_append_one_line(buf, s->table);
	if (s->id > 0)
		strbuf_appendf(buf, ", id %lld (%s)", (long long) s->id, s->status);
	strbuf_append(buf, "\n      ");
	output_append_one_line(buf, s->sql);
	strbuf_append(buf, "\n      ");
	output_append_one_line(buf, s->rationale);
	strbuf_append_char(buf, '\n');
	if (s->near_miss_reason)
	{
		strbuf_append(buf, "      not suggested: ");
		output_append_one_line(buf, s->near_miss_reason);
		strbuf_append_char(buf, '\n');
	}
	for (int e = 0; e < s->nevidence; e++)
	{
		const Evidence *ev = &s->evidence[e];

		strbuf_appendf(buf, "      query %lld: %lld calls, %.3f ms mean",
					   (long long) ev->queryid, (long long) ev->calls, ev->mean_ms);
		if (!isnan(ev->estimated_mean_ms))
			strbuf_appendf(buf, ", %.3f ms estimated", ev->estimated_mean_ms);
		if (ev->has_bytes)
		{
			char		now_text[32],
						after_text[32];

			projection_format_bytes(now_text, sizeof(now_text), ev->bytes_per_call);
			projection_format_bytes(after_text, sizeof(after_text),
									ev->estimated_bytes_per_call);
			strbuf_appendf(buf, ", %.0f rows and %s per call, %s per call estimated after",
						   ev->rows_per_call, now_text, after_text);
		}
		strbuf_append_char(buf, '\n');
		if (ev->column_bytes != NULL)
			append_column_costs(buf, ev->column_bytes);
		if (ev->include_variant != NULL)
		{
			strbuf_append(buf, "      with the create_index suggestion on this table, "
						  "an index-only scan for the trimmed query: ");
			output_append_one_line(buf, ev->include_variant);
			strbuf_append_char(buf, '\n');
		}
	}
}

void
projections_append_text(StrBuf *buf, const SuggestionList *list)
{
	int			chosen = 0;
	int			near = 0;
	int			rank = 0;

	for (int i = 0; i < list->count; i++)
		if (projection_kind(list->items[i].kind))
		{
			if (list->items[i].near_miss)
				near++;
			else
				chosen++;
		}
	if (chosen + near == 0)
		return;

	strbuf_appendf(buf, "\nProjections and result sets: %d\n", chosen);
	if (chosen > 0)
		strbuf_append(buf, "\nrank  kind             table\n");
	for (int i = 0; i < list->count; i++)
		if (projection_kind(list->items[i].kind) && !list->items[i].near_miss)
			append_projection_text(buf, ++rank, &list->items[i]);
	if (near > 0)
	{
		strbuf_appendf(buf, "\nProjections and result sets not suggested: %d\n\n", near);
		for (int i = 0; i < list->count; i++)
			if (projection_kind(list->items[i].kind) && list->items[i].near_miss)
				append_projection_text(buf, 0, &list->items[i]);
	}
}
