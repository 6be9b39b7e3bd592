# mta_sts_status: the counters of the policy domains and of the TLS report
# receiver in shared memory, as Prometheus text 0.0.4, JSON and an HTML
# page.  Counting rules: a report counts once, when newly stored (RFC
# 8460, section 5.1 names a report's file, a duplicate has the same
# name); sessions come from each policy's summary, failed sessions by
# result type from failure-details in a metric of their own (section
# 4.3: types may overlap); every series of a known label value is there
# at 0; nothing a sender writes becomes a label.  A reload keeps the
# counters and adds a new domain at 0.  Plain Test::More: one nginx of
# the test's own, reloaded within the test.

use strict;
use warnings;

use Test::More;
use IO::Compress::Gzip qw(gzip $GzipError);
use lib "t/lib";
use PlainNginx;

my $nginx = nginx_binary();
my $load = load_modules();
my $dir = work_dir("status");
my $port = free_port();

# the workers (nobody, when the suite runs as root) store reports here
chmod 0755, $dir or die "$dir: $!\n";
mkdir "$dir/reports", 0777 or die "$!\n";
mkdir "$dir/body", 0777 or die "$!\n";
chmod 0777, "$dir/reports", "$dir/body";

sub policy_server {
    my ($domain, $mode) = @_;

    return "    server {\n        listen 127.0.0.1:$port;\n"
         . "        server_name mta-sts.$domain;\n"
         . "        mta_sts_mode $mode;\n        mta_sts_mx mail.$domain;\n"
         . "        mta_sts_check off;\n    }\n";
}

sub write_conf {
    my (%o) = @_;

    my $zone = $o{zone} // "    mta_sts_status_zone status 1m;\n";
    my $servers = join "", map { policy_server(@$_) } @{ $o{domains} };

    open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
    print $fh "${load}pid logs/nginx.pid;\nerror_log logs/error.log info;\n"
        . "events {}\nhttp {\n    access_log off;\n"
        . "    client_body_temp_path $dir/body;\n$zone"
        . "    server {\n        listen 127.0.0.1:$port default_server;\n"
        . "        server_name localhost;\n"
        . "        location = /.well-known/tlsrpt {\n"
        . "            mta_sts_tlsrpt $dir/reports;\n        }\n"
        . "        location = /metrics { mta_sts_status prometheus; }\n"
        . "        location = /json { mta_sts_status json; }\n"
        . "        location = /html { mta_sts_status html; }\n"
        . "        location = /status {\n"
        . "            allow 127.0.0.2;\n            deny all;\n"
        . "            mta_sts_status;\n        }\n"
        . "        location = /auto { mta_sts_status; }\n"
        . "    }\n$servers}\n";
    close $fh;
}

