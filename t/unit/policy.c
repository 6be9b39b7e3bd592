
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
static int check(ngx_http_mta_sts_policy_t *policy, ngx_int_t rc,
    char *expect);
static char *repeat(char *buf, char c, size_t n);


static int     tests, failed;
static char   *reason;
static u_char  big[70000], rendered[70000];


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
    { "mail.example.com:25", "a port is not part of a host name", 0 },
    { "[192.0.2.1]:25", "an IP address", 0 },

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
    ngx_int_t                   mode;
    ngx_str_t                   mx[3];
    ngx_uint_t                  flags;
    ngx_http_mta_sts_policy_t   policy;
    ngx_http_mta_sts_mx_case_t *c;
    int                         i;
    char                        buf[400], label[64];

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

    ngx_str_set(&mx[0], "*.Example.NET");
    ngx_str_set(&mx[1], "*.example.net");
    ngx_str_set(&mx[2], "*.example.ne");

    ok(ngx_http_mta_sts_mx_equal(&mx[0], &mx[1]), "mx_equal %s",
       "ignores case");
    ok(!ngx_http_mta_sts_mx_equal(&mx[1], &mx[2]), "mx_equal %s",
       "needs the whole pattern");

    /* section 3.2: the body, CRLF after every line, lowercase mx */

    ngx_str_set(&mx[0], "mail.example.com");
    ngx_str_set(&mx[1], "*.Example.NET");
    ngx_str_set(&mx[2], "backup.example.com");

    policy.mode = NGX_HTTP_MTA_STS_ENFORCE;
    policy.mx = mx;
    policy.nmx = 3;
    policy.max_age = 604800;

#define BODY1  "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n" \
               "mx: *.example.net\r\nmx: backup.example.com\r\n"            \
               "max_age: 604800\r\n"

    ok(check(&policy, NGX_OK, BODY1), "policy %s", "enforce with three mx");

    policy.mode = NGX_HTTP_MTA_STS_NONE;
    policy.nmx = 0;
    policy.max_age = 0;

    ok(check(&policy, NGX_OK, "version: STSv1\r\nmode: none\r\nmax_age: 0\r\n"),
       "policy %s", "none without mx, max_age 0");

    policy.mode = NGX_HTTP_MTA_STS_TESTING;
    policy.nmx = 1;
    policy.max_age = NGX_HTTP_MTA_STS_MAX_AGE_MAX;

    ok(check(&policy, NGX_OK, "version: STSv1\r\nmode: testing\r\n"
             "mx: mail.example.com\r\nmax_age: 31557600\r\n"),
       "policy %s", "testing, max_age 31557600");

    policy.max_age = 9;
    ok(check(&policy, NGX_OK, "version: STSv1\r\nmode: testing\r\n"
             "mx: mail.example.com\r\nmax_age: 9\r\n"),
       "policy %s", "a one-digit max_age");

    policy.max_age = 10;
    ok(check(&policy, NGX_OK, "version: STSv1\r\nmode: testing\r\n"
             "mx: mail.example.com\r\nmax_age: 10\r\n"),
       "policy %s", "a two-digit max_age");

    /* values with several patterns, as variables give them */

    ngx_str_set(&mx[0], "  a.example.com\tB.example.com \r\n");
    ngx_str_set(&mx[1], "");
    ngx_str_set(&mx[2], "b.example.com c.example.com A.EXAMPLE.COM");

    policy.mode = NGX_HTTP_MTA_STS_ENFORCE;
    policy.nmx = 3;
    policy.max_age = 86400;

    ok(check(&policy, NGX_OK, "version: STSv1\r\nmode: enforce\r\n"
             "mx: a.example.com\r\nmx: b.example.com\r\nmx: c.example.com\r\n"
             "max_age: 86400\r\n") && policy.patterns == 3,
       "policy %s", "splits values on white space, each pattern once");

    /* one variable given twice: the same string in two values */

    mx[1] = mx[0];
    policy.nmx = 2;

    ok(check(&policy, NGX_OK, "version: STSv1\r\nmode: enforce\r\n"
             "mx: a.example.com\r\nmx: b.example.com\r\nmax_age: 86400\r\n"),
       "policy %s", "with one value twice lists its patterns once");

    /* what a policy with variables may evaluate to */

    ngx_str_set(&mx[0], "mail.example.com m*.example.com");
    policy.nmx = 1;

    ok(check(&policy, NGX_HTTP_MTA_STS_MX_INVALID, "m*.example.com")
       && strstr(reason, "\"*\" is allowed only") != NULL,
       "policy %s", "with an invalid pattern names it");

    ngx_str_set(&mx[0], " \t ");

    ok(check(&policy, NGX_HTTP_MTA_STS_MX_MISSING, NULL),
       "policy %s", "enforce with only white space has no mx");

    policy.mode = NGX_HTTP_MTA_STS_TESTING;
    policy.nmx = 0;

    ok(check(&policy, NGX_HTTP_MTA_STS_MX_MISSING, NULL),
       "policy %s", "testing without mx");

    policy.mode = NGX_HTTP_MTA_STS_NONE;
    ok(check(&policy, NGX_OK, "version: STSv1\r\nmode: none\r\n"
             "max_age: 86400\r\n"), "policy %s", "none without mx");

    /* section 3.3: at most 64000 bytes; 330 lines of 202 bytes are more */

    memset(label, 'a', 63);
    label[63] = '\0';
    p = big;

    for (i = 0; i < 330; i++) {
        p += sprintf((char *) p, "%s.%s.%s.x%03d ", label, label, label, i);
    }

    mx[0].data = big;
    mx[0].len = p - big;
    policy.mode = NGX_HTTP_MTA_STS_ENFORCE;
    policy.nmx = 1;

    /* the check stops at the pattern that crosses the limit, the 317th */

    ok(check(&policy, NGX_HTTP_MTA_STS_TOO_LARGE, NULL)
       && policy.patterns == 317 && policy.size == 31 + 16 + 317 * 202,
       "policy %s", "of 330 long patterns is too large");

    mx[0].len = 165 * 197;

    ok(check(&policy, NGX_OK, NULL) && policy.patterns == 165
       && policy.size == 31 + 16 + 165 * 202,
       "policy %s", "of 165 long patterns is not");

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


/*
 * Checks a policy and, when it is valid and "expect" is given, renders it
 * and compares the body; for an invalid pattern, compares the pattern.
 */

static int
check(ngx_http_mta_sts_policy_t *policy, ngx_int_t rc, char *expect)
{
    u_char     *last;
    ngx_str_t   bad;

    if (ngx_http_mta_sts_policy_check(policy, &bad, &reason) != rc) {
        return 0;
    }

    if (expect == NULL) {
        return 1;
    }

    if (rc == NGX_HTTP_MTA_STS_MX_INVALID) {
        return bad.len == strlen(expect)
               && memcmp(bad.data, expect, bad.len) == 0;
    }

    last = ngx_http_mta_sts_policy_render(rendered, policy);

    return (size_t) (last - rendered) == policy->size
           && policy->size == strlen(expect)
           && memcmp(rendered, expect, policy->size) == 0;
}


static char *
repeat(char *buf, char c, size_t n)
{
    memset(buf, c, n);
    buf[n] = '\0';

    return buf + n;
}
