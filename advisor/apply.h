/*
 * apply.h
 *		Applying stored suggestions: "apply" and the daemon's approved and
 *		auto modes.
 *
 * apply_target() opens a connection of its own to the target and:
 *
 *   1. rejects a standby (pg_is_in_recovery()) and a target configured as a
 *      replica;
 *   2. takes the session advisory lock APPLY_LOCK_KEY, so two advisors never
 *      run DDL on one database at once.  A manual apply waits for it, the
 *      daemon skips the cycle;
 *   3. marks scaleup.actions rows still "running" from an advisor that
 *      stopped mid-step as failed, and drops the INVALID indexes whose name
 *      starts with APPLY_INDEX_PREFIX, which such a step left behind;
 *   4. inside the apply window (or with ignore_window), applies the chosen
 *      suggestions one at a time with CREATE or DROP INDEX CONCURRENTLY,
 *      under apply.lock_timeout and apply.statement_timeout;
 *   5. verifies the applied indexes whose verification is due (verify.h).
 *
 * Every step writes a row to scaleup.actions, and every event is logged
 * with the target's name.
 */
#ifndef SCALEUP_APPLY_H
#define SCALEUP_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "config.h"

/*
 * Key of the session advisory lock held while applying:
 * pg_advisory_lock(8314596455242625025), the ASCII bytes of "scaleup" and
 * a version byte 0x01.  Advisory locks are per database.
 */
#define APPLY_LOCK_KEY "8314596455242625025"

/* Generated index names start with this; the crash clean-up relies on it. */
#define APPLY_INDEX_PREFIX "scaleup_"

/* Which suggestions to apply. */
typedef enum
{
	APPLY_APPROVED,				/* every approved create_index and drop_index */
	APPLY_NAMED,				/* the ids given, whatever their status */
	APPLY_AUTO					/* approved ones, plus pending create_index (and
								 * pending drop_index with allow_drop_in_auto) */
} ApplySelection;

typedef struct ApplyOptions
{
	ApplySelection selection;
	const int64_t *ids;			/* for APPLY_NAMED */
	int			nids;
	bool		manual;			/* the "apply" command: outside the window is an
								 * error, not a quiet skip */
	bool		ignore_window;	/* "apply --now" */
	bool		wait_for_lock;	/* wait for another advisor's lock, or skip */
	/* Polled between steps; returns true when the daemon should stop. */
	bool		(*stop_requested) (void);
} ApplyOptions;

/* State of one apply run, shared with verify.c. */
typedef struct ApplySession
{
	const AdvisorConfig *config;
	const TargetConfig *target;
	PGconn	   *conn;			/* the session that holds the advisory lock */
	const ApplyOptions *options;
} ApplySession;

/*
 * Apply and verify the target's suggestions as described above, over a new
 * connection made from conninfo.  Returns 0 when every chosen step
 * succeeded or was skipped on purpose (nothing to do, lock busy in the
 * daemon, outside the window in the daemon), or 1 after logging the
 * failures: a standby, a lost connection, a failed build.
 */
extern int	apply_target(const AdvisorConfig *config, const TargetConfig *target,
						 const char *conninfo, const ApplyOptions *options);

/*
 * Insert a "running" row into scaleup.actions and return its id, or 0 after
 * logging an error.  details_json may be NULL.
 */
extern int64_t apply_action_begin(ApplySession *session, int64_t suggestion_id,
								  const char *action, const char *sql,
								  const char *details_json);

/*
 * Finish an action row: outcome "succeeded", "failed" or "skipped", the
 * error text or NULL, and details merged into the stored ones (or NULL).
 */
extern void apply_action_finish(ApplySession *session, int64_t action_id,
								const char *outcome, const char *error,
								const char *details_json);

/* Insert a row that is finished at once. */
extern void apply_action_record(ApplySession *session, int64_t suggestion_id,
								const char *action, const char *sql,
								const char *outcome, const char *error,
								const char *details_json);

/*
 * Set a suggestion's status and status_reason (NULL clears it).  Returns
 * false after logging an error.
 */
extern bool apply_set_status(ApplySession *session, int64_t suggestion_id,
							 const char *status, const char *reason);

/*
 * Drop an index with DROP INDEX CONCURRENTLY IF EXISTS, retrying a lock
 * timeout a few times.  Records the step as "action" in scaleup.actions.
 * Returns true when the index is gone; otherwise *error is a malloc'd
 * message with the reason.
 */
extern bool apply_drop_index(ApplySession *session, int64_t suggestion_id,
							 const char *action, const char *schema,
							 const char *index_name, char **error);

/* The server error of a failed result on one line, for logs and rows; malloc'd. */
extern char *apply_result_error(const PGresult *result, PGconn *conn);

#endif							/* SCALEUP_APPLY_H */
