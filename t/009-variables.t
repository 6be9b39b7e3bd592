# $mta_sts_policy_id: the policy's id for the TXT record (RFC 8461,
# section 3.1: 1 to 32 letters and digits, changed whenever the policy
# changes); here the first 32 hex digits of the SHA-1 of the body, so the
# same policy has the same id on every server.  Empty when the mode is off.
#
# $mta_sts_domain: the Host without the "mta-sts." prefix (the Policy
# Domain), empty when the host has no such prefix.

use Test::Nginx::Socket 'no_plan';

# These blocks serve policies over plain HTTP on purpose: the listener
# check (t/012-check.t) is off here, as where TLS ends in front of nginx.
add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("http_config", ($block->http_config // "")
                      . "\n    mta_sts_check_listener off;\n");
});
use Digest::SHA ();

sub policy_body {
    my ($mode, $max_age, @mx) = @_;
    return "version: STSv1\r\nmode: $mode\r\n"
        . CORE::join("", map { "mx: $_\r\n" } @mx)
        . "max_age: $max_age\r\n";
}

sub policy_id { return substr Digest::SHA::sha1_hex(policy_body(@_)), 0, 32 }

run_tests();

__DATA__

=== TEST 1: $mta_sts_policy_id - 32 lowercase hex digits (RFC 8461, section 3.1)
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location = /id {
        return 200 "$mta_sts_policy_id\n";
    }
--- request
GET /id
--- more_headers
Host: mta-sts.example.com
--- response_body_like: ^[0-9a-f]{32}\n$
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 2: $mta_sts_policy_id - the first half of the SHA-1 of the body
--- config
    mta_sts_mode testing;
    mta_sts_mx mx1.example.com *.mx.example.net;
    mta_sts_max_age 30d;
    location = /id {
        return 200 "$mta_sts_policy_id\n";
    }
--- request
GET /id
--- more_headers
Host: mta-sts.example.com
--- response_body eval
::policy_id("testing", 2592000, "mx1.example.com", "*.mx.example.net") . "\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 3: $mta_sts_policy_id - the TXT record to publish (RFC 8461, section 3.1)
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location = /txt {
        return 200 "_mta-sts.$mta_sts_domain. TXT \"v=STSv1; id=$mta_sts_policy_id\"\n";
    }
--- request
GET /txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"_mta-sts.example.com. TXT \"v=STSv1; id="
. ::policy_id("enforce", 604800, "mail.example.com") . "\"\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 4: $mta_sts_policy_id - in a header of the policy response, equal to the ETag
--- config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    add_header X-Policy-Id $mta_sts_policy_id;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n"
--- response_headers eval
"X-Policy-Id: " . ::policy_id("enforce", 604800, "mail.example.com") . "\n"
. "ETag: \"" . ::policy_id("enforce", 604800, "mail.example.com") . "\"\n"
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 5: $mta_sts_policy_id - empty when a server turns the mode off
--- http_config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
--- config
    mta_sts_mode off;
    location = /id {
        return 200 "id=[$mta_sts_policy_id]\n";
    }
--- request
GET /id
--- more_headers
Host: mta-sts.example.com
--- response_body
id=[]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 6: $mta_sts_policy_id - the same policy has the same id in every server
--- http_config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        location = /id {
            return 200 "$mta_sts_policy_id\n";
        }
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.b.example;
        mta_sts_mode enforce;
        mta_sts_mx MAIL.example.com;
        mta_sts_max_age 1w;
        location = /id {
            return 200 "$mta_sts_policy_id\n";
        }
    }
--- config
    server_name mta-sts.example.com;
    mta_sts_max_age 604800;
    location = /id {
        return 200 "$mta_sts_policy_id\n";
    }
--- pipelined_requests eval
["GET /id", "GET /id", "GET /id"]
--- more_headers eval
["Host: mta-sts.a.example", "Host: mta-sts.b.example",
 "Host: mta-sts.example.com"]
