# mta_sts_dns_update: when the DNS check finds that _mta-sts.<domain> TXT
# does not carry the id served, the first worker publishes it by DNS
# UPDATE (RFC 2136) signed with TSIG (RFC 8945), over TCP, to a real BIND
# (Debian: bind9, bind9-utils for tsig-keygen, bind9-dnsutils for dig)
# that this test starts on a port of 127.0.0.1 of the suite's network
# namespace, stopped by pid.  One zone a case, an update-policy that lets
# the key change only _mta-sts.<zone> TXT:
#
#   first.test    no record: the first publish, the zone found by SOA
#   change.test   the record is right: no update; a reload changes the id,
#                 the record follows
#   replay.test   the update nginx sent (through a relay that keeps it),
#                 sent again after the id moved on: NXRRSET, nothing
#                 rolled back (RFC 2136, sections 3.2.5 and 5.4)
#   badsig.test   nginx's key file has another secret: BADSIG
#   refused.test  the policy lets the key change another name: REFUSED
#   cname.test    _mta-sts is a CNAME: nothing sent
#   dead.test     a server that never answers: tried again later
#   race.test     a CNAME put at _mta-sts (by nsupdate, through a relay)
#                 after nginx read the name and before its update: BIND
#                 answers NOERROR and adds nothing (RFC 2136, section
#                 3.4.2.2); the read after the update finds no change
#   skew.test     a second nginx, its clock 1000 s behind (Debian's
#                 faketime; named itself cannot run under it): BADTIME,
#                 the skew measured from the server's time in the signed
#                 answer (RFC 8945, section 5.2.3)
#
# Each domain's state read back from the status endpoint's JSON and
# Prometheus text: published, failed and why, pending.
#
# Plain Test::More; the waits are for log lines, with a cap, never for a
# time.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use lib "t/lib";
use PlainNginx;

sub tool {
    my ($name) = @_;
    my ($path) = grep { -x } map { "$_/$name" }
                 split(/:/, $ENV{PATH}), "/usr/sbin", "/usr/bin", "/sbin";
    return $path;
}

my ($named, $keygen, $dig, $nsupdate, $faketime)
    = map { tool($_) } qw(named tsig-keygen dig nsupdate faketime);

plan skip_all => "no BIND (Debian: apt-get install bind9 bind9-utils "
                 . "bind9-dnsutils)"
    unless $named && $keygen && $dig && $nsupdate;

my $load = load_modules();
my $dir = work_dir("dns-update");
my $bind = "$dir/bind";
my $port = free_port();
mkdir $bind or die "$bind: $!\n";

# a TCP server that takes connections and never answers

my $dead = IO::Socket::INET->new(Listen => 5, LocalAddr => "127.0.0.1",
                                 LocalPort => 0, Proto => "tcp")
    or die "listen: $!\n";
my $deadport = $dead->sockport;

# the keys: the one nginx and BIND share, one BIND has another secret for

system("$keygen -a hmac-sha256 MTA-STS-Nginx.Example > $dir/conf/nginx.key")
    == 0 or die "tsig-keygen failed\n";
system("$keygen -a hmac-sha256 bad.example > $dir/conf/bad.key") == 0
    or die "tsig-keygen failed\n";
system("$keygen -a hmac-sha256 bad.example > $bind/bad.key") == 0
    or die "tsig-keygen failed\n";
system("$keygen -a hmac-sha256 admin.example > $bind/admin.key") == 0
    or die "tsig-keygen failed\n";
chmod 0600, "$dir/conf/nginx.key", "$dir/conf/bad.key";

my @domains = qw(first change replay badsig refused cname dead race);
my $mx = "mx";

# a relay in front of BIND: a child that forwards each TCP message, after
# handing it to a callback

