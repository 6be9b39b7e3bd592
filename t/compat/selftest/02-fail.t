# The runner must report failures: each block of fail.fixture has exactly
# one assertion that has to come out "not ok".
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use CompatSelfTest;

my $r = run_fixture('fail.fixture');
my @res = tap_results($r->{out});
my %status = map { $_->[2] => $_->[0] } @res;

isnt($r->{rc}, 0, 'fail.fixture exits non-zero');

my $p = 'fail.fixture TEST';
my @must_fail = (
    "$p 1: wrong body - response_body - response is expected (repeated req 0, req 0)",
    "$p 2: wrong status - status code ok",
    "$p 3: wrong explicit status - status code ok",
    "$p 4: missing header - header X-Missing ok",
    "$p 5: header that must be absent is present - header Content-Type not present in the raw headers",
    "$p 6: wrong header value - header Content-Type ok",
    "$p 7: error_log pattern absent - pattern \"this line is never logged\" should match a line in error.log (req 0)",
    "$p 9: must_die but nginx starts - die as expected",
    "$p 10: must_die, error_log pattern absent - pattern \"this line is never logged\" should match a line in error.log (req 0)",
    "$p 11: must_die, wrong exit code - die with the expected exit code",
    "$p 13: response_headers_like mismatch - header Content-Type like ok",
    "$p 14: error_log regex absent - pattern \"(?^:never\\s+logged)\" should match a line in error.log (req 0)",
);
for my $name (@must_fail) {
    ok(exists $status{$name} && !$status{$name}, "not ok: $name")
        or diag($r->{out});
}

my @no_err = grep { /^\Q$p\E 8: .* - pattern "\[error\]" should not match any line in error\.log but matches line ".*\[error\].*" \(req 0\)$/ }
             map { $_->[2] } grep { !$_->[0] } @res;
is(scalar(@no_err), 1, 'not ok: no_error_log pattern that is present')
    or diag($r->{out});

my @like = grep { /^\Q$p\E 12: response_body_like mismatch - response_body_like - response is expected \(hello\)$/ }
           map { $_->[2] } grep { !$_->[0] } @res;
is(scalar(@like), 1, 'not ok: response_body_like mismatch');

# nothing else failed, and the passing assertions are still there
is(scalar(grep { !$_->[0] } @res), @must_fail + 2, 'exactly one failure per block')
    or diag($r->{out});
ok($status{"$p 1: wrong body - status code ok"}, 'status still ok when only the body is wrong');
ok($status{"$p 10: must_die, error_log pattern absent - die as expected"},
   'die as expected still ok');
like($r->{err}, qr/nginx must die but it does not/, 'warning for must_die that starts');

done_testing();
