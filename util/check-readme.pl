#!/usr/bin/perl
# README.md as a newcomer follows it: what its blocks say is checked here,
# each block by the marker in the HTML comment on the line before it:
#
#   <!-- check: CONTEXT[, from FILE][, after the block above] -->
#   ```nginx
#
# CONTEXT is where the text puts the block; it gets "nginx -t" there:
#   nginx.conf   a whole file, as it is
#   main         the top of nginx.conf (an "events {}" is added after it)
#   http         inside "http {}"
#   server       inside the "server {}" of a policy (listen 443 ssl,
#                mta-sts.example.com, a certificate, mta_sts_mode enforce)
# "from FILE": the block is FILE's text, but for blank lines, lines that
# are only a comment, and indentation; else the first line that differs
# is named.  "after the block above": the previous nginx block comes first,
# in "http {}" (a zone that a location uses).  Every nginx block needs a
# marker.  nginx -t must succeed and say no [warn] but those about what a
# certificate holds (the certificates are throwaway ones).
#
# In the copy nginx -t reads, in DIR/conf/:
#   - a load_module of ngx_http_mta_sts_module.so loads the built MODULE
#     (else -g "load_module MODULE;" does);
#   - "ssl_certificate FILE": a relative FILE is made where nginx looks for
#     it, relative to the folder of nginx.conf (/etc/nginx/ on Debian):
#     t/cert/make-certs.sh's leaf for mta-sts.example.com and example.com
#     with its intermediate (and its key for ssl_certificate_key); an
#     absolute one is replaced by such a file in DIR/conf/;
#   - /var/log/nginx/ becomes DIR/logs/ (nginx -t opens the logs);
#   - "key=FILE" of "mta_sts_dns_update" is a throwaway TSIG key made in
#     DIR/conf/ (as tsig-keygen prints one), an absolute FILE moved there;
#   - the absolute directory D of "mta_sts_tlsrpt D" becomes DIR/reports/D,
#     made writable by any user (nginx -t checks the workers' user can).
#
#   <!-- check: packages MODE -->      (a ```sh block)
# The packages of its "apt-get install" are those util/deps.sh installs for
# MODE ("run": util/deps.sh without one), neither more nor fewer.
#
#   <!-- check: demo[, printed by make run] -->      (a ```sh block)
# A command for make run's nginx, followed by a ``` block with what it
# prints.  "util/check-readme.pl demo [LOG]" (util/check-run.sh, while make
# run runs) runs each in the repository's folder and compares its output,
# CRs removed, with that block; "printed by make run": LOG has the command
# as one line.  Without "demo", each demo block is only checked to have its
# output block and to be shell syntax (sh -n).
#
#   <!-- check: printed by make run -->      (a ``` block)
# Each of its lines is in LOG, within a line of make run's output (the
# process ids of nginx's log lines left out).
#
#   util/check-readme.pl NGINX MODULE DIR
#   util/check-readme.pl demo [LOG]

use strict;
use warnings;
use Cwd qw(getcwd);

my $readme = 'README.md';
my ($n, $failed) = (0, 0);

sub ok {
    my ($ok, $name, @diag) = @_;
    $n++;
    if ($ok) {
        print "ok $n - $name\n";
    } else {
        $failed++;
        print "not ok $n - $name\n";
        print map { "#   $_\n" } map { split /\n/ } @diag;
    }
}

