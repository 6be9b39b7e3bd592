#!/bin/sh
# "make deb": the Debian package libnginx-mod-http-mta-sts, unsigned, built
# the way Debian builds its own nginx modules (debian/, dh-sequence-nginx
# from nginx-dev), then checked with lintian.
#
#   util/deb.sh [BUILD]
#
# The package is built from a copy of the tree in BUILD/deb/src, so that
# dpkg-buildpackage's output (the obj-* directory, debian/<package>/, the
# .deb, .changes and .buildinfo it writes next to the source) never lands
# in the work tree or beside it.  The .deb files end up in BUILD/; the
# .changes, .buildinfo, a source package (for lintian's source checks) and
# lintian's report in BUILD/deb/.  No root needed when the packages that
# "util/deps.sh deb" names are installed.

set -eu

build=${1:-build}
work=$build/deb
pkg=libnginx-mod-http-mta-sts

sh util/deps.sh deb
sh util/check-version.sh

version=$(dpkg-parsechangelog -S Version)
upstream=${version#*:}
upstream=${upstream%-*}

rm -rf "$work"
mkdir -p "$work/src"
rm -f "$build/${pkg}_"*.deb "$build/${pkg}-dbgsym_"*.deb

# the files of the tree as they are now, tracked or new, without what git
# ignores (build/, t/servroot/) and without files deleted but not committed
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard \
        | xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\n" "$f";
                          done; :' files \
        | tar -cf - -T - | tar -xf - -C "$work/src"
else
    tar --exclude=./.git --exclude="./$build" --exclude=./build \
        --exclude=./t/servroot --exclude='./obj-*' \
        -cf - . | tar -xf - -C "$work/src"
fi

start=$(date +%s)

(cd "$work/src" && dpkg-buildpackage -us -uc -b)

# a source package too, not installed anywhere: lintian checks debian/
# (control, copyright, rules, tests) only in a source package
(cd "$work/src" && debian/rules clean >/dev/null \
 && tar --exclude=./debian -czf "../${pkg}_$upstream.orig.tar.gz" .)
(cd "$work" && dpkg-source -b src >/dev/null)

echo "deb: dpkg-buildpackage took $(($(date +%s) - start)) s"

# the release's lintian: no error and no warning; info and pedantic tags are
# shown (an override must say why, see debian/*lintian-overrides;
# --show-overrides would make lintian 2.116 exit 2 on them)
rc=0
lintian --fail-on error,warning -I --pedantic \
    "$work/${pkg}_"*.changes "$work/${pkg}_"*.dsc \
    >"$work/lintian.txt" 2>&1 || rc=$?
cat "$work/lintian.txt"
echo "deb: lintian: $(grep -c '^[EW]:' "$work/lintian.txt") errors and" \
     "warnings, $(grep -c '^[IP]:' "$work/lintian.txt") info and pedantic"

if [ "$rc" != 0 ]; then
    echo "deb: lintian failed (exit $rc)" >&2
    exit 1
fi

cp "$work/"*.deb "$build/"

for f in "$build/${pkg}_"*.deb; do
    echo "deb: $f"
done
