# Queries whose constants PREPARE cannot type once they are replaced by $n
# (interval '1 day', make_interval(days => :d - 1)) are planned again with
# their sampled values in place, so they get their index like any other.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;

use AdvisorCase;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = advisor_node('replan_literals');

case_database(
	$node, 'shop', q{
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, total numeric,
                     created_at timestamptz);
INSERT INTO orders
SELECT g, g % 3000, g % 500, now() - g * interval '1 minute'
  FROM generate_series(1, 200000) g;
});

run_pgbench($node, 'shop', 'recent_literal',
	"SELECT count(*) FROM orders WHERE created_at > now() - interval '1 day';\n", 20);
run_pgbench($node, 'shop', 'recent_computed',
	"\\set d random(2, 3)\n"
	  . "SELECT sum(total) FROM orders WHERE created_at > now() - make_interval(days => :d - 1);\n",
	20);

my $config = advisor_config($node, 'shop');
my ($s, $stderr) = advisor_json($config);

unlike($stderr, qr/could not be re-planned/, 'every query is planned again');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_orders_created_at" ON "public"."orders" ("created_at");'
	],
	'one index on created_at serves both queries');
my ($index) = grep { $_->{kind} eq 'create_index' } @$s;
is($index->{verified_by_planner}, 1, 'the planner checked it');
is(scalar @{ $index->{evidence} // [] }, 2, 'both queries are its evidence');
ok((!grep { !defined $_->{estimated_mean_ms} } @{ $index->{evidence} // [] }),
	'both queries have a planner estimate');

$node->stop;
done_testing();
