# Identifiers that are SQL: a table named "Blog Posts; DROP TABLE keep; --"
# in schema "My App" with a column "Created At".  The migration that
# analyze --format sql prints runs in psql unchanged, creates the index and
# does nothing else.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;

use AdvisorCase;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = advisor_node('advisor_hostile', port => 55121);

case_database(
	$node, 'hostile', q{
CREATE SCHEMA "My App";
CREATE TABLE "My App"."Blog Posts; DROP TABLE keep; --" (
    id bigint PRIMARY KEY, "Created At" timestamptz, title text);
INSERT INTO "My App"."Blog Posts; DROP TABLE keep; --"
SELECT g, '2026-01-01'::timestamptz - g * interval '1 minute', 'title ' || g
  FROM generate_series(1, 200000) g;
CREATE TABLE keep (x int);
INSERT INTO keep VALUES (1);
});
run_pgbench($node, 'hostile', 'hostile_latest',
	qq{SELECT title FROM "My App"."Blog Posts; DROP TABLE keep; --" ORDER BY "Created At" DESC LIMIT 10;\n},
	10);

my $relations_sql = q{
SELECT string_agg(c.relname, ' | ' ORDER BY c.relname COLLATE "C")
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname IN ('public', 'My App')};
my $before = $node->safe_psql('hostile', $relations_sql);

my $config = advisor_config($node, 'hostile');
my $migration = $node->basedir . '/migration.sql';
my ($rc, $stdout, $stderr) =
  run_advisor($config, 'analyze', '--format', 'sql', '--no-store', '--output', $migration);
is($rc, 0, 'analyze --format sql exits with 0') or diag($stderr);
my $sql = slurp_file($migration);
note($sql);

my $expected_ddl =
  q{CREATE INDEX CONCURRENTLY "scaleup_blog_posts_drop_table_keep_created_at" ON "My App"."Blog Posts; DROP TABLE keep; --" ("Created At" DESC);};
my @statements = grep { !/^--/ && /\S/ } split /\n/, $sql;
is_deeply(\@statements, [$expected_ddl], 'the migration has one statement, every identifier quoted');
like($sql, qr/^-- 1\. create_index on "My App"\."Blog Posts; DROP TABLE keep; --": /m,
	'a comment above the statement gives its rationale');

# The JSON names the table with the same quoting.
my ($s) = advisor_json($config, '--no-store');
is_deeply([ map { $_->{table} } @$s ], ['"My App"."Blog Posts; DROP TABLE keep; --"'],
	'the JSON names the quoted table');

# Run the file exactly as printed.
my ($psql_rc, $psql_out, $psql_err) = ('', '', '');
$psql_rc = $node->psql('hostile', undef, extra_params => [ '-v', 'ON_ERROR_STOP=1', '-f', $migration ],
	stdout => \$psql_out, stderr => \$psql_err);
is($psql_rc, 0, 'psql runs the migration unchanged') or diag($psql_err);

is($node->safe_psql('hostile', 'SELECT x FROM keep'), '1', 'table keep is untouched');
my $after = $node->safe_psql('hostile', $relations_sql);
is($after,
	join(' | ', sort { $a cmp $b } (split(/ \| /, $before), 'scaleup_blog_posts_drop_table_keep_created_at')),
	'the only new relation is the index');
is( $node->safe_psql(
		'hostile',
		q{SELECT pg_get_indexdef('"My App".scaleup_blog_posts_drop_table_keep_created_at'::regclass)}),
	q{CREATE INDEX scaleup_blog_posts_drop_table_keep_created_at ON "My App"."Blog Posts; DROP TABLE keep; --" USING btree ("Created At" DESC)},
	'the index is on "Created At" DESC of the hostile table');

# Once the index exists, nothing is suggested.
($s) = advisor_json($config, '--no-store');
is_deeply($s, [], 'once the index exists, nothing is suggested');

$node->stop;
done_testing();
