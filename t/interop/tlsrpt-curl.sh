#!/bin/bash
# Interoperability with a real TLS report sender (RFC 8460, section 5.4):
# the sys4 tlsrpt-reporter, which Postfix 3.10 uses, delivers a report to
# an https rua by piping the gzip'd report into
#
#     curl --silent --header 'Content-Type: application/tlsrpt+gzip' \
#          --data-binary @- URL
#
# (tlsrpt_reporter/tlsrpt.py).  That exact command, with curl checking the
# certificate against a CA made here, and a POST over HTTP/2, against nginx
# with mta_sts_tlsrpt on https://mta-sts.example.com/.well-known/tlsrpt;
# the stored file must be the sent bytes exactly.
#
#   t/interop/tlsrpt-curl.sh [NGINX [MODULE]]     (or env NGINX, MODULE)
#
# Runs in a network namespace of its own (nginx on 127.0.0.1:443, the name
# in the namespace's /etc/hosts).  Needs root (skips otherwise, or when
# network namespaces are not permitted; INTEROP_REQUIRED=1 makes that a
# failure).  Debian packages: iproute2 curl openssl gzip.

set -u

nginx=${1:-${NGINX:-/usr/sbin/nginx}}
module=${2:-${MODULE:-}}

ns=mta-sts-tlsrpt-$$
etcns=/etc/netns/$ns
made_etc_netns=0
made_ns=0
dir=""
nginx_pid=""
n=0
passed=0
failed=0
url=https://mta-sts.example.com/.well-known/tlsrpt

path=/usr/sbin:/usr/bin:/sbin:/bin

skip() {
    echo "# $2"

    if [ "${INTEROP_REQUIRED:-0}" = 1 ]; then
        echo "not ok 1 - $1 (INTEROP_REQUIRED=1)"
        echo "interop tlsrpt: 0 passed, 1 failed"
        exit 1
    fi

    echo "interop tlsrpt: skipped ($1)"
    exit 0
}

pass() {
    n=$((n + 1))
    passed=$((passed + 1))
    echo "ok $n - $1"
}

fail() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    shift
    [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/#   /'
}

is() {
    if [ "$2" == "$3" ]; then
        pass "$1"
    else
        fail "$1" "expected: $2" "     got: $3"
    fi
}

cleanup() {
    local p i=0

    trap - EXIT INT TERM

    if [ -n "$nginx_pid" ]; then
        kill -TERM "$nginx_pid" 2>/dev/null
        while kill -0 "$nginx_pid" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -KILL "$nginx_pid" 2>/dev/null
        wait "$nginx_pid" 2>/dev/null
    fi

    if [ $made_ns = 1 ]; then
        for p in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$p" 2>/dev/null
        done
        ip netns del "$ns" 2>/dev/null
    fi

    rm -rf "$etcns"
    [ $made_etc_netns = 1 ] && rmdir /etc/netns 2>/dev/null
    [ -n "$dir" ] && rm -rf "$dir"
}

finish() {
    if [ $failed -gt 0 ] && [ -n "$dir" ]; then
        echo "# nginx error.log:"
        tail -n 20 "$dir/logs/error.log" 2>/dev/null | sed 's/^/#   /'
    fi

    echo "interop tlsrpt: $passed passed, $failed failed"
    [ $failed -eq 0 ] && exit 0
    exit 1
}

if [ "$(id -u)" != 0 ]; then
    skip "needs root" "network namespaces and port 443 need root"
fi

if [ -z "$module" ] || [ ! -f "$module" ] || [ ! -x "$nginx" ]; then
    echo "usage: $0 NGINX MODULE.so" >&2
    echo "interop tlsrpt: 0 passed, 1 failed"
    exit 2
fi

module=$(realpath "$module")

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! err=$(ip netns add "$ns" 2>&1); then
    skip "network namespaces not permitted" "ip netns add: $err"
fi

made_ns=1

if ! err=$(ip netns exec "$ns" ip link set lo up 2>&1); then
    skip "network namespaces not permitted" "ip netns exec: $err"
fi

[ -d /etc/netns ] || made_etc_netns=1

if ! mkdir -p "$etcns" 2>/dev/null; then
    skip "network namespaces not permitted" "cannot create $etcns"
fi

# "ip netns exec" binds these over /etc/hosts and /etc/nsswitch.conf: it
# can only bind over files that exist (a debootstrap root has no hosts)
for f in hosts nsswitch.conf; do
    if [ ! -e /etc/$f ]; then
        fail "/etc/$f exists, for the namespace's own to be bound over it"
        finish
    fi
done

printf '127.0.0.1 localhost mta-sts.example.com\n' > "$etcns/hosts"
printf 'hosts: files\n' > "$etcns/nsswitch.conf"

