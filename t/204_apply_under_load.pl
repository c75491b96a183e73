# The daemon ("run", apply_mode approved) builds and verifies an index while
# pgbench runs 4 clients of reads and writes: no client error, no lost write.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use ApplyCase;

my $rows = 50000;
my $node = apply_node('apply_load');
my $db = 'blog';
blog_database($node, $db, $rows);

my $homepage = "SELECT id, title FROM blog_posts ORDER BY created_at DESC LIMIT 10;\n";
run_workload($node, $db, 'homepage', $homepage, 20);
my $homepage_id = queryid_of($node, $db, 'SELECT id, title FROM blog_posts ORDER BY%');

my $s_homepage = add_suggestion(
	$node, $db, $db,
	table => 'public.blog_posts',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_created_at" ON "public"."blog_posts" ("created_at" DESC);',
	evidence => qq{[{"queryid": $homepage_id, "calls": 20, "mean_ms": 10}]});
my $config = apply_config($node, $db, apply_mode => 'approved',
	'verify.after' => '3s');

# Each transaction reads the homepage, counts one view and logs it.
my $script = $node->basedir . '/mixed.sql';
PostgreSQL::Test::Utils::append_to_file(
	$script, qq{\\set id random(1, $rows)
SELECT id, title FROM blog_posts ORDER BY created_at DESC LIMIT 10;
UPDATE blog_posts SET views = views + 1 WHERE id = :id;
INSERT INTO post_views VALUES (:id, now());
});
my ($bench_out, $bench_err) = ('', '');
my $bench = IPC::Run::start [
	'pgbench', '-n', '-c', '4', '-j', '2', '-T', '12', '-f', $script,
	'-h', $node->host, '-p', $node->port, $db
  ],
  '>', \$bench_out, '2>', \$bench_err;

sleep 1;
my ($daemon, $daemon_log) = start_apply($config, 'run');

ok( $node->poll_query_until($db,
		"SELECT status IN ('verified', 'reverted', 'failed') FROM scaleup.suggestions WHERE id = $s_homepage"),
	'the daemon applies and verifies the suggestion under load');
$daemon->signal('TERM');
ok($daemon->finish, 'the daemon exits with 0 on SIGTERM');
note("daemon:\n$$daemon_log");

ok($bench->finish, 'pgbench exits with 0') or diag("$bench_out\n$bench_err");
unlike($bench_err, qr/error|abort/i, 'no pgbench client error');
my ($transactions) = $bench_out =~ /number of transactions actually processed: (\d+)/;
ok(defined $transactions && $transactions > 0, 'pgbench processed transactions')
  or diag($bench_out);
note("pgbench:\n$bench_out");

is($node->safe_psql($db, 'SELECT sum(views) FROM blog_posts'),
	$transactions, 'every UPDATE counted one view');
is($node->safe_psql($db, 'SELECT count(*) FROM post_views'),
	$transactions, 'every INSERT is there');

like(suggestion_row($node, $db, $s_homepage),
	qr/^verified\|mean time of the affected queries went from [0-9.]+ ms to [0-9.]+ ms \([0-9.]+% faster\); mean write time went from [0-9.]+ ms to [0-9.]+ ms$/,
	'the index is verified, with the writes on the table measured');
is(action_rows($node, $db, $s_homepage), "create_index succeeded\nverify succeeded",
	'build and verification are recorded');
is(scaleup_indexes($node, $db), 'scaleup_blog_posts_created_at valid', 'the index is valid');
like($$daemon_log, qr/suggestion $s_homepage verified, index "scaleup_blog_posts_created_at" on public\.blog_posts kept/,
	'the daemon logs the verification');
like($$daemon_log, qr/received SIGTERM, stopping/, 'the daemon logs its stop');

# --- apply_mode auto ------------------------------------------------------------

# auto builds pending create_index suggestions, but never drops an index
# without approval unless apply.allow_drop_in_auto is set.
$node->safe_psql($db, 'CREATE INDEX products_by_name ON products (name)');
my $s_auto = add_suggestion(
	$node, $db, $db,
	status => 'pending',
	table => 'public.products',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_products_category_id" ON "public"."products" ("category_id");');
my $s_drop = add_suggestion(
	$node, $db, $db,
	kind => 'drop_index',
	status => 'pending',
	table => 'public.products',
	sql => 'DROP INDEX CONCURRENTLY "public"."products_by_name";');
my $auto_config = apply_config($node, $db, apply_mode => 'auto',
	'verify.after' => '1h');
($daemon, $daemon_log) = start_apply($auto_config, 'run');
ok( $node->poll_query_until($db,
		"SELECT status = 'applied' FROM scaleup.suggestions WHERE id = $s_auto"),
	'auto mode applies a pending create_index suggestion');
# one more cycle, in which a drop would happen
sleep 2;
$daemon->signal('TERM');
ok($daemon->finish, 'the auto daemon exits with 0 on SIGTERM');
note("auto daemon:\n$$daemon_log");
is(suggestion_row($node, $db, $s_drop), 'pending|', 'auto mode leaves a pending drop alone');
is( $node->safe_psql($db,
		"SELECT count(*) FROM pg_class WHERE relname = 'products_by_name'"),
	'1', 'the index of the pending drop still exists');

$node->stop;
done_testing();
