# mta_sts_max_age time; (RFC 8461, section 3.2: "max_age" in seconds, at
# most 31557600).  nginx time syntax, default 1w; a server inherits the
# http level's value.

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

=== TEST 1: mta_sts_max_age - default is one week
--- config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 2: mta_sts_max_age - plain seconds
--- config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 86401;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 86401\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 3: mta_sts_max_age - days
--- config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 30d;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 2592000\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 4: mta_sts_max_age - weeks
--- config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 2w;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 1209600\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 5: mta_sts_max_age - combined units
--- config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
    mta_sts_max_age "1d 12h 30m 15s";
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 131415\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 6: mta_sts_max_age - nginx's year is 365 days
--- config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 1y;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 31536000\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 7: mta_sts_max_age - 31557600 is the largest value (RFC 8461, section 3.2)
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 31557600;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 31557600\r\n"
--- response_headers
Content-Length: 72
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 8: mta_sts_max_age - 0 is valid (RFC 8461, section 3.2 sets no minimum)
--- config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 0;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 0\r\n"
--- response_headers
Content-Length: 65
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 9: mta_sts_max_age - set at http level, inherited by the server
--- http_config
    mta_sts_max_age 2d;
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 172800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 10: mta_sts_max_age - a server overrides the http level value
--- http_config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 2d;
--- config
    mta_sts_max_age 10d;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 864000\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 11: mta_sts_max_age - several servers, each its own value
--- http_config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_max_age 1d;
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.b.example;
        mta_sts_max_age 3600;
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
["version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 86400\r\n",
 "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 3600\r\n",
 "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]
