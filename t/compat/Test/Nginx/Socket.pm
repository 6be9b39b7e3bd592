package Test::Nginx::Socket;

# Minimal stand-in for Test::Nginx::Socket (openresty "test-nginx").
# Implements the subset described in t/compat/README.md with the same
# section semantics, test names and test counts as the original.  It is an
# independent implementation; it is only put on @INC when the real module
# is not installed.

use strict;
use warnings;
use v5.10.1;

# "-base" (lower case) makes us a Test::Base subclass and imports
# Test::Base's functions without Spiffy's source filter.  Test::Base's own
# import() then handles "use Test::Nginx::Socket 'no_plan'" / tests => N.
use Test::Base -base;

our $VERSION = '0.29_compat';

use Encode ();
use POSIX qw(EAGAIN EWOULDBLOCK EINTR);
use Time::HiRes qw(sleep time);
use IO::Socket::INET ();
use IO::Select ();
use List::Util qw(min);
use Digest::MD5 ();
use Digest::SHA ();
use Test::LongString ();

use Test::Nginx::Util;

our @EXPORT = qw(
    env_to_nginx is_str plan run_tests repeat_each config_preamble
    worker_connections master_process_enabled no_long_string workers
    master_on master_off log_level no_shuffle no_root_location use_hup
    server_name server_addr server_root html_dir server_port
    server_port_for_client timeout no_nginx_manager check_accum_error_log
    add_block_preprocessor bail_out add_cleanup_handler
    add_response_body_check
);

our $TotalConnectingTimeouts = 0;
our @ResponseBodyChecks;

sub send_request ($$$$;$);
sub value_contains ($$);

$RunTestHelper = \&run_test_helper;
$CheckErrorLog = \&check_error_log;

sub add_response_body_check ($) {
    push @ResponseBodyChecks, shift;
}

sub set_http_config_filter ($) {
    $FilterHttpConfig = shift;
}

#--------------------------------------------------------------------------
# building requests
#--------------------------------------------------------------------------

# "--- more_headers" text -> ("Key: val\r\n"..., $is_chunked)
sub parse_more_headers ($) {
    my ($in) = @_;
    my $out = '';
    my $is_chunked;
    for my $header (split /\n+/, $in) {
        next if $header =~ /^\s*#/;
        my ($key, $val) = split /:\s*/, $header, 2;
        $val = '' unless defined $val;
        $is_chunked = 1
            if lc($key) eq 'transfer-encoding' && $val eq 'chunked';
        $out .= "$key: $val\r\n";
    }
    return ($out, $is_chunked);
}

# One "--- request" string -> full HTTP request text.
#   first line: METHOD [URI [VERSION]]  (URI defaults to /, VERSION to
#   HTTP/1.1); the remaining lines are the body.  Host and Connection
#   headers are added unless more_headers has them; Content-Length is
#   added (and the body trimmed of surrounding white space) when a body
#   is given, unless the request is chunked or more_headers has one.
sub build_request ($$$$$) {
    my ($name, $more_headers, $is_chunked, $conn_header, $request) = @_;

    $request = '' unless defined $request;
    my ($first, $content) = $request =~ /\A([^\n]*\n?)(.*)\z/s;
    if (!defined $first || $first eq '') {
        bail_out("$name - Request line should be non-empty");
    }

    my ($meth, $url, $ver);
    if ($first =~ /^\s*(\S+) *(?:(\S+) *)?(?:(\S+) *)?\s*$/) {
        ($meth, $url, $ver) = ($1, $2, $3);
    } else {
        bail_out("$name - Request line is not valid. Should be "
                 . "'meth [url [version]]' but got \"$first\".");
    }
    $url = '/' unless defined $url;
    $ver = 'HTTP/1.1' unless defined $ver;

    my $len_header = '';
    if (!$is_chunked && $content ne ''
        && $more_headers !~ /(?:^|\n)Content-Length:/)
    {
        $content =~ s/^\s+|\s+$//gs;
        $len_header = "Content-Length: " . length($content) . "\r\n";
    }

    $more_headers =~ s/(?<!\r)\n/\r\n/gs;

    my $headers = '';
    $headers .= "Host: $ServerName\r\n"
        if $more_headers !~ /(?:^|\n)Host:/msi;
    $headers .= "Connection: $conn_header\r\n"
        if $more_headers !~ /(?:^|\n)Connection/msi;
    $headers .= "$more_headers$len_header\r\n";

    return "$meth $url $ver\r\n$headers$content";
}

