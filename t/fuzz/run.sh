#!/bin/bash
# Fuzzes src/ngx_http_mta_sts_policy.c with libFuzzer (t/fuzz/policy.c).
#
#   FUZZ_SECONDS=N t/fuzz/run.sh          (default 10 seconds)
#
# Run from anywhere; works in the repository root.  Builds build/fuzz/policy
# with clang (-fsanitize=fuzzer,address,undefined) against the configured
# nginx tree of `make module` (BUILD, default build), runs two generated
# inputs at the 64000-byte limit once, copies t/fuzz/corpus to a scratch
# directory (the committed corpus never grows) and fuzzes for FUZZ_SECONDS.  A crash
# leaves its input in build/fuzz/crash-*; the exit status is then non-zero.
# Skips (status 0) only when clang cannot build a libFuzzer target at all
# (Debian: clang, libclang-rt-14-dev); FUZZ_REQUIRED=1 makes that a failure.

set -u

cd "$(dirname "$0")/../.." || exit 1

build=${BUILD:-build}
seconds=${FUZZ_SECONDS:-10}
cc=${FUZZ_CC:-clang}
objs=$build/nginx/objs
out=$build/fuzz

skip() {
    echo "fuzz: skipped: $*"
    [ "${FUZZ_REQUIRED:-0}" = 1 ] && exit 1
    exit 0
}

case $seconds in
    ''|*[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a number of seconds" >&2
                 exit 2 ;;
esac

if [ ! -f "$objs/ngx_auto_config.h" ]; then
    echo "fuzz: $objs/ngx_auto_config.h is missing, run \"make module\"" >&2
    exit 1
fi

mkdir -p "$out" || exit 1

# can clang build a fuzzer here at all?

probe=$out/probe
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }' \
    > "$probe.c"

if ! command -v "$cc" >/dev/null 2>&1; then
    skip "no $cc (Debian: apt-get install clang libclang-rt-14-dev)"
fi

if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" \
        >"$probe.log" 2>&1
then
    skip "$cc cannot build a libFuzzer target" \
         "(Debian: apt-get install libclang-rt-14-dev): $(head -n 1 "$probe.log")"
fi

rm -f "$probe" "$probe.c" "$probe.log"

# the target

"$cc" -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I "$objs" -I "$build/nginx/src/core" -I "$build/nginx/src/event" \
    -I "$build/nginx/src/os/unix" -I src \
    -o "$out/policy" t/fuzz/policy.c src/ngx_http_mta_sts_policy.c || {
    echo "fuzz: building $out/policy failed" >&2
    exit 1
}

# the corpus, in scratch

work=$(mktemp -d "$out/run.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

mkdir "$work/corpus"
cp t/fuzz/corpus/* "$work/corpus/"

# the 64000-byte limit, run once (fuzzing 64 KB inputs is slow): enforce
# with 317 patterns is exactly 64000 bytes with max_age 86400 (accepted)
# and 64001 with max_age 864000 (too large)

big() {
    awk -v age="$1" 'BEGIN {
        l = sprintf("%63s", ""); gsub(/ /, "a", l)
        printf "2%d|", age
        for (i = 0; i < 316; i++) printf "p%03d.%s.%s.%s ", i, l, l, l
        printf "q.%s.%s", l, substr(l, 1, 49)
    }'
}

mkdir "$work/limit"
big 86400 > "$work/limit/64000-bytes"
big 864000 > "$work/limit/64001-bytes"

if ! "$out/policy" -artifact_prefix="$out/" "$work/limit"/* \
        >"$out/last.log" 2>&1
then
    tail -n 40 "$out/last.log" >&2
    echo "fuzz: the 64000-byte limit inputs crash, see $out/last.log"
    exit 1
fi

echo "fuzz: $out/policy for $seconds seconds, log in $out/last.log"

"$out/policy" -max_total_time="$seconds" -max_len=4096 -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -dict=t/fuzz/policy.dict -artifact_prefix="$out/" \
    "$work/corpus" >"$out/last.log" 2>&1
rc=$?

runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' \
       "$out/last.log" | tail -n 1)
secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' \
       "$out/last.log" | tail -n 1)
cov=$(grep -E '^#[0-9]+' "$out/last.log" | tail -n 1 \
      | sed -n 's/.*\(cov: [0-9]* ft: [0-9]* corp: [^ ]*\).*/\1/p')

if [ "$rc" -ne 0 ]; then
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$out/last.log" \
            | tail -n 1)
    grep -v '^#[0-9]' "$out/last.log" | tail -n 60 >&2

    if [ -n "$crash" ] && [ -f "$crash" ]; then
        echo "fuzz: the input, in hex:" >&2
        od -An -tx1 -v "$crash" | head -n 40 >&2
        echo "fuzz: reproduce with: $out/policy $crash" >&2
    fi

    [ -n "$runs" ] || runs=$(sed -n \
        's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' \
        "$out/last.log" | tail -n 1)
    echo "fuzz: ${runs:-?} runs, 1 crash (libFuzzer exit $rc)${cov:+, $cov}"
    exit 1
fi

if [ -z "$runs" ]; then
    tail -n 20 "$out/last.log" >&2
    echo "fuzz: libFuzzer gave no summary" >&2
    exit 1
fi

echo "fuzz: $cov"
echo "fuzz: $runs runs in $secs seconds, 0 crashes"

# the TLS report logic, the same seconds
bash t/fuzz/tlsrpt.sh || exit 1
