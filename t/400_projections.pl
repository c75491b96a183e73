# scaleup-advisor analyze for result sets: trim_projection for a query that
# fetches a 6 kB body it could leave out, add_limit for a query that returns
# thousands of rows, nothing for a narrow table.  Every suggested rewrite
# must plan with EXPLAIN, and approving one lets review compare the bytes
# per call of the rewritten query with the measurement at approval.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;

use AdvisorCase;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = advisor_node('projections', port => 55601);

# Every row returns 4 (id) + 11 (title) + 6,000 (body, stored compressed) +
# 8 (created_at) + 1 (published) = 6,024 bytes.
case_database(
	$node, 'blog', q{
CREATE TABLE blog_posts (id int PRIMARY KEY, title text, body text,
                         created_at timestamptz, published boolean);
INSERT INTO blog_posts
SELECT g, 'title ' || lpad(g::text, 5, '0'),
       repeat(md5(g::text), 6000 / 32) || repeat('z', 6000 % 32),
       timestamptz '2026-01-01' - g * interval '1 minute', g % 2 = 0
  FROM generate_series(1, 4000) g;
CREATE TABLE flags (id int PRIMARY KEY, flag boolean);
INSERT INTO flags SELECT g, g % 3 = 0 FROM generate_series(1, 20000) g;
});
is($node->safe_psql('blog',
		'SELECT count(*) FROM blog_posts WHERE length(body) = 6000 AND pg_column_size(body) < 6000'),
	'4000', 'every body is 6,000 bytes, stored compressed');

run_pgbench($node, 'blog', 'homepage',
	"SELECT * FROM blog_posts ORDER BY created_at DESC LIMIT 10;\n", 50);
run_pgbench($node, 'blog', 'published', "SELECT * FROM blog_posts WHERE published;\n", 5);
run_pgbench($node, 'blog', 'flags',
	"SELECT * FROM flags WHERE id <= 50;\nSELECT * FROM flags ORDER BY id LIMIT 500;\n", 10);

# The query identifiers of the workload, by normalized text.
sub queryid_of
{
	my ($text) = @_;
	return $node->safe_psql('blog',
		"SELECT queryid FROM scaleup.queries WHERE query = '$text' AND calls > 0");
}
my $homepage_id = queryid_of('SELECT * FROM blog_posts ORDER BY created_at DESC LIMIT $1');
my $published_id = queryid_of('SELECT * FROM blog_posts WHERE published');
isnt($homepage_id, '', 'the homepage query is counted');
isnt($published_id, '', 'the published query is counted');

# The suggestion of kind $kind whose evidence is about query $queryid.
sub find_suggestion
{
	my ($suggestions, $kind, $queryid) = @_;
	my @found = grep {
		$_->{kind} eq $kind
		  && $_->{evidence}[0]{queryid} eq $queryid
	} @$suggestions;
	return $found[0];
}

my $config = advisor_config(
	$node, 'blog',
	'thresholds.min_table_rows' => '1000',
	'thresholds.min_gain_per_hour' => '0s');
my ($s) = advisor_json($config, '--no-store');

# trim_projection for the homepage: body leaves, bytes per call drop > 90 %.
my $trim = find_suggestion($s, 'trim_projection', $homepage_id);
ok(defined $trim, 'the homepage query gets a trim_projection');
is($trim->{sql},
	'SELECT id, title, created_at, published FROM blog_posts ORDER BY created_at DESC LIMIT $1',
	'the rewrite lists every column but body, in column order');
unlike($trim->{sql}, qr/body/, 'the rewrite leaves body out');
is($trim->{table}, 'public.blog_posts', 'trim_projection names the table');
is($trim->{evidence}[0]{bytes_per_call} + 0, 60240, '10 rows of 6,024 bytes per call');
is($trim->{evidence}[0]{estimated_bytes_per_call} + 0, 240, '10 rows of 24 bytes after');
ok($trim->{evidence}[0]{estimated_bytes_per_call} < 0.1 * $trim->{evidence}[0]{bytes_per_call},
	'bytes per call drop by more than 90 %');
is($trim->{evidence}[0]{column_bytes}{body}{bytes_per_call} + 0, 60000,
	'body costs 60,000 bytes per call');
like($trim->{rationale}, qr/body makes 99\.6 % of its 58\.8 kB per call/,
	'the rationale names the wide column and its share');
is($trim->{evidence}[0]{rows_per_call} + 0, 10, 'trim_projection: 10 rows per call');

# add_limit for the query that returns 2,000 rows per call.
my $limit = find_suggestion($s, 'add_limit', $published_id);
ok(defined $limit, 'the published query gets an add_limit');
is($limit->{sql}, 'SELECT * FROM blog_posts WHERE published LIMIT 100',
	'add_limit appends LIMIT 100');
