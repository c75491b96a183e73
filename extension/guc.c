/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  Configuration parameters of pg_scaleup.
 *
 * The store capacities and the query text size size shared memory, so they
 * can only be set at server start.  The rest may change at any time.
 *
 * sample_rate defaults to 0.1.  A sampled execution costs about 3,000 more
 * instructions than an unsampled one (plan-node row counts, the plan walk,
 * the byte count), measured with callgrind on a single-row primary-key
 * lookup.  One execution in ten still gives enough evidence on any query
 * that runs often enough to deserve an index.  Set it to 1 for exact counts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/guc.h"

#include "scaleup.h"

int			scaleup_max_queries = 5000;
int			scaleup_max_scans = 10000;
int			scaleup_max_query_length = 2048;
int			scaleup_track = SCALEUP_TRACK_TOP;
double		scaleup_sample_rate = 0.1;
bool		scaleup_track_parameters = true;
bool		scaleup_save = true;

static const struct config_enum_entry track_options[] =
{
	{"none", SCALEUP_TRACK_NONE, false},
	{"top", SCALEUP_TRACK_TOP, false},
	{"all", SCALEUP_TRACK_ALL, false},
	{NULL, 0, false}
};

/*
 * Define every parameter.  Called from _PG_init while the library is being
 * preloaded, which is the only time PGC_POSTMASTER parameters can be set up.
 */
void
scaleup_define_gucs(void)
{
	DefineCustomIntVariable("pg_scaleup.max_queries",
							"Sets the maximum number of queries tracked.",
							"When the store is full, the least-used entries are evicted.",
							&scaleup_max_queries,
							5000, 100, INT_MAX / 2,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_scaleup.max_scans",
							"Sets the maximum number of scan shapes tracked.",
							"The projections store has the same capacity.",
							&scaleup_max_scans,
							10000, 100, INT_MAX / 2,
							PGC_POSTMASTER, 0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_scaleup.max_query_length",
							"Sets the maximum length of the normalized query text kept per query.",
							"Longer texts are truncated; the advisor cannot re-plan a truncated query.",
							&scaleup_max_query_length,
							2048, 256, 1024 * 1024,
							PGC_POSTMASTER, GUC_UNIT_BYTE,
							NULL, NULL, NULL);

	DefineCustomEnumVariable("pg_scaleup.track",
							 "Selects which statements are tracked.",
							 "\"top\" tracks statements sent by clients, \"all\" also statements run inside functions.",
							 &scaleup_track,
							 SCALEUP_TRACK_TOP, track_options,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomRealVariable("pg_scaleup.sample_rate",
							 "Sets the fraction of executions that collect plan-node row counts.",
							 "Timing is counted for every execution; scan and projection counters of sampled executions are scaled by the inverse of the rate.",
							 &scaleup_sample_rate,
							 0.1, 0.0, 1.0,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("pg_scaleup.track_parameters",
							 "Keeps one sample of parameter values per query.",
							 "The advisor needs the sample to re-plan queries sent with parameters.",
							 &scaleup_track_parameters,
							 true,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("pg_scaleup.save",
							 "Saves the statistics across server shutdowns.",
							 NULL,
							 &scaleup_save,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("pg_scaleup");
}
