# The DNS check's results on the status endpoint: per domain and check
# (the _mta-sts TXT of RFC 8461 section 3.1, the MX hosts of section 4.1,
# mta-sts.<domain> A/AAAA of section 3.3, the _smtp._tls TXT of RFC 8460
# section 3) the state, the time and the finding, as JSON, an HTML page
# and Prometheus text.  A correct domain, a stale id (a notice, then a
# warn once the TTL has passed: section 8.1), MX hosts not covered, a
# resolver that never answers (could not check), a hostile TXT record
# (text in the page and the JSON, never a label), a domain that two
# server blocks serve (checked once, listed once), and one not checked.
# This nginx receives TLS reports, so a _smtp._tls record whose https:
# rua URIs name no host of this nginx is a notice (RFC 8460, section 3).
# dnsmasq from Debian (t/lib/Dnsmasq.pm) on 127.0.0.1 at a port of its
# own; the waits are for values, with a cap, never for a time.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use lib "t/lib";
use PlainNginx;
use Dnsmasq;

plan skip_all => "no dnsmasq (Debian: apt-get install dnsmasq-base)"
    unless dnsmasq_binary();
plan skip_all => "no JSON::PP" unless eval { require JSON::PP; 1 };

my $load = load_modules();
my $dir = work_dir("dns-status");
my $port = free_port();
my $port2 = free_port();
my $dns = free_port();

# the workers (nobody, when the suite runs as root) store reports here
chmod 0755, $dir or die "$dir: $!\n";
mkdir "$dir/reports", 0777 or die "$!\n";
chmod 0777, "$dir/reports";

# a UDP socket that never answers: a resolver that is down
my $dead = IO::Socket::INET->new(Proto => "udp", LocalAddr => "127.0.0.1",
                                 LocalPort => 0)
    or die "udp: $!\n";
my $deadport = $dead->sockport;

my @domains = qw(good.test stale.test mxbad.test dead.test hostile.test
                 twice.test off.test elsewhere.test mailonly.test wild.test);

my $servers = "";

for my $d (@domains) {
    my $extra = "";

    $extra = "resolver 127.0.0.1:$deadport;" if $d eq "dead.test";
    $extra = "mta_sts_check_dns off;" if $d eq "off.test";

    $servers .= <<"END";
    server {
        listen 127.0.0.1:$port;
        server_name mta-sts.$d;
        mta_sts_mode enforce;
        mta_sts_mx mx.$d;
        $extra
    }
END
}

# the same domain in a second server block, on another port
$servers .= <<"END";
    server {
        listen 127.0.0.1:$port2;
        server_name mta-sts.twice.test;
        mta_sts_mode enforce;
        mta_sts_mx mx.twice.test;
    }
END

open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
print $fh <<"END";
${load}pid logs/nginx.pid;
error_log logs/error.log info;
worker_processes 1;
events {}
http {
    access_log off;
    mta_sts_check off;
    mta_sts_check_listener off;
    mta_sts_txt_log all;
    resolver 127.0.0.1:$dns;
    resolver_timeout 1s;
    mta_sts_status_zone status 1m;

    server {
        listen 127.0.0.1:$port default_server;
        server_name localhost reports.good.test *.wild.example;
        location = /.well-known/tlsrpt { mta_sts_tlsrpt $dir/reports; }
        location = /metrics { mta_sts_status prometheus; }
        location = /json { mta_sts_status json; }
        location = /html { mta_sts_status html; }
    }
$servers}
END
close $fh;

# the ids served, as nginx -t lists the records to publish
my $out = `@{[nginx_binary()]} -t -p $dir/ -c conf/nginx.conf 2>&1`;

if (open my $el, "<", "$dir/logs/error.log") {
    $out .= do { local $/; <$el> };
    close $el;
    unlink "$dir/logs/error.log";
}

my %id = $out =~ /publish _mta-sts\.(\S+)\. TXT "v=STSv1; id=(\w+)"/g;
ok($id{"good.test"} && $id{"twice.test"}, "nginx -t - the ids served")
    or diag($out);

my $hostile = "v=STSv1; id=</td><script>alert(1)</script>&amp;'x'";
my @rr = ("--local=/test/");

