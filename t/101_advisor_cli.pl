# The scaleup-advisor command line against a real cluster: configuration
# errors and their exit code, check-config on the example file, the review
# round trip (review, approve, reject), and the daemon: SIGHUP with a broken
# file keeps the running configuration, a target down at start-up is logged
# and skipped, SIGTERM stops it with exit code 0, and no log line shows a
# password.
#
# The binary is $SCALEUP_ADVISOR, or scaleup-advisor on the PATH.  The
# example configuration is read from $SCALEUP_SOURCE_DIR/config, by default
# the checkout this file sits in.  $SCALEUP_TEST_PORT fixes the cluster's
# port; without it PostgreSQL::Test::Cluster picks a free one.

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Spec;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $advisor = $ENV{SCALEUP_ADVISOR} // 'scaleup-advisor';
my $source_root = $ENV{SCALEUP_SOURCE_DIR}
  // File::Spec->rel2abs(dirname(__FILE__) . '/..');
my $tempdir = PostgreSQL::Test::Utils::tempdir;

# Run the advisor; returns (exit code, stdout, stderr).
sub run_advisor
{
	my @args = @_;
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run([ $advisor, @args ], '<', \undef, '>', \$stdout, '2>', \$stderr);
	return ($? >> 8, $stdout, $stderr);
}

sub write_file
{
	my ($path, $text) = @_;
	open(my $fh, '>', $path) or die "could not write $path: $!";
	print $fh $text;
	close($fh);
}

# Wait up to 60 s for the file to match $pattern after byte $offset.
sub wait_for_log
{
	my ($path, $pattern, $offset) = @_;
	$offset //= 0;
	for (my $i = 0; $i < 600; $i++)
	{
		my $text = -e $path ? slurp_file($path) : '';
		return 1 if length($text) > $offset && substr($text, $offset) =~ $pattern;
		usleep(100_000);
	}
	return 0;
}

#
# Configuration errors: exit code 2 and the exact message.
#
my $broken = "$tempdir/broken.yaml";
write_file($broken, "# broken on purpose\nlog:\n  level: info\ninterval: often\n");
my ($rc, $stdout, $stderr) = run_advisor('-c', $broken, 'check-config');
is($rc, 2, 'check-config on a broken file exits with 2');
is($stderr,
	qq{$broken:4: key "interval": expected a duration such as "5m", got "often"\n},
	'broken file: file, line, key and expectation');
is($stdout, '', 'broken file: nothing on stdout');

($rc, $stdout, $stderr) = run_advisor('-c', $broken, 'review');
is($rc, 2, 'every command rejects a broken file with 2');

($rc, $stdout, $stderr) = run_advisor('frobnicate');
is($rc, 2, 'unknown command exits with 2');
like($stderr, qr/^scaleup-advisor: unknown command "frobnicate"$/m,
	'unknown command is named');

($rc, $stdout, $stderr) = run_advisor('apply', '--bogus');
is($rc, 2, 'unknown apply option exits with 2');
like($stderr, qr/^scaleup-advisor apply: unrecognized option '--bogus'$/m,
	'unknown apply option is named');

#
# The example configuration is valid.
#
my $example = "$source_root/config/scaleup-advisor.yaml";
ok(-f $example, 'example configuration found')
  or diag("$example does not exist; set SCALEUP_SOURCE_DIR to the checkout");
($rc, $stdout, $stderr) = run_advisor('check-config', '-c', $example);
is($rc, 0, 'check-config accepts the example file');
like($stdout, qr/^configuration file "\Q$example\E" is valid$/m,
	'check-config reports the file as valid');
like($stdout, qr/^interval\s+5m\s+5m\s/m, 'check-config prints interval');