sub _headers_for ($$$) {
    my ($name, $more_headers, $idx) = @_;
    if (ref $more_headers eq 'ARRAY') {
        my $hdr = $more_headers->[$idx];
        bail_out("--- more_headers lacks data for the ${idx}th request")
            unless defined $hdr;
        return parse_more_headers($hdr);
    }
    return parse_more_headers($more_headers);
}

# Returns a list of requests; each request is a list of
# { value => $bytes, delay_before => $secs } pieces to write.
sub get_req_from_block ($) {
    my ($block) = @_;
    my $name = $block->name;
    my @req_list;

    if (defined $block->raw_request) {
        my $raw = $block->raw_request;
        if (ref $raw && ref $raw eq 'ARRAY') {
            push @req_list, [ map { { value => $_ } } @$raw ];
        } else {
            push @req_list, [ { value => $raw } ];
        }
        return \@req_list;
    }

    my $request;
    if (defined $block->request_eval) {
        Test::More::diag("$name - request_eval DEPRECATED. Use request eval instead.");
        $request = eval $block->request_eval;
        warn $@ if $@;
    } else {
        $request = $block->request;
        if (defined $request && !ref $request) {
            # leading comment lines and white space are ignored
            1 while $request =~ s/^\s*\#[^\n]+\s+|^\s+//gs;
        }
    }

    my $more_headers = $block->more_headers || '';

    if (my $reqs = $block->pipelined_requests) {
        bail_out("$name - invalid entries in --- pipelined_requests")
            if !ref $reqs || ref $reqs ne 'ARRAY';
        my $all = '';
        for my $i (0 .. $#$reqs) {
            my ($hdr, $chunked) = _headers_for($name, $more_headers, $i);
            my $conn = $i == $#$reqs ? 'close' : 'keep-alive';
            $all .= build_request($name, $hdr, $chunked, $conn, $reqs->[$i]);
        }
        push @req_list, [ { value => $all } ];
        return \@req_list;
    }

    # the real module gives an array of more_headers a meaning only with
    # pipelined_requests; elsewhere it would send "ARRAY(0x...)": refuse it
    bail_out("$name - an array in --- more_headers needs "
             . "--- pipelined_requests")
        if ref $more_headers;

    if (!ref $request) {
        my ($hdr, $chunked) = _headers_for($name, $more_headers, 0);
        push @req_list, [ { value => build_request($name, $hdr, $chunked,
                                                   'close', $request) } ];
    } elsif (ref $request eq 'ARRAY') {
        my $i = 0;
        for my $one (@$request) {
            my ($hdr, $chunked) = _headers_for($name, $more_headers, $i);
            if (ref $one) {
                bail_out("$name - requests split into packets are not "
                         . "supported by the Test::Nginx compat runner");
            }
            push @req_list, [ { value => build_request($name, $hdr, $chunked,
                                                       'close', $one) } ];
            $i++;
        }
    } else {
        bail_out("$name - invalid ---request : MUST be string or array of requests");
    }

    return \@req_list;
}

#--------------------------------------------------------------------------
# the HTTP client
#--------------------------------------------------------------------------

