#!/bin/bash
# Interoperability with a real MTA-STS sender: postfix-mta-sts-resolver's
# mta-sts-query looks up _mta-sts.<domain> TXT, fetches
# https://mta-sts.<domain>/.well-known/mta-sts.txt with certificate checks
# and parses the policy, here from nginx with the module.
#
#   t/interop/mta-sts-query.sh [NGINX [MODULE]]     (or env NGINX, MODULE)
#
# Everything runs in a network namespace of its own: dnsmasq on
# 127.0.0.1:53 answers the A and TXT records of example.com and example.org
# (and nothing else, it forwards nowhere), nginx serves both on
# 127.0.0.1:443 with certificates from a CA made here (SSL_CERT_FILE).  The
# TXT records publish the ids the running nginx gives at /mta-sts-record,
# as the README tells admins to.  Needs root (skips otherwise, or when
# network namespaces are not permitted; INTEROP_REQUIRED=1 makes that a
# failure).  Debian packages: postfix-mta-sts-resolver dnsmasq-base
# iproute2 curl openssl.

set -u

nginx=${1:-${NGINX:-/usr/sbin/nginx}}
module=${2:-${MODULE:-}}
label=interop                   # of the closing line
ns=mta-sts-interop-$$
dns_pid=""                      # set before cleanup can run, which stops it

# TAP output, the namespace and the cleanup, shared with tlsrpt-curl.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || exit 1

# dnsmasq stopped after nginx; its log shown after nginx's on a failure
stop_pids+=(dns_pid)
fail_logs+=("dnsmasq log" dnsmasq.log)

# nsrun CMD...: CMD in the namespace, as nsenv (lib.sh) runs it
nsrun() {
    "${nsenv[@]}" "$@"
}

