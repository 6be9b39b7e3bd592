package Test::Nginx::Util;

# Minimal stand-in for the Test::Nginx::Util module of the openresty
# "test-nginx" distribution.  Only the subset used by a plain
# Test::Nginx::Socket test suite is implemented; see t/compat/README.md.
#
# This file is an independent implementation written from the documented
# behaviour of the original.  It is only put on @INC when the real
# Test::Nginx::Socket cannot be loaded.

use strict;
use warnings;

our $VERSION = '0.29_compat';

use base 'Exporter';

use POSIX qw(SIGQUIT SIGKILL SIGTERM SIGHUP SIGUSR1 WNOHANG);
use File::Spec ();
use File::Path qw(make_path remove_tree);
use File::Find qw(find);
use List::Util qw(shuffle);
use Time::HiRes qw(sleep time);
use Scalar::Util qw(looks_like_number);
use IO::Socket::INET ();
use IO::Select ();
use Config ();
use Carp qw(croak);
use Test::More ();
use Test::LongString ();

our $IsCompat = 1;     # lets callers tell this runner from the real one

#--------------------------------------------------------------------------
# settings (same environment variables and defaults as the real module)
#--------------------------------------------------------------------------

our $Verbose          = $ENV{TEST_NGINX_VERBOSE};
our $UseHup           = $ENV{TEST_NGINX_USE_HUP};
our $NoNginxManager   = $ENV{TEST_NGINX_NO_NGINX_MANAGER} || 0;
our $LoadModules      = $ENV{TEST_NGINX_LOAD_MODULES};
our $NoShuffle        = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $EventType        = $ENV{TEST_NGINX_EVENT_TYPE};
our $PostponeOutput   = $ENV{TEST_NGINX_POSTPONE_OUTPUT};
our $Timeout          = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $CheckAccumErrLog = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG};
our $ReusePort        = $ENV{TEST_NGINX_REUSE_PORT};
our $CheckLeak        = 0;    # not supported by the compat runner
our $Benchmark        = 0;    # not supported by the compat runner
our $UseValgrind      = $ENV{TEST_NGINX_USE_VALGRIND};
our $UseStap;                 # not supported

our $NginxBinary          = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $Workers              = 1;
our $WorkerConnections    = 64;
our $LogLevel             = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcessEnabled = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $DaemonEnabled        = 'on';
our $ServerPort           = $ENV{TEST_NGINX_SERVER_PORT}
                            || $ENV{TEST_NGINX_PORT} || 1984;
our $ServerPortForClient  = $ENV{TEST_NGINX_CLIENT_PORT}
                            || $ServerPort || 1984;
our $NoRootLocation       = 0;
our $TestNginxSleep       = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $ForceRestartOnTest   = defined $ENV{TEST_NGINX_FORCE_RESTART_ON_TEST}
                            ? $ENV{TEST_NGINX_FORCE_RESTART_ON_TEST} : 1;
our $ServerAddr           = '127.0.0.1';
our $ServerName           = 'localhost';
our $RepeatEach           = 1;
our $NoLongString;
our $ConfigPreamble       = '';
our $FilterHttpConfig;

# Valgrind mode (TEST_NGINX_USE_VALGRIND), compat-only knobs:
#
# TEST_NGINX_COMPAT_VALGRIND_PIDS=<file>: append "<pid> <test name>" for
# every nginx started under valgrind, so that a log written per process
# (--log-file=...%p...) can be traced back to its block.
our $ValgrindPidsFile = $ENV{TEST_NGINX_COMPAT_VALGRIND_PIDS};
#
# TEST_NGINX_COMPAT_VALGRIND_MUST_DIE=1: run must_die blocks under valgrind
# too (the real module runs them without it), so that the configuration
# error paths are checked as well.
our $ValgrindMustDie = $ENV{TEST_NGINX_COMPAT_VALGRIND_MUST_DIE};
#
# How long to wait for an nginx under valgrind to exit after SIGQUIT (its
# leak check runs then).  The real module gives it about 1.3 seconds and
# then kills it, losing the report.
our $ValgrindExitTimeout = $ENV{TEST_NGINX_COMPAT_VALGRIND_EXIT_TIMEOUT}
                           || 60;

# nginx is started exactly as the real module does, without "-e": an nginx
# built with --error-log-path=stderr (Debian's) writes what it says while
# reading the configuration to stderr, where neither runner looks; the
# repository's util/nginx-e.sh, given as TEST_NGINX_BINARY, adds the "-e".

# like the real module: nginx runs in the foreground, a child of the
# runner, under valgrind; master_process keeps its setting
$DaemonEnabled = 'off' if $UseValgrind;

our $WorkerUser = $ENV{TEST_NGINX_WORKER_USER};
if (defined $WorkerUser && $WorkerUser !~ /^\w+(?:\s+\w+)?$/) {
    die "Bad value in the env TEST_NGINX_WORKER_USER: $WorkerUser\n";
}

our $ServRoot = $ENV{TEST_NGINX_SERVROOT}
                || File::Spec->rel2abs('t/servroot');
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;

our $LogDir     = File::Spec->catfile($ServRoot, 'logs');
our $ErrLogFile = File::Spec->catfile($LogDir, 'error.log');
our $AccLogFile = File::Spec->catfile($LogDir, 'access.log');
our $HtmlDir    = File::Spec->catfile($ServRoot, 'html');
our $ConfDir    = File::Spec->catfile($ServRoot, 'conf');
our $ConfFile   = File::Spec->catfile($ConfDir, 'nginx.conf');
our $PidFile    = File::Spec->catfile($LogDir, 'nginx.pid');

