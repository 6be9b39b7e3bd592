#!/bin/sh
# The README's "make run" as a new user runs it: started in the
# background, fetched over HTTPS as a sender does until it answers the
# policy of examples/nginx.conf (certificate checked against the one
# make run made), the README's commands for it run as they are there
# (util/check-readme.pl demo), then stopped (TERM to its process group);
# nginx must be gone after it.
#
#   util/check-run.sh          (in the repository's top folder)

set -u

# As root, make run serves inside a network namespace of its own (its
# loopback only), so that two roots can check it at once on port 8443;
# what it installs comes first, while the network is there: "make deps",
# the same step make run starts with.
if [ "$(id -u)" = 0 ] && [ -z "${CHECK_RUN_NETNS:-}" ]; then
    make -s deps || exit 1
    exec env CHECK_RUN_NETNS=1 unshare --net \
        sh -c 'ip link set lo up && exec sh "$0"' "$0"
fi

host=mta-sts.example.com
port=8443
dir=build/run
log=build/check-run.log
n=0
failed=0

ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}

not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
}

mkdir -p build
rm -f "$dir/logs/nginx.pid"

# a process group of its own, so that TERM reaches make, util/run.sh
# and nginx (background jobs of a script ignore INT, Ctrl-C's signal)
setsid make run >"$log" 2>&1 &
pid=$!

policy=""
i=0

# ready when make run has said all it says (its last line), which it does
# once nginx answers; the build and the packages come before that
while [ $i -lt 600 ] && kill -0 $pid 2>/dev/null \
      && ! grep -q '^Ctrl-C stops nginx\.$' "$log"
do
    sleep 0.5
    i=$((i + 1))
done

policy=$(curl -sf --cacert "$dir/conf/$host.crt" \
              --resolve "$host:$port:127.0.0.1" \
              "https://$host:$port/.well-known/mta-sts.txt" 2>/dev/null)

expected=$(printf 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.mx.example.net\r\nmax_age: 604800\r')

if [ "$policy" = "$expected" ]; then
    ok "make run serves the policy of examples/nginx.conf over HTTPS"
else
    not_ok "make run serves the policy of examples/nginx.conf over HTTPS"
    sed 's/^/#   /' "$log"
fi

if grep -q '^    _mta-sts\.example\.com\. TXT "v=STSv1; id=[0-9a-f]\{32\}"$' \
        "$log"
then
    ok "make run prints the TXT record to publish"
else
    not_ok "make run prints the TXT record to publish"
fi

if grep -q "curl .* https://$host:$port/.well-known/mta-sts.txt" "$log"; then
    ok "make run prints the curl command"
else
    not_ok "make run prints the curl command"
fi

# the README's commands for make run's nginx, read from README.md: each
# answers what the README shows (the policy, the record, a TLS report)
if out=$(perl util/check-readme.pl demo "$log" 2>&1); then
    ok "the README's demo commands answer as it shows"
    printf '%s\n' "$out" | sed 's/^/    /'
else
    not_ok "the README's demo commands answer as it shows"
    printf '%s\n' "$out" | sed 's/^/#   /'
fi

nginx_pid=$(cat "$dir/logs/nginx.pid" 2>/dev/null || true)

kill -TERM -$pid 2>/dev/null
wait $pid 2>/dev/null
i=0

while [ $i -lt 100 ] && [ -n "$nginx_pid" ] \
      && kill -0 "$nginx_pid" 2>/dev/null
do
    sleep 0.1
    i=$((i + 1))
done

if [ -n "$nginx_pid" ] && ! kill -0 "$nginx_pid" 2>/dev/null; then
    ok "stopping make run stops nginx (pid $nginx_pid)"
else
    not_ok "stopping make run stops nginx (pid ${nginx_pid:-unknown})"
    [ -n "$nginx_pid" ] && kill -KILL "$nginx_pid" 2>/dev/null
fi

echo "make run: $((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]

