# Helpers for the TAP tests of "scaleup-advisor apply" and of the daemon's
# apply modes: a cluster with pg_scaleup, the blog schema, suggestion rows
# written directly (so the tests do not depend on the analysis), advisor
# configuration files and background advisor processes.
#
# The advisor binary is $ENV{SCALEUP_ADVISOR}, or scaleup-advisor on the PATH.

package ApplyCase;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(apply_node blog_database apply_config add_suggestion
  queryid_of run_workload run_apply start_apply scaleup_indexes
  suggestion_row action_rows advisor_binary);

sub advisor_binary
{
	return $ENV{SCALEUP_ADVISOR} // 'scaleup-advisor';
}

# Start a cluster that loads pg_scaleup; %init goes to init() (for example
# allows_streaming => 1).
sub apply_node
{
	my ($name, %init) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);

	$node->init(%init);
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

# Create database $db with pg_scaleup, a blog_posts table of $rows rows, a
# products table and a post_views table, then reset the statistics.
sub blog_database
{
	my ($node, $db, $rows) = @_;

	$node->safe_psql('postgres', qq{CREATE DATABASE "$db"});
	$node->safe_psql(
		$db, qq{
CREATE EXTENSION pg_scaleup;
CREATE TABLE blog_posts (
    id bigint PRIMARY KEY,
    author_id int NOT NULL,
    created_at timestamptz NOT NULL,
    title text NOT NULL,
    views bigint NOT NULL DEFAULT 0);
INSERT INTO blog_posts
SELECT g, g % 500, timestamptz '2026-01-01' + g * interval '1 minute',
       'post ' || g, 0
  FROM generate_series(1, $rows) g;
CREATE TABLE products (
    id bigint PRIMARY KEY,
    category_id int NOT NULL,
    featured boolean NOT NULL,
    name text NOT NULL);
INSERT INTO products
SELECT g, g % 1000, g % 997 = 0, 'product ' || g
  FROM generate_series(1, $rows) g;
CREATE TABLE post_views (post_id bigint NOT NULL, viewed_at timestamptz NOT NULL);
ANALYZE;
SELECT scaleup.reset();
});
	return;
}

# Write a configuration for one target, database $db.  %opts: apply_mode,
# role, and "section.key" values that replace the defaults below.
sub apply_config
{
	my ($node, $db, %opts) = @_;
	my $apply_mode = delete $opts{apply_mode} // 'off';
	my $role = delete $opts{role} // 'primary';
	my $name = delete $opts{name} // $db;
	my %values = (
		'interval' => '1s',
		'apply.lock_timeout' => '1s',
		'apply.statement_timeout' => '5m',
		'verify.after' => '2s',
		'verify.min_calls' => '5',
		'verify.min_improvement' => '30%',
		'verify.max_write_slowdown' => '1000%',
		%opts);
	my (%sections, $text);

	for my $key (sort keys %values)
	{
		if ($key !~ /\./)
		{
			$text .= "$key: $values{$key}\n";
			next;
		}
		my ($section, $leaf) = split /\./, $key, 2;
		$sections{$section} .= "  $leaf: $values{$key}\n";
	}
	$text .= join('', map { "$_:\n$sections{$_}" } sort keys %sections);
	$text .=
	    "targets:\n  - name: $name\n"
	  . "    conninfo: \"host="
	  . $node->host
	  . " port="
	  . $node->port
	  . " dbname=$db\"\n"
	  . "    role: $role\n"
	  . "    apply_mode: $apply_mode\n";

	my $file = $node->basedir . "/apply-$name.yaml";
	unlink $file;
	PostgreSQL::Test::Utils::append_to_file($file, $text);
	return $file;
}

# Insert a suggestion row and return its id.  %s: kind (create_index),
# table, sql, status (approved), evidence (a JSON array text), index_name.
sub add_suggestion
{
	my ($node, $db, $target, %s) = @_;
	my $kind = $s{kind} // 'create_index';
	my $status = $s{status} // 'approved';
	my $evidence = $s{evidence} // '[]';
	my $index_name = defined $s{index_name} ? "'$s{index_name}'" : 'NULL';
	my $fingerprint = "test $s{sql}";

	$fingerprint =~ s/'/''/g;
	my $sql = $s{sql};
	$sql =~ s/'/''/g;
	return $node->safe_psql(
		$db, qq{
INSERT INTO scaleup.suggestions
       (target, fingerprint, kind, "table", index_name, sql, rationale,
        evidence, status)
VALUES ('$target', '$fingerprint', '$kind', '$s{table}', $index_name, '$sql',
        'written by the test', '$evidence', '$status')
RETURNING id});
}

# The queryid of the statement whose normalized text matches $like.
sub queryid_of
{
	my ($node, $db, $like) = @_;

	return $node->safe_psql($db,
		    "SELECT queryid FROM scaleup.queries WHERE query LIKE '$like'"
		  . " ORDER BY calls DESC LIMIT 1");
}

# Run a pgbench script $transactions times with one client.
sub run_workload
{
	my ($node, $db, $name, $script, $transactions) = @_;
	my $file = $node->basedir . "/$name.sql";

	PostgreSQL::Test::Utils::append_to_file($file, $script)
	  unless -e $file;
	my ($stdout, $stderr);
	my $ok = IPC::Run::run [
		'pgbench', '-n', '-t', $transactions, '-f', $file,
		'-h', $node->host, '-p', $node->port, $db
	  ],
	  '>', \$stdout, '2>', \$stderr;
	ok($ok, "pgbench $name ran") or diag("$stdout\n$stderr");
	return;
}

# Run "scaleup-advisor -c $config apply @args"; returns (exit status, stderr).
sub run_apply
{
	my ($config, @args) = @_;
	my ($stdout, $stderr) = ('', '');

	IPC::Run::run [ advisor_binary(), '-c', $config, 'apply', @args ],
	  '>', \$stdout, '2>', \$stderr;
	note("apply @args:\n$stderr");
	return ($? >> 8, $stderr);
}

# Start "scaleup-advisor -c $config @args" in the background; returns the
# harness and a reference to its growing stderr.
sub start_apply
{
	my ($config, @args) = @_;
	my $stderr = '';
	my $stdout = '';
	my $harness = IPC::Run::start [ advisor_binary(), '-c', $config, @args ],
	  '>', \$stdout, '2>', \$stderr;

	return ($harness, \$stderr);
}

# "name valid" of every index whose name starts with scaleup_, one per line.
sub scaleup_indexes
{
	my ($node, $db) = @_;

	return $node->safe_psql(
		$db, q{
SELECT c.relname || ' ' || CASE WHEN i.indisvalid THEN 'valid' ELSE 'invalid' END
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relname LIKE 'scaleup\_%'
 ORDER BY 1});
}

# "status|status_reason" of a suggestion.
sub suggestion_row
{
	my ($node, $db, $id) = @_;

	return $node->safe_psql($db,
		"SELECT status || '|' || coalesce(status_reason, '') FROM scaleup.suggestions WHERE id = $id"
	);
}

# "action outcome" of a suggestion's actions in order, one per line.
sub action_rows
{
	my ($node, $db, $id) = @_;

	return $node->safe_psql($db,
		"SELECT action || ' ' || outcome FROM scaleup.actions WHERE suggestion_id = $id ORDER BY id"
	);
}

1;