our $NginxVersion;
our $NginxRawVersion;
our $OpenSSLVersion;
our $LatestNginxVersion = 0.008039;

our $RunTestHelper;          # set by Test::Nginx::Socket
our $CheckErrorLog;          # set by Test::Nginx::Socket
our $CheckShutdownErrorLog;  # unused (shutdown_error_log not implemented)

our @CleanupHandlers;
our @BlockPreprocessors;
our @EnvToNginx;
our $PrevConfig;
our $PrevBlock;
our $FirstTime = 1;
our $ErrLogFilePos = 0;
our $ConfigVersion = '';
our $ChildPid;
our $InSubprocess;

srand $$;

our @EXPORT = qw(
    env_to_nginx is_str check_accum_error_log is_running
    $NoLongString no_long_string $ServerAddr server_addr
    $ServerName server_name parse_time verbose sleep_time bail_out
    add_cleanup_handler access_log_data error_log_data setup_server_root
    write_config_file get_canon_version get_nginx_version trim
    show_all_chars parse_headers run_tests get_pid_from_pidfile
    $ServerPortForClient $ServerPort $NginxVersion $PidFile $ServRoot
    $ConfFile $RunTestHelper $CheckErrorLog $CheckShutdownErrorLog
    $FilterHttpConfig $NoNginxManager $RepeatEach $CheckLeak $Benchmark
    add_block_preprocessor timeout worker_connections workers master_on
    master_off config_preamble repeat_each master_process_enabled
    log_level no_shuffle no_root_location html_dir server_root
    server_port server_port_for_client no_nginx_manager use_hup
);

#--------------------------------------------------------------------------
# small exported helpers
#--------------------------------------------------------------------------

sub no_long_string () { $NoLongString = 1 }
sub no_shuffle ()     { $NoShuffle = 1 }
sub no_nginx_manager () { $NoNginxManager = 1 }
sub use_hup ()        { $UseHup = 1 }
sub no_root_location () { $NoRootLocation = 1 }
sub check_accum_error_log () { $CheckAccumErrLog = 1 }
sub config_preamble ($) { $ConfigPreamble = shift }
sub html_dir ()       { $HtmlDir }
sub server_root ()    { $ServRoot }
sub sleep_time        { $TestNginxSleep }
sub verbose           { $Verbose }
sub master_on ()      { $MasterProcessEnabled = 'on' }
sub master_off ()     { $MasterProcessEnabled = 'off' }

sub add_cleanup_handler ($) { unshift @CleanupHandlers, shift }
sub add_block_preprocessor (&) { unshift @BlockPreprocessors, shift }

sub _getset {
    my ($ref, @args) = @_;
    if (@args) { $$ref = $args[0]; return; }
    return $$ref;
}

sub server_addr (@)            { _getset(\$ServerAddr, @_) }
sub server_name (@)            { _getset(\$ServerName, @_) }
sub timeout (@)                { _getset(\$Timeout, @_) }
sub server_port (@)            { _getset(\$ServerPort, @_) }
sub server_port_for_client (@) { _getset(\$ServerPortForClient, @_) }
sub worker_connections (@)     { _getset(\$WorkerConnections, @_) }
sub workers (@)                { _getset(\$Workers, @_) }
sub log_level (@)              { _getset(\$LogLevel, @_) }

sub repeat_each (@) {
    $RepeatEach = shift if @_;
    return $RepeatEach;
}

sub master_process_enabled (@) {
    if (@_) {
        $MasterProcessEnabled = shift() ? 'on' : 'off';
        return;
    }
    return $MasterProcessEnabled;
}

sub env_to_nginx (@) {
    croak "env_to_nginx: no arguments specified" unless @_;
    for my $v (@_) {
        croak "env_to_nginx: bad argument value: $v\n"
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v;
    }
}

sub is_str (@) {
    my ($got, $expected, $desc) = @_;
    if (ref $expected && ref $expected eq 'Regexp') {
        return Test::More::like($got, $expected, $desc);
    }
    return Test::More::is($got, $expected, $desc) if $NoLongString;
    return Test::LongString::is_string($got, $expected, $desc);
}

sub parse_time ($) {
    my $tm = shift;
    return $tm unless defined $tm;
    if ($tm =~ s/([^_a-zA-Z])ms$/$1/) {
        $tm = $tm / 1000;
    } else {
        $tm =~ s/([^_a-zA-Z])s$/$1/;
    }
    return $tm;
}

sub trim ($) {
    my $s = shift;
    return undef unless defined $s;
    $s =~ s/^\s+|\s+$//g;
    $s =~ s/\n/ /gs;
    $s =~ s/\s{2,}/ /gs;
    return $s;
}

sub show_all_chars ($) {
    my $s = shift;
    $s =~ s/\n/\\n/gs;
    $s =~ s/\r/\\r/gs;
    $s =~ s/\t/\\t/gs;
    return $s;
}

# "Name: value" per line; "!Name" means "must be absent" (value undef).
sub parse_headers ($) {
    my $s = shift;
    my %headers;
    for my $line (split /\n/, $s) {
        $line =~ s/^\s+|\s+$//g;
        if ($line =~ s/^!\s*//) {
            $headers{$line} = undef;
            next;
        }
        my ($key, $val) = split /\s*:\s*/, $line, 2;
        $headers{$key} = $val;
    }
    return \%headers;
}

