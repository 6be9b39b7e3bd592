#!/bin/bash
# bench/status-variables.sh: what the status counters cost a request for a
# policy from variables, in callgrind instructions per request,
# (I(N2) - I(N1)) / (N2 - N1), as bench/run.sh measures them: a policy
# from two maps of $host, over HTTP, ab -k -c 1, one process.
#
#   bench/status-variables.sh NGINX MODULE off|on|dropped
#
# off: no status zone; on: mta_sts_status_zone, the domain has its row;
# dropped: domains=0, the domain counted under "other".  Prints the
# variant and its instructions per request.  Knobs: BENCH_DIR (build/
# bench-status-variables), N1 N2 (1000 5000), PORT (28181).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
nginx=$(readlink -f "$1"); so=$(readlink -f "$2"); variant=$3
d=${BENCH_DIR:-$top/build/bench-status-variables}/$variant
N1=${N1:-1000}; N2=${N2:-5000}; port=${PORT:-28181}
rm -rf $d; mkdir -p $d/conf $d/logs
case $variant in
off) zone="" ;;
on) zone="mta_sts_status_zone bench 1m;" ;;
dropped) zone="mta_sts_status_zone bench 1m domains=0;" ;;
esac
cat > $d/conf/nginx.conf <<CONF
load_module $so;
worker_processes 1;
pid logs/nginx.pid;
error_log logs/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    keepalive_requests 10000000;
    $zone
    map \$host \$bench_mode { mta-sts.example.com enforce; default off; }
    map \$host \$bench_mx { mta-sts.example.com mail.example.com; default ""; }
    server {
        listen 127.0.0.1:$port;
        server_name mta-sts.example.com;
        mta_sts_mode \$bench_mode;
        mta_sts_mx \$bench_mx;
        mta_sts_max_age 1w;
        mta_sts_check off;
    }
}
CONF
for n in $N1 $N2; do
    rm -f $d/logs/nginx.pid
    valgrind --tool=callgrind -q --callgrind-out-file=$d/cg-$n.out \
        $nginx -p $d/ -c conf/nginx.conf -e logs/error.log \
        -g "daemon off; master_process off;" </dev/null &
    vp=$!
    for i in $(seq 1 600); do
        curl -s -o /dev/null -H "Host: mta-sts.example.com" http://127.0.0.1:$port/.well-known/mta-sts.txt && break
        sleep 0.1
    done
    ab -q -k -c 1 -n $n -H "Host: mta-sts.example.com" http://127.0.0.1:$port/.well-known/mta-sts.txt > $d/ab-$n.txt 2>&1
    grep -q "Non-2xx" $d/ab-$n.txt && { echo "non-2xx"; exit 1; }
    kill -QUIT $(cat $d/logs/nginx.pid)
    wait $vp || true
done
i1=$(awk '/^(summary|totals):/ { t = $2 } END { print t }' $d/cg-$N1.out)
i2=$(awk '/^(summary|totals):/ { t = $2 } END { print t }' $d/cg-$N2.out)
awk -v a=$i1 -v b=$i2 -v n1=$N1 -v n2=$N2 -v v=$variant 'BEGIN { printf "%s %.1f\n", v, (b - a) / (n2 - n1) }'