# Sends one request (list of pieces) on a new connection and reads until
# the server closes it.  Returns ($raw_response, $is_head_request).
sub send_request ($$$$;$) {
    my ($pieces, $middle_delay, $timeout, $block, $tries) = @_;
    my $name = $block->name;
    my @bits = @$pieces;

    my $whole = join '', map { $_->{value} } @bits;
    my $head_req = $whole =~ /^\s*HEAD\s+/ ? 1 : 0;

    my $addr = $block->server_addr_for_client;
    $addr = $ServerAddr unless defined $addr;

    my $sock = IO::Socket::INET->new(
        PeerAddr => $addr,
        PeerPort => $ServerPortForClient,
        Proto    => 'tcp',
        Timeout  => $timeout,
    );

    if (!$sock) {
        my $err = $!;
        $tries ||= 1;
        my $total = $TotalConnectingTimeouts ? 20 : 50;
        if ($tries <= $total) {
            my $s = sleep_time();
            my $wait = ($s + $s * $tries) * $tries / 2;
            $wait = 1 if $wait >= 1;
            if ($wait >= 0.6) {
                warn "$name - Can't connect to $addr:$ServerPortForClient: $err\n";
                warn "\tRetry connecting after $wait sec\n" if $tries < $total;
            }
            sleep $wait;
            return send_request($pieces, $middle_delay, $timeout, $block,
                                $tries + 1);
        }
        my $msg = "$name - Can't connect to $addr:$ServerPortForClient: "
                  . "$err (aborted)\n";
        if (++$TotalConnectingTimeouts < 3) {
            Test::More->builder->no_ending(1);
            Test::More::fail($msg);
        } else {
            bail_out($msg);
        }
        return (undef, $head_req);
    }

    $sock->blocking(0);

    my $resp = '';
    my $cur = shift @bits;
    my $buf = $cur->{value};
    my $off = 0;
    my $writing = 1;
    my $sel_r = IO::Select->new($sock);

    while (1) {
        my $sel_w = $writing ? IO::Select->new($sock) : IO::Select->new();
        my ($r, $w) = IO::Select->select($sel_r, $sel_w, undef, $timeout);

        if (!$r && !$w) {
            next if $! == EINTR;
            close $sock;
            if (!defined $block->abort) {
                Test::More->builder->no_ending(1);
                Test::More::fail("ERROR: client socket timed out - $name\n");
            } else {
                sleep 0.005;
            }
            last;
        }

        if ($w && @$w) {
            my $n = syswrite($sock, $buf, length($buf) - $off, $off);
            if (!defined $n) {
                if ($! != EAGAIN && $! != EWOULDBLOCK && $! != EINTR) {
                    warn "write failed: $!\n";
                    $resp = "write failed: $!" if $resp eq '';
                    $writing = 0;
                }
            } else {
                $off += $n;
                while ($writing && $off >= length $buf) {
                    my $next = shift @bits;
                    if (!$next) {
                        $writing = 0;
                        my $shutdown = $block->shutdown;
                        if (defined $shutdown) {
                            $shutdown = 1 if $shutdown =~ /^\s*$/s;
                            shutdown($sock, $shutdown);
                        }
                        last;
                    }
                    my $delay = defined $next->{delay_before}
                                ? $next->{delay_before} : $middle_delay;
                    sleep $delay if $delay;
                    ($buf, $off) = ($next->{value}, 0);
                }
            }
        }

        if ($r && @$r) {
            my $n = sysread($sock, my $chunk, 4096);
            if (!defined $n) {
                next if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
                warn "WARNING: $name - HTTP response read failure: $!\n";
                last;
            }
            last if $n == 0;    # connection closed
            $resp .= $chunk;
        }
    }

    close $sock;
    return ($resp, $head_req);
}

#--------------------------------------------------------------------------
# parsing responses
#--------------------------------------------------------------------------

{
    # The tiny part of HTTP::Response the checks need.
    package Test::Nginx::Socket::Response;

    sub new {
        my ($class, %args) = @_;
        return bless { code => $args{code}, message => $args{message},
                       protocol => $args{protocol},
                       headers => $args{headers} || [],
                       content => $args{content} }, $class;
    }

    sub code {
        my $self = shift;
        $self->{code} = shift if @_;
        return $self->{code};
    }

    sub content {
        my $self = shift;
        $self->{content} = shift if @_;
        return $self->{content};
    }

    # Case-insensitive; "_" matches "-"; several fields are joined with ", ".
    sub header {
        my ($self, $key) = @_;
        (my $want = lc $key) =~ tr/_/-/;
        my @vals;
        my $h = $self->{headers};
        for (my $i = 0; $i < @$h; $i += 2) {
            push @vals, $h->[$i + 1] if lc($h->[$i]) eq $want;
        }
        return undef unless @vals;
        return wantarray ? @vals : join(', ', @vals);
    }
}

