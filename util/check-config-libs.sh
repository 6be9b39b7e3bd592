#!/bin/bash
# The module's "config" on a machine without a library it needs, as root
# in a throwaway Debian root (CI runs it in the root util/fresh-debian.sh
# makes):
#
#   CHECK_CONFIG_THROWAWAY=1 util/check-config-libs.sh
#
# The module needs no library beyond those nginx itself links (zlib,
# OpenSSL): its TLS report receiver parses JSON itself since it dropped
# jansson.  Removes libjansson-dev (the library it once needed, so that a
# stale check for it would show), configures nginx-dev's tree with the
# module as util/build.sh does, and expects configure to succeed and the
# module's link line to name no library of its own.  It removes a
# package: never run it on a machine that matters, hence the variable.
# Prints ok/not ok lines and "config: N passed, N failed".

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

apt-get remove -y -qq libjansson-dev >/dev/null 2>&1
check "libjansson-dev not installed" \
    test -z "$(dpkg-query -W -f='${db:Status-Status}' libjansson-dev \
               2>/dev/null | grep -x installed)"

configure
check "without libjansson-dev, configure succeeds" test $? -eq 0
check "it writes objs/Makefile" test -f "$tmp/nginx/objs/Makefile"
check "it checks for no JSON library" \
    sh -c "! grep -qi 'jansson' '$tmp/configure.log'"
check "the module links no library of its own" \
    sh -c "! grep -q -- '-ljansson' '$tmp/nginx/objs/Makefile'"

tap_done config
