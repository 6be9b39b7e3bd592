
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * Unit tests of src/ngx_http_mta_sts_policy.c, without a running nginx:
 * the mx pattern rules (RFC 8461, sections 3.2 and 4.1), the mode values
 * and the rendered body.  Prints a TAP line a check and exits non-zero on
 * any failure.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_policy.h>

#include <stdio.h>


typedef struct {
    char         *pattern;
    char         *error;      /* a part of the reason, NULL when valid */
    ngx_uint_t    flags;
} ngx_http_mta_sts_mx_case_t;


static void ok(int good, const char *fmt, const char *arg);
static char *repeat(char *buf, char c, size_t n);


static int  tests, failed;


static ngx_http_mta_sts_mx_case_t  mx_cases[] = {

    /* valid: plain names and a wildcard as the whole left-most label */
    { "mail.example.com", NULL, 0 },
    { "MAIL.Example.COM", NULL, 0 },
    { "mx-1.mail.example.com", NULL, 0 },
    { "xn--mil-ula.example.com", NULL, 0 },
    { "a.b", NULL, 0 },
    { "1mail.example.com", NULL, 0 },
    { "mail.123example.com", NULL, 0 },
    { "*.example.net", NULL, NGX_HTTP_MTA_STS_MX_WILDCARD },
    { "*.mail.example.net", NULL, NGX_HTTP_MTA_STS_MX_WILDCARD },

    /* valid, but a wildcard directly over a top-level domain */
    { "*.com", NULL, NGX_HTTP_MTA_STS_MX_WILDCARD|NGX_HTTP_MTA_STS_MX_TLD },

    /* section 4.1: "*" only as the whole left-most label */
    { "*", "\"*\" is allowed only as the whole left-most label", 0 },
    { "*example.com", "\"*\" is allowed only", 0 },
    { "m*.example.com", "\"*\" is allowed only", 0 },
    { "mail.*.example.com", "\"*\" is allowed only", 0 },
    { "*.*.example.com", "\"*\" is allowed only", 0 },
    { "mail.example.*", "\"*\" is allowed only", 0 },
    { "**.example.com", "\"*\" is allowed only", 0 },
    { "*.", "a trailing dot", 0 },

    /* IP addresses in any form */
    { "192.0.2.1", "an IP address", 0 },
    { "127.1", "an IP address", 0 },
    { "2130706433", "an IP address", 0 },
    { "0x7f.0.0.1", "an IP address", 0 },
    { "*.0.2.1", "an IP address", 0 },
    { "2001:db8::1", "an IP address", 0 },
    { "::ffff:192.0.2.1", "an IP address", 0 },
    { "[192.0.2.1]", "an IP address", 0 },
    { "[2001:db8::1]", "an IP address", 0 },

    /* names as senders match them */
    { "mail.example.com.", "a trailing dot is not allowed", 0 },
    { "localhost", "a single-label name is not allowed", 0 },
    { "", "the pattern is empty", 0 },
    { ".example.com", "a label is empty", 0 },
    { "mail..example.com", "a label is empty", 0 },
    { "-mail.example.com", "begins or ends with a hyphen", 0 },
    { "mail-.example.com", "begins or ends with a hyphen", 0 },
    { "mail.example.com-", "begins or ends with a hyphen", 0 },
    { "*.-example.com", "begins or ends with a hyphen", 0 },
    { "mail_1.example.com", "only letters, digits, hyphens and dots", 0 },
    { "mail example.com", "only letters, digits, hyphens and dots", 0 },
    { "mail.example.com/", "only letters, digits, hyphens and dots", 0 },

    /* section 3.2: IDNs as A-labels only */
    { "m\xc3\xa4il.example.com", "A-labels (\"xn--...\")", 0 },
    { "mail.\xe4\xbe\x8b\xe5\xad\x90", "A-labels", 0 },

    { NULL, NULL, 0 }
};


