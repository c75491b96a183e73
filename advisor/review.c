/*
 * review.c: list suggestions and record reviewers' decisions (see review.h).
 */
#include "review.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "conn.h"
#include "log.h"
#include "projections.h"
#include "strbuf.h"

static const char *const suggestion_statuses[] = {
	"pending", "approved", "rejected", "applied", "verified", "reverted", "failed", NULL
};

bool
review_valid_status(const char *status)
{
	int			i;

	for (i = 0; suggestion_statuses[i] != NULL; i++)
		if (strcmp(status, suggestion_statuses[i]) == 0)
			return true;
	return false;
}

/* Column numbers of the review query below. */
enum
{
	COL_ID,
	COL_STATUS,
	COL_KIND,
	COL_TABLE,
	COL_GAIN,
	COL_SIZE,
	COL_BEFORE,
	COL_AFTER,
	COL_SQL,
	COL_REASON,
	/* trim_projection and add_limit only */
	COL_BYTES_APPROVED,
	COL_BYTES_MEASURED,
	COL_BYTES_ESTIMATED,
	COL_BYTES_REWRITTEN,
	COL_CALLS_REWRITTEN,
	NUM_COLUMNS
};

static const char *const column_titles[] = {
	"id", "status", "kind", "table", "gain ms/h", "size", "before ms", "after ms"
};

/* Columns up to this one are printed in the table; SQL and reason go below each row. */
#define NUM_TABLE_COLUMNS (COL_AFTER + 1)

static const char *const review_query =
"SELECT s.id, s.status, s.kind, s.\"table\", "
"       pg_catalog.round(s.estimated_gain_ms_per_hour::numeric, 1), "
"       pg_catalog.pg_size_pretty(s.estimated_size_bytes), "
"       pg_catalog.round(s.measured_before_ms::numeric, 3), "
"       pg_catalog.round(s.measured_after_ms::numeric, 3), "
"       s.sql, s.status_reason, s.approved_bytes_per_call, "
"       (s.evidence -> 0 ->> 'bytes_per_call')::float8, "
"       (s.evidence -> 0 ->> 'estimated_bytes_per_call')::float8, "
"       rewritten.bytes_per_call, rewritten.calls "
"  FROM scaleup.suggestions s "
"  LEFT JOIN LATERAL ("
"       SELECT pg_catalog.sum(p.bytes_returned)::float8"
"                / NULLIF(pg_catalog.max(p.calls), 0) AS bytes_per_call,"
"              pg_catalog.max(p.calls) AS calls"
"         FROM scaleup.projections p"
"        WHERE s.kind IN ('trim_projection', 'add_limit')"
"          AND p.queryid = (s.evidence -> 0 ->> 'rewritten_queryid')::bigint"
"          AND p.dbid = (SELECT d.oid FROM pg_catalog.pg_database d"
"                         WHERE d.datname = pg_catalog.current_database())"
"       ) rewritten ON true "
" WHERE s.target = $1 AND ($2::text IS NULL OR s.status = $2) "
" ORDER BY s.id";

/* Right-align numbers, left-align text. */
static bool
column_is_numeric(int column)
{
	return column == COL_ID || column == COL_GAIN || column == COL_SIZE ||
		column == COL_BEFORE || column == COL_AFTER;
}

/* Print one line of the table, without trailing spaces. */
static void
print_row(FILE *out, const int *widths, const char *const *cells)
{
	StrBuf		line;
	int			column;

	strbuf_init(&line);
	for (column = 0; column < NUM_TABLE_COLUMNS; column++)
		strbuf_appendf(&line, "%s%*s", column > 0 ? "  " : "",
					   column_is_numeric(column) ? widths[column] : -widths[column],
					   cells[column]);
	while (line.len > 0 && line.data[line.len - 1] == ' ')
		line.data[--line.len] = '\0';
	fprintf(out, "%s\n", line.data);
	strbuf_free(&line);
}

static double
get_double(const PGresult *result, int row, int column)
{
	return strtod(PQgetvalue(result, row, column), NULL);
}

/*
 * For trim_projection and add_limit, print the bytes per call of the
 * query.  Before approval these are the measured and the estimated ones.
 * Once approved, the measurement at approval is compared with the
 * rewritten query's bytes per call, which the collector counts under the
 * query identifier the advisor computed for the rewrite.
 */
static void
print_bytes_per_call(const PGresult *result, int row, FILE *out)
{
	const char *status = PQgetvalue(result, row, COL_STATUS);
	char		before[32],
				after[32];

	if (PQgetisnull(result, row, COL_BYTES_MEASURED))
		return;
	if (strcmp(status, "approved") != 0 || PQgetisnull(result, row, COL_BYTES_APPROVED))
	{
		projection_format_bytes(before, sizeof(before),
								get_double(result, row, COL_BYTES_MEASURED));
		projection_format_bytes(after, sizeof(after),
								get_double(result, row, COL_BYTES_ESTIMATED));
		fprintf(out, "    bytes per call: %s measured, %s estimated after the rewrite\n",
				before, after);
		return;
	}

	projection_format_bytes(before, sizeof(before),
							get_double(result, row, COL_BYTES_APPROVED));
	if (PQgetisnull(result, row, COL_BYTES_REWRITTEN))
	{
		fprintf(out, "    bytes per call: %s when approved; the rewritten query has not "
				"run yet\n", before);
		return;
	}
	projection_format_bytes(after, sizeof(after), get_double(result, row, COL_BYTES_REWRITTEN));
	fprintf(out, "    bytes per call: %s when approved, %s in %s call%s of the rewritten "
			"query (%s)\n", before, after, PQgetvalue(result, row, COL_CALLS_REWRITTEN),
			strcmp(PQgetvalue(result, row, COL_CALLS_REWRITTEN), "1") == 0 ? "" : "s",
			get_double(result, row, COL_BYTES_REWRITTEN) <
			get_double(result, row, COL_BYTES_APPROVED) ? "dropped" : "did not drop");
}