sub get_canon_version (@) {
    return sprintf "%d.%03d%03d", $_[0], $_[1], $_[2];
}

sub bail_out (@) {
    cleanup();
    Test::More::BAIL_OUT(@_);
}

#--------------------------------------------------------------------------
# process handling
#--------------------------------------------------------------------------

# kill(0) alone reports zombies as alive; a daemonised nginx is not our
# child and is reaped by whoever is pid 1, which may be slow or never.
sub is_running ($) {
    my $pid = shift;
    return 0 unless $pid && kill(0, $pid);
    if (open my $fh, '<', "/proc/$pid/stat") {
        my $stat = <$fh>;
        close $fh;
        return 0 if defined $stat && $stat =~ /^\d+ \(.*\) [ZX]/s;
    }
    return 1;
}

sub _wait_gone {
    my ($pid, $secs) = @_;
    while ($secs > 0 && is_running($pid)) {
        waitpid($pid, WNOHANG);
        sleep 0.02;
        $secs -= 0.02;
    }
    return !is_running($pid);
}

# Graceful stop (QUIT), then TERM, then KILL.
sub kill_process ($$$) {
    my ($pid, $wait, $name) = @_;
    return unless defined $pid && is_running($pid);

    if ($wait) {
        warn "sending QUIT signal to $pid\n" if $Verbose;
        kill SIGQUIT, $pid;
        return if _wait_gone($pid, timeout());
        warn "$name - timeout when waiting for the process $pid to exit\n";
    }

    for (1 .. 10) {
        return unless is_running($pid);
        kill SIGTERM, $pid;
        return if _wait_gone($pid, 0.2);
    }

    warn "$name - WARNING: killing the child process $pid with force...\n";
    kill SIGKILL, $pid;
    _wait_gone($pid, 1);
}

sub get_pid_from_pidfile ($) {
    my ($name) = @_;
    open my $in, '<', $PidFile
        or bail_out("$name - Failed to open the pid file $PidFile for reading: $!");
    my $pid = do { local $/; <$in> };
    close $in;
    $pid = '' unless defined $pid;
    $pid =~ s/\s+//g;
    return $pid;
}

# Stop whatever nginx the pid file points at (used between blocks and at
# the end).
sub stop_nginx ($) {
    my $name = shift;
    return unless -f $PidFile;
    my $pid = get_pid_from_pidfile($name);
    if ($pid ne '' && is_running($pid)) {
        kill_process($pid, 1, $name);
    }
    unlink $PidFile if -f $PidFile;
}

sub cleanup () {
    warn "cleaning up everything\n" if $Verbose;
    $_->() for @CleanupHandlers;
    if (defined $ChildPid) {
        kill_process($ChildPid, 1, "cleanup");
        undef $ChildPid;
    }
}

sub can_run {
    my ($cmd) = @_;
    if ($cmd =~ m{[/\\]}) {
        return (-f $cmd && -x $cmd) ? $cmd : undef;
    }
    for my $dir ((split /\Q$Config::Config{path_sep}\E/, $ENV{PATH} || ''), '.') {
        next if $dir eq '';
        my $abs = File::Spec->catfile($dir, $cmd);
        return $abs if -f $abs && -x $abs;
    }
    return undef;
}

sub get_nginx_version () {
    my $out = `$NginxBinary -V 2>&1`;
    if (!defined $out || $? != 0) {
        $out = '' unless defined $out;
        bail_out("Failed to get the version of the Nginx in PATH: $out");
    }
    if ($out =~ m{built with OpenSSL (\d+)\.(\d+)\.(\d+)}s) {
        $OpenSSLVersion = get_canon_version($1, $2, $3);
    }
    if ($out =~ m{(?:nginx|openresty)[^/]*/(\d+)\.(\d+)\.(\d+)}s
        || $out =~ m{\w+/(\d+)\.(\d+)\.(\d+)}s)
    {
        $NginxRawVersion = "$1.$2.$3";
        return get_canon_version($1, $2, $3);
    }
    bail_out("Failed to parse the output of \"nginx -V\": $out\n");
}

#--------------------------------------------------------------------------
# log access
#--------------------------------------------------------------------------

# Lines of error.log written since the last call (or since nginx was
# started for the current block); everything with check_accum_error_log.
sub error_log_data () {
    sleep $TestNginxSleep * 3;   # let nginx finish its log phase
    open my $in, '<', $ErrLogFile or return undef;
    if (!$CheckAccumErrLog && $ErrLogFilePos > 0) {
        seek $in, $ErrLogFilePos, 0;
    }
    my @lines = <$in>;
    $ErrLogFilePos = tell($in) unless $CheckAccumErrLog;
    close $in;
    return \@lines;
}

sub access_log_data () {
    sleep $TestNginxSleep * 3;
    open my $in, '<', $AccLogFile or do {
        return undef if $AccLogFile eq 'off';
        die "open $AccLogFile failed: $!";
    };
    my @lines = <$in>;
    close $in;
    return \@lines;
}

sub check_if_missing_directives () {
    open my $in, '<', $ErrLogFile or return 0;
    while (<$in>) {
        if (/\[emerg\] \S+?: unknown directive "([^"]+)"/) {
            close $in;
            return $1;
        }
    }
    close $in;
    return 0;
}

#--------------------------------------------------------------------------
# server root and nginx.conf
#--------------------------------------------------------------------------

