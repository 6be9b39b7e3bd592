
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * Unit tests of src/ngx_http_mta_sts_cache.c: the answers of policies
 * from variables, keyed by the values.  Never an answer for other values;
 * 10,000 domains all fit; no more entries than the bound whatever comes;
 * answers in use outlive a flood of values sent once.  The memo in front
 * of it: values at the same addresses find their entry without a hash,
 * other bytes at those addresses never do, nor values whose entry was
 * replaced.  Prints a TAP line a check and exits non-zero on any failure.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_cache.h>

#include <stdio.h>
#include <stdlib.h>

#include "tap.h"


static ngx_http_mta_sts_cache_entry_t *add(ngx_http_mta_sts_cache_t *cache,
    ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n);
static ngx_http_mta_sts_cache_entry_t *find(ngx_http_mta_sts_cache_t *cache,
    ngx_uint_t mode, ngx_str_t *values, ngx_uint_t n);
static ngx_http_mta_sts_cache_entry_t *recall(
    ngx_http_mta_sts_cache_t *cache, ngx_uint_t mode, ngx_str_t *values,
    ngx_uint_t n);
static ngx_uint_t holds(ngx_http_mta_sts_cache_entry_t *e, ngx_uint_t mode,
    ngx_str_t *values, ngx_uint_t n);
static void key(ngx_str_t *v, u_char *buf, const char *fmt, ngx_uint_t i);
static void test_compare(ngx_http_mta_sts_cache_t *cache);
static void test_memo(void);
static void test_slots(void);


static ngx_uint_t  live, evicted;


