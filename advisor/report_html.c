/*
 * report_html.c
 *		The HTML review report; see report_html.h.
 *
 * The page is built top to bottom into one StrBuf: style sheet, header with
 * the totals, two bar charts, the suggestion cards, then the rejected
 * suggestions and near misses inside a closed <details>.  Bars are small
 * inline SVGs stretched to their cell (preserveAspectRatio="none"), while
 * their labels stay HTML text, so the text reflows in a narrow window
 * instead of shrinking with the drawing.
 */
#include "report_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "version.h"

/* Rows in each chart.  A line below the chart counts the rest. */
#define REPORT_CHART_ROWS 15
/* Characters of a query's text shown before the rest is folded away. */
#define REPORT_SHORT_QUERY_CHARS 90

/* Totals shown in the header. */
typedef struct ReportTotals
{
	int			nqueries;
	int64_t		calls;
	double		total_ms;
	double		seq_query_ms;	/* total_ms of queries with a seq scan */
	int64_t		seq_rows;		/* rows read by sequential scans */
	double		window_s;		/* observation window, 0 when unknown */
	int			shown;			/* suggestions shown as cards */
	int			folded;			/* rejected suggestions and near misses */
} ReportTotals;

/* Rows read by sequential scans of one table, for the table chart. */
typedef struct TableScanTotal
{
	int			table_pos;		/* position in Snapshot.tables, or -1 */
	Oid			relid;
	int64_t		rows_scanned;
	int64_t		rows_kept;
	int64_t		executions;
	int			nqueries;
} TableScanTotal;

void
report_html_escape(StrBuf *buf, const char *text)
{
	if (text == NULL)
		return;
	for (const unsigned char *p = (const unsigned char *) text; *p; p++)
	{
		switch (*p)
		{
			case '&':
				strbuf_append(buf, "&amp;");
				break;
			case '<':
				strbuf_append(buf, "&lt;");
				break;
			case '>':
				strbuf_append(buf, "&gt;");
				break;
			case '"':
				strbuf_append(buf, "&quot;");
				break;
			case '\'':
				strbuf_append(buf, "&#39;");
				break;
			case '\t':
			case '\n':
			case '\r':
				strbuf_append_char(buf, (char) *p);
				break;
			default:
				if (*p < 0x20 || *p == 0x7f)
					strbuf_append(buf, "&#xFFFD;");
				else
					strbuf_append_char(buf, (char) *p);
				break;
		}
	}
}

/*
 * Append "text" escaped, with runs of white space folded into one space and
 * cut after "max_chars" characters (UTF-8 code points) with an ellipsis.
 * Returns true when the text was cut.
 */
