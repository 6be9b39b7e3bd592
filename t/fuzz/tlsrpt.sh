#!/bin/bash
# Fuzzes src/ngx_http_mta_sts_tlsrpt.c with libFuzzer (t/fuzz/tlsrpt.c),
# for FUZZ_SECONDS (default 10); t/fuzz/run.sh runs it after the policy
# target, whose probe has found clang able to build one.  Builds
# build/fuzz/tlsrpt with clang (-fsanitize=fuzzer,address,undefined),
# copies t/fuzz/corpus-tlsrpt to scratch, adds gzip'd copies of its plain
# reports, and fuzzes; the machinery is t/fuzz/lib.sh.  A crash leaves
# its input in build/fuzz/crash-*; the exit status is then non-zero.

set -u

cd "$(dirname "$0")/../.." || exit 1

label=fuzz:
. t/fuzz/lib.sh

mkdir -p "$out" || exit 1

fuzz_build_ngx tlsrpt t/fuzz/tlsrpt.c src/ngx_http_mta_sts_tlsrpt.c \
    src/ngx_http_mta_sts_json.c \
    -lz -lcrypto
fuzz_scratch run-tlsrpt t/fuzz/corpus-tlsrpt

# the first byte is the control byte (t/fuzz/tlsrpt.c); a gzip'd copy of
# each plain report, as senders send them
for f in t/fuzz/corpus-tlsrpt/*; do
    { head -c 1 "$f"; tail -c +2 "$f" | gzip -9n; } \
        > "$work/corpus/$(basename "$f").gz"
done

fuzz_run tlsrpt "$out/last-tlsrpt.log" -max_len=4096 \
    -dict=t/fuzz/tlsrpt.dict "$work/corpus"
fuzz_finish tlsrpt "$out/last-tlsrpt.log" "fuzz: tlsrpt:"
