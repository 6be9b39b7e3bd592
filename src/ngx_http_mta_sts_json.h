
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_JSON_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_JSON_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/*
 * A push JSON parser: bytes in, in pieces of any size, and no tree out.
 * It checks all of RFC 8259 and I-JSON (RFC 7493: strict UTF-8, no
 * surrogates, no NUL, no duplicate names in an object, numbers a double
 * or a 64-bit integer can hold), takes only an object or an array at the
 * top (as jansson does), and caps the nesting and the names of one
 * object.  Its verdicts are jansson's but for those two caps.
 *
 * What the caller keeps comes through a handler, by role: a small number
 * the caller gives each value.  The top value has the role given to
 * ngx_http_mta_sts_json_reset(); a name's value the role the handler's
 * name() returns, an array's elements the role its element() returns.
 * Role 0 is "nothing to the caller": no handler is called for such a
 * value nor for anything inside it, and its strings are not decoded.
 *
 * This file uses nginx types and macros only, no nginx functions, so
 * that it links into a unit test or a fuzzer without the rest of nginx.
 */


/* a real TLS report nests 5 deep: report, policies, policy, details, row */
#define NGX_HTTP_MTA_STS_JSON_DEPTH   16

/*
 * RFC 8460's objects have a dozen members at most; the cap bounds the
 * work of finding duplicates, which names chosen to share a hash would
 * make quadratic in the names of one object
 */
#define NGX_HTTP_MTA_STS_JSON_NAMES   64


typedef struct {
    /* the role of a name's value in an object of this role */
    ngx_uint_t  (*name)(void *data, ngx_uint_t role, u_char *name,
                        size_t len);

    /* the role of the elements of an array of this role */
    ngx_uint_t  (*element)(void *data, ngx_uint_t role);

    /* an object ('{') or an array ('[') of this role opens, closes */
    void        (*open)(void *data, ngx_uint_t role, u_char type);
    void        (*close)(void *data, ngx_uint_t role, u_char type);

    /*
     * a string, decoded (UTF-8, no NUL); NGX_OK drops its bytes,
     * NGX_DONE keeps them at their arena offset (s - js->arena) until
     * the object around them closes, or to the end for the top object
     */
    ngx_int_t   (*string)(void *data, ngx_uint_t role, u_char *s,
                          size_t len);

    /* an integer, |value| in mag, within int64_t */
    void        (*integer)(void *data, ngx_uint_t role,
                           ngx_uint_t negative, uint64_t mag);
} ngx_http_mta_sts_json_handler_t;


#define NGX_HTTP_MTA_STS_JSON_NUMBER_DIGITS  40  /* significant, kept */


typedef struct {
    u_char                            type;     /* '{' or '[' */
    u_char                            role;
    uint32_t                          names;    /* arena offset of names */
    uint32_t                          entries;  /* its first name entry */
} ngx_http_mta_sts_json_level_t;


typedef struct {
    uint32_t                          hash;
    uint32_t                          next;     /* in its bucket, 0: none */
    uint32_t                          off;
    uint32_t                          len;
} ngx_http_mta_sts_json_entry_t;


typedef struct {
    /* set by ngx_http_mta_sts_json_reset() */
    ngx_http_mta_sts_json_handler_t  *handler;
    void                             *data;

    /* why NGX_DECLINED */
    const char                       *reason;

    /* the parser's buffers at their largest, in bytes */
    size_t                            peak;

    /* decoded names of the open objects, and the kept strings */
    u_char                           *arena;
    size_t                            arena_len;
    size_t                            arena_size;

    /* the state of the parser */
    ngx_uint_t                        state;
    ngx_uint_t                        role;     /* of the value being read */
    ngx_uint_t                        depth;
    ngx_uint_t                        is_key;
    ngx_uint_t                        keep;     /* a string decoded */
    uint32_t                          start;    /* its arena offset */

    /* \u escapes and UTF-8 sequences */
    uint32_t                          cp;
    uint32_t                          high;
    uint32_t                          min;
    ngx_uint_t                        need;

    /* literals */
    const char                       *lit;

    /* numbers: their value as jansson would take it */
    ngx_uint_t                        negative;
    ngx_uint_t                        real;
    ngx_uint_t                        overflow;
    uint64_t                          mag;
    ngx_int_t                         exp10;    /* where the first digit is */
    ngx_uint_t                        exp_neg;
    int64_t                           exp;
    ngx_uint_t                        ndigits;
    u_char                            digits[
                                        NGX_HTTP_MTA_STS_JSON_NUMBER_DIGITS];

    ngx_http_mta_sts_json_level_t     levels[NGX_HTTP_MTA_STS_JSON_DEPTH];

    /* the names of the open objects, by hash, for duplicates */
    ngx_http_mta_sts_json_entry_t    *entries;  /* [0] unused */
    size_t                            nentries;
    size_t                            entries_size;
    uint32_t                         *buckets;
    size_t                            nbuckets;
} ngx_http_mta_sts_json_t;


/*
 * ngx_http_mta_sts_json_feed() and _end(): NGX_OK; NGX_DECLINED, not JSON
 * or over a cap (reason set); NGX_ERROR without memory, as from _reset()
 */

ngx_int_t ngx_http_mta_sts_json_reset(ngx_http_mta_sts_json_t *js,
    ngx_http_mta_sts_json_handler_t *handler, void *data, ngx_uint_t role);
ngx_int_t ngx_http_mta_sts_json_feed(ngx_http_mta_sts_json_t *js,
    u_char *p, size_t n);
ngx_int_t ngx_http_mta_sts_json_end(ngx_http_mta_sts_json_t *js);

/* frees the buffers a large input grew (all: every buffer) */
void ngx_http_mta_sts_json_trim(ngx_http_mta_sts_json_t *js,
    ngx_uint_t all);


#endif /* _NGX_HTTP_MTA_STS_JSON_H_INCLUDED_ */
