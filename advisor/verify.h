/*
 * verify.h
 *		Verification of applied indexes on measured timings.
 *
 * When an index is built, the apply step stores two snapshots of the
 * cumulative counters of scaleup.queries in the details of its
 * scaleup.actions row: "before" taken when the build started and "built"
 * taken when it finished.  Each holds, per queryid, "calls" and "total_ms"
 * for the queries named in the suggestion's evidence and for the INSERT,
 * UPDATE and DELETE statements on the index's table ("write": true).
 *
 * Verification compares, per query, the mean time before the build with
 * the mean since the build (the difference between the counters now and
 * "built").  The mean before is taken since the latest earlier build whose
 * "built" snapshot contains the query (its "baseline"), so the gain of an
 * index built earlier is not credited to this one.  Without such a build it
 * is the cumulative mean since the statistics began (before.total_ms /
 * before.calls).  The affected queries are combined weighted by their calls
 * since the build.  The index is kept when that combined mean fell by at
 * least verify.min_improvement and the writes' combined mean did not rise by
 * more than verify.max_write_slowdown; otherwise it is dropped again.
 */
#ifndef SCALEUP_VERIFY_H
#define SCALEUP_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "strbuf.h"

/* Counters of one query at the three moments verification compares. */
typedef struct QueryTiming
{
	char		queryid[24];	/* decimal */
	bool		is_write;		/* a write on the index's table, not an
								 * affected query */
	double		evidence_mean_ms;	/* mean from the suggestion's evidence;
									 * negative when unknown.  Used when the
									 * query has no calls before the build. */
	int64_t		baseline_calls; /* at the end of an earlier build; 0 if none */
	double		baseline_total_ms;
	int64_t		before_calls;
	double		before_total_ms;
	int64_t		built_calls;
	double		built_total_ms;
	int64_t		now_calls;
	double		now_total_ms;
} QueryTiming;

typedef struct VerifyRules
{
	int64_t		after_ms;		/* verify.after */
	int64_t		min_calls;		/* verify.min_calls, per affected query */
	double		min_improvement;	/* verify.min_improvement, 0.1 = 10% */
	double		max_write_slowdown; /* verify.max_write_slowdown */
} VerifyRules;

/*
 * Factor of verify.after after which queries that reached min_calls are
 * judged without the ones that did not run enough.
 */
#define VERIFY_PATIENCE_FACTOR 10

typedef enum
{
	VERIFY_WAIT,				/* not enough time or calls yet */
	VERIFY_KEEP,
	VERIFY_REVERT
} VerifyDecision;

typedef struct VerifyResult
{
	VerifyDecision decision;
	double		before_ms;		/* combined mean before; NAN when not measured */
	double		after_ms;		/* combined mean since the build; NAN likewise */
	double		improvement;	/* (before - after) / before */
	int64_t		calls;			/* affected queries' calls since the build */
	int			queries_judged;
	bool		writes_measured;
	double		write_before_ms;
	double		write_after_ms;
	double		write_slowdown; /* write_after / write_before - 1 */
	char		reason[512];	/* one sentence for the log, the action row and
								 * status_reason */
} VerifyResult;

/*
 * Decide on one index from the counters of its queries and the time since
 * the build finished, in milliseconds.  A counter that went down since the
 * build (statistics reset, or the entry evicted and seen again) counts all
 * its current calls as calls since the build.
 */
extern void verify_judge(const VerifyRules *rules, const QueryTiming *timings,
						 int ntimings, double elapsed_ms, VerifyResult *result);

/*
 * Append to "json" an object of the current counters of the queries whose
 * ids are in "queryids" (a PostgreSQL array literal such as "{1,2}") and of
 * the writes on schema.table, in the layout described above.  Returns false
 * after logging an error.
 */
extern bool verify_append_snapshot(PGconn *conn, const char *target,
								   const char *queryids, const char *schema,
								   const char *table, StrBuf *json);

struct ApplySession;

/*
 * Verify every applied create_index suggestion of the session's target
 * whose verification is due: record the verdict and the measured means on
 * the suggestion and in a "verify" row of scaleup.actions, and drop the
 * index when it did not help.  With ddl_allowed false (outside the apply
 * window), a revert waits for the window.  Returns the number of
 * suggestions that could not be verified or reverted because of an error.
 */
extern int	verify_applied(struct ApplySession *session, bool ddl_allowed);

#endif							/* SCALEUP_VERIFY_H */