# Returns ($res, $raw_headers, $left_over_bytes).
sub parse_response ($$$) {
    my ($name, $raw_resp, $head_req) = @_;

    my $raw_headers = '';
    $raw_headers = $1 if $raw_resp =~ /(.*?\r\n)\r\n/s;

    my $str = $raw_resp;
    my $status_line;
    if ($str =~ s/^(.*)\n//) {
        $status_line = $1;
    } else {
        ($status_line, $str) = ($str, '');
    }
    $status_line =~ s/\r\z//;

    my ($protocol, $code, $message);
    if ($status_line =~ /^\d{3} /) {
        ($code, $message) = split ' ', $status_line, 2;
    } else {
        ($protocol, $code, $message) = split ' ', $status_line, 3;
    }

    my @hdr;
    while (1) {
        if ($str =~ s/^([^\s:]+)[ \t]*: ?(.*)\n?//) {
            push @hdr, $1, $2;
            $hdr[-1] =~ s/\r\z//;
        } elsif (@hdr && $str =~ s/^([ \t].*)\n?//) {
            $hdr[-1] .= "\n$1";
            $hdr[-1] =~ s/\r\z//;
        } else {
            $str =~ s/^\r?\n//;
            last;
        }
    }

    $code = undef if defined $code && $code !~ /^\d+$/;

    my $res = Test::Nginx::Socket::Response->new(
        code => $code, message => $message, protocol => $protocol,
        headers => \@hdr, content => $str,
    );

    return ($res, $raw_headers) if $code && ($code == 304 || $code == 101);

    my $enc = $res->header('Transfer-Encoding');
    my $len = $res->header('Content-Length');
    my $left;

    if (defined $enc && $enc eq 'chunked') {
        my $raw = $res->content;
        $raw = '' unless defined $raw;
        my $decoded = '';
        while (1) {
            if ($raw =~ /\G 0 [\ \t]* \r\n \r\n /gcsx) {
                $left = $1 if $raw =~ /\G (.+) /gcsx;
                last;
            }
            if ($raw =~ /\G [\ \t]* ([A-Fa-f0-9]+) [\ \t]* \r\n /gcsx) {
                my $size = hex $1;
                my $pos = pos $raw;
                if (length($raw) - $pos < $size) {
                    Test::More->builder->no_ending(1);
                    Test::More::fail("$name - invalid chunked data received "
                                     . "(not enought octets for the data section)");
                    return;
                }
                $decoded .= substr($raw, $pos, $size);
                pos($raw) = $pos + $size;
                if ($raw !~ /\G\r\n/gcs) {
                    Test::More->builder->no_ending(1);
                    Test::More::fail("$name - invalid chunked data received "
                                     . "(expected CRLF).");
                    return;
                }
            } elsif ($raw =~ /\G(.+)/gcs) {
                Test::More->builder->no_ending(1);
                Test::More::fail("$name - invalid chunked body received: $1");
                return;
            } else {
                Test::More->builder->no_ending(1);
                Test::More::fail("$name - no last chunk found - $raw");
                return;
            }
        }
        $res->content($decoded);

    } elsif (defined $len && $len ne '' && $len >= 0) {
        my $raw = $res->content;
        if (length $raw < $len) {
            warn "WARNING: $name - response body truncated: $len expected, "
                 . "but got " . length($raw) . "\n" unless $head_req;
        } elsif (length $raw > $len) {
            $left = substr $raw, $len;
            $res->content(substr $raw, 0, $len);
        }
    }

    return ($res, $raw_headers, $left);
}

#--------------------------------------------------------------------------
# per-block driver
#--------------------------------------------------------------------------