dir=$(mktemp -d /tmp/mta-sts-tlsrpt.XXXXXX)
chmod 755 "$dir"
mkdir -p "$dir/conf" "$dir/logs" "$dir/tmp" "$dir/reports"

# curl takes the CA from SSL_CERT_FILE (and ignores it when SSL_CERT_DIR
# is set), so the command stays the
# reporter's own
nsenv=(ip netns exec "$ns" env -i PATH="$path" LANG=C.UTF-8 HOME="$dir"
       SSL_CERT_FILE="$dir/ca.crt")

echo "# $("$nginx" -v 2>&1), $(curl --version | head -n 1)"

if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
       -nodes -days 2 -subj "/CN=tlsrpt interop test CA $$" \
       -addext "basicConstraints=critical,CA:TRUE" \
       -addext "keyUsage=critical,keyCertSign,cRLSign" \
       -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null \
   && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
       -nodes -subj "/CN=mta-sts.example.com" -keyout "$dir/site.key" \
       -out "$dir/site.csr" 2>/dev/null \
   && printf 'subjectAltName=DNS:mta-sts.example.com\nextendedKeyUsage=serverAuth\n' \
       > "$dir/site.ext" \
   && openssl x509 -req -in "$dir/site.csr" -CA "$dir/ca.crt" \
       -CAkey "$dir/ca.key" -CAcreateserial -days 2 -extfile "$dir/site.ext" \
       -out "$dir/site.crt" 2>/dev/null
then
    pass "test CA and certificate made"
else
    fail "test CA and certificate made"
    finish
fi

cat > "$dir/conf/nginx.conf" <<EOF
load_module $module;

user              root;
worker_processes  1;
error_log         $dir/logs/error.log info;
pid               $dir/logs/nginx.pid;

events {
    worker_connections  64;
}

http {
    client_body_temp_path  $dir/tmp/body;
    proxy_temp_path        $dir/tmp/proxy;
    fastcgi_temp_path      $dir/tmp/fastcgi;
    uwsgi_temp_path        $dir/tmp/uwsgi;
    scgi_temp_path         $dir/tmp/scgi;

    log_format  tlsrpt  '\$server_protocol \$status \$mta_sts_tlsrpt_result'
                        ' \$mta_sts_tlsrpt_file';
    access_log  $dir/logs/access.log  tlsrpt;

    server {
        listen       127.0.0.1:443 ssl http2;
        server_name  mta-sts.example.com;

        ssl_certificate      $dir/site.crt;
        ssl_certificate_key  $dir/site.key;

        mta_sts_mode  testing;
        mta_sts_mx    mail.example.com;

        location = /.well-known/tlsrpt {
            mta_sts_tlsrpt  $dir/reports;
        }
    }
}
EOF

"${nsenv[@]}" "$nginx" -p "$dir/" -c "$dir/conf/nginx.conf" \
    -e "$dir/logs/error.log" -g "daemon off;" \
    </dev/null >>"$dir/logs/nginx.out" 2>&1 &
nginx_pid=$!

i=0
up=""
while [ $i -lt 50 ] && kill -0 "$nginx_pid" 2>/dev/null; do
    if "${nsenv[@]}" curl -s -o /dev/null "$url"; then
        up=1
        break
    fi
    sleep 0.1
    i=$((i + 1))
done

if [ -n "$up" ]; then
    pass "nginx (pid $nginx_pid) answers on https://mta-sts.example.com"
else
    fail "nginx (pid $nginx_pid) answers on https://mta-sts.example.com" \
        "$(tail -n 5 "$dir/logs/nginx.out" "$dir/logs/error.log" 2>/dev/null)"
    finish
fi

# report ORG ID DOMAIN: a report as the sys4 reporter writes one
report() {
    printf '{"organization-name":"%s","date-range":{"start-datetime":"2025-06-01T00:00:00Z","end-datetime":"2025-06-01T23:59:59Z"},"contact-info":"tlsrpt@mail.example.org","report-id":"%s","policies":[{"policy":{"policy-type":"sts","policy-string":["version: STSv1","mode: testing","mx: mail.example.com","max_age: 604800"],"policy-domain":"%s","mx-host":["mail.example.com"]},"summary":{"total-successful-session-count":41,"total-failure-session-count":1},"failure-details":[{"result-type":"validation-failure","sending-mta-ip":"192.0.2.25","receiving-mx-hostname":"mail.example.com","receiving-ip":"198.51.100.25","failed-session-count":1}]}]}' \
        "$1" "$2" "$3"
}

# last: the access log's last line without the file name
last() {
    tail -n 1 "$dir/logs/access.log" | cut -d ' ' -f 1-3
}

