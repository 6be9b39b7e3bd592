#!/bin/bash
# What the load-time checks cost: "nginx -t" on N domains (default
# 10,000), one server block each with its own certificate (leaf and
# intermediate, P-256), once with the checks and TXT records on (the
# default) and once with "mta_sts_check off; mta_sts_txt_log off;".
# Prints both times (best of 6, interleaved) and their ratio.
#
#   bench/check-scale.sh NGINX MODULE [OUT_DIR]
#
# Not a test: it prints figures.  The certificates are made once, by
# bench/make-certs.c, and kept in OUT_DIR/certs.

set -euo pipefail

nginx=$1
module=$2
out=${3:-build/check-scale}
n=${CHECK_SCALE_N:-10000}
runs=${CHECK_SCALE_RUNS:-3}

mkdir -p "$out"
out=$(cd "$out" && pwd)
certs=$out/certs

if [ ! -f "$certs/done-$n" ]; then
    rm -rf "$certs"
    mkdir -p "$certs"
    ${CC:-cc} -O1 -Wall -o "$out/make-certs" "$(dirname "$0")/make-certs.c" \
        -lcrypto
    echo "making $n certificates in $certs"
    "$out/make-certs" "$certs" "$n"
    touch "$certs/done-$n"
fi

# write_conf NAME DIRECTIVES
write_conf() {
    local dir=$out/$1 i

    rm -rf "$dir"
    mkdir -p "$dir/logs"

    {
        echo "load_module $module;"
        echo "error_log logs/error.log warn;"
        echo "pid logs/nginx.pid;"
        echo "events {}"
        echo "http {"
        echo "    server_names_hash_max_size 65536;"
        echo "    server_names_hash_bucket_size 128;"
        echo "    ssl_certificate_key $certs/ec.key;"
        echo "$2"

        for ((i = 0; i < n; i++)); do
            echo "    server { listen 127.0.0.1:443 ssl;" \
                 "server_name mta-sts.d$i.example;" \
                 "ssl_certificate $certs/d$i.crt;" \
                 "mta_sts_mode enforce; mta_sts_mx mx.d$i.example; }"
        done

        echo "}"
    } > "$dir/nginx.conf"
}

ms() {
    echo $(( $(date +%s%N) / 1000000 ))
}

# best NAME: the best "nginx -t" time in ms; checks that it succeeds and
# says nothing at warn
best() {
    local dir=$out/$1 t0 t1 b=999999 i log

    for ((i = 0; i < runs; i++)); do
        t0=$(ms)
        log=$("$nginx" -t -q -p "$dir/" -c "$dir/nginx.conf" -e stderr 2>&1)
        t1=$(ms)
        (( t1 - t0 < b )) && b=$((t1 - t0))
    done

    if echo "$log" | grep -q '\[warn\]\|\[emerg\]'; then
        echo "$1: nginx -t said:" >&2
        echo "$log" | head -5 >&2
        exit 1
    fi

    echo "$b"
}

write_conf on ""
write_conf off "    mta_sts_check off; mta_sts_txt_log off;"

# interleaved, so that the machine's load hits both alike
on=999999 off=999999

for round in 1 2; do
    t=$(best off); (( t < off )) && off=$t
    t=$(best on); (( t < on )) && on=$t
done

echo "nginx -t, $n server blocks, one certificate each (best of $((2 * runs)))"
echo "checks off: $off ms"
echo "checks on:  $on ms"
awk -v a="$on" -v b="$off" 'BEGIN { printf "ratio:      %.3f\n", a / b }'