int
main(void)
{
    char                             detail[256];
    u_char                           b1[64], b2[64];
    size_t                           size;
    ngx_str_t                        v[2], w[2];
    ngx_uint_t                       i, j, bad, hot, lost;
    ngx_http_mta_sts_cache_t         cache;
    ngx_http_mta_sts_cache_entry_t  *e;

    memset(&cache, 0, sizeof(cache));
    cache.seed = 0x5eed;

    /* no table yet: nothing found */

    key(&v[0], b1, "mail.d%05lu.example", 1);
    ok(find(&cache, 3, v, 1) == NULL, "no table - nothing found", "");

    ok(recall(&cache, 3, v, 1) == NULL, "no memo - nothing recalled", "");

    cache.table = calloc(NGX_HTTP_MTA_STS_CACHE_ENTRIES, sizeof(void *));
    if (cache.table == NULL) {
        return 2;
    }

    ok(recall(&cache, 3, v, 1) == NULL, "no memo, a table - nothing recalled",
       "");
    add(&cache, 3, v, 1);
    ok(recall(&cache, 3, v, 1) == NULL && find(&cache, 3, v, 1) != NULL,
       "no memo - found all the same", "");

    cache.memo = calloc(NGX_HTTP_MTA_STS_CACHE_MEMO,
                        sizeof(ngx_http_mta_sts_cache_memo_t));
    if (cache.memo == NULL) {
        return 2;
    }

    test_slots();

    cache.slots = malloc(NGX_HTTP_MTA_STS_CACHE_SLOTS
                         * NGX_HTTP_MTA_STS_CACHE_SLOT);
    if (cache.slots == NULL) {
        return 2;
    }

    /* never an answer for other values */

    v[0].data = (u_char *) "ab";
    v[0].len = 2;
    v[1].data = (u_char *) "c";
    v[1].len = 1;
    e = add(&cache, 3, v, 2);

    ok(find(&cache, 3, v, 2) == e, "the same values - found", "");

    w[0].data = (u_char *) "a";
    w[0].len = 1;
    w[1].data = (u_char *) "bc";
    w[1].len = 2;
    ok(find(&cache, 3, w, 2) == NULL,
       "the same bytes, split otherwise - not found", "");
    ok(find(&cache, 2, v, 2) == NULL, "another mode - not found", "");
    ok(find(&cache, 3, v, 1) == NULL, "fewer values - not found", "");

    w[0].data = (u_char *) "ab";
    w[0].len = 2;
    w[1].data = (u_char *) "d";
    w[1].len = 1;
    ok(find(&cache, 3, w, 2) == NULL, "one byte apart - not found", "");

    e = find(&cache, 3, v, 2);
    ok(e && e->values[0].data != v[0].data
       && ngx_strncmp(e->values[1].data, "c", 1) == 0,
       "the entry holds a copy of the values", "");

    test_compare(&cache);

    /* the bound of an entry: values and body */

    v[0].len = NGX_HTTP_MTA_STS_CACHE_ENTRY_MAX - 100;
    v[0].data = NULL;
    ok(ngx_http_mta_sts_cache_size(v, 1, 100) != 0,
       "values and body at the bound - cached", "");
    ok(ngx_http_mta_sts_cache_size(v, 1, 101) == 0,
       "a byte over the bound - not cached", "");
    v[1].len = (size_t) -1;
    ok(ngx_http_mta_sts_cache_size(v, 2, 0) == 0,
       "a length that would wrap - not cached", "");

    /* 10,000 domains: all fit, none replaced, all found again */

    for (i = 0; i < 10000; i++) {
        key(&v[0], b1, "mail.d%05lu.example", i);
        add(&cache, 3, v, 1);
    }

    bad = 0;

    for (i = 0; i < 10000; i++) {
        key(&v[0], b1, "mail.d%05lu.example", i);
        e = find(&cache, 3, v, 1);

        if (e == NULL || e->values[0].len != v[0].len
            || ngx_memcmp(e->values[0].data, v[0].data, v[0].len) != 0)
        {
            bad++;
        }
    }

    snprintf(detail, sizeof(detail), "%lu not found, %lu replaced",
             (unsigned long) bad, (unsigned long) evicted);
    ok(bad == 0 && evicted == 0, "10,000 domains - every one found", detail);

    test_memo();

    /* a flood of values sent once: the bound holds */

    for (i = 0; i < 200000; i++) {
        key(&v[0], b1, "flood-%lu.example", i);
        add(&cache, 3, v, 1);
    }

    snprintf(detail, sizeof(detail), "%lu entries, %lu in the table",
             (unsigned long) live, (unsigned long) cache.entries);
    ok(live <= NGX_HTTP_MTA_STS_CACHE_ENTRIES
       && cache.entries <= NGX_HTTP_MTA_STS_CACHE_ENTRIES,
       "200,000 values - no more than the bound", detail);

    /*
     * 1,000 answers in use, each asked once between every 500 values of
     * a flood of 100,000 sent once: a value the flood replaces is back at
     * its next use, and that is rare.  Replacing without the use bits
     * (the entry where the hand stands) loses one lookup in thirty here
     * (6,340), CLOCK about one in a thousand (170); the bound: one in a
     * hundred.
     */

    for (i = 0; i < 1000; i++) {
        key(&v[0], b1, "hot-%lu.example", i);
        add(&cache, 3, v, 1);
    }

    lost = 0;

    for (j = 0; j < 200; j++) {
        for (i = 0; i < 500; i++) {
            key(&v[0], b1, "once-%lu.example", j * 500 + i);
            add(&cache, 3, v, 1);
        }

        for (i = 0; i < 1000; i++) {
            key(&w[0], b2, "hot-%lu.example", i);

            if (find(&cache, 3, w, 1) == NULL) {
                lost++;
                add(&cache, 3, w, 1);
            }
        }
    }

    snprintf(detail, sizeof(detail), "%lu times one was gone",
             (unsigned long) lost);
    ok(lost < 200000 / 100,
       "answers in use outlive a flood of values sent once", detail);

    /* answers not used are replaced by new ones */

    hot = 0;

    for (i = 0; i < 10000; i++) {
        key(&v[0], b1, "mail.d%05lu.example", i);
        hot += (find(&cache, 3, v, 1) != NULL);
    }

    snprintf(detail, sizeof(detail), "%lu of 10,000 still there",
             (unsigned long) hot);
    ok(hot < 10000, "answers not used since - replaced", detail);

    size = 0;

    for (i = 0; i < NGX_HTTP_MTA_STS_CACHE_ENTRIES; i++) {
        if (cache.table[i]) {
            size++;

            if (!ngx_http_mta_sts_cache_free(&cache, cache.table[i])) {
                free(cache.table[i]);
            }
        }
    }

    ok(size == live, "every entry given back or in the table", "");

    free(cache.table);
    free(cache.memo);
    free(cache.slots);

    printf("1..%d\n", tests);
    printf("# %s: %d passed, %d failed\n", "cache", tests - failed, failed);

    return failed ? 1 : 0;
}


