# The advisor works with the least privileges the README documents: an
# analyzing role, a reviewing role, and table-owner membership to apply.
# Roles without those grants can neither read suggestions nor approve them.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;

use AdvisorCase;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = advisor_node('least_privilege');

$node->safe_psql('postgres', q{
CREATE ROLE app_owner LOGIN;
CREATE ROLE scaleup_advisor LOGIN;
CREATE ROLE reviewer LOGIN;
CREATE ROLE intruder LOGIN;
});

case_database(
	$node, 'shop', q{
CREATE TABLE blog_posts (id bigint PRIMARY KEY, title text, created_at timestamptz);
INSERT INTO blog_posts
SELECT g, 'title ' || g, '2026-01-01'::timestamptz - g * interval '1 minute'
  FROM generate_series(1, 200000) g;
ALTER TABLE blog_posts OWNER TO app_owner;
GRANT CREATE ON SCHEMA public TO app_owner;
});

# The grants of the README, word for word.
$node->safe_psql('shop', q{
GRANT pg_read_all_stats, pg_read_all_data TO scaleup_advisor;
GRANT SELECT, INSERT, UPDATE ON scaleup.suggestions, scaleup.actions TO scaleup_advisor;
GRANT USAGE ON SEQUENCE scaleup.suggestions_id_seq, scaleup.actions_id_seq TO scaleup_advisor;
GRANT EXECUTE ON FUNCTION scaleup.approve(bigint), scaleup.reject(bigint, text) TO scaleup_advisor;

GRANT SELECT ON scaleup.suggestions, scaleup.actions TO reviewer;
GRANT EXECUTE ON FUNCTION scaleup.approve(bigint), scaleup.reject(bigint, text) TO reviewer;
});

run_pgbench($node, 'shop', 'homepage',
	"SELECT * FROM blog_posts ORDER BY created_at DESC LIMIT 10;\n",
	20, '-U', 'app_owner');

# Analyze as the advisor role.
my $config = advisor_config($node, 'shop');
my $text = slurp_file($config);
$text =~ s/dbname=shop/dbname=shop user=scaleup_advisor/;
unlink $config;
append_to_file($config, $text);

my ($s, $stderr) = advisor_json($config);
my ($rc, $out, $err);
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_created_at" ON "public"."blog_posts" ("created_at" DESC);'
	],
	'the advisor role gets the homepage index');
my ($index) = grep { $_->{kind} eq 'create_index' } @$s;
is($index->{verified_by_planner}, 1, 'checked by the planner as the advisor role');
is($index->{status}, 'pending', 'stored as pending');
my $id = $index->{id} // 0;

unlike($stderr, qr/pg_read_all_stats/, 'no visibility warning for the advisor role');

# A role outside pg_read_all_stats is warned that others' queries are hidden.
my $reviewer_config = $config =~ s/\.yaml$/-reviewer.yaml/r;
my $reviewer_text = $text =~ s/user=scaleup_advisor/user=reviewer/r;
append_to_file($reviewer_config, $reviewer_text);
($rc, $out, $err) = run_advisor($reviewer_config, 'analyze', '--no-store');
like($err,
	qr/role "reviewer" is not a member of pg_read_all_stats, so the queries of other roles are hidden from the analysis/,
	'a role without pg_read_all_stats is warned');

# A role without grants can read neither the suggestions nor approve them,
# and sees no parameter samples.
($rc, $out, $err) = $node->psql('shop', 'SELECT count(*) FROM scaleup.suggestions',
	extra_params => [ '-U', 'intruder' ]);
like($err, qr/permission denied for table suggestions/, 'intruder cannot read suggestions');
($rc, $out, $err) = $node->psql('shop', "SELECT scaleup.approve($id)",
	extra_params => [ '-U', 'intruder' ]);
like($err, qr/permission denied for function approve/, 'intruder cannot approve');
is( $node->safe_psql(
		'shop',
		'SELECT count(*) FROM scaleup.queries WHERE parameters IS NOT NULL',
		extra_params => [ '-U', 'intruder' ]),
	'0',
	'intruder sees no parameter samples');

# The reviewer approves through the function, without write access.
is( $node->safe_psql(
		'shop', "SELECT status FROM scaleup.approve($id)",
		extra_params => [ '-U', 'reviewer' ]),
	'approved',
	'reviewer approves');
($rc, $out, $err) = $node->psql('shop',
	"UPDATE scaleup.suggestions SET status = 'applied' WHERE id = $id",
	extra_params => [ '-U', 'reviewer' ]);
like($err, qr/permission denied for table suggestions/,
	'reviewer cannot write the table directly');

# Applying needs the table owner's role, which (as for any CREATE INDEX)
# needs CREATE on the table's schema.
($rc, $out, $err) = run_advisor($config, 'apply', '--now');
is($rc, 1, 'apply without owner membership fails');
is($node->safe_psql('shop', "SELECT status FROM scaleup.suggestions WHERE id = $id"),
	'failed', 'the suggestion is marked failed');
like($node->safe_psql('shop', "SELECT status_reason FROM scaleup.suggestions WHERE id = $id"),
	qr/must be owner of table blog_posts/, 'the reason names the missing ownership');
is($node->safe_psql('shop',
	"SELECT count(*) FROM pg_class WHERE relname LIKE 'scaleup\\_%' AND relkind = 'i'"),
	'0', 'no index was left behind');

$node->safe_psql('shop', 'GRANT app_owner TO scaleup_advisor');
$node->safe_psql('shop', "SELECT scaleup.approve($id)");
($rc, $out, $err) = run_advisor($config, 'apply', '--now', $id);
is($rc, 0, 'apply with owner membership succeeds') or diag($err);
is( $node->safe_psql(
		'shop',
		"SELECT indisvalid FROM pg_index WHERE indexrelid = 'scaleup_blog_posts_created_at'::regclass"
	),
	't',
	'the index is valid');
is($node->safe_psql('shop', "SELECT status FROM scaleup.suggestions WHERE id = $id"),
	'applied', 'the suggestion is applied');

$node->stop;
done_testing();
