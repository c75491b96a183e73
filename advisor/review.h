/*
 * review.h: the review, approve and reject commands.
 *
 * Each works on one target's scaleup.suggestions table, through the same
 * SQL interface reviewers have: a SELECT for review, and the functions
 * scaleup.approve(id) and scaleup.reject(id, reason) for decisions.
 */
#ifndef SCALEUP_REVIEW_H
#define SCALEUP_REVIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

/* True when status is one of the values of scaleup.suggestions.status. */
bool		review_valid_status(const char *status);

/*
 * Print the target's suggestions as a text table in id order, limited to
 * one status when status is not NULL.  Returns 0, or 1 after logging a
 * connection or query error.
 */
int			review_list(const TargetConfig *target, const char *status, FILE *out);

/*
 * Approve (approve = true) or reject each id, printing one line per id: the
 * new status on out, or the server's error on stderr.  Returns 0 when every
 * id succeeded, 1 when any failed.
 */
int			review_decide(const TargetConfig *target, const int64_t *ids, int nids,
						  bool approve, const char *reason, FILE *out);

#endif							/* SCALEUP_REVIEW_H */
