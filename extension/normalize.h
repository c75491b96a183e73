/*-------------------------------------------------------------------------
 *
 * normalize.h
 *	  Normalized query text: the constants of a statement replaced by $n.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCALEUP_NORMALIZE_H
#define SCALEUP_NORMALIZE_H

#include "postgres.h"

#include "nodes/pg_list.h"
#include "utils/queryjumble.h"

/*
 * Build the normalized text of one statement: its text with every constant
 * that the query jumble recorded in jstate replaced by a parameter symbol $n.
 *
 * The arguments are what CleanQuerytext() returns for the statement:
 *
 *		location = query->stmt_location;
 *		len = query->stmt_len;
 *		text = CleanQuerytext(pstate->p_sourcetext, &location, &len);
 *		normalized = scaleup_normalize_query(text, location, &len, jstate, &literals);
 *
 * query points to the first byte of the statement (it need not end there),
 * *query_len is the statement's length in bytes, and query_loc is the
 * statement's offset in the full source text, which is what the constant
 * locations in jstate count from.
 *
 * Parameter symbols are numbered from jstate->highest_extern_param_id + 1 up,
 * in the order of the constants in the text.  A location recorded more than
 * once gets one symbol.  Whitespace and comments outside the constants are
 * kept as written.
 *
 * A constant is left as written, and gets no symbol, when its location lies
 * outside the statement or the scanner finds no constant token there.  The
 * scanner can fail only if standard_conforming_strings changed after the
 * statement was parsed (by an earlier statement of the same query string).
 * The statement is then scanned with the other setting, and if that fails
 * too, every constant is left as written and a LOG message is written.  The
 * scanner's errors are never raised to the caller.
 *
 * Returns a NUL-terminated string palloc'd in CurrentMemoryContext and sets
 * *query_len to its length.  jstate is not modified, so hooks called after
 * this one (pg_stat_statements) see it unchanged.  jstate may be NULL
 * (utility statements, or compute_query_id off): the result is then a copy
 * of the statement.
 *
 * If literals is not NULL, *literals is set to a List of palloc'd C strings,
 * one per parameter symbol in $n order, each usable as an argument of
 * EXECUTE: the constant's source text as written (5, 'abc', -3.5, E'x\n',
 * $$q$$, B'101', U&'...' UESCAPE '!'), except that LIMIT ALL gives NULL and
 * a word used as a constant (the field of EXTRACT(year FROM ...), the form of
 * NORMALIZE) gives its value as a quoted string.  NIL when nothing was
 * replaced.
 */
extern char *scaleup_normalize_query(const char *query, int query_loc,
									 int *query_len, JumbleState *jstate,
									 List **literals);

#endif							/* SCALEUP_NORMALIZE_H */
