# Without shared_preload_libraries the extension installs, and its first use
# raises an error whose hint says how to fix the configuration.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('main');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION pg_scaleup');

my %reads = (
	'scaleup.queries' => 'SELECT count(*) FROM scaleup.queries',
	'scaleup.scans' => 'SELECT count(*) FROM scaleup.scans',
	'scaleup.projections' => 'SELECT count(*) FROM scaleup.projections',
	'scaleup.info()' => 'SELECT * FROM scaleup.info()',
	'scaleup.reset()' => 'SELECT scaleup.reset()');

foreach my $name (sort keys %reads)
{
	my ($ret, $stdout, $stderr) =
	  $node->psql('postgres', $reads{$name}, extra_params => ['-v', 'VERBOSITY=default']);
	is($ret, 3, "$name fails without the preload");
	like(
		$stderr,
		qr/ERROR:  pg_scaleup must be loaded via shared_preload_libraries/,
		"$name names the missing preload");
	like(
		$stderr,
		qr/HINT:  Add pg_scaleup to shared_preload_libraries in postgresql.conf and restart the server\./,
		"$name hints at the fix");
}

# Ordinary statements are unaffected.
is($node->safe_psql('postgres', 'SELECT 1 + 1'), '2',
	'queries run normally without the preload');

# Adding the preload and restarting makes the same reads work.
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_scaleup'");
$node->restart;
is($node->safe_psql('postgres', 'SELECT count(*) >= 0 FROM scaleup.queries'),
	't', 'the views work after adding the preload');

$node->stop;
done_testing();
