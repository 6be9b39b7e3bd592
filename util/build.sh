#!/bin/sh
# Configures an nginx source tree with this module as a dynamic module and
# builds it.  Debian's nginx-dev tree (it has a conf_flags file) gets the
# flags of the installed nginx, so the module loads into /usr/sbin/nginx;
# any other tree is configured --with-compat and its nginx binary is built
# too.
#
#   util/build.sh NGINX_SRC BUILD_DIR

set -eu

src=$1
tree=$2/nginx
top=$(cd "$(dirname "$0")/.." && pwd)

# a changed "config" (new source files) needs a new objs/Makefile
if [ ! -f "$tree/objs/Makefile" ] || [ "$top/config" -nt "$tree/objs/Makefile" ]
then
    rm -rf "$tree"
    mkdir -p "$tree"
    cp -a "$src/." "$tree/"

    if [ -f "$tree/conf_flags" ]; then
        # conf_flags is a bash array assignment: NGX_CONF_FLAGS=( ... )
        flags=$(bash -c '. "$1"; printf "%s\n" "${NGX_CONF_FLAGS[@]}"' \
                _ "$tree/conf_flags")
    else
        flags="--with-compat --with-http_ssl_module --with-http_v2_module"
    fi

    (cd "$tree" && echo "$flags" | xargs ./configure \
        --add-dynamic-module="$top" >configure.log 2>&1) || {
        tail -n 20 "$tree/configure.log" >&2
        rm -f "$tree/objs/Makefile"
        exit 1
    }
fi

if [ -f "$tree/conf_flags" ]; then
    make -s -C "$tree" -f objs/Makefile modules
else
    make -s -C "$tree" -f objs/Makefile
fi
