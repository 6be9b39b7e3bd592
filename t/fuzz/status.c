
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * libFuzzer target for the domains from variables of
 * src/ngx_http_mta_sts_status.c: the input is a list of operations on one
 * zone of a few slots, two of them a static policy's, and one worker's
 * table of them, done as ngx_http_mta_sts_status_module.c does them, with
 * four answers whose hints a request tries first.
 * Whatever they are: no more domains from variables than the bound have
 * a slot, no name is in two slots, a static domain keeps its slot, the
 * table is never more than half full and finds only a slot of the name
 * asked, once "complete" it finds every domain from variables of the
 * zone, an answer's hint is the row the table finds or none, and a
 * rendering is measured as it is written.
 *
 *   'C' LEN BYTES      a request for this domain (at most 15 bytes), its
 *                      answer the one of the first byte's two low bits
 *   'A' N              answer N (0-3) rendered anew: a new serial
 *   'R' VARS BOUND     a reload: with or without variables, a new bound
 *                      (a new table, as a new configuration's worker has)
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_status.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>


#define NGX_HTTP_MTA_STS_FUZZ_SLOTS  8


static void ngx_http_mta_sts_fuzz_request(ngx_http_mta_sts_status_shm_t *shm,
    ngx_http_mta_sts_status_hosts_t *t, ngx_uint_t bound, u_char *name,
    size_t len);
static void ngx_http_mta_sts_fuzz_check(ngx_http_mta_sts_status_shm_t *shm,
    ngx_http_mta_sts_status_hosts_t *t, ngx_uint_t bound);
static void ngx_http_mta_sts_fuzz_render(ngx_http_mta_sts_status_shm_t *shm,
    ngx_uint_t bound);


static ngx_http_mta_sts_status_slot_t  *ngx_http_mta_sts_fuzz_static[2];

/* an answer's part in it: its serial and its hint */
static struct {
    uint64_t                            serial;
    ngx_http_mta_sts_status_host_t     *status;
} ngx_http_mta_sts_fuzz_answers[4];
static uint64_t  ngx_http_mta_sts_fuzz_serial;


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                            len, zone;
    u_char                            name[16];
    ngx_uint_t                        bound, vars, i;
    const uint8_t                    *p, *last;
    ngx_http_mta_sts_status_shm_t    *shm;
    ngx_http_mta_sts_status_hosts_t   t;

    zone = offsetof(ngx_http_mta_sts_status_shm_t, slots)
           + NGX_HTTP_MTA_STS_FUZZ_SLOTS
             * sizeof(ngx_http_mta_sts_status_slot_t);

    shm = calloc(1, zone);
    if (shm == NULL) {
        return 0;
    }

    shm->nslots = NGX_HTTP_MTA_STS_FUZZ_SLOTS;

    ngx_http_mta_sts_fuzz_static[0] = ngx_http_mta_sts_status_slot(shm,
                                          (u_char *) "s1.example", 10, 1);
    ngx_http_mta_sts_fuzz_static[1] = ngx_http_mta_sts_status_slot(shm,
                                          (u_char *) "s2.example", 10, 1);
    ngx_http_mta_sts_fuzz_static[0]->kind = NGX_HTTP_MTA_STS_STATUS_STATIC;
    ngx_http_mta_sts_fuzz_static[1]->kind = NGX_HTTP_MTA_STS_STATUS_STATIC;

    bound = 3;
    vars = 1;

    memset(&t, 0, sizeof(t));
    t.seed = 0x5eed;
    t.mask = ngx_http_mta_sts_status_hosts_size(bound) - 1;
    t.hosts = calloc(t.mask + 1, sizeof(ngx_http_mta_sts_status_host_t));
    if (t.hosts == NULL) {
        free(shm);
        return 0;
    }

    for (i = 0; i < 4; i++) {
        ngx_http_mta_sts_fuzz_answers[i].serial =
                                               ++ngx_http_mta_sts_fuzz_serial;
        ngx_http_mta_sts_fuzz_answers[i].status =
                                          &ngx_http_mta_sts_status_nohint;
    }

    p = data;
    last = data + size;

    while (p < last) {

        switch (*p++) {

        case 'C':
            if (p >= last) {
                break;
            }

            len = *p++ & 15;

            if ((size_t) (last - p) < len) {
                len = last - p;
            }

            memcpy(name, p, len);
            p += len;

            if (vars) {
                ngx_http_mta_sts_fuzz_request(shm, &t, bound, name, len);
            }

            break;

        case 'A':
            if (p < last) {
                i = *p++ & 3;
                ngx_http_mta_sts_fuzz_answers[i].serial =
                                               ++ngx_http_mta_sts_fuzz_serial;
                ngx_http_mta_sts_fuzz_answers[i].status =
                                          &ngx_http_mta_sts_status_nohint;
            }

            break;

        case 'R':
            if (last - p < 2) {
                p = last;
                break;
            }

            vars = p[0] & 1;
            bound = p[1] % (NGX_HTTP_MTA_STS_FUZZ_SLOTS + 2);
            p += 2;

            ngx_http_mta_sts_status_reload(shm, vars, bound);

            /* a new worker: answers of its own */

            for (i = 0; i < 4; i++) {
                ngx_http_mta_sts_fuzz_answers[i].serial =
                                               ++ngx_http_mta_sts_fuzz_serial;
                ngx_http_mta_sts_fuzz_answers[i].status =
                                          &ngx_http_mta_sts_status_nohint;
            }

            free(t.hosts);
            memset(&t, 0, sizeof(t));
            t.seed = 0x5eed + bound;
            t.mask = ngx_http_mta_sts_status_hosts_size(bound) - 1;
            t.hosts = calloc(t.mask + 1,
                             sizeof(ngx_http_mta_sts_status_host_t));
            if (t.hosts == NULL) {
                abort();
            }

            break;

        default:
            break;
        }

        ngx_http_mta_sts_fuzz_check(shm, &t, vars ? bound : 0);
    }

    ngx_http_mta_sts_fuzz_render(shm, bound);

    free(t.hosts);
    free(shm);

    return 0;
}


