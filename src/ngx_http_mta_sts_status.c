
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_status.h>

#include <stdio.h>
#include <stdlib.h>


/* why a domain is listed first in the page */
#define NGX_HTTP_MTA_STS_STATUS_EXPIRED     0x01
#define NGX_HTTP_MTA_STS_STATUS_EXPIRING    0x02
#define NGX_HTTP_MTA_STS_STATUS_LISTENER    0x04
#define NGX_HTTP_MTA_STS_STATUS_REPORTED    0x08
#define NGX_HTTP_MTA_STS_STATUS_UNCOUNTED   0x10
#define NGX_HTTP_MTA_STS_STATUS_DNS_WARN    0x20
#define NGX_HTTP_MTA_STS_STATUS_UPDATE_FAIL 0x40

/* a DNS check's states, as ngx_http_mta_sts_dns.h numbers them */
#define NGX_HTTP_MTA_STS_STATUS_DNS_STATES  5

#define NGX_HTTP_MTA_STS_STATUS_DAY         86400


typedef struct {
    u_char     *pos;
    u_char     *last;
    size_t      len;
} ngx_http_mta_sts_status_out_t;


static void ngx_http_mta_sts_status_prometheus(
    ngx_http_mta_sts_status_out_t *o, ngx_http_mta_sts_status_t *st);
static void ngx_http_mta_sts_status_json(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_t *st);
static void ngx_http_mta_sts_status_json_slot(
    ngx_http_mta_sts_status_out_t *o, ngx_http_mta_sts_status_slot_t *s);
static void ngx_http_mta_sts_status_html(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_t *st);
static void ngx_http_mta_sts_status_html_domain(
    ngx_http_mta_sts_status_out_t *o, ngx_http_mta_sts_status_t *st,
    ngx_http_mta_sts_status_domain_t *d);
static void ngx_http_mta_sts_status_json_dns(
    ngx_http_mta_sts_status_out_t *o, ngx_http_mta_sts_status_dns_t *dns);
static void ngx_http_mta_sts_status_html_dns(
    ngx_http_mta_sts_status_out_t *o, ngx_http_mta_sts_status_t *st,
    ngx_http_mta_sts_status_dns_t *dns);
static ngx_http_mta_sts_status_dns_t *ngx_http_mta_sts_status_dns_of(
    ngx_http_mta_sts_status_domain_t *d, ngx_uint_t generation);
static void ngx_http_mta_sts_status_json_update(
    ngx_http_mta_sts_status_out_t *o, ngx_http_mta_sts_status_update_t *u);
static void ngx_http_mta_sts_status_html_update(
    ngx_http_mta_sts_status_out_t *o, ngx_http_mta_sts_status_t *st,
    ngx_http_mta_sts_status_update_t *u);
static ngx_http_mta_sts_status_update_t *ngx_http_mta_sts_status_update_of(
    ngx_http_mta_sts_status_domain_t *d, ngx_uint_t generation);
static ngx_uint_t ngx_http_mta_sts_status_failing(
    ngx_http_mta_sts_status_domain_t *d, time_t now, ngx_uint_t generation);
static int ngx_http_mta_sts_status_cmp(const void *a, const void *b);
static size_t ngx_http_mta_sts_status_cut(u_char *to, u_char *from,
    size_t len);
static void ngx_http_mta_sts_status_add(ngx_http_mta_sts_status_out_t *o,
    const char *fmt, ...);
static void ngx_http_mta_sts_status_raw(ngx_http_mta_sts_status_out_t *o,
    u_char *data, size_t len);
static void ngx_http_mta_sts_status_label(ngx_http_mta_sts_status_out_t *o,
    u_char *data, size_t len);
static void ngx_http_mta_sts_status_string(ngx_http_mta_sts_status_out_t *o,
    u_char *data, size_t len);
static void ngx_http_mta_sts_status_text(ngx_http_mta_sts_status_out_t *o,
    u_char *data, size_t len);
static size_t ngx_http_mta_sts_status_utf8(u_char *p, size_t len);


/* the hint of an answer not counted yet: serial 0, which none has */
ngx_http_mta_sts_status_host_t  ngx_http_mta_sts_status_nohint;


ngx_str_t  ngx_http_mta_sts_status_outcomes[] = {
    ngx_string("stored"),
    ngx_string("duplicate"),
    ngx_string("invalid"),
    ngx_string("too_large"),
    ngx_string("refused"),
    ngx_string("error"),
    ngx_null_string
};


/* the DNS checks' label values and JSON keys, and their states' */

ngx_str_t  ngx_http_mta_sts_status_dns_checks[] = {
    ngx_string("txt"),
    ngx_string("mx"),
    ngx_string("policy_host"),
    ngx_string("tlsrpt"),
    ngx_null_string
};

ngx_str_t  ngx_http_mta_sts_status_dns_states[] = {
    ngx_string("not_run"),
    ngx_string("ok"),
    ngx_string("could_not_check"),
    ngx_string("notice"),
    ngx_string("warn"),
    ngx_null_string
};

/* the modes' names, as ngx_http_mta_sts_policy.h numbers them */

ngx_str_t  ngx_http_mta_sts_status_modes[] = {
    ngx_string("off"),
    ngx_string("none"),
    ngx_string("testing"),
    ngx_string("enforce"),
    ngx_null_string
};

static ngx_http_mta_sts_status_dns_t  ngx_http_mta_sts_status_dns_none;


/* the DNS UPDATE's states: label values and JSON strings */

ngx_str_t  ngx_http_mta_sts_status_update_states[] = {
    ngx_string("off"),
    ngx_string("waiting"),
    ngx_string("published"),
    ngx_string("pending"),
    ngx_string("failed"),
    ngx_null_string
};

static ngx_http_mta_sts_status_update_t  ngx_http_mta_sts_status_update_off;
static ngx_http_mta_sts_status_update_t  ngx_http_mta_sts_status_update_wait
    = { 0, NGX_HTTP_MTA_STS_STATUS_UPDATE_WAITING, 0, 0, 0, "" };


/* the page's only style: its SHA-256 is in the Content-Security-Policy */
ngx_str_t  ngx_http_mta_sts_status_style = ngx_string(
    "body{font:14px sans-serif;margin:1em}"
    "table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3em;vertical-align:top;"
    "text-align:left}"
    "tr.bad{background:#fdd}"
    "code{font-size:12px}"
);


size_t
ngx_http_mta_sts_status_render(ngx_http_mta_sts_status_t *st,
    ngx_uint_t format, u_char *p, u_char *last)
{
    ngx_http_mta_sts_status_out_t  o;

    o.pos = p;
    o.last = last;
    o.len = 0;

    switch (format) {

    case NGX_HTTP_MTA_STS_STATUS_JSON:
        ngx_http_mta_sts_status_json(&o, st);
        break;

    case NGX_HTTP_MTA_STS_STATUS_HTML:
        ngx_http_mta_sts_status_html(&o, st);
        break;

    default:
        ngx_http_mta_sts_status_prometheus(&o, st);
    }

    return o.len;
}


/*
 * Prometheus text format 0.0.4: a HELP and TYPE line a metric, every
 * series of a known label value, zero or not.  Label values are the
 * configured domains, "other", and fixed names: nothing a sender wrote.
 */

#define NGX_HTTP_MTA_STS_STATUS_HEAD(name, type, help)                       \
    ngx_http_mta_sts_status_add(o, "# HELP " name " " help "\n"              \
                                "# TYPE " name " " type "\n")

