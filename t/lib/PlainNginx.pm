# What the plain Test::More files (t/013 to t/015, t/017, t/018) share: they run
# "nginx -t", or an nginx they start and signal themselves, outside the
# Test::Nginx runner, with the same TEST_NGINX_BINARY and
# TEST_NGINX_LOAD_MODULES.

package PlainNginx;

use strict;
use warnings;

use Exporter qw(import);
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(sleep);

our @EXPORT = qw(nginx_binary load_modules work_dir free_port make_certs
                 start_nginx reload_nginx stop_nginx patience
                 post_report);

# nginx as the suite runs it: under valgrind too in "make test-valgrind"
# (TEST_NGINX_USE_VALGRIND holds its options there, as Test::Nginx's
# string form takes them)
sub nginx_binary {
    my $nginx = $ENV{TEST_NGINX_BINARY} || "nginx";
    my $vg = $ENV{TEST_NGINX_USE_VALGRIND};

    return $vg ? "valgrind -q $vg $nginx" : $nginx;
}

# how many tenths of a second to wait for nginx to start, reload or stop:
# far longer under valgrind
sub patience { $ENV{TEST_NGINX_USE_VALGRIND} ? 1200 : 50 }

# the load_module lines to put first in a configuration: none when the
# module is built into nginx
sub load_modules {
    join "", map { "load_module $_;\n" }
             split ' ', $ENV{TEST_NGINX_LOAD_MODULES} || "";
}

# a prefix with logs/ and conf/, removed when the test ends
sub work_dir {
    my ($name) = @_;

    my $dir = tempdir("mta-sts-$name-XXXXXX", TMPDIR => 1, CLEANUP => 1);

    mkdir "$dir/logs";
    mkdir "$dir/conf";

    return $dir;
}

# a port of 127.0.0.1 free now, for an nginx of the test's own
sub free_port {
    my $sock = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
                                     LocalPort => 0, Listen => 1)
        or die "no free port: $!\n";
    my $port = $sock->sockport;

    close $sock;

    return $port;
}

# the throwaway certificates of t/cert/make-certs.sh, in DIR
sub make_certs {
    my ($dir) = @_;

    system("sh", "t/cert/make-certs.sh", $dir) == 0
        or BAIL_OUT("t/cert/make-certs.sh failed");

    return $dir;
}

# nginx of DIR's conf/nginx.conf, started as a daemon, its master's pid
# returned once its workers run (a SIGHUP sent before would be lost in the
# start); what it says on stderr goes to DIR/logs/stderr when ASIDE is set

sub start_nginx {
    my ($dir, $aside) = @_;

    my $redirect = $aside ? " 2>$dir/logs/stderr" : "";
    my $pid;

    system(nginx_binary() . " -p $dir/ -c conf/nginx.conf -e logs/error.log"
           . $redirect) == 0
        or BAIL_OUT("nginx did not start");

    for (1 .. patience()) {
        if (open my $fh, "<", "$dir/logs/nginx.pid") {
            $pid = <$fh>;
            last if $pid;
        }

        sleep 0.1;
    }

    BAIL_OUT("nginx wrote no pid file") unless $pid;

    chomp $pid;

    for (1 .. patience()) {
        if (open my $fh, "<", "$dir/logs/error.log") {
            last if grep { /start worker process/ } <$fh>;
        }

        sleep 0.1;
    }

    return $pid;
}

# a reload (SIGHUP) of the nginx started in DIR: what it logged, once the
# new workers run

sub reload_nginx {
    my ($dir, $pid) = @_;

    my $size = -s "$dir/logs/error.log";
    my $log = "";

    kill "HUP", $pid;

    for (1 .. patience()) {
        sleep 0.1;

        open my $fh, "<", "$dir/logs/error.log" or next;
        seek $fh, $size, 0;
        $log = do { local $/; <$fh> };

        last if $log =~ /reconfiguring.*start worker process/s;
    }

    diag($log) if $ENV{TEST_VERBOSE};

    return $log;
}

# SIGQUIT, and true once the master has exited

sub stop_nginx {
    my ($pid) = @_;

    kill "QUIT", $pid;

    for (1 .. patience()) {
        last unless kill 0, $pid;
        sleep 0.1;
    }

    return !kill(0, $pid);
}

# a TLS report's JSON, gzipped, POSTed to /.well-known/tlsrpt of
# 127.0.0.1:PORT as a sender sends it (RFC 8460, section 5.4); the file
# goes in DIR; returns the status code

sub post_report {
    my ($dir, $port, $json) = @_;

    require IO::Compress::Gzip;

    my $gz;
    IO::Compress::Gzip::gzip(\$json => \$gz, Minimal => 1)
        or die "gzip: $IO::Compress::Gzip::GzipError\n";

    open my $fh, ">", "$dir/report.gz" or die "$dir/report.gz: $!\n";
    binmode $fh;
    print $fh $gz;
    close $fh;

    my $curl = "curl -s -o /dev/null -w '%{http_code}' --data-binary "
               . "\@$dir/report.gz -H 'Content-Type: application/tlsrpt+gzip' "
               . "http://127.0.0.1:$port/.well-known/tlsrpt";

    return `$curl`;
}

1;
