# The HTML review report end to end: a pgbench workload over an unindexed
# blog_posts table and over a table named <script>alert(1)</script>, then
# "analyze --format html --output FILE" and the daemon's "report" path.
# The page must be self-contained, show each stored suggestion once under
# its id, and show the hostile name as text.  When Chromium is installed,
# the page is also rendered headless at 1200 and 400 pixels wide, and the
# DOM it loaded is checked; otherwise that part is skipped.
#
# The report and the screenshots are kept in tmp_check/log/ (report.html,
# report-wide.png, report-narrow.png) for a person to look at.
#
# The binary is $SCALEUP_ADVISOR, or scaleup-advisor on the PATH.
# $SCALEUP_CHROMIUM names the browser; without it the first of chromium,
# chromium-browser and google-chrome on the PATH is used.
# $SCALEUP_TEST_PORT fixes the cluster's port.

use strict;
use warnings;

use File::Copy qw(copy);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $advisor = $ENV{SCALEUP_ADVISOR} // 'scaleup-advisor';
my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $log_dir = $PostgreSQL::Test::Utils::log_path;
my $hostile = '<script>alert(1)</script>';
my $hostile_escaped = '&lt;script&gt;alert(1)&lt;/script&gt;';

sub run_capture
{
	my ($command, $timeout_s) = @_;
	my ($stdout, $stderr) = ('', '');
	IPC::Run::run($command, '<', \undef, '>', \$stdout, '2>', \$stderr,
		IPC::Run::timeout($timeout_s // 180));
	return ($? >> 8, $stdout, $stderr);
}

sub write_file
{
	my ($path, $text) = @_;
	open(my $fh, '>', $path) or die "could not write $path: $!";
	print $fh $text;
	close($fh);
}

sub count_matches
{
	my ($text, $pattern) = @_;
	my $count = () = $text =~ /$pattern/g;
	return $count;
}

# Checks shared by the analyze report and the daemon's report.
sub check_self_contained
{
	my ($html, $what) = @_;
	ok($html =~ qr/\A<!DOCTYPE html>\n<html lang="en">/, "$what: HTML5 document");
	ok($html =~ qr{</html>\n\z}, "$what: complete");
	ok($html !~ qr/http/i, "$what: no http reference");
	ok($html !~ qr/\bsrc=/i, "$what: no src attribute");
	ok($html !~ qr/<link\b/i, "$what: no link element");
	ok($html !~ qr/<script\b/i, "$what: no script element");
	ok($html !~ qr/url\(|\@import/i, "$what: no style sheet import");
}

#
# A cluster with the collector and a workload.
#
my $node = PostgreSQL::Test::Cluster->new('report',
	$ENV{SCALEUP_TEST_PORT} ? (port => $ENV{SCALEUP_TEST_PORT}) : ());
$node->init;
$node->append_conf(
	'postgresql.conf', qq{
shared_preload_libraries = 'pg_scaleup'
compute_query_id = on
pg_scaleup.sample_rate = 1
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_scaleup');
my $has_hypopg = $node->safe_psql('postgres',
	q{SELECT count(*) FROM pg_available_extensions WHERE name = 'hypopg'});
$node->safe_psql('postgres', 'CREATE EXTENSION hypopg') if $has_hypopg;

$node->safe_psql(
	'postgres', qq{
CREATE TABLE blog_posts (
    id bigint PRIMARY KEY,
    author_id int NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL
);
INSERT INTO blog_posts
SELECT i, i % 500, 'Post number ' || i, repeat('lorem ipsum ', 40),
       timestamptz '2026-01-01' + i * interval '1 minute'
  FROM generate_series(1, 50000) i;
CREATE TABLE "$hostile" (id int, a int, payload text);
INSERT INTO "$hostile" SELECT i, i % 2000, 'x' FROM generate_series(1, 30000) i;
VACUUM ANALYZE;
SELECT scaleup.reset();
});

write_file("$tempdir/homepage.sql",
	"SELECT * FROM blog_posts ORDER BY created_at DESC LIMIT 10;\n");
write_file("$tempdir/hostile.sql",
	"\\set a random(0, 1999)\nSELECT id FROM \"$hostile\" WHERE a = :a;\n");
my ($rc, $stdout, $stderr) = run_capture(
	[
		'pgbench', '-n', '-h', $node->host, '-p', $node->port,
		'-c', '2', '-t', '60',
		'-f', "$tempdir/homepage.sql", '-f', "$tempdir/hostile.sql",
		'postgres'
	]);
is($rc, 0, 'pgbench workload ran') or diag($stderr);

#
# analyze --format html --output FILE
#
my $host = $node->host;
my $port = $node->port;
my $config = "$tempdir/advisor.yaml";
write_file(
	$config, qq{
interval: 1s
report: $tempdir/daemon-{target}.html
thresholds:
  min_calls: 5
  min_total_time: 0s
  min_gain_per_hour: 0s
targets:
  - name: shop
    conninfo: "host=$host port=$port dbname=postgres"
});

my $report = "$tempdir/report.html";
($rc, $stdout, $stderr) = run_capture(
	[ $advisor, '-c', $config, 'analyze', '--format', 'html', '--output', $report ]);
is($rc, 0, 'analyze --format html exits with 0') or diag($stderr);
is($stdout, '', 'analyze --output writes nothing on stdout');
ok(-s $report, 'report file written');
copy($report, "$log_dir/report.html");
my $html = -e $report ? slurp_file($report) : '';

check_self_contained($html, 'report');
ok($html =~ qr{<title>ScaleUp review: shop</title>}, 'title names the target');
ok($html =~ qr{<span>Target <b>shop</b></span>}, 'header names the target');
ok($html =~ qr{<span>Snapshot \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</span>},
	'header has the snapshot time');
ok($html =~ qr{<b>\d+</b><small>queries tracked, [\d,]+ calls</small>},
	'header counts the queries');

# Both workload queries are charted; blog_posts reads 50,000 rows per call.
ok($html =~ qr{<section id="queries">.*SELECT \* FROM blog_posts ORDER BY created_at DESC LIMIT \$1}s,
	'top queries chart shows the homepage query');
ok($html =~ qr{<section id="tables">.*<b>public\.blog_posts</b>.*<b>[\d,]+</b> rows read}s,
	'table chart shows blog_posts');

# The hostile name shows as text wherever it appears.
ok($html =~ qr{<b>public\.\Q$hostile_escaped\E</b>},
	'table chart shows the hostile name escaped');
ok($html =~ qr{SELECT id FROM &quot;\Q$hostile_escaped\E&quot; WHERE a = \$1},
	'query text with the hostile name is escaped');
ok($html !~ qr/alert\(1\)<\//, 'no raw closing tag of the hostile name');

# Each stored suggestion appears exactly once, under its id.
my @stored = split /\n/, $node->safe_psql('postgres',
	q{SELECT id FROM scaleup.suggestions WHERE target = 'shop' ORDER BY id});
cmp_ok(scalar(@stored), '>=', 1, 'analyze stored at least one suggestion');
for my $id (@stored)
{
	is(count_matches($html, qr/id="suggestion-$id"/), 1,
		"suggestion $id appears once");
}
my @cards = $html =~ /<article class="card[^"]*" id="suggestion-(\d+)">/g;
is(join(',', sort { $a <=> $b } @cards), join(',', @stored),
	'the cards are exactly the stored suggestions');
ok($html =~ qr{<pre class="code" aria-label="DDL"><code>CREATE INDEX CONCURRENTLY [^<]*blog_posts[^<]*created_at},
	'a card carries the blog_posts index DDL');

#
# The daemon rewrites its report after each cycle.
#
my $daemon_report = "$tempdir/daemon-shop.html";
my $daemon_log = '';
my $daemon = IPC::Run::start([ $advisor, '-c', $config, 'run' ],
	'<', \undef, '>', \$daemon_log, '2>&1');
for (my $i = 0; $i < 600 && !-s $daemon_report; $i++)
{
	usleep(100_000);
	$daemon->pump_nb;
}
$daemon->signal('TERM');
$daemon->finish;
ok(-s $daemon_report, 'daemon wrote its report') or diag($daemon_log);
ok(!-e "$daemon_report.tmp", 'daemon left no temporary report file');
my $daemon_html = -e $daemon_report ? slurp_file($daemon_report) : '';
check_self_contained($daemon_html, 'daemon report');
ok($daemon_html =~ qr{<span>Target <b>shop</b></span>},
	'daemon report names the target');

#
# Rendering in headless Chromium.
#
my $chromium = $ENV{SCALEUP_CHROMIUM};
if (!defined $chromium)
{
	for my $name (qw(chromium chromium-browser google-chrome))
	{
		my ($found) = grep { -x "$_/$name" } split /:/, ($ENV{PATH} // '');
		if ($found)
		{
			$chromium = "$found/$name";
			last;
		}
	}
}

SKIP:
{
	skip 'Chromium is not installed (apt-get install chromium); '
	  . 'the page was not rendered', 10
	  unless $chromium;

	# Options that keep the browser from reaching the network or a desktop
	# session; each run gets a fresh profile.
	my $profile = 0;
	my $browser = sub {
		my @args = @_;
		my $dir = "$tempdir/chromium-profile-" . ++$profile;
		mkdir $dir;
		# Chromium puts its singleton socket under TMPDIR.
		local $ENV{TMPDIR} = $tempdir;
		return run_capture(
			[
				$chromium, '--headless', '--no-sandbox',
				'--disable-gpu', '--no-first-run',
				'--disable-background-networking', '--disable-component-update',
				'--disable-sync', '--disable-quic',
				'--hide-scrollbars', "--user-data-dir=$dir",
				@args
			],
			180);
	};

	for my $shot ([ 'wide', 1200 ], [ 'narrow', 400 ])
	{
		my ($name, $width) = @$shot;
		my $png = "$log_dir/report-$name.png";
		unlink $png;
		my ($brc, $bout, $berr) = $browser->(
			"--screenshot=$png", "--window-size=$width,2000", "file://$report");
		is($brc, 0, "Chromium took the $name screenshot") or diag($berr);
		my $header = '';
		if (open(my $fh, '<:raw', $png))
		{
			read($fh, $header, 8);
			close($fh);
		}
		is($header, "\x89PNG\r\n\x1a\n", "$name screenshot is a PNG");
	}

	my ($brc, $dom, $berr) = $browser->(
		'--enable-logging=stderr', '--v=0', '--dump-dom', "file://$report");
	is($brc, 0, 'Chromium loaded the page') or diag($berr);
	ok($dom =~ qr{<section id="suggestions">}, 'loaded DOM has the suggestions');
	is(count_matches($dom, qr/<article /), scalar(@cards),
		'loaded DOM has every card');
	ok($dom =~ qr{public\.\Q$hostile_escaped\E}, 'loaded DOM shows the hostile name as text');
	ok($dom !~ qr/<script\b/i, 'loaded DOM has no script element');
	my @console = grep { /CONSOLE|Uncaught|SyntaxError/ } split /\n/, $berr;
	is(join("\n", @console), '', 'no script errors or console messages');
	note("screenshots: $log_dir/report-wide.png, $log_dir/report-narrow.png");
}

$node->stop;
done_testing();