static void
ngx_http_mta_sts_status_prometheus(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_t *st)
{
    ngx_uint_t                         i, k, n;
    ngx_http_mta_sts_status_dns_t     *dns;
    ngx_http_mta_sts_status_slot_t    *s;
    ngx_http_mta_sts_status_domain_t  *d;
    ngx_http_mta_sts_status_update_t  *u;

    /* the configured domains, then "other", for the per-domain counters */

    n = st->ndomains + 1;

#define NGX_HTTP_MTA_STS_STATUS_EACH(body)                                   \
    for (i = 0; i < n; i++) {                                                \
        d = (i < st->ndomains) ? st->domains[i] : NULL;                      \
        s = d ? d->slot : &st->shm->other;                                   \
        if (s == NULL) {                                                     \
            continue;                                                        \
        }                                                                    \
        body                                                                 \
    }

#define NGX_HTTP_MTA_STS_STATUS_DOMAIN                                       \
    if (d) {                                                                 \
        ngx_http_mta_sts_status_label(o, d->domain.data, d->domain.len);     \
    } else {                                                                 \
        ngx_http_mta_sts_status_add(o, "other");                             \
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_policy_info", "gauge",
        "The policy served for a domain: its mode and id.");

    for (i = 0; i < st->ndomains; i++) {
        d = st->domains[i];
        ngx_http_mta_sts_status_add(o, "mta_sts_policy_info{domain=\"");
        ngx_http_mta_sts_status_label(o, d->domain.data, d->domain.len);
        ngx_http_mta_sts_status_add(o, "\",mode=\"%.*s\",id=\"",
                                    (int) d->mode.len, d->mode.data);
        ngx_http_mta_sts_status_label(o, d->id.data, d->id.len);
        ngx_http_mta_sts_status_add(o, "\"} 1\n");
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_policy_fetches_total", "counter",
        "Policy requests answered (other: domains from variables not "
        "counted per domain).");

    NGX_HTTP_MTA_STS_STATUS_EACH(
        ngx_http_mta_sts_status_add(o,
                                    "mta_sts_policy_fetches_total{domain=\"");
        NGX_HTTP_MTA_STS_STATUS_DOMAIN
        ngx_http_mta_sts_status_add(o, "\"} %lu\n",
                                    (unsigned long) s->fetches);
    )

    NGX_HTTP_MTA_STS_STATUS_HEAD(
        "mta_sts_certificate_not_after_timestamp_seconds", "gauge",
        "When the earliest certificate of the policy host expires.");

    for (i = 0; i < st->ndomains; i++) {
        d = st->domains[i];

        if (d->not_after == 0) {
            continue;
        }

        ngx_http_mta_sts_status_add(o,
            "mta_sts_certificate_not_after_timestamp_seconds{domain=\"");
        ngx_http_mta_sts_status_label(o, d->domain.data, d->domain.len);
        ngx_http_mta_sts_status_add(o, "\"} %lld\n",
                                    (long long) d->not_after);
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_listener_ok", "gauge",
        "1 when senders can reach the policy host over HTTPS on port 443.");

    for (i = 0; i < st->ndomains; i++) {
        d = st->domains[i];

        if (d->variable) {
            continue;
        }

        ngx_http_mta_sts_status_add(o, "mta_sts_listener_ok{domain=\"");
        ngx_http_mta_sts_status_label(o, d->domain.data, d->domain.len);
        ngx_http_mta_sts_status_add(o, "\",verdict=\"%.*s\"} %d\n",
                                    (int) d->listener.len, d->listener.data,
                                    d->listener.len == 2);
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_dns_check_state", "gauge",
        "The DNS check's last verdict: 0 not run, 1 ok, 2 could not check, "
        "3 notice, 4 warn.");

    for (i = 0; i < st->ndomains; i++) {
        d = st->domains[i];

        if (d->variable) {
            continue;
        }

        dns = ngx_http_mta_sts_status_dns_of(d, st->generation);

        for (k = 0; k < NGX_HTTP_MTA_STS_STATUS_DNS_CHECKS; k++) {
            ngx_http_mta_sts_status_add(o,
                                        "mta_sts_dns_check_state{domain=\"");
            ngx_http_mta_sts_status_label(o, d->domain.data, d->domain.len);
            ngx_http_mta_sts_status_add(o, "\",check=\"%.*s\"} %lu\n",
                (int) ngx_http_mta_sts_status_dns_checks[k].len,
                ngx_http_mta_sts_status_dns_checks[k].data,
                (unsigned long) dns->checks[k].state);
        }
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_dns_check_timestamp_seconds",
        "gauge", "When the DNS check last ran (0: not yet).");

    for (i = 0; i < st->ndomains; i++) {
        d = st->domains[i];

        if (d->variable) {
            continue;
        }

        dns = ngx_http_mta_sts_status_dns_of(d, st->generation);

        for (k = 0; k < NGX_HTTP_MTA_STS_STATUS_DNS_CHECKS; k++) {
            ngx_http_mta_sts_status_add(o,
                "mta_sts_dns_check_timestamp_seconds{domain=\"");
            ngx_http_mta_sts_status_label(o, d->domain.data, d->domain.len);
            ngx_http_mta_sts_status_add(o, "\",check=\"%.*s\"} %lld\n",
                (int) ngx_http_mta_sts_status_dns_checks[k].len,
                ngx_http_mta_sts_status_dns_checks[k].data,
                (long long) dns->checks[k].checked);
        }
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_dns_txt_id_stale", "gauge",
        "1 when the _mta-sts TXT id differs from the id of the policy "
        "served.");

    for (i = 0; i < st->ndomains; i++) {
        d = st->domains[i];

        if (d->variable) {
            continue;
        }

        dns = ngx_http_mta_sts_status_dns_of(d, st->generation);

        ngx_http_mta_sts_status_add(o, "mta_sts_dns_txt_id_stale{domain=\"");
        ngx_http_mta_sts_status_label(o, d->domain.data, d->domain.len);
        ngx_http_mta_sts_status_add(o, "\"} %d\n", dns->txt_stale != 0);
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_dns_mx_uncovered_hosts", "gauge",
        "MX hosts of the domain that no mx pattern of the policy matches.");

    for (i = 0; i < st->ndomains; i++) {
        d = st->domains[i];

        if (d->variable) {
            continue;
        }

        dns = ngx_http_mta_sts_status_dns_of(d, st->generation);

        ngx_http_mta_sts_status_add(o,
                                    "mta_sts_dns_mx_uncovered_hosts{domain=\"");
        ngx_http_mta_sts_status_label(o, d->domain.data, d->domain.len);
        ngx_http_mta_sts_status_add(o, "\"} %lu\n",
                                    (unsigned long) dns->mx_uncovered);
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_dns_update_state", "gauge",
        "1 for the DNS UPDATE's state (mta_sts_dns_update): off, waiting "
        "for the DNS check, published, pending (in flight or a retry "
        "waits), failed (until a reload).");

    for (i = 0; i < st->ndomains; i++) {
        d = st->domains[i];

        if (d->variable) {
            continue;
        }

        u = ngx_http_mta_sts_status_update_of(d, st->generation);

        for (k = 0; k < NGX_HTTP_MTA_STS_STATUS_UPDATE_STATES; k++) {
            ngx_http_mta_sts_status_add(o,
                                        "mta_sts_dns_update_state{domain=\"");
            ngx_http_mta_sts_status_label(o, d->domain.data, d->domain.len);
            ngx_http_mta_sts_status_add(o, "\",state=\"%.*s\"} %d\n",
                (int) ngx_http_mta_sts_status_update_states[k].len,
                ngx_http_mta_sts_status_update_states[k].data,
                u->state == k);
        }
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_dns_update_timestamp_seconds",
        "gauge", "When the DNS UPDATE's state last changed (0: not yet).");

    for (i = 0; i < st->ndomains; i++) {
        d = st->domains[i];

        if (d->variable) {
            continue;
        }

        u = ngx_http_mta_sts_status_update_of(d, st->generation);

        ngx_http_mta_sts_status_add(o,
                            "mta_sts_dns_update_timestamp_seconds{domain=\"");
        ngx_http_mta_sts_status_label(o, d->domain.data, d->domain.len);
        ngx_http_mta_sts_status_add(o, "\"} %lld\n", (long long) u->time);
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_tlsrpt_reports_total", "counter",
        "TLS reports stored that name the policy domain.");

    NGX_HTTP_MTA_STS_STATUS_EACH(
        ngx_http_mta_sts_status_add(o,
                                    "mta_sts_tlsrpt_reports_total{domain=\"");
        NGX_HTTP_MTA_STS_STATUS_DOMAIN
        ngx_http_mta_sts_status_add(o, "\"} %llu\n",
                                    (unsigned long long) s->reports);
    )

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_tlsrpt_sessions_total", "counter",
        "Sessions from the summary of stored TLS reports.");

    NGX_HTTP_MTA_STS_STATUS_EACH(
        ngx_http_mta_sts_status_add(o,
                                    "mta_sts_tlsrpt_sessions_total{domain=\"");
        NGX_HTTP_MTA_STS_STATUS_DOMAIN
        ngx_http_mta_sts_status_add(o, "\",result=\"successful\"} %llu\n",
                                    (unsigned long long) s->successful);
        ngx_http_mta_sts_status_add(o,
                                    "mta_sts_tlsrpt_sessions_total{domain=\"");
        NGX_HTTP_MTA_STS_STATUS_DOMAIN
        ngx_http_mta_sts_status_add(o, "\",result=\"failed\"} %llu\n",
                                    (unsigned long long) s->failed);
    )

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_tlsrpt_failed_sessions_total",
        "counter",
        "Failed sessions by result type from failure-details; types may "
        "overlap, do not sum with mta_sts_tlsrpt_sessions_total.");

    NGX_HTTP_MTA_STS_STATUS_EACH(
        for (k = 0; k < NGX_HTTP_MTA_STS_TLSRPT_NTYPES; k++) {
            ngx_http_mta_sts_status_add(o,
                "mta_sts_tlsrpt_failed_sessions_total{domain=\"");
            NGX_HTTP_MTA_STS_STATUS_DOMAIN
            ngx_http_mta_sts_status_add(o, "\",result_type=\"%.*s\"} %llu\n",
                (int) ngx_http_mta_sts_tlsrpt_types[k].len,
                ngx_http_mta_sts_tlsrpt_types[k].data,
                (unsigned long long) s->types[k]);
        }
    )

    NGX_HTTP_MTA_STS_STATUS_HEAD(
        "mta_sts_tlsrpt_last_report_timestamp_seconds", "gauge",
        "When the last TLS report for the domain was stored (0: none).");

    NGX_HTTP_MTA_STS_STATUS_EACH(
        ngx_http_mta_sts_status_add(o,
            "mta_sts_tlsrpt_last_report_timestamp_seconds{domain=\"");
        NGX_HTTP_MTA_STS_STATUS_DOMAIN
        ngx_http_mta_sts_status_add(o, "\"} %lld\n",
                                    (long long) s->last_report);
    )

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_tlsrpt_received_total", "counter",
        "TLS reports received, by outcome.");

    for (k = 0; k < NGX_HTTP_MTA_STS_STATUS_OUTCOMES; k++) {
        ngx_http_mta_sts_status_add(o,
            "mta_sts_tlsrpt_received_total{outcome=\"%.*s\"} %lu\n",
            (int) ngx_http_mta_sts_status_outcomes[k].len,
            ngx_http_mta_sts_status_outcomes[k].data,
            (unsigned long) st->shm->outcomes[k]);
    }

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_status_uncounted_domains", "gauge",
        "Policy domains without counters: mta_sts_status_zone is full.");

    ngx_http_mta_sts_status_add(o, "mta_sts_status_uncounted_domains %lu\n",
                                (unsigned long) st->uncounted);

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_status_variable_domains", "gauge",
        "Domains from policies with variables counted per domain.");

    ngx_http_mta_sts_status_add(o, "mta_sts_status_variable_domains %lu\n",
                                (unsigned long) st->shm->nvariable);

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_status_variable_domains_max",
        "gauge", "The bound on domains from policies with variables "
        "(mta_sts_status_zone domains=).");

    ngx_http_mta_sts_status_add(o,
                                "mta_sts_status_variable_domains_max %lu\n",
                                (unsigned long) st->bound);

    NGX_HTTP_MTA_STS_STATUS_HEAD("mta_sts_status_dropped_fetches_total",
        "counter", "Policy requests of domains from variables counted "
        "under other: the bound was reached, the zone is full, or the "
        "name is longer than 253 bytes.");

    ngx_http_mta_sts_status_add(o,
                                "mta_sts_status_dropped_fetches_total %lu\n",
                                (unsigned long) st->shm->dropped);

