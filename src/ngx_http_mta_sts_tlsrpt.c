
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_tlsrpt.h>

#include <math.h>
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
 * The JSON parser: push-style, a byte at a time over whatever the stream
 * gives, with no tree.  It checks all of RFC 8259 and I-JSON (RFC 7493:
 * strict UTF-8, no surrogates, no NUL, no duplicate names in an object)
 * and the nesting cap, and keeps only what the receiver uses: the
 * required strings of the report and, for each policy, its domain, its
 * two counts and its failure-details rows, for the status counters.
 * Its memory is the names of the open objects and the kept strings, no
 * more than the JSON's own size.
 */

/* what a value is to the receiver */
#define NGX_HTTP_MTA_STS_J_NONE      0
#define NGX_HTTP_MTA_STS_J_ROOT      1
#define NGX_HTTP_MTA_STS_J_ORG       2
#define NGX_HTTP_MTA_STS_J_ID        3
#define NGX_HTTP_MTA_STS_J_CONTACT   4
#define NGX_HTTP_MTA_STS_J_RANGE     5
#define NGX_HTTP_MTA_STS_J_START     6
#define NGX_HTTP_MTA_STS_J_END       7
#define NGX_HTTP_MTA_STS_J_POLICIES  8
#define NGX_HTTP_MTA_STS_J_ITEM      9
#define NGX_HTTP_MTA_STS_J_POLICY    10
#define NGX_HTTP_MTA_STS_J_DOMAIN    11
#define NGX_HTTP_MTA_STS_J_SUMMARY   12
#define NGX_HTTP_MTA_STS_J_SUCCESS   13
#define NGX_HTTP_MTA_STS_J_FAILURE   14
#define NGX_HTTP_MTA_STS_J_DETAILS   15  /* "failure-details" */
#define NGX_HTTP_MTA_STS_J_DETAIL    16  /* one of its rows */
#define NGX_HTTP_MTA_STS_J_TYPE      17  /* the row's strings, kept */
#define NGX_HTTP_MTA_STS_J_MX        18
#define NGX_HTTP_MTA_STS_J_IP        19
#define NGX_HTTP_MTA_STS_J_REASON    20
#define NGX_HTTP_MTA_STS_J_COUNT     21  /* "failed-session-count" */

/* parser states */
#define NGX_HTTP_MTA_STS_J_VALUE     0   /* a value */
#define NGX_HTTP_MTA_STS_J_FIRST     1   /* a value or "]" */
#define NGX_HTTP_MTA_STS_J_KEY_FIRST 2   /* a name or "}" */
#define NGX_HTTP_MTA_STS_J_KEY       3   /* a name */
#define NGX_HTTP_MTA_STS_J_COLON     4
#define NGX_HTTP_MTA_STS_J_AFTER     5   /* "," or the container's end */
#define NGX_HTTP_MTA_STS_J_DONE      6   /* white space only */
#define NGX_HTTP_MTA_STS_J_STRING    7
#define NGX_HTTP_MTA_STS_J_ESCAPE    8
#define NGX_HTTP_MTA_STS_J_HEX       9   /* \uXXXX */
#define NGX_HTTP_MTA_STS_J_LOW_BS    10  /* "\" of a low surrogate */
#define NGX_HTTP_MTA_STS_J_LOW_U     11  /* its "u" */
#define NGX_HTTP_MTA_STS_J_UTF8      12  /* UTF-8 continuation bytes */
#define NGX_HTTP_MTA_STS_J_LITERAL   13
#define NGX_HTTP_MTA_STS_J_MINUS     14  /* number states */
#define NGX_HTTP_MTA_STS_J_ZERO      15
#define NGX_HTTP_MTA_STS_J_INT       16
#define NGX_HTTP_MTA_STS_J_DOT       17
#define NGX_HTTP_MTA_STS_J_FRAC      18
#define NGX_HTTP_MTA_STS_J_E         19
#define NGX_HTTP_MTA_STS_J_E_SIGN    20
#define NGX_HTTP_MTA_STS_J_EXP       21

#define NGX_HTTP_MTA_STS_J_DIGITS    40  /* significant digits kept */


typedef struct {
    u_char                      type;       /* '{' or '[' */
    u_char                      role;
    uint32_t                    names;      /* arena offset of its names */
    uint32_t                    entries;    /* its first name entry */
} ngx_http_mta_sts_json_level_t;


typedef struct {
    uint32_t                    hash;
    uint32_t                    next;       /* in its bucket, 0: none */
    uint32_t                    off;
    uint32_t                    len;
} ngx_http_mta_sts_json_entry_t;


typedef struct {
    ngx_uint_t                  state;
    ngx_uint_t                  role;       /* of the value being read */
    ngx_uint_t                  depth;
    ngx_uint_t                  is_key;
    ngx_uint_t                  keep;       /* a string kept */
    uint32_t                    start;      /* its arena offset */

    /* \u escapes and UTF-8 sequences */
    uint32_t                    cp;
    uint32_t                    high;
    uint32_t                    min;
    ngx_uint_t                  need;

    /* literals */
    const char                 *lit;

    /* numbers: their value as jansson would take it */
    ngx_uint_t                  negative;
    ngx_uint_t                  real;
    ngx_uint_t                  overflow;
    uint64_t                    mag;
    ngx_int_t                   exp10;      /* where the first digit is */
    ngx_uint_t                  exp_neg;
    int64_t                     exp;
    ngx_uint_t                  ndigits;
    u_char                      digits[NGX_HTTP_MTA_STS_J_DIGITS];

    /* what the receiver uses */
    ngx_uint_t                  root_object;
    ngx_uint_t                  range_object;
    ngx_uint_t                  policies_array;
    ngx_uint_t                  start_ok;
    ngx_uint_t                  end_ok;
    uint32_t                    org, org_len;
    uint32_t                    id, id_len;
    uint32_t                    contact, contact_len;
    ngx_uint_t                  has_org, has_id, has_contact;
    u_char                      first[254];
    size_t                      first_len;

    ngx_http_mta_sts_json_level_t  levels[NGX_HTTP_MTA_STS_TLSRPT_DEPTH];

    /* decoded names of the open objects, and the kept strings */
    u_char                     *arena;
    size_t                      arena_len;
    size_t                      arena_size;

    ngx_http_mta_sts_json_entry_t  *entries;  /* [0] unused */
    size_t                      nentries;
    size_t                      entries_size;
    uint32_t                   *buckets;
    size_t                      nbuckets;

    size_t                      peak;

    /* the policy being read, NULL past the first POLICIES, and its row */
    ngx_http_mta_sts_tlsrpt_policy_t  *policy;
    ngx_http_mta_sts_tlsrpt_detail_t   detail;
} ngx_http_mta_sts_json_t;


