# The DNS check against a hostile resolver: a small responder written
# here with core Perl (IO::Socket, UDP and TCP on one port) answers with a
# wrong id, a wrong question, a compression loop, a forward pointer, a
# label running past the end, a count that lies, and, over TCP after a
# truncated UDP answer, a TXT record of 65,000 bytes.  Each is "could not
# check" (or, for the large record, read: no v=STSv1 in it), never a crash
# and never "missing", and the worker keeps serving policies.  Then a
# reload loop while queries are in flight: every old worker exits, and
# the log has no [alert] ("open socket ... left").

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(sleep);
use lib "t/lib";
use PlainNginx;

my $load = load_modules();
my $dir = work_dir("dns-hostile");
my $port = free_port();

my $udp = IO::Socket::INET->new(Proto => "udp", LocalAddr => "127.0.0.1",
                                LocalPort => 0)
    or die "udp: $!\n";
my $dns = $udp->sockport;
my $tcp = IO::Socket::INET->new(Proto => "tcp", LocalAddr => "127.0.0.1",
                                LocalPort => $dns, Listen => 5,
                                ReuseAddr => 1)
    or die "tcp: $!\n";

my @hostile = qw(wrongid wrongq loop forward past liar big);

# the answer to a query, by the first label of the domain asked about

sub name {
    join("", map { chr(length $_) . $_ } split /\./, $_[0]) . "\0";
}

sub answer {
    my ($q, $over_tcp) = @_;

    return undef if length $q < 17;

    my $id = unpack("n", substr($q, 0, 2));
    my ($qname, $off) = ("", 12);

    while ((my $l = ord substr($q, $off, 1)) > 0) {
        $qname .= substr($q, $off + 1, $l) . ".";
        $off += $l + 1;
    }

    my $question = substr($q, 12, $off + 5 - 12);
    my $qtype = unpack("n", substr($q, $off + 1, 2));
    my ($kind) = $qname =~ /(?:^|\.)(\w+)\.test\.$/;
    $kind //= "";

    my $hdr = sub {
        my ($flags, $an, $i) = @_;
        pack("nnnnnn", $i // $id, $flags, 1, $an, 0, 0);
    };

    return $hdr->(0x8183, 0) . $question
        unless grep { $_ eq $kind } @hostile;

    if ($kind eq "wrongid") {
        return $hdr->(0x8180, 0, ($id + 1) & 0xffff) . $question;
    }

    if ($kind eq "wrongq") {
        return $hdr->(0x8180, 0) . name("other.test")
               . substr($question, -4);
    }

    my %rdata = (1 => "\x7f\0\0\1", 28 => "\0" x 15 . "\1",
                 15 => "\0\x0a\xc0\x0c", 16 => "\x03abc");
    my $rd = $rdata{$qtype} // "";
    my $rr = pack("nnNn", $qtype, 1, 60, length $rd) . $rd;

    if ($kind eq "loop") {
        my $at = length($question) + 12;
        return $hdr->(0x8180, 1) . $question . pack("n", 0xc000 | $at) . $rr;
    }

    if ($kind eq "forward") {
        return $hdr->(0x8180, 1) . $question . "\xc0\xff" . $rr;
    }

    if ($kind eq "past") {
        return $hdr->(0x8180, 1) . $question . "\x3fabc";
    }

    if ($kind eq "liar") {
        return $hdr->(0x8180, 9) . $question . "\xc0\x0c" . $rr;
    }

    # big: truncated over UDP, 65,000 bytes of TXT over TCP

    return $hdr->(0x8382, 0) . $question unless $over_tcp;

    my $txt = join "", map { "\xfa" . ("x" x 250) } 1 .. 259;

    return $hdr->(0x8180, 1) . $question . "\xc0\x0c"
           . pack("nnNn", 16, 1, 60, length $txt) . $txt;
}

my $responder = fork() // die "fork: $!\n";

if ($responder == 0) {
    open my $log, ">>", "$dir/logs/queries.log" or exit 1;
    $log->autoflush(1);

    my $sel = IO::Select->new($udp, $tcp);

    for (;;) {
        for my $s ($sel->can_read) {
            if ($s == $udp) {
                my $from = $udp->recv(my $q, 4096) // next;
                print $log "udp\n";
                my $a = answer($q, 0);
                $udp->send($a, 0, $from) if defined $a;
                next;
            }

            my $c = $tcp->accept or next;
            my $len = "";
            $c->read($len, 2) == 2 or next;
            $c->read(my $q, unpack("n", $len));
            print $log "tcp\n";
            my $a = answer($q, 1);
            print $c pack("n", length $a) . $a if defined $a;
            close $c;
        }
    }
}

close $udp;
close $tcp;

my $servers = "";

for my $d (@hostile, "fine") {
    $servers .= <<"END";
    server {
        listen 127.0.0.1:$port;
        server_name mta-sts.$d.test;
        mta_sts_mode enforce;
        mta_sts_mx mx.$d.test;
    }
END
}

open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
print $fh <<"END";
${load}pid logs/nginx.pid;
error_log logs/error.log notice;
worker_processes 2;
events {}
http {
    mta_sts_check off;
    mta_sts_check_listener off;
    mta_sts_txt_log off;
    resolver 127.0.0.1:$dns;
    resolver_timeout 1s;

$servers
}
END
close $fh;

my $pid = start_nginx($dir);

my $log = "";

sub read_log {
    open my $in, "<", "$dir/logs/error.log" or return "";
    return do { local $/; <$in> };
}

for (1 .. 6 * patience()) {
    sleep 0.1;
    $log = read_log();
    my $n = () = $log =~ /could not check/g;
    last if $n >= 6 * 5 && $log =~ /"big\.test".*v=STSv1/;
}

diag($log) if $ENV{TEST_VERBOSE};

for my $d (qw(wrongid wrongq)) {
    like($log, qr/MTA-STS DNS check of "$d\.test": could not check _mta-sts\.$d\.test TXT: timed out \(resolver 127\.0\.0\.1:$dns\)/,
         "$d: ignored, then timed out - could not check");
}

for my $d (qw(loop forward past liar)) {
    like($log, qr/MTA-STS DNS check of "$d\.test": could not check _mta-sts\.$d\.test TXT: a /,
         "$d: a malformed answer - could not check");
    like($log, qr/MTA-STS DNS check of "$d\.test": could not check mta-sts\.$d\.test A: a /,
         "$d: the A question too");
}

like($log, qr/could not check _mta-sts\.loop\.test TXT: a compression pointer that does not point back/,
     "loop: the reason named");
like($log, qr/could not check _mta-sts\.liar\.test TXT: a name runs past the end/,
     "liar: the count that lies found out");
like($log, qr/MTA-STS DNS check of "big\.test": expected a _mta-sts\.big\.test TXT record beginning with "v=STSv1", found none among 1/,
     "big: 65,000 bytes over TCP read, no v=STSv1 in it");

unlike($log, qr/(?:wrongid|wrongq|loop|forward|past|liar)\.test.*(?:NXDOMAIN|NODATA|found none)/,
       "hostile answers are never reported as missing records");

open $fh, "<", "$dir/logs/queries.log" or die "$!\n";
my $queries = do { local $/; <$fh> };
close $fh;
like($queries, qr/^tcp$/m, "big: asked again over TCP");

# the worker still serves policies

my $c = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $port)
    or die "connect: $!\n";
