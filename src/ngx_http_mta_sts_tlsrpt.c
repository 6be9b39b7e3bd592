
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_json.h>
#include <ngx_http_mta_sts_tlsrpt.h>

#include <stdlib.h>
#include <zlib.h>
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
    u_char                      buf[NGX_HTTP_MTA_STS_TLSRPT_CHUNK];
    u_char                      out[NGX_HTTP_MTA_STS_TLSRPT_CHUNK];
} ngx_http_mta_sts_tlsrpt_stream_t;




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


/* one inflater a process, reset for each report, as zlib allows */
static z_stream    ngx_http_mta_sts_tlsrpt_zs;
static ngx_uint_t  ngx_http_mta_sts_tlsrpt_zs_ready;


/*
 * What a JSON value is to the receiver (its role, for the JSON parser,
 * src/ngx_http_mta_sts_json.c), by the names that lead to it: the
 * required strings of the report and, for each policy, its domain, its
 * two counts and its failure-details rows, for the status counters
 */
#define NGX_HTTP_MTA_STS_R_NONE      0
#define NGX_HTTP_MTA_STS_R_ROOT      1
#define NGX_HTTP_MTA_STS_R_ORG       2
#define NGX_HTTP_MTA_STS_R_ID        3
#define NGX_HTTP_MTA_STS_R_CONTACT   4
#define NGX_HTTP_MTA_STS_R_RANGE     5
#define NGX_HTTP_MTA_STS_R_START     6
#define NGX_HTTP_MTA_STS_R_END       7
#define NGX_HTTP_MTA_STS_R_POLICIES  8
#define NGX_HTTP_MTA_STS_R_ITEM      9
#define NGX_HTTP_MTA_STS_R_POLICY    10
#define NGX_HTTP_MTA_STS_R_DOMAIN    11
#define NGX_HTTP_MTA_STS_R_SUMMARY   12
#define NGX_HTTP_MTA_STS_R_SUCCESS   13
#define NGX_HTTP_MTA_STS_R_FAILURE   14
#define NGX_HTTP_MTA_STS_R_DETAILS   15  /* "failure-details" */
#define NGX_HTTP_MTA_STS_R_DETAIL    16  /* one of its rows */
#define NGX_HTTP_MTA_STS_R_TYPE      17  /* the row's strings */
#define NGX_HTTP_MTA_STS_R_MX        18
#define NGX_HTTP_MTA_STS_R_IP        19
#define NGX_HTTP_MTA_STS_R_REASON    20
#define NGX_HTTP_MTA_STS_R_COUNT     21  /* "failed-session-count" */


/* what the report said, as the JSON streams by */

typedef struct {
    ngx_http_mta_sts_tlsrpt_t         *rpt;
    ngx_http_mta_sts_json_t           *js;

    ngx_uint_t                         root_object;
    ngx_uint_t                         range_object;
    ngx_uint_t                         policies_array;
    ngx_uint_t                         start_ok;
    ngx_uint_t                         end_ok;

    /* the top object's strings, kept in the parser's arena */
    uint32_t                           org, org_len;
    uint32_t                           id, id_len;
    uint32_t                           contact, contact_len;
    ngx_uint_t                         has_org, has_id, has_contact;

    u_char                             first[254];
    size_t                             first_len;

    /* the policy being read, NULL past the first POLICIES, and its row */
    ngx_http_mta_sts_tlsrpt_policy_t  *policy;
    ngx_http_mta_sts_tlsrpt_detail_t   detail;
} ngx_http_mta_sts_tlsrpt_report_t;


static ngx_uint_t ngx_http_mta_sts_tlsrpt_role(void *data, ngx_uint_t parent,
    u_char *name, size_t len);
static ngx_uint_t ngx_http_mta_sts_tlsrpt_element(void *data,
    ngx_uint_t role);
static void ngx_http_mta_sts_tlsrpt_open(void *data, ngx_uint_t role,
    u_char type);
static void ngx_http_mta_sts_tlsrpt_close(void *data, ngx_uint_t role,
    u_char type);
static ngx_int_t ngx_http_mta_sts_tlsrpt_string(void *data, ngx_uint_t role,
    u_char *s, size_t len);
static void ngx_http_mta_sts_tlsrpt_integer(void *data, ngx_uint_t role,
    ngx_uint_t negative, uint64_t mag);
