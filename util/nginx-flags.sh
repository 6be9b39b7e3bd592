# shellcheck shell=bash
# Sourced by util/build.sh and util/build-variant.sh.
#
# nginx_flags TREE: the configure arguments for the nginx source tree
# TREE, in the array "flags".  nginx-dev's tree has a conf_flags file:
# the arguments of Debian's installed nginx, so that the module loads
# into it.  That file is a bash array assignment (NGX_CONF_FLAGS=( ... ))
# whose elements can hold spaces and command substitutions (since nginx
# 1.30: --with-cc-opt="$(dpkg-buildflags --get CFLAGS) -fPIC ..."), so it
# is read by bash and each element kept whole.  Any other tree gets
# --with-compat and the modules that the suite needs, HTTP/3 among them
# where the tree's configure knows it (nginx 1.25 and later).
#
# Sets "configure" too: ./configure in a release, auto/configure in a
# checkout of nginx's repository.

nginx_flags() {
    if [ -f "$1/conf_flags" ]; then
        # shellcheck source=/dev/null
        . "$1/conf_flags"
        flags=("${NGX_CONF_FLAGS[@]}")
    else
        flags=(--with-compat --with-http_ssl_module --with-http_v2_module)
        if grep -q -- '--with-http_v3_module)' "$1/auto/options"; then
            flags+=(--with-http_v3_module)
        fi
    fi

    configure=./configure
    [ -f "$1/configure" ] || configure=auto/configure
}