sub run_test_helper ($$$) {
    my ($block, $dry_run, $repeated_req_idx) = @_;

    my $name = $block->name;
    my $reqs = get_req_from_block($block);
    bail_out("$name - request empty") unless @$reqs;

    my $timeout = parse_time($block->timeout);
    $timeout = timeout() unless defined $timeout;

    my ($res, $n, $need_array);
    my $req_idx = 0;

    for my $one_req (@$reqs) {
        my ($raw_resp, $head_req);
        if ($dry_run) {
            $raw_resp = "200 OK HTTP/1.0\r\nContent-Length: 0\r\n\r\n";
        } else {
            ($raw_resp, $head_req) = send_request($one_req,
                $block->raw_request_middle_delay, $timeout, $block);
        }

        if ($block->pipelined_requests) {
            $n = @{ $block->pipelined_requests };
            $need_array = 1;
        } else {
            $need_array = @$reqs > 1;
        }

        while (1) {
            $raw_resp = '' unless defined $raw_resp;
            my ($raw_headers, $left);

            if (!defined $block->ignore_response) {
                if (defined $block->http09) {
                    $res = Test::Nginx::Socket::Response->new(
                        code => 200, message => 'OK', content => $raw_resp);
                    $raw_headers = '';
                } else {
                    ($res, $raw_headers, $left)
                        = parse_response($name, $raw_resp, $head_req);
                }
            }

            if (!$n) {
                if (defined $left && length $left) {
                    (my $l = $left) =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/eg;
                    warn "WARNING: $name - unexpected extra bytes after last "
                         . "chunk in response: \"$l\"\n";
                }
            } else {
                $raw_resp = $left;
                $n--;
            }

            if (!defined $block->ignore_response) {
                check_error_code($block, $res, $dry_run, $req_idx, $need_array);
                check_raw_response_headers($block, $raw_headers, $dry_run,
                                           $req_idx, $need_array);
                check_response_headers($block, $res, $raw_headers, $dry_run,
                                       $req_idx, $need_array);
                transform_response_body($block, $res, $req_idx);
                check_response_body($block, $res, $dry_run, $req_idx,
                                    $repeated_req_idx, $need_array);
            }

            if ($n || $req_idx < @$reqs - 1) {
                sleep $block->wait if $block->wait;
                check_error_log($block, $res, $dry_run, $repeated_req_idx,
                                $need_array);
                check_access_log($block, $dry_run, $repeated_req_idx)
                    unless defined $block->ignore_response;
            }

            $req_idx++;
            last unless $n;
        }
    }

    sleep $block->wait if $block->wait;

    check_error_log($block, $res, $dry_run, $repeated_req_idx, $need_array);
    check_access_log($block, $dry_run, $repeated_req_idx)
        unless defined $block->ignore_response;
}

#--------------------------------------------------------------------------
# checks
#--------------------------------------------------------------------------

sub get_indexed_value ($$$$) {
    my ($name, $value, $req_idx, $need_array) = @_;
    if ($need_array) {
        return $value->[$req_idx] if ref $value && ref $value eq 'ARRAY';
        bail_out("$name - You asked for many requests, the expected results "
                 . "should be arrays as well.");
    }
    if (ref $value && ref $value eq 'ARRAY') {
        bail_out("$name - SHOULD NOT HAPPEN: idx != 0 and don't need array.")
            if $req_idx != 0;
        return $value->[0];
    }
    return $value;
}

sub check_error_code ($$$$$) {
    my ($block, $res, $dry_run, $req_idx, $need_array) = @_;
    my $name = $block->name;
    my $got = ($res && $res->code) || '';
    SKIP: {
        skip "$name - tests skipped due to $dry_run", 1 if $dry_run;
        if (defined $block->error_code_like) {
            my $val = get_indexed_value($name, $block->error_code_like,
                                        $req_idx, $need_array);
            like($got, qr/$val/sm, "$name - status code ok");
        } elsif (defined $block->error_code) {
            is($got, get_indexed_value($name, $block->error_code, $req_idx,
                                       $need_array),
               "$name - status code ok");
        } else {
            is($got, 200, "$name - status code ok");
        }
    }
}

sub check_raw_response_headers ($$$$$) {
    my ($block, $raw_headers, $dry_run, $req_idx, $need_array) = @_;
    my $name = $block->name;
    $raw_headers = '' unless defined $raw_headers;

    if (defined $block->raw_response_headers_like) {
        SKIP: {
            skip "$name - raw_response_headers_like - tests skipped due to $dry_run", 1
                if $dry_run;
            my $expected = get_indexed_value($name,
                $block->raw_response_headers_like, $req_idx, $need_array);
            like($raw_headers, qr/$expected/s, "$name - raw resp headers like");
        }
    }

    if (defined $block->raw_response_headers_unlike) {
        SKIP: {
            skip "$name - raw_response_headers_unlike - tests skipped due to $dry_run", 1
                if $dry_run;
            my $expected = get_indexed_value($name,
                $block->raw_response_headers_unlike, $req_idx, $need_array);
            unlike($raw_headers, qr/$expected/s, "$name - raw resp headers unlike");
        }
    }
}

