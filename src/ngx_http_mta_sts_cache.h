
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_CACHE_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/*
 * The answers to policies built from variables, keyed by the values the
 * variables had.  This file uses nginx types and macros only, no nginx
 * functions, so that it links into a unit test or a fuzzer: the caller
 * allocates the table and the entries and frees what the cache gives
 * back.
 *
 * The bound: NGX_HTTP_MTA_STS_CACHE_BUCKETS buckets of
 * NGX_HTTP_MTA_STS_CACHE_WAYS entries (16384 entries), each at most
 * NGX_HTTP_MTA_STS_CACHE_ENTRY_MAX bytes of values and body, whatever the
 * values are.  An entry goes into the emptier of two buckets chosen by a
 * hash with a random seed of its own (two random choices), so 10,000
 * domains fit with room to spare; when both are full, the first entry not
 * used since the last time it was examined is replaced (CLOCK), so that
 * values sent once by a client replace each other, and not the answers
 * in use: each new value replaces at most one entry, and not one used in
 * between.
 *
 * In front of it, a memo of where the values were: the addresses and
 * lengths of the last values that found each entry, in
 * NGX_HTTP_MTA_STS_CACHE_SETS sets of NGX_HTTP_MTA_STS_CACHE_MEMO_WAYS
 * (256 KB).  A value from a map is the map's own text, at the same
 * address for every request to a domain, so the memo finds its entry
 * without hashing the values.  The memo only says where to look: the
 * values are compared with the entry's own all the same, so values at the
 * same address with other bytes (a header read into the same place of
 * another request's buffer) never find an answer not theirs.  It holds
 * table positions, not entries: an entry replaced leaves nothing behind
 * to free.  Values a client sends can displace memo ways, which costs a
 * hash and a lookup in the table, not the entries.
 */


#define NGX_HTTP_MTA_STS_CACHE_BUCKETS    2048
#define NGX_HTTP_MTA_STS_CACHE_WAYS       8
#define NGX_HTTP_MTA_STS_CACHE_ENTRIES                                       \
    (NGX_HTTP_MTA_STS_CACHE_BUCKETS * NGX_HTTP_MTA_STS_CACHE_WAYS)
#define NGX_HTTP_MTA_STS_CACHE_ENTRY_MAX  1024

/*
 * Entries of at most NGX_HTTP_MTA_STS_CACHE_SLOT bytes (a policy of two
 * or three mx) live in slots of one block of NGX_HTTP_MTA_STS_CACHE_SLOTS
 * of them, allocated once, apart from the heap where a request's buffers
 * come and go (OpenSSL's, per request): 10,000 entries there left free
 * chunks between them that each malloc() of a request walked.  One slot
 * more than entries: a new entry is made before the one it replaces is
 * freed.  The block is address space (6 MB); a worker touches only the
 * slots it uses.  Larger entries are the caller's, from the heap.
 */

#define NGX_HTTP_MTA_STS_CACHE_SLOT       384
#define NGX_HTTP_MTA_STS_CACHE_SLOTS      (NGX_HTTP_MTA_STS_CACHE_ENTRIES + 1)

#define NGX_HTTP_MTA_STS_CACHE_SETS       8192
#define NGX_HTTP_MTA_STS_CACHE_MEMO_WAYS  4
#define NGX_HTTP_MTA_STS_CACHE_MEMO                                          \
    (NGX_HTTP_MTA_STS_CACHE_SETS * NGX_HTTP_MTA_STS_CACHE_MEMO_WAYS)


/*
 * A rendered policy.  serial: the worker's own number for it, a new one
 * each time a policy is rendered, so that an entry's memory reused for
 * other values is another answer; status: the status module's row in
 * which this answer was counted last, a hint it checks before use (the
 * caller sets both when it renders the answer).
 */

typedef struct {
    ngx_str_t                   body;
    ngx_str_t                   id;
    ngx_str_t                   etag;
    ngx_uint_t                  mode;        /* for the status counters */
    uint64_t                    serial;      /* never 0 */
    void                       *status;
} ngx_http_mta_sts_answer_t;


typedef struct {
    uint64_t                    hash;
    ngx_uint_t                  used;        /* CLOCK's reference bit */
    ngx_uint_t                  slot;        /* its place in the table */
    ngx_uint_t                  mode;
    ngx_uint_t                  nvalues;
    ngx_str_t                  *values;
    ngx_http_mta_sts_answer_t   answer;
} ngx_http_mta_sts_cache_entry_t;


/* a memo way: where values found an entry last */

typedef struct {
    uint32_t                    tag;         /* of the values' addresses */
    uint32_t                    slot;        /* in the table + 1, or 0 */
} ngx_http_mta_sts_cache_memo_t;


typedef struct {
    uint64_t                           seed;
    ngx_uint_t                         entries;   /* in the table */
    ngx_uint_t                         hand;      /* where CLOCK begins */
    /* NGX_HTTP_MTA_STS_CACHE_ENTRIES, NULL until the first entry */
    ngx_http_mta_sts_cache_entry_t   **table;
    /* NGX_HTTP_MTA_STS_CACHE_MEMO, NULL when there is none */
    ngx_http_mta_sts_cache_memo_t     *memo;
    ngx_uint_t                         memo_hand; /* the way replaced */
    /* NGX_HTTP_MTA_STS_CACHE_SLOTS slots, NULL when there are none */
    u_char                            *slots;
    ngx_uint_t                         used_slots; /* never freed yet */
    u_char                            *free_slot;  /* a list through them */
} ngx_http_mta_sts_cache_t;