#
# A cluster with the extension, and suggestions to review.
#
my $node = PostgreSQL::Test::Cluster->new('advisor',
	$ENV{SCALEUP_TEST_PORT} ? (port => $ENV{SCALEUP_TEST_PORT}) : ());
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'pg_scaleup'
compute_query_id = on
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_scaleup');
$node->safe_psql(
	'postgres', q{
INSERT INTO scaleup.suggestions
    (target, fingerprint, kind, "table", sql, rationale,
     estimated_gain_ms_per_hour, estimated_size_bytes)
VALUES
    ('main', 'f1', 'create_index', 'public.blog_posts',
     'CREATE INDEX CONCURRENTLY ON public.blog_posts (created_at DESC);',
     'Sorted scan.', 90000, 6266880),
    ('main', 'f2', 'drop_index', 'public.orders',
     'DROP INDEX CONCURRENTLY public.orders_unused;', 'Never scanned.', 12.5, 0),
    ('elsewhere', 'f3', 'create_index', 'public.t',
     'CREATE INDEX CONCURRENTLY ON public.t (a);', 'Other target.', 1, 8192);
});

# Trust authentication ignores the password, which must still never be shown.
my $host = $node->host;
my $port = $node->port;
my $config = "$tempdir/advisor.yaml";
write_file(
	$config, qq{
targets:
  - name: main
    conninfo: "host=$host port=$port dbname=postgres password=hunter2"
});

($rc, $stdout, $stderr) = run_advisor('-c', $config, 'review');
is($rc, 0, 'review exits with 0');
like($stdout, qr/^target main: 2 suggestions$/m, 'review counts the target\'s rows');
like(
	$stdout,
	qr/^ 1  pending  create_index  public\.blog_posts +90000\.0  6120 kB$/m,
	'review shows the first suggestion');
like($stdout,
	qr/^    CREATE INDEX CONCURRENTLY ON public\.blog_posts \(created_at DESC\);$/m,
	'review shows the SQL');
unlike($stdout, qr/elsewhere|public\.t\b/, 'review leaves out other targets');

($rc, $stdout, $stderr) = run_advisor('-c', $config, 'approve', '1');
is($rc, 0, 'approve exits with 0');
is($stdout, "suggestion 1: approved\n", 'approve reports the new status');

($rc, $stdout, $stderr) =
  run_advisor('-c', $config, 'reject', '2', '--reason', 'used by reports');
is($rc, 0, 'reject exits with 0');
is($stdout, "suggestion 2: rejected\n", 'reject reports the new status');

is( $node->safe_psql(
		'postgres',
		q{SELECT id, status, coalesce(status_reason, '') FROM scaleup.suggestions ORDER BY id}
	),
	"1|approved|\n2|rejected|used by reports\n3|pending|",
	'statuses and reason are stored');

($rc, $stdout, $stderr) = run_advisor('-c', $config, 'approve', '1', '999');
is($rc, 1, 'approve with an unknown id exits with 1');
is($stdout, '', 'an approved suggestion cannot be approved again');
is( $stderr,
	"suggestion 1: could not approve: suggestion 1 cannot be approved (detail: Its status is \"approved\". Only pending, rejected or failed suggestions can be approved.)\n"
	  . "suggestion 999: could not approve: suggestion 999 does not exist\n",
	'approve reports each server error');

($rc, $stdout, $stderr) =
  run_advisor('-c', $config, 'review', '--status', 'rejected');
is($rc, 0, 'review --status exits with 0');
like($stdout, qr/^target main: 1 suggestion with status rejected$/m,
	'review --status filters');
like($stdout, qr/^    reason: used by reports$/m, 'review shows the reason');

($rc, $stdout, $stderr) = run_advisor('-c', $config, 'review', '--status', 'maybe');
is($rc, 2, 'review with an invalid status exits with 2');

