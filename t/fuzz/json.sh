#!/bin/bash
# Fuzzes src/ngx_http_mta_sts_json.c with libFuzzer (t/fuzz/json.c), for
# FUZZ_SECONDS (default 10); t/fuzz/run.sh runs it after the policy
# target, whose probe has found clang able to build one.  Builds
# build/fuzz/json with clang (-fsanitize=fuzzer,address,undefined),
# copies t/fuzz/corpus-json to scratch and fuzzes; the machinery is
# t/fuzz/lib.sh.  A crash leaves its input in build/fuzz/crash-*; the exit
# status is then non-zero.

set -u

cd "$(dirname "$0")/../.." || exit 1

label=fuzz:
. t/fuzz/lib.sh

mkdir -p "$out" || exit 1

fuzz_build_ngx json t/fuzz/json.c src/ngx_http_mta_sts_json.c
fuzz_scratch run-json t/fuzz/corpus-json

fuzz_run json "$out/last-json.log" -max_len=4096 -dict=t/fuzz/json.dict \
    "$work/corpus"
fuzz_finish json "$out/last-json.log" "fuzz: json:"
