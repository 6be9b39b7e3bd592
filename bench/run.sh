#!/bin/bash
# bench/run.sh: the module against the two ways admins serve an MTA-STS
# policy without it, a static file (with and without open_file_cache) and
# "return 200", on one nginx over HTTP and HTTPS on loopback.
#
#   bench/run.sh NGINX MODULE [RESULTS]
#
# Prints, as ratios to "return 200" of the same run: user-space instructions
# per request (callgrind), system calls per request (strace -c) and
# throughput (wrk, interleaved rounds), and which targets of bench/README.md
# pass.  The results go to RESULTS (default build/bench/results.txt), the
# raw data next to it in build/bench/.  Exits 1 if a check or a target fails.
#
# Needs: curl openssl wrk ab (apache2-utils) valgrind strace.
# Knobs (environment): BENCH_DIR, BENCH_PORT (first of 16 ports, 18181),
# DOMAINS (of the 10k variants, 10000),
# N1 N2 (callgrind request counts, 2000 12000), REPEAT (callgrind runs of
# each, 2), S1 S2 (strace request counts, 1000 5000), ROUNDS (10),
# SECONDS_PER_ROUND (2), THREADS (1), CONNS (4).

set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 NGINX MODULE [RESULTS]" >&2
    exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
nginx=$(readlink -f "$1")
module_src=$(readlink -f "$2")
dir=${BENCH_DIR:-$top/build/bench}
results=${3:-$dir/results.txt}

port0=${BENCH_PORT:-18181}
N1=${N1:-2000}
N2=${N2:-12000}
REPEAT=${REPEAT:-2}
S1=${S1:-1000}
S2=${S2:-5000}
ROUNDS=${ROUNDS:-10}
SECONDS_PER_ROUND=${SECONDS_PER_ROUND:-2}
THREADS=${THREADS:-1}
CONNS=${CONNS:-4}

host=mta-sts.example.com
uri=/.well-known/mta-sts.txt

# the module's exact body for the directives of bench/nginx.conf.in
body_conf='version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n'

variants="module static cache return vars map vars10k map10k"
protos="http https"

declare -A label=(
    [module]="module"
    [static]="static file"
    [cache]="static+open_file_cache"
    [return]="return 200"
    [vars]="module, 2 maps"
    [map]="map + return 200"
    [vars10k]="module, 2 maps, 10k"
    [map10k]="map + return, 10k"
)

# the "10k" variants get requests spread over DOMAINS domains of one map
# (bench/README.md): ab sends one Host, so curl does, from a config file
DOMAINS=${DOMAINS:-10000}
declare -A port
i=0
for v in $variants; do
    port[$v.http]=$((port0 + i))
    port[$v.https]=$((port0 + i + 1))
    i=$((i + 2))
done

die() {
    echo "bench: FAIL: $*" >&2
    exit 1
}

for tool in curl openssl wrk ab valgrind callgrind_annotate strace awk; do
    command -v $tool >/dev/null \
        || die "$tool is missing (apt-get install -y wrk apache2-utils valgrind strace curl)"
done
[ -x "$nginx" ] || die "no nginx binary at $1"
[ -f "$module_src" ] || die "no module at $2"


# --- processes: every one started is tracked by pid and ended on exit ------

pids=()

descendants() {
    local p c
    for p in "$@"; do
        for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
            descendants "$c"
            echo "$c"
        done
    done
}

stop_tree() {
    # stop_tree PID: TERM the process and its descendants, KILL if needed
    local p all i
    all="$(descendants "$1") $1"
    for p in $all; do kill -TERM "$p" 2>/dev/null || true; done
    for i in $(seq 50); do
        alive=""
        for p in $all; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
        [ -z "$alive" ] && break
        sleep 0.1
    done
    for p in $alive; do kill -KILL "$p" 2>/dev/null || true; done
    wait "$1" 2>/dev/null || true
}

cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -0 "$p" 2>/dev/null && stop_tree "$p"
    done
    pids=()
}

trap cleanup EXIT
trap 'exit 130' INT TERM HUP