static void ngx_http_mta_sts_tlsrpt_detail(
    ngx_http_mta_sts_tlsrpt_report_t *rp, ngx_uint_t role, u_char *s,
    size_t len);
static ngx_int_t ngx_http_mta_sts_tlsrpt_fill(
    ngx_http_mta_sts_tlsrpt_stream_t *st);
static ngx_int_t ngx_http_mta_sts_tlsrpt_measure(
    ngx_http_mta_sts_tlsrpt_stream_t *st);
static size_t ngx_http_mta_sts_tlsrpt_inflate(
    ngx_http_mta_sts_tlsrpt_stream_t *st, u_char *out, size_t size);
static ngx_int_t ngx_http_mta_sts_tlsrpt_json(
    ngx_http_mta_sts_tlsrpt_stream_t *st, ngx_http_mta_sts_json_t *js);
static ngx_int_t ngx_http_mta_sts_tlsrpt_check(
    ngx_http_mta_sts_tlsrpt_report_t *rp);
static void ngx_http_mta_sts_tlsrpt_policy(
    ngx_http_mta_sts_tlsrpt_report_t *rp, u_char *s, size_t len);
static size_t ngx_http_mta_sts_tlsrpt_text(u_char *dst, u_char *p,
    size_t len, size_t max);
static ngx_int_t ngx_http_mta_sts_tlsrpt_name(
    ngx_http_mta_sts_tlsrpt_report_t *rp);
static int64_t ngx_http_mta_sts_tlsrpt_days(int64_t y, int64_t m,
    int64_t d);


static ngx_http_mta_sts_json_handler_t  ngx_http_mta_sts_tlsrpt_handler = {
    ngx_http_mta_sts_tlsrpt_role,
    ngx_http_mta_sts_tlsrpt_element,
    ngx_http_mta_sts_tlsrpt_open,
    ngx_http_mta_sts_tlsrpt_close,
    ngx_http_mta_sts_tlsrpt_string,
    ngx_http_mta_sts_tlsrpt_integer
};


/* one parser a process, its buffers kept between reports while small */
static ngx_http_mta_sts_json_t  ngx_http_mta_sts_tlsrpt_parser;


#define ngx_http_mta_sts_tlsrpt_is(name, len, s)                             \
    ((len) == sizeof(s) - 1 && memcmp(name, s, sizeof(s) - 1) == 0)


/* what the value of a name is to the receiver, by where the object is */

static ngx_uint_t
ngx_http_mta_sts_tlsrpt_role(void *data, ngx_uint_t parent, u_char *name,
    size_t len)
{
    switch (parent) {

    case NGX_HTTP_MTA_STS_R_ROOT:
        if (ngx_http_mta_sts_tlsrpt_is(name, len, "organization-name")) {
            return NGX_HTTP_MTA_STS_R_ORG;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "report-id")) {
            return NGX_HTTP_MTA_STS_R_ID;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "contact-info")) {
            return NGX_HTTP_MTA_STS_R_CONTACT;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "date-range")) {
            return NGX_HTTP_MTA_STS_R_RANGE;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "policies")) {
            return NGX_HTTP_MTA_STS_R_POLICIES;
        }

        break;

    case NGX_HTTP_MTA_STS_R_RANGE:
        if (ngx_http_mta_sts_tlsrpt_is(name, len, "start-datetime")) {
            return NGX_HTTP_MTA_STS_R_START;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "end-datetime")) {
            return NGX_HTTP_MTA_STS_R_END;
        }

        break;

    case NGX_HTTP_MTA_STS_R_ITEM:
        if (ngx_http_mta_sts_tlsrpt_is(name, len, "policy")) {
            return NGX_HTTP_MTA_STS_R_POLICY;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "summary")) {
            return NGX_HTTP_MTA_STS_R_SUMMARY;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "failure-details")) {
            return NGX_HTTP_MTA_STS_R_DETAILS;
        }

        break;

    case NGX_HTTP_MTA_STS_R_DETAIL:
        if (ngx_http_mta_sts_tlsrpt_is(name, len, "result-type")) {
            return NGX_HTTP_MTA_STS_R_TYPE;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "receiving-mx-hostname")) {
            return NGX_HTTP_MTA_STS_R_MX;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "receiving-ip")) {
            return NGX_HTTP_MTA_STS_R_IP;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "failure-reason-code")) {
            return NGX_HTTP_MTA_STS_R_REASON;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len, "failed-session-count")) {
            return NGX_HTTP_MTA_STS_R_COUNT;
        }

        break;

    case NGX_HTTP_MTA_STS_R_POLICY:
        if (ngx_http_mta_sts_tlsrpt_is(name, len, "policy-domain")) {
            return NGX_HTTP_MTA_STS_R_DOMAIN;
        }

        break;

    case NGX_HTTP_MTA_STS_R_SUMMARY:
        if (ngx_http_mta_sts_tlsrpt_is(name, len,
                                     "total-successful-session-count"))
        {
            return NGX_HTTP_MTA_STS_R_SUCCESS;
        }

        if (ngx_http_mta_sts_tlsrpt_is(name, len,
                                     "total-failure-session-count"))
        {
            return NGX_HTTP_MTA_STS_R_FAILURE;
        }

        break;
    }

    return NGX_HTTP_MTA_STS_R_NONE;
}


