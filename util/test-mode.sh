#!/bin/bash
# Runs the Test::Nginx suite in one of the modes that "make test" leaves
# out, each in a build directory, a server root and (as root, with
# util/netns.sh) a network namespace of its own, so it can run next to
# "make test":
#
#   util/test-mode.sh asan     NGINX_SRC NGINX BUILD_DIR [TESTS...]
#   util/test-mode.sh valgrind NGINX_SRC NGINX BUILD_DIR [TESTS...]
#   util/test-mode.sh reload   NGINX_SRC NGINX BUILD_DIR [TESTS...]
#
# asan      builds the module into BUILD_DIR/asan with
#           -fsanitize=address,undefined -DNGX_DEBUG_PALLOC=1 and runs the
#           suite in nginx with the ASan runtime preloaded
#           (util/nginx-asan.sh); fails on any sanitizer report
#           (util/check-sanitizers.pl).
# valgrind  builds the module into BUILD_DIR/valgrind (-O1, the palloc
#           debug shim) and runs the suite with TEST_NGINX_USE_VALGRIND;
#           valgrind writes one log per nginx process, which
#           util/check-valgrind.pl reads when the suite is done.
# reload    the suite with TEST_NGINX_USE_HUP=1, against the module of
#           BUILD_DIR ("make module" builds it): one nginx, reloaded
#           with SIGHUP between the blocks.
#
# NGINX is the nginx to test (Debian's /usr/sbin/nginx, or, for a full
# nginx source tree, the nginx binary built with the module).  TESTS
# default to t/*.t.  TEST_NGINX_PORT and TEST_NGINX_SERVROOT may be set
# to override the port and the server root of the mode.

set -u

mode=$1 src=$2 nginx=$3 build=$4
shift 4

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p "$build"
build=$(cd "$build" && pwd)

[ $# -gt 0 ] || set -- t/*.t

so=ngx_http_mta_sts_module.so

# nginx unloads its modules at exit, before LeakSanitizer and valgrind
# look for leaks: a leak of the module would then have no name and no
# object in its stack.  Marked "nodelete", the .so stays mapped to the end.
nodelete="-Wl,-z,nodelete"

case $mode in
asan)
    port=1985
    cc_opt="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined"
    cc_opt="$cc_opt -DNGX_DEBUG_PALLOC=1"
    ld_opt="-fsanitize=address,undefined $nodelete"
    ;;
valgrind)
    port=1986
    if ! command -v valgrind >/dev/null; then
        echo "$0: no valgrind; as root: apt-get install valgrind" >&2
        exit 1
    fi
    cc_opt="-O1 -g -fno-omit-frame-pointer -DNGX_DEBUG_PALLOC=1"
    ld_opt=$nodelete
    ;;
reload)
    port=1987
    ;;
*)
    echo "$0: unknown mode $mode (asan, valgrind or reload)" >&2
    exit 2
    ;;
esac

if [ "$mode" = reload ]; then
    dir=$build/reload
    module=$build/nginx/objs/$so
else
    dir=$build/$mode
    echo "make test-$mode: building the module into $dir/nginx"
    bash util/build-variant.sh "$src" "$dir" "$cc_opt" "$ld_opt" || exit 1
    module=$dir/nginx/objs/$so
    # a full nginx source tree: its nginx was built with the flags too
    [ -f "$src/conf_flags" ] || nginx=$dir/nginx/objs/nginx
fi

if [ ! -f "$module" ]; then
    echo "$0: $module: no such module (make module?)" >&2
    exit 1
fi

if perl -MTest::Nginx::Socket -e1 2>/dev/null; then
    echo "make test-$mode: Test::Nginx: the installed one"
else
    echo "make test-$mode: Test::Nginx: t/compat, this repository's runner"
    export PERL5LIB="$top/t/compat${PERL5LIB:+:$PERL5LIB}"
fi

logs=$dir/logs
rm -rf "$logs"
mkdir -p "$logs"
# every nginx process writes its own report here at exit, the workers too:
# the suite's plain files (t/013 to t/015) start nginx as root without a
# "user" directive, so their workers run as nginx's default user (nobody)
chmod 1777 "$logs"

export MTA_STS_NGINX=$nginx
export TEST_NGINX_LOAD_MODULES=$module
export TEST_NGINX_BINARY=$top/util/nginx-e.sh
export TEST_NGINX_PORT=${TEST_NGINX_PORT:-$port}
export TEST_NGINX_SERVROOT=${TEST_NGINX_SERVROOT:-$dir/servroot}

case $mode in
asan)
    export TEST_NGINX_BINARY=$top/util/nginx-asan.sh
    export MTA_STS_SAN_LOGS=$logs
    ;;
valgrind)
    # the string form of TEST_NGINX_USE_VALGRIND: "valgrind -q <it> nginx"
    # (both runners); the options of the numeric form, plus a log file
    # per process and --trace-children, as util/nginx-e.sh execs nginx
    # --vgdb=no: no gdb pipes in /tmp, which workers that are no longer
    # root could not remove
    vg="--tool=memcheck --leak-check=full --show-possibly-lost=no --vgdb=no"
    vg="$vg --gen-suppressions=all --num-callers=100"
    vg="$vg --suppressions=$top/valgrind.suppress"
    vg="$vg --trace-children=yes --log-file=$logs/valgrind.%p.log"
    export TEST_NGINX_USE_VALGRIND=$vg
    # t/compat only: which nginx (pid) ran which block, for the report;
    # must_die blocks under valgrind too (the module's error paths)
    export TEST_NGINX_COMPAT_VALGRIND_PIDS=$logs/pids
    export TEST_NGINX_COMPAT_VALGRIND_MUST_DIE=1
    # nginx starts and answers far slower under valgrind
    export TEST_NGINX_TIMEOUT=${TEST_NGINX_TIMEOUT:-20}
    ;;
reload)
    export TEST_NGINX_USE_HUP=1
    ;;
esac

# the suite listens on all addresses: in a network namespace of its own
start=$(date +%s)
sh util/netns.sh prove "$@"
rc=$?
echo "make test-$mode: prove took $(( $(date +%s) - start ))s, exit code $rc"

case $mode in
asan)     perl util/check-sanitizers.pl "$logs" || rc=1 ;;
valgrind) perl util/check-valgrind.pl "$logs" || rc=1 ;;
esac

exit $rc