for my $d (@domains) {
    my $rua = $d eq "elsewhere.test" ? "https://reports.example.net/v1"
            : $d eq "mailonly.test" ? "mailto:r\@$d"
            : $d eq "wild.test" ? "https://tlsrpt.wild.example/v1"
            : "https://reports.good.test/v1";

    push @rr, "--mx-host=$d,mx.$d,10",
              "--host-record=mta-sts.$d,127.0.0.1",
              "--txt-record=_smtp._tls.$d,v=TLSRPTv1; rua=$rua";
    push @rr, "--txt-record=_mta-sts.$d,v=STSv1; id=$id{$d}"
        unless $d =~ /^(stale|hostile)\./;
}

push @rr, "--txt-record=_mta-sts.stale.test,v=STSv1; id=old1",
          "--txt-record=_mta-sts.hostile.test,$hostile",
          "--mx-host=mxbad.test,backup.other.test,20",
          "--mx-host=mxbad.test,new.other.test,30";

my $dns_pid = start_dnsmasq($dir, $dns, @rr);
my $pid = start_nginx($dir);

sub get {
    my ($path) = @_;

    open my $c, "-|", "curl", "-s", "http://127.0.0.1:$port$path"
        or die "curl: $!\n";
    binmode $c;
    my $body = do { local $/; <$c> };
    close $c;

    return $body // "";
}

