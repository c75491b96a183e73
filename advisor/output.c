/*
 * output.c
 *		Text, JSON and SQL renderings of a suggestion list; see output.h.
 */
#include "output.h"

#include <math.h>
#include <string.h>

#include "projections.h"

static void
append_number(StrBuf *buf, double value)
{
	if (isnan(value) || isinf(value))
		strbuf_append(buf, "null");
	else
		strbuf_appendf(buf, "%.3f", value);
}

void
output_evidence_json(StrBuf *buf, const Suggestion *s)
{
	strbuf_append_char(buf, '[');
	for (int e = 0; e < s->nevidence; e++)
	{
		const Evidence *ev = &s->evidence[e];

		if (e > 0)
			strbuf_append_char(buf, ',');
		strbuf_appendf(buf, "{\"queryid\":%lld,\"calls\":%lld,\"mean_ms\":",
					   (long long) ev->queryid, (long long) ev->calls);
		append_number(buf, ev->mean_ms);
		strbuf_append(buf, ",\"estimated_mean_ms\":");
		append_number(buf, ev->estimated_mean_ms);
		strbuf_appendf(buf, ",\"rows_scanned\":%lld,\"rows_kept\":%lld",
					   (long long) ev->rows_scanned, (long long) ev->rows_kept);
		if (ev->has_bytes)
		{
			strbuf_append(buf, ",\"bytes_per_call\":");
			append_number(buf, ev->bytes_per_call);
			strbuf_append(buf, ",\"estimated_bytes_per_call\":");
			append_number(buf, ev->estimated_bytes_per_call);
			strbuf_append(buf, ",\"rows_per_call\":");
			append_number(buf, ev->rows_per_call);
			if (ev->column_bytes != NULL)
				strbuf_appendf(buf, ",\"column_bytes\":%s", ev->column_bytes);
			if (ev->rewritten_queryid != 0)
				strbuf_appendf(buf, ",\"rewritten_queryid\":%lld",
							   (long long) ev->rewritten_queryid);
		}
		if (ev->include_variant != NULL)
		{
			strbuf_append(buf, ",\"include_variant\":");
			strbuf_append_json_string(buf, ev->include_variant);
		}
		strbuf_append_char(buf, '}');
	}
	strbuf_append_char(buf, ']');
}

void
output_json(StrBuf *buf, const char *target, const SuggestionList *list)
{
	bool		first = true;

	strbuf_append_char(buf, '[');
	for (int i = 0; i < list->count; i++)
	{
		const Suggestion *s = &list->items[i];

		if (s->near_miss)
			continue;
		strbuf_append(buf, first ? "\n  {" : ",\n  {");
		first = false;
		if (s->id > 0)
			strbuf_appendf(buf, "\"id\":%lld", (long long) s->id);
		else
			strbuf_append(buf, "\"id\":null");
		strbuf_append(buf, ",\"target\":");
		strbuf_append_json_string(buf, target);
		strbuf_append(buf, ",\"kind\":");
		strbuf_append_json_string(buf, s->kind);
		strbuf_append(buf, ",\"table\":");
		strbuf_append_json_string(buf, s->table);
		strbuf_append(buf, ",\"sql\":");
		strbuf_append_json_string(buf, s->sql);
		strbuf_append(buf, ",\"rationale\":");
		strbuf_append_json_string(buf, s->rationale);
		strbuf_append(buf, ",\"evidence\":");
		output_evidence_json(buf, s);
		strbuf_append(buf, ",\"estimated_gain_ms_per_hour\":");
		append_number(buf, s->gain_ms_per_hour);
		strbuf_appendf(buf, ",\"estimated_size_bytes\":%lld", (long long) s->size_bytes);
		strbuf_append(buf, ",\"write_penalty\":");
		append_number(buf, s->write_penalty);
		strbuf_appendf(buf, ",\"verified_by_planner\":%s",
					   s->verified_by_planner ? "true" : "false");
		strbuf_append(buf, ",\"status\":");
		strbuf_append_json_string(buf, s->status);
		strbuf_append(buf, ",\"created_at\":");
		strbuf_append_json_string(buf, s->created_at);
		strbuf_append(buf, ",\"updated_at\":");
		strbuf_append_json_string(buf, s->updated_at);
		strbuf_append(buf, ",\"measured_before_ms\":");
		append_number(buf, s->measured_before_ms);
		strbuf_append(buf, ",\"measured_after_ms\":");
		append_number(buf, s->measured_after_ms);
		strbuf_append_char(buf, '}');
	}
	strbuf_append(buf, first ? "]\n" : "\n]\n");
}

void
output_append_one_line(StrBuf *buf, const char *text)
{
	for (const unsigned char *p = (const unsigned char *) text; *p; p++)
		strbuf_append_char(buf, (*p < 0x20 || *p == 0x7f) ? ' ' : (char) *p);
}

