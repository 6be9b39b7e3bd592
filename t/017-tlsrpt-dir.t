# What "nginx -t" and a reload say about the directory of mta_sts_tlsrpt
# before any report is lost (RFC 8460, section 5.5: a sender retries a
# failed report, then drops it): missing, not a directory, or one the
# workers' user cannot create files in, at warn; the temp files on
# another file system (each report copied), at notice.  Never more than
# a warning.  Plain Test::More: the workers' user must differ from the
# master's (root) here, which the Test::Nginx files cannot set, and a
# reload within one test needs an nginx that this file starts itself.

use strict;
use warnings;

use Test::More;
use File::Temp qw(tempdir);
use lib "t/lib";
use PlainNginx;

plan skip_all => "as root only: the workers run as another user" if $> != 0;

my $nginx = nginx_binary();
my $load = load_modules();

# the receiver's line: 11 after one load_module line, one less in nginx
# built with the module inside (no load_module line)
my $line = 10 + (() = load_modules() =~ /^load_module/mg);
my $dir = work_dir("tlsrpt-dir");
my $port = free_port();

# the workers' user must reach the directories in the test's own
chmod 0755, $dir or die "$dir: $!\n";

my $nobody = getpwnam("nobody") // die "no user nobody\n";

sub write_conf {
    my ($main, $http, $post) = @_;

    $post //= "";

    open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
    print $fh "${load}pid logs/nginx.pid;\nerror_log logs/error.log notice;\n"
              . "$main\nevents {}\nhttp {\n    server {\n"
              . "        listen 127.0.0.1:$port;\n"
              . "        client_body_temp_path $dir/body;\n$http    }\n}\n$post";
    close $fh;
}

# "nginx -t" (with -q, as Debian's nginx.service runs it, when asked): its
# exit status and what it printed

sub nginx_t {
    my ($main, $http, @flags) = @_;

    # "after:" - the main directives after the http block
    if ($main =~ s/^after://) {
        write_conf("", $http, $main);

    } else {
        write_conf($main, $http);
    }

    my $out = `$nginx -t @flags -p $dir/ -c conf/nginx.conf -e stderr 2>&1`;

    diag($out) if $ENV{TEST_VERBOSE};

    return ($? >> 8, $out);
}

sub receiver {
    my ($path, $extra) = @_;

    $extra //= "";

    return "        location = /.well-known/tlsrpt {\n$extra"
           . "            mta_sts_tlsrpt $path;\n        }\n";
}

my $lost = qr/TLS reports will be answered 500 and lost when senders stop retrying \(RFC 8460, section 5\.5\)/;

# a root-owned directory, workers as nobody: the usual first mistake

mkdir "$dir/reports" or die "$!\n";

my ($rc, $out) = nginx_t("user nobody nogroup;", receiver("$dir/reports"), "-q");

is($rc, 0, "root-owned, user nobody - nginx -t succeeds");
like($out, qr/\[warn\] .*?user "nobody" cannot create files in directory "\Q$dir\E\/reports" of "mta_sts_tlsrpt" \(13: Permission denied\), $lost; give it to the user: "chown nobody \Q$dir\E\/reports" in \S+\/nginx\.conf:$line$/m,
     "root-owned, user nobody - a warning with the user and the chown, even with -q");
unlike($out, qr/\[emerg\]/, "root-owned, user nobody - nothing worse");

# nginx's default user when the master is root and "user" is not set

($rc, $out) = nginx_t("", receiver("$dir/reports"));

like($out, qr/\[warn\] .*?user "nobody" cannot create files in directory "\Q$dir\E\/reports"/,
     "no user directive - nginx's default user is named");

# one process, which never becomes the user (master_process off)

($rc, $out) = nginx_t("user nobody nogroup;\nmaster_process off;",
                      receiver("$dir/reports"));

unlike($out, qr/\[warn\].*mta_sts_tlsrpt/,
       "master_process off - the process stays root, nothing said");

# "user" after the http block counts as well

($rc, $out) = nginx_t("after:user root;\n", receiver("$dir/reports"));

unlike($out, qr/\[warn\]/, "user root after the http block - no warning");

# given to the user: nothing to say

chown $nobody, -1, "$dir/reports" or die "$!\n";

($rc, $out) = nginx_t("user nobody nogroup;", receiver("$dir/reports"));

is($rc, 0, "owned by nobody - nginx -t succeeds");
unlike($out, qr/\[warn\]|mta_sts_tlsrpt/, "owned by nobody - nothing said");

# a group the user is in: the kernel's answer, not the owner's

chown 0, scalar(getgrnam("nogroup")), "$dir/reports" or die "$!\n";
chmod 0770, "$dir/reports" or die "$!\n";

