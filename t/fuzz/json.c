
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * A libFuzzer target for src/ngx_http_mta_sts_json.c: bytes in, a
 * verdict and the handler's events out.
 *
 * The input is
 *
 *     CTL JSON
 *
 *   CTL   one byte: bits 0-3 the most bytes one read gives in the second
 *         parse (1 to 16), bit 4 whether names starting with "x" get
 *         role 0 (their values ignored);
 *   JSON  the bytes fed to the parser.
 *
 * Checks, abort() on any failure:
 *
 *   - the verdict is NGX_OK, or NGX_DECLINED with a reason;
 *   - every name and every string the handler gets is strict UTF-8
 *     (RFC 3629: no overlong form, no surrogate, nothing past U+10FFFF)
 *     with no NUL, inside the parser's arena;
 *   - objects and arrays open and close in pairs, never more than
 *     NGX_HTTP_MTA_STS_JSON_DEPTH deep, and all are closed on NGX_OK;
 *     no name comes twice in one object;
 *   - nothing reaches the handler from inside a role-0 value;
 *   - on NGX_OK the input is JSON by a second, simple reading here: an
 *     object or an array and white space only after it;
 *   - the same input fed whole and in small reads gives the same
 *     verdict, the same reason and the same events.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_json.h>

#include <stdio.h>


typedef struct {
    uint64_t    hash;        /* of the events, FNV-1a */
    ngx_uint_t  depth;
    ngx_uint_t  events;
    ngx_uint_t  skip_x;

    /* the names of each open object, for duplicates, up to a few */
    u_char      names[NGX_HTTP_MTA_STS_JSON_DEPTH][16][8];
    size_t      lens[NGX_HTTP_MTA_STS_JSON_DEPTH][16];
    ngx_uint_t  nnames[NGX_HTTP_MTA_STS_JSON_DEPTH];
    u_char      types[NGX_HTTP_MTA_STS_JSON_DEPTH];
} fuzz_record_t;


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ngx_uint_t fuzz_name(void *data, ngx_uint_t role, u_char *name,
    size_t len);
static ngx_uint_t fuzz_element(void *data, ngx_uint_t role);
static void fuzz_open(void *data, ngx_uint_t role, u_char type);
static void fuzz_close(void *data, ngx_uint_t role, u_char type);
static ngx_int_t fuzz_string(void *data, ngx_uint_t role, u_char *s,
    size_t len);
static void fuzz_integer(void *data, ngx_uint_t role, ngx_uint_t negative,
    uint64_t mag);
static void fuzz_event(fuzz_record_t *rec, const u_char *p, size_t len);
static void fuzz_text(u_char *s, size_t len);
static ngx_int_t fuzz_parse(fuzz_record_t *rec, const u_char *p,
    size_t len, size_t step, ngx_uint_t skip_x, const char **reason);
static void fuzz_top(const u_char *p, size_t len);


static ngx_http_mta_sts_json_handler_t  fuzz_handler = {
    fuzz_name,
    fuzz_element,
    fuzz_open,
    fuzz_close,
    fuzz_string,
    fuzz_integer
};

static ngx_http_mta_sts_json_t  js;
static fuzz_record_t            a, b;


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t       step;
    ngx_int_t    rc, rc2;
    ngx_uint_t   skip_x;
    const char  *reason, *reason2;

    if (size < 1) {
        return 0;
    }

    step = (data[0] & 15) + 1;
    skip_x = (data[0] >> 4) & 1;
    data++;
    size--;

    rc = fuzz_parse(&a, data, size, 0, skip_x, &reason);

    if (rc != NGX_OK && rc != NGX_DECLINED) {
        abort();
    }

    if (rc == NGX_DECLINED && reason == NULL) {
        abort();
    }

    if (rc == NGX_OK) {
        if (a.depth != 0) {
            abort();
        }

        fuzz_top(data, size);
    }

    rc2 = fuzz_parse(&b, data, size, step, skip_x, &reason2);

    if (rc2 != rc || a.hash != b.hash || a.events != b.events
        || (reason == NULL) != (reason2 == NULL)
        || (reason && strcmp(reason, reason2) != 0))
    {
        abort();
    }

    /* now and then, the buffers as a worker leaves them between inputs */

    if (size & 1) {
        ngx_http_mta_sts_json_trim(&js, (size & 2) != 0);
    }

    return 0;
}


static ngx_uint_t
fuzz_name(void *data, ngx_uint_t role, u_char *name, size_t len)
{
    fuzz_record_t  *rec = data;

    size_t      i, d;
    ngx_uint_t  n;

    if (role == 0 || rec->depth == 0 || rec->types[rec->depth - 1] != '{') {
        abort();
    }

    fuzz_text(name, len);
    fuzz_event(rec, (u_char *) "n", 1);
    fuzz_event(rec, name, len);

    /* the short names of the object so far: none is this one */

    d = rec->depth - 1;

    if (len <= 8) {
        for (n = 0; n < rec->nnames[d]; n++) {
            if (rec->lens[d][n] == len
                && memcmp(rec->names[d][n], name, len) == 0)
            {
                abort();
            }
        }

        if (rec->nnames[d] < 16) {
            n = rec->nnames[d]++;
            rec->lens[d][n] = len;

            for (i = 0; i < len; i++) {
                rec->names[d][n][i] = name[i];
            }
        }
    }

    if (rec->skip_x && len && name[0] == 'x') {
        return 0;
    }

    return 1 + len % 3;
}


