# scaleup-advisor analyze against real workloads: which indexes it suggests
# for the usual shapes of queries, and which it does not.  One cluster, one
# database per case, pgbench drives each workload.

use strict;
use warnings;

use FindBin;
use lib $FindBin::Bin;

use AdvisorCase;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = advisor_node('advisor_cases', port => 55120);

my $posts_sql = q{
CREATE TABLE blog_posts (id bigint PRIMARY KEY, author_id int, title text,
                         body text, published boolean, created_at timestamptz);
INSERT INTO blog_posts
SELECT g, g % 2000, 'title ' || g, repeat('x', 100), g % 2 = 0,
       '2026-01-01'::timestamptz - g * interval '1 minute'
  FROM generate_series(1, 200000) g;
};

# Case 1: ORDER BY created_at DESC LIMIT 10 on an unindexed table.
case_database($node, 'c1', $posts_sql);
run_pgbench($node, 'c1', 'c1_latest',
	"SELECT id, title FROM blog_posts ORDER BY created_at DESC LIMIT 10;\n", 10);
my ($s) = advisor_json(advisor_config($node, 'c1'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_created_at" ON "public"."blog_posts" ("created_at" DESC);'
	],
	'case 1: an index on created_at DESC');
is($s->[0]{verified_by_planner}, JSON::PP::true, 'case 1: verified by the planner');
is($s->[0]{evidence}[0]{calls}, 10, 'case 1: evidence counts the 10 calls');
ok($s->[0]{evidence}[0]{estimated_mean_ms} < $s->[0]{evidence}[0]{mean_ms},
	'case 1: the estimated mean time is lower than the measured one');

# Case 2: equality on author_id, then ORDER BY created_at DESC LIMIT 5.
case_database($node, 'c2', $posts_sql);
run_pgbench($node, 'c2', 'c2_author',
	"\\set a random(1, 1999)\n"
	  . "SELECT id, title FROM blog_posts WHERE author_id = :a ORDER BY created_at DESC LIMIT 5;\n",
	10);
($s) = advisor_json(advisor_config($node, 'c2'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_author_id_created_at" ON "public"."blog_posts" ("author_id", "created_at" DESC);'
	],
	'case 2: (author_id, created_at DESC)');

# Case 3: a = $1 and a = $1 AND b = $2 share one (a, b) index, although b is
# the more selective column.
case_database(
	$node, 'c3', q{
CREATE TABLE t3 (id bigint PRIMARY KEY, a int, b int, pad text);
INSERT INTO t3 SELECT g, g % 1000, g % 5000, repeat('p', 50)
  FROM generate_series(1, 200000) g;
});
run_pgbench($node, 'c3', 'c3_ab',
	"\\set a random(0, 999)\n\\set b random(0, 4999)\n"
	  . "SELECT count(*) FROM t3 WHERE a = :a;\n"
	  . "SELECT count(*) FROM t3 WHERE a = :a AND b = :b;\n",
	10);
