/*
 * collect.c
 *		Step 1 of analyze: read a snapshot of the target; see collect.h.
 *
 * Seven queries, whatever the number of statements the extension tracked:
 * the clock, the two views, the suggestions already rejected, and the
 * tables, columns and indexes of every user table in one query each.
 */
#include "collect.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Shortest window a rate is computed over, so a fresh reset cannot inflate it. */
#define MIN_WINDOW_S 60.0

static const char *const queries_sql =
"SELECT q.queryid, q.query, q.calls, q.total_exec_time, q.parameters,"
"       extract(epoch FROM q.first_seen)::float8"
"  FROM scaleup.queries q"
" WHERE q.dbid = (SELECT oid FROM pg_catalog.pg_database"
"                  WHERE datname = pg_catalog.current_database())"
/* the advisor's own statements read the scaleup schema or call HypoPG */
"   AND q.query NOT LIKE '%scaleup.%' AND q.query NOT LIKE '%hypopg%'"
" ORDER BY q.queryid, q.calls DESC";

static const char *const scans_sql =
"SELECT s.queryid, s.relid::oid, coalesce(s.parent_relid::oid, s.relid::oid),"
"       s.scan_kind, coalesce(s.index_relid::oid, 0), s.eq_columns,"
"       s.range_columns, s.other_columns, s.constant_quals, s.sort_columns,"
"       s.sort_descending, s.limit_rows, s.join_columns, s.executions,"
"       s.rows_scanned, s.rows_kept"
"  FROM scaleup.scans s"
" WHERE s.dbid = (SELECT oid FROM pg_catalog.pg_database"
"                  WHERE datname = pg_catalog.current_database())";

/*
 * Tables and partitioned tables outside the system schemas, not partitions.
 * pg_partition_tree() returns no rows for a table that is not partitioned,
 * so such a table reads its own counters.
 */
static const char *const tables_sql =
"SELECT c.oid, n.nspname, c.relname, c.relkind,"
"       CASE WHEN c.relkind = 'p' THEN"
"         (SELECT coalesce(sum(greatest(l.reltuples, 0)), 0)"
"            FROM pg_catalog.pg_partition_tree(c.oid) t"
"            JOIN pg_catalog.pg_class l ON l.oid = t.relid WHERE t.isleaf)"
"       ELSE greatest(c.reltuples, 0) END,"
"       CASE WHEN c.relkind = 'p' THEN"
"         (SELECT coalesce(sum(pg_catalog.pg_relation_size(t.relid)), 0)"
"            FROM pg_catalog.pg_partition_tree(c.oid) t WHERE t.isleaf)"
"       ELSE pg_catalog.pg_relation_size(c.oid) END,"
"       coalesce(sum(s.n_tup_ins), 0), coalesce(sum(s.n_tup_upd), 0),"
"       coalesce(sum(s.n_tup_del), 0), coalesce(sum(s.n_tup_hot_upd), 0),"
"       coalesce(sum(s.seq_scan), 0), coalesce(sum(s.idx_scan), 0)"
"  FROM pg_catalog.pg_class c"
"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
"  LEFT JOIN LATERAL (SELECT t.relid FROM pg_catalog.pg_partition_tree(c.oid) t"
"                      WHERE t.isleaf) leaf ON true"
"  LEFT JOIN pg_catalog.pg_stat_all_tables s"
"         ON s.relid = coalesce(leaf.relid, c.oid)"
" WHERE c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition"
"   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'scaleup')"
"   AND n.nspname !~ '^pg_(toast|temp_)'"
" GROUP BY c.oid, n.nspname, c.relname, c.relkind, c.reltuples"
" ORDER BY c.oid";

/*
 * A type is btree-indexable when a default btree opclass takes it directly,
 * through its domain base type, a binary-coercible cast, or the polymorphic
 * array, enum and range opclasses.
 */