/* the role of an array's elements */

static ngx_uint_t
ngx_http_mta_sts_tlsrpt_element(void *data, ngx_uint_t role)
{
    switch (role) {

    case NGX_HTTP_MTA_STS_R_POLICIES:
        return NGX_HTTP_MTA_STS_R_ITEM;

    case NGX_HTTP_MTA_STS_R_DETAILS:
        return NGX_HTTP_MTA_STS_R_DETAIL;
    }

    return NGX_HTTP_MTA_STS_R_NONE;
}


static void
ngx_http_mta_sts_tlsrpt_open(void *data, ngx_uint_t role, u_char type)
{
    ngx_http_mta_sts_tlsrpt_report_t  *rp = data;

    ngx_http_mta_sts_tlsrpt_t  *rpt;

    rpt = rp->rpt;

    if (type == '[') {
        if (role == NGX_HTTP_MTA_STS_R_POLICIES) {
            rp->policies_array = 1;
        }

        return;
    }

    switch (role) {

    case NGX_HTTP_MTA_STS_R_ROOT:
        rp->root_object = 1;
        break;

    case NGX_HTTP_MTA_STS_R_RANGE:
        rp->range_object = 1;
        break;

    case NGX_HTTP_MTA_STS_R_ITEM:
        rp->policy = NULL;

        if (rpt->npolicies < NGX_HTTP_MTA_STS_TLSRPT_POLICIES) {
            rp->policy = &rpt->policies[rpt->npolicies++];
            ngx_memzero(rp->policy,
                        offsetof(ngx_http_mta_sts_tlsrpt_policy_t, details));
        }

        break;

    case NGX_HTTP_MTA_STS_R_DETAIL:
        ngx_memzero(&rp->detail,
                    offsetof(ngx_http_mta_sts_tlsrpt_detail_t, mx));
        rp->detail.type = NGX_HTTP_MTA_STS_TLSRPT_NTYPES - 1;
        break;
    }
}


/*
 * a failure-details row ended: its sessions go to its type, which may
 * overlap others (RFC 8460, section 4.4), and the first rows are kept
 */

static void
ngx_http_mta_sts_tlsrpt_close(void *data, ngx_uint_t role, u_char type)
{
    ngx_http_mta_sts_tlsrpt_report_t  *rp = data;

    ngx_http_mta_sts_tlsrpt_policy_t  *p;

    p = rp->policy;

    if (type == '{' && role == NGX_HTTP_MTA_STS_R_DETAIL && p != NULL) {
        p->types[rp->detail.type] += rp->detail.count;

        if (p->ndetails < NGX_HTTP_MTA_STS_TLSRPT_DETAILS) {
            p->details[p->ndetails++] = rp->detail;
        }
    }
}