static void ngx_http_mta_sts_json_reset(ngx_http_mta_sts_json_t *js);
static void ngx_http_mta_sts_json_trim(ngx_http_mta_sts_json_t *js,
    ngx_uint_t all);
static void ngx_http_mta_sts_json_peak(ngx_http_mta_sts_json_t *js);
static ngx_int_t ngx_http_mta_sts_json_room(ngx_http_mta_sts_json_t *js,
    size_t n);
static ngx_int_t ngx_http_mta_sts_json_emit(ngx_http_mta_sts_json_t *js,
    uint32_t cp);
static ngx_int_t ngx_http_mta_sts_json_name(ngx_http_mta_sts_json_t *js,
    u_char *name, size_t len);
static ngx_uint_t ngx_http_mta_sts_json_role(ngx_uint_t parent,
    u_char *name, size_t len);
static void ngx_http_mta_sts_json_next(ngx_http_mta_sts_json_t *js);
static ngx_uint_t ngx_http_mta_sts_json_element(ngx_http_mta_sts_json_t *js);
static ngx_int_t ngx_http_mta_sts_json_open(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_tlsrpt_t *rpt, u_char c);
static void ngx_http_mta_sts_json_close(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_tlsrpt_t *rpt);
static void ngx_http_mta_sts_json_detail(ngx_http_mta_sts_json_t *js,
    u_char *s, size_t len);
static ngx_int_t ngx_http_mta_sts_json_string(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_tlsrpt_t *rpt);
static ngx_int_t ngx_http_mta_sts_json_number(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_tlsrpt_t *rpt);
static void ngx_http_mta_sts_json_digit(ngx_http_mta_sts_json_t *js,
    u_char c);
static ngx_int_t ngx_http_mta_sts_json_feed(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_tlsrpt_t *rpt, u_char *p, size_t n);
static ngx_int_t ngx_http_mta_sts_tlsrpt_fill(
    ngx_http_mta_sts_tlsrpt_stream_t *st);
static ngx_int_t ngx_http_mta_sts_tlsrpt_measure(
    ngx_http_mta_sts_tlsrpt_stream_t *st);
static size_t ngx_http_mta_sts_tlsrpt_inflate(
    ngx_http_mta_sts_tlsrpt_stream_t *st, u_char *out, size_t size);
static ngx_int_t ngx_http_mta_sts_tlsrpt_json(
    ngx_http_mta_sts_tlsrpt_stream_t *st, ngx_http_mta_sts_json_t *js);
static ngx_int_t ngx_http_mta_sts_tlsrpt_check(ngx_http_mta_sts_tlsrpt_t *rpt,
    ngx_http_mta_sts_json_t *js);
static void ngx_http_mta_sts_tlsrpt_policy(ngx_http_mta_sts_tlsrpt_t *rpt,
    ngx_http_mta_sts_json_t *js, u_char *s, size_t len);
static size_t ngx_http_mta_sts_tlsrpt_text(u_char *dst, u_char *p,
    size_t len, size_t max);
static ngx_int_t ngx_http_mta_sts_tlsrpt_name(ngx_http_mta_sts_tlsrpt_t *rpt,
    ngx_http_mta_sts_json_t *js);
static int64_t ngx_http_mta_sts_tlsrpt_days(int64_t y, int64_t m,
    int64_t d);


/* printable ASCII but '"' and '\': copied as they are */
static const u_char  ngx_http_mta_sts_json_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
};


/* one parser a process, its buffers kept between reports while small */
static ngx_http_mta_sts_json_t  ngx_http_mta_sts_json_parser;


static void
ngx_http_mta_sts_json_reset(ngx_http_mta_sts_json_t *js)
{
    js->state = NGX_HTTP_MTA_STS_J_VALUE;
    js->role = NGX_HTTP_MTA_STS_J_ROOT;
    js->depth = 0;
    js->high = 0;
    js->root_object = 0;
    js->range_object = 0;
    js->policies_array = 0;
    js->start_ok = 0;
    js->end_ok = 0;
    js->has_org = 0;
    js->has_id = 0;
    js->has_contact = 0;
    js->first_len = 0;
    js->arena_len = 0;
    js->nentries = 1;
    js->peak = 0;
    js->policy = NULL;

    if (js->buckets) {
        memset(js->buckets, 0, js->nbuckets * sizeof(uint32_t));
    }

    ngx_http_mta_sts_json_peak(js);
}


/* frees buffers a large report grew, so that a worker keeps only small */

static void
ngx_http_mta_sts_json_trim(ngx_http_mta_sts_json_t *js, ngx_uint_t all)
{
    if (all || js->arena_size > 65536) {
        free(js->arena);
        js->arena = NULL;
        js->arena_size = 0;
    }

    if (all || js->entries_size > 4096 || js->nbuckets > 4096) {
        free(js->entries);
        free(js->buckets);
        js->entries = NULL;
        js->entries_size = 0;
        js->buckets = NULL;
        js->nbuckets = 0;
    }
}