#undef NGX_HTTP_MTA_STS_STATUS_EACH
#undef NGX_HTTP_MTA_STS_STATUS_DOMAIN
}


static void
ngx_http_mta_sts_status_json(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_t *st)
{
    ngx_uint_t                         i, k;
    ngx_http_mta_sts_status_domain_t  *d;

    ngx_http_mta_sts_status_add(o, "{\"time\":%lld,\"uncounted_domains\":%lu,"
                                "\"variable_domains\":%lu,"
                                "\"variable_domains_max\":%lu,"
                                "\"dropped_fetches\":%lu,"
                                "\"received\":{", (long long) st->now,
                                (unsigned long) st->uncounted,
                                (unsigned long) st->shm->nvariable,
                                (unsigned long) st->bound,
                                (unsigned long) st->shm->dropped);

    for (k = 0; k < NGX_HTTP_MTA_STS_STATUS_OUTCOMES; k++) {
        ngx_http_mta_sts_status_add(o, "%s\"%.*s\":%lu", k ? "," : "",
            (int) ngx_http_mta_sts_status_outcomes[k].len,
            ngx_http_mta_sts_status_outcomes[k].data,
            (unsigned long) st->shm->outcomes[k]);
    }

    ngx_http_mta_sts_status_add(o, "},\"domains\":[");

    for (i = 0; i < st->ndomains; i++) {
        d = st->domains[i];

        ngx_http_mta_sts_status_add(o, "%s{\"domain\":\"", i ? "," : "");
        ngx_http_mta_sts_status_string(o, d->domain.data, d->domain.len);
        ngx_http_mta_sts_status_add(o, "\",\"mode\":\"%.*s\",\"id\":\"",
                                    (int) d->mode.len, d->mode.data);
        ngx_http_mta_sts_status_string(o, d->id.data, d->id.len);
        ngx_http_mta_sts_status_add(o, "\",\"txt_name\":\"_mta-sts.");
        ngx_http_mta_sts_status_string(o, d->domain.data, d->domain.len);
        ngx_http_mta_sts_status_add(o, "\",\"txt\":\"v=STSv1; id=");
        ngx_http_mta_sts_status_string(o, d->id.data, d->id.len);
        ngx_http_mta_sts_status_add(o, ";\",\"policy_url\":\"https://mta-sts.");
        ngx_http_mta_sts_status_string(o, d->domain.data, d->domain.len);
        ngx_http_mta_sts_status_add(o, "/.well-known/mta-sts.txt\","
                                    "\"variable\":%s,\"listener\":",
                                    d->variable ? "true" : "false");

        if (d->variable) {
            ngx_http_mta_sts_status_add(o, "null");
        } else {
            ngx_http_mta_sts_status_add(o, "\"%.*s\"", (int) d->listener.len,
                                        d->listener.data);
        }

        ngx_http_mta_sts_status_add(o, ",\"certificate_not_after\":");

        if (d->not_after) {
            ngx_http_mta_sts_status_add(o, "%lld,\"certificate_days_left\":"
                                        "%lld", (long long) d->not_after,
                                        (long long) (d->not_after - st->now)
                                        / NGX_HTTP_MTA_STS_STATUS_DAY);
        } else {
            ngx_http_mta_sts_status_add(o, "null,"
                                        "\"certificate_days_left\":null");
        }

        ngx_http_mta_sts_status_add(o, ",\"failing\":%s,\"dns\":",
            ngx_http_mta_sts_status_failing(d, st->now, st->generation)
            ? "true" : "false");

        if (d->dns) {
            ngx_http_mta_sts_status_json_dns(o,
                           ngx_http_mta_sts_status_dns_of(d, st->generation));
        } else {
            ngx_http_mta_sts_status_add(o, "null");
        }

        /* a domain seen through variables: no DNS UPDATE for it */

        if (d->variable) {
            ngx_http_mta_sts_status_add(o, ",\"dns_update\":null");

        } else {
            ngx_http_mta_sts_status_json_update(o,
                        ngx_http_mta_sts_status_update_of(d, st->generation));
        }

        ngx_http_mta_sts_status_add(o, ",\"counted\":%s",
                                    d->slot ? "true" : "false");

        if (d->slot) {
            ngx_http_mta_sts_status_json_slot(o, d->slot);
        }

        ngx_http_mta_sts_status_add(o, "}");
    }

    ngx_http_mta_sts_status_add(o, "],\"other\":{\"domain\":null");
    ngx_http_mta_sts_status_json_slot(o, &st->shm->other);
    ngx_http_mta_sts_status_add(o, "}}\n");
}


