/*
 * fixture.c
 *		Hand-built snapshots for the unit tests; see fixture.h.
 */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

Snapshot *
fixture_snapshot(double rows)
{
	Snapshot   *snap = xcalloc(1, sizeof(Snapshot));
	TableInfo  *t;

	snap->tables = xcalloc(1, sizeof(TableInfo));
	snap->ntables = 1;
	t = &snap->tables[0];
	t->oid = 16384;
	t->schema = xstrdup("public");
	t->name = xstrdup("posts");
	t->relkind = 'r';
	t->rows = rows;
	snap->taken_at = 1000000;
	snap->stats_age_s = 3600;
	return snap;
}

void
fixture_column(Snapshot *snap, const char *name, bool btree_ok,
			   double n_distinct, double top_frequency)
{
	TableInfo  *t = &snap->tables[0];
	ColumnInfo *c;

	t->columns = xrealloc(t->columns, sizeof(ColumnInfo) * (size_t) (t->ncolumns + 1));
	c = &t->columns[t->ncolumns];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->attnum = ++t->ncolumns;
	c->type_name = xstrdup(btree_ok ? "integer" : "point");
	c->btree_ok = btree_ok;
	c->has_stats = n_distinct != 0;
	c->n_distinct = n_distinct;
	c->avg_width = 4;
	c->top_frequency = top_frequency;
}

int
fixture_query(Snapshot *snap, int64_t queryid, int64_t calls, double mean_ms)
{
	QueryInfo  *q;

	snap->queries = xrealloc(snap->queries, sizeof(QueryInfo) * (size_t) (snap->nqueries + 1));
	q = &snap->queries[snap->nqueries];
	memset(q, 0, sizeof(*q));
	q->queryid = queryid;
	q->query = xstrdup("SELECT 1");
	q->calls = calls;
	q->total_ms = mean_ms * (double) calls;
	q->mean_ms = mean_ms;
	q->window_s = 3600;
	q->calls_per_hour = (double) calls;
	q->eligible = true;
	return snap->nqueries++;
}

static void
split_list(const char *text, StrList *list, bool *desc)
{
	char	   *copy = xstrdup(text);
	char	   *save = NULL;

	for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save))
	{
		char	   *space = strstr(item, " DESC");

		if (desc)
			desc[list->count] = space != NULL;
		if (space)
			*space = '\0';
		strlist_append(list, item);
	}
	free(copy);
}

ScanInfo *
fixture_scan(Snapshot *snap, int64_t queryid, const char *eq, const char *range,
			 const char *sort, int64_t limit, double kept_fraction)
{
	ScanInfo   *s;

	snap->scans = xrealloc(snap->scans, sizeof(ScanInfo) * (size_t) (snap->nscans + 1));
	s = &snap->scans[snap->nscans++];
	memset(s, 0, sizeof(*s));
	s->queryid = queryid;
	s->relid = s->table_oid = snap->tables[0].oid;
	strcpy(s->scan_kind, "seq");
	split_list(eq, &s->eq_columns, NULL);
	split_list(range, &s->range_columns, NULL);
	s->sort_descending = xcalloc(8, sizeof(bool));
	split_list(sort, &s->sort_columns, s->sort_descending);
	s->limit_rows = limit;
	s->executions = 100;
	s->rows_scanned = (int64_t) (snap->tables[0].rows * 100);
	s->rows_kept = (int64_t) (snap->tables[0].rows * 100 * kept_fraction);
	s->query_pos = -1;
	s->table_pos = -1;
	return s;
}

IndexInfo *
fixture_index(Snapshot *snap, const char *name, const int *attnums, const bool *desc,
			  int nkeys)
{
	TableInfo  *t = &snap->tables[0];
	IndexInfo  *ix;

	snap->indexes = xrealloc(snap->indexes, sizeof(IndexInfo) * (size_t) (snap->nindexes + 1));
	ix = &snap->indexes[snap->nindexes];
	memset(ix, 0, sizeof(*ix));
	ix->oid = (Oid) (20000 + snap->nindexes);
	ix->name = xstrdup(name);
	ix->schema = xstrdup("public");
	ix->table_oid = t->oid;
	ix->am = xstrdup("btree");
	ix->nkeys = nkeys;
	ix->attnums = xcalloc((size_t) nkeys, sizeof(int));
	ix->descending = xcalloc((size_t) nkeys, sizeof(bool));
	for (int k = 0; k < nkeys; k++)
	{
		ix->attnums[k] = attnums[k];
		ix->descending[k] = desc ? desc[k] : false;
	}
	ix->valid = true;
	ix->shape = xstrdup(name);
	t->index_ids = xrealloc(t->index_ids, sizeof(int) * (size_t) (t->nindexes + 1));
	t->index_ids[t->nindexes++] = snap->nindexes;
	return &snap->indexes[snap->nindexes++];
}

void
fixture_finish(Snapshot *snap)
{
	for (int i = 0; i < snap->nscans; i++)
	{
		QueryInfo  *q = snapshot_query(snap, snap->scans[i].queryid);

		snap->scans[i].query_pos = q ? (int) (q - snap->queries) : -1;
		snap->scans[i].table_pos = 0;
		if (q != NULL)
		{
			q->scan_ids = xrealloc(q->scan_ids, sizeof(int) * (size_t) (q->nscan_ids + 1));
			q->scan_ids[q->nscan_ids++] = i;
		}
	}
}

PGconn *
fixture_conn(void)
{
	/* a socket directory that does not exist fails at once */
	return PQconnectdb("host=/nonexistent/scaleup-unit-test port=1 connect_timeout=1");
}