int
main(void)
{
    char                       *err;
    u_char                     *p;
    size_t                      size;
    ngx_int_t                   mode;
    ngx_str_t                   mx[3];
    ngx_uint_t                  flags;
    ngx_http_mta_sts_policy_t   policy;
    ngx_http_mta_sts_mx_case_t *c;
    char                        buf[400];
    u_char                      body[1024];

    for (c = mx_cases; c->pattern; c++) {
        err = ngx_http_mta_sts_mx_check((u_char *) c->pattern,
                                        strlen(c->pattern), &flags);

        if (c->error == NULL) {
            ok(err == NULL && flags == c->flags, "mx \"%s\" is valid",
               c->pattern);

        } else {
            ok(err != NULL && strstr(err, c->error) != NULL,
               "mx \"%s\" is invalid", c->pattern);
        }
    }

    /* RFC 5321, section 4.1.2: labels up to 63, names up to 253 */

    strcpy(repeat(buf, 'a', 63), ".example.com");
    err = ngx_http_mta_sts_mx_check((u_char *) buf, strlen(buf), &flags);
    ok(err == NULL, "mx with a %s label is valid", "63-character");

    strcpy(repeat(buf, 'a', 64), ".example.com");
    err = ngx_http_mta_sts_mx_check((u_char *) buf, strlen(buf), &flags);
    ok(err && strstr(err, "longer than 63"), "mx with a %s label is invalid",
       "64-character");

    /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */

    repeat(buf, 'a', 253);
    p = (u_char *) buf;
    p[63] = '.'; p[127] = '.'; p[191] = '.';
    err = ngx_http_mta_sts_mx_check(p, 253, &flags);
    ok(err == NULL, "mx of %s is valid", "253 characters");

    repeat(buf, 'a', 254);
    p = (u_char *) buf;
    p[63] = '.'; p[127] = '.'; p[191] = '.';
    err = ngx_http_mta_sts_mx_check(p, 254, &flags);
    ok(err && strstr(err, "longer than 253"), "mx of %s is invalid",
       "254 characters");

    repeat(buf, 'a', 255);
    p = (u_char *) buf;
    p[0] = '*'; p[1] = '.'; p[65] = '.'; p[129] = '.'; p[193] = '.';
    err = ngx_http_mta_sts_mx_check(p, 255, &flags);
    ok(err && strstr(err, "longer than 253"), "mx of %s is invalid",
       "a wildcard and 253 characters");

    /* section 3.2: mode values, case-sensitive */

    mode = ngx_http_mta_sts_mode_value((u_char *) "enforce", 7);
    ok(mode == NGX_HTTP_MTA_STS_ENFORCE, "mode \"%s\"", "enforce");
    mode = ngx_http_mta_sts_mode_value((u_char *) "testing", 7);
    ok(mode == NGX_HTTP_MTA_STS_TESTING, "mode \"%s\"", "testing");
    mode = ngx_http_mta_sts_mode_value((u_char *) "none", 4);
    ok(mode == NGX_HTTP_MTA_STS_NONE, "mode \"%s\"", "none");
    mode = ngx_http_mta_sts_mode_value((u_char *) "off", 3);
    ok(mode == NGX_HTTP_MTA_STS_OFF, "mode \"%s\"", "off");
    mode = ngx_http_mta_sts_mode_value((u_char *) "Enforce", 7);
    ok(mode == NGX_ERROR, "mode \"%s\" is invalid", "Enforce");
    mode = ngx_http_mta_sts_mode_value((u_char *) "enforc", 6);
    ok(mode == NGX_ERROR, "mode \"%s\" is invalid", "enforc");
    mode = ngx_http_mta_sts_mode_value((u_char *) "enforcee", 8);
    ok(mode == NGX_ERROR, "mode \"%s\" is invalid", "enforcee");
    mode = ngx_http_mta_sts_mode_value((u_char *) "", 0);
    ok(mode == NGX_ERROR, "mode \"%s\" is invalid", "");

    /* duplicates are found whatever their case */

    ngx_str_set(&mx[0], "mail.example.com");
    ngx_str_set(&mx[1], "*.Example.NET");
    ngx_str_set(&mx[2], "backup.example.com");

    ok(ngx_http_mta_sts_mx_find(mx, 3, (u_char *) "*.example.net", 13) == 1,
       "mx_find %s", "matches case-insensitively");
    ok(ngx_http_mta_sts_mx_find(mx, 3, (u_char *) "mail.example.co", 15)
       == NGX_ERROR, "mx_find %s", "needs the whole pattern");
    ok(ngx_http_mta_sts_mx_find(mx, 0, (u_char *) "mail.example.com", 16)
       == NGX_ERROR, "mx_find %s", "in an empty list");

    /* section 3.2: the body, CRLF after every line, lowercase mx */

    policy.mode = NGX_HTTP_MTA_STS_ENFORCE;
    policy.mx = mx;
    policy.nmx = 3;
    policy.max_age = 604800;

    size = ngx_http_mta_sts_policy_size(&policy);
    p = ngx_http_mta_sts_policy_render(body, &policy);

#define BODY1  "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n" \
               "mx: *.example.net\r\nmx: backup.example.com\r\n"            \
               "max_age: 604800\r\n"

    ok((size_t) (p - body) == size, "render %s", "writes the size it said");
    ok(size == sizeof(BODY1) - 1
       && memcmp(body, BODY1, sizeof(BODY1) - 1) == 0,
       "render %s", "enforce with three mx");

    policy.mode = NGX_HTTP_MTA_STS_NONE;
    policy.nmx = 0;
    policy.max_age = 0;

#define BODY2  "version: STSv1\r\nmode: none\r\nmax_age: 0\r\n"

    size = ngx_http_mta_sts_policy_size(&policy);
    p = ngx_http_mta_sts_policy_render(body, &policy);
    ok((size_t) (p - body) == size && size == sizeof(BODY2) - 1
       && memcmp(body, BODY2, sizeof(BODY2) - 1) == 0,
       "render %s", "none without mx, max_age 0");

    policy.mode = NGX_HTTP_MTA_STS_TESTING;
    policy.nmx = 1;
    policy.max_age = NGX_HTTP_MTA_STS_MAX_AGE_MAX;

#define BODY3  "version: STSv1\r\nmode: testing\r\nmx: mail.example.com\r\n" \
               "max_age: 31557600\r\n"

    size = ngx_http_mta_sts_policy_size(&policy);
    p = ngx_http_mta_sts_policy_render(body, &policy);
    ok((size_t) (p - body) == size && size == sizeof(BODY3) - 1
       && memcmp(body, BODY3, sizeof(BODY3) - 1) == 0,
       "render %s", "testing, max_age 31557600");

    policy.max_age = 9;
    size = ngx_http_mta_sts_policy_size(&policy);
    p = ngx_http_mta_sts_policy_render(body, &policy);
    ok((size_t) (p - body) == size
       && memcmp(p - 12, "max_age: 9\r\n", 12) == 0,
       "render %s", "a one-digit max_age");

    policy.max_age = 10;
    size = ngx_http_mta_sts_policy_size(&policy);
    p = ngx_http_mta_sts_policy_render(body, &policy);
    ok((size_t) (p - body) == size
       && memcmp(p - 13, "max_age: 10\r\n", 13) == 0,
       "render %s", "a two-digit max_age");

    printf("1..%d\n", tests);
    printf("unit: %d passed, %d failed\n", tests - failed, failed);

    return failed ? 1 : 0;
}


static void
ok(int good, const char *fmt, const char *arg)
{
    tests++;

    if (!good) {
        failed++;
    }

    printf("%sok %d - ", good ? "" : "not ", tests);
    printf(fmt, arg);
    printf("\n");
}


static char *
repeat(char *buf, char c, size_t n)
{
    memset(buf, c, n);
    buf[n] = '\0';

    return buf + n;
}