static void
ngx_http_mta_sts_status_json_slot(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_slot_t *s)
{
    ngx_uint_t                          k, n, j;
    ngx_http_mta_sts_status_failure_t  *f;

    ngx_http_mta_sts_status_add(o, ",\"fetches\":%lu,\"tlsrpt\":{"
        "\"reports\":%llu,\"successful_sessions\":%llu,"
        "\"failed_sessions\":%llu,\"last_report\":",
        (unsigned long) s->fetches, (unsigned long long) s->reports,
        (unsigned long long) s->successful, (unsigned long long) s->failed);

    if (s->last_report) {
        ngx_http_mta_sts_status_add(o, "%lld", (long long) s->last_report);
    } else {
        ngx_http_mta_sts_status_add(o, "null");
    }

    ngx_http_mta_sts_status_add(o, ",\"last_report_failed_sessions\":%llu,"
                                "\"failed_sessions_by_type\":{",
                                (unsigned long long) s->last_failed);

    for (k = 0; k < NGX_HTTP_MTA_STS_TLSRPT_NTYPES; k++) {
        ngx_http_mta_sts_status_add(o, "%s\"%.*s\":%llu", k ? "," : "",
                                    (int) ngx_http_mta_sts_tlsrpt_types[k].len,
                                    ngx_http_mta_sts_tlsrpt_types[k].data,
                                    (unsigned long long) s->types[k]);
    }

    ngx_http_mta_sts_status_add(o, "},\"last_failures\":[");

    /* the newest first */

    n = s->nfailures < NGX_HTTP_MTA_STS_STATUS_FAILURES
        ? s->nfailures : NGX_HTTP_MTA_STS_STATUS_FAILURES;

    for (j = 0; j < n; j++) {
        f = &s->failures[(s->nfailures - 1 - j)
                         % NGX_HTTP_MTA_STS_STATUS_FAILURES];

        ngx_http_mta_sts_status_add(o, "%s{\"time\":%lld,\"result_type\":"
            "\"%.*s\",\"sessions\":%llu,\"organization\":\"", j ? "," : "",
            (long long) f->time,
            (int) ngx_http_mta_sts_tlsrpt_types[f->detail.type].len,
            ngx_http_mta_sts_tlsrpt_types[f->detail.type].data,
            (unsigned long long) f->detail.count);
        ngx_http_mta_sts_status_string(o, f->org, f->org_len);
        ngx_http_mta_sts_status_add(o, "\",\"receiving_mx\":\"");
        ngx_http_mta_sts_status_string(o, f->detail.mx, f->detail.mx_len);
        ngx_http_mta_sts_status_add(o, "\",\"receiving_ip\":\"");
        ngx_http_mta_sts_status_string(o, f->detail.ip, f->detail.ip_len);
        ngx_http_mta_sts_status_add(o, "\",\"reason\":\"");
        ngx_http_mta_sts_status_string(o, f->detail.reason,
                                       f->detail.reason_len);
        ngx_http_mta_sts_status_add(o, "\"}");
    }

    ngx_http_mta_sts_status_add(o, "]}");
}


/* the DNS check: a member a check, then what only TXT and MX have */

static void
ngx_http_mta_sts_status_json_dns(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_dns_t *dns)
{
    ngx_uint_t                        k;
    ngx_http_mta_sts_status_check_t  *c;

    for (k = 0; k < NGX_HTTP_MTA_STS_STATUS_DNS_CHECKS; k++) {
        c = &dns->checks[k];

        ngx_http_mta_sts_status_add(o, "%s\"%.*s\":{\"state\":\"%.*s\","
            "\"checked\":", k ? "," : "{",
            (int) ngx_http_mta_sts_status_dns_checks[k].len,
            ngx_http_mta_sts_status_dns_checks[k].data,
            (int) ngx_http_mta_sts_status_dns_states[c->state].len,
            ngx_http_mta_sts_status_dns_states[c->state].data);

        if (c->checked) {
            ngx_http_mta_sts_status_add(o, "%lld,\"finding\":\"",
                                        (long long) c->checked);
            ngx_http_mta_sts_status_string(o, c->finding, c->finding_len);
            ngx_http_mta_sts_status_add(o, "\"");

        } else {
            ngx_http_mta_sts_status_add(o, "null,\"finding\":null");
        }

        if (k == NGX_HTTP_MTA_STS_STATUS_DNS_TXT) {
            ngx_http_mta_sts_status_add(o, ",\"id_stale\":%s,\"recheck\":",
                                        dns->txt_stale ? "true" : "false");

            if (dns->txt_recheck) {
                ngx_http_mta_sts_status_add(o, "%lld",
                                            (long long) dns->txt_recheck);
            } else {
                ngx_http_mta_sts_status_add(o, "null");
            }

        } else if (k == NGX_HTTP_MTA_STS_STATUS_DNS_MX) {
            ngx_http_mta_sts_status_add(o, ",\"uncovered_hosts\":%lu",
                                        (unsigned long) dns->mx_uncovered);
        }

        ngx_http_mta_sts_status_add(o, "}");
    }

    ngx_http_mta_sts_status_add(o, "}");
}


/* the DNS UPDATE: its state, since when, the next try, why */

static void
ngx_http_mta_sts_status_json_update(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_update_t *u)
{
    ngx_http_mta_sts_status_add(o, ",\"dns_update\":{\"state\":\"%.*s\","
        "\"time\":",
        (int) ngx_http_mta_sts_status_update_states[u->state].len,
        ngx_http_mta_sts_status_update_states[u->state].data);

    if (u->time) {
        ngx_http_mta_sts_status_add(o, "%lld", (long long) u->time);
    } else {
        ngx_http_mta_sts_status_add(o, "null");
    }

    ngx_http_mta_sts_status_add(o, ",\"next_try\":");

    if (u->state == NGX_HTTP_MTA_STS_STATUS_UPDATE_PENDING && u->next) {
        ngx_http_mta_sts_status_add(o, "%lld", (long long) u->next);
    } else {
        ngx_http_mta_sts_status_add(o, "null");
    }

    ngx_http_mta_sts_status_add(o, ",\"detail\":");

    if (u->why_len) {
        ngx_http_mta_sts_status_add(o, "\"");
        ngx_http_mta_sts_status_string(o, u->why, u->why_len);
        ngx_http_mta_sts_status_add(o, "\"}");

    } else {
        ngx_http_mta_sts_status_add(o, "null}");
    }
}


/*
 * One table, a row a policy domain, the failing ones first with what is
 * wrong in the second column.  No script, no file from elsewhere: the
 * style is inline and allowed by its hash.
 */

