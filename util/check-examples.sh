#!/bin/sh
# "nginx -t" with the module on every file in examples/: a complete
# nginx.conf as it is, a file of server blocks inside an http block.  The
# certificates the files name are made here, self-signed, and the report
# directories they name too, where any worker user can write (nginx -t
# warns about a missing one).  A warning from the module fails the example
# too.
#
#   util/check-examples.sh NGINX MODULE DIR

set -u

nginx=$1
module=$2
dir=$3
passed=0
failed=0

rm -rf "$dir"
# temp/: examples/nginx.conf, make run's, keeps its temp files there
mkdir -p "$dir/conf" "$dir/logs" "$dir/temp"

# under /tmp: its parents must be searchable by the workers' user
reports=$(mktemp -d /tmp/mta-sts-examples.XXXXXX) || exit 1
trap 'rm -rf "$reports"' EXIT
chmod 755 "$reports"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=example.com" \
    -keyout "$dir/test.key" -out "$dir/test.crt" 2>/dev/null || exit 1

for f in examples/*.conf; do
    name=$(basename "$f")
    cp "$f" "$dir/conf/$name"

    for c in $(sed -n 's/^ *ssl_certificate  *\([^;]*\);.*/\1/p' "$f"); do
        cp "$dir/test.crt" "$dir/conf/$c"
    done

    for k in $(sed -n 's/^ *ssl_certificate_key  *\([^;]*\);.*/\1/p' "$f"); do
        cp "$dir/test.key" "$dir/conf/$k"
    done

    for d in $(sed -n 's/^ *mta_sts_tlsrpt  *\([^;]*\);.*/\1/p' "$f"); do
        mkdir -p "$reports/$d" && chmod 1777 "$reports/$d" || exit 1
        sed -i "s|^\( *mta_sts_tlsrpt  *\)$d;|\1$reports/$d;|" \
            "$dir/conf/$name"
    done

    conf=$name

    if ! grep -q '^http *{' "$f"; then
        conf="http-$name"
        printf 'events {}\nhttp {\n    include %s;\n}\n' "$name" \
            > "$dir/conf/$conf"
    fi

    if out=$("$nginx" -t -p "$dir/" -c "conf/$conf" -e stderr \
                 -g "load_module $module;" 2>&1) \
       && ! echo "$out" | grep -q '\[warn\].*\(mta_sts\|mx pattern\)'
    then
        echo "ok - nginx -t examples/$name"
        passed=$((passed + 1))
    else
        echo "not ok - nginx -t examples/$name"
        echo "$out" | sed 's/^/#   /'
        failed=$((failed + 1))
    fi
done

echo "examples: $passed passed, $failed failed"
[ $failed -eq 0 ]
