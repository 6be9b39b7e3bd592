#!/bin/bash
# Fuzzes src/ngx_http_mta_sts_update.c with libFuzzer (t/fuzz/update.c),
# for FUZZ_SECONDS (default 10); t/fuzz/run.sh runs it after the DNS
# target, whose probe has found clang able to build one.  Builds
# build/fuzz/update with clang (-fsanitize=fuzzer,address,undefined),
# copies t/fuzz/corpus-update (named's responses of
# t/unit/update-vectors.sh, two key files) to scratch and fuzzes; the
# machinery is t/fuzz/lib.sh.  A crash leaves its input in
# build/fuzz/crash-*; the exit status is then non-zero.

set -u

cd "$(dirname "$0")/../.." || exit 1

label=fuzz:
. t/fuzz/lib.sh

mkdir -p "$out" || exit 1

fuzz_build_ngx update t/fuzz/update.c src/ngx_http_mta_sts_update.c \
    src/ngx_http_mta_sts_dns.c src/ngx_http_mta_sts_policy.c -lcrypto
fuzz_scratch run-update t/fuzz/corpus-update

fuzz_run update "$out/last-update.log" -max_len=4096 \
    -dict=t/fuzz/update.dict "$work/corpus"
fuzz_finish update "$out/last-update.log" "fuzz: update:"