static bool
append_shortened(StrBuf *buf, const char *text, int max_chars)
{
	StrBuf		folded;
	bool		in_space = true;	/* drops leading white space */
	bool		cut = false;
	int			chars = 0;

	strbuf_init(&folded);
	for (const unsigned char *p = (const unsigned char *) (text ? text : ""); *p; p++)
	{
		bool		space = (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r');

		if (space)
		{
			if (!in_space)
				strbuf_append_char(&folded, ' ');
			in_space = true;
			continue;
		}
		in_space = false;
		/* A UTF-8 continuation byte belongs to the character before it. */
		if ((*p & 0xC0) != 0x80 && ++chars > max_chars)
		{
			cut = true;
			break;
		}
		strbuf_append_char(&folded, (char) *p);
	}
	while (folded.len > 0 && folded.data[folded.len - 1] == ' ')
		folded.data[--folded.len] = '\0';

	report_html_escape(buf, folded.data);
	if (cut)
		strbuf_append(buf, "\xE2\x80\xA6");	/* U+2026 HORIZONTAL ELLIPSIS */
	strbuf_free(&folded);
	return cut;
}

/* Format helpers.  Every output is plain ASCII or a fixed symbol. */

static void
format_count(char *out, size_t size, int64_t value)
{
	char		digits[32];
	char		grouped[48];
	int			len;
	int			pos = 0;
	bool		negative = value < 0;

	snprintf(digits, sizeof(digits), "%llu",
			 negative ? 0ULL - (unsigned long long) value : (unsigned long long) value);
	len = (int) strlen(digits);
	for (int i = 0; i < len; i++)
	{
		if (i > 0 && (len - i) % 3 == 0)
			grouped[pos++] = ',';
		grouped[pos++] = digits[i];
	}
	grouped[pos] = '\0';
	snprintf(out, size, "%s%s", negative ? "-" : "", grouped);
}

static void
format_ms(char *out, size_t size, double ms)
{
	double		magnitude = fabs(ms);

	if (isnan(ms) || isinf(ms))
		snprintf(out, size, "not known");
	else if (ms == 0.0)
		snprintf(out, size, "0 ms");
	else if (magnitude < 0.01)
		snprintf(out, size, "%.3f ms", ms);
	else if (magnitude < 1.0)
		snprintf(out, size, "%.2f ms", ms);
	else if (magnitude < 100.0)
		snprintf(out, size, "%.1f ms", ms);
	else if (magnitude < 1000.0)
		snprintf(out, size, "%.0f ms", ms);
	else if (magnitude < 60000.0)
		snprintf(out, size, "%.2f s", ms / 1000.0);
	else if (magnitude < 3600000.0)
		snprintf(out, size, "%.1f min", ms / 60000.0);
	else
		snprintf(out, size, "%.1f h", ms / 3600000.0);
}

static void
format_bytes(char *out, size_t size, double bytes)
{
	const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
	int			unit = 0;

	if (bytes < 0 || isnan(bytes))
	{
		snprintf(out, size, "not known");
		return;
	}
	while (bytes >= 1024 && unit < 4)
	{
		bytes /= 1024;
		unit++;
	}
	if (unit == 0)
		snprintf(out, size, "%.0f %s", bytes, units[unit]);
	else
		snprintf(out, size, "%.1f %s", bytes, units[unit]);
}

static void
format_duration(char *out, size_t size, double seconds)
{
	long long	s = (long long) llround(seconds);

	if (seconds <= 0 || isnan(seconds) || isinf(seconds))
		snprintf(out, size, "not known");
	else if (s < 60)
		snprintf(out, size, "%lld s", s);
	else if (s < 3600 && s % 60 == 0)
		snprintf(out, size, "%lld min", s / 60);
	else if (s < 3600)
		snprintf(out, size, "%lld min %lld s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, size, "%lld h %lld min", s / 3600, (s % 3600) / 60);
	else
		snprintf(out, size, "%lld d %lld h", s / 86400, (s % 86400) / 3600);
}

/* "part" as a percentage of "whole", with two significant digits below 10 %. */
static void
format_percent(char *out, size_t size, int64_t part, int64_t whole)
{
	double		percent = whole > 0 ? 100.0 * (double) part / (double) whole : 0.0;

	if (percent >= 10.0 || percent == 0.0)
		snprintf(out, size, "%.0f%%", percent);
	else if (percent >= 1.0)
		snprintf(out, size, "%.1f%%", percent);
	else
		snprintf(out, size, "%.2g%%", percent);
}

static void
format_utc(char *out, size_t size, double epoch_seconds)
{
	time_t		t = (time_t) epoch_seconds;
	struct tm	tm;

	if (epoch_seconds <= 0 || gmtime_r(&t, &tm) == NULL ||
		strftime(out, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, size, "not known");
}

/* Width of a bar in the 0..100 viewBox.  A non-zero value stays visible. */
static double
bar_width(double value, double max)
{
	double		width;

	if (!(max > 0) || !(value > 0) || isnan(value))
		return 0.0;
	width = 100.0 * value / max;
	if (width < 0.6)
		width = 0.6;
	return width > 100.0 ? 100.0 : width;
}

/* One horizontal bar with a light track behind it.  "title" is the tooltip. */
static void
append_bar(StrBuf *buf, double value, double max, const char *title)
{
	strbuf_append(buf, "<svg class=\"bar\" viewBox=\"0 0 100 10\" "
				  "preserveAspectRatio=\"none\" role=\"img\" aria-label=\"");
	report_html_escape(buf, title);
	strbuf_append(buf, "\"><title>");
	report_html_escape(buf, title);
	strbuf_appendf(buf, "</title><rect class=\"track\" width=\"100\" height=\"10\"/>"
				   "<rect class=\"fill\" width=\"%.2f\" height=\"10\"/></svg>",
				   bar_width(value, max));
}

/* A pair of bars, "before" above "after", on a shared scale. */
static void
append_bar_pair(StrBuf *buf, double before, double after, const char *before_label,
				const char *after_label)
{
	double		max = fmax(isnan(before) ? 0 : before, isnan(after) ? 0 : after);

	strbuf_append(buf, "<svg class=\"pair\" viewBox=\"0 0 100 22\" "
				  "preserveAspectRatio=\"none\" aria-hidden=\"true\">");
	strbuf_append(buf, "<rect class=\"track\" width=\"100\" height=\"9\"/>"
				  "<rect class=\"track\" y=\"13\" width=\"100\" height=\"9\"/>");
	strbuf_appendf(buf, "<rect class=\"before\" width=\"%.2f\" height=\"9\"><title>",
				   bar_width(before, max));
	report_html_escape(buf, before_label);
	strbuf_appendf(buf, "</title></rect><rect class=\"after\" y=\"13\" width=\"%.2f\" "
				   "height=\"9\"><title>", bar_width(after, max));
	report_html_escape(buf, after_label);
	strbuf_append(buf, "</title></rect></svg>");
}

/*
 * A query's text: shortened in a <summary> with the full text behind it
 * when it is long, whole otherwise.
 */
static void
append_query_text(StrBuf *buf, const char *text)
{
	StrBuf		shortened;

	strbuf_init(&shortened);
	if (append_shortened(&shortened, text, REPORT_SHORT_QUERY_CHARS))
	{
		strbuf_append(buf, "<details class=\"sql\"><summary><code>");
		strbuf_append(buf, shortened.data);
		strbuf_append(buf, "</code></summary><pre><code>");
		report_html_escape(buf, text);
		strbuf_append(buf, "</code></pre></details>");
	}
	else
	{
		strbuf_append(buf, "<code class=\"sql\">");
		strbuf_append(buf, shortened.data);
		strbuf_append(buf, "</code>");
	}
	strbuf_free(&shortened);
}

static const char *const report_css =
":root{--ink:#1c2430;--muted:#5b6675;--line:#dde2e8;--paper:#fff;--wash:#f4f6f9;"
"--accent:#2f6fdb;--before:#d9822b;--after:#1f9d6b;--bad:#c2413b;--track:#e9edf2}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;background:var(--wash);color:var(--ink);"
"font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
"code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\",monospace;"
"font-size:13px}\n"
"main{max-width:1100px;margin:0 auto;padding:0 20px 40px}\n"
".top{background:#1d2b3f;color:#fff;padding:24px 20px 20px}\n"
".top .inner{max-width:1100px;margin:0 auto}\n"
".top h1{margin:0;font-size:24px;font-weight:650;letter-spacing:-.01em;overflow-wrap:anywhere}\n"
".top .meta{display:flex;flex-wrap:wrap;gap:2px 18px;margin:6px 0 0;color:#c4cfdd;font-size:14px}\n"
".top .meta span{white-space:nowrap}\n"
".tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px;"
"margin-top:18px}\n"
".tile{background:rgba(255,255,255,.08);border:1px solid rgba(255,255,255,.14);"
"border-radius:8px;padding:10px 12px}\n"
".tile b{display:block;font-size:21px;font-weight:650}\n"
".tile small{color:#c4cfdd;font-size:12.5px}\n"
"nav{margin:16px 0 0;font-size:14px}\n"
"nav a{color:#fff;margin-right:16px}\n"
"section{margin-top:28px}\n"
"h2{font-size:19px;margin:0 0 4px}\n"
".lead{color:var(--muted);margin:0 0 12px;font-size:14px}\n"
".panel{background:var(--paper);border:1px solid var(--line);border-radius:10px;padding:14px 16px}\n"
".row{display:grid;grid-template-columns:minmax(0,5fr) minmax(0,4fr) 15em;gap:4px 16px;"
"align-items:center;padding:7px 0;border-bottom:1px solid var(--track)}\n"
".row:last-child{border-bottom:0}\n"
".label{min-width:0;overflow-wrap:anywhere}\n"
".value{font-size:13px;color:var(--muted);font-variant-numeric:tabular-nums}\n"
".value b{color:var(--ink);font-weight:600}\n"
"svg.bar{display:block;width:100%;height:14px}\n"
"svg .track{fill:var(--track)}\n"
"svg .fill{fill:var(--accent)}\n"
"svg .before{fill:var(--before)}\n"
"svg .after{fill:var(--after)}\n"
"code.sql,details.sql summary code{white-space:normal;overflow-wrap:anywhere}\n"
"details.sql summary{cursor:pointer}\n"
"details.sql pre,pre.code{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--wash);"
"border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:6px 0 0}\n"
".more,.empty{color:var(--muted);font-size:14px;margin:8px 0 0}\n"
".empty{font-style:italic}\n"
".card{background:var(--paper);border:1px solid var(--line);border-left:4px solid var(--accent);"
"border-radius:10px;padding:14px 16px;margin:0 0 14px}\n"
".card.drop_index{border-left-color:var(--bad)}\n"
".card.folded{border-left-color:#9aa5b3}\n"
".head{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 10px}\n"
".head h3{margin:0;font-size:17px;overflow-wrap:anywhere}\n"
".rank{color:var(--muted);font-weight:600}\n"
".pill{display:inline-block;font-size:12px;line-height:18px;padding:0 8px;border-radius:9px;"
"background:var(--track);color:var(--ink);white-space:nowrap}\n"
".pill.kind{background:#dde8fb;color:#1d4ea3}\n"
".pill.good{background:#d6f2e6;color:#12694a}\n"
".pill.bad{background:#f8dcda;color:#8f2a25}\n"
".pill.warn{background:#fbebd6;color:#8a4b0f}\n"
".sid{color:var(--muted);font-size:12.5px;margin-left:auto}\n"
"pre.code{user-select:all;-webkit-user-select:all;font-size:13.5px;margin-top:10px}\n"
".rationale{margin:10px 0}\n"
".facts{display:flex;flex-wrap:wrap;gap:6px 24px;margin:0;font-size:14px}\n"
".facts div{min-width:9em}\n"
".facts dt{color:var(--muted);font-size:12.5px}\n"
".facts dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}\n"
"h4{font-size:14px;margin:14px 0 4px}\n"
".legend{font-size:12.5px;color:var(--muted);margin:0 0 4px}\n"
".key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;"
"vertical-align:-1px}\n"
".key.before{background:var(--before)}\n"
".key.after{background:var(--after)}\n"
".ev{display:grid;grid-template-columns:minmax(0,5fr) minmax(0,3fr) 17em;gap:4px 14px;"
"align-items:center;padding:6px 0;border-top:1px solid var(--track);font-size:13.5px}\n"
"svg.pair{display:block;width:100%;height:24px}\n"
".note,.why{font-size:13px;color:var(--muted)}\n"
".ev .note{grid-column:1/-1;margin:0}\n"
".why{color:#8a4b0f;margin:8px 0 0}\n"
".measured{margin-top:12px;padding:8px 10px;background:#f1faf6;border-radius:6px}\n"
"details.folded-list>summary{cursor:pointer;font-size:17px;font-weight:650;margin:0 0 12px}\n"
"footer{color:var(--muted);font-size:12.5px;margin-top:36px;border-top:1px solid var(--line);"
"padding-top:10px}\n"
"@media (max-width:720px){\n"
" body{font-size:14px}\n"
" main{padding:0 12px 28px}\n"
" .top{padding:18px 12px 14px}\n"
" .top h1{font-size:20px}\n"
" .tiles{grid-template-columns:repeat(2,minmax(0,1fr))}\n"
" .tile b{font-size:18px}\n"
" .row,.ev{grid-template-columns:minmax(0,1fr)}\n"
" .sid{margin-left:0}\n"
"}\n"
"@media print{\n"
" body{background:#fff;font-size:10.5pt}\n"
" .top{background:#fff;color:#000;border-bottom:2px solid #000;padding:0 0 10px}\n"
" .top .meta,.tile small{color:#333}\n"
" .tile{border-color:#999;background:#fff}\n"
" nav{display:none}\n"
" main{max-width:none;padding:0}\n"
" .card,.row,.ev,.tile{break-inside:avoid}\n"
" .card,.panel{border-color:#999}\n"
" svg,.pill,.key,.card{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
" details.sql>summary{list-style:none}\n"
" details.folded-list::details-content{content-visibility:visible;display:contents}\n"
"}\n";

/* Whether a suggestion belongs in the closed list at the bottom. */
static bool
is_folded(const Suggestion *s)
{
	return s->near_miss || (s->status != NULL && strcmp(s->status, "rejected") == 0);
}

static void
compute_totals(const ReportInput *input, ReportTotals *totals)
{
	const Snapshot *snap = input->snapshot;
	const SuggestionList *list = input->suggestions;
	bool	   *scans_sequentially;

	memset(totals, 0, sizeof(*totals));
	for (int i = 0; list != NULL && i < list->count; i++)
	{
		if (is_folded(&list->items[i]))
			totals->folded++;
		else
			totals->shown++;
	}
	if (snap == NULL)
		return;

	/* Mark the queries with a sequential scan, then sum over the queries. */
	scans_sequentially = xcalloc((size_t) snap->nqueries + 1, sizeof(bool));
	for (int j = 0; j < snap->nscans; j++)
	{
		const ScanInfo *scan = &snap->scans[j];
		int			pos = scan->query_pos;

		if (strcmp(scan->scan_kind, "seq") != 0)
			continue;
		totals->seq_rows += scan->rows_scanned;
		if (pos < 0 || pos >= snap->nqueries || snap->queries[pos].queryid != scan->queryid)
			for (pos = 0; pos < snap->nqueries; pos++)
				if (snap->queries[pos].queryid == scan->queryid)
					break;
		if (pos < snap->nqueries)
			scans_sequentially[pos] = true;
	}

	totals->nqueries = snap->nqueries;
	for (int i = 0; i < snap->nqueries; i++)
	{
		const QueryInfo *q = &snap->queries[i];

		totals->calls += q->calls;
		totals->total_ms += q->total_ms;
		if (q->window_s > totals->window_s)
			totals->window_s = q->window_s;
		if (scans_sequentially[i])
			totals->seq_query_ms += q->total_ms;
	}
	if (totals->window_s <= 0)
		totals->window_s = snap->stats_age_s;
	free(scans_sequentially);
}

static void
append_tile(StrBuf *buf, const char *value, const char *caption)
{
	strbuf_append(buf, "<div class=\"tile\"><b>");
	report_html_escape(buf, value);
	strbuf_append(buf, "</b><small>");
	report_html_escape(buf, caption);
	strbuf_append(buf, "</small></div>");
}

static void
append_header(StrBuf *buf, const ReportInput *input, const ReportTotals *totals)
{
	const Snapshot *snap = input->snapshot;
	char		text[64];
	char		count[32];

	strbuf_append(buf, "<header class=\"top\"><div class=\"inner\">\n<h1>Index and query review: ");
	report_html_escape(buf, input->target);
	strbuf_append(buf, "</h1>\n<p class=\"meta\"><span>Target <b>");
	report_html_escape(buf, input->target);
	strbuf_append(buf, "</b></span>");
	format_utc(text, sizeof(text), snap ? snap->taken_at : input->generated_at);
	strbuf_appendf(buf, "<span>Snapshot %s</span>", text);
	format_duration(text, sizeof(text), totals->window_s);
	strbuf_appendf(buf, "<span>Observation window %s</span></p>\n", text);

	strbuf_append(buf, "<div class=\"tiles\">");
	if (snap != NULL)
	{
		format_count(count, sizeof(count), totals->nqueries);
		format_count(text, sizeof(text), totals->calls);
		{
			char		caption[96];

			snprintf(caption, sizeof(caption), "queries tracked, %s calls", text);
			append_tile(buf, count, caption);
		}
		format_ms(text, sizeof(text), totals->total_ms);
		append_tile(buf, text, "total execution time");
		format_ms(text, sizeof(text), totals->seq_query_ms);
		append_tile(buf, text, "in queries with sequential scans");
		format_count(text, sizeof(text), totals->seq_rows);
		append_tile(buf, text, "rows read by sequential scans");
	}
	format_bytes(text, sizeof(text), (double) input->bytes_returned);
	append_tile(buf, text, "returned to clients since the last reset");
	format_count(count, sizeof(count), totals->shown);
	append_tile(buf, count, totals->shown == 1 ? "suggestion" : "suggestions");
	strbuf_append(buf, "</div>\n");

	strbuf_append(buf, "<nav><a href=\"#queries\">Top queries</a><a href=\"#tables\">"
				  "Sequential scans</a><a href=\"#suggestions\">Suggestions</a>");
	if (totals->folded > 0)
		strbuf_append(buf, "<a href=\"#not-suggested\">Not suggested</a>");
	strbuf_append(buf, "</nav>\n</div></header>\n");
}

static int
compare_queries_by_time(const void *a, const void *b)
{
	const QueryInfo *x = *(const QueryInfo *const *) a;
	const QueryInfo *y = *(const QueryInfo *const *) b;

	if (x->total_ms != y->total_ms)
		return x->total_ms > y->total_ms ? -1 : 1;
	return (x->queryid > y->queryid) - (x->queryid < y->queryid);
}

static void
append_queries_chart(StrBuf *buf, const Snapshot *snap)
{
	const QueryInfo **order;
	int			n = 0;
	double		max;

	strbuf_append(buf, "<section id=\"queries\"><h2>Top queries by total time</h2>\n"
				  "<p class=\"lead\">Total execution time in the observation window. "
				  "Open a query to read its full normalized text.</p>\n<div class=\"panel\">\n");
	if (snap == NULL || snap->nqueries == 0)
	{
		strbuf_append(buf, "<p class=\"empty\">No queries were tracked in this window. "
					  "Run the workload with pg_scaleup loaded, then analyze again.</p>\n"
					  "</div></section>\n");
		return;
	}

	order = xcalloc((size_t) snap->nqueries, sizeof(*order));
	for (int i = 0; i < snap->nqueries; i++)
		if (snap->queries[i].calls > 0 || snap->queries[i].total_ms > 0)
			order[n++] = &snap->queries[i];
	if (n == 0)
	{
		strbuf_append(buf, "<p class=\"empty\">None of the tracked queries ran in this "
					  "window.</p>\n</div></section>\n");
		free(order);
		return;
	}
	qsort(order, (size_t) n, sizeof(*order), compare_queries_by_time);
	max = order[0]->total_ms;

	for (int i = 0; i < n && i < REPORT_CHART_ROWS; i++)
	{
		const QueryInfo *q = order[i];
		char		total[32],
					mean[32],
					calls[32];
		StrBuf		title;

		format_ms(total, sizeof(total), q->total_ms);
		format_ms(mean, sizeof(mean), q->mean_ms);
		format_count(calls, sizeof(calls), q->calls);
		strbuf_init(&title);
		strbuf_appendf(&title, "%s total, %s %s, %s mean: ", total, calls,
					   q->calls == 1 ? "call" : "calls", mean);
		strbuf_append(&title, q->query);

		strbuf_append(buf, "<div class=\"row\"><div class=\"label\">");
		append_query_text(buf, q->query);
		strbuf_append(buf, "</div>");
		append_bar(buf, q->total_ms, max, title.data);
		strbuf_appendf(buf, "<div class=\"value\"><b>%s</b> total<br>%s %s, %s mean"
					   "</div></div>\n", total, calls, q->calls == 1 ? "call" : "calls", mean);
		strbuf_free(&title);
	}
	if (n > REPORT_CHART_ROWS)
		strbuf_appendf(buf, "<p class=\"more\">%d more queries with less total time "
					   "are not shown.</p>\n", n - REPORT_CHART_ROWS);
	strbuf_append(buf, "</div></section>\n");
	free(order);
}

static int
compare_table_totals(const void *a, const void *b)
{
	const TableScanTotal *x = a,
			   *y = b;

	if (x->rows_scanned != y->rows_scanned)
		return x->rows_scanned > y->rows_scanned ? -1 : 1;
	return (x->relid > y->relid) - (x->relid < y->relid);
}

/* Sum the sequential scans per table (partitions count for their root). */
static int
sum_table_scans(const Snapshot *snap, TableScanTotal **out)
{
	TableScanTotal *totals = xcalloc((size_t) snap->nscans + 1, sizeof(TableScanTotal));
	int			n = 0;

	for (int j = 0; j < snap->nscans; j++)
	{
		const ScanInfo *scan = &snap->scans[j];
		Oid			relid = scan->table_pos >= 0 ? snap->tables[scan->table_pos].oid : scan->relid;
		int			k;

		if (strcmp(scan->scan_kind, "seq") != 0)
			continue;
		for (k = 0; k < n; k++)
			if (totals[k].relid == relid)
				break;
		if (k == n)
		{
			totals[n].relid = relid;
			totals[n].table_pos = scan->table_pos;
			n++;
		}
		totals[k].rows_scanned += scan->rows_scanned;
		totals[k].rows_kept += scan->rows_kept;
		totals[k].executions += scan->executions;
		totals[k].nqueries++;
	}
	qsort(totals, (size_t) n, sizeof(TableScanTotal), compare_table_totals);
	*out = totals;
	return n;
}

static void
append_tables_chart(StrBuf *buf, const Snapshot *snap)
{
	TableScanTotal *totals = NULL;
	int			n = 0;

	strbuf_append(buf, "<section id=\"tables\"><h2>Tables read by sequential scans</h2>\n"
				  "<p class=\"lead\">Rows that sequential scans read, summed over the "
				  "tracked queries; a partition counts for its partitioned table.</p>\n"
				  "<div class=\"panel\">\n");
	if (snap != NULL)
		n = sum_table_scans(snap, &totals);
	if (n == 0 || totals[0].rows_scanned <= 0)
	{
		strbuf_append(buf, "<p class=\"empty\">No table was read by a sequential scan "
					  "in this window.</p>\n</div></section>\n");
		free(totals);
		return;
	}

	for (int i = 0; i < n && i < REPORT_CHART_ROWS; i++)
	{
		const TableScanTotal *t = &totals[i];
		const TableInfo *table = t->table_pos >= 0 ? &snap->tables[t->table_pos] : NULL;
		char		rows[32],
					runs[32],
					kept[32],
					size[32];
		StrBuf		name;
		StrBuf		title;

		strbuf_init(&name);
		if (table != NULL)
			strbuf_appendf(&name, "%s.%s", table->schema, table->name);
		else
			strbuf_appendf(&name, "relation with OID %u", (unsigned) t->relid);
		format_count(rows, sizeof(rows), t->rows_scanned);
		format_count(runs, sizeof(runs), t->executions);
		format_percent(kept, sizeof(kept), t->rows_kept, t->rows_scanned);
		strbuf_init(&title);
		strbuf_appendf(&title, "%s: %s rows read by %s sequential scans", name.data, rows, runs);

		strbuf_append(buf, "<div class=\"row\"><div class=\"label\"><b>");
		report_html_escape(buf, name.data);
		strbuf_append(buf, "</b>");
		if (table != NULL)
		{
			char		table_rows[32];

			format_count(table_rows, sizeof(table_rows), (int64_t) table->rows);
			format_bytes(size, sizeof(size), (double) table->size_bytes);
			strbuf_appendf(buf, "<div class=\"note\">about %s rows, %s</div>", table_rows, size);
		}
		strbuf_append(buf, "</div>");
		append_bar(buf, (double) t->rows_scanned, (double) totals[0].rows_scanned, title.data);
		strbuf_appendf(buf, "<div class=\"value\"><b>%s</b> rows read<br>%s %s by %d %s, "
					   "%s kept</div></div>\n", rows, runs,
					   t->executions == 1 ? "scan" : "scans", t->nqueries,
					   t->nqueries == 1 ? "query" : "queries", kept);
		strbuf_free(&name);
		strbuf_free(&title);
	}
	if (n > REPORT_CHART_ROWS)
		strbuf_appendf(buf, "<p class=\"more\">%d more tables with fewer rows read "
					   "are not shown.</p>\n", n - REPORT_CHART_ROWS);
	strbuf_append(buf, "</div></section>\n");
	free(totals);
}

/* Display name of a suggestion kind.  Unknown kinds are shown as they are. */
static const char *
kind_label(const char *kind)
{
	if (strcmp(kind, "create_index") == 0)
		return "Create index";
	if (strcmp(kind, "drop_index") == 0)
		return "Drop index";
	if (strcmp(kind, "trim_projection") == 0)
		return "Trim projection";
	if (strcmp(kind, "add_limit") == 0)
		return "Add LIMIT";
	return kind;
}

/* CSS class of a status pill.  The status text itself is never a class. */
static const char *
status_class(const char *status)
{
	static const char *const good[] = {"approved", "applied", "verified"};
	static const char *const bad[] = {"reverted", "failed"};

	if (status == NULL)
		return "";
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (strcmp(status, good[i]) == 0)
			return " good";
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcmp(status, bad[i]) == 0)
			return " bad";
	return "";
}

static const char *
query_text(const Snapshot *snap, int64_t queryid)
{
	for (int i = 0; snap != NULL && i < snap->nqueries; i++)
		if (snap->queries[i].queryid == queryid)
			return snap->queries[i].query;
	return NULL;
}

/* Append " (N.N× faster)" or " (N% slower)" when both times are positive. */
static void
append_speedup(StrBuf *buf, double before_ms, double after_ms)
{
	double		ratio;

	if (!(before_ms > 0) || !(after_ms > 0))
		return;
	ratio = before_ms / after_ms;
	if (ratio >= 100.0)
		strbuf_appendf(buf, " (%.0f\xC3\x97 faster)", ratio);	/* U+00D7 */
	else if (ratio >= 1.0)
		strbuf_appendf(buf, " (%.1f\xC3\x97 faster)", ratio);
	else
		strbuf_appendf(buf, " (%.0f%% slower)", 100.0 * (1.0 / ratio - 1.0));
}

/* The label cell of an evidence row: the query's text, or its id. */
static void
append_evidence_query(StrBuf *buf, const ReportInput *input, const Evidence *ev)
{
	const char *text = query_text(input->snapshot, ev->queryid);

	strbuf_append(buf, "<div class=\"label\">");
	if (text != NULL)
		append_query_text(buf, text);
	else
		strbuf_appendf(buf, "query id %lld (text not in this snapshot)",
					   (long long) ev->queryid);
	strbuf_append(buf, "</div>");
}

/* An evidence row of an index suggestion: mean time now and estimated. */
static void
append_time_evidence(StrBuf *buf, const Evidence *ev)
{
	char		now[32],
				estimated[32],
				calls[32],
				scanned[32],
				kept[32];
	char		before_label[64],
				after_label[64];

	format_ms(now, sizeof(now), ev->mean_ms);
	format_ms(estimated, sizeof(estimated), ev->estimated_mean_ms);
	format_count(calls, sizeof(calls), ev->calls);
	format_count(scanned, sizeof(scanned), ev->rows_scanned);
	format_count(kept, sizeof(kept), ev->rows_kept);
	snprintf(before_label, sizeof(before_label), "now %s per call", now);
	if (isnan(ev->estimated_mean_ms))
		snprintf(after_label, sizeof(after_label), "not estimated");
	else
		snprintf(after_label, sizeof(after_label), "estimated %s per call", estimated);

	append_bar_pair(buf, ev->mean_ms, ev->estimated_mean_ms, before_label, after_label);
	strbuf_appendf(buf, "<div class=\"value\">now <b>%s</b>", now);
	if (isnan(ev->estimated_mean_ms))
		strbuf_append(buf, ", not estimated");
	else
	{
		strbuf_appendf(buf, ", estimated <b>%s</b>", estimated);
		append_speedup(buf, ev->mean_ms, ev->estimated_mean_ms);
	}
	strbuf_appendf(buf, "<br>%s %s, %s rows scanned, %s kept</div>",
				   calls, ev->calls == 1 ? "call" : "calls", scanned, kept);
}

/*
 * An evidence row of a trim_projection or add_limit suggestion: bytes
 * returned per call now and after the rewrite.
 */
static void
append_bytes_evidence(StrBuf *buf, const Evidence *ev)
{
	char		now[32],
				after[32],
				calls[32],
				mean[32];
	char		before_label[64],
				after_label[64];

	format_bytes(now, sizeof(now), ev->bytes_per_call);
	format_bytes(after, sizeof(after), ev->estimated_bytes_per_call);
	format_count(calls, sizeof(calls), ev->calls);
	format_ms(mean, sizeof(mean), ev->mean_ms);
	snprintf(before_label, sizeof(before_label), "now %s per call", now);
	snprintf(after_label, sizeof(after_label), "rewritten %s per call", after);

	append_bar_pair(buf, ev->bytes_per_call, ev->estimated_bytes_per_call,
					before_label, after_label);
	strbuf_appendf(buf, "<div class=\"value\">now <b>%s</b>, rewritten <b>%s</b> per call",
				   now, after);
	if (ev->bytes_per_call > 0 && ev->estimated_bytes_per_call >= 0 &&
		ev->estimated_bytes_per_call < ev->bytes_per_call)
		strbuf_appendf(buf, " (%.0f%% less)",
					   100.0 * (1.0 - ev->estimated_bytes_per_call / ev->bytes_per_call));
	strbuf_appendf(buf, "<br>%s %s, %.0f rows per call, %s mean</div>",
				   calls, ev->calls == 1 ? "call" : "calls", ev->rows_per_call, mean);
	if (ev->column_bytes != NULL)
	{
		strbuf_append(buf, "<p class=\"note\">Bytes per call by column: <code>");
		report_html_escape(buf, ev->column_bytes);
		strbuf_append(buf, "</code></p>");
	}
}

static void
append_evidence(StrBuf *buf, const ReportInput *input, const Suggestion *s)
{
	strbuf_append(buf, "<h4>Queries it helps</h4>\n");
	if (s->nevidence == 0)
	{
		strbuf_append(buf, "<p class=\"empty\">No tracked query is listed as evidence "
					  "for this suggestion.</p>\n");
		return;
	}
	strbuf_append(buf, "<p class=\"legend\">Per call:<span class=\"key before\">"
				  "</span>now<span class=\"key after\"></span>estimated with the change</p>\n");
	for (int e = 0; e < s->nevidence; e++)
	{
		const Evidence *ev = &s->evidence[e];

		strbuf_append(buf, "<div class=\"ev\">");
		append_evidence_query(buf, input, ev);
		if (ev->has_bytes)
			append_bytes_evidence(buf, ev);
		else
			append_time_evidence(buf, ev);
		if (ev->note != NULL)
		{
			strbuf_append(buf, "<p class=\"note\">Not re-planned: ");
			report_html_escape(buf, ev->note);
			strbuf_append(buf, "</p>");
		}
		strbuf_append(buf, "</div>\n");
	}
}

static void
append_measured(StrBuf *buf, const Suggestion *s)
{
	char		before[32],
				after[32];
	char		before_label[64],
				after_label[64];

	if (isnan(s->measured_before_ms) && isnan(s->measured_after_ms))
		return;
	format_ms(before, sizeof(before), s->measured_before_ms);
	format_ms(after, sizeof(after), s->measured_after_ms);
	snprintf(before_label, sizeof(before_label), "before: %s per call", before);
	snprintf(after_label, sizeof(after_label), "after: %s per call", after);

	strbuf_append(buf, "<div class=\"measured\"><h4>Measured after applying</h4>\n"
				  "<div class=\"ev\"><div class=\"label\">Mean time per call of the "
				  "affected queries</div>");
	append_bar_pair(buf, s->measured_before_ms, s->measured_after_ms, before_label, after_label);
	strbuf_appendf(buf, "<div class=\"value\">before <b>%s</b>, after <b>%s</b>",
				   before, after);
	append_speedup(buf, s->measured_before_ms, s->measured_after_ms);
	strbuf_append(buf, "</div></div></div>\n");
}

/*
 * Append a timestamp as PostgreSQL's JSON form has it
 * ("2026-12-04T20:13:06.978152+00:00") without the T and the fraction of a
 * second.  Any other text is shown escaped as it is.
 */
static void
append_timestamp(StrBuf *buf, const char *timestamp)
{
	size_t		len = strlen(timestamp);
	size_t		fraction_end = 19;
	StrBuf		shown;

	if (len < 19 || timestamp[10] != 'T' || timestamp[4] != '-' || timestamp[13] != ':')
	{
		report_html_escape(buf, timestamp);
		return;
	}
	if (len > 19 && timestamp[19] == '.')
	{
		fraction_end = 20;
		while (timestamp[fraction_end] >= '0' && timestamp[fraction_end] <= '9')
			fraction_end++;
	}
	strbuf_init(&shown);
	strbuf_append_len(&shown, timestamp, 10);
	strbuf_append_char(&shown, ' ');
	strbuf_append_len(&shown, timestamp + 11, 8);
	strbuf_append(&shown, timestamp + fraction_end);
	report_html_escape(buf, shown.data);
	strbuf_free(&shown);
}

static void
append_fact(StrBuf *buf, const char *term, const char *value)
{
	strbuf_append(buf, "<div><dt>");
	report_html_escape(buf, term);
	strbuf_append(buf, "</dt><dd>");
	report_html_escape(buf, value);
	strbuf_append(buf, "</dd></div>");
}

/*
 * One suggestion as a card.  Its element id is "suggestion-ID", or
 * "suggestion-unsaved-N" (N its position in the list, from 1) when it was
 * not stored, as with --no-store and for near misses.
 */
static void
append_card(StrBuf *buf, const ReportInput *input, const Suggestion *s, int position,
			int rank, bool folded)
{
	bool		index_kind = strcmp(s->kind, "create_index") == 0 ||
		strcmp(s->kind, "drop_index") == 0;
	char		text[64];

	strbuf_append(buf, "<article class=\"card");
	if (strcmp(s->kind, "drop_index") == 0)
		strbuf_append(buf, " drop_index");
	if (folded)
		strbuf_append(buf, " folded");
	if (s->id > 0)
		strbuf_appendf(buf, "\" id=\"suggestion-%lld\">\n", (long long) s->id);
	else
		strbuf_appendf(buf, "\" id=\"suggestion-unsaved-%d\">\n", position);

	strbuf_append(buf, "<div class=\"head\">");
	if (rank > 0)
		strbuf_appendf(buf, "<span class=\"rank\">#%d</span>", rank);
	strbuf_append(buf, "<span class=\"pill kind\">");
	report_html_escape(buf, kind_label(s->kind));
	strbuf_append(buf, "</span><h3>");
	report_html_escape(buf, s->table ? s->table : "(no table)");
	strbuf_appendf(buf, "</h3><span class=\"pill%s\">", status_class(s->status));
	report_html_escape(buf, s->near_miss ? "near miss" : s->status);
	strbuf_append(buf, "</span>");
	if (s->verified_by_planner)
		strbuf_append(buf, "<span class=\"pill good\">verified by the planner</span>");
	else
		strbuf_append(buf, "<span class=\"pill warn\">heuristic estimate</span>");
	if (s->id > 0)
		strbuf_appendf(buf, "<span class=\"sid\">id %lld</span>", (long long) s->id);
	else
		strbuf_append(buf, "<span class=\"sid\">not stored</span>");
	strbuf_append(buf, "</div>\n");

	strbuf_appendf(buf, "<pre class=\"code\" aria-label=\"%s\"><code>",
				   index_kind ? "DDL" : "rewritten query");
	report_html_escape(buf, s->sql);
	strbuf_append(buf, "</code></pre>\n<p class=\"rationale\">");
	report_html_escape(buf, s->rationale);
	strbuf_append(buf, "</p>\n");
	if (s->near_miss_reason != NULL)
	{
		strbuf_append(buf, "<p class=\"why\">Not suggested: ");
		report_html_escape(buf, s->near_miss_reason);
		strbuf_append(buf, "</p>\n");
	}

	strbuf_append(buf, "<dl class=\"facts\">");
	format_ms(text, sizeof(text), s->gain_ms_per_hour);
	strcat(text, " per hour");
	append_fact(buf, "Estimated gain", text);
	format_bytes(text, sizeof(text), (double) s->size_bytes);
	append_fact(buf, "Estimated size", text);
	format_ms(text, sizeof(text), s->write_penalty);
	strcat(text, " per hour");
	append_fact(buf, "Write penalty", text);
	if (s->updated_at != NULL)
	{
		strbuf_append(buf, "<div><dt>Updated</dt><dd>");
		append_timestamp(buf, s->updated_at);
		strbuf_append(buf, "</dd></div>");
	}
	strbuf_append(buf, "</dl>\n");

	append_measured(buf, s);
	append_evidence(buf, input, s);
	strbuf_append(buf, "</article>\n");
}

static void
append_suggestions(StrBuf *buf, const ReportInput *input, const ReportTotals *totals)
{
	const SuggestionList *list = input->suggestions;
	int			rank = 0;

	strbuf_append(buf, "<section id=\"suggestions\"><h2>Suggestions</h2>\n"
				  "<p class=\"lead\">Ranked by estimated net gain: query time saved per "
				  "hour minus the write penalty. Click a statement to select all of it.</p>\n");
	if (totals->shown == 0)
		strbuf_append(buf, "<div class=\"panel\"><p class=\"empty\">No suggestions: no "
					  "change is expected to save enough time to be worth it.</p></div>\n");
	for (int i = 0; list != NULL && i < list->count; i++)
		if (!is_folded(&list->items[i]))
			append_card(buf, input, &list->items[i], i + 1, ++rank, false);
	strbuf_append(buf, "</section>\n");

	if (totals->folded == 0)
		return;
	strbuf_appendf(buf, "<section id=\"not-suggested\"><details class=\"folded-list\">"
				   "<summary>Rejected suggestions and near misses (%d)</summary>\n",
				   totals->folded);
	for (int i = 0; i < list->count; i++)
		if (is_folded(&list->items[i]))
			append_card(buf, input, &list->items[i], i + 1, 0, true);
	strbuf_append(buf, "</details></section>\n");
}

void
report_html_render(StrBuf *buf, const ReportInput *input)
{
	ReportTotals totals;
	char		generated[64];

	compute_totals(input, &totals);

	strbuf_append(buf, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
				  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
				  "<meta name=\"color-scheme\" content=\"light\">\n<title>ScaleUp review: ");
	report_html_escape(buf, input->target);
	strbuf_append(buf, "</title>\n<style>\n");
	strbuf_append(buf, report_css);
	strbuf_append(buf, "</style>\n</head>\n<body>\n");

	append_header(buf, input, &totals);
	strbuf_append(buf, "<main>\n");
	append_queries_chart(buf, input->snapshot);
	append_tables_chart(buf, input->snapshot);
	append_suggestions(buf, input, &totals);

	format_utc(generated, sizeof(generated),
			   input->generated_at > 0 ? input->generated_at :
			   (input->snapshot ? input->snapshot->taken_at : 0));
	strbuf_appendf(buf, "<footer>Generated by scaleup-advisor %s on %s. Estimated times "
				   "come from the planner's cost estimates when a card says "
				   "\"verified by the planner\", otherwise from the advisor's heuristic; "
				   "measured times appear only for applied suggestions.</footer>\n",
				   SCALEUP_ADVISOR_VERSION, generated);
	strbuf_append(buf, "</main>\n</body>\n</html>\n");
}

int
report_html_write(const ReportInput *input, FILE *out)
{
	StrBuf		buf;
	int			result = 0;

	strbuf_init(&buf);
	report_html_render(&buf, input);
	if (fwrite(buf.data, 1, buf.len, out) != buf.len)
		result = 1;
	strbuf_free(&buf);
	return result;
}

int
report_html_write_analysis(const char *target, PGconn *conn, const Snapshot *snapshot,
							const SuggestionList *suggestions, FILE *out)
{
	ReportInput input = {0};

	input.target = target;
	input.snapshot = snapshot;
	input.suggestions = suggestions;
	input.bytes_returned = report_html_bytes_returned(conn);
	return report_html_write(&input, out);
}

int64_t
report_html_bytes_returned(PGconn *conn)
{
	PGresult   *res;
	int64_t		bytes = -1;

	res = PQexec(conn,
				 "SELECT coalesce(pg_catalog.sum(bytes_returned), 0)::bigint"
				 "  FROM scaleup.projections"
				 " WHERE dbid = (SELECT oid FROM pg_catalog.pg_database"
				 "                WHERE datname = pg_catalog.current_database())");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		bytes = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return bytes;
}
