# mta_sts_dns_update against Knot DNS (Debian: knot, knot-dnsutils), the
# second server after BIND (t/050): the key as keymgr prints it, read by
# nginx and included by knotd; an ACL that lets the key change only
# _mta-sts TXT (update-owner-name), started on a port of 127.0.0.1 of the
# suite's network namespace, stopped by pid.
#
#   first.test    no record: the first publish (RFC 2136, section 2.4.3),
#                 the zone found by SOA
#   refused.test  the ACL lets the key change another name: Knot 3.2
#                 (Debian 12) answers NOTAUTH with TSIG BADKEY, Knot 3.4
#                 (Debian 13) a NOTAUTH with no TSIG at all, both unsigned
#                 (where BIND answers REFUSED); the module says each as it
#                 is, and nothing changes
#   badsig.test   nginx's key file has the name of Knot's key but another
#                 secret: NOTAUTH with TSIG BADSIG (RFC 8945, section
#                 5.2.2), and nothing changes
#
# Plain Test::More; the waits are for log lines, with a cap.

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep);
use lib "t/lib";
use PlainNginx;

sub tool {
    my ($name) = @_;
    my ($path) = grep { -x } map { "$_/$name" }
                 split(/:/, $ENV{PATH}), "/usr/sbin", "/usr/bin", "/sbin";
    return $path;
}

my ($knotd, $keymgr, $kdig) = map { tool($_) } qw(knotd keymgr kdig);

plan skip_all => "no Knot (Debian: apt-get install knot knot-dnsutils)"
    unless $knotd && $keymgr && $kdig;

my ($knot_version) = `$knotd -V` =~ /version (\S+)/;
$knot_version //= "(version unknown)";

my $load = load_modules();
my $dir = work_dir("dns-update-knot");
my $knot = "$dir/knot";
my $port = free_port();
mkdir $knot or die "$knot: $!\n";

system("$keymgr -t mta-sts-nginx.example hmac-sha256 > $dir/conf/nginx.key")
    == 0 or die "keymgr failed\n";
system("$keymgr -t bad.example hmac-sha256 > $dir/conf/bad.key") == 0
    or die "keymgr failed\n";
system("$keymgr -t bad.example hmac-sha256 > $knot/bad.key") == 0
    or die "keymgr failed\n";
chmod 0600, "$dir/conf/nginx.key", "$dir/conf/bad.key";

my @domains = qw(first refused badsig);

my $servers = "";

for my $d (@domains) {
    my $update = $d eq "badsig"
                 ? "mta_sts_dns_update 127.0.0.1:$port key=bad.key;" : "";

    $servers .= <<"END";
    server {
        listen 127.0.0.1:8080;
        server_name mta-sts.$d.test;
        mta_sts_mode enforce;
        mta_sts_mx mx.$d.test;
        $update
    }
END
}

open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
print $fh <<"END";
${load}pid logs/nginx.pid;
error_log logs/error.log info;
worker_processes 1;
events {}
http {
    mta_sts_check off;
    mta_sts_txt_log all;
    resolver 127.0.0.1:$port;
    resolver_timeout 2s;
    mta_sts_check_dns_interval 2s;
    mta_sts_dns_update 127.0.0.1:$port key=nginx.key;
    mta_sts_status_zone status 1m;

    server {
        listen 127.0.0.1:8080 default_server;
        server_name localhost;
        location = /json { mta_sts_status json; }
    }

$servers}
END
close $fh;

my $out = `@{[nginx_binary()]} -t -p $dir/ -c conf/nginx.conf 2>&1`;

if (open my $el, "<", "$dir/logs/error.log") {
    $out .= do { local $/; <$el> };
    close $el;
}

my %id = $out =~ /publish _mta-sts\.(\S+)\.test\. TXT "v=STSv1; id=(\w+)"/g;
is(scalar keys %id, 3, "nginx -t - the key file as keymgr prints it, "
                       . "an id a domain") or diag($out);

# the zones, and knotd

my $zones = "";

for my $d (@domains) {
    my $acl = { refused => "other", badsig => "bad" }->{$d} // "nginx";

    open my $z, ">", "$knot/$d.test.zone" or die "$!\n";
    print $z <<"END";
\$TTL 300
@ IN SOA ns.$d.test. hostmaster.$d.test. 1 3600 600 86400 0
@ IN NS ns.$d.test.
ns IN A 127.0.0.1
END
    print $z "_mta-sts IN TXT \"v=STSv1; id=old\"\n" if $d ne "first";
    close $z;

    $zones .= "  - domain: $d.test\n    acl: $acl\n";
}

open my $kc, ">", "$knot/knot.conf" or die "$!\n";
print $kc <<"END";
server:
    rundir: "$knot"
    listen: 127.0.0.1\@$port
include: "$dir/conf/nginx.key"
include: "$knot/bad.key"
database:
    storage: "$knot"
acl:
  - id: nginx
    key: mta-sts-nginx.example
    action: update
    update-type: [TXT]
    update-owner: name
    update-owner-match: equal
    update-owner-name: [_mta-sts]
  - id: bad
    key: bad.example
    action: update
  - id: other
    key: mta-sts-nginx.example
    action: update
    update-type: [TXT]
    update-owner: name
    update-owner-match: equal
    update-owner-name: [other]
