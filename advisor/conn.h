/*
 * conn.h: connections to targets.
 *
 * conn_open() makes one connection and logs a failure.  A TargetConnection
 * keeps a target's connection for the daemon and reconnects it with
 * exponential backoff and jitter: the first failure is logged as an error,
 * later ones at debug level with a warning every CONN_WARN_EVERY attempts,
 * and the recovery as info.  Messages carry the target's name and a masked
 * conninfo, never a password.
 */
#ifndef SCALEUP_CONN_H
#define SCALEUP_CONN_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "config.h"

/* First retry delay, the cap of the doubling, and the repeat-warning period. */
#define CONN_BACKOFF_BASE_SECONDS 1.0
#define CONN_BACKOFF_MAX_SECONDS 300.0
#define CONN_WARN_EVERY 10

typedef struct TargetConnection
{
	char	   *target_name;
	char	   *conninfo;		/* may hold a password: never print it */
	char	   *display;		/* masked conninfo for messages */
	PGconn	   *conn;			/* NULL while disconnected */
	int			failures;		/* failed attempts since the last success */
	double		next_attempt;	/* monotonic seconds; no attempt before it */
} TargetConnection;

/*
 * Connect to a target with application_name "scaleup-advisor" (a conninfo
 * may override it).  Returns NULL after logging an error with the target's
 * name, the masked conninfo and libpq's message.
 */
PGconn	   *conn_open(const char *target_name, const char *conninfo);

void		conn_init(TargetConnection *tc, const TargetConfig *target);

/*
 * Return the target's live connection, connecting when needed.  Returns NULL
 * while the target is down or its backoff delay has not passed; now is
 * conn_now().  Connections lost since the last call are detected here.
 */
PGconn	   *conn_get(TargetConnection *tc, double now);

/* Close the connection after a failure seen by the caller; retried with backoff. */
void		conn_mark_broken(TargetConnection *tc, double now);

void		conn_close(TargetConnection *tc);

/* Monotonic clock in seconds. */
double		conn_now(void);

/*
 * Delay before the next attempt after the given number of consecutive
 * failures (1 or more): base * 2^(failures-1), capped, then scaled by a jitter
 * factor between 0.5 and 1.0 taken from random_unit in [0, 1).
 */
double		conn_backoff_delay(int failures, double random_unit);

/* libpq's error message on one line, without the trailing newline; static buffer. */
const char *conn_error_message(const PGconn *conn);

#endif							/* SCALEUP_CONN_H */