sub setup_server_root ($) {
    my $first_time = shift;

    if (-d $ServRoot) {
        # only remove what we create, so a mis-set TEST_NGINX_SERVROOT
        # cannot wipe real data
        remove_tree($ConfDir, glob("$ServRoot/*_cache"),
                    glob("$ServRoot/*_temp"));
        if ($UseHup) {
            find({ bydepth => 1, no_chdir => 1, wanted => sub {
                return if -d $_;
                return if !$first_time
                          && /(?:\bnginx\.pid|\.sock|\.crt|\.key)$/;
                unlink $_ or warn "Failed to remove $_: $!\n";
            } }, $ServRoot);
        } else {
            remove_tree($HtmlDir, $LogDir);
            rmdir $ServRoot
                or bail_out("Can't remove $ServRoot (not empty?): $!");
        }
    }

    for my $dir ($ServRoot, $LogDir, $HtmlDir) {
        next if -d $dir;
        mkdir $dir or bail_out("Failed to do mkdir $dir: $!\n");
    }

    my $index_file = "$HtmlDir/index.html";
    open my $out, '>', $index_file
        or bail_out("Can't open $index_file for writing: $!\n");
    print $out '<html><head><title>It works!</title></head>'
               . '<body>It works!</body></html>';
    close $out;

    mkdir $ConfDir or bail_out("Failed to do mkdir $ConfDir: $!\n");
}

sub gen_rand_port (;$$) {
    my ($tries, $used) = @_;
    $tries ||= 1000;
    $used ||= {};
    for (1 .. $tries) {
        my $port = int(rand 63550) + 1985;
        next if $used->{$port};
        my $sock = IO::Socket::INET->new(
            LocalAddr => $ServerAddr,
            LocalPort => $port,
            Proto     => 'tcp',
        );
        if ($sock) {
            $sock->close;
            return $port;
        }
    }
    return undef;
}

# Replace $TEST_NGINX_FOO with $ENV{TEST_NGINX_FOO} (bail out when unset);
# $TEST_NGINX_RAND_PORT_<N> gets a free port, the same one for the whole
# block.
sub expand_env_in_text ($$$) {
    my ($text, $name, $rand_ports) = @_;
    return undef unless defined $text;

    my %used = ($ServerPort => 1, map { $_ => 1 } values %$rand_ports);

    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        my $val;
        if ($var =~ /^TEST_NGINX_RAND_PORT_[0-9]+$/) {
            if (!defined $rand_ports->{$var}) {
                my $port = gen_rand_port(1000, \%used);
                bail_out("$name - Cannot find an available listening port "
                         . "number for $var.\n") unless defined $port;
                $rand_ports->{$var} = $port;
                $used{$port} = 1;
            }
            $val = $rand_ports->{$var};
        } else {
            bail_out("$name - No environment $var defined.\n")
                unless defined $ENV{$var};
            $val = $ENV{$var};
        }
        $val;
    }eg;

    return $text;
}

sub write_user_files ($$) {
    my ($block, $rand_ports) = @_;
    my $name = $block->name;
    my $files = $block->user_files;
    return unless $files;

    if (!ref $files) {
        my @list;
        my ($fname, $body, $date);
        for my $line (split /^/, $files) {
            if ($line =~ />>> (\S+)(?:\s+(.+))?/) {
                push @list, [$fname, $body, $date] if $fname;
                ($fname, $date, $body) = ($1, $2, undef);
            } else {
                $body .= $line;
            }
        }
        push @list, [$fname, $body, $date] if $fname;
        $files = \@list;
    } elsif (ref $files ne 'ARRAY') {
        bail_out("$name - wrong value type: " . ref($files)
                 . ", only scalar or ARRAY are accepted");
    }

    for my $file (@$files) {
        my ($fname, $body, $date) = @$file;
        $body = '' unless defined $body;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        if ($path =~ m{(.*)/}) {
            my $dir = $1;
            make_path($dir) unless -d $dir;
        }
        $body = expand_env_in_text($body, $name, $rand_ports);
        open my $out, '>', $path
            or bail_out("$name - Cannot open $path for writing: $!\n");
        binmode $out;
        print $out $body;
        close $out;
        if ($date) {
            my $cmd = "TZ=GMT touch -t '$date' '$path'";
            system($cmd) == 0
                or bail_out("Failed to run shell command: $cmd\n");
        }
    }
}

