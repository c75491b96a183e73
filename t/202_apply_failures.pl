# Failed concurrent builds: a lock_timeout before the build starts, a
# lock_timeout that leaves an INVALID index (dropped at once), and an
# advisor killed with SIGKILL mid-build (the next start drops the leftover).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use ApplyCase;

my $node = apply_node('apply_failures');
my $db = 'blog';
blog_database($node, $db, 20000);
# verify.after is long, so no verification runs in this test.
my $config = apply_config($node, $db, 'verify.after' => '1h');

# --- a table locked in SHARE UPDATE EXCLUSIVE mode ---------------------------

my $s_locked = add_suggestion(
	$node, $db, $db,
	table => 'public.products',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_products_category_id" ON "public"."products" ("category_id");');
my $s_free = add_suggestion(
	$node, $db, $db,
	table => 'public.blog_posts',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_created_at" ON "public"."blog_posts" ("created_at" DESC);');

my $locker = $node->background_psql($db);
$locker->query_safe('BEGIN; LOCK TABLE products IN SHARE UPDATE EXCLUSIVE MODE;');

my ($rc, $log) = run_apply($config);
is($rc, 1, 'apply exits with 1 when a build failed');
like(suggestion_row($node, $db, $s_locked),
	qr/^failed\|CREATE INDEX CONCURRENTLY failed after [0-9.]+ s: canceling statement due to lock timeout \(SQLSTATE 55P03\)$/,
	'locked table: suggestion failed with the error');
is(action_rows($node, $db, $s_locked), 'create_index failed', 'failed build is recorded');
like( $node->safe_psql($db,
		"SELECT error FROM scaleup.actions WHERE suggestion_id = $s_locked"),
	qr/lock timeout/, 'action row has the error text');
is(suggestion_row($node, $db, $s_free), 'applied|', 'the next suggestion is applied');
is(scaleup_indexes($node, $db), 'scaleup_blog_posts_created_at valid',
	'no INVALID index remains');
like($log, qr/suggestion $s_locked failed: CREATE INDEX CONCURRENTLY failed/, 'failure is logged');
$locker->query_safe('COMMIT;');

# --- a writer that outlives lock_timeout: the build leaves an INVALID index --

# The build waits for the open transaction after it has created the index
# entry, times out after 1 s and leaves the index INVALID.  The writer
# commits after 3.5 s, so the first DROP attempt times out too and the retry
# after it succeeds.
my $s_waits = add_suggestion(
	$node, $db, $db,
	table => 'public.blog_posts',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_author_id" ON "public"."blog_posts" ("author_id");');
my ($writer_stdout, $writer_stderr) = ('', '');
my $writer = IPC::Run::start [
	'psql', '-X', '-v', 'ON_ERROR_STOP=1', '-h', $node->host, '-p', $node->port,
	'-d', $db, '-c',
	"BEGIN; INSERT INTO blog_posts VALUES (-1, 1, now(), 'writer', 0); SELECT pg_sleep(3.5); COMMIT;"
  ],
  '>', \$writer_stdout, '2>', \$writer_stderr;
$node->poll_query_until($db,
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE 'BEGIN; INSERT INTO blog_posts%' AND wait_event = 'PgSleep'"
) or die 'the writer did not start';

($rc, $log) = run_apply($config);
ok($writer->finish, 'the writer committed') or diag($writer_stderr);

is($rc, 1, 'apply exits with 1 after the timed-out build');
like(suggestion_row($node, $db, $s_waits),
	qr/^failed\|CREATE INDEX CONCURRENTLY failed after [0-9.]+ s: canceling statement due to lock timeout \(SQLSTATE 55P03\)$/,
	'timed-out build: suggestion failed with the error');
like($log, qr/the failed build left INVALID index "public"\."scaleup_blog_posts_author_id"; dropping it/,
	'INVALID leftover is found and logged');
like($log, qr/could not drop index "public"\."scaleup_blog_posts_author_id" \(attempt 1 of 3\), retrying in 1 s/,
	'the DROP that timed out is retried');
is(action_rows($node, $db, $s_waits), "create_index failed\ndrop_invalid_index succeeded",
	'drop of the leftover is recorded');
is(scaleup_indexes($node, $db), 'scaleup_blog_posts_created_at valid',
	'no INVALID index remains after a timed-out build');

# --- hostile names and a stored statement with a second statement ---------------

$node->safe_psql($db, 'CREATE TABLE "Odd ""Table""; DROP" ("Col; x" int)');
my $s_odd = add_suggestion(
	$node, $db, $db,
	table => 'public."Odd ""Table""; DROP"',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_odd" ON "public"."Odd ""Table""; DROP" ("Col; x");');
my $s_injected = add_suggestion(
	$node, $db, $db,
	table => 'public.products',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_products_name" ON "public"."products" ("name"); DROP TABLE products;');
($rc, $log) = run_apply($config);
is($rc, 1, 'apply exits with 1 when a stored statement is rejected');
is(suggestion_row($node, $db, $s_odd), 'applied|', 'index on a table with a hostile name is built');
is( $node->safe_psql($db,
		"SELECT indexdef FROM pg_indexes WHERE indexname = 'scaleup_odd'"),
	'CREATE INDEX scaleup_odd ON public."Odd ""Table""; DROP" USING btree ("Col; x")',
	'the hostile names are quoted');
is( suggestion_row($node, $db, $s_injected),
	'failed|its sql is not one CREATE INDEX statement: the statement is followed by another statement',
	'a second statement in the stored sql is rejected');
is($node->safe_psql($db, "SELECT count(*) FROM pg_class WHERE relname = 'products'"),
	'1', 'the second statement did not run');

# --- the advisor killed with SIGKILL in the middle of a build ---------------

# An open writer transaction makes the build wait after it created the
# INVALID index entry; lock_timeout is long enough for the kill to come first.
my $long_config = apply_config($node, $db, 'verify.after' => '1h',
	'apply.lock_timeout' => '5m');
my $s_killed = add_suggestion(
	$node, $db, $db,
	table => 'public.blog_posts',
	sql => 'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_title" ON "public"."blog_posts" ("title");');
$locker->query_safe("BEGIN; INSERT INTO blog_posts VALUES (-2, 1, now(), 'writer', 0);");

my ($advisor, $advisor_log) = start_apply($long_config, 'apply');
$node->poll_query_until($db,
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%title%' AND wait_event = 'virtualxid'"
) or die 'the build did not start waiting';
$advisor->signal('KILL');
$advisor->finish;
note("killed advisor:\n$$advisor_log");

# client_connection_check_interval makes the server cancel the orphaned build.
ok( $node->poll_query_until($db,
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%title%'"),
	'the server ends the build of the killed advisor');
is( scaleup_indexes($node, $db),
	"scaleup_blog_posts_created_at valid\nscaleup_blog_posts_title invalid\nscaleup_odd valid",
	'the killed build left an INVALID index');
is(action_rows($node, $db, $s_killed), 'create_index running',
	'the killed build left its action running');
$locker->query_safe('COMMIT;');

($rc, $log) = run_apply($config);
is($rc, 0, 'the next apply exits with 0');
like($log, qr/found INVALID index "public"\."scaleup_blog_posts_title" on blog_posts left by a failed or interrupted build; dropping it/,
	'the next start finds and logs the leftover');
like($log, qr/action \d+ \(create_index of suggestion $s_killed, target "blog"\) was interrupted; marked failed/,
	'the interrupted action is closed and logged');
is(action_rows($node, $db, $s_killed), "create_index failed\ncreate_index succeeded",
	'the interrupted build is failed, then the suggestion is built again');
is( $node->safe_psql($db,
		"SELECT count(*) FROM scaleup.actions WHERE action = 'drop_invalid_index' AND suggestion_id IS NULL AND outcome = 'succeeded'"),
	'1', 'the clean-up drop is recorded');
is( scaleup_indexes($node, $db),
	"scaleup_blog_posts_created_at valid\nscaleup_blog_posts_title valid\nscaleup_odd valid",
	'no INVALID index remains after the clean-up');
is(suggestion_row($node, $db, $s_killed), 'applied|', 'the suggestion is applied after the clean-up');

$locker->quit;
$node->stop;
done_testing();
