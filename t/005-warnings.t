# Warnings: nginx starts and serves the policy, but says at startup what
# real senders may dislike, and where ("... in file:line").

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

=== TEST 1: duplicate mx pattern - served once
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com backup.example.com mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: mail.example.com\r\nmx: backup.example.com\r\n"
. "max_age: 604800\r\n"
--- error_log eval
qr/\[warn\] .*?mx pattern "mail\.example\.com" is duplicate, it is served once in \S+:\d+/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 2: duplicate mx pattern - case-insensitive (RFC 8461, section 4.1), on another line
--- user_files
>>> mta-sts.conf
mta_sts_mode enforce;
mta_sts_mx mail.example.com;
mta_sts_mx backup.example.com;
mta_sts_mx Mail.Example.COM;
--- config
    include $TEST_NGINX_SERVER_ROOT/html/mta-sts.conf;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. "mx: mail.example.com\r\nmx: backup.example.com\r\n"
. "max_age: 604800\r\n"
--- error_log eval
qr/\[warn\] .*?mx pattern "Mail\.Example\.COM" is duplicate, it is served once in \S+\/mta-sts\.conf:4$/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 3: duplicate mx pattern - at http level, served once by the server
--- http_config
    mta_sts_mx mail.example.com *.mx.example.net;
    mta_sts_mx *.MX.example.net;
--- config
    mta_sts_mode testing;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\n"
. "mx: mail.example.com\r\nmx: *.mx.example.net\r\n"
. "max_age: 604800\r\n"
--- error_log eval
qr/\[warn\] .*?mx pattern "\*\.MX\.example\.net" is duplicate, it is served once in \S+:\d+/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 4: mode none without mx - served without mx lines, warned at the mta_sts_mode line
--- user_files
>>> mta-sts.conf
# line 1
mta_sts_max_age 1d;
mta_sts_mode none;
--- config
    include $TEST_NGINX_SERVER_ROOT/html/mta-sts.conf;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n"
--- response_headers
Content-Type: text/plain
Content-Length: 44
--- error_log eval
qr/\[warn\] .*?no "mta_sts_mx" is defined for mta_sts_mode "none", some senders reject a policy without mx in \S+\/mta-sts\.conf:3$/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 5: mode none without mx - set at http level, inherited
--- http_config
    mta_sts_mode none;
--- config
    # nothing at server level
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: none\r\nmax_age: 604800\r\n"
--- error_log eval
qr/\[warn\] .*?no "mta_sts_mx" is defined for mta_sts_mode "none", some senders reject a policy without mx in \S+:\d+/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 6: max_age less than a day in enforce mode - warned at the mta_sts_max_age line
--- user_files
>>> mta-sts.conf
mta_sts_mode enforce;
mta_sts_mx mail.example.com;
mta_sts_max_age 1h;
# line 4
--- config
    include $TEST_NGINX_SERVER_ROOT/html/mta-sts.conf;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 3600\r\n"
--- error_log eval
qr/\[warn\] .*?mta_sts_max_age of 3600 seconds is less than a day for mta_sts_mode "enforce" in \S+\/mta-sts\.conf:3$/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 7: max_age less than a day - inherited from http level, the http line is named
--- user_files
>>> http.conf
# line 1
# line 2
mta_sts_max_age 600;
--- http_config
    include $TEST_NGINX_SERVER_ROOT/html/http.conf;
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 600\r\n"
--- error_log eval
qr/\[warn\] .*?mta_sts_max_age of 600 seconds is less than a day for mta_sts_mode "enforce" in \S+\/http\.conf:3$/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 8: max_age 0 in enforce mode
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 0;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 0\r\n"
--- error_log eval
qr/\[warn\] .*?mta_sts_max_age of 0 seconds is less than a day for mta_sts_mode "enforce" in \S+:\d+/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 9: max_age 86399 in enforce mode is less than a day
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 86399;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86399\r\n"
--- error_log eval
qr/\[warn\] .*?mta_sts_max_age of 86399 seconds is less than a day for mta_sts_mode "enforce" in \S+:\d+/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 10: max_age of exactly a day in enforce mode - no warning
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 1d;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 11: short max_age in testing mode - no warning
--- config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 5m;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 300\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 12: short max_age in none mode - no warning (RFC 8461, section 8.3)
--- config
    mta_sts_mode none;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 5m;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: none\r\nmx: mail.example.com\r\nmax_age: 300\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 13: wildcard directly under a top-level domain
--- config
    mta_sts_mode enforce;
    mta_sts_mx *.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: *.com\r\nmax_age: 604800\r\n"
--- error_log eval
qr/\[warn\] .*?mx pattern "\*\.com" matches any host directly under a top-level domain in \S+:\d+/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 14: wildcard directly under a top-level domain - named as written, served lowercased
--- config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com *.NET;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\n"
. "mx: mail.example.com\r\nmx: *.net\r\n"
. "max_age: 604800\r\n"
--- error_log eval
qr/\[warn\] .*?mx pattern "\*\.NET" matches any host directly under a top-level domain in \S+:\d+/
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 15: several warnings at once
--- config
    mta_sts_mode enforce;
    mta_sts_mx *.org *.org;
    mta_sts_max_age 1h;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: *.org\r\nmax_age: 3600\r\n"
--- error_log eval
[qr/\[warn\] .*?mx pattern "\*\.org" matches any host directly under a top-level domain in \S+:\d+/,
 qr/\[warn\] .*?mx pattern "\*\.org" is duplicate, it is served once in \S+:\d+/,
 qr/\[warn\] .*?mta_sts_max_age of 3600 seconds is less than a day for mta_sts_mode "enforce" in \S+:\d+/]
--- no_error_log
[error]
[alert]
[emerg]
