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
# makes that a failure.

set -u

cd "$(dirname "$0")/../.." || exit 1

build=${BUILD:-build}
seconds=${FUZZ_SECONDS:-10}
cc=${FUZZ_CC:-clang}
out=$build/fuzz

skip() {
    echo "fuzz cert: skipped: $*"
    [ "${FUZZ_REQUIRED:-0}" = 1 ] && exit 1
    exit 0
}

mkdir -p "$out" || exit 1

command -v "$cc" >/dev/null 2>&1 \
    || skip "no $cc (Debian: apt-get install clang libclang-rt-14-dev)"

if ! "$cc" -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
        -I src -o "$out/cert" t/fuzz/cert.c src/ngx_http_mta_sts_cert.c \
        -lcrypto >"$out/cert-build.log" 2>&1
then
    if grep -q 'libclang_rt\|fuzzer' "$out/cert-build.log"; then
        skip "$cc cannot build a libFuzzer target:" \
             "$(head -n 1 "$out/cert-build.log")"
    fi

    cat "$out/cert-build.log" >&2
    echo "fuzz cert: building $out/cert failed" >&2
    exit 1
fi

work=$(mktemp -d "$out/cert-run.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

sh t/cert/make-certs.sh "$work/pem" || exit 1
mkdir "$work/corpus"

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

echo "fuzz cert: $out/cert for $seconds seconds, log in $out/cert.log"

"$out/cert" -max_total_time="$seconds" -max_len=8192 -timeout=20 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" \
    "$work/corpus" >"$out/cert.log" 2>&1
rc=$?

runs=$(sed -n 's/^Done \([0-9]*\) runs in .*/\1/p' "$out/cert.log" | tail -n 1)

if [ "$rc" -ne 0 ] || [ -z "$runs" ]; then
    grep -v '^#[0-9]' "$out/cert.log" | tail -n 40 >&2
    echo "fuzz cert: failed (libFuzzer exit $rc), see $out/cert.log" >&2
    exit 1
fi

echo "fuzz cert: $runs runs in $seconds seconds, 0 crashes"
