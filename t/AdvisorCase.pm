# Helpers for the scaleup-advisor TAP tests: a cluster with pg_scaleup and
# HypoPG, one database per case, pgbench workloads and advisor runs.
#
# The advisor binary is $ENV{SCALEUP_ADVISOR}, or scaleup-advisor on the PATH.

package AdvisorCase;

use strict;
use warnings;
use feature 'state';

use Exporter 'import';
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(advisor_node case_database run_pgbench run_advisor
  advisor_json advisor_config suggestion_sqls);

# Start a cluster that loads pg_scaleup and samples every execution.
sub advisor_node
{
	my ($name, %params) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name, %params);

	$node->init;
	$node->append_conf(
		'postgresql.conf', q{
shared_preload_libraries = 'pg_scaleup'
compute_query_id = on
pg_scaleup.sample_rate = 1
max_parallel_workers_per_gather = 0
jit = off
});
	$node->start;
	return $node;
}

# Create database $db with pg_scaleup and HypoPG (unless no_hypopg), run
# $setup_sql in it, ANALYZE, and reset the statistics, both pg_scaleup's and
# the table counters, so the data load does not count as write traffic.
sub case_database
{
	my ($node, $db, $setup_sql, %opts) = @_;

	$node->safe_psql('postgres', qq{CREATE DATABASE "$db"});
	$node->safe_psql($db, 'CREATE EXTENSION pg_scaleup');
	$node->safe_psql($db, 'CREATE EXTENSION hypopg') unless $opts{no_hypopg};
	$node->safe_psql($db, $setup_sql);
	$node->safe_psql($db, 'ANALYZE');
	$node->safe_psql($db, 'SELECT scaleup.reset(), pg_stat_reset()');
	return;
}

# Run a pgbench custom script $transactions times; extra options (such as
# -M prepared) come in @args.
sub run_pgbench
{
	my ($node, $db, $name, $script, $transactions, @args) = @_;
	my $file = $node->basedir . "/$name.sql";

	PostgreSQL::Test::Utils::append_to_file($file, $script)
	  unless -e $file;
	my ($stdout, $stderr);
	my $ok = IPC::Run::run [
		'pgbench', '-n', '-t', $transactions, '-f', $file, @args,
		'-h', $node->host, '-p', $node->port, $db
	  ],
	  '>', \$stdout, '2>', \$stderr;
	ok($ok, "pgbench $name") or diag("$stdout\n$stderr");
	return;
}

# Write a configuration file for one target, database $db, with low
# thresholds so that a short test workload counts.  %overrides replaces
# "section.key" values.
sub advisor_config
{
	my ($node, $db, %overrides) = @_;
	my %values = (
		'thresholds.min_calls' => '5',
		'thresholds.min_total_time' => '10ms',
		'thresholds.min_gain_per_hour' => '1s',
		'thresholds.min_table_rows' => '10000',
		%overrides);
	my %sections;
	for my $key (sort keys %values)
	{
		my ($section, $leaf) = split /\./, $key, 2;
		$sections{$section} .= "  $leaf: $values{$key}\n";
	}
	state $count = 0;
	$count++;
	my $file = $node->basedir . "/advisor-$db-$count.yaml";
	my $host = $node->host;
	my $port = $node->port;
	my $text = join('', map { "$_:\n$sections{$_}" } sort keys %sections);
	$text .= "targets:\n  - name: $db\n"
	  . "    conninfo: \"host=$host port=$port dbname=$db\"\n";
	unlink $file;
	PostgreSQL::Test::Utils::append_to_file($file, $text);
	return $file;
}

# Run the advisor; returns (exit status, stdout, stderr).
sub run_advisor
{
	my ($config, @args) = @_;
	my $binary = $ENV{SCALEUP_ADVISOR} // 'scaleup-advisor';
	my ($stdout, $stderr) = ('', '');

	IPC::Run::run [ $binary, '-c', $config, @args ], '>', \$stdout, '2>',
	  \$stderr;
	return ($? >> 8, $stdout, $stderr);
}

# Run "analyze --format json" and return the decoded array.
sub advisor_json
{
	my ($config, @args) = @_;
	my ($rc, $stdout, $stderr) = run_advisor($config, 'analyze', '--format', 'json', @args);

	note("analyze @args:\n$stdout\n$stderr");
	is($rc, 0, "analyze exits with 0 (@args)") or diag($stderr);
	my $decoded = eval { decode_json($stdout) };
	ok(defined $decoded && ref $decoded eq 'ARRAY', 'analyze prints a JSON array')
	  or diag("output: $stdout\nerror: $@\nstderr: $stderr");
	return ($decoded // [], $stderr);
}

# The "sql" of every suggestion of kind $kind, sorted.
sub suggestion_sqls
{
	my ($suggestions, $kind) = @_;
	return [ sort map { $_->{sql} } grep { $_->{kind} eq $kind } @$suggestions ];
}

1;
