# The status endpoint's certificate and listener columns come from what
# the module's load-time checks see (RFC 8461, section 3.3: senders fetch
# the policy over HTTPS on port 443 with a valid certificate): the not-after
# of the server's certificate, the listener verdict, and a certificate
# within mta_sts_check_days makes its domain a failing one.

use strict;
use warnings;

use Test::More;
use lib "t/lib";
use PlainNginx;

my $load = load_modules();
my $dir = work_dir("status-cert");
my $certs = make_certs("$dir/certs");
my $port = free_port();

sub not_after {
    my ($file) = @_;
    my $end = `openssl x509 -enddate -noout -in $file`;
    $end =~ s/^notAfter=//;
    chomp $end;
    my $t = `date -u -d '$end' +%s`;
    chomp $t;
    return $t;
}

open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
print $fh <<"EOC";
${load}pid logs/nginx.pid;
error_log logs/error.log info;
events {}
http {
    access_log off;
    ssl_certificate $certs/san.crt;
    ssl_certificate_key $certs/ec.key;
    server {
        listen 127.0.0.1:$port default_server;
        location = /metrics { mta_sts_status prometheus; }
        location = /json { mta_sts_status json; }
    }
    server {
        listen 127.0.0.1:$port ssl;
        server_name mta-sts.example.com;
        ssl_certificate $certs/san.crt;
        ssl_certificate_key $certs/ec.key;
        mta_sts_mode enforce;
        mta_sts_mx mail.example.com;
    }
    server {
        listen 127.0.0.1:$port ssl;
        server_name mta-sts.example.net;
        ssl_certificate $certs/soon.crt;
        ssl_certificate_key $certs/ec.key;
        mta_sts_mode testing;
        mta_sts_mx mail.example.net;
        mta_sts_check_listener off;
    }
}
EOC
close $fh;

my $pid = start_nginx($dir, 1);

my $m = `curl -sk https://127.0.0.1:$port/metrics`;

my ($t) = $m =~ /^mta_sts_certificate_not_after_timestamp_seconds\{domain="example\.com"\} (\d+)$/m;
ok(defined $t && abs($t - not_after("$certs/san-leaf.crt")) <= 2,
   "the certificate's not-after (RFC 8461, section 3.3)")
    or diag($m);
like($m, qr/^mta_sts_listener_ok\{domain="example\.com",verdict="no_443"\} 0$/m,
     "an ssl listener, not on port 443: no_443");
like($m, qr/^mta_sts_listener_ok\{domain="example\.net",verdict="unchecked"\} 0$/m,
     "mta_sts_check_listener off: unchecked");

SKIP: {
    skip "no JSON::PP", 3 unless eval { require JSON::PP; 1 };

    my $doc = JSON::PP->new->decode(`curl -sk https://127.0.0.1:$port/json`);
    my %d = map { $_->{domain} => $_ } @{ $doc->{domains} };

    ok($d{"example.net"}{failing}, "a certificate within 14 days: failing");
    ok($d{"example.net"}{certificate_days_left} <= 3,
       "its days left");
    ok($d{"example.com"}{failing}, "no listener on port 443: failing");
}

stop_nginx($pid);

done_testing();
