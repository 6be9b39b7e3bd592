#!/bin/bash
# bench/tlsrpt.sh: the TLS report receiver (mta_sts_tlsrpt) against
# nginx's own DAV PUT of the same bytes into the same directory, on one
# nginx over HTTP on loopback.
#
#   bench/tlsrpt.sh NGINX MODULE [RESULTS]
#
# Every request carries a distinct 350-byte gzip'd report (a Google-style
# report with its own report-id, bench/tlsrpt.lua), so that every request
# stores a new file.  Prints and writes to RESULTS (default
# build/bench-tlsrpt/results.txt):
#   - reports stored per second, POST to the receiver and DAV PUT, as the
#     medians of interleaved wrk rounds, and their ratio (goal: >= 0.8);
#   - user-space instructions per request (callgrind, I(N2) - I(N1));
#   - the worker's peak memory (VmHWM) before and after one 10 MiB report.
#
# Needs: wrk valgrind curl perl.  Knobs: BENCH_DIR, BENCH_TLSRPT_PORT
# (18201), ROUNDS (6), SECONDS_PER_ROUND (2), CONNS (4), N1 N2 (200 1200).

set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 NGINX MODULE [RESULTS]" >&2
    exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
nginx=$(readlink -f "$1")
module_src=$(readlink -f "$2")
dir=${BENCH_DIR:-$top/build/bench-tlsrpt}
results=${3:-$dir/results.txt}
port=${BENCH_TLSRPT_PORT:-18201}
ROUNDS=${ROUNDS:-6}
SECONDS_PER_ROUND=${SECONDS_PER_ROUND:-2}
CONNS=${CONNS:-4}
N1=${N1:-200}
N2=${N2:-1200}

die() {
    echo "bench tlsrpt: FAIL: $*" >&2
    exit 1
}

for tool in wrk valgrind curl perl awk; do
    command -v $tool >/dev/null \
        || die "$tool is missing (apt-get install -y wrk valgrind curl)"
done

master=""

stop_nginx() {
    local i
    [ -n "$master" ] || return 0
    kill -QUIT "$master" 2>/dev/null || true
    for i in $(seq 600); do
        kill -0 "$master" 2>/dev/null || break
        [ $((i % 10)) = 0 ] && { kill -QUIT "$master" 2>/dev/null || true; }
        sleep 0.1
    done
    kill -KILL "$master" 2>/dev/null || true
    wait "$master" 2>/dev/null || true
    master=""
}

trap stop_nginx EXIT
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
    access_log             off;
    keepalive_requests     10000000;
    client_body_temp_path  tmp/body;
    proxy_temp_path        tmp/proxy;
    fastcgi_temp_path      tmp/fastcgi;
    uwsgi_temp_path        tmp/uwsgi;
    scgi_temp_path         tmp/scgi;

    server {
        listen  127.0.0.1:$port;

        location = /.well-known/tlsrpt {
            mta_sts_tlsrpt  store;
        }

        location /dav/ {
            alias        store/;
            dav_methods  PUT;
            dav_access   user:rw;
        }
    }
}
EOF

nginx_args=(-p "$dir/" -c conf/nginx.conf -e logs/error.log)
"$nginx" "${nginx_args[@]}" -t -q || die "nginx -t failed"

# the reports: PREFIX and SUFFIX members around the report-id (the wrk
# script adds a stored member with a unique id), N2 whole reports for
# callgrind, and a 10 MiB one

