# The module is loaded but no mta_sts_* directive is set: nothing changes.
# The well-known URI is the site's, the variables are empty, nothing is
# logged.

use Test::Nginx::Socket 'no_plan';

run_tests();

__DATA__

=== TEST 1: unused - the well-known URI goes to the site's location
--- config
    location /.well-known/ {
        return 200 "site: $request_method $uri\n";
    }
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body
site: GET /.well-known/mta-sts.txt
--- response_headers
Content-Type: text/plain
!ETag
!Allow
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 2: unused - the well-known URI falls to the site's 404
--- config
    log_not_found off;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- error_code: 404
--- response_body_like: 404 Not Found
--- response_headers
Content-Type: text/html
!ETag
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 3: unused - other methods are the site's too, no 405
--- config
    location /.well-known/ {
        return 200 "site: $request_method $uri\n";
    }
--- request
POST /.well-known/mta-sts.txt
hello
--- more_headers
Host: mta-sts.example.com
--- response_body
site: POST /.well-known/mta-sts.txt
--- response_headers
!Allow
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 4: unused - $mta_sts_policy_id is empty, $mta_sts_domain is the host's
--- config
    location = /vars {
        return 200 "id=[$mta_sts_policy_id] domain=[$mta_sts_domain]\n";
    }
--- request
GET /vars
--- more_headers
Host: mta-sts.example.com
--- response_body
id=[] domain=[example.com]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 5: unused - both variables empty for a host without the prefix
--- config
    location = /vars {
        return 200 "id=[$mta_sts_policy_id] domain=[$mta_sts_domain]\n";
    }
--- request
GET /vars
--- more_headers
Host: www.example.com
--- response_body
id=[] domain=[]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 6: unused - mx and max_age without mode serve nothing (mode is off by default)
--- http_config
    mta_sts_mx mail.example.com;
    mta_sts_max_age 1h;
--- config
    location /.well-known/ {
        return 200 "site: $uri\n";
    }
    location = /id {
        return 200 "id=[$mta_sts_policy_id]\n";
    }
--- request eval
["GET /.well-known/mta-sts.txt", "GET /id"]
--- more_headers
Host: mta-sts.example.com
--- response_body eval
["site: /.well-known/mta-sts.txt\n", "id=[]\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]
