# The policy response (RFC 8461, section 3.2: the body; section 3.3: a 200
# with Content-Type text/plain, no redirects, no HTTP caching by senders).
#
# The ETag and $mta_sts_policy_id of the policy below are the first 32 hex
# digits of the SHA-1 of its body:
#   printf 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n' \
#       | sha1sum | cut -c1-32
#   3ab1e78807fc7832f9a4a2ccca09e160

use Test::Nginx::Socket 'no_plan';

# These blocks serve policies over plain HTTP on purpose: the listener
# check (t/012-check.t) is off here, as where TLS ends in front of nginx.
add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("http_config", ($block->http_config // "")
                      . "\n    mta_sts_check_listener off;\n");
});

# A valid mx name, unique by $i, of exactly $len characters (labels of at
# most 63 characters).
sub mx_name {
    my ($i, $len) = @_;
    my $s = sprintf "mx%03d", $i;
    $s .= "a" x ($len - length $s);
    for my $dot (63, 127, 191) {
        substr($s, $dot, 1) = "." if $dot < $len - 1;
    }
    return $s;
}

# 246 mx patterns of 253 characters and one of 232: with mode enforce and
# the default max_age, a policy of exactly 64000 bytes.
sub big_mx { return ((map { mx_name($_, 253) } 1 .. 246), mx_name(247, 232)) }

run_tests();

__DATA__

=== TEST 1: GET - exact body and headers (RFC 8461, section 3.2)
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
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
!Last-Modified
!Accept-Ranges
!Content-Encoding
!Transfer-Encoding
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 2: Content-Type is text/plain despite the site's default_type (RFC 8461, section 3.2)
--- config
    default_type application/octet-stream;
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
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 3: Content-Type is text/plain despite the site's types
--- config
    types {
        text/html txt;
        application/json json;
    }
    default_type application/octet-stream;
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
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 4: the site's charset adds a charset parameter, which senders accept (RFC 8461, section 3.2)
--- config
    charset utf-8;
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain; charset=utf-8
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 5: the ETag is the quoted $mta_sts_policy_id
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location = /id {
        return 200 "$mta_sts_policy_id\n";
    }