sub domains {
    my ($uri) = @_;
    my $doc = eval { JSON::PP->new->decode(get($uri // "/json")) }
        or return {};
    my %d;

    push @{ $d{$_->{domain}} }, $_ for @{ $doc->{domains} };

    return \%d;
}

# every check of every checked domain done, and the stale id looked at
# again after its TTL (0 in dnsmasq) + 1 s; a dead resolver costs 1 s a
# try, 3 tries

my $d = {};

for (1 .. 6 * patience()) {
    $d = domains();

    my $done = 1;

    for my $name (grep { $_ ne "off.test" } @domains) {
        my $dns = $d->{$name} && $d->{$name}[0]{dns};
        $done = 0 unless $dns
            && !grep { $dns->{$_}{state} eq "not_run" }
                    qw(txt mx policy_host tlsrpt);
    }

    $done = 0 unless $done && $d->{"stale.test"}[0]{dns}{txt}{state} eq "warn";

    last if $done;
    sleep 0.1;
}

diag(JSON::PP->new->canonical->pretty->encode($d)) if $ENV{TEST_VERBOSE};

# a correct domain

my $g = $d->{"good.test"}[0]{dns};

is_deeply([map { $g->{$_}{state} } qw(txt mx policy_host tlsrpt)],
          [qw(ok ok ok ok)], "JSON: a correct domain - each check ok");
like($g->{txt}{checked} // "", qr/^\d+$/, "JSON: when the check ran");
like($g->{txt}{finding} // "", qr/^_mta-sts\.good\.test TXT id "\w+" is the id served$/,
     "JSON: the finding, without the log line's prefix");
ok(!$g->{txt}{id_stale} && !defined $g->{txt}{recheck}
   && $g->{mx}{uncovered_hosts} == 0,
   "JSON: id not stale, no recheck, every MX host covered");
ok(!$d->{"good.test"}[0]{failing}, "JSON: a correct domain is not failing");

# a stale id: a notice, looked at again after the TTL, then a warn

my $s = $d->{"stale.test"}[0]{dns}{txt};

is($s->{state}, "warn", "JSON: a stale id after its TTL - warn "
                        . "(RFC 8461, section 8.1)");
ok($s->{id_stale}, "JSON: a stale id - id_stale");
like($s->{finding} // "", qr/^expected _mta-sts\.stale\.test TXT id "$id{'stale.test'}", the id of the policy served, found "old1"/,
     "JSON: a stale id - what was expected and found");
ok($d->{"stale.test"}[0]{failing}, "JSON: a DNS warn is failing");

open my $lf, "<", "$dir/logs/error.log" or die "$!\n";
my $log = do { local $/; <$lf> };
close $lf;

like($log, qr/\[notice\].*"stale\.test": the _mta-sts\.stale\.test TXT id is "old1".*looked at again in 1 s/,
     "a stale id - first a notice (RFC 8461, section 8.1)");

# MX hosts not covered

my $m = $d->{"mxbad.test"}[0]{dns}{mx};

is($m->{state}, "warn", "JSON: MX hosts not covered, enforce - warn "
                        . "(RFC 8461, section 4.1)");
is($m->{uncovered_hosts}, 2, "JSON: two MX hosts not covered");
like($m->{finding} // "", qr/found "(?:backup|new)\.other\.test" matched by none/,
     "JSON: the first host not covered named");

# a resolver that never answers

my $x = $d->{"dead.test"}[0]{dns};

is_deeply([map { $x->{$_}{state} } qw(txt mx policy_host tlsrpt)],
          [("could_not_check") x 4],
          "JSON: no answer - could not check, never missing");
like($x->{txt}{finding} // "", qr/^could not check _mta-sts\.dead\.test TXT: timed out \(resolver 127\.0\.0\.1:$deadport\)$/,
     "JSON: no answer - why");

# a hostile TXT record: text

my $h = $d->{"hostile.test"}[0]{dns}{txt};

is($h->{state}, "warn", "JSON: an invalid TXT record - warn");
like($h->{finding} // "", qr/found "\Q$hostile\E"/,
     "JSON: the hostile record as a valid JSON string");

my $html = get("/html");

unlike($html, qr/<script/i, "HTML: the hostile record is no markup");
like($html, qr/found &quot;v=STSv1; id=&lt;\/td&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&amp;amp;&#39;x&#39;&quot;/,
     "HTML: the hostile record as text");

# a domain two server blocks serve: checked once, listed once

is(scalar @{ $d->{"twice.test"} || [] }, 1, "JSON: a domain of two "
                                           . "servers - listed once");

open my $ql, "<", "$dir/logs/dnsmasq.log" or die "$!\n";
my $asked = do { local $/; <$ql> };
close $ql;

my @twice = $asked =~ /query\[TXT\] _mta-sts\.twice\.test from/g;
is(scalar @twice, 1, "a domain of two servers - asked once");

for my $p ($port, $port2) {
    system("curl -s -o /dev/null -H 'Host: mta-sts.twice.test' "
           . "http://127.0.0.1:$p/.well-known/mta-sts.txt");
}

is(domains()->{"twice.test"}[0]{fetches}, 2,
   "a domain of two servers - the fetches of both counted");

# this nginx receives reports: an rua that does not name it (RFC 8460, 3)

is($d->{"wild.test"}[0]{dns}{tlsrpt}{state}, "ok",
   "JSON: an https: rua of a wildcard server name - ok");
like($g->{tlsrpt}{finding} // "", qr/_smtp\._tls\.good\.test TXT is valid/,
     "JSON: an https: rua of this nginx - valid");

for my $n (qw(elsewhere mailonly)) {
    my $t = $d->{"$n.test"}[0]{dns}{tlsrpt};

    is($t->{state}, "notice", "JSON: $n - a notice");
    like($log, qr/\[notice\] \d+#\d+: MTA-STS DNS check of "$n\.test": this nginx receives TLS reports \("mta_sts_tlsrpt"\), but no https: URI in the rua of the _smtp\._tls\.$n\.test TXT record, "[^"]+", names a host it serves: reports for $n\.test go elsewhere \(RFC 8460, section 3\)/,
         "$n - said at notice");
}

# a domain not checked: null in JSON, its series at 0

is($d->{"off.test"}[0]{dns}, undef, "JSON: mta_sts_check_dns off - null");

# the page: failing first, the verdicts

my ($first) = $html =~ /<tr class="bad"><td><a [^>]+>([^<]+)</;
ok($first && $first ne "good.test", "HTML: a failing domain first");
like($html, qr/>good\.test<.*?<td><strong>ok<\/strong>, \d+ min ago<\/td>/s,
     "HTML: a correct domain - ok");
like($html, qr/>stale\.test<.*?DNS does not match the policy.*?<strong>warn<\/strong>, \d+ min ago<br>txt warn: expected _mta-sts\.stale\.test/s,
     "HTML: a stale id - the problem, the verdict, the finding");
like($html, qr/>dead\.test<.*?<strong>could not check<\/strong>/s,
     "HTML: no answer - could not check");
like($html, qr/>off\.test<.*?not checked \(no resolver\)/s,
     "HTML: a domain not checked");
my @rows = $html =~ />twice\.test</g;
is(scalar @rows, 1, "HTML: a domain of two servers - one row");

# Prometheus

my $metrics = get("/metrics");

sub value {
    my ($series) = @_;

    return $metrics =~ /^\Q$series\E (\S+)$/m ? $1 : undef;
}

is(value('mta_sts_dns_check_state{domain="good.test",check="txt"}'), 1,
   "Prometheus: ok is 1");
is(value('mta_sts_dns_check_state{domain="dead.test",check="mx"}'), 2,
   "Prometheus: could not check is 2");
is(value('mta_sts_dns_check_state{domain="stale.test",check="txt"}'), 4,
   "Prometheus: warn is 4");
is(value('mta_sts_dns_txt_id_stale{domain="stale.test"}'), 1,
   "Prometheus: the stale id");
is(value('mta_sts_dns_txt_id_stale{domain="good.test"}'), 0,
   "Prometheus: an id that matches");
is(value('mta_sts_dns_mx_uncovered_hosts{domain="mxbad.test"}'), 2,
   "Prometheus: the MX hosts not covered");
like(value('mta_sts_dns_check_timestamp_seconds{domain="good.test",'
           . 'check="tlsrpt"}') // "", qr/^1\d{9}$/,
     "Prometheus: when the check ran");
is(value('mta_sts_dns_check_state{domain="off.test",check="policy_host"}'),
   0, "Prometheus: a domain not checked - its series there, at 0");
is(value('mta_sts_dns_check_timestamp_seconds{domain="off.test",'
         . 'check="txt"}'), 0, "Prometheus: not checked - time 0");
unlike($metrics, qr/script/, "Prometheus: no record text, no label of it");
my @info = $metrics =~ /^mta_sts_policy_info\{domain="twice\.test"/mg;
is(scalar @info, 1, "Prometheus: a domain of two servers - once");

SKIP: {
    skip "no promtool (Debian: prometheus)", 1
        unless grep { -x "$_/promtool" } split /:/, $ENV{PATH};

    open my $pt, "|-", "promtool check metrics > $dir/promtool.out 2>&1"
        or die "$!\n";
    print $pt $metrics;
    close $pt;

    is($?, 0, "promtool check metrics passes")
        or diag(`cat $dir/promtool.out`);
}

# a reload onto a resolver that never answers: the results of the old
# configuration are not shown as the new one's (not run, then could not
# check, never the old "ok").  An old worker still answers for a moment
# after the reload, with its own configuration's results: the new
# configuration's JSON is at a URI the old one does not have.

system("sed -i -e 's/resolver 127.0.0.1:$dns;/resolver 127.0.0.1:$deadport;/' "
       . "-e 's|location = /json |location = /json-new |' "
       . "$dir/conf/nginx.conf") == 0 or die "sed\n";
reload_nginx($dir, $pid);

my @seen;

for (1 .. 6 * patience()) {
    my $t = domains("/json-new")->{"good.test"};
    my $state = $t ? $t->[0]{dns}{txt}{state} : "none";

    push @seen, $state unless @seen && $seen[-1] eq $state;
    last if $state eq "could_not_check";
    sleep 0.1;
}

is($seen[-1], "could_not_check", "reload - the new configuration's "
                                 . "result") or diag("@seen");
ok(!grep({ $_ eq "ok" } @seen), "reload - the old configuration's result "
                                . "never shown") or diag("@seen");

ok(stop_nginx($pid), "nginx stopped");
stop_dnsmasq($dns_pid);

open $lf, "<", "$dir/logs/error.log" or die "$!\n";
$log = do { local $/; <$lf> };
close $lf;

unlike($log, qr/\[(?:alert|crit|emerg)\]/, "nothing worse");

done_testing();