/* a string the receiver may use: the top object's are kept */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_string(void *data, ngx_uint_t role, u_char *s,
    size_t len)
{
    ngx_http_mta_sts_tlsrpt_report_t  *rp = data;

    uint32_t  off;

    off = s - rp->js->arena;

    switch (role) {

    case NGX_HTTP_MTA_STS_R_ORG:
        rp->org = off;
        rp->org_len = len;
        rp->has_org = 1;
        return NGX_DONE;

    case NGX_HTTP_MTA_STS_R_ID:
        rp->id = off;
        rp->id_len = len;
        rp->has_id = 1;
        return NGX_DONE;

    case NGX_HTTP_MTA_STS_R_CONTACT:
        rp->contact = off;
        rp->contact_len = len;
        rp->has_contact = 1;
        return NGX_DONE;

    case NGX_HTTP_MTA_STS_R_START:
        rp->start_ok = (ngx_http_mta_sts_tlsrpt_datetime(s, len,
                                                         &rp->rpt->begin)
                        == NGX_OK);
        break;

    case NGX_HTTP_MTA_STS_R_END:
        rp->end_ok = (ngx_http_mta_sts_tlsrpt_datetime(s, len,
                                                       &rp->rpt->end)
                      == NGX_OK);
        break;

    case NGX_HTTP_MTA_STS_R_DOMAIN:
        ngx_http_mta_sts_tlsrpt_policy(rp, s, len);
        break;

    case NGX_HTTP_MTA_STS_R_TYPE:
    case NGX_HTTP_MTA_STS_R_MX:
    case NGX_HTTP_MTA_STS_R_IP:
    case NGX_HTTP_MTA_STS_R_REASON:
        ngx_http_mta_sts_tlsrpt_detail(rp, role, s, len);
        break;
    }

    return NGX_OK;
}


/* a count is added */

static void
ngx_http_mta_sts_tlsrpt_integer(void *data, ngx_uint_t role,
    ngx_uint_t negative, uint64_t mag)
{
    ngx_http_mta_sts_tlsrpt_report_t  *rp = data;

    if (negative || mag == 0 || mag >= ((uint64_t) 1 << 48)) {
        return;
    }

    switch (role) {

    case NGX_HTTP_MTA_STS_R_SUCCESS:
        rp->rpt->successful += mag;

        if (rp->policy) {
            rp->policy->successful += mag;
        }

        break;

    case NGX_HTTP_MTA_STS_R_FAILURE:
        rp->rpt->failed += mag;

        if (rp->policy) {
            rp->policy->failed += mag;
        }

        break;

    case NGX_HTTP_MTA_STS_R_COUNT:
        rp->detail.count = mag;
        break;
    }
}


/* a string of a failure-details row: its type, or a field cut to size */

static void
ngx_http_mta_sts_tlsrpt_detail(ngx_http_mta_sts_tlsrpt_report_t *rp,
    ngx_uint_t role, u_char *s, size_t len)
{
    u_char                            *dst;
    size_t                            *dst_len;
    ngx_str_t                         *name;
    ngx_http_mta_sts_tlsrpt_detail_t  *dt;

    dt = &rp->detail;

    switch (role) {

    case NGX_HTTP_MTA_STS_R_TYPE:
        for (name = ngx_http_mta_sts_tlsrpt_types; name->len; name++) {
            if (name->len == len && memcmp(name->data, s, len) == 0) {
                dt->type = name - ngx_http_mta_sts_tlsrpt_types;
                break;
            }
        }

        return;

    case NGX_HTTP_MTA_STS_R_MX:
        dst = dt->mx;
        dst_len = &dt->mx_len;
        break;

    case NGX_HTTP_MTA_STS_R_IP:
        dst = dt->ip;
        dst_len = &dt->ip_len;
        break;

    default: /* NGX_HTTP_MTA_STS_R_REASON */
        dst = dt->reason;
        dst_len = &dt->reason_len;
        break;
    }

    *dst_len = ngx_http_mta_sts_tlsrpt_text(dst, s, len,
                                            NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX);
}


void
ngx_http_mta_sts_tlsrpt_cleanup(void)
{
    if (ngx_http_mta_sts_tlsrpt_zs_ready) {
        inflateEnd(&ngx_http_mta_sts_tlsrpt_zs);
        ngx_http_mta_sts_tlsrpt_zs_ready = 0;
    }

    ngx_http_mta_sts_json_trim(&ngx_http_mta_sts_tlsrpt_parser, 1);
}


/*
 * The body goes through zlib (when it starts with the gzip magic bytes)
 * into the parser a chunk at a time, so neither the inflated JSON nor
 * the body are held whole; the JSON is counted against max_json on the
 * way, and parsing stops at the first byte over it.
 */

