# Configuration errors: nginx refuses to start, and says what is wrong and
# where ("... in file:line").

use Test::Nginx::Socket 'no_plan';

# A valid mx name, unique by $i, of exactly $len characters (labels of at
# most 63 characters).
sub mx_name {
    my ($i, $len) = @_;
    my $s = sprintf "mx%03d", $i;
    $s .= "a" x ($len - length $s);
    for my $dot (63, 127, 191) {
        substr($s, $dot, 1) = "." if $dot < $len - 1;
    }
    return $s;
}

# mode enforce, the default max_age and 247 mx patterns: 246 of 253
# characters and one of $last characters; with $last = 232 the policy
# is exactly 64000 bytes.
sub big_config {
    my $last = shift;
    return "    mta_sts_mode enforce;\n"
        . CORE::join("", map { "    mta_sts_mx " . mx_name($_, 253) . ";\n" }
                         1 .. 246)
        . "    mta_sts_mx " . mx_name(247, $last) . ";\n";
}

run_tests();

__DATA__

=== TEST 1: mta_sts_mode - invalid value
--- config
    mta_sts_mode on;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mode "on", it must be "off", "none", "testing" or "enforce" in \S+:\d+/



=== TEST 2: mta_sts_mode - values are case-sensitive (RFC 8461, section 3.2)
--- config
    mta_sts_mode Enforce;
    mta_sts_mx mail.example.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mode "Enforce", it must be "off", "none", "testing" or "enforce" in \S+:\d+/



=== TEST 3: mta_sts_mode - empty value
--- config
    mta_sts_mode "";
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mode "", it must be "off", "none", "testing" or "enforce" in \S+:\d+/



=== TEST 4: mta_sts_mode - duplicate, reported at the second one
--- user_files
>>> mta-sts.conf
# line 1
mta_sts_mode enforce;
mta_sts_mx mail.example.com;
mta_sts_mode testing;
--- config
    include $TEST_NGINX_SERVER_ROOT/html/mta-sts.conf;
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_mode" directive is duplicate in \S+\/mta-sts\.conf:4$/



=== TEST 5: mta_sts_mode - duplicate at http level
--- http_config
    mta_sts_mode off;
    mta_sts_mode off;
--- config
    # nothing at server level
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_mode" directive is duplicate in \S+:\d+/



=== TEST 6: mta_sts_mode - two values
--- config
    mta_sts_mode enforce testing;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid number of arguments in "mta_sts_mode" directive in \S+:\d+/



=== TEST 7: mta_sts_mode - not allowed in a location
--- config
    location / {
        mta_sts_mode enforce;
    }
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_mode" directive is not allowed here in \S+:\d+/



=== TEST 8: mta_sts_mx - no pattern
--- config
    mta_sts_mx;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid number of arguments in "mta_sts_mx" directive in \S+:\d+/



=== TEST 9: mta_sts_mx - not allowed in a location
--- config
    location /x {
        mta_sts_mx mail.example.com;
    }
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_mx" directive is not allowed here in \S+:\d+/



=== TEST 10: mta_sts_mx - empty pattern
--- config
    mta_sts_mx "";
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "": the pattern is empty in \S+:\d+/



=== TEST 11: mta_sts_mx - "*" alone (RFC 8461, section 4.1)
--- config
    mta_sts_mx *;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "\*": "\*" is allowed only as the whole left-most label in \S+:\d+/



=== TEST 12: mta_sts_mx - "*example.com": no dot after the star
--- config
    mta_sts_mx *example.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "\*example\.com": "\*" is allowed only as the whole left-most label in \S+:\d+/



=== TEST 13: mta_sts_mx - "m*.example.com": star inside a label
--- config
    mta_sts_mx m*.example.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "m\*\.example\.com": "\*" is allowed only as the whole left-most label in \S+:\d+/



=== TEST 14: mta_sts_mx - "mail.*.example.com": star not left-most
--- config
    mta_sts_mx mail.*.example.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "mail\.\*\.example\.com": "\*" is allowed only as the whole left-most label in \S+:\d+/



