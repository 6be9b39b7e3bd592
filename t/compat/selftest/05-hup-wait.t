# TEST_NGINX_USE_HUP=1: a block's requests are sent only once the workers
# of the previous config have exited, not as soon as /ver answers the new
# config (nginx's master lets the old workers accept for 100 ms or more
# after the new ones start).  hup-wait.fixture keeps block 1's worker busy
# for 2 s after the reload; a runner that does not wait fails its checks.
# And the master reopens its logs (USR1) before it reloads (HUP), or what
# it says about the new config goes to the removed log: block 3 stops the
# master across both signals.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CompatSelfTest;

my $r = run_fixture('hup-wait.fixture', TEST_NGINX_USE_HUP => 1);
is($r->{rc}, 0, 'hup-wait.fixture passes in HUP mode')
    or diag($r->{out}, $r->{err});
my @res = tap_results($r->{out});
is(scalar(grep { !$_->[0] } @res), 0, 'no "not ok" lines')
    or diag($r->{out});

my %ok = map { $_->[2] => $_->[0] } @res;
my $p = "hup-wait.fixture TEST 2: second config, after block 1's worker has"
        . " exited";
ok($ok{"$p - response_body - response is expected (repeated req 0, req 0)"},
   "block 2 answered with its own config");
ok((grep { $_->[2] eq "block 1's workers have exited" && $_->[0] } @res),
   "block 1's workers had exited before block 2's request");
my $p3 = "hup-wait.fixture TEST 3: third config, its [warn] in the error log"
         . " after a reload";
ok($ok{"$p3 - pattern \"duplicate extension \"a\", content type: "
       . "\"text/html\"\" matches a line in error.log (req 0)"},
   "the [warn] of block 3's config is in the error log");

# the held request was answered by block 1's worker, after the reload
open my $fh, '<', "$r->{dir}/held.out"
    or die "$r->{dir}/held.out: $!\n$r->{out}$r->{err}";
my $held = do { local $/; <$fh> };
like($held, qr{\AHTTP/1\.1 200 .*\r\n\r\none\n\z}s,
     'the held request got the answer of block 1');

done_testing();
