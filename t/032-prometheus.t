# A real Prometheus server (Debian's prometheus package) scrapes the
# status endpoint on loopback with nothing but metrics_path in its scrape
# config; after policies are fetched and a report posted, its HTTP API
# returns the counters.  The server is started and stopped by pid here.

use strict;
use warnings;

use Test::More;
use lib "t/lib";
use PlainNginx;

my $load = load_modules();
my $dir = work_dir("prometheus");
my $port = free_port();
my $prom_port = free_port();

chmod 0755, $dir or die "$dir: $!\n";
mkdir "$dir/$_", 0777 or die "$!\n" for qw(reports body tsdb);
chmod 0777, "$dir/reports", "$dir/body";

open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
print $fh <<"EOC";
${load}pid logs/nginx.pid;
error_log logs/error.log info;
events {}
http {
    access_log off;
    client_body_temp_path $dir/body;
    server {
        listen 127.0.0.1:$port default_server;
        location = /.well-known/tlsrpt { mta_sts_tlsrpt $dir/reports; }
        location = /metrics { mta_sts_status; }
    }
    server {
        listen 127.0.0.1:$port;
        server_name mta-sts.example.com;
        mta_sts_mode testing;
        mta_sts_mx mail.example.com;
        mta_sts_check off;
    }
}
EOC
close $fh;

open $fh, ">", "$dir/prometheus.yml" or die "$!\n";
print $fh <<"EOC";
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: mta-sts
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:$port"]
EOC
close $fh;

my $pid = start_nginx($dir);

system("curl -s -o /dev/null -H 'Host: mta-sts.example.com' "
       . "http://127.0.0.1:$port/.well-known/mta-sts.txt") == 0
    or die "curl failed\n" for 1 .. 2;

my $json = '{"organization-name":"Sender","date-range":{"start-datetime":'
    . '"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"},'
    . '"contact-info":"tlsrpt@sender.example","report-id":"p1",'
    . '"policies":[{"policy":{"policy-type":"sts","policy-domain":'
    . '"example.com"},"summary":{"total-successful-session-count":9,'
    . '"total-failure-session-count":3},"failure-details":[{"result-type":'
    . '"certificate-expired","failed-session-count":3}]}]}';
my $code = post_report($dir, $port, $json);
is($code, 201, "a report stored");

my $prom = fork() // die "fork: $!\n";

if ($prom == 0) {
    open STDOUT, ">", "$dir/logs/prometheus.log";
    open STDERR, ">&", \*STDOUT;
    exec "prometheus", "--config.file=$dir/prometheus.yml",
         "--storage.tsdb.path=$dir/tsdb",
         "--web.listen-address=127.0.0.1:$prom_port";
    die "prometheus: $!\n";
}

# the value of an instant query, once Prometheus has scraped it
sub query {
    my ($q) = @_;

    $q =~ s/([^A-Za-z0-9_])/sprintf("%%%02X", ord $1)/ge;

    for (1 .. 10 * patience()) {
        my $out = `curl -s 'http://127.0.0.1:$prom_port/api/v1/query?query=$q'`;
        return $1 if $out =~ /"value":\[[^,]+,"([^"]+)"\]/;
        select undef, undef, undef, 0.1;
    }

    diag(`tail -5 $dir/logs/prometheus.log`);
    return undef;
}

is(query('up{job="mta-sts"}'), 1, "Prometheus scrapes the endpoint");
is(query('mta_sts_policy_fetches_total{domain="example.com"}'), 2,
   "Prometheus - the fetches");
is(query('mta_sts_tlsrpt_sessions_total{domain="example.com",result="failed"}'), 3,
   "Prometheus - the failed sessions");
is(query('mta_sts_tlsrpt_failed_sessions_total{domain="example.com",result_type="certificate-expired"}'), 3,
   "Prometheus - the failed sessions by type");
is(query('mta_sts_tlsrpt_failed_sessions_total{domain="example.com",result_type="dane-required"}'), 0,
   "Prometheus - a type not reported, at 0");

kill "TERM", $prom;
waitpid $prom, 0;
stop_nginx($pid);

done_testing();