static ngx_http_mta_sts_cache_entry_t *
add(ngx_http_mta_sts_cache_t *cache, ngx_uint_t mode, ngx_str_t *values,
    ngx_uint_t n)
{
    u_char                          *p, *body;
    size_t                           size;
    uint64_t                         hash;
    ngx_http_mta_sts_cache_entry_t  *e, *old;

    /* as the module: a slot, else the heap */

    size = ngx_http_mta_sts_cache_size(values, n, 4);
    p = ngx_http_mta_sts_cache_alloc(cache, size);

    if (p == NULL) {
        p = malloc(size);
        if (p == NULL) {
            exit(2);
        }
    }

    hash = ngx_http_mta_sts_cache_hash(cache->seed, mode, values, n);
    e = ngx_http_mta_sts_cache_init_entry(p, hash, mode, values, n, &body);

    ngx_memcpy(body, "body", 4);
    e->answer.body.data = body;
    e->answer.body.len = 4;

    live++;
    old = ngx_http_mta_sts_cache_insert(cache, e);

    if (old) {
        live--;
        evicted++;

        if (!ngx_http_mta_sts_cache_free(cache, old)) {
            free(old);
        }
    }

    ngx_http_mta_sts_cache_remember(cache,
        ngx_http_mta_sts_cache_where(cache->seed, values, n), e);

    return e;
}


static ngx_http_mta_sts_cache_entry_t *
find(ngx_http_mta_sts_cache_t *cache, ngx_uint_t mode, ngx_str_t *values,
    ngx_uint_t n)
{
    uint64_t  hash;

    hash = ngx_http_mta_sts_cache_hash(cache->seed, mode, values, n);

    return ngx_http_mta_sts_cache_find(cache, hash, mode, values, n);
}


static void
key(ngx_str_t *v, u_char *buf, const char *fmt, ngx_uint_t i)
{
    v->data = buf;
    v->len = snprintf((char *) buf, 64, fmt, (unsigned long) i);
}


static ngx_http_mta_sts_cache_entry_t *
recall(ngx_http_mta_sts_cache_t *cache, ngx_uint_t mode, ngx_str_t *values,
    ngx_uint_t n)
{
    uint64_t                         where;
    ngx_http_mta_sts_cache_entry_t  *e;

    e = ngx_http_mta_sts_cache_recall(cache, mode, values, n, &where);

    if (where != ngx_http_mta_sts_cache_where(cache->seed, values, n)) {
        printf("# recall and where disagree\n");
        exit(1);
    }

    return e;
}


static ngx_uint_t
holds(ngx_http_mta_sts_cache_entry_t *e, ngx_uint_t mode, ngx_str_t *values,
    ngx_uint_t n)
{
    ngx_uint_t  i;

    if (e->mode != mode || e->nvalues != n) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (e->values[i].len != values[i].len
            || ngx_memcmp(e->values[i].data, values[i].data, values[i].len)
               != 0)
        {
            return 0;
        }
    }

    return 1;
}


/*
 * The inline compare: every length from 0 to 40, a byte changed at each
 * place (the first, the last, the ones the overlapping steps read twice)
 * is never found, by the table nor by the memo; the same bytes are.
 */

static void
test_compare(ngx_http_mta_sts_cache_t *cache)
{
    char                             detail[128];
    u_char                           a[48], b[48];
    ngx_str_t                        v[2], w[2];
    ngx_uint_t                       len, k, bad;
    ngx_http_mta_sts_cache_entry_t  *e;

    bad = 0;

    for (len = 0; len <= 40; len++) {
        for (k = 0; k < len; k++) {
            a[k] = (u_char) ('a' + (len * 7 + k) % 26);
        }

        v[0].data = (u_char *) "x";
        v[0].len = 1;
        v[1].data = a;
        v[1].len = len;
        e = add(cache, 4, v, 2);

        ngx_memcpy(b, a, len);
        w[0] = v[0];
        w[1].data = b;
        w[1].len = len;

        if (find(cache, 4, w, 2) != e) {
            bad++;
        }

        for (k = 0; k < len; k++) {
            b[k] ^= 0x20;

            if (find(cache, 4, w, 2) != NULL || recall(cache, 4, w, 2) != NULL
                || recall(cache, 4, v, 2) != e)
            {
                bad++;
            }

            /* at the entry's own addresses, other bytes */

            a[k] ^= 0x20;

            if (recall(cache, 4, v, 2) != NULL) {
                bad++;
            }

            a[k] ^= 0x20;
            b[k] ^= 0x20;
        }
    }

    snprintf(detail, sizeof(detail), "%lu wrong", (unsigned long) bad);
    ok(bad == 0, "every length, a byte changed anywhere - not found", detail);
}


