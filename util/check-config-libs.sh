#!/bin/bash
# The module's "config" on a machine without a library it needs, as root
# in a throwaway Debian root (CI runs it in the root util/fresh-debian.sh
# makes):
#
#   CHECK_CONFIG_THROWAWAY=1 util/check-config-libs.sh
#
# Removes libjansson-dev, configures nginx-dev's tree with the module as
# util/build.sh does, and expects configure to stop with a line that
# names the library and the Debian package to install; then installs the
# package again and expects configure to find it.  It removes and
# installs a package: never run it on a machine that matters, hence the
# variable.  Prints ok/not ok lines and "config: N passed, N failed".

set -u

if [ "${CHECK_CONFIG_THROWAWAY:-}" != 1 ] || [ "$(id -u)" != 0 ]; then
    echo "$0: removes and installs packages; only as root, in a throwaway" \
         "root, with CHECK_CONFIG_THROWAWAY=1" >&2
    exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/util/nginx-flags.sh"
. "$top/util/tap.sh"
export DEBIAN_FRONTEND=noninteractive


sh "$top/util/deps.sh" || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# configure: nginx-dev's tree, flags and module as "make module" has them
configure() {
    rm -rf "$tmp/nginx"
    cp -a /usr/share/nginx/src "$tmp/nginx"
    nginx_flags "$tmp/nginx"
    (cd "$tmp/nginx" && "$configure" "${flags[@]}" \
        --add-dynamic-module="$top" >"$tmp/configure.log" 2>&1)
}

apt-get remove -y -qq libjansson-dev >/dev/null
check "libjansson-dev removed" \
    test -z "$(dpkg-query -W -f='${db:Status-Status}' libjansson-dev \
               2>/dev/null | grep -x installed)"

configure
rc=$?
check "without libjansson-dev, configure fails" test $rc -ne 0
check "it says the module needs jansson" \
    grep -q 'error: the MTA-STS module requires the jansson library' \
        "$tmp/configure.log"
check "it names the Debian package" \
    grep -q 'apt-get install libjansson-dev' "$tmp/configure.log"
check "it stops before objs/Makefile" test ! -f "$tmp/nginx/objs/Makefile"
sed -n '/checking for jansson/,$p' "$tmp/configure.log"

apt-get install -y -qq --no-install-recommends libjansson-dev >/dev/null
configure
check "with libjansson-dev again, configure succeeds" test $? -eq 0
check "it finds jansson" \
    grep -q 'checking for jansson library \.\.\. found' "$tmp/configure.log"

tap_done config