static void
ngx_http_mta_sts_status_html(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_t *st)
{
    ngx_uint_t  i;

    for (i = 0; i < st->ndomains; i++) {
        st->domains[i]->failing =
                   ngx_http_mta_sts_status_failing(st->domains[i], st->now,
                                                   st->generation);
    }

    if (st->ndomains > 1) {
        qsort(st->domains, st->ndomains, sizeof(void *),
              ngx_http_mta_sts_status_cmp);
    }

    ngx_http_mta_sts_status_add(o, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
        "<meta charset=\"utf-8\"><title>MTA-STS status</title><style>");
    ngx_http_mta_sts_status_raw(o, ngx_http_mta_sts_status_style.data,
                                ngx_http_mta_sts_status_style.len);
    ngx_http_mta_sts_status_add(o, "</style></head><body>\n"
        "<h1>MTA-STS status</h1>\n<p>Reports received: ");

    for (i = 0; i < NGX_HTTP_MTA_STS_STATUS_OUTCOMES; i++) {
        ngx_http_mta_sts_status_add(o, "%s%.*s %lu", i ? ", " : "",
            (int) ngx_http_mta_sts_status_outcomes[i].len,
            ngx_http_mta_sts_status_outcomes[i].data,
            (unsigned long) st->shm->outcomes[i]);
    }

    ngx_http_mta_sts_status_add(o, ".</p>\n");

    if (st->uncounted) {
        ngx_http_mta_sts_status_add(o, "<p class=\"bad\">%lu domains are not "
            "counted: mta_sts_status_zone is full.</p>\n",
            (unsigned long) st->uncounted);
    }

    if (st->shm->dropped) {
        ngx_http_mta_sts_status_add(o, "<p class=\"bad\">%lu policy "
            "requests of domains from variables were not counted per "
            "domain: %lu domains have counters, the bound is %lu "
            "(mta_sts_status_zone domains=) or the zone is full.</p>\n",
            (unsigned long) st->shm->dropped,
            (unsigned long) st->shm->nvariable, (unsigned long) st->bound);
    }

    ngx_http_mta_sts_status_add(o, "<table>\n<tr><th>Domain</th>"
        "<th>Problem</th><th>Mode</th><th>TXT record to publish</th>"
        "<th>Certificate</th><th>Listener</th><th>DNS</th>"
        "<th>Fetches</th><th>Reports</th><th>Sessions ok / failed</th>"
        "<th>Last report</th><th>Last failures</th></tr>\n");

    for (i = 0; i < st->ndomains; i++) {
        ngx_http_mta_sts_status_html_domain(o, st, st->domains[i]);
    }

    ngx_http_mta_sts_status_add(o, "</table>\n<p>Reports for other "
        "domains: %llu; policy fetches not counted per domain: %lu.</p>\n"
        "</body></html>\n",
        (unsigned long long) st->shm->other.reports,
        (unsigned long) st->shm->other.fetches);
}


static void
ngx_http_mta_sts_status_html_domain(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_t *st, ngx_http_mta_sts_status_domain_t *d)
{
    char                               *sep;
    ngx_uint_t                          j, n;
    ngx_http_mta_sts_status_slot_t     *s;
    ngx_http_mta_sts_status_failure_t  *f;

    s = d->slot;

    ngx_http_mta_sts_status_add(o, "<tr%s><td><a href=\"https://mta-sts.",
                                d->failing ? " class=\"bad\"" : "");
    ngx_http_mta_sts_status_text(o, d->domain.data, d->domain.len);
    ngx_http_mta_sts_status_add(o, "/.well-known/mta-sts.txt\">");
    ngx_http_mta_sts_status_text(o, d->domain.data, d->domain.len);
    ngx_http_mta_sts_status_add(o, "</a>%s</td><td>",
                                d->variable ? " (from variables)" : "");

    sep = "";

#define NGX_HTTP_MTA_STS_STATUS_PROBLEM(bit, text)                           \
    if (d->failing & bit) {                                                  \
        ngx_http_mta_sts_status_add(o, "%s" text, sep);                      \
        sep = "; ";                                                          \
    }

    NGX_HTTP_MTA_STS_STATUS_PROBLEM(NGX_HTTP_MTA_STS_STATUS_EXPIRED,
                                    "certificate expired")
    NGX_HTTP_MTA_STS_STATUS_PROBLEM(NGX_HTTP_MTA_STS_STATUS_EXPIRING,
                                    "certificate expires soon")
    NGX_HTTP_MTA_STS_STATUS_PROBLEM(NGX_HTTP_MTA_STS_STATUS_LISTENER,
                                    "no HTTPS listener on port 443")
    NGX_HTTP_MTA_STS_STATUS_PROBLEM(NGX_HTTP_MTA_STS_STATUS_DNS_WARN,
                                    "DNS does not match the policy")
    NGX_HTTP_MTA_STS_STATUS_PROBLEM(NGX_HTTP_MTA_STS_STATUS_UPDATE_FAIL,
                                    "DNS update failed")
    NGX_HTTP_MTA_STS_STATUS_PROBLEM(NGX_HTTP_MTA_STS_STATUS_REPORTED,
                                    "failed sessions in the last report")
    NGX_HTTP_MTA_STS_STATUS_PROBLEM(NGX_HTTP_MTA_STS_STATUS_UNCOUNTED,
                                    "not counted (zone full)")

#undef NGX_HTTP_MTA_STS_STATUS_PROBLEM

    ngx_http_mta_sts_status_add(o, "</td><td>%.*s</td><td><code>_mta-sts.",
                                (int) d->mode.len, d->mode.data);
    ngx_http_mta_sts_status_text(o, d->domain.data, d->domain.len);
    ngx_http_mta_sts_status_add(o, " TXT \"v=STSv1; id=");
    ngx_http_mta_sts_status_text(o, d->id.data, d->id.len);
    ngx_http_mta_sts_status_add(o, ";\"</code></td><td>");

    if (d->not_after) {
        ngx_http_mta_sts_status_add(o, "%lld days left",
                                    (long long) (d->not_after - st->now)
                                    / NGX_HTTP_MTA_STS_STATUS_DAY);
    } else {
        ngx_http_mta_sts_status_add(o, "-");
    }

    /* a domain seen through variables: no listener nor DNS checked */

    if (d->variable) {
        ngx_http_mta_sts_status_add(o, "</td><td>-</td><td>-");

    } else {
        ngx_http_mta_sts_status_add(o, "</td><td>%.*s</td><td>",
                                    (int) d->listener.len, d->listener.data);

        if (d->dns) {
            ngx_http_mta_sts_status_html_dns(o, st,
                           ngx_http_mta_sts_status_dns_of(d, st->generation));
        } else {
            ngx_http_mta_sts_status_add(o, "not checked (no resolver)");
        }
    }

    if (d->update) {
        ngx_http_mta_sts_status_html_update(o, st,
                        ngx_http_mta_sts_status_update_of(d, st->generation));
    }

    ngx_http_mta_sts_status_add(o, "</td>");

    if (s == NULL) {
        ngx_http_mta_sts_status_add(o, "<td colspan=\"5\">not counted"
                                    "</td></tr>\n");
        return;
    }

    ngx_http_mta_sts_status_add(o, "<td>%lu</td><td>%llu</td>"
                                "<td>%llu / %llu</td><td>",
                                (unsigned long) s->fetches,
                                (unsigned long long) s->reports,
                                (unsigned long long) s->successful,
                                (unsigned long long) s->failed);

    if (s->last_report) {
        ngx_http_mta_sts_status_add(o, "%lld h ago, %llu failed",
            (long long) (st->now - s->last_report) / 3600,
            (unsigned long long) s->last_failed);
    } else {
        ngx_http_mta_sts_status_add(o, "none");
    }

    ngx_http_mta_sts_status_add(o, "</td><td>");

    n = s->nfailures < NGX_HTTP_MTA_STS_STATUS_FAILURES
        ? s->nfailures : NGX_HTTP_MTA_STS_STATUS_FAILURES;

    for (j = 0; j < n; j++) {
        f = &s->failures[(s->nfailures - 1 - j)
                         % NGX_HTTP_MTA_STS_STATUS_FAILURES];

        ngx_http_mta_sts_status_add(o, "%s%.*s (%llu) by ", j ? "<br>" : "",
            (int) ngx_http_mta_sts_tlsrpt_types[f->detail.type].len,
            ngx_http_mta_sts_tlsrpt_types[f->detail.type].data,
            (unsigned long long) f->detail.count);
        ngx_http_mta_sts_status_text(o, f->org, f->org_len);
        ngx_http_mta_sts_status_add(o, ", mx ");
        ngx_http_mta_sts_status_text(o, f->detail.mx, f->detail.mx_len);
        ngx_http_mta_sts_status_add(o, " ");
        ngx_http_mta_sts_status_text(o, f->detail.ip, f->detail.ip_len);
        ngx_http_mta_sts_status_add(o, " ");
        ngx_http_mta_sts_status_text(o, f->detail.reason,
                                     f->detail.reason_len);
    }

    ngx_http_mta_sts_status_add(o, "</td></tr>\n");
}


