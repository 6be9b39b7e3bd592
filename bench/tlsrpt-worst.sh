#!/bin/bash
# bench/tlsrpt-worst.sh: what the largest TLS reports the caps allow cost
# a worker, and how long a policy request waits behind them, on one nginx
# with one worker over HTTP on loopback (issue 19: a hostile sender must
# not hold a worker).
#
#   bench/tlsrpt-worst.sh NGINX MODULE [RESULTS]
#
# The caps are the defaults (mta_sts_tlsrpt_max_body_size 1m,
# mta_sts_tlsrpt_max_json_size 10m).  The reports are real in shape
# (failure-details rows): "largest" is exactly 10 MiB of JSON in under
# 1 MiB of gzip, stored (201); "over" is 10.7 MB of JSON, refused (413);
# "names" is one object of as many distinct names as 1 MiB of gzip holds
# (each name is kept to find duplicates), not a report (400); "collide"
# is one object of 2^COLLIDE_K names that share one hash (the parser's,
# unkeyed FNV-1a), posted once, not a report (400).  Since the cap of 64
# names in one object both are refused at their 65th name.
# Prints and writes to RESULTS (default build/bench-tlsrpt-worst/results.txt):
#   - the worker's CPU time (utime + stime, /proc) per report, over a
#     stream of N of each, and per policy request;
#   - the policy's latency (curl's time_total on one keep-alive
#     connection) alone, and while another client posts the largest
#     reports back to back: median, 99th percentile and maximum.
# The worker's CPU time is in clock ticks (10 ms): N reports make it finer.
#
# Needs: curl perl awk.  Knobs: BENCH_DIR, BENCH_TLSRPT_PORT (18211), N (10),
# COLLIDE_K (17).

set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 NGINX MODULE [RESULTS]" >&2
    exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
nginx=$(readlink -f "$1")
module_src=$(readlink -f "$2")
dir=$(mkdir -p "${BENCH_DIR:-$top/build/bench-tlsrpt-worst}" \
      && cd "${BENCH_DIR:-$top/build/bench-tlsrpt-worst}" && pwd)
results=${3:-$dir/results.txt}
port=${BENCH_TLSRPT_PORT:-18211}
N=${N:-10}
COLLIDE_K=${COLLIDE_K:-17}

die() {
    echo "bench tlsrpt-worst: FAIL: $*" >&2
    exit 1
}

for tool in curl perl awk; do
    command -v $tool >/dev/null || die "$tool is missing"
done

master=""
poster=""

stop_all() {
    local i
    [ -z "$poster" ] || { touch "$dir/raw/stop"; wait "$poster" || true; }
    [ -n "$master" ] || return 0
    kill -QUIT "$master" 2>/dev/null || true
    for i in $(seq 300); do
        kill -0 "$master" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$master" 2>/dev/null || true
    wait "$master" 2>/dev/null || true
    master=""
}

trap stop_all EXIT
trap 'exit 130' INT TERM HUP

rm -rf "$dir/conf" "$dir/logs" "$dir/tmp" "$dir/store" "$dir/raw"
mkdir -p "$dir/conf" "$dir/logs" "$dir/tmp" "$dir/store" "$dir/raw"
mkdir -p "$(dirname "$results")"

module=$dir/conf/ngx_http_mta_sts_module.so
cp "$module_src" "$module"

user=""
[ "$(id -u)" = 0 ] && user="user  root root;"

cat > "$dir/conf/nginx.conf" <<EOF
load_module  $module;

$user
worker_processes  1;
pid               logs/nginx.pid;
error_log         logs/error.log warn;

events {
    worker_connections  256;
}

http {
    access_log              off;
    keepalive_requests      10000000;
    client_body_temp_path   tmp/body;
    mta_sts_check_listener  off;

    server {
        listen  127.0.0.1:$port;

        mta_sts_mode  enforce;
        mta_sts_mx    mail.example.com;

        location = /.well-known/tlsrpt {
            mta_sts_tlsrpt  store;
        }
    }
}
EOF

nginx_args=(-p "$dir/" -c conf/nginx.conf -e logs/error.log)
"$nginx" "${nginx_args[@]}" -t -q || die "nginx -t failed"

# N largest reports, each its own report-id (each stores a file), and N
# over the cap

