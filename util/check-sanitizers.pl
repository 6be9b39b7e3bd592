#!/usr/bin/perl
# After "make test-asan": reads the sanitizer reports that the nginx
# processes wrote (util/nginx-asan.sh: ASan and LeakSanitizer to
# LOG_DIR/asan.<pid>, UBSan to LOG_DIR/ubsan.<pid>), prints the counts and
# every report that counts, and exits 1 if there is one:
#
#   * any AddressSanitizer error (overflow, use after free, SEGV, ...);
#   * any UBSan runtime error (only the module is built with UBSan);
#   * any LeakSanitizer leak with a frame in the module (a function
#     ngx_http_mta_sts_* or the module's .so);
#   * a LeakSanitizer that could not run.
#
# Leaks with no frame in the module are nginx core's exit-time allocations
# (cycle->connections, ->read_events, ->write_events, allocated in the
# static ngx_event_process_init() and never freed).  Debian's nginx has no
# symbols for its static functions, so lsan.suppress cannot name them
# without also hiding every leak of a request (all of them run under
# ngx_single_process_cycle()): they are counted here instead, and shown
# with MTA_STS_SHOW_CORE_LEAKS=1.
#
#   util/check-sanitizers.pl LOG_DIR

use strict;
use warnings;

my $dir = shift // die "usage: $0 LOG_DIR\n";
# a frame of the module: by name, or in code that nothing maps any more
# ("(<unknown module>)"): the module's .so, unloaded by nginx at exit
# (test-mode.sh links it -z nodelete so that this does not happen); the
# nginx binary and the libraries stay mapped
my $module_re = qr/ngx_http_mta_sts|\(<unknown module>\)/;

my ($files, $asan, $ubsan, $leaks_module, $leaks_core, $fatal) = (0) x 6;
my @shown;

for my $f (sort glob("$dir/asan.* $dir/ubsan.*")) {
    next unless -s $f;
    $files++;
    open my $in, '<', $f or die "$f: $!\n";
    my $text = do { local $/; <$in> };
    close $in;

    my $show = 0;

    my $a = () = $text =~ /^==\d+==ERROR: AddressSanitizer/mg;
    my $u = () = $text =~ /runtime error:/g;
    my $x = () = $text =~ /LeakSanitizer has encountered a fatal error/g;
    $asan += $a;
    $ubsan += $u;
    $fatal += $x;
    $show = 1 if $a || $u || $x;

    # "Direct leak of ..." / "Indirect leak of ..." up to the blank line
    while ($text =~ /^((?:Direct|Indirect) leak of .*?)(?:\n\n|\z)/msg) {
        if ($1 =~ $module_re) {
            $leaks_module++;
            $show = 1;
        } else {
            $leaks_core++;
        }
    }

    push @shown, $f if $show || $ENV{MTA_STS_SHOW_CORE_LEAKS};
}

for my $f (@shown) {
    print "==== $f\n";
    open my $in, '<', $f or die "$f: $!\n";
    print while <$in>;
    close $in;
}

my $bad = $asan + $ubsan + $leaks_module + $fatal;

print "make test-asan: sanitizer logs: $files file(s) in $dir\n",
      "make test-asan: AddressSanitizer errors: $asan, UBSan runtime errors:",
      " $ubsan, leaks in the module: $leaks_module",
      ($fatal ? ", LeakSanitizer failures: $fatal" : ""), "\n",
      "make test-asan: nginx core exit-time leaks (not counted): $leaks_core\n",
      $bad ? "make test-asan: FAIL, sanitizer reports above\n"
           : "make test-asan: no sanitizer report\n";

exit($bad ? 1 : 0);
