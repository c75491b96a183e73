/*
 * report_html.h
 *		The review report: one self-contained HTML page per target, with the
 *		snapshot's totals, the top queries and the sequentially scanned
 *		tables as bar charts, and a card per suggestion.
 *
 * The page has inline CSS and inline SVG only: no script, no external font,
 * style sheet or image, so it can be mailed or attached to a ticket and
 * opened offline.  Every string that came from the database goes through
 * report_html_escape().
 */
#ifndef SCALEUP_REPORT_HTML_H
#define SCALEUP_REPORT_HTML_H

#include <stdint.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "collect.h"
#include "select.h"
#include "strbuf.h"

/* What one report shows. */
typedef struct ReportInput
{
	const char *target;			/* configured name of the target */
	const Snapshot *snapshot;	/* NULL shows the suggestions only */
	const SuggestionList *suggestions;
	int64_t		bytes_returned; /* sum of scaleup.projections.bytes_returned,
								 * or -1 when unknown */
	double		generated_at;	/* seconds since the epoch; 0 uses the
								 * snapshot's time */
} ReportInput;

/*
 * Append "text" with &, <, >, " and ' replaced by character references, so
 * it is safe both as element content and inside a quoted attribute value.
 * Control characters other than tab, newline and carriage return become
 * U+FFFD.  NULL appends nothing.
 */
extern void report_html_escape(StrBuf *buf, const char *text);

/* Append the whole page for "input" to "buf". */
extern void report_html_render(StrBuf *buf, const ReportInput *input);

/* Render the page into "out".  Returns 0, or 1 when writing failed. */
extern int	report_html_write(const ReportInput *input, FILE *out);

/*
 * Render the report of one analysis into "out": "snapshot" and "suggestions"
 * as analyze_target() has them, plus the bytes returned read over "conn".
 * Returns 0, or 1 when writing failed.
 */
extern int	report_html_write_analysis(const char *target, PGconn *conn,
									   const Snapshot *snapshot,
									   const SuggestionList *suggestions, FILE *out);

/*
 * Read the bytes returned to clients that scaleup.projections counted for
 * the current database since the last reset.  Returns -1 when the query
 * fails, for example with an extension version without that view.
 */
extern int64_t report_html_bytes_returned(PGconn *conn);

#endif							/* SCALEUP_REPORT_HTML_H */