static void
ngx_http_mta_sts_json_peak(ngx_http_mta_sts_json_t *js)
{
    size_t  n;

    n = js->arena_size
        + js->entries_size * sizeof(ngx_http_mta_sts_json_entry_t)
        + js->nbuckets * sizeof(uint32_t);

    if (n > js->peak) {
        js->peak = n;
    }
}


/* room for n more arena bytes; offsets stay 32 bits */

static ngx_int_t
ngx_http_mta_sts_json_room(ngx_http_mta_sts_json_t *js, size_t n)
{
    size_t   size;
    u_char  *p;

    if (js->arena_len + n <= js->arena_size) {
        return NGX_OK;
    }

    size = js->arena_size ? js->arena_size * 2 : 4096;

    while (size < js->arena_len + n) {
        size *= 2;
    }

    if (size > 0xffffffff) {
        return NGX_ERROR;
    }

    p = realloc(js->arena, size);
    if (p == NULL) {
        return NGX_ERROR;
    }

    js->arena = p;
    js->arena_size = size;

    ngx_http_mta_sts_json_peak(js);

    return NGX_OK;
}


static ngx_int_t
ngx_http_mta_sts_json_emit(ngx_http_mta_sts_json_t *js, uint32_t cp)
{
    u_char  *p;

    if (!js->keep) {
        return NGX_OK;
    }

    if (ngx_http_mta_sts_json_room(js, 4) != NGX_OK) {
        return NGX_ERROR;
    }

    p = js->arena + js->arena_len;

    if (cp < 0x80) {
        *p++ = (u_char) cp;

    } else if (cp < 0x800) {
        *p++ = (u_char) (0xc0 | (cp >> 6));
        *p++ = (u_char) (0x80 | (cp & 0x3f));

    } else if (cp < 0x10000) {
        *p++ = (u_char) (0xe0 | (cp >> 12));
        *p++ = (u_char) (0x80 | ((cp >> 6) & 0x3f));
        *p++ = (u_char) (0x80 | (cp & 0x3f));

    } else {
        *p++ = (u_char) (0xf0 | (cp >> 18));
        *p++ = (u_char) (0x80 | ((cp >> 12) & 0x3f));
        *p++ = (u_char) (0x80 | ((cp >> 6) & 0x3f));
        *p++ = (u_char) (0x80 | (cp & 0x3f));
    }

    js->arena_len = p - js->arena;

    return NGX_OK;
}


/*
 * A name of the innermost object: NGX_DECLINED if the object has it
 * already (I-JSON, RFC 7493, section 2.3), else kept for the next names.
 * The names of one object are the newest entries of each bucket's chain,
 * and leave it when the object ends.
 */

static ngx_int_t
ngx_http_mta_sts_json_name(ngx_http_mta_sts_json_t *js, u_char *name,
    size_t len)
{
    size_t                          i, n;
    uint32_t                        h, *b;
    ngx_http_mta_sts_json_entry_t  *e;
    ngx_http_mta_sts_json_level_t  *lv;

    lv = &js->levels[js->depth - 1];

    /* FNV-1a */

    h = 2166136261u;

    for (i = 0; i < len; i++) {
        h = (h ^ name[i]) * 16777619u;
    }

    if (js->nentries >= js->entries_size) {
        n = js->entries_size ? js->entries_size * 2 : 256;

        if (n > 0xffffffff) {
            return NGX_ERROR;
        }

        e = realloc(js->entries, n * sizeof(ngx_http_mta_sts_json_entry_t));
        if (e == NULL) {
            return NGX_ERROR;
        }

        js->entries = e;
        js->entries_size = n;
    }

    if (js->nentries > js->nbuckets) {
        n = js->nbuckets ? js->nbuckets * 2 : 256;

        b = realloc(js->buckets, n * sizeof(uint32_t));
        if (b == NULL) {
            return NGX_ERROR;
        }

        js->buckets = b;
        js->nbuckets = n;

        memset(b, 0, n * sizeof(uint32_t));

        for (i = 1; i < js->nentries; i++) {
            e = &js->entries[i];
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = i;
        }

        ngx_http_mta_sts_json_peak(js);
    }

    b = &js->buckets[h & (js->nbuckets - 1)];

    for (i = *b; i >= lv->entries; i = e->next) {
        e = &js->entries[i];

        if (e->hash == h && e->len == len
            && memcmp(js->arena + e->off, name, len) == 0)
        {
            return NGX_DECLINED;
        }
    }

    e = &js->entries[js->nentries];
    e->hash = h;
    e->next = *b;
    e->off = name - js->arena;
    e->len = len;
    *b = js->nentries++;

    return NGX_OK;
}


#define ngx_http_mta_sts_json_is(name, len, s)                               \
    ((len) == sizeof(s) - 1 && memcmp(name, s, sizeof(s) - 1) == 0)


/* what the value of a name is to the receiver, by where the object is */

