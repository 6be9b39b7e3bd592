# The first worker checks the live DNS of every static policy domain
# against what nginx serves, asking the "resolver" of the policy's server:
# the _mta-sts TXT id (RFC 8461, sections 3.1 and 8.1, erratum 6285), the
# MX hosts against the policy (section 4.1; RFC 7505), mta-sts.<domain>
# A/AAAA against the ssl listeners on port 443 (section 3.3) and the
# _smtp._tls record (RFC 8460, section 3).  The DNS server is dnsmasq
# from Debian (util/deps.sh: dnsmasq-base), on 127.0.0.1 of the suite's
# network namespace, stopped by pid.  Plain Test::More; the waits are for
# log lines, with a cap, never for a time.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use lib "t/lib";
use PlainNginx;
use Dnsmasq;

my $dnsmasq = dnsmasq_binary();

plan skip_all => "no dnsmasq (Debian: apt-get install dnsmasq-base)"
    unless $dnsmasq;
plan skip_all => "port 443 needs the suite's network namespace as root"
    unless ($ENV{MTA_STS_NETNS} || "") eq "1" && $> == 0;

my $load = load_modules();
my $dir = work_dir("dns");
my $certs = make_certs("$dir/certs");
my $dns = free_port();

# a UDP socket that never answers: a resolver address that is down
my $dead = IO::Socket::INET->new(Proto => "udp", LocalAddr => "127.0.0.1",
                                 LocalPort => 0)
    or die "udp: $!\n";
my $deadport = $dead->sockport;

# domain => [mode, mx patterns]
my %policy = (
    "good.test"     => ["enforce", "mx.good.test"],
    "stale.test"    => ["enforce", "mx.stale.test"],
    "two.test"      => ["enforce", "mx.two.test"],
    "none.test"     => ["enforce", "mx.none.test"],
    "split.test"    => ["enforce", "mx.split.test"],
    "space.test"    => ["enforce", "mx.space.test"],
    "cname.test"    => ["enforce", "mx.cname.test"],
    "mxbad.test"    => ["enforce", "mx.mxbad.test"],
    "mxtesting.test" => ["testing", "mx.mxtesting.test"],
    "wild.test"     => ["enforce", "*.wild.test"],
    "v6.test"       => ["enforce", "mx.v6.test"],
    "v6ok.test"     => ["enforce", "mx.v6ok.test"],
    "noaddr.test"   => ["enforce", "mx.noaddr.test"],
    "tlsdouble.test" => ["enforce", "mx.tlsdouble.test"],
    "nullmx.test"   => ["enforce", "mx.nullmx.test"],
    "large.test"    => ["enforce", "mx.large.test"],
    "rr.test"       => ["enforce", "mx.rr.test"],
    "deadonly.test" => ["enforce", "mx.deadonly.test"],
);

