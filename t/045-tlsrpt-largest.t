# The largest reports the caps allow, one after another, while another
# client fetches the policy from the same (single) worker: every report
# at the JSON cap is stored (201), one byte over it refused (413), the
# same reports again found stored (200), and every policy request
# meanwhile gets the policy whole (RFC 8461, section 3.2).  Correctness
# only: how long the policy waits is a benchmark figure
# (bench/tlsrpt-worst.sh, in the README), not a timed test.  Plain
# Test::More: two clients at once.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;
use IO::Compress::Gzip qw(gzip $GzipError);
use POSIX qw(WNOHANG);
use lib "t/lib";
use PlainNginx;

my $load = load_modules();
my $dir = work_dir("tlsrpt-largest");
my $port = free_port();
my $cap = 2 * 1024 * 1024;
my $user = $> == 0 ? "user root root;" : "";

mkdir "$dir/reports" or die "$!\n";

open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
print $fh <<"END";
${load}pid logs/nginx.pid;
error_log logs/error.log info;
$user
worker_processes 1;
events {}
http {
    access_log off;
    mta_sts_check_listener off;
    server {
        listen 127.0.0.1:$port;
        client_body_temp_path $dir/body;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
        location = /.well-known/tlsrpt {
            mta_sts_tlsrpt $dir/reports;
            mta_sts_tlsrpt_max_json_size $cap;
        }
    }
}
END
close $fh;

my $policy = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
    . "max_age: 604800\r\n";

# a report of real shape, failure-details rows up to SIZE bytes of JSON,
# padded with white space to exactly SIZE, gzip'd

sub report {
    my ($id, $size) = @_;

    my $json = '{"organization-name":"Example","date-range":'
        . '{"start-datetime":"2024-01-01T00:00:00Z",'
        . '"end-datetime":"2024-01-01T23:59:59Z"},'
        . '"contact-info":"tlsrpt@example.org","report-id":"' . $id . '",'
        . '"policies":[{"policy":{"policy-type":"sts",'
        . '"policy-domain":"example.com"},'
        . '"summary":{"total-successful-session-count":1,'
        . '"total-failure-session-count":1},"failure-details":[';
    my $tail = '{"result-type":"starttls-not-supported"}]}]}';
    my $i = 0;

    while (1) {
        my $row = sprintf('{"result-type":"certificate-expired",'
            . '"sending-mta-ip":"198.51.%d.%d",'
            . '"receiving-mx-hostname":"mx%d.example.com",'
            . '"receiving-ip":"192.0.2.%d","failed-session-count":%d},',
            $i / 256 % 256, $i % 256, $i % 7, $i % 250, $i);

        last if length($json) + length($row) + length($tail) > $size;

        $json .= $row;
        $i++;
    }

    $json .= " " x ($size - length($json) - length($tail)) . $tail;

    die "report: " . length($json) . " bytes, not $size\n"
        unless length($json) == $size;

    my $gz;
    gzip(\$json => \$gz, Minimal => 1) or die "gzip: $GzipError\n";

    return $gz;
}

# one request on a connection of its own: status and body

sub request {
    my ($head, $body) = @_;

    my $sock = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
                                     PeerPort => $port, Timeout => 60)
        or return (0, "");

    print $sock $head . "Host: mta-sts.example.com\r\n"
                . "Connection: close\r\n"
                . (defined $body ? "Content-Type: application/tlsrpt+gzip\r\n"
                                   . "Content-Length: " . length($body)
                                   . "\r\n\r\n" . $body
                                 : "\r\n");

    local $/;
    my $answer = <$sock> // "";
    my ($status) = $answer =~ /^HTTP\/1\.1 (\d+)/;
    my (undef, $content) = split /\r\n\r\n/, $answer, 2;

    return ($status // 0, $content // "");
}

my @reports = map { report("largest-$_", $cap) } 1 .. 4;
my $over = report("over", $cap + 1);

cmp_ok(length($_), "<=", 1024 * 1024,
       "a report at the JSON cap fits mta_sts_tlsrpt_max_body_size")
    for $reports[0], $over;

my $pid = start_nginx($dir);

ok($pid, "nginx started");

# the reports, from a child: one line of statuses on a pipe

pipe(my $rd, my $wr) or die "pipe: $!\n";

my $child = fork() // die "fork: $!\n";

if ($child == 0) {
    close $rd;
    my @status;

    for my $body (@reports, $over, @reports) {
        my ($status) = request("POST /.well-known/tlsrpt HTTP/1.1\r\n",
                               $body);
        push @status, $status;
    }

    print $wr "@status\n";
    close $wr;
    POSIX::_exit(0);
}

close $wr;

# the policy, over and over until the reports are all answered

my ($gets, $good) = (0, 0);

while (waitpid($child, WNOHANG) == 0) {
    my ($status, $body) = request("GET /.well-known/mta-sts.txt HTTP/1.1\r\n");

    $gets++;
    $good++ if $status == 200 && $body eq $policy;
}

my $statuses = <$rd> // "";
chomp $statuses;

is($statuses, "201 201 201 201 413 200 200 200 200",
   "reports at the JSON cap stored (201), one byte over refused (413), "
   . "the first four again already stored (200)");

cmp_ok($gets, ">", 0, "the policy was requested while the reports came");
is($good, $gets, "every policy request meanwhile answered 200 and the "
   . "policy whole (RFC 8461, section 3.2)");

opendir my $dh, "$dir/reports" or die "$!\n";
my @files = grep { !/^\./ } readdir $dh;
closedir $dh;

is(scalar @files, 4, "four reports, four files");

ok(stop_nginx($pid), "nginx stopped");

open $fh, "<", "$dir/logs/error.log" or die "$!\n";
my $log = do { local $/; <$fh> };
close $fh;

like($log, qr/TLS report refused: the report inflates to more than the JSON size limit/,
     "the one over the cap - logged why");
unlike($log, qr/\[alert\]|\[emerg\]|\[crit\]/, "nothing worse");

done_testing();
