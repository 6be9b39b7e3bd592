
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_STATUS_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_STATUS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_tlsrpt.h>


/*
 * The status endpoint's counters and their three renderings (Prometheus
 * text 0.0.4, JSON, HTML).  Plain C with nginx types and macros, no nginx
 * functions, so that it links into a unit test: the shared memory layout
 * is here, the zone and the handler are in ngx_http_mta_sts_status_module.c.
 */


#define NGX_HTTP_MTA_STS_STATUS_PROMETHEUS  0
#define NGX_HTTP_MTA_STS_STATUS_JSON        1
#define NGX_HTTP_MTA_STS_STATUS_HTML        2

/* the receiver's outcomes, as $mta_sts_tlsrpt_result names them */
#define NGX_HTTP_MTA_STS_STATUS_STORED      0
#define NGX_HTTP_MTA_STS_STATUS_DUPLICATE   1
#define NGX_HTTP_MTA_STS_STATUS_INVALID     2
#define NGX_HTTP_MTA_STS_STATUS_TOO_LARGE   3
#define NGX_HTTP_MTA_STS_STATUS_REFUSED     4
#define NGX_HTTP_MTA_STS_STATUS_ERROR       5
#define NGX_HTTP_MTA_STS_STATUS_OUTCOMES    6

/* the last failure-details rows kept per domain */
#define NGX_HTTP_MTA_STS_STATUS_FAILURES    4
#define NGX_HTTP_MTA_STS_STATUS_ORG_MAX     64
#define NGX_HTTP_MTA_STS_STATUS_DOMAIN_MAX  253
#define NGX_HTTP_MTA_STS_STATUS_ID_MAX      32

/* what a slot counts for, in the newest configuration */
#define NGX_HTTP_MTA_STS_STATUS_KEPT        0   /* free, or a domain gone */
#define NGX_HTTP_MTA_STS_STATUS_STATIC      1   /* a static policy's */
#define NGX_HTTP_MTA_STS_STATUS_VARIABLE    2   /* seen in requests */

/* the DNS checks kept per domain, as ngx_http_mta_sts_dns.h orders them */
#define NGX_HTTP_MTA_STS_STATUS_DNS_TXT     0   /* _mta-sts TXT */
#define NGX_HTTP_MTA_STS_STATUS_DNS_MX      1
#define NGX_HTTP_MTA_STS_STATUS_DNS_HOST    2   /* mta-sts A, AAAA */
#define NGX_HTTP_MTA_STS_STATUS_DNS_TLSRPT  3   /* _smtp._tls TXT */
#define NGX_HTTP_MTA_STS_STATUS_DNS_CHECKS  4
#define NGX_HTTP_MTA_STS_STATUS_FINDING_MAX 256

/* the DNS UPDATE's states ("mta_sts_dns_update") */
#define NGX_HTTP_MTA_STS_STATUS_UPDATE_OFF       0  /* not configured */
#define NGX_HTTP_MTA_STS_STATUS_UPDATE_WAITING   1  /* for the DNS check */
#define NGX_HTTP_MTA_STS_STATUS_UPDATE_PUBLISHED 2
#define NGX_HTTP_MTA_STS_STATUS_UPDATE_PENDING   3  /* in flight, backoff */
#define NGX_HTTP_MTA_STS_STATUS_UPDATE_FAILED    4  /* until a reload */
#define NGX_HTTP_MTA_STS_STATUS_UPDATE_STATES    5

/*
 * The zone's layout: a zone of another layout kept over a reload (a new
 * module loaded into the same nginx) is made anew, not misread.  The
 * slot's size tells the layouts apart; the DNS UPDATE's state made it
 * larger
 */
#define NGX_HTTP_MTA_STS_STATUS_LAYOUT                                       \
    (0x4d5453530000ULL + sizeof(ngx_http_mta_sts_status_slot_t))


/* one failure-details row, copied and cut: no pointers in shared memory */

typedef struct {
    time_t                            time;         /* when received */
    size_t                            org_len;
    u_char                            org[NGX_HTTP_MTA_STS_STATUS_ORG_MAX];
    ngx_http_mta_sts_tlsrpt_detail_t  detail;
} ngx_http_mta_sts_status_failure_t;


/*
 * A DNS check's last result: its state (ngx_http_mta_sts_dns.h: 0 not run,
 * 1 ok, 2 could not check, 3 notice, 4 warn), when, and what it found
 */