static void
print_suggestions(const PGresult *result, FILE *out)
{
	int			widths[NUM_TABLE_COLUMNS];
	const char *cells[NUM_TABLE_COLUMNS];
	int			rows = PQntuples(result);
	int			row;
	int			column;

	for (column = 0; column < NUM_TABLE_COLUMNS; column++)
	{
		widths[column] = (int) strlen(column_titles[column]);
		for (row = 0; row < rows; row++)
		{
			int			len = PQgetlength(result, row, column);

			if (len > widths[column])
				widths[column] = len;
		}
	}

	print_row(out, widths, column_titles);
	for (row = 0; row < rows; row++)
	{
		for (column = 0; column < NUM_TABLE_COLUMNS; column++)
			cells[column] = PQgetvalue(result, row, column);
		print_row(out, widths, cells);
		fprintf(out, "    %s\n", PQgetvalue(result, row, COL_SQL));
		if (!PQgetisnull(result, row, COL_REASON))
			fprintf(out, "    reason: %s\n", PQgetvalue(result, row, COL_REASON));
		print_bytes_per_call(result, row, out);
	}
}

/* Log a failed query with the server's message, and a hint when the extension is missing. */
static void
log_query_error(const char *target_name, const char *what, const PGresult *result,
				const PGconn *conn)
{
	const char *sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;

	log_event(LOG_LEVEL_ERROR, target_name, "could not %s: %s", what,
			  conn_error_message(conn));
	/* 42P01 undefined_table, 3F000 invalid_schema_name, 42883 undefined_function */
	if (sqlstate != NULL && (strcmp(sqlstate, "42P01") == 0 || strcmp(sqlstate, "3F000") == 0 ||
							 strcmp(sqlstate, "42883") == 0))
		log_event(LOG_LEVEL_ERROR, target_name,
				  "is the extension installed? Run CREATE EXTENSION pg_scaleup in the target database");
}

int
review_list(const TargetConfig *target, const char *status, FILE *out)
{
	char	   *conninfo = config_target_conninfo(target);
	PGconn	   *conn = conn_open(target->name, conninfo);
	const char *params[2];
	PGresult   *result;

	free(conninfo);
	if (conn == NULL)
		return 1;

	params[0] = target->name;
	params[1] = status;
	result = PQexecParams(conn, review_query, 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(result) != PGRES_TUPLES_OK)
	{
		log_query_error(target->name, "read scaleup.suggestions", result, conn);
		PQclear(result);
		PQfinish(conn);
		return 1;
	}

	fprintf(out, "target %s: %d suggestion%s%s%s\n", target->name, PQntuples(result),
			PQntuples(result) == 1 ? "" : "s", status ? " with status " : "",
			status ? status : "");
	if (PQntuples(result) > 0)
		print_suggestions(result, out);
	PQclear(result);
	PQfinish(conn);
	return 0;
}

int
review_decide(const TargetConfig *target, const int64_t *ids, int nids,
			  bool approve, const char *reason, FILE *out)
{
	char	   *conninfo = config_target_conninfo(target);
	PGconn	   *conn = conn_open(target->name, conninfo);
	const char *verb = approve ? "approve" : "reject";
	const char *sql = approve
		? "SELECT id, status FROM scaleup.approve($1::bigint)"
		: "SELECT id, status FROM scaleup.reject($1::bigint, $2::text)";
	int			failed = 0;
	int			i;

	free(conninfo);
	if (conn == NULL)
		return 1;

	for (i = 0; i < nids; i++)
	{
		char		id_text[32];
		const char *params[2];
		PGresult   *result;

		snprintf(id_text, sizeof(id_text), "%" PRId64, ids[i]);
		params[0] = id_text;
		params[1] = reason;
		result = PQexecParams(conn, sql, approve ? 1 : 2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1)
			fprintf(out, "suggestion %s: %s\n", id_text, PQgetvalue(result, 0, 1));
		else
		{
			const char *detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL);
			const char *primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);

			fprintf(stderr, "suggestion %s: could not %s: %s%s%s%s\n", id_text, verb,
					primary ? primary : conn_error_message(conn),
					detail ? " (detail: " : "", detail ? detail : "", detail ? ")" : "");
			if (PQstatus(conn) != CONNECTION_OK)
			{
				PQclear(result);
				failed += nids - i;
				break;
			}
			failed++;
		}
		PQclear(result);
	}
	PQfinish(conn);
	return failed == 0 ? 0 : 1;
}