sub relay {
    my ($seen) = @_;

    my $l = IO::Socket::INET->new(Listen => 5, LocalAddr => "127.0.0.1",
                                  LocalPort => 0, Proto => "tcp",
                                  ReuseAddr => 1)
        or die "listen: $!\n";
    my $lport = $l->sockport;
    my $child = fork() // die "fork: $!\n";

    if ($child) {
        close $l;
        return ($lport, $child);
    }

    while (my $c = $l->accept) {
        my $len;
        next unless read($c, $len, 2) == 2;
        my $n = unpack("n", $len);
        my $msg;
        next unless read($c, $msg, $n) == $n;

        $seen->($msg);

        my $up = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port",
                                       Proto => "tcp") or next;
        print $up $len, $msg;
        $up->flush;
        next unless read($up, $len, 2) == 2;
        my $m = unpack("n", $len);
        my $answer;
        next unless read($up, $answer, $m) == $m;
        print $c $len, $answer;
        close $c;
    }

    exit 0;
}

# race.test: before nginx's UPDATE (opcode 5) goes on, the admin's key
# puts a CNAME at the name nginx read as empty

my ($raceport, $race_pid) = relay(sub {
    my ($msg) = @_;

    return unless ((ord(substr($msg, 2, 1)) >> 3) & 0x0f) == 5;

    open my $ns, "|-", "$nsupdate -k $bind/admin.key > $dir/logs/nsupdate.log 2>&1"
        or die "nsupdate: $!\n";
    print $ns <<"END";
server 127.0.0.1 $port
zone race.test.
update add _mta-sts.race.test. 300 CNAME sts.elsewhere.test.
send
END
    close $ns;
});

sub conf {
    my $servers = "";

    for my $d (@domains) {
        my $update = "mta_sts_dns_update 127.0.0.1:$port "
                     . "key=nginx.key zone=$d.test ttl=600;";

        $update = "mta_sts_dns_update 127.0.0.1:$port key=nginx.key;"
            if $d eq "first";
        $update = "mta_sts_dns_update 127.0.0.1:$port key=bad.key;"
            if $d eq "badsig";
        $update = "mta_sts_dns_update 127.0.0.1:$deadport key=nginx.key "
                  . "zone=dead.test;"
            if $d eq "dead";
        $update = "mta_sts_dns_update 127.0.0.1:$raceport key=nginx.key "
                  . "zone=race.test;"
            if $d eq "race";

        $servers .= <<"END";
    server {
        listen 127.0.0.1:8080;
        server_name mta-sts.$d.test;
        mta_sts_mode enforce;
        mta_sts_mx $mx.$d.test;
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
        location = /metrics { mta_sts_status prometheus; }
    }

$servers
    server {
        listen 127.0.0.1:8080;
        server_name mta-sts.off.test;
        mta_sts_mode enforce;
        mta_sts_mx mx.off.test;
        mta_sts_dns_update off;
    }
}
END
    close $fh;
}

sub ids {
    my $size = -s "$dir/logs/error.log" || 0;
    my $out = `@{[nginx_binary()]} -t -p $dir/ -c conf/nginx.conf 2>&1`;

    if (open my $fh, "<", "$dir/logs/error.log") {
        seek $fh, $size, 0;
        $out .= do { local $/; <$fh> };
    }

    my %id = $out =~ /publish _mta-sts\.(\S+)\.test\. TXT "v=STSv1; id=(\w+)"/g;
    return ($out, %id);
}

conf();
my ($out, %id) = ids();
is(scalar keys %id, @domains + 1, "nginx -t - an id a domain") or diag($out);
unlike($out, qr/\[(?:warn|emerg)\]/, "nginx -t - nothing to warn about");

# the zones