ngx_int_t
ngx_http_mta_sts_tlsrpt_parse(ngx_http_mta_sts_tlsrpt_t *rpt)
{
    ngx_int_t                          rc;
    ngx_http_mta_sts_json_t           *js;
    ngx_http_mta_sts_tlsrpt_report_t   rp;
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

    js = &ngx_http_mta_sts_tlsrpt_parser;

    rp.rpt = rpt;
    rp.js = js;
    rp.root_object = 0;
    rp.range_object = 0;
    rp.policies_array = 0;
    rp.start_ok = 0;
    rp.end_ok = 0;
    rp.has_org = 0;
    rp.has_id = 0;
    rp.has_contact = 0;
    rp.first_len = 0;
    rp.policy = NULL;

    if (ngx_http_mta_sts_json_reset(js, &ngx_http_mta_sts_tlsrpt_handler,
                                    &rp, NGX_HTTP_MTA_STS_R_ROOT)
        != NGX_OK)
    {
        rpt->reason = "out of memory";
        rc = NGX_HTTP_MTA_STS_TLSRPT_ERROR;
        goto done;
    }

    rc = ngx_http_mta_sts_tlsrpt_json(st, js);

    rpt->json_size = st->total;
    rpt->tree_peak = js->peak;

    if (rc == NGX_HTTP_MTA_STS_TLSRPT_OK) {
        rc = ngx_http_mta_sts_tlsrpt_check(&rp);
    }

    if (rc != NGX_HTTP_MTA_STS_TLSRPT_OK) {
        rpt->successful = 0;
        rpt->failed = 0;
        rpt->domains_len = 0;
        rpt->npolicies = 0;
    }

    ngx_http_mta_sts_json_trim(js, 0);

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


/* the JSON through the parser: OK, or why not */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_json(ngx_http_mta_sts_tlsrpt_stream_t *st,
    ngx_http_mta_sts_json_t *js)
{
    size_t                      n;
    u_char                     *p;
    ngx_int_t                   rc, over;
    ngx_http_mta_sts_tlsrpt_t  *rpt;

    rpt = st->rpt;

    for ( ;; ) {

        if (st->inflating) {
            p = st->out;
            n = ngx_http_mta_sts_tlsrpt_inflate(st, p, sizeof(st->out));

            if (st->rc != NGX_HTTP_MTA_STS_TLSRPT_OK) {
                return st->rc;
            }

        } else {
            while (st->pos == st->last && !st->eof) {
                if (ngx_http_mta_sts_tlsrpt_fill(st) != NGX_OK) {
                    return st->rc;
                }
            }

            p = st->pos;
            n = st->last - st->pos;
            st->pos = st->last;
        }

        if (n == 0) {
            break;
        }

        over = 0;

        if (n > rpt->max_json - st->total) {
            n = rpt->max_json - st->total;
            over = 1;
        }

        st->total += n;

        rc = ngx_http_mta_sts_json_feed(js, p, n);

        if (rc == NGX_DECLINED) {
            rpt->reason = js->reason;
            return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
        }

        if (rc != NGX_OK) {
            rpt->reason = "out of memory";
            return NGX_HTTP_MTA_STS_TLSRPT_ERROR;
        }

        if (over) {
            rpt->reason = "the report is larger than the JSON size limit";
            return NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE;
        }

        if (st->pending != NGX_HTTP_MTA_STS_TLSRPT_OK) {
            rpt->reason = st->pending_reason;
            return st->pending;
        }
    }

    if (ngx_http_mta_sts_json_end(js) != NGX_OK) {
        rpt->reason = js->reason;
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    return NGX_HTTP_MTA_STS_TLSRPT_OK;
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
 * RFC 8460, section 4.4.  Only what the receiver needs is required: the
 * organization, the report id, the date range and a policies array.
 * Everything else is taken as sent: real reports differ from the RFC in
 * mx-host, in the time zone of their dates, in missing policy-domain and
 * failure fields, and in result types the RFC does not list.
 */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_check(ngx_http_mta_sts_tlsrpt_report_t *rp)
{
    u_char                     *arena;
    ngx_http_mta_sts_tlsrpt_t  *rpt;

    rpt = rp->rpt;
    arena = rp->js->arena;

    if (!rp->root_object) {
        rpt->reason = "the report is not a JSON object";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!rp->has_org || rp->org_len == 0) {
        rpt->reason = "no \"organization-name\" string";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!rp->has_id || rp->id_len == 0) {
        rpt->reason = "no \"report-id\" string";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!rp->range_object) {
        rpt->reason = "no \"date-range\" object";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!rp->start_ok) {
        rpt->reason = "no valid \"start-datetime\"";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!rp->end_ok) {
        rpt->reason = "no valid \"end-datetime\"";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!rp->policies_array) {
        rpt->reason = "no \"policies\" array";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    rpt->organization_len = ngx_http_mta_sts_tlsrpt_text(rpt->organization,
                                    arena + rp->org, rp->org_len,
                                    NGX_HTTP_MTA_STS_TLSRPT_TEXT_MAX);
    rpt->report_id_len = ngx_http_mta_sts_tlsrpt_text(rpt->report_id,
                                    arena + rp->id, rp->id_len,
                                    NGX_HTTP_MTA_STS_TLSRPT_TEXT_MAX);

    if (ngx_http_mta_sts_tlsrpt_name(rp) != NGX_OK) {
        rpt->reason = "SHA-256 failed";
        return NGX_HTTP_MTA_STS_TLSRPT_ERROR;
    }

    return NGX_HTTP_MTA_STS_TLSRPT_OK;
}


/* the policy-domain of one policy, as it streams by */

static void
ngx_http_mta_sts_tlsrpt_policy(ngx_http_mta_sts_tlsrpt_report_t *rp,
    u_char *s, size_t slen)
{
    size_t                      len;
    u_char                     *p, *last, domain[254];
    ngx_http_mta_sts_tlsrpt_t  *rpt;

    rpt = rp->rpt;

    len = ngx_http_mta_sts_tlsrpt_domain(domain, s, slen);

    if (len == 0) {
        return;
    }

    if (rp->policy) {
        memcpy(rp->policy->domain, domain, len);
        rp->policy->domain_len = len;
    }

    if (rp->first_len == 0) {
        memcpy(rp->first, domain, len);
        rp->first_len = len;
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


/* a string as sent, cut at max bytes on a UTF-8 character's start */

static size_t
ngx_http_mta_sts_tlsrpt_text(u_char *dst, u_char *p, size_t len, size_t max)
{
    if (len > max) {
        len = max;

        /* not in the middle of a UTF-8 sequence */

        while (len && (p[len] & 0xc0) == 0x80) {
            len--;
        }
    }

    memcpy(dst, p, len);

    return len;
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
ngx_http_mta_sts_tlsrpt_name(ngx_http_mta_sts_tlsrpt_report_t *rp)
{
    int                         ok;
    size_t                      len, domain_len;
    u_char                     *p, *s, *domain, *arena, sender[254],
                                hash[EVP_MAX_MD_SIZE];
    EVP_MD_CTX                 *md;
    ngx_http_mta_sts_tlsrpt_t  *rpt;
    static u_char               hex[] = "0123456789abcdef";

    rpt = rp->rpt;
    arena = rp->js->arena;

    len = 0;

    if (rp->has_contact) {
        s = arena + rp->contact;
        p = s + rp->contact_len;

        /* the domain after the last "@" */

        while (p > s && p[-1] != '@') {
            p--;
        }

        len = ngx_http_mta_sts_tlsrpt_domain(sender, p,
                                             rp->contact_len - (p - s));
    }

    if (len == 0) {
        len = sizeof("unknown") - 1;
        memcpy(sender, "unknown", len);
    }

    domain = rp->first;
    domain_len = rp->first_len;

    if (domain_len == 0) {
        domain_len = sizeof("unknown") - 1;
        memcpy(domain, "unknown", domain_len);
    }

    md = EVP_MD_CTX_new();
    if (md == NULL) {
        return NGX_ERROR;
    }

    ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL)
         && EVP_DigestUpdate(md, sender, len)
         && EVP_DigestUpdate(md, "", 1)
         && EVP_DigestUpdate(md, arena + rp->org, rp->org_len)
         && EVP_DigestUpdate(md, "", 1)
         && EVP_DigestUpdate(md, arena + rp->id, rp->id_len)
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