sub write_config_file ($$$) {
    my ($block, $config, $rand_ports) = @_;

    my $name = $block->name;

    master_on() if $UseHup;   # reloading with master_process off is buggy

    my $http_config = expand_env_in_text($block->http_config, $name,
                                         $rand_ports);
    $config = '' unless defined $config;
    $http_config = '' unless defined $http_config;
    $http_config = $FilterHttpConfig->($http_config) if $FilterHttpConfig;

    my $postpone = $PostponeOutput;
    undef $postpone if $http_config =~ /\bpostpone_output\b/;
    my $extra_http_config = '';
    if (defined $postpone) {
        bail_out("Bad TEST_NGINX_POSTPONE_OUTPUT value: $postpone\n")
            if $postpone !~ /^\d+$/;
        $extra_http_config = "\n    postpone_output $postpone;\n";
    }

    my $main_config = $block->main_config;
    $main_config = '' unless defined $main_config;
    if ($LoadModules) {
        # like the real module: appended to the main_config text
        my @modules = map { "load_module $_;" } grep { length }
                      split /\s+/, $LoadModules;
        $main_config .= join ' ', @modules;
    }
    $main_config = expand_env_in_text($main_config, $name, $rand_ports);

    my $post_main_config = expand_env_in_text($block->post_main_config,
                                              $name, $rand_ports);
    $post_main_config = '' unless defined $post_main_config;

    my $err_log_file = $block->error_log_file || $ErrLogFile;
    my $server_name = $block->server_name;
    $server_name = $ServerName unless defined $server_name;

    # "listen <port>;", all addresses, as the real module writes it: the
    # servers of a block that listen on $TEST_NGINX_SERVER_PORT share the
    # default server's address only when they write it the same way
    # ("make test" runs the suite in a network namespace of its own,
    # util/netns.sh)
    my $listen = $ServerPort;
    my $listen_opts = $ReusePort ? ' reuseport' : '';

    my $env_lines = '';
    for my $v (@EnvToNginx) {
        my $q = $v =~ /\s/ ? "'$v'" : $v;
        $env_lines .= "env $q;\n";
    }

    my $root_location = $NoRootLocation ? '' : <<_EOC_;
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_

    my $hup_server = '';
    if ($UseHup) {
        $hup_server = <<_EOC_;
    server {
        listen          $listen$listen_opts;
        server_name     'Test-Nginx';

        location = /ver {
            return 200 '$ConfigVersion';
        }
    }

$extra_http_config
_EOC_
    }

    my $events_use = $EventType ? "    use $EventType;\n" : '';

    my $user = '';
    if (defined $WorkerUser) {
        $user = "user $WorkerUser;\n";
    } elsif ($> == 0) {
        $user = "user root;\n";
    }

    open my $out, '>', $ConfFile
        or bail_out("Can't open $ConfFile for writing: $!\n");
    print $out <<_EOC_;
worker_processes  $Workers;
daemon $DaemonEnabled;
master_process $MasterProcessEnabled;
error_log $err_log_file $LogLevel;
pid       $PidFile;
env MOCKEAGAIN_VERBOSE;
env MOCKEAGAIN;
env MOCKEAGAIN_WRITE_TIMEOUT_PATTERN;
env LD_PRELOAD;
env LD_LIBRARY_PATH;
env DYLD_INSERT_LIBRARIES;
env DYLD_FORCE_FLAT_NAMESPACE;
$env_lines
$main_config

http {
    access_log $AccLogFile;

    default_type text/plain;
    keepalive_timeout  68;

$http_config

    server {
        listen          $listen$listen_opts;
        server_name     '$server_name';

        client_max_body_size 30M;

        # Begin preamble config...
$ConfigPreamble
        # End preamble config...

        # Begin test case config...
$config
        # End test case config.

$root_location    }
$hup_server}

$post_main_config

events {
    accept_mutex off;

    worker_connections  $WorkerConnections;
$events_use}
env ASAN_OPTIONS;
env MOCKNOEAGAIN_VERBOSE;
env MOCKNOEAGAIN;
$user
_EOC_
    close $out;
}

#--------------------------------------------------------------------------
# running the blocks
#--------------------------------------------------------------------------

sub run_tests () {
    $NginxVersion = get_nginx_version();

    $ENV{TEST_NGINX_SERVER_PORT} = $ServerPort
        unless defined $ENV{TEST_NGINX_SERVER_PORT};

    my @blocks = Test::Base::blocks();
    @blocks = shuffle @blocks unless $NoShuffle;

    for my $block (@blocks) {
        # not $_: a preprocessor may read a file with while (<$fh>)
        for my $preprocess (@BlockPreprocessors) {
            $preprocess->($block);
        }
        $block->set_value("name", $0 . " " . $block->name);
        run_test($block);
        $PrevBlock = $block;
    }

    cleanup();
}

# "N: <op> x.y.z [: reason]" style specs
sub _eval_skip_specs ($) {
    my $block = shift;
    my $name = $block->name;
    my ($tests_to_skip, $should_skip, $skip_reason);

    if (defined(my $spec = $block->skip_eval)) {
        if ($spec =~ /^\s*(\d+)\s*:\s*(.*)/s) {
            $tests_to_skip = $1;
            $skip_reason = "skip_eval";
            my $code = $2;
            $should_skip = eval $code;
            bail_out("$name - skip_eval - failed to eval the Perl code "
                     . "\"$code\": $@") if $@;
        }
    }

    if (defined(my $spec = $block->skip_nginx)) {
        if ($spec =~ /^\s*(\d+)\s*:\s*([<>]=?)\s*(\d+)\.(\d+)\.(\d+)
                      (?:\s*:\s*(.*))?\s*$/x)
        {
            $tests_to_skip = $1;
            my ($op, $ver) = ($2, get_canon_version($3, $4, $5));
            $skip_reason = $6 || "nginx version $op $3.$4.$5";
            $should_skip = 1 if eval "$NginxVersion $op $ver";
        } else {
            bail_out("$name - Invalid --- skip_nginx spec: $spec");
        }
    }

    if (defined(my $spec = $block->todo)) {
        if ($spec =~ /^\s*(\d+)\s*:\s*(.*)/s) {
            return ($1, 0, undef, 1, $2);
        }
        bail_out("$name - Invalid --- todo spec: $spec");
    }

    return ($tests_to_skip, $should_skip, $skip_reason || "various reasons");
}