=== TEST 15: mta_sts_mx - "*.*.example.com": two stars
--- config
    mta_sts_mx *.*.example.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "\*\.\*\.example\.com": "\*" is allowed only as the whole left-most label in \S+:\d+/



=== TEST 16: mta_sts_mx - "*." with nothing after it
--- config
    mta_sts_mx *.;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "\*\.": .+ in \S+:\d+/



=== TEST 17: mta_sts_mx - IPv4 address
--- config
    mta_sts_mx 192.0.2.1;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "192\.0\.2\.1": an IP address is not a host name in \S+:\d+/



=== TEST 18: mta_sts_mx - IPv6 address
--- config
    mta_sts_mx 2001:db8::1;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "2001:db8::1": an IP address is not a host name in \S+:\d+/



=== TEST 19: mta_sts_mx - address literal in brackets
--- config
    mta_sts_mx [192.0.2.1];
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "\[192\.0\.2\.1\]": an IP address is not a host name in \S+:\d+/



=== TEST 20: mta_sts_mx - a host with a port
--- config
    mta_sts_mx mail.example.com:25;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "mail\.example\.com:25": a port is not part of a host name in \S+:\d+/



=== TEST 21: mta_sts_mx - trailing dot
--- config
    mta_sts_mx mail.example.com.;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "mail\.example\.com\.": a trailing dot is not allowed in \S+:\d+/



=== TEST 22: mta_sts_mx - single label
--- config
    mta_sts_mx localhost;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "localhost": a single-label name is not allowed in \S+:\d+/



=== TEST 23: mta_sts_mx - U-label, must be written as an A-label
--- config
    mta_sts_mx mäil.example.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "mäil\.example\.com": non-ASCII names must be written as A-labels \("xn--\.\.\."\) in \S+:\d+/



=== TEST 24: mta_sts_mx - a 64-character label
--- config eval
"    mta_sts_mx " . ("a" x 64) . ".example.com;\n"
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "a{64}\.example\.com": a label is longer than 63 characters in \S+:\d+/



=== TEST 25: mta_sts_mx - a 254-character name
--- config eval
"    mta_sts_mx " . CORE::join(".", "a" x 63, "b" x 63, "c" x 63, "d" x 62) . ";\n"
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "a{63}\.b{63}\.c{63}\.d{62}": the name is longer than 253 characters in \S+:\d+/



=== TEST 26: mta_sts_mx - label with a leading hyphen
--- config
    mta_sts_mx -mail.example.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "-mail\.example\.com": a label begins or ends with a hyphen in \S+:\d+/



=== TEST 27: mta_sts_mx - label with a trailing hyphen
--- config
    mta_sts_mx mail.example-.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "mail\.example-\.com": a label begins or ends with a hyphen in \S+:\d+/



=== TEST 28: mta_sts_mx - underscore
--- config
    mta_sts_mx mail_1.example.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "mail_1\.example\.com": only letters, digits, hyphens and dots are allowed in \S+:\d+/



=== TEST 29: mta_sts_mx - empty label
--- config
    mta_sts_mx a..b.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "a\.\.b\.com": a label is empty in \S+:\d+/



=== TEST 30: mta_sts_mx - leading dot
--- config
    mta_sts_mx .example.com;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "\.example\.com": a label is empty in \S+:\d+/



=== TEST 31: mta_sts_mx - the bad one of several patterns is named, at its line
--- user_files
>>> mta-sts.conf
mta_sts_mode enforce;
mta_sts_mx mail.example.com;
mta_sts_mx backup.example.com
           bad_mx.example.com;
--- config
    include $TEST_NGINX_SERVER_ROOT/html/mta-sts.conf;
--- must_die
--- error_log eval
qr/\[emerg\] .*?invalid mx pattern "bad_mx\.example\.com": only letters, digits, hyphens and dots are allowed in \S+\/mta-sts\.conf:4$/



=== TEST 32: mta_sts_max_age - more than 31557600 seconds (RFC 8461, section 3.2)
--- config
    mta_sts_max_age 400d;
