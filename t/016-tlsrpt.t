# mta_sts_tlsrpt: SMTP TLS reports (RFC 8460) POSTed over HTTPS (section
# 5.4), stored one file a report under the section 5.1 name.  Every answer
# of the receiver, and the report shapes real senders send (our
# docs/tlsrpt.md), built here with core Perl.
#
# The unique id in a file name is the first 32 hex digits of
# SHA-256(sender NUL organization-name NUL report-id); uid() below.

use Test::Nginx::Socket 'no_plan';
use IO::Compress::Gzip qw(gzip $GzipError);
use Digest::SHA qw(sha256_hex);
use File::Temp qw(tempdir);

# another file system for the temp files of TESTs 38 and 39: a folder of this run's
# own in /dev/shm, which runs side by side (CI's Debian roots share /dev)
# must not share
BEGIN {
    $ENV{TEST_NGINX_SHM_DIR} = -d "/dev/shm"
        ? tempdir("mta-sts-tlsrpt-XXXXXX", DIR => "/dev/shm", CLEANUP => 1)
        : "/nonexistent";
}

our $RANGE = '"date-range":{"start-datetime":"2024-01-01T00:00:00Z",'
           . '"end-datetime":"2024-01-01T23:59:59Z"}';

# Google: mx-host an array (RFC 8460 errata 6241), a multi-day range
our $GOOGLE = '{"organization-name":"Google Inc.",'
    . '"date-range":{"start-datetime":"2024-02-17T00:00:00Z",'
    . '"end-datetime":"2024-02-19T23:59:59Z"},'
    . '"contact-info":"smtp-tls-reporting@google.com",'
    . '"report-id":"2024-02-17T00:00:00Z_example.com",'
    . '"policies":[{"policy":{"policy-type":"sts",'
    . '"policy-string":["version: STSv1","mode: testing",'
    . '"mx: mail.example.com","max_age: 86400"],'
    . '"policy-domain":"example.com","mx-host":["mail.example.com"]},'
    . '"summary":{"total-successful-session-count":12,'
    . '"total-failure-session-count":3},'
    . '"failure-details":[{"result-type":"certificate-expired",'
    . '"sending-mta-ip":"192.0.2.1",'
    . '"receiving-mx-hostname":"mail.example.com",'
    . '"failed-session-count":3}]}]}';

# Microsoft: dates without a zone, no mx-host, no policy-string, a fetch
# error without IPs, a report-id ending in "+"
our $MICROSOFT = '{"organization-name":"Microsoft Corporation",'
    . '"date-range":{"start-datetime":"2024-03-26T00:00:00",'
    . '"end-datetime":"2024-03-26T23:59:59"},'
    . '"contact-info":"tlsrpt-noreply@microsoft.com",'
    . '"report-id":"133944884956529435+",'
    . '"policies":[{"policy":{"policy-type":"sts",'
    . '"policy-domain":"example.com"},'
    . '"summary":{"total-successful-session-count":0,'
    . '"total-failure-session-count":5},'
    . '"failure-details":[{"result-type":"sts-policy-fetch-error",'
    . '"failed-session-count":5}]}]}';

# Postfix (sys4 tlsrpt-reporter): no-policy-found without policy-domain,
# a summary without the failure count
our $NOPOLICY = '{"organization-name":"mail.example.org",'
    . '"date-range":{"start-datetime":"2025-01-01T00:00:00Z",'
    . '"end-datetime":"2025-01-01T23:59:59Z"},'
    . '"contact-info":"tlsrpt@mail.example.org",'
    . '"report-id":"x1",'
    . '"policies":[{"policy":{"policy-type":"no-policy-found"},'
    . '"summary":{"total-successful-session-count":7}}]}';

sub gz {
    my ($in) = @_;
    my $out;
    gzip(\$in => \$out, Minimal => 1) or die $GzipError;
    return $out;
}

sub uid { substr sha256_hex(join "\0", @_), 0, 32 }

sub post {
    my ($body, @headers) = @_;
    return "POST /.well-known/tlsrpt HTTP/1.1\r\nHost: mta-sts.example.com\r\n"
        . join("", map { "$_\r\n" } @headers)
        . "Content-Length: " . length($body) . "\r\n"
        . "Connection: close\r\n\r\n$body";
}