sub conf {
    my $servers = "";

    for my $d (sort keys %policy) {
        my ($mode, $mx) = @{$policy{$d}};
        my $listen = "listen 127.0.0.1:443 ssl;";
        my $resolver = "";

        $listen .= " listen [::1]:443 ssl;" if $d eq "v6ok.test";
        $resolver = "resolver 127.0.0.1:$deadport 127.0.0.1:$dns;"
            if $d eq "rr.test";
        $resolver = "resolver 127.0.0.1:$deadport;" if $d eq "deadonly.test";

        $servers .= <<"END";
    server {
        $listen
        server_name mta-sts.$d;
        ssl_certificate $certs/self.crt;
        ssl_certificate_key $certs/ec.key;
        mta_sts_mode $mode;
        mta_sts_mx $mx;
        $resolver
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
    resolver 127.0.0.1:$dns;
    resolver_timeout 1s;
    mta_sts_check_dns_interval 2s;

$servers
    server {
        listen 127.0.0.1:443 ssl;
        server_name mta-sts.off.test;
        ssl_certificate $certs/self.crt;
        ssl_certificate_key $certs/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mx.off.test;
        mta_sts_check_dns off;
    }
}
END
    close $fh;
}

conf();

# what nginx -t says, on stderr and in the error_log of the configuration

sub nginx_t {
    unlink "$dir/logs/error.log";
    my $out = `@{[nginx_binary()]} -t -p $dir/ -c conf/nginx.conf 2>&1`;
    open my $fh, "<", "$dir/logs/error.log" or return $out;
    return $out . do { local $/; <$fh> };
}

# the ids served, as nginx -t lists the records to publish
my $out = nginx_t();
my %id = $out =~ /publish _mta-sts\.(\S+)\. TXT "v=STSv1; id=(\w+)"/g;

is(scalar keys %id, scalar(keys %policy) + 1, "nginx -t - an id a domain")
    or diag($out);
unlike($out, qr/not checked: no "resolver"/,
       "nginx -t - a resolver: no notice about it");

# the records

my @rr = ("--local=/test/");

for my $d (keys %policy) {
    push @rr, "--mx-host=$d,mx.$d,10" unless $d =~ /^(mxbad|wild|nullmx)\./;
    push @rr, "--host-record=mta-sts.$d,127.0.0.1"
        unless $d =~ /^(noaddr|v6|v6ok)\./;
    push @rr, "--txt-record=_smtp._tls.$d,v=TLSRPTv1; rua=mailto:r\@$d"
        unless $d =~ /^(none|tlsdouble)\./;
    push @rr, "--txt-record=_mta-sts.$d,v=STSv1; id=$id{$d}"
        unless $d =~ /^(stale|none|split|space|cname|large)\./;
}

push @rr,
    "--txt-record=_mta-sts.stale.test,v=STSv1; id=old1",
    "--txt-record=_mta-sts.two.test,v=STSv1; id=other",
    "--txt-record=_mta-sts.split.test,v=STSv1; id=,$id{'split.test'}",
    "--txt-record=_mta-sts.space.test,v=STSv1 ; id=$id{'space.test'}",
    "--cname=_mta-sts.cname.test,mta-sts.cname.test",
    "--txt-record=mta-sts.cname.test,v=STSv1; id=$id{'cname.test'}",
    "--mx-host=mxbad.test,mx.mxbad.test,10",
    "--mx-host=mxbad.test,backup.other.test,20",
    "--mx-host=mxtesting.test,other.mxtesting.test,20",
    "--mx-host=wild.test,a.b.wild.test,10",
    "--dns-rr=nullmx.test,15,000000",
    "--host-record=mta-sts.v6.test,127.0.0.1,::1",
    "--host-record=mta-sts.v6ok.test,127.0.0.1,::1",
    "--txt-record=_smtp._tls.tlsdouble.test,v=TLSRPTv1; rua=mailto:a\@b.test",
    "--txt-record=_smtp._tls.tlsdouble.test,v=TLSRPTv1; rua=mailto:c\@b.test",
    "--txt-record=_mta-sts.large.test,v=STSv1; id=$id{'large.test'}",
    map { "--txt-record=_mta-sts.large.test," . ("$_" x 250) } 1 .. 8;

my $dns_pid = start_dnsmasq($dir, $dns, @rr);

unlink "$dir/logs/error.log";
my $pid = start_nginx($dir);

# the round starts 2 to 5 s after the start; a dead resolver costs 1 s a
# try; the stale id is looked at again after its TTL (0 in dnsmasq) + 1 s

my $log = "";
my $want = qr/expected _mta-sts\.stale\.test TXT id.*could not check _smtp\._tls\.deadonly|could not check _smtp\._tls\.deadonly.*expected _mta-sts\.stale\.test TXT id/s;

for (1 .. 6 * patience()) {
    sleep 0.1;
    open my $fh, "<", "$dir/logs/error.log" or next;
    $log = do { local $/; <$fh> };
    last if $log =~ $want
            && $log =~ /_smtp\._tls\.rr\.test TXT is valid/;
}

diag($log) if $ENV{TEST_VERBOSE};

sub said {
    my ($level, $re, $name) = @_;
    like($log, qr/\[$level\] \d+#\d+: MTA-STS DNS check of $re/, $name);
}

sub quiet {
    my ($d, $name) = @_;
    unlike($log, qr/\[(?:notice|warn)\] \d+#\d+: MTA-STS DNS check of "\Q$d\E"/,
           $name);
}

said("info", qr/"good\.test": _mta-sts\.good\.test TXT id "$id{'good.test'}" is the id served/,
     "good: the TXT id is the one served");
said("info", qr/"good\.test": every MX host of good\.test is matched/,
     "good: the MX host is matched");
said("info", qr/"good\.test": the addresses of mta-sts\.good\.test have listeners/,
     "good: the A record has an ssl listener on 443");
said("info", qr/"good\.test": _smtp\._tls\.good\.test TXT is valid/,
     "good: the TLSRPT record is valid");
quiet("good.test", "good: nothing to say");
quiet("off.test", "mta_sts_check_dns off: not checked");

open my $dl, "<", "$dir/logs/dnsmasq.log" or die "$!\n";
my $asked = do { local $/; <$dl> };
close $dl;

unlike($asked, qr/off\.test/, "mta_sts_check_dns off: not asked");
my @large = $asked =~ /query\[TXT\] _mta-sts\.large\.test from/g;
ok(@large >= 2, "a reply too large for UDP: asked twice, UDP then TCP")
    or diag($asked);

said("notice", qr/"stale\.test": the _mta-sts\.stale\.test TXT id is "old1", the policy served has id "$id{'stale.test'}": publish _mta-sts\.stale\.test\. TXT "v=STSv1; id=$id{'stale.test'}"; looked at again in 1 s \(RFC 8461, section 8\.1\)/,
     "stale id: first a notice, what to publish (RFC 8461, section 8.1)");
said("warn", qr/"stale\.test": expected _mta-sts\.stale\.test TXT id "$id{'stale.test'}", the id of the policy served, found "old1": senders keep the old policy until it expires \(RFC 8461, section 3\.1\)/,
     "stale id: after the TTL, a warning (RFC 8461, section 3.1)");

said("warn", qr/"two\.test": expected one _mta-sts\.two\.test TXT record beginning with "v=STSv1", found several: senders act as if there is no policy \(RFC 8461, section 3\.1\)/,
     "two v=STSv1 records: warned (RFC 8461, section 3.1)");
said("warn", qr/"none\.test": expected one _mta-sts\.none\.test TXT record, found no such name \(NXDOMAIN\): senders do not look for the policy \(RFC 8461, section 3\.1\); publish _mta-sts\.none\.test\. TXT "v=STSv1; id=$id{'none.test'}"/,
     "no record: NXDOMAIN said, what to publish");
quiet("split.test", "a record in two strings: joined, nothing to say");
said("notice", qr/"space\.test": the _mta-sts\.space\.test TXT record "v=STSv1 ; id=$id{'space.test'}" has a space before the first ";".*erratum 6285/,
     "\"v=STSv1 ;\": a notice (erratum 6285)");
said("info", qr/"cname\.test": _mta-sts\.cname\.test TXT id "$id{'cname.test'}" is the id served/,
     "a CNAME to another name: followed");
quiet("large.test", "a reply too large for UDP: asked again over TCP");

said("warn", qr/"mxbad\.test": expected every MX host of mxbad\.test to match an "mta_sts_mx" pattern, found "backup\.other\.test" matched by none: senders in enforce mode do not deliver to it \(RFC 8461, sections 4\.1 and 5\)/,
     "a backup MX not covered, enforce: warned (RFC 8461, section 4.1)");
said("notice", qr/"mxtesting\.test": expected every MX host of mxtesting\.test to match .*found "other\.mxtesting\.test"/,
     "an MX not covered, testing: a notice");
said("warn", qr/"wild\.test": expected every MX host .*found "a\.b\.wild\.test" matched by none/,
     "*.wild.test against a.b.wild.test: not covered (RFC 8461, section 4.1)");
said("notice", qr/"nullmx\.test": nullmx\.test has a null MX, it accepts no mail \(RFC 7505\)/,
     "a null MX: said (RFC 7505)");

said("warn", qr/"v6\.test": mta-sts\.v6\.test has an AAAA record, expected an IPv6 "ssl" listener on port 443 for it, found none/,
     "an AAAA without an IPv6 listener: warned (RFC 8461, section 3.3)");
said("info", qr/"v6ok\.test": the addresses of mta-sts\.v6ok\.test have listeners/,
     "an AAAA with an IPv6 listener: fine");
said("warn", qr/"noaddr\.test": expected an A or AAAA record for mta-sts\.noaddr\.test, found none: senders cannot fetch the policy \(RFC 8461, section 3\.3\)/,
     "no address: warned");

said("notice", qr/"none\.test": expected a _smtp\._tls\.none\.test TXT record beginning with "v=TLSRPTv1", found no such name \(NXDOMAIN\): no TLS reports arrive \(RFC 8460, section 3\)/,
     "no TLSRPT record: a notice (RFC 8460, section 3)");
said("warn", qr/"tlsdouble\.test": expected one _smtp\._tls\.tlsdouble\.test TXT record beginning with "v=TLSRPTv1", found several/,
     "two TLSRPT records: warned");

quiet("rr.test", "a resolver address down: the next one answers");
said("notice", qr/"deadonly\.test": could not check _mta-sts\.deadonly\.test TXT: timed out \(resolver 127\.0\.0\.1:$deadport\)/,
     "no resolver address answers: could not check");
unlike($log, qr/deadonly\.test.*(?:found no|NXDOMAIN|NODATA)/,
       "no resolver address answers: never reported as missing");

unlike($log, qr/\[(?:alert|crit|emerg)\]/, "nothing worse");

# later rounds (every 2 s) log only what changed: nothing here

for (1 .. 6 * patience()) {
    open my $q, "<", "$dir/logs/dnsmasq.log" or last;
    my $n = () = do { local $/; <$q> } =~ /query\[MX\] two\.test from/g;
    last if $n >= 3;
    sleep 0.1;
}

open $dl, "<", "$dir/logs/dnsmasq.log" or die "$!\n";
$asked = do { local $/; <$dl> };
close $dl;

my @rounds = $asked =~ /query\[MX\] two\.test from/g;
ok(@rounds >= 3, "mta_sts_check_dns_interval 2s - asked again (" . @rounds
                 . " rounds)");

open $dl, "<", "$dir/logs/error.log" or die "$!\n";
$log = do { local $/; <$dl> };
close $dl;

my @two = $log =~ /found several: senders act as if there is no policy/g;
is(scalar @two, 1, "a standing warning - logged once, not every round");
my @mx = $log =~ /found "backup\.other\.test" matched by none/g;
is(scalar @mx, 1, "a standing MX warning - logged once");
my @stale = $log =~ /expected _mta-sts\.stale\.test TXT id/g;
is(scalar @stale, 1, "the stale id warning - logged once");

# a reload: the old worker exits, with no alert about open sockets

my $reload = reload_nginx($dir, $pid);
my $exited = 0;

for (1 .. patience()) {
    open my $fh, "<", "$dir/logs/error.log" or next;
    my $all = do { local $/; <$fh> };
    if ($all =~ /reconfiguring.*worker process \d+ exited/s) {
        $exited = 1;
        last;
    }
    sleep 0.1;
}

ok($exited, "reload - the old worker exits");

ok(stop_nginx($pid), "nginx stopped");
stop_dnsmasq($dns_pid);

open my $fh, "<", "$dir/logs/error.log" or die "$!\n";
$log = do { local $/; <$fh> };
unlike($log, qr/\[(?:alert|crit|emerg)\]/, "reload and stop - no alert");

# without a resolver: no check, and nginx -t says how to turn it on, once

%policy = ("a.test" => ["enforce", "mx.a.test"],
           "b.test" => ["enforce", "mx.b.test"]);
conf();
system("sed -i -e '/resolver/d' $dir/conf/nginx.conf");

$out = nginx_t();
my @n = $out =~ /\[notice\] \d+#\d+: MTA-STS DNS check: the records of 2 policy domains are not checked: no "resolver" is configured for them; add "resolver ADDRESS;" \(a DNS resolver nginx may ask\) to the http block, or set "mta_sts_check_dns off"/g;
is(scalar @n, 1, "no resolver - nginx -t says once how to turn it on")
    or diag($out);

done_testing();