typedef struct {
    ngx_uint_t                        state;
    time_t                            checked;
    size_t                            finding_len;
    u_char                            finding[
                                        NGX_HTTP_MTA_STS_STATUS_FINDING_MAX];
} ngx_http_mta_sts_status_check_t;


/*
 * The DNS check's results for a domain, written by the first worker under
 * the zone's mutex; shown only when written for the configuration that
 * serves now (generation), not for the one before a reload
 */

typedef struct {
    ngx_uint_t                        generation;   /* 0: not run */
    ngx_uint_t                        txt_stale;    /* id != the id served */
    time_t                            txt_recheck;  /* 0: none pending */
    ngx_uint_t                        mx_uncovered; /* MX hosts unmatched */
    ngx_http_mta_sts_status_check_t   checks[
                                        NGX_HTTP_MTA_STS_STATUS_DNS_CHECKS];
} ngx_http_mta_sts_status_dns_t;


/*
 * The DNS UPDATE's last state for a domain, written by the first worker
 * as the DNS check's results are, for the configuration that serves now
 */

typedef struct {
    ngx_uint_t                        generation;   /* 0: nothing yet */
    ngx_uint_t                        state;        /* ..._UPDATE_* */
    time_t                            time;         /* of that state */
    time_t                            next;         /* pending: 0 now */
    size_t                            why_len;
    u_char                            why[
                                        NGX_HTTP_MTA_STS_STATUS_FINDING_MAX];
} ngx_http_mta_sts_status_update_t;


/* a domain's counters: one fixed slot in the zone, found by its name */

typedef struct {
    ngx_atomic_t                      fetches;      /* without a lock */
    size_t                            domain_len;   /* 0: a free slot */
    u_char                            domain[256];

    /* under the zone's mutex: a domain seen through a policy's variables */
    ngx_uint_t                        kind;         /* ..._STATUS_KEPT... */
    ngx_uint_t                        mode;         /* served last */
    size_t                            id_len;
    u_char                            id[NGX_HTTP_MTA_STS_STATUS_ID_MAX];

    /* under the zone's mutex, once per report */
    uint64_t                          reports;
    uint64_t                          successful;
    uint64_t                          failed;
    uint64_t                          types[NGX_HTTP_MTA_STS_TLSRPT_NTYPES];
    time_t                            last_report;
    uint64_t                          last_failed;  /* in the last report */
    ngx_uint_t                        nfailures;    /* ever kept */
    ngx_http_mta_sts_status_failure_t failures[
                                        NGX_HTTP_MTA_STS_STATUS_FAILURES];

    ngx_http_mta_sts_status_dns_t     dns;
    ngx_http_mta_sts_status_update_t  update;
} ngx_http_mta_sts_status_slot_t;


/* the zone: its size, not the number of domains, fixes nslots */

typedef struct {
    uint64_t                          layout;       /* ..._STATUS_LAYOUT */
    ngx_uint_t                        generation;   /* of the newest conf */
    ngx_atomic_t                      outcomes[
                                        NGX_HTTP_MTA_STS_STATUS_OUTCOMES];
    ngx_uint_t                        nslots;

    /* the domains seen through variables, under the mutex */
    ngx_uint_t                        nvariable;
    ngx_uint_t                        full;         /* no more until reload */
    ngx_atomic_t                      dropped;      /* fetches into "other" */

    ngx_http_mta_sts_status_slot_t    other;        /* not configured */
    ngx_http_mta_sts_status_slot_t    slots[1];
} ngx_http_mta_sts_status_shm_t;


/* a policy domain as the configuration knows it */

typedef struct {
    ngx_str_t                         domain;
    ngx_str_t                         mode;
    ngx_str_t                         id;
    time_t                            not_after;    /* 0: not known */
    ngx_int_t                         days;         /* mta_sts_check_days */
    ngx_str_t                         listener;     /* "ok", "no_443", ... */
    ngx_http_mta_sts_status_slot_t   *slot;         /* NULL: zone full */
    ngx_uint_t                        alias;        /* listed already */
    ngx_uint_t                        dns;          /* checked in DNS */
    ngx_uint_t                        variable;     /* seen in requests */
    ngx_uint_t                        update;       /* DNS UPDATE on */

    ngx_uint_t                        failing;      /* set by render */
} ngx_http_mta_sts_status_domain_t;


/* what a rendering reads */