run() {
    # run COMMAND...: in the background, tracked, waited for, so that a
    # signal to this script is acted on at once
    local c rc=0
    "$@" &
    c=$!
    pids+=("$c")
    wait "$c" || rc=$?
    forget "$c"
    return $rc
}

forget() {
    local p keep=()
    for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    pids=("${keep[@]}")
}


# --- set-up ----------------------------------------------------------------

listening() {
    # listening PORT: whether something listens on 127.0.0.1:PORT
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p \
                      { f = 1 } END { exit !f }' /proc/net/tcp
}

for v in $variants; do
    for p in $protos; do
        listening ${port[$v.$p]} && die "port ${port[$v.$p]} is in use (set BENCH_PORT)"
    done
done

rm -rf "$dir/conf" "$dir/logs" "$dir/tmp" "$dir/www" "$dir/raw"
mkdir -p "$dir/conf" "$dir/logs" "$dir/tmp" "$dir/www/.well-known" "$dir/raw"
mkdir -p "$(dirname "$results")"

# a copy, so that a rebuild during the run changes nothing
module="$dir/conf/ngx_http_mta_sts_module.so"
cp "$module_src" "$module"

printf "$body_conf" >"$dir/www/.well-known/mta-sts.txt"
cp "$dir/www/.well-known/mta-sts.txt" "$dir/expected.txt"
chmod -R a+rX "$dir/www"

# the maps of the 10k variants: mta-sts.example.com and DOMAINS - 1 others,
# mta-sts.dNNNNN.example with mx mail.dNNNNN.example
awk -v n="$DOMAINS" 'BEGIN {
    print "mta-sts.example.com  mail.example.com;"
    for (i = 1; i < n; i++)
        printf "mta-sts.d%05d.example  mail.d%05d.example;\n", i, i
}' >"$dir/conf/mx10k.map"
awk -v n="$DOMAINS" 'BEGIN {
    b = "\"version: STSv1\\r\\nmode: enforce\\r\\nmx: %s\\r\\nmax_age: 604800\\r\\n\";\n"
    printf "mta-sts.example.com  " b, "mail.example.com"
    for (i = 1; i < n; i++)
        printf "mta-sts.d%05d.example  " b, i, sprintf("mail.d%05d.example", i)
}' >"$dir/conf/policy10k.map"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 30 -subj "/CN=$host" -addext "subjectAltName=DNS:$host" \
    -keyout "$dir/conf/bench.key" -out "$dir/conf/bench.crt" 2>/dev/null \
    || die "openssl could not make a certificate"

# the status zone: a row for every domain of the maps, as the README
# sizes it (1m holds 291 domains; 250 a megabyte leaves room)
zone=$(( (DOMAINS + 249) / 250 + 1 ))m

if [ "$(id -u)" = 0 ]; then
    user="user  root root;"
else
    user=""
fi

sed -e "s|@MODULE@|$module|" \
    -e "s|@USER@|$user|" \
    -e "s|@ZONE@|$zone|" \
    -e "s|@BODY@|$body_conf|" \
    -e "s|@PORT_MODULE_HTTP@|${port[module.http]}|" \
    -e "s|@PORT_MODULE_HTTPS@|${port[module.https]}|" \
    -e "s|@PORT_STATIC_HTTP@|${port[static.http]}|" \
    -e "s|@PORT_STATIC_HTTPS@|${port[static.https]}|" \
    -e "s|@PORT_CACHE_HTTP@|${port[cache.http]}|" \
    -e "s|@PORT_CACHE_HTTPS@|${port[cache.https]}|" \
    -e "s|@PORT_RETURN_HTTP@|${port[return.http]}|" \
    -e "s|@PORT_RETURN_HTTPS@|${port[return.https]}|" \
    -e "s|@PORT_VARS_HTTP@|${port[vars.http]}|" \
    -e "s|@PORT_VARS_HTTPS@|${port[vars.https]}|" \
    -e "s|@PORT_MAP_HTTP@|${port[map.http]}|" \
    -e "s|@PORT_MAP_HTTPS@|${port[map.https]}|" \
    -e "s|@PORT_VARS10K_HTTP@|${port[vars10k.http]}|" \
    -e "s|@PORT_VARS10K_HTTPS@|${port[vars10k.https]}|" \
    -e "s|@PORT_MAP10K_HTTP@|${port[map10k.http]}|" \
    -e "s|@PORT_MAP10K_HTTPS@|${port[map10k.https]}|" \
    "$top/bench/nginx.conf.in" >"$dir/conf/nginx.conf"

