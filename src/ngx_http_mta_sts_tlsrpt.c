
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_tlsrpt.h>

#include <malloc.h>
#include <zlib.h>
#include <jansson.h>
#include <openssl/evp.h>


#define NGX_HTTP_MTA_STS_TLSRPT_CHUNK   16384



typedef struct {
    ngx_http_mta_sts_tlsrpt_t  *rpt;
    z_stream                   *zs;
    u_char                     *pos;
    u_char                     *last;
    ngx_uint_t                  eof;
    ngx_uint_t                  inflating;    /* zs is initialized */
    ngx_uint_t                  member_end;   /* between gzip members */
    ngx_uint_t                  done;
    ngx_int_t                   rc;           /* why the stream stopped */
    ngx_int_t                   pending;      /* a cap broken, rc to be */
    const char                 *pending_reason;
    size_t                      total;
    ngx_uint_t                  depth;
    ngx_uint_t                  in_string;
    ngx_uint_t                  escape;
    u_char                      buf[NGX_HTTP_MTA_STS_TLSRPT_CHUNK];
} ngx_http_mta_sts_tlsrpt_stream_t;


static void *ngx_http_mta_sts_tlsrpt_malloc(size_t size);
static void ngx_http_mta_sts_tlsrpt_free(void *p);
static ngx_int_t ngx_http_mta_sts_tlsrpt_fill(
    ngx_http_mta_sts_tlsrpt_stream_t *st);
static ngx_int_t ngx_http_mta_sts_tlsrpt_measure(
    ngx_http_mta_sts_tlsrpt_stream_t *st);
static size_t ngx_http_mta_sts_tlsrpt_next(void *buffer, size_t buflen,
    void *data);
static size_t ngx_http_mta_sts_tlsrpt_inflate(
    ngx_http_mta_sts_tlsrpt_stream_t *st, u_char *out, size_t size);
static size_t ngx_http_mta_sts_tlsrpt_scan(
    ngx_http_mta_sts_tlsrpt_stream_t *st, u_char *start, size_t n);
static ngx_int_t ngx_http_mta_sts_tlsrpt_check(ngx_http_mta_sts_tlsrpt_t *rpt,
    json_t *root);
static void ngx_http_mta_sts_tlsrpt_policy(ngx_http_mta_sts_tlsrpt_t *rpt,
    json_t *policy, u_char *first, size_t *first_len);
static size_t ngx_http_mta_sts_tlsrpt_text(u_char *dst, json_t *s);
static uint64_t ngx_http_mta_sts_tlsrpt_count(json_t *summary,
    const char *key);
static void ngx_http_mta_sts_tlsrpt_stats(ngx_http_mta_sts_tlsrpt_t *rpt,
    json_t *policy, json_t *summary, u_char *domain, size_t len);
static size_t ngx_http_mta_sts_tlsrpt_field(u_char *dst, json_t *s);
static ngx_int_t ngx_http_mta_sts_tlsrpt_name(ngx_http_mta_sts_tlsrpt_t *rpt,
    json_t *root, u_char *domain, size_t domain_len);
static int64_t ngx_http_mta_sts_tlsrpt_days(int64_t y, int64_t m,
    int64_t d);


/* the jansson budget: active only inside ngx_http_mta_sts_tlsrpt_parse() */
/* RFC 8460, section 4.3 */
ngx_str_t  ngx_http_mta_sts_tlsrpt_types[] = {
    ngx_string("starttls-not-supported"),
    ngx_string("certificate-host-mismatch"),
    ngx_string("certificate-expired"),
    ngx_string("certificate-not-trusted"),
    ngx_string("validation-failure"),
    ngx_string("tlsa-invalid"),
    ngx_string("dnssec-invalid"),
    ngx_string("dane-required"),
    ngx_string("sts-policy-fetch-error"),
    ngx_string("sts-policy-invalid"),
    ngx_string("sts-webpki-invalid"),
    ngx_string("other"),
    ngx_null_string
};


static ngx_uint_t  ngx_http_mta_sts_tlsrpt_limited;
static size_t      ngx_http_mta_sts_tlsrpt_budget;
static ngx_uint_t  ngx_http_mta_sts_tlsrpt_over;
static size_t      ngx_http_mta_sts_tlsrpt_used;
static size_t      ngx_http_mta_sts_tlsrpt_peak;

/* one inflater a process, reset for each report, as zlib allows */
static z_stream    ngx_http_mta_sts_tlsrpt_zs;
static ngx_uint_t  ngx_http_mta_sts_tlsrpt_zs_ready;


