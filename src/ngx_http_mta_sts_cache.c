
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_cache.h>


#define NGX_HTTP_MTA_STS_CACHE_ETAG  (2 + 32)


static ngx_http_mta_sts_cache_entry_t **ngx_http_mta_sts_cache_bucket(
    ngx_http_mta_sts_cache_t *cache, uint64_t hash, ngx_uint_t second);
static ngx_inline ngx_uint_t ngx_http_mta_sts_cache_equal(
    ngx_http_mta_sts_cache_entry_t *e, ngx_uint_t mode, ngx_str_t *values,
    ngx_uint_t n);
static ngx_inline uint64_t ngx_http_mta_sts_cache_mix(uint64_t seed,
    ngx_str_t *values, ngx_uint_t n);


/*
 * FNV-1a, eight bytes a step, over the mode and each value with its
 * length, from a seed that
 * each worker draws for each configuration, and a final mix so that both
 * halves of the hash choose a bucket.
 */

uint64_t
ngx_http_mta_sts_cache_hash(uint64_t seed, ngx_uint_t mode,
    ngx_str_t *values, ngx_uint_t n)
{
    u_char      *p, *last;
    uint64_t     h, w;
    ngx_uint_t   i;

    h = (seed ^ 0xcbf29ce484222325ULL) + mode;

    for (i = 0; i < n; i++) {
        h = (h ^ values[i].len) * 0x100000001b3ULL;

        p = values[i].data;
        last = p + values[i].len;

        /* eight bytes a step, then the rest a byte a step */

        while (last - p >= 8) {
            ngx_memcpy(&w, p, 8);
            h = (h ^ w) * 0x100000001b3ULL;
            h ^= h >> 29;
            p += 8;
        }

        while (p < last) {
            h = (h ^ *p++) * 0x100000001b3ULL;
        }
    }

    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;

    return h;
}


static ngx_http_mta_sts_cache_entry_t **
ngx_http_mta_sts_cache_bucket(ngx_http_mta_sts_cache_t *cache, uint64_t hash,
    ngx_uint_t second)
{
    ngx_uint_t  b;

    b = (second ? hash >> 32 : hash) & (NGX_HTTP_MTA_STS_CACHE_BUCKETS - 1);

    return &cache->table[b * NGX_HTTP_MTA_STS_CACHE_WAYS];
}


/*
 * The entry's values against these, eight bytes a step and no call: the
 * values are short (a mode, a host name), a call to memcmp() costs more
 * than comparing them.  The last step compares the last eight bytes
 * again, overlapping, or four and four, or the last three bytes one by
 * one.
 */

