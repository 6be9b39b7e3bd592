
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_policy.h>


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
    ngx_uint_t  i, labels, digits;

    *flags = 0;

    if (len == 0) {
        return "the pattern is empty";
    }

    for (i = 0; i < len; i++) {
        if (data[i] >= 0x80) {
            return "non-ASCII names must be written as A-labels (\"xn--...\")";
        }
    }

    for (i = 0; i < len; i++) {
        if (data[i] == ':' || data[i] == '[') {
            return "an IP address is not a host name";
        }
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


ngx_int_t
ngx_http_mta_sts_mx_find(ngx_str_t *mx, ngx_uint_t nmx, u_char *data,
    size_t len)
{
    size_t      j;
    ngx_uint_t  i;

    for (i = 0; i < nmx; i++) {
        if (mx[i].len != len) {
            continue;
        }

        for (j = 0; j < len; j++) {
            if (ngx_tolower(mx[i].data[j]) != ngx_tolower(data[j])) {
                break;
            }
        }

        if (j == len) {
            return i;
        }
    }

    return NGX_ERROR;
}


size_t
ngx_http_mta_sts_policy_size(ngx_http_mta_sts_policy_t *policy)
{
    size_t      size;
    ngx_uint_t  i;

    size = sizeof("version: STSv1" CRLF) - 1
           + sizeof("mode: " CRLF) - 1
           + ngx_http_mta_sts_modes[policy->mode].len
           + sizeof("max_age: " CRLF) - 1
           + ngx_http_mta_sts_digits(policy->max_age);

    for (i = 0; i < policy->nmx; i++) {
        size += sizeof("mx: " CRLF) - 1 + policy->mx[i].len;
    }

    return size;
}


/*
 * Writes the body that every sender accepts: "version" first, CRLF after
 * every line, lowercase names, nothing else.  The caller sizes the buffer
 * with ngx_http_mta_sts_policy_size().
 */

u_char *
ngx_http_mta_sts_policy_render(u_char *p, ngx_http_mta_sts_policy_t *policy)
{
    time_t      n;
    ngx_str_t  *mode;
    ngx_uint_t  i, j, len;

    p = ngx_cpymem(p, "version: STSv1" CRLF,
                   sizeof("version: STSv1" CRLF) - 1);

    mode = &ngx_http_mta_sts_modes[policy->mode];

    p = ngx_cpymem(p, "mode: ", sizeof("mode: ") - 1);
    p = ngx_cpymem(p, mode->data, mode->len);
    *p++ = CR; *p++ = LF;

    for (i = 0; i < policy->nmx; i++) {
        p = ngx_cpymem(p, "mx: ", sizeof("mx: ") - 1);

        for (j = 0; j < policy->mx[i].len; j++) {
            *p++ = ngx_tolower(policy->mx[i].data[j]);
        }

        *p++ = CR; *p++ = LF;
    }

    p = ngx_cpymem(p, "max_age: ", sizeof("max_age: ") - 1);

    len = ngx_http_mta_sts_digits(policy->max_age);
    n = policy->max_age;

    for (j = len; j > 0; j--) {
        p[j - 1] = (u_char) ('0' + n % 10);
        n /= 10;
    }

    p += len;
    *p++ = CR; *p++ = LF;

    return p;
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