template:
  - id: default
    storage: "$knot"
    zonefile-sync: -1
zone:
$zones
log:
  - target: stderr
    any: debug
END
close $kc;

my $knot_pid = fork() // die "fork: $!\n";

if ($knot_pid == 0) {
    open STDOUT, ">", "$dir/logs/knot.log";
    open STDERR, ">&", \*STDOUT;
    exec $knotd, "-c", "$knot/knot.conf";
    exit 127;
}

sub dig_txt {
    my ($name) = @_;
    my $r = `$kdig +short +retry=0 +timeout=2 -p $port \@127.0.0.1 TXT $name`;
    chomp $r;
    return $r;
}

for (1 .. patience()) {
    last if `$kdig +short +retry=0 +timeout=1 -p $port \@127.0.0.1 SOA first.test 2>/dev/null`
            =~ /ns\.first/;
    sleep 0.1;
}

is(dig_txt("_mta-sts.refused.test"), "\"v=STSv1; id=old\"",
   "Knot serves the zones");

my $pid = start_nginx($dir);

sub log_now {
    open my $fh, "<", "$dir/logs/error.log" or return "";
    return do { local $/; <$fh> };
}

my $log = "";

for (1 .. 4 * patience()) {
    $log = log_now();
    last if $log =~ /\A(?=.*update of _mta-sts\.first\.test: TXT)(?=.*update of _mta-sts\.refused\.test at)(?=.*update of _mta-sts\.badsig\.test at)/s;
    sleep 0.1;
}

like($log, qr/\[notice\] \d+#\d+: MTA-STS DNS update of _mta-sts\.first\.test: TXT "v=STSv1; id=$id{first}" published at 127\.0\.0\.1:$port, zone "first\.test", TTL 3600/,
     "Knot: first publish (RFC 2136, section 2.4.3), the zone found by "
     . "SOA, confirmed") or diag($log);
is(dig_txt("_mta-sts.first.test"), "\"v=STSv1; id=$id{first}\"",
   "Knot: kdig sees the record");

# the two answers Knot gives, one per version; anything else fails
my $badkey = qr/NOTAUTH, TSIG BADKEY: the server does not know key "mta-sts-nginx\.example\." of "\S+nginx\.key" \(RFC 8945, section 5\.2\)/;
my $unsigned = qr/NOTAUTH \(unsigned\): the server is not the primary of zone "refused\.test", or its policy refused key "mta-sts-nginx\.example\."/;

like($log, qr/\[error\] \d+#\d+: MTA-STS DNS update of _mta-sts\.refused\.test at 127\.0\.0\.1:$port failed: (?:$badkey|$unsigned); not tried again until a reload/,
     "Knot $knot_version: an ACL that refuses the key - NOTAUTH, said as "
     . "Knot says it");
is(dig_txt("_mta-sts.refused.test"), "\"v=STSv1; id=old\"",
   "Knot: refused - nothing changed");

like($log, qr/\[error\] \d+#\d+: MTA-STS DNS update of _mta-sts\.badsig\.test at 127\.0\.0\.1:$port failed: NOTAUTH, TSIG BADSIG: the server has another secret for key "bad\.example\." of "\S+bad\.key" \(RFC 8945, section 5\.2\); not tried again until a reload/,
     "Knot $knot_version: another secret - NOTAUTH, BADSIG said (RFC 8945, "
     . "section 5.2.2)");
is(dig_txt("_mta-sts.badsig.test"), "\"v=STSv1; id=old\"",
   "Knot: BADSIG - nothing changed");

open my $kl, "<", "$dir/logs/knot.log" or die "$!\n";
my $knot_log = do { local $/; <$kl> };
close $kl;

like($knot_log, qr/\[refused\.test\.\] ACL, denied/,
     "Knot: its log says the ACL denied it");

SKIP: {
    skip "no JSON::PP", 4 unless eval { require JSON::PP; 1 };

    open my $c, "-|", "curl", "-s", "http://127.0.0.1:8080/json"
        or die "curl: $!\n";
    my $body = do { local $/; <$c> };
    close $c;

    my $doc = eval { JSON::PP->new->decode($body // "") } || {};
    my %u = map { $_->{domain} => $_->{dns_update} }
            @{ $doc->{domains} || [] };

    is($u{"first.test"}{state}, "published", "JSON: Knot - published");
    like($u{"refused.test"}{detail} // "", qr/^(?:$badkey|$unsigned)\z/,
         "JSON: Knot - refused, failed, why");
    is($u{"badsig.test"}{state}, "failed", "JSON: Knot - BADSIG, failed");
    like($u{"badsig.test"}{detail} // "",
         qr/^NOTAUTH, TSIG BADSIG: the server has another secret/,
         "JSON: Knot - BADSIG, why");
}

unlike(log_now(), qr/\[(?:alert|crit|emerg)\]/, "nothing worse");
ok(stop_nginx($pid), "nginx stopped");

kill "TERM", $knot_pid;
waitpid $knot_pid, 0;

done_testing();
