# "scaleup-advisor apply": approved suggestions are built, statuses and
# scaleup.actions rows follow, an equivalent existing index makes a
# suggestion skip, verification keeps the indexes that made their queries
# faster and reverts one that the workload does not use.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use ApplyCase;

my $node = apply_node('apply_verify');
my $db = 'blog';
blog_database($node, $db, 100000);
$node->safe_psql($db,
	'CREATE INDEX blog_posts_by_author ON blog_posts (author_id, created_at)');
$node->safe_psql($db, 'SELECT scaleup.reset()');

my $homepage = "SELECT id, title FROM blog_posts ORDER BY created_at DESC LIMIT 10;\n";
my $category = "SELECT id, name FROM products WHERE category_id = 42;\n";
my $popular = "SELECT count(*) FROM blog_posts WHERE views > 1000;\n";

run_workload($node, $db, 'homepage', $homepage, 20);
run_workload($node, $db, 'category', $category, 20);
my $homepage_id = queryid_of($node, $db, 'SELECT id, title FROM blog_posts ORDER BY%');
my $category_id = queryid_of($node, $db, 'SELECT id, name FROM products WHERE%');
isnt($homepage_id, '', 'homepage query is in scaleup.queries');

# A 50% margin keeps timing noise on a busy test machine from keeping the
# unused index below.
my $config = apply_config($node, $db, 'verify.min_improvement' => '50%');

my $s_homepage = add_suggestion(
	$node, $db, $db,
	table => 'public.blog_posts',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_created_at" ON "public"."blog_posts" ("created_at" DESC);',
	evidence => qq{[{"queryid": $homepage_id, "calls": 20, "mean_ms": 10}]});
my $s_category = add_suggestion(
	$node, $db, $db,
	table => 'public.products',
	index_name => 'scaleup_products_category_id',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_products_category_id" ON "public"."products" ("category_id");',
	evidence => qq{[{"queryid": $category_id, "calls": 20, "mean_ms": 5}]});
