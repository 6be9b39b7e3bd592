# dnsmasq from Debian (util/deps.sh: dnsmasq-base) as the DNS server of a
# test: on 127.0.0.1 at a port of its own, serving the records given as
# dnsmasq options, logging every query to DIR/logs/dnsmasq.log, stopped
# by its pid.  Used by t/020-dns.t and t/022-dns-status.t.

package Dnsmasq;

use strict;
use warnings;

use Exporter qw(import);
use Time::HiRes qw(sleep);
use lib "t/lib";
use PlainNginx qw(patience);

our @EXPORT = qw(dnsmasq_binary start_dnsmasq stop_dnsmasq);

sub dnsmasq_binary {
    my ($bin) = grep { -x } map { "$_/dnsmasq" }
                split(/:/, $ENV{PATH}), "/usr/sbin", "/sbin";

    return $bin;
}

# dnsmasq on 127.0.0.1:PORT with RECORDS (options such as
# "--txt-record=..."), answering for them alone; its pid, once it logs
sub start_dnsmasq {
    my ($dir, $port, @records) = @_;

    my $bin = dnsmasq_binary() or die "no dnsmasq\n";
    my $pid = fork() // die "fork: $!\n";

    if ($pid == 0) {
        open STDOUT, ">", "$dir/logs/dnsmasq.out";
        open STDERR, ">&", \*STDOUT;
        exec $bin, "--keep-in-foreground", "--conf-file=/dev/null",
             "--no-resolv", "--no-hosts", "--listen-address=127.0.0.1",
             "--bind-interfaces", "--port=$port", "--pid-file=",
             "--log-queries", "--log-facility=$dir/logs/dnsmasq.log",
             @records;
        exit 127;
    }

    for (1 .. patience()) {
        last if -s "$dir/logs/dnsmasq.log";
        sleep 0.1;
    }

    return $pid;
}

sub stop_dnsmasq {
    my ($pid) = @_;

    kill "TERM", $pid;
    waitpid $pid, 0;
}

1;