# curl: the status line, the headers and the body
sub http {
    my ($method, $path, %o) = @_;

    my @args = ("curl", "-s", "-i", "-X", $method,
                "http://127.0.0.1:$port$path");

    push @args, "-H", "Host: $o{host}" if $o{host};
    push @args, "-H", "Accept: $o{accept}" if $o{accept};
    push @args, "-I" if $method eq "HEAD";

    if (defined $o{body}) {
        open my $fh, ">", "$dir/body.bin" or die "$!\n";
        binmode $fh;
        print $fh $o{body};
        close $fh;
        push @args, "--data-binary", "\@$dir/body.bin",
                    "-H", "Content-Type: application/tlsrpt+gzip";
    }

    open my $out, "-|", @args or die "curl: $!\n";
    binmode $out;
    my $r = do { local $/; <$out> };
    close $out;

    my ($head, $body) = split /\r\n\r\n/, $r, 2;
    my ($code) = $head =~ m{^HTTP/\S+ (\d+)};

    return ($code, $head, $body // "");
}

sub metrics { (http("GET", "/metrics"))[2] }

sub value {
    my ($text, $series) = @_;

    return $text =~ /^\Q$series\E (\S+)$/m ? $1 : undef;
}

sub report {
    my (%o) = @_;

    my $policies = join ",", map {
        my ($domain, $ok, $failed, @details) = @$_;
        my $d = join ",", map {
            my ($type, $n, $mx) = @$_;
            qq({"result-type":"$type","failed-session-count":$n,)
            . qq("receiving-mx-hostname":"$mx","receiving-ip":"192.0.2.7",)
            . qq("failure-reason-code":"x"})
        } @details;
        qq({"policy":{"policy-type":"sts","policy-domain":"$domain"},)
        . qq("summary":{"total-successful-session-count":$ok,)
        . qq("total-failure-session-count":$failed},)
        . qq("failure-details":[$d]})
    } @{ $o{policies} };

    my $json = qq({"organization-name":"$o{org}",)
        . qq("date-range":{"start-datetime":"2024-01-01T00:00:00Z",)
        . qq("end-datetime":"2024-01-01T23:59:59Z"},)
        . qq("contact-info":"tlsrpt\@sender.example",)
        . qq("report-id":"$o{id}","policies":[$policies]});

    my $gz;
    gzip(\$json => \$gz, Minimal => 1) or die $GzipError;

    return $gz;
}

sub post { http("POST", "/.well-known/tlsrpt", body => $_[0]) }

# the master's children now (its workers)
sub workers {
    my ($master) = @_;
    my @pids;

    for my $stat (glob "/proc/[0-9]*/stat") {
        open my $fh, "<", $stat or next;
        my $line = <$fh> // next;
        close $fh;
        push @pids, $1 if $line =~ /^(\d+) \(.*\) \S (\d+)/ && $2 == $master;
    }

    return @pids;
}

# a reload, once the old workers have exited: until then one of them may
# still take a connection and answer from the old configuration
sub reload {
    my ($master) = @_;
    my @old = workers($master);

    reload_nginx($dir, $master);

    for (1 .. patience()) {
        last unless grep { kill 0, $_ } @old;
        select undef, undef, undef, 0.1;
    }
}

write_conf(domains => [["example.com", "enforce"],
                       ["example.org", "testing"]]);

my $pid = start_nginx($dir);

# every series of a known label value is there, at 0

my $m = metrics();

is(value($m, 'mta_sts_policy_fetches_total{domain="example.com"}'), 0,
   "fetches of a configured domain start at 0");
is(value($m, 'mta_sts_policy_fetches_total{domain="other"}'), 0,
   "fetches of other start at 0");
is(value($m, 'mta_sts_tlsrpt_failed_sessions_total{domain="example.org",'
             . 'result_type="sts-webpki-invalid"}'), 0,
   "a failure type starts at 0");
is(value($m, 'mta_sts_tlsrpt_failed_sessions_total{domain="example.org",'
             . 'result_type="other"}'), 0,
   "the failure type other starts at 0");
is(value($m, 'mta_sts_tlsrpt_received_total{outcome="duplicate"}'), 0,
   "an outcome starts at 0");
is(value($m, 'mta_sts_tlsrpt_sessions_total{domain="example.com",'
             . 'result="failed"}'), 0, "failed sessions start at 0");
like($m, qr/^mta_sts_policy_info\{domain="example\.com",mode="enforce",id="[0-9a-f]{32}"\} 1$/m,
     "the policy's mode and id");
like($m, qr/^mta_sts_listener_ok\{domain="example\.com",verdict="unchecked"\} 0$/m,
     "the listener verdict: not checked with mta_sts_check off");
is(value($m, "mta_sts_status_uncounted_domains"), 0, "every domain counted");

# policy fetches, per domain, in the policy handler

http("GET", "/.well-known/mta-sts.txt", host => "mta-sts.example.com")
    for 1 .. 3;
http("GET", "/.well-known/mta-sts.txt", host => "mta-sts.example.org");

$m = metrics();

is(value($m, 'mta_sts_policy_fetches_total{domain="example.com"}'), 3,
   "three fetches of example.com");
is(value($m, 'mta_sts_policy_fetches_total{domain="example.org"}'), 1,
   "one fetch of example.org");

# a report: sessions from the summary, types from failure-details

my $r1 = report(org => "Sender One", id => "r1", policies => [
    ["example.com", 10, 5, ["certificate-expired", 3, "mail.example.com"],
                           ["validation-failure", 4, "mail.example.com"],
                           ["no-such-type", 2, "mail.example.com"]],
    ["unknown.example", 1, 0]]);

my ($code) = post($r1);
is($code, 201, "a report is stored");

($code) = post($r1);
is($code, 200, "the same report again is a duplicate");

$m = metrics();

is(value($m, 'mta_sts_tlsrpt_reports_total{domain="example.com"}'), 1,
   "the duplicate adds nothing to the reports (RFC 8460, section 5.1)");
is(value($m, 'mta_sts_tlsrpt_sessions_total{domain="example.com",'
             . 'result="successful"}'), 10, "successful sessions once");
is(value($m, 'mta_sts_tlsrpt_sessions_total{domain="example.com",'
             . 'result="failed"}'), 5,
   "failed sessions from the summary, once (RFC 8460, section 4.4)");
is(value($m, 'mta_sts_tlsrpt_failed_sessions_total{domain="example.com",'
             . 'result_type="certificate-expired"}'), 3,
   "failed sessions by type (RFC 8460, section 4.3)");
is(value($m, 'mta_sts_tlsrpt_failed_sessions_total{domain="example.com",'
             . 'result_type="validation-failure"}'), 4,
   "types overlap the summary, kept apart");
is(value($m, 'mta_sts_tlsrpt_failed_sessions_total{domain="example.com",'
             . 'result_type="other"}'), 2, "an unknown type is other");
is(value($m, 'mta_sts_tlsrpt_reports_total{domain="other"}'), 1,
   "a domain not configured is other");
is(value($m, 'mta_sts_tlsrpt_sessions_total{domain="other",'
             . 'result="successful"}'), 1, "other's sessions");
is(value($m, 'mta_sts_tlsrpt_received_total{outcome="stored"}'), 1,
   "one stored");
is(value($m, 'mta_sts_tlsrpt_received_total{outcome="duplicate"}'), 1,
   "one duplicate");
unlike($m, qr/unknown\.example|no-such-type|Sender One/,
       "nothing a sender wrote is a label");
ok(value($m, 'mta_sts_tlsrpt_last_report_timestamp_seconds{'
             . 'domain="example.com"}') > 1700000000,
   "the time of the last report");

# the other outcomes

($code) = post("not a report");
is($code, 400, "an invalid report");
($code) = http("GET", "/.well-known/tlsrpt");
is($code, 405, "a GET to the receiver");

$m = metrics();
is(value($m, 'mta_sts_tlsrpt_received_total{outcome="invalid"}'), 1,
   "one invalid");

# hostile strings: text in the page, valid JSON, never a label

my $hostile = qq(</td><script>alert(1)</script> \\" \\\\ \\n \\u0007);
my $r2 = report(org => $hostile, id => "r2", policies => [
    ["example.org", 0, 2, ["sts-policy-fetch-error", 2,
                           "<b>mx</b>\\\"q"]]]);
($code) = post($r2);
is($code, 201, "a report with hostile strings is stored");

my ($c, $h, $json) = http("GET", "/json");
is($c, 200, "JSON - 200");
like($h, qr{^Content-Type: application/json\r?$}m, "JSON - its type");

SKIP: {
    skip "no JSON::PP", 4 unless eval { require JSON::PP; 1 };

    my $doc = eval { JSON::PP->new->decode($json) };
    ok($doc, "JSON - valid") or diag($@);

    my ($org) = map { $_->{domain} eq "example.org" ? $_ : () }
                @{ $doc->{domains} };

    is($org->{tlsrpt}{last_failures}[0]{organization},
       "</td><script>alert(1)</script> \" \\ \n \x07",
       "JSON - the organization as sent, escaped");
    is($org->{txt}, "v=STSv1; id=$org->{id};", "JSON - the TXT record");
    is($org->{policy_url},
       "https://mta-sts.example.org/.well-known/mta-sts.txt",
       "JSON - the policy URL");
}

# a later report without failures: example.com is no longer failing

($code) = post(report(org => "Sender One", id => "r3",
                      policies => [["example.com", 7, 0]]));
is($code, 201, "a report without failures");

my $html;
($c, $h, $html) = http("GET", "/html");
is($c, 200, "HTML - 200");
like($h, qr{^Content-Type: text/html; charset=utf-8\r?$}m, "HTML - its type");
like($h, qr{^Content-Security-Policy: default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';}m,
     "HTML - a strict Content-Security-Policy");
unlike($html, qr/<script|<b>/, "HTML - no markup from a report");
like($html, qr{&lt;/td&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;},
     "HTML - the organization as text");
like($html, qr{<tr class="bad"><td><a href="https://mta-sts\.example\.org/.*\n<tr><td><a href="https://mta-sts\.example\.com/}s,
     "HTML - the failing domain first");

$m = metrics();
unlike($m, qr/script|<b>/, "Prometheus - no report text");

# Prometheus text 0.0.4, exactly its type

($c, $h) = http("GET", "/metrics");
like($h, qr{^Content-Type: text/plain; version=0\.0\.4; charset=utf-8\r?$}m,
     "Prometheus - the 0.0.4 type");

# GET and HEAD only

($c, $h) = http("POST", "/metrics");
is($c, 405, "POST - 405");
like($h, qr/^Allow: GET, HEAD\r?$/m, "POST - Allow");
($c, $h, my $b) = http("HEAD", "/metrics");
is($c, 200, "HEAD - 200");
is($b, "", "HEAD - no body");

# the format by Accept

($c, $h) = http("GET", "/auto", accept => "application/json");
like($h, qr{^Content-Type: application/json\r?$}m, "Accept JSON - JSON");
like($h, qr{^Vary: Accept\r?$}m, "Accept - Vary");
($c, $h) = http("GET", "/auto", accept => "text/html,*/*;q=0.8");
like($h, qr{^Content-Type: text/html}m, "Accept HTML - the page");
($c, $h) = http("GET", "/auto", accept =>
    "application/openmetrics-text;version=1.0.0;q=0.5,"
    . "text/plain;version=0.0.4;q=0.4,*/*;q=0.1");
like($h, qr{^Content-Type: text/plain; version=0\.0\.4}m,
     "Prometheus's Accept - Prometheus text");

# allow/deny at work

($c) = http("GET", "/status");
is($c, 403, "deny all - 403");

# promtool, the tool users point at it

# (Debian's prometheus package, from util/deps.sh test)
{
    open my $fh, "|-", "promtool check metrics > $dir/promtool.out 2>&1"
        or die "$!\n";
    print $fh metrics();
    close $fh;

    is($?, 0, "promtool check metrics passes")
        or diag(`cat $dir/promtool.out`);
}

# a reload that adds a domain: the counters stay, the new one is at 0

write_conf(domains => [["example.com", "enforce"],
                       ["example.org", "testing"],
                       ["example.net", "none"]]);
reload($pid);

$m = metrics();
is(value($m, 'mta_sts_policy_fetches_total{domain="example.com"}'), 3,
   "reload - fetches kept");
is(value($m, 'mta_sts_tlsrpt_sessions_total{domain="example.com",'
             . 'result="failed"}'), 5, "reload - sessions kept");
is(value($m, 'mta_sts_policy_fetches_total{domain="example.net"}'), 0,
   "reload - a new domain at 0");
is(value($m, 'mta_sts_tlsrpt_received_total{outcome="stored"}'), 3,
   "reload - outcomes kept");

# a reload that removes one: the others keep theirs

write_conf(domains => [["example.com", "enforce"],
                       ["example.net", "none"]]);
reload($pid);

$m = metrics();
is(value($m, 'mta_sts_policy_fetches_total{domain="example.com"}'), 3,
   "reload removing a domain - fetches kept");
is(value($m, 'mta_sts_policy_fetches_total{domain="example.org"}'), undef,
   "reload removing a domain - it is gone");

stop_nginx($pid);

# the zone full: 8 pages hold fewer slots than 30 domains; logged once,
# served, said in the metrics and the page

write_conf(zone => "    mta_sts_status_zone small 32k;\n",
           domains => [map { ["d$_.example", "testing"] } 1 .. 30]);
$pid = start_nginx($dir, 1);

$m = metrics();
my $n = value($m, "mta_sts_status_uncounted_domains");
ok($n && $n > 0, "zone full - uncounted domains said ($n)");
($c, $h, $html) = http("GET", "/html");
like($html, qr/domains are not counted: mta_sts_status_zone is full/,
     "zone full - said in the page");
($c) = http("GET", "/.well-known/mta-sts.txt", host => "mta-sts.d30.example");
is($c, 200, "zone full - policies still served");

open my $log, "<", "$dir/logs/error.log" or die "$!\n";
my @full = grep { /mta_sts_status_zone "small" is full/ } <$log>;
close $log;
ok(@full >= 1, "zone full - logged");

stop_nginx($pid);

done_testing();
