#!/bin/sh
# "make run": nginx with the module in the foreground, serving the policy
# of examples/nginx.conf on https://127.0.0.1:8443 with a self-signed
# certificate and receiving TLS reports into DIR/reports (emptied here),
# and the commands to fetch the policy and the TXT record to publish.
#
#   util/run.sh NGINX MODULE DIR

set -eu

nginx=$1
module=$2
dir=$3
host=mta-sts.example.com
port=8443

mkdir -p "$dir/conf" "$dir/logs" "$dir/temp"
cp examples/nginx.conf "$dir/conf/nginx.conf"

if [ ! -f "$dir/conf/$host.crt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$host" \
        -addext "subjectAltName=DNS:$host" \
        -keyout "$dir/conf/$host.key" -out "$dir/conf/$host.crt" 2>/dev/null
fi

# the reports of this run only; started as root, nginx runs its workers
# as the user it was built for (nobody unless configured --user=...),
# and they write the reports
rm -rf "$dir/reports"
mkdir -p "$dir/reports"

if [ "$(id -u)" = 0 ]; then
    user=$("$nginx" -V 2>&1 | sed -n 's/.* --user=\([^ ]*\).*/\1/p')
    user=${user:-nobody}
    chown "$user" "$dir/reports"

    if command -v runuser >/dev/null \
       && ! runuser -u "$user" -- test -w "$dir/reports" 2>/dev/null
    then
        echo "make run: the worker user $user cannot reach $dir/reports" \
             "(a folder above it is closed to it): a TLS report gets 500"
    fi
fi

# "nginx -t" says what it says only when it fails: nginx says it again
# when it starts, and once is enough
if ! out=$("$nginx" -t -q -p "$dir/" -c conf/nginx.conf \
               -g "load_module $module;" 2>&1)
then
    echo "$out"
    exit 1
fi

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
The warning that its certificate is self-signed is expected: this demo's
certificate is made here, and no sender would trust it.

Fetch it as a sending MTA does:
    $fetch https://$host:$port/.well-known/mta-sts.txt

Publish this DNS record (its id follows the policy, check it after changes):
    $record

TLS reports POSTed to https://$host:$port/.well-known/tlsrpt are stored in
$dir/reports/ (README.md, "Receiving TLS reports", has a sample).

Ctrl-C stops nginx.
MSG

wait $pid
