#!/bin/bash
# Builds the module a second time, in a build directory of its own, with
# extra compiler flags: the sanitizer build (make test-asan) and the
# valgrind build (make test-valgrind).  Configured like util/build.sh does;
# the flags are appended to --with-cc-opt / --with-ld-opt.
#
#   util/build-variant.sh NGINX_SRC BUILD_DIR CC_OPT [LD_OPT]
#
# The module's objects are removed and compiled again on every run, so the
# result always comes from the current sources; the tree is configured
# again when the module's "config", the flags or NGINX_SRC change.
# MTA_STS_SRC=/other/checkout builds the module from another copy of the
# sources (used to prove that the checks catch a planted bug).
#
# Debian's nginx-dev tree (it has a conf_flags file) holds headers only:
# NGX_DEBUG_PALLOC can take effect only inside src/core/ngx_palloc.c, which
# is part of /usr/sbin/nginx, so there util/palloc-debug.h is forced into
# the module's sources to give the module's own pool allocations the same
# treatment (one heap block each).  Any other tree is configured
# --with-compat and its nginx binary is built with the flags too.

set -eu

. "$(dirname "$0")/nginx-flags.sh"

src=$(cd "$1" && pwd)
build=$2
cc_opt=$3
ld_opt=${4:-}
top=$(cd "$(dirname "$0")/.." && pwd)
addon=$(cd "${MTA_STS_SRC:-$top}" && pwd)
mkdir -p "$build"
tree=$(cd "$build" && pwd)/nginx

debian=
[ -f "$src/conf_flags" ] && debian=1

# the forced header goes on make's command line, not into configure's
# tests (which use --with-cc-opt too)
include=
if [ -n "$debian" ] && [ "${cc_opt#*NGX_DEBUG_PALLOC}" != "$cc_opt" ]; then
    include="-include $top/util/palloc-debug.h"
fi

stamp="src=$src addon=$addon cc_opt=$cc_opt ld_opt=$ld_opt config=$(
    cksum <"$addon/config")"

if [ ! -f "$tree/objs/Makefile" ] || [ ! -d "$tree/objs/addon" ] \
   || [ "$(cat "$tree/.variant" 2>/dev/null)" != "$stamp" ]
then
    rm -rf "$tree"
    mkdir -p "$tree"
    cp -a "$src/." "$tree/"

    nginx_flags "$tree"

    # append to an existing --with-cc-opt / --with-ld-opt, or add one
    have_cc= have_ld=
    for i in "${!flags[@]}"; do
        case ${flags[$i]} in
        --with-cc-opt=*) flags[$i]="${flags[$i]} $cc_opt"; have_cc=1 ;;
        --with-ld-opt=*) flags[$i]="${flags[$i]} $ld_opt"; have_ld=1 ;;
        esac
    done
    [ -n "$have_cc" ] || flags+=("--with-cc-opt=$cc_opt")
    [ -n "$have_ld" ] || [ -z "$ld_opt" ] || flags+=("--with-ld-opt=$ld_opt")

    (cd "$tree" && "$configure" "${flags[@]}" --add-dynamic-module="$addon" \
        >configure.log 2>&1) || {
        tail -n 20 "$tree/configure.log" >&2
        rm -f "$tree/objs/Makefile"
        exit 1
    }
    printf '%s\n' "$stamp" >"$tree/.variant"
fi

# always compile the module again: the sources change under us
find "$tree/objs/addon" -name '*.o' -exec rm -f {} +
rm -f "$tree"/objs/*_modules.o "$tree"/objs/*.so

# nginx links a dynamic module with $(LINK) alone (no --with-ld-opt)
mkvar() { sed -n "s/^$1 =[[:space:]]*//p" "$tree/objs/Makefile"; }
link="$(mkvar CC) $ld_opt"

if [ -n "$debian" ]; then
    make -s -C "$tree" -f objs/Makefile LINK="$link" \
        CFLAGS="$(mkvar CFLAGS) $include" modules
else
    make -s -C "$tree" -f objs/Makefile LINK="$link"
fi
