#!/bin/sh
# Unpacks the source of Debian's nginx package (Debian's patches applied)
# into DIR and prints the tree's path, for "make NGINX_SRC=... test-static".
# apt-get reads a deb-src list of its own in DIR, so the machine's apt
# sources are left as they are.  Only the release and its updates are
# listed: the security archive's source index can name a version whose
# files the mirror does not serve (seen here: 1.22.1-9+deb12u11, 404).
#
#   util/debian-source.sh DIR

set -eu

dir=$1
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
release=$(. /etc/os-release && echo "$VERSION_CODENAME")

rm -rf "$dir"
mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial"
dir=$(cd "$dir" && pwd)

printf 'deb-src %s %s main\n' "$mirror" "$release" "$mirror" \
    "$release-updates" >"$dir/apt/sources.list"

set -- -o Dir::Etc::SourceList="$dir/apt/sources.list" \
       -o Dir::Etc::SourceParts=/nonexistent \
       -o Dir::State::Lists="$dir/apt/lists" \
       -o Dir::Cache="$dir/apt/cache" \
       -o APT::Sandbox::User="$(id -un)"

apt-get "$@" update -qq >&2
(cd "$dir" && apt-get "$@" source -qq nginx >&2)
ls -d "$dir"/nginx-*/
