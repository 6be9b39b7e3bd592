# The answers of a policy built from variables are cached per worker, by
# the values the variables had (src/ngx_http_mta_sts_cache.c): bounded to
# 16384 entries of at most 1024 bytes of values and body, whatever the
# values.  None of it shows: every answer is the one rendered for its own
# values, beyond the bound, over the bound of an entry, for values a
# client sends, and an invalid value fails the same way, with the same
# log line, every time (RFC 8461, section 3.2: an invalid policy is never
# served).

use Test::Nginx::Socket 'no_plan';
use Digest::SHA qw(sha1_hex);

# These blocks serve policies over plain HTTP on purpose: the listener
# check (t/012-check.t) is off here, as where TLS ends in front of nginx.
add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("http_config", ($block->http_config // "")
                      . "\n    mta_sts_check_listener off;\n");
});

sub body {
    my ($mode, @mx) = @_;
    return "version: STSv1\r\nmode: $mode\r\n"
           . CORE::join('', map { "mx: $_\r\n" } @mx)
           . "max_age: 604800\r\n";
}

sub etag { return '"' . substr(sha1_hex($_[0]), 0, 32) . '"' }

# a page of SSI includes: one request, and a subrequest for each query,
# all in one nginx, one after the other
sub page {
    return ">>> page.shtml\n" . CORE::join("", map {
        "<!--# include virtual=\"/.well-known/mta-sts.txt?$_\" -->" } @_);
}

# 19,000 values, 18,000 distinct, in 10 pages of 1,900 (SSI takes time
# quadratic in the includes of a page): the values and their policies
our @Many = map { "mx$_.d$_.example" } 1 .. 18000, 1 .. 500, 17501 .. 18000;

sub many_pages {
    return CORE::join("", map {
        my $k = $_;
        ">>> page$k.shtml\n" . CORE::join("", map {
            "<!--# include virtual=\"/.well-known/mta-sts.txt?mx=$_\" -->"
        } @Many[$k * 1900 .. $k * 1900 + 1899]) . "\n"
    } 0 .. 9);
}

sub many_bodies {
    my $k = shift;
    return CORE::join("", map { body("enforce", $_) }
                          @Many[$k * 1900 .. $k * 1900 + 1899]) . "\n";
}

our $Ssi = <<'_EOC_';
    location = /page.shtml {
        ssi on;
        ssi_types *;
        root $TEST_NGINX_SERVER_ROOT/html;
    }
_EOC_

our $Header = <<'_EOC_';
    mta_sts_mode enforce;
    mta_sts_mx $http_x_mx;
_EOC_

our $Args = <<'_EOC_';
    mta_sts_mode enforce;
    mta_sts_mx $arg_mx;
_EOC_

run_tests();

__DATA__

=== TEST 1: 19,000 values, 18,000 distinct, beyond the bound of 16384: each gets its own policy
--- config eval
$::Args . <<'_EOC_';
    location ~ ^/page[0-9]\.shtml$ {
        ssi on;
        ssi_types *;
        root $TEST_NGINX_SERVER_ROOT/html;
    }
_EOC_
--- user_files eval
::many_pages()
--- request eval
[ map { "GET /page$_.shtml" } 0 .. 9 ]
--- more_headers
Host: mta-sts.example.com
--- timeout: 60
--- response_body eval
[ map { ::many_bodies($_) } 0 .. 9 ]
--- error_code eval
[ (200) x 10 ]
--- no_error_log
[error]
[alert]
[emerg]



=== TEST 2: the same value asked again - the same bytes, id and ETag (RFC 8461, section 3.1)
--- config eval
$::Args
--- pipelined_requests eval
[ ("GET /.well-known/mta-sts.txt?mx=mail.example.com") x 3 ]
--- more_headers
Host: mta-sts.example.com
--- response_body eval
[ (::body("enforce", "mail.example.com")) x 3 ]
--- response_headers eval
[ ("ETag: " . ::etag(::body("enforce", "mail.example.com"))) x 3 ]
--- error_code eval
[200, 200, 200]
--- no_error_log
[error]



=== TEST 3: an invalid value fails the same way, with the same log line, every time
--- config eval
$::Args . $::Ssi
--- user_files eval
::page("mx=mail.example.com", ("mx=m*.example.com") x 3, "mx=mail.example.com")
--- request
GET /page.shtml
--- more_headers
Host: mta-sts.example.com
--- response_body_like eval
qr/\A\Q${\ ::body("enforce", "mail.example.com")}\E
   (?:<html>.{0,200}?500\ Internal\ Server\ Error.*?<\/html>\s*){3}
   \Q${\ ::body("enforce", "mail.example.com")}\E\z/xs
--- grep_error_log eval
qr/invalid mx pattern "[^"]*": [^,]*/
--- grep_error_log_out eval
my $l = "invalid mx pattern \"m*.example.com\": \"*\" is allowed only as "
        . "the whole left-most label\n";
$l x 3
--- no_error_log
[alert]
[emerg]



=== TEST 4: an invalid mode from a variable - the same line every time
--- config eval
<<'_EOC_' . $::Ssi
    mta_sts_mode $arg_mode;
    mta_sts_mx mail.example.com;
_EOC_
--- user_files eval
::page("mode=enforce", ("mode=Enforce") x 3, "mode=enforce")
--- request
GET /page.shtml
--- more_headers
Host: mta-sts.example.com
--- response_body_like eval
qr/\A\Q${\ ::body("enforce", "mail.example.com")}\E
   (?:<html>.{0,200}?500\ Internal\ Server\ Error.*?<\/html>\s*){3}
   \Q${\ ::body("enforce", "mail.example.com")}\E\z/xs
