#!/bin/bash
# One round of the DNS check (ngx_http_mta_sts_dns_module) over N static
# policy domains (default 10,000) against dnsmasq, measured: the time from
# the first to the last finding, the checking worker's CPU time (utime +
# stime from /proc), its peak memory (VmHWM) and the most sockets it had
# open at once (sampled from /proc/PID/fd every 10 ms).  dnsmasq serves,
# for each domain, the right TXT id, an MX, an A and a TLSRPT record.
#
#   bench/dns-scale.sh NGINX MODULE [OUT_DIR]
#
# Not a test: it prints figures.  Runs in util/netns.sh's namespace when
# it can (dnsmasq on 127.0.0.1:53535).  Needs dnsmasq (dnsmasq-base).

set -euo pipefail

if [ "${MTA_STS_NETNS:-}" != 1 ]; then
    exec sh "$(dirname "$0")/../util/netns.sh" bash "$0" "$@"
fi

nginx=$1
module=$2
out=${3:-build/dns-scale}
n=${DNS_SCALE_N:-10000}
dns=53535
pids=()

cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

rm -rf "$out"
mkdir -p "$out/logs" "$out/conf"
out=$(cd "$out" && pwd)

# the ids: one nginx -t with every record listed
{
    echo "load_module $module;"
    echo "worker_processes 1;"
    echo "error_log logs/error.log info;"
    echo "pid logs/nginx.pid;"
    echo "events { worker_connections 1024; }"
    echo "http {"
    echo "    mta_sts_check off;"
    echo "    mta_sts_check_listener off;"
    echo "    mta_sts_txt_log all;"
    [ "${DNS_SCALE_OFF:-0}" = 1 ] && echo "    mta_sts_check_dns off;"
    echo "    resolver 127.0.0.1:$dns;"
    echo "    resolver_timeout 5s;"
    echo "    server_names_hash_max_size 32768;"
    for i in $(seq 1 "$n"); do
        echo "    server { listen 127.0.0.1:18293; server_name mta-sts.d$i.test;"
        echo "             mta_sts_mode enforce; mta_sts_mx mx.d$i.test; }"
    done
    echo "}"
} > "$out/conf/nginx.conf"

"$nginx" -t -p "$out/" -c conf/nginx.conf 2>"$out/t.log" || true

{
    echo "no-resolv"
    echo "no-hosts"
    echo "local=/test/"
    echo "cache-size=0"
    sed -n 's/.*publish _mta-sts\.\(d[0-9]*\.test\)\. TXT "\(v=STSv1; id=[0-9a-f]*\)".*/\1 \2/p' \
        "$out/t.log" "$out/logs/error.log" | sort -u |
    while read -r d rec; do
        echo "txt-record=_mta-sts.$d,$rec"
        echo "mx-host=$d,mx.$d,10"
        echo "host-record=mta-sts.$d,127.0.0.1"
        echo "txt-record=_smtp._tls.$d,v=TLSRPTv1; rua=mailto:r@$d"
    done
} > "$out/dnsmasq.conf"

dnsmasq --keep-in-foreground --conf-file="$out/dnsmasq.conf" \
    --listen-address=127.0.0.1 --bind-interfaces --port=$dns --pid-file= \
    --dns-forward-max=1000 >"$out/dnsmasq.out" 2>&1 &
dnsmasq_pid=$!
pids+=("$dnsmasq_pid")
sleep 2
dcpu0=$(awk '{ print $14 + $15 }' "/proc/$dnsmasq_pid/stat")

rm -f "$out/logs/error.log"
"$nginx" -p "$out/" -c conf/nginx.conf 2>/dev/null
master=$(cat "$out/logs/nginx.pid")
pids+=("$master")

worker=""
for _ in $(seq 1 100); do
    worker=$(pgrep -P "$master" | head -n 1 || true)
    [ -n "$worker" ] && break
    sleep 0.1
done

if [ "${DNS_SCALE_OFF:-0}" = 1 ]; then
    # the same nginx without the check: the worker's own memory
    sleep 6
    echo "check off: worker peak memory $(awk '/VmHWM/ { print $2 }' \
          "/proc/$worker/status") kB (VmHWM)"
    kill -QUIT "$master"
    exit 0
fi

cpu0=$(awk '{ print $14 + $15 }' "/proc/$worker/stat")
maxfd=0
base=$(ls "/proc/$worker/fd" | wc -l)

# until every domain has its last finding (the TLSRPT one, info); the
# log is read twice a second, the fds sampled every 10 ms
for i in $(seq 1 60000); do
    fds=$(ls "/proc/$worker/fd" 2>/dev/null | wc -l)
    [ "$fds" -gt "$maxfd" ] && maxfd=$fds
    if [ $((i % 50)) = 0 ]; then
        done_n=$(grep -c '_smtp\._tls\.d[0-9]*\.test TXT' \
                 "$out/logs/error.log" || true)
        [ "$done_n" -ge "$n" ] && break
    fi
    sleep 0.01
done

cpu1=$(awk '{ print $14 + $15 }' "/proc/$worker/stat")
dcpu1=$(awk '{ print $14 + $15 }' "/proc/$dnsmasq_pid/stat")
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$worker/status")
tck=$(getconf CLK_TCK)

first=$(grep -m1 'MTA-STS DNS check of' "$out/logs/error.log" \
        | awk '{ print $2 }')
last=$(grep 'MTA-STS DNS check of' "$out/logs/error.log" | tail -n 1 \
       | awk '{ print $2 }')
bad=$(grep -c '\[\(warn\|notice\)\].*MTA-STS DNS check of' \
      "$out/logs/error.log" || true)

echo "domains:                 $n ($((n * 5)) questions)"
echo "first finding .. last:   $first .. $last"
echo "worker CPU time:         $(( (cpu1 - cpu0) * 1000 / tck )) ms"
echo "dnsmasq CPU time:        $(( (dcpu1 - dcpu0) * 1000 / tck )) ms"
echo "worker peak memory:      $hwm kB (VmHWM)"
echo "worker fds at most:      $maxfd (at start: $base)"
echo "findings not good:       $bad"

kill -QUIT "$master"