/* what ngx_http_mta_sts_status_fetched() and _seen() do for a request */

static void
ngx_http_mta_sts_fuzz_request(ngx_http_mta_sts_status_shm_t *shm,
    ngx_http_mta_sts_status_hosts_t *t, ngx_uint_t bound, u_char *name,
    size_t len)
{
    uint32_t                         hash;
    ngx_uint_t                       a;
    ngx_http_mta_sts_status_slot_t  *s;
    ngx_http_mta_sts_status_host_t  *h, *hint;

    a = len ? name[0] & 3 : 0;

    hint = ngx_http_mta_sts_status_host_hint(
               ngx_http_mta_sts_fuzz_answers[a].status,
               ngx_http_mta_sts_fuzz_answers[a].serial, name, len);

    hash = ngx_http_mta_sts_status_hash(t->seed, name, len);

    h = ngx_http_mta_sts_status_host_find(t, hash, name, len);

    if (hint && (h == NULL || hint->slot != h->slot
                 || hint->serial != ngx_http_mta_sts_fuzz_answers[a].serial))
    {
        abort();   /* a hint to a row the table does not find */
    }

    if (h) {
        if (h->slot->domain_len != len
            || memcmp(h->slot->domain, name, len) != 0)
        {
            abort();
        }

        h->slot->fetches++;

        h->serial = ngx_http_mta_sts_fuzz_answers[a].serial;
        ngx_http_mta_sts_fuzz_answers[a].status = h;
        return;
    }

    if (t->complete) {
        shm->other.fetches++;
        return;
    }

    s = ngx_http_mta_sts_status_claim(shm, name, len, bound);

    if (s == NULL) {
        if (shm->full) {
            ngx_http_mta_sts_status_hosts_fill(t, shm);
        }

        shm->other.fetches++;
        return;
    }

    if (s->domain_len != len || memcmp(s->domain, name, len) != 0) {
        abort();
    }

    s->fetches++;

    if (s->kind == NGX_HTTP_MTA_STS_STATUS_VARIABLE && s->id_len == 0) {
        s->mode = 3;
        memcpy(s->id, "0123456789abcdef0123456789abcdef", 32);
        s->id_len = 32;
    }

    (void) ngx_http_mta_sts_status_host_add(t, hash, s);
}


