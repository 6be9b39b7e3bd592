# A failure repeated for every report does not flood the error log: the
# first of a kind is logged in full, the same again within a minute is
# counted, and the count is said when the minute ends or the worker
# exits.  Every such report is still answered 500, so that its sender
# retries (RFC 8460, section 5.5).  The minutes themselves are run
# through in t/unit/repeat.c; here, a few reports well within one minute,
# then the exit that says the counts.  Plain Test::More: the workers run
# as nobody to be refused by a root-owned directory, and nginx is stopped
# within the test to see what its worker says at exit.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET;
use lib "t/lib";
use PlainNginx;

plan skip_all => "as root only: the workers run as another user" if $> != 0;

my $load = load_modules();
my $dir = work_dir("tlsrpt-failures");
my $port = free_port();
my $shm = "/dev/shm/mta-sts-tlsrpt-failures.$$";

chmod 0755, $dir or die "$dir: $!\n";

# root's, so that the workers (nobody) cannot store a report in it
mkdir "$dir/reports" or die "$!\n";

END { system("rm", "-rf", $shm) if defined $shm }

open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
print $fh <<"END";
${load}pid logs/nginx.pid;
error_log logs/error.log info;
user nobody nogroup;
worker_processes 1;
events {}
http {
    access_log off;
    server {
        listen 127.0.0.1:$port;
        client_body_temp_path $dir/body;
        location = /link {
            mta_sts_tlsrpt $dir/reports;
        }
        location = /copy {
            client_body_temp_path $shm;
            mta_sts_tlsrpt $dir/reports;
        }
    }
}
END
close $fh;

my $report = '{"organization-name":"Example","date-range":'
    . '{"start-datetime":"2024-01-01T00:00:00Z",'
    . '"end-datetime":"2024-01-01T23:59:59Z"},'
    . '"contact-info":"tlsrpt@example.org","report-id":"r1",'
    . '"policies":[{"policy":{"policy-type":"sts",'
    . '"policy-domain":"example.com"}}]}';

# one report, on a connection of its own: the status of the answer

sub post {
    my ($uri) = @_;

    my $sock = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
                                     PeerPort => $port, Timeout => 10)
        or return 0;

    print $sock "POST $uri HTTP/1.1\r\nHost: mta-sts.example.com\r\n"
                . "Content-Type: application/tlsrpt+json\r\n"
                . "Content-Length: " . length($report) . "\r\n"
                . "Connection: close\r\n\r\n$report";

    my $status = <$sock> // "";

    return $status =~ /^HTTP\/1\.1 (\d+)/ ? $1 : 0;
}

sub error_log {
    open my $fh, "<", "$dir/logs/error.log" or return "";
    local $/;
    return <$fh>;
}

# its warning about the directory, on stderr too, is t/017's
my $pid = start_nginx($dir, "aside");

ok($pid, "nginx started");

# link() refused (13: Permission denied), five times

my @status = map { post("/link") } 1 .. 5;

is_deeply(\@status, [500, 500, 500, 500, 500],
          "link() refused - every report answered 500 (RFC 8460, section 5.5)");

my $log = error_log();

is(() = $log =~ /\[crit\] .*?link\(\) "[^"]+" to "\Q$dir\E\/reports\/[^"]+" failed \(13: Permission denied\)/g,
   1, "link() refused five times - logged once in full");

# the body's temp file on another file system: the copy is refused, and
# ngx_copy_file()'s own message is said once too

SKIP: {
    skip "/dev/shm is on the test directory's file system", 2
        if (stat "/dev/shm")[0] == (stat $dir)[0];

    @status = map { post("/copy") } 1 .. 3;

    is_deeply(\@status, [500, 500, 500],
              "copy refused - every report answered 500");

    $log = error_log();

    is(() = $log =~ /\[crit\] .*?open\(\) "\Q$dir\E\/reports\/\.[^"]+" failed \(13: Permission denied\)/g,
       1, "copy refused three times - logged once in full");
}

unlike($log, qr/and \d+ more reports failed/,
       "within the minute - no count said yet");

# the worker exits: the counts of the minute are said

ok(stop_nginx($pid), "nginx stopped");

$log = error_log();

diag($log) if $ENV{TEST_VERBOSE};

like($log, qr/\[crit\] .*?TLS report not stored in "\Q$dir\E\/reports": link\(\) failed \(13: Permission denied\), and 4 more reports failed the same way in the last minute$/m,
     "exit - the count of link() failures, with the errno");

SKIP: {
    skip "/dev/shm is on the test directory's file system", 1
        if (stat "/dev/shm")[0] == (stat $dir)[0];

    like($log, qr/\[crit\] .*?TLS report not stored in "\Q$dir\E\/reports": copying it failed, and 2 more reports failed the same way in the last minute$/m,
         "exit - the count of failed copies");
}

is(() = $log =~ /more reports failed/g, 2, "exit - one count a kind");
is(() = $log =~ /cannot create files in directory/g, 1,
   "one directory, two receivers - its warning said once");
unlike($log, qr/\[alert\]|\[emerg\]/, "nothing worse");

done_testing();