sub report {
    my ($org, $contact, $id, $domain) = @_;
    return qq({"organization-name":"$org",$RANGE,"contact-info":"$contact",)
        . qq("report-id":"$id","policies":[{"policy":{"policy-type":"sts",)
        . qq("policy-domain":"$domain"}}]});
}

our $GOOGLE_NAME = "google.com!example.com!1708128000!1708387199!"
    . uid("google.com", "Google Inc.", "2024-02-17T00:00:00Z_example.com")
    . ".json.gz";

our $DIR = html_dir() . "/tlsrpt";

add_block_preprocessor(sub {
    my $block = shift;

    # a fresh report directory for every block (init runs once nginx
    # has started; the directory is there before, as nginx -t wants it)
    if (!defined $block->init) {
        $block->set_value("init", 'system("rm", "-rf", $::DIR) == 0 '
                          . 'or die; mkdir $::DIR or die "$::DIR: $!";');
    }

    if (!defined $block->user_files && ($block->config // "") =~ /tlsrpt/) {
        $block->set_value("user_files", ">>> tlsrpt/.keep\n");
    }
});

no_shuffle();
run_tests();

__DATA__

=== TEST 1: Google-style gzip report - 201, stored as sent (RFC 8460, sections 5.1 and 5.4)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-Result $mta_sts_tlsrpt_result always;
        add_header X-File $mta_sts_tlsrpt_file always;
    }
    location /stored/ {
        alias html/tlsrpt/;
    }
--- request eval
["POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE),
 "GET /stored/$::GOOGLE_NAME"]
--- more_headers
Content-Type: application/tlsrpt+gzip
--- error_code eval
[201, 200]
--- response_body eval
["", ::gz($::GOOGLE)]
--- response_headers eval
["X-Result: stored\nX-File: $::GOOGLE_NAME\nContent-Length: 0",
 "!X-Result"]
--- no_error_log
[error]
[alert]
[crit]
[emerg]



=== TEST 2: the same report again - 200, stored once (the same reporter and report-id)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-Result $mta_sts_tlsrpt_result always;
        add_header X-File $mta_sts_tlsrpt_file always;
    }
--- request eval
["POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE),
 "POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)]
--- error_code eval
[201, 200]
--- response_body eval
[$::GOOGLE_NAME, $::GOOGLE_NAME]
--- response_headers eval
["X-Result: stored\nX-File: $::GOOGLE_NAME",
 "X-Result: duplicate\nX-File: $::GOOGLE_NAME\nContent-Length: 0"]
--- response_body_filters eval
[[sub { $_[0] . CORE::join ",", map { s{.*/}{}r } glob("$::DIR/*") }],
 [sub { $_[0] . CORE::join ",", map { s{.*/}{}r } glob("$::DIR/*") }]]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 3: the access log variables (a Google-style report)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-Org $mta_sts_tlsrpt_organization always;
        add_header X-Id $mta_sts_tlsrpt_report_id always;
        add_header X-Domains $mta_sts_tlsrpt_domains always;
        add_header X-Ok $mta_sts_tlsrpt_successful always;
        add_header X-Failed $mta_sts_tlsrpt_failed always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- error_code: 201
--- response_headers
X-Org: Google Inc.
X-Id: 2024-02-17T00:00:00Z_example.com
X-Domains: example.com
X-Ok: 12
X-Failed: 3
--- no_error_log
[error]
[alert]
[crit]



=== TEST 4: Microsoft-style report - zoneless dates as UTC, no mx-host, a fetch error without IPs
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-File $mta_sts_tlsrpt_file always;
        add_header X-Failed $mta_sts_tlsrpt_failed always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::MICROSOFT)
--- more_headers
Content-Type: application/tlsrpt+gzip
--- error_code: 201
--- response_headers eval
"X-Failed: 5\nX-File: microsoft.com!example.com!1711411200!1711497599!"
. ::uid("microsoft.com", "Microsoft Corporation", "133944884956529435+")
. ".json.gz"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 5: no-policy-found without policy-domain - "unknown" in the name (section 5.1)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-File $mta_sts_tlsrpt_file always;
        add_header X-Ok $mta_sts_tlsrpt_successful always;
        add_header X-Failed $mta_sts_tlsrpt_failed always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::NOPOLICY)