void
ngx_http_mta_sts_tlsrpt_allocator(void)
{
    json_set_alloc_funcs(ngx_http_mta_sts_tlsrpt_malloc,
                         ngx_http_mta_sts_tlsrpt_free);
}


/*
 * jansson's allocator is process-wide, so these are plain malloc() and
 * free() (whatever else in the process uses jansson, a block from one
 * is freed by the other), and count the size malloc() really gave only
 * while a report is parsed.
 */

void
ngx_http_mta_sts_tlsrpt_cleanup(void)
{
    if (ngx_http_mta_sts_tlsrpt_zs_ready) {
        inflateEnd(&ngx_http_mta_sts_tlsrpt_zs);
        ngx_http_mta_sts_tlsrpt_zs_ready = 0;
    }
}


static void *
ngx_http_mta_sts_tlsrpt_malloc(size_t size)
{
    void    *p;
    size_t   n;

    if (ngx_http_mta_sts_tlsrpt_limited
        && size > ngx_http_mta_sts_tlsrpt_budget)
    {
        ngx_http_mta_sts_tlsrpt_over = 1;
        return NULL;
    }

    p = malloc(size);

    if (p == NULL || !ngx_http_mta_sts_tlsrpt_limited) {
        return p;
    }

    n = malloc_usable_size(p);

    if (n > ngx_http_mta_sts_tlsrpt_budget) {
        free(p);
        ngx_http_mta_sts_tlsrpt_over = 1;
        return NULL;
    }

    ngx_http_mta_sts_tlsrpt_budget -= n;
    ngx_http_mta_sts_tlsrpt_used += n;

    if (ngx_http_mta_sts_tlsrpt_used > ngx_http_mta_sts_tlsrpt_peak) {
        ngx_http_mta_sts_tlsrpt_peak = ngx_http_mta_sts_tlsrpt_used;
    }

    return p;
}


static void
ngx_http_mta_sts_tlsrpt_free(void *p)
{
    size_t  n;

    if (p == NULL) {
        return;
    }

    if (ngx_http_mta_sts_tlsrpt_limited) {
        n = malloc_usable_size(p);

        ngx_http_mta_sts_tlsrpt_budget += n;
        ngx_http_mta_sts_tlsrpt_used -= n;
    }

    free(p);
}


/*
 * The body goes through zlib (when it starts with the gzip magic bytes)
 * into jansson's callback parser, so neither the inflated JSON nor the
 * body are held whole; the JSON is counted against max_json and its
 * nesting against NGX_HTTP_MTA_STS_TLSRPT_DEPTH on the way, and the
 * tree jansson builds against NGX_HTTP_MTA_STS_TLSRPT_DOM_RATIO times
 * max_json.
 */

