# pgbench with 16 clients against stores of the minimum capacity (100
# entries).  First a few queries, which fit, must be counted exactly under
# concurrency.  Then far more distinct queries than fit make entries be
# evicted all the time: the server must stay up and the counters must stay
# sane (within capacity, never decreasing while an entry lives, never more
# rows kept than scanned).

use strict;
use warnings;

use IPC::Run;
use List::Util qw(min);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $clients = 16;
my $duration = 20;    # seconds of pgbench run

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'pg_scaleup'
compute_query_id = on
pg_scaleup.max_queries = 100
pg_scaleup.max_scans = 100
pg_scaleup.sample_rate = 1
pg_scaleup.track = all
max_connections = 40
# Parallel plans for every scan, so leader and worker rows are counted too.
# With 16 clients and max_parallel_workers = 8, some queries may get no worker
# and run in the leader alone.
parallel_setup_cost = 0
parallel_tuple_cost = 0
min_parallel_table_scan_size = 0
# Cluster.pm logs every statement; pgbench would fill the log.
log_statement = none
});
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION pg_scaleup');
$node->command_ok([ 'pgbench', '-i', '-s', '1', '-q', 'postgres' ],
	'pgbench -i -s 1');

my $scripts_dir = $node->basedir;

# Write one pgbench script file per NAME@WEIGHT key and return the -f options.
sub pgbench_script_options
{
	my (%scripts) = @_;
	my @options;
	for my $name (sort keys %scripts)
	{
		my ($file, $weight) = $name =~ /^(.*)\@(\d+)$/
		  or die "script name \"$name\" has no \@weight";
		$file = "$scripts_dir/$file.sql";
		PostgreSQL::Test::Utils::append_to_file($file, $scripts{$name});
		push @options, '-f', "$file\@$weight";
	}
	return @options;
}

my $variables = q{\set aid random(1, 100000)
\set bid 1
\set tid random(1, 10)
\set delta random(-5000, 5000)
};

# A TPC-B-like transaction plus a sequential scan of all 100,000 accounts.
my $hot_script = $variables . q{
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
SELECT count(*) FROM pgbench_history WHERE aid = :aid;
END;
SELECT count(*) FROM pgbench_accounts WHERE bid = :bid AND abalance > :delta;
};

# Return the core query identifier of a statement, from EXPLAIN VERBOSE.
sub query_identifier
{
	my ($statement) = @_;
	my $plan = $node->safe_psql('postgres', "EXPLAIN (VERBOSE) $statement");
	my ($queryid) = $plan =~ /Query Identifier: (-?\d+)/
	  or die "no query identifier in EXPLAIN output:\n$plan";
	return $queryid;
}

# Phase 1: exact counts.  pgbench's simple protocol sends the values inline,
# and constants do not change the query identifier, so EXPLAIN with any
# constants finds the same entries.
my $transactions_per_client = 50;
my $executions = $clients * $transactions_per_client;
my $update_queryid = query_identifier(
	'UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 1');
my $scan_queryid = query_identifier(
	'SELECT count(*) FROM pgbench_accounts WHERE bid = 1 AND abalance > 0');

like(
	$node->safe_psql(
		'postgres',
		'EXPLAIN SELECT count(*) FROM pgbench_accounts WHERE bid = 1 AND abalance > 0'
	),
	qr/Gather/,
	'sequential scan query has a parallel plan');

$node->safe_psql('postgres', 'SELECT scaleup.reset()');
$node->command_ok(
	[
		'pgbench', '-n', '-c', $clients, '-j', '2',
		'-t', $transactions_per_client,
		pgbench_script_options('exact@1' => $hot_script), 'postgres'
	],
	"pgbench, $clients clients x $transactions_per_client transactions");

is( $node->safe_psql(
		'postgres', qq{
SELECT calls, rows FROM scaleup.queries
 WHERE queryid = $update_queryid AND toplevel}),
	"$executions|$executions",
	'concurrent UPDATE calls and rows are exact');
