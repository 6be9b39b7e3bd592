# TEST_NGINX_USE_HUP=1: one nginx master (master_process on), reloaded with
# SIGHUP between blocks; every block still sees its own config.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CompatSelfTest;

my $r = run_fixture('hup.fixture', TEST_NGINX_USE_HUP => 1);
is($r->{rc}, 0, 'hup.fixture passes in HUP mode') or diag($r->{out}, $r->{err});
my @res = tap_results($r->{out});
is(scalar(@res), 8, '8 tests');
is(scalar(grep { $_->[0] } @res), 8, 'all pass (blocks 2 and 3 were reloads)');

open my $fh, '<', "$r->{servroot}/conf/nginx.conf" or die $!;
my $conf = do { local $/; <$fh> };
like($conf, qr/^master_process on;$/m, 'master_process on');
like($conf, qr/listen\ {10}$r->{port};\n\s+server_name\s+'Test-Nginx';
               \s+location\ =\ \/ver\ \{\s+return\ 200\ '\w{10}';/x,
     'config version server, on the same listen');

done_testing();
