# mta_sts_status for policies built from variables: a row per domain seen
# in requests, the domain being the policy's (RFC 8461, section 3.3: the
# policy of <domain> is fetched from mta-sts.<domain>, the host nginx has
# lowercased, "mta-sts." cut), up to the bound of "mta_sts_status_zone
# ... domains=N"; first come keep their slots until a reload, the domains
# after them are counted under "other" and in
# mta_sts_status_dropped_fetches_total.  A row shows the mode and id
# served last and the fetches; no certificate, listener or DNS check
# (those are for static policies).  A reload keeps the rows and their
# counters, as it keeps the static domains'.  Plain Test::More: one nginx
# of the test's own, reloaded within the test.

use strict;
use warnings;

use Test::More;
use lib "t/lib";
use PlainNginx;

my $nginx = nginx_binary();
my $load = load_modules();
my $dir = work_dir("status-variables");
my $port = free_port();

chmod 0755, $dir or die "$!\n";
mkdir "$dir/reports", 0777 or die "$!\n";
mkdir "$dir/body", 0777 or die "$!\n";
chmod 0777, "$dir/reports", "$dir/body";

sub write_conf {
    my (%o) = @_;

    my $zone = $o{zone} // "mta_sts_status_zone status 1m domains=2;";
    my $a_mode = $o{a_mode} // "enforce";

    open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
    print $fh <<"EOF";
${load}pid logs/nginx.pid;
error_log logs/error.log info;
events {}
http {
    access_log off;
    client_body_temp_path $dir/body;
    $zone

    map \$mta_sts_domain \$tenant_mode {
        default    off;
        a.example  $a_mode;
        b.example  testing;
        c.example  enforce;
    }

    map \$mta_sts_domain \$tenant_mx {
        default    "";
        a.example  mx.a.example;
        b.example  mx.b.example;
        c.example  mx.c.example;
    }

    server {
        listen 127.0.0.1:$port default_server;
        server_name localhost;
        location = /.well-known/tlsrpt {
            mta_sts_tlsrpt $dir/reports;
        }
        location = /metrics { mta_sts_status prometheus; }
        location = /json { mta_sts_status json; }
        location = /html { mta_sts_status html; }
    }

    server {
        listen 127.0.0.1:$port;
        server_name mta-sts.static.example;
        mta_sts_mode enforce;
        mta_sts_mx mx.static.example;
        mta_sts_check off;
    }

    map \$mta_sts_domain \$long_mode {
        default          off;
        ~^x+\.example\$  enforce;
    }

    server {
        listen 127.0.0.1:$port;
        server_name ~^mta-sts\.x+\.example\$;
        mta_sts_mode \$long_mode;
        mta_sts_mx mx.long.example;
        mta_sts_check off;
    }

    server {
        listen 127.0.0.1:$port;
        server_name mta-sts.a.example mta-sts.b.example mta-sts.c.example
                    mta-sts.A.EXAMPLE;
        mta_sts_mode \$tenant_mode;
        mta_sts_mx \$tenant_mx;
        mta_sts_check off;
    }
}
EOF
    close $fh;
}