void
output_sql(StrBuf *buf, const char *target, const SuggestionList *list)
{
	int			rank = 0;

	strbuf_append(buf, "-- Index changes suggested by scaleup-advisor for target ");
	output_append_one_line(buf, target);
	strbuf_append(buf, ".\n"
				  "-- CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction block:\n"
				  "-- run this file in autocommit mode, as psql -f does by default.\n");
	for (int i = 0; i < list->count; i++)
	{
		const Suggestion *s = &list->items[i];
		char		size[32];

		if (s->near_miss || (strcmp(s->kind, "create_index") != 0 &&
							 strcmp(s->kind, "drop_index") != 0))
			continue;
		rank++;
		projection_format_bytes(size, sizeof(size), (double) s->size_bytes);
		strbuf_appendf(buf, "\n-- %d. %s on ", rank, s->kind);
		output_append_one_line(buf, s->table);
		strbuf_append(buf, ": ");
		output_append_one_line(buf, s->rationale);
		strbuf_appendf(buf, "\n--    Estimated gain %.0f ms per hour, size %s, %s.\n",
					   s->gain_ms_per_hour, size,
					   s->verified_by_planner ? "verified by the planner" :
					   "not verified by the planner");
		strbuf_append(buf, s->sql);
		strbuf_append_char(buf, '\n');
	}
	if (rank == 0)
		strbuf_append(buf, "\n-- Nothing to change.\n");
}

static void
append_suggestion_text(StrBuf *buf, int rank, const Suggestion *s)
{
	char		size[32];
	char		gain[32];

	projection_format_bytes(size, sizeof(size), (double) s->size_bytes);
	snprintf(gain, sizeof(gain), "%.0f", s->gain_ms_per_hour);
	if (rank > 0)
		strbuf_appendf(buf, "%4d  ", rank);
	else
		strbuf_append(buf, "   -  ");
	strbuf_appendf(buf, "%-12s  ", s->kind);
	output_append_one_line(buf, s->table);
	strbuf_appendf(buf, "\n      gain %s ms/h, size %s, write penalty %.0f ms/h, %d %s helped, %s",
				   gain, size, s->write_penalty, s->nevidence,
				   s->nevidence == 1 ? "query" : "queries",
				   s->verified_by_planner ? "verified by the planner" : "heuristic estimate");
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
		strbuf_appendf(buf, ", %lld rows scanned, %lld kept",
					   (long long) ev->rows_scanned, (long long) ev->rows_kept);
		if (ev->note)
		{
			strbuf_append(buf, "; not re-planned: ");
			output_append_one_line(buf, ev->note);
		}
		strbuf_append_char(buf, '\n');
		if (ev->include_variant != NULL)
		{
			strbuf_append(buf, "      INCLUDE variant, an index-only scan once this "
						  "query's projection is trimmed: ");
			output_append_one_line(buf, ev->include_variant);
			strbuf_append_char(buf, '\n');
		}
	}
}

void
output_text(StrBuf *buf, const char *target, const SuggestionList *list)
{
	int			rank = 0;
	int			near = 0;
	int			indexes = 0;
	int			chosen = 0;

	/* trim_projection and add_limit have a section of their own */
	for (int i = 0; i < list->count; i++)
	{
		if (!list->items[i].near_miss)
			chosen++;
		if (projection_kind(list->items[i].kind))
			continue;
		if (list->items[i].near_miss)
			near++;
		else
			indexes++;
	}

	strbuf_append(buf, "Suggestions for target ");
	output_append_one_line(buf, target);
	strbuf_appendf(buf, ": %d\n", chosen);
	if (indexes > 0)
		strbuf_append(buf, "\nrank  kind          table\n");
	for (int i = 0; i < list->count; i++)
		if (!list->items[i].near_miss && !projection_kind(list->items[i].kind))
			append_suggestion_text(buf, ++rank, &list->items[i]);

	if (near > 0)
	{
		strbuf_appendf(buf, "\nNear misses (not suggested): %d\n\n", near);
		for (int i = 0; i < list->count; i++)
			if (list->items[i].near_miss && !projection_kind(list->items[i].kind))
				append_suggestion_text(buf, 0, &list->items[i]);
	}
	projections_append_text(buf, list);
}

int
output_write(OutputFormat format, const char *target, const SuggestionList *list,
			 FILE *out)
{
	StrBuf		buf;

	strbuf_init(&buf);
	switch (format)
	{
		case OUTPUT_TEXT:
			output_text(&buf, target, list);
			break;
		case OUTPUT_JSON:
			output_json(&buf, target, list);
			break;
		case OUTPUT_SQL:
			output_sql(&buf, target, list);
			break;
		case OUTPUT_HTML:
			strbuf_free(&buf);
			return 1;
	}
	fputs(buf.data, out);
	strbuf_free(&buf);
	return 0;
}