my $records = {
    first   => "",
    change  => "_mta-sts IN TXT \"v=STSv1; id=$id{change}\"\n",
    replay  => "_mta-sts IN TXT \"v=STSv1; id=old\"\n",
    badsig  => "_mta-sts IN TXT \"v=STSv1; id=old\"\n",
    refused => "_mta-sts IN TXT \"v=STSv1; id=old\"\n",
    cname   => "_mta-sts IN CNAME sts.cname.test.\n"
               . "sts IN TXT \"v=STSv1; id=old\"\n",
    dead    => "_mta-sts IN TXT \"v=STSv1; id=old\"\n",
    race    => "",
    skew    => "_mta-sts IN TXT \"v=STSv1; id=old\"\n",
};

my $zones = "";

for my $d (@domains, "skew") {
    my $key = $d eq "badsig" ? "bad.example." : "mta-sts-nginx.example.";
    my $grant = $d eq "refused" ? "other.refused.test." : "_mta-sts.$d.test.";
    my $admin = $d eq "race"
        ? " grant admin.example. name _mta-sts.race.test. CNAME;" : "";

    open my $z, ">", "$bind/$d.test.zone" or die "$!\n";
    print $z <<"END";
\$TTL 300
@ IN SOA ns.$d.test. hostmaster.$d.test. 1 3600 600 86400 0
@ IN NS ns.$d.test.
ns IN A 127.0.0.1
$records->{$d}
END
    close $z;

    $zones .= <<"END";
zone "$d.test" {
    type primary; file "$bind/$d.test.zone";
    update-policy { grant $key name $grant TXT;$admin };
};
END
}

open my $nc, ">", "$bind/named.conf" or die "$!\n";
print $nc <<"END";
options {
    directory "$bind"; pid-file "$bind/named.pid";
    session-keyfile "$bind/session.key";
    listen-on port $port { 127.0.0.1; }; listen-on-v6 { none; };
    recursion no; dnssec-validation no; notify no; querylog yes;
};
controls { };
include "$dir/conf/nginx.key";
include "$bind/bad.key";
include "$bind/admin.key";
$zones
END
close $nc;

my $named_pid = fork() // die "fork: $!\n";

if ($named_pid == 0) {
    open STDOUT, ">", "$dir/logs/named.log";
    open STDERR, ">&", \*STDOUT;
    exec $named, "-g", "-c", "$bind/named.conf";
    exit 127;
}

sub dig_txt {
    my ($name) = @_;
    my $r = `$dig +short +tries=1 +time=2 -p $port \@127.0.0.1 TXT $name`;
    chomp $r;
    return $r;
}

for (1 .. patience()) {
    last if `$dig +short +tries=1 +time=1 -p $port \@127.0.0.1 SOA dead.test`
            =~ /ns\.dead/;
    sleep 0.1;
}

is(dig_txt("_mta-sts.change.test"), "\"v=STSv1; id=$id{change}\"",
   "BIND serves the zones");

# a relay in front of BIND for replay.test keeps what nginx sends, in
# hex, in a file

my ($relayport, $relay_pid) = relay(sub {
    my ($msg) = @_;

    if (open my $fh, ">>", "$dir/logs/relay.hex") {
        print $fh unpack("H*", $msg), "\n";
        close $fh;
    }
});

system("sed -i -e 's/127.0.0.1:$port key=nginx.key zone=replay.test/"
       . "127.0.0.1:$relayport key=nginx.key zone=replay.test/' "
       . "$dir/conf/nginx.conf") == 0 or die "sed\n";

my $pid = start_nginx($dir);

sub log_now {
    open my $fh, "<", "$dir/logs/error.log" or return "";
    return do { local $/; <$fh> };
}

sub wait_log {
    my ($re) = @_;
    my $log = "";

    for (1 .. 4 * patience()) {
        $log = log_now();
        return $log if $log =~ $re;
        sleep 0.1;
    }

    diag($log);
    return $log;
}

my $log = wait_log(qr/\A(?=.*update of _mta-sts\.first\.test: TXT)(?=.*update of _mta-sts\.replay\.test: TXT)(?=.*update of _mta-sts\.badsig\.test at)(?=.*update of _mta-sts\.refused\.test at)(?=.*update of _mta-sts\.cname\.test at)(?=.*update of _mta-sts\.dead\.test at)(?=.*update of _mta-sts\.race\.test at)/s);

