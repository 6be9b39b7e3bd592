# The scaffolding the t/interop scripts share, sourced by each (bash): TAP
# output, a network namespace of their own with its /etc files, and the
# cleanup that leaves neither namespace, /etc/netns file nor temp dir.
#
# Before sourcing, a script sets
#
#   nginx, module   its arguments
#   label           the closing line's "LABEL: N passed, N failed"
#   ns              the namespace's name, unique (the script's pid in it)
#
# and may add to stop_pids (the names of variables holding the pids that
# cleanup stops, in order) and fail_logs (pairs of a title and a file in
# $dir, the last lines of which finish prints when a test failed).

# pass, fail and the counts
. "$(dirname "${BASH_SOURCE[0]}")/../../util/tap.sh" || exit 1

etcns=/etc/netns/$ns
made_etc_netns=0
made_ns=0
dir=""
nginx_pid=""

path=/usr/sbin:/usr/bin:/sbin:/bin
nsenv=()        # work_dir sets it

# names, not pids: a pid may change after the list is made (a restart)
stop_pids=(nginx_pid)
fail_logs=("nginx error.log" logs/error.log)

# skip NAME WHY: the test cannot run here; a failure with INTEROP_REQUIRED=1
skip() {
    echo "# $2"

    if [ "${INTEROP_REQUIRED:-0}" = 1 ]; then
        echo "not ok 1 - $1 (INTEROP_REQUIRED=1)"
        echo "$label: 0 passed, 1 failed"
        exit 1
    fi

    echo "$label: skipped ($1)"
    exit 0
}

# is NAME EXPECTED GOT
is() {
    if [ "$2" == "$3" ]; then
        pass "$1"
    else
        fail "$1" "expected: $2" "     got: $3"
    fi
}

# pid_stop PID: TERM, then KILL after 5 s; reaps it
pid_stop() {
    local i=0

    kill -TERM "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }

    while kill -0 "$1" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done

    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

cleanup() {
    local v p

    trap - EXIT INT TERM

    for v in "${stop_pids[@]}"; do
        [ -n "${!v}" ] && pid_stop "${!v}"
    done

    if [ $made_ns = 1 ]; then
        # whatever is left in the namespace (workers of a killed master)
        for p in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$p" 2>/dev/null
        done
        ip netns del "$ns" 2>/dev/null
    fi

    rm -rf "$etcns"
    [ $made_etc_netns = 1 ] && rmdir /etc/netns 2>/dev/null
    [ -n "$dir" ] && rm -rf "$dir"
}

# finish: the closing line, and the exit status (cleanup runs on EXIT)
finish() {
    local i

    if [ $failed -gt 0 ] && [ -n "$dir" ]; then
        for ((i = 0; i < ${#fail_logs[@]}; i += 2)); do
            echo "# ${fail_logs[i]}:"
            tail -n 20 "$dir/${fail_logs[i + 1]}" 2>/dev/null \
                | sed 's/^/#   /'
        done
    fi

    echo "$label: $passed passed, $failed failed"
    [ $failed -eq 0 ] && exit 0
    exit 1
}

# need_root WHY: skips as another user
need_root() {
    if [ "$(id -u)" != 0 ]; then
        skip "needs root" "$1"
    fi
}

# need_args: nginx and the module exist; module made absolute, for the
# nginx.conf in the temp dir
need_args() {
    if [ -z "$module" ] || [ ! -f "$module" ] || [ ! -x "$nginx" ]; then
        echo "usage: $0 NGINX MODULE.so" >&2
        echo "$label: 0 passed, 1 failed"
        exit 2
    fi

    module=$(realpath "$module")
}

# netns_up: the namespace with lo up, and its /etc/netns dir; skips where
# namespaces are not permitted (a container without CAP_SYS_ADMIN)
netns_up() {
    local err

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
}

# "ip netns exec" bind-mounts each file of /etc/netns/<ns> over the one of
# /etc, and can bind only over files that exist (a debootstrap root has no
# /etc/hosts).

# etc NAME TEXT: the namespace's /etc/NAME, where /etc/NAME exists
etc() {
    [ -e "/etc/$1" ] && printf '%s\n' "$2" > "$etcns/$1"
    return 0
}

# etc_needed NAME...: a failure, and the end, if an /etc/NAME is missing,
# for a script that cannot do without its own
etc_needed() {
    local f

    for f; do
        if [ ! -e "/etc/$f" ]; then
            fail "/etc/$f exists, for the namespace's own to be bound over it"
            finish
        fi
    done
}

# work_dir PREFIX SUBDIR...: dir, PREFIX.XXXXXX with the SUBDIRs, readable
# by nginx's workers; and nsenv
work_dir() {
    dir=$(mktemp -d "$1.XXXXXX")
    chmod 755 "$dir"
    shift
    mkdir -p "${@/#/$dir/}"

    # a command in the namespace, with nothing from this environment (no
    # proxies) but the CA of the test (curl and Python's ssl take it from
    # SSL_CERT_FILE); "${nsenv[@]}" CMD & gives CMD's pid
    nsenv=(ip netns exec "$ns" env -i PATH="$path" LANG=C.UTF-8 HOME="$dir"
           SSL_CERT_FILE="$dir/ca.crt")
}
