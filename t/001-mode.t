# mta_sts_mode off | none | testing | enforce (RFC 8461, section 3.2:
# "mode" is one of the three policy modes, case-sensitive; section 5 says
# what each does).  Default off; a server inherits the http level's mode.

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

=== TEST 1: mta_sts_mode - enforce
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
Content-Length: 70
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 2: mta_sts_mode - testing
--- config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
Content-Length: 70
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 3: mta_sts_mode - none keeps its mx lines (RFC 8461, section 8.3: removing a policy)
--- config
    mta_sts_mode none;
    mta_sts_mx mail.example.com;
    mta_sts_max_age 1d;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: none\r\nmx: mail.example.com\r\nmax_age: 86400\r\n"
--- response_headers
Content-Type: text/plain
Content-Length: 66
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 4: mta_sts_mode - off serves nothing, even with mx set
--- config
    mta_sts_mode off;
    mta_sts_mx mail.example.com;
    location /.well-known/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 5: mta_sts_mode - off without anything else is valid
--- config
    mta_sts_mode off;
    location /.well-known/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body
site: /.well-known/mta-sts.txt
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 6: mta_sts_mode - set at http level, inherited by the server
--- http_config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
--- config
    # nothing at server level
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



=== TEST 7: mta_sts_mode - a server overrides the http level mode, keeps its mx
--- http_config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
--- config
    mta_sts_mode enforce;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 8: mta_sts_mode - a server turns the http level policy off
--- http_config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- config
    mta_sts_mode off;
    location /.well-known/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 9: mta_sts_mode - several servers, each its own mode: testing
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mode testing;
        mta_sts_mx mx.a.example;
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.b.example;
        mta_sts_mode enforce;
        mta_sts_mx mx.b.example;
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.c.example;
        location /.well-known/ {
            return 200 "site c: $uri\n";
        }
    }
--- config
    # nothing at server level
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.a.example
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mx.a.example\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 10: mta_sts_mode - several servers, each its own mode: enforce
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mode testing;
        mta_sts_mx mx.a.example;
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.b.example;
        mta_sts_mode enforce;
        mta_sts_mx mx.b.example;
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.c.example;
        location /.well-known/ {
            return 200 "site c: $uri\n";
        }
    }
--- config
    # nothing at server level
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.b.example
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mx.b.example\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 11: mta_sts_mode - several servers, the one without a mode serves nothing
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mode testing;
        mta_sts_mx mx.a.example;
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.b.example;
        mta_sts_mode enforce;
        mta_sts_mx mx.b.example;
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.c.example;
        location /.well-known/ {
            return 200 "site c: $uri\n";
        }
    }
--- config
    # nothing at server level
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.c.example
--- response_body
site c: /.well-known/mta-sts.txt
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 12: mta_sts_mode - the http level mode reaches every server that sets nothing
--- http_config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.b.example;
    }
--- config
    # nothing at server level
--- pipelined_requests eval
["GET /.well-known/mta-sts.txt", "GET /.well-known/mta-sts.txt"]
--- more_headers eval
["Host: mta-sts.a.example", "Host: mta-sts.b.example"]
--- response_body eval
["version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
 "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"]
--- error_code eval
[200, 200]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 13: mta_sts_mode - http level directives after the server blocks are inherited too
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
    }
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
--- config
    # nothing at server level
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.a.example
--- response_body eval
"version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]