--- grep_error_log eval
qr/invalid mta_sts_mode "[^"]*"/
--- grep_error_log_out eval
"invalid mta_sts_mode \"Enforce\"\n" x 3
--- no_error_log
[alert]
[emerg]



=== TEST 5: a policy over the bound of an entry is served uncached, the same each time
--- config eval
$::Header
--- pipelined_requests eval
[ ("GET /.well-known/mta-sts.txt") x 3 ]
--- more_headers eval
[ ("Host: mta-sts.example.com\nX-MX: "
   . CORE::join(" ", map { "mx$_.example.com" } 1 .. 40)) x 3 ]
--- response_body eval
[ (::body("enforce", map { "mx$_.example.com" } 1 .. 40)) x 3 ]
--- response_headers eval
[ ("ETag: " . ::etag(::body("enforce", map { "mx$_.example.com" } 1 .. 40)))
  x 3 ]
--- error_code eval
[200, 200, 200]
--- no_error_log
[error]



=== TEST 6: hostile - values split otherwise between two variables are other keys
--- config
    mta_sts_mode enforce;
    mta_sts_mx $arg_a $arg_b;
--- pipelined_requests eval
[ "GET /.well-known/mta-sts.txt?a=mx1.example.com&b=mx2.example.com",
  "GET /.well-known/mta-sts.txt?a=mx1.example.commx2.example.com&b=",
  "GET /.well-known/mta-sts.txt?a=mx1.example.co&b=mmx2.example.com",
  "GET /.well-known/mta-sts.txt?a=&b=mx1.example.commx2.example.com",
  "GET /.well-known/mta-sts.txt?a=mx1.example.com&b=mx2.example.com" ]
--- more_headers
Host: mta-sts.example.com
--- response_body eval
[ ::body("enforce", "mx1.example.com", "mx2.example.com"),
  ::body("enforce", "mx1.example.commx2.example.com"),
  ::body("enforce", "mx1.example.co", "mmx2.example.com"),
  ::body("enforce", "mx1.example.commx2.example.com"),
  ::body("enforce", "mx1.example.com", "mx2.example.com") ]
--- error_code eval
[200, 200, 200, 200, 200]
--- no_error_log
[error]



=== TEST 7: hostile - the mode is part of the key; case and spacing give the same policy
--- config
    mta_sts_mode $arg_mode;
    mta_sts_mx $http_x_mx;
--- pipelined_requests eval
[ "GET /.well-known/mta-sts.txt?mode=enforce",
  "GET /.well-known/mta-sts.txt?mode=testing",
  "GET /.well-known/mta-sts.txt?mode=enforce",
  "GET /.well-known/mta-sts.txt?mode=testing",
  "GET /.well-known/mta-sts.txt?mode=none",
  "GET /.well-known/mta-sts.txt?mode=enforce" ]
--- more_headers eval
[ "Host: mta-sts.example.com\nX-MX: mail.example.com",
  "Host: mta-sts.example.com\nX-MX: mail.example.com",
  "Host: mta-sts.example.com\nX-MX: MAIL.Example.COM",
  "Host: mta-sts.example.com\nX-MX: mail.example.com \t mail.example.com",
  "Host: mta-sts.example.com\nX-MX: mail.example.com",
  "Host: mta-sts.example.com\nX-MX: mail.example.com" ]
--- response_body eval
[ ::body("enforce", "mail.example.com"),
  ::body("testing", "mail.example.com"),
  ::body("enforce", "mail.example.com"),
  ::body("testing", "mail.example.com"),
  ::body("none", "mail.example.com"),
  ::body("enforce", "mail.example.com") ]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- no_error_log
[error]



=== TEST 8: hostile - escapes, CR LF and a long label: refused each time, never cached
--- config eval
$::Args . $::Ssi
--- user_files eval
::page(("mx=mail.example.com%0d%0amode:%20none") x 2,
       ("mx=" . ("a" x 64) . ".example.com") x 2, "mx=mail.example.com")
--- request
GET /page.shtml
--- more_headers
Host: mta-sts.example.com
--- response_body_like eval
qr/\A(?:<html>.{0,200}?500\ Internal\ Server\ Error.*?<\/html>\s*){4}
   \Q${\ ::body("enforce", "mail.example.com")}\E\z/xs
--- grep_error_log eval
qr/invalid mx pattern "[^"]*": [^,]*/
--- grep_error_log_out eval
my $a = "invalid mx pattern \"mail.example.com%0d%0amode:%20none\": a port "
        . "is not part of a host name\n";
my $b = "invalid mx pattern \"" . ("a" x 64) . ".example.com\": a label is "
        . "longer than 63 characters\n";
$a x 2 . $b x 2
--- no_error_log
[alert]
[emerg]



=== TEST 9: hostile - a value of 6,000 bytes over the entry bound, a small policy: served each time
--- config eval
$::Header
--- pipelined_requests eval
[ ("GET /.well-known/mta-sts.txt") x 3 ]
--- more_headers eval
[ ("Host: mta-sts.example.com\nX-MX: " . ("mail.example.com " x 350)) x 2,
  "Host: mta-sts.example.com\nX-MX: mail.example.com" ]
--- response_body eval
[ (::body("enforce", "mail.example.com")) x 3 ]
--- response_headers eval
[ ("ETag: " . ::etag(::body("enforce", "mail.example.com"))) x 3 ]
--- error_code eval
[200, 200, 200]
--- no_error_log
[error]