sub check_response_headers ($$$$$$) {
    my ($block, $res, $raw_headers, $dry_run, $req_idx, $need_array) = @_;
    my $name = $block->name;
    $raw_headers = '' unless defined $raw_headers;

    if (defined $block->response_headers) {
        my $headers = parse_headers(get_indexed_value($name,
            $block->response_headers, $req_idx, $need_array));
        for my $key (sort keys %$headers) {
            my $val = $headers->{$key};
            if (!defined $val) {
                SKIP: {
                    skip "$name - response_headers - tests skipped due to $dry_run", 1
                        if $dry_run;
                    unlike($raw_headers, qr/^\s*\Q$key\E\s*:/ms,
                           "$name - header $key not present in the raw headers");
                }
                next;
            }
            $val =~ s/\$ServerPort\b/$ServerPort/g;
            $val =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
            my $actual = $res ? $res->header($key) : undef;
            $actual = '' unless defined $actual;
            SKIP: {
                skip "$name - response_headers - tests skipped due to $dry_run", 1
                    if $dry_run;
                is($actual, $val, "$name - header $key ok");
            }
        }
    } elsif (defined $block->response_headers_like) {
        my $headers = parse_headers(get_indexed_value($name,
            $block->response_headers_like, $req_idx, $need_array));
        for my $key (sort keys %$headers) {
            my $val = $headers->{$key};
            $val = '' unless defined $val;
            my $actual = $res ? $res->header($key) : undef;
            $actual = '' unless defined $actual;
            SKIP: {
                skip "$name - response_headers_like - tests skipped due to $dry_run", 1
                    if $dry_run;
                like($actual, qr/^$val$/, "$name - header $key like ok");
            }
        }
    }
}

sub run_filter_helper ($$$) {
    my ($block, $filter, $content) = @_;
    my $name = $block->name;

    if (ref $filter && ref $filter eq 'CODE') {
        return $filter->($content);
    }
    if (ref $filter) {
        bail_out("$name - the --- response_body_filters section only "
                 . "supports subroutine reference values and string values");
    }
    my %builtin = (
        md5_hex  => \&Digest::MD5::md5_hex,
        sha1_hex => \&Digest::SHA::sha1_hex,
        uc       => sub { uc $_[0] },
        lc       => sub { lc $_[0] },
        ucfirst  => sub { ucfirst $_[0] },
        lcfirst  => sub { lcfirst $_[0] },
        length   => sub { length $_[0] },
    );
    my $f = $builtin{$filter}
        or bail_out("$name - unknown filter, \"$filter\", specified in the "
                    . "--- response_body_filters section");
    return $f->($content);
}

sub transform_response_body ($$$) {
    my ($block, $res, $req_idx) = @_;
    return unless defined $res;
    my $content = $res->content;
    return unless defined $content;

    my $filters = $block->response_body_filters;
    return unless defined $filters;
    my $name = $block->name;

    if (!ref $filters) {
        $filters =~ s/^\s+|\s+$//gs;
        $filters = [ split /\s+/, $filters ];
    } elsif (ref $filters ne 'ARRAY') {
        $filters = [ $filters ];
    }

    my $filter = $filters;
    if (ref $filters->[0] eq 'ARRAY') {
        $filter = $filters->[$req_idx];
        bail_out("$name - the ---response_body_filters two-dimensional array "
                 . "unmatch the specified request($req_idx)")
            unless defined $filter;
    }

    my $new = $content;
    for my $f (ref $filter eq 'ARRAY' ? @$filter : ($filter)) {
        $new = run_filter_helper($block, $f, $new);
    }
    $res->content($new);
}

