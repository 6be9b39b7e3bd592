#!/bin/bash
# Fuzzes src/ngx_http_mta_sts_cert.c with libFuzzer (t/fuzz/cert.c).
#
#   FUZZ_SECONDS=N t/fuzz/cert.sh         (default 10 seconds)
#
# Builds BUILD/fuzz/cert with clang (-fsanitize=fuzzer,address,undefined),
# seeds it with the certificates of t/cert/make-certs.sh, made here (none
# is committed), and fuzzes for FUZZ_SECONDS.  A crash leaves its input
# in BUILD/fuzz/crash-*; the exit status is then non-zero.  Skips (status
# 0) only when clang cannot build a libFuzzer target; FUZZ_REQUIRED=1
# makes that a failure.  The machinery it shares is t/fuzz/lib.sh.

set -u

cd "$(dirname "$0")/../.." || exit 1

label="fuzz cert:"
. t/fuzz/lib.sh

mkdir -p "$out" || exit 1

fuzz_need_cc

# no probe of its own: a build that fails for want of the libFuzzer
# runtime says so in its log
if ! fuzz_cc -I src -o "$out/cert" t/fuzz/cert.c src/ngx_http_mta_sts_cert.c \
        -lcrypto >"$out/cert-build.log" 2>&1
then
    if grep -q 'libclang_rt\|fuzzer' "$out/cert-build.log"; then
        fuzz_skip "$cc cannot build a libFuzzer target:" \
            "$(head -n 1 "$out/cert-build.log")"
    fi

    cat "$out/cert-build.log" >&2
    echo "fuzz cert: building $out/cert failed" >&2
    exit 1
fi

fuzz_scratch cert-run

sh t/cert/make-certs.sh "$work/pem" || exit 1

# the seeds: days 14, the host, each certificate file as DER (a full
# chain file gives the leaf and its intermediate)

for f in "$work"/pem/*.crt; do
    name=$(basename "$f" .crt)
    seed=$work/corpus/$name

    printf '\016mta-sts.example.com\n' > "$seed"
    awk -v d="$work/split-" '/BEGIN CERT/ { n++ } { print > (d n) }' "$f"

    for part in "$work"/split-*; do
        openssl x509 -in "$part" -outform DER >> "$seed" || exit 1
        rm "$part"
    done
done

fuzz_run cert "$out/cert.log" -max_len=8192 "$work/corpus"

# closing lines of its own, kept as they were: the seconds asked for, no
# cov line, no hex dump
if [ "$rc" -ne 0 ] || [ -z "$runs" ]; then
    grep -v '^#[0-9]' "$out/cert.log" | tail -n 40 >&2
    echo "fuzz cert: failed (libFuzzer exit $rc), see $out/cert.log" >&2
    exit 1
fi

echo "fuzz cert: $runs runs in $seconds seconds, 0 crashes"
