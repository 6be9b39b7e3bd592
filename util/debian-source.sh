#!/bin/sh
# Unpacks the source of Debian's nginx package (the version apt installs,
# Debian's patches applied) into DIR and prints the tree's path, for
# "make NGINX_SRC=... test-static".  As root it adds the deb-src lines of
# /etc/apt/sources.list when they are missing; apt-get source needs them.
#
#   util/debian-source.sh DIR

set -eu

dir=$1
list=/etc/apt/sources.list

if ! grep -qs '^deb-src ' $list /etc/apt/sources.list.d/*.list \
     && ! grep -qs '^Types:.*deb-src' /etc/apt/sources.list.d/*.sources
then
    if [ "$(id -u)" != 0 ]; then
        echo "$0: no deb-src line in the apt sources; as root add one" >&2
        exit 1
    fi
    sed -n 's/^deb /deb-src /p' $list >>$list
    apt-get update -qq >&2
fi

rm -rf "$dir"
mkdir -p "$dir"
(cd "$dir" && apt-get source -qq nginx >&2)
ls -d "$(cd "$dir" && pwd)"/nginx-*/