like($log, qr/\[notice\] \d+#\d+: MTA-STS DNS update of _mta-sts\.first\.test: TXT "v=STSv1; id=$id{first}" published at 127\.0\.0\.1:$port, zone "first\.test", TTL 3600/,
     "first publish: \"RRset does not exist\" (RFC 2136, section 2.4.3), "
     . "the zone found by SOA, published, confirmed");
is(dig_txt("_mta-sts.first.test"), "\"v=STSv1; id=$id{first}\"",
   "first publish: dig sees the record");

like($log, qr/update of _mta-sts\.replay\.test: TXT "v=STSv1; id=$id{replay}" published at 127\.0\.0\.1:$relayport, zone "replay\.test", TTL 600/,
     "a stale id replaced: the set as read is the prerequisite (RFC 2136, "
     . "section 2.4.2), ttl=600");
is(dig_txt("_mta-sts.replay.test"), "\"v=STSv1; id=$id{replay}\"",
   "a stale id replaced: dig sees the new one");

like($log, qr/\[error\] \d+#\d+: MTA-STS DNS update of _mta-sts\.badsig\.test at 127\.0\.0\.1:$port failed: NOTAUTH, TSIG BADSIG: the server has another secret for key "bad\.example\." of "\S+bad\.key" \(RFC 8945, section 5\.2\); not tried again until a reload/,
     "another secret: NOTAUTH, BADSIG said (RFC 8945, section 5.2.2)");
is(dig_txt("_mta-sts.badsig.test"), "\"v=STSv1; id=old\"",
   "another secret: nothing changed");

like($log, qr/\[error\] \d+#\d+: MTA-STS DNS update of _mta-sts\.refused\.test at 127\.0\.0\.1:$port failed: REFUSED \(signed\): the server's policy does not let key "mta-sts-nginx\.example\." change _mta-sts\.refused\.test TXT in zone "refused\.test"; not tried again until a reload/,
     "a key the policy refuses: REFUSED said (RFC 2136, section 3.3)");
is(dig_txt("_mta-sts.refused.test"), "\"v=STSv1; id=old\"",
   "a key the policy refuses: nothing changed");

like($log, qr/\[error\] \d+#\d+: MTA-STS DNS update of _mta-sts\.cname\.test at 127\.0\.0\.1:$port failed: it is a CNAME \(a delegated policy, RFC 8461, section 8\.2\)/,
     "a CNAME at _mta-sts: said, not updated (RFC 2136, section 3.4.2.2)");

like($log, qr/\[error\] \d+#\d+: MTA-STS DNS update of _mta-sts\.dead\.test at 127\.0\.0\.1:$deadport failed: no answer in time; tried again later/,
     "a server that never answers: a timeout, tried again later");

like($log, qr/\[error\] \d+#\d+: MTA-STS DNS update of _mta-sts\.race\.test at 127\.0\.0\.1:$raceport failed: the server answered NOERROR but the record did not change \(a CNAME is there\): nothing was published; not tried again until a reload/,
     "a CNAME put there between the read and the update: NOERROR that "
     . "changed nothing, said (RFC 2136, section 3.4.2.2)");
is(dig_txt("_mta-sts.race.test"), "sts.elsewhere.test.",
   "a CNAME put there: no TXT beside it");

unlike($log, qr/update of _mta-sts\.change\.test/,
       "the record already right: nothing done");
unlike($log, qr/update of _mta-sts\.off\.test/,
       "mta_sts_dns_update off: nothing done");

open my $nl, "<", "$dir/logs/named.log" or die "$!\n";
my $named_log = do { local $/; <$nl> };
close $nl;

