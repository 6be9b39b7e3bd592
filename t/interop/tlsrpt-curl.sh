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
label="interop tlsrpt"          # of the closing line
ns=mta-sts-tlsrpt-$$
url=https://mta-sts.example.com/.well-known/tlsrpt

# TAP output, the namespace and the cleanup, shared with mta-sts-query.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1

need_root "network namespaces and port 443 need root"
need_args
netns_up

# the name of the site is in the namespace's /etc/hosts only: without it
# curl cannot reach nginx, so the files must be there to be bound over
etc_needed hosts nsswitch.conf
etc hosts "127.0.0.1 localhost mta-sts.example.com"
etc nsswitch.conf "hosts: files"

# curl takes the CA from SSL_CERT_FILE, which nsenv sets (and ignores it
# when SSL_CERT_DIR is set): the command stays the reporter's own
work_dir /tmp/mta-sts-tlsrpt conf logs tmp reports

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
