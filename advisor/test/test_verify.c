/* Unit tests for verify_judge(): when to wait, keep or revert an index. */
#include "verify.h"
#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const VerifyRules rules = {
	.after_ms = 60000,
	.min_calls = 20,
	.min_improvement = 0.10,
	.max_write_slowdown = 0.20,
};

/* A query that ran "before" calls at before_mean, then "after" calls at after_mean. */
static QueryTiming
timing(const char *queryid, bool is_write, int64_t before, double before_mean,
	   int64_t after, double after_mean)
{
	QueryTiming t;

	memset(&t, 0, sizeof(t));
	snprintf(t.queryid, sizeof(t.queryid), "%s", queryid);
	t.is_write = is_write;
	t.evidence_mean_ms = -1;
	t.before_calls = before;
	t.before_total_ms = (double) before * before_mean;
	/* two calls ran during the build */
	t.built_calls = before + 2;
	t.built_total_ms = t.before_total_ms + 2 * before_mean;
	t.now_calls = t.built_calls + after;
	t.now_total_ms = t.built_total_ms + (double) after * after_mean;
	return t;
}

TEST(verify, waits_for_time)
{
	QueryTiming t[1] = {timing("1", false, 100, 50.0, 500, 1.0)};
	VerifyResult r;

	verify_judge(&rules, t, 1, 30000, &r);
	CHECK_INT_EQ(VERIFY_WAIT, r.decision);
	CHECK_STR_EQ("waiting: 30 s of 60 s since the build have passed", r.reason);
}

TEST(verify, waits_for_calls_of_each_query)
{
	QueryTiming t[2] = {
		timing("1", false, 100, 50.0, 500, 1.0),
		timing("2", false, 100, 50.0, 19, 1.0),
	};
	VerifyResult r;

	verify_judge(&rules, t, 2, 60000, &r);
	CHECK_INT_EQ(VERIFY_WAIT, r.decision);
	CHECK_STR_EQ("waiting: query 2 ran 19 of the 20 calls needed since the build", r.reason);

	/* After VERIFY_PATIENCE_FACTOR times the window, the queries that ran decide. */
	verify_judge(&rules, t, 2, 60000.0 * VERIFY_PATIENCE_FACTOR, &r);
	CHECK_INT_EQ(VERIFY_KEEP, r.decision);
	CHECK_INT_EQ(1, r.queries_judged);
	CHECK_INT_EQ(500, r.calls);
}

TEST(verify, keeps_faster_index)
{
	QueryTiming t[2] = {
		timing("1", false, 100, 40.0, 300, 1.0),
		timing("2", false, 10, 10.0, 100, 2.0),
	};
	VerifyResult r;

	verify_judge(&rules, t, 2, 61000, &r);
	CHECK_INT_EQ(VERIFY_KEEP, r.decision);
	/* before: (40 * 300 + 10 * 100) / 400; after: (300 + 200) / 400 */
	CHECK_DOUBLE_EQ(32.5, r.before_ms, 1e-9);
	CHECK_DOUBLE_EQ(1.25, r.after_ms, 1e-9);
	CHECK_DOUBLE_EQ(1.0 - 1.25 / 32.5, r.improvement, 1e-9);
	CHECK_INT_EQ(400, r.calls);
	CHECK(!r.writes_measured);
	CHECK_STR_EQ("mean time of the affected queries went from 32.500 ms to 1.250 ms "
				 "(96.2% faster); no writes on the table to compare", r.reason);
}

TEST(verify, reverts_index_that_did_not_help)
{
	QueryTiming t[1] = {timing("1", false, 100, 2.0, 100, 1.9)};
	VerifyResult r;

	verify_judge(&rules, t, 1, 60000, &r);
	CHECK_INT_EQ(VERIFY_REVERT, r.decision);
	CHECK_DOUBLE_EQ(0.05, r.improvement, 1e-9);
	CHECK_STR_EQ("mean time of the affected queries went from 2.000 ms to 1.900 ms "
				 "(5.0% faster), less than the required 10.0%", r.reason);
}

TEST(verify, reverts_when_writes_slowed)
{
	QueryTiming t[3] = {
		timing("1", false, 100, 20.0, 100, 1.0),
		timing("7", true, 1000, 0.10, 1000, 0.13),
		timing("8", true, 1000, 0.10, 5, 9.0),	/* too few calls: ignored */
	};
	VerifyResult r;

	verify_judge(&rules, t, 3, 60000, &r);
	CHECK_INT_EQ(VERIFY_REVERT, r.decision);
	CHECK(r.writes_measured);
	CHECK_DOUBLE_EQ(0.30, r.write_slowdown, 1e-9);
	CHECK_STR_EQ("mean write time on the table rose from 0.100 ms to 0.130 ms "
				 "(30.0% slower), more than the allowed 20.0%", r.reason);

	t[1] = timing("7", true, 1000, 0.10, 1000, 0.11);
	verify_judge(&rules, t, 3, 60000, &r);
	CHECK_INT_EQ(VERIFY_KEEP, r.decision);
	CHECK_DOUBLE_EQ(0.10, r.write_slowdown, 1e-9);
}

TEST(verify, counter_reset_counts_from_zero)
{
	QueryTiming t[1] = {timing("1", false, 100, 30.0, 0, 0)};
	VerifyResult r;

	/* scaleup.reset() after the build: 25 calls of 3 ms since. */
	t[0].now_calls = 25;
	t[0].now_total_ms = 75.0;
	verify_judge(&rules, t, 1, 60000, &r);
	CHECK_INT_EQ(VERIFY_KEEP, r.decision);
	CHECK_DOUBLE_EQ(30.0, r.before_ms, 1e-9);
	CHECK_DOUBLE_EQ(3.0, r.after_ms, 1e-9);
}

TEST(verify, evidence_mean_when_no_calls_before)
{
	QueryTiming t[1] = {timing("1", false, 0, 0, 50, 2.0)};
	VerifyResult r;

	t[0].evidence_mean_ms = 40.0;
	verify_judge(&rules, t, 1, 60000, &r);
	CHECK_INT_EQ(VERIFY_KEEP, r.decision);
	CHECK_DOUBLE_EQ(40.0, r.before_ms, 1e-9);

	t[0].evidence_mean_ms = -1;
	verify_judge(&rules, t, 1, 60000, &r);
	CHECK_INT_EQ(VERIFY_REVERT, r.decision);
	CHECK(isnan(r.before_ms));
	CHECK_STR_EQ("no affected query has a mean time from before the build, so no gain can be shown",
				 r.reason);
}

TEST(verify, baseline_of_earlier_build)
{
	/* 100 calls of 50 ms, then an earlier index: 100 calls of 2 ms. */
	QueryTiming t[1] = {timing("1", false, 200, 26.0, 100, 1.9)};
	VerifyResult r;

	t[0].baseline_calls = 100;
	t[0].baseline_total_ms = 5000.0;
	verify_judge(&rules, t, 1, 60000, &r);
	CHECK_INT_EQ(VERIFY_REVERT, r.decision);
	CHECK_DOUBLE_EQ(2.0, r.before_ms, 1e-9);
	CHECK_DOUBLE_EQ(1.9, r.after_ms, 1e-9);

	/* Without the baseline the cumulative mean would credit this index. */
	t[0].baseline_calls = 0;
	t[0].baseline_total_ms = 0;
	verify_judge(&rules, t, 1, 60000, &r);
	CHECK_INT_EQ(VERIFY_KEEP, r.decision);
	CHECK_DOUBLE_EQ(26.0, r.before_ms, 1e-9);
}
