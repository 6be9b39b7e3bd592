#!/bin/bash
# Fuzzes src/ngx_http_mta_sts_cache.c with libFuzzer (t/fuzz/cache.c), for
# FUZZ_SECONDS (default 10); t/fuzz/run.sh runs it after the TLS report
# target, whose probe has found clang able to build one.  Builds
# build/fuzz/cache with clang (-fsanitize=fuzzer,address,undefined),
# copies t/fuzz/corpus-cache to scratch and fuzzes; the machinery is
# t/fuzz/lib.sh.  A crash leaves its input in build/fuzz/crash-*; the exit
# status is then non-zero.

set -u

cd "$(dirname "$0")/../.." || exit 1

label=fuzz:
. t/fuzz/lib.sh

mkdir -p "$out" || exit 1

fuzz_build_ngx cache t/fuzz/cache.c src/ngx_http_mta_sts_cache.c
fuzz_scratch run-cache t/fuzz/corpus-cache

fuzz_run cache "$out/last-cache.log" -max_len=4096 "$work/corpus"
fuzz_finish cache "$out/last-cache.log" "fuzz: cache:"
