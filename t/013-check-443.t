# "nginx -t" on servers that listen on port 443 (RFC 8461, section 3.3:
# senders fetch the policy over HTTPS on port 443).  "nginx -t" opens no
# socket, so port 443 is tested here without binding it on a shared host;
# t/012-check.t starts nginx on free ports for everything else.  Plain
# Test::More: the same with Test::Nginx or t/compat.

use strict;
use warnings;

use Test::More;
use lib "t/lib";
use PlainNginx;

my $nginx = nginx_binary();
my $load = load_modules();
my $dir = work_dir("443");
my $certs = make_certs("$dir/certs");

# "nginx -t" (with "-q", as Debian's nginx.service runs it) on an http
# block: its exit status and what it printed

sub nginx_t {
    my ($http, @flags) = @_;

    open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
    print $fh "${load}events {}\nhttp {\n$http\n}\n";
    close $fh;

    my $out = `$nginx -t @flags -p $dir/ -c conf/nginx.conf -e stderr 2>&1`;

    diag($out) if $ENV{TEST_VERBOSE};

    return ($? >> 8, $out);
}

my $server = <<"END";
    server {
        listen 443 ssl;
        listen 80;
        server_name mta-sts.example.com;
        ssl_certificate $certs/san.crt;
        ssl_certificate_key $certs/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
    }
END

my ($rc, $out) = nginx_t($server);

is($rc, 0, "listen 443 ssl - nginx -t succeeds");
like($out, qr/test is successful/, "listen 443 ssl - test is successful");
unlike($out, qr/\[warn\]/, "listen 443 ssl, a good certificate - no warning");

($rc, $out) = nginx_t($server . <<"END");
    server {
        listen 8443 ssl;
        server_name mta-sts.example.org;
        ssl_certificate $certs/other.crt;
        ssl_certificate_key $certs/ec.key;
        mta_sts_mode testing;
        mta_sts_mx mail.example.org;
    }
END

is($rc, 0, "8443 next to 443 - nginx -t succeeds");
like($out, qr/\[warn\] .*?no "ssl" listener on port 443 for "mta-sts\.example\.org": senders fetch the MTA-STS policy over HTTPS on port 443 only \(RFC 8461, section 3\.3\); where TLS ends in front of nginx, set "mta_sts_check_listener off" in \S+\/nginx\.conf:\d+$/m,
     "8443 next to 443 - the 8443 server is warned");
unlike($out, qr/listener.*mta-sts\.example\.com/,
       "8443 next to 443 - the 443 server is not");

($rc, $out) = nginx_t(<<"END", "-q");
    server {
        listen 443 ssl;
        server_name mta-sts.example.com;
        ssl_certificate $certs/expired-leaf.crt;
        ssl_certificate_key $certs/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
    }
END

# the server block's line: after the load_module lines (none when the
# module is built into nginx), "events {}" and "http {"
my $line = 3 + (() = $load =~ /^load_module/mg);

is($rc, 0, "nginx -t -q, an expired leaf alone - nginx -t still succeeds");
like($out, qr/\[warn\] .*?certificate "\Q$certs\E\/expired-leaf\.crt" for "mta-sts\.example\.com" has expired, senders will not fetch the MTA-STS policy \(RFC 8461, section 3\.3\) in \S+\/nginx\.conf:$line$/m,
     "nginx -t -q - the expiry is still said, with the server's line");
like($out, qr/\[warn\] .*?certificate "\Q$certs\E\/expired-leaf\.crt" for "mta-sts\.example\.com" has no intermediate certificate after it/,
     "nginx -t -q - the missing intermediate too");
unlike($out, qr/\[emerg\]|\[alert\]|\[crit\]/, "nginx -t -q - nothing worse");

# HTTP/3 (RFC 9114) listeners, as Debian 13's nginx allows them: senders
# fetch the policy over TCP (RFC 8461, section 3.3), so "listen 443
# quic" is no HTTPS listener for them.  Next to "listen 443 ssl" it is
# no concern; alone, it is one.

SKIP: {
    skip "nginx is built without HTTP/3 (--with-http_v3_module)", 7
        unless `$nginx -V 2>&1` =~ /--with-http_v3_module/;

    # a policy server with these listen lines (and more directives)
    my $h3 = sub {
        my $lines = join "", map { "        $_\n" } @_;

        return <<"END";
    server {
$lines        server_name mta-sts.example.com;
        ssl_certificate $certs/san.crt;
        ssl_certificate_key $certs/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
    }
END
    };

    ($rc, $out) = nginx_t($h3->("listen 443 ssl;",
                                "listen 443 quic reuseport;"));

    is($rc, 0, "listen 443 ssl and quic - nginx -t succeeds");
    unlike($out, qr/\[warn\]/, "listen 443 ssl and quic - no warning");
    like($out, qr/publish _mta-sts\.example\.com\. TXT/,
         "listen 443 ssl and quic - the policy is checked and served");

    ($rc, $out) = nginx_t($h3->("listen 443 quic reuseport;"));

    is($rc, 0, "listen 443 quic alone - nginx -t succeeds");
    like($out, qr/\[warn\] .*?no "ssl" listener for "mta-sts\.example\.com", only "quic": senders fetch the MTA-STS policy over HTTPS on TCP port 443 only \(RFC 8461, section 3\.3\); add "listen 443 ssl" next to "listen 443 quic" in \S+\/nginx\.conf:$line$/m,
         "listen 443 quic alone - warned, with the server's line");
    unlike($out, qr/\[warn\] .*?no "ssl" listener on port 443/,
           "listen 443 quic alone - warned once");

    ($rc, $out) = nginx_t($h3->("listen 443 quic reuseport;",
                                "mta_sts_check_listener off;"));

    unlike($out, qr/\[warn\]/,
           "listen 443 quic, mta_sts_check_listener off - no warning");
}

done_testing();
