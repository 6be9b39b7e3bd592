#!/bin/sh
# "make run": nginx with the module in the foreground, serving the policy
# of examples/nginx.conf on https://127.0.0.1:8443 with a self-signed
# certificate, and the commands to fetch it and the TXT record to publish.
#
#   util/run.sh NGINX MODULE DIR

set -eu

nginx=$1
module=$2
dir=$3
host=mta-sts.example.com
port=8443

mkdir -p "$dir/conf" "$dir/logs"
cp examples/nginx.conf "$dir/conf/nginx.conf"

if [ ! -f "$dir/conf/$host.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$host" \
        -addext "subjectAltName=DNS:$host" \
        -keyout "$dir/conf/$host.key" -out "$dir/conf/$host.crt" 2>/dev/null
fi

"$nginx" -t -q -p "$dir/" -c conf/nginx.conf -g "load_module $module;"
"$nginx" -p "$dir/" -c conf/nginx.conf -g "daemon off; load_module $module;" &
pid=$!

trap 'kill -QUIT $pid 2>/dev/null; wait $pid; exit 0' INT TERM

fetch="curl -s --cacert $dir/conf/$host.crt --resolve $host:$port:127.0.0.1"
record=""
i=0

while [ $i -lt 50 ] && [ -z "$record" ]; do
    sleep 0.1
    record=$($fetch -f "https://$host:$port/mta-sts-record" || true)
    i=$((i + 1))
done

if [ -z "$record" ]; then
    echo "nginx did not answer on 127.0.0.1:$port, see $dir/logs/error.log"
    kill -QUIT $pid 2>/dev/null
    exit 1
fi

cat <<MSG

nginx (pid $pid) serves the MTA-STS policy of example.com on 127.0.0.1:$port.

Fetch it as a sending MTA does:
    $fetch https://$host:$port/.well-known/mta-sts.txt

Publish this DNS record (its id follows the policy, check it after changes):
    $record

Ctrl-C stops nginx.
MSG

wait $pid
