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
(cd "$dir" && apt-get "$@" source -qq nginx >&2)
ls -d "$dir"/nginx-*/
