#!/bin/bash
# The Debian package end to end, in a throwaway Debian root, as root
# (CI runs it in the root util/fresh-debian.sh makes):
#
#   CHECK_DEB_THROWAWAY=1 util/check-deb.sh
#
# "make deb" (as root, then again as nobody: no root needed to build),
# lintian clean, "apt install ./build/libnginx-mod-http-mta-sts_*.deb",
# debian/tests/ under autopkgtest, "nginx -t" with an mta_sts_*
# server in /etc/nginx/conf.d, a policy fetched from that nginx over HTTPS,
# then "apt remove": the module's link is gone, nginx fails on the server
# with its own "unknown directive" message and starts without it; install
# again and purge.  It installs and removes packages and writes to
# /etc/nginx: never run it on a machine that matters, hence the variable.
# nginx runs only inside network namespaces made here (its default site
# listens on port 80), started by hand (no init system) and stopped by pid.
# Prints ok/not ok lines and "deb: N passed, N failed".

set -u

pkg=libnginx-mod-http-mta-sts
name=mta-sts.example.com
conf=/etc/nginx/conf.d/mta-sts.conf
link=/etc/nginx/modules-enabled/50-mod-http-mta-sts.conf
avail=/usr/share/nginx/modules-available/mod-http-mta-sts.conf
so=/usr/lib/nginx/modules/ngx_http_mta_sts_module.so
export DEBIAN_FRONTEND=noninteractive
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

made_policy_rc=0
tmp=""

. "$(dirname "$0")/tap.sh"

diag() {
    sed 's/^/#   /' "$@"
}

finish() {
    tap_done deb
    exit
}

cleanup() {
    rm -f "$conf" "$conf.off"
    [ "$made_policy_rc" = 1 ] && rm -f /usr/sbin/policy-rc.d
    [ -n "$tmp" ] && rm -rf "$tmp"
}

if [ "${CHECK_DEB_THROWAWAY:-0}" != 1 ] || [ "$(id -u)" != 0 ]; then
    echo "util/check-deb.sh installs and removes packages: run it as root" \
         "in a throwaway Debian root, with CHECK_DEB_THROWAWAY=1" >&2
    exit 2
fi

cd "$(dirname "$0")/.."
top=$PWD
trap cleanup EXIT
tmp=$(mktemp -d)
chmod 755 "$tmp"

# no init system here, and nothing a package starts may bind the host's
# ports: invoke-rc.d asks policy-rc.d, 101 = "action forbidden"
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy_rc=1
fi

# nginx in a network namespace of its own: "in_netns SCRIPT" runs the
# shell SCRIPT there with lo up; nginx it starts must be stopped by pid
# before SCRIPT ends
in_netns() {
    unshare --net sh -c 'ip link set lo up && eval "$1"' in_netns "$1"
}

stop_nginx='pid=$(cat /run/nginx.pid); kill -QUIT "$pid"; i=0;
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
        sleep 0.1; i=$((i + 1)); done; ! kill -0 "$pid" 2>/dev/null'

echo "# make deb"
git status --porcelain --untracked-files=all > "$tmp/status.before"
start=$(date +%s)
if make deb > "$tmp/make-deb.log" 2>&1; then
    pass "make deb, $(($(date +%s) - start)) s"
else
    fail "make deb"
    tail -n 40 "$tmp/make-deb.log" | diag
    finish
fi
sed -n 's/^deb: //p' "$tmp/make-deb.log" | sed 's/^/# /'

deb=$(ls build/${pkg}_*.deb)

git status --porcelain --untracked-files=all > "$tmp/status.after"
check "make deb leaves the tree as it was: nothing untracked or changed" \
    cmp -s "$tmp/status.before" "$tmp/status.after" \
    || diff "$tmp/status.before" "$tmp/status.after" | diag
check "no build output in debian/ or obj-*" \
    test -z "$(ls -d obj-* debian/$pkg debian/.debhelper debian/files \
               debian/*.substvars debian/debhelper-build-stamp 2>/dev/null)"
check "lintian: no error, no warning" \
    test -z "$(grep '^[EW]:' build/deb/lintian.txt)"
diag build/deb/lintian.txt

# the nginx-abi dependency comes from dh_nginx, never from debian/control
depends=$(dpkg-deb -f "$deb" Depends)
check "Depends: $depends" eval \
    'echo "$depends" | grep -Eq "(^|, )nginx-abi-[0-9.]+-[0-9]+(,|$)" &&
     ! grep -q nginx-abi debian/control'

# ... and is the ABI the nginx here provides (dh_nginx read it from
# nginx-dev): apt refuses the package for an nginx that provides another
abi=$(echo "$depends" | grep -o 'nginx-abi-[0-9.]*-[0-9]*')
provides=$(dpkg-query -W -f='${Provides}' nginx)
check "this nginx provides $abi (Provides: $provides)" eval \
    'echo ", $provides," | grep -q ", $abi,"'

# the package's version is the module's (CHANGES)
version=$(sed -n 's/^Changes with ngx_http_mta_sts_module  *\([^ ]*\) .*/\1/p' \
          CHANGES | head -n 1)
check "Version: $(dpkg-deb -f "$deb" Version) is CHANGES' $version" eval \
    'dpkg-deb -f "$deb" Version | grep -qx "$version-[0-9.]*"'

# Rules-Requires-Root: no, so an unprivileged user builds it too, in a
# copy of the tree that user owns (git refuses a repository owned by
# another user, and lintian a working directory it cannot enter)
mkdir "$tmp/nobody"
tar --exclude=./build --exclude=./t/servroot -cf - . \
    | tar -xf - -C "$tmp/nobody"
