# The status page in headless Chromium (Debian's chromium package): the
# DOM holds a row per policy domain, the failing one first, and a hostile
# organization name as text; the Content-Security-Policy refuses nothing
# the page uses (its style applies), and the page asks for no other
# resource.  A screenshot is left in build/status-page.png for a person.

use strict;
use warnings;

use Test::More;
use Cwd qw(getcwd);
use lib "t/lib";
use PlainNginx;

my $load = load_modules();
my $dir = work_dir("page");
my $port = free_port();
my $shot = getcwd() . "/build/status-page.png";

chmod 0755, $dir or die "$dir: $!\n";
mkdir "$dir/$_", 0777 or die "$!\n" for qw(reports body chromium);
chmod 0777, "$dir/reports", "$dir/body";

open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
print $fh "${load}pid logs/nginx.pid;\nerror_log logs/error.log info;\n"
    . "events {}\nhttp {\n    access_log logs/access.log;\n"
    . "    client_body_temp_path $dir/body;\n"
    . "    server {\n        listen 127.0.0.1:$port default_server;\n"
    . "        location = /.well-known/tlsrpt { mta_sts_tlsrpt $dir/reports; }\n"
    . "        location = /status { mta_sts_status html; }\n    }\n"
    . join("", map {
        "    server {\n        listen 127.0.0.1:$port;\n"
        . "        server_name mta-sts.$_;\n        mta_sts_mode enforce;\n"
        . "        mta_sts_mx mail.$_;\n        mta_sts_check off;\n    }\n"
      } qw(example.com example.org example.net))
    . "}\n";
close $fh;

my $pid = start_nginx($dir);

my $org = q(</td><script>alert(1)</script>\"q\"&amp;);
my $json = qq({"organization-name":"$org","date-range":{"start-datetime":)
    . '"2024-01-01T00:00:00Z","end-datetime":"2024-01-01T23:59:59Z"},'
    . '"contact-info":"tlsrpt@sender.example","report-id":"c1",'
    . '"policies":[{"policy":{"policy-type":"sts","policy-domain":'
    . '"example.org"},"summary":{"total-successful-session-count":1,'
    . '"total-failure-session-count":3},"failure-details":[{"result-type":'
    . '"starttls-not-supported","receiving-mx-hostname":"<img src=x>",'
    . '"failed-session-count":3}]}]}';
my $code = post_report($dir, $port, $json);
is($code, 201, "a report with a hostile organization stored");

my $chromium = "chromium --headless --no-sandbox --disable-gpu "
    . "--no-first-run --user-data-dir=$dir/chromium --enable-logging=stderr "
    . "--v=0";
my $url = "http://127.0.0.1:$port/status";

my $dom = `$chromium --dump-dom $url 2>$dir/chromium.log`;
my $log = do { local (@ARGV, $/) = "$dir/chromium.log"; <> } // "";

my @rows = $dom =~ m{<tr( class="bad")?><td><a href="https://mta-sts\.([^/]+)/}g;
my @names = @rows[grep { $_ % 2 } 0 .. $#rows];

is_deeply(\@names, [qw(example.org example.com example.net)],
          "a row per domain, the failing one first");
like($dom, qr{&lt;/td&gt;&lt;script&gt;alert\(1\)&lt;/script&gt;"q"&amp;amp;},
     "the organization as text");
like($dom, qr{&lt;img src=x&gt;}, "the MX name as text");
unlike($dom, qr{<script|<img}, "no element from a report");
unlike($log, qr/Content Security Policy/i, "no CSP violation")
    or diag($log);

system("$chromium --window-size=1600,500 --screenshot=$shot $url "
       . ">/dev/null 2>&1");
ok(-s $shot, "a screenshot, $shot");

# every request Chromium made is for the page itself

open $fh, "<", "$dir/logs/access.log" or die "$!\n";
my @other = grep { !m{"GET /status HTTP/1\.1"} && !m{"POST /\.well-known/tlsrpt } }
            <$fh>;
close $fh;

is(scalar @other, 0, "no other request (no favicon, style or script)")
    or diag(@other);

stop_nginx($pid);

done_testing();
