#!/bin/bash
# make soak: nginx with the module on loopback under full wrk load while
# its configuration switches between two policies and is reloaded every
# RELOAD_EVERY seconds, for SOAK_SECONDS.  Then the same with the policy
# built per request from two maps (mta_sts_mode $soak_mode; mta_sts_mx
# $soak_mx;, the answers cached per worker and configuration), and against
# a server answering the same bytes with "return 200", to tell the socket
# errors of
# nginx's own graceful shutdown of old workers from any the module adds.
#
#   bench/soak.sh NGINX MODULE [OUT_DIR]
#
# Pass: no non-200 answer, every sampled body exactly one of the two
# policies, no [alert] or [crit] in the log, the workers' resident memory
# flat across reloads, and no more socket errors than the return 200 run
# (with a margin for noise).  Prints the figures; exits 1 on a failure.

set -euo pipefail

nginx=$1
module=$2
out=${3:-build/soak}
seconds=${SOAK_SECONDS:-60}
every=${RELOAD_EVERY:-2}
port=18391
failed=0
pids=()

mkdir -p "$out"
out=$(cd "$out" && pwd)

cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    if [ -f "$out/logs/nginx.pid" ]; then
        kill -QUIT "$(cat "$out/logs/nginx.pid")" 2>/dev/null || true
    fi
}
trap cleanup EXIT

policy() {
    printf 'version: STSv1\r\nmode: enforce\r\nmx: %s\r\nmax_age: 604800\r\n' \
        "$1"
}

# the two policies the configuration switches between
policy mail-a.example.com > "$out/a.txt"
policy mail-b.example.com > "$out/b.txt"

# site KIND A|B: the server block serving policy A or B
site() {
    local mx=mail-${2,,}.example.com

    if [ "$1" = module ]; then
        printf '        mta_sts_mode enforce;\n'
        printf '        mta_sts_mx %s;\n' "$mx"
    elif [ "$1" = variables ]; then
        printf '        mta_sts_mode $soak_mode;\n'
        printf '        mta_sts_mx $soak_mx;\n'
    else
        printf '        location = /.well-known/mta-sts.txt {\n'
        printf '            default_type text/plain;\n'
        printf '            return 200 "%s";\n' \
            "$(policy "$mx" | sed 's/\r/\\r/g' | tr '\n' '#' \
               | sed 's/#/\\n/g')"
        printf '        }\n'
    fi
}

# maps KIND A|B: the http level maps of the variables kind, built per
# request from the Host (mta-sts.example.com), policy A or B
maps() {
    if [ "$1" = variables ]; then
        printf '    map $host $soak_mode {\n        default enforce;\n    }\n'
        printf '    map $host $soak_mx {\n'
        printf '        mta-sts.example.com mail-%s.example.com;\n' "${2,,}"
        printf '    }\n'
    fi
}

write_conf() {
    cat > "$out/nginx.conf" <<EOF
load_module $module;
worker_processes 1;
error_log logs/error.log notice;
pid logs/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    include maps.conf;
    server {
        listen 127.0.0.1:$port;
        server_name mta-sts.example.com;
        include site.conf;
    }
}
EOF
}

worker_rss() {
    local pid total=0 rss

    for pid in $(pgrep -P "$1" -f 'nginx: worker process$' || true); do
        rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
        total=$((total + ${rss:-0}))
    done

    echo "$total"
}

# soak KIND: prints "requests non2xx socket_errors bad_bodies alerts
# rss_first rss_last samples"
soak() {
    local kind=$1 master wrkpid which=A i=0 rss_first=0 rss_last=0
    local samples=0 bad=0 body next

    rm -rf "$out/logs"
    mkdir -p "$out/logs"
    write_conf
    site "$kind" A > "$out/site.conf"
    maps "$kind" A > "$out/maps.conf"

    "$nginx" -p "$out/" -c "$out/nginx.conf" -e logs/error.log
    sleep 0.5
    master=$(cat "$out/logs/nginx.pid")

    wrk -t1 -c32 -d"${seconds}s" -H "Host: mta-sts.example.com" \
        "http://127.0.0.1:$port/.well-known/mta-sts.txt" \
        > "$out/wrk-$kind.txt" 2>&1 &
    wrkpid=$!
    pids+=("$wrkpid")

    sleep 1
    rss_first=$(worker_rss "$master")

    next=$(( $(date +%s%N) + every * 1000000000 ))

    while kill -0 "$wrkpid" 2>/dev/null; do
        # sample a body while the load runs
        body=$(curl -s -m 2 -H "Host: mta-sts.example.com" \
               "http://127.0.0.1:$port/.well-known/mta-sts.txt" \
               -o "$out/sample" -w '%{http_code}' || true)
        samples=$((samples + 1))

        if [ "$body" != 200 ] \
           || ! { cmp -s "$out/sample" "$out/a.txt" \
                  || cmp -s "$out/sample" "$out/b.txt"; }
        then
            bad=$((bad + 1))
        fi

        if [ "$(date +%s%N)" -ge "$next" ]; then
            if [ "$which" = A ]; then which=B; else which=A; fi
            site "$kind" "$which" > "$out/site.conf"
            maps "$kind" "$which" > "$out/maps.conf"
            kill -HUP "$master"
            i=$((i + 1))
            next=$((next + every * 1000000000))

            sleep 0.3
            rss_last=$(worker_rss "$master")
        fi

        sleep 0.1
    done

    wait "$wrkpid" || true

    kill -QUIT "$master"
    while kill -0 "$master" 2>/dev/null; do sleep 0.1; done

    awk -v bad="$bad" -v samples="$samples" -v first="$rss_first" \
        -v last="$rss_last" -v reloads="$i" \
        -v alerts="$(grep -c '\[alert\]\|\[crit\]' "$out/logs/error.log" \
                     || true)" '
        /requests in/ { requests = $1 }
        /Non-2xx/ { non2xx = $NF }
        /Socket errors/ {
            gsub(",", "")
            errors = $4 + $6 + $8 + $10
        }
        END {
            printf "%d %d %d %d %d %d %d %d %d\n", requests, non2xx,
                   errors, bad, alerts, first, last, samples, reloads
        }' "$out/wrk-$kind.txt"
}

