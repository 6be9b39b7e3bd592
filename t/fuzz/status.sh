#!/bin/bash
# Fuzzes the domains from variables of src/ngx_http_mta_sts_status.c with
# libFuzzer (t/fuzz/status.c), for FUZZ_SECONDS (default 10); t/fuzz/run.sh
# runs it after the cache target.  Builds build/fuzz/status with clang
# (-fsanitize=fuzzer,address,undefined), copies t/fuzz/corpus-status to
# scratch and fuzzes; the machinery is t/fuzz/lib.sh.  A crash leaves its
# input in build/fuzz/crash-*; the exit status is then non-zero.

set -u

cd "$(dirname "$0")/../.." || exit 1

label=fuzz:
. t/fuzz/lib.sh

mkdir -p "$out" || exit 1

# the renderings name the RFC 8460 types of tlsrpt.c
fuzz_build_ngx status t/fuzz/status.c src/ngx_http_mta_sts_status.c \
    src/ngx_http_mta_sts_tlsrpt.c src/ngx_http_mta_sts_json.c \
    -lz -lcrypto
fuzz_scratch run-status t/fuzz/corpus-status

fuzz_run status "$out/last-status.log" -max_len=1024 "$work/corpus"
fuzz_finish status "$out/last-status.log" "fuzz: status:"