static void
ngx_http_mta_sts_fuzz_check(ngx_http_mta_sts_status_shm_t *shm,
    ngx_http_mta_sts_status_hosts_t *t, ngx_uint_t bound)
{
    ngx_uint_t                       i, j, n;
    ngx_http_mta_sts_status_slot_t  *s;
    ngx_http_mta_sts_status_host_t  *h;

    n = 0;

    for (i = 0; i < shm->nslots; i++) {
        s = &shm->slots[i];

        if (s->domain_len > NGX_HTTP_MTA_STS_STATUS_DOMAIN_MAX
            || s->kind > NGX_HTTP_MTA_STS_STATUS_VARIABLE)
        {
            abort();
        }

        if (s->kind == NGX_HTTP_MTA_STS_STATUS_VARIABLE) {
            n++;
        }

        for (j = 0; s->domain_len && j < i; j++) {
            if (shm->slots[j].domain_len == s->domain_len
                && memcmp(shm->slots[j].domain, s->domain, s->domain_len)
                   == 0)
            {
                abort();   /* a name in two slots */
            }
        }

        if (s->kind == NGX_HTTP_MTA_STS_STATUS_VARIABLE && t->complete
            && ngx_http_mta_sts_status_host_find(t,
                   ngx_http_mta_sts_status_hash(t->seed, s->domain,
                                                s->domain_len),
                   s->domain, s->domain_len)
               == NULL)
        {
            abort();   /* complete, yet a domain missing */
        }
    }

    if (n != shm->nvariable || n > bound) {
        abort();
    }

    for (i = 0; i < 2; i++) {
        s = ngx_http_mta_sts_fuzz_static[i];

        if (s->kind != NGX_HTTP_MTA_STS_STATUS_STATIC || s->domain_len != 10
            || s->domain[0] != 's' || s->domain[1] != (u_char) ('1' + i))
        {
            abort();   /* a static domain lost its slot */
        }
    }

    if (t->n > (t->mask + 1) / 2) {
        abort();
    }

    for (i = 0, n = 0; i <= t->mask; i++) {
        h = &t->hosts[i];

        if (h->len == 0) {
            continue;
        }

        n++;

        if (h->slot < shm->slots || h->slot >= shm->slots + shm->nslots) {
            abort();
        }
    }

    if (n != t->n) {
        abort();
    }
}


/* the rows as ngx_http_mta_sts_status_rows() makes them, then rendered */

static void
ngx_http_mta_sts_fuzz_render(ngx_http_mta_sts_status_shm_t *shm,
    ngx_uint_t bound)
{
    u_char                             *out;
    size_t                              size, len;
    ngx_uint_t                          i, n, f;
    ngx_http_mta_sts_status_t           st;
    ngx_http_mta_sts_status_slot_t     *s;
    ngx_http_mta_sts_status_domain_t    d[NGX_HTTP_MTA_STS_FUZZ_SLOTS];
    ngx_http_mta_sts_status_domain_t   *rows[NGX_HTTP_MTA_STS_FUZZ_SLOTS];

    memset(d, 0, sizeof(d));
    n = 0;

    for (i = 0; i < shm->nslots; i++) {
        s = &shm->slots[i];

        if (s->kind != NGX_HTTP_MTA_STS_STATUS_VARIABLE) {
            continue;
        }

        d[n].domain.data = s->domain;
        d[n].domain.len = s->domain_len;
        d[n].mode = ngx_http_mta_sts_status_modes[s->mode < 4 ? s->mode : 0];
        d[n].id.data = s->id;
        d[n].id.len = s->id_len;
        d[n].slot = s;
        d[n].variable = 1;
        rows[n] = &d[n];
        n++;
    }

    memset(&st, 0, sizeof(st));
    st.domains = rows;
    st.ndomains = n;
    st.variables = 1;
    st.bound = bound;
    st.shm = shm;
    st.now = 1700000000;

    for (f = 0; f < 3; f++) {
        size = ngx_http_mta_sts_status_render(&st, f, NULL, NULL);

        out = malloc(size);
        if (out == NULL) {
            return;
        }

        len = ngx_http_mta_sts_status_render(&st, f, out, out + size);

        free(out);

        if (len != size) {
            abort();
        }
    }
}