/*
 * The verdict, the worst state of the four checks, then each finding
 * that is not "ok", as text
 */

static void
ngx_http_mta_sts_status_html_dns(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_t *st, ngx_http_mta_sts_status_dns_t *dns)
{
    time_t                            last;
    ngx_uint_t                        k, worst, run;
    ngx_http_mta_sts_status_check_t  *c;

    worst = 0;
    run = 0;
    last = 0;

    for (k = 0; k < NGX_HTTP_MTA_STS_STATUS_DNS_CHECKS; k++) {
        c = &dns->checks[k];

        if (c->state > worst) {
            worst = c->state;
        }

        if (c->state) {
            run++;
        }

        if (c->checked > last) {
            last = c->checked;
        }
    }

    if (run == 0) {
        ngx_http_mta_sts_status_add(o, "not run yet");
        return;
    }

    ngx_http_mta_sts_status_add(o, "<strong>%s</strong>, %lld min ago",
        worst == 4 ? "warn" : worst == 3 ? "notice"
        : worst == 2 ? "could not check" : "ok",
        (long long) (st->now > last ? st->now - last : 0) / 60);

    for (k = 0; k < NGX_HTTP_MTA_STS_STATUS_DNS_CHECKS; k++) {
        c = &dns->checks[k];

        if (c->state < 2) {
            continue;
        }

        ngx_http_mta_sts_status_add(o, "<br>%.*s %.*s: ",
            (int) ngx_http_mta_sts_status_dns_checks[k].len,
            ngx_http_mta_sts_status_dns_checks[k].data,
            (int) ngx_http_mta_sts_status_dns_states[c->state].len,
            ngx_http_mta_sts_status_dns_states[c->state].data);
        ngx_http_mta_sts_status_text(o, c->finding, c->finding_len);
    }
}


/* the DNS UPDATE under the DNS check, its text as text */

static void
ngx_http_mta_sts_status_html_update(ngx_http_mta_sts_status_out_t *o,
    ngx_http_mta_sts_status_t *st, ngx_http_mta_sts_status_update_t *u)
{
    ngx_http_mta_sts_status_add(o, "<br>update: ");

    switch (u->state) {

    case NGX_HTTP_MTA_STS_STATUS_UPDATE_PUBLISHED:
        ngx_http_mta_sts_status_add(o, "published, %lld min ago",
            (long long) (st->now > u->time ? st->now - u->time : 0) / 60);
        break;

    case NGX_HTTP_MTA_STS_STATUS_UPDATE_PENDING:
        if (u->next > st->now) {
            ngx_http_mta_sts_status_add(o, "pending, next try in %lld s",
                                        (long long) (u->next - st->now));
        } else {
            ngx_http_mta_sts_status_add(o, "pending, in flight");
        }

        break;

    case NGX_HTTP_MTA_STS_STATUS_UPDATE_FAILED:
        ngx_http_mta_sts_status_add(o, "<strong>failed</strong>");
        break;

    default:
        ngx_http_mta_sts_status_add(o, "waiting for the DNS check");
    }

    if (u->why_len && u->state != NGX_HTTP_MTA_STS_STATUS_UPDATE_PUBLISHED) {
        ngx_http_mta_sts_status_add(o, ": ");
        ngx_http_mta_sts_status_text(o, u->why, u->why_len);
    }
}


/*
 * A domain's DNS UPDATE state when it is the serving configuration's:
 * "off" without mta_sts_dns_update, "waiting" before its first
 */

static ngx_http_mta_sts_status_update_t *
ngx_http_mta_sts_status_update_of(ngx_http_mta_sts_status_domain_t *d,
    ngx_uint_t generation)
{
    if (!d->update) {
        return &ngx_http_mta_sts_status_update_off;
    }

    if (d->slot == NULL || d->slot->update.generation != generation) {
        return &ngx_http_mta_sts_status_update_wait;
    }

    return &d->slot->update;
}


/* a domain's DNS results when they are the serving configuration's */

static ngx_http_mta_sts_status_dns_t *
ngx_http_mta_sts_status_dns_of(ngx_http_mta_sts_status_domain_t *d,
    ngx_uint_t generation)
{
    if (d->slot == NULL || !d->dns
        || d->slot->dns.generation != generation)
    {
        return &ngx_http_mta_sts_status_dns_none;
    }

    return &d->slot->dns;
}


static ngx_uint_t
ngx_http_mta_sts_status_failing(ngx_http_mta_sts_status_domain_t *d,
    time_t now, ngx_uint_t generation)
{
    ngx_uint_t                      bits, k;
    ngx_http_mta_sts_status_dns_t  *dns;

    bits = 0;
    dns = ngx_http_mta_sts_status_dns_of(d, generation);

    for (k = 0; k < NGX_HTTP_MTA_STS_STATUS_DNS_CHECKS; k++) {
        if (dns->checks[k].state == NGX_HTTP_MTA_STS_STATUS_DNS_STATES - 1) {
            bits |= NGX_HTTP_MTA_STS_STATUS_DNS_WARN;
        }
    }

    if (ngx_http_mta_sts_status_update_of(d, generation)->state
        == NGX_HTTP_MTA_STS_STATUS_UPDATE_FAILED)
    {
        bits |= NGX_HTTP_MTA_STS_STATUS_UPDATE_FAIL;
    }

    if (d->not_after && d->not_after <= now) {
        bits |= NGX_HTTP_MTA_STS_STATUS_EXPIRED;

    } else if (d->not_after
               && d->not_after - now
                  < (time_t) d->days * NGX_HTTP_MTA_STS_STATUS_DAY)
    {
        bits |= NGX_HTTP_MTA_STS_STATUS_EXPIRING;
    }

    if (!d->variable && d->listener.len != 2 && d->listener.data[0] != 'u') {
        /* neither "ok" nor "unchecked" */
        bits |= NGX_HTTP_MTA_STS_STATUS_LISTENER;
    }

    if (d->slot == NULL) {
        bits |= NGX_HTTP_MTA_STS_STATUS_UNCOUNTED;

    } else if (d->slot->last_failed) {
        bits |= NGX_HTTP_MTA_STS_STATUS_REPORTED;
    }

    return bits;
}


/* failing first, then by name */

