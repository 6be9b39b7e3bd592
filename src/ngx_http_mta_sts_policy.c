
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_policy.h>


typedef struct {
    ngx_uint_t    value;
    u_char       *pos;
} ngx_http_mta_sts_cursor_t;


static ngx_int_t ngx_http_mta_sts_next(ngx_http_mta_sts_policy_t *policy,
    ngx_http_mta_sts_cursor_t *c, ngx_str_t *pattern);
static ngx_uint_t ngx_http_mta_sts_seen(ngx_http_mta_sts_policy_t *policy,
    ngx_http_mta_sts_cursor_t *at, ngx_str_t *pattern);
static ngx_uint_t ngx_http_mta_sts_digits(time_t n);


static ngx_str_t  ngx_http_mta_sts_modes[] = {
    ngx_string("off"),
    ngx_string("none"),
    ngx_string("testing"),
    ngx_string("enforce")
};


ngx_int_t
ngx_http_mta_sts_mode_value(u_char *data, size_t len)
{
    ngx_uint_t  i;

    /* RFC 8461, section 3.2: mode values are case-sensitive */

    for (i = 0; i < sizeof(ngx_http_mta_sts_modes) / sizeof(ngx_str_t); i++) {
        if (len == ngx_http_mta_sts_modes[i].len
            && ngx_strncmp(data, ngx_http_mta_sts_modes[i].data, len) == 0)
        {
            return i;
        }
    }

    return NGX_ERROR;
}


ngx_str_t *
ngx_http_mta_sts_mode_name(ngx_uint_t mode)
{
    return &ngx_http_mta_sts_modes[mode];
}


/*
 * An mx pattern (RFC 8461, sections 3.2 and 4.1) is a host name of LDH
 * labels, optionally with "*." as the whole left-most label.  Returns NULL
 * when the pattern is valid, or why it is not.
 */

char *
ngx_http_mta_sts_mx_check(u_char *data, size_t len, ngx_uint_t *flags)
{
    u_char      c, *p, *last, *label;
    ngx_uint_t  i, labels, digits, colons;

    *flags = 0;

    if (len == 0) {
        return "the pattern is empty";
    }

    for (i = 0; i < len; i++) {
        if (data[i] >= 0x80) {
            return "non-ASCII names must be written as A-labels (\"xn--...\")";
        }
    }

    colons = 0;

    for (i = 0; i < len; i++) {
        if (data[i] == '[') {
            return "an IP address is not a host name";
        }

        if (data[i] == ':') {
            colons++;
        }
    }

    if (colons > 1) {
        return "an IP address is not a host name";
    }

    if (colons == 1) {
        return "a port is not part of a host name";
    }

    p = data;
    last = data + len;

    if (len > 1 && p[0] == '*' && p[1] == '.') {
        *flags |= NGX_HTTP_MTA_STS_MX_WILDCARD;
        p += 2;
    }

    for (i = p - data; i < len; i++) {
        if (data[i] == '*') {
            return "\"*\" is allowed only as the whole left-most label";
        }
    }

    if (last[-1] == '.') {
        return "a trailing dot is not allowed";
    }

    if (len > NGX_HTTP_MTA_STS_NAME_MAX) {
        return "the name is longer than 253 characters";
    }

    labels = 0;
    digits = 0;
    label = p;

    for ( /* void */ ; p <= last; p++) {

        if (p < last && *p != '.') {
            c = *p;

            if (c >= '0' && c <= '9') {
                digits++;
                continue;
            }

            c = (u_char) (c | 0x20);

            if ((c >= 'a' && c <= 'z') || *p == '-') {
                continue;
            }

            return "only letters, digits, hyphens and dots are allowed";
        }

        if (p == label) {
            return "a label is empty";
        }

        if (p - label > NGX_HTTP_MTA_STS_LABEL_MAX) {
            return "a label is longer than 63 characters";
        }

        if (*label == '-' || p[-1] == '-') {
            return "a label begins or ends with a hyphen";
        }

        labels++;

        if (p == last) {
            break;
        }

        label = p + 1;
        digits = 0;
    }

    /* the top-level label: "1.2.3.4", "127.1" and "2130706433" all end so */

    if (digits == (ngx_uint_t) (last - label)) {
        return "an IP address is not a host name";
    }

    if (labels == 1) {
        if (!(*flags & NGX_HTTP_MTA_STS_MX_WILDCARD)) {
            return "a single-label name is not allowed";
        }

        *flags |= NGX_HTTP_MTA_STS_MX_TLD;
    }

    return NULL;
}


