#!/bin/bash
# Configures an nginx source tree with this module as a dynamic module and
# builds it.  Debian's nginx-dev tree (it has a conf_flags file) gets the
# flags of the installed nginx, so the module loads into /usr/sbin/nginx;
# any other tree is configured --with-compat and its nginx binary is built
# too.  With "static", the module is built into nginx (--add-module) in
# BUILD_DIR/static, from a full source tree (nginx-dev's has headers only).
#
#   util/build.sh NGINX_SRC BUILD_DIR [static]

set -eu

. "$(dirname "$0")/nginx-flags.sh"

src=$1
tree=$2/nginx
top=$(cd "$(dirname "$0")/.." && pwd)
add=--add-dynamic-module

if [ "${3:-}" = static ]; then
    tree=$2/static/nginx
    add=--add-module

    if [ -f "$src/conf_flags" ] || [ ! -d "$src/src/http/modules" ]; then
        echo "$0: $src: a static build needs a full nginx source tree" \
             "(apt-get source nginx, or a release from nginx.org)" >&2
        exit 1
    fi
fi

# configured again when the module's config changed (new files, new
# libraries): the objs/Makefile of an older one would leave them out
if [ ! -f "$tree/objs/Makefile" ] || [ "$top/config" -nt "$tree/objs/Makefile" ]
then
    rm -rf "$tree"
    mkdir -p "$tree"
    cp -a "$src/." "$tree/"

    nginx_flags "$tree"

    (cd "$tree" && "$configure" "${flags[@]}" $add="$top" \
        >configure.log 2>&1) || {
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
