# The TXT record of each static policy host (RFC 8461, section 3.1), said
# at notice by "nginx -t" and at start, and on a reload the ids that
# changed (section 8.1), that are new, or whose policy is gone (section
# 8.3).  Plain Test::More: a reload within one test needs an nginx that
# this file starts and signals itself, on a free port of 127.0.0.1.

use strict;
use warnings;

use Test::More;
use lib "t/lib";
use PlainNginx;

my $nginx = nginx_binary();
my $load = load_modules();
my $dir = work_dir("txt");
my $port = free_port();

sub write_conf {
    my ($http) = @_;

    open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
    print $fh "${load}pid logs/nginx.pid;\nerror_log logs/error.log notice;\n"
              . "events {}\nhttp {\n    mta_sts_check_listener off;\n"
              . "$http\n}\n";
    close $fh;
}

sub nginx_t {
    write_conf(@_);

    my $out = `$nginx -t -p $dir/ -c conf/nginx.conf -e stderr 2>&1`;

    diag($out) if $ENV{TEST_VERBOSE};

    return ($? >> 8, $out);
}

sub server {
    my ($names, $mx, $mode) = @_;

    $mode //= "enforce";

    return "    server { listen 127.0.0.1:$port; server_name $names; "
           . "mta_sts_mode $mode; mta_sts_mx $mx; }\n";
}

my $rec = qr/publish _mta-sts\.(\S+)\. TXT "v=STSv1; id=([0-9a-f]{32})"/;

# "nginx -t": every record, up to 10

my ($rc, $out) = nginx_t(server("mta-sts.a.example mta-sts.b.example.",
                                "mx.example.com")
                         . server("mta-sts.c.example", "mx.example.net",
                                  "testing"));

is($rc, 0, "nginx -t - succeeds");

my %id = $out =~ /\[notice\] .*?MTA-STS policy of "[^"]+": $rec \(RFC 8461, section 3\.1\)$/mg;

is_deeply([sort keys %id], ["a.example", "b.example", "c.example"],
          "nginx -t - a record for each policy host, a trailing dot dropped");
is($id{"a.example"}, $id{"b.example"}, "nginx -t - one policy, one id");
isnt($id{"a.example"}, $id{"c.example"}, "nginx -t - another policy, another id");

# a domain named by two servers: the first one serves it, its id is said

($rc, $out) = nginx_t(server("mta-sts.a.example", "mx.example.com")
                      . server("mta-sts.a.example", "mx.example.net"));

my @ids = $out =~ /$rec/g;

is(scalar @ids, 2, "a domain in two servers - said once");
is($ids[1], $id{"a.example"}, "a domain in two servers - the first server's id");

# more than 10: one line, and the way to list them

my $many = join "", map { server("mta-sts.d$_.example", "mx.example.com") }
                        1 .. 11;

($rc, $out) = nginx_t($many);

like($out, qr/\[notice\] .*?11 MTA-STS policy hosts, each needs its TXT record; "mta_sts_txt_log all" lists them$/m,
     "11 policy hosts - one line says how many");
unlike($out, $rec, "11 policy hosts - no record listed");

($rc, $out) = nginx_t("    mta_sts_txt_log all;\n" . $many);

@ids = $out =~ /$rec/g;

is(scalar @ids, 22, "mta_sts_txt_log all - 11 records");

($rc, $out) = nginx_t("    mta_sts_txt_log off;\n"
                      . server("mta-sts.a.example", "mx.example.com"));

unlike($out, qr/MTA-STS policy/, "mta_sts_txt_log off - nothing said");

# policies with variables are not known before a request

($rc, $out) = nginx_t("    map \$host \$mx { default mx.example.com; }\n"
                      . server("mta-sts.v.example", "\$mx"));

is($rc, 0, "a policy with variables - nginx -t succeeds");
unlike($out, qr/MTA-STS policy/, "a policy with variables - no record");

($rc, $out) = nginx_t("    mta_sts_txt_log some;\n");

isnt($rc, 0, "mta_sts_txt_log some - nginx -t fails");
like($out, qr/\[emerg\] .*?invalid value "some" in \S+\/nginx\.conf:\d+$/m,
     "mta_sts_txt_log some - the invalid value is named");

# a running nginx, reloaded: one line per domain whose id changed, is new,
# or is gone; nothing for the others

write_conf(server("mta-sts.a.example mta-sts.b.example", "mx.example.com")
           . server("mta-sts.c.example", "mx.example.net", "testing"));

my $pid = start_nginx($dir);

ok($pid, "nginx started");

sub reload {
    my ($http) = @_;

    write_conf($http);

    return reload_nginx($dir, $pid);
}

my $log = reload(server("mta-sts.a.example mta-sts.b.example",
                        "mx.example.com")
                 . server("mta-sts.c.example", "mx.example.org")
                 . server("mta-sts.e.example", "mx.example.net", "testing"));

like($log, qr/\[notice\] .*?MTA-STS policy of "c\.example" changed: publish _mta-sts\.c\.example\. TXT "v=STSv1; id=[0-9a-f]{32}" now, it was id=$id{"c.example"} \(RFC 8461, section 8\.1\)$/m,
     "reload - a changed id, with the old one");
like($log, qr/\[notice\] .*?MTA-STS policy of "e\.example" is new: publish _mta-sts\.e\.example\. TXT "v=STSv1; id=$id{"c.example"}" \(RFC 8461, section 3\.1\)$/m,
     "reload - a new domain, with its record");
unlike($log, qr/"[ab]\.example"/, "reload - nothing for unchanged ids");

$log = reload(server("mta-sts.a.example", "mx.example.com")
              . server("mta-sts.c.example", "mx.example.org")
              . server("mta-sts.e.example", "mx.example.net", "testing"));

like($log, qr/\[notice\] .*?MTA-STS policy of "b\.example" is no longer served here, senders keep it until its max_age ends \(RFC 8461, section 8\.3\)$/m,
     "reload - a domain gone");
unlike($log, qr/"[ace]\.example"/, "reload - nothing else");

$log = reload(server("mta-sts.a.example", "mx.example.com"));

is(() = $log =~ /no longer served/g, 2, "reload - two domains gone, two lines");

$log = reload("    mta_sts_txt_log off;\n"
              . server("mta-sts.a.example", "mx.example.net"));

unlike($log, qr/MTA-STS policy/, "reload, mta_sts_txt_log off - nothing said");

$log = reload(server("mta-sts.a.example", "mx.example.com")
              . server("mta-sts.f.example", "mx.example.com"));

like($log, qr/MTA-STS policy of "f\.example": $rec/,
     "reload after a configuration without ids - the records, as at start");

unlike($log, qr/\[emerg\]|\[alert\]|\[crit\]/, "reloads - nothing worse");

ok(stop_nginx($pid), "nginx stopped");

done_testing();