typedef struct {
    ngx_http_mta_sts_status_domain_t **domains;     /* sorted by render */
    ngx_uint_t                        ndomains;
    ngx_uint_t                        uncounted;    /* without a slot */
    ngx_uint_t                        variables;    /* a policy has them */
    ngx_uint_t                        bound;        /* of their domains */
    ngx_http_mta_sts_status_shm_t    *shm;
    ngx_uint_t                        generation;   /* the DNS results' */
    time_t                            now;
} ngx_http_mta_sts_status_t;


/*
 * A worker's own index of the domains seen through variables: an open
 * addressing table (twice the bound, a power of two) of the hash, the
 * length and the slot, compared with the slot's name.  Allocated once;
 * known domains are found without the zone's lock.  "complete" once the
 * zone takes no more of them: the table then holds all there are, and a
 * domain it lacks is counted under "other" without asking the zone.
 */

typedef struct {
    uint32_t                          hash;
    uint32_t                          len;          /* 0: empty */
    ngx_http_mta_sts_status_slot_t   *slot;
    ngx_uint_t                        mode;         /* written to the slot */
    u_char                            id[NGX_HTTP_MTA_STS_STATUS_ID_MAX];
    uint64_t                          serial;       /* of the answer last
                                                       compared, 0: none */
} ngx_http_mta_sts_status_host_t;


typedef struct {
    ngx_http_mta_sts_status_host_t   *hosts;        /* NULL: not yet */
    ngx_uint_t                        mask;         /* size - 1 */
    ngx_uint_t                        n;
    ngx_uint_t                        complete;
    uint64_t                          seed;         /* the hash's, random */
} ngx_http_mta_sts_status_hosts_t;


/*
 * Renders into [p, last); returns the length the whole output needs, which
 * is larger than last - p when it did not fit (nothing is written past
 * last).  p may be NULL to measure only.
 */
size_t ngx_http_mta_sts_status_render(ngx_http_mta_sts_status_t *st,
    ngx_uint_t format, u_char *p, u_char *last);

/* a stored report's policies into their slots ("other" for the rest) */
void ngx_http_mta_sts_status_record(ngx_http_mta_sts_status_shm_t *shm,
    ngx_http_mta_sts_tlsrpt_t *rpt, time_t now);

/* the slot of a domain, or a free one for it; NULL: the zone is full */
ngx_http_mta_sts_status_slot_t *ngx_http_mta_sts_status_slot(
    ngx_http_mta_sts_status_shm_t *shm, u_char *domain, size_t len,
    ngx_uint_t create);

/* a DNS check's result into a slot, for the configuration generation */
void ngx_http_mta_sts_status_dns_set(ngx_http_mta_sts_status_dns_t *dns,
    ngx_uint_t generation, ngx_uint_t check, ngx_uint_t state, time_t now,
    u_char *finding, size_t len);

/*
 * Domains seen through variables (their hash and find, the known
 * domain or NULL, are below, inline).  size: the table's entries for a
 * bound; add: into the table (NGX_DECLINED: full); claim, under the
 * mutex: the domain's slot, a new one while the bound and the zone allow,
 * NULL when not (shm->full is then set, and the table is to be filled);
 * fill: the table anew with every domain of the zone seen through
 * variables, and complete; reload, in init_zone after the static
 * domains' slots: the domains seen before keep their slots up to the new
 * bound.
 */
ngx_uint_t ngx_http_mta_sts_status_hosts_size(ngx_uint_t bound);
ngx_int_t ngx_http_mta_sts_status_host_add(
    ngx_http_mta_sts_status_hosts_t *t, uint32_t hash,
    ngx_http_mta_sts_status_slot_t *slot);
ngx_http_mta_sts_status_slot_t *ngx_http_mta_sts_status_claim(
    ngx_http_mta_sts_status_shm_t *shm, u_char *domain, size_t len,
    ngx_uint_t bound);
void ngx_http_mta_sts_status_hosts_fill(ngx_http_mta_sts_status_hosts_t *t,
    ngx_http_mta_sts_status_shm_t *shm);
void ngx_http_mta_sts_status_reload(ngx_http_mta_sts_status_shm_t *shm,
    ngx_uint_t variables, ngx_uint_t bound);

/*
 * The DNS UPDATE's state into a slot, for the configuration generation;
 * why NULL keeps the last one (a retry in flight still says why)
 */
void ngx_http_mta_sts_status_update_set(ngx_http_mta_sts_status_update_t *u,
    ngx_uint_t generation, ngx_uint_t state, time_t now, time_t next,
    u_char *why, size_t len);


