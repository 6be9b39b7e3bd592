#!/bin/sh
# Makes the TSIG reference vectors of t/unit/update.c with BIND itself:
# named (Debian: bind9) signs responses, dig -y and nsupdate -y sign
# requests, and a relay in Perl (core modules only) prints each request
# and response in hex.  Run as root (a network and pid namespace of its
# own, named on 127.0.0.1:53):
#
#   sh t/unit/update-vectors.sh
#
# Prints "LABEL query|response HEX" lines; the secrets are fixed below, so
# the MACs differ from a run to the next only by the time signed and the
# message ids, which the unit test takes from the messages themselves.

set -eu

if [ "${1-}" != inside ]; then
    exec unshare --net --pid --fork sh "$0" inside
fi

ip link set lo up

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cat > "$T/keys.conf" <<'END'
key "vector-sha256.example." { algorithm hmac-sha256;
    secret "c2VjcmV0IG9mIHRoZSBzaGEyNTYgdmVjdG9yIGtleSAh"; };
key "vector-sha512.example." { algorithm hmac-sha512;
    secret "c2VjcmV0IG9mIHRoZSBzaGE1MTIgdmVjdG9yIGtleSAh"; };
key "vector-sha1.example." { algorithm hmac-sha1;
    secret "c2VjcmV0IG9mIHRoZSBzaGExIHZlY3RvciBrZXkgISE="; };
END

cat > "$T/named.conf" <<END
options {
    directory "$T"; pid-file "$T/named.pid";
    session-keyfile "$T/session.key";
    listen-on port 53 { 127.0.0.1; }; listen-on-v6 { none; };
    recursion no; dnssec-validation no;
};
controls { };
include "$T/keys.conf";
zone "example.test" {
    type primary; file "$T/example.test.zone";
    update-policy {
        grant vector-sha256.example. name _mta-sts.example.test. TXT;
    };
};
END

cat > "$T/example.test.zone" <<'END'
$TTL 300
@ IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300
@ IN NS ns.example.test.
ns IN A 127.0.0.1
_mta-sts IN TXT "v=STSv1; id=old"
END

named -g -c "$T/named.conf" > "$T/named.log" 2>&1 &

for i in $(seq 50); do
    dig +short +time=1 +tries=1 @127.0.0.1 SOA example.test | grep -q . \
        && break
    sleep 0.2
done

perl -MIO::Socket::INET -e '
    my $s = IO::Socket::INET->new(Proto => "udp", LocalAddr => "127.0.0.1",
                                  LocalPort => 5300) or die;
    my $u = IO::Socket::INET->new(Proto => "udp",
                                  PeerAddr => "127.0.0.1:53") or die;
    $| = 1;
    print "ready\n";
    while (1) {
        my $from = $s->recv(my $q, 65535);
        $u->send($q);
        $u->recv(my $r, 65535);
        print "query ", unpack("H*", $q), "\n";
        print "response ", unpack("H*", $r), "\n";
        $s->send($r, 0, $from);
    }' > "$T/relay.out" &

while ! grep -q ready "$T/relay.out" 2>/dev/null; do sleep 0.1; done

q() {
    label=$1
    shift
    dig +noedns +nocookie +tries=1 +time=2 -p 5300 @127.0.0.1 "$@" >/dev/null
    sleep 0.2
    tail -n 2 "$T/relay.out" | sed "s/^/$label /"
}

q sha256 -y hmac-sha256:vector-sha256.example.:c2VjcmV0IG9mIHRoZSBzaGEyNTYgdmVjdG9yIGtleSAh \
    TXT _mta-sts.example.test
q sha512 -y hmac-sha512:vector-sha512.example.:c2VjcmV0IG9mIHRoZSBzaGE1MTIgdmVjdG9yIGtleSAh \
    TXT _mta-sts.example.test
q sha1 -y hmac-sha1:vector-sha1.example.:c2VjcmV0IG9mIHRoZSBzaGExIHZlY3RvciBrZXkgISE= \
    TXT _mta-sts.example.test
q badsig -y hmac-sha256:vector-sha256.example.:d3Jvbmcgc2VjcmV0IG9mIHRoZSBzaGEyNTYga2V5ICE= \
    TXT _mta-sts.example.test
q badkey -y hmac-sha256:unknown.example.:c2VjcmV0IG9mIHRoZSBzaGEyNTYgdmVjdG9yIGtleSAh \
    TXT _mta-sts.example.test

nsupdate -y hmac-sha256:vector-sha256.example.:c2VjcmV0IG9mIHRoZSBzaGEyNTYgdmVjdG9yIGtleSAh <<'END'
server 127.0.0.1 5300
zone example.test.
prereq yxrrset _mta-sts.example.test. TXT "v=STSv1; id=old"
update delete _mta-sts.example.test. TXT
update add _mta-sts.example.test. 300 TXT "v=STSv1; id=new"
send
END
sleep 0.2
tail -n 2 "$T/relay.out" | sed "s/^/update /"