sub check_response_body ($$$$$$) {
    my ($block, $res, $dry_run, $req_idx, $repeated_req_idx, $need_array) = @_;
    my $name = $block->name;

    my $content = $res ? $res->content : undef;
    if (defined $content) {
        $content =~ s/^TE: deflate,gzip;q=0\.3\r\n//gms;
        $content =~ s/^Connection: TE, close\r\n//gms;
    }

    if (defined $block->response_body || defined $block->response_body_eval) {
        my $expected;
        if ($block->response_body_eval) {
            Test::More::diag("$name - response_body_eval is DEPRECATED. "
                             . "Use response_body eval instead.");
            $expected = eval get_indexed_value($name,
                $block->response_body_eval, $req_idx, $need_array);
            warn $@ if $@;
        } else {
            $expected = get_indexed_value($name, $block->response_body,
                                          $req_idx, $need_array);
        }

        if ($block->charset) {
            Encode::from_to($expected, 'UTF-8', $block->charset);
        }

        if (defined $expected && !ref $expected) {
            $expected =~ s/\$ServerPort\b/$ServerPort/g;
            $expected =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        }

        SKIP: {
            skip "$name - response_body - tests skipped due to $dry_run", 1
                if $dry_run;
            my $desc = "repeated req $repeated_req_idx, req $req_idx";
            if (ref $expected) {
                like($content, $expected, "$name - response_body - like ($desc)");
            } elsif ($NoLongString) {
                is($content, $expected,
                   "$name - response_body - response is expected ($desc)");
            } else {
                Test::LongString::is_string($content, $expected,
                   "$name - response_body - response is expected ($desc)");
            }
        }

    } elsif (defined $block->response_body_like
             || defined $block->response_body_unlike)
    {
        my ($patterns, $type, $cmp);
        if (defined $block->response_body_like) {
            ($patterns, $type, $cmp)
                = ($block->response_body_like, 'like', \&like);
        } else {
            ($patterns, $type, $cmp)
                = ($block->response_body_unlike, 'unlike', \&unlike);
        }

        my $pat = get_indexed_value($name, $patterns, $req_idx, $need_array);
        $pat =~ s/\$ServerPort\b/$ServerPort/g;
        $pat =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        my $summary = trim($content);
        $summary = '' unless defined $summary;

        SKIP: {
            skip "$name - response_body_$type - tests skipped due to $dry_run", 1
                if $dry_run;
            $cmp->($content, qr/$pat/s,
                   "$name - response_body_$type - response is expected ($summary)");
        }
    }

    for my $check (@ResponseBodyChecks) {
        $check->($block, $res ? $res->content : undef, $req_idx,
                 $repeated_req_idx, $dry_run);
    }
}

sub fmt_str ($) {
    my $str = shift;
    chomp $str;
    $str =~ s/"/\\"/g;
    $str =~ s/\r/\\r/g;
    $str =~ s/\n/\\n/g;
    return $str;
}

# True if the string/regex/array value mentions $pat literally.
sub value_contains ($$) {
    my ($val, $pat) = @_;
    return $val =~ /\Q$pat\E/ if !ref $val || ref $val eq 'Regexp';
    if (ref $val eq 'ARRAY') {
        for my $v (@$val) {
            return 1 if value_contains($v, $pat);
        }
    }
    return undef;
}

# Section value -> list of patterns (plain strings match as substrings,
# qr// objects as regexes).
sub _pattern_list ($) {
    my $pats = shift;
    if (!ref $pats) {
        chomp $pats;
        return [ split /\n+/, $pats ];
    }
    return [ $pats ] if ref $pats eq 'Regexp';
    return [ @$pats ];
}

sub _line_matches ($$) {
    my ($line, $pat) = @_;
    return (ref $pat && $line =~ /$pat/) || $line =~ /\Q$pat\E/;
}

# The "pattern must appear" / "pattern must not appear" pair shared by the
# error and access log sections.
sub _check_log_patterns {
    my (%a) = @_;
    my ($name, $lines, $dry_run, $r, $file, $section)
        = @a{qw(name lines dry_run r file section)};
    $lines ||= [];

    if (defined $a{want}) {
        my $pats = _pattern_list($a{want});
        for my $line (@$lines) {
            for my $pat (@$pats) {
                next unless defined $pat;
                if (_line_matches($line, $pat)) {
                    SKIP: {
                        skip "$name - $section - tests skipped due to $dry_run", 1
                            if $dry_run;
                        pass("$name - pattern \"$pat\" matches a line in $file (req $r)");
                    }
                    undef $pat;
                }
            }
        }
        for my $pat (@$pats) {
            next unless defined $pat;
            SKIP: {
                skip "$name - $section - tests skipped due to $dry_run", 1
                    if $dry_run;
                fail("$name - pattern \"$pat\" should match a line in $file (req $r)");
            }
        }
    }

    if (defined $a{unwanted}) {
        my $pats = _pattern_list($a{unwanted});
        my %found;
        for my $i (0 .. $#$lines) {
            my $line = $lines->[$i];
            for my $pat (@$pats) {
                next unless defined $pat;
                next unless _line_matches($line, $pat);
                if ($found{$pat}++) {
                    Test::More->builder->no_ending(1);
                }
                SKIP: {
                    skip "$name - no_$section - tests skipped due to $dry_run ($line)", 1
                        if $dry_run;
                    my $ln = fmt_str($line);
                    my $p = fmt_str($pat);
                    my @more;
                    for (my $j = $i + 1; $j < min($i + 10, @$lines - 1); $j++) {
                        push @more, $lines->[$j];
                    }
                    fail("$name - pattern \"$p\" should not match any line in "
                         . "$file but matches line \"$ln\" (req $r)\n"
                         . join('', @more));
                }
            }
        }
        for my $pat (@$pats) {
            next unless defined $pat;
            next if $found{$pat};
            SKIP: {
                skip "$name - no_$section - tests skipped due to $dry_run", 1
                    if $dry_run;
                my $p = fmt_str($pat);
                pass("$name - pattern \"$p\" does not match a line in $file (req $r)");
            }
        }
    }
}