--- error_code eval
[200, 200, 200]
--- response_body eval
[::policy_id("enforce", 604800, "mail.example.com") . "\n",
 ::policy_id("enforce", 604800, "mail.example.com") . "\n",
 ::policy_id("enforce", 604800, "mail.example.com") . "\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 7: $mta_sts_policy_id - changes with the mode
--- http_config
    mta_sts_mx mail.example.com;
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mode testing;
        location = /id {
            return 200 "$mta_sts_policy_id\n";
        }
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.b.example;
        mta_sts_mode none;
        location = /id {
            return 200 "$mta_sts_policy_id\n";
        }
    }
--- config
    server_name mta-sts.example.com;
    mta_sts_mode enforce;
    location = /id {
        return 200 "$mta_sts_policy_id\n";
    }
--- pipelined_requests eval
["GET /id", "GET /id", "GET /id"]
--- more_headers eval
["Host: mta-sts.a.example", "Host: mta-sts.b.example",
 "Host: mta-sts.example.com"]
--- error_code eval
[200, 200, 200]
--- response_body eval
[::policy_id("testing", 604800, "mail.example.com") . "\n",
 ::policy_id("none", 604800, "mail.example.com") . "\n",
 ::policy_id("enforce", 604800, "mail.example.com") . "\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 8: $mta_sts_policy_id - changes with the mx list, and with its order
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mode enforce;
        mta_sts_mx mx1.example.com;
        location = /id {
            return 200 "$mta_sts_policy_id\n";
        }
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.b.example;
        mta_sts_mode enforce;
        mta_sts_mx mx1.example.com mx2.example.com;
        location = /id {
            return 200 "$mta_sts_policy_id\n";
        }
    }
--- config
    server_name mta-sts.example.com;
    mta_sts_mode enforce;
    mta_sts_mx mx2.example.com mx1.example.com;
    location = /id {
        return 200 "$mta_sts_policy_id\n";
    }
--- pipelined_requests eval
["GET /id", "GET /id", "GET /id"]
--- more_headers eval
["Host: mta-sts.a.example", "Host: mta-sts.b.example",
 "Host: mta-sts.example.com"]
--- error_code eval
[200, 200, 200]
--- response_body eval
[::policy_id("enforce", 604800, "mx1.example.com") . "\n",
 ::policy_id("enforce", 604800, "mx1.example.com", "mx2.example.com") . "\n",
 ::policy_id("enforce", 604800, "mx2.example.com", "mx1.example.com") . "\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 9: $mta_sts_policy_id - changes with max_age
--- http_config
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_max_age 1d;
        location = /id {
            return 200 "$mta_sts_policy_id\n";
        }
    }
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.b.example;
        mta_sts_max_age 86401;
        location = /id {
            return 200 "$mta_sts_policy_id\n";
        }
    }
--- config
    server_name mta-sts.example.com;
    location = /id {
        return 200 "$mta_sts_policy_id\n";
    }
--- pipelined_requests eval
["GET /id", "GET /id", "GET /id"]
--- more_headers eval
["Host: mta-sts.a.example", "Host: mta-sts.b.example",
 "Host: mta-sts.example.com"]
--- error_code eval
[200, 200, 200]
--- response_body eval
[::policy_id("testing", 86400, "mail.example.com") . "\n",
 ::policy_id("testing", 86401, "mail.example.com") . "\n",
 ::policy_id("testing", 604800, "mail.example.com") . "\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 10: $mta_sts_policy_id - the case of mx patterns does not change it
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mode enforce;
        mta_sts_mx MAIL.Example.COM *.MX.example.net;
        location = /id {
            return 200 "$mta_sts_policy_id\n";
        }
    }
--- config
    server_name mta-sts.example.com;
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com *.mx.example.net;
    location = /id {
        return 200 "$mta_sts_policy_id\n";
    }
