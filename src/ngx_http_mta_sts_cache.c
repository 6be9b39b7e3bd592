
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_cache.h>


#define NGX_HTTP_MTA_STS_CACHE_ETAG  (2 + 32)


static ngx_http_mta_sts_cache_entry_t **ngx_http_mta_sts_cache_bucket(
    ngx_http_mta_sts_cache_t *cache, uint64_t hash, ngx_uint_t second);


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
 * A slot for an entry of size bytes: a freed one, else the next never
 * used; NULL when the entry is larger than a slot or none is left (the
 * caller allocates it from the heap then).
 */

u_char *
ngx_http_mta_sts_cache_alloc(ngx_http_mta_sts_cache_t *cache, size_t size)
{
    u_char  *p;

    if (cache->slots == NULL || size > NGX_HTTP_MTA_STS_CACHE_SLOT) {
        return NULL;
    }

    p = cache->free_slot;

    if (p) {
        ngx_memcpy(&cache->free_slot, p, sizeof(u_char *));
        return p;
    }

    if (cache->used_slots == NGX_HTTP_MTA_STS_CACHE_SLOTS) {
        return NULL;
    }

    return cache->slots + cache->used_slots++ * NGX_HTTP_MTA_STS_CACHE_SLOT;
}


/*
 * An entry given back: 1 when it was in a slot, now free; 0 when it is
 * not the cache's, for the caller to free.
 */

ngx_uint_t
ngx_http_mta_sts_cache_free(ngx_http_mta_sts_cache_t *cache, void *p)
{
    uintptr_t  a, start;

    a = (uintptr_t) p;
    start = (uintptr_t) cache->slots;

    if (cache->slots == NULL
        || a < start
        || a >= start + NGX_HTTP_MTA_STS_CACHE_SLOTS
                        * NGX_HTTP_MTA_STS_CACHE_SLOT)
    {
        return 0;
    }

    ngx_memcpy(p, &cache->free_slot, sizeof(u_char *));
    cache->free_slot = p;

    return 1;
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