/*
 * A domain's hash in the worker's table: eight bytes a step, multiplied
 * and folded, from the worker's random seed, the last eight overlapping
 * the ones before (the length is in the seed), without a call: a few
 * instructions a word, for names of at most 253 bytes
 */

#define NGX_HTTP_MTA_STS_STATUS_K  0x9e3779b97f4a7c15ULL

static ngx_inline uint32_t
ngx_http_mta_sts_status_hash(uint64_t seed, u_char *p, size_t len)
{
    size_t    k;
    uint64_t  h, w;

    h = seed ^ (len * NGX_HTTP_MTA_STS_STATUS_K);

    if (len >= 8) {
        for (k = 0; k + 8 < len; k += 8) {
            memcpy(&w, p + k, 8);
            h = (h ^ w) * NGX_HTTP_MTA_STS_STATUS_K;
            h ^= h >> 29;
        }

        memcpy(&w, p + len - 8, 8);

    } else {
        for (w = 0; len; len--) {
            w = (w << 8) | *p++;
        }
    }

    h = (h ^ w) * NGX_HTTP_MTA_STS_STATUS_K;
    h ^= h >> 32;

    return (uint32_t) h;
}


/*
 * A name compared eight bytes a step, the last eight overlapping the ones
 * before, without a call: a name of 8 to 16 bytes is two compares and no
 * loop
 */

static ngx_inline ngx_uint_t
ngx_http_mta_sts_status_equal(u_char *a, u_char *b, size_t len)
{
    size_t    k;
    uint64_t  x, y;

    if (len >= 8) {
        memcpy(&x, a + len - 8, 8);
        memcpy(&y, b + len - 8, 8);

        if (x != y) {
            return 0;
        }

        memcpy(&x, a, 8);
        memcpy(&y, b, 8);

        if (x != y) {
            return 0;
        }

        if (len <= 16) {
            return 1;
        }

        for (k = 8; k < len - 8; k += 8) {
            memcpy(&x, a + k, 8);
            memcpy(&y, b + k, 8);

            if (x != y) {
                return 0;
            }
        }

        return 1;
    }

    while (len--) {
        if (*a++ != *b++) {
            return 0;
        }
    }

    return 1;
}


/* the row of a known domain, NULL if unknown */

static ngx_inline ngx_http_mta_sts_status_host_t *
ngx_http_mta_sts_status_host_find(ngx_http_mta_sts_status_hosts_t *t,
    uint32_t hash, u_char *domain, size_t len)
{
    ngx_uint_t                       i;
    ngx_http_mta_sts_status_host_t  *h;

    for (i = hash & t->mask; /* void */; i = (i + 1) & t->mask) {
        h = &t->hosts[i];

        if (h->len == 0) {
            return NULL;
        }

        /*
         * compared with the slot's name: a reload that gives the slot to
         * another domain leaves this worker's entry unmatched, not wrong
         */

        if (h->hash == hash
            && h->len == len
            && h->slot->domain_len == len
            && ngx_http_mta_sts_status_equal(h->slot->domain, domain, len))
        {
            return h;
        }
    }
}


/*
 * The row in which an answer was counted last (h, its hint; none is
 * ngx_http_mta_sts_status_nohint, whose serial no answer has), if it is
 * still the domain's and holds what that answer (serial) served: then
 * neither the hash, nor the table, nor the mode and id are looked at.
 * Checked with the slot's name, as host_find checks a row.
 */

static ngx_inline ngx_http_mta_sts_status_host_t *
ngx_http_mta_sts_status_host_hint(ngx_http_mta_sts_status_host_t *h,
    uint64_t serial, u_char *domain, size_t len)
{
    if (h->serial == serial
        && h->slot->domain_len == len
        && ngx_http_mta_sts_status_equal(h->slot->domain, domain, len))
    {
        return h;
    }

    return NULL;
}


extern ngx_http_mta_sts_status_host_t  ngx_http_mta_sts_status_nohint;
extern ngx_str_t  ngx_http_mta_sts_status_outcomes[];
extern ngx_str_t  ngx_http_mta_sts_status_modes[];
extern ngx_str_t  ngx_http_mta_sts_status_dns_checks[];
extern ngx_str_t  ngx_http_mta_sts_status_dns_states[];
extern ngx_str_t  ngx_http_mta_sts_status_update_states[];

/* the page's <style>, whose hash the Content-Security-Policy allows */
extern ngx_str_t  ngx_http_mta_sts_status_style;


#endif /* _NGX_HTTP_MTA_STS_STATUS_H_INCLUDED_ */
