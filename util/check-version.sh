#!/bin/sh
# The project's version is the first "Changes with ngx_http_mta_sts_module
# X.Y.Z" line of CHANGES; the Debian package's upstream version (the first
# entry of debian/changelog, without epoch and revision) must be the same.
# Run by debian/rules before every package build, and by "make deb".
#
#   util/check-version.sh [TOPDIR]

set -eu

top=${1:-.}

changes=$(sed -n \
    's/^Changes with ngx_http_mta_sts_module  *\([^ ]*\) .*/\1/p' \
    "$top/CHANGES" | head -n 1)

deb=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$top/debian/changelog")
upstream=${deb#*:}
upstream=${upstream%-*}

if [ -z "$changes" ]; then
    echo "version: no \"Changes with ngx_http_mta_sts_module\" line" \
         "in CHANGES" >&2
    exit 1
fi

if [ "$changes" != "$upstream" ]; then
    echo "version: CHANGES says $changes, debian/changelog says $deb;" \
         "add a debian/changelog entry for $changes (dch -v $changes-1)" >&2
    exit 1
fi

echo "version: $changes (CHANGES, debian/changelog $deb)"
