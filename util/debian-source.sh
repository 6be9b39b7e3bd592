#!/bin/sh
# Unpacks the source of Debian's nginx package (Debian's patches applied)
# into DIR and prints the tree's path, for "make NGINX_SRC=... test-static".
# apt-get reads a deb-src list of its own in DIR, so the machine's apt
# sources are left as they are.  That list names the suites this machine
# installs Debian's packages from (apt-cache policy: the release, and its
# -updates where the machine uses them; testing has none), except the
# security archive: its source index can name a version whose files the
# mirror does not serve (seen here: 1.22.1-9+deb12u11, 404).
#
#   util/debian-source.sh DIR

set -eu

dir=$1

rm -rf "$dir"
mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial"
dir=$(cd "$dir" && pwd)

# " 500 http://deb.debian.org/debian trixie-updates/main amd64 Packages"
apt-cache policy \
    | awk '$1 ~ /^[0-9]+$/ && $3 ~ /\/main$/ && $5 == "Packages" {
               sub(/\/main$/, "", $3)
               if ($3 !~ /-security$/ && !seen[$2 " " $3]++)
                   print "deb-src " $2 " " $3 " main"
           }' >"$dir/apt/sources.list"

if [ ! -s "$dir/apt/sources.list" ]; then
    echo "$0: apt-cache policy names no Debian suite with main" >&2
    exit 1
fi

set -- -o Dir::Etc::SourceList="$dir/apt/sources.list" \
       -o Dir::Etc::SourceParts=/nonexistent \
       -o Dir::State::Lists="$dir/apt/lists" \
       -o Dir::Cache="$dir/apt/cache" \
       -o APT::Sandbox::User="$(id -un)"

apt-get "$@" update -qq >&2

# every version the lists name, newest first; the first whose files the
# mirror serves (a snapshot's index can be ahead of its pool: seen here,
# trixie-updates' 1.26.3-3+deb13u10, 404)
versions=$(apt-cache "$@" showsrc nginx | sed -n 's/^Version: //p' \
           | sort -u | sort -r -V)

for v in $versions; do
    if (cd "$dir" && apt-get "$@" source -qq "nginx=$v" >&2); then
        ls -d "$dir"/nginx-*/
        exit 0
    fi
    echo "$0: nginx $v: not served, trying an older version" >&2
    rm -rf "$dir"/nginx-* "$dir"/nginx_*
done

echo "$0: no version of nginx's source could be fetched" >&2
exit 1