static const char *const columns_sql =
"SELECT a.attrelid, a.attnum, a.attname,"
"       pg_catalog.format_type(a.atttypid, a.atttypmod),"
"       EXISTS (SELECT 1 FROM pg_catalog.pg_opclass oc"
"                WHERE oc.opcmethod = 403 AND oc.opcdefault"
"                  AND (oc.opcintype IN (ty.oid, ty.typbasetype)"
"                       OR (oc.opcintype = 'pg_catalog.anyarray'::pg_catalog.regtype"
"                           AND ty.typcategory = 'A')"
"                       OR (oc.opcintype = 'pg_catalog.anyenum'::pg_catalog.regtype"
"                           AND ty.typtype = 'e')"
"                       OR (oc.opcintype = 'pg_catalog.anyrange'::pg_catalog.regtype"
"                           AND ty.typtype = 'r')"
"                       OR EXISTS (SELECT 1 FROM pg_catalog.pg_cast ca"
"                                   WHERE ca.castsource = ty.oid"
"                                     AND ca.casttarget = oc.opcintype"
"                                     AND ca.castmethod = 'b'))),"
"       s.null_frac, s.n_distinct, s.avg_width,"
"       (s.most_common_freqs)[1]"
"  FROM pg_catalog.pg_attribute a"
"  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
"  JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid"
"  LEFT JOIN pg_catalog.pg_stats s ON s.schemaname = n.nspname"
"       AND s.tablename = c.relname AND s.attname = a.attname"
"       AND s.inherited = (c.relkind = 'p')"
" WHERE a.attrelid = ANY ($1::pg_catalog.oid[]) AND a.attnum > 0"
"   AND NOT a.attisdropped"
" ORDER BY a.attrelid, a.attnum";

static const char *const indexes_sql =
"SELECT i.indexrelid, ic.relname, n.nspname, i.indrelid, am.amname,"
"       i.indnkeyatts, i.indkey::text, i.indoption::text, i.indisvalid,"
"       i.indisprimary, i.indisunique,"
"       EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co"
"                WHERE co.conindid = i.indexrelid AND co.contype IN ('p', 'u', 'x')),"
"       pg_catalog.pg_get_expr(i.indpred, i.indrelid),"
"       i.indexprs IS NOT NULL,"
"       am.amname || ' ' || i.indkey::text || ' ' || i.indclass::text || ' '"
"         || i.indoption::text || ' ' || i.indcollation::text || ' '"
"         || coalesce(pg_catalog.pg_get_expr(i.indexprs, i.indrelid), '') || ' '"
"         || coalesce(pg_catalog.pg_get_expr(i.indpred, i.indrelid), ''),"
"       coalesce(st.idx_scan, 0), pg_catalog.pg_relation_size(i.indexrelid)"
"  FROM pg_catalog.pg_index i"
"  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
"  JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace"
"  JOIN pg_catalog.pg_am am ON am.oid = ic.relam"
"  LEFT JOIN pg_catalog.pg_stat_all_indexes st ON st.indexrelid = i.indexrelid"
" WHERE i.indrelid = ANY ($1::pg_catalog.oid[])"
" ORDER BY i.indrelid, i.indexrelid";

static const char *const misc_sql =
"SELECT extract(epoch FROM pg_catalog.now())::float8,"
"       extract(epoch FROM pg_catalog.now() - coalesce(d.stats_reset,"
"               pg_catalog.pg_postmaster_start_time()))::float8,"
"       (SELECT e.extnamespace::pg_catalog.regnamespace::text"
"          FROM pg_catalog.pg_extension e WHERE e.extname = 'hypopg')"
"  FROM pg_catalog.pg_stat_database d"
" WHERE d.datname = pg_catalog.current_database()";

static const char *const rejected_sql =
"SELECT fingerprint FROM scaleup.suggestions"
" WHERE target = $1 AND status = 'rejected'";

/* --- small helpers ------------------------------------------------------- */

