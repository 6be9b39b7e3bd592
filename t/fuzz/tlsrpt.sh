#!/bin/bash
# Fuzzes src/ngx_http_mta_sts_tlsrpt.c with libFuzzer (t/fuzz/tlsrpt.c),
# for FUZZ_SECONDS (default 10); t/fuzz/run.sh runs it after the policy
# target.  Builds build/fuzz/tlsrpt with clang
# (-fsanitize=fuzzer,address,undefined), copies t/fuzz/corpus-tlsrpt to
# scratch, adds gzip'd copies of its plain reports, and fuzzes.  A crash
# leaves its input in build/fuzz/crash-*; the exit status is then non-zero.

set -u

cd "$(dirname "$0")/../.." || exit 1

build=${BUILD:-build}
seconds=${FUZZ_SECONDS:-10}
cc=${FUZZ_CC:-clang}
objs=$build/nginx/objs
out=$build/fuzz

mkdir -p "$out" || exit 1

"$cc" -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I "$objs" -I "$build/nginx/src/core" -I "$build/nginx/src/event" \
    -I "$build/nginx/src/os/unix" -I src \
    -o "$out/tlsrpt" t/fuzz/tlsrpt.c src/ngx_http_mta_sts_tlsrpt.c \
    -lz -ljansson -lcrypto || {
    echo "fuzz: building $out/tlsrpt failed" >&2
    exit 1
}

work=$(mktemp -d "$out/run-tlsrpt.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

mkdir "$work/corpus"
cp t/fuzz/corpus-tlsrpt/* "$work/corpus/"

# the first byte is the control byte (t/fuzz/tlsrpt.c); a gzip'd copy of
# each plain report, as senders send them
for f in t/fuzz/corpus-tlsrpt/*; do
    { head -c 1 "$f"; tail -c +2 "$f" | gzip -9n; } \
        > "$work/corpus/$(basename "$f").gz"
done

echo "fuzz: $out/tlsrpt for $seconds seconds, log in $out/last-tlsrpt.log"

"$out/tlsrpt" -max_total_time="$seconds" -max_len=4096 -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -dict=t/fuzz/tlsrpt.dict -artifact_prefix="$out/" \
    "$work/corpus" >"$out/last-tlsrpt.log" 2>&1
rc=$?

runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' \
       "$out/last-tlsrpt.log" | tail -n 1)
secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' \
       "$out/last-tlsrpt.log" | tail -n 1)
cov=$(grep -E '^#[0-9]+' "$out/last-tlsrpt.log" | tail -n 1 \
      | sed -n 's/.*\(cov: [0-9]* ft: [0-9]* corp: [^ ]*\).*/\1/p')

if [ "$rc" -ne 0 ]; then
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' \
            "$out/last-tlsrpt.log" | tail -n 1)
    grep -v '^#[0-9]' "$out/last-tlsrpt.log" | tail -n 60 >&2

    if [ -n "$crash" ] && [ -f "$crash" ]; then
        echo "fuzz: the input, in hex:" >&2
        od -An -tx1 -v "$crash" | head -n 40 >&2
        echo "fuzz: reproduce with: $out/tlsrpt $crash" >&2
    fi

    echo "fuzz: tlsrpt: ${runs:-?} runs, 1 crash (libFuzzer exit $rc)${cov:+, $cov}"
    exit 1
fi

if [ -z "$runs" ]; then
    tail -n 20 "$out/last-tlsrpt.log" >&2
    echo "fuzz: tlsrpt: libFuzzer gave no summary" >&2
    exit 1
fi

echo "fuzz: tlsrpt: $cov"
echo "fuzz: tlsrpt: $runs runs in $secs seconds, 0 crashes"