ngx_int_t
ngx_http_mta_sts_tlsrpt_parse(ngx_http_mta_sts_tlsrpt_t *rpt)
{
    size_t                             budget;
    json_t                            *root;
    ngx_int_t                          rc;
    json_error_t                       error;
    ngx_http_mta_sts_tlsrpt_stream_t  *st;

    rpt->reason = NULL;
    rpt->gzip = 0;
    rpt->json_size = 0;
    rpt->tree_peak = 0;
    rpt->organization_len = 0;
    rpt->report_id_len = 0;
    rpt->domains_len = 0;
    rpt->name_len = 0;
    rpt->name[0] = '\0';
    rpt->begin = 0;
    rpt->end = 0;
    rpt->successful = 0;
    rpt->failed = 0;
    rpt->npolicies = 0;

    /* not calloc(): zeroing the 16 KB buffer was 8% of a report's cost */

    st = malloc(sizeof(ngx_http_mta_sts_tlsrpt_stream_t));
    if (st == NULL) {
        rpt->reason = "out of memory";
        return NGX_HTTP_MTA_STS_TLSRPT_ERROR;
    }

    memset(st, 0, offsetof(ngx_http_mta_sts_tlsrpt_stream_t, buf));

    st->rpt = rpt;
    st->pos = st->buf;
    st->last = st->buf;
    st->rc = NGX_HTTP_MTA_STS_TLSRPT_OK;
    st->pending = NGX_HTTP_MTA_STS_TLSRPT_OK;

    /* the gzip magic bytes (RFC 1952; RFC 8460, section 6.5) */

    while (st->last - st->pos < 2 && !st->eof) {
        if (ngx_http_mta_sts_tlsrpt_fill(st) != NGX_OK) {
            rc = st->rc;
            goto done;
        }
    }

    if (st->last - st->pos >= 2 && st->pos[0] == 0x1f && st->pos[1] == 0x8b) {
        rpt->gzip = 1;

        if (ngx_http_mta_sts_tlsrpt_zs_ready) {
            rc = (inflateReset(&ngx_http_mta_sts_tlsrpt_zs) == Z_OK)
                 ? NGX_OK : NGX_ERROR;

        } else {
            rc = (inflateInit2(&ngx_http_mta_sts_tlsrpt_zs, MAX_WBITS + 16)
                  == Z_OK) ? NGX_OK : NGX_ERROR;
            ngx_http_mta_sts_tlsrpt_zs_ready = (rc == NGX_OK);
        }

        if (rc != NGX_OK) {
            rpt->reason = "inflateInit2() failed";
            rc = NGX_HTTP_MTA_STS_TLSRPT_ERROR;
            goto done;
        }

        st->zs = &ngx_http_mta_sts_tlsrpt_zs;
        st->inflating = 1;

        /*
         * A gzip body that may inflate past max_json is inflated once
         * without parsing and refused if it does: inflating costs about
         * a twentieth of parsing, and a gzip bomb then costs no parsing.
         */

        if (rpt->rewind
            && (rpt->body_size == 0
                || rpt->body_size
                   > rpt->max_json / NGX_HTTP_MTA_STS_TLSRPT_DEFLATE_RATIO))
        {
            rc = ngx_http_mta_sts_tlsrpt_measure(st);

            if (rc != NGX_HTTP_MTA_STS_TLSRPT_OK) {
                goto done;
            }
        }

    } else if (rpt->body_size > rpt->max_json) {

        /* plain JSON is as large as its body */

        rpt->reason = "the report is larger than the JSON size limit";
        rc = NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE;
        goto done;
    }

    budget = rpt->max_json;

    if (budget < NGX_HTTP_MTA_STS_TLSRPT_DOM_MIN) {
        budget = NGX_HTTP_MTA_STS_TLSRPT_DOM_MIN;
    }

    if (budget > ((size_t) -1) / NGX_HTTP_MTA_STS_TLSRPT_DOM_RATIO) {
        budget = (size_t) -1;

    } else {
        budget *= NGX_HTTP_MTA_STS_TLSRPT_DOM_RATIO;
    }

    ngx_http_mta_sts_tlsrpt_budget = budget;
    ngx_http_mta_sts_tlsrpt_over = 0;
    ngx_http_mta_sts_tlsrpt_used = 0;
    ngx_http_mta_sts_tlsrpt_peak = 0;
    ngx_http_mta_sts_tlsrpt_limited = 1;

    /* I-JSON (RFC 7493; RFC 8460, section 4): no duplicate names */

    root = json_load_callback(ngx_http_mta_sts_tlsrpt_next, st,
                              JSON_REJECT_DUPLICATES, &error);

    rpt->json_size = st->total;
    rpt->tree_peak = ngx_http_mta_sts_tlsrpt_peak;

    if (root == NULL) {
        ngx_http_mta_sts_tlsrpt_limited = 0;

        if (st->rc != NGX_HTTP_MTA_STS_TLSRPT_OK) {
            rc = st->rc;

        } else if (ngx_http_mta_sts_tlsrpt_over) {
            rpt->reason = "the parsed report is too large";
            rc = NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE;

        } else if (json_error_code(&error) == json_error_out_of_memory) {
            rpt->reason = "out of memory";
            rc = NGX_HTTP_MTA_STS_TLSRPT_ERROR;

        } else {
            rpt->reason = "not JSON";
            rc = NGX_HTTP_MTA_STS_TLSRPT_INVALID;
        }

        goto done;
    }

    /* jansson takes a failed read for the end of the JSON */

    if (st->rc != NGX_HTTP_MTA_STS_TLSRPT_OK) {
        rc = st->rc;

    } else if (!st->done) {
        rpt->reason = "data after the JSON";
        rc = NGX_HTTP_MTA_STS_TLSRPT_INVALID;

    } else {
        rc = ngx_http_mta_sts_tlsrpt_check(rpt, root);
    }

    json_decref(root);

    ngx_http_mta_sts_tlsrpt_limited = 0;

done:

    free(st);

    return rc;
}


static ngx_int_t
ngx_http_mta_sts_tlsrpt_fill(ngx_http_mta_sts_tlsrpt_stream_t *st)
{
    ssize_t  n;

    if (st->pos != st->buf) {
        memmove(st->buf, st->pos, st->last - st->pos);
        st->last -= st->pos - st->buf;
        st->pos = st->buf;
    }

    n = st->rpt->read(st->rpt->data, st->last,
                      st->buf + NGX_HTTP_MTA_STS_TLSRPT_CHUNK - st->last);

    if (n < 0) {
        st->rpt->reason = "reading the body failed";
        st->rc = NGX_HTTP_MTA_STS_TLSRPT_ERROR;
        return NGX_ERROR;
    }

    if (n == 0) {
        st->eof = 1;
    }

    st->last += n;

    return NGX_OK;
}


