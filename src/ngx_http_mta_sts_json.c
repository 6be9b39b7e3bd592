
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_json.h>

#include <math.h>
#include <stdlib.h>


/*
 * Push-style, a byte at a time over whatever the caller gives, with no
 * tree.  Its memory is the names of the open objects and the strings
 * the caller keeps, no more than the JSON's own size.
 */

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

#define NGX_HTTP_MTA_STS_J_DIGITS    NGX_HTTP_MTA_STS_JSON_NUMBER_DIGITS


static void ngx_http_mta_sts_json_peak(ngx_http_mta_sts_json_t *js);
static ngx_int_t ngx_http_mta_sts_json_room(ngx_http_mta_sts_json_t *js,
    size_t n);
static ngx_int_t ngx_http_mta_sts_json_emit(ngx_http_mta_sts_json_t *js,
    uint32_t cp);
static ngx_int_t ngx_http_mta_sts_json_name(ngx_http_mta_sts_json_t *js,
    u_char *name, size_t len);
static void ngx_http_mta_sts_json_next(ngx_http_mta_sts_json_t *js);
static ngx_uint_t ngx_http_mta_sts_json_element(ngx_http_mta_sts_json_t *js);
static ngx_int_t ngx_http_mta_sts_json_open(ngx_http_mta_sts_json_t *js,
    u_char c);
static void ngx_http_mta_sts_json_close(ngx_http_mta_sts_json_t *js);
static ngx_int_t ngx_http_mta_sts_json_string(ngx_http_mta_sts_json_t *js);
static ngx_int_t ngx_http_mta_sts_json_number(ngx_http_mta_sts_json_t *js);
static void ngx_http_mta_sts_json_digit(ngx_http_mta_sts_json_t *js,
    u_char c);


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


/*
 * NGX_ERROR without memory: the arena is there from the start, so that
 * an empty first string is an offset in it, not one from NULL
 */

ngx_int_t
ngx_http_mta_sts_json_reset(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_json_handler_t *handler, void *data, ngx_uint_t role)
{
    js->handler = handler;
    js->data = data;
    js->reason = NULL;
    js->state = NGX_HTTP_MTA_STS_J_VALUE;
    js->role = role;
    js->depth = 0;
    js->high = 0;
    js->arena_len = 0;
    js->nentries = 1;
    js->peak = 0;

    if (js->buckets) {
        memset(js->buckets, 0, js->nbuckets * sizeof(uint32_t));
    }

    ngx_http_mta_sts_json_peak(js);

    if (js->arena == NULL) {
        return ngx_http_mta_sts_json_room(js, 1);
    }

    return NGX_OK;
}


/* frees buffers a large input grew, so that a process keeps only small */

void
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
 * already (I-JSON, RFC 7493, section 2.3) or has as many names as the
 * cap, else kept for the next names.
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

    /*
     * a cap on the names of one object: each name is looked up among
     * its object's, and a hostile sender could choose names that share
     * a hash (FNV-1a takes no key), which would make the lookups
     * quadratic in the names
     */

    if (js->nentries - lv->entries == NGX_HTTP_MTA_STS_JSON_NAMES) {
        js->reason = "too many names in one JSON object";
        return NGX_DECLINED;
    }

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
            js->reason = "not JSON";
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


/* a value ended: what comes next */

static void
ngx_http_mta_sts_json_next(ngx_http_mta_sts_json_t *js)
{
    js->state = js->depth ? NGX_HTTP_MTA_STS_J_AFTER
                          : NGX_HTTP_MTA_STS_J_DONE;
}


/* the role of the innermost array's elements */

static ngx_uint_t
ngx_http_mta_sts_json_element(ngx_http_mta_sts_json_t *js)
{
    ngx_uint_t  role;

    role = js->levels[js->depth - 1].role;

    if (role == 0) {
        return 0;
    }

    return js->handler->element(js->data, role);
}


