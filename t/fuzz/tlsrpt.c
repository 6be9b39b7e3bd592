
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * A libFuzzer target for src/ngx_http_mta_sts_tlsrpt.c: a request body
 * in, a file name or a rejection out.
 *
 * The input is
 *
 *     CTL BODY
 *
 *   CTL   one byte: bits 0-3 pick max_json (2^(CTL & 15) * 64 bytes, so
 *         64 bytes to 2 MiB), bits 4-7 the most bytes one read gives
 *         (0: as many as asked for);
 *   BODY  the body as sent: gzip (it starts with 1f 8b) or JSON.
 *
 * Checks, abort() on any failure:
 *
 *   - the result is one of the four, with a reason unless OK;
 *   - no more than max_json bytes plus one read's worth are inflated;
 *   - an accepted report has a name of exactly name_len bytes,
 *     "sender!domain!begin!end!uid.json[.gz]": sender and domain LDH
 *     names or "unknown", begin and end decimal, uid 32 lowercase hex
 *     digits, ".json.gz" exactly when the body is gzip; nothing else, so
 *     no "/", no "..", no NUL;
 *   - the domains list holds only LDH names separated by ",";
 *   - the same body read whole, and read a byte at a time, gives the same
 *     result and the same name;
 *   - the same body with its size known and a way to read it again (as
 *     nginx gives them) gives the same result and name, or is refused as
 *     too large where it was invalid (it is over max_json, and is now
 *     refused before it is parsed, with nothing given to the parser);
 *   - an accepted plain JSON body, gzip'd here in two members with a
 *     trailing CRLF, gives the same name but for ".gz".
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_tlsrpt.h>

#include <stdio.h>
#include <zlib.h>


typedef struct {
    const u_char  *data;
    size_t         len;
    size_t         pos;
    size_t         step;
} fuzz_reader_t;


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ssize_t fuzz_read(void *data, u_char *buf, size_t size);
static ngx_int_t fuzz_rewind(void *data);
static ngx_int_t fuzz_parse(ngx_http_mta_sts_tlsrpt_t *rpt,
    const u_char *data, size_t len, size_t step, size_t max_json);
static void fuzz_check_name(ngx_http_mta_sts_tlsrpt_t *rpt);
static size_t fuzz_name(u_char **p, u_char *last);
static size_t fuzz_gzip(u_char *dst, size_t cap, const u_char *src,
    size_t len);


static ngx_http_mta_sts_tlsrpt_t  a, b, c;


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t      max_json, step, n, half;
    u_char     *gz;
    ngx_int_t   rc, rc2;

    if (size < 1) {
        return 0;
    }

    max_json = (size_t) 64 << (data[0] & 15);
    step = data[0] >> 4;
    data++;
    size--;

    rc = fuzz_parse(&a, data, size, step, max_json);

    if (rc != NGX_HTTP_MTA_STS_TLSRPT_OK
        && rc != NGX_HTTP_MTA_STS_TLSRPT_INVALID
        && rc != NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE)
    {
        abort();
    }

    if (rc != NGX_HTTP_MTA_STS_TLSRPT_OK && a.reason == NULL) {
        abort();
    }

    if (a.json_size > max_json + 16384) {
        abort();
    }

    if (rc == NGX_HTTP_MTA_STS_TLSRPT_OK) {
        fuzz_check_name(&a);

        if (a.gzip != (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)) {
            abort();
        }
    }

    /* the same body, whole and a byte a read */

    rc2 = fuzz_parse(&b, data, size, step ? 0 : 1, max_json);

    if (rc2 != rc
        || (rc == NGX_HTTP_MTA_STS_TLSRPT_OK
            && (a.name_len != b.name_len
                || memcmp(a.name, b.name, a.name_len) != 0
                || a.successful != b.successful || a.failed != b.failed)))
    {
        abort();
    }

    /* the body's size known, read again to measure the inflated JSON */

    {
        fuzz_reader_t  r = { data, size, 0, step };

        c.max_json = max_json;
        c.read = fuzz_read;
        c.data = &r;
        c.body_size = size;
        c.rewind = fuzz_rewind;

        rc2 = ngx_http_mta_sts_tlsrpt_parse(&c);

        if (rc2 == rc) {
            if (rc == NGX_HTTP_MTA_STS_TLSRPT_OK
                && (a.name_len != c.name_len
                    || memcmp(a.name, c.name, a.name_len) != 0))
            {
                abort();
            }

        } else if (rc2 != NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE
                   || rc != NGX_HTTP_MTA_STS_TLSRPT_INVALID
                   || c.json_size != 0)
        {
            abort();
        }
    }

    /* plain JSON, gzip'd in two members with a trailing CRLF */

    if (rc != NGX_HTTP_MTA_STS_TLSRPT_OK || a.gzip) {
        return 0;
    }

    gz = malloc(2 * size + 256);
    if (gz == NULL) {
        return 0;
    }

    half = size / 2;
    n = fuzz_gzip(gz, 2 * size + 256, data, half);
    n += fuzz_gzip(gz + n, 2 * size + 256 - n, data + half, size - half);
    gz[n++] = '\r';
    gz[n++] = '\n';

    rc2 = fuzz_parse(&b, gz, n, 0, max_json);

    free(gz);

    if (rc2 != NGX_HTTP_MTA_STS_TLSRPT_OK
        || b.name_len != a.name_len + 3
        || memcmp(a.name, b.name, a.name_len) != 0
        || memcmp(b.name + a.name_len, ".gz", 3) != 0)
    {
        abort();
    }

    return 0;
}


