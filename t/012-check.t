# What "nginx -t" and every reload say about a server that serves a
# policy (RFC 8461, section 3.3: senders fetch it over HTTPS from
# mta-sts.<domain> on port 443, with a certificate valid for that name,
# named in a DNS subjectAltName, a wildcard only as the whole left-most
# label).  Warnings and notices only: nginx starts in every block.
#
# The certificates are made when the file runs (t/cert/make-certs.sh).
# The servers checked listen on a free port, not 443, on the host: the
# certificate blocks turn the listener check off, the listener blocks
# check the port 443 warning; t/013-check-443.t runs "nginx -t" on
# "listen 443 ssl" (which binds nothing).

use Test::Nginx::Socket 'no_plan';
use File::Temp qw(tempdir);

BEGIN {
    my $dir = tempdir("mta-sts-certs-XXXXXX", TMPDIR => 1, CLEANUP => 1);

    system("sh", "t/cert/make-certs.sh", $dir) == 0
        or die "t/cert/make-certs.sh failed\n";

    $ENV{TEST_NGINX_CERT_DIR} = $dir;
}

our $D = quotemeta $ENV{TEST_NGINX_CERT_DIR};

our $RFC = quotemeta "(RFC 8461, section 3.3)";

no_shuffle();
run_tests();

__DATA__

=== TEST 1: certificate - a SAN covers the host, full chain: nothing said
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/san.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 2: certificate - the leaf alone, without its intermediate
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/san-leaf.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/san-leaf\.crt" for "mta-sts\.example\.com" has no intermediate certificate after it, senders do not fetch missing ones $::RFC; use the full chain file in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 3: certificate - a wildcard one label up covers the host
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/wild.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 4: certificate - a wildcard two labels up does not cover the host
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.sub.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/wild.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/wild\.crt" does not cover "mta-sts\.sub\.example\.com", senders will not fetch its MTA-STS policy $::RFC; its DNS names: "\*\.example\.com" in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 5: certificate - a partial wildcard is refused by senders
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/partial.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/partial\.crt" does not cover "mta-sts\.example\.com" \(only its subject CN or a partial wildcard names it, and senders ignore both\), senders will not fetch its MTA-STS policy $::RFC; its DNS names: "mta\*\.example\.com" in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 6: certificate - the host in the subject CN only
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/cn.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/cn\.crt" does not cover "mta-sts\.example\.com" \(only its subject CN or a partial wildcard names it, and senders ignore both\), senders will not fetch its MTA-STS policy $::RFC; its DNS names: none in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 7: certificate - another domain's, every policy host named, its names listed
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name www.example.org mta-sts.example.org mta-sts.example.net;
        ssl_certificate $TEST_NGINX_CERT_DIR/other.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.org;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
[
qr/\[warn\] .*?: certificate "$::D\/other\.crt" does not cover "mta-sts\.example\.org", senders will not fetch its MTA-STS policy $::RFC; its DNS names: "www\.example\.org" "example\.org" in \S+\/nginx\.conf:\d+$/m,
qr/\[warn\] .*?: certificate "$::D\/other\.crt" does not cover "mta-sts\.example\.net", senders will not fetch its MTA-STS policy $::RFC; its DNS names: "www\.example\.org" "example\.org" in \S+\/nginx\.conf:\d+$/m,
]
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 8: certificate - a server name with a trailing dot is checked without it
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com.;
        ssl_certificate $TEST_NGINX_CERT_DIR/san.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 9: validity - expired
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/expired.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/expired\.crt" for "mta-sts\.example\.com" has expired, senders will not fetch the MTA-STS policy $::RFC in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 10: validity - not yet valid
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/future.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/future\.crt" for "mta-sts\.example\.com" is not yet valid, senders will not fetch the MTA-STS policy $::RFC in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 11: validity - 3 days left, fewer than the default 14
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/soon.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/soon\.crt" for "mta-sts\.example\.com" expires in 3 days, senders will not fetch the MTA-STS policy after that $::RFC in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 12: validity - mta_sts_check_days 2: 3 days left is enough
--- http_config
    mta_sts_check_days 2;
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/soon.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 13: validity - mta_sts_check_days 100 in the server: 90 days left is not
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/san.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
        mta_sts_check_days 100;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/san\.crt" for "mta-sts\.example\.com" expires in 90 days, senders will not fetch the MTA-STS policy after that $::RFC in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 14: mta_sts_check_days - invalid value
--- http_config
    mta_sts_check_days soon;
--- config
    location = /t { return 200 "ok\n"; }
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_check_days" directive invalid number in \S+:\d+/



=== TEST 15: chain - a self-signed certificate
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/self.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/self\.crt" for "mta-sts\.example\.com" is self-signed, senders will not trust it $::RFC in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 16: chain - the leaf followed by the root, not by its issuer
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/wrongchain.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/wrongchain\.crt" for "mta-sts\.example\.com" is not followed by the certificate that issued it, senders will not trust it $::RFC in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 17: RSA and ECDSA in one server, both covering: nothing said
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/rsa.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/rsa.key;
        ssl_certificate $TEST_NGINX_CERT_DIR/san.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 18: RSA and ECDSA in one server, the ECDSA one for another domain: each is checked
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/rsa.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/rsa.key;
        ssl_certificate $TEST_NGINX_CERT_DIR/other.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: certificate "$::D\/other\.crt" does not cover "mta-sts\.example\.com", senders will not fetch its MTA-STS policy $::RFC; its DNS names: "www\.example\.org" "example\.org" in \S+\/nginx\.conf:\d+$/m