# Without -c, the target is what libpq's environment names.
{
	local $ENV{PGHOST} = $host;
	local $ENV{PGPORT} = $port;
	local $ENV{PGDATABASE} = 'postgres';
	local $ENV{PGSERVICE};
	delete $ENV{PGSERVICE};
	$node->safe_psql('postgres',
		q{UPDATE scaleup.suggestions SET target = 'postgres' WHERE id = 3});
	($rc, $stdout, $stderr) = run_advisor('review');
	is($rc, 0, 'review without -c exits with 0');
	like($stdout, qr/^target postgres: 1 suggestion$/m,
		'without -c the target is named after PGDATABASE');
}

#
# The daemon.
#
# A socket directory with no server in it stands for a target that is down
# at start-up.
my $no_server = "$tempdir/no-server";
mkdir $no_server or die "could not create $no_server: $!";
my $daemon_config = "$tempdir/daemon.yaml";
my $good_daemon_config = qq{
interval: 1s
log: {level: info, format: FORMAT}
targets:
  - name: main
    conninfo: "host=$host port=$port dbname=postgres password=hunter2"
  - name: down
    conninfo: "postgresql://postgres:s3cret\@/postgres?host=$no_server&port=$port"
};

foreach my $format ('text', 'json')
{
	(my $text = $good_daemon_config) =~ s/FORMAT/$format/;
	write_file($daemon_config, $text);
	my $log = "$tempdir/daemon-$format.log";
	my ($out, $err) = ('', '');
	my $daemon = IPC::Run::start([ $advisor, '-c', $daemon_config, 'run' ],
		'<', \undef, '>', \$out, '2>', $log);

	ok(wait_for_log($log, qr/started/), "$format: daemon logs its start");
	ok( wait_for_log($log, qr/could not connect to target.*no-server/),
		"$format: the down target is logged as an error");
	ok(wait_for_log($log, qr/analysis (finished|failed)/),
		"$format: the live target is analyzed despite the down one");

	# A broken file on SIGHUP is logged and the old configuration stays.
	write_file($daemon_config, $text . "interval: often\n");
	my $offset = length(slurp_file($log));
	$daemon->signal('HUP');
	ok(wait_for_log($log, qr/not reloaded; the running configuration stays in effect/, $offset),
		"$format: a broken reload is logged");
	like(substr(slurp_file($log), $offset),
		qr/duplicate key, first set at line/,
		"$format: the reload error names the problem");
	$offset = length(slurp_file($log));
	ok(wait_for_log($log, qr/analysis (finished|failed)/, $offset),
		"$format: cycles go on with the old configuration");
	ok($daemon->pumpable, "$format: daemon still running after the broken reload");

	# A good file on SIGHUP is taken.
	write_file($daemon_config, $text);
	$offset = length(slurp_file($log));
	$daemon->signal('HUP');
	ok(wait_for_log($log, qr/configuration reloaded/, $offset),
		"$format: a good reload is logged");

	$daemon->signal('TERM');
	$daemon->finish;
	is($daemon->result(0), 0, "$format: SIGTERM stops the daemon with exit code 0");

	my $log_text = slurp_file($log);
	note("daemon log ($format):\n$log_text");
	like($log_text, qr/stopped/, "$format: daemon logs its stop");
	unlike($log_text, qr/hunter2|s3cret/, "$format: no password in the log");

	if ($format eq 'json')
	{
		my $bad_lines = 0;
		foreach my $line (split /\n/, $log_text)
		{
			my $event = eval { decode_json($line) };
			$bad_lines++
			  unless ref($event) eq 'HASH'
			  && defined $event->{time}
			  && defined $event->{level}
			  && exists $event->{target}
			  && defined $event->{message};
		}
		is($bad_lines, 0, 'json: every log line is a JSON event');
	}
	else
	{
		like(
			$log_text,
			qr/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC ERROR \[down\] could not connect to target \(postgresql:\/\/postgres:\*\*\*\*\*\*\*\*\@\/postgres\?host=\Q$no_server\E&port=$port\): /m,
			'text: the error names the target and shows the masked URI');
	}
}

$node->stop;
done_testing();