nginx_args=(-p "$dir/" -c conf/nginx.conf -e logs/error.log)

"$nginx" "${nginx_args[@]}" -t -q || die "nginx -t failed on $dir/conf/nginx.conf"

url() {
    # url VARIANT PROTO
    echo "$2://127.0.0.1:${port[$1.$2]}$uri"
}

NGINX_PID=""
WRAP_PID=""

start_nginx() {
    # start_nginx SINGLE(0|1) WRAPPER...: nginx in the foreground, single
    # process or master and one worker, under WRAPPER (may be empty);
    # sets NGINX_PID (nginx itself) and WRAP_PID (what was started)
    local single=$1 g="daemon off;" i all=0 v p
    shift
    [ "$single" = 1 ] && g="daemon off; master_process off;"
    rm -f "$dir/logs/nginx.pid"
    "$@" "$nginx" "${nginx_args[@]}" -g "$g" </dev/null \
        >>"$dir/logs/stdout.log" 2>&1 &
    WRAP_PID=$!
    pids+=("$WRAP_PID")
    # listening is seen without a request, so that no probe is counted
    for i in $(seq 600); do
        if [ -s "$dir/logs/nginx.pid" ]; then
            all=1
            for v in $variants; do
                for p in $protos; do
                    listening ${port[$v.$p]} || all=0
                done
            done
            [ $all = 1 ] && break
        fi
        kill -0 "$WRAP_PID" 2>/dev/null \
            || die "nginx exited at start, see $dir/logs/error.log"
        sleep 0.1
    done
    [ $all = 1 ] || die "nginx did not listen in 60 s, see $dir/logs/error.log"
    NGINX_PID=$(cat "$dir/logs/nginx.pid")
}

quit_nginx() {
    # graceful: callgrind and strace write their output when nginx exits;
    # QUIT again every second, for one that came just before nginx blocked
    # in epoll_wait (under valgrind it can wait there for the next event)
    local i
    for i in $(seq 600); do
        kill -0 "$WRAP_PID" 2>/dev/null || break
        [ $((i % 10)) = 1 ] && { kill -QUIT "$NGINX_PID" 2>/dev/null || true; }
        sleep 0.1
    done
    kill -0 "$WRAP_PID" 2>/dev/null && stop_tree "$WRAP_PID"
    wait "$WRAP_PID" 2>/dev/null || true
    forget "$WRAP_PID"
}

spread_conf() {
    # spread_conf PROTO N: a curl config of DOMAINS requests, one for each
    # domain (the warm-up: every domain asked once), then N more, spread;
    # one connection, as ab -k; each transfer prints status and connects
    local f=$dir/conf/spread-$1-$2.curl
    [ -f "$f" ] || awk -v n="$2" -v d="$DOMAINS" -v u="$1://127.0.0.1:@PORT@$uri" '
        function one(i) {
            printf "url = \"%s\"\n", u
            if (i == 0) print "header = \"Host: mta-sts.example.com\""
            else printf "header = \"Host: mta-sts.d%05d.example\"\n", i
            print "output = \"/dev/null\""
            print "write-out = \"%{http_code} %{num_connects}\\n\""
            print "insecure"
        }
        BEGIN { for (k = 0; k < d + n; k++) {
                    if (k) print "next"
                    one((k * 7919) % d) } }' >"$f"
    echo "$f"
}