--- must_die
--- error_log eval
qr/\[emerg\] .*?max_age "400d" is more than 31557600 seconds in \S+:\d+/



=== TEST 33: mta_sts_max_age - 31557601 seconds
--- config
    mta_sts_max_age 31557601;
--- must_die
--- error_log eval
qr/\[emerg\] .*?max_age "31557601" is more than 31557600 seconds in \S+:\d+/



=== TEST 34: mta_sts_max_age - 366 days
--- config
    mta_sts_max_age 366d;
--- must_die
--- error_log eval
qr/\[emerg\] .*?max_age "366d" is more than 31557600 seconds in \S+:\d+/



=== TEST 35: mta_sts_max_age - not a time
--- config
    mta_sts_max_age forever;
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_max_age" directive invalid value in \S+:\d+/



=== TEST 36: mta_sts_max_age - negative
--- config
    mta_sts_max_age -1;
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_max_age" directive invalid value in \S+:\d+/



=== TEST 37: mta_sts_max_age - milliseconds are not seconds
--- config
    mta_sts_max_age 500ms;
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_max_age" directive invalid value in \S+:\d+/



=== TEST 38: mta_sts_max_age - overflow
--- config
    mta_sts_max_age 99999999999999999999;
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_max_age" directive invalid value in \S+:\d+/



=== TEST 39: mta_sts_max_age - duplicate
--- config
    mta_sts_max_age 1d;
    mta_sts_max_age 2d;
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_max_age" directive is duplicate in \S+:\d+/



=== TEST 40: mta_sts_max_age - not allowed in a location
--- config
    location /x {
        mta_sts_max_age 1d;
    }
--- must_die
--- error_log eval
qr/\[emerg\] .*?"mta_sts_max_age" directive is not allowed here in \S+:\d+/



=== TEST 41: mode enforce without mx, reported at the mta_sts_mode line (RFC 8461, section 3.2)
--- user_files
>>> mta-sts.conf
# line 1
mta_sts_max_age 2d;
mta_sts_mode enforce;
--- config
    include $TEST_NGINX_SERVER_ROOT/html/mta-sts.conf;
--- must_die
--- error_log eval
qr/\[emerg\] .*?no "mta_sts_mx" is defined for mta_sts_mode "enforce" in \S+\/mta-sts\.conf:3$/



=== TEST 42: mode testing without mx, reported at the mta_sts_mode line
--- user_files
>>> mta-sts.conf
# line 1
# line 2
mta_sts_mode testing;
# line 4
--- config
    include $TEST_NGINX_SERVER_ROOT/html/mta-sts.conf;
--- must_die
--- error_log eval
qr/\[emerg\] .*?no "mta_sts_mx" is defined for mta_sts_mode "testing" in \S+\/mta-sts\.conf:3$/



=== TEST 43: mode enforce at http level, a server without mx: the http line is named
--- user_files
>>> http.conf
# line 1
mta_sts_mode enforce;
--- http_config
    include $TEST_NGINX_SERVER_ROOT/html/http.conf;
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mx mx.a.example;
    }
--- config
    # nothing at server level
--- must_die
--- error_log eval
qr/\[emerg\] .*?no "mta_sts_mx" is defined for mta_sts_mode "enforce" in \S+\/http\.conf:2$/



=== TEST 44: mode testing in a server, mx set only in another server
--- http_config
    server {
        listen $TEST_NGINX_SERVER_PORT;
        server_name mta-sts.a.example;
        mta_sts_mode enforce;
        mta_sts_mx mx.a.example;
    }
--- config
    mta_sts_mode testing;
--- must_die
--- error_log eval
qr/\[emerg\] .*?no "mta_sts_mx" is defined for mta_sts_mode "testing" in \S+:\d+/



=== TEST 45: policy larger than 64000 bytes (RFC 8461, section 3.3)
--- config eval
::big_config(233)
--- must_die
--- error_log eval
qr/\[emerg\] .*?MTA-STS policy is larger than 64000 bytes in \S+:\d+/
