# The cache of a policy from variables belongs to its configuration: after
# a reload (SIGHUP, one nginx throughout this file) the same values get
# the answer of the new configuration, never one rendered before.

use Test::Nginx::Socket 'no_plan';

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("http_config", ($block->http_config // "")
                      . "\n    mta_sts_check_listener off;\n");
});

sub body {
    my ($mode, $mx) = @_;
    return "version: STSv1\r\nmode: $mode\r\nmx: $mx\r\nmax_age: 604800\r\n";
}

use_hup();
no_shuffle();
run_tests();

__DATA__

=== TEST 1: policy A from a map, asked twice (cached)
--- http_config
    map $host $tenant_mx {
        default  mx-a.example.com;
    }
--- config
    mta_sts_mode enforce;
    mta_sts_mx $tenant_mx;
--- pipelined_requests eval
["GET /.well-known/mta-sts.txt", "GET /.well-known/mta-sts.txt"]
--- more_headers
Host: mta-sts.example.com
--- response_body eval
[::body("enforce", "mx-a.example.com"), ::body("enforce", "mx-a.example.com")]
--- error_code eval
[200, 200]
--- no_error_log
[error]



=== TEST 2: reloaded, the same values, another max_age: the new policy
--- http_config
    map $host $tenant_mx {
        default  mx-a.example.com;
    }
--- config
    mta_sts_mode enforce;
    mta_sts_mx $tenant_mx;
    mta_sts_max_age 1d;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
"version: STSv1\r\nmode: enforce\r\nmx: mx-a.example.com\r\nmax_age: 86400\r\n"
--- no_error_log
[error]



=== TEST 3: reloaded, the map changed: policy B
--- http_config
    map $host $tenant_mx {
        default  mx-b.example.com;
    }
--- config
    mta_sts_mode enforce;
    mta_sts_mx $tenant_mx;
--- request
GET /.well-known/mta-sts.txt
--- more_headers
Host: mta-sts.example.com
--- response_body eval
::body("enforce", "mx-b.example.com")
--- no_error_log
[error]



=== TEST 4: reloaded back: policy A again
--- http_config
    map $host $tenant_mx {
        default  mx-a.example.com;
    }
--- config
    mta_sts_mode $arg_mode;
    mta_sts_mx $tenant_mx;
--- request
GET /.well-known/mta-sts.txt?mode=testing
--- more_headers
Host: mta-sts.example.com
--- response_body eval
::body("testing", "mx-a.example.com")
--- no_error_log
[error]