static ngx_uint_t
fuzz_element(void *data, ngx_uint_t role)
{
    if (role == 0) {
        abort();
    }

    fuzz_event(data, (u_char *) "e", 1);

    return role;
}


static void
fuzz_open(void *data, ngx_uint_t role, u_char type)
{
    fuzz_record_t  *rec = data;

    if (role == 0 || (type != '{' && type != '[')
        || rec->depth >= NGX_HTTP_MTA_STS_JSON_DEPTH)
    {
        abort();
    }

    rec->types[rec->depth] = type;
    rec->nnames[rec->depth] = 0;
    rec->depth++;

    fuzz_event(rec, &type, 1);
}


static void
fuzz_close(void *data, ngx_uint_t role, u_char type)
{
    fuzz_record_t  *rec = data;

    if (role == 0 || rec->depth == 0 || rec->types[rec->depth - 1] != type)
    {
        abort();
    }

    rec->depth--;

    fuzz_event(rec, (u_char *) (type == '{' ? "}" : "]"), 1);
}


static ngx_int_t
fuzz_string(void *data, ngx_uint_t role, u_char *s, size_t len)
{
    if (role == 0 || s < js.arena || s + len > js.arena + js.arena_len) {
        abort();
    }

    fuzz_text(s, len);
    fuzz_event(data, (u_char *) "s", 1);
    fuzz_event(data, s, len);

    /* keep some, as a caller keeps the fields it wants */

    return (len & 1) ? NGX_DONE : NGX_OK;
}


static void
fuzz_integer(void *data, ngx_uint_t role, ngx_uint_t negative, uint64_t mag)
{
    if (role == 0 || mag > ((uint64_t) 1 << 63)
        || (!negative && mag == ((uint64_t) 1 << 63)))
    {
        abort();
    }

    fuzz_event(data, (u_char *) (negative ? "-" : "+"), 1);
    fuzz_event(data, (u_char *) &mag, sizeof(mag));
}


static void
fuzz_event(fuzz_record_t *rec, const u_char *p, size_t len)
{
    size_t  i;

    rec->events++;

    for (i = 0; i < len; i++) {
        rec->hash = (rec->hash ^ p[i]) * 1099511628211ULL;
    }

    rec->hash = (rec->hash ^ 0xff) * 1099511628211ULL;
}


/* strict UTF-8 (RFC 3629), no NUL */

static void
fuzz_text(u_char *s, size_t len)
{
    size_t    i, n, k;
    uint32_t  cp, min;

    for (i = 0; i < len; i += n) {
        cp = s[i];

        if (cp == 0) {
            abort();
        }

        if (cp < 0x80) {
            n = 1;
            continue;
        }

        if (cp >= 0xc2 && cp <= 0xdf) {
            n = 2; cp &= 0x1f; min = 0x80;

        } else if (cp >= 0xe0 && cp <= 0xef) {
            n = 3; cp &= 0x0f; min = 0x800;

        } else if (cp >= 0xf0 && cp <= 0xf4) {
            n = 4; cp &= 0x07; min = 0x10000;

        } else {
            abort();
        }

        if (i + n > len) {
            abort();
        }

        for (k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) {
                abort();
            }

            cp = (cp << 6) | (s[i + k] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            abort();
        }
    }
}


static ngx_int_t
fuzz_parse(fuzz_record_t *rec, const u_char *p, size_t len, size_t step,
    ngx_uint_t skip_x, const char **reason)
{
    size_t     n, off;
    ngx_int_t  rc;

    rec->hash = 14695981039346656037ULL;
    rec->depth = 0;
    rec->events = 0;
    rec->skip_x = skip_x;

    if (ngx_http_mta_sts_json_reset(&js, &fuzz_handler, rec, 1) != NGX_OK) {
        abort();
    }

    rc = NGX_OK;

    for (off = 0; off < len; off += n) {
        n = (step && len - off > step) ? step : len - off;

        rc = ngx_http_mta_sts_json_feed(&js, (u_char *) p + off, n);
        if (rc != NGX_OK) {
            break;
        }
    }

    if (rc == NGX_OK) {
        rc = ngx_http_mta_sts_json_end(&js);
    }

    *reason = js.reason;

    return rc;
}


/*
 * An accepted input, read again simply: white space, "{" or "[", then
 * the last byte but white space is the matching "}" or "]"
 */

static void
fuzz_top(const u_char *p, size_t len)
{
    size_t  i, j;

    for (i = 0; i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'
                            || p[i] == '\n'); i++)
    {
        /* void */
    }

    for (j = len; j > i && (p[j - 1] == ' ' || p[j - 1] == '\t'
                            || p[j - 1] == '\r' || p[j - 1] == '\n'); j--)
    {
        /* void */
    }

    if (j - i < 2
        || !((p[i] == '{' && p[j - 1] == '}')
             || (p[i] == '[' && p[j - 1] == ']')))
    {
        abort();
    }
}