--- error_code: 201
--- response_headers eval
"X-Ok: 7\nX-Failed: 0\nX-File: mail.example.org!unknown!1735689600!1735775999!"
. ::uid("mail.example.org", "mail.example.org", "x1") . ".json.gz"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: plain JSON, application/tlsrpt+json - stored as .json (section 5.1)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-File $mta_sts_tlsrpt_file always;
    }
    location /stored/ {
        alias html/tlsrpt/;
    }
--- request eval
["POST /.well-known/tlsrpt\n$::GOOGLE",
 "GET /stored/" . ($::GOOGLE_NAME =~ s/\.gz$//r)]
--- more_headers
Content-Type: application/tlsrpt+json
--- error_code eval
[201, 200]
--- response_body eval
["", $::GOOGLE]
--- response_headers eval
["X-File: " . ($::GOOGLE_NAME =~ s/\.gz$//r), "!X-File"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 7: Content-Encoding gzip with a JSON Content-Type - gzip by its bytes
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-File $mta_sts_tlsrpt_file always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- more_headers
Content-Type: application/json
Content-Encoding: gzip
--- error_code: 201
--- response_headers eval
"X-File: $::GOOGLE_NAME"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 8: gzip sent as text/plain - gzip by its bytes
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-File $mta_sts_tlsrpt_file always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- more_headers
Content-Type: text/plain
--- error_code: 201
--- response_headers eval
"X-File: $::GOOGLE_NAME"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 9: gzip without a Content-Type
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-File $mta_sts_tlsrpt_file always;
    }
--- raw_request eval
::post(::gz($::GOOGLE))
--- error_code: 201
--- response_headers eval
"X-File: $::GOOGLE_NAME"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 10: trailing CRLF after the gzip data - accepted, kept as received
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- raw_request eval
::post(::gz($::GOOGLE) . "\r\n", "Content-Type: application/tlsrpt+gzip")
--- error_code: 201
--- response_headers
X-Result: stored
--- response_body_filters eval
sub { local $/; open my $f, "<", "$::DIR/$::GOOGLE_NAME" or return "none";
      binmode $f; my $b = <$f>; $b eq ::gz($::GOOGLE) . "\r\n" ? "same" : "differs" }
--- response_body: same
--- no_error_log
[error]
[alert]
[crit]



=== TEST 11: two gzip members
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-File $mta_sts_tlsrpt_file always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz(substr $::GOOGLE, 0, 200)
. ::gz(substr $::GOOGLE, 200)
--- error_code: 201
--- response_headers eval
"X-File: $::GOOGLE_NAME"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 12: chunked body under the cap
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-File $mta_sts_tlsrpt_file always;
    }
--- raw_request eval
my $b = ::gz($::GOOGLE);
"POST /.well-known/tlsrpt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
. "Transfer-Encoding: chunked\r\n\r\n"
. sprintf("%x\r\n", 100) . substr($b, 0, 100) . "\r\n"
. sprintf("%x\r\n", length($b) - 100) . substr($b, 100) . "\r\n0\r\n\r\n"
--- error_code: 201
--- response_headers eval
"X-File: $::GOOGLE_NAME"
--- no_error_log
[error]
[alert]
[crit]



=== TEST 13: truncated gzip - 400
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . substr(::gz($::GOOGLE), 0, 100)
--- error_code: 400
--- response_headers
X-Result: invalid
--- error_log
TLS report refused: truncated gzip data
--- no_error_log
[error]
[alert]
[crit]



=== TEST 14: a JSON array - 400 (RFC 8460, section 4.4: an object)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- request eval
"POST /.well-known/tlsrpt\n[$::GOOGLE]"
--- error_code: 400
--- response_headers
X-Result: invalid
--- error_log
TLS report refused: the report is not a JSON object
--- no_error_log
[error]
[alert]
[crit]



=== TEST 15: duplicate keys - 400 (I-JSON, RFC 8460, section 4)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE =~ s/^\{/{"report-id":"1",/r)
--- error_code: 400
--- error_log
TLS report refused: not JSON
--- no_error_log
[error]
[alert]
[crit]



=== TEST 16: nested deeper than 16 - 400
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
    }
--- request eval
"POST /.well-known/tlsrpt\n"
. ::gz($::GOOGLE =~ s/^\{/'{"x":' . "[" x 16 . "]" x 16 . ","/er)
--- error_code: 400
--- error_log
TLS report refused: JSON nested too deep
--- no_error_log
[error]
[alert]
[crit]



=== TEST 17: invalid UTF-8 - 400 (I-JSON)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE =~ s/Google Inc\./Google \xff/r)
--- error_code: 400
--- error_log
TLS report refused: not JSON
--- no_error_log
[error]
[alert]
[crit]



=== TEST 18: report-id missing - 400 (RFC 8460, section 4.4)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE =~ s/"report-id"/"report-iD"/r)
--- error_code: 400
--- error_log
TLS report refused: no "report-id" string
--- no_error_log
[error]
[alert]
[crit]



=== TEST 19: policies not an array - 400 (RFC 8460, section 4: "MUST be an array")
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
    }