static ngx_uint_t
ngx_http_mta_sts_json_role(ngx_uint_t parent, u_char *name, size_t len)
{
    switch (parent) {

    case NGX_HTTP_MTA_STS_J_ROOT:
        if (ngx_http_mta_sts_json_is(name, len, "organization-name")) {
            return NGX_HTTP_MTA_STS_J_ORG;
        }

        if (ngx_http_mta_sts_json_is(name, len, "report-id")) {
            return NGX_HTTP_MTA_STS_J_ID;
        }

        if (ngx_http_mta_sts_json_is(name, len, "contact-info")) {
            return NGX_HTTP_MTA_STS_J_CONTACT;
        }

        if (ngx_http_mta_sts_json_is(name, len, "date-range")) {
            return NGX_HTTP_MTA_STS_J_RANGE;
        }

        if (ngx_http_mta_sts_json_is(name, len, "policies")) {
            return NGX_HTTP_MTA_STS_J_POLICIES;
        }

        break;

    case NGX_HTTP_MTA_STS_J_RANGE:
        if (ngx_http_mta_sts_json_is(name, len, "start-datetime")) {
            return NGX_HTTP_MTA_STS_J_START;
        }

        if (ngx_http_mta_sts_json_is(name, len, "end-datetime")) {
            return NGX_HTTP_MTA_STS_J_END;
        }

        break;

    case NGX_HTTP_MTA_STS_J_ITEM:
        if (ngx_http_mta_sts_json_is(name, len, "policy")) {
            return NGX_HTTP_MTA_STS_J_POLICY;
        }

        if (ngx_http_mta_sts_json_is(name, len, "summary")) {
            return NGX_HTTP_MTA_STS_J_SUMMARY;
        }

        if (ngx_http_mta_sts_json_is(name, len, "failure-details")) {
            return NGX_HTTP_MTA_STS_J_DETAILS;
        }

        break;

    case NGX_HTTP_MTA_STS_J_DETAIL:
        if (ngx_http_mta_sts_json_is(name, len, "result-type")) {
            return NGX_HTTP_MTA_STS_J_TYPE;
        }

        if (ngx_http_mta_sts_json_is(name, len, "receiving-mx-hostname")) {
            return NGX_HTTP_MTA_STS_J_MX;
        }

        if (ngx_http_mta_sts_json_is(name, len, "receiving-ip")) {
            return NGX_HTTP_MTA_STS_J_IP;
        }

        if (ngx_http_mta_sts_json_is(name, len, "failure-reason-code")) {
            return NGX_HTTP_MTA_STS_J_REASON;
        }

        if (ngx_http_mta_sts_json_is(name, len, "failed-session-count")) {
            return NGX_HTTP_MTA_STS_J_COUNT;
        }

        break;

    case NGX_HTTP_MTA_STS_J_POLICY:
        if (ngx_http_mta_sts_json_is(name, len, "policy-domain")) {
            return NGX_HTTP_MTA_STS_J_DOMAIN;
        }

        break;

    case NGX_HTTP_MTA_STS_J_SUMMARY:
        if (ngx_http_mta_sts_json_is(name, len,
                                     "total-successful-session-count"))
        {
            return NGX_HTTP_MTA_STS_J_SUCCESS;
        }

        if (ngx_http_mta_sts_json_is(name, len,
                                     "total-failure-session-count"))
        {
            return NGX_HTTP_MTA_STS_J_FAILURE;
        }

        break;
    }

    return NGX_HTTP_MTA_STS_J_NONE;
}


/* a value ended: what comes next */

static void
ngx_http_mta_sts_json_next(ngx_http_mta_sts_json_t *js)
{
    js->state = js->depth ? NGX_HTTP_MTA_STS_J_AFTER
                          : NGX_HTTP_MTA_STS_J_DONE;
}


/* the role of an array's elements */

static ngx_uint_t
ngx_http_mta_sts_json_element(ngx_http_mta_sts_json_t *js)
{
    switch (js->levels[js->depth - 1].role) {

    case NGX_HTTP_MTA_STS_J_POLICIES:
        return NGX_HTTP_MTA_STS_J_ITEM;

    case NGX_HTTP_MTA_STS_J_DETAILS:
        return NGX_HTTP_MTA_STS_J_DETAIL;
    }

    return NGX_HTTP_MTA_STS_J_NONE;
}


static ngx_int_t
ngx_http_mta_sts_json_open(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_tlsrpt_t *rpt, u_char c)
{
    ngx_http_mta_sts_json_level_t  *lv;

    if (js->depth == NGX_HTTP_MTA_STS_TLSRPT_DEPTH) {
        return NGX_DECLINED;
    }

    lv = &js->levels[js->depth++];
    lv->type = c;
    lv->role = (u_char) js->role;
    lv->names = js->arena_len;
    lv->entries = js->nentries;

    if (c == '{') {
        if (js->role == NGX_HTTP_MTA_STS_J_ROOT) {
            js->root_object = 1;

        } else if (js->role == NGX_HTTP_MTA_STS_J_RANGE) {
            js->range_object = 1;

        } else if (js->role == NGX_HTTP_MTA_STS_J_ITEM) {
            js->policy = NULL;

            if (rpt->npolicies < NGX_HTTP_MTA_STS_TLSRPT_POLICIES) {
                js->policy = &rpt->policies[rpt->npolicies++];
                ngx_memzero(js->policy,
                            offsetof(ngx_http_mta_sts_tlsrpt_policy_t,
                                     details));
            }

        } else if (js->role == NGX_HTTP_MTA_STS_J_DETAIL) {
            ngx_memzero(&js->detail,
                        offsetof(ngx_http_mta_sts_tlsrpt_detail_t, mx));
            js->detail.type = NGX_HTTP_MTA_STS_TLSRPT_NTYPES - 1;
        }

        js->state = NGX_HTTP_MTA_STS_J_KEY_FIRST;

    } else {
        if (js->role == NGX_HTTP_MTA_STS_J_POLICIES) {
            js->policies_array = 1;
        }

        js->role = ngx_http_mta_sts_json_element(js);
        js->state = NGX_HTTP_MTA_STS_J_FIRST;
    }

    return NGX_OK;
}


