# mta_sts_mx pattern ...; (RFC 8461, section 3.2: one "mx" line per
# pattern; section 4.1: a host name, or "*." and a host name, matched
# case-insensitively).  Several per line and repeatable, served lowercased
# in the configured order; a server that sets any replaces the inherited
# list.

use Test::Nginx::Socket 'no_plan';

# These blocks serve policies over plain HTTP on purpose: the listener
# check (t/012-check.t) is off here, as where TLS ends in front of nginx.
add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("http_config", ($block->http_config // "")
                      . "\n    mta_sts_check_listener off;\n");
});

run_tests();

__DATA__

=== TEST 1: mta_sts_mx - one pattern
--- config
    mta_sts_mode enforce;
    mta_sts_mx mx1.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 2: mta_sts_mx - several patterns on one line keep their order
--- config
    mta_sts_mode enforce;
    mta_sts_mx mx2.example.com mx1.example.com backup.example.org;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: mx2.example.com\r\nmx: mx1.example.com\r\nmx: backup.example.org\r\n"
. "max_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 3: mta_sts_mx - repeated directives append, in order
--- config
    mta_sts_mode enforce;
    mta_sts_mx mx2.example.com;
    mta_sts_mx mx1.example.com mx3.example.com;
    mta_sts_mx backup.example.org;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: mx2.example.com\r\nmx: mx1.example.com\r\nmx: mx3.example.com\r\n"
. "mx: backup.example.org\r\n"
. "max_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 4: mta_sts_mx - wildcard pattern (RFC 8461, section 4.1)
--- config
    mta_sts_mode enforce;
    mta_sts_mx *.mx.example.net mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: *.mx.example.net\r\nmx: mail.example.com\r\n"
. "max_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 5: mta_sts_mx - patterns are served lowercased
--- config
    mta_sts_mode enforce;
    mta_sts_mx MAIL.Example.COM *.MX.Example.Net;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: mail.example.com\r\nmx: *.mx.example.net\r\n"
. "max_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 6: mta_sts_mx - A-labels, digits and inner hyphens are valid
--- config
    mta_sts_mode enforce;
    mta_sts_mx mx.xn--bcher-kva.example 10.mx-1.example.com a.b-c.example.co.uk;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: mx.xn--bcher-kva.example\r\nmx: 10.mx-1.example.com\r\n"
. "mx: a.b-c.example.co.uk\r\n"
. "max_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 7: mta_sts_mx - a 63-character label is valid (RFC 5321, section 4.5.3.1.2)
--- config eval
"    mta_sts_mode enforce;\n"
. "    mta_sts_mx " . ("a" x 63) . ".example.com;\n"
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: " . ("a" x 63) . ".example.com\r\n"
. "max_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 8: mta_sts_mx - a 253-character name is valid
--- config eval
"    mta_sts_mode enforce;\n"
. "    mta_sts_mx " . CORE::join(".", "a" x 63, "b" x 63, "c" x 63, "d" x 61) . ";\n"
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: " . CORE::join(".", "a" x 63, "b" x 63, "c" x 63, "d" x 61) . "\r\n"
. "max_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 9: mta_sts_mx - a wildcard under a 2-label domain gives no warning
--- config
    mta_sts_mode enforce;
    mta_sts_mx *.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: *.example.com\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 10: mta_sts_mx - the http level list is inherited
--- http_config
    mta_sts_mx mx1.example.com mx2.example.com;
--- config
    mta_sts_mode enforce;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: mx1.example.com\r\nmx: mx2.example.com\r\n"
. "max_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 11: mta_sts_mx - a server's list replaces the http level list
--- http_config
    mta_sts_mode enforce;
    mta_sts_mx mx1.example.com mx2.example.com;
--- config
    mta_sts_mx other.example.org;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: other.example.org\r\n"
. "max_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 12: mta_sts_mx - a pattern repeated from the http level in a server is no duplicate
--- http_config
    mta_sts_mode enforce;
    mta_sts_mx mx1.example.com;
--- config
    mta_sts_mx mx2.example.com mx1.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: mx2.example.com\r\nmx: mx1.example.com\r\n"
. "max_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 13: mta_sts_mx - duplicates are served once, first place kept
--- config
    mta_sts_mode enforce;
    mta_sts_mx mx1.example.com mx2.example.com;
    mta_sts_mx MX1.example.com mx3.example.com mx2.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: mx1.example.com\r\nmx: mx2.example.com\r\nmx: mx3.example.com\r\n"
. "max_age: 604800\r\n"
--- error_log eval
[qr/\[warn\] .*?mx pattern "MX1\.example\.com" is duplicate, it is served once in \S+:\d+/,
 qr/\[warn\] .*?mx pattern "mx2\.example\.com" is duplicate, it is served once in \S+:\d+/]
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 14: mta_sts_mx - several servers, each its own list
--- http_config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mx mx.a.example;
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.b.example;
        mta_sts_mx mx1.b.example mx2.b.example;
    }
--- config
    server_name mta-sts.example.com;
--- pipelined_requests eval
["GET /.well-known/mta-sts.txt", "GET /.well-known/mta-sts.txt",
 "GET /.well-known/mta-sts.txt"]
--- more_headers eval
["Host: mta-sts.a.example", "Host: mta-sts.b.example",
 "Host: mta-sts.example.com"]
--- error_code eval
[200, 200, 200]
--- response_body eval
["version: STSv1\r\nmode: enforce\r\nmx: mx.a.example\r\nmax_age: 604800\r\n",
 "version: STSv1\r\nmode: enforce\r\nmx: mx1.b.example\r\nmx: mx2.b.example\r\nmax_age: 604800\r\n",
 "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]
