#!/bin/sh
# The nginx that "make test-asan" gives Test::Nginx: util/nginx-e.sh's
# nginx (Debian's, with "-e logs/error.log"), with the sanitizer runtime
# that the ASan/UBSan build of the module needs preloaded.  Debian's nginx
# is not built with ASan, and ASan must come first in the process.
#
# The runtime libraries are the ones the modules in TEST_NGINX_LOAD_MODULES
# link against (libasan.so.8 and libubsan.so.1 for gcc 12).  Every process
# writes what it finds to $MTA_STS_SAN_LOGS/asan.<pid> or ubsan.<pid>;
# util/check-sanitizers.pl looks at those files when the suite is done.

set -eu

logs=${MTA_STS_SAN_LOGS:?MTA_STS_SAN_LOGS: no directory for sanitizer reports}
top=$(cd "$(dirname "$0")/.." && pwd)

asan= ubsan=
for m in ${TEST_NGINX_LOAD_MODULES:-}; do
    for lib in $(ldd "$m" | awk '$1 ~ /^lib(asan|ubsan)\.so/ { print $3 }'); do
        case $lib in
        */libasan.so*)  asan=$lib ;;
        */libubsan.so*) ubsan=$lib ;;
        esac
    done
done

if [ -z "$asan" ]; then
    echo "$0: no module in TEST_NGINX_LOAD_MODULES links libasan" >&2
    exit 1
fi

# A report aborts the process (abort_on_error): the test that hit it
# fails, and the report stays in the log file for the check.  Leaks are
# looked for at every exit (all of them go to the log file, the check
# tells the module's from nginx core's), but do not change the exit code
# (exitcode=0): a daemonising nginx's parent exits with 0 however many
# PCRE contexts nginx core leaves behind, or Test::Nginx would think it
# failed to start.
export LD_PRELOAD="$asan${ubsan:+ $ubsan}${LD_PRELOAD:+ $LD_PRELOAD}"
opts="log_path=$logs/asan:abort_on_error=1:exitcode=0:detect_leaks=1"
opts="$opts:fast_unwind_on_malloc=0:strict_string_checks=1"
opts="$opts:check_initialization_order=1:detect_stack_use_after_return=1"
export ASAN_OPTIONS="$opts${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$top/lsan.suppress:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# "nginx -t" and "-T": main() returns with the configuration it tested
# still allocated (nginx core never frees that cycle), so LeakSanitizer
# would report every block of it, the module's included, as lost.  The
# same configurations, started, are freed at exit and checked there.
# The options are read as nginx reads them: letters after one "-", and
# the rest of the word is the value of -c, -e, -g, -p or -s.
tests_config() {
    for arg; do
        case $arg in
        -?*) flags=${arg#-} ;;
        *)   continue ;;
        esac

        while [ -n "$flags" ]; do
            letter=${flags%"${flags#?}"}
            flags=${flags#?}
            case $letter in
            t|T)       return 0 ;;
            c|e|g|p|s) break ;;
            esac
        done
    done

    return 1
}

if tests_config "$@"; then
    export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"
fi
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=0${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

exec "${MTA_STS_NGINX:-/usr/sbin/nginx}" -e logs/error.log "$@"
