#!/bin/bash
# bench/status.sh: a scrape of the status endpoint with 10,000 policy
# domains (a server block each): the size of each format and how long a
# worker takes to answer it (curl's time_total on loopback, the median of
# ROUNDS), which is how long that worker serves nothing else.
#
#   bench/status.sh NGINX MODULE [DIR]
#
# Knobs (environment): DOMAINS (10000), ROUNDS (11), BENCH_PORT (18281).

set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 NGINX MODULE [DIR]" >&2
    exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
nginx=$(readlink -f "$1")
module=$(readlink -f "$2")
dir=${3:-$top/build/bench-status}
domains=${DOMAINS:-10000}
rounds=${ROUNDS:-11}
port=${BENCH_PORT:-18281}

rm -rf "$dir"
mkdir -p "$dir/conf" "$dir/logs" "$dir/tmp"

{
    echo "load_module $module;"
    echo "pid logs/nginx.pid;"
    echo "error_log logs/error.log warn;"
    echo "worker_processes 1;"
    echo "events {}"
    echo "http {"
    echo "    access_log off;"
    echo "    client_body_temp_path tmp;"
    echo "    server_names_hash_max_size 32768;"
    echo "    mta_sts_status_zone status 32m;"
    echo "    server {"
    echo "        listen 127.0.0.1:$port default_server;"
    echo "        location = /metrics { mta_sts_status prometheus; }"
    echo "        location = /json { mta_sts_status json; }"
    echo "        location = /html { mta_sts_status html; }"
    echo "    }"
    for i in $(seq 1 "$domains"); do
        echo "    server { listen 127.0.0.1:$port; server_name mta-sts.d$i.example;"
        echo "        mta_sts_mode enforce; mta_sts_mx mail.d$i.example;"
        echo "        mta_sts_check off; }"
    done
    echo "}"
} > "$dir/conf/nginx.conf"

"$nginx" -p "$dir/" -c conf/nginx.conf -e logs/error.log
trap 'kill -QUIT $(cat "$dir/logs/nginx.pid")' EXIT

for i in $(seq 1 50); do
    [ -s "$dir/logs/nginx.pid" ] && break
    sleep 0.1
done

for f in metrics json html; do
    for r in $(seq 1 "$rounds"); do
        curl -s -o "$dir/$f.out" -w '%{time_total}\n' \
            "http://127.0.0.1:$port/$f"
    done | sort -n > "$dir/$f.times"

    median=$(sed -n "$(( (rounds + 1) / 2 ))p" "$dir/$f.times")
    size=$(stat -c %s "$dir/$f.out")
    echo "bench status: $domains domains, $f: $size bytes, median ${median}s"
done