--- request eval
["GET /.well-known/mta-sts.txt", "GET /id"]
--- more_headers
Host: mta-sts.example.com
--- error_code eval
[200, 200]
--- response_headers eval
["ETag: \"3ab1e78807fc7832f9a4a2ccca09e160\"", "!ETag"]
--- response_body eval
["version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
 "3ab1e78807fc7832f9a4a2ccca09e160\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 6: HEAD - same headers, no body
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
HEAD /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
""
--- response_headers
Content-Type: text/plain
Content-Length: 70
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 7: If-None-Match with the ETag - 304
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
If-None-Match: "3ab1e78807fc7832f9a4a2ccca09e160"
--- error_code: 304
--- response_body eval
""
--- response_headers
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
!Content-Length
!Content-Type
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 8: If-None-Match with the weak ETag - 304 (weak comparison)
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
If-None-Match: W/"3ab1e78807fc7832f9a4a2ccca09e160"
--- error_code: 304
--- response_body eval
""
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 9: If-None-Match with a list holding the ETag - 304
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
If-None-Match: "00000000000000000000000000000000", "3ab1e78807fc7832f9a4a2ccca09e160"
--- error_code: 304
--- response_body eval
""
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 10: If-None-Match with another ETag (an old policy) - 200 and the body
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
If-None-Match: "00000000000000000000000000000000"
--- error_code: 200
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 11: If-Modified-Since - 200, there is no Last-Modified to compare with
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
If-Modified-Since: Thu, 01 Jan 2037 00:00:00 GMT
--- error_code: 200
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
!Last-Modified
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 12: Range is ignored - the full body with 200
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
Range: bytes=0-3
--- error_code: 200
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Length: 70
!Content-Range
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 13: a query string changes nothing
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt?mode=none&v=2
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 14: HTTP/1.0 request
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt HTTP/1.0
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



=== TEST 15: POST - 405 with Allow
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
POST /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- error_code: 405
--- response_headers
Allow: GET, HEAD
!ETag
--- response_body_like: 405 Not Allowed
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 16: PUT, DELETE, OPTIONS, PATCH - 405 with Allow
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request eval
["PUT /.well-known/mta-sts.txt", "DELETE /.well-known/mta-sts.txt",
 "OPTIONS /.well-known/mta-sts.txt", "PATCH /.well-known/mta-sts.txt"]
--- more_headers
Host: mta-sts.example.com
--- error_code eval
[405, 405, 405, 405]
--- response_headers eval
["Allow: GET, HEAD", "Allow: GET, HEAD", "Allow: GET, HEAD", "Allow: GET, HEAD"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 17: POST with a body - 405, the body is discarded and the connection kept
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- pipelined_requests eval
["POST /.well-known/mta-sts.txt\nmode=none&mx=evil.example.net",
 "GET /.well-known/mta-sts.txt"]
--- more_headers
Host: mta-sts.example.com
--- error_code eval
[405, 200]
--- response_headers eval
["Allow: GET, HEAD", "ETag: \"3ab1e78807fc7832f9a4a2ccca09e160\""]
--- response_body eval
[qr/405 Not Allowed/,
 "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 18: PUT with a chunked body - 405, the body is discarded and the connection kept
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- pipelined_requests eval
["PUT /.well-known/mta-sts.txt\n5\r\nhello\r\n0\r\n\r\n",
 "GET /.well-known/mta-sts.txt"]
--- more_headers eval
["Host: mta-sts.example.com\nTransfer-Encoding: chunked",
 "Host: mta-sts.example.com"]
--- error_code eval
[405, 200]
--- response_body eval
[qr/405 Not Allowed/,
 "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 19: GET with a body - the body is discarded, the connection kept
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- pipelined_requests eval
["GET /.well-known/mta-sts.txt\nsome body",
 "GET /.well-known/mta-sts.txt"]
--- more_headers
Host: mta-sts.example.com
--- error_code eval
[200, 200]
--- response_body eval
["version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n",
 "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 20: add_header at server level applies to the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    add_header X-Site yes;
    add_header Strict-Transport-Security "max-age=31536000";
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
X-Site: yes
Strict-Transport-Security: max-age=31536000
Content-Type: text/plain
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 21: add_header always at server level applies to the 405
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    add_header X-Site yes always;
--- request
DELETE /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- error_code: 405
--- response_headers
X-Site: yes
Allow: GET, HEAD
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 22: add_header in a location does not apply: the policy is answered before locations
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location /.well-known/ {
        add_header X-Location yes;
        return 200 "site\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
!X-Location
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 23: gzip at server level compresses the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    gzip on;
    gzip_types text/plain;
    gzip_min_length 1;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
Accept-Encoding: gzip
--- response_headers
Content-Encoding: gzip
Content-Type: text/plain
ETag: W/"3ab1e78807fc7832f9a4a2ccca09e160"
!Content-Length
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 24: gzip at server level, a client without Accept-Encoding gets the plain body
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    gzip on;
    gzip_types text/plain;
    gzip_min_length 1;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
!Content-Encoding
Content-Length: 70
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 25: the request is written to the access log
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- access_log eval
qr{"GET /\.well-known/mta-sts\.txt HTTP/1\.1" 200 70 }
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 26: a server level access_log with the module's variables
--- http_config
    log_format mta_sts '$host $status $body_bytes_sent id=$mta_sts_policy_id domain=$mta_sts_domain';
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    access_log logs/access.log mta_sts;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- access_log
mta-sts.example.com 200 70 id=3ab1e78807fc7832f9a4a2ccca09e160 domain=example.com
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 27: a policy of exactly 64000 bytes is served (RFC 8461, section 3.3)
--- config eval
"    mta_sts_mode enforce;\n"
. CORE::join("", map { "    mta_sts_mx $_;\n" } ::big_mx())
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\n"
. CORE::join("", map { "mx: $_\r\n" } ::big_mx())
. "max_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
Content-Length: 64000
--- no_error_log
[error]
[alert]
[emerg]
[warn]