--- request eval
"POST /.well-known/tlsrpt\n"
. ::gz($::NOPOLICY =~ s/"policies":\[(.*)\]\}$/"policies":$1}/r)
--- error_code: 400
--- error_log
TLS report refused: no "policies" array
--- no_error_log
[error]
[alert]
[crit]



=== TEST 20: a gzip bomb - 413 at mta_sts_tlsrpt_max_json_size, inflated but never parsed
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz('{"a":"' . ("a" x (64 * 1024 * 1024)) . '"}')
--- error_code: 413
--- response_headers
X-Result: too_large
--- error_log
TLS report refused: the report inflates to more than the JSON size limit
--- no_error_log
[error]
[alert]
[crit]



=== TEST 21: mta_sts_tlsrpt_max_json_size - a real report over a small cap, refused before it is parsed
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        mta_sts_tlsrpt_max_json_size 500;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- error_code: 413
--- response_headers
X-Result: too_large
--- error_log
TLS report refused: the report inflates to more than the JSON size limit
--- no_error_log
[error]
[alert]
[crit]



=== TEST 22: Content-Length over mta_sts_tlsrpt_max_body_size - 413 by the header, before the body is read
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        mta_sts_tlsrpt_max_body_size 1000;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- raw_request eval
"POST /.well-known/tlsrpt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
. "Content-Length: 1001\r\n\r\n" . ("x" x 1001)
--- error_code: 413
--- response_headers
X-Result: too_large
--- error_log
TLS report refused: Content-Length 1001 is over mta_sts_tlsrpt_max_body_size
--- no_error_log
[error]
[alert]
[crit]



=== TEST 23: chunked over mta_sts_tlsrpt_max_body_size - 413
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        mta_sts_tlsrpt_max_body_size 300;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- raw_request eval
my $b = ::gz($::GOOGLE);
"POST /.well-known/tlsrpt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
. "Transfer-Encoding: chunked\r\n\r\n"
. sprintf("%x\r\n", length $b) . $b . "\r\n0\r\n\r\n"
--- error_code: 413
--- response_headers
X-Result: too_large
--- error_log eval
qr/TLS report refused: a body of \d+ bytes is over mta_sts_tlsrpt_max_body_size/
--- no_error_log
[error]
[alert]
[crit]



=== TEST 24: GET, HEAD, PUT - 405 with Allow: POST (RFC 8460, section 5.4)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
    }
--- request eval
["GET /.well-known/tlsrpt", "HEAD /.well-known/tlsrpt",
 "PUT /.well-known/tlsrpt\n" . ::gz($::GOOGLE)]
--- error_code eval
[405, 405, 405]
--- response_headers eval
["Allow: POST", "Allow: POST", "Allow: POST"]
--- response_body_like eval
["405 Not Allowed", "^\$", "405 Not Allowed"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 25: a hostile policy-domain and contact-info - "unknown" in the name (section 5.1)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-File $mta_sts_tlsrpt_file always;
        add_header X-Domains $mta_sts_tlsrpt_domains always;
    }
--- request eval
["POST /.well-known/tlsrpt\n" . ::report("a", "x\@../../etc", "1", "../x"),
 "POST /.well-known/tlsrpt\n" . ::report("a", "x\@b.example", "1", "a/b")]
--- error_code eval
[201, 201]
--- response_headers eval
["X-File: unknown!unknown!1704067200!1704153599!" . ::uid("unknown", "a", "1")
 . ".json\n!X-Domains",
 "X-File: b.example!unknown!1704067200!1704153599!"
 . ::uid("b.example", "a", "1") . ".json\n!X-Domains"]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 26: the report directory is missing - 500, so that the sender retries (section 5.5)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/missing;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- error_code: 500