static int
ngx_http_mta_sts_status_cmp(const void *a, const void *b)
{
    size_t                             len;
    int                                rc;
    ngx_http_mta_sts_status_domain_t  *x, *y;

    x = *(ngx_http_mta_sts_status_domain_t **) a;
    y = *(ngx_http_mta_sts_status_domain_t **) b;

    if ((x->failing != 0) != (y->failing != 0)) {
        return x->failing ? -1 : 1;
    }

    len = x->domain.len < y->domain.len ? x->domain.len : y->domain.len;
    rc = memcmp(x->domain.data, y->domain.data, len);

    if (rc) {
        return rc;
    }

    return (x->domain.len > y->domain.len) - (x->domain.len < y->domain.len);
}


void
ngx_http_mta_sts_status_record(ngx_http_mta_sts_status_shm_t *shm,
    ngx_http_mta_sts_tlsrpt_t *rpt, time_t now)
{
    size_t                              len;
    ngx_uint_t                          i, j, k;
    ngx_http_mta_sts_status_slot_t     *s;
    ngx_http_mta_sts_status_failure_t  *f;
    ngx_http_mta_sts_tlsrpt_policy_t   *p;

    len = rpt->organization_len < NGX_HTTP_MTA_STS_STATUS_ORG_MAX
          ? rpt->organization_len : NGX_HTTP_MTA_STS_STATUS_ORG_MAX;

    for (i = 0; i < rpt->npolicies; i++) {
        p = &rpt->policies[i];

        s = NULL;

        if (p->domain_len) {
            s = ngx_http_mta_sts_status_slot(shm, p->domain, p->domain_len,
                                             0);
        }

        if (s == NULL) {
            s = &shm->other;
        }

        /* a report names a domain in one or more policies: counted once */

        for (j = 0; j < i; j++) {
            if (rpt->policies[j].domain_len == p->domain_len
                && memcmp(rpt->policies[j].domain, p->domain, p->domain_len)
                   == 0)
            {
                break;
            }
        }

        if (j == i) {
            s->reports++;
            s->last_failed = 0;
        }

        s->successful += p->successful;
        s->failed += p->failed;
        s->last_failed += p->failed;
        s->last_report = now;

        for (k = 0; k < NGX_HTTP_MTA_STS_TLSRPT_NTYPES; k++) {
            s->types[k] += p->types[k];
        }

        for (j = 0; j < p->ndetails; j++) {
            f = &s->failures[s->nfailures++ % NGX_HTTP_MTA_STS_STATUS_FAILURES];
            f->time = now;
            f->org_len = len;
            memcpy(f->org, rpt->organization, f->org_len);
            f->detail = p->details[j];
        }
    }
}


/*
 * A check's result for a configuration: the first of a newer one drops
 * what the older one found; the finding is cut to its slot ("...")
 */

void
ngx_http_mta_sts_status_dns_set(ngx_http_mta_sts_status_dns_t *dns,
    ngx_uint_t generation, ngx_uint_t check, ngx_uint_t state, time_t now,
    u_char *finding, size_t len)
{
    ngx_http_mta_sts_status_check_t  *c;

    if (check >= NGX_HTTP_MTA_STS_STATUS_DNS_CHECKS
        || state >= NGX_HTTP_MTA_STS_STATUS_DNS_STATES)
    {
        return;
    }

    if (dns->generation != generation) {
        memset(dns, 0, sizeof(ngx_http_mta_sts_status_dns_t));
        dns->generation = generation;
    }

    c = &dns->checks[check];

    c->state = state;
    c->checked = now;

    c->finding_len = ngx_http_mta_sts_status_cut(c->finding, finding, len);
}


/*
 * The DNS UPDATE's state for a configuration, its text cut to the slot
 * ("...") as a finding is
 */

void
ngx_http_mta_sts_status_update_set(ngx_http_mta_sts_status_update_t *u,
    ngx_uint_t generation, ngx_uint_t state, time_t now, time_t next,
    u_char *why, size_t len)
{
    if (state >= NGX_HTTP_MTA_STS_STATUS_UPDATE_STATES) {
        return;
    }

    if (u->generation != generation) {
        memset(u, 0, sizeof(ngx_http_mta_sts_status_update_t));
        u->generation = generation;
    }

    u->state = state;
    u->time = now;
    u->next = next;

    if (why == NULL) {
        return;
    }

    u->why_len = ngx_http_mta_sts_status_cut(u->why, why, len);
}


/*
 * A text into a slot's NGX_HTTP_MTA_STS_STATUS_FINDING_MAX bytes, cut with
 * "..." when longer; the length kept
 */

static size_t
ngx_http_mta_sts_status_cut(u_char *to, u_char *from, size_t len)
{
    if (len <= NGX_HTTP_MTA_STS_STATUS_FINDING_MAX) {
        memcpy(to, from, len);
        return len;
    }

    memcpy(to, from, NGX_HTTP_MTA_STS_STATUS_FINDING_MAX - 3);
    memcpy(to + NGX_HTTP_MTA_STS_STATUS_FINDING_MAX - 3, "...", 3);

    return NGX_HTTP_MTA_STS_STATUS_FINDING_MAX;
}


ngx_http_mta_sts_status_slot_t *
ngx_http_mta_sts_status_slot(ngx_http_mta_sts_status_shm_t *shm,
    u_char *domain, size_t len, ngx_uint_t create)
{
    ngx_uint_t                       i;
    ngx_http_mta_sts_status_slot_t  *s, *free;

    if (len == 0 || len > sizeof(shm->slots[0].domain)) {
        return NULL;
    }

    free = NULL;

    for (i = 0; i < shm->nslots; i++) {
        s = &shm->slots[i];

        if (s->domain_len == 0) {
            if (free == NULL) {
                free = s;
            }

            continue;
        }

        if (s->domain_len == len && memcmp(s->domain, domain, len) == 0) {
            return s;
        }
    }

    if (!create || free == NULL) {
        return NULL;
    }

    memset(free, 0, sizeof(ngx_http_mta_sts_status_slot_t));
    memcpy(free->domain, domain, len);
    free->domain_len = len;

    return free;
}


/* at most half full: a power of two of at least twice the bound */

ngx_uint_t
ngx_http_mta_sts_status_hosts_size(ngx_uint_t bound)
{
    ngx_uint_t  size;

    size = 16;

    while (size < 2 * bound) {
        size *= 2;
    }

    return size;
}


ngx_int_t
ngx_http_mta_sts_status_host_add(ngx_http_mta_sts_status_hosts_t *t,
    uint32_t hash, ngx_http_mta_sts_status_slot_t *slot)
{
    ngx_uint_t                       i;
    ngx_http_mta_sts_status_host_t  *h;

    if (t->n >= (t->mask + 1) / 2) {
        return NGX_DECLINED;
    }

    for (i = hash & t->mask; t->hosts[i].len; i = (i + 1) & t->mask) {
        /* void */
    }

    h = &t->hosts[i];

    h->hash = hash;
    h->len = (uint32_t) slot->domain_len;
    h->slot = slot;
    h->mode = 0;
    memset(h->id, 0, sizeof(h->id));
    h->serial = 0;

    t->n++;

    return NGX_OK;
}


/*
 * First come, first kept: a domain seen takes a free slot, or the slot of
 * a domain no longer configured, while fewer than "bound" have one; the
 * ones after it, or when no slot is left, go to "other" until a reload.
 * A configured domain (a static policy's) is found by its name.
 */

