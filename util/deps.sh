#!/bin/sh
# Installs from Debian's archive whatever "make run" (util/deps.sh),
# "make test" (util/deps.sh test), the benchmarks (util/deps.sh bench) or
# "make deb" (util/deps.sh deb; util/check-deb.sh: deb-check) need and
# this machine lacks; without root, prints the apt-get line and stops.

set -eu

pkgs="gcc make nginx nginx-dev libpcre2-dev libssl-dev zlib1g-dev openssl
      curl"

# nginx-dev's conf_flags runs dpkg-buildflags (nginx 1.30 and later)
pkgs="$pkgs dpkg-dev"

if [ "${1:-}" = test ]; then
    # the Test::Nginx runner, a real sender for t/interop, the fuzzer
    pkgs="$pkgs perl libtest-base-perl libtest-longstring-perl
          libtext-diff-perl postfix-mta-sts-resolver dnsmasq-base iproute2
          clang libclang-rt-dev valgrind"

    # promtool and a Prometheus server check the status endpoint's metrics
    # (t/030 to t/032), headless Chromium its page (t/033)
    pkgs="$pkgs prometheus chromium"

    # a real BIND takes the DNS UPDATEs of t/050 (named, tsig-keygen, dig,
    # nsupdate), from an nginx whose clock faketime moves too
    pkgs="$pkgs bind9 bind9-utils bind9-dnsutils faketime"

    # and a real Knot those of t/052 (knotd, keymgr, kdig)
    pkgs="$pkgs knot knot-dnsutils"
fi

if [ "${1:-}" = deb ] || [ "${1:-}" = deb-check ]; then
    # "make deb": dpkg-buildpackage, dh with nginx-dev's dh-sequence-nginx
    pkgs="$pkgs build-essential dpkg-dev debhelper lintian"
fi

if [ "${1:-}" = deb-check ]; then
    # util/check-deb.sh runs debian/tests/ under the real autopkgtest
    pkgs="$pkgs autopkgtest"
fi

if [ "${1:-}" = bench ]; then
    pkgs="$pkgs wrk apache2-utils valgrind strace"
fi

# DEPS_LIST=1: the packages, on one line, and nothing installed (for
# util/check-readme.pl, which compares them with the README's)
if [ -n "${DEPS_LIST:-}" ]; then
    echo $pkgs
    exit 0
fi

missing=""

for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null \
         | grep -q 'install ok installed'
    then
        missing="$missing $p"
    fi
done

# Debian 12's prometheus package holds promtool; from Debian 13 on it is a
# package of its own: asked of the archive once prometheus is in and the
# command is still missing
promtool=""

if [ "${1:-}" = test ] && ! command -v promtool >/dev/null 2>&1; then
    promtool=promtool
fi

[ -z "$missing" ] && [ -z "$promtool" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "missing packages; as root, run:" >&2
    [ -n "$missing" ] &&
        echo "    apt-get update && apt-get install -y$missing" >&2
    [ -n "$promtool" ] &&
        echo "    then, if promtool is still missing: apt-get install -y" \
             "promtool" >&2
    exit 1
fi

echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq

if [ -n "$missing" ]; then
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ -n "$promtool" ] && ! command -v promtool >/dev/null 2>&1; then
    echo "installing: promtool"
    apt-get install -y -qq --no-install-recommends promtool >/dev/null
fi