static void
ngx_http_mta_sts_json_close(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_tlsrpt_t *rpt)
{
    size_t                             i;
    ngx_http_mta_sts_json_entry_t     *e;
    ngx_http_mta_sts_json_level_t     *lv;
    ngx_http_mta_sts_tlsrpt_policy_t  *p;

    lv = &js->levels[--js->depth];
    p = js->policy;

    /*
     * a failure-details row ended: its sessions go to its type, which
     * may overlap others (RFC 8460, section 4.4), and the first rows
     * are kept
     */

    if (lv->type == '{' && lv->role == NGX_HTTP_MTA_STS_J_DETAIL
        && p != NULL)
    {
        p->types[js->detail.type] += js->detail.count;

        if (p->ndetails < NGX_HTTP_MTA_STS_TLSRPT_DETAILS) {
            p->details[p->ndetails++] = js->detail;
        }
    }

    /* the root's names stay: its kept strings are among them */

    if (lv->type == '{' && js->depth) {
        for (i = js->nentries - 1; i >= lv->entries; i--) {
            e = &js->entries[i];
            js->buckets[e->hash & (js->nbuckets - 1)] = e->next;
        }

        js->nentries = lv->entries;
        js->arena_len = lv->names;
    }

    ngx_http_mta_sts_json_next(js);
}


/* a string of a failure-details row: its type, or a field cut to size */

static void
ngx_http_mta_sts_json_detail(ngx_http_mta_sts_json_t *js, u_char *s,
    size_t len)
{
    u_char                            *dst;
    size_t                            *dst_len;
    ngx_str_t                         *name;
    ngx_http_mta_sts_tlsrpt_detail_t  *dt;

    dt = &js->detail;

    switch (js->role) {

    case NGX_HTTP_MTA_STS_J_TYPE:
        for (name = ngx_http_mta_sts_tlsrpt_types; name->len; name++) {
            if (name->len == len && memcmp(name->data, s, len) == 0) {
                dt->type = name - ngx_http_mta_sts_tlsrpt_types;
                break;
            }
        }

        return;

    case NGX_HTTP_MTA_STS_J_MX:
        dst = dt->mx;
        dst_len = &dt->mx_len;
        break;

    case NGX_HTTP_MTA_STS_J_IP:
        dst = dt->ip;
        dst_len = &dt->ip_len;
        break;

    default: /* NGX_HTTP_MTA_STS_J_REASON */
        dst = dt->reason;
        dst_len = &dt->reason_len;
        break;
    }

    *dst_len = ngx_http_mta_sts_tlsrpt_text(dst, s, len,
                                            NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX);
}


/* a string ended: a name, or a value the receiver may use */

static ngx_int_t
ngx_http_mta_sts_json_string(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_tlsrpt_t *rpt)
{
    size_t     len;
    u_char    *s;
    ngx_int_t  rc;

    s = js->arena + js->start;
    len = js->arena_len - js->start;

    if (js->is_key) {
        rc = ngx_http_mta_sts_json_name(js, s, len);
        if (rc != NGX_OK) {
            return rc;
        }

        js->role = ngx_http_mta_sts_json_role(
                                     js->levels[js->depth - 1].role, s, len);
        js->state = NGX_HTTP_MTA_STS_J_COLON;
        return NGX_OK;
    }

    switch (js->role) {

    case NGX_HTTP_MTA_STS_J_ORG:
        js->org = js->start;
        js->org_len = len;
        js->has_org = 1;
        break;

    case NGX_HTTP_MTA_STS_J_ID:
        js->id = js->start;
        js->id_len = len;
        js->has_id = 1;
        break;

    case NGX_HTTP_MTA_STS_J_CONTACT:
        js->contact = js->start;
        js->contact_len = len;
        js->has_contact = 1;
        break;

    case NGX_HTTP_MTA_STS_J_START:
        js->start_ok = (ngx_http_mta_sts_tlsrpt_datetime(s, len, &rpt->begin)
                        == NGX_OK);
        js->arena_len = js->start;
        break;

    case NGX_HTTP_MTA_STS_J_END:
        js->end_ok = (ngx_http_mta_sts_tlsrpt_datetime(s, len, &rpt->end)
                      == NGX_OK);
        js->arena_len = js->start;
        break;

    case NGX_HTTP_MTA_STS_J_DOMAIN:
        ngx_http_mta_sts_tlsrpt_policy(rpt, js, s, len);
        js->arena_len = js->start;
        break;

    case NGX_HTTP_MTA_STS_J_TYPE:
    case NGX_HTTP_MTA_STS_J_MX:
    case NGX_HTTP_MTA_STS_J_IP:
    case NGX_HTTP_MTA_STS_J_REASON:
        ngx_http_mta_sts_json_detail(js, s, len);
        js->arena_len = js->start;
        break;
    }

    ngx_http_mta_sts_json_next(js);

    return NGX_OK;
}


/*
 * A number ended: NGX_DECLINED where jansson refuses it, an integer out
 * of its 64 bits or a real that overflows a double; a count is added.
 */

static ngx_int_t
ngx_http_mta_sts_json_number(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_tlsrpt_t *rpt)
{
    int64_t  e;
    u_char   text[NGX_HTTP_MTA_STS_J_DIGITS + 16], *p;

    switch (js->state) {
    case NGX_HTTP_MTA_STS_J_MINUS:
    case NGX_HTTP_MTA_STS_J_DOT:
    case NGX_HTTP_MTA_STS_J_E:
    case NGX_HTTP_MTA_STS_J_E_SIGN:
        return NGX_DECLINED;
    }

    if (!js->real) {
        if (js->overflow
            || js->mag > (js->negative ? (uint64_t) 1 << 63
                                       : ((uint64_t) 1 << 63) - 1))
        {
            return NGX_DECLINED;
        }

        if (!js->negative && js->mag > 0 && js->mag < ((uint64_t) 1 << 48)) {
            switch (js->role) {

            case NGX_HTTP_MTA_STS_J_SUCCESS:
                rpt->successful += js->mag;

                if (js->policy) {
                    js->policy->successful += js->mag;
                }

                break;

            case NGX_HTTP_MTA_STS_J_FAILURE:
                rpt->failed += js->mag;

                if (js->policy) {
                    js->policy->failed += js->mag;
                }

                break;

            case NGX_HTTP_MTA_STS_J_COUNT:
                js->detail.count = js->mag;
                break;
            }
        }

    } else if (js->ndigits) {

        /* the value is 0.DIGITS times 10 to e */

        e = js->exp10 + (js->exp_neg ? -js->exp : js->exp);

        if (e > 309) {
            return NGX_DECLINED;
        }

        if (e == 309) {
            p = text;
            *p++ = '0';
            *p++ = '.';
            memcpy(p, js->digits, js->ndigits);
            p += js->ndigits;
            memcpy(p, "e309", sizeof("e309"));

            if (isinf(strtod((char *) text, NULL))) {
                return NGX_DECLINED;
            }
        }
    }

    ngx_http_mta_sts_json_next(js);

    return NGX_OK;
}