run_ab() {
    # run_ab VARIANT PROTO N: N keep-alive requests on one connection
    local out=$dir/raw/ab-$1-$2-$3.txt conf
    case $1 in *10k)
        # the warm-up and N requests: spread over DOMAINS domains
        conf=$(spread_conf "$2" "$3")
        sed "s|@PORT@|${port[$1.$2]}|" "$conf" >"$dir/conf/spread.curl"
        run curl -s -K "$dir/conf/spread.curl" >"$out" 2>&1 \
            || die "curl failed on $1 $2, see $out"
        [ "$(grep -c '^200 ' "$out")" = $((DOMAINS + $3)) ] \
            || die "curl: not $((DOMAINS + $3)) answers 200 ($out)"
        [ "$(awk '{ s += $2 } END { print s }' "$out")" = 1 ] \
            || die "curl: not one connection ($out)"
        return
    esac
    run ab -q -k -c 1 -n "$3" -H "Host: $host" "$(url "$1" "$2")" >"$out" 2>&1 \
        || die "ab failed on $1 $2, see $out"
    grep -q "^Complete requests: *$3\$" "$out" || die "ab: not $3 complete ($out)"
    grep -q "^Failed requests: *0\$" "$out" || die "ab: failed requests ($out)"
    grep -q "^Keep-Alive requests: *$3\$" "$out" || die "ab: not all keep-alive ($out)"
    ! grep -q "^Non-2xx" "$out" || die "ab: non-2xx responses ($out)"
}