perl -I"$top/bench" -MTlsrptReport=gz,large,put -e '
    my ($dir, $n, $k) = @ARGV;
    sub report {
        my ($id, $size, $exact) = @_;
        my $j = large(q({"organization-name":"Example","date-range":)
            . q({"start-datetime":"2024-01-01T00:00:00Z",)
            . q("end-datetime":"2024-01-01T23:59:59Z"},)
            . q("contact-info":"tlsrpt@example.org","report-id":") . $id
            . q(","policies":[{"policy":{"policy-type":"sts",)
            . q("policy-domain":"example.com"},"failure-details":[),
            $size, $exact);
        return (gz($j), length $j);
    }
    my ($gz, $len);
    for my $k (1 .. $n) {
        ($gz, $len) = report("largest-$k", 10 * 1024 * 1024, 1);
        put("$dir/largest-$k.gz", $gz);
    }
    put("$dir/largest.size", "$len " . length($gz) . "\n");
    # hostile: one object of as many distinct names as 1 MiB of gzip holds
    my $size = 5_000_000;
    while (1) {
        my $j = q({"x":{);
        my $i = 0;
        while (length($j) < $size) {
            $j .= ($i ? "," : "") . sprintf(q("%x":0), $i);
            $i++;
        }
        $j .= "}}";
        my $o = gz($j);
        if (length($o) <= 1048576) {
            put("$dir/names.gz", $o);
            put("$dir/names.size", length($j) . " " . length($o) . " $i\n");
            last;
        }
        $size = int($size * 0.95);
    }
    # hostile: one object of names that share one hash, the FNV-1a
    # that the parser looks names up by for duplicates: K steps of two
    # 4-byte blocks that take the hash to the same next state, so 2^K
    # names of 4K bytes; K = 17 is as many as the JSON cap holds
    my @c = ("a" .. "z", "A" .. "Z", "0" .. "9");
    my $state = 2166136261;
    my @names = ("");
    sub fnv { my ($h, $s) = @_;
              $h = (($h ^ $_) * 16777619) & 0xffffffff for unpack "C*", $s;
              $h }
    srand(1);
    for (1 .. $k) {
        my %seen;
        while (1) {
            my $s = join "", map { $c[rand @c] } 1 .. 4;
            my $next = fnv($state, $s);
            if (exists $seen{$next} && $seen{$next} ne $s) {
                @names = map { ($_ . $seen{$next}, $_ . $s) } @names;
                $state = $next;
                last;
            }
            $seen{$next} = $s;
        }
    }
    my $j = q({"x":{) . join(",", map { qq("$_":0) } @names) . "}}";
    my $o = gz($j);
    put("$dir/collide.gz", $o);
    put("$dir/collide.size",
        length($j) . " " . length($o) . " " . scalar(@names) . "\n");
    ($gz, $len) = report("over", 10_700_000, 0);
    put("$dir/over.gz", $gz);
    put("$dir/over.size", "$len " . length($gz) . "\n");
' "$dir/raw" "$N" "$COLLIDE_K"

read -r largest_json largest_gz < "$dir/raw/largest.size"
read -r over_json over_gz < "$dir/raw/over.size"
read -r names_json names_gz names_n < "$dir/raw/names.size"
read -r collide_json collide_gz collide_n < "$dir/raw/collide.size"
[ "$largest_gz" -le 1048576 ] || die "the largest report's gzip is over 1m"

"$nginx" "${nginx_args[@]}" -g "daemon off;" </dev/null \
    >>"$dir/logs/stdout.log" 2>&1 &
master=$!

for i in $(seq 300); do
    [ -s "$dir/logs/nginx.pid" ] \
        && curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    kill -0 "$master" 2>/dev/null || die "nginx exited at start"
    sleep 0.1
done

worker=$(cat /proc/"$master"/task/*/children | awk '{ print $1 }')
[ -n "$worker" ] || die "no worker"

tck=$(getconf CLK_TCK)

# the worker's CPU time so far, in clock ticks
cpu() { awk '{ print $14 + $15 }' /proc/"$worker"/stat; }

policy_url="http://127.0.0.1:$port/.well-known/mta-sts.txt"
report_url="http://127.0.0.1:$port/.well-known/tlsrpt"

# the policy, M times on one connection: one time_total a line
policy_config() {
    local i
    for i in $(seq "$1"); do
        [ "$i" -gt 1 ] && echo "next"
        echo "url = \"$policy_url\""
        echo "header = \"Host: mta-sts.example.com\""
        echo "output = \"/dev/null\""
        echo "write-out = \"%{http_code} %{time_total}\\n\""
        echo "silent"
    done
}

policy_config 20000 > "$dir/raw/policy.conf"

# stats FILE: median, p99, max of the times (seconds) in ms; every code 200
stats() {
    if awk '$1 != 200 { bad = 1 } END { exit !bad }' "$1"; then
        return 1
    fi
    awk '{ print $2 }' "$1" | sort -g | awk '{ a[NR] = $1 }
        END { p = int(NR * 0.99); if (p < 1) p = 1;
              printf "%.2f %.2f %.2f %d\n", a[int((NR + 1) / 2)] * 1000,
              a[p] * 1000, a[NR] * 1000, NR }'
}

# --- 1. the policy alone ---------------------------------------------------

c0=$(cpu)
curl -K "$dir/raw/policy.conf" > "$dir/raw/alone.txt"
c1=$(cpu)
out=$(stats "$dir/raw/alone.txt") \
    || die "the policy alone: answers other than 200"
read -r alone_med alone_p99 alone_max alone_n <<< "$out"
policy_us=$(awk -v t=$((c1 - c0)) -v k="$tck" -v n="$alone_n" \
            'BEGIN { printf "%.1f", t / k / n * 1e6 }')

# --- 2. the worker's time per report ---------------------------------------

post() {
    curl -s -o /dev/null -w '%{http_code}\n' \
        -H 'Content-Type: application/tlsrpt+gzip' \
        --data-binary @"$1" "$report_url"
}

c0=$(cpu)
for k in $(seq "$N"); do
    code=$(post "$dir/raw/largest-$k.gz")
    [ "$code" = 201 ] || die "largest report $k: $code, not 201"
done
c1=$(cpu)
largest_ms=$(awk -v t=$((c1 - c0)) -v k="$tck" -v n="$N" \
             'BEGIN { printf "%.0f", t / k / n * 1000 }')

c0=$(cpu)
for k in $(seq "$N"); do
    code=$(post "$dir/raw/over.gz")
    [ "$code" = 413 ] || die "over the cap: $code, not 413"
done
c1=$(cpu)
over_ms=$(awk -v t=$((c1 - c0)) -v k="$tck" -v n="$N" \
          'BEGIN { printf "%.0f", t / k / n * 1000 }')

c0=$(cpu)
for k in $(seq "$N"); do
    code=$(post "$dir/raw/names.gz")
    [ "$code" = 400 ] || die "one object of many names: $code, not 400"
done
c1=$(cpu)
names_ms=$(awk -v t=$((c1 - c0)) -v k="$tck" -v n="$N" \
           'BEGIN { printf "%.0f", t / k / n * 1000 }')

# once: before the cap on names in one object, it held the worker for
# minutes

c0=$(cpu)
code=$(post "$dir/raw/collide.gz")
[ "$code" = 400 ] || die "names that share a hash: $code, not 400"
c1=$(cpu)
collide_ms=$(awk -v t=$((c1 - c0)) -v k="$tck" \
             'BEGIN { printf "%.0f", t / k * 1000 }')

find "$dir/store" -mindepth 1 -delete

# --- 3. the policy while the largest reports arrive back to back ----------

# a client posts the largest reports in a loop (stored, then already
# stored: each is inflated and parsed whole either way) while another
# fetches the policy 5,000 times

policy_config 5000 > "$dir/raw/policy-loaded.conf"

(
    k=0
    while [ ! -e "$dir/raw/stop" ]; do
        k=$((k % N + 1))
        code=$(post "$dir/raw/largest-$k.gz")
        case $code in 200|201) echo "$code" ;; *) echo "bad $code" ;; esac
    done > "$dir/raw/posts.txt"
) &
poster=$!

sleep 0.2
curl -K "$dir/raw/policy-loaded.conf" > "$dir/raw/loaded.txt"
touch "$dir/raw/stop"
wait "$poster"

! grep -q bad "$dir/raw/posts.txt" || die "a report under load: not stored"
posted=$(wc -l < "$dir/raw/posts.txt")

out=$(stats "$dir/raw/loaded.txt") \
    || die "the policy under load: answers other than 200"
read -r loaded_med loaded_p99 loaded_max loaded_n <<< "$out"

stop_all

ratio=$(awk -v a="$largest_ms" -v p="$policy_us" \
        'BEGIN { printf "%.0f", a * 1000 / p }')

{
    echo "Largest TLS reports, $(date -u +%Y-%m-%d), $("$nginx" -v 2>&1 | sed 's/.*: //'), $(nproc) cores, one worker"
    echo "| | worker CPU time |"
    echo "|---|---|"
    echo "| a policy request (keep-alive) | ${policy_us} µs |"
    echo "| the largest report the caps allow: $largest_json bytes of JSON in $largest_gz of gzip (201) | ${largest_ms} ms (${ratio} policy requests) |"
    echo "| over the cap: $over_json bytes of JSON in $over_gz of gzip (413) | ${over_ms} ms |"
    echo "| hostile: one object of $names_n names, $names_json bytes of JSON in $names_gz of gzip (400) | ${names_ms} ms |"
    echo "| hostile: one object of $collide_n names that share one hash, $collide_json bytes of JSON in $collide_gz of gzip (400, once) | ${collide_ms} ms |"
    echo "Policy latency (ms, median / p99 / max): alone $alone_med / $alone_p99 / $alone_max ($alone_n requests); while another client posts the largest reports back to back ($posted of them) $loaded_med / $loaded_p99 / $loaded_max ($loaded_n requests)."
} | tee "$results"