# Run the nginx command line once; returns ($status, $exit_code,
# $exec_failed, $coredump).
sub _run_nginx_cmd ($;$) {
    my ($cmd, $name) = @_;
    warn "CMD: $cmd\n" if $Verbose;
    if ($UseValgrind) {
        # system(), but with the pid known (a must_die block under
        # valgrind, TEST_NGINX_COMPAT_VALGRIND_MUST_DIE)
        my $pid = fork();
        return (-1, undef, 1, 0) unless defined $pid;
        if ($pid == 0) {
            $InSubprocess = 1;
            exec "exec $cmd" or POSIX::_exit(127);
        }
        _record_valgrind_pid($pid, $name);
        waitpid($pid, 0);
    } else {
        system($cmd);
    }
    my $status = $?;
    return ($status, undef, 1, 0) if $status == -1;
    return ($status, $status >> 8, 0, $status & 128);
}

sub _nginx_cmd () {
    return "$NginxBinary -p $ServRoot/ -c $ConfFile > /dev/null";
}

# TEST_NGINX_USE_VALGRIND: a number gives the real module's options (and
# its ./valgrind.suppress when there is one); anything else is a string of
# valgrind options.  Either way "-q": only the reports are written.
sub _valgrind_cmd ($) {
    my $cmd = shift;
    if ($UseValgrind =~ /^\d+$/) {
        my $opts = "--tool=memcheck --leak-check=full --show-possibly-lost=no";
        my $supp = -f 'valgrind.suppress'
                   ? ' --suppressions=valgrind.suppress' : '';
        return "valgrind --num-callers=100 -q $opts --gen-suppressions=all"
               . "$supp $cmd";
    }
    return "valgrind -q $UseValgrind $cmd";
}

# Valgrind mode: nginx (daemon off) runs as a child of ours, in a process
# group of its own; its pid is the pid valgrind reports under.
sub _start_nginx_in_background ($$) {
    my ($cmd, $name) = @_;

    warn "CMD: $cmd\n" if $Verbose;

    my $pid = fork();
    bail_out("$name - fork() failed: $!") unless defined $pid;

    if ($pid == 0) {
        setpgrp;
        Test::More->builder->no_ending(1);
        $InSubprocess = 1;
        exec "exec $cmd" or POSIX::_exit(127);
    }

    $ChildPid = $pid;
    _record_valgrind_pid($pid, $name);

    sleep $TestNginxSleep;
}

sub _record_valgrind_pid ($$) {
    my ($pid, $name) = @_;
    return unless defined $ValgrindPidsFile && length $ValgrindPidsFile;
    if (open my $out, '>>', $ValgrindPidsFile) {
        print $out "$pid $name\n";
        close $out;
    } else {
        warn "$name - cannot append to $ValgrindPidsFile: $!\n";
    }
}

# Valgrind mode, after a block: QUIT the nginx, then wait for it to exit,
# leak check included, so that its report is complete and the port free.
sub _stop_nginx_in_background ($) {
    my $name = shift;

    my $pid = -f $PidFile ? get_pid_from_pidfile($name) : '';
    $pid = $ChildPid if $pid eq '' && defined $ChildPid;
    return unless defined $pid && $pid ne '';

    if (is_running($pid)) {
        warn "sending QUIT signal to $pid\n" if $Verbose;
        kill SIGQUIT, $pid
            or warn "$name - Failed to send quit signal to the nginx "
                    . "process with PID $pid\n";
        if (!_wait_gone($pid, $ValgrindExitTimeout)) {
            warn "$name - nginx (pid $pid) still running "
                 . "$ValgrindExitTimeout s after SIGQUIT; killing it\n";
            kill SIGKILL, -$pid;
            kill SIGKILL, $pid;
            _wait_gone($pid, 5);
        }
    }

    if (defined $ChildPid) {
        waitpid($ChildPid, 0) if $ChildPid == $pid || !is_running($ChildPid);
        undef $ChildPid if !is_running($ChildPid);
    }

    unlink $PidFile if -f $PidFile;
}

# /proc/<pid>/stat -> (state, ppid, start time in clock ticks), or ()
# when there is no such process.  The command name, in parentheses, may
# contain anything: the fields are read after its last ")".
sub _proc_stat ($) {
    my $pid = shift;
    open my $fh, '<', "/proc/$pid/stat" or return ();
    my $stat = <$fh>;
    close $fh;
    return () unless defined $stat;
    my $end = rindex $stat, ')';
    return () if $end < 0;
    my @f = split ' ', substr($stat, $end + 1);
    return () if @f < 20;
    return ($f[0], $f[1], $f[19]);
}

# The processes whose parent is $ppid (an nginx master's workers and cache
# processes), as { pid => start time }: the start time tells a process
# from a later one that reuses its pid.
sub _children_of ($) {
    my $ppid = shift;
    my %kids;
    opendir my $dh, '/proc' or return \%kids;
    for my $pid (grep { /^\d+$/ } readdir $dh) {
        my ($state, $parent, $start) = _proc_stat($pid);
        next unless defined $parent && $parent == $ppid;
        next if $state =~ /^[ZX]/;
        $kids{$pid} = $start;
    }
    closedir $dh;
    return \%kids;
}

# Those of the processes recorded by _children_of() that still run: a
# zombie has exited (it only waits for the master to reap it).
sub _still_running ($) {
    my $procs = shift;
    return grep {
        my ($state, undef, $start) = _proc_stat($_);
        defined $state && $state !~ /^[ZX]/ && $start == $procs->{$_};
    } sort { $a <=> $b } keys %$procs;
}

