# Certificates expire while nginx runs, and a failed renewal reloads
# nothing: the first worker checks their days left again every
# mta_sts_check_interval (a day by default) and says what "nginx -t" says
# (RFC 8461, section 3.3).  Plain Test::More: the test tells the line
# said at load time from the worker's by pid ("start worker process N").

use strict;
use warnings;

use Test::More;
use Time::HiRes qw(sleep);
use lib "t/lib";
use PlainNginx;

my $load = load_modules();
my $dir = work_dir("timer");
my $certs = make_certs("$dir/certs");
my $port = free_port();

sub run {
    my ($interval) = @_;

    open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
    print $fh <<"END";
${load}pid logs/nginx.pid;
error_log logs/error.log notice;
worker_processes 2;
events {}
http {
    mta_sts_check_interval $interval;
    mta_sts_check_listener off;
    mta_sts_txt_log off;

    server {
        listen 127.0.0.1:$port ssl;
        server_name mta-sts.example.com;
        ssl_certificate $certs/soon.crt;
        ssl_certificate_key $certs/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
    }
}
END
    close $fh;

    unlink "$dir/logs/error.log", "$dir/logs/nginx.pid";

    my $pid = start_nginx($dir);

    # a worker's first line, however slowly it starts (under valgrind),
    # then two and a half intervals more
    if ($interval eq "1s") {
        for (1 .. patience()) {
            open my $in, "<", "$dir/logs/error.log" or last;
            last if (() = join("", <$in>) =~ /expires in 3 days/g) >= 2;
            sleep 0.1;
        }
    }

    sleep 2.5;

    ok(stop_nginx($pid), "mta_sts_check_interval $interval - nginx stopped");

    open $fh, "<", "$dir/logs/error.log" or die "$!\n";
    my $log = do { local $/; <$fh> };

    diag($log) if $ENV{TEST_VERBOSE};

    my %by = (master => 0, worker => 0);
    my %workers = map { $_ => 1 } $log =~ /start worker process (\d+)$/mg;

    while ($log =~ /^\S+ \S+ \[warn\] (\d+)#\d+: certificate "\Q$certs\E\/soon\.crt" for "mta-sts\.example\.com" expires in 3 days, senders will not fetch the MTA-STS policy after that \(RFC 8461, section 3\.3\) in \S+\/nginx\.conf:\d+$/mg) {
        $by{$workers{$1} ? "worker" : "master"}++;
        $by{pids}{$1} = 1 if $workers{$1};
    }

    unlike($log, qr/\[alert\]|\[crit\]|\[emerg\]/,
           "mta_sts_check_interval $interval - nothing worse");

    return \%by;
}

my $by = run("1s");

is($by->{master}, 1, "interval 1s - said once at load time");
ok($by->{worker} >= 2 && $by->{worker} <= 4,
   "interval 1s - said again, once a second ($by->{worker})");
is(scalar keys %{$by->{pids}}, 1, "interval 1s - by one of the 2 workers");

$by = run("0");

is($by->{master}, 1, "interval 0 - said at load time");
is($by->{worker}, 0, "interval 0 - no timer");

$by = run("1d");

is($by->{worker}, 0, "interval 1d - not within seconds");

done_testing();
