#!/bin/bash
# Fuzzes src/ngx_http_mta_sts_dns.c with libFuzzer (t/fuzz/dns.c), for
# FUZZ_SECONDS (default 10); t/fuzz/run.sh runs it after the policy
# target, whose probe has found clang able to build one.  Builds
# build/fuzz/dns with clang (-fsanitize=fuzzer,address,undefined), copies
# t/fuzz/corpus-dns to scratch and fuzzes; the machinery is t/fuzz/lib.sh.
# A crash leaves its input in build/fuzz/crash-*; the exit status is then
# non-zero.

set -u

cd "$(dirname "$0")/../.." || exit 1

label=fuzz:
. t/fuzz/lib.sh

mkdir -p "$out" || exit 1

fuzz_build_ngx dns t/fuzz/dns.c src/ngx_http_mta_sts_dns.c \
    src/ngx_http_mta_sts_policy.c
fuzz_scratch run-dns t/fuzz/corpus-dns

fuzz_run dns "$out/last-dns.log" -max_len=4096 -dict=t/fuzz/dns.dict \
    "$work/corpus"
fuzz_finish dns "$out/last-dns.log" "fuzz: dns:"
