#!/bin/bash
# Runs commands as root in a Debian root made for the run, the machine of
# a new user: debootstrap --variant=minbase of RELEASE with
# build-essential, git, curl, perl, ca-certificates and iproute2, Debian's
# archive and its security updates as apt sources, and a clean clone of
# this repository's HEAD in /src (uncommitted changes are not in it).
# Each COMMAND is a shell command run in /src in turn; the first that
# fails ends the run.  Every stage prints how long it took.
#
#   util/fresh-debian.sh RELEASE COMMAND...
#   util/fresh-debian.sh trixie 'sh util/check-run.sh' 'make test'
#
# RELEASE is a codename that Debian's archive serves as a suite
# (bookworm, trixie) or "testing".
#
# The root lives in a temporary folder under /var/tmp (FRESH_DEBIAN_DIR to
# choose another parent) and is removed afterwards unless
# FRESH_DEBIAN_KEEP=1.  Everything runs in a mount and PID namespace of its
# own, so the mounts and every process started inside (nginx, dnsmasq) are
# gone when the run ends, whatever happened.  /proc is the namespace's own,
# /sys and /dev are bound in, and the root is bound onto itself so that
# "ip netns" works inside it.
#
# Needs root, debootstrap (installed from Debian's archive when missing)
# and Debian's archive over the network.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mirror=${FRESH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
include=build-essential,git,curl,perl,ca-certificates,iproute2

if [ $# -lt 2 ]; then
    echo "usage: $0 RELEASE COMMAND..." >&2
    exit 2
fi

suite=$1
shift

if [ "$(id -u)" != 0 ]; then
    echo "$0: needs root (debootstrap, chroot, mounts)" >&2
    exit 1
fi

stage() {
    local name=$1 start rc
    shift
    echo "fresh-debian: $name"
    start=$(date +%s)
    rc=0
    "$@" || rc=$?
    echo "fresh-debian: $name: $(( $(date +%s) - start ))s, exit code $rc"
    return $rc
}

# .ci/run makes two roots at once: both would run apt-get on this machine
# together, and the second one fails on apt's lock.  One at a time, and
# the second finds debootstrap installed by the first.
if ! command -v debootstrap >/dev/null; then
    stage "installing debootstrap on this machine" \
        flock /run/lock/mta-sts-fresh-debian-apt \
        sh -c 'command -v debootstrap >/dev/null && exit
               apt-get update -qq &&
               DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                   --no-install-recommends debootstrap >/dev/null'
fi

parent=${FRESH_DEBIAN_DIR:-/var/tmp}
dir=$(mktemp -d "$parent/mta-sts-fresh.XXXXXX")
root=$dir/root

cleanup() {
    if [ "${FRESH_DEBIAN_KEEP:-0}" = 1 ]; then
        echo "fresh-debian: the root is kept in $root"
    else
        rm -rf --one-file-system "$dir"
    fi
}

trap cleanup EXIT

# testing has a codename of its own (forky, then duke) that an older
# debootstrap has no script for; testing is built like sid, and
# debootstrap takes the script to use as its fourth argument
script=
[ "$suite" != testing ] || script=/usr/share/debootstrap/scripts/sid

bootstrap() {
    debootstrap --variant=minbase --include=$include "$suite" "$root" \
        "$mirror" $script >"$dir/debootstrap.log" 2>&1 \
        || { tail -n 20 "$dir/debootstrap.log" >&2; return 1; }
}

stage "debootstrap $suite into $root" bootstrap

{
    echo "deb $mirror $suite main"
    # testing gets its fixes through testing itself: it has no -updates
    [ "$suite" = testing ] || echo "deb $mirror $suite-updates main"
    echo "deb http://deb.debian.org/debian-security $suite-security main"
} >"$root/etc/apt/sources.list"

if [ "$suite" = testing ]; then
    # The archive this workplace reaches is a snapshot, and testing's
    # Release file is valid for a week only: apt refuses it once expired.
    # Only in the root made for testing: the stable releases' Release
    # files do not expire, and their roots keep apt's default.
    echo 'Acquire::Check-Valid-Until "false";' \
        >"$root/etc/apt/apt.conf.d/99snapshot-valid-until"
fi

# what the installer writes on a real machine, and debootstrap does not
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
    >"$root/etc/hosts"
cp /etc/resolv.conf "$root/etc/resolv.conf"
git clone -q --no-local "$top" "$root/src"
echo "fresh-debian: /src is $(git -C "$root/src" log -1 --format='%h %s')"

# PID 1 of the new namespace: the mounts, then each command in the root
inner='
set -eu
root=$1
shift
mount --make-rprivate /
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
mount -t tmpfs tmpfs "$root/run"
rc=0
for cmd in "$@"; do
    echo "fresh-debian: $cmd"
    start=$(date +%s)
    chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        ${CI:+CI=$CI} /bin/sh -c "cd /src && $cmd" </dev/null || rc=$?
    echo "fresh-debian: $cmd: $(( $(date +%s) - start ))s, exit code $rc"
    [ $rc -eq 0 ] || exit $rc
done
'

unshare --mount --pid --fork /bin/sh -c "$inner" fresh-debian "$root" "$@"