($s) = advisor_json(advisor_config($node, 'c3'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	['CREATE INDEX CONCURRENTLY "scaleup_t3_a_b" ON "public"."t3" ("a", "b");'],
	'case 3: one (a, b) index for both queries');
is(scalar @{ $s->[0]{evidence} // [] }, 2, 'case 3: the index helps both queries');

# Case 4: equality on a high-cardinality column and a range on another, in
# either order in the text: the equality column leads.
case_database(
	$node, 'c4', q{
CREATE TABLE events (id bigint PRIMARY KEY, account_id int, ts bigint, payload text);
INSERT INTO events SELECT g, g % 20000, g, repeat('e', 50)
  FROM generate_series(1, 200000) g;
});
run_pgbench($node, 'c4', 'c4_range',
	"\\set a random(0, 19999)\n\\set t random(1, 100000)\n"
	  . "SELECT count(*) FROM events WHERE ts >= :t AND account_id = :a;\n"
	  . "SELECT count(*) FROM events WHERE account_id = :a AND ts BETWEEN :t AND :t + 50000;\n",
	10);
($s) = advisor_json(advisor_config($node, 'c4'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_events_account_id_ts" ON "public"."events" ("account_id", "ts");'
	],
	'case 4: the equality column first, then the range column');

# Case 5: a boolean true for half the rows gets no index; a selective filter
# on the same table does.
case_database($node, 'c5', $posts_sql);
run_pgbench($node, 'c5', 'c5_bool',
	"\\set a random(1, 1999)\n"
	  . "SELECT count(*) FROM blog_posts WHERE published;\n"
	  . "SELECT count(*) FROM blog_posts WHERE NOT published;\n"
	  . "SELECT count(*) FROM blog_posts WHERE author_id = :a;\n",
	10);
($s) = advisor_json(advisor_config($node, 'c5'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_author_id" ON "public"."blog_posts" ("author_id");'
	],
	'case 5: no index on the half-true boolean, one on author_id');

# Case 6: a 200-row table gets nothing, the same query on a large one does.
case_database(
	$node, 'c6', q{
CREATE TABLE small (id int, code int, label text);
INSERT INTO small SELECT g, g, 'l' || g FROM generate_series(1, 200) g;
CREATE TABLE large (id int, code int, label text);
INSERT INTO large SELECT g, g, 'l' || g FROM generate_series(1, 200000) g;
});
run_pgbench($node, 'c6', 'c6_small',
	"\\set c random(1, 200)\n"
	  . "SELECT label FROM small WHERE code = :c;\n"
	  . "SELECT label FROM large WHERE code = :c;\n",
	20);
($s) = advisor_json(advisor_config($node, 'c6'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	['CREATE INDEX CONCURRENTLY "scaleup_large_code" ON "public"."large" ("code");'],
	'case 6: nothing for the 200-row table');

# Case 7: columns that the primary key or an existing index lead get
# nothing; the same filter on a copy without indexes does.
case_database(
	$node, 'c7', qq{
$posts_sql
CREATE INDEX blog_posts_author_id_idx ON blog_posts (author_id);
CREATE TABLE posts_copy AS SELECT * FROM blog_posts;
});
run_pgbench($node, 'c7', 'c7_existing',
	"\\set a random(1, 1999)\n\\set i random(1, 200000)\n"
	  . "SELECT title FROM blog_posts WHERE id = :i;\n"
	  . "SELECT title FROM blog_posts WHERE author_id = :a;\n"
	  . "SELECT title FROM posts_copy WHERE author_id = :a;\n",
	10);
($s) = advisor_json(advisor_config($node, 'c7'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_posts_copy_author_id" ON "public"."posts_copy" ("author_id");'
	],
	'case 7: nothing where the primary key or an index already leads');

# Case 8: orders scanned once per customer in a join.
my $orders_sql = q{
CREATE TABLE customers (id int PRIMARY KEY, code int, name text);
INSERT INTO customers SELECT g, g, 'customer ' || g FROM generate_series(1, 2000) g;
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, total numeric, doc jsonb);
INSERT INTO orders SELECT g, g % 2000 + 1, g % 100, jsonb_build_object('tag', g % 10)
  FROM generate_series(1, 200000) g;
};
case_database($node, 'c8', $orders_sql);
run_pgbench($node, 'c8', 'c8_join',
	"\\set c random(1, 2000)\n"
	  . "SELECT sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.code = :c;\n",
	10);
($s) = advisor_json(advisor_config($node, 'c8'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_orders_customer_id" ON "public"."orders" ("customer_id");'
	],
	'case 8: (customer_id) for the join');

# Case 9: a jsonb containment next to an indexable column.
case_database($node, 'c9', $orders_sql);
run_pgbench($node, 'c9', 'c9_jsonb',
	"\\set c random(1, 2000)\n"
	  . "SELECT count(*) FROM orders WHERE customer_id = :c AND doc \@> '{\"tag\": 3}';\n",
	10);
my $stderr;
($s, $stderr) = advisor_json(advisor_config($node, 'c9'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_orders_customer_id" ON "public"."orders" ("customer_id");'
	],
	'case 9: the indexable column, not the jsonb one');

# Case 10: the extended protocol; the parameter sample re-plans the query.
case_database(
	$node, 'c10', q{
CREATE TABLE items (id bigint PRIMARY KEY, sku int, name text);
INSERT INTO items SELECT g, g % 50000, 'item ' || g FROM generate_series(1, 200000) g;
});
run_pgbench($node, 'c10', 'c10_prepared',
	"\\set s random(0, 49999)\nSELECT name FROM items WHERE sku = :s;\n",
	20, '-M', 'prepared');
my $queryid = $node->safe_psql('c10',
	q{SELECT queryid FROM scaleup.queries WHERE query = 'SELECT name FROM items WHERE sku = $1' AND parameters IS NOT NULL}
);
like($queryid, qr/^-?\d+$/, 'case 10: the query has a parameter sample');
($s) = advisor_json(advisor_config($node, 'c10'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	['CREATE INDEX CONCURRENTLY "scaleup_items_sku" ON "public"."items" ("sku");'],
	'case 10: (sku)');
is($s->[0]{verified_by_planner}, JSON::PP::true, 'case 10: verified by the planner');
is($s->[0]{evidence}[0]{queryid}, $queryid, 'case 10: evidence names the prepared query');
ok(defined $s->[0]{evidence}[0]{estimated_mean_ms},
	'case 10: the query was re-planned with its sample');

# A partitioned table: the scans read the partitions, the index goes on the
# partitioned root.
case_database(
	$node, 'parted', q{
CREATE TABLE measurements (id int, sensor_id int, value float8) PARTITION BY RANGE (id);
CREATE TABLE measurements_1 PARTITION OF measurements FOR VALUES FROM (0) TO (100000);
CREATE TABLE measurements_2 PARTITION OF measurements FOR VALUES FROM (100000) TO (200001);
INSERT INTO measurements SELECT g, g % 5000, g FROM generate_series(1, 200000) g;
});
run_pgbench($node, 'parted', 'parted_sensor',
	"\\set s random(0, 4999)\nSELECT avg(value) FROM measurements WHERE sensor_id = :s;\n", 10);
($s) = advisor_json(advisor_config($node, 'parted'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_measurements_sensor_id" ON "public"."measurements" ("sensor_id");'
	],
	'partitioned table: the index goes on the root');

# A query that can no longer be planned (its function was dropped) is
# reported; the run goes on and the other query still gets its index.
case_database(
	$node, 'replan', q{
CREATE TABLE docs (id int, owner_id int, title text);
INSERT INTO docs SELECT g, g % 5000, 't' || g FROM generate_series(1, 200000) g;
CREATE FUNCTION short_title(t text) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS 'SELECT length(t) < 100';
});
run_pgbench($node, 'replan', 'replan_docs',
	"\\set o random(0, 4999)\n"
	  . "SELECT title FROM docs WHERE owner_id = :o;\n"
	  . "SELECT title FROM docs WHERE owner_id = :o AND short_title(title);\n",
	10);
$node->safe_psql('replan', 'DROP FUNCTION short_title(text)');
my $replan_config = advisor_config($node, 'replan');
($s, $stderr) = advisor_json($replan_config, '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	['CREATE INDEX CONCURRENTLY "scaleup_docs_owner_id" ON "public"."docs" ("owner_id");'],
	'unplannable query: the run still suggests the index');
like($stderr, qr/WARNING \[replan\] query -?\d+ could not be re-planned: ERROR:  function short_title\(text\) does not exist/,
	'unplannable query: the log names it and the error');
my ($rc, $text) = run_advisor($replan_config, 'analyze', '--no-store');
like($text, qr/; not re-planned: ERROR:  function short_title\(text\) does not exist/,
	'unplannable query: the text report says it was not re-planned');

# Without HypoPG the same suggestion comes from the heuristic estimate.
case_database($node, 'nohypo', $posts_sql, no_hypopg => 1);
run_pgbench($node, 'nohypo', 'nohypo_latest',
	"SELECT id, title FROM blog_posts ORDER BY created_at DESC LIMIT 10;\n", 10);
($s) = advisor_json(advisor_config($node, 'nohypo'), '--no-store');
is_deeply(
	suggestion_sqls($s, 'create_index'),
	[
		'CREATE INDEX CONCURRENTLY "scaleup_blog_posts_created_at" ON "public"."blog_posts" ("created_at" DESC);'
	],
	'without HypoPG: the same index');
is($s->[0]{verified_by_planner}, JSON::PP::false, 'without HypoPG: not verified by the planner');

$node->stop;
done_testing();
