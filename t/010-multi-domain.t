# Many domains from one server block: mta_sts_mode and mta_sts_mx with
# variables, fed by map and by regex server_name captures.  The policy is
# evaluated per request and checked by the same rules as a static one
# (RFC 8461, sections 3.2 and 4.1); an invalid one is never served.

use Test::Nginx::Socket 'no_plan';
use Digest::SHA qw(sha1_hex);

# the policy id: the first 32 hex digits of the body's SHA-1
sub id { return substr(sha1_hex($_[0]), 0, 32) }

sub body {
    my ($mode, $max_age, @mx) = @_;
    return "version: STSv1\r\nmode: $mode\r\n"
           . CORE::join('', map { "mx: $_\r\n" } @mx)
           . "max_age: $max_age\r\n";
}

our $Maps = <<'_EOC_';
    map $mta_sts_domain $tenant_mode {
        default      off;
        example.com  enforce;
        example.org  testing;
        example.net  none;
        bad-mode.example  Enforce;
        bad-mx.example    enforce;
        no-mx.example     testing;
        empty.example     "";
    }

    map $mta_sts_domain $tenant_mx {
        example.com       "mx1.example.com MX2.Example.com";
        example.org       "*.mail.example.org";
        example.net       "mail.example.net";
        bad-mode.example  "mail.example";
        bad-mx.example    "mail.example.com m*.example.com";
        no-mx.example     " ";
    }
_EOC_

our $Server = <<'_EOC_';
    mta_sts_mode $tenant_mode;
    mta_sts_mx   $tenant_mx;

    location = /id {
        return 200 "$mta_sts_domain $mta_sts_policy_id\n";
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: map - enforce, plain patterns, lowercased (RFC 8461, section 3.2)
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
main::body("enforce", 604800, "mx1.example.com", "mx2.example.com")
--- response_headers eval
"Content-Type: text/plain\nETag: \""
. main::id(main::body("enforce", 604800, "mx1.example.com",
                      "mx2.example.com")) . "\""
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 2: map - testing, a wildcard pattern (RFC 8461, section 4.1)
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.org
--- response_body eval
main::body("testing", 604800, "*.mail.example.org")
--- response_headers
Content-Type: text/plain
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 3: map - none
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.net
--- response_body eval
main::body("none", 604800, "mail.example.net")
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 4: map - a domain the maps do not know is left to the site
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.unknown.example
--- error_code: 404
--- response_body_like: 404 Not Found
--- no_error_log
[alert]
[emerg]
invalid mta_sts_mode
invalid mx pattern
no mx pattern



=== TEST 5: map - an empty mode is off
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.empty.example
--- error_code: 404
--- no_error_log
[alert]
[emerg]
invalid mta_sts_mode
invalid mx pattern
no mx pattern



=== TEST 6: map - an invalid mode is a 500 and a log line, never a policy
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.bad-mode.example
--- error_code: 500
--- response_body_like: 500 Internal Server Error
--- error_log eval
qr/\[error\] .*invalid mta_sts_mode "Enforce", it must be "off", "none", "testing" or "enforce", client: .*, server: localhost, .*host: "mta-sts\.bad-mode\.example"/
--- no_error_log
[alert]
[emerg]



=== TEST 7: map - an invalid mx pattern is a 500 and names the pattern (RFC 8461, section 4.1)
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.bad-mx.example
--- error_code: 500
--- error_log eval
qr/\[error\] .*invalid mx pattern "m\*\.example\.com": "\*" is allowed only as the whole left-most label, client: .*host: "mta-sts\.bad-mx\.example"/
--- no_error_log
[alert]
[emerg]



=== TEST 8: map - testing with only white space for mx is a 500 (RFC 8461, section 3.2)
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.no-mx.example
--- error_code: 500
--- error_log eval
qr/\[error\] .*no mx pattern for mta_sts_mode "testing", client: .*host: "mta-sts\.no-mx\.example"/
--- no_error_log
[alert]
[emerg]



=== TEST 9: map - $mta_sts_policy_id follows the evaluated policy
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /id
--- more_headers
Host: mta-sts.example.org
--- response_body eval
"example.org " . main::id(main::body("testing", 604800, "*.mail.example.org"))
. "\n"
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 10: map - $mta_sts_policy_id is empty for a domain that is off
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /id
--- more_headers
Host: mta-sts.unknown.example
--- response_body eval
"unknown.example \n"
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 11: map - If-None-Match with the evaluated ETag is a 304
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
GET /.well-known/mta-sts.txt
--- more_headers eval
"Host: mta-sts.example.net\nIf-None-Match: \""
. main::id(main::body("none", 604800, "mail.example.net")) . "\""
--- error_code: 304
--- response_body eval
""
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 12: map - HEAD and other methods
--- http_config eval
$::Maps
--- config eval
$::Server
--- request
POST /.well-known/mta-sts.txt
hello
--- more_headers
Host: mta-sts.example.com
--- error_code: 405
--- response_headers
Allow: GET, HEAD
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 13: the id changes with the evaluated mx
--- http_config
    map $arg_mx $tenant_mx {
        default  "mail.example.com";
        two      "mail.example.com backup.example.com";
    }
--- config
    mta_sts_mode enforce;
    mta_sts_mx   $tenant_mx;

    location = /id {
        return 200 "$mta_sts_policy_id\n";
    }
--- request eval
["GET /id", "GET /id?mx=two"]
--- more_headers
Host: mta-sts.example.com
--- response_body eval
[main::id(main::body("enforce", 604800, "mail.example.com")) . "\n",
 main::id(main::body("enforce", 604800, "mail.example.com",
                     "backup.example.com")) . "\n"]
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 14: a static mode with variable mx, duplicates listed once
--- http_config
    map $mta_sts_domain $tenant_mx {
        example.com  "B.example.com a.example.com b.example.com";
    }
--- config
    mta_sts_mode enforce;
    mta_sts_mx   a.example.com $tenant_mx;
    mta_sts_max_age 2w;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
main::body("enforce", 1209600, "a.example.com", "b.example.com")
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 15: a variable mode with static mx
--- http_config
    map $arg_mode $tenant_mode {
        default  testing;
        e        enforce;
        off      off;
    }
--- config
    mta_sts_mode $tenant_mode;
    mta_sts_mx   mail.example.com;
--- request eval
["GET /.well-known/mta-sts.txt", "GET /.well-known/mta-sts.txt?mode=e",
 "GET /.well-known/mta-sts.txt?mode=off"]
--- more_headers
Host: mta-sts.example.com
--- error_code eval
[200, 200, 404]
--- response_body_like eval
[qr/\Aversion: STSv1\r\nmode: testing\r\nmx: mail\.example\.com\r\n/,
 qr/\Aversion: STSv1\r\nmode: enforce\r\nmx: mail\.example\.com\r\n/,
 qr/404 Not Found/]
--- no_error_log
[alert]
[emerg]



=== TEST 16: a regex server_name capture feeds mta_sts_mx
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name ~^mta-sts\.(?<policy_domain>[a-z0-9-]+\.example)$;

        mta_sts_mode enforce;
        mta_sts_mx   mx.$policy_domain *.mx.provider.example;
        mta_sts_max_age 1d;
    }
