#!/bin/bash
# Fuzzes src/ngx_http_mta_sts_policy.c with libFuzzer (t/fuzz/policy.c).
#
#   FUZZ_SECONDS=N t/fuzz/run.sh          (default 10 seconds)
#
# Run from anywhere; works in the repository root.  Builds build/fuzz/policy
# with clang (-fsanitize=fuzzer,address,undefined) against the configured
# nginx tree of `make module` (BUILD, default build), runs two generated
# inputs at the 64000-byte limit once, copies t/fuzz/corpus to a scratch
# directory (the committed corpus never grows) and fuzzes for FUZZ_SECONDS;
# then runs t/fuzz/json.sh, tlsrpt.sh, dns.sh, cache.sh, status.sh and
# update.sh.
# What the targets share is t/fuzz/lib.sh.
# A crash leaves its input in build/fuzz/crash-*; the exit status is then
# non-zero.  Skips (status 0) only when clang cannot build a libFuzzer
# target at all (Debian: clang, libclang-rt-dev); FUZZ_REQUIRED=1 makes
# that a failure.

set -u

cd "$(dirname "$0")/../.." || exit 1

label=fuzz:
. t/fuzz/lib.sh

if [ ! -f "$objs/ngx_auto_config.h" ]; then
    echo "fuzz: $objs/ngx_auto_config.h is missing, run \"make module\"" >&2
    exit 1
fi

mkdir -p "$out" || exit 1

# can clang build a fuzzer here at all?  Asked once with an empty target,
# so that a missing libFuzzer runtime is a skip and not a build failure;
# tlsrpt.sh, run from here, relies on it

fuzz_need_cc

probe=$out/probe
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }' \
    > "$probe.c"

if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" \
        >"$probe.log" 2>&1
then
    fuzz_skip "$cc cannot build a libFuzzer target" \
        "(Debian: apt-get install libclang-rt-dev):" \
        "$(head -n 1 "$probe.log")"
fi

rm -f "$probe" "$probe.c" "$probe.log"

fuzz_build_ngx policy t/fuzz/policy.c src/ngx_http_mta_sts_policy.c
fuzz_scratch run t/fuzz/corpus

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

fuzz_run policy "$out/last.log" -max_len=4096 -dict=t/fuzz/policy.dict \
    "$work/corpus"
fuzz_finish policy "$out/last.log" fuzz:

# the JSON parser of the TLS reports, the same seconds
bash t/fuzz/json.sh || exit 1

# the TLS report logic, the same seconds
bash t/fuzz/tlsrpt.sh || exit 1

# the DNS client's parser and the record checks, the same seconds
bash t/fuzz/dns.sh || exit 1
# the cache of policies from variables, the same seconds
bash t/fuzz/cache.sh || exit 1

# the status counters of domains from variables, the same seconds
bash t/fuzz/status.sh || exit 1

# the DNS UPDATE responses and key files, the same seconds
bash t/fuzz/update.sh || exit 1