/*
 * The JSON's size, inflated into nothing: TOO_LARGE over max_json, else
 * OK with the body rewound and the stream as new, whatever else went
 * wrong (the parse says that, as without this pass).
 */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_measure(ngx_http_mta_sts_tlsrpt_stream_t *st)
{
    size_t  n, total;
    u_char  out[NGX_HTTP_MTA_STS_TLSRPT_CHUNK];

    total = 0;

    for ( ;; ) {
        n = ngx_http_mta_sts_tlsrpt_inflate(st, out, sizeof(out));

        total += n;

        if (total > st->rpt->max_json) {
            st->rpt->reason = "the report inflates to more than the JSON "
                              "size limit";
            return NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE;
        }

        if (n == 0 || st->rc != NGX_HTTP_MTA_STS_TLSRPT_OK
            || st->pending != NGX_HTTP_MTA_STS_TLSRPT_OK)
        {
            break;
        }
    }

    if (inflateReset(st->zs) != Z_OK
        || st->rpt->rewind(st->rpt->data) != NGX_OK)
    {
        st->rpt->reason = "reading the body again failed";
        return NGX_HTTP_MTA_STS_TLSRPT_ERROR;
    }

    st->rpt->reason = NULL;
    st->pos = st->buf;
    st->last = st->buf;
    st->eof = 0;
    st->member_end = 0;
    st->done = 0;
    st->rc = NGX_HTTP_MTA_STS_TLSRPT_OK;
    st->pending = NGX_HTTP_MTA_STS_TLSRPT_OK;

    return NGX_HTTP_MTA_STS_TLSRPT_OK;
}


/* jansson's reader: the next JSON bytes, 0 at the end, -1 to stop */

static size_t
ngx_http_mta_sts_tlsrpt_next(void *buffer, size_t buflen, void *data)
{
    ngx_http_mta_sts_tlsrpt_stream_t *st = data;

    size_t  n;

    if (st->rc != NGX_HTTP_MTA_STS_TLSRPT_OK) {
        return (size_t) -1;
    }

    if (st->pending != NGX_HTTP_MTA_STS_TLSRPT_OK) {
        st->rc = st->pending;
        st->rpt->reason = st->pending_reason;
        return (size_t) -1;
    }

    if (st->done) {
        return 0;
    }

    if (st->inflating) {
        n = ngx_http_mta_sts_tlsrpt_inflate(st, buffer, buflen);

        if (st->rc != NGX_HTTP_MTA_STS_TLSRPT_OK) {
            return (size_t) -1;
        }

    } else {
        while (st->pos == st->last && !st->eof) {
            if (ngx_http_mta_sts_tlsrpt_fill(st) != NGX_OK) {
                return (size_t) -1;
            }
        }

        n = st->last - st->pos;

        if (n > buflen) {
            n = buflen;
        }

        memcpy(buffer, st->pos, n);
        st->pos += n;

        if (n == 0) {
            st->done = 1;
            return 0;
        }
    }

    n = ngx_http_mta_sts_tlsrpt_scan(st, buffer, n);

    if (n == 0) {
        st->rc = st->pending;
        st->rpt->reason = st->pending_reason;
        return (size_t) -1;
    }

    return n;
}


/* the next inflated bytes, 0 at the end of the last gzip member */