--- config
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.shop.example
--- response_body eval
main::body("enforce", 86400, "mx.shop.example", "*.mx.provider.example")
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 17: a regex capture that makes an invalid pattern is a 500
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name ~^mta-sts\.(?<policy_domain>.+)$;

        mta_sts_mode enforce;
        mta_sts_mx   mx.${policy_domain};
    }
--- config
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.192.0.2.1
--- error_code: 500
--- error_log eval
qr/\[error\] .*invalid mx pattern "mx\.192\.0\.2\.1": an IP address is not a host name/
--- no_error_log
[alert]
[emerg]



=== TEST 18: variable directives at http level reach every server
--- http_config eval
$::Maps . <<'_EOC_';
    mta_sts_mode $tenant_mode;
    mta_sts_mx   $tenant_mx;

    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.example.com mta-sts.example.org;
    }
_EOC_
--- config
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
main::body("enforce", 604800, "mx1.example.com", "mx2.example.com")
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 19: variable directives at http level, another domain
--- http_config eval
$::Maps . <<'_EOC_';
    mta_sts_mode $tenant_mode;
    mta_sts_mx   $tenant_mx;

    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.example.com mta-sts.example.org;
    }
_EOC_
--- config
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.org
--- response_body eval
main::body("testing", 604800, "*.mail.example.org")
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 20: a policy with variables larger than 64000 bytes is a 500 (RFC 8461, section 3.3)
--- config
    large_client_header_buffers 4 128k;

    mta_sts_mode enforce;
    mta_sts_mx   $http_x_mx;
--- request
GET /.well-known/mta-sts.txt
--- more_headers eval
"Host: mta-sts.example.com\nX-MX: "
. CORE::join(' ', map { ('a' x 63) . '.' . ('b' x 63) . '.' . ('c' x 63)
                  . sprintf('.x%03d', $_) } 1 .. 330)
--- error_code: 500
--- error_log eval
qr/\[error\] .*MTA-STS policy is larger than 64000 bytes/
--- no_error_log
[alert]
[emerg]
