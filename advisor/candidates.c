/*
 * candidates.c
 *		Step 2 of analyze: candidate indexes from the scan evidence; see
 *		candidates.h for the rules.
 */
#include "candidates.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sqlquote.h"

static bool
is_live_query(const Snapshot *snap, int query_pos)
{
	return query_pos >= 0 && snap->queries[query_pos].eligible;
}

/* True when the SQL text of a qual refers to column "name". */
static bool
qual_mentions(const char *qual, const char *name)
{
	size_t		len = strlen(name);
	const char *p;
	char	   *quoted = xmalloc(len + 3);

	snprintf(quoted, len + 3, "\"%s\"", name);
	p = strstr(qual, quoted);
	free(quoted);
	if (p != NULL)
		return true;

	/* a bare identifier, delimited by non-identifier characters */
	for (p = strstr(qual, name); p != NULL; p = strstr(p + 1, name))
	{
		bool		start_ok = p == qual ||
			!(isalnum((unsigned char) p[-1]) || p[-1] == '_' || p[-1] == '"');
		bool		end_ok = !(isalnum((unsigned char) p[len]) || p[len] == '_' ||
							   p[len] == '"');

		if (start_ok && end_ok)
			return true;
	}
	return false;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

char *
common_constant_predicate(const Snapshot *snap, int table_pos)
{
	StrList		common = {0};
	bool		first = true;
	StrBuf		buf;

	for (int i = 0; i < snap->nscans; i++)
	{
		const ScanInfo *s = &snap->scans[i];
		StrList		kept = {0};

		if (s->table_pos != table_pos || !is_live_query(snap, s->query_pos))
			continue;
		if (first)
		{
			strlist_copy(&common, &s->constant_quals);
			first = false;
			continue;
		}
		for (int q = 0; q < common.count; q++)
			if (strlist_contains(&s->constant_quals, common.items[q]))
				strlist_append(&kept, common.items[q]);
		strlist_free(&common);
		common = kept;
	}
	if (common.count == 0)
	{
		strlist_free(&common);
		return NULL;
	}

	qsort(common.items, (size_t) common.count, sizeof(char *), compare_strings);
	strbuf_init(&buf);
	for (int q = 0; q < common.count; q++)
	{
		if (q > 0)
			strbuf_append(&buf, " AND ");
		if (common.count > 1)
			strbuf_appendf(&buf, "(%s)", common.items[q]);
		else
			strbuf_append(&buf, common.items[q]);
	}
	strlist_free(&common);
	return strbuf_release(&buf);
}

/* Selectivity of "name = value" on "table"; 1.0 for unknown columns. */
static double
selectivity_of(const TableInfo *table, const char *name)
{
	return column_eq_selectivity(table_column(table, name), table->rows);
}

void
order_by_selectivity(const TableInfo *table, StrList *columns)
{
	/* insertion sort: a handful of columns at most */
	for (int i = 1; i < columns->count; i++)
	{
		char	   *item = columns->items[i];
		double		sel = selectivity_of(table, item);
		int			j = i - 1;

		while (j >= 0)
		{
			double		other = selectivity_of(table, columns->items[j]);

			if (other < sel || (other == sel && strcmp(columns->items[j], item) <= 0))
				break;
			columns->items[j + 1] = columns->items[j];
			j--;
		}
		columns->items[j + 1] = item;
	}
}

/* A column a btree index can have as a key: it exists and has an opclass. */
static bool
indexable(const TableInfo *table, const char *name)
{
	const ColumnInfo *column = table_column(table, name);

	return column != NULL && column->btree_ok;
}

static void add_query(Candidate *cand, int query_pos);
static bool same_predicate(const char *a, const char *b);

/* Position of a live candidate with exactly these keys, or -1. */
static int
find_equal_candidate(const CandidateSet *set, int table_pos, const StrList *columns,
					 int count, const bool *descending, int neq, const char *predicate)
{
	for (int i = 0; i < set->count; i++)
	{
		const Candidate *cand = &set->items[i];
		bool		equal;

		if (cand->dropped || cand->table_pos != table_pos || cand->neq != neq ||
			cand->columns.count != count || !same_predicate(cand->predicate, predicate))
			continue;
		equal = true;
		for (int k = 0; k < count && equal; k++)
			equal = strcmp(cand->columns.items[k], columns->items[k]) == 0 &&
				cand->descending[k] == (descending ? descending[k] : false);
		if (equal)
			return i;
	}
	return -1;
}

int
candidate_add(CandidateSet *set, int table_pos, const StrList *columns,
			  const bool *descending, int neq, const char *predicate,
			  int query_pos)
{
	Candidate  *cand;
	int			count = columns->count < CANDIDATE_MAX_KEYS ?
		columns->count : CANDIDATE_MAX_KEYS;
	int			equal;

	/* many queries of one shape give one candidate that lists them all */
	if (neq > count)
		neq = count;
	equal = find_equal_candidate(set, table_pos, columns, count, descending, neq,
								 predicate);
	if (equal >= 0)
	{
		if (query_pos >= 0)
			add_query(&set->items[equal], query_pos);
		return equal;
	}

	set->items = xrealloc(set->items, sizeof(Candidate) * (size_t) (set->count + 1));
	cand = &set->items[set->count];
	memset(cand, 0, sizeof(*cand));
	cand->table_pos = table_pos;
	for (int i = 0; i < count; i++)
	{
		strlist_append(&cand->columns, columns->items[i]);
		cand->descending[i] = descending ? descending[i] : false;
	}
	cand->neq = neq < count ? neq : count;
	cand->predicate = predicate ? xstrdup(predicate) : NULL;
	if (query_pos >= 0)
	{
		cand->queries = xmalloc(sizeof(int));
		cand->queries[0] = query_pos;
		cand->nqueries = 1;
	}
	return set->count++;
}

static void
add_query(Candidate *cand, int query_pos)
{
	for (int i = 0; i < cand->nqueries; i++)
		if (cand->queries[i] == query_pos)
			return;
	cand->queries = xrealloc(cand->queries, sizeof(int) * (size_t) (cand->nqueries + 1));
	cand->queries[cand->nqueries++] = query_pos;
}

/* Generate the candidates of one scan with at most one join column. */
static void
candidates_for_shape(const Snapshot *snap, const ScanInfo *scan,
					 const char *predicate, CandidateSet *set)
{
	const TableInfo *table = &snap->tables[scan->table_pos];
	StrList		eq = {0};
	StrList		keys = {0};
	bool		desc[CANDIDATE_MAX_KEYS * 2] = {false};
	double		eq_fraction = 1.0;
	double		observed = 1.0;
	bool		sort_ok;
	const char *range = NULL;
	bool		added = false;

	/* equality and join columns, minus those the partial predicate fixes */
	for (int pass = 0; pass < 2; pass++)
	{
		const StrList *from = pass == 0 ? &scan->eq_columns : &scan->join_columns;

		for (int i = 0; i < from->count; i++)
		{
			const char *name = from->items[i];

			if (!indexable(table, name) || strlist_contains(&eq, name))
				continue;
			if (predicate != NULL && qual_mentions(predicate, name))
				continue;
			strlist_append(&eq, name);
		}
	}
	order_by_selectivity(table, &eq);

	/*
	 * After the most selective equality key, a key that keeps more than
	 * CANDIDATE_MAX_FILTER_FRACTION of the rows (a flag true for most rows)
	 * makes the index larger without narrowing the scan: leave it to the
	 * filter.
	 */
	if (eq.count > 1)
	{
		StrList		strong = {0};

		strlist_append(&strong, eq.items[0]);
		for (int i = 1; i < eq.count; i++)
			if (selectivity_of(table, eq.items[i]) <= CANDIDATE_MAX_FILTER_FRACTION)
				strlist_append(&strong, eq.items[i]);
		strlist_free(&eq);
		eq = strong;
	}

	for (int i = 0; i < eq.count; i++)
		eq_fraction *= selectivity_of(table, eq.items[i]);
	if (scan->rows_scanned > 0)
		observed = (double) scan->rows_kept / (double) scan->rows_scanned;

	/*
	 * An equality filter that keeps a large share of the rows is not worth
	 * an index.  The observed share of kept rows overrules pg_stats only
	 * when no range or other filter could have done the filtering.
	 */
	if (eq.count > 0 && eq_fraction > CANDIDATE_MAX_FILTER_FRACTION &&
		!(observed <= CANDIDATE_MAX_FILTER_FRACTION &&
		  scan->range_columns.count == 0 && scan->other_columns.count == 0))
		strlist_free(&eq);

	/* the sort keys, when every one of them can be a key */
	sort_ok = scan->sort_columns.count > 0;
	for (int i = 0; i < scan->sort_columns.count; i++)
		if (!indexable(table, scan->sort_columns.items[i]) ||
			strlist_contains(&eq, scan->sort_columns.items[i]))
			sort_ok = false;
	if (eq.count == 0 && scan->limit_rows < 0)
		sort_ok = false;

	/* one range column: the one with the most distinct values */
	for (int i = 0; i < scan->range_columns.count; i++)
	{
		const char *name = scan->range_columns.items[i];

		if (!indexable(table, name) || strlist_contains(&eq, name))
			continue;
		if (range == NULL || selectivity_of(table, name) < selectivity_of(table, range))
			range = name;
	}
	if (range != NULL && eq.count == 0 && observed > CANDIDATE_MAX_FILTER_FRACTION)
		range = NULL;

	if (sort_ok)
	{
		strlist_copy(&keys, &eq);
		for (int i = 0; i < scan->sort_columns.count; i++)
		{
			if (keys.count < CANDIDATE_MAX_KEYS)
				desc[keys.count] = scan->sort_descending[i];
			strlist_append(&keys, scan->sort_columns.items[i]);
		}
		candidate_add(set, scan->table_pos, &keys, desc, eq.count, predicate,
					  scan->query_pos);
		strlist_free(&keys);
		added = true;
		if (range != NULL && strcmp(range, scan->sort_columns.items[0]) == 0)
			range = NULL;
	}
	if (range != NULL)
	{
		memset(desc, 0, sizeof(desc));
		strlist_copy(&keys, &eq);
		strlist_append(&keys, range);
		candidate_add(set, scan->table_pos, &keys, desc, eq.count, predicate,
					  scan->query_pos);
		strlist_free(&keys);
		added = true;
	}
	if (!added && eq.count > 0)
	{
		memset(desc, 0, sizeof(desc));
		candidate_add(set, scan->table_pos, &eq, desc, eq.count, predicate,
					  scan->query_pos);
	}
	strlist_free(&eq);
}

/*
 * Generate the candidates of one scan.  Join keys from different joins are
 * never bound by one lookup, so a scan that feeds several joins gets one
 * candidate per join key instead of one index on all of them.
 */
static void
candidates_for_scan(const Snapshot *snap, const ScanInfo *scan,
					const char *predicate, CandidateSet *set)
{
	ScanInfo	one = *scan;

	if (scan->join_columns.count <= 1)
	{
		candidates_for_shape(snap, scan, predicate, set);
		return;
	}
	for (int i = 0; i < scan->join_columns.count; i++)
	{
		one.join_columns.items = &scan->join_columns.items[i];
		one.join_columns.count = 1;
		one.join_columns.cap = 1;
		candidates_for_shape(snap, &one, predicate, set);
	}
}

static bool
same_predicate(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * Directions of the non-equality keys of "small" match those of "large",
 * all the same or all reversed (a backward scan reads the reverse order).
 */
static bool
directions_compatible(const Candidate *small, const Candidate *large)
{
	bool		same = true,
				reversed = true;

	for (int k = small->neq; k < small->columns.count; k++)
	{
		if (small->descending[k] != large->descending[k])
			same = false;
		else
			reversed = false;
	}
	return same || reversed;
}

static bool
is_prefix(const Candidate *small, const Candidate *large)
{
	if (small->columns.count > large->columns.count)
		return false;
	for (int k = 0; k < small->columns.count; k++)
		if (strcmp(small->columns.items[k], large->columns.items[k]) != 0)
			return false;
	return directions_compatible(small, large);
}

/*
 * When every key of "small" is an equality key of "large", move them to the
 * front of "large" in small's order.  Returns true when it did.
 */
static bool
reorder_for_prefix(const Candidate *small, Candidate *large)
{
	StrList		reordered = {0};

	if (small->neq != small->columns.count || small->columns.count > large->neq)
		return false;
	/* a candidate merged earlier needs the keys where they are */
	if (large->fixed_prefix > 0)
		return false;
	for (int k = 0; k < small->columns.count; k++)
	{
		int			pos = strlist_index(&large->columns, small->columns.items[k]);

		if (pos < 0 || pos >= large->neq)
			return false;
	}
	strlist_copy(&reordered, &small->columns);
	for (int k = 0; k < large->neq; k++)
		if (!strlist_contains(&reordered, large->columns.items[k]))
			strlist_append(&reordered, large->columns.items[k]);
	for (int k = large->neq; k < large->columns.count; k++)
		strlist_append(&reordered, large->columns.items[k]);
	strlist_free(&large->columns);
	large->columns = reordered;
	return true;
}

static void
merge_into(Candidate *from, Candidate *into)
{
	for (int i = 0; i < from->nqueries; i++)
		add_query(into, from->queries[i]);
	from->dropped = true;

	/*
	 * The absorbed keys must stay the leading keys, unless they are all
	 * equality keys of an equal candidate, whose order does not matter.
	 */
	if (!(from->columns.count == into->columns.count &&
		  from->neq == from->columns.count) &&
		from->columns.count > into->fixed_prefix)
		into->fixed_prefix = from->columns.count;
	if (from->fixed_prefix > into->fixed_prefix)
		into->fixed_prefix = from->fixed_prefix;
}

void
candidates_consolidate(CandidateSet *set)
{
	bool		changed = true;

	while (changed)
	{
		changed = false;
		for (int i = 0; i < set->count; i++)
		{
			Candidate  *small = &set->items[i];

			if (small->dropped)
				continue;
			for (int j = 0; j < set->count && !small->dropped; j++)
			{
				Candidate  *large = &set->items[j];

				if (i == j || large->dropped || large->table_pos != small->table_pos ||
					!same_predicate(small->predicate, large->predicate))
					continue;
				if (small->columns.count > large->columns.count)
					continue;
				/* equal candidates: keep the first */
				if (small->columns.count == large->columns.count && j > i &&
					is_prefix(large, small))
				{
					merge_into(large, small);
					changed = true;
					continue;
				}
				if (small->columns.count == large->columns.count)
					continue;
				if (is_prefix(small, large) ||
					(reorder_for_prefix(small, large) && is_prefix(small, large)))
				{
					merge_into(small, large);
					changed = true;
				}
			}
		}
	}
}

/* Attribute number of a column, or 0. */
static int
attnum_of(const TableInfo *table, const char *name)
{
	const ColumnInfo *column = table_column(table, name);

	return column ? column->attnum : 0;
}

/* Compare predicates ignoring parentheses, spaces and double quotes. */
static bool
predicates_match(const char *a, const char *b)
{
	while (*a || *b)
	{
		while (*a == '(' || *a == ')' || *a == ' ' || *a == '"')
			a++;
		while (*b == '(' || *b == ')' || *b == ' ' || *b == '"')
			b++;
		if (tolower((unsigned char) *a) != tolower((unsigned char) *b))
			return false;
		if (*a)
		{
			a++;
			b++;
		}
	}
	return true;
}

bool
candidate_served_by(const Candidate *cand, const TableInfo *table,
					const IndexInfo *index)
{
	int			n = cand->columns.count;
	int			eq_attnums[CANDIDATE_MAX_KEYS];
	bool		same = true,
				reversed = true;

	if (!index->valid || strcmp(index->am, "btree") != 0 || index->nkeys == 0)
		return false;
	if (index->partial &&
		(cand->predicate == NULL || !predicates_match(index->predicate, cand->predicate)))
		return false;

	for (int k = 0; k < cand->neq; k++)
		eq_attnums[k] = attnum_of(table, cand->columns.items[k]);

	/* a unique index on some of the equality columns finds at most one row */
	if (index->unique && !index->partial && !index->has_expressions)
	{
		bool		all_in = true;

		for (int k = 0; k < index->nkeys && all_in; k++)
		{
			bool		found = false;

			for (int e = 0; e < cand->neq; e++)
				if (eq_attnums[e] == index->attnums[k] && eq_attnums[e] != 0)
					found = true;
			all_in = found;
		}
		if (all_in)
			return true;
	}

	if (index->nkeys < n)
		return false;

	/* the equality keys, in any order, lead the index */
	for (int k = 0; k < cand->neq; k++)
	{
		bool		found = false;

		for (int e = 0; e < cand->neq; e++)
			if (index->attnums[k] != 0 && index->attnums[k] == eq_attnums[e])
				found = true;
		if (!found)
			return false;
	}

	/* then the other keys in the same order and compatible directions */
	for (int k = cand->neq; k < n; k++)
	{
		if (index->attnums[k] == 0 ||
			index->attnums[k] != attnum_of(table, cand->columns.items[k]))
			return false;
		if (index->descending[k] != cand->descending[k])
			same = false;
		else
			reversed = false;
	}
	return same || reversed;
}

static bool
served_by_existing(const Snapshot *snap, const Candidate *cand)
{
	const TableInfo *table = &snap->tables[cand->table_pos];

	for (int i = 0; i < table->nindexes; i++)
		if (candidate_served_by(cand, table, &snap->indexes[table->index_ids[i]]))
			return true;
	return false;
}

/* Every eligible query with a scan on the table that uses the first key. */
static void
find_affected_queries(const Snapshot *snap, Candidate *cand)
{
	const char *lead = cand->columns.items[0];

	for (int i = 0; i < snap->nscans; i++)
	{
		const ScanInfo *s = &snap->scans[i];

		if (s->table_pos != cand->table_pos || !is_live_query(snap, s->query_pos))
			continue;
		if (strlist_contains(&s->eq_columns, lead) ||
			strlist_contains(&s->join_columns, lead) ||
			strlist_contains(&s->range_columns, lead) ||
			strlist_contains(&s->sort_columns, lead))
			add_query(cand, s->query_pos);
	}
}

/* Append ("a" DESC, "b") to buf. */
static bool
append_key_list(StrBuf *buf, PGconn *conn, const Candidate *cand)
{
	strbuf_append_char(buf, '(');
	for (int k = 0; k < cand->columns.count; k++)
	{
		if (k > 0)
			strbuf_append(buf, ", ");
		if (!sql_append_ident(buf, conn, cand->columns.items[k]))
			return false;
		if (cand->descending[k])
			strbuf_append(buf, " DESC");
	}
	strbuf_append_char(buf, ')');
	return true;
}

bool
candidates_build_sql(const Snapshot *snap, PGconn *conn, CandidateSet *set)
{
	StrBuf		buf,
				target,
				keys;
	bool		ok = true;
	bool	   *clashes;

	strbuf_init(&buf);
	strbuf_init(&target);
	strbuf_init(&keys);
	for (int i = 0; i < set->count && ok; i++)
	{
		Candidate  *cand = &set->items[i];
		const TableInfo *table = &snap->tables[cand->table_pos];

		if (cand->dropped)
			continue;
		strbuf_reset(&target);
		strbuf_reset(&keys);
		if (!sql_append_qualified(&target, conn, table->schema, table->name) ||
			!append_key_list(&keys, conn, cand))
		{
			ok = false;
			break;
		}

		strbuf_reset(&buf);
		strbuf_appendf(&buf, "create_index %s %s", target.data, keys.data);
		if (cand->predicate)
			strbuf_appendf(&buf, " WHERE %s", cand->predicate);
		cand->fingerprint = xstrdup(buf.data);
		cand->name = sql_index_name(table->name, &cand->columns, cand->fingerprint,
									cand->predicate != NULL);

		strbuf_reset(&buf);
		strbuf_appendf(&buf, "CREATE INDEX ON %s USING btree %s", target.data, keys.data);
		if (cand->predicate)
			strbuf_appendf(&buf, " WHERE %s", cand->predicate);
		cand->hypothetical_ddl = xstrdup(buf.data);
	}

	/*
	 * Two candidates, or a candidate and an index, must not share a name:
	 * every clashing candidate gets the hash of its fingerprint appended.
	 */
	clashes = xcalloc((size_t) set->count + 1, sizeof(bool));
	for (int i = 0; i < set->count && ok; i++)
	{
		Candidate  *cand = &set->items[i];

		if (cand->dropped)
			continue;
		for (int j = 0; j < set->count; j++)
			if (j != i && !set->items[j].dropped &&
				strcmp(set->items[j].name, cand->name) == 0)
				clashes[i] = true;
		for (int x = 0; x < snap->nindexes; x++)
			if (strcmp(snap->indexes[x].name, cand->name) == 0)
				clashes[i] = true;
	}
	for (int i = 0; i < set->count && ok; i++)
	{
		Candidate  *cand = &set->items[i];

		if (!clashes[i])
			continue;
		free(cand->name);
		cand->name = sql_index_name(snap->tables[cand->table_pos].name,
									&cand->columns, cand->fingerprint, true);
	}
	free(clashes);

	for (int i = 0; i < set->count && ok; i++)
	{
		Candidate  *cand = &set->items[i];
		const TableInfo *table = &snap->tables[cand->table_pos];

		if (cand->dropped)
			continue;
		strbuf_reset(&buf);
		strbuf_append(&buf, "CREATE INDEX CONCURRENTLY ");
		sql_append_ident(&buf, conn, cand->name);
		strbuf_append(&buf, " ON ");
		sql_append_qualified(&buf, conn, table->schema, table->name);
		strbuf_append_char(&buf, ' ');
		append_key_list(&buf, conn, cand);
		if (cand->predicate)
			strbuf_appendf(&buf, " WHERE %s", cand->predicate);
		strbuf_append_char(&buf, ';');
		cand->ddl = xstrdup(buf.data);
	}
	strbuf_free(&buf);
	strbuf_free(&target);
	strbuf_free(&keys);
	return ok;
}

bool
candidates_generate(const Snapshot *snap, PGconn *conn,
					const CandidateOptions *options, CandidateSet *set)
{
	char	  **predicates = xcalloc((size_t) snap->ntables + 1, sizeof(char *));
	bool	   *predicate_done = xcalloc((size_t) snap->ntables + 1, sizeof(bool));
	bool		ok;

	set->items = NULL;
	set->count = 0;
	for (int i = 0; i < snap->nscans; i++)
	{
		const ScanInfo *s = &snap->scans[i];
		const TableInfo *table;

		if (s->table_pos < 0 || !is_live_query(snap, s->query_pos))
			continue;
		table = &snap->tables[s->table_pos];
		if (table->rows < (double) options->min_table_rows)
			continue;
		if (!predicate_done[s->table_pos])
		{
			predicates[s->table_pos] = common_constant_predicate(snap, s->table_pos);
			predicate_done[s->table_pos] = true;
		}
		candidates_for_scan(snap, s, predicates[s->table_pos], set);
	}
	for (int i = 0; i < snap->ntables; i++)
		free(predicates[i]);
	free(predicates);
	free(predicate_done);

	candidates_consolidate(set);
	for (int i = 0; i < set->count; i++)
	{
		Candidate  *cand = &set->items[i];

		if (cand->dropped)
			continue;
		if (served_by_existing(snap, cand))
			cand->dropped = true;
		else
			find_affected_queries(snap, cand);
	}
	ok = candidates_build_sql(snap, conn, set);
	return ok;
}

void
candidates_free(CandidateSet *set)
{
	for (int i = 0; i < set->count; i++)
	{
		Candidate  *cand = &set->items[i];

		strlist_free(&cand->columns);
		free(cand->predicate);
		free(cand->queries);
		free(cand->fingerprint);
		free(cand->name);
		free(cand->ddl);
		free(cand->hypothetical_ddl);
	}
	free(set->items);
	set->items = NULL;
	set->count = 0;
}
