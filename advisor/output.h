/*
 * output.h
 *		Step 6 of analyze: print suggestions as a text table, a JSON array or
 *		an SQL migration file.
 */
#ifndef SCALEUP_OUTPUT_H
#define SCALEUP_OUTPUT_H

#include <stdio.h>

#include "analyze.h"
#include "select.h"
#include "strbuf.h"

/*
 * Write "list" to "out" in "format".  Near misses appear only in the text
 * format.  Returns 0, or 1 for HTML, which needs the snapshot too and is
 * rendered by report_html_write_analysis() instead.
 */
extern int	output_write(OutputFormat format, const char *target,
						 const SuggestionList *list, FILE *out);

/* Append the JSON array of all suggestions that are not near misses. */
extern void output_json(StrBuf *buf, const char *target, const SuggestionList *list);

/* Append one suggestion's evidence as a JSON array. */
extern void output_evidence_json(StrBuf *buf, const Suggestion *s);

/* Append the SQL migration file. */
extern void output_sql(StrBuf *buf, const char *target, const SuggestionList *list);

/* Append the text report. */
extern void output_text(StrBuf *buf, const char *target, const SuggestionList *list);

/* Append "text" with control characters replaced by spaces, for comments. */
extern void output_append_one_line(StrBuf *buf, const char *text);

#endif							/* SCALEUP_OUTPUT_H */
