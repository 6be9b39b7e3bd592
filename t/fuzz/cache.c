
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * libFuzzer target for src/ngx_http_mta_sts_cache.c: the input is a list
 * of operations on one cache; whatever they are, a lookup finds only an
 * entry of exactly its values, by the memo or by the table, an entry just
 * added is found, and the entries never outnumber the bound.  An entry
 * the cache gives back is freed, so ASan sees any entry lost or freed
 * twice, or the memo reading one freed.
 *
 *   'I' MODE N (LEN BYTES){N}   add these values, unless found
 *   'F' MODE N (LEN BYTES){N}   look them up
 *   'M' COUNT                   add COUNT * 64 values of their own
 *
 * MODE's high bit copies the values into one scratch buffer first: other
 * bytes at the addresses the memo remembers.  An input whose first byte
 * has 0x20 set (no operation has) puts the entries in the cache's slots,
 * as the module does, else each in one malloc() of its own, for ASan to
 * watch.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_cache.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>


#define NGX_HTTP_MTA_STS_FUZZ_VALUES  4


static ngx_uint_t ngx_http_mta_sts_fuzz_key(const uint8_t **p,
    const uint8_t *last, ngx_uint_t *mode, ngx_str_t *values,
    u_char *scratch);
static void ngx_http_mta_sts_fuzz_add(ngx_http_mta_sts_cache_t *cache,
    ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n, ngx_uint_t *live);
static void ngx_http_mta_sts_fuzz_check(ngx_http_mta_sts_cache_entry_t *e,
    ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                           buf[32];
    u_char                           scratch[NGX_HTTP_MTA_STS_FUZZ_VALUES
                                             * 32];
    uint64_t                         hash, where;
    ngx_str_t                        values[NGX_HTTP_MTA_STS_FUZZ_VALUES];
    ngx_uint_t                       op, mode, n, i, count, live, serial;
    const uint8_t                   *p, *last;
    ngx_http_mta_sts_cache_t         cache;
    ngx_http_mta_sts_cache_entry_t  *e;

    ngx_memzero(&cache, sizeof(cache));
    cache.seed = 0x5eed;
    cache.table = calloc(NGX_HTTP_MTA_STS_CACHE_ENTRIES, sizeof(void *));
    if (cache.table == NULL) {
        return 0;
    }

    cache.memo = calloc(NGX_HTTP_MTA_STS_CACHE_MEMO,
                        sizeof(ngx_http_mta_sts_cache_memo_t));
    if (cache.memo == NULL) {
        free(cache.table);
        return 0;
    }

    if (size && (data[0] & 0x20)) {
        cache.slots = malloc(NGX_HTTP_MTA_STS_CACHE_SLOTS
                             * NGX_HTTP_MTA_STS_CACHE_SLOT);
    }

    live = 0;
    serial = 0;
    p = data;
    last = data + size;

    while (p < last) {
        op = *p++;

        switch (op) {

        case 'I':
        case 'F':
            n = ngx_http_mta_sts_fuzz_key(&p, last, &mode, values, scratch);

            e = ngx_http_mta_sts_cache_recall(&cache, mode, values, n,
                                              &where);

            if (e) {
                ngx_http_mta_sts_fuzz_check(e, mode, values, n);
                break;
            }

            hash = ngx_http_mta_sts_cache_hash(cache.seed, mode, values, n);
            e = ngx_http_mta_sts_cache_find(&cache, hash, mode, values, n);

            if (e) {
                ngx_http_mta_sts_fuzz_check(e, mode, values, n);
                ngx_http_mta_sts_cache_remember(&cache, where, e);

            } else if (op == 'I' || (p < last && (*p & 1))) {
                ngx_http_mta_sts_fuzz_add(&cache, mode, values, n, &live);
            }

            break;

        case 'M':
            count = (p < last) ? *p++ % 8 + 1 : 1;

            for (i = 0; i < count * 64; i++) {
                values[0].data = buf;
                values[0].len = snprintf((char *) buf, sizeof(buf), "m%lu",
                                         (unsigned long) serial++);
                ngx_http_mta_sts_fuzz_add(&cache, 3, values, 1, &live);
            }

            break;

        default:
            break;
        }

        if (live > NGX_HTTP_MTA_STS_CACHE_ENTRIES
            || cache.entries > NGX_HTTP_MTA_STS_CACHE_ENTRIES)
        {
            abort();
        }
    }

    for (i = 0; i < NGX_HTTP_MTA_STS_CACHE_ENTRIES; i++) {
        if (cache.table[i]) {
            if (!ngx_http_mta_sts_cache_free(&cache, cache.table[i])) {
                free(cache.table[i]);
            }

            live--;
        }
    }

    if (live != 0) {
        abort();
    }

    free(cache.table);
    free(cache.memo);
    free(cache.slots);

    return 0;
}


