package CompatSelfTest;

# Helpers for the compat runner's self tests: run a fixture .t file in a
# child perl with only t/compat on the module path, a private server root
# and a free port, and hand back its TAP.

use strict;
use warnings;

use Exporter 'import';
use File::Basename qw(dirname);
use File::Spec;
use File::Temp qw(tempdir);
use File::Copy ();
use IO::Socket::INET;
use Cwd qw(abs_path);

our @EXPORT = qw(run_fixture start_fixture finish_fixture tap_results
                 fixture_path);

my $here = abs_path(dirname(__FILE__) . '/..');     # t/compat/selftest
my $compat = abs_path("$here/..");                  # t/compat
my $top = abs_path("$compat/../..");                # the repository

sub fixture_path { "$here/fixtures/$_[0]" }

sub free_port {
    # free on every address: the runner's nginx listens on all of them
    my $s = IO::Socket::INET->new(LocalAddr => '0.0.0.0', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1)
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# start_fixture('pass.fixture', ENV_NAME => value, ...) starts the fixture
# in the background; finish_fixture($handle) waits for it and returns
# { out => stdout, err => stderr, rc => exit code, servroot => dir,
#   port => port }.  run_fixture() does both.
sub start_fixture {
    my ($fixture, %env) = @_;
    my $dir = tempdir('compat-selftest-XXXXXX', TMPDIR => 1, CLEANUP => 1);

    # run a copy from the temp dir so that $0 (part of every test name)
    # is just the fixture's file name
    File::Copy::copy(fixture_path($fixture), "$dir/$fixture") or die $!;

    my %h = (dir => $dir, servroot => "$dir/servroot", port => free_port());

    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        delete $ENV{$_} for grep { /^TEST_NGINX_/ } keys %ENV;
        $ENV{PERL5LIB} = $compat;
        $ENV{TEST_NGINX_SERVROOT} = $h{servroot};
        $ENV{TEST_NGINX_PORT} = $h{port};
        # the binary "make test" gives both runners: Debian's nginx with -e
        $ENV{TEST_NGINX_BINARY} = "$top/util/nginx-e.sh";
        $ENV{MTA_STS_NGINX} = $ENV{COMPAT_SELFTEST_NGINX}
            if $ENV{COMPAT_SELFTEST_NGINX};
        @ENV{keys %env} = values %env;
        chdir $dir or die $!;
        open STDOUT, '>', "$dir/stdout" or die $!;
        open STDERR, '>', "$dir/stderr" or die $!;
        exec $^X, $fixture or die "exec: $!";
    }
    $h{pid} = $pid;
    return \%h;
}

sub finish_fixture {
    my $h = shift;
    waitpid($h->{pid}, 0);
    $h->{rc} = $? >> 8;
    for my $f (qw(out err)) {
        my $file = $f eq 'out' ? 'stdout' : 'stderr';
        open my $in, '<', "$h->{dir}/$file" or die $!;
        local $/;
        $h->{$f} = <$in> // '';
        close $in;
    }
    return $h;
}

sub run_fixture { finish_fixture(start_fixture(@_)) }

# TAP -> list of [ok(1/0), number, description]
sub tap_results {
    my $tap = shift;
    my @res;
    for (split /\n/, $tap) {
        push @res, [ $1 ? 0 : 1, $2, $3 ]
            if /^(not )?ok (\d+)(?: - (.*))?$/;
    }
    return @res;
}

1;
