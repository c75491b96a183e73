/*-------------------------------------------------------------------------
 *
 * statement.h
 *	  Cutting one statement's text out of the source string.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCALEUP_STATEMENT_H
#define SCALEUP_STATEMENT_H

extern const char *scaleup_statement_text(const char *source, int *location,
										  int *len);

#endif							/* SCALEUP_STATEMENT_H */