static void
ngx_http_mta_sts_json_digit(ngx_http_mta_sts_json_t *js, u_char c)
{
    if (js->ndigits < NGX_HTTP_MTA_STS_J_DIGITS) {
        js->digits[js->ndigits++] = c;
    }
}


/*
 * The next n bytes of the JSON: NGX_OK, NGX_DECLINED if they are not
 * JSON (reason set), NGX_ERROR without memory.
 */

static ngx_int_t
ngx_http_mta_sts_json_feed(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_tlsrpt_t *rpt, u_char *p, size_t n)
{
    u_char     c, *last, *q;
    ngx_int_t  rc, d;

    last = p + n;

    while (p < last) {
        c = *p;

        switch (js->state) {

        case NGX_HTTP_MTA_STS_J_STRING:

            for (q = p; q < last && ngx_http_mta_sts_json_plain[*q]; q++) {
                /* void */
            }

            if (js->keep && q != p) {
                if (ngx_http_mta_sts_json_room(js, q - p) != NGX_OK) {
                    return NGX_ERROR;
                }

                memcpy(js->arena + js->arena_len, p, q - p);
                js->arena_len += q - p;
            }

            p = q;

            if (p == last) {
                return NGX_OK;
            }

            c = *p++;

            if (c == '"') {
                rc = ngx_http_mta_sts_json_string(js, rpt);

                if (rc == NGX_ERROR) {
                    return NGX_ERROR;
                }

                if (rc != NGX_OK) {
                    goto invalid;
                }

                continue;
            }

            if (c == '\\') {
                js->state = NGX_HTTP_MTA_STS_J_ESCAPE;
                continue;
            }

            /* strict UTF-8 (RFC 3629), as jansson checks it */

            if (c >= 0xc2 && c <= 0xdf) {
                js->need = 1;
                js->min = 0x80;
                js->cp = c & 0x1f;

            } else if (c >= 0xe0 && c <= 0xef) {
                js->need = 2;
                js->min = 0x800;
                js->cp = c & 0x0f;

            } else if (c >= 0xf0 && c <= 0xf4) {
                js->need = 3;
                js->min = 0x10000;
                js->cp = c & 0x07;

            } else {
                /* a control character, or no UTF-8 lead byte */
                goto invalid;
            }

            js->state = NGX_HTTP_MTA_STS_J_UTF8;
            continue;

        case NGX_HTTP_MTA_STS_J_UTF8:
            if ((c & 0xc0) != 0x80) {
                goto invalid;
            }

            p++;
            js->cp = (js->cp << 6) | (c & 0x3f);

            if (--js->need) {
                continue;
            }

            if (js->cp < js->min || js->cp > 0x10ffff
                || (js->cp >= 0xd800 && js->cp <= 0xdfff))
            {
                goto invalid;
            }

            if (ngx_http_mta_sts_json_emit(js, js->cp) != NGX_OK) {
                return NGX_ERROR;
            }

            js->state = NGX_HTTP_MTA_STS_J_STRING;
            continue;

        case NGX_HTTP_MTA_STS_J_ESCAPE:
            p++;

            switch (c) {
            case '"':
            case '\\':
            case '/':
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            case 'u':
                js->need = 4;
                js->cp = 0;
                js->state = NGX_HTTP_MTA_STS_J_HEX;
                continue;
            default:
                goto invalid;
            }

            if (ngx_http_mta_sts_json_emit(js, c) != NGX_OK) {
                return NGX_ERROR;
            }

            js->state = NGX_HTTP_MTA_STS_J_STRING;
            continue;

        case NGX_HTTP_MTA_STS_J_HEX:
            if (c >= '0' && c <= '9') {
                d = c - '0';

            } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
                d = (c | 0x20) - 'a' + 10;

            } else {
                goto invalid;
            }

            p++;
            js->cp = js->cp * 16 + d;

            if (--js->need) {
                continue;
            }

            if (js->high) {
                if (js->cp < 0xdc00 || js->cp > 0xdfff) {
                    goto invalid;
                }

                js->cp = 0x10000 + ((js->high - 0xd800) << 10)
                         + (js->cp - 0xdc00);
                js->high = 0;

            } else if (js->cp >= 0xd800 && js->cp <= 0xdbff) {
                js->high = js->cp;
                js->state = NGX_HTTP_MTA_STS_J_LOW_BS;
                continue;

            } else if ((js->cp >= 0xdc00 && js->cp <= 0xdfff)
                       || js->cp == 0)
            {
                /* a lone low surrogate; NUL, as jansson refuses it */
                goto invalid;
            }

            if (ngx_http_mta_sts_json_emit(js, js->cp) != NGX_OK) {
                return NGX_ERROR;
            }

            js->state = NGX_HTTP_MTA_STS_J_STRING;
            continue;

        case NGX_HTTP_MTA_STS_J_LOW_BS:
            if (c != '\\') {
                goto invalid;
            }

            p++;
            js->state = NGX_HTTP_MTA_STS_J_LOW_U;
            continue;

        case NGX_HTTP_MTA_STS_J_LOW_U:
            if (c != 'u') {
                goto invalid;
            }

            p++;
            js->need = 4;
            js->cp = 0;
            js->state = NGX_HTTP_MTA_STS_J_HEX;
            continue;

        case NGX_HTTP_MTA_STS_J_LITERAL:
            if (c != (u_char) *js->lit) {
                goto invalid;
            }

            p++;

            if (*++js->lit == '\0') {
                ngx_http_mta_sts_json_next(js);
            }

            continue;

        case NGX_HTTP_MTA_STS_J_MINUS:
            if (c == '0') {
                js->state = NGX_HTTP_MTA_STS_J_ZERO;

            } else if (c >= '1' && c <= '9') {
                js->state = NGX_HTTP_MTA_STS_J_INT;
                js->mag = c - '0';
                js->exp10 = 1;
                ngx_http_mta_sts_json_digit(js, c);

            } else {
                goto invalid;
            }

            p++;
            continue;

        case NGX_HTTP_MTA_STS_J_INT:
            if (c >= '0' && c <= '9') {
                p++;

                if (js->mag > (UINT64_MAX - (c - '0')) / 10) {
                    js->overflow = 1;

                } else {
                    js->mag = js->mag * 10 + (c - '0');
                }

                js->exp10++;
                ngx_http_mta_sts_json_digit(js, c);
                continue;
            }

            /* fall through */

        case NGX_HTTP_MTA_STS_J_ZERO:
            if (c == '.') {
                p++;
                js->real = 1;
                js->state = NGX_HTTP_MTA_STS_J_DOT;
                continue;
            }

            if (c == 'e' || c == 'E') {
                p++;
                js->real = 1;
                js->state = NGX_HTTP_MTA_STS_J_E;
                continue;
            }

            goto number;

        case NGX_HTTP_MTA_STS_J_DOT:
        case NGX_HTTP_MTA_STS_J_FRAC:
            if (c >= '0' && c <= '9') {
                p++;
                js->state = NGX_HTTP_MTA_STS_J_FRAC;

                if (js->ndigits == 0 && c == '0') {
                    js->exp10--;

                } else {
                    ngx_http_mta_sts_json_digit(js, c);
                }

                continue;
            }

            if (js->state == NGX_HTTP_MTA_STS_J_FRAC
                && (c == 'e' || c == 'E'))
            {
                p++;
                js->state = NGX_HTTP_MTA_STS_J_E;
                continue;
            }

            goto number;

        case NGX_HTTP_MTA_STS_J_E:
            if (c == '+' || c == '-') {
                p++;
                js->exp_neg = (c == '-');
                js->state = NGX_HTTP_MTA_STS_J_E_SIGN;
                continue;
            }

            /* fall through */

        case NGX_HTTP_MTA_STS_J_E_SIGN:
        case NGX_HTTP_MTA_STS_J_EXP:
            if (c >= '0' && c <= '9') {
                p++;
                js->state = NGX_HTTP_MTA_STS_J_EXP;

                if (js->exp < 1000000000) {
                    js->exp = js->exp * 10 + (c - '0');
                }

                continue;
            }

        number:

            /* the byte after the number is read again after it */

            if (ngx_http_mta_sts_json_number(js, rpt) != NGX_OK) {
                goto invalid;
            }

            continue;

        default:
            break;
        }

        /* between tokens */

        p++;

        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        }

        switch (js->state) {

        case NGX_HTTP_MTA_STS_J_FIRST:
            if (c == ']') {
                ngx_http_mta_sts_json_close(js, rpt);
                continue;
            }

            /* fall through */

        case NGX_HTTP_MTA_STS_J_VALUE:

            if (c == '{' || c == '[') {
                if (ngx_http_mta_sts_json_open(js, rpt, c) != NGX_OK) {
                    rpt->reason = "JSON nested too deep";
                    return NGX_DECLINED;
                }

                continue;
            }

            /* jansson takes only an object or an array at the top */

            if (js->depth == 0) {
                goto invalid;
            }

            switch (c) {

            case '"':
                js->is_key = 0;
                js->keep = (js->role >= NGX_HTTP_MTA_STS_J_ORG
                            && js->role <= NGX_HTTP_MTA_STS_J_CONTACT)
                           || js->role == NGX_HTTP_MTA_STS_J_START
                           || js->role == NGX_HTTP_MTA_STS_J_END
                           || js->role == NGX_HTTP_MTA_STS_J_DOMAIN
                           || (js->role >= NGX_HTTP_MTA_STS_J_TYPE
                               && js->role <= NGX_HTTP_MTA_STS_J_REASON);
                js->start = js->arena_len;
                js->state = NGX_HTTP_MTA_STS_J_STRING;
                continue;

            case 't':
                js->lit = "rue";
                js->state = NGX_HTTP_MTA_STS_J_LITERAL;
                continue;

            case 'f':
                js->lit = "alse";
                js->state = NGX_HTTP_MTA_STS_J_LITERAL;
                continue;

            case 'n':
                js->lit = "ull";
                js->state = NGX_HTTP_MTA_STS_J_LITERAL;
                continue;
            }

            if (c != '-' && (c < '0' || c > '9')) {
                goto invalid;
            }

            js->negative = 0;
            js->real = 0;
            js->overflow = 0;
            js->mag = 0;
            js->exp10 = 0;
            js->exp_neg = 0;
            js->exp = 0;
            js->ndigits = 0;

            if (c == '-') {
                js->negative = 1;
                js->state = NGX_HTTP_MTA_STS_J_MINUS;

            } else if (c == '0') {
                js->state = NGX_HTTP_MTA_STS_J_ZERO;

            } else {
                js->mag = c - '0';
                js->exp10 = 1;
                js->digits[js->ndigits++] = c;
                js->state = NGX_HTTP_MTA_STS_J_INT;
            }

            continue;

        case NGX_HTTP_MTA_STS_J_KEY_FIRST:
            if (c == '}') {
                ngx_http_mta_sts_json_close(js, rpt);
                continue;
            }

            /* fall through */

        case NGX_HTTP_MTA_STS_J_KEY:
            if (c != '"') {
                goto invalid;
            }

            js->is_key = 1;
            js->keep = 1;
            js->start = js->arena_len;
            js->state = NGX_HTTP_MTA_STS_J_STRING;
            continue;

        case NGX_HTTP_MTA_STS_J_COLON:
            if (c != ':') {
                goto invalid;
            }

            js->state = NGX_HTTP_MTA_STS_J_VALUE;
            continue;

        case NGX_HTTP_MTA_STS_J_AFTER:
            if (c == ',') {
                if (js->levels[js->depth - 1].type == '{') {
                    js->state = NGX_HTTP_MTA_STS_J_KEY;

                } else {
                    js->role = ngx_http_mta_sts_json_element(js);
                    js->state = NGX_HTTP_MTA_STS_J_VALUE;
                }

                continue;
            }

            if (c == (js->levels[js->depth - 1].type == '{' ? '}' : ']')) {
                ngx_http_mta_sts_json_close(js, rpt);
                continue;
            }

            goto invalid;

        default: /* NGX_HTTP_MTA_STS_J_DONE */
            goto invalid;
        }
    }

    return NGX_OK;

