#!/bin/bash
# Proves that "make test-asan" and "make test-valgrind" catch a leak of
# the module: a copy of the sources with a leak planted in the policy's
# content handler (37 bytes from malloc() on every policy request, the
# pointer dropped) must fail both modes, with the leak counted as the
# module's.  A check that passes whatever the module does is no check.
#
#   util/check-leak-detection.sh NGINX_SRC NGINX BUILD_DIR
#
# NGINX_SRC and NGINX as for util/test-mode.sh.  The copy and its builds
# live in BUILD_DIR/planted.  Prints ok/not ok
# lines and "leak detection: N passed, N failed".

set -u

src=$1 nginx=$2
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$3"
build=$(cd "$3" && pwd)/planted
copy=$build/src

. "$top/util/tap.sh"

rm -rf "$build"
mkdir -p "$copy"
(cd "$top" && git ls-files -z | xargs -0 tar -cf - ) | tar -xf - -C "$copy"

# the leak, after the handler's declarations (the first blank line)
perl -0pi -e '
    s/^(ngx_http_mta_sts_handler\(ngx_http_request_t \*r\)\n\{\n)(.*?\n)\n/$1    u_char *volatile  planted;\n$2\n    planted = malloc(37);\n    planted = NULL;\n    (void) planted;\n\n/ms
        or die "the handler of ngx_http_mta_sts_module.c was not found\n"
' "$copy/ngx_http_mta_sts_module.c" || exit 1

for mode in asan valgrind; do
    out=$build/$mode.log
    MTA_STS_SRC=$copy bash "$top/util/test-mode.sh" "$mode" "$src" \
        "$nginx" "$build" t/001-mode.t >"$out" 2>&1
    rc=$?

    check "make test-$mode fails on the planted leak" test $rc -ne 0
    case $mode in
    asan)
        check "make test-asan counts it as the module's" \
            grep -q 'leaks in the module: [1-9]' "$out"
        ;;
    valgrind)
        check "make test-valgrind counts it as the module's" \
            grep -q 'fail the run (the module.*): [1-9]' "$out"
        ;;
    esac
    check "the report names the handler" \
        grep -q 'ngx_http_mta_sts_handler' "$out"
    grep 'make test-' "$out"
done

tap_done "leak detection"