echo "soak: ${seconds}s of wrk -c32 per server, a reload every ${every}s"

read -r m_req m_non m_err m_bad m_alert m_rss0 m_rss1 m_samp m_rel \
    < <(soak module)
read -r v_req v_non v_err v_bad v_alert v_rss0 v_rss1 v_samp v_rel \
    < <(soak variables)
read -r r_req r_non r_err r_bad r_alert r_rss0 r_rss1 r_samp r_rel \
    < <(soak return)

printf '%-8s %10s %8s %8s %8s %8s %10s %10s %8s\n' server requests \
    non-200 sockerr bad/smp alerts rss0-KiB rss1-KiB reloads
printf '%-8s %10s %8s %8s %8s %8s %10s %10s %8s\n' module "$m_req" \
    "$m_non" "$m_err" "$m_bad/$m_samp" "$m_alert" "$m_rss0" "$m_rss1" "$m_rel"
printf '%-8s %10s %8s %8s %8s %8s %10s %10s %8s\n' vars "$v_req" \
    "$v_non" "$v_err" "$v_bad/$v_samp" "$v_alert" "$v_rss0" "$v_rss1" "$v_rel"
printf '%-8s %10s %8s %8s %8s %8s %10s %10s %8s\n' return "$r_req" \
    "$r_non" "$r_err" "$r_bad/$r_samp" "$r_alert" "$r_rss0" "$r_rss1" "$r_rel"

check() {
    if eval "$2"; then
        echo "ok - $1"
    else
        echo "not ok - $1"
        failed=1
    fi
}

check "module: no non-200 answer" '[ "$m_non" -eq 0 ]'
check "module: every sampled body is policy A or B" '[ "$m_bad" -eq 0 ]'
check "module: no [alert] or [crit]" '[ "$m_alert" -eq 0 ]'
check "module: $m_rel reloads" '[ "$m_rel" -ge $((seconds / every / 2)) ]'
check "module: worker RSS flat across reloads (${m_rss0} -> ${m_rss1} KiB)" \
    '[ "$m_rss1" -le $((m_rss0 + m_rss0 / 10 + 512)) ]'

check "variables: no non-200 answer" '[ "$v_non" -eq 0 ]'
check "variables: every sampled body is policy A or B" '[ "$v_bad" -eq 0 ]'
check "variables: no [alert] or [crit]" '[ "$v_alert" -eq 0 ]'
check "variables: $v_rel reloads" '[ "$v_rel" -ge $((seconds / every / 2)) ]'
check "variables: worker RSS flat across reloads (${v_rss0} -> ${v_rss1} KiB)" \
    '[ "$v_rss1" -le $((v_rss0 + v_rss0 / 10 + 512)) ]'
check "variables: socket errors a reload within the return 200 run's" \
    'awk -v me="$v_err" -v mr="$v_rel" -v re="$r_err" -v rr="$r_rel" \
         "BEGIN { exit !(me / mr <= 1.25 * re / rr + 2) }"'

# a reload's graceful shutdown of the old worker closes its keep-alive
# connections, some while wrk writes on them: up to 32 socket errors a
# reload in both runs; the module must not add to them
check "module: socket errors a reload within the return 200 run's" \
    'awk -v me="$m_err" -v mr="$m_rel" -v re="$r_err" -v rr="$r_rel" \
         "BEGIN { exit !(me / mr <= 1.25 * re / rr + 2) }"'

echo "soak: $( [ $failed -eq 0 ] && echo passed || echo FAILED )"
exit $failed