invalid:

    rpt->reason = "not JSON";

    return NGX_DECLINED;
}


void
ngx_http_mta_sts_tlsrpt_cleanup(void)
{
    if (ngx_http_mta_sts_tlsrpt_zs_ready) {
        inflateEnd(&ngx_http_mta_sts_tlsrpt_zs);
        ngx_http_mta_sts_tlsrpt_zs_ready = 0;
    }

    ngx_http_mta_sts_json_trim(&ngx_http_mta_sts_json_parser, 1);
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

    js = &ngx_http_mta_sts_json_parser;

    ngx_http_mta_sts_json_reset(js);

    rc = ngx_http_mta_sts_tlsrpt_json(st, js);

    rpt->json_size = st->total;
    rpt->tree_peak = js->peak;

    if (rc == NGX_HTTP_MTA_STS_TLSRPT_OK) {
        rc = ngx_http_mta_sts_tlsrpt_check(rpt, js);
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

        rc = ngx_http_mta_sts_json_feed(js, rpt, p, n);

        if (rc == NGX_DECLINED) {
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

    if (js->state != NGX_HTTP_MTA_STS_J_DONE) {
        rpt->reason = "not JSON";
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
ngx_http_mta_sts_tlsrpt_check(ngx_http_mta_sts_tlsrpt_t *rpt,
    ngx_http_mta_sts_json_t *js)
{
    if (!js->root_object) {
        rpt->reason = "the report is not a JSON object";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!js->has_org || js->org_len == 0) {
        rpt->reason = "no \"organization-name\" string";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!js->has_id || js->id_len == 0) {
        rpt->reason = "no \"report-id\" string";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!js->range_object) {
        rpt->reason = "no \"date-range\" object";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!js->start_ok) {
        rpt->reason = "no valid \"start-datetime\"";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!js->end_ok) {
        rpt->reason = "no valid \"end-datetime\"";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    if (!js->policies_array) {
        rpt->reason = "no \"policies\" array";
        return NGX_HTTP_MTA_STS_TLSRPT_INVALID;
    }

    rpt->organization_len = ngx_http_mta_sts_tlsrpt_text(rpt->organization,
                                    js->arena + js->org, js->org_len,
                                    NGX_HTTP_MTA_STS_TLSRPT_TEXT_MAX);
    rpt->report_id_len = ngx_http_mta_sts_tlsrpt_text(rpt->report_id,
                                    js->arena + js->id, js->id_len,
                                    NGX_HTTP_MTA_STS_TLSRPT_TEXT_MAX);

    if (ngx_http_mta_sts_tlsrpt_name(rpt, js) != NGX_OK) {
        rpt->reason = "SHA-256 failed";
        return NGX_HTTP_MTA_STS_TLSRPT_ERROR;
    }

    return NGX_HTTP_MTA_STS_TLSRPT_OK;
}


/* the policy-domain of one policy, as it streams by */

static void
ngx_http_mta_sts_tlsrpt_policy(ngx_http_mta_sts_tlsrpt_t *rpt,
    ngx_http_mta_sts_json_t *js, u_char *s, size_t slen)
{
    size_t   len;
    u_char  *p, *last, domain[254];

    len = ngx_http_mta_sts_tlsrpt_domain(domain, s, slen);

    if (len == 0) {
        return;
    }

    if (js->policy) {
        memcpy(js->policy->domain, domain, len);
        js->policy->domain_len = len;
    }

    if (js->first_len == 0) {
        memcpy(js->first, domain, len);
        js->first_len = len;
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
ngx_http_mta_sts_tlsrpt_name(ngx_http_mta_sts_tlsrpt_t *rpt,
    ngx_http_mta_sts_json_t *js)
{
    int             ok;
    size_t          len, domain_len;
    u_char         *p, *s, *domain, sender[254], hash[EVP_MAX_MD_SIZE];
    EVP_MD_CTX     *md;
    static u_char   hex[] = "0123456789abcdef";

    len = 0;

    if (js->has_contact) {
        s = js->arena + js->contact;
        p = s + js->contact_len;

        /* the domain after the last "@" */

        while (p > s && p[-1] != '@') {
            p--;
        }

        len = ngx_http_mta_sts_tlsrpt_domain(sender, p,
                                             js->contact_len - (p - s));
    }

    if (len == 0) {
        len = sizeof("unknown") - 1;
        memcpy(sender, "unknown", len);
    }

    domain = js->first;
    domain_len = js->first_len;

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
         && EVP_DigestUpdate(md, js->arena + js->org, js->org_len)
         && EVP_DigestUpdate(md, "", 1)
         && EVP_DigestUpdate(md, js->arena + js->id, js->id_len)
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