/* the memo, on a cache of its own */

static void
test_memo(void)
{
    char                             detail[128];
    u_char                          *domains, buf[64];
    uint8_t                         *in_set;
    ngx_str_t                        v[2], w[2];
    ngx_uint_t                       i, hit, bad, entries, kept;
    ngx_http_mta_sts_cache_t         own, *cache;
    ngx_http_mta_sts_cache_entry_t  *e;

    cache = &own;
    ngx_memzero(cache, sizeof(ngx_http_mta_sts_cache_t));
    cache->seed = 0xfeed;
    cache->table = calloc(NGX_HTTP_MTA_STS_CACHE_ENTRIES, sizeof(void *));
    cache->memo = calloc(NGX_HTTP_MTA_STS_CACHE_MEMO,
                         sizeof(ngx_http_mta_sts_cache_memo_t));
    if (cache->table == NULL || cache->memo == NULL) {
        exit(2);
    }

    /* the values just added are recalled, and hold their own values */

    v[0].data = (u_char *) "enforce";
    v[0].len = 7;
    v[1].data = (u_char *) "mail.example.com";
    v[1].len = 16;
    e = add(cache, 3, v, 2);

    ok(recall(cache, 3, v, 2) == e, "values just added - recalled", "");
    ok(recall(cache, 2, v, 2) == NULL, "another mode - not recalled", "");
    ok(recall(cache, 3, v, 1) == NULL, "fewer values - not recalled", "");

    /* the same bytes elsewhere: not in the memo, found by the table */

    ngx_memcpy(buf, "mail.example.com", 16);
    w[0] = v[0];
    w[1].data = buf;
    w[1].len = 16;
    ok(recall(cache, 3, w, 2) == NULL && find(cache, 3, w, 2) == e,
       "the same bytes at another address - found in the table", "");

    ngx_http_mta_sts_cache_remember(cache,
        ngx_http_mta_sts_cache_where(cache->seed, w, 2), e);
    ok(recall(cache, 3, w, 2) == e && recall(cache, 3, v, 2) == e,
       "both addresses remembered - both recalled", "");

    /* other bytes at the same address: never the entry of the old ones */

    ngx_memcpy(buf, "mail.example.org", 16);
    ok(recall(cache, 3, w, 2) == NULL && find(cache, 3, w, 2) == NULL,
       "other bytes at a remembered address - not recalled", "");

    /*
     * 10,000 domains, each at an address of its own as in a map: after
     * one lookup each, the memo recalls every domain its set could keep,
     * the last MEMO_WAYS of a set that more addresses chose.  Which set
     * an address chooses depends on where malloc() put the domains, so
     * the count is computed here, not guessed: 8192 sets of 4 ways keep
     * 9916 of 10,000 domains on average, with a standard deviation of
     * 10; fewer than 9800 would mean the mix clusters addresses.
     */

    domains = malloc(10000 * 32);
    in_set = calloc(NGX_HTTP_MTA_STS_CACHE_SETS, 1);
    if (domains == NULL || in_set == NULL) {
        exit(2);
    }

    /* every way free, as the count below assumes */

    ngx_memzero(cache->memo, NGX_HTTP_MTA_STS_CACHE_MEMO
                             * sizeof(ngx_http_mta_sts_cache_memo_t));

    for (i = 0; i < 10000; i++) {
        key(&w[1], domains + i * 32, "mail.m%05lu.example", i);
        add(cache, 3, w, 2);

        in_set[ngx_http_mta_sts_cache_where(cache->seed, w, 2)
               & (NGX_HTTP_MTA_STS_CACHE_SETS - 1)]++;
    }

    kept = 0;

    for (i = 0; i < NGX_HTTP_MTA_STS_CACHE_SETS; i++) {
        kept += ngx_min(in_set[i], NGX_HTTP_MTA_STS_CACHE_MEMO_WAYS);
    }

    free(in_set);

    hit = 0;
    bad = 0;

    for (i = 0; i < 10000; i++) {
        key(&w[1], domains + i * 32, "mail.m%05lu.example", i);
        e = recall(cache, 3, w, 2);

        if (e) {
            hit++;
            bad += !holds(e, 3, w, 2);
        }
    }

    snprintf(detail, sizeof(detail),
             "%lu of 10,000 recalled, %lu wrong, %lu kept by the sets",
             (unsigned long) hit, (unsigned long) bad, (unsigned long) kept);
    ok(hit == kept && kept >= 9800 && bad == 0,
       "10,000 domains - recalled by the memo", detail);

    /*
     * a flood of values at one address (a header in the same place of
     * each request) and at many: whatever the memo recalls holds the
     * values asked for
     */

    bad = 0;

    for (i = 0; i < 100000; i++) {
        key(&v[0], buf, "flood-%lu.example", i % 50000);

        if (i % 3 == 0) {
            v[0].data = domains + (i % 10000) * 32;
            ngx_memcpy(v[0].data, buf, v[0].len);
        }

        e = recall(cache, 3, v, 1);

        if (e == NULL) {
            e = find(cache, 3, v, 1);

            if (e == NULL) {
                add(cache, 3, v, 1);
                continue;
            }

            ngx_http_mta_sts_cache_remember(cache,
                ngx_http_mta_sts_cache_where(cache->seed, v, 1), e);
        }

        bad += !holds(e, 3, v, 1);
    }

    snprintf(detail, sizeof(detail), "%lu wrong", (unsigned long) bad);
    ok(bad == 0, "a flood at reused addresses - only its own answers",
       detail);

    free(domains);

    entries = 0;

    for (i = 0; i < NGX_HTTP_MTA_STS_CACHE_ENTRIES; i++) {
        if (cache->table[i]) {
            entries++;
            live--;
            free(cache->table[i]);
        }
    }

    ok(entries == cache->entries, "the memo's cache - every entry freed", "");

    free(cache->table);
    free(cache->memo);
}


