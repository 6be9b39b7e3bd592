#!/bin/sh
# Unpacks the source of Debian's nginx package (Debian's patches applied)
# into DIR and prints the tree's path, for "make NGINX_SRC=... test-static".
# apt-get reads a deb-src list of its own in DIR, so the machine's apt
# sources are left as they are.  That list names the suites this machine
# installs Debian's packages from (apt-cache policy: the release, and its
# -updates where the machine uses them; testing has none), except the
# security archive: its source index can name a version whose files the
# mirror does not serve (seen here: 1.22.1-9+deb12u11, 404).  Where no
# revision is served whole, upstream's tarball that apt fetched for one
# is unpacked instead, and the script says so.
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
# trixie's 1.26.3-3+deb13u10, 404)
versions=$(apt-cache "$@" showsrc nginx | sed -n 's/^Version: //p' \
           | sort -u | sort -r -V)

mkdir "$dir/orig"

for v in $versions; do
    if (cd "$dir" && apt-get "$@" source -qq "nginx=$v" >&2); then
        ls -d "$dir"/nginx-*/
        exit 0
    fi
    echo "$0: nginx $v: not served whole" >&2
    # what did arrive passed apt's hash check: upstream's tarball is the
    # same for every Debian revision of a version, keep it
    mv "$dir"/nginx_*.orig.tar.* "$dir/orig/" 2>/dev/null || true
    rm -rf "$dir"/nginx-* "$dir"/nginx_*
done

# no Debian revision whose files are all served: upstream's tarball of the
# release's version, as apt fetched and checked it, without Debian's
# patches (seen here: trixie's debian.tar.xz 404, its orig.tar.gz served)
for orig in "$dir"/orig/nginx_*.orig.tar.*; do
    [ -f "$orig" ] || continue
    tar -xf "$orig" -C "$dir"
    echo "$0: using $(basename "$orig") as apt checked it, without" \
         "Debian's patches" >&2
    ls -d "$dir"/nginx-*/
    exit 0
done

echo "$0: the mirror serves no source of nginx ($versions)" >&2
exit 1
