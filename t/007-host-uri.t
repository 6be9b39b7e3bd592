# Which requests get the policy (RFC 8461, section 3.3: HTTPS GET of
# /.well-known/mta-sts.txt on the Policy Host "mta-sts.<domain>").  The
# host must start with "mta-sts." and have more after it; the URI is
# nginx's normalised r->uri and must be exactly the well-known path.
# Everything else goes to the site ("site: $uri").

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

=== TEST 1: Host mta-sts.example.com - the policy (RFC 8461, section 3.3: the Policy Host)
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 2: Host example.com - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: example.com
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 3: Host www.mta-sts.example.com - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: www.mta-sts.example.com
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 4: Host mta-sts.a - the policy, any name after the prefix
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.a
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 5: Host "mta-sts." alone - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 6: Host "mta-sts" - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 7: Host mta-stsx.example.com - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-stsx.example.com
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 8: Host _mta-sts.example.com (the TXT record's name) - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: _mta-sts.example.com
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 9: Host in upper case - the policy, nginx lowercases the host
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: MTA-STS.Example.COM
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 10: Host with a port - the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com:1984
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 11: Host with a trailing dot - the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com.
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 12: Host of an IDN policy domain as an A-label - the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.xn--bcher-kva.example
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 13: Host an IPv6 literal - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: [::1]
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 14: Host an IPv4 address - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: 127.0.0.1
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 15: no Host (HTTP/1.0) - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- raw_request eval
"GET /.well-known/mta-sts.txt HTTP/1.0\r\n\r\n"
--- response_body
site: /.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 16: absolute-form request line names the policy host, Host header does not - the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET http://mta-sts.example.com/.well-known/mta-sts.txt
--- more_headers
Host: www.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 17: absolute-form request line names another host, Host header the policy host - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET http://www.example.com/.well-known/mta-sts.txt
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



=== TEST 18: URI with a trailing slash - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt/
--- more_headers
Host: mta-sts.example.com
--- response_body
site: /.well-known/mta-sts.txt/
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 19: URI with an extra character - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txtx
--- more_headers
Host: mta-sts.example.com
--- response_body
site: /.well-known/mta-sts.txtx
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 20: URI in upper case - the site, the path is case-sensitive
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.WELL-KNOWN/MTA-STS.TXT
--- more_headers
Host: mta-sts.example.com
--- response_body
site: /.WELL-KNOWN/MTA-STS.TXT
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 21: URI without .txt - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts
--- more_headers
Host: mta-sts.example.com
--- response_body
site: /.well-known/mta-sts
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 22: URI at the root - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body
site: /mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 23: URI with a path parameter - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt;v=1
--- more_headers
Host: mta-sts.example.com
--- response_body
site: /.well-known/mta-sts.txt;v=1
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 24: URI with an encoded trailing slash - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt%2F
--- more_headers
Host: mta-sts.example.com
--- response_body
site: /.well-known/mta-sts.txt/
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 25: URI with "/./" - the policy, after nginx's normalisation
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/./mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 26: URI with "/../" - the policy, after nginx's normalisation
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/../.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 27: URI with a double leading slash - the policy, merge_slashes is on by default
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET //.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 28: URI with a double inner slash - the policy, merge_slashes is on by default
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known//mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 29: URI with a double slash and merge_slashes off - the site
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
    merge_slashes off;
--- request
GET //.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body
site: //.well-known/mta-sts.txt
--- response_headers
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 30: URI with %2E - the policy, nginx decodes it
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /%2Ewell-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 31: URI with %2e and %77 - the policy, nginx decodes them
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /%2e%77ell-known/mta-sts%2etxt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 32: URI with an encoded slash - the policy, nginx decodes it
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known%2Fmta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 33: URI with an empty query string - the policy
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt?
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 34: URI with a fragment - the policy, nginx drops the fragment
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
        return 200 "site: $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt#top
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers
Content-Type: text/plain
ETag: "3ab1e78807fc7832f9a4a2ccca09e160"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 35: mode off - the site
--- config
    mta_sts_mode off;
    mta_sts_mx mail.example.com;
    location ~ ^/ {
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