--- response_headers
X-Result: error
--- error_log eval
[qr/\[warn\] .*directory "[^"]+\/html\/missing" of "mta_sts_tlsrpt" does not exist, TLS reports will be answered 500 and lost when senders stop retrying \(RFC 8460, section 5\.5\); create it: "mkdir [^"]+\/html\/missing" in \S+:\d+/,
 qr/\[crit\] .*link\(\) "[^"]+" to "[^"]+\/html\/missing\/google\.com![^"]+" failed \(2: No such file or directory\)/]
--- no_error_log
[alert]
[emerg]



=== TEST 27: an unwritable report directory (immutable, even for root) - 500
--- skip_eval
1: system("mkdir -p /tmp/mta-sts-tlsrpt-ro.$$ && { chattr +i /tmp/mta-sts-tlsrpt-ro.$$ 2>/dev/null || { rmdir /tmp/mta-sts-tlsrpt-ro.$$; false; }; }") != 0
--- init
add_cleanup_handler(sub { local $?; system("chattr -i /tmp/mta-sts-tlsrpt-ro.$$ 2>/dev/null; rmdir /tmp/mta-sts-tlsrpt-ro.$$ 2>/dev/null") });
--- config eval
"    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt /tmp/mta-sts-tlsrpt-ro.$$;
        add_header X-Result \$mta_sts_tlsrpt_result always;
    }"
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- error_code: 500
--- response_headers
X-Result: error
--- error_log eval
[qr/\[warn\] .*user "root" cannot create files in directory "\/tmp\/mta-sts-tlsrpt-ro\.\d+" of "mta_sts_tlsrpt" \(1: Operation not permitted\), TLS reports will be answered 500 and lost when senders stop retrying \(RFC 8460, section 5\.5\) in \S+:\d+/,
 qr/\[crit\] .*link\(\) "[^"]+" to "\/tmp\/mta-sts-tlsrpt-ro\.\d+\/google\.com![^"]+" failed \(1: Operation not permitted\)/]
--- no_error_log
[alert]
[emerg]



=== TEST 28: mta_sts_tlsrpt_domains - a report for a listed domain is stored
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        mta_sts_tlsrpt_domains Example.COM example.net;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- error_code: 201
--- response_headers
X-Result: stored
--- no_error_log
[error]
[alert]
[crit]



=== TEST 29: mta_sts_tlsrpt_domains - a report for another domain is refused with 403
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        mta_sts_tlsrpt_domains Example.COM example.net;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::report("a", "x\@b.example", "1", "example.org")
--- error_code: 403
--- response_headers
X-Result: refused
--- error_log
TLS report refused: policy domains "example.org" are not in mta_sts_tlsrpt_domains
--- no_error_log
[error]
[alert]
[crit]



=== TEST 30: mta_sts_tlsrpt_domains - a report without a policy domain is refused
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        mta_sts_tlsrpt_domains example.com;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::NOPOLICY)
--- error_code: 403
--- response_headers
X-Result: refused
--- error_log
TLS report refused: policy domains "" are not in mta_sts_tlsrpt_domains
--- no_error_log
[error]
[alert]
[crit]



=== TEST 31: mta_sts_tlsrpt_access - the stored file's mode (as dav_access)
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        mta_sts_tlsrpt_access user:rw group:r all:r;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- error_code: 201
--- response_body_filters eval
sub { sprintf "%o", (stat "$::DIR/$::GOOGLE_NAME")[2] & 07777 }
--- response_body: 644
--- no_error_log
[error]
[alert]
[crit]



=== TEST 32: the default mode is user:rw
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- error_code: 201
--- response_body_filters eval
sub { sprintf "%o", (stat "$::DIR/$::GOOGLE_NAME")[2] & 07777 }
--- response_body: 600
--- no_error_log
[error]
[alert]
[crit]



=== TEST 33: an empty body - 400
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- raw_request eval
::post("")
--- error_code: 400
--- response_headers
X-Result: invalid
--- error_log
TLS report refused: no body
--- no_error_log
[error]
[alert]
[crit]