unlike($named_log, qr/update.*'change\.test\/IN'/,
       "the record already right: BIND saw no update");
unlike($named_log, qr/update.*'cname\.test\/IN'/,
       "a CNAME: BIND saw no update");
like($named_log, qr/key mta-sts-nginx\.example: updating zone 'race\.test\/IN': attempt to add non-CNAME alongside CNAME ignored/i,
     "a CNAME put there: BIND took nginx's update and ignored the TXT");

# the states on the status endpoint, as the first worker wrote them

sub get {
    my ($path) = @_;

    open my $c, "-|", "curl", "-s", "http://127.0.0.1:8080$path"
        or die "curl: $!\n";
    my $body = do { local $/; <$c> };
    close $c;

    return $body // "";
}

sub updates {
    my $doc = eval { JSON::PP->new->decode(get("/json")) } or return {};
    return { map { $_->{domain} => $_->{dns_update} }
             @{ $doc->{domains} } };
}

sub wait_updates {
    my ($want) = @_;
    my $u = {};

    for (1 .. 4 * patience()) {
        $u = updates();
        return $u unless grep { ($u->{"$_.test"}{state} // "") ne $want->{$_} }
                         keys %$want;
        sleep 0.1;
    }

    diag(explain($u));
    return $u;
}

SKIP: {
    skip "no JSON::PP", 14 unless eval { require JSON::PP; 1 };

    my $u = wait_updates({ first => "published", change => "published",
                           replay => "published", badsig => "failed",
                           refused => "failed", cname => "failed",
                           dead => "pending", race => "failed",
                           off => "off" });

    is($u->{"first.test"}{state}, "published", "JSON: published");
    like($u->{"first.test"}{detail} // "",
         qr/^published at 127\.0\.0\.1:$port, zone "first\.test"/,
         "JSON: published - where, the zone");
    like($u->{"first.test"}{time} // "", qr/^\d+$/, "JSON: published - when");
    is($u->{"change.test"}{state}, "published",
       "JSON: the record already right - published");
    is($u->{"change.test"}{detail},
       "the DNS check found the id served published",
       "JSON: the record already right - found, not sent");
    is($u->{"badsig.test"}{state}, "failed", "JSON: BADSIG - failed");
    like($u->{"badsig.test"}{detail} // "",
         qr/^NOTAUTH, TSIG BADSIG: the server has another secret/,
         "JSON: BADSIG - why");
    is($u->{"refused.test"}{state}, "failed", "JSON: REFUSED - failed");
    like($u->{"refused.test"}{detail} // "",
         qr/^REFUSED \(signed\): the server's policy does not let key/,
         "JSON: REFUSED - why");
    like($u->{"cname.test"}{detail} // "", qr/^it is a CNAME/,
         "JSON: a CNAME - failed, why");
    is($u->{"dead.test"}{state}, "pending",
       "JSON: a server that never answers - pending");
    like($u->{"dead.test"}{detail} // "", qr/^(?:no answer in time)?$/,
         "JSON: a server that never answers - why, once it timed out");
    is($u->{"off.test"}{state}, "off", "JSON: mta_sts_dns_update off - off");
    like($u->{"race.test"}{detail} // "",
         qr/^the server answered NOERROR but the record did not change/,
         "JSON: NOERROR that changed nothing - failed, why");
}

my $metrics = get("/metrics");

like($metrics, qr/^mta_sts_dns_update_state\{domain="badsig\.test",state="failed"\} 1$/m,
     "Prometheus: failed, 1");
like($metrics, qr/^mta_sts_dns_update_state\{domain="badsig\.test",state="published"\} 0$/m,
     "Prometheus: the other states, 0");
like($metrics, qr/^mta_sts_dns_update_timestamp_seconds\{domain="first\.test"\} [1-9]\d*$/m,
     "Prometheus: when");

SKIP: {
    my $promtool = tool("promtool");
    skip "no promtool (Debian: prometheus)", 1 unless $promtool;

    open my $pt, "|-", "$promtool check metrics > $dir/logs/promtool.log 2>&1"
        or die "promtool: $!\n";
    print $pt $metrics;
    ok(close($pt), "promtool check metrics")
        or diag(`cat $dir/logs/promtool.log`);
}

# more rounds: the same failures are not sent or logged again; the
# server that never answers is tried again (its connections counted)

$dead->blocking(0);
my $badsig_asked = 0;
my @held;

for (1 .. 6 * patience()) {
    # held open, never answered, never closed
    while (my $c = $dead->accept) {
        push @held, $c;
    }

    open my $fh, "<", "$dir/logs/named.log" or die "$!
";
    $badsig_asked = () = do { local $/; <$fh> }
                         =~ /query: _mta-sts\.badsig\.test IN TXT \+/g;

    last if @held >= 2 && $badsig_asked >= 3;
    sleep 0.1;
}

$log = log_now();

ok(@held >= 2, "a server that never answers: tried again (" . @held . ")");
ok($badsig_asked >= 3, "the DNS check asked again ($badsig_asked rounds)");
my @badsig = $log =~ /update of _mta-sts\.badsig\.test/g;
is(scalar @badsig, 1, "BADSIG - logged once, not sent again");
my @dead = $log =~ /update of _mta-sts\.dead\.test/g;
is(scalar @dead, 1, "a timeout - logged once");

# a reload that changes the ids: the records follow

my %old = %id;
$mx = "mail";
conf();
system("sed -i -e 's/127.0.0.1:$port key=nginx.key zone=replay.test/"
       . "127.0.0.1:$relayport key=nginx.key zone=replay.test/' "
       . "$dir/conf/nginx.conf") == 0 or die "sed\n";
($out, %id) = ids();
isnt($id{change}, $old{change}, "reload: a new policy, a new id");

my $size = -s "$dir/logs/error.log";
reload_nginx($dir, $pid);

$log = wait_log(qr/\A(?=.*update of _mta-sts\.change\.test: TXT "v=STSv1; id=$id{change}")(?=.*update of _mta-sts\.replay\.test: TXT "v=STSv1; id=$id{replay}")/s);

like($log, qr/update of _mta-sts\.change\.test: TXT "v=STSv1; id=$id{change}" published/,
     "reload: the new id published (RFC 8461, section 8.1: after the "
     . "policy)");
is(dig_txt("_mta-sts.change.test"), "\"v=STSv1; id=$id{change}\"",
   "reload: dig sees the new id");
is(dig_txt("_mta-sts.replay.test"), "\"v=STSv1; id=$id{replay}\"",
   "reload: dig sees replay.test's new id");

SKIP: {
    skip "no JSON::PP", 1 unless eval { require JSON::PP; 1 };

    # an old worker may answer for a moment, with its own configuration's

    my $detail = "";

    for (1 .. 4 * patience()) {
        $detail = updates()->{"change.test"}{detail} // "";
        last if $detail =~ /^published at/;
        sleep 0.1;
    }

    like($detail, qr/^published at 127\.0\.0\.1:$port, zone "change\.test"/,
         "JSON: reload - published by this configuration's update");
}

# the first update nginx sent for replay.test, sent again, as is: its
# prerequisite ("id=old") no longer holds

open my $rh, "<", "$dir/logs/relay.hex" or die "relay.hex: $!\n";
my @updates = grep { substr($_, 4, 2) =~ /^[2a]8$/ } map { chomp; $_ } <$rh>;
close $rh;

ok(@updates >= 2, "the relay kept nginx's updates (" . @updates . ")");

my $first = pack("H*", $updates[0]);
my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Proto => "tcp")
    or die "connect: $!\n";
print $s pack("n", length $first), $first;
$s->flush;
read($s, my $len, 2);
read($s, my $answer, unpack("n", $len));
close $s;

is(ord(substr($answer, 3, 1)) & 0x0f, 8,
   "a replayed update: NXRRSET, its prerequisite failed (RFC 2136, "
   . "section 3.2.5)");
is(dig_txt("_mta-sts.replay.test"), "\"v=STSv1; id=$id{replay}\"",
   "a replayed update: the id is not rolled back (RFC 2136, section 5.4)");

# BADTIME: a second nginx whose clock is 1000 s behind BIND's, for a zone
# of its own; libfaketime offsets nginx's time() and gettimeofday()

SKIP: {
    skip "no faketime (Debian: apt-get install faketime)", 4
        unless $faketime;

    # under ASan an nginx with libfaketime preloaded hangs as it starts;
    # under valgrind it was not tried
    skip "faketime and a sanitizer or valgrind: not together", 4
        if $ENV{MTA_STS_SAN_LOGS} || $ENV{TEST_NGINX_USE_VALGRIND};

    my $sdir = work_dir("dns-update-skew");
    my $sport = free_port();

    system("cp $dir/conf/nginx.key $sdir/conf/") == 0 or die "cp\n";
    chmod 0600, "$sdir/conf/nginx.key";

    open my $fh, ">", "$sdir/conf/nginx.conf" or die "$!\n";
    print $fh <<"END";
${load}pid logs/nginx.pid;
error_log logs/error.log info;
worker_processes 1;
events {}
http {
    mta_sts_check off;
    resolver 127.0.0.1:$port;
    resolver_timeout 2s;
    mta_sts_check_dns_interval 2s;
    mta_sts_status_zone status 1m;

    server {
        listen 127.0.0.1:$sport;
        server_name mta-sts.skew.test;
        mta_sts_mode enforce;
        mta_sts_mx mx.skew.test;
        mta_sts_dns_update 127.0.0.1:$port key=nginx.key zone=skew.test;
        location = /json { mta_sts_status json; }
    }
}
END
    close $fh;

    # nginx only: BIND's tools (dig here) hang under libfaketime

    my $spid = do {
        local $ENV{FAKETIME} = "-1000s";
        local $ENV{LD_PRELOAD} = join " ", grep { $_ }
            (glob("/usr/lib/*/faketime/libfaketime.so.1"))[0],
            $ENV{LD_PRELOAD};

        start_nginx($sdir);
    };
    my $slog = "";

    for (1 .. 4 * patience()) {
        open my $sl, "<", "$sdir/logs/error.log" or last;
        $slog = do { local $/; <$sl> };
        last if $slog =~ /update of _mta-sts\.skew\.test at/;
        sleep 0.1;
    }

    my ($skew) = $slog =~ /failed: NOTAUTH, TSIG BADTIME: the server's clock is (\d+) s ahead of this host's, more than the 300 s allowed \(RFC 8945, section 5\.2\.3\); fix the clocks \(NTP\); tried again later/;

    ok(defined $skew, "BADTIME: said, tried again later (RFC 8945, "
                      . "section 5.2.3)") or diag($slog);
    ok(defined $skew && $skew >= 990 && $skew <= 1010,
       "BADTIME: the skew from the signed answer's Other Data ("
       . ($skew // "none") . " s, 1000 set)");
    is(dig_txt("_mta-sts.skew.test"), "\"v=STSv1; id=old\"",
       "BADTIME: nothing changed");

    ok(stop_nginx($spid), "BADTIME: the second nginx stopped");
}

unlike(log_now(), qr/\[(?:alert|crit|emerg)\]/, "nothing worse");

ok(stop_nginx($pid), "nginx stopped");
unlike(log_now(), qr/\[(?:alert|crit|emerg)\]/, "stop - no alert");

kill "TERM", $named_pid, $relay_pid, $race_pid;
waitpid $named_pid, 0;
waitpid $relay_pid, 0;
waitpid $race_pid, 0;

done_testing();
