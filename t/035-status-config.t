# What "nginx -t" says about mta_sts_status and mta_sts_status_zone: each
# configuration error with its message and its place.

use strict;
use warnings;

use Test::More;
use lib "t/lib";
use PlainNginx;

my $nginx = nginx_binary();
my $load = load_modules();
my $dir = work_dir("status-config");

sub nginx_t {
    my ($http) = @_;

    open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
    print $fh "${load}events {}\nhttp {\n$http\n}\n";
    close $fh;

    my $out = `$nginx -t -p $dir/ -c conf/nginx.conf -e stderr 2>&1`;

    return ($? >> 8, $out);
}

sub location {
    return "    server {\n        listen 127.0.0.1:8080;\n"
         . "        location = /status {\n$_[0]        }\n    }\n";
}

my ($rc, $out) = nginx_t(location("            mta_sts_status xml;\n"));
isnt($rc, 0, "an unknown format - nginx -t fails");
like($out, qr/\[emerg\] \S+ invalid format "xml" in "mta_sts_status", it must be "prometheus", "json" or "html" in \S+\/nginx\.conf:\d+$/m,
     "an unknown format - the formats named");

($rc, $out) = nginx_t(location("            mta_sts_status;\n"
                               . "            mta_sts_status json;\n"));
like($out, qr/\[emerg\] \S+ "mta_sts_status" directive is duplicate in \S+\/nginx\.conf:\d+$/m,
     "mta_sts_status twice - duplicate");

($rc, $out) = nginx_t("    mta_sts_status_zone s 4k;\n");
like($out, qr/\[emerg\] \S+ invalid zone size "4k" in "mta_sts_status_zone", it must be at least \d+ in \S+\/nginx\.conf:\d+$/m,
     "a zone too small");

($rc, $out) = nginx_t("    mta_sts_status_zone s 1x;\n");
like($out, qr/\[emerg\] \S+ invalid zone size "1x" in "mta_sts_status_zone"/m,
     "a size that is none");

($rc, $out) = nginx_t("    mta_sts_status_zone s 1m;\n"
                      . "    mta_sts_status_zone t 1m;\n");
like($out, qr/\[emerg\] \S+ "mta_sts_status_zone" directive is duplicate in \S+\/nginx\.conf:\d+$/m,
     "two zones - duplicate");

($rc, $out) = nginx_t("    mta_sts_status_zone s 1m;\n"
                      . "    limit_req_zone \$binary_remote_addr zone=s:1m "
                      . "rate=1r/s;\n");
isnt($rc, 0, "a zone name another module uses - nginx -t fails");
like($out, qr/\[emerg\] \S+ .*"s"/m, "a zone name another module uses - said");

($rc, $out) = nginx_t("    mta_sts_status_zone s 1m;\n"
                      . location("            mta_sts_status;\n"));
is($rc, 0, "a zone and a location - nginx -t succeeds") or diag($out);
unlike($out, qr/\[warn\]|\[emerg\]/, "a zone and a location - nothing said");

($rc, $out) = nginx_t(location("            mta_sts_status html;\n"));
is($rc, 0, "a location alone: the default zone") or diag($out);

done_testing();