ngx_http_mta_sts_status_slot_t *
ngx_http_mta_sts_status_claim(ngx_http_mta_sts_status_shm_t *shm,
    u_char *domain, size_t len, ngx_uint_t bound)
{
    ngx_uint_t                       i;
    ngx_http_mta_sts_status_slot_t  *s, *free, *kept;

    if (len == 0 || len > NGX_HTTP_MTA_STS_STATUS_DOMAIN_MAX) {
        return NULL;
    }

    free = NULL;
    kept = NULL;

    for (i = 0; i < shm->nslots; i++) {
        s = &shm->slots[i];

        if (s->domain_len == 0) {
            if (free == NULL) {
                free = s;
            }

            continue;
        }

        if (s->domain_len == len && memcmp(s->domain, domain, len) == 0) {
            if (s->kind != NGX_HTTP_MTA_STS_STATUS_KEPT) {
                return s;
            }

            /* seen before a reload: its counters again */

            if (shm->full || shm->nvariable >= bound) {
                shm->full = 1;
                return NULL;
            }

            s->kind = NGX_HTTP_MTA_STS_STATUS_VARIABLE;
            shm->nvariable++;

            return s;
        }

        if (kept == NULL && s->kind == NGX_HTTP_MTA_STS_STATUS_KEPT) {
            kept = s;
        }
    }

    if (shm->full || shm->nvariable >= bound) {
        shm->full = 1;
        return NULL;
    }

    s = free ? free : kept;

    if (s == NULL) {
        shm->full = 1;
        return NULL;
    }

    memset(s, 0, sizeof(ngx_http_mta_sts_status_slot_t));
    memcpy(s->domain, domain, len);
    s->domain_len = len;
    s->kind = NGX_HTTP_MTA_STS_STATUS_VARIABLE;
    shm->nvariable++;

    return s;
}


void
ngx_http_mta_sts_status_hosts_fill(ngx_http_mta_sts_status_hosts_t *t,
    ngx_http_mta_sts_status_shm_t *shm)
{
    ngx_uint_t                       i;
    ngx_http_mta_sts_status_slot_t  *s;

    memset(t->hosts, 0,
           (t->mask + 1) * sizeof(ngx_http_mta_sts_status_host_t));
    t->n = 0;

    for (i = 0; i < shm->nslots; i++) {
        s = &shm->slots[i];

        if (s->kind != NGX_HTTP_MTA_STS_STATUS_VARIABLE) {
            continue;
        }

        if (ngx_http_mta_sts_status_host_add(t,
                ngx_http_mta_sts_status_hash(t->seed, s->domain,
                                             s->domain_len), s)
            != NGX_OK)
        {
            break;
        }
    }

    t->complete = 1;
}


/*
 * After the static domains have their slots: the domains seen through
 * variables before the reload keep theirs (and their counters) while the
 * new configuration has variables, up to its bound; the others are kept
 * by name like a domain no longer configured, to be taken again.
 */

void
ngx_http_mta_sts_status_reload(ngx_http_mta_sts_status_shm_t *shm,
    ngx_uint_t variables, ngx_uint_t bound)
{
    ngx_uint_t                       i;
    ngx_http_mta_sts_status_slot_t  *s;

    shm->nvariable = 0;
    shm->full = 0;

    for (i = 0; i < shm->nslots; i++) {
        s = &shm->slots[i];

        if (s->kind != NGX_HTTP_MTA_STS_STATUS_VARIABLE) {
            continue;
        }

        if (variables && shm->nvariable < bound) {
            shm->nvariable++;
            continue;
        }

        s->kind = NGX_HTTP_MTA_STS_STATUS_KEPT;
    }
}


static void
ngx_http_mta_sts_status_add(ngx_http_mta_sts_status_out_t *o,
    const char *fmt, ...)
{
    int      n;
    char     buf[512];
    va_list  args;

    va_start(args, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);

    if (n < 0) {
        return;
    }

    if ((size_t) n >= sizeof(buf)) {
        n = sizeof(buf) - 1;
    }

    ngx_http_mta_sts_status_raw(o, (u_char *) buf, n);
}


static void
ngx_http_mta_sts_status_raw(ngx_http_mta_sts_status_out_t *o, u_char *data,
    size_t len)
{
    if (o->pos && (size_t) (o->last - o->pos) >= len) {
        o->pos = (u_char *) memcpy(o->pos, data, len) + len;

    } else {
        o->pos = NULL;
    }

    o->len += len;
}


/* a Prometheus label value: backslash, double quote and newline escaped */

static void
ngx_http_mta_sts_status_label(ngx_http_mta_sts_status_out_t *o,
    u_char *data, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        switch (data[i]) {
        case '\\':
            ngx_http_mta_sts_status_raw(o, (u_char *) "\\\\", 2);
            break;
        case '"':
            ngx_http_mta_sts_status_raw(o, (u_char *) "\\\"", 2);
            break;
        case '\n':
            ngx_http_mta_sts_status_raw(o, (u_char *) "\\n", 2);
            break;
        default:
            ngx_http_mta_sts_status_raw(o, &data[i], 1);
        }
    }
}


/*
 * A JSON string's content: quotes, backslashes and control characters
 * escaped, invalid UTF-8 replaced by U+FFFD, so that any report text
 * makes valid JSON.
 */

static void
ngx_http_mta_sts_status_string(ngx_http_mta_sts_status_out_t *o,
    u_char *data, size_t len)
{
    char    buf[8];
    size_t  n;

    while (len) {
        n = ngx_http_mta_sts_status_utf8(data, len);

        if (n == 0) {
            ngx_http_mta_sts_status_raw(o, (u_char *) "\\ufffd", 6);
            data++;
            len--;
            continue;
        }

        if (n > 1) {
            ngx_http_mta_sts_status_raw(o, data, n);

        } else if (*data == '"' || *data == '\\') {
            buf[0] = '\\';
            buf[1] = *data;
            ngx_http_mta_sts_status_raw(o, (u_char *) buf, 2);

        } else if (*data < 0x20 || *data == 0x7f) {
            snprintf(buf, sizeof(buf), "\\u%04x", *data);
            ngx_http_mta_sts_status_raw(o, (u_char *) buf, 6);

        } else {
            ngx_http_mta_sts_status_raw(o, data, 1);
        }

        data += n;
        len -= n;
    }
}


/* HTML text or an attribute value: markup escaped, bad UTF-8 replaced */

static void
ngx_http_mta_sts_status_text(ngx_http_mta_sts_status_out_t *o,
    u_char *data, size_t len)
{
    size_t  n;

    while (len) {
        n = ngx_http_mta_sts_status_utf8(data, len);

        if (n == 0 || (n == 1 && (*data < 0x20 || *data == 0x7f))) {
            ngx_http_mta_sts_status_raw(o, (u_char *) "\xef\xbf\xbd", 3);
            n = 1;

        } else if (n > 1) {
            ngx_http_mta_sts_status_raw(o, data, n);

        } else {
            switch (*data) {
            case '<':
                ngx_http_mta_sts_status_raw(o, (u_char *) "&lt;", 4);
                break;
            case '>':
                ngx_http_mta_sts_status_raw(o, (u_char *) "&gt;", 4);
                break;
            case '&':
                ngx_http_mta_sts_status_raw(o, (u_char *) "&amp;", 5);
                break;
            case '"':
                ngx_http_mta_sts_status_raw(o, (u_char *) "&quot;", 6);
                break;
            case '\'':
                ngx_http_mta_sts_status_raw(o, (u_char *) "&#39;", 5);
                break;
            default:
                ngx_http_mta_sts_status_raw(o, data, 1);
            }
        }

        data += n;
        len -= n;
    }
}


/*
 * The length of the valid UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), 0 if there is none.
 * Used with p and len of a whole string, it returns the length of its
 * longest valid prefix when the string was cut in a sequence.
 */

static size_t
ngx_http_mta_sts_status_utf8(u_char *p, size_t len)
{
    size_t    n, i;
    uint32_t  c, min;

    if (len == 0) {
        return 0;
    }

    if (p[0] < 0x80) {
        return 1;
    }

    if ((p[0] & 0xe0) == 0xc0) {
        n = 2;
        c = p[0] & 0x1f;
        min = 0x80;

    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3;
        c = p[0] & 0x0f;
        min = 0x800;

    } else if ((p[0] & 0xf8) == 0xf0) {
        n = 4;
        c = p[0] & 0x07;
        min = 0x10000;

    } else {
        return 0;
    }

    if (len < n) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }

        c = (c << 6) | (p[i] & 0x3f);
    }

    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }

    return n;
}