static size_t
ngx_http_mta_sts_tlsrpt_inflate(ngx_http_mta_sts_tlsrpt_stream_t *st,
    u_char *out, size_t size)
{
    int     rc;
    size_t  n;

    for ( ;; ) {

        if (st->pos == st->last && !st->eof) {
            if (ngx_http_mta_sts_tlsrpt_fill(st) != NGX_OK) {
                return 0;
            }

            continue;
        }

        if (st->member_end) {

            /* trailing CR and LF after the gzip data (Mimecast) */

            while (st->pos < st->last
                   && (*st->pos == '\r' || *st->pos == '\n'))
            {
                st->pos++;
            }

            if (st->pos == st->last) {
                if (st->eof) {
                    st->done = 1;
                    return 0;
                }

                continue;
            }

            /* another gzip member */

            if (*st->pos != 0x1f || inflateReset(st->zs) != Z_OK) {
                st->rpt->reason = "data after the gzip data";
                st->rc = NGX_HTTP_MTA_STS_TLSRPT_INVALID;
                return 0;
            }

            st->member_end = 0;
        }

        st->zs->next_in = st->pos;
        st->zs->avail_in = st->last - st->pos;
        st->zs->next_out = out;
        st->zs->avail_out = size;

        rc = inflate(st->zs, Z_NO_FLUSH);

        st->pos = st->zs->next_in;
        n = size - st->zs->avail_out;

        if (rc == Z_STREAM_END) {
            st->member_end = 1;

        } else if (rc == Z_MEM_ERROR) {
            st->rpt->reason = "out of memory";
            st->rc = NGX_HTTP_MTA_STS_TLSRPT_ERROR;
            return 0;

        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {

            /* the bytes before a bad checksum first, as in small reads */

            if (n) {
                st->pending = NGX_HTTP_MTA_STS_TLSRPT_INVALID;
                st->pending_reason = "bad gzip data";
                return n;
            }

            st->rpt->reason = "bad gzip data";
            st->rc = NGX_HTTP_MTA_STS_TLSRPT_INVALID;
            return 0;
        }

        if (n) {
            return n;
        }

        if (!st->member_end && st->pos == st->last && st->eof) {
            st->rpt->reason = "truncated gzip data";
            st->rc = NGX_HTTP_MTA_STS_TLSRPT_INVALID;
            return 0;
        }
    }
}


/*
 * The size cap and the nesting cap, over the JSON as it streams by.
 * Returns how many of the n bytes jansson gets: those before the byte
 * that breaks a cap, so that jansson sees the same bytes, and the same
 * result comes out, however the body is cut into reads.
 */

static size_t
ngx_http_mta_sts_tlsrpt_scan(ngx_http_mta_sts_tlsrpt_stream_t *st,
    u_char *start, size_t n)
{
    u_char  *p, *last;

    if (n > st->rpt->max_json - st->total) {
        n = st->rpt->max_json - st->total;
        st->pending = NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE;
        st->pending_reason = "the report is larger than the JSON size limit";
    }

    for (p = start, last = start + n; p < last; p++) {

        if (st->in_string) {
            if (st->escape) {
                st->escape = 0;

            } else if (*p == '\\') {
                st->escape = 1;

            } else if (*p == '"') {
                st->in_string = 0;
            }

            continue;
        }

        switch (*p) {

        case '"':
            st->in_string = 1;
            break;

        case '{':
        case '[':
            if (++st->depth > NGX_HTTP_MTA_STS_TLSRPT_DEPTH) {
                st->pending = NGX_HTTP_MTA_STS_TLSRPT_INVALID;
                st->pending_reason = "JSON nested too deep";
                n = p - start;
                goto done;
            }

            break;

        case '}':
        case ']':
            if (st->depth) {
                st->depth--;
            }

            break;
        }
    }

done:

    st->total += n;

    return n;
}


/*
 * RFC 8460, section 4.4.  Only what the receiver needs is required: the
 * organization, the report id, the date range and a policies array.
 * Everything else is taken as sent: real reports differ from the RFC in
 * mx-host, in the time zone of their dates, in missing policy-domain and
 * failure fields, and in result types the RFC does not list.
 */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_check(ngx_http_mta_sts_tlsrpt_t *rpt, json_t *root)
{
    size_t       i, first_len;
    json_t      *org, *id, *range, *start, *end, *policies;
    u_char       first[254];

    if (!json_is_object(root)) {
        rpt->reason = "the report is not a JSON object";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    org = json_object_get(root, "organization-name");
    id = json_object_get(root, "report-id");
    range = json_object_get(root, "date-range");
    policies = json_object_get(root, "policies");

    if (!json_is_string(org) || json_string_length(org) == 0) {
        rpt->reason = "no \"organization-name\" string";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!json_is_string(id) || json_string_length(id) == 0) {
        rpt->reason = "no \"report-id\" string";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!json_is_object(range)) {
        rpt->reason = "no \"date-range\" object";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    start = json_object_get(range, "start-datetime");
    end = json_object_get(range, "end-datetime");

    if (!json_is_string(start)
        || ngx_http_mta_sts_tlsrpt_datetime((u_char *) json_string_value(start),
                                            json_string_length(start),
                                            &rpt->begin)
           != NGX_OK)
    {
        rpt->reason = "no valid \"start-datetime\"";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!json_is_string(end)
        || ngx_http_mta_sts_tlsrpt_datetime((u_char *) json_string_value(end),
                                            json_string_length(end),
                                            &rpt->end)
           != NGX_OK)
    {
        rpt->reason = "no valid \"end-datetime\"";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!json_is_array(policies)) {
        rpt->reason = "no \"policies\" array";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    rpt->organization_len = ngx_http_mta_sts_tlsrpt_text(rpt->organization,
                                                         org);
    rpt->report_id_len = ngx_http_mta_sts_tlsrpt_text(rpt->report_id, id);

    first_len = 0;

    for (i = 0; i < json_array_size(policies); i++) {
        ngx_http_mta_sts_tlsrpt_policy(rpt, json_array_get(policies, i),
                                       first, &first_len);
    }

    if (ngx_http_mta_sts_tlsrpt_name(rpt, root, first, first_len) != NGX_OK) {
        rpt->reason = "SHA-256 failed";
        return NGX_HTTP_MTA_STS_TLSRPT_ERROR;
    }

    return NGX_HTTP_MTA_STS_TLSRPT_OK;
}


static void
ngx_http_mta_sts_tlsrpt_policy(ngx_http_mta_sts_tlsrpt_t *rpt,
    json_t *policy, u_char *first, size_t *first_len)
{
    size_t   len;
    u_char  *p, *last, domain[254];
    json_t  *desc, *pd, *summary;

    if (!json_is_object(policy)) {
        return;
    }

    summary = json_object_get(policy, "summary");

    if (json_is_object(summary)) {
        rpt->successful += ngx_http_mta_sts_tlsrpt_count(summary,
                                            "total-successful-session-count");
        rpt->failed += ngx_http_mta_sts_tlsrpt_count(summary,
                                            "total-failure-session-count");
    }

    desc = json_object_get(policy, "policy");
    pd = json_object_get(desc, "policy-domain");

    len = 0;

    if (json_is_string(pd)) {
        len = ngx_http_mta_sts_tlsrpt_domain(domain,
                                             (u_char *) json_string_value(pd),
                                             json_string_length(pd));
    }

    ngx_http_mta_sts_tlsrpt_stats(rpt, policy, summary, domain, len);

    if (len == 0) {
        return;
    }

    if (*first_len == 0) {
        memcpy(first, domain, len);
        *first_len = len;
    }

    /* each domain once in the list */

    p = rpt->domains;
    last = rpt->domains + rpt->domains_len;

    while (p < last) {
        if ((size_t) (last - p) >= len
            && memcmp(p, domain, len) == 0
            && (p + len == last || p[len] == ','))
        {
            return;
        }

        p = memchr(p, ',', last - p);
        if (p == NULL) {
            break;
        }

        p++;
    }

    if (rpt->domains_len + 1 + len > NGX_HTTP_MTA_STS_TLSRPT_DOMAINS_MAX) {
        return;
    }

    if (rpt->domains_len) {
        rpt->domains[rpt->domains_len++] = ',';
    }

    memcpy(rpt->domains + rpt->domains_len, domain, len);
    rpt->domains_len += len;
}


/*
 * A policy's sessions, its failed sessions by result type (the types may
 * overlap, RFC 8460, section 4.4: kept apart from the summary), and its
 * first failure-details rows, cut, for the status counters.
 */

static void
ngx_http_mta_sts_tlsrpt_stats(ngx_http_mta_sts_tlsrpt_t *rpt,
    json_t *policy, json_t *summary, u_char *domain, size_t len)
{
    size_t                             i, n;
    json_t                            *details, *d, *type;
    uint64_t                           count;
    ngx_uint_t                         t;
    ngx_str_t                         *name;
    ngx_http_mta_sts_tlsrpt_detail_t  *dt;
    ngx_http_mta_sts_tlsrpt_policy_t  *p;

    if (rpt->npolicies == NGX_HTTP_MTA_STS_TLSRPT_POLICIES) {
        return;
    }

    p = &rpt->policies[rpt->npolicies++];

    memcpy(p->domain, domain, len);
    p->domain_len = len;
    p->successful = 0;
    p->failed = 0;
    p->ndetails = 0;
    memset(p->types, 0, sizeof(p->types));

    if (json_is_object(summary)) {
        p->successful = ngx_http_mta_sts_tlsrpt_count(summary,
                                            "total-successful-session-count");
        p->failed = ngx_http_mta_sts_tlsrpt_count(summary,
                                            "total-failure-session-count");
    }

    details = json_object_get(policy, "failure-details");
    n = json_array_size(details);

    for (i = 0; i < n; i++) {
        d = json_array_get(details, i);

        if (!json_is_object(d)) {
            continue;
        }

        type = json_object_get(d, "result-type");
        t = NGX_HTTP_MTA_STS_TLSRPT_NTYPES - 1;

        if (json_is_string(type)) {
            for (name = ngx_http_mta_sts_tlsrpt_types; name->len; name++) {
                if (name->len == json_string_length(type)
                    && memcmp(name->data, json_string_value(type), name->len)
                       == 0)
                {
                    t = name - ngx_http_mta_sts_tlsrpt_types;
                    break;
                }
            }
        }

        count = ngx_http_mta_sts_tlsrpt_count(d, "failed-session-count");
        p->types[t] += count;

        if (p->ndetails == NGX_HTTP_MTA_STS_TLSRPT_DETAILS) {
            continue;
        }

        dt = &p->details[p->ndetails++];
        dt->type = t;
        dt->count = count;
        dt->mx_len = ngx_http_mta_sts_tlsrpt_field(dt->mx,
                               json_object_get(d, "receiving-mx-hostname"));
        dt->ip_len = ngx_http_mta_sts_tlsrpt_field(dt->ip,
                               json_object_get(d, "receiving-ip"));
        dt->reason_len = ngx_http_mta_sts_tlsrpt_field(dt->reason,
                               json_object_get(d, "failure-reason-code"));
    }
}


/* a string as sent, cut at FIELD_MAX bytes; none: empty */

static size_t
ngx_http_mta_sts_tlsrpt_field(u_char *dst, json_t *s)
{
    size_t  len;

    if (!json_is_string(s)) {
        return 0;
    }

    len = json_string_length(s);

    if (len > NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX) {
        len = NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX;
    }

    memcpy(dst, json_string_value(s), len);

    return len;
}


static size_t
ngx_http_mta_sts_tlsrpt_text(u_char *dst, json_t *s)
{
    size_t       len;
    const char  *p;

    p = json_string_value(s);
    len = json_string_length(s);

    if (len > NGX_HTTP_MTA_STS_TLSRPT_TEXT_MAX) {
        len = NGX_HTTP_MTA_STS_TLSRPT_TEXT_MAX;

        /* not in the middle of a UTF-8 sequence */

        while (len && ((u_char) p[len] & 0xc0) == 0x80) {
            len--;
        }
    }

    memcpy(dst, p, len);

    return len;
}


static uint64_t
ngx_http_mta_sts_tlsrpt_count(json_t *summary, const char *key)
{
    json_t      *v;
    json_int_t   n;

    v = json_object_get(summary, key);

    if (!json_is_integer(v)) {
        return 0;
    }

    n = json_integer_value(v);

    /* a sum of counts that cannot wrap */
    return (n > 0 && n < ((json_int_t) 1 << 48)) ? (uint64_t) n : 0;
}


/*
 * RFC 8460, section 5.1:
 *     sender "!" policy-domain "!" begin "!" end "!" unique-id
 *     "." ("json" / "json.gz")
 * where sender is the domain of contact-info, and the unique id is from
 * the reporter and the report id, so that a report sent twice gets the
 * same name.  A name that fails the checks becomes "unknown".
 */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_name(ngx_http_mta_sts_tlsrpt_t *rpt, json_t *root,
    u_char *domain, size_t domain_len)
{
    int             ok;
    size_t          len;
    u_char         *p, *at, sender[254], hash[EVP_MAX_MD_SIZE];
    json_t         *contact, *org, *id;
    const char     *s;
    EVP_MD_CTX     *md;
    static u_char   hex[] = "0123456789abcdef";

    len = 0;
    contact = json_object_get(root, "contact-info");

    if (json_is_string(contact)) {
        s = json_string_value(contact);
        p = (u_char *) s;
        at = (u_char *) strrchr(s, '@');

        if (at != NULL) {
            p = at + 1;
        }

        len = ngx_http_mta_sts_tlsrpt_domain(sender, p,
                        json_string_length(contact) - (p - (u_char *) s));
    }

    if (len == 0) {
        len = sizeof("unknown") - 1;
        memcpy(sender, "unknown", len);
    }

    if (domain_len == 0) {
        domain_len = sizeof("unknown") - 1;
        memcpy(domain, "unknown", domain_len);
    }

    org = json_object_get(root, "organization-name");
    id = json_object_get(root, "report-id");

    md = EVP_MD_CTX_new();
    if (md == NULL) {
        return NGX_ERROR;
    }

    ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL)
         && EVP_DigestUpdate(md, sender, len)
         && EVP_DigestUpdate(md, "", 1)
         && EVP_DigestUpdate(md, json_string_value(org),
                             json_string_length(org))
         && EVP_DigestUpdate(md, "", 1)
         && EVP_DigestUpdate(md, json_string_value(id),
                             json_string_length(id))
         && EVP_DigestFinal_ex(md, hash, NULL);

    EVP_MD_CTX_free(md);

    if (!ok) {
        return NGX_ERROR;
    }

    p = rpt->name;

    memcpy(p, sender, len);
    p += len;
    *p++ = '!';
    memcpy(p, domain, domain_len);
    p += domain_len;
    p += sprintf((char *) p, "!%lld!%lld!", (long long) rpt->begin,
                 (long long) rpt->end);

    for (len = 0; len < NGX_HTTP_MTA_STS_TLSRPT_UID_LEN / 2; len++) {
        *p++ = hex[hash[len] >> 4];
        *p++ = hex[hash[len] & 0xf];
    }

    p = (u_char *) stpcpy((char *) p, rpt->gzip ? ".json.gz" : ".json");

    rpt->name_len = p - rpt->name;

    return NGX_OK;
}


/*
 * A domain name for a file name: LDH labels of 1 to 63 characters, at
 * most 253 in all, one trailing dot dropped, lowercased into dst (254
 * bytes).  Returns its length, 0 if it is not such a name.
 */

size_t
ngx_http_mta_sts_tlsrpt_domain(u_char *dst, u_char *src, size_t len)
{
    u_char  c;
    size_t  i, label;

    if (len && src[len - 1] == '.') {
        len--;
    }

    if (len == 0 || len > 253) {
        return 0;
    }

    label = 0;

    for (i = 0; i < len; i++) {
        c = src[i];

        if (c == '.') {
            if (label == 0 || src[i - 1] == '-') {
                return 0;
            }

            label = 0;
            dst[i] = c;
            continue;
        }

        if (c >= 'A' && c <= 'Z') {
            c |= 0x20;

        } else if (c == '-') {
            if (label == 0) {
                return 0;
            }

        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            return 0;
        }

        if (++label > 63) {
            return 0;
        }

        dst[i] = c;
    }

    /* "a.." loses one dot above; the empty label left is no name */

    if (label == 0 || src[len - 1] == '-') {
        return 0;
    }

    return len;
}


/*
 * RFC 3339 date-time as in RFC 8460, section 4.4, to Unix seconds.
 * Lenient as real senders need: no time zone is UTC (Microsoft), a space
 * or a "t" may separate date and time, fractions are dropped.
 */

ngx_int_t
ngx_http_mta_sts_tlsrpt_datetime(u_char *p, size_t len, int64_t *t)
{
    u_char    *last;
    int64_t    v[6], off;
    ngx_uint_t i, n;

    static const u_char   seps[] = { '-', '-', 'T', ':', ':' };
    static const int64_t  mdays[] = { 31, 29, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31 };

    last = p + len;

    for (i = 0; i < 6; i++) {
        n = (i == 0) ? 4 : 2;

        if ((size_t) (last - p) < n) {
            return NGX_ERROR;
        }

        v[i] = 0;

        while (n--) {
            if (*p < '0' || *p > '9') {
                return NGX_ERROR;
            }

            v[i] = v[i] * 10 + (*p++ - '0');
        }

        if (i < 5) {
            if (p == last) {
                return NGX_ERROR;
            }

            if (*p != seps[i]
                && !(i == 2 && (*p == 't' || *p == ' ')))
            {
                return NGX_ERROR;
            }

            p++;
        }
    }

    if (v[0] < 1970 || v[1] < 1 || v[1] > 12 || v[2] < 1
        || v[2] > mdays[v[1] - 1]
        || (v[1] == 2 && v[2] == 29
            && !((v[0] % 4 == 0 && v[0] % 100 != 0) || v[0] % 400 == 0))
        || v[3] > 23 || v[4] > 59 || v[5] > 60)
    {
        return NGX_ERROR;
    }

    if (v[5] == 60) {
        v[5] = 59;
    }

    if (p < last && *p == '.') {
        p++;

        if (p == last || *p < '0' || *p > '9') {
            return NGX_ERROR;
        }

        while (p < last && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    off = 0;

    if (p < last && (*p == 'Z' || *p == 'z')) {
        p++;

    } else if (p < last && (*p == '+' || *p == '-')) {
        if (last - p != 6
            || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9'
            || p[3] != ':'
            || p[4] < '0' || p[4] > '9' || p[5] < '0' || p[5] > '9')
        {
            return NGX_ERROR;
        }

        off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600
              + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;

        if (off >= 86400) {
            return NGX_ERROR;
        }

        if (*p == '+') {
            off = -off;
        }

        p += 6;
    }

    if (p != last) {
        return NGX_ERROR;
    }

    *t = ngx_http_mta_sts_tlsrpt_days(v[0], v[1], v[2]) * 86400
         + v[3] * 3600 + v[4] * 60 + v[5] + off;

    return NGX_OK;
}


/* days from 1970-01-01 to a proleptic Gregorian date */

static int64_t
ngx_http_mta_sts_tlsrpt_days(int64_t y, int64_t m, int64_t d)
{
    int64_t  era, yoe, doy, doe;

    y -= (m <= 2);
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}