static ngx_uint_t
ngx_http_mta_sts_fuzz_key(const uint8_t **p, const uint8_t *last,
    ngx_uint_t *mode, ngx_str_t *values, u_char *scratch)
{
    size_t      len;
    ngx_uint_t  n, i, copy;

    copy = (*p < last) && (**p & 0x80);
    *mode = (*p < last) ? (*(*p)++ & 0x7f) % 5 : 0;
    n = (*p < last) ? *(*p)++ % NGX_HTTP_MTA_STS_FUZZ_VALUES + 1 : 1;

    for (i = 0; i < n; i++) {
        len = (*p < last) ? *(*p)++ % 32 : 0;

        if (len > (size_t) (last - *p)) {
            len = last - *p;
        }

        values[i].data = (u_char *) *p;
        values[i].len = len;
        *p += len;

        if (copy) {
            values[i].data = ngx_cpymem(scratch + i * 32, values[i].data,
                                        len)
                             - len;
        }
    }

    return n;
}


static void
ngx_http_mta_sts_fuzz_add(ngx_http_mta_sts_cache_t *cache, ngx_uint_t mode,
    ngx_str_t *values, ngx_uint_t n, ngx_uint_t *live)
{
    u_char                          *p, *body;
    size_t                           size;
    uint64_t                         hash, where;
    ngx_http_mta_sts_cache_entry_t  *e, *old;

    size = ngx_http_mta_sts_cache_size(values, n, 8);
    if (size == 0) {
        return;
    }

    p = ngx_http_mta_sts_cache_alloc(cache, size);

    if (p == NULL) {
        p = malloc(size);
        if (p == NULL) {
            return;
        }
    }

    hash = ngx_http_mta_sts_cache_hash(cache->seed, mode, values, n);
    e = ngx_http_mta_sts_cache_init_entry(p, hash, mode, values, n, &body);

    ngx_memcpy(body, "body", 4);
    e->answer.body.data = body;
    e->answer.body.len = 4;

    old = ngx_http_mta_sts_cache_insert(cache, e);
    (*live)++;

    ngx_http_mta_sts_cache_remember(cache,
        ngx_http_mta_sts_cache_where(cache->seed, values, n), e);

    if (old) {
        if (old == e) {
            abort();
        }

        if (!ngx_http_mta_sts_cache_free(cache, old)) {
            free(old);
        }

        (*live)--;
    }

    /* an entry just added is found, and is itself, by both ways */

    if (ngx_http_mta_sts_cache_find(cache, hash, mode, values, n) != e
        || ngx_http_mta_sts_cache_recall(cache, mode, values, n, &where)
           != e
        || where != ngx_http_mta_sts_cache_where(cache->seed, values, n))
    {
        abort();
    }
}


static void
ngx_http_mta_sts_fuzz_check(ngx_http_mta_sts_cache_entry_t *e,
    ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n)
{
    ngx_uint_t  i;

    if (e->mode != mode || e->nvalues != n
        || ngx_strncmp(e->answer.body.data, "body", 4) != 0)
    {
        abort();
    }

    for (i = 0; i < n; i++) {
        if (e->values[i].len != values[i].len
            || ngx_memcmp(e->values[i].data, values[i].data, values[i].len)
               != 0)
        {
            abort();
        }
    }
}
