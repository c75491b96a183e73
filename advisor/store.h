/*
 * store.h
 *		Step 6 of analyze: upsert suggestions into scaleup.suggestions.
 */
#ifndef SCALEUP_STORE_H
#define SCALEUP_STORE_H

#include <libpq-fe.h>

#include "select.h"

/*
 * Upsert every suggestion of "list" that is not a near miss, keyed by
 * (target, fingerprint), in one transaction.  A row found again gets the new
 * evidence and estimates but keeps its status.  A rejected row is left alone,
 * and its suggestion is removed from "list".  The other suggestions get id,
 * status and timestamps from their rows.  Returns false after logging the
 * error, with nothing stored.
 */
extern bool store_suggestions(const char *target, PGconn *conn, SuggestionList *list);

#endif							/* SCALEUP_STORE_H */