uint64_t ngx_http_mta_sts_cache_hash(uint64_t seed, ngx_uint_t mode,
    ngx_str_t *values, ngx_uint_t n);
ngx_http_mta_sts_cache_entry_t *ngx_http_mta_sts_cache_find(
    ngx_http_mta_sts_cache_t *cache, uint64_t hash, ngx_uint_t mode,
    ngx_str_t *values, ngx_uint_t n);
size_t ngx_http_mta_sts_cache_size(ngx_str_t *values, ngx_uint_t n,
    size_t body);
ngx_http_mta_sts_cache_entry_t *ngx_http_mta_sts_cache_init_entry(u_char *p,
    uint64_t hash, ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n,
    u_char **body);
ngx_http_mta_sts_cache_entry_t *ngx_http_mta_sts_cache_insert(
    ngx_http_mta_sts_cache_t *cache, ngx_http_mta_sts_cache_entry_t *entry);
u_char *ngx_http_mta_sts_cache_alloc(ngx_http_mta_sts_cache_t *cache,
    size_t size);
ngx_uint_t ngx_http_mta_sts_cache_free(ngx_http_mta_sts_cache_t *cache,
    void *p);
void ngx_http_mta_sts_cache_remember(ngx_http_mta_sts_cache_t *cache,
    uint64_t where, ngx_http_mta_sts_cache_entry_t *entry);


/*
 * The entry's values against these, eight bytes a step and no call: the
 * values are short (a mode, a host name), a call to memcmp() costs more
 * than comparing them.  The first and the last eight bytes (overlapping
 * under 16), then any between; or four and four; or three bytes one by
 * one.
 */

static ngx_inline ngx_uint_t
ngx_http_mta_sts_cache_equal(ngx_http_mta_sts_cache_entry_t *e,
    ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n)
{
    size_t       len, k;
    u_char      *a, *b;
    uint32_t     a4, b4, c4, d4;
    uint64_t     a8, b8, c8, d8;
    ngx_uint_t   i;

    if (e->mode != mode || e->nvalues != n) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        len = values[i].len;

        if (e->values[i].len != len) {
            return 0;
        }

        a = e->values[i].data;
        b = values[i].data;

        if (len >= 8) {
            ngx_memcpy(&a8, a, 8);
            ngx_memcpy(&b8, b, 8);
            ngx_memcpy(&c8, a + len - 8, 8);
            ngx_memcpy(&d8, b + len - 8, 8);

            if (a8 != b8 || c8 != d8) {
                return 0;
            }

            /* over 16 bytes: the middle, eight bytes a step */

            for (k = 8; k < len - 8; k += 8) {
                ngx_memcpy(&a8, a + k, 8);
                ngx_memcpy(&b8, b + k, 8);

                if (a8 != b8) {
                    return 0;
                }
            }

        } else if (len >= 4) {
            ngx_memcpy(&a4, a, 4);
            ngx_memcpy(&b4, b, 4);
            ngx_memcpy(&c4, a + len - 4, 4);
            ngx_memcpy(&d4, b + len - 4, 4);

            if (a4 != b4 || c4 != d4) {
                return 0;
            }

        } else {
            for (k = 0; k < len; k++) {
                if (a[k] != b[k]) {
                    return 0;
                }
            }
        }
    }

    return 1;
}


/*
 * The memo's hash: of the values' addresses and lengths, not of their
 * bytes, from the cache's seed; the low bits choose the set, the high
 * ones are the tag.
 */

static ngx_inline uint64_t
ngx_http_mta_sts_cache_where(uint64_t seed, ngx_str_t *values, ngx_uint_t n)
{
    uint64_t    h;
    ngx_uint_t  i;

    h = seed;

    for (i = 0; i < n; i++) {
        h = (h ^ (uintptr_t) values[i].data ^ values[i].len)
            * 0x9e3779b97f4a7c15ULL;
    }

    return h ^ (h >> 29);
}


/*
 * The entry that values at these addresses found last, if it holds these
 * values still; NULL otherwise (then ngx_http_mta_sts_cache_find()).
 * *where is for ngx_http_mta_sts_cache_remember().  Inline, as are the
 * hash and the compare it makes: it is all a request from a known domain
 * does in the cache, and a call costs as much as its hash.
 */

static ngx_inline ngx_http_mta_sts_cache_entry_t *
ngx_http_mta_sts_cache_recall(ngx_http_mta_sts_cache_t *cache,
    ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n, uint64_t *where)
{
    uint32_t                          tag;
    uint64_t                          h;
    ngx_uint_t                        w;
    ngx_http_mta_sts_cache_memo_t    *set;
    ngx_http_mta_sts_cache_entry_t   *e;

    h = ngx_http_mta_sts_cache_where(cache->seed, values, n);
    *where = h;

    if (cache->memo == NULL) {
        return NULL;
    }

    set = &cache->memo[(h & (NGX_HTTP_MTA_STS_CACHE_SETS - 1))
                       * NGX_HTTP_MTA_STS_CACHE_MEMO_WAYS];
    tag = (uint32_t) (h >> 32);

    for (w = 0; w < NGX_HTTP_MTA_STS_CACHE_MEMO_WAYS; w++) {
        if (set[w].tag != tag || set[w].slot == 0) {
            continue;
        }

        e = cache->table[set[w].slot - 1];

        if (e && ngx_http_mta_sts_cache_equal(e, mode, values, n)) {
            e->used = 1;
            return e;
        }
    }

    return NULL;
}


#endif /* _NGX_HTTP_MTA_STS_CACHE_H_INCLUDED_ */
