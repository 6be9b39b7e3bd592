#!/bin/sh
# Throwaway certificates for t/012-check.t, made at test time (none is
# committed, none can expire in the repository): a root, an intermediate
# and leaves that senders accept or refuse for mta-sts.example.com.
#
#   t/cert/make-certs.sh DIR
#
# DIR/NAME.crt is the leaf followed by the intermediate (a full chain
# file), DIR/NAME-leaf.crt the leaf alone; ec.key and rsa.key are the keys.

set -eu

d=$1

rm -rf "$d"
mkdir -p "$d/new"
cd "$d"

day() {
    date -u -d "$1 days" +%Y%m%d%H%M%SZ
}

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out ec.key 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out rsa.key 2>/dev/null

: > index.txt
echo 1000 > serial

cat > ca.cnf <<'CNF'
[ca]
default_ca = test

[test]
dir = .
database = index.txt
serial = serial
new_certs_dir = new
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no

[any]
commonName = supplied

[int]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign

[leaf]
basicConstraints = CA:false
subjectAltName = $ENV::SAN

[cn]
basicConstraints = CA:false
CNF

openssl req -x509 -new -key ec.key -subj "/CN=Test Root" -days 30 \
    -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt

openssl req -new -key ec.key -subj "/CN=Test Intermediate" -out int.csr
SAN= openssl ca -batch -config ca.cnf -notext -extensions int -days 30 \
    -cert ca.crt -keyfile ec.key -in int.csr -out int.crt 2>/dev/null

# leaf NAME KEY EXTENSIONS SAN CN DATES...
leaf() {
    name=$1 key=$2 ext=$3 san=$4 cn=$5
    shift 5

    openssl req -new -key "$key" -subj "/CN=$cn" -out "$name.csr"
    SAN=$san openssl ca -batch -config ca.cnf -notext -extensions "$ext" \
        -cert int.crt -keyfile ec.key -in "$name.csr" -out "$name-leaf.crt" \
        "$@" 2>/dev/null
    cat "$name-leaf.crt" int.crt > "$name.crt"
}

leaf san ec.key leaf "DNS:mta-sts.example.com,DNS:example.com" leaf -days 90
leaf wild ec.key leaf "DNS:*.example.com" wild -days 90
leaf partial ec.key leaf "DNS:mta*.example.com" partial -days 90
leaf cn ec.key cn "" mta-sts.example.com -days 90
leaf other ec.key leaf "DNS:www.example.org,DNS:example.org" other -days 90
leaf expired ec.key leaf "DNS:mta-sts.example.com" expired \
    -startdate "$(day -30)" -enddate "$(day -2)"
leaf future ec.key leaf "DNS:mta-sts.example.com" future \
    -startdate "$(day 2)" -enddate "$(day 30)"
leaf soon ec.key leaf "DNS:mta-sts.example.com" soon -days 3
leaf rsa rsa.key leaf "DNS:mta-sts.example.com" rsa -days 90
leaf policy ec.key leaf \
    "DNS:mta-sts.a.example,DNS:www.c.example,DNS:*.b.example" policy \
    -days 90

# a self-signed leaf, and a leaf followed by the root instead of its issuer
openssl req -x509 -new -key ec.key -subj "/CN=self" -days 90 \
    -addext "subjectAltName=DNS:mta-sts.example.com" -out self.crt
cat san-leaf.crt ca.crt > wrongchain.crt
