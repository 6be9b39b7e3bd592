#!/usr/bin/perl
# After "make test-valgrind": reads the valgrind logs, one per nginx
# process (LOG_DIR/valgrind.<pid>.log, util/test-mode.sh), prints the
# counts and every report that fails the run, and exits 1 if there is one:
#
#   * any report (error or leak) with "ngx_http_mta_sts" in a stack: a
#     function of the module, or its .so;
#   * anywhere: an invalid read, write or free, a mismatched free, or a
#     process killed by a signal (valgrind: "Process terminating").
#
# Other reports (nginx core or a library, nothing of the module) are
# counted and listed one line each; valgrind.suppress at the top of the
# repository holds the nginx core exit-time ones that are known.  When
# LOG_DIR/pids exists (t/compat writes "<pid> <test name>" there), each
# report is shown with the test block that started that nginx.
#
#   util/check-valgrind.pl LOG_DIR

use strict;
use warnings;

my $dir = shift // die "usage: $0 LOG_DIR\n";
# a frame of the module: by name, or by a code address that nothing maps
# any more ("by 0x...: ???" with no object): the module's .so, unloaded by
# nginx at exit; the nginx binary and the libraries stay mapped
my $module_re = qr/ngx_http_mta_sts|^==\d+==\s+(?:at|by) 0x[0-9A-F]+: \?\?\?$/m;
my $hard_re = qr/^(?:Invalid (?:read|write|free)|Mismatched free|
                     Process terminating)/x;

my %block_of;
if (open my $in, '<', "$dir/pids") {
    while (<$in>) {
        chomp;
        my ($pid, $name) = split / /, $_, 2;
        $block_of{$pid} = $name;
    }
    close $in;
}

my @logs = sort glob("$dir/valgrind.*.log");
my (%kinds, @bad, @other);
my ($reports, $warnings) = (0, 0);

for my $log (@logs) {
    my ($pid) = $log =~ /valgrind\.(\d+)\.log$/;
    my $where = $block_of{$pid} // "pid $pid";

    open my $in, '<', $log or die "$log: $!\n";
    my ($cur, @recs);
    while (my $line = <$in>) {
        if ($line =~ /^==\d+== (\S.*)$/) {
            my $head = $1;
            if (!$cur) {
                $cur = { head => $head, text => $line };
                push @recs, $cur;
                next;
            }
        } elsif ($line =~ /^==\d+== ?$/) {
            undef $cur;
            next;
        } elsif (!$cur && $line =~ /^\{/ && @recs) {
            # the suppression that --gen-suppressions=all writes after
            # the report it belongs to
            $recs[-1]{supp} = $line;
            while (my $l = <$in>) {
                $recs[-1]{supp} .= $l;
                last if $l =~ /^\}/;
            }
            next;
        }
        $cur->{text} .= $line if $cur;
    }
    close $in;

    for my $r (@recs) {
        my $head = $r->{head};
        if ($head =~ /^Warning:/) {
            $warnings++;
            next;
        }
        $reports++;
        (my $kind = $head) =~ s/\d+(?:,\d+)*/N/g;
        $kind =~ s/ in loss record N of N//;
        $kinds{$kind}++;

        my $rep = { %$r, log => $log, where => $where };
        if ($r->{text} =~ $module_re || $head =~ $hard_re) {
            push @bad, $rep;
        } else {
            push @other, $rep;
        }
    }
}

for my $r (@bad) {
    print "==== $r->{where} ($r->{log})\n$r->{text}", $r->{supp} // '';
}

if (@other) {
    print "make test-valgrind: other reports (no frame in the module):\n";
    for my $r (@other) {
        my ($first) = $r->{text} =~ /^==\d+==\s+(?:at|by) 0x\w+: (\S+)/m;
        $first //= '?';
        print "    $r->{head} [$first] - $r->{where}\n";
    }
}

print "make test-valgrind: ", scalar(@logs), " valgrind log(s) in $dir,",
      " $reports report(s)", ($warnings ? ", $warnings warning(s)" : ""),
      "\n";
for my $k (sort keys %kinds) {
    print "make test-valgrind:   $kinds{$k} x $k\n";
}
print "make test-valgrind: reports that fail the run (the module's, or ",
      "invalid accesses): ", scalar(@bad), "\n";
print @bad ? "make test-valgrind: FAIL, reports above\n"
           : "make test-valgrind: no report of the module, no invalid access\n";

exit(@bad ? 1 : 0);
