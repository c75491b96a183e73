# The statistics stores survive a clean restart with pg_scaleup.save = on,
# and start empty after a restart with pg_scaleup.save = off.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'pg_scaleup'
compute_query_id = on
pg_scaleup.save = on
pg_scaleup.sample_rate = 1
max_parallel_workers_per_gather = 0
});
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION pg_scaleup');

# 10,000 rows without an index: a = 5 matches 10 of them.
$node->safe_psql(
	'postgres', q{
CREATE TABLE t (id int, a int, b int, c text);
INSERT INTO t SELECT i, i % 1000, i % 7, 'row ' || i FROM generate_series(1, 10000) i;
ANALYZE t;
});

my $query = 'SELECT * FROM t WHERE a = 5';

# EXPLAIN VERBOSE prints the core query identifier, which scaleup.queries uses.
my $explain = $node->safe_psql('postgres', "EXPLAIN (VERBOSE) $query");
my ($queryid) = $explain =~ /Query Identifier: (-?\d+)/;
ok(defined $queryid, 'EXPLAIN VERBOSE shows the query identifier')
  or diag($explain);
$queryid //= 0;

$node->safe_psql('postgres', 'SELECT scaleup.reset()');
for my $i (1 .. 3)
{
	$node->safe_psql('postgres', $query);
}

# Each of these returns the statistics of the query as one '|'-separated
# line, so a restart must reproduce them byte for byte.
my $queries_sql = qq{
SELECT query, calls, rows, seq_scans, seq_rows_scanned
  FROM scaleup.queries
 WHERE queryid = $queryid AND toplevel
   AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())};
my $scans_sql = qq{
SELECT relid, scan_kind, eq_columns,
       coalesce(cardinality(range_columns), 0),
       coalesce(cardinality(other_columns), 0),
       executions, rows_scanned, rows_kept
  FROM scaleup.scans
 WHERE queryid = $queryid
   AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())};
my $projections_sql = qq{
SELECT relid, all_columns, calls, rows_returned
  FROM scaleup.projections
 WHERE queryid = $queryid
   AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())};

my $expected_query = 'SELECT * FROM t WHERE a = $1|3|30|3|30000';
my $expected_scan = 't|seq|{a}|0|0|3|30000|30';
my $expected_projection = 't|t|3|30';

is($node->safe_psql('postgres', $queries_sql),
	$expected_query, 'queries row before restart');
is($node->safe_psql('postgres', $scans_sql),
	$expected_scan, 'scans row before restart');
is($node->safe_psql('postgres', $projections_sql),
	$expected_projection, 'projections row before restart');

# Values that are not exact but must not change across a restart.
my $inexact_sql = qq{
SELECT q.first_seen, q.total_exec_time, p.bytes_returned, p.first_seen
  FROM scaleup.queries q
  JOIN scaleup.projections p USING (dbid, queryid)
 WHERE q.queryid = $queryid AND q.toplevel
   AND q.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())};
my $inexact_before = $node->safe_psql('postgres', $inexact_sql);
like(
	$inexact_before,
	qr/^\d{4}-[^|]+\|[0-9.e+-]+\|[1-9]\d*\|\d{4}-[^|]+$/,
	'first_seen, time and returned bytes are set');

# A clean restart with save = on keeps every store.
my $log_offset = -s $node->logfile;
$node->restart;

is($node->safe_psql('postgres', $queries_sql),
	$expected_query, 'queries row survives restart');
is($node->safe_psql('postgres', $scans_sql),
	$expected_scan, 'scans row survives restart');
is($node->safe_psql('postgres', $projections_sql),
	$expected_projection, 'projections row survives restart');
is($node->safe_psql('postgres', $inexact_sql),
	$inexact_before, 'first_seen, time and bytes survive restart');
ok( !$node->log_contains(qr/(WARNING|ERROR|FATAL|PANIC):/, $log_offset),
	'restart logs no warning or error');

# Counting goes on from the restored values.
$node->safe_psql('postgres', $query);
is($node->safe_psql('postgres', $queries_sql),
	'SELECT * FROM t WHERE a = $1|4|40|4|40000',
	'queries row counts on after restart');
is($node->safe_psql('postgres', $scans_sql),
	't|seq|{a}|0|0|4|40000|40',
	'scans row counts on after restart');

# save = off, set in the file and read at start-up only: the postmaster has
# not reloaded its configuration, so it still saves the stores when it shuts
# down, and the new server must not load them.
$node->append_conf('postgresql.conf', 'pg_scaleup.save = off');
$node->restart;

is($node->safe_psql('postgres', $queries_sql), '',
	'queries row gone after restart with save off');
is($node->safe_psql('postgres', $scans_sql), '',
	'scans row gone after restart with save off');
is($node->safe_psql('postgres', $projections_sql), '',
	'projections row gone after restart with save off');

# save = off, reloaded before the shutdown: nothing is saved.
$node->append_conf('postgresql.conf', 'pg_scaleup.save = on');
$node->restart;
$node->safe_psql('postgres', $query);
is($node->safe_psql('postgres', $queries_sql),
	'SELECT * FROM t WHERE a = $1|1|10|1|10000',
	'queries row counted again with save on');

$node->append_conf('postgresql.conf', 'pg_scaleup.save = off');
$node->reload;
$node->restart;

is($node->safe_psql('postgres', $queries_sql), '',
	'queries row gone after reload and restart with save off');
is($node->safe_psql('postgres', $scans_sql), '',
	'scans row gone after reload and restart with save off');

$node->stop;

done_testing();