perl -I"$top/bench" -MTlsrptReport=gz,large,put -e '
    my ($dir, $n) = @ARGV;
    my $pre = q({"organization-name":"Google Inc.",)
        . q("date-range":{"start-datetime":"2024-02-17T00:00:00Z",)
        . q("end-datetime":"2024-02-17T23:59:59Z"},)
        . q("contact-info":"smtp-tls-reporting@google.com","report-id":");
    my $suf = q(","policies":[{"policy":{"policy-type":"sts",)
        . q("policy-string":["version: STSv1","mode: testing",)
        . q("mx: mail.example.com","max_age: 86400"],)
        . q("policy-domain":"example.com","mx-host":["mail.example.com"]},)
        . q("summary":{"total-successful-session-count":1203,)
        . q("total-failure-session-count":3},)
        . q("failure-details":[{"result-type":"certificate-expired",)
        . q("sending-mta-ip":"209.85.220.41",)
        . q("receiving-mx-hostname":"mail.example.com",)
        . q("receiving-ip":"192.0.2.25","failed-session-count":3}]}]});
    put("$dir/prefix.gz", gz($pre));
    put("$dir/suffix.gz", gz($suf));
    put("$dir/one.gz", gz($pre . "2024-02-17T00:00:00Z_example.com" . $suf));
    mkdir "$dir/many";
    put(sprintf("$dir/many/%05d.gz", $_), gz($pre . "cg-$_" . $suf))
        for 1 .. $n;
    my $big = large($pre . "big"
        . q(","policies":[{"policy":{"policy-type":"sts",)
        . q("policy-domain":"example.com"},"failure-details":[),
        10_000_000, 0);
    put("$dir/big.json.gz", gz($big));
    put("$dir/big.size", length($big) . "\n");
' "$dir/raw" "$N2"

size_one=$(stat -c %s "$dir/raw/one.gz")
big_json=$(cat "$dir/raw/big.size")
big_gz=$(stat -c %s "$dir/raw/big.json.gz")

start_nginx() {
    # start_nginx [WRAPPER...]: master_process off under a wrapper
    local g="daemon off;" i
    [ $# -gt 0 ] && g="daemon off; master_process off;"
    rm -f "$dir/logs/nginx.pid"
    "$@" "$nginx" "${nginx_args[@]}" -g "$g" </dev/null \
        >>"$dir/logs/stdout.log" 2>&1 &
    master=$!
    for i in $(seq 600); do
        [ -s "$dir/logs/nginx.pid" ] \
            && curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
        kill -0 "$master" 2>/dev/null || die "nginx exited at start"
        sleep 0.1
    done
    die "nginx did not start"
}

clean_store() {
    find "$dir/store" -mindepth 1 -delete
}

# --- 0. both store the same bytes ------------------------------------------

start_nginx

code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$dir/raw/one.gz" \
       "http://127.0.0.1:$port/.well-known/tlsrpt")
[ "$code" = 201 ] || die "POST: $code, not 201"
f=$(ls "$dir/store")
cmp -s "$dir/store/$f" "$dir/raw/one.gz" || die "POST: stored bytes differ"

code=$(curl -s -o /dev/null -w '%{http_code}' -T "$dir/raw/one.gz" \
       "http://127.0.0.1:$port/dav/put.json.gz")
[ "$code" = 201 ] || die "PUT: $code, not 201"
cmp -s "$dir/store/put.json.gz" "$dir/raw/one.gz" || die "PUT: bytes differ"
clean_store

echo "bench tlsrpt: checks: POST 201 and DAV PUT 201 store the same $size_one bytes"

# --- 1. reports stored per second: interleaved wrk rounds -------------------

post=()
put=()

for r in $(seq "$ROUNDS"); do
    # each goes first in every other round: the directory slows down as
    # the file system's journal fills
    order="post put"
    [ $((r % 2)) = 0 ] && order="put post"

    for m in $order; do
        out=$dir/raw/wrk-$m-$r.txt
        wrk -t 1 -c "$CONNS" -d "${SECONDS_PER_ROUND}s" \
            -s "$top/bench/tlsrpt.lua" "http://127.0.0.1:$port" \
            -- $m "$dir/raw/prefix.gz" "$dir/raw/suffix.gz" "$r" \
            > "$out" 2>&1 || die "wrk failed, see $out"
        grep -q ' not-201 0$' "$out" || die "answers other than 201, see $out"
        rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
        stored=$(find "$dir/store" -type f | wc -l)
        reqs=$(sed -n 's/^requests \([0-9]*\) .*/\1/p' "$out")
        [ "$stored" -ge "$reqs" ] \
            || die "$m round $r: $reqs requests but $stored files"
        if [ $m = post ]; then post+=("$rps"); else put+=("$rps"); fi
        clean_store
    done
done

med() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
        END { if (NR % 2) print a[(NR + 1) / 2];
              else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

post_rps=$(med "${post[@]}")
put_rps=$(med "${put[@]}")
ratio=$(awk -v a="$post_rps" -v b="$put_rps" 'BEGIN { printf "%.2f", a / b }')

echo "bench tlsrpt: POST rounds: ${post[*]}"
echo "bench tlsrpt: PUT rounds:  ${put[*]}"

stop_nginx

# --- 2. instructions per request: callgrind ---------------------------------

curl_config() {
    # curl_config MODE N: N requests on one connection
    local i
    for i in $(seq "$2"); do
        [ "$i" -gt 1 ] && echo "next"
        f=$(printf '%s/raw/many/%05d.gz' "$dir" "$i")
        if [ "$1" = post ]; then
            echo "url = \"http://127.0.0.1:$port/.well-known/tlsrpt\""
            echo "data-binary = \"@$f\""
        else
            echo "url = \"http://127.0.0.1:$port/dav/$i.json.gz\""
            echo "upload-file = \"$f\""
        fi
        echo "output = \"/dev/null\""
        echo "silent"
    done
}

declare -A ir

for m in post put; do
    for n in $N1 $N2; do
        out=$dir/raw/callgrind-$m-$n.out
        start_nginx valgrind --tool=callgrind -q --callgrind-out-file="$out"
        curl_config $m "$n" > "$dir/raw/curl-$m-$n.conf"
        curl -K "$dir/raw/curl-$m-$n.conf" || die "curl failed ($m $n)"
        [ "$(find "$dir/store" -type f | wc -l)" = "$n" ] \
            || die "callgrind $m $n: not $n files stored"
        stop_nginx
        clean_store
        ir[$m.$n]=$(awk '/^(summary|totals):/ { t = $2 } END { print t }' "$out")
    done
done

ipr() {
    awk -v a="${ir[$1.$N1]}" -v b="${ir[$1.$N2]}" -v n1="$N1" -v n2="$N2" \
        'BEGIN { printf "%.0f", (b - a) / (n2 - n1) }'
}

post_ir=$(ipr post)
put_ir=$(ipr put)
ir_ratio=$(awk -v a="$post_ir" -v b="$put_ir" 'BEGIN { printf "%.2f", a / b }')

# --- 3. the worker's peak memory for a 10 MiB report -------------------------

start_nginx
worker=$(cat /proc/"$master"/task/*/children | awk '{ print $1 }')
[ -n "$worker" ] || die "no worker"

hwm() { awk '/^VmHWM:/ { print $2 }' /proc/"$worker"/status; }

curl -s -o /dev/null --data-binary @"$dir/raw/one.gz" \
    "http://127.0.0.1:$port/.well-known/tlsrpt"
before=$(hwm)
code=$(curl -s -o /dev/null -w '%{http_code}' \
       --data-binary @"$dir/raw/big.json.gz" \
       "http://127.0.0.1:$port/.well-known/tlsrpt")
after=$(hwm)
[ "$code" = 201 ] || die "the 10 MiB report: $code, not 201"
stop_nginx

{
    echo "TLS report receiver, $(date -u +%Y-%m-%d), $("$nginx" -v 2>&1 | sed 's/.*: //'), $(nproc) cores"
    echo "| | reports stored/s (wrk, median of $ROUNDS) | instructions/report (callgrind) |"
    echo "|---|---|---|"
    echo "| mta_sts_tlsrpt POST, $size_one-byte gzip report | $post_rps (**${ratio} ×**) | $post_ir (${ir_ratio} ×) |"
    echo "| DAV PUT of the same bytes | $put_rps (1 ×) | $put_ir (1 ×) |"
    echo "Worker peak memory (VmHWM) for one report of $big_json bytes of JSON ($big_gz bytes gzip): $before KiB before, $after KiB after (+$((after - before)) KiB)."
} | tee "$results"

awk -v r="$ratio" 'BEGIN { exit !(r >= 0.8) }' \
    || { echo "bench tlsrpt: goal missed: $ratio × of PUT, not >= 0.8"; exit 1; }
echo "bench tlsrpt: goal met: $ratio × of PUT (>= 0.8)"