($rc, $out) = nginx_t("user nobody nogroup;", receiver("$dir/reports"));

unlike($out, qr/\[warn\]/, "writable by the workers' group - nothing said");

chmod 0755, "$dir/reports" or die "$!\n";

($rc, $out) = nginx_t("user root;", receiver("$dir/reports"));

unlike($out, qr/\[warn\]/, "root-owned, user root - nothing said");

# missing

($rc, $out) = nginx_t("user nobody nogroup;", receiver("$dir/missing"));

is($rc, 0, "missing - nginx -t succeeds");
like($out, qr/\[warn\] .*?directory "\Q$dir\E\/missing" of "mta_sts_tlsrpt" does not exist, $lost; create it: "mkdir \Q$dir\E\/missing && chown nobody \Q$dir\E\/missing" in \S+\/nginx\.conf:$line$/m,
     "missing - a warning with mkdir and chown");

($rc, $out) = nginx_t("user root;", receiver("$dir/missing"));

like($out, qr/does not exist, $lost; create it: "mkdir \Q$dir\E\/missing" in /,
     "missing, workers as root - mkdir only");

# relative to the prefix, as the directive reads it

($rc, $out) = nginx_t("user nobody nogroup;", receiver("html/missing"));

like($out, qr/directory "\Q$dir\E\/html\/missing" of "mta_sts_tlsrpt" does not exist/,
     "missing, a relative name - the full name is said");

# a file instead of a directory

open my $fh, ">", "$dir/file" or die "$!\n";
close $fh;

($rc, $out) = nginx_t("user nobody nogroup;", receiver("$dir/file"));

is($rc, 0, "a file - nginx -t succeeds");
like($out, qr/\[warn\] .*?"\Q$dir\E\/file" of "mta_sts_tlsrpt" is not a directory, $lost; move it away and create the directory: "mkdir \Q$dir\E\/file && chown nobody \Q$dir\E\/file" in \S+\/nginx\.conf:$line$/m,
     "a file - a warning");

# two receivers, one directory: said once

($rc, $out) = nginx_t("user nobody nogroup;",
                      receiver("$dir/missing")
                      . "        location /other {\n"
                      . "            mta_sts_tlsrpt $dir/missing/;\n"
                      . "        }\n");

is(() = $out =~ /does not exist/g, 1, "one directory, two receivers - said once");

# the temp files on another file system: each report is copied (EXDEV)

SKIP: {
    skip "/dev/shm is on the test directory's file system", 2
        if (stat "/dev/shm")[0] == (stat $dir)[0];

    # a folder of this run's own: runs side by side share /dev/shm, and
    # pids of two PID namespaces (CI's Debian roots) can be the same
    my $body = tempdir("mta-sts-tlsrpt-dir-XXXXXX", DIR => "/dev/shm",
                       CLEANUP => 1) . "/body";

    chown $nobody, -1, "$dir/reports" or die "$!\n";

    ($rc, $out) = nginx_t("user nobody nogroup;",
                          receiver("$dir/reports",
                                   "            client_body_temp_path $body;\n"));

    like($out, qr/\[notice\] .*?"client_body_temp_path" "\Q$body\E" is on another file system than directory "\Q$dir\E\/reports" of "mta_sts_tlsrpt": each TLS report is copied, not linked into place; put both on one file system in \S+\/nginx\.conf:@{[$line + 1]}$/m,
         "temp files on another file system - a notice");
    unlike($out, qr/\[warn\]/, "temp files on another file system - no warning");
}

($rc, $out) = nginx_t("user nobody nogroup;", receiver("$dir/reports"));

unlike($out, qr/another file system/, "temp files on the same file system - nothing said");

# a reload says it too, in the running nginx's error log

mkdir "$dir/live" or die "$!\n";
chown $nobody, -1, "$dir/live" or die "$!\n";

write_conf("user nobody nogroup;", receiver("$dir/live"));

my $pid = start_nginx($dir);

ok($pid, "nginx started");

rmdir "$dir/live" or die "$!\n";

my $log = reload_nginx($dir, $pid);

like($log, qr/\[warn\] .*?directory "\Q$dir\E\/live" of "mta_sts_tlsrpt" does not exist, $lost; create it: "mkdir \Q$dir\E\/live && chown nobody \Q$dir\E\/live" in \S+\/nginx\.conf:$line$/m,
     "reload - the missing directory is said");
like($log, qr/start worker process/, "reload - the new workers start");
unlike($log, qr/\[emerg\]|\[alert\]|\[crit\]/, "reload - nothing worse");

ok(stop_nginx($pid), "nginx stopped");

done_testing();