sub check_access_log ($$$) {
    my ($block, $dry_run, $repeated_req_idx) = @_;
    return unless defined $block->access_log || defined $block->no_access_log;
    _check_log_patterns(
        name => $block->name, dry_run => $dry_run, r => $repeated_req_idx,
        file => 'access.log', section => 'access_log',
        lines => access_log_data(),
        want => scalar($block->access_log),
        unwanted => scalar($block->no_access_log),
    );
}

sub check_error_log ($$$$$) {
    my ($block, $res, $dry_run, $repeated_req_idx, $need_array) = @_;
    my $name = $block->name;
    my $lines;

    my %warn_for = (alert => 1, crit => 1, emerg => 1);

    my $grep_pats = $block->grep_error_log;
    my $grep_pat;
    if (defined $grep_pats) {
        $grep_pat = (ref $grep_pats && ref $grep_pats eq 'ARRAY')
                    ? $grep_pats->[$repeated_req_idx] : $grep_pats;
    } elsif (defined $block->grep_error_log_out) {
        bail_out("$name - No --- grep_error_log defined but "
                 . "--- grep_error_log_out is defined");
    }

    if (defined $grep_pat) {
        my $expected = $block->grep_error_log_out;
        bail_out("$name - No --- grep_error_log_out defined but "
                 . "--- grep_error_log is defined") unless defined $expected;
        $expected = $expected->[$repeated_req_idx]
            if ref $expected && ref $expected eq 'ARRAY';
        SKIP: {
            skip "$name - error_log - tests skipped due to $dry_run", 1 if $dry_run;
            $lines ||= error_log_data() || [];
            my $matched = '';
            for my $line (@$lines) {
                if ((ref $grep_pat && $line =~ /$grep_pat/)
                    || $line =~ /\Q$grep_pat\E/)
                {
                    my $m = $&;
                    $matched .= "$m\n" if $m !~ /\n/;
                }
            }
            if (ref $expected eq 'Regexp') {
                like($matched, $expected,
                     "$name - grep_error_log_out (req $repeated_req_idx)");
            } elsif ($NoLongString) {
                is($matched, $expected,
                   "$name - grep_error_log_out (req $repeated_req_idx)");
            } else {
                Test::LongString::is_string($matched, $expected,
                   "$name - grep_error_log_out (req $repeated_req_idx)");
            }
        }
    }

    for my $sec ($block->error_log, $block->no_error_log) {
        next unless defined $sec;
        for my $level (keys %warn_for) {
            delete $warn_for{$level} if value_contains($sec, "[$level");
        }
    }

    if (defined $block->error_log || defined $block->no_error_log) {
        $lines ||= error_log_data();
        _check_log_patterns(
            name => $name, dry_run => $dry_run, r => $repeated_req_idx,
            file => 'error.log', section => 'error_log', lines => $lines,
            want => scalar($block->error_log),
            unwanted => scalar($block->no_error_log),
        );
    }

    if (!$dry_run && %warn_for) {
        $lines ||= error_log_data();
        for my $level (qw(alert crit emerg)) {
            next unless $warn_for{$level};
            for my $line (@{ $lines || [] }) {
                warn "WARNING: $name - " . fmt_str($line) . "\n"
                    if $line =~ /\[$level\]/;
            }
        }
    }

    for my $line (@{ $lines || [] }) {
        if ($line =~ /\bAssertion .*?failed\b/) {
            Test::More->builder->no_ending(1);
            (my $l = $line) =~ s/\n\z//;
            fail("$name - $l\n");
        }
    }
}

1;
__END__

=head1 NAME

Test::Nginx::Socket - compat subset of openresty's Test::Nginx::Socket

=head1 DESCRIPTION

See F<t/compat/README.md>.

=cut
