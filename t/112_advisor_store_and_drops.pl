# analyze stores its suggestions in scaleup.suggestions: found again, a
# suggestion updates its row; rejected, it stays rejected and is not
# proposed again.  Drop suggestions: a duplicate index, and an index never
# scanned on a busy table; never the primary key or a unique constraint.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;

use AdvisorCase;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = advisor_node('advisor_store', port => 55122);

case_database(
	$node, 'store', q{
CREATE TABLE blog_posts (id bigint PRIMARY KEY, title text, created_at timestamptz);
INSERT INTO blog_posts
SELECT g, 'title ' || g, '2026-01-01'::timestamptz - g * interval '1 minute'
  FROM generate_series(1, 200000) g;
CREATE TABLE accounts (id bigserial PRIMARY KEY, email text UNIQUE, balance int, note text);
INSERT INTO accounts (email, balance, note)
SELECT 'a' || g || '@example.com', g % 1000, 'n' || g FROM generate_series(1, 20000) g;
CREATE INDEX accounts_note_idx ON accounts (note);
CREATE INDEX accounts_balance_idx ON accounts (balance);
CREATE INDEX accounts_balance_idx1 ON accounts (balance);
});

# Writes make accounts busy; the primary key, the unique email index and
# accounts_note_idx are never scanned.
run_pgbench($node, 'store', 'store_workload',
	"SELECT id, title FROM blog_posts ORDER BY created_at DESC LIMIT 10;\n"
	  . "INSERT INTO accounts (email, balance, note) SELECT 'x' || random(), 1, 'y' FROM generate_series(1, 100);\n",
	10);

# The cluster's statistics are seconds old, so an index counts as unused
# after one second here, and the statistics must be that old first.
sleep(2);
my $config = advisor_config($node, 'store',
	'thresholds.busy_table_writes' => '500',
	'thresholds.unused_index_age' => '1s');

my ($s) = advisor_json($config);
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_created_at" ON "public"."blog_posts" ("created_at" DESC);'
	],
	'the index for the homepage query');
my $drops = suggestion_sqls($s, 'drop_index');
is_deeply(
	$drops,
	[
		'DROP INDEX CONCURRENTLY "public"."accounts_balance_idx1";',
		'DROP INDEX CONCURRENTLY "public"."accounts_note_idx";'
	],
	'the duplicate and the unused index, nothing else');
ok(!(grep { /accounts_pkey|accounts_email_key|blog_posts_pkey|"accounts_balance_idx"/ } @$drops),
	'never the primary key, the unique index or the kept duplicate');

my %first = map { $_->{sql} => $_ } @$s;
ok((!grep { !defined $_->{id} } @$s), 'every stored suggestion has an id');
is((grep { $_->{status} eq 'pending' } @$s), scalar @$s, 'every suggestion is pending');
my $rows = $node->safe_psql('store', 'SELECT count(*) FROM scaleup.suggestions');
is($rows, scalar @$s, 'one row per suggestion');

# The same suggestions again: same ids, no new rows.
($s) = advisor_json($config);
is_deeply(
	[ sort map { "$_->{id} $_->{sql}" } @$s ],
	[ sort map { "$_->{id} $_->{sql}" } values %first ],
	'found again, each suggestion keeps its id');
is($node->safe_psql('store', 'SELECT count(*) FROM scaleup.suggestions'),
	$rows, 'and no row is added');

# Rejected: not proposed again, and the row keeps its status.
my $create = $first{
	'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_created_at" ON "public"."blog_posts" ("created_at" DESC);'
};
$node->safe_psql('store', "SELECT scaleup.reject($create->{id}, 'not now')");
($s) = advisor_json($config);
is_deeply(suggestion_sqls($s, 'create_index'), [], 'a rejected suggestion is not proposed again');
is( $node->safe_psql(
		'store', "SELECT status || ' ' || status_reason FROM scaleup.suggestions WHERE id = $create->{id}"),
	'rejected not now',
	'the rejected row keeps its status and reason');
is($node->safe_psql('store', 'SELECT count(*) FROM scaleup.suggestions'),
	$rows, 'still no row added');

# --no-store leaves the table alone.
$node->safe_psql('store', 'DELETE FROM scaleup.suggestions WHERE status = \'pending\'');
advisor_json($config, '--no-store');
is($node->safe_psql('store', 'SELECT count(*) FROM scaleup.suggestions'),
	'1', '--no-store writes nothing');

# The text report ranks them; the SQL file comments each statement.
my ($rc, $text) = run_advisor($config, 'analyze', '--no-store');
is($rc, 0, 'analyze text exits with 0');
like($text, qr/^Suggestions for target store: \d+\n/, 'the text report starts with the count');
like($text, qr/^   1  drop_index    public\.accounts\n/m, 'the text report ranks the suggestions');
my $sql;
($rc, $sql) = run_advisor($config, 'analyze', '--format', 'sql', '--no-store');
like($sql,
	qr/^-- \d+\. drop_index on public\.accounts: Index accounts_balance_idx1 has the same columns, options and predicate as accounts_balance_idx, so it only adds write cost\.\n--    .*\nDROP INDEX CONCURRENTLY "public"\."accounts_balance_idx1";$/m,
	'the SQL file has the drop with its rationale above it');

# The what-if session cleaned up after itself.
is( $node->safe_psql(
		'store', q{SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'scaleup-advisor%'}),
	'0',
	'no advisor session is left behind');

$node->stop;
done_testing();