chown -R nobody "$tmp/nobody"
check "make deb as nobody" eval \
    '(cd "$tmp/nobody" && runuser -u nobody -- env HOME="$tmp/nobody" \
          make -s deb > "$tmp/nobody.log" 2>&1 &&
      ls build/${pkg}_*.deb > /dev/null)' \
    || tail -n 20 "$tmp/nobody.log" | diag

echo "# apt install ./$deb"
if apt-get install -y -q "./$deb" > "$tmp/install.log" 2>&1; then
    pass "apt install ./$deb"
else
    fail "apt install ./$deb"
    diag "$tmp/install.log"
    finish
fi

check "$link -> $avail" test "$(readlink "$link")" = "$avail"
check "$avail loads the module" \
    test "$(cat "$avail")" = "load_module modules/ngx_http_mta_sts_module.so;"
check "the CHANGES of $version in /usr/share/doc/$pkg" \
    eval 'zgrep -q "Changes with ngx_http_mta_sts_module $version" \
              /usr/share/doc/$pkg/changelog.gz'

# debian/tests/ under the release's autopkgtest (null runner: this root is
# the testbed).  The test asks for a container of its own because it binds
# ports 80 and 443; the network namespace and this throwaway root are
# that, hence --ignore-restrictions.  Its closing apt-get update fails
# there (no network), which autopkgtest only warns about.
if sh util/deps.sh deb-check > "$tmp/deps.log" 2>&1 &&
   in_netns "autopkgtest -q --ignore-restrictions=isolation-container \
                 ./$deb . -- null" > "$tmp/autopkgtest.log" 2>&1
then
    pass "autopkgtest: debian/tests/https-policy"
    grep -E '^(ok|not ok|https-policy)' "$tmp/autopkgtest.log" | diag
else
    fail "autopkgtest: debian/tests/https-policy"
    diag "$tmp/deps.log" "$tmp/autopkgtest.log"
fi

# a server as an admin writes it, in conf.d, with a throwaway certificate
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$name" \
    -addext "subjectAltName=DNS:$name" \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null

cat > "$conf" <<CONF
server {
    listen       127.0.0.1:443 ssl;
    server_name  $name;

    ssl_certificate      $tmp/cert.pem;
    ssl_certificate_key  $tmp/key.pem;

    mta_sts_mode     testing;
    mta_sts_mx       mx1.example.com mx2.example.com;
    mta_sts_max_age  2w;
}
CONF

check "nginx -t with $conf" eval 'nginx -t > "$tmp/t.log" 2>&1' \
    || diag "$tmp/t.log"

# RFC 8461, section 3.2: the policy over HTTPS, lines ending in CRLF
printf '%s\r\n' 'version: STSv1' 'mode: testing' 'mx: mx1.example.com' \
    'mx: mx2.example.com' 'max_age: 1209600' > "$tmp/expected"

in_netns "nginx && curl -sS --max-time 5 --cacert $tmp/cert.pem \
              --resolve $name:443:127.0.0.1 -o $tmp/body \
              https://$name/.well-known/mta-sts.txt;
          rc=\$?; $stop_nginx && exit \$rc" > "$tmp/fetch.log" 2>&1
check "GET https://$name/.well-known/mta-sts.txt from nginx on 127.0.0.1" \
    cmp -s "$tmp/body" "$tmp/expected" \
    || { diag "$tmp/fetch.log"; [ -f "$tmp/body" ] && diag "$tmp/body"; }

echo "# apt remove $pkg"
check "apt remove $pkg" eval \
    'apt-get remove -y -q $pkg > "$tmp/remove.log" 2>&1' \
    || diag "$tmp/remove.log"
check "the link is gone: no $link" test ! -e "$link"
check "the module is gone: no $so" test ! -e "$so"

# nginx's own message, where the directive is
nginx -t > "$tmp/t.log" 2>&1
rc=$?
line=$(grep -n mta_sts_mode "$conf" | cut -d: -f1)
unknown="unknown directive \"mta_sts_mode\" in $conf:$line"
check "nginx -t with $conf still there fails: unknown directive" eval \
    '[ $rc != 0 ] &&
     grep -Eq "\[emerg\] ([0-9]+#[0-9]+: )?$unknown\$" "$tmp/t.log"'
diag "$tmp/t.log"

mv "$conf" "$conf.off"
check "nginx -t without it" eval 'nginx -t > "$tmp/t.log" 2>&1' \
    || diag "$tmp/t.log"

in_netns "nginx && curl -sS --max-time 5 -o /dev/null -w '%{http_code}\n' \
              http://127.0.0.1/ > $tmp/code;
          rc=\$?; $stop_nginx && exit \$rc" > "$tmp/start.log" 2>&1
check "nginx starts without the module and serves its default site" \
    test "$(cat "$tmp/code" 2>/dev/null)" = 200 || diag "$tmp/start.log"

mv "$conf.off" "$conf"

echo "# apt install again, then purge"
check "apt install ./$deb again re-enables it" eval \
    'apt-get install -y -q "./$deb" > "$tmp/install.log" 2>&1 &&
     test "$(readlink "$link")" = "$avail" && nginx -t -q' \
    || diag "$tmp/install.log"

rm -f "$conf"
check "apt purge $pkg leaves no link in modules-enabled" eval \
    'apt-get purge -y -q $pkg > "$tmp/purge.log" 2>&1 &&
     ! ls /etc/nginx/modules-enabled/ | grep -q mta-sts && nginx -t -q' \
    || diag "$tmp/purge.log"

finish