--- no_error_log eval
[qr/rsa\.crt/, "[error]", "[alert]", "[emerg]"]



=== TEST 19: a certificate given by a variable: not checked, said at notice
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/$ssl_server_name.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[notice\] .*?: certificates chosen per handshake \("ssl_certificate" with variables\) for "mta-sts\.example\.com" are not checked in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 20: ssl_reject_handshake: not checked, said at notice
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_reject_handshake on;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[notice\] .*?: "ssl_reject_handshake" is on for "mta-sts\.example\.com", no certificate is checked in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 21: listener - no ssl listener
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1;
        server_name mta-sts.example.com;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: no "ssl" listener for "mta-sts\.example\.com": senders fetch the MTA-STS policy over HTTPS on port 443 only $::RFC; where TLS ends in front of nginx, set "mta_sts_check_listener off" in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 22: listener - an ssl listener on another port only (8443 in real life)
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/san.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: no "ssl" listener on port 443 for "mta-sts\.example\.com": senders fetch the MTA-STS policy over HTTPS on port 443 only $::RFC; where TLS ends in front of nginx, set "mta_sts_check_listener off" in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 23: listener - mta_sts_check_listener off, TLS in front: no warning, a notice
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1;
        server_name mta-sts.example.com;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[notice\] .*?: no "ssl" listener for "mta-sts\.example\.com", its certificate is not checked in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 24: names - a regex server name: not checked by name, the certificate's policy names listed
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name ~^mta-sts\.(?<d>.+)$;
        ssl_certificate $TEST_NGINX_CERT_DIR/policy.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[notice\] .*?: server name "~\^mta-sts\\\.\(\?<d>\.\+\)\$" is not checked against certificate "$::D\/policy\.crt", whose names for policy hosts are: "mta-sts\.a\.example" "\*\.b\.example" in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 25: names - a wildcard server name, with an exact one checked too
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name *.example.com mta-sts.example.org;
        ssl_certificate $TEST_NGINX_CERT_DIR/wild.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
[
qr/\[notice\] .*?: server name "\*\.example\.com" is not checked against certificate "$::D\/wild\.crt", whose names for policy hosts are: "\*\.example\.com" in \S+\/nginx\.conf:\d+$/m,
qr/\[warn\] .*?: certificate "$::D\/wild\.crt" does not cover "mta-sts\.example\.org", senders will not fetch its MTA-STS policy $::RFC; its DNS names: "\*\.example\.com" in \S+\/nginx\.conf:\d+$/m,
]
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 26: names - no policy host reaches the server
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1;
        server_name default.example;
    }
    server {
        listen $TEST_NGINX_RAND_PORT_1;
        server_name www.example.com mail.*;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- error_log eval
qr/\[warn\] .*?: no host "mta-sts\.<domain>" reaches server "www\.example\.com", its MTA-STS policy is never served: add "mta-sts\.<domain>" to its "server_name" $::RFC in \S+\/nginx\.conf:\d+$/m
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 27: names - the default server of a listener is reached by any host
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1;
        server_name www.example.com;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 28: names - a mode from the http level: servers no policy host can reach are not checked
--- http_config
    mta_sts_mode enforce;
    mta_sts_mx mail.example.com;
    server {
        listen $TEST_NGINX_RAND_PORT_1;
        server_name default.example;
        mta_sts_check_listener off;
    }
    server {
        listen $TEST_NGINX_RAND_PORT_1;
        server_name www.example.com;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- no_error_log
[warn]
[error]
[alert]
[emerg]



=== TEST 29: mta_sts_check off: nothing said
--- http_config
    mta_sts_check off;
    server {
        listen $TEST_NGINX_RAND_PORT_1;
        server_name www.example.com;
    }
    server {
        listen $TEST_NGINX_RAND_PORT_2 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $TEST_NGINX_CERT_DIR/expired-leaf.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
    }
    server {
        listen $TEST_NGINX_RAND_PORT_1;
        server_name www.example.org;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- no_error_log eval
["[warn]", qr/\[notice\].*certificate/, "[error]", "[alert]", "[emerg]"]



=== TEST 30: mta_sts_check quiet: nothing at warn or notice
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.example.com ~^mta-sts\.x$;
        ssl_certificate $TEST_NGINX_CERT_DIR/expired-leaf.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check quiet;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- no_error_log eval
["[warn]", qr/\[notice\].*(certificate|listener)/, "[error]", "[alert]",
 "[emerg]"]



=== TEST 31: mta_sts_check - invalid value
--- http_config
    mta_sts_check warn;
--- config
    location = /t { return 200 "ok\n"; }
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid value "warn" in \S+:\d+/



=== TEST 32: one certificate file in many servers: each problem said once
--- http_config
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.a.example;
        ssl_certificate $TEST_NGINX_CERT_DIR/expired-leaf.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
    server {
        listen $TEST_NGINX_RAND_PORT_1 ssl;
        server_name mta-sts.b.example;
        ssl_certificate $TEST_NGINX_CERT_DIR/expired-leaf.crt;
        ssl_certificate_key $TEST_NGINX_CERT_DIR/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        mta_sts_check_listener off;
    }
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
ok
--- grep_error_log eval
qr/has expired|has no intermediate|does not cover "mta-sts\.[ab]\.example"/
--- grep_error_log_out
does not cover "mta-sts.a.example"
has expired
has no intermediate
does not cover "mta-sts.b.example"
--- no_error_log
[error]
[alert]
[emerg]