static int64_t
get_int64(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0;
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static double
get_double(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0.0;
	return strtod(PQgetvalue(res, row, col), NULL);
}

static bool
get_bool(PGresult *res, int row, int col)
{
	return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

static char *
get_string(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return NULL;
	return xstrdup(PQgetvalue(res, row, col));
}

static void
get_array(PGresult *res, int row, int col, StrList *list)
{
	if (!PQgetisnull(res, row, col))
		parse_text_array(PQgetvalue(res, row, col), list);
}

/* Run "sql" and return its result, or NULL after logging the error. */
static PGresult *
run_query(const char *target, PGconn *conn, const char *what, const char *sql,
		  int nparams, const char *const *params)
{
	PGresult   *res = PQexecParams(conn, sql, nparams, NULL, params,
								   NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		/* undefined_table or invalid_schema_name: the extension is missing */
		if (sqlstate != NULL &&
			(strcmp(sqlstate, "42P01") == 0 || strcmp(sqlstate, "3F000") == 0))
			log_event(LOG_LEVEL_ERROR, target,
					  "could not read %s: %s"
					  "Run CREATE EXTENSION pg_scaleup in the target database, with pg_scaleup in shared_preload_libraries.",
					  what, PQresultErrorMessage(res));
		else
			log_event(LOG_LEVEL_ERROR, target, "could not read %s: %s", what,
					  PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	return res;
}

bool
parse_text_array(const char *literal, StrList *list)
{
	const char *p = literal;
	StrBuf		item;

	if (*p != '{')
		return false;
	p++;
	strbuf_init(&item);
	while (*p && *p != '}')
	{
		bool		quoted = false;

		strbuf_reset(&item);
		if (*p == '"')
		{
			quoted = true;
			p++;
			while (*p && *p != '"')
			{
				if (*p == '\\' && p[1])
					p++;
				strbuf_append_char(&item, *p);
				p++;
			}
			if (*p != '"')
				break;
			p++;
		}
		else
		{
			while (*p && *p != ',' && *p != '}')
			{
				if (*p == '\\' && p[1])
					p++;
				strbuf_append_char(&item, *p);
				p++;
			}
		}
		if (quoted || strcmp(item.data, "NULL") != 0)
			strlist_append(list, item.data);
		if (*p == ',')
			p++;
	}
	strbuf_free(&item);
	return *p == '}';
}

/* Parse a boolean array literal such as {t,f} into a malloc'd array. */
static bool *
parse_bool_array(const char *literal, int expected)
{
	StrList		items = {0};
	bool	   *values = xcalloc((size_t) (expected > 0 ? expected : 1), sizeof(bool));

	if (literal != NULL && parse_text_array(literal, &items))
	{
		for (int i = 0; i < items.count && i < expected; i++)
			values[i] = items.items[i][0] == 't';
	}
	strlist_free(&items);
	return values;
}

/* --- UPDATE statements: which columns they set ---------------------------- */

/* Skip spaces and comments. */
static const char *
skip_space(const char *p)
{
	for (;;)
	{
		while (*p && isspace((unsigned char) *p))
			p++;
		if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*')
		{
			const char *end = strstr(p + 2, "*/");

			p = end ? end + 2 : p + strlen(p);
			continue;
		}
		return p;
	}
}

/*
 * Read one identifier (quoted or not) into "out", folding unquoted ones to
 * lower case as the server does.  Returns the position after it, or NULL.
 */
static const char *
read_identifier(const char *p, StrBuf *out)
{
	strbuf_reset(out);
	p = skip_space(p);
	if (*p == '"')
	{
		p++;
		while (*p)
		{
			if (*p == '"' && p[1] == '"')
			{
				strbuf_append_char(out, '"');
				p += 2;
				continue;
			}
			if (*p == '"')
				return p + 1;
			strbuf_append_char(out, *p++);
		}
		return NULL;
	}
	if (!(isalpha((unsigned char) *p) || *p == '_' || (unsigned char) *p >= 0x80))
		return NULL;
	while (isalnum((unsigned char) *p) || *p == '_' || *p == '$' ||
		   (unsigned char) *p >= 0x80)
		strbuf_append_char(out, (char) tolower((unsigned char) *p++));
	return p;
}

static bool
keyword_at(const char *p, const char *keyword)
{
	size_t		len = strlen(keyword);

	return strncasecmp(p, keyword, len) == 0 &&
		!(isalnum((unsigned char) p[len]) || p[len] == '_');
}

/* Skip one SET expression up to the next top-level "," or clause keyword. */
static const char *
skip_expression(const char *p)
{
	int			depth = 0;

	while (*p)
	{
		if (*p == '\'' || *p == '"')
		{
			char		quote = *p++;

			while (*p && !(*p == quote && p[1] != quote))
				p += (*p == quote) ? 2 : 1;
			if (*p)
				p++;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (depth == 0 && *p == ',')
			return p;
		else if (depth == 0 && !isalnum((unsigned char) p[-1]) &&
				 (keyword_at(p, "FROM") || keyword_at(p, "WHERE") ||
				  keyword_at(p, "RETURNING")))
			return p;
		p++;
	}
	return p;
}

bool
parse_update_target(const char *query, StrBuf *schema, StrBuf *table,
					StrList *columns)
{
	const char *p = skip_space(query);
	StrBuf		word;

	if (!keyword_at(p, "UPDATE"))
		return false;
	p = skip_space(p + 6);
	if (keyword_at(p, "ONLY"))
		p += 4;

	strbuf_init(&word);
	strbuf_reset(schema);
	p = read_identifier(p, table);
	if (p != NULL && *p == '.')
	{
		strbuf_append(schema, table->data);
		p = read_identifier(p + 1, table);
	}
	if (p == NULL)
		goto fail;

	/* an optional alias, with or without AS */
	p = skip_space(p);
	if (keyword_at(p, "AS"))
		p += 2;
	p = skip_space(p);
	if (!keyword_at(p, "SET"))
	{
		p = read_identifier(p, &word);
		if (p == NULL)
			goto fail;
		p = skip_space(p);
	}
	if (!keyword_at(p, "SET"))
		goto fail;
	p += 3;

	for (;;)
	{
		p = skip_space(p);
		if (*p == '(')
		{
			/* SET (a, b) = (...) */
			p++;
			for (;;)
			{
				p = read_identifier(p, &word);
				if (p == NULL)
					goto fail;
				strlist_append(columns, word.data);
				p = skip_space(p);
				if (*p == ',')
				{
					p++;
					continue;
				}
				if (*p != ')')
					goto fail;
				p++;
				break;
			}
		}
		else
		{
			p = read_identifier(p, &word);
			if (p == NULL)
				goto fail;
			strlist_append(columns, word.data);
		}
		p = skip_space(p);
		/* SET col.field = ... or col[1] = ...: the column itself counts */
		if (*p != '=')
		{
			while (*p && *p != '=')
				p++;
		}
		p = skip_expression(p);
		if (*p != ',')
			break;
		p++;
	}
	strbuf_free(&word);
	return true;

fail:
	strbuf_free(&word);
	return false;
}

/* --- lookups ---------------------------------------------------------------- */

TableInfo *
snapshot_table(const Snapshot *snapshot, Oid oid)
{
	int			lo = 0,
				hi = snapshot->ntables - 1;

	/* tables are ordered by oid */
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (snapshot->tables[mid].oid == oid)
			return &snapshot->tables[mid];
		if (snapshot->tables[mid].oid < oid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

QueryInfo *
snapshot_query(const Snapshot *snapshot, int64_t queryid)
{
	int			lo = 0,
				hi = snapshot->nqueries - 1;

	/* queries are ordered by queryid */
	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (snapshot->queries[mid].queryid == queryid)
			return &snapshot->queries[mid];
		if (snapshot->queries[mid].queryid < queryid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

const ColumnInfo *
table_column(const TableInfo *table, const char *name)
{
	for (int i = 0; i < table->ncolumns; i++)
		if (strcmp(table->columns[i].name, name) == 0)
			return &table->columns[i];
	return NULL;
}

const ColumnInfo *
table_column_by_attnum(const TableInfo *table, int attnum)
{
	for (int i = 0; i < table->ncolumns; i++)
		if (table->columns[i].attnum == attnum)
			return &table->columns[i];
	return NULL;
}

double
column_eq_selectivity(const ColumnInfo *column, double rows)
{
	double		distinct;

	if (column == NULL || !column->has_stats)
		return 1.0;
	if (column->n_distinct > 0)
		distinct = column->n_distinct;
	else if (column->n_distinct < 0)
		distinct = -column->n_distinct * (rows > 1 ? rows : 1);
	else
		return 1.0;
	if (distinct < 1)
		distinct = 1;
	/* the most common value bounds the fraction an equality may keep */
	if (column->top_frequency > (1.0 - column->null_frac) / distinct)
		return column->top_frequency;
	return (1.0 - column->null_frac) / distinct;
}

/* --- reading the parts ------------------------------------------------------ */

static bool
read_queries(const char *target, PGconn *conn, Snapshot *snap)
{
	PGresult   *res = run_query(target, conn, "scaleup.queries", queries_sql, 0, NULL);
	int			rows;

	if (res == NULL)
		return false;
	rows = PQntuples(res);
	snap->queries = xcalloc((size_t) rows + 1, sizeof(QueryInfo));
	for (int r = 0; r < rows; r++)
	{
		int64_t		queryid = get_int64(res, r, 0);
		QueryInfo  *q;
		double		first_seen = get_double(res, r, 5);

		/* one row per (user, toplevel): sum them per queryid */
		if (snap->nqueries > 0 &&
			snap->queries[snap->nqueries - 1].queryid == queryid)
			q = &snap->queries[snap->nqueries - 1];
		else
		{
			q = &snap->queries[snap->nqueries++];
			q->queryid = queryid;
			q->query = get_string(res, r, 1);
			q->window_s = snap->taken_at - first_seen;
		}
		q->raw_calls += get_int64(res, r, 2);
		q->raw_total_ms += get_double(res, r, 3);
		if (snap->taken_at - first_seen > q->window_s)
			q->window_s = snap->taken_at - first_seen;
		if (!q->has_parameters && !PQgetisnull(res, r, 4))
		{
			strlist_free(&q->parameters);
			q->has_parameters = parse_text_array(PQgetvalue(res, r, 4),
												 &q->parameters);
		}
	}
	PQclear(res);
	return true;
}

static bool
read_scans(const char *target, PGconn *conn, Snapshot *snap)
{
	PGresult   *res = run_query(target, conn, "scaleup.scans", scans_sql, 0, NULL);
	int			rows;

	if (res == NULL)
		return false;
	rows = PQntuples(res);
	snap->scans = xcalloc((size_t) rows + 1, sizeof(ScanInfo));
	for (int r = 0; r < rows; r++)
	{
		ScanInfo   *s = &snap->scans[snap->nscans++];

		s->queryid = get_int64(res, r, 0);
		s->relid = (Oid) strtoul(PQgetvalue(res, r, 1), NULL, 10);
		s->table_oid = (Oid) strtoul(PQgetvalue(res, r, 2), NULL, 10);
		snprintf(s->scan_kind, sizeof(s->scan_kind), "%s", PQgetvalue(res, r, 3));
		s->index_oid = (Oid) strtoul(PQgetvalue(res, r, 4), NULL, 10);
		get_array(res, r, 5, &s->eq_columns);
		get_array(res, r, 6, &s->range_columns);
		get_array(res, r, 7, &s->other_columns);
		get_array(res, r, 8, &s->constant_quals);
		get_array(res, r, 9, &s->sort_columns);
		s->sort_descending = parse_bool_array(PQgetisnull(res, r, 10) ? NULL :
											  PQgetvalue(res, r, 10),
											  s->sort_columns.count);
		s->limit_rows = PQgetisnull(res, r, 11) ? -1 : get_int64(res, r, 11);
		get_array(res, r, 12, &s->join_columns);
		s->executions = get_int64(res, r, 13);
		s->rows_scanned = get_int64(res, r, 14);
		s->rows_kept = get_int64(res, r, 15);
		s->query_pos = -1;
		s->table_pos = -1;
	}
	PQclear(res);
	return true;
}

static bool
read_tables(const char *target, PGconn *conn, Snapshot *snap)
{
	PGresult   *res = run_query(target, conn, "the tables", tables_sql, 0, NULL);
	int			rows;

	if (res == NULL)
		return false;
	rows = PQntuples(res);
	snap->tables = xcalloc((size_t) rows + 1, sizeof(TableInfo));
	for (int r = 0; r < rows; r++)
	{
		TableInfo  *t = &snap->tables[snap->ntables++];

		t->oid = (Oid) strtoul(PQgetvalue(res, r, 0), NULL, 10);
		t->schema = get_string(res, r, 1);
		t->name = get_string(res, r, 2);
		t->relkind = PQgetvalue(res, r, 3)[0];
		t->rows = get_double(res, r, 4);
		t->size_bytes = get_int64(res, r, 5);
		t->n_tup_ins = get_int64(res, r, 6);
		t->n_tup_upd = get_int64(res, r, 7);
		t->n_tup_del = get_int64(res, r, 8);
		t->n_tup_hot_upd = get_int64(res, r, 9);
		t->seq_scan = get_int64(res, r, 10);
		t->idx_scan = get_int64(res, r, 11);
	}
	PQclear(res);
	return true;
}

/* Build the {oid,oid,...} literal of every table of the snapshot. */
static char *
table_oid_array(const Snapshot *snap)
{
	StrBuf		buf;

	strbuf_init(&buf);
	strbuf_append_char(&buf, '{');
	for (int i = 0; i < snap->ntables; i++)
		strbuf_appendf(&buf, "%s%u", i ? "," : "", snap->tables[i].oid);
	strbuf_append_char(&buf, '}');
	return strbuf_release(&buf);
}

static bool
read_columns(const char *target, PGconn *conn, Snapshot *snap, const char *oids)
{
	PGresult   *res = run_query(target, conn, "the column statistics",
								columns_sql, 1, &oids);
	int			rows;
	TableInfo  *t = NULL;

	if (res == NULL)
		return false;
	rows = PQntuples(res);
	for (int r = 0; r < rows; r++)
	{
		Oid			relid = (Oid) strtoul(PQgetvalue(res, r, 0), NULL, 10);
		ColumnInfo *c;

		if (t == NULL || t->oid != relid)
		{
			t = snapshot_table(snap, relid);
			if (t == NULL)
				continue;
		}
		t->columns = xrealloc(t->columns, sizeof(ColumnInfo) * (size_t) (t->ncolumns + 1));
		c = &t->columns[t->ncolumns++];
		memset(c, 0, sizeof(*c));
		c->attnum = (int) get_int64(res, r, 1);
		c->name = get_string(res, r, 2);
		c->type_name = get_string(res, r, 3);
		c->btree_ok = get_bool(res, r, 4);
		c->has_stats = !PQgetisnull(res, r, 5);
		c->null_frac = get_double(res, r, 5);
		c->n_distinct = get_double(res, r, 6);
		c->avg_width = (int) get_int64(res, r, 7);
		c->top_frequency = get_double(res, r, 8);
	}
	PQclear(res);
	return true;
}

/* Parse an int2vector's text ("1 3 2") into at most "max" numbers. */
static int
parse_int_vector(const char *text, int *out, int max)
{
	int			count = 0;
	char	   *end;

	while (*text && count < max)
	{
		long		value = strtol(text, &end, 10);

		if (end == text)
			break;
		out[count++] = (int) value;
		text = end;
	}
	return count;
}

static bool
read_indexes(const char *target, PGconn *conn, Snapshot *snap, const char *oids)
{
	PGresult   *res = run_query(target, conn, "the indexes", indexes_sql, 1, &oids);
	int			rows;

	if (res == NULL)
		return false;
	rows = PQntuples(res);
	snap->indexes = xcalloc((size_t) rows + 1, sizeof(IndexInfo));
	for (int r = 0; r < rows; r++)
	{
		IndexInfo  *ix = &snap->indexes[snap->nindexes];
		TableInfo  *t;
		int			nkeys;
		int		   *options;

		ix->oid = (Oid) strtoul(PQgetvalue(res, r, 0), NULL, 10);
		ix->name = get_string(res, r, 1);
		ix->schema = get_string(res, r, 2);
		ix->table_oid = (Oid) strtoul(PQgetvalue(res, r, 3), NULL, 10);
		ix->am = get_string(res, r, 4);
		nkeys = (int) get_int64(res, r, 5);
		ix->attnums = xcalloc((size_t) nkeys + 1, sizeof(int));
		ix->descending = xcalloc((size_t) nkeys + 1, sizeof(bool));
		options = xcalloc((size_t) nkeys + 1, sizeof(int));
		ix->nkeys = parse_int_vector(PQgetvalue(res, r, 6), ix->attnums, nkeys);
		parse_int_vector(PQgetvalue(res, r, 7), options, nkeys);
		for (int k = 0; k < ix->nkeys; k++)
			ix->descending[k] = (options[k] & 1) != 0;	/* INDOPTION_DESC */
		free(options);
		ix->valid = get_bool(res, r, 8);
		ix->primary = get_bool(res, r, 9);
		ix->unique = get_bool(res, r, 10);
		ix->backs_constraint = get_bool(res, r, 11);
		ix->predicate = get_string(res, r, 12);
		ix->partial = ix->predicate != NULL;
		ix->has_expressions = get_bool(res, r, 13);
		ix->shape = get_string(res, r, 14);
		ix->idx_scan = get_int64(res, r, 15);
		ix->size_bytes = get_int64(res, r, 16);

		t = snapshot_table(snap, ix->table_oid);
		if (t != NULL)
		{
			t->index_ids = xrealloc(t->index_ids, sizeof(int) * (size_t) (t->nindexes + 1));
			t->index_ids[t->nindexes++] = snap->nindexes;
		}
		snap->nindexes++;
	}
	PQclear(res);
	return true;
}

static bool
read_misc(const char *target, PGconn *conn, Snapshot *snap)
{
	PGresult   *res = run_query(target, conn, "the server clock", misc_sql, 0, NULL);

	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
	{
		snap->taken_at = get_double(res, 0, 0);
		snap->stats_age_s = get_double(res, 0, 1);
		snap->hypopg_schema = get_string(res, 0, 2);
	}
	PQclear(res);
	return true;
}

/* Rejected suggestions; a reader without access to the table just warns. */
static void
read_rejected(const char *target, PGconn *conn, Snapshot *snap)
{
	const char *params[1] = {target};
	PGresult   *res = PQexecParams(conn, rejected_sql, 1, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		log_event(LOG_LEVEL_WARNING, target,
				  "could not read rejected suggestions, so they may be proposed again: %s",
				  PQresultErrorMessage(res));
	else
		for (int r = 0; r < PQntuples(res); r++)
			strlist_append(&snap->rejected_fingerprints, PQgetvalue(res, r, 0));
	PQclear(res);
}

/* Record for each table the columns that UPDATE queries set. */
static void
find_updated_columns(Snapshot *snap)
{
	StrBuf		schema,
				table;

	strbuf_init(&schema);
	strbuf_init(&table);
	for (int i = 0; i < snap->nqueries; i++)
	{
		StrList		columns = {0};

		if (snap->queries[i].query == NULL ||
			!parse_update_target(snap->queries[i].query, &schema, &table, &columns))
		{
			strlist_free(&columns);
			continue;
		}

		/*
		 * NOTE: an unqualified name is matched in every schema because the
		 * application's search_path is unknown here.  A table of the same
		 * name elsewhere may get a write penalty it does not deserve.
		 */
		for (int t = 0; t < snap->ntables; t++)
		{
			TableInfo  *info = &snap->tables[t];

			if (strcmp(info->name, table.data) != 0 ||
				(schema.len > 0 && strcmp(info->schema, schema.data) != 0))
				continue;
			for (int c = 0; c < columns.count; c++)
				if (!strlist_contains(&info->updated_columns, columns.items[c]))
					strlist_append(&info->updated_columns, columns.items[c]);
		}
		strlist_free(&columns);
	}
	strbuf_free(&schema);
	strbuf_free(&table);
}

/* --- deltas and rates ------------------------------------------------------- */

static int64_t
counter_delta(int64_t now, int64_t before)
{
	/* a counter that went down was reset: count from zero */
	return now >= before ? now - before : now;
}

static void
compute_rates(Snapshot *snap, const Snapshot *previous, const CollectFilter *filter)
{
	double		interval = previous ? snap->taken_at - previous->taken_at : 0;

	for (int i = 0; i < snap->nqueries; i++)
	{
		QueryInfo  *q = &snap->queries[i];
		const QueryInfo *old = previous ? snapshot_query(previous, q->queryid) : NULL;

		q->calls = q->raw_calls;
		q->total_ms = q->raw_total_ms;
		if (old != NULL && old->raw_calls <= q->raw_calls)
		{
			q->calls = q->raw_calls - old->raw_calls;
			q->total_ms = q->raw_total_ms - old->raw_total_ms;
			q->window_s = interval;
		}
		else if (previous != NULL && q->window_s > interval)
			q->window_s = interval;
		if (q->window_s < MIN_WINDOW_S)
			q->window_s = MIN_WINDOW_S;
		q->mean_ms = q->calls > 0 ? q->total_ms / (double) q->calls : 0;
		q->calls_per_hour = (double) q->calls * 3600.0 / q->window_s;
		q->eligible = q->calls >= filter->min_calls &&
			q->total_ms >= filter->min_total_time_ms;
	}

	/*
	 * NOTE: without a previous snapshot, write rates average everything
	 * since the statistics were reset, so a bulk load shortly before counts
	 * as steady write traffic until pg_stat_reset() or the next cycle.
	 */
	for (int i = 0; i < snap->ntables; i++)
	{
		TableInfo  *t = &snap->tables[i];
		const TableInfo *old = previous ? snapshot_table(previous, t->oid) : NULL;
		double		window = snap->stats_age_s;
		int64_t		ins = t->n_tup_ins,
					upd = t->n_tup_upd,
					del = t->n_tup_del,
					hot = t->n_tup_hot_upd;

		if (old != NULL)
		{
			ins = counter_delta(t->n_tup_ins, old->n_tup_ins);
			upd = counter_delta(t->n_tup_upd, old->n_tup_upd);
			del = counter_delta(t->n_tup_del, old->n_tup_del);
			hot = counter_delta(t->n_tup_hot_upd, old->n_tup_hot_upd);
			window = interval;
		}
		if (window < MIN_WINDOW_S)
			window = MIN_WINDOW_S;
		t->window_s = window;
		t->ins_per_s = (double) ins / window;
		t->upd_per_s = (double) upd / window;
		t->del_per_s = (double) del / window;
		t->hot_upd_per_s = (double) hot / window;
	}
}

static int
compare_scans(const void *a, const void *b)
{
	const ScanInfo *x = a,
			   *y = b;

	if (x->table_oid != y->table_oid)
		return x->table_oid < y->table_oid ? -1 : 1;
	if (x->queryid != y->queryid)
		return x->queryid < y->queryid ? -1 : 1;
	return 0;
}

Snapshot *
collect_snapshot(const char *target, PGconn *conn, const Snapshot *previous,
				 const CollectFilter *filter)
{
	Snapshot   *snap = xcalloc(1, sizeof(Snapshot));
	char	   *oids = NULL;

	if (!read_misc(target, conn, snap) ||
		!read_queries(target, conn, snap) ||
		!read_scans(target, conn, snap) ||
		!read_tables(target, conn, snap))
		goto fail;
	oids = table_oid_array(snap);
	if (!read_columns(target, conn, snap, oids) ||
		!read_indexes(target, conn, snap, oids))
		goto fail;
	free(oids);
	read_rejected(target, conn, snap);
	find_updated_columns(snap);
	compute_rates(snap, previous, filter);

	qsort(snap->scans, (size_t) snap->nscans, sizeof(ScanInfo), compare_scans);
	for (int i = 0; i < snap->nscans; i++)
	{
		ScanInfo   *s = &snap->scans[i];
		QueryInfo  *q = snapshot_query(snap, s->queryid);
		TableInfo  *t = snapshot_table(snap, s->table_oid);

		s->query_pos = q ? (int) (q - snap->queries) : -1;
		s->table_pos = t ? (int) (t - snap->tables) : -1;
		if (q != NULL)
		{
			q->scan_ids = xrealloc(q->scan_ids, sizeof(int) * (size_t) (q->nscan_ids + 1));
			q->scan_ids[q->nscan_ids++] = i;
		}
	}
	log_event(LOG_LEVEL_DEBUG, target,
			  "collected %d queries, %d scans, %d tables, %d indexes",
			  snap->nqueries, snap->nscans, snap->ntables, snap->nindexes);
	return snap;

fail:
	free(oids);
	snapshot_free(snap);
	return NULL;
}

void
snapshot_free(Snapshot *snap)
{
	if (snap == NULL)
		return;
	for (int i = 0; i < snap->nqueries; i++)
	{
		free(snap->queries[i].query);
		free(snap->queries[i].scan_ids);
		strlist_free(&snap->queries[i].parameters);
	}
	for (int i = 0; i < snap->nscans; i++)
	{
		ScanInfo   *s = &snap->scans[i];

		strlist_free(&s->eq_columns);
		strlist_free(&s->range_columns);
		strlist_free(&s->other_columns);
		strlist_free(&s->constant_quals);
		strlist_free(&s->sort_columns);
		strlist_free(&s->join_columns);
		free(s->sort_descending);
	}
	for (int i = 0; i < snap->ntables; i++)
	{
		TableInfo  *t = &snap->tables[i];

		for (int c = 0; c < t->ncolumns; c++)
		{
			free(t->columns[c].name);
			free(t->columns[c].type_name);
		}
		free(t->columns);
		free(t->index_ids);
		free(t->schema);
		free(t->name);
		strlist_free(&t->updated_columns);
	}
	for (int i = 0; i < snap->nindexes; i++)
	{
		IndexInfo  *ix = &snap->indexes[i];

		free(ix->name);
		free(ix->schema);
		free(ix->am);
		free(ix->attnums);
		free(ix->descending);
		free(ix->predicate);
		free(ix->shape);
	}
	free(snap->queries);
	free(snap->scans);
	free(snap->tables);
	free(snap->indexes);
	free(snap->hypopg_schema);
	strlist_free(&snap->rejected_fingerprints);
	free(snap);
}