=== TEST 34: allow/deny run before the receiver (a location content handler)
--- config
    location = /.well-known/tlsrpt {
        deny all;
        mta_sts_tlsrpt html/tlsrpt;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- error_code: 403
--- error_log
access forbidden by rule
--- no_error_log
[alert]
[crit]



=== TEST 35: mta_sts_tlsrpt_domains - not a domain name
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        mta_sts_tlsrpt_domains example.com ../x;
    }
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid domain "\.\.\/x", it must be a domain name in A-labels in \S+:\d+/



=== TEST 36: mta_sts_tlsrpt given twice
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        mta_sts_tlsrpt html/other;
    }
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_tlsrpt" directive is duplicate in \S+:\d+/



=== TEST 37: mta_sts_tlsrpt in a server block
--- config
    mta_sts_tlsrpt html/tlsrpt;
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_tlsrpt" directive is not allowed here in \S+:\d+/



=== TEST 38: the temp file on another file system - copied, then linked (EXDEV)
--- skip_eval
1: !-d $ENV{TEST_NGINX_SHM_DIR} || (stat _)[0] == (stat html_dir())[0]
--- init
system("rm", "-rf", $::DIR) == 0 or die; mkdir $::DIR or die "$::DIR: $!";
--- config
    location = /.well-known/tlsrpt {
        client_body_temp_path $TEST_NGINX_SHM_DIR/body;
        mta_sts_tlsrpt html/tlsrpt;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
    location /stored/ {
        alias html/tlsrpt/;
    }
--- request eval
["POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE),
 "POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE),
 "GET /stored/$::GOOGLE_NAME"]
--- error_code eval
[201, 200, 200]
--- response_headers eval
["X-Result: stored", "X-Result: duplicate", "!X-Result"]
--- response_body_filters eval
[[sub { $_[0] . CORE::join ",", map { s{.*/}{}r } glob("$::DIR/* $::DIR/.??*") }],
 [sub { $_[0] . CORE::join ",", map { s{.*/}{}r } glob("$::DIR/* $::DIR/.??*") }],
 []]
--- response_body eval
[$::GOOGLE_NAME, $::GOOGLE_NAME, ::gz($::GOOGLE)]
--- no_error_log
[error]
[alert]
[crit]



=== TEST 39: the temp file on another file system - nginx -t and reloads say that each report is copied
--- skip_eval
1: !-d $ENV{TEST_NGINX_SHM_DIR} || (stat _)[0] == (stat html_dir())[0]
--- init
system("rm", "-rf", $::DIR) == 0 or die; mkdir $::DIR or die "$::DIR: $!";
--- config
    location = /.well-known/tlsrpt {
        client_body_temp_path $TEST_NGINX_SHM_DIR/body;
        mta_sts_tlsrpt html/tlsrpt;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- error_code: 201
--- error_log eval
qr/\[notice\] .*"client_body_temp_path" "\Q$ENV{TEST_NGINX_SHM_DIR}\E\/body" is on another file system than directory "[^"]+\/html\/tlsrpt" of "mta_sts_tlsrpt": each TLS report is copied, not linked into place; put both on one file system in \S+:\d+/
--- no_error_log
[warn]
[error]
[crit]



=== TEST 40: no mta_sts_tlsrpt - a POST elsewhere is the site's, the variables are empty
--- config
    location = /.well-known/tlsrpt {
        return 200 "[$mta_sts_tlsrpt_result][$mta_sts_tlsrpt_file][$mta_sts_tlsrpt_failed]\n";
    }
--- request eval
"POST /.well-known/tlsrpt\n" . ::gz($::GOOGLE)
--- error_code: 200
--- response_body
[][][]
--- response_body_filters eval
sub { $_[0] . CORE::join ",", map { s{.*/}{}r } glob("$::DIR/*") }
--- no_error_log
[error]
[alert]
[crit]



=== TEST 41: mta_sts_tlsrpt_max_json_size - plain JSON over the cap, refused by its size alone
--- config
    location = /.well-known/tlsrpt {
        mta_sts_tlsrpt html/tlsrpt;
        mta_sts_tlsrpt_max_json_size 500;
        add_header X-Result $mta_sts_tlsrpt_result always;
    }
--- request eval
"POST /.well-known/tlsrpt\n" . $::GOOGLE
--- more_headers
Content-Type: application/tlsrpt+json
--- error_code: 413
--- response_headers
X-Result: too_large
--- error_log
TLS report refused: the report is larger than the JSON size limit
--- no_error_log
[error]
[alert]
[crit]
