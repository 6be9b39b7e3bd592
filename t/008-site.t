# The site is untouched: the policy is answered in the server rewrite
# phase, before the site's server-level return/rewrite, location matching,
# access checks and content handlers, and nothing else is taken from the
# site.  (RFC 8461, section 3.3: senders do not follow redirects and only
# a 200 counts, so a site-wide redirect or login must not catch the
# policy.)

use Test::Nginx::Socket 'no_plan';

# These blocks serve policies over plain HTTP on purpose: the listener
# check (t/012-check.t) is off here, as where TLS ends in front of nginx.
add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("http_config", ($block->http_config // "")
                      . "\n    mta_sts_check_listener off;\n");
});

no_root_location();

run_tests();

__DATA__

=== TEST 1: the site's locations still answer on the policy host
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location / {
        return 200 "site: $uri\n";
    }
--- request eval
["GET /.well-known/mta-sts.txt", "GET /index.html"]
--- more_headers
Host: mta-sts.example.com
--- error_code eval
[200, 200]
--- response_body eval
["version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
 "site: /index.html\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 2: other well-known URIs (an ACME challenge) stay the site's
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location /.well-known/acme-challenge/ {
        return 200 "acme: $uri\n";
    }
--- request
GET /.well-known/acme-challenge/Xy_z-1
--- more_headers
Host: mta-sts.example.com
--- response_body
acme: /.well-known/acme-challenge/Xy_z-1
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 3: a server-level return 301 does not catch the policy (RFC 8461, section 3.3)
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    return 301 https://www.example.com$request_uri;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- error_code: 200
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
!Location
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 4: a server-level return 301 still redirects every other URI
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    return 301 https://www.example.com$request_uri;
--- request
GET /about?x=1
--- more_headers
Host: mta-sts.example.com
--- error_code: 301
--- response_headers
Location: https://www.example.com/about?x=1
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 5: a server-level return 301 still redirects the well-known URI on other hosts
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    return 301 https://www.example.com$request_uri;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: example.com
--- error_code: 301
--- response_headers
Location: https://www.example.com/.well-known/mta-sts.txt
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 6: an http to https redirect does not catch the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    return 301 https://$host$request_uri;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- error_code: 200
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 7: a server-level rewrite ... permanent does not catch the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    rewrite ^ https://www.example.com$request_uri? permanent;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- error_code: 200
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 8: a server-level rewrite of the well-known URI does not catch the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    rewrite ^/\.well-known/mta-sts\.txt$ /elsewhere last;
    location = /elsewhere {
        return 200 "elsewhere\n";
    }
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



=== TEST 9: a catch-all proxy_pass does not catch the policy (the upstream is never asked)
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location / {
        proxy_pass http://127.0.0.1:1/;
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 10: a catch-all try_files to an application does not catch the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location / {
        try_files $uri @app;
    }
    location @app {
        return 200 "app: $uri\n";
    }
--- request eval
["GET /.well-known/mta-sts.txt", "GET /page"]
--- more_headers
Host: mta-sts.example.com
--- error_code eval
[200, 200]
--- response_body eval
["version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
 "app: /page\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 11: server-level auth_basic does not block the policy
--- user_files
>>> htpasswd
admin:{PLAIN}secret
>>> page.html
site page
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    auth_basic "private";
    auth_basic_user_file $TEST_NGINX_SERVER_ROOT/html/htpasswd;
    location / {
        root $TEST_NGINX_SERVER_ROOT/html;
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- error_code: 200
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
!WWW-Authenticate
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 12: server-level auth_basic still protects every other URI
--- user_files
>>> htpasswd
admin:{PLAIN}secret
>>> page.html
site page
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    auth_basic "private";
    auth_basic_user_file $TEST_NGINX_SERVER_ROOT/html/htpasswd;
    location / {
        root $TEST_NGINX_SERVER_ROOT/html;
    }
--- request
GET /page.html
--- more_headers
Host: mta-sts.example.com
--- error_code: 401
--- response_headers
WWW-Authenticate: Basic realm="private"
--- no_error_log
[alert]
[emerg]
[warn]



=== TEST 13: server-level deny all does not block the policy
--- user_files
>>> page.html
site page
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    deny all;
    location / {
        root $TEST_NGINX_SERVER_ROOT/html;
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- error_code: 200
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 14: server-level deny all still denies every other URI
--- user_files
>>> page.html
site page
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    deny all;
    location / {
        root $TEST_NGINX_SERVER_ROOT/html;
    }
--- request
GET /page.html
--- more_headers
Host: mta-sts.example.com
--- error_code: 403
--- error_log
access forbidden by rule
--- no_error_log
[alert]
[emerg]
[warn]



=== TEST 15: a location denying /.well-known/ does not block the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location /.well-known/ {
        deny all;
    }
    location ~ \.txt$ {
        return 403;
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- error_code: 200
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 16: a hand-made policy location is overridden when the mode is on
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location = /.well-known/mta-sts.txt {
        return 200 "old\n";
    }
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



=== TEST 17: a hand-made policy location answers when the mode is off
--- config
    mta_sts_mode off;
    mta_sts_mx mail.example.com;
    location = /.well-known/mta-sts.txt {
        return 200 "old\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body
old
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 18: one server for the site and the policy host: each host gets its own
--- config
    server_name example.com mta-sts.example.com;
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location = /.well-known/mta-sts.txt {
        return 200 "old\n";
    }
--- pipelined_requests eval
["GET /.well-known/mta-sts.txt", "GET /.well-known/mta-sts.txt"]
--- more_headers eval
["Host: example.com", "Host: mta-sts.example.com"]
--- error_code eval
[200, 200]
--- response_body eval
["old\n",
 "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]