med() {
    # the median of the arguments
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
        END { if (NR % 2) print a[(NR + 1) / 2];
              else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }


# --- 0. every variant answers 200, the same bytes, Content-Type text/plain

start_nginx 0
for v in $variants; do
    for p in $protos; do
        h=$dir/raw/check-$v-$p.headers
        b=$dir/raw/check-$v-$p.body
        curl -sk -o "$b" -D "$h" -H "Host: $host" "$(url $v $p)" \
            || die "$v over $p: curl failed"
        head -1 "$h" | grep -q '^HTTP/[0-9.]* 200' \
            || die "$v over $p: not 200: $(head -1 "$h")"
        ct=$(grep -i '^content-type:' "$h" | tr -d '\r' | sed 's/^[^:]*: *//')
        [ "$ct" = "text/plain" ] \
            || die "$v over $p: Content-Type is \"$ct\", not \"text/plain\""
        cmp -s "$b" "$dir/expected.txt" \
            || die "$v over $p: body differs from the policy, see $b"
    done
done
quit_nginx
echo "bench: checks: $(( $(echo $variants | wc -w) * 2 )) variants answer 200, text/plain, the same $(wc -c <"$dir/expected.txt") bytes"


# --- 1. instructions per request: callgrind, I(N2) - I(N1) -----------------

declare -A ir       # ir[v.p.rep] = instructions per request
declare -A nrun     # nrun[v.p] = runs made
declare -A irm      # irm[v.p] = their median
declare -A irs      # irs[v.p] = their spread, (max - min) / median
declare -A best     # best[v.p] = the run nearest the median

callgrind_total() {
    awk '/^(summary|totals):/ { t = $2 } END { print t }' "$1"
}

callgrind_run() {
    # callgrind_run VARIANT PROTO REP: sets ir[VARIANT.PROTO.REP]
    local v=$1 p=$2 rep=$3 n out i1 i2
    for n in $N1 $N2; do
        out=$dir/raw/callgrind-$v-$p-$n-$rep.out
        start_nginx 1 valgrind --tool=callgrind -q --callgrind-out-file="$out"
        run_ab $v $p $n
        quit_nginx
        [ -s "$out" ] || die "no callgrind output $out"
    done
    i1=$(callgrind_total "$dir/raw/callgrind-$v-$p-$N1-$rep.out")
    i2=$(callgrind_total "$dir/raw/callgrind-$v-$p-$N2-$rep.out")
    ir[$v.$p.$rep]=$(awk -v a="$i1" -v b="$i2" -v n1=$N1 -v n2=$N2 \
                     'BEGIN { printf "%.1f", (b - a) / (n2 - n1) }')
    nrun[$v.$p]=$rep
    echo "bench: callgrind run $rep: $v over $p: ${ir[$v.$p.$rep]} instructions/request"
}

callgrind_stats() {
    # callgrind_stats VARIANT PROTO: sets irm, irs and best
    local v=$1 p=$2 r runs=""
    for r in $(seq "${nrun[$v.$p]}"); do runs="$runs $r:${ir[$v.$p.$r]}"; done
    # shellcheck disable=SC2046
    irm[$v.$p]=$(med $(for r in $runs; do echo "${r#*:}"; done))
    irs[$v.$p]=$(printf '%s\n' $runs | awk -F: -v m="${irm[$v.$p]}" '
        NR == 1 || $2 < lo { lo = $2 }  NR == 1 || $2 > hi { hi = $2 }
        END { printf "%.4f", (hi - lo) / m }')
    best[$v.$p]=$(printf '%s\n' $runs | awk -F: -v m="${irm[$v.$p]}" '
        { d = $2 - m; if (d < 0) d = -d }  NR == 1 || d < bd { bd = d; b = $1 }
        END { print b }')
}

for rep in $(seq "$REPEAT"); do
    for p in $protos; do
        for v in $variants; do
            callgrind_run $v $p $rep
        done
    done
done

# runs that disagree by more than 0.1%: up to two more, and their median
# (a rare start-up, such as a TLS handshake read in other pieces, can leave
# malloc's heap laid out otherwise for the whole run)
for p in $protos; do
    for v in $variants; do
        callgrind_stats $v $p
        extra=0
        while awk -v s="${irs[$v.$p]}" 'BEGIN { exit !(s > 0.001) }' \
              && [ $extra -lt 2 ]
        do
            extra=$((extra + 1))
            callgrind_run $v $p $((nrun[$v.$p] + 1))
            callgrind_stats $v $p
        done
    done
done

# per function, self instructions per request of the run nearest the median
for p in $protos; do
    for v in $variants; do
        for n in $N1 $N2; do
            callgrind_annotate --threshold=100 --inclusive=no \
                "$dir/raw/callgrind-$v-$p-$n-${best[$v.$p]}.out" \
                >"$dir/raw/annotate-$v-$p-$n.txt" 2>/dev/null
        done
        awk -v n1=$N1 -v n2=$N2 '
            function num(s) { gsub(",", "", s); return s + 0 }
            FNR == 1 { f++ }
            $1 ~ /^[0-9,]+$/ && $2 == "(" || $1 ~ /^[0-9,]+$/ && $2 ~ /^\(/ {
                name = $0; sub(/^ *[0-9,]+ *\( *[0-9.]+%\) */, "", name)
                if (name ~ /^<counts for unidentified/) next
                if (f == 1) a[name] = num($1); else b[name] = num($1)
            }
            END {
                for (k in b) { d = (b[k] - a[k]) / (n2 - n1)
                               if (d >= 1 || d <= -1) printf "%10.1f  %s\n", d, k }
                for (k in a) if (!(k in b)) printf "%10.1f  %s\n", -a[k] / (n2 - n1), k
            }' "$dir/raw/annotate-$v-$p-$N1.txt" "$dir/raw/annotate-$v-$p-$N2.txt" \
            | sort -rg >"$dir/functions-$v-$p.txt"
    done
done


# --- 2. system calls per request: strace -c, C(S2) - C(S1) -----------------

declare -A sc       # sc[v.p] = system calls per request
declare -A scw      # scw[v.p] = which ones

strace_counts() {
    # syscall name and calls, one a line
    awk '$1 ~ /^[0-9.]+$/ && $NF != "total" { print $NF, $4 }' "$1"
}

for p in $protos; do
    for v in $variants; do
        for n in $S1 $S2; do
            out=$dir/raw/strace-$v-$p-$n.txt
            start_nginx 1 strace -f -c -o "$out"
            run_ab $v $p $n
            quit_nginx
            [ -s "$out" ] || die "no strace output $out"
        done
        join -a 2 -e 0 -o 0,1.2,2.2 \
            <(strace_counts "$dir/raw/strace-$v-$p-$S1.txt" | sort) \
            <(strace_counts "$dir/raw/strace-$v-$p-$S2.txt" | sort) \
            | awk -v n=$((S2 - S1)) '{ d = ($3 - $2) / n; if (d >= 0.01)
                  printf "%s %.2f\n", $1, d }' >"$dir/raw/syscalls-$v-$p.txt"
        sc[$v.$p]=$(awk '{ s += $2 } END { printf "%.2f", s }' "$dir/raw/syscalls-$v-$p.txt")
        scw[$v.$p]=$(awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }' "$dir/raw/syscalls-$v-$p.txt")
        echo "bench: strace: $v over $p: ${sc[$v.$p]} system calls/request (${scw[$v.$p]})"
    done
done


# --- 3. throughput: wrk, interleaved rounds --------------------------------

declare -A rps      # rps[v.p] = "r1 r2 ..."

run_wrk() {
    # run_wrk VARIANT PROTO SECONDS: sets WRK_RPS, requests/s
    local out=$dir/raw/wrk-$1-$2.txt
    local spread=()
    case $1 in *10k) spread=(-s "$top/bench/spread.lua" -- "$DOMAINS") ;; esac
    run wrk -t"$THREADS" -c"$CONNS" -d"$3"s -H "Host: $host" "$(url "$1" "$2")" \
        "${spread[@]}" >"$out" 2>&1 || die "wrk failed on $1 $2, see $out"
    ! grep -q -e "Non-2xx" -e "Socket errors" "$out" \
        || die "wrk: errors on $1 $2, see $out"
    WRK_RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    [ -n "$WRK_RPS" ] || die "wrk: no Requests/sec in $out"
}

start_nginx 0
for p in $protos; do
    for v in $variants; do run_wrk $v $p 1; done      # warm-up
    for r in $(seq "$ROUNDS"); do
        for v in $variants; do
            run_wrk $v $p "$SECONDS_PER_ROUND"
            rps[$v.$p]="${rps[$v.$p]:-} $WRK_RPS"
            cat "$dir/raw/wrk-$v-$p.txt" >>"$dir/raw/wrk-all.txt"
        done
        echo "bench: wrk round $r over $p:$(for v in $variants; do
              printf ' %s %s' $v "$(echo ${rps[$v.$p]} | awk '{ print $NF }')"; done)"
    done
done
quit_nginx


# --- the table ------------------------------------------------------------

pass_all=1
declare -A IRR RQR  # instructions and req/s, ratios to return 200
verdict() {
    # verdict TEXT CONDITION: a line with PASS or FAIL; CONDITION is awk
    if awk "BEGIN { exit !($2) }"; then
        echo "    $1: PASS"
    else
        pass_all=0
        echo "    $1: FAIL"
    fi
}

{
    echo "bench/run.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
         "$(. /etc/os-release; echo "$PRETTY_NAME"), $("$nginx" -v 2>&1 | sed 's/.*: //')"
    echo "callgrind: the median of $REPEAT (or up to 2 more, if apart by > 0.1%) runs of (I($N2) - I($N1)) / $((N2 - N1)), ab -k -c 1;" \
         "strace -c: (C($S2) - C($S1)) / $((S2 - S1));" \
         "wrk -t$THREADS -c$CONNS: $ROUNDS rounds of ${SECONDS_PER_ROUND} s, interleaved;" \
         "took $SECONDS s"
    echo
    for p in $protos; do
        echo "over ${p^^}"
        printf '  %-24s %13s %7s %7s %9s %6s %9s %6s\n' \
            "" "instr/req" "spread" "ratio" "syscalls" "ratio" "req/s" "ratio"
        for v in $variants; do
            i_med=${irm[$v.$p]}
            r_med=${irm[return.$p]}
            # how far apart the runs are, in per cent
            rep_dev=$(awk -v s="${irs[$v.$p]}" 'BEGIN { printf "%.2f%%", s * 100 }')
            rq=$(med ${rps[$v.$p]})
            # median of the per-round ratios to return 200
            rr=$(paste -d' ' <(echo ${rps[$v.$p]} | tr ' ' '\n') \
                             <(echo ${rps[return.$p]} | tr ' ' '\n') \
                 | awk '{ printf "%.6f\n", $1 / $2 }')
            printf '  %-24s %13.1f %7s %7.4f %9.2f %6.2f %9.0f %6.3f\n' \
                "${label[$v]}" "$i_med" "$rep_dev" "$(ratio "$i_med" "$r_med")" \
                "${sc[$v.$p]}" "$(ratio "${sc[$v.$p]}" "${sc[return.$p]}")" \
                "$rq" "$(med $rr)"
            IRR[$v]=$(ratio "$i_med" "$r_med")
            RQR[$v]=$(med $rr)
        done
        # median of the per-round ratios module / static file
        # shellcheck disable=SC2046
        RSR=$(med $(paste -d' ' <(echo ${rps[module.$p]} | tr ' ' '\n') \
                                <(echo ${rps[static.$p]} | tr ' ' '\n') \
                    | awk '{ printf "%.6f\n", $1 / $2 }'))
        for v in $variants; do
            echo "    instructions/request, ${label[$v]}, runs:$(for r in $(seq ${nrun[$v.$p]}); do
                  printf ' %s' ${ir[$v.$p.$r]}; done)"
        done
        for v in $variants; do
            echo "    syscalls/request, ${label[$v]}: ${scw[$v.$p]}"
        done
        for v in $variants; do
            echo "    req/s, ${label[$v]}, rounds:${rps[$v.$p]}"
        done
        # noise: the median absolute deviation of the per-round ratios
        # module / return 200, relative to their median, and at least 3%
        noise=$(paste -d' ' <(echo ${rps[module.$p]} | tr ' ' '\n') \
                            <(echo ${rps[return.$p]} | tr ' ' '\n') \
                | awk '{ r[NR] = $1 / $2 }
                       function median(a, n,   i, j, t) {
                           for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
                               if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                           return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
                       END { m = median(r, NR)
                             for (i = 1; i <= NR; i++) d[i] = (r[i] > m ? r[i] - m : m - r[i])
                             s = median(d, NR) / m; if (s < 0.03) s = 0.03
                             printf "%.4f", s }')
        [ $p = http ] && lim=0.96 || lim=0.99
        echo "  targets over ${p^^}:"
        verdict "instructions/request module <= $lim x return 200 (${IRR[module]})" \
                "${IRR[module]} <= $lim"
        # to 0.05: a QUIT repeated at the stop can add a call or two to a run
        verdict "system calls/request module == return 200 (${sc[module.$p]} vs ${sc[return.$p]})" \
                "${sc[module.$p]} - ${sc[return.$p]} < 0.05 && ${sc[return.$p]} - ${sc[module.$p]} < 0.05"
        verdict "req/s module within noise (+-$noise) of return 200, or above ($(printf %.3f ${RQR[module]}))" \
                "${RQR[module]} >= 1 - $noise"
        verdict "req/s module above the static file ($(printf %.3f $RSR) x, median of rounds)" \
                "$RSR > 1"
        # issue 18: a policy from two maps costs no more than one map and
        # return 200, for one domain and for requests spread over DOMAINS
        verdict "instructions/request module with 2 maps <= map + return 200 (${IRR[vars]} vs ${IRR[map]})" \
                "${IRR[vars]} <= ${IRR[map]}"
        verdict "instructions/request the same, $DOMAINS domains (${IRR[vars10k]} vs ${IRR[map10k]})" \
                "${IRR[vars10k]} <= ${IRR[map10k]}"
        echo
    done
    [ $pass_all = 1 ] && echo "all targets: PASS" || echo "targets: some FAIL (per function: $dir/functions-*.txt)"
} >"$results.tmp"

mv "$results.tmp" "$results"
cat "$results"
echo "bench: results in $results"
[ $pass_all = 1 ]