# children_of PID: the processes (not zombies) whose parent is PID, from
# the ppid field of /proc/<pid>/stat
children_of() {
    local stat line

    for stat in /proc/[0-9]*/stat; do
        { read -r line < "$stat"; } 2>/dev/null || continue
        line=${line##*) }
        set -- "$1" $line
        [ "$3" = "$1" ] && [ "$2" != Z ] && [ "$2" != X ] \
            && { stat=${stat#/proc/}; echo "${stat%/stat}"; }
    done
}

need_root "network namespaces, port 53 and port 443 need root"
need_args

missing=""
for c in ip dnsmasq mta-sts-query curl openssl timeout ss; do
    PATH=$path command -v "$c" >/dev/null || missing="$missing $c"
done

if [ -n "$missing" ]; then
    fail "commands present" "missing:$missing" \
        "apt-get install -y postfix-mta-sts-resolver dnsmasq-base iproute2 curl openssl"
    finish
fi

netns_up

# the sender's resolvers (c-ares for TXT, glibc for A) ask dnsmasq only;
# where an /etc file is missing, the resolvers' default is the same
etc resolv.conf "nameserver 127.0.0.1"
etc hosts "127.0.0.1 localhost
::1 localhost"
etc nsswitch.conf "hosts: files dns"

work_dir /tmp/mta-sts-interop conf logs tmp no-certs

echo "# $("$nginx" -v 2>&1), module $module"
echo "# $(dpkg-query -W -f='${Package} ${Version}' postfix-mta-sts-resolver \
            2>/dev/null)"

# the CA, and a certificate per site as a real host would have

cert() {    # NAME SAN...
    local name=$1 san="" h
    shift
    for h; do san="$san${san:+,}DNS:$h"; done

    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj "/CN=$1" -keyout "$dir/$name.key" -out "$dir/$name.csr" \
        2>/dev/null &&
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
        "$san" > "$dir/$name.ext" &&
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" \
        -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
        -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
}

ca() {      # FILE-BASE
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -days 2 -subj "/CN=mta-sts interop test CA $$" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$1.key" -out "$1.crt" 2>/dev/null
}

if ca "$dir/ca" && ca "$dir/other-ca" \
   && cert example.com mta-sts.example.com \
   && cert example.org example.org www.example.org mta-sts.example.org
then
    pass "test CA and certificates made"
else
    fail "test CA and certificates made"
    finish
fi

# the configuration: example.com as examples/nginx.conf, example.org as
# examples/site-alias.conf (the website's server, proxying everything)

# write_conf COM_MODE COM_MAX_AGE ORG_MODE ORG_MAX_AGE ORG_MX...
write_conf() {
    local com_mode=$1 com_age=$2 org_mode=$3 org_age=$4
    shift 4

    cat > "$dir/conf/nginx.conf" <<EOF
load_module $module;

worker_processes  1;
error_log         $dir/logs/error.log notice;
pid               $dir/logs/nginx.pid;

events {
    worker_connections  64;
}

http {
    access_log             $dir/logs/access.log;
    client_body_temp_path  $dir/tmp/body;
    proxy_temp_path        $dir/tmp/proxy;
    fastcgi_temp_path      $dir/tmp/fastcgi;
    uwsgi_temp_path        $dir/tmp/uwsgi;
    scgi_temp_path         $dir/tmp/scgi;

    mta_sts_mx       mail.example.com *.mx.example.net;
    mta_sts_max_age  1w;

    server {
        listen       127.0.0.1:443 ssl http2;
        server_name  mta-sts.example.com;

        ssl_certificate      $dir/example.com.crt;
        ssl_certificate_key  $dir/example.com.key;

        mta_sts_mode     $com_mode;
        mta_sts_max_age  $com_age;

        location = /mta-sts-record {
            allow  127.0.0.1;
            deny   all;

            default_type  text/plain;
            return 200 "_mta-sts.\$mta_sts_domain. TXT \"v=STSv1; id=\$mta_sts_policy_id\"\n";
        }
    }

    server {
        listen       127.0.0.1:443 ssl http2;
        server_name  example.org www.example.org mta-sts.example.org;

        ssl_certificate      $dir/example.org.crt;
        ssl_certificate_key  $dir/example.org.key;

        mta_sts_mode     $org_mode;
        mta_sts_mx       $*;
        mta_sts_max_age  $org_age;

        location / {
            proxy_pass  http://127.0.0.1:8080;
        }

        location = /mta-sts-record {
            allow  127.0.0.1;
            deny   all;

            default_type  text/plain;
            return 200 "_mta-sts.\$mta_sts_domain. TXT \"v=STSv1; id=\$mta_sts_policy_id\"\n";
        }
    }

    # the website behind example.org
    server {
        listen       127.0.0.1:8080;
        default_type text/plain;
        return 200 "the website\n";
    }
}
EOF
}

# body MODE MAX_AGE MX...: the policy expected, CRLF lines
body() {
    local mode=$1 age=$2 mx
    shift 2
    printf 'version: STSv1\r\nmode: %s\r\n' "$mode"
    for mx; do printf 'mx: %s\r\n' "$mx"; done
    printf 'max_age: %s\r\n' "$age"
}

# parsed MODE MAX_AGE ID MX...: mta-sts-query's result, as normalize prints
parsed() {
    local mode=$1 age=$2 id=$3 mx
    shift 3
    mx=$(IFS=,; echo "$*")
    echo "VALID id=$id version=STSv1 mode=$mode max_age=$age mx=$mx" \
         "keys=max_age,mode,mx,version"
}

# mta-sts-query prints a Python repr:
#   (<STSFetchResult.VALID: 1>, ('ID', {'mx': [...], 'version': ..., ...}))
#   (<STSFetchResult.NOT_CHANGED: 3>, None)
normalize='
import ast, re, sys
s = sys.stdin.read().strip()
m = re.fullmatch(r"\(<STSFetchResult\.(\w+): \d+>, (.*)\)", s, re.S)
if not m:
    print("unparsed: " + s)
    sys.exit(0)
res = ast.literal_eval(m.group(2))
if res is None:
    print(m.group(1))
    sys.exit(0)
pid, pol = res
print("%s id=%s version=%s mode=%s max_age=%r mx=%s keys=%s" % (
    m.group(1), pid, pol.get("version"), pol.get("mode"), pol.get("max_age"),
    ",".join(pol.get("mx", [])), ",".join(sorted(pol))))
'

# query DOMAIN [KNOWN_ID]: mta-sts-query in the namespace, normalized
query() {
    local out
    # Python's ssl trusts SSL_CERT_FILE and SSL_CERT_DIR: only the test CA
    # (curl ignores SSL_CERT_FILE when SSL_CERT_DIR is set: not for curl)
    out=$(nsrun env SSL_CERT_FILE="${query_ca:-$dir/ca.crt}" \
              SSL_CERT_DIR="$dir/no-certs" \
              timeout 20 mta-sts-query "$@" 2>"$dir/query.err")
    printf '%s' "$out" | env -i PATH=$path python3 -c "$normalize"
}

# query_is NAME EXPECTED DOMAIN [KNOWN_ID]
query_is() {
    local name=$1 exp=$2 got
    shift 2
    got=$(query "$@")

    if [ "$exp" == "$got" ]; then
        pass "$name"
    else
        fail "$name" "expected: $exp" "     got: $got" \
            "mta-sts-query stderr:" "$(cat "$dir/query.err")"
    fi
}

curl_opts=(-sS --max-time 5 -f)

# record DOMAIN: the TXT record line from the running server, as the
# README does (curl --resolve, before DNS has it)
record() {
    nsrun curl "${curl_opts[@]}" --resolve "mta-sts.$1:443:127.0.0.1" \
        "https://mta-sts.$1/mta-sts-record" 2>&1
}

declare -A txt id

# get_record DOMAIN: checks its form, sets txt[DOMAIN] and id[DOMAIN]
get_record() {
    local r re
    r=$(record "$1")
    re="^_mta-sts\.${1//./\\.}\. TXT \"(v=STSv1; id=([0-9a-f]{32}))\"$"

    if [[ $r =~ $re ]]; then
        txt[$1]=${BASH_REMATCH[1]}
        id[$1]=${BASH_REMATCH[2]}
        pass "record of $1 from the server: ${BASH_REMATCH[1]}"
    else
        txt[$1]=""
        id[$1]=""
        fail "record of $1 from the server" "expected to match: $re" \
            "                got: $r"
    fi
}

# start_dns: (re)starts dnsmasq with the records in txt[]
start_dns() {
    local d i=0 args=()

    if [ -n "$dns_pid" ]; then
        pid_stop "$dns_pid"
        dns_pid=""
    fi

    for d in example.com example.org; do
        args+=("--local=/$d/" "--host-record=mta-sts.$d,127.0.0.1")
        [ -n "${txt[$d]}" ] && args+=("--txt-record=_mta-sts.$d,${txt[$d]}")
    done

    "${nsenv[@]}" dnsmasq --keep-in-foreground --conf-file=/dev/null \
        --no-resolv --no-hosts --listen-address=127.0.0.1 --bind-interfaces \
        --port=53 --pid-file="$dir/dnsmasq.pid" \
        --log-queries --log-facility="$dir/dnsmasq.log" \
        --host-record=www.example.org,127.0.0.1 "${args[@]}" \
        </dev/null >>"$dir/dnsmasq.out" 2>&1 &
    dns_pid=$!

    while [ $i -lt 50 ]; do
        kill -0 "$dns_pid" 2>/dev/null || break
        if [ -n "$(nsrun ss -Hlun 'sport = :53' 2>/dev/null)" ]; then
            pass "dnsmasq (pid $dns_pid) answers on 127.0.0.1:53"
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done

    fail "dnsmasq (pid $dns_pid) answers on 127.0.0.1:53" \
        "$(cat "$dir/dnsmasq.out" 2>/dev/null)"
    finish
}

# fetch VERSION DOMAIN FILE: the policy over DNS + CA, as a sender; prints
# the HTTP version curl used
fetch() {
    nsrun curl "${curl_opts[@]}" "--$1" -o "$3" -w '%{http_version}' \
        "https://mta-sts.$2/.well-known/mta-sts.txt" 2>>"$dir/curl.err"
}

# check_bodies DOMAIN MODE MAX_AGE MX...: HTTP/1.1 and HTTP/2 give the
# bytes expected
check_bodies() {
    local d=$1 v1 v2
    shift

    body "$@" > "$dir/expected"
    rm -f "$dir/h1" "$dir/h2"
    v1=$(fetch http1.1 "$d" "$dir/h1")
    v2=$(fetch http2 "$d" "$dir/h2")

    is "$d: curl --http1.1 used HTTP/1.1" "1.1" "$v1"
    is "$d: curl --http2 used HTTP/2" "2" "$v2"

    if cmp -s "$dir/expected" "$dir/h1"; then
        pass "$d: HTTP/1.1 body is the expected policy, CRLF lines"
    else
        fail "$d: HTTP/1.1 body is the expected policy, CRLF lines" \
            "expected: $(od -c "$dir/expected")" \
            "     got: $(od -c "$dir/h1" 2>&1)" "$(cat "$dir/curl.err")"
    fi

    if [ -s "$dir/h1" ] && cmp -s "$dir/h1" "$dir/h2"; then
        pass "$d: HTTP/2 body is the HTTP/1.1 body, byte for byte"
    else
        fail "$d: HTTP/2 body is the HTTP/1.1 body, byte for byte" \
            "HTTP/1.1: $(od -c "$dir/h1" 2>&1)" \
            "HTTP/2:   $(od -c "$dir/h2" 2>&1)" "$(cat "$dir/curl.err")"
    fi
}

# --- phase 1: example.com enforce, example.org testing -----------------

com_mx=(mail.example.com '*.mx.example.net')
org_mx=(mail.example.org backup-mx.example.net)

write_conf enforce 1w testing 1d "${org_mx[@]}"

"${nsenv[@]}" "$nginx" -p "$dir/" -c "$dir/conf/nginx.conf" -e "$dir/logs/error.log" \
    -g "daemon off;" </dev/null >>"$dir/logs/nginx.out" 2>&1 &
nginx_pid=$!

i=0
up=""
last=""
while [ $i -lt 50 ] && kill -0 "$nginx_pid" 2>/dev/null; do
    if last=$(record example.com); then
        up=1
        break
    fi
    sleep 0.1
    i=$((i + 1))
done

if [ -n "$up" ]; then
    pass "nginx (pid $nginx_pid) with the module answers on 127.0.0.1:443"
else
    fail "nginx (pid $nginx_pid) with the module answers on 127.0.0.1:443" \
        "$last" "$(cat "$dir/logs/nginx.out" "$dir/logs/error.log" 2>/dev/null)"
    finish
fi

get_record example.com
get_record example.org

if [ -z "${id[example.com]}" ] || [ -z "${id[example.org]}" ]; then
    finish
fi

if [ "${id[example.com]}" != "${id[example.org]}" ]; then
    pass "different policies, different ids"
else
    fail "different policies, different ids" "both ${id[example.com]}"
fi

start_dns

query_is "mta-sts-query example.com: enforce policy as configured" \
    "$(parsed enforce 604800 "${id[example.com]}" "${com_mx[@]}")" \
    example.com

query_is "mta-sts-query example.org (site alias, proxy_pass): testing policy" \
    "$(parsed testing 86400 "${id[example.org]}" "${org_mx[@]}")" \
    example.org

query_is "mta-sts-query example.com ID: NOT_CHANGED" \
    NOT_CHANGED example.com "${id[example.com]}"

query_ca=$dir/other-ca.crt
query_is "mta-sts-query checks the certificate (another CA: FETCH_ERROR)" \
    FETCH_ERROR example.com
query_ca=""

if grep -qi 'certificate verify failed' "$dir/query.err"; then
    pass "... because certificate verify failed"
else
    fail "... because certificate verify failed" "$(cat "$dir/query.err")"
fi

check_bodies example.com enforce 604800 "${com_mx[@]}"
check_bodies example.org testing 86400 "${org_mx[@]}"

is "example.org: the rest of the site still proxied" "the website" \
    "$(nsrun curl "${curl_opts[@]}" https://www.example.org/ 2>&1)"

# --- phase 2: reload with example.com none, example.org enforce ---------

old_com=${id[example.com]}
old_org=${id[example.org]}
org_mx2=(mail.example.org '*.mx.example.org')

write_conf none 1d enforce 2w "${org_mx2[@]}"

old_workers=$(children_of "$nginx_pid")

if kill -HUP "$nginx_pid"; then
    pass "nginx reload (SIGHUP to master $nginx_pid)"
else
    fail "nginx reload (SIGHUP to master $nginx_pid)"
fi

# the master starts the new workers and tells the old ones to stop 100 ms
# later; until they have exited they answer with the old config too
i=0
left=$old_workers
while [ -n "$left" ] && [ $i -lt 100 ]; do
    sleep 0.1
    i=$((i + 1))
    left=$(children_of "$nginx_pid" | grep -Fx "$old_workers")
done

if [ -n "$old_workers" ] && [ -z "$left" ]; then
    pass "the old workers ($(echo $old_workers)) exited after the reload"
else
    fail "the old workers ($(echo $old_workers)) exited after the reload" \
        "still running after 10 s: $(echo $left)"
fi

i=0
new=""
while [ $i -lt 50 ]; do
    new=$(record example.com)
    [[ $new != *"$old_com"* ]] && break
    sleep 0.1
    i=$((i + 1))
done

get_record example.com
get_record example.org

for d in example.com example.org; do
    old=$old_com
    [ $d = example.org ] && old=$old_org

    if [ -n "${id[$d]}" ] && [ "${id[$d]}" != "$old" ]; then
        pass "$d: id changed on reload ($old -> ${id[$d]})"
    else
        fail "$d: id changed on reload" "old: $old" "new: ${id[$d]}"
    fi
done

if grep -q '\[emerg\]\|\[alert\]' "$dir/logs/error.log"; then
    fail "no emerg or alert in error.log" \
        "$(grep '\[emerg\]\|\[alert\]' "$dir/logs/error.log")"
else
    pass "no emerg or alert in error.log"
fi

# DNS still has the old ids: a sender that knows them does not refetch
query_is "before the new TXT: mta-sts-query example.com OLD_ID: NOT_CHANGED" \
    NOT_CHANGED example.com "$old_com"

# publish the new ids (RFC 8461, 8.1: after the new policy is served)
start_dns

query_is "mta-sts-query example.com OLD_ID: fetches the new none policy" \
    "$(parsed none 86400 "${id[example.com]}" "${com_mx[@]}")" \
    example.com "$old_com"

query_is "mta-sts-query example.com NEW_ID: NOT_CHANGED" \
    NOT_CHANGED example.com "${id[example.com]}"

query_is "mta-sts-query example.org OLD_ID: fetches the new enforce policy" \
    "$(parsed enforce 1209600 "${id[example.org]}" "${org_mx2[@]}")" \
    example.org "$old_org"

query_is "mta-sts-query example.org NEW_ID: NOT_CHANGED" \
    NOT_CHANGED example.org "${id[example.org]}"

check_bodies example.com none 86400 "${com_mx[@]}"
check_bodies example.org enforce 1209600 "${org_mx2[@]}"

finish
