# Two apply processes at once build each index once; the apply window and
# --now; a streaming standby rejects apply and nothing changes.
use strict;
use warnings;

use POSIX qw(strftime);
use Time::HiRes;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use ApplyCase;

my $node = apply_node('apply_lock', allows_streaming => 1);
my $db = 'blog';
blog_database($node, $db, 20000);
my $config = apply_config($node, $db, 'verify.after' => '1h',
	'apply.lock_timeout' => '5m');

# --- two apply processes at once ----------------------------------------------

my $s_first = add_suggestion(
	$node, $db, $db,
	table => 'public.blog_posts',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_created_at" ON "public"."blog_posts" ("created_at" DESC);');

# An open writer transaction keeps the first build waiting, so the second
# process starts while the first holds the apply lock.
my $writer = $node->background_psql($db);
$writer->query_safe("BEGIN; INSERT INTO blog_posts VALUES (-1, 1, now(), 'writer', 0);");

my ($first, $first_log) = start_apply($config, 'apply');
$node->poll_query_until($db,
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event = 'virtualxid'"
) or die 'the first build did not start';
my ($second, $second_log) = start_apply($config, 'apply');
my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
while ($$second_log !~ /waiting for it/ && time() < $deadline)
{
	$second->pump_nb;
	Time::HiRes::usleep(100_000);
}
like($$second_log, qr/waiting for it/, 'the second apply waits for the advisory lock');
# Give the waiting process a few polls while the first build still waits.
sleep 2;
$writer->query_safe('COMMIT;');

ok($first->finish, 'first apply exits with 0') or diag($$first_log);
ok($second->finish, 'second apply exits with 0') or diag($$second_log);
note("first apply:\n$$first_log\nsecond apply:\n$$second_log");
like($$first_log, qr/suggestion $s_first applied/, 'first apply builds the index');
like($$second_log, qr/another session \(pid \d+\) holds the apply lock 8314596455242625025 on this database; waiting for it/,
	'second apply says it waits for the lock');
unlike($$second_log, qr/building index/, 'second apply builds nothing');
is( $node->safe_psql($db,
		"SELECT count(*) FROM scaleup.actions WHERE action = 'create_index'"),
	'1', 'exactly one build is recorded');
is(scaleup_indexes($node, $db), 'scaleup_blog_posts_created_at valid', 'the index is valid');
$writer->quit;

# --- the apply window -----------------------------------------------------------

# A one-minute window twelve hours from now.
my $start = time() + 12 * 3600;
my $window = strftime('%H:%M', gmtime($start)) . '-' . strftime('%H:%M', gmtime($start + 60));
my $closed_config = apply_config($node, $db, 'verify.after' => '1h',
	'apply.window' => "\"$window\"");
my $s_window = add_suggestion(
	$node, $db, $db,
	table => 'public.products',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_products_category_id" ON "public"."products" ("category_id");');

my ($rc, $log) = run_apply($closed_config);
is($rc, 1, 'apply outside the window exits with 1');
like($log, qr/the current time is outside the apply window $window \(UTC\); nothing was applied; use --now to apply anyway/,
	'apply outside the window says how to override it');
is(suggestion_row($node, $db, $s_window), 'approved|', 'nothing applied outside the window');

($rc, $log) = run_apply($closed_config, '--now', $s_window);
is($rc, 0, 'apply --now exits with 0');
is(suggestion_row($node, $db, $s_window), 'applied|', '--now applies outside the window');

# --- a streaming standby --------------------------------------------------------

my $s_replica = add_suggestion(
	$node, $db, $db,
	table => 'public.post_views',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_post_views_post_id" ON "public"."post_views" ("post_id");');
$node->backup('standby_backup');
my $standby = PostgreSQL::Test::Cluster->new('apply_standby');
$standby->init_from_backup($node, 'standby_backup', has_streaming => 1);
$standby->start;
$node->wait_for_catchup($standby);

my $actions_before = $node->safe_psql($db, 'SELECT count(*) FROM scaleup.actions');
my $standby_config = apply_config($standby, $db, name => 'blog');
($rc, $log) = run_apply($standby_config, '--now');
is($rc, 1, 'apply on a standby exits with 1');
like($log, qr/ERROR \[blog\] cannot apply suggestions on a standby server: pg_is_in_recovery\(\) is true; point the target at the primary/,
	'apply on a standby says why');
is(suggestion_row($node, $db, $s_replica), 'approved|', 'standby: suggestion unchanged');
is($node->safe_psql($db, 'SELECT count(*) FROM scaleup.actions'),
	$actions_before, 'standby: no action recorded');
is( $node->safe_psql($db,
		"SELECT count(*) FROM pg_class WHERE relname = 'scaleup_post_views_post_id'"),
	'0', 'standby: no index built');

# A target configured as a replica is rejected by the configuration check.
my $replica_config = apply_config($standby, $db, name => 'blog', role => 'replica');
($rc, $log) = run_apply($replica_config);
is($rc, 1, 'apply on a target with role replica exits with 1');
like($log, qr/cannot apply suggestions: the target is configured with role "replica"/,
	'apply on a replica target says why');

$standby->stop;
$node->stop;
done_testing();
