# mta_sts_dns_update at configuration time: nginx -t reads the key file
# (the master does, as for ssl_session_ticket_key) and says what is wrong
# with it and with the directive, with the file and line: hmac-md5
# refused (RFC 8945, section 6), hmac-sha1 warned about, a missing or bad
# key file, a bad address, zone or ttl.  Both key formats are read: BIND's
# (tsig-keygen) and Knot's (keymgr -t).

use strict;
use warnings;

use Test::More;
use lib "t/lib";
use PlainNginx;

my $load = load_modules();
my $dir = work_dir("dns-update-conf");

sub key_file {
    my ($name, $text) = @_;
    open my $fh, ">", "$dir/conf/$name" or die "$!\n";
    print $fh $text;
    close $fh;
    chmod 0600, "$dir/conf/$name";
}

my $secret = "c2VjcmV0IG9mIHRoZSBzaGEyNTYgdmVjdG9yIGtleSAh";

key_file("good.key", "key \"MTA-STS.Example.COM\" {\n\talgorithm "
                     . "hmac-sha256;\n\tsecret \"$secret\";\n};\n");
key_file("knot.key", "# hmac-sha384:mta-sts:$secret\nkey:\n  - id: "
                     . "mta-sts\n    algorithm: hmac-sha384\n    secret: "
                     . "$secret\n");
key_file("md5.key", "key \"k\" { algorithm hmac-md5; secret \"$secret\"; };");
key_file("sha1.key", "key \"k\" { algorithm hmac-sha1; secret \"$secret\"; };");
key_file("bad.key", "key \"k\" { algorithm hmac-sha256; };");
key_file("bare.key", "$secret\n");

# nginx -t of one directive in a server with a policy: what it says

sub nginx_t {
    my ($directive) = @_;

    open my $fh, ">", "$dir/conf/nginx.conf" or die "$!\n";
    print $fh <<"END";
${load}pid logs/nginx.pid;
error_log logs/error.log;
events {}
http {
    mta_sts_check off;
    server {
        listen 127.0.0.1:8080;
        server_name mta-sts.example.com;
        mta_sts_mode enforce;
        mta_sts_mx mx.example.com;
        $directive
    }
}
END
    close $fh;

    return scalar `@{[nginx_binary()]} -t -p $dir/ -c conf/nginx.conf 2>&1`;
}

# the directive's line: after the load_module lines
my $line = 11 + (() = $load =~ /\n/g);
my $at = qr/in \S+nginx\.conf:$line/;
my $out;

$out = nginx_t("mta_sts_dns_update 192.0.2.53 key=good.key;");
like($out, qr/test is successful/, "a tsig-keygen key file - accepted");
unlike($out, qr/\[(?:warn|emerg)\]/, "a tsig-keygen key file - no warning");

$out = nginx_t("mta_sts_dns_update [2001:db8::53]:5353 key=knot.key "
               . "zone=example.com. ttl=300;");
like($out, qr/test is successful/,
     "a keymgr key file, IPv6 and a port, zone and ttl - accepted");

$out = nginx_t("mta_sts_dns_update off;");
like($out, qr/test is successful/, "off - accepted");

$out = nginx_t("mta_sts_dns_update 192.0.2.53 key=md5.key;");
like($out, qr/\[emerg\] .*invalid key file "\S+md5\.key": hmac-md5 must not be used \(RFC 8945, section 6\); make a new key with "tsig-keygen -a hmac-sha256" $at/,
     "hmac-md5 - refused (RFC 8945, section 6)");

$out = nginx_t("mta_sts_dns_update 192.0.2.53 key=sha1.key;");
like($out, qr/\[warn\] .*key "k\." of "\S+sha1\.key" is hmac-sha1: RFC 8945, section 6 recommends hmac-sha256; make a new key with "tsig-keygen -a hmac-sha256" $at/,
     "hmac-sha1 - a warning");
like($out, qr/test is successful/, "hmac-sha1 - accepted");

$out = nginx_t("mta_sts_dns_update 192.0.2.53 key=missing.key;");
like($out, qr/\[emerg\] .*open\(\) "\S+missing\.key" failed \(2: No such file or directory\) $at/,
     "a missing key file");

$out = nginx_t("mta_sts_dns_update 192.0.2.53 key=bad.key;");
like($out, qr/\[emerg\] .*invalid key file "\S+bad\.key": the key needs a name, an algorithm and a secret $at/,
     "a key without a secret");

$out = nginx_t("mta_sts_dns_update 192.0.2.53 key=bare.key;");
like($out, qr/\[emerg\] .*invalid key file "\S+bare\.key": not a key: expected BIND's key "NAME" \{ \.\.\. \}; \(tsig-keygen\) or Knot's key: - id: NAME \(keymgr -t\) $at/,
     "a bare secret - not a key file");

$out = nginx_t("mta_sts_dns_update ns.example.com key=good.key;");
like($out, qr/\[emerg\] .*invalid address "ns\.example\.com": expected an IP address and an optional port, such as 192\.0\.2\.53 or \[2001:db8::53\]:5353 $at/,
     "a host name - an IP address expected");

$out = nginx_t("mta_sts_dns_update 192.0.2.53:99999 key=good.key;");
like($out, qr/\[emerg\] .*invalid address "192\.0\.2\.53:99999"/,
     "a bad port");

$out = nginx_t("mta_sts_dns_update 192.0.2.53;");
like($out, qr/\[emerg\] .*no "key=" is given: the TSIG key file, as tsig-keygen prints it $at/,
     "no key - refused: never inline");

$out = nginx_t("mta_sts_dns_update 192.0.2.53 key=good.key ttl=0;");
like($out, qr/\[emerg\] .*invalid ttl "ttl=0": expected seconds, 1 or more $at/,
     "ttl=0 - refused");

$out = nginx_t("mta_sts_dns_update 192.0.2.53 key=good.key secret=x;");
like($out, qr/\[emerg\] .*invalid parameter "secret=x" $at/,
     "an unknown parameter");

$out = nginx_t("mta_sts_dns_update off; mta_sts_dns_update off;");
like($out, qr/\[emerg\] .*"mta_sts_dns_update" directive is duplicate $at/,
     "twice - duplicate");

done_testing();