# stored_is NAME SENT: the file the last request stored is the sent bytes
stored_is() {
    local name=$1 sent=$2 f

    f=$(tail -n 1 "$dir/logs/access.log" | cut -d ' ' -f 4-)

    if [ -n "$f" ] && cmp -s "$sent" "$dir/reports/$f"; then
        pass "$name: the stored file is the sent bytes ($f)"
    else
        fail "$name: the stored file is the sent bytes" \
            "files: $(ls "$dir/reports")"
    fi
}

# 1. the sys4 tlsrpt-reporter's command, as Postfix runs it

report mail.example.org 2025-06-01T00:00:00Z_mail.example.org example.com \
    | gzip -9 > "$dir/r1.gz"

"${nsenv[@]}" sh -c "curl --silent --header 'Content-Type: application/tlsrpt+gzip' --data-binary @- $url" \
    < "$dir/r1.gz" > "$dir/out1"
is "tlsrpt-reporter's curl: exit 0" 0 $?
is "tlsrpt-reporter's curl: empty answer body" "" "$(cat "$dir/out1")"
# curl 7.88 negotiates HTTP/2 by ALPN: that is what the reporter uses
is "tlsrpt-reporter's curl: 201 stored (HTTP/2, by ALPN)" \
    "HTTP/2.0 201 stored" "$(last)"
stored_is "tlsrpt-reporter's curl" "$dir/r1.gz"

# the same report again: stored once
"${nsenv[@]}" sh -c "curl --silent --header 'Content-Type: application/tlsrpt+gzip' --data-binary @- $url" \
    < "$dir/r1.gz" > /dev/null
is "the same report again: 200 duplicate" "HTTP/2.0 200 duplicate" \
    "$(last)"
is "the same report again: one file" 1 "$(ls "$dir/reports" | wc -l)"

# curl checks the certificate: with the system's CAs only, no delivery
"${nsenv[@]}" env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt sh -c \
    "curl --silent --header 'Content-Type: application/tlsrpt+gzip' --data-binary @- $url" \
    < "$dir/r1.gz" > /dev/null
rc=$?
is "curl checks the certificate (not the test CA: exit 60)" 60 "$rc"

# the same command over HTTP/1.1
report mail.example.org 2025-06-02T00:00:00Z_mail.example.org example.com \
    | gzip -9 > "$dir/r0.gz"

"${nsenv[@]}" sh -c "curl --http1.1 --silent --header 'Content-Type: application/tlsrpt+gzip' --data-binary @- $url" \
    < "$dir/r0.gz" > /dev/null
is "the command with --http1.1: 201 stored" "HTTP/1.1 201 stored" \
    "$(last)"
stored_is "the command with --http1.1" "$dir/r0.gz"

# 2. a POST over HTTP/2, asked for

report "Example Sender" 133944884956529435+ example.com | gzip -9 \
    > "$dir/r2.gz"

got=$("${nsenv[@]}" curl --silent --show-error --http2 \
        --header 'Content-Type: application/tlsrpt+gzip' \
        --data-binary @"$dir/r2.gz" -o /dev/null \
        -w '%{http_version} %{http_code}' "$url" 2>&1)
is "HTTP/2 POST: 201" "2 201" "$got"
is "HTTP/2 POST: logged as stored" "HTTP/2.0 201 stored" \
    "$(last)"
stored_is "HTTP/2 POST" "$dir/r2.gz"

# a report of 300,000 bytes of gzip, more than client_body_buffer_size
# and more than one HTTP/2 window, over HTTP/2
{
    printf '{"organization-name":"big","date-range":{"start-datetime":"2025-06-01T00:00:00Z","end-datetime":"2025-06-01T23:59:59Z"},"report-id":"big-1","policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},"failure-details":['
    head -c 300000 /dev/urandom | od -An -tx1 -v | tr -d ' \n' \
        | fold -w 64 | sed 's/.*/{"result-type":"x-&"},/'
    printf '{"result-type":"last"}]}]}'
} | gzip -1 > "$dir/r3.gz"

got=$("${nsenv[@]}" curl --silent --show-error --http2 \
        --data-binary @"$dir/r3.gz" -o /dev/null \
        -w '%{http_version} %{http_code}' "$url" 2>&1)
is "HTTP/2 POST of $(stat -c %s "$dir/r3.gz") bytes: 201" "2 201" "$got"
stored_is "HTTP/2 POST, large" "$dir/r3.gz"

if grep -q '\[emerg\]\|\[alert\]\|\[crit\]\|\[error\]' "$dir/logs/error.log"
then
    fail "no error, crit, alert or emerg in error.log" \
        "$(grep '\[emerg\]\|\[alert\]\|\[crit\]\|\[error\]' \
           "$dir/logs/error.log")"
else
    pass "no error, crit, alert or emerg in error.log"
fi

finish