/*
 * The slots: each entry its own, aligned as malloc() aligns; none for
 * an entry larger than a slot, nor past the last; a freed one is given
 * again; what is not a slot is the caller's to free.
 */

static void
test_slots(void)
{
    u_char                    *p, *q, *first, other[16];
    ngx_uint_t                 i, bad;
    ngx_http_mta_sts_cache_t   cache;

    memset(&cache, 0, sizeof(cache));

    ok(ngx_http_mta_sts_cache_alloc(&cache, 16) == NULL
       && ngx_http_mta_sts_cache_free(&cache, other) == 0,
       "no slots - none given, nothing taken back", "");

    cache.slots = malloc(NGX_HTTP_MTA_STS_CACHE_SLOTS
                         * NGX_HTTP_MTA_STS_CACHE_SLOT);
    if (cache.slots == NULL) {
        exit(2);
    }

    ok(ngx_http_mta_sts_cache_alloc(&cache, NGX_HTTP_MTA_STS_CACHE_SLOT + 1)
       == NULL, "an entry larger than a slot - the heap's", "");

    first = ngx_http_mta_sts_cache_alloc(&cache, NGX_HTTP_MTA_STS_CACHE_SLOT);
    bad = (first != cache.slots);
    q = first;

    for (i = 1; i < NGX_HTTP_MTA_STS_CACHE_SLOTS; i++) {
        p = ngx_http_mta_sts_cache_alloc(&cache, 100);

        if (p != q + NGX_HTTP_MTA_STS_CACHE_SLOT || (uintptr_t) p % 16) {
            bad++;
        }

        q = p;
    }

    ok(bad == 0, "every slot given once, in turn, aligned", "");

    ok(ngx_http_mta_sts_cache_alloc(&cache, 100) == NULL,
       "all given - none more", "");

    ok(ngx_http_mta_sts_cache_free(&cache, other) == 0
       && ngx_http_mta_sts_cache_free(&cache,
              cache.slots + NGX_HTTP_MTA_STS_CACHE_SLOTS
                            * NGX_HTTP_MTA_STS_CACHE_SLOT) == 0,
       "memory not a slot - not taken back", "");

    ok(ngx_http_mta_sts_cache_free(&cache, q) == 1
       && ngx_http_mta_sts_cache_free(&cache, first) == 1
       && ngx_http_mta_sts_cache_alloc(&cache, 100) == first
       && ngx_http_mta_sts_cache_alloc(&cache, 100) == q
       && ngx_http_mta_sts_cache_alloc(&cache, 100) == NULL,
       "freed slots - given again, each once", "");

    free(cache.slots);
}