--- pipelined_requests eval
["GET /id", "GET /id"]
--- more_headers eval
["Host: mta-sts.a.example", "Host: mta-sts.example.com"]
--- error_code eval
[200, 200]
--- response_body eval
[::policy_id("enforce", 604800, "mail.example.com", "*.mx.example.net") . "\n",
 ::policy_id("enforce", 604800, "mail.example.com", "*.mx.example.net") . "\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 11: $mta_sts_policy_id - a duplicate mx pattern does not change it
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com mail.example.com;
        location = /id {
            return 200 "$mta_sts_policy_id\n";
        }
    }
--- config
    server_name mta-sts.example.com;
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    location = /id {
        return 200 "$mta_sts_policy_id\n";
    }
--- pipelined_requests eval
["GET /id", "GET /id"]
--- more_headers eval
["Host: mta-sts.a.example", "Host: mta-sts.example.com"]
--- error_code eval
[200, 200]
--- response_body eval
[::policy_id("enforce", 604800, "mail.example.com") . "\n",
 ::policy_id("enforce", 604800, "mail.example.com") . "\n"]
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 12: $mta_sts_domain - the host without the prefix
--- config
    location = /domain {
        return 200 "domain=[$mta_sts_domain]\n";
    }
--- request
GET /domain
--- more_headers
Host: mta-sts.example.com
--- response_body
domain=[example.com]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 13: $mta_sts_domain - a sub-domain's policy domain (RFC 8461, section 3.1)
--- config
    location = /domain {
        return 200 "domain=[$mta_sts_domain]\n";
    }
--- request
GET /domain
--- more_headers
Host: mta-sts.mail.example.co.uk
--- response_body
domain=[mail.example.co.uk]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 14: $mta_sts_domain - lowercased, without port or trailing dot
--- config
    location = /domain {
        return 200 "domain=[$mta_sts_domain]\n";
    }
--- pipelined_requests eval
["GET /domain", "GET /domain", "GET /domain"]
--- more_headers eval
["Host: MTA-STS.Example.COM", "Host: mta-sts.example.com:8443",
 "Host: mta-sts.example.com."]
--- error_code eval
[200, 200, 200]
--- response_body eval
["domain=[example.com]\n", "domain=[example.com]\n", "domain=[example.com]\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 15: $mta_sts_domain - empty for hosts without the prefix
--- config
    location = /domain {
        return 200 "domain=[$mta_sts_domain]\n";
    }
--- pipelined_requests eval
["GET /domain", "GET /domain", "GET /domain", "GET /domain"]
--- more_headers eval
["Host: example.com", "Host: www.mta-sts.example.com", "Host: mta-sts.",
 "Host: mta-stsexample.com"]
--- error_code eval
[200, 200, 200, 200]
--- response_body eval
["domain=[]\n", "domain=[]\n", "domain=[]\n", "domain=[]\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 16: $mta_sts_domain - empty without a Host (HTTP/1.0)
--- config
    location = /domain {
        return 200 "domain=[$mta_sts_domain] host=[$host]\n";
    }
--- raw_request eval
"GET /domain HTTP/1.0\r\n\r\n"
--- response_body
domain=[] host=[localhost]
--- no_error_log
[error]
[alert]
[emerg]
[warn]



=== TEST 17: $mta_sts_domain - set whatever the mode, even in a server that serves a policy
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mode off;
        location = /domain {
            return 200 "domain=[$mta_sts_domain] id=[$mta_sts_policy_id]\n";
        }
    }
--- config
    server_name mta-sts.example.com;
    mta_sts_mode testing;
    mta_sts_mx mail.example.com;
    location = /domain {
        return 200 "domain=[$mta_sts_domain] id=[$mta_sts_policy_id]\n";
    }
--- pipelined_requests eval
["GET /domain", "GET /domain"]
--- more_headers eval
["Host: mta-sts.a.example", "Host: mta-sts.example.com"]
--- error_code eval
[200, 200]
--- response_body eval
["domain=[a.example] id=[]\n",
 "domain=[example.com] id=[" . ::policy_id("testing", 604800, "mail.example.com") . "]\n"]
--- no_error_log
[error]
[alert]
[emerg]
[warn]
