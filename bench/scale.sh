#!/bin/bash
# Many domains, measured: N domains served three ways, each by one nginx
# with the module loaded,
#   servers  one server block per domain with static directives,
#   map      one server block with two N-entry maps (mode and mx),
#   return   one server block per domain with a plain "return 200" location
#            (the floor: what N server blocks cost without the module),
# giving "nginx -t" time and the master's resident memory after start, for
# several N to show loading stays linear; then request throughput for a
# mapped domain against a static one, in interleaved wrk rounds.
#
#   bench/scale.sh NGINX MODULE [OUT_DIR]
#
# Not a test: it prints figures.  Needs wrk (Debian's package).

set -euo pipefail

nginx=$1
module=$2
out=${3:-build/scale}
sizes=${SCALE_SIZES:-"2500 5000 10000"}
rounds=${SCALE_ROUNDS:-5}
port_servers=18291
port_map=18292
pids=()
summary=()

cleanup() {
    for pid in "${pids[@]}"; do
        kill -QUIT "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

mkdir -p "$out"
out=$(cd "$out" && pwd)

# write_conf KIND N: an nginx.conf for N domains d<i>.example
write_conf() {
    local kind=$1 n=$2 dir=$out/$1-$2 i

    rm -rf "$dir"
    mkdir -p "$dir/logs"

    {
        echo "load_module $module;"
        echo "worker_processes 1;"
        echo "error_log logs/error.log warn;"
        echo "pid logs/nginx.pid;"
        echo "events { worker_connections 1024; }"
        echo "http {"
        echo "    access_log off;"
        echo "    server_names_hash_max_size 65536;"
        echo "    server_names_hash_bucket_size 128;"
        echo "    map_hash_max_size 65536;"
        echo "    map_hash_bucket_size 128;"

        case $kind in
        servers)
            for ((i = 0; i < n; i++)); do
                echo "    server { listen 127.0.0.1:$port_servers;" \
                     "server_name mta-sts.d$i.example;" \
                     "mta_sts_mode enforce; mta_sts_mx mx.d$i.example; }"
            done
            ;;
        return)
            for ((i = 0; i < n; i++)); do
                echo "    server { listen 127.0.0.1:$port_servers;" \
                     "server_name mta-sts.d$i.example;" \
                     "location = /.well-known/mta-sts.txt {" \
                     "default_type text/plain; return 200" \
                     "\"version: STSv1\r\nmode: enforce\r\nmx: mx.d$i.example\r\nmax_age: 604800\r\n\"; } }"
            done
            ;;
        map)
            echo "    map \$mta_sts_domain \$mode { default off;"
            for ((i = 0; i < n; i++)); do
                echo "        d$i.example enforce;"
            done
            echo "    }"
            echo "    map \$mta_sts_domain \$mx {"
            for ((i = 0; i < n; i++)); do
                echo "        d$i.example mx.d$i.example;"
            done
            echo "    }"
            echo "    server { listen 127.0.0.1:$port_map;" \
                 "server_name ~^mta-sts\\.;" \
                 "mta_sts_mode \$mode; mta_sts_mx \$mx; }"
            ;;
        esac

        echo "}"
    } > "$dir/nginx.conf"
}

ms() {
    echo $(( $(date +%s%N) / 1000000 ))
}

# load KIND N: prints "test_ms rss_kb"
load() {
    local dir=$out/$1-$2 t0 t1 best=999999 pid rss i

    for i in 1 2 3; do
        t0=$(ms)
        "$nginx" -t -q -p "$dir/" -c "$dir/nginx.conf" -e stderr
        t1=$(ms)
        (( t1 - t0 < best )) && best=$((t1 - t0))
    done

    "$nginx" -p "$dir/" -c "$dir/nginx.conf" -e stderr
    sleep 0.5
    pid=$(cat "$dir/logs/nginx.pid")
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
    kill -QUIT "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done

    echo "$best $rss"
}

echo "loading N domains: nginx -t (ms, best of 3) and master RSS (KiB)"
printf '%8s %10s %10s %10s %10s %10s %10s\n' N \
    servers-t map-t return-t servers-rss map-rss return-rss

for n in $sizes; do
    for kind in servers map return; do
        write_conf "$kind" "$n"
    done

    read -r st sr < <(load servers "$n")
    read -r mt mr < <(load map "$n")
    read -r rt rr < <(load return "$n")

    printf '%8s %10s %10s %10s %10s %10s %10s\n' "$n" \
        "$st" "$mt" "$rt" "$sr" "$mr" "$rr"
    summary+=("$(awk -v n="$n" -v st="$st" -v mt="$mt" -v rt="$rt" \
                   -v sr="$sr" -v mr="$mr" -v rr="$rr" 'BEGIN {
        printf "%8d %9.1f %9.1f %9.2f %9.2f %9.2f %9.2f", n,
               st * 1000 / n, rt * 1000 / n, st / rt, mt / rt, sr / rr, mr / rr
    }')")
done

echo
echo "per 1000 domains (ms) and ratios to the return floor"
printf '%8s %9s %9s %9s %9s %9s %9s\n' N servers/k return/k \
    t-servers t-map rss-serv rss-map
printf '%s\n' "${summary[@]}"

# throughput: the largest N, both nginx running, interleaved rounds
n=${sizes##* }
dom=d$((n / 2)).example
dir_s=$out/servers-$n
dir_m=$out/map-$n

"$nginx" -p "$dir_s/" -c "$dir_s/nginx.conf" -e stderr
pids+=("$(cat "$dir_s/logs/nginx.pid")")
"$nginx" -p "$dir_m/" -c "$dir_m/nginx.conf" -e stderr
pids+=("$(cat "$dir_m/logs/nginx.pid")")
sleep 0.5

url=/.well-known/mta-sts.txt
a=$(curl -sf -H "Host: mta-sts.$dom" "http://127.0.0.1:$port_servers$url")
b=$(curl -sf -H "Host: mta-sts.$dom" "http://127.0.0.1:$port_map$url")

if [ "$a" != "$b" ] || [ -z "$a" ]; then
    echo "the static and the mapped policy of $dom differ" >&2
    exit 1
fi

rps() {
    wrk -t1 -c8 -d3s -H "Host: mta-sts.$dom" "http://127.0.0.1:$1$url" \
        | awk '/^Requests\/sec/ { printf "%d", $2 }'
}

echo
echo "throughput for $dom, $n domains, $rounds interleaved rounds (req/s)"
printf '%6s %10s %10s %8s\n' round static mapped ratio
ratios=()

for ((i = 1; i <= rounds; i++)); do
    s=$(rps $port_servers)
    m=$(rps $port_map)
    r=$(awk -v m="$m" -v s="$s" 'BEGIN { printf "%.3f", m / s }')
    ratios+=("$r")
    printf '%6s %10s %10s %8s\n' "$i" "$s" "$m" "$r"
done

median=$(printf '%s\n' "${ratios[@]}" | sort -n \
         | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "median mapped/static: $median"