is( $node->safe_psql(
		'postgres', qq{
SELECT calls, rows, seq_rows_scanned FROM scaleup.queries
 WHERE queryid = $scan_queryid AND toplevel}),
	"$executions|$executions|" . $executions * 100000,
	'concurrent sequential scan query counts are exact');
is( $node->safe_psql(
		'postgres', qq{
SELECT relid, scan_kind, eq_columns, range_columns, rows_scanned,
       rows_kept <= rows_scanned
  FROM scaleup.scans
 WHERE queryid = $scan_queryid}),
	"pgbench_accounts|seq|{bid}|{abalance}|" . $executions * 100000 . "|t",
	'concurrent sequential scan rows_scanned is exact');

# Phase 2: eviction.  The query identifier ignores constants, so distinct
# queries need distinct shapes: the same column repeated 1 to 100 times in the
# select list gives 100 identifiers per table.  pgbench_tellers and pgbench_branches have no index
# on the filtered columns, so those queries are sequential scans with a filter
# and fill the scans store as well.
my @cold_statements;
for my $width (1 .. 100)
{
	push @cold_statements,
	  'SELECT ' . join(', ', ('abalance') x $width)
	  . ' FROM pgbench_accounts WHERE aid = :aid;';
	push @cold_statements,
	  'SELECT ' . join(', ', ('tbalance') x $width)
	  . ' FROM pgbench_tellers WHERE bid = :bid;';
	push @cold_statements,
	  'SELECT ' . join(', ', ('bbalance') x $width)
	  . ' FROM pgbench_branches WHERE bbalance >= :delta;';
}