# HUP mode: nginx's master starts the new workers, sleeps 100 ms, and only
# then tells the old ones to stop; until they have, they accept
# connections too and answer them with the previous block's config.  So a
# block's requests wait until every process the master had before the HUP
# has exited, as long as it takes them to finish what they were doing
# (bounded: a worker kept by a connection that never ends fails the block).
our $HupExitTimeout = 10;

sub _wait_old_workers ($$) {
    my ($name, $old) = @_;
    my $limit = $UseValgrind ? $ValgrindExitTimeout : $HupExitTimeout;
    my $deadline = time + $limit;
    my @left;
    while (@left = _still_running($old)) {
        if (time >= $deadline) {
            Test::More->builder->no_ending(1);
            Test::More::fail("$name - the workers of the previous config "
                             . "(pid @left) still run $limit s after the "
                             . "reload");
            return;
        }
        sleep 0.01;
    }
    warn "$name - the workers of the previous config have exited\n"
        if $Verbose;
}

# HUP mode, after USR1: setup_server_root() has removed the error log, and
# the master creates it again when it reopens its logs.  A master that has
# both USR1 and HUP pending reloads first (its loop looks at HUP before
# USR1) and writes what it says about the new config, the [warn] lines a
# block checks, to the removed file.  So the HUP waits until the log is
# back.
sub _wait_log_reopened ($) {
    my $name = shift;
    my $log = $PrevBlock && $PrevBlock->error_log_file
              ? $PrevBlock->error_log_file : $ErrLogFile;
    my $deadline = time + $HupExitTimeout;
    until (-e $log) {
        if (time >= $deadline) {
            Test::More->builder->no_ending(1);
            Test::More::fail("$name - nginx did not reopen $log "
                             . "$HupExitTimeout s after USR1");
            return;
        }
        sleep 0.005;
    }
}

# HUP mode: reload the running master with the new config.  Returns true
# when the reload was done (so nginx must not be started from scratch).
sub _try_hup_reload ($$$$) {
    my ($block, $config, $rand_ports, $first_time) = @_;
    my $name = $block->name;

    return 0 unless -f $PidFile;
    my $pid = get_pid_from_pidfile($name);
    return 0 unless $pid ne '' && is_running($pid);
    return 0 if $first_time;

    # the processes of the config in force, to wait for after the HUP
    my $old = _children_of($pid);

    setup_server_root(0);
    write_user_files($block, $rand_ports);
    write_config_file($block, $config, $rand_ports);

    warn "sending USR1 signal to $pid.\n" if $Verbose;
    kill(SIGUSR1, $pid) or do {
        warn "$name - Failed to send USR1 signal\n";
        return 0;
    };
    sleep $TestNginxSleep;
    _wait_log_reopened($name);

    warn "sending HUP signal to $pid.\n" if $Verbose;
    kill(SIGHUP, $pid) or do {
        warn "$name - Failed to send HUP signal\n";
        return 0;
    };
    sleep $TestNginxSleep * 3;

    if (defined $block->reload_fails) {
        # the old workers stay: the old config is still in force
        sleep 0.3;
    } else {
        _wait_old_workers($name, $old);
        _wait_config_version($name);
    }
    return 1;
}

# Poll the internal "Test-Nginx" server until it reports the new config
# version 20 times in a row (the real module does the same with curl).
sub _wait_config_version ($) {
    my $name = shift;
    my $total = 200;
    my $nsucc = 0;
    for my $try (1 .. $total) {
        my $ver = _simple_get('/ver', 'Test-Nginx');
        if (defined $ver && $ver eq $ConfigVersion) {
            $nsucc++;
            sleep $TestNginxSleep if $nsucc == 5;
            return if $nsucc >= 20;
            next;
        }
        $nsucc = 0;
        my $wait = ($TestNginxSleep + $TestNginxSleep * $try) * $try / 2;
        $wait = 1 if $wait > 1;
        warn "$name - waiting $wait sec for nginx to reload the "
             . "configuration\n" if $wait > 0.5;
        sleep $wait;
    }
    Test::More->builder->no_ending(1);
    Test::More::fail("$name - failed to reload configuration after $total "
                     . "failed test requests");
}

sub _simple_get ($$) {
    my ($uri, $host) = @_;
    my $sock = IO::Socket::INET->new(
        PeerAddr => $ServerAddr,
        PeerPort => $ServerPortForClient,
        Proto    => 'tcp',
        Timeout  => 2,
    ) or return undef;
    print $sock "GET $uri HTTP/1.0\r\nHost: $host\r\n\r\n";
    my $sel = IO::Select->new($sock);
    my $resp = '';
    while ($sel->can_read(2)) {
        my $n = sysread($sock, my $buf, 4096);
        last unless $n;
        $resp .= $buf;
    }
    close $sock;
    return undef unless $resp =~ m{^HTTP/\S+ 200 .*?\r\n\r\n(.*)\z}s;
    return $1;
}

sub _gen_rand_str ($) {
    my $len = shift;
    my @chars = ('A' .. 'Z', 'a' .. 'z', '0' .. '9');
    return join '', map { $chars[int rand @chars] } 1 .. $len;
}