ngx_uint_t
ngx_http_mta_sts_mx_equal(ngx_str_t *a, ngx_str_t *b)
{
    size_t  i;

    if (a->len != b->len) {
        return 0;
    }

    for (i = 0; i < a->len; i++) {
        if (ngx_tolower(a->data[i]) != ngx_tolower(b->data[i])) {
            return 0;
        }
    }

    return 1;
}


/*
 * Whether an MX host matches a pattern (RFC 8461, section 4.1, as in
 * RFC 6125): case-insensitively, a trailing dot of the host ignored, and
 * "*." matching exactly one left-most label, so that "*.example.com"
 * matches "mail.example.com" but neither "example.com" nor
 * "a.b.example.com".
 */

ngx_uint_t
ngx_http_mta_sts_mx_match(ngx_str_t *pattern, u_char *host, size_t len)
{
    size_t     i;
    ngx_str_t  h, rest;

    if (len && host[len - 1] == '.') {
        len--;
    }

    h.data = host;
    h.len = len;

    if (pattern->len < 2 || pattern->data[0] != '*'
        || pattern->data[1] != '.')
    {
        return ngx_http_mta_sts_mx_equal(pattern, &h);
    }

    /* the left-most label: at least one character, up to the first dot */

    for (i = 0; i < len && host[i] != '.'; i++) { /* void */ }

    if (i == 0 || i == len) {
        return 0;
    }

    h.data = host + i + 1;
    h.len = len - i - 1;

    rest.data = pattern->data + 2;
    rest.len = pattern->len - 2;

    return ngx_http_mta_sts_mx_equal(&rest, &h);
}


/*
 * Checks every pattern of the policy and counts the distinct ones; sizes
 * the body for ngx_http_mta_sts_policy_render().  On an invalid pattern,
 * *bad is the pattern and *reason says why.
 */

ngx_int_t
ngx_http_mta_sts_policy_check(ngx_http_mta_sts_policy_t *policy,
    ngx_str_t *bad, char **reason)
{
    ngx_str_t                  pattern;
    ngx_uint_t                 flags;
    ngx_http_mta_sts_cursor_t  c;

    policy->patterns = 0;
    policy->size = sizeof("version: STSv1" CRLF) - 1
                   + sizeof("mode: " CRLF) - 1
                   + ngx_http_mta_sts_modes[policy->mode].len
                   + sizeof("max_age: " CRLF) - 1
                   + ngx_http_mta_sts_digits(policy->max_age);

    c.value = 0;
    c.pos = NULL;

    while (ngx_http_mta_sts_next(policy, &c, &pattern) == NGX_OK) {

        *reason = ngx_http_mta_sts_mx_check(pattern.data, pattern.len,
                                            &flags);
        if (*reason) {
            *bad = pattern;
            return NGX_HTTP_MTA_STS_MX_INVALID;
        }

        if (ngx_http_mta_sts_seen(policy, &c, &pattern)) {
            continue;
        }

        policy->patterns++;
        policy->size += sizeof("mx: " CRLF) - 1 + pattern.len;

        /*
         * section 3.3: senders may refuse a policy larger than 64 KB;
         * stop here, as finding duplicates costs the square of the count
         */

        if (policy->size > NGX_HTTP_MTA_STS_BODY_MAX) {
            return NGX_HTTP_MTA_STS_TOO_LARGE;
        }
    }

    /* RFC 8461, section 3.2: mx is required unless the mode is "none" */

    if (policy->patterns == 0 && policy->mode != NGX_HTTP_MTA_STS_NONE) {
        return NGX_HTTP_MTA_STS_MX_MISSING;
    }

    if (policy->size > NGX_HTTP_MTA_STS_BODY_MAX) {
        return NGX_HTTP_MTA_STS_TOO_LARGE;
    }

    return NGX_OK;
}