is($limit->{evidence}[0]{rows_per_call} + 0, 2000, 'add_limit: 2,000 rows per call');
is($limit->{evidence}[0]{estimated_bytes_per_call} + 0, 602400, 'a page of 100 rows is 602,400 bytes');
my $published_trim = find_suggestion($s, 'trim_projection', $published_id);
is($published_trim->{sql},
	'SELECT id, title, created_at, published FROM blog_posts WHERE published',
	'the published query also gets a trim_projection');

# The narrow table gets neither.
is(scalar(grep { $_->{table} eq 'public.flags' } @$s), 0, 'no suggestion for the narrow table');
is(scalar(grep { $_->{kind} eq 'trim_projection' || $_->{kind} eq 'add_limit' } @$s),
	3, 'three result-set suggestions in all');

# An index on created_at DESC serves the homepage; with the trimmed list,
# its INCLUDE variant gives an index-only scan, in both suggestions' evidence.
my $include =
  'CREATE INDEX CONCURRENTLY ON "public"."blog_posts" ("created_at" DESC) INCLUDE ("id", "title", "published");';
my ($index) = grep { $_->{kind} eq 'create_index' } @$s;
ok(defined $index, 'an index suggestion for the homepage query');
is($trim->{evidence}[0]{include_variant}, $include, 'trim_projection names the INCLUDE variant');
my ($index_evidence) = grep { $_->{queryid} eq $homepage_id } @{ $index->{evidence} // [] };
is($index_evidence->{include_variant}, $include, 'create_index names the INCLUDE variant');
$node->safe_psql('blog', "BEGIN; " . ($include =~ s/ CONCURRENTLY//r) . " ROLLBACK;");

# Every rewrite plans, with the parameter sample of its query.
for my $suggestion (grep { $_->{kind} eq 'trim_projection' || $_->{kind} eq 'add_limit' } @$s)
{
	my $queryid = $suggestion->{evidence}[0]{queryid};
	my $parameters = $node->safe_psql('blog',
		"SELECT array_to_string(parameters, ', ') FROM scaleup.queries WHERE queryid = $queryid AND calls > 0"
	);
	my $execute = $parameters eq '' ? 'EXECUTE s' : "EXECUTE s($parameters)";
	my ($rc, $plan, $stderr) = $node->psql('blog',
		"PREPARE s AS $suggestion->{sql};\nEXPLAIN $execute;");
	is($rc, 0, "EXPLAIN plans the rewrite: $suggestion->{sql}") or diag($stderr);
	like($plan, qr/Scan on blog_posts/, "the plan reads blog_posts: $suggestion->{sql}");
}

# Text output: a section of its own.
my ($rc, $text) = run_advisor($config, 'analyze', '--no-store');
is($rc, 0, 'text analyze exits with 0');
like($text, qr/^Projections and result sets: 3$/m, 'the text output has the section heading');
like($text, qr/^        column body: 58\.6 kB per call, /m, 'the text output lists column costs');

# Store, approve the homepage trim, reject the add_limit.
($s) = advisor_json($config);
$trim = find_suggestion($s, 'trim_projection', $homepage_id);
$limit = find_suggestion($s, 'add_limit', $published_id);
my $stdout;
($rc, $stdout) = run_advisor($config, 'approve', $trim->{id});
is($stdout, "suggestion $trim->{id}: approved\n", 'approve a trim_projection');
($rc, $stdout) = run_advisor($config, 'reject', $limit->{id}, '--reason', 'pages are cached');
is($stdout, "suggestion $limit->{id}: rejected\n", 'reject an add_limit');
is($node->safe_psql('blog',
		"SELECT approved_bytes_per_call FROM scaleup.suggestions WHERE id = $trim->{id}"),
	'60240', 'approval records the bytes per call');

($rc, $stdout) = run_advisor($config, 'review');
like($stdout, qr/bytes per call: 58\.8 kB when approved; the rewritten query has not run yet/,
	'review: the rewritten query has not run yet');

# The application takes up the rewrite.
run_pgbench($node, 'blog', 'homepage_trimmed',
	"SELECT id, title, created_at, published FROM blog_posts ORDER BY created_at DESC LIMIT 10;\n", 5);
($rc, $stdout) = run_advisor($config, 'review');
like($stdout,
	qr/bytes per call: 58\.8 kB when approved, 240 bytes in 5 calls of the rewritten query \(dropped\)/,
	'review: bytes per call dropped after approval');

# A rejected suggestion stays out.
($s) = advisor_json($config);
ok(!defined find_suggestion($s, 'add_limit', $published_id), 'the rejected add_limit stays out');

$node->stop;
done_testing();
