# A "plan tests => ..." computed for the real Test::Nginx matches ours;
# repeat_each, ONLY, load_module and the shuffled order work.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CompatSelfTest;

# all runs are independent (own port and server root): start them together
my @jobs = (
    start_fixture('plan.fixture'),
    start_fixture('only.fixture'),
    start_fixture('loadmod.fixture', TEST_NGINX_LOAD_MODULES =>
                  ' /nonexistent/compat_a.so  /nonexistent/compat_b.so '),
    start_fixture('shuffle.fixture', TEST_NGINX_NO_SHUFFLE => 1),
    map { start_fixture('shuffle.fixture') } 1 .. 3,
);
my ($plan, $only, $loadmod, $fixed, @shuffled) = map { finish_fixture($_) } @jobs;

my $r = $plan;
is($r->{rc}, 0, 'plan.fixture passes with its explicit plan')
    or diag($r->{out}, $r->{err});
like($r->{out}, qr/^1\.\.20$/m, 'plan 1..20');
my @res = tap_results($r->{out});
is(scalar(grep { $_->[0] } @res), 20, '20 passing tests');
is(scalar(grep { $_->[2] =~ /\(repeated req 1, req 0\)$/ } @res), 3,
   'repeat_each(2) repeats every block');
like($r->{out}, qr/pattern "\[error\]" does not match a line in error\.log \(req 1\)/,
     'error log checked per repetition');

$r = $only;
is($r->{rc}, 0, 'only.fixture passes') or diag($r->{out}, $r->{err});
@res = tap_results($r->{out});
is(scalar(@res), 2, 'only the ONLY block ran');
like($r->{err}, qr/I found ONLY/, 'ONLY is reported');

$r = $loadmod;
is($r->{rc}, 0, 'loadmod.fixture passes') or diag($r->{out}, $r->{err});
open my $fh, '<', "$r->{servroot}/conf/nginx.conf" or die $!;
my $conf = do { local $/; <$fh> };
like($conf, qr{^load_module /nonexistent/compat_a\.so; load_module /nonexistent/compat_b\.so;$}m,
     'load_module lines, placed where the real module puts them');
like($conf, qr{load_module[^\n]*\n\s*http \{}s, 'before the http block');

# blocks are shuffled unless no_shuffle()/TEST_NGINX_NO_SHUFFLE: look at
# the order of the TEST numbers of a 5-block file (three runs all have the
# same order with probability 1/14400)
sub order_of {
    my %seen;
    return join ',', grep { !$seen{$_}++ }
                     map { $_->[2] =~ /TEST (\d+):/ ? $1 : () }
                     tap_results($_[0]->{out});
}
is(order_of($fixed), '1,2,3,4,5', 'TEST_NGINX_NO_SHUFFLE=1 keeps the order');
my %orders;
for my $x (@shuffled) {
    is($x->{rc}, 0, 'shuffled run passes') or diag($x->{out}, $x->{err});
    $orders{ order_of($x) }++;
}
ok(keys %orders > 1, 'blocks are shuffled by default')
    or diag(join ' | ', keys %orders);

done_testing();