/*
 * Writes the body that every sender accepts: "version" first, CRLF after
 * every line, lowercase patterns, each once, nothing else.  The policy has
 * passed ngx_http_mta_sts_policy_check(), which sized the buffer.
 */

u_char *
ngx_http_mta_sts_policy_render(u_char *p, ngx_http_mta_sts_policy_t *policy)
{
    time_t                     n;
    ngx_str_t                 *mode, pattern;
    ngx_uint_t                 i, len;
    ngx_http_mta_sts_cursor_t  c;

    p = ngx_cpymem(p, "version: STSv1" CRLF,
                   sizeof("version: STSv1" CRLF) - 1);

    mode = &ngx_http_mta_sts_modes[policy->mode];

    p = ngx_cpymem(p, "mode: ", sizeof("mode: ") - 1);
    p = ngx_cpymem(p, mode->data, mode->len);
    *p++ = CR; *p++ = LF;

    c.value = 0;
    c.pos = NULL;

    while (ngx_http_mta_sts_next(policy, &c, &pattern) == NGX_OK) {

        if (ngx_http_mta_sts_seen(policy, &c, &pattern)) {
            continue;
        }

        p = ngx_cpymem(p, "mx: ", sizeof("mx: ") - 1);

        for (i = 0; i < pattern.len; i++) {
            *p++ = ngx_tolower(pattern.data[i]);
        }

        *p++ = CR; *p++ = LF;
    }

    p = ngx_cpymem(p, "max_age: ", sizeof("max_age: ") - 1);

    len = ngx_http_mta_sts_digits(policy->max_age);
    n = policy->max_age;

    for (i = len; i > 0; i--) {
        p[i - 1] = (u_char) ('0' + n % 10);
        n /= 10;
    }

    p += len;
    *p++ = CR; *p++ = LF;

    return p;
}


static ngx_int_t
ngx_http_mta_sts_next(ngx_http_mta_sts_policy_t *policy,
    ngx_http_mta_sts_cursor_t *c, ngx_str_t *pattern)
{
    u_char     *last;
    ngx_str_t  *value;

    for ( /* void */ ; c->value < policy->nmx; c->value++, c->pos = NULL) {

        value = &policy->mx[c->value];
        last = value->data + value->len;

        if (c->pos == NULL) {
            c->pos = value->data;
        }

        while (c->pos < last && (*c->pos == ' ' || *c->pos == '\t'
                                 || *c->pos == CR || *c->pos == LF))
        {
            c->pos++;
        }

        if (c->pos == last) {
            continue;
        }

        pattern->data = c->pos;

        while (c->pos < last && *c->pos != ' ' && *c->pos != '\t'
               && *c->pos != CR && *c->pos != LF)
        {
            c->pos++;
        }

        pattern->len = c->pos - pattern->data;

        return NGX_OK;
    }

    return NGX_DONE;
}


/*
 * Whether the same pattern, in any case, stands earlier in the policy than
 * the one the cursor "at" has just returned.  Two values may be the same
 * string (one variable given twice), so a place is a value and a position.
 */

static ngx_uint_t
ngx_http_mta_sts_seen(ngx_http_mta_sts_policy_t *policy,
    ngx_http_mta_sts_cursor_t *at, ngx_str_t *pattern)
{
    ngx_str_t                  earlier;
    ngx_http_mta_sts_cursor_t  c;

    c.value = 0;
    c.pos = NULL;

    while (ngx_http_mta_sts_next(policy, &c, &earlier) == NGX_OK
           && !(c.value == at->value && earlier.data == pattern->data))
    {
        if (ngx_http_mta_sts_mx_equal(&earlier, pattern)) {
            return 1;
        }
    }

    return 0;
}


static ngx_uint_t
ngx_http_mta_sts_digits(time_t n)
{
    ngx_uint_t  len;

    len = 1;

    while (n >= 10) {
        n /= 10;
        len++;
    }

    return len;
}