print $c "GET /.well-known/mta-sts.txt HTTP/1.0\r\n"
         . "Host: mta-sts.loop.test\r\n\r\n";
my $resp = do { local $/; <$c> };
like($resp, qr/^HTTP\/1\.1 200 .*version: STSv1/s,
     "the worker keeps serving policies");

# reloads while queries hang (wrongid, wrongq: 1 s a try, 3 tries)

my $size = length read_log();
my $old = 0;

# each reload once the new worker's first round has begun, so that the
# worker it replaces has queries in flight

for my $n (1 .. 4) {
    my $before = -s "$dir/logs/queries.log";

    reload_nginx($dir, $pid);

    for (1 .. 6 * patience()) {
        last if -s "$dir/logs/queries.log" > $before;
        sleep 0.05;
    }
}

reload_nginx($dir, $pid);

for (1 .. 2 * patience()) {
    my $all = substr(read_log(), $size);
    my $shut = () = $all =~ /gracefully shutting down/g;
    my $exit = () = $all =~ /\] \d+#\d+: exit$/mg;
    $old = $exit;
    last if $shut > 0 && $exit >= $shut;
    sleep 0.1;
}

ok($old >= 5, "reload loop - the old workers exit ($old)");

ok(stop_nginx($pid), "nginx stopped");
kill "TERM", $responder;
waitpid $responder, 0;

$log = read_log();
unlike($log, qr/\[(?:alert|crit|emerg)\]/,
       "reload loop with queries in flight - no alert");

done_testing();
