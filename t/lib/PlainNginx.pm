# What the plain Test::More files (t/013 to t/015) share: they run
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

our @EXPORT = qw(nginx_binary load_modules work_dir free_port make_certs);

sub nginx_binary { $ENV{TEST_NGINX_BINARY} || "nginx" }

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

1;
