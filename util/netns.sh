#!/bin/sh
# Runs a command in a network namespace of its own, with only the loopback
# interface, up:
#
#   util/netns.sh CMD [ARGS...]
#
# The Test::Nginx suite listens on "listen <port>;", all addresses, as the
# real Test::Nginx writes it; in a namespace of its own that is only the
# namespace's 127.0.0.1, no port of the host is taken, and runs side by
# side (make test next to make test-reload, several worktrees) never share
# a port.
#
# As root: unshare --net (util-linux) and ip link set lo up (iproute2).
# As another user, or where namespaces are not permitted (a container
# without CAP_SYS_ADMIN), CMD runs without a namespace of its own, after a
# note on stderr: its servers then listen on all addresses of the machine.
# MTA_STS_NETNS=1 is set inside, and a nested call runs CMD as it is.

if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

if [ "${MTA_STS_NETNS:-}" = 1 ]; then
    exec "$@"
fi

note() {
    echo "$0: $1; running without a network namespace: the servers" \
         "listen on all addresses of this machine" >&2
}

if [ "$(id -u)" != 0 ]; then
    note "not root"
    exec "$@"
fi

if ! err=$(unshare --net true 2>&1); then
    note "unshare --net: $err"
    exec "$@"
fi

export MTA_STS_NETNS=1

# the shell run by unshare brings lo up, then becomes CMD
exec unshare --net sh -c 'ip link set lo up && exec "$@"' netns "$@"