static ngx_inline ngx_uint_t
ngx_http_mta_sts_cache_equal(ngx_http_mta_sts_cache_entry_t *e,
    ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n)
{
    size_t       len, k;
    u_char      *a, *b;
    uint32_t     a4, b4, c4, d4;
    uint64_t     a8, b8;
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
            for (k = 0; k < len - 8; k += 8) {
                ngx_memcpy(&a8, a + k, 8);
                ngx_memcpy(&b8, b + k, 8);

                if (a8 != b8) {
                    return 0;
                }
            }

            ngx_memcpy(&a8, a + len - 8, 8);
            ngx_memcpy(&b8, b + len - 8, 8);

            if (a8 != b8) {
                return 0;
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


ngx_http_mta_sts_cache_entry_t *
ngx_http_mta_sts_cache_find(ngx_http_mta_sts_cache_t *cache, uint64_t hash,
    ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n)
{
    ngx_uint_t                        b, w;
    ngx_http_mta_sts_cache_entry_t  **bucket, *e;

    if (cache->table == NULL) {
        return NULL;
    }

    for (b = 0; b < 2; b++) {
        bucket = ngx_http_mta_sts_cache_bucket(cache, hash, b);

        for (w = 0; w < NGX_HTTP_MTA_STS_CACHE_WAYS; w++) {
            e = bucket[w];

            if (e == NULL) {
                /* a bucket fills from its start and never empties */
                break;
            }

            if (e->hash == hash
                && ngx_http_mta_sts_cache_equal(e, mode, values, n))
            {
                e->used = 1;
                return e;
            }
        }
    }

    return NULL;
}


/*
 * The bytes an entry takes: the entry, its values, the body, the quoted
 * id; 0 when the values and the body are over the bound, not cached.
 */

size_t
ngx_http_mta_sts_cache_size(ngx_str_t *values, ngx_uint_t n, size_t body)
{
    size_t      len;
    ngx_uint_t  i;

    if (body > NGX_HTTP_MTA_STS_CACHE_ENTRY_MAX) {
        return 0;
    }

    len = body;

    for (i = 0; i < n; i++) {
        if (values[i].len > NGX_HTTP_MTA_STS_CACHE_ENTRY_MAX - len) {
            return 0;
        }

        len += values[i].len;
    }

    return sizeof(ngx_http_mta_sts_cache_entry_t) + n * sizeof(ngx_str_t)
           + len + NGX_HTTP_MTA_STS_CACHE_ETAG;
}


/*
 * Lays out an entry in p, of ngx_http_mta_sts_cache_size() bytes and
 * aligned as malloc() aligns: the key is copied, *body is where the body
 * and the quoted id go.
 */

ngx_http_mta_sts_cache_entry_t *
ngx_http_mta_sts_cache_init_entry(u_char *p, uint64_t hash, ngx_uint_t mode,
    ngx_str_t *values, ngx_uint_t n, u_char **body)
{
    ngx_uint_t                       i;
    ngx_http_mta_sts_cache_entry_t  *e;

    e = (ngx_http_mta_sts_cache_entry_t *) p;
    p += sizeof(ngx_http_mta_sts_cache_entry_t);

    e->hash = hash;
    e->used = 0;
    e->slot = 0;
    e->mode = mode;
    e->nvalues = n;
    e->values = (ngx_str_t *) p;
    p += n * sizeof(ngx_str_t);

    for (i = 0; i < n; i++) {
        e->values[i].len = values[i].len;
        e->values[i].data = p;
        p = ngx_cpymem(p, values[i].data, values[i].len);
    }

    *body = p;

    return e;
}


/*
 * Two random choices: the emptier of the entry's two buckets; when both
 * are full, CLOCK over their entries from where the last insert began
 * and one further, so that no two values take each other's place by turns: an
 * entry used since it was last passed is passed again, its bit cleared,
 * the first one not used is replaced.  Returns the entry replaced, for
 * the caller to free, or NULL.
 */

ngx_http_mta_sts_cache_entry_t *
ngx_http_mta_sts_cache_insert(ngx_http_mta_sts_cache_t *cache,
    ngx_http_mta_sts_cache_entry_t *entry)
{
    ngx_int_t                         d;
    ngx_uint_t                        w, k, empty[2], start;
    ngx_http_mta_sts_cache_entry_t  **bucket[2], **slot, *old;

    for (k = 0; k < 2; k++) {
        bucket[k] = ngx_http_mta_sts_cache_bucket(cache, entry->hash, k);
        empty[k] = NGX_HTTP_MTA_STS_CACHE_WAYS;

        for (w = NGX_HTTP_MTA_STS_CACHE_WAYS; w > 0; w--) {
            if (bucket[k][w - 1] == NULL) {
                empty[k] = w - 1;
            }
        }
    }

    if (empty[0] < NGX_HTTP_MTA_STS_CACHE_WAYS
        || empty[1] < NGX_HTTP_MTA_STS_CACHE_WAYS)
    {
        /* the emptier bucket */

        d = 0;

        for (w = 0; w < NGX_HTTP_MTA_STS_CACHE_WAYS; w++) {
            d += (bucket[0][w] != NULL);
            d -= (bucket[1][w] != NULL);
        }

        k = (d > 0 || empty[0] == NGX_HTTP_MTA_STS_CACHE_WAYS);

        bucket[k][empty[k]] = entry;
        entry->slot = bucket[k] + empty[k] - cache->table;
        cache->entries++;

        return NULL;
    }

    start = cache->hand++ % (2 * NGX_HTTP_MTA_STS_CACHE_WAYS);
    slot = NULL;

    for (w = 0; w < 2 * NGX_HTTP_MTA_STS_CACHE_WAYS; w++) {
        k = (start + w) % (2 * NGX_HTTP_MTA_STS_CACHE_WAYS);
        slot = &bucket[k / NGX_HTTP_MTA_STS_CACHE_WAYS]
                      [k % NGX_HTTP_MTA_STS_CACHE_WAYS];

        if (!(*slot)->used) {
            break;
        }

        (*slot)->used = 0;
    }

    if (w == 2 * NGX_HTTP_MTA_STS_CACHE_WAYS) {
        /* all were used: all are passed once, the first is replaced */
        slot = &bucket[start / NGX_HTTP_MTA_STS_CACHE_WAYS]
                      [start % NGX_HTTP_MTA_STS_CACHE_WAYS];
    }

    old = *slot;
    *slot = entry;
    entry->slot = slot - cache->table;

    return old;
}


/*
 * The memo's hash: of the values' addresses and lengths, not of their
 * bytes, from the cache's seed; the low bits choose the set, the high
 * ones are the tag.  Inline: it is most of a lookup that the memo
 * answers.
 */

static ngx_inline uint64_t
ngx_http_mta_sts_cache_mix(uint64_t seed, ngx_str_t *values, ngx_uint_t n)
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


uint64_t
ngx_http_mta_sts_cache_where(uint64_t seed, ngx_str_t *values, ngx_uint_t n)
{
    return ngx_http_mta_sts_cache_mix(seed, values, n);
}


/*
 * The entry that values at these addresses found last, if it holds these
 * values still; NULL otherwise (then ngx_http_mta_sts_cache_find()).
 * *where is for ngx_http_mta_sts_cache_remember().
 */

ngx_http_mta_sts_cache_entry_t *
ngx_http_mta_sts_cache_recall(ngx_http_mta_sts_cache_t *cache,
    ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n, uint64_t *where)
{
    uint32_t                          tag;
    uint64_t                          h;
    ngx_uint_t                        w;
    ngx_http_mta_sts_cache_memo_t    *set;
    ngx_http_mta_sts_cache_entry_t   *e;

    h = ngx_http_mta_sts_cache_mix(cache->seed, values, n);
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


/*
 * Values at these addresses found this entry: a way of their set, the one
 * of the same tag or an empty one, else each of the set's ways in turn.
 */

void
ngx_http_mta_sts_cache_remember(ngx_http_mta_sts_cache_t *cache,
    uint64_t where, ngx_http_mta_sts_cache_entry_t *entry)
{
    uint32_t                        tag;
    ngx_uint_t                      w;
    ngx_http_mta_sts_cache_memo_t  *set;

    if (cache->memo == NULL) {
        return;
    }

    set = &cache->memo[(where & (NGX_HTTP_MTA_STS_CACHE_SETS - 1))
                       * NGX_HTTP_MTA_STS_CACHE_MEMO_WAYS];
    tag = (uint32_t) (where >> 32);

    for (w = 0; w < NGX_HTTP_MTA_STS_CACHE_MEMO_WAYS; w++) {
        if (set[w].tag == tag || set[w].slot == 0) {
            break;
        }
    }

    if (w == NGX_HTTP_MTA_STS_CACHE_MEMO_WAYS) {
        w = cache->memo_hand++ % NGX_HTTP_MTA_STS_CACHE_MEMO_WAYS;
    }

    set[w].tag = tag;
    set[w].slot = (uint32_t) entry->slot + 1;
}