# the fenced blocks: { lang, line (of the opening fence), text, marker }
sub blocks {
    open my $fh, '<', $readme or die "$readme: $!\n";
    my @lines = <$fh>;
    close $fh;
    my (@blocks, $cur, $prev);
    for my $i (0 .. $#lines) {
        my $l = $lines[$i];
        if ($cur) {
            if ($l =~ /^```\s*$/) {
                push @blocks, $cur;
                $cur = undef;
                $prev = $l;
            } else {
                $cur->{text} .= $l;
            }
            next;
        }
        if ($l =~ /^```(\S*)\s*$/) {
            $cur = { lang => $1, line => $i + 1, text => '' };
            $cur->{marker} = $1
                if defined $prev && $prev =~ /^<!-- check: (.*?) -->\s*$/;
            next;
        }
        $prev = $l if $l =~ /\S/;
    }
    die "$readme: a block opened at line $cur->{line} is not closed\n"
        if $cur;
    return @blocks;
}

sub slurp {
    my ($f) = @_;
    open my $fh, '<', $f or return undef;
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($f, $text) = @_;
    open my $fh, '>', $f or die "$f: $!\n";
    print $fh $text;
    close $fh or die "$f: $!\n";
}

# a shell command's lines as one: "\" and the newline and the indent go
sub one_line {
    my ($cmd) = @_;
    $cmd =~ s/\s*\\\n\s*/ /g;
    $cmd =~ s/\s+$//;
    return $cmd;
}

# lines that say something: no blank or comment-only line, no indentation
sub meaningful {
    return grep { $_ ne '' && !/^#/ } map { s/^\s+|\s+$//gr } split /\n/,
        $_[0];
}

# "from FILE": '' when the block is FILE's text, else what differs
sub differs {
    my ($block, $file) = @_;
    my $text = slurp($file);
    return "$file: cannot read it" unless defined $text;
    my @b = meaningful($block);
    my @f = meaningful($text);
    my ($best, $at) = (-1, 0);
    for my $s (0 .. $#f) {
        my $k = 0;
        $k++ while $k < @b && $s + $k < @f && $b[$k] eq $f[$s + $k];
        return '' if $k == @b;
        ($best, $at) = ($k, $s) if $k > $best;
    }
    return "$file has no line \"$b[0]\"" if $best <= 0;
    my $got = $f[$at + $best] // '(its end)';
    return "the block's line \"$b[$best]\" is, in $file, \"$got\"";
}

sub nginx_blocks {
    my ($nginx, $module, $dir, @blocks) = @_;

    $dir = getcwd() . "/$dir" unless $dir =~ m{^/};

    system('rm', '-rf', $dir) == 0 or die "rm $dir\n";
    mkdir $dir or die "$dir: $!\n";
    mkdir "$dir/$_" or die "$dir/$_: $!\n" for qw(conf logs);
    system('sh', 't/cert/make-certs.sh', "$dir/cert") == 0
        or die "t/cert/make-certs.sh failed\n";
    my ($crt, $key) = (slurp("$dir/cert/san.crt"), slurp("$dir/cert/ec.key"));

    my $prev;
    for my $b (@blocks) {
        next unless $b->{lang} eq 'nginx';
        my $where = "README.md:$b->{line}";
        my $m = $b->{marker};
        unless (defined $m) {
            ok(0, "$where: nginx block has a check marker",
               "put <!-- check: CONTEXT --> on the line before it",
               "(util/check-readme.pl says which)");
            $prev = $b;
            next;
        }
        my ($context, @opts) = split /\s*,\s*/, $m;
        my $text = $b->{text};
        my $name = "$where: nginx -t, in $context";

        my ($from) = map { /^from (\S+)$/ ? $1 : () } @opts;
        my $after = grep { $_ eq 'after the block above' } @opts;
        my @unknown = grep { !/^from \S+$/ && $_ ne 'after the block above' }
                      @opts;
        if (@unknown || $context !~ /^(nginx\.conf|main|http|server)$/) {
            ok(0, "$where: marker \"$m\" is one util/check-readme.pl knows");
            $prev = $b;
            next;
        }

        if (defined $from) {
            my $d = differs($text, $from);
            ok($d eq '', "$where: the block is $from\'s text", $d);
        }

        my $pre = '';
        if ($after) {
            $pre = $prev ? $prev->{text} : '';
            $name .= ", after README.md:$prev->{line}" if $prev;
        }

        my $conf;
        if ($context eq 'nginx.conf') {
            $conf = $text;
        } elsif ($context eq 'main') {
            $conf = "$text\nevents {}\n";
        } elsif ($context eq 'http') {
            $conf = "events {}\nhttp {\n$pre$text}\n";
        } else {
            $conf = "events {}\nhttp {\n$pre"
                  . "server {\n"
                  . "    listen  443 ssl;\n"
                  . "    server_name  mta-sts.example.com;\n"
                  . "    ssl_certificate      policy.crt;\n"
                  . "    ssl_certificate_key  policy.key;\n"
                  . "    mta_sts_mode  enforce;\n"
                  . "    mta_sts_mx    mail.example.com;\n"
                  . "$text}\n}\n";
        }

        my @g;
        unless ($conf =~ s{^(\s*load_module\s+)\S*ngx_http_mta_sts_module\.so;}
                          {$1$module;}mg)
        {
            @g = ('-g', "load_module $module;");
        }

        my $i = 0;
        $conf =~ s{^(\s*ssl_certificate(_key)?\s+)(\S+?);}{
            my ($lead, $is_key, $path) = ($1, $2, $3);
            if ($path =~ m{^/}) {
                $path = "$dir/conf/" . ++$i . '-' . ($path =~ s{.*/}{}r);
            }
            my $f = $path =~ m{^/} ? $path : "$dir/conf/$path";
            (my $sub = $f) =~ s{/[^/]*$}{};
            system('mkdir', '-p', $sub);
            spew($f, $is_key ? $key : $crt);
            "$lead$path;"
        }mge;
        $conf =~ s{/var/log/nginx/}{$dir/logs/}g;
        # a TSIG key file where the directive names one
        $conf =~ s{^(\s*mta_sts_dns_update\s[^;]*?key=)(\S+?)([\s;])}{
            my ($lead, $path, $end) = ($1, $2, $3);
            $path = "$dir/conf/" . ($path =~ s{.*/}{}r);
            spew($path, "key \"mta-sts-nginx.example.com\" {\n"
                        . "\talgorithm hmac-sha256;\n\tsecret "
                        . "\"c2VjcmV0IG9mIHRoZSByZWFkbWUncyBrZXkgISE=\";\n};\n");
            "$lead$path$end"
        }mge;
        # a report directory is made, writable by any worker user (nginx
        # -t checks that it is), as the admin is told to make it
        $conf =~ s{^(\s*mta_sts_tlsrpt\s+)(/[^;\s]+);}{
            my ($lead, $d) = ($1, "$dir/reports$2");
            system('mkdir', '-p', $d) == 0 && chmod(01777, $d)
                or die "$d: $!\n";
            "$lead$d;"
        }mge;

        my $file = "conf/readme-$b->{line}.conf";
        spew("$dir/$file", $conf);

        my $out = `'$nginx' -t -p '$dir/' -c '$file' -e stderr @{[
                      map { "'$_'" } @g ]} 2>&1`;
        my $rc = $?;
        my @warn = grep { /\[warn\]/ && !/\[warn\] .*certificate "/ }
                   split /\n/, $out;
        ok($rc == 0 && !@warn, $name,
           ($rc == 0 ? () : "nginx -t failed:"), $out,
           "the file: $dir/$file");
        $prev = $b;
    }
}

sub packages {
    my (@blocks) = @_;
    for my $b (@blocks) {
        next unless ($b->{marker} // '') =~ /^packages (\S+)$/;
        my $mode = $1;
        my $where = "README.md:$b->{line}";
        my ($line) = grep { /apt-get install / } split /\n/,
                     one_line($b->{text});
        my %readme = map { $_ => 1 } grep { !/^-/ }
                     split ' ', ($line // '') =~ s/.*apt-get install //r;
        my $list = `DEPS_LIST=1 sh util/deps.sh @{[
                       $mode eq 'run' ? '' : $mode ]}`;
        my %deps = map { $_ => 1 } split ' ', $list;
        my @missing = grep { !$readme{$_} } sort keys %deps;
        my @extra = grep { !$deps{$_} } sort keys %readme;
        ok(%deps && !@missing && !@extra,
           "$where: the packages are util/deps.sh ${mode}'s",
           (@missing ? "not in the README: @missing" : ()),
           (@extra ? "not in util/deps.sh $mode: @extra" : ()));
    }
}

# [ { line, cmd, expect, printed } ] of the demo blocks
sub demos {
    my (@blocks) = @_;
    my @demos;
    for my $i (0 .. $#blocks) {
        my $b = $blocks[$i];
        next unless ($b->{marker} // '') =~ /^demo(,\s*(.*))?$/;
        my $printed = ($2 // '') eq 'printed by make run';
        my $out = $blocks[$i + 1];
        push @demos, {
            line => $b->{line}, cmd => $b->{text}, printed => $printed,
            expect => ($out && $out->{lang} eq '' && !defined $out->{marker})
                      ? $out->{text} : undef,
        };
    }
    return @demos;
}

sub demo_outputs {
    for my $d (@_) {
        ok(defined $d->{expect},
           "README.md:$d->{line}: the demo command is followed by its output",
           'a ``` block, without a language, right after it');
        local $ENV{DEMO} = $d->{cmd};
        my $out = `sh -n -c "\$DEMO" 2>&1`;
        ok($? == 0, "README.md:$d->{line}: the demo command is shell syntax",
           $out);
    }
}

sub run_demos {
    my ($log, $blocks, @demos) = @_;
    my $printed = defined $log ? slurp($log) // '' : '';

    # nginx's log lines: "[notice] 1234#1234: ..." shown as "[notice] ..."
    (my $said = $printed) =~ s/^(.*?\[\w+\]) \d+#\d+: /$1 /mg;

    # what make run prints, as the README shows it, each line within one
    for my $b (@$blocks) {
        next unless $b->{lang} eq ''
                    && ($b->{marker} // '') eq 'printed by make run';
        my @missing = grep { index($said, $_) < 0 } split /\n/, $b->{text};
        ok(!@missing, "README.md:$b->{line}: make run prints it",
           "not printed:", @missing);
    }

    for my $d (@demos) {
        my $where = "README.md:$d->{line}";
        my $cmd = one_line($d->{cmd});
        if ($d->{printed}) {
            ok(index($printed, "    $cmd\n") >= 0,
               "$where: make run prints the command as the README gives it",
               "README: $cmd", "make run printed:", $printed);
        }
        next unless defined $d->{expect};
        local $ENV{DEMO} = $d->{cmd};
        my $got = `timeout 30 sh -c "\$DEMO" 2>&1` // '';
        $got =~ s/\r//g;
        my $short = $d->{cmd} =~ s/\n.*//sr;
        $short = substr($short, 0, 40) . '...' if length $short > 43;
        ok($got eq $d->{expect}, "$where: $short answers as the README shows",
           "the command: $cmd", "README:", $d->{expect}, "got:", $got);
    }
}

my @blocks = blocks();

if (@ARGV && $ARGV[0] eq 'demo') {
    my @demos = demos(@blocks);
    run_demos($ARGV[1], \@blocks, @demos);
    ok(@demos > 0, "the README has demo commands");
    print "readme demo: ${\($n - $failed)} passed, $failed failed\n";
    exit($failed ? 1 : 0);
}

@ARGV == 3 or die "usage: util/check-readme.pl NGINX MODULE DIR\n"
                . "       util/check-readme.pl demo [LOG]\n";

nginx_blocks(@ARGV, @blocks);
packages(@blocks);
demo_outputs(demos(@blocks));

print "readme: ${\($n - $failed)} passed, $failed failed\n";
exit($failed ? 1 : 0);
