# shellcheck shell=bash disable=SC2154 # label is the runner's
# The machinery the libFuzzer runners share: sourced by t/fuzz/run.sh,
# tlsrpt.sh and cert.sh from the repository root, after each has set
# label, the prefix of its lines ("fuzz:", "fuzz cert:").  Each runner
# keeps what is its own: sources, libraries, corpus, dict, max_len.
#
# Sets build, seconds, cc, objs and out from BUILD, FUZZ_SECONDS and
# FUZZ_CC; fuzz_run sets rc, runs, secs and cov.

build=${BUILD:-build}
seconds=${FUZZ_SECONDS:-10}
cc=${FUZZ_CC:-clang}
objs=$build/nginx/objs
out=$build/fuzz

# libFuzzer reads a -max_total_time that is no number as 0, no limit: a
# typo would fuzz until killed
case $seconds in
    ''|*[!0-9]*) echo "$label FUZZ_SECONDS must be a number of seconds" >&2
                 exit 2 ;;
esac

# a missing fuzzer toolchain is no failure of the module, unless the
# caller (make test-fuzz) says the fuzzing must happen

fuzz_skip() {
    echo "$label skipped: $*"
    [ "${FUZZ_REQUIRED:-0}" = 1 ] && exit 1
    exit 0
}

fuzz_need_cc() {
    command -v "$cc" >/dev/null 2>&1 \
        || fuzz_skip "no $cc (Debian: apt-get install clang libclang-rt-dev)"
}

# $cc as for every target: a warning is an error, and the first sanitizer
# report ends the run, so that libFuzzer writes out the input

fuzz_cc() {
    "$cc" -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all "$@"
}

# fuzz_build_ngx NAME SOURCE... [-lLIB...]: $out/NAME against the nginx
# tree that `make module` configured

fuzz_build_ngx() {
    local name=$1
    shift

    # shellcheck disable=SC2046 # one word an option
    fuzz_cc $(sh util/nginx-incs.sh "$build/nginx") -I src \
        -o "$out/$name" "$@" || {
        echo "$label building $out/$name failed" >&2
        exit 1
    }
}

# fuzz_scratch PREFIX [CORPUS]: work, a scratch directory removed on
# exit, with work/corpus holding a copy of CORPUS: libFuzzer adds what it
# finds to its corpus directory, and the committed corpus never grows

fuzz_scratch() {
    work=$(mktemp -d "$out/$1.XXXXXX") || exit 1
    trap 'rm -rf "$work"' EXIT

    mkdir "$work/corpus"
    [ -z "${2-}" ] || cp "$2"/* "$work/corpus/"
}

# fuzz_run NAME LOG OPTION... CORPUS: runs $out/NAME for $seconds
# seconds, its output in LOG; rc is libFuzzer's exit status, runs and
# secs are from its "Done N runs in S second(s)", cov from its last
# status line

fuzz_run() {
    local name=$1 log=$2
    shift 2

    echo "$label $out/$name for $seconds seconds, log in $log"

    "$out/$name" -max_total_time="$seconds" -timeout=20 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" \
        "$@" >"$log" 2>&1
    rc=$?

    runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' \
           "$log" | tail -n 1)
    secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' \
           "$log" | tail -n 1)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 \
          | sed -n 's/.*\(cov: [0-9]* ft: [0-9]* corp: [^ ]*\).*/\1/p')
}

# fuzz_finish NAME LOG TAG: the closing lines of a fuzz_run, each headed
# TAG; a crash shows the report, the input in hex (it is often binary)
# and how to run it again, and exits 1

fuzz_finish() {
    local name=$1 log=$2 tag=$3 crash

    if [ "$rc" -ne 0 ]; then
        crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" \
                | tail -n 1)
        grep -v '^#[0-9]' "$log" | tail -n 60 >&2

        if [ -n "$crash" ] && [ -f "$crash" ]; then
            echo "$label the input, in hex:" >&2
            od -An -tx1 -v "$crash" | head -n 40 >&2
            echo "$label reproduce with: $out/$name $crash" >&2
        fi

        # a crash ends libFuzzer before its "Done" line; the final stats
        # still count the runs
        [ -n "$runs" ] || runs=$(sed -n \
            's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' \
            "$log" | tail -n 1)
        echo "$tag ${runs:-?} runs, 1 crash (libFuzzer exit $rc)${cov:+, $cov}"
        exit 1
    fi

    if [ -z "$runs" ]; then
        tail -n 20 "$log" >&2
        echo "$tag libFuzzer gave no summary" >&2
        exit 1
    fi

    echo "$tag $cov"
    echo "$tag $runs runs in $secs seconds, 0 crashes"
}
