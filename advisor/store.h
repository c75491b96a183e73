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
 * evidence and estimates and keeps its status; a rejected row is left alone
 * and its suggestion is removed from "list".  id, status and timestamps of
 * the others are filled from the stored rows.  Returns false after logging
 * the error, with nothing stored.
 */
extern bool store_suggestions(const char *target, PGconn *conn, SuggestionList *list);

#endif							/* SCALEUP_STORE_H */