my $s_pending = add_suggestion(
	$node, $db, $db,
	status => 'pending',
	table => 'public.blog_posts',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_views" ON "public"."blog_posts" ("views");');
my $s_duplicate = add_suggestion(
	$node, $db, $db,
	table => 'public.blog_posts',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_author_id" ON "public"."blog_posts" ("author_id");');

# --- apply the approved suggestions -----------------------------------------

my ($rc, $log) = run_apply($config);
is($rc, 0, 'apply exits with 0');
like($log, qr/suggestion $s_homepage applied: index "scaleup_blog_posts_created_at" on public\.blog_posts built/,
	'apply logs the built index');
is( scaleup_indexes($node, $db),
	"scaleup_blog_posts_created_at valid\nscaleup_products_category_id valid",
	'both approved indexes exist and are valid');
is(suggestion_row($node, $db, $s_homepage), 'applied|', 'homepage suggestion is applied');
is(suggestion_row($node, $db, $s_category), 'applied|', 'category suggestion is applied');
is(suggestion_row($node, $db, $s_pending), 'pending|', 'pending suggestion is left alone');
is( suggestion_row($node, $db, $s_duplicate),
	'rejected|not applied: the valid index "blog_posts_by_author" on public.blog_posts already has the same leading columns',
	'suggestion served by an existing index is skipped with the reason');
like($log, qr/suggestion $s_duplicate skipped: not applied: the valid index "blog_posts_by_author"/,
	'the skip is logged');

is(action_rows($node, $db, $s_homepage), 'create_index succeeded', 'homepage build is recorded');
is(action_rows($node, $db, $s_pending), '', 'pending suggestion has no action');
is(action_rows($node, $db, $s_duplicate), 'create_index skipped', 'skip is recorded');
is( $node->safe_psql(
		$db, qq{
SELECT sql || '|' || (details->'before'->'$homepage_id'->>'calls') || '|'
       || (finished_at >= started_at)
  FROM scaleup.actions WHERE suggestion_id = $s_homepage}),
	qq{CREATE INDEX CONCURRENTLY "scaleup_blog_posts_created_at" ON "public"."blog_posts" ("created_at" DESC)|20|true},
	'action row has the SQL that ran, the counters before the build and its times');

# --- verification -----------------------------------------------------------

run_workload($node, $db, 'homepage', $homepage, 20);
run_workload($node, $db, 'category', $category, 20);
# verify.after is 2s in the test configuration
sleep 3;
($rc, $log) = run_apply($config);
is($rc, 0, 'apply with verification exits with 0');
like(suggestion_row($node, $db, $s_homepage),
	qr/^verified\|mean time of the affected queries went from [0-9.]+ ms to [0-9.]+ ms \([0-9.]+% faster\); no writes on the table to compare$/,
	'homepage index is verified with the measured times');
is(suggestion_row($node, $db, $s_category) =~ /^verified\|/ ? 1 : 0, 1,
	'category index is verified');
my ($before, $after) = split /\|/, $node->safe_psql($db,
	"SELECT measured_before_ms, measured_after_ms FROM scaleup.suggestions WHERE id = $s_homepage");
cmp_ok($before, '>', 0, 'measured_before_ms is recorded');
cmp_ok($after * 5, '<', $before, 'homepage query mean time dropped at least five times');
is(action_rows($node, $db, $s_homepage), "create_index succeeded\nverify succeeded",
	'verification is recorded');
is( $node->safe_psql($db,
		"SELECT details->>'decision' FROM scaleup.actions WHERE suggestion_id = $s_homepage AND action = 'verify'"),
	'keep', 'verify row records the decision');
is(scaleup_indexes($node, $db),
	"scaleup_blog_posts_created_at valid\nscaleup_products_category_id valid",
	'verified indexes stay');

# --- an index the workload does not use is reverted --------------------------

run_workload($node, $db, 'popular', $popular, 30);
my $popular_id = queryid_of($node, $db, 'SELECT count(*) FROM blog_posts WHERE views%');
my $s_unused = add_suggestion(
	$node, $db, $db,
	status => 'pending',
	table => 'public.blog_posts',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_title" ON "public"."blog_posts" ("title");',
	evidence => qq{[{"queryid": $popular_id, "calls": 10, "mean_ms": 5}]});

($rc, $log) = run_apply($config, $s_unused);
is($rc, 0, 'apply by id exits with 0');
is(suggestion_row($node, $db, $s_unused), 'applied|', 'naming a pending suggestion applies it');
like(scaleup_indexes($node, $db), qr/^scaleup_blog_posts_title valid$/m, 'unused index was built');

run_workload($node, $db, 'popular', $popular, 30);
sleep 3;
($rc, $log) = run_apply($config);
is($rc, 0, 'apply with the revert exits with 0');
like(suggestion_row($node, $db, $s_unused),
	qr/^reverted\|reverted: mean time of the affected queries went from [0-9.]+ ms to [0-9.]+ ms \(-?[0-9.]+% faster\), less than the required 50\.0%$/,
	'unused index is reverted with the reason');
like($log, qr/suggestion $s_unused did not help, dropping index "scaleup_blog_posts_title"/,
	'the revert is logged');
is(action_rows($node, $db, $s_unused),
	"create_index succeeded\nverify succeeded\nrevert_index succeeded",
	'build, verification and drop are recorded');
is( $node->safe_psql($db,
		"SELECT details->>'decision' FROM scaleup.actions WHERE suggestion_id = $s_unused AND action = 'verify'"),
	'revert', 'verify row records the revert decision');
unlike(scaleup_indexes($node, $db), qr/scaleup_blog_posts_title/, 'reverted index is gone');
is( $node->safe_psql($db,
		"SELECT measured_before_ms IS NOT NULL AND measured_after_ms IS NOT NULL FROM scaleup.suggestions WHERE id = $s_unused"),
	't', 'reverted suggestion has its measured times');

$node->stop;
done_testing();
