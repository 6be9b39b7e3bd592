# A fixture that exercises every implemented section must pass completely,
# with the test names the real Test::Nginx uses.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CompatSelfTest;

my $r = run_fixture('pass.fixture');
my @res = tap_results($r->{out});
my @failed = grep { !$_->[0] } @res;

is($r->{rc}, 0, 'pass.fixture exits 0') or diag($r->{out}, $r->{err});
is(scalar(@failed), 0, 'no "not ok" lines')
    or diag(join "\n", map { $_->[2] } @failed);
like($r->{out}, qr/^1\.\.(\d+)$/m, 'no_plan prints a plan at the end');

my %names = map { $_->[2] => 1 } @res;
my $p = 'pass.fixture TEST';
for my $want (
    "$p 1: plain return, Host override, header presence and absence - status code ok",
    "$p 1: plain return, Host override, header presence and absence - header Content-Type ok",
    "$p 1: plain return, Host override, header presence and absence - header ETag not present in the raw headers",
    "$p 1: plain return, Host override, header presence and absence - response_body - response is expected (repeated req 0, req 0)",
    "$p 1: plain return, Host override, header presence and absence - pattern \"[error]\" does not match a line in error.log (req 0)",
    "$p 5: chunked responses are de-chunked - header Transfer-Encoding ok",
    "$p 6: regex checks and another status - header Server like ok",
    "$p 11: eval filters, several requests - response_body - response is expected (repeated req 0, req 1)",
    "$p 13: must_die with an emerg from config parsing - die as expected",
    "$p 14: must_die with an exit code - die with the expected exit code",
    "$p 14: must_die with an exit code - pattern \"unknown directive \"no_such_directive_here\"\" matches a line in error.log (req 0)",
) {
    ok($names{$want}, "test named: $want");
}

ok(!grep({ $_->[2] =~ /TEST 10:/ } @res), 'SKIP block did not run');

# 14 blocks minus the skipped one; per-block counts as in the real module
my %per_block = (1 => 8, 2 => 2, 3 => 2, 4 => 3, 5 => 4, 6 => 4, 7 => 2,
                 8 => 5, 9 => 2, 11 => 4, 12 => 4, 13 => 3, 14 => 2);
my %got;
$got{$_}++ for map { $_->[2] =~ /TEST (\d+):/ ? $1 : () } @res;
is_deeply(\%got, \%per_block, 'number of tests per block');

# the generated nginx.conf (last block) has the real module's layout
open my $fh, '<', "$r->{servroot}/conf/nginx.conf" or die $!;
my $conf = do { local $/; <$fh> };
like($conf, qr/^worker_processes  1;\ndaemon on;\nmaster_process off;\n/,
     'conf starts like the real one');
like($conf, qr{^error_log \Q$r->{servroot}\E/logs/error\.log debug;$}m,
     'error_log at debug level');
# "listen <port>;" (all addresses), exactly as the real module writes it
like($conf, qr/^        listen          $r->{port};$/m, 'listen on the port');
like($conf, qr/server_name\s+'localhost';/, 'server_name localhost');
like($conf, qr/default_type text\/plain;\n    keepalive_timeout  68;/,
     'http defaults');
like($conf, qr/client_max_body_size 30M;/, 'client_max_body_size');
like($conf, qr{location / \{\n\s+root \Q$r->{servroot}\E/html;\n\s+index index\.html index\.htm;},
     'root location');
like($conf, qr/^user root;$/m, 'user root when running as root') if $> == 0;

done_testing();