sub run_test ($) {
    my $block = shift;

    return if defined $block->SKIP;

    my $name = $block->name;

    my $first_time = $FirstTime;
    $FirstTime = 0;

    my %rand_ports;
    my $config = expand_env_in_text($block->config, $name, \%rand_ports);

    local $LogLevel = $LogLevel;
    $LogLevel = $block->log_level if $block->log_level;

    local $UseHup = $UseHup;
    local $UseValgrind = $UseValgrind;
    my $must_die = $block->must_die;
    if (defined $must_die) {
        undef $UseHup;
        undef $UseValgrind unless $ValgrindMustDie;
    }

    my $dry_run = 0;
    my ($should_restart, $should_reconfig) = (1, 1);

    if (!defined $config) {
        if (!$NoNginxManager && !defined $PrevConfig) {
            bail_out("$name - No '--- config' section specified and could "
                     . "not get previous one. Use TEST_NGINX_NO_NGINX_MANAGER ?");
        }
        # the real module then keeps the running nginx untouched
        ($should_restart, $should_reconfig) = (0, 0);
    } elsif ($NoNginxManager) {
        Test::More::diag("NO_NGINX_MANAGER activated: config for $name ignored");
        ($should_restart, $should_reconfig) = (0, 0);
    } else {
        $should_reconfig = (!defined $PrevConfig || $config ne $PrevConfig)
                           ? 1 : 0;
        $should_restart = ($should_reconfig || $ForceRestartOnTest) ? 1 : 0;
    }

    my ($tests_to_skip, $should_skip, $skip_reason, $should_todo,
        $todo_reason) = _eval_skip_specs($block);

    if (!$NoNginxManager && !$should_skip && $should_restart) {
        $ConfigVersion = _gen_rand_str(10) if $UseHup;
        $PrevConfig = $config if $should_reconfig;

        my $reloaded = $UseHup
            && _try_hup_reload($block, $config, \%rand_ports, $first_time);

        if (!$reloaded) {
            stop_nginx($name);

            setup_server_root($first_time);
            write_user_files($block, \%rand_ports);
            write_config_file($block, $config, \%rand_ports);

            can_run($NginxBinary)
                or bail_out("$name - Cannot find the nginx executable in "
                            . "the PATH environment");

            my $cmd = _nginx_cmd();
            $ErrLogFilePos = 0;
            my $i = 0;
            my $waited = 0;

            if ($UseValgrind) {
                $cmd = _valgrind_cmd($cmd);
                warn "$name\n";    # as the real module does
            }

            while (1) {
                if ($UseValgrind && !defined $must_die) {
                    # in the foreground, so no exit status to look at
                    _start_nginx_in_background($cmd, $name);
                    last;
                }

                my ($status, $exit_code, $exec_failed, $coredump)
                    = _run_nginx_cmd($cmd, $name);

                if (defined $must_die) {
                    if ($exec_failed) {
                        Test::More::fail("$name - failed to execute the nginx "
                                         . "command line");
                    } elsif ($coredump) {
                        Test::More::fail("$name - nginx core dumped");
                    } elsif (looks_like_number($must_die)) {
                        Test::More::is($must_die, $exit_code,
                                       "$name - die with the expected exit code");
                    } else {
                        Test::More::isnt($status, 0, "$name - die as expected");
                    }

                    $CheckErrorLog->($block, undef, $dry_run, $i, 0);

                    if ($status == 0) {
                        warn "WARNING: $name - nginx must die but it does "
                             . "not; killing it (req $i)\n";
                        for (1 .. 15) {
                            last if -f $PidFile;
                            sleep $TestNginxSleep;
                        }
                        stop_nginx($name);
                    }

                    next if ++$i < $RepeatEach;
                    return;
                }

                last if $status == 0;

                if ($ENV{TEST_NGINX_IGNORE_MISSING_DIRECTIVES}
                    and my $directive = check_if_missing_directives())
                {
                    $dry_run = "the lack of directive $directive";
                    last;
                }

                # maybe the port is still taken by the previous server
                $i++;
                my $delay = 0.1 * $i;
                $delay = 1 if $delay > 1;
                sleep $delay;
                $waited += $delay;
                next if $waited < 30;
                bail_out("$name - Cannot start nginx using command "
                         . "\"$cmd\" (status code $status).");
            }

            sleep $TestNginxSleep;
        }
    }

    if (my $init = $block->init) {
        eval $init;
        bail_out("$name - init failed: $@") if $@;
    }

    $ErrLogFilePos = 0;
    for my $i (1 .. $RepeatEach) {
        write_user_files($block, \%rand_ports) if $i > 1;

        if ($should_skip && defined $tests_to_skip) {
            SKIP: {
                Test::More::skip("$name - $skip_reason", $tests_to_skip);
            }
        } elsif ($should_todo) {
            TODO: {
                Test::More::todo_skip("$name - $todo_reason", $tests_to_skip);
            }
        } else {
            $RunTestHelper->($block, $dry_run, $i - 1);
        }
    }

    if ($UseValgrind && !$UseHup && !defined $must_die) {
        _stop_nginx_in_background($name);
    }

    if (my $total_errlog = $ENV{TEST_NGINX_ERROR_LOG}) {
        if (-s $ErrLogFile) {
            open my $out, '>>', $total_errlog
                or bail_out("Failed to append test case title to "
                            . "$total_errlog: $!\n");
            print $out "\n=== $0 $name\n";
            if (open my $in, '<', $ErrLogFile) {
                local $/;
                print $out scalar <$in>;
                close $in;
            }
            close $out;
        }
    }
}

END {
    return if $InSubprocess;
    # like the real module: what a cleanup handler leaves in $? becomes
    # the test's exit status (a handler that runs system() must say
    # "local $?")
    cleanup();
    local $?;
    if (($UseValgrind || !$ENV{TEST_NGINX_NO_CLEAN})
        && defined $PidFile && -f $PidFile)
    {
        stop_nginx("END");
    }
}

1;