static ngx_int_t
ngx_http_mta_sts_json_open(ngx_http_mta_sts_json_t *js, u_char c)
{
    ngx_http_mta_sts_json_level_t  *lv;

    if (js->depth == NGX_HTTP_MTA_STS_JSON_DEPTH) {
        js->reason = "JSON nested too deep";
        return NGX_DECLINED;
    }

    lv = &js->levels[js->depth++];
    lv->type = c;
    lv->role = (u_char) js->role;
    lv->names = js->arena_len;
    lv->entries = js->nentries;

    if (js->role) {
        js->handler->open(js->data, js->role, c);
    }

    if (c == '{') {
        js->state = NGX_HTTP_MTA_STS_J_KEY_FIRST;

    } else {
        js->role = ngx_http_mta_sts_json_element(js);
        js->state = NGX_HTTP_MTA_STS_J_FIRST;
    }

    return NGX_OK;
}


static void
ngx_http_mta_sts_json_close(ngx_http_mta_sts_json_t *js)
{
    size_t                          i;
    ngx_http_mta_sts_json_entry_t  *e;
    ngx_http_mta_sts_json_level_t  *lv;

    lv = &js->levels[--js->depth];

    if (lv->role) {
        js->handler->close(js->data, lv->role, lv->type);
    }

    /* the top object's names stay: its kept strings are among them */

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


/* a string ended: a name, or a value the caller may keep */

static ngx_int_t
ngx_http_mta_sts_json_string(ngx_http_mta_sts_json_t *js)
{
    size_t      len;
    u_char     *s;
    ngx_int_t   rc;
    ngx_uint_t  role;

    s = js->arena + js->start;
    len = js->arena_len - js->start;

    if (js->is_key) {
        rc = ngx_http_mta_sts_json_name(js, s, len);
        if (rc != NGX_OK) {
            return rc;
        }

        role = js->levels[js->depth - 1].role;

        js->role = role ? js->handler->name(js->data, role, s, len) : 0;
        js->state = NGX_HTTP_MTA_STS_J_COLON;
        return NGX_OK;
    }

    if (js->keep
        && js->handler->string(js->data, js->role, s, len) != NGX_DONE)
    {
        js->arena_len = js->start;
    }

    ngx_http_mta_sts_json_next(js);

    return NGX_OK;
}


/*
 * A number ended: NGX_DECLINED where jansson refuses it, an integer out
 * of its 64 bits or a real that overflows a double; an integer goes to
 * the handler.
 */

static ngx_int_t
ngx_http_mta_sts_json_number(ngx_http_mta_sts_json_t *js)
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

        if (js->role) {
            js->handler->integer(js->data, js->role, js->negative, js->mag);
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


/* the next n bytes of the JSON */

ngx_int_t
ngx_http_mta_sts_json_feed(ngx_http_mta_sts_json_t *js, u_char *p, size_t n)
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
                rc = ngx_http_mta_sts_json_string(js);

                if (rc != NGX_OK) {
                    return rc;
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

            if (ngx_http_mta_sts_json_number(js) != NGX_OK) {
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
                ngx_http_mta_sts_json_close(js);
                continue;
            }

            /* fall through */

        case NGX_HTTP_MTA_STS_J_VALUE:

            if (c == '{' || c == '[') {
                if (ngx_http_mta_sts_json_open(js, c) != NGX_OK) {
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
                js->keep = (js->role != 0);
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
                ngx_http_mta_sts_json_close(js);
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
                ngx_http_mta_sts_json_close(js);
                continue;
            }

            goto invalid;

        default: /* NGX_HTTP_MTA_STS_J_DONE */
            goto invalid;
        }
    }

    return NGX_OK;

invalid:

    js->reason = "not JSON";

    return NGX_DECLINED;
}


/* the input ended: a whole value, and nothing but white space after it */

ngx_int_t
ngx_http_mta_sts_json_end(ngx_http_mta_sts_json_t *js)
{
    if (js->state != NGX_HTTP_MTA_STS_J_DONE) {
        js->reason = "not JSON";
        return NGX_DECLINED;
    }

    return NGX_OK;
}