static ssize_t
fuzz_read(void *data, u_char *buf, size_t size)
{
    fuzz_reader_t  *r = data;

    if (r->step && size > r->step) {
        size = r->step;
    }

    if (size > r->len - r->pos) {
        size = r->len - r->pos;
    }

    memcpy(buf, r->data + r->pos, size);
    r->pos += size;

    return size;
}


static ngx_int_t
fuzz_rewind(void *data)
{
    fuzz_reader_t  *r = data;

    r->pos = 0;

    return NGX_OK;
}


static ngx_int_t
fuzz_parse(ngx_http_mta_sts_tlsrpt_t *rpt, const u_char *data, size_t len,
    size_t step, size_t max_json)
{
    fuzz_reader_t  r = { data, len, 0, step };

    rpt->max_json = max_json;
    rpt->read = fuzz_read;
    rpt->data = &r;

    return ngx_http_mta_sts_tlsrpt_parse(rpt);
}


static void
fuzz_check_name(ngx_http_mta_sts_tlsrpt_t *rpt)
{
    size_t                             i, j, n;
    u_char                            *p, *last;
    ngx_http_mta_sts_tlsrpt_policy_t  *pol;

    if (rpt->name_len == 0 || rpt->name_len >= sizeof(rpt->name)
        || rpt->name[rpt->name_len] != '\0'
        || strlen((char *) rpt->name) != rpt->name_len)
    {
        abort();
    }

    p = rpt->name;
    last = p + rpt->name_len;

    /* sender, policy-domain */

    for (i = 0; i < 2; i++) {
        if (fuzz_name(&p, last) == 0 || p == last || *p++ != '!') {
            abort();
        }
    }

    /* begin, end: decimal, maybe negative from a time zone offset */

    for (i = 0; i < 2; i++) {
        if (p < last && *p == '-') {
            p++;
        }

        for (n = 0; p < last && *p >= '0' && *p <= '9'; n++) {
            p++;
        }

        if (n == 0 || p == last || *p++ != '!') {
            abort();
        }
    }

    for (n = 0; p < last && ((*p >= '0' && *p <= '9')
                             || (*p >= 'a' && *p <= 'f')); n++)
    {
        p++;
    }

    if (n != NGX_HTTP_MTA_STS_TLSRPT_UID_LEN) {
        abort();
    }

    n = rpt->gzip ? sizeof(".json.gz") - 1 : sizeof(".json") - 1;

    if ((size_t) (last - p) != n
        || memcmp(p, rpt->gzip ? ".json.gz" : ".json", n) != 0)
    {
        abort();
    }

    /* the domains list */

    p = rpt->domains;
    last = p + rpt->domains_len;

    while (p < last) {
        if (fuzz_name(&p, last) == 0) {
            abort();
        }

        if (p < last && *p++ != ',') {
            abort();
        }
    }

    /* the policies for the status counters: within their fixed slots */

    if (rpt->npolicies > NGX_HTTP_MTA_STS_TLSRPT_POLICIES) {
        abort();
    }

    for (i = 0; i < rpt->npolicies; i++) {
        pol = &rpt->policies[i];

        if (pol->domain_len > 253
            || pol->ndetails > NGX_HTTP_MTA_STS_TLSRPT_DETAILS)
        {
            abort();
        }

        p = pol->domain;

        if (pol->domain_len && fuzz_name(&p, p + pol->domain_len)
                               != pol->domain_len)
        {
            abort();
        }

        for (j = 0; j < pol->ndetails; j++) {
            if (pol->details[j].type >= NGX_HTTP_MTA_STS_TLSRPT_NTYPES
                || pol->details[j].mx_len > NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX
                || pol->details[j].ip_len > NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX
                || pol->details[j].reason_len
                   > NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX)
            {
                abort();
            }
        }
    }
}


/* an LDH name (or "unknown"): labels of a-z, 0-9, "-", none empty */

static size_t
fuzz_name(u_char **pp, u_char *last)
{
    u_char  *p, *start;
    size_t   label;

    p = *pp;
    start = p;
    label = 0;

    while (p < last && *p != '!' && *p != ',') {
        if (*p == '.') {
            if (label == 0 || p[-1] == '-') {
                abort();
            }

            label = 0;

        } else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
            if (++label > 63) {
                abort();
            }

        } else if (*p == '-' && label > 0) {
            label++;

        } else {
            abort();
        }

        p++;
    }

    if (p == start || label == 0 || p[-1] == '-' || p - start > 253) {
        abort();
    }

    *pp = p;

    return p - start;
}


static size_t
fuzz_gzip(u_char *dst, size_t cap, const u_char *src, size_t len)
{
    z_stream  zs;

    memset(&zs, 0, sizeof(zs));

    if (deflateInit2(&zs, 1, Z_DEFLATED, MAX_WBITS + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
    {
        abort();
    }

    zs.next_in = (u_char *) src;
    zs.avail_in = len;
    zs.next_out = dst;
    zs.avail_out = cap;

    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
        abort();
    }

    deflateEnd(&zs);

    return zs.total_out;
}