# the status code and the body
sub get {
    my ($path, $host) = @_;

    my @args = ("curl", "-s", "-w", "\n%{http_code}",
                "http://127.0.0.1:$port$path");
    push @args, "-H", "Host: $host" if $host;

    open my $out, "-|", @args or die "curl: $!\n";
    my $r = do { local $/; <$out> };
    close $out;

    my ($body, $code) = $r =~ /^(.*)\n(\d+)$/s;

    return ($code // 0, $body // "");
}

sub fetch { (get("/.well-known/mta-sts.txt", "mta-sts.$_[0]"))[0] }

sub metrics { (get("/metrics"))[1] }

sub value {
    my ($text, $series) = @_;

    return $text =~ /^\Q$series\E (\S+)$/m ? $1 : undef;
}

sub fetches {
    return value($_[0], qq(mta_sts_policy_fetches_total{domain="$_[1]"}));
}

sub workers {
    my ($master) = @_;
    my @pids;

    for my $stat (glob "/proc/[0-9]*/stat") {
        open my $fh, "<", $stat or next;
        my $line = <$fh> // next;
        close $fh;
        push @pids, $1 if $line =~ /^(\d+) \(.*\) \S (\d+)/ && $2 == $master;
    }

    return @pids;
}

# a reload, once the old workers have exited
sub reload {
    my ($master) = @_;
    my @old = workers($master);

    reload_nginx($dir, $master);

    for (1 .. patience()) {
        last unless grep { kill 0, $_ } @old;
        select undef, undef, undef, 0.1;
    }
}

write_conf();
my $pid = start_nginx($dir, 1);

my $m = metrics();
is(value($m, "mta_sts_status_variable_domains"), 0, "no domain seen yet");
is(value($m, "mta_sts_status_variable_domains_max"), 2, "the bound");
is(value($m, "mta_sts_status_dropped_fetches_total"), 0,
   "nothing dropped yet");
is(fetches($m, "static.example"), 0, "the static domain at 0");

# three domains, a bound of 2: the first two come, the third is "other"

is(fetch("a.example"), 200, "a.example served");
is(fetch("A.Example"), 200, "a.example in capitals served");
is(fetch("b.example"), 200, "b.example served");
is(fetch("c.example"), 200, "c.example served, over the bound");
is(fetch("c.example"), 200, "c.example again");
is(fetch("c.example"), 200, "c.example a third time");
is(fetch("static.example"), 200, "the static domain served");
is(fetch("nomap.example"), 404, "a host the map turns off: no policy");

$m = metrics();
is(fetches($m, "a.example"), 2, "a.example counted, the host lowercased");
is(fetches($m, "b.example"), 1, "b.example counted");
is(fetches($m, "c.example"), undef, "c.example has no row");
is(fetches($m, "other"), 3, "c.example counted under other");
is(fetches($m, "static.example"), 1, "the static domain keeps its slot");
is(value($m, "mta_sts_status_variable_domains"), 2, "2 domains counted");
is(value($m, "mta_sts_status_dropped_fetches_total"), 3,
   "3 fetches dropped: the bound was hit");
like($m, qr/^mta_sts_policy_info\{domain="a\.example",mode="enforce",id="[0-9a-f]{32}"\} 1$/m,
     "a.example's mode and id served");
like($m, qr/^mta_sts_policy_info\{domain="b\.example",mode="testing",id="[0-9a-f]{32}"\} 1$/m,
     "b.example's mode and id served");
unlike($m, qr/mta_sts_listener_ok\{domain="a\.example"/,
       "no listener verdict for a domain from variables");
unlike($m, qr/mta_sts_dns_check_state\{domain="a\.example"/,
       "no DNS check for a domain from variables");
is(value($m, 'mta_sts_tlsrpt_sessions_total{domain="a.example",'
             . 'result="failed"}'), 0, "its report series start at 0");

# its id is the one served

my ($id_a) = $m =~ /mta_sts_policy_info\{domain="a\.example",mode="enforce",id="([0-9a-f]{32})"/;
ok(defined $id_a, "a.example's id in the metrics");

# reports for a domain with a row count in it

my $report = '{"organization-name":"Org","date-range":{"start-datetime":'
    . '"2026-12-01T00:00:00Z","end-datetime":"2026-12-01T23:59:59Z"},'
    . '"contact-info":"x@org.example","report-id":"r1","policies":[{"policy":'
    . '{"policy-type":"sts","policy-domain":"a.example"},"summary":'
    . '{"total-successful-session-count":5,"total-failure-session-count":1},'
    . '"failure-details":[{"result-type":"certificate-expired",'
    . '"failed-session-count":1}]}]}';
is(post_report($dir, $port, $report), 201, "a report for a.example stored");

$m = metrics();
is(value($m, 'mta_sts_tlsrpt_sessions_total{domain="a.example",'
             . 'result="failed"}'), 1, "the report counted in a.example's row");

# promtool, the tool users point at it (Debian's prometheus package)
{
    open my $fh, "|-", "promtool check metrics > $dir/promtool.out 2>&1"
        or die "$!\n";
    print $fh $m;
    close $fh;

    is($?, 0, "promtool check metrics passes")
        or diag(`cat $dir/promtool.out`);
}

# JSON

my ($jc, $json) = get("/json");
SKIP: {
    skip "no JSON::PP", 12 unless eval { require JSON::PP; 1 };

    my $doc = eval { JSON::PP->new->decode($json) };
    ok($doc, "the JSON parses") or diag($@);

    is($doc->{variable_domains}, 2, "JSON: 2 domains from variables");
    is($doc->{variable_domains_max}, 2, "JSON: the bound");
    is($doc->{dropped_fetches}, 3, "JSON: the dropped fetches");

    my %d = map { $_->{domain} => $_ } @{ $doc->{domains} };
    ok($d{"a.example"} && $d{"a.example"}{variable}, "JSON: a.example's row");
    is($d{"a.example"}{mode}, "enforce", "JSON: its mode");
    is($d{"a.example"}{id}, $id_a, "JSON: its id");
    is($d{"a.example"}{fetches}, 2, "JSON: its fetches");
    ok(exists $d{"a.example"}{listener} && !defined $d{"a.example"}{listener}
       && !defined $d{"a.example"}{dns}
       && !defined $d{"a.example"}{certificate_not_after},
       "JSON: no listener, DNS or certificate for it");
    is($d{"b.example"}{mode}, "testing", "JSON: b.example's row");
    ok(!$d{"c.example"}, "JSON: no row for c.example");
    is($doc->{other}{fetches}, 3, "JSON: c.example's fetches in other");
}

# the page

my ($hc, $html) = get("/html");
like($html, qr{>a\.example</a> \(from variables\)</td><td>[^<]*</td><td>enforce</td>},
     "page: a.example's row, its mode");
like($html, qr{<td>-</td><td>-</td><td>-</td><td>2</td>},
     "page: no certificate, listener or DNS; its fetches");
like($html, qr{3 policy requests of domains from variables were not counted per domain: 2 domains have counters, the bound is 2},
     "page: the bound hit is said");
unlike($html, qr/>c\.example</, "page: no row for c.example");
like($html, qr{<tr class="bad"><td><a href="https://mta-sts\.a\.example/[^"]*">a\.example</a> \(from variables\)[^\n]*\n<tr><td><a href="https://mta-sts\.b\.example/[^\n]*\n<tr><td><a href="https://mta-sts\.static\.example/},
     "page: a.example, a failed session reported, first and marked, then "
     . "the others by name, from variables or not");

# a reload: the rows and their counters are kept, as a static domain's;
# the first come keep their slots, c.example is still "other"; the mode
# served last follows the new map

write_conf(a_mode => "testing");
reload($pid);

is(fetch("c.example"), 200, "after a reload: c.example served");
is(fetch("a.example"), 200, "after a reload: a.example served");

$m = metrics();
is(fetches($m, "a.example"), 3, "reload - a.example's fetches kept");
is(fetches($m, "b.example"), 1, "reload - b.example's fetches kept");
is(fetches($m, "c.example"), undef, "reload - c.example still has no row");
is(fetches($m, "other"), 4, "reload - other kept and counting");
is(fetches($m, "static.example"), 1, "reload - the static domain kept");
is(value($m, "mta_sts_status_dropped_fetches_total"), 4,
   "reload - the dropped fetches kept");
like($m, qr/^mta_sts_policy_info\{domain="a\.example",mode="testing",id="[0-9a-f]{32}"\} 1$/m,
     "reload - a.example's new mode served last");
unlike($m, qr/domain="a\.example",mode="testing",id="$id_a"/,
       "reload - and its new id");

# a larger bound: c.example gets its row at its next request

write_conf(zone => "mta_sts_status_zone status 1m domains=3;");
reload($pid);

is(fetch("c.example"), 200, "bound 3: c.example served");

$m = metrics();
is(fetches($m, "c.example"), 1, "bound 3: c.example has its row");
is(fetches($m, "a.example"), 3, "bound 3: a.example's fetches kept");
is(value($m, "mta_sts_status_variable_domains"), 3, "bound 3: 3 domains");

# a smaller bound: the first slots are kept, the others' rows go

write_conf(zone => "mta_sts_status_zone status 1m domains=1;");
reload($pid);

$m = metrics();
is(value($m, "mta_sts_status_variable_domains"), 1, "bound 1: 1 domain");
is(scalar(() = $m =~ /^mta_sts_policy_info\{/mg), 2,
   "bound 1: the static domain and one from variables");

stop_nginx($pid);

# the default bound: the slots the zone has left after the static domains

write_conf(zone => "mta_sts_status_zone status 1m;");
$pid = start_nginx($dir, 1);

$m = metrics();
my $max = value($m, "mta_sts_status_variable_domains_max");
# (a slot is about 3.5 KB: some 290 slots in 1m, fewer as slots grow)
ok($max && $max > 200 && $max < 400,
   "the default bound: what 1m holds but the static domain ($max)");

# the longest domain name has a row, a longer name goes to "other"
# (RFC 1035, section 2.3.4: 255 bytes on the wire, 253 as text)

my $d253 = ("x" x 245) . ".example";
my $d254 = ("x" x 246) . ".example";

is(fetch($d253), 200, "a domain of 253 bytes served");
is(fetch($d254), 200, "a name of 254 bytes served");

$m = metrics();
is(fetches($m, $d253), 1, "253 bytes: its row");
is(fetches($m, $d254), undef, "254 bytes: no row");
is(fetches($m, "other"), 1, "254 bytes: counted under other");
is(value($m, "mta_sts_status_dropped_fetches_total"), 1,
   "254 bytes: and as dropped");
is(value($m, "mta_sts_status_variable_domains"), 1,
   "one domain from variables has a row");

stop_nginx($pid);

# nginx -t: a bound that is none, or more than the zone holds

sub nginx_t {
    my ($zone) = @_;

    open my $fh, ">", "$dir/conf/t.conf" or die "$!\n";
    print $fh "${load}events {}\nhttp {\n    $zone\n}\n";
    close $fh;

    my $out = `$nginx -t -p $dir/ -c conf/t.conf -e stderr 2>&1`;

    return ($? >> 8, $out);
}

my ($rc, $out) = nginx_t("mta_sts_status_zone s 1m domains=x;");
isnt($rc, 0, "domains=x - nginx -t fails");
like($out, qr/\[emerg\] \S+ invalid number of domains "x" in "mta_sts_status_zone" in \S+\/t\.conf:\d+$/m,
     "domains=x - said");

($rc, $out) = nginx_t("mta_sts_status_zone s 1m domains=-1;");
like($out, qr/\[emerg\] \S+ invalid number of domains "-1" in "mta_sts_status_zone"/m,
     "domains=-1 - said");

($rc, $out) = nginx_t("mta_sts_status_zone s 1m domains=;");
like($out, qr/\[emerg\] \S+ invalid number of domains "" in "mta_sts_status_zone"/m,
     "domains= - said");

($rc, $out) = nginx_t("mta_sts_status_zone s 1m hosts=2;");
like($out, qr/\[emerg\] \S+ invalid parameter "hosts=2" in "mta_sts_status_zone" in \S+\/t\.conf:\d+$/m,
     "an unknown parameter - said");

($rc, $out) = nginx_t("mta_sts_status_zone s 1m domains=100000;");
isnt($rc, 0, "domains=100000 in 1m - nginx -t fails");
like($out, qr/\[emerg\] \S+ "domains=100000" in "mta_sts_status_zone" is more than a zone of 1m holds \(\d+ domains\), make the zone larger in \S+\/t\.conf:\d+$/m,
     "domains=100000 in 1m - said, with what it holds");

($rc, $out) = nginx_t("mta_sts_status_zone s 1m domains=0;");
is($rc, 0, "domains=0 - every domain from variables under other")
    or diag($out);

done_testing();