# The hot script runs ten times as often as each cold one, so its queries are
# the most used and should outlive the evictions between the two samples.
my %scripts = ('hot@10' => $hot_script);
my $per_script = 30;
for (my $i = 0; $i * $per_script < @cold_statements; $i++)
{
	my @chunk = @cold_statements[ $i * $per_script
	  .. min($i * $per_script + $per_script - 1, $#cold_statements) ];
	$scripts{ sprintf('cold%02d@1', $i) } =
	  $variables . join("\n", @chunk) . "\n";
}
my @script_options = pgbench_script_options(%scripts);

# Start pgbench in the background, so the views can be sampled during the run.
my ($pgbench_stdout, $pgbench_stderr) = ('', '');
my $pgbench = IPC::Run::start(
	[
		'pgbench', '-h', $node->host, '-p', $node->port,
		'-n', '-M', 'prepared', '-c', $clients, '-j', '2',
		'-T', $duration, @script_options, 'postgres'
	],
	'>', \$pgbench_stdout, '2>', \$pgbench_stderr);

# Each sample maps an entry's identity, including first_seen (an entry that
# was evicted and created again is a new entry), to its counters: the last
# $counter_count{VIEW} columns of each query below.
my %counter_count = (queries => 4, scans => 3, projections => 3);
my %sample_queries = (
	queries => q{
SELECT concat_ws(',', userid, dbid, queryid, toplevel, first_seen),
       calls, rows, seq_scans, seq_rows_scanned
  FROM scaleup.queries},
	scans => q{
SELECT (to_jsonb(s) - 'executions' - 'rows_scanned' - 'rows_kept' - 'last_seen')::text,
       executions, rows_scanned, rows_kept
  FROM scaleup.scans s},
	projections => q{
SELECT concat_ws(',', dbid, queryid, relid::oid, first_seen),
       calls, rows_returned, bytes_returned
  FROM scaleup.projections});

sub take_sample
{
	my %sample;
	for my $view (sort keys %sample_queries)
	{
		my $output = $node->safe_psql('postgres', $sample_queries{$view});
		for my $line (split /\n/, $output)
		{
			my @fields = split /\|/, $line, -1;
			my @counters = splice(@fields, -$counter_count{$view});
			$sample{$view}{ join('|', @fields) } = \@counters;
		}
	}
	return \%sample;
}

sleep($duration / 3);
my $first = take_sample();
sleep($duration / 3);
my $second = take_sample();

$pgbench->finish;
my $pgbench_status = $pgbench->full_result(0) >> 8;

is($pgbench_status, 0, 'pgbench exits with status 0')
  or diag("pgbench stdout:\n$pgbench_stdout\npgbench stderr:\n$pgbench_stderr");
like(
	$pgbench_stdout,
	qr/number of failed transactions: 0 \(0\.000%\)/,
	'pgbench reports no failed transactions');
like(
	$pgbench_stdout,
	qr/number of transactions actually processed: [1-9]\d*/,
	'pgbench processed transactions');
is($pgbench_stderr, '', 'pgbench prints no errors');

is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server is still up');
ok(!$node->log_contains(qr/terminated by signal|PANIC:|TRAP:/),
	'server log shows no crash');

# Counters of an entry present in both samples never decrease.
for my $view (sort keys %sample_queries)
{
	my ($common, $decreased) = (0, 0);
	for my $key (keys %{ $first->{$view} })
	{
		next unless exists $second->{$view}{$key};
		$common++;
		my @before = @{ $first->{$view}{$key} };
		my @after = @{ $second->{$view}{$key} };
		for my $i (0 .. $#before)
		{
			if ($after[$i] < $before[$i])
			{
				$decreased++;
				diag("scaleup.$view entry $key: counter $i went from $before[$i] to $after[$i]");
			}
		}
	}
	note("scaleup.$view: $common entries in both samples");
	cmp_ok($common, '>', 0, "scaleup.$view has entries in both samples");
	is($decreased, 0, "scaleup.$view counters never decrease");
}

# The stores stay within capacity and evictions were counted.
my ($queries_used, $queries_capacity, $scans_used, $scans_capacity,
	$projections_used, $projections_capacity, $evictions,
	$query_evictions, $scan_evictions, $projection_evictions)
  = split /\|/, $node->safe_psql(
	'postgres', q{
SELECT queries_used, queries_capacity, scans_used, scans_capacity,
       projections_used, projections_capacity, evictions,
       query_evictions, scan_evictions, projection_evictions
  FROM scaleup.info()});

note("evictions: $query_evictions queries, $scan_evictions scans, "
	  . "$projection_evictions projections");
is($queries_capacity, 100, 'queries capacity is pg_scaleup.max_queries');
is($scans_capacity, 100, 'scans capacity is pg_scaleup.max_scans');
cmp_ok($queries_used, '<=', $queries_capacity, 'queries store within capacity');
cmp_ok($scans_used, '<=', $scans_capacity, 'scans store within capacity');
cmp_ok($projections_used, '<=', $projections_capacity,
	'projections store within capacity');
cmp_ok($query_evictions, '>', 0, 'query entries were evicted');
cmp_ok($scan_evictions, '>', 0, 'scan entries were evicted');
is($evictions, $query_evictions + $scan_evictions + $projection_evictions,
	'evictions is the sum of the three stores\' evictions');

cmp_ok($node->safe_psql('postgres', 'SELECT count(*) FROM scaleup.queries'),
	'<=', 100, 'scaleup.queries has at most max_queries rows');
cmp_ok($node->safe_psql('postgres', 'SELECT count(*) FROM scaleup.scans'),
	'<=', 100, 'scaleup.scans has at most max_scans rows');

# Counters are consistent within each row.
is( $node->safe_psql(
		'postgres',
		'SELECT count(*) FROM scaleup.scans WHERE rows_kept > rows_scanned'),
	'0',
	'no scans row keeps more rows than it scanned');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM scaleup.scans
 WHERE executions < 0 OR rows_scanned < 0 OR rows_kept < 0}),
	'0',
	'no scans counter is negative');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM scaleup.queries
 WHERE calls > 0
   AND NOT (min_exec_time <= mean_exec_time AND mean_exec_time <= max_exec_time)}),
	'0',
	'min <= mean <= max execution time in every queries row');
is( $node->safe_psql(
		'postgres', q{
SELECT count(*) FROM scaleup.queries
 WHERE calls < 0 OR rows < 0 OR seq_scans < 0 OR seq_rows_scanned < 0}),
	'0',
	'no queries counter is negative');

$node->stop;

done_testing();
