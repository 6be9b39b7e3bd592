# mta_sts_tlsrpt: at most 64 names in one JSON object (our cap, beside
# the nesting cap).  RFC 8460, section 4.4 defines objects of a dozen
# members at most, and I-JSON (RFC 7493, section 2.3, as RFC 8460
# section 4 asks) has every name of an object checked against the others:
# a report over the cap is refused with 400 before its names can cost a
# worker more than 64 lookups each.

use Test::Nginx::Socket 'no_plan';
use IO::Compress::Gzip qw(gzip $GzipError);

our $RANGE = '"date-range":{"start-datetime":"2024-01-01T00:00:00Z",'
           . '"end-datetime":"2024-01-01T23:59:59Z"}';

# a report of N names at its top: the five it needs and N - 5 more
sub report {
    my ($n, $extra) = @_;
    return '{"organization-name":"Example",' . $RANGE
        . ',"contact-info":"tlsrpt@example.org","report-id":"r' . $n . '",'
        . '"policies":[{"policy":{"policy-type":"sts",'
        . '"policy-domain":"example.com"}' . ($extra // "") . '}]'
        . join("", map { qq(,"x-$_":0) } 1 .. $n - 5) . '}';
}

# an object of N names
sub object { '{' . join(",", map { qq("n$_":$_) } 1 .. $_[0]) . '}' }

sub gz {
    my ($in) = @_;
    my $out;
    gzip(\$in => \$out, Minimal => 1) or die $GzipError;
    return $out;
}

our $DIR = html_dir() . "/tlsrpt";

add_block_preprocessor(sub {
    my $block = shift;

    if (!defined $block->init) {
        $block->set_value("init", 'system("rm", "-rf", $::DIR) == 0 '
                          . 'or die; mkdir $::DIR or die "$::DIR: $!";');
    }

    if (!defined $block->user_files) {
        $block->set_value("user_files", ">>> tlsrpt/.keep\n");
    }

    if (!defined $block->config) {
        $block->set_value("config", <<'END');
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
END
    }
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: 64 names at the top of a report - 201, stored
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz(::report(64))
--- error_code: 201
--- response_headers
X-Result: stored
--- no_error_log
[error]
[alert]
[crit]



=== TEST 2: 65 names at the top of a report - 400
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz(::report(65))
--- error_code: 400
--- response_headers
X-Result: invalid
--- error_log
TLS report refused: too many names in one JSON object
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: 64 names in an object the receiver ignores - 201
--- request eval
"POST /.well-known/tlsrpt\n"
. ::gz(::report(5, ',"summary":{},"extension":' . ::object(64)))
--- error_code: 201
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: 65 names in an object the receiver ignores - 400, the cap is on every object
--- request eval
"POST /.well-known/tlsrpt\n"
. ::gz(::report(5, ',"summary":{},"extension":' . ::object(65)))
--- error_code: 400
--- error_log
TLS report refused: too many names in one JSON object
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: 64 names in each of many objects - 201, each object counts its own
--- request eval
"POST /.well-known/tlsrpt\n"
. ::gz(::report(5, ',"failure-details":['
              . CORE::join(",", map { ::object(64) } 1 .. 100) . ']'))
--- error_code: 201
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: a hostile object of 200,000 names in 1 MB of JSON - 400 at the 65th
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz('{"x":' . ::object(200000) . '}')
--- error_code: 400
--- response_headers
X-Result: invalid
--- error_log
TLS report refused: too many names in one JSON object
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: a duplicate name below the cap is still not JSON (I-JSON, RFC 7493, section 2.3)
--- request eval
"POST /.well-known/tlsrpt\n"
. ::gz(::report(5, ',"extension":{"a":1,"a":2}'))
--- error_code: 400
--- error_log
TLS report refused: not JSON
--- no_error_log
[error]
[alert]
[crit]
