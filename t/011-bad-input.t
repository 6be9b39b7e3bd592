# Bad input: what senders, scanners and broken clients send.  nginx
# refuses what it cannot parse before the module is asked; what it does
# pass on gets the policy or the site, never a crash, never a mix.

use Test::Nginx::Socket 'no_plan';

our $Policy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
              . "max_age: 604800\r\n";

our $Config = <<'_EOC_';
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;

    location / {
        return 200 "site\n";
    }
_EOC_

no_root_location();
run_tests();

__DATA__

=== TEST 1: a very long URI is refused by nginx (414), not the module's
--- config eval
$::Config
--- request eval
"GET /.well-known/mta-sts.txt?" . ("a" x 9000)
--- more_headers
Host: mta-sts.example.com
--- error_code: 414
--- no_error_log
[alert]
[emerg]
[crit]



=== TEST 2: a long query string within nginx's limits still gets the policy
--- config eval
$::Config
--- request eval
"GET /.well-known/mta-sts.txt?" . ("a" x 7000)
--- more_headers
Host: mta-sts.example.com
--- response_body eval
$::Policy
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 3: a very long header is refused by nginx (400)
--- config eval
$::Config
--- request
GET /.well-known/mta-sts.txt
--- more_headers eval
"Host: mta-sts.example.com\nX-Long: " . ("b" x 9000)
--- error_code: 400
--- response_body_like: Request Header Or Cookie Too Large
--- no_error_log
[alert]
[emerg]
[crit]



=== TEST 4: many headers still get the policy
--- config eval
$::Config
--- request
GET /.well-known/mta-sts.txt
--- more_headers eval
"Host: mta-sts.example.com\n"
. CORE::join("\n", map { "X-H$_: " . ("c" x 50) } 1 .. 100)
--- response_body eval
$::Policy
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 5: two Host headers are refused by nginx (400)
--- config eval
$::Config
--- raw_request eval
"GET /.well-known/mta-sts.txt HTTP/1.1\r
Host: mta-sts.example.com\r
Host: mta-sts.example.org\r
Connection: close\r
\r
"
--- error_code: 400
--- no_error_log
[alert]
[emerg]
[crit]



=== TEST 6: a NUL byte encoded in the path is refused by nginx (400)
--- config eval
$::Config
--- request
GET /.well-known/mta-sts.txt%00
--- more_headers
Host: mta-sts.example.com
--- error_code: 400
--- no_error_log
[alert]
[emerg]
[crit]



=== TEST 7: a Host with a path in it is refused by nginx (400)
--- config eval
$::Config
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com/x
--- error_code: 400
--- no_error_log
[alert]
[emerg]
[crit]



=== TEST 8: pipelined GET, POST, GET on one connection, each answered alone
--- config eval
$::Config
--- pipelined_requests eval
["GET /.well-known/mta-sts.txt",
 "POST /.well-known/mta-sts.txt\nmx=evil.example.net",
 "GET /.well-known/mta-sts.txt"]
--- more_headers
Host: mta-sts.example.com
--- error_code eval
[200, 405, 200]
--- response_body eval
[$::Policy, qr/405 Not Allowed/, $::Policy]
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 9: pipelined policy and site requests keep apart
--- config eval
$::Config
--- pipelined_requests eval
["GET /.well-known/mta-sts.txt", "GET /index.html",
 "GET /.well-known/mta-sts.txt"]
--- more_headers
Host: mta-sts.example.com
--- response_body eval
[$::Policy, "site\n", $::Policy]
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 10: a GET with a body gets the policy, the body read and dropped
--- config eval
$::Config
--- raw_request eval
"GET /.well-known/mta-sts.txt HTTP/1.1\r
Host: mta-sts.example.com\r
Content-Length: 5\r
Connection: close\r
\r
abcde"
--- response_body eval
$::Policy
--- no_error_log
[alert]
[emerg]
[crit]



=== TEST 11: an unknown method on the policy URI is a 405
--- config eval
$::Config
--- request
PROPFIND /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- error_code: 405
--- response_headers
Allow: GET, HEAD
--- no_error_log
[error]
[alert]
[emerg]
