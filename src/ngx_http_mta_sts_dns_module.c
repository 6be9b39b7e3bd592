
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_http_mta_sts_policy.h>
#include <ngx_http_mta_sts_ids.h>
#include <ngx_http_mta_sts_dns.h>
#include <ngx_http_mta_sts_status.h>
#include <ngx_http_mta_sts_status_module.h>
#include <ngx_http_mta_sts_tlsrpt_module.h>
#include <ngx_http_mta_sts_update_module.h>

#include <openssl/rand.h>


/*
 * The first worker checks the live DNS of every static policy domain
 * against what nginx serves: the _mta-sts TXT id, the MX hosts against
 * the policy, the policy host's addresses against the listeners, the
 * _smtp._tls record.  nginx's resolver asks no TXT or MX questions, so
 * this is a small client of its own on the event loop, asking the
 * addresses of the server's "resolver": a fresh UDP socket and a random
 * id a query, TCP when the answer is truncated, at most 64 in flight.
 * The wire format and the record rules are ngx_http_mta_sts_dns.c.
 */


#define NGX_HTTP_MTA_STS_DNS_INFLIGHT    64
#define NGX_HTTP_MTA_STS_DNS_TRIES       3
#define NGX_HTTP_MTA_STS_DNS_BUF         4096
#define NGX_HTTP_MTA_STS_DNS_TCP_MAX     (65535 + 2)

/* the TCP message, then room for its records (ngx_http_mta_sts_dns.h) */
#define NGX_HTTP_MTA_STS_DNS_TCP_BUF                                         \
    (2 * NGX_HTTP_MTA_STS_DNS_TCP_MAX + 256 * NGX_HTTP_MTA_STS_DNS_RR_MAX)
#define NGX_HTTP_MTA_STS_DNS_REPEAT      86400

/* the questions asked about a domain */
#define NGX_HTTP_MTA_STS_DNS_Q_STS       0
#define NGX_HTTP_MTA_STS_DNS_Q_MX        1
#define NGX_HTTP_MTA_STS_DNS_Q_A         2
#define NGX_HTTP_MTA_STS_DNS_Q_AAAA      3
#define NGX_HTTP_MTA_STS_DNS_Q_TLSRPT    4
#define NGX_HTTP_MTA_STS_DNS_Q_ALL       0x1f

/* what the A and AAAA questions found */
#define NGX_HTTP_MTA_STS_DNS_ADDR_WAIT   0
#define NGX_HTTP_MTA_STS_DNS_ADDR_FOUND  1
#define NGX_HTTP_MTA_STS_DNS_ADDR_NONE   2
#define NGX_HTTP_MTA_STS_DNS_ADDR_FAILED 3


typedef struct {
    ngx_http_mta_sts_dns_result_t   result;

    ngx_str_t                       id;          /* the id served */
    ngx_http_mta_sts_policy_t       policy;
    ngx_resolver_t                 *resolver;
    ngx_msec_t                      timeout;

    time_t                          recheck;     /* the stale id's */
    ngx_uint_t                      server;      /* round robin */
    ngx_uint_t                      uncovered;   /* MX hosts unmatched */
    void                           *status;      /* its status, or NULL */

    unsigned                        listener:1;  /* mta_sts_check_listener */
    unsigned                        ssl4:1;      /* ssl on IPv4 port 443 */
    unsigned                        ssl6:1;
    unsigned                        todo:5;      /* questions to ask */
    unsigned                        stale:1;     /* "publish" was said */
    unsigned                        mismatch:1;  /* TXT id != id served */
    unsigned                        a:2;
    unsigned                        aaaa:2;
} ngx_http_mta_sts_dns_domain_t;


typedef struct {
    ngx_http_mta_sts_dns_domain_t  *domain;
    ngx_uint_t                      kind;
    ngx_uint_t                      tries;
    ngx_uint_t                      cnames;
    ngx_uint_t                      busy;

    ngx_str_t                       name;
    u_char                          name_buf[NGX_HTTP_MTA_STS_NAME_MAX + 16];

    ngx_connection_t               *connection;
    ngx_uint_t                      tcp;
    ngx_uint_t                      server;      /* the address asked */
    const char                     *failed;     /* why the last try failed */

    size_t                          qlen;
    u_char                          query[NGX_HTTP_MTA_STS_DNS_QUERY_MAX + 2];

    /* the TCP answer: its length, then the message */
    u_char                         *tcp_buf;
    size_t                          tcp_len;
    size_t                          tcp_sent;

    ngx_http_mta_sts_dns_answer_t   answer;
    u_char                          buf[NGX_HTTP_MTA_STS_DNS_BUF];
    u_char                          store[NGX_HTTP_MTA_STS_DNS_BUF + 256
                                          * NGX_HTTP_MTA_STS_DNS_RR_MAX];
} ngx_http_mta_sts_dns_query_t;


typedef struct {
    ngx_msec_t                      interval;    /* mta_sts_check_dns_... */
    ngx_array_t                     domains;

    /* the server names, when this nginx receives TLS reports */
    ngx_hash_combined_t            *names;

    /* the first worker's */
    ngx_log_t                      *log;
    ngx_event_t                     round;
    ngx_event_t                     recheck;
    ngx_event_t                     dispatch;
    ngx_uint_t                      cursor;
    ngx_http_mta_sts_dns_query_t   *queries;

    /* the last finding reported, for the status zone */
    ngx_uint_t                      reported;
    size_t                          finding_len;
    u_char                          finding[
                                  NGX_HTTP_MTA_STS_STATUS_FINDING_MAX + 1];
} ngx_http_mta_sts_dns_main_conf_t;


typedef struct {
    ngx_flag_t                      check;       /* mta_sts_check_dns */

    /* found in the listeners */
    unsigned                        ssl4:1;
    unsigned                        ssl6:1;
} ngx_http_mta_sts_dns_srv_conf_t;


static void ngx_http_mta_sts_dns_round(ngx_event_t *ev);
static void ngx_http_mta_sts_dns_recheck(ngx_event_t *ev);
static void ngx_http_mta_sts_dns_dispatch(ngx_event_t *ev);
static void ngx_http_mta_sts_dns_start(ngx_http_mta_sts_dns_main_conf_t *dmcf,
    ngx_http_mta_sts_dns_query_t *q, ngx_http_mta_sts_dns_domain_t *d,
    ngx_uint_t kind);
static void ngx_http_mta_sts_dns_send(ngx_http_mta_sts_dns_query_t *q);
static ngx_int_t ngx_http_mta_sts_dns_connect(ngx_http_mta_sts_dns_query_t *q,
    int type);
static void ngx_http_mta_sts_dns_udp_read(ngx_event_t *rev);
static void ngx_http_mta_sts_dns_tcp_write(ngx_event_t *wev);
static void ngx_http_mta_sts_dns_tcp_read(ngx_event_t *rev);
static void ngx_http_mta_sts_dns_dummy(ngx_event_t *ev);
static ngx_int_t ngx_http_mta_sts_dns_answer(
    ngx_http_mta_sts_dns_query_t *q, u_char *packet, size_t len);
static void ngx_http_mta_sts_dns_arm_recheck(time_t when);
static void ngx_http_mta_sts_dns_retry(ngx_http_mta_sts_dns_query_t *q,
    const char *why);
static void ngx_http_mta_sts_dns_close(ngx_http_mta_sts_dns_query_t *q);
static void ngx_http_mta_sts_dns_done(ngx_http_mta_sts_dns_query_t *q,
    ngx_int_t status);
static void ngx_http_mta_sts_dns_sts_check(ngx_http_mta_sts_dns_query_t *q,
    ngx_int_t status);
static void ngx_http_mta_sts_dns_mx_check(ngx_http_mta_sts_dns_query_t *q,
    ngx_int_t status);
static void ngx_http_mta_sts_dns_host_check(ngx_http_mta_sts_dns_query_t *q,
    ngx_int_t status);
static void ngx_http_mta_sts_dns_tlsrpt_check(
    ngx_http_mta_sts_dns_query_t *q, ngx_int_t status);
static void ngx_cdecl ngx_http_mta_sts_dns_report(
    ngx_http_mta_sts_dns_domain_t *d, ngx_http_mta_sts_dns_state_t *state,
    ngx_uint_t level, const char *fmt, ...);
static ngx_int_t ngx_http_mta_sts_dns_rua_ours(
    ngx_http_mta_sts_dns_main_conf_t *dmcf, ngx_str_t *rua);
static void ngx_http_mta_sts_dns_status(ngx_http_mta_sts_dns_query_t *q);
static u_char *ngx_http_mta_sts_dns_why(ngx_http_mta_sts_dns_query_t *q,
    ngx_int_t status, u_char *buf, size_t size);

static void *ngx_http_mta_sts_dns_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_mta_sts_dns_create_srv_conf(ngx_conf_t *cf);
static char *ngx_http_mta_sts_dns_merge_srv_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_http_mta_sts_dns_init(ngx_conf_t *cf);
static ngx_int_t ngx_http_mta_sts_dns_names(ngx_conf_t *cf,
    ngx_http_mta_sts_dns_main_conf_t *dmcf);
static int ngx_libc_cdecl ngx_http_mta_sts_dns_cmp_wildcards(
    const void *one, const void *two);
static ngx_int_t ngx_http_mta_sts_dns_init_process(ngx_cycle_t *cycle);
static void ngx_http_mta_sts_dns_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_http_mta_sts_dns_commands[] = {

    { ngx_string("mta_sts_check_dns"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_dns_srv_conf_t, check),
      NULL },

    { ngx_string("mta_sts_check_dns_interval"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_dns_main_conf_t, interval),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_mta_sts_dns_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_mta_sts_dns_init,             /* postconfiguration */

    ngx_http_mta_sts_dns_create_main_conf, /* create main configuration */
    NULL,                                  /* init main configuration */

    ngx_http_mta_sts_dns_create_srv_conf,  /* create server configuration */
    ngx_http_mta_sts_dns_merge_srv_conf,   /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_mta_sts_dns_module = {
    NGX_MODULE_V1,
    &ngx_http_mta_sts_dns_module_ctx,      /* module context */
    ngx_http_mta_sts_dns_commands,         /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_mta_sts_dns_init_process,     /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_mta_sts_dns_exit_process,     /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_str_t  ngx_http_mta_sts_dns_prefixes[] = {
    ngx_string("_mta-sts."),
    ngx_string(""),
    ngx_string("mta-sts."),
    ngx_string("mta-sts."),
    ngx_string("_smtp._tls."),
};

static ngx_uint_t  ngx_http_mta_sts_dns_types[] = {
    NGX_HTTP_MTA_STS_DNS_TXT,
    NGX_HTTP_MTA_STS_DNS_MX,
    NGX_HTTP_MTA_STS_DNS_A,
    NGX_HTTP_MTA_STS_DNS_AAAA,
    NGX_HTTP_MTA_STS_DNS_TXT,
};

static const char  *ngx_http_mta_sts_dns_type_names[] = {
    "TXT", "MX", "A", "AAAA", "TXT"
};


/* a round: every question of every domain, then again after interval */

static void
ngx_http_mta_sts_dns_round(ngx_event_t *ev)
{
    ngx_uint_t                         i;
    ngx_http_mta_sts_dns_domain_t     *d;
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    dmcf = ev->data;

    if (ngx_exiting || ngx_terminate) {
        return;
    }

    d = dmcf->domains.elts;

    for (i = 0; i < dmcf->domains.nelts; i++) {
        d[i].todo = NGX_HTTP_MTA_STS_DNS_Q_ALL;
        d[i].a = NGX_HTTP_MTA_STS_DNS_ADDR_WAIT;
        d[i].aaaa = NGX_HTTP_MTA_STS_DNS_ADDR_WAIT;
    }

    dmcf->cursor = 0;

    ngx_http_mta_sts_dns_dispatch(&dmcf->dispatch);

    if (dmcf->interval) {
        ngx_add_timer(ev, dmcf->interval);
    }
}


/* the TXT of the domains whose id was stale, once their TTL has passed */

static void
ngx_http_mta_sts_dns_recheck(ngx_event_t *ev)
{
    time_t                             now, next;
    ngx_uint_t                         i;
    ngx_http_mta_sts_dns_domain_t     *d;
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    dmcf = ev->data;

    if (ngx_exiting || ngx_terminate) {
        return;
    }

    now = ngx_time();
    next = 0;
    d = dmcf->domains.elts;

    for (i = 0; i < dmcf->domains.nelts; i++) {
        if (d[i].recheck == 0) {
            continue;
        }

        if (d[i].recheck <= now) {
            d[i].recheck = 0;
            d[i].todo |= 1 << NGX_HTTP_MTA_STS_DNS_Q_STS;

            if (dmcf->cursor > i) {
                dmcf->cursor = i;
            }

            continue;
        }

        if (next == 0 || d[i].recheck < next) {
            next = d[i].recheck;
        }
    }

    if (next) {
        ngx_add_timer(ev, (ngx_msec_t) (next - now) * 1000);
    }

    ngx_http_mta_sts_dns_dispatch(&dmcf->dispatch);
}


/* starts queries while fewer than 64 are in flight */

static void
ngx_http_mta_sts_dns_dispatch(ngx_event_t *ev)
{
    ngx_uint_t                         i, kind;
    ngx_http_mta_sts_dns_domain_t     *d;
    ngx_http_mta_sts_dns_query_t      *q;
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    dmcf = ev->data;

    if (ngx_exiting || ngx_terminate) {
        return;
    }

    d = dmcf->domains.elts;

    for (i = 0; i < NGX_HTTP_MTA_STS_DNS_INFLIGHT; i++) {
        q = &dmcf->queries[i];

        if (q->busy) {
            continue;
        }

        while (dmcf->cursor < dmcf->domains.nelts
               && d[dmcf->cursor].todo == 0)
        {
            dmcf->cursor++;
        }

        if (dmcf->cursor == dmcf->domains.nelts) {
            return;
        }

        for (kind = 0; !(d[dmcf->cursor].todo & (1 << kind)); kind++) {
            /* void */
        }

        d[dmcf->cursor].todo &= ~(1 << kind);

        ngx_http_mta_sts_dns_start(dmcf, q, &d[dmcf->cursor], kind);
    }
}


static void
ngx_http_mta_sts_dns_start(ngx_http_mta_sts_dns_main_conf_t *dmcf,
    ngx_http_mta_sts_dns_query_t *q, ngx_http_mta_sts_dns_domain_t *d,
    ngx_uint_t kind)
{
    u_char     *p;
    ngx_str_t  *prefix;

    q->busy = 1;
    q->domain = d;
    q->kind = kind;
    q->tries = 0;
    q->cnames = 0;
    q->failed = NULL;

    prefix = &ngx_http_mta_sts_dns_prefixes[kind];

    p = ngx_cpymem(q->name_buf, prefix->data, prefix->len);
    p = ngx_cpymem(p, d->result.domain.data, d->result.domain.len);

    q->name.data = q->name_buf;
    q->name.len = p - q->name_buf;

    q->server = d->server++ % d->resolver->connections.nelts;

    ngx_http_mta_sts_dns_send(q);
}


/* one try: a fresh socket, a fresh id */

static void
ngx_http_mta_sts_dns_send(ngx_http_mta_sts_dns_query_t *q)
{
    uint16_t                        id;
    ngx_http_mta_sts_dns_domain_t  *d;

    d = q->domain;

    if (RAND_bytes((u_char *) &id, sizeof(id)) != 1) {
        id = (uint16_t) ngx_random();
    }

    q->answer.id = id;
    q->tcp = 0;

    q->qlen = ngx_http_mta_sts_dns_query(q->query + 2, &q->name,
                                         ngx_http_mta_sts_dns_types[q->kind],
                                         id, 1);
    if (q->qlen == 0) {
        q->failed = "the name cannot be asked for";
        ngx_http_mta_sts_dns_done(q, NGX_HTTP_MTA_STS_DNS_BAD);
        return;
    }

    if (ngx_http_mta_sts_dns_connect(q, SOCK_DGRAM) != NGX_OK) {
        ngx_http_mta_sts_dns_retry(q, "the socket could not be opened");
        return;
    }

    if (q->connection->send(q->connection, q->query + 2, q->qlen)
        != (ssize_t) q->qlen)
    {
        ngx_http_mta_sts_dns_retry(q, "the query could not be sent");
        return;
    }

    ngx_add_timer(q->connection->read, d->timeout);
}


static ngx_int_t
ngx_http_mta_sts_dns_connect(ngx_http_mta_sts_dns_query_t *q, int type)
{
    ngx_int_t                   rc;
    ngx_connection_t           *c;
    ngx_peer_connection_t       peer;
    ngx_resolver_connection_t  *rec;

    rec = q->domain->resolver->connections.elts;
    rec = &rec[q->server];

    ngx_memzero(&peer, sizeof(ngx_peer_connection_t));

    peer.sockaddr = rec->sockaddr;
    peer.socklen = rec->socklen;
    peer.name = &rec->server;
    peer.get = ngx_event_get_peer;
    peer.log = ngx_cycle->log;
    peer.log_error = NGX_ERROR_ERR;
    peer.type = type;
    peer.tries = 1;

    rc = ngx_event_connect_peer(&peer);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        if (peer.connection) {
            ngx_close_connection(peer.connection);
        }

        return NGX_ERROR;
    }

    c = peer.connection;
    c->data = q;
    c->read->cancelable = 1;
    c->write->cancelable = 1;

    q->connection = c;

    if (type == SOCK_DGRAM) {
        c->read->handler = ngx_http_mta_sts_dns_udp_read;
        c->write->handler = ngx_http_mta_sts_dns_dummy;
        return NGX_OK;
    }

    c->read->handler = ngx_http_mta_sts_dns_tcp_read;
    c->write->handler = ngx_http_mta_sts_dns_tcp_write;

    q->tcp = 1;
    q->tcp_sent = 0;
    q->tcp_len = 0;
    q->query[0] = (u_char) (q->qlen >> 8);
    q->query[1] = (u_char) q->qlen;

    ngx_add_timer(c->write, q->domain->timeout);

    if (rc == NGX_OK) {
        ngx_http_mta_sts_dns_tcp_write(c->write);
    }

    return NGX_OK;
}


static void
ngx_http_mta_sts_dns_udp_read(ngx_event_t *rev)
{
    ssize_t                        n;
    ngx_connection_t              *c;
    ngx_http_mta_sts_dns_query_t  *q;

    c = rev->data;
    q = c->data;

    if (rev->timedout) {
        ngx_http_mta_sts_dns_retry(q, "timed out");
        return;
    }

    while (rev->ready) {
        n = c->recv(c, q->buf, NGX_HTTP_MTA_STS_DNS_BUF);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR) {
            ngx_http_mta_sts_dns_retry(q, "no answer (connection refused)");
            return;
        }

        if (ngx_http_mta_sts_dns_answer(q, q->buf, n) == NGX_DONE) {
            return;
        }
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_http_mta_sts_dns_retry(q, "the socket failed");
    }
}


static void
ngx_http_mta_sts_dns_tcp_write(ngx_event_t *wev)
{
    ssize_t                        n;
    ngx_connection_t              *c;
    ngx_http_mta_sts_dns_query_t  *q;

    c = wev->data;
    q = c->data;

    if (wev->timedout) {
        ngx_http_mta_sts_dns_retry(q, "timed out over TCP");
        return;
    }

    while (q->tcp_sent < q->qlen + 2) {
        n = c->send(c, q->query + q->tcp_sent, q->qlen + 2 - q->tcp_sent);

        if (n == NGX_AGAIN) {
            if (ngx_handle_write_event(wev, 0) != NGX_OK) {
                ngx_http_mta_sts_dns_retry(q, "the TCP socket failed");
            }

            return;
        }

        if (n == NGX_ERROR) {
            ngx_http_mta_sts_dns_retry(q, "no answer over TCP");
            return;
        }

        q->tcp_sent += n;
    }

    wev->handler = ngx_http_mta_sts_dns_dummy;

    if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    if (!c->read->timer_set) {
        ngx_add_timer(c->read, q->domain->timeout);
    }

    if (c->read->ready) {
        ngx_http_mta_sts_dns_tcp_read(c->read);
    }
}


static void
ngx_http_mta_sts_dns_tcp_read(ngx_event_t *rev)
{
    size_t                         want;
    ssize_t                        n;
    ngx_connection_t              *c;
    ngx_http_mta_sts_dns_query_t  *q;

    c = rev->data;
    q = c->data;

    if (rev->timedout) {
        ngx_http_mta_sts_dns_retry(q, "timed out over TCP");
        return;
    }

    if (q->tcp_buf == NULL) {
        q->tcp_buf = ngx_alloc(NGX_HTTP_MTA_STS_DNS_TCP_BUF, c->log);
        if (q->tcp_buf == NULL) {
            ngx_http_mta_sts_dns_retry(q, "out of memory");
            return;
        }
    }

    for ( ;; ) {
        want = (q->tcp_len < 2)
               ? 2 : (size_t) ((q->tcp_buf[0] << 8) | q->tcp_buf[1]) + 2;

        if (q->tcp_len == want && want > 2) {
            (void) ngx_http_mta_sts_dns_answer(q, q->tcp_buf + 2, want - 2);
            return;
        }

        if (q->tcp_len == 2 && want == 2) {
            ngx_http_mta_sts_dns_retry(q, "an empty answer over TCP");
            return;
        }

        n = c->recv(c, q->tcp_buf + q->tcp_len, want - q->tcp_len);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR || n == 0) {
            ngx_http_mta_sts_dns_retry(q, "the TCP connection closed early");
            return;
        }

        q->tcp_len += n;
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_http_mta_sts_dns_retry(q, "the TCP socket failed");
    }
}


static void
ngx_http_mta_sts_dns_dummy(ngx_event_t *ev)
{
}


static ngx_int_t
ngx_http_mta_sts_dns_answer(ngx_http_mta_sts_dns_query_t *q, u_char *packet,
    size_t len)
{
    ngx_int_t                        rc;
    ngx_http_mta_sts_dns_answer_t   *a;

    a = &q->answer;

    a->name = q->name;
    a->type = ngx_http_mta_sts_dns_types[q->kind];

    if (q->tcp) {
        /* the records are copied behind the message in the same buffer */
        a->buf = q->tcp_buf + 2 + len;
        a->size = NGX_HTTP_MTA_STS_DNS_TCP_BUF - 2 - len;

    } else {
        a->buf = q->store;
        a->size = sizeof(q->store);
    }

    rc = ngx_http_mta_sts_dns_parse(a, packet, len);

    switch (rc) {

    case NGX_HTTP_MTA_STS_DNS_FOREIGN:
        if (q->tcp) {
            ngx_http_mta_sts_dns_retry(q, "an answer to another question");
        }

        /* over UDP, someone else's datagram: wait for ours */
        return q->tcp ? NGX_DONE : NGX_AGAIN;

    case NGX_HTTP_MTA_STS_DNS_TRUNCATED:
        if (q->tcp) {
            q->failed = "a truncated answer over TCP";
            ngx_http_mta_sts_dns_done(q, NGX_HTTP_MTA_STS_DNS_BAD);
            return NGX_DONE;
        }

        ngx_http_mta_sts_dns_close(q);

        if (ngx_http_mta_sts_dns_connect(q, SOCK_STREAM) != NGX_OK) {
            ngx_http_mta_sts_dns_retry(q, "no TCP connection");
        }

        return NGX_DONE;

    case NGX_HTTP_MTA_STS_DNS_FAILED:
        ngx_http_mta_sts_dns_retry(q, a->rcode == 5 ? "REFUSED"
                                      : (a->rcode == 2 ? "SERVFAIL"
                                                       : "an error rcode"));
        return NGX_DONE;

    case NGX_HTTP_MTA_STS_DNS_CNAME_NEXT:
        if (++q->cnames > NGX_HTTP_MTA_STS_DNS_CNAME_MAX
            || a->next.len > NGX_HTTP_MTA_STS_NAME_MAX)
        {
            q->failed = "more than 8 CNAMEs in a row";
            ngx_http_mta_sts_dns_done(q, NGX_HTTP_MTA_STS_DNS_BAD);
            return NGX_DONE;
        }

        ngx_memmove(q->name_buf, a->next.data, a->next.len);
        q->name.len = a->next.len;
        q->tries = 0;

        ngx_http_mta_sts_dns_close(q);
        ngx_http_mta_sts_dns_send(q);
        return NGX_DONE;

    case NGX_HTTP_MTA_STS_DNS_BAD:
        q->failed = a->error;
        ngx_http_mta_sts_dns_done(q, rc);
        return NGX_DONE;

    default: /* OK, NODATA, NXDOMAIN */
        ngx_http_mta_sts_dns_done(q, rc);
        return NGX_DONE;
    }
}


/* the next resolver address, a few times; then "could not check" */

static void
ngx_http_mta_sts_dns_retry(ngx_http_mta_sts_dns_query_t *q, const char *why)
{
    ngx_uint_t  n;

    ngx_http_mta_sts_dns_close(q);

    q->failed = why;
    n = q->domain->resolver->connections.nelts;

    if (++q->tries >= NGX_HTTP_MTA_STS_DNS_TRIES + (n > 1 ? n - 1 : 0)) {
        ngx_http_mta_sts_dns_done(q, NGX_HTTP_MTA_STS_DNS_FAILED);
        return;
    }

    q->server = (q->server + 1) % n;

    ngx_http_mta_sts_dns_send(q);
}


static void
ngx_http_mta_sts_dns_close(ngx_http_mta_sts_dns_query_t *q)
{
    if (q->connection) {
        ngx_close_connection(q->connection);
        q->connection = NULL;
    }

    if (q->tcp_buf) {
        ngx_free(q->tcp_buf);
        q->tcp_buf = NULL;
    }
}


static void
ngx_http_mta_sts_dns_done(ngx_http_mta_sts_dns_query_t *q, ngx_int_t status)
{
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    dmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_mta_sts_dns_module);
    dmcf->reported = 0;

    switch (q->kind) {

    case NGX_HTTP_MTA_STS_DNS_Q_STS:
        ngx_http_mta_sts_dns_sts_check(q, status);
        break;

    case NGX_HTTP_MTA_STS_DNS_Q_MX:
        ngx_http_mta_sts_dns_mx_check(q, status);
        break;

    case NGX_HTTP_MTA_STS_DNS_Q_A:
    case NGX_HTTP_MTA_STS_DNS_Q_AAAA:
        ngx_http_mta_sts_dns_host_check(q, status);
        break;

    default:
        ngx_http_mta_sts_dns_tlsrpt_check(q, status);
        break;
    }

    if (dmcf->reported) {
        ngx_http_mta_sts_dns_status(q);
    }

    ngx_http_mta_sts_dns_close(q);
    q->busy = 0;

    /* the next query starts from the event loop, not from in here */

    if (!dmcf->dispatch.posted) {
        ngx_post_event(&dmcf->dispatch, &ngx_posted_events);
    }
}


/* _mta-sts.<domain> TXT, RFC 8461, sections 3.1 and 8.1 */

static void
ngx_http_mta_sts_dns_sts_check(ngx_http_mta_sts_dns_query_t *q,
    ngx_int_t status)
{
    u_char                          why[256], *last;
    ngx_str_t                      *domain, *id;
    ngx_http_mta_sts_dns_txt_t      txt;
    ngx_http_mta_sts_dns_state_t   *st;
    ngx_http_mta_sts_dns_domain_t  *d;

    d = q->domain;
    domain = &d->result.domain;
    id = &d->id;
    st = &d->result.txt;

    ngx_http_mta_sts_update_txt(domain, status, &q->answer);

    if (status != NGX_HTTP_MTA_STS_DNS_OK
        && status != NGX_HTTP_MTA_STS_DNS_NODATA
        && status != NGX_HTTP_MTA_STS_DNS_NXDOMAIN)
    {
        last = ngx_http_mta_sts_dns_why(q, status, why, sizeof(why));
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_NOTICE,
                                    "MTA-STS DNS check of \"%V\": could not "
                                    "check _mta-sts.%V TXT: %*s",
                                    domain, domain, last - why, why);
        st->state = NGX_HTTP_MTA_STS_DNS_UNCHECKED;
        return;
    }

    d->mismatch = 0;

    if (status != NGX_HTTP_MTA_STS_DNS_OK) {
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_WARN,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "one _mta-sts.%V TXT record, found %s: "
                                    "senders do not look for the policy "
                                    "(RFC 8461, section 3.1); publish "
                                    "_mta-sts.%V. TXT \"v=STSv1; id=%V\"",
                                    domain, domain,
                                    status == NGX_HTTP_MTA_STS_DNS_NXDOMAIN
                                    ? "no such name (NXDOMAIN)"
                                    : "no TXT record (NODATA)",
                                    domain, id);
        return;
    }

    ngx_http_mta_sts_dns_sts(&q->answer, &txt);

    switch (txt.status) {

    case NGX_HTTP_MTA_STS_DNS_TXT_NONE:
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_WARN,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "a _mta-sts.%V TXT record beginning with "
                                    "\"v=STSv1\", found none among %ui: "
                                    "senders do not look for the policy "
                                    "(RFC 8461, section 3.1); publish "
                                    "_mta-sts.%V. TXT \"v=STSv1; id=%V\"",
                                    domain, domain, q->answer.nrr,
                                    domain, id);
        return;

    case NGX_HTTP_MTA_STS_DNS_TXT_MANY:
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_WARN,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "one _mta-sts.%V TXT record beginning "
                                    "with \"v=STSv1\", found several: "
                                    "senders act as if there is no policy "
                                    "(RFC 8461, section 3.1); keep only "
                                    "\"v=STSv1; id=%V\"",
                                    domain, domain, id);
        return;

    case NGX_HTTP_MTA_STS_DNS_TXT_INVALID:
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_WARN,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "a valid _mta-sts.%V TXT record, found "
                                    "\"%V\": %s; senders act as if there is "
                                    "no policy (RFC 8461, section 3.1); "
                                    "publish \"v=STSv1; id=%V\"",
                                    domain, domain, &txt.record, txt.error,
                                    id);
        return;
    }

    if (txt.id.len != id->len
        || ngx_strncmp(txt.id.data, id->data, id->len) != 0)
    {
        d->mismatch = 1;

        if (!d->stale) {

            /* RFC 8461, section 8.1: the TXT is updated after the policy */

            d->stale = 1;
            d->recheck = ngx_time() + q->answer.ttl + 1;

            ngx_http_mta_sts_dns_arm_recheck(d->recheck);

            ngx_http_mta_sts_dns_report(d, st, NGX_LOG_NOTICE,
                                        "MTA-STS DNS check of \"%V\": the "
                                        "_mta-sts.%V TXT id is \"%V\", the "
                                        "policy served has id \"%V\": "
                                        "publish _mta-sts.%V. TXT "
                                        "\"v=STSv1; id=%V\"; looked at "
                                        "again in %uD s (RFC 8461, section "
                                        "8.1)",
                                        domain, domain, &txt.id, id, domain,
                                        id, q->answer.ttl + 1);
            return;
        }

        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_WARN,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "_mta-sts.%V TXT id \"%V\", the id of "
                                    "the policy served, found \"%V\": "
                                    "senders keep the old policy until it "
                                    "expires (RFC 8461, section 3.1); "
                                    "publish _mta-sts.%V. TXT "
                                    "\"v=STSv1; id=%V\"",
                                    domain, domain, id, &txt.id, domain, id);
        return;
    }

    d->stale = 0;

    if (txt.flags & NGX_HTTP_MTA_STS_DNS_SPACE_SEMI) {
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_NOTICE,
                                    "MTA-STS DNS check of \"%V\": the "
                                    "_mta-sts.%V TXT record \"%V\" has a "
                                    "space before the first \";\", which "
                                    "senders that follow RFC 8461, section "
                                    "3.1 to the letter discard (erratum "
                                    "6285); publish \"v=STSv1; id=%V\"",
                                    domain, domain, &txt.record, id);
        return;
    }

    ngx_http_mta_sts_dns_report(d, st, NGX_LOG_INFO,
                                "MTA-STS DNS check of \"%V\": _mta-sts.%V "
                                "TXT id \"%V\" is the id served",
                                domain, domain, id);
}


/* <domain> MX against the policy, RFC 8461, section 4.1 */

static void
ngx_http_mta_sts_dns_mx_check(ngx_http_mta_sts_dns_query_t *q,
    ngx_int_t status)
{
    u_char                         why[256], *last;
    ngx_str_t                     *domain, host;
    ngx_uint_t                     level, rc;
    ngx_http_mta_sts_dns_state_t  *st;
    ngx_http_mta_sts_dns_domain_t *d;

    d = q->domain;
    domain = &d->result.domain;
    st = &d->result.mx;

    if (status != NGX_HTTP_MTA_STS_DNS_OK
        && status != NGX_HTTP_MTA_STS_DNS_NODATA
        && status != NGX_HTTP_MTA_STS_DNS_NXDOMAIN)
    {
        last = ngx_http_mta_sts_dns_why(q, status, why, sizeof(why));
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_NOTICE,
                                    "MTA-STS DNS check of \"%V\": could not "
                                    "check %V MX: %*s",
                                    domain, domain, last - why, why);
        st->state = NGX_HTTP_MTA_STS_DNS_UNCHECKED;
        return;
    }

    if (status != NGX_HTTP_MTA_STS_DNS_OK) {
        d->uncovered = 0;
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_NOTICE,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "MX records for %V, found %s: mail goes "
                                    "to the domain's own address (RFC 5321, "
                                    "section 5.1), which senders match "
                                    "against the policy's mx (RFC 8461, "
                                    "section 4.1)",
                                    domain, domain,
                                    status == NGX_HTTP_MTA_STS_DNS_NXDOMAIN
                                    ? "no such name (NXDOMAIN)"
                                    : "none (NODATA)");
        return;
    }

    rc = ngx_http_mta_sts_dns_mx(&q->answer, &d->policy, &host,
                                 &d->uncovered);

    if (rc == NGX_HTTP_MTA_STS_DNS_MX_NULL) {
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_NOTICE,
                                    "MTA-STS DNS check of \"%V\": %V has a "
                                    "null MX, it accepts no mail (RFC 7505): "
                                    "its MTA-STS policy protects nothing",
                                    domain, domain);
        return;
    }

    if (rc == NGX_HTTP_MTA_STS_DNS_MX_UNCOVERED) {
        level = (d->policy.mode == NGX_HTTP_MTA_STS_ENFORCE) ? NGX_LOG_WARN
                : (d->policy.mode == NGX_HTTP_MTA_STS_TESTING)
                  ? NGX_LOG_NOTICE : NGX_LOG_INFO;

        ngx_http_mta_sts_dns_report(d, st, level,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "every MX host of %V to match an "
                                    "\"mta_sts_mx\" pattern, found \"%V\" "
                                    "matched by none: senders in enforce "
                                    "mode do not deliver to it (RFC 8461, "
                                    "sections 4.1 and 5)",
                                    domain, domain, &host);
        return;
    }

    ngx_http_mta_sts_dns_report(d, st, NGX_LOG_INFO,
                                "MTA-STS DNS check of \"%V\": every MX host "
                                "of %V is matched by the policy",
                                domain, domain);
}


/* mta-sts.<domain> A and AAAA against the listeners, RFC 8461, 3.3 */

static void
ngx_http_mta_sts_dns_host_check(ngx_http_mta_sts_dns_query_t *q,
    ngx_int_t status)
{
    u_char                         why[256], *last;
    ngx_str_t                     *domain;
    ngx_uint_t                     v;
    ngx_http_mta_sts_dns_state_t  *st;
    ngx_http_mta_sts_dns_domain_t *d;

    d = q->domain;
    domain = &d->result.domain;
    st = &d->result.host;

    switch (status) {
    case NGX_HTTP_MTA_STS_DNS_OK:
        v = NGX_HTTP_MTA_STS_DNS_ADDR_FOUND;
        break;
    case NGX_HTTP_MTA_STS_DNS_NODATA:
    case NGX_HTTP_MTA_STS_DNS_NXDOMAIN:
        v = NGX_HTTP_MTA_STS_DNS_ADDR_NONE;
        break;
    default:
        v = NGX_HTTP_MTA_STS_DNS_ADDR_FAILED;
    }

    if (q->kind == NGX_HTTP_MTA_STS_DNS_Q_A) {
        d->a = v;
    } else {
        d->aaaa = v;
    }

    if (v == NGX_HTTP_MTA_STS_DNS_ADDR_FAILED) {
        last = ngx_http_mta_sts_dns_why(q, status, why, sizeof(why));
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_NOTICE,
                                    "MTA-STS DNS check of \"%V\": could not "
                                    "check mta-sts.%V %s: %*s",
                                    domain, domain,
                                    ngx_http_mta_sts_dns_type_names[q->kind],
                                    last - why, why);
        st->state = NGX_HTTP_MTA_STS_DNS_UNCHECKED;
        return;
    }

    if (d->a == NGX_HTTP_MTA_STS_DNS_ADDR_WAIT
        || d->aaaa == NGX_HTTP_MTA_STS_DNS_ADDR_WAIT
        || d->a == NGX_HTTP_MTA_STS_DNS_ADDR_FAILED
        || d->aaaa == NGX_HTTP_MTA_STS_DNS_ADDR_FAILED)
    {
        return;
    }

    if (d->a == NGX_HTTP_MTA_STS_DNS_ADDR_NONE
        && d->aaaa == NGX_HTTP_MTA_STS_DNS_ADDR_NONE)
    {
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_WARN,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "an A or AAAA record for mta-sts.%V, "
                                    "found none: senders cannot fetch the "
                                    "policy (RFC 8461, section 3.3)",
                                    domain, domain);
        return;
    }

    if (d->listener && d->aaaa == NGX_HTTP_MTA_STS_DNS_ADDR_FOUND
        && !d->ssl6)
    {
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_WARN,
                                    "MTA-STS DNS check of \"%V\": mta-sts.%V "
                                    "has an AAAA record, expected an IPv6 "
                                    "\"ssl\" listener on port 443 for it, "
                                    "found none: senders over IPv6 cannot "
                                    "fetch the policy (RFC 8461, section "
                                    "3.3); add \"listen [::]:443 ssl\"",
                                    domain, domain);
        return;
    }

    if (d->listener && d->a == NGX_HTTP_MTA_STS_DNS_ADDR_FOUND && !d->ssl4) {
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_WARN,
                                    "MTA-STS DNS check of \"%V\": mta-sts.%V "
                                    "has an A record, expected an IPv4 "
                                    "\"ssl\" listener on port 443 for it, "
                                    "found none: senders over IPv4 cannot "
                                    "fetch the policy (RFC 8461, section "
                                    "3.3); add \"listen 443 ssl\"",
                                    domain, domain);
        return;
    }

    ngx_http_mta_sts_dns_report(d, st, NGX_LOG_INFO,
                                "MTA-STS DNS check of \"%V\": the addresses "
                                "of mta-sts.%V have listeners",
                                domain, domain);
}


/* _smtp._tls.<domain> TXT, RFC 8460, section 3 */

static void
ngx_http_mta_sts_dns_tlsrpt_check(ngx_http_mta_sts_dns_query_t *q,
    ngx_int_t status)
{
    u_char                             why[256], *last;
    ngx_str_t                         *domain;
    ngx_http_mta_sts_dns_txt_t         txt;
    ngx_http_mta_sts_dns_state_t      *st;
    ngx_http_mta_sts_dns_domain_t     *d;
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    d = q->domain;
    domain = &d->result.domain;
    st = &d->result.tlsrpt;

    if (status != NGX_HTTP_MTA_STS_DNS_OK
        && status != NGX_HTTP_MTA_STS_DNS_NODATA
        && status != NGX_HTTP_MTA_STS_DNS_NXDOMAIN)
    {
        last = ngx_http_mta_sts_dns_why(q, status, why, sizeof(why));
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_NOTICE,
                                    "MTA-STS DNS check of \"%V\": could not "
                                    "check _smtp._tls.%V TXT: %*s",
                                    domain, domain, last - why, why);
        st->state = NGX_HTTP_MTA_STS_DNS_UNCHECKED;
        return;
    }

    txt.status = NGX_HTTP_MTA_STS_DNS_TXT_NONE;

    if (status == NGX_HTTP_MTA_STS_DNS_OK) {
        ngx_http_mta_sts_dns_tlsrpt(&q->answer, &txt);
    }

    switch (txt.status) {

    case NGX_HTTP_MTA_STS_DNS_TXT_NONE:
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_NOTICE,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "a _smtp._tls.%V TXT record beginning "
                                    "with \"v=TLSRPTv1\", found %s: no TLS "
                                    "reports arrive (RFC 8460, section 3)",
                                    domain, domain,
                                    status == NGX_HTTP_MTA_STS_DNS_NXDOMAIN
                                    ? "no such name (NXDOMAIN)"
                                    : (status == NGX_HTTP_MTA_STS_DNS_NODATA
                                       ? "no TXT record (NODATA)" : "none"));
        return;

    case NGX_HTTP_MTA_STS_DNS_TXT_MANY:
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_WARN,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "one _smtp._tls.%V TXT record beginning "
                                    "with \"v=TLSRPTv1\", found several: "
                                    "senders send no reports (RFC 8460, "
                                    "section 3)",
                                    domain, domain);
        return;

    case NGX_HTTP_MTA_STS_DNS_TXT_INVALID:
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_WARN,
                                    "MTA-STS DNS check of \"%V\": expected "
                                    "a valid _smtp._tls.%V TXT record, "
                                    "found \"%V\": %s (RFC 8460, section 3)",
                                    domain, domain, &txt.record, txt.error);
        return;
    }

    dmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_mta_sts_dns_module);

    if (dmcf->names && ngx_http_mta_sts_dns_rua_ours(dmcf, &txt.rua)
                       != NGX_OK)
    {
        ngx_http_mta_sts_dns_report(d, st, NGX_LOG_NOTICE,
                                    "MTA-STS DNS check of \"%V\": this nginx "
                                    "receives TLS reports "
                                    "(\"mta_sts_tlsrpt\"), but no https: URI "
                                    "in the rua of the _smtp._tls.%V TXT "
                                    "record, \"%V\", names a host it serves: "
                                    "reports for %V go elsewhere (RFC 8460, "
                                    "section 3)",
                                    domain, domain, &txt.rua, domain);
        return;
    }

    ngx_http_mta_sts_dns_report(d, st, NGX_LOG_INFO,
                                "MTA-STS DNS check of \"%V\": _smtp._tls.%V "
                                "TXT is valid",
                                domain, domain);
}


static void
ngx_http_mta_sts_dns_arm_recheck(time_t when)
{
    time_t                             now;
    ngx_msec_t                         delay;
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    dmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_mta_sts_dns_module);

    now = ngx_time();
    delay = (ngx_msec_t) (when > now ? when - now : 0) * 1000;

    if (dmcf->recheck.timer_set) {
        if (dmcf->recheck.timer.key <= ngx_current_msec + delay) {
            return;
        }

        ngx_del_timer(&dmcf->recheck);
    }

    ngx_add_timer(&dmcf->recheck, delay);
}


/*
 * One line a finding, when it differs from the check's last one; a
 * standing warning is said again once a day.
 */

static void ngx_cdecl
ngx_http_mta_sts_dns_report(ngx_http_mta_sts_dns_domain_t *d,
    ngx_http_mta_sts_dns_state_t *state, ngx_uint_t level,
    const char *fmt, ...)
{
    u_char                            *p, *last;
    u_char                             msg[NGX_MAX_ERROR_STR];
    time_t                             now;
    va_list                            args;
    uint32_t                           crc;
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    va_start(args, fmt);
    last = ngx_vslprintf(msg, msg + sizeof(msg), fmt, args);
    va_end(args);

    now = ngx_time();

    dmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_mta_sts_dns_module);

    /* the finding without "MTA-STS DNS check of "<domain>": ", cut */

    p = msg + sizeof("MTA-STS DNS check of \"\": ") - 1 + d->result.domain.len;

    if (p > last) {
        p = last;
    }

    dmcf->finding_len = ngx_min((size_t) (last - p), sizeof(dmcf->finding));
    ngx_memcpy(dmcf->finding, p, dmcf->finding_len);
    dmcf->reported = 1;

    crc = ngx_crc32_short(msg, last - msg) ^ (uint32_t) level;

    state->checked = now;
    state->state = (level == NGX_LOG_WARN) ? NGX_HTTP_MTA_STS_DNS_WARN
                   : (level == NGX_LOG_NOTICE) ? NGX_HTTP_MTA_STS_DNS_NOTICE
                   : NGX_HTTP_MTA_STS_DNS_GOOD;

    if (state->finding == crc
        && (level != NGX_LOG_WARN
            || now - state->logged < NGX_HTTP_MTA_STS_DNS_REPEAT))
    {
        return;
    }

    state->finding = crc;
    state->logged = now;

    ngx_log_error(level, dmcf->log, 0, "%*s", last - msg, msg);
}


/* whether an https: URI of a rua names a server name of this nginx */

static ngx_int_t
ngx_http_mta_sts_dns_rua_ours(ngx_http_mta_sts_dns_main_conf_t *dmcf,
    ngx_str_t *rua)
{
    u_char     name[256];
    size_t     pos;
    ngx_str_t  host;

    pos = 0;

    while (ngx_http_mta_sts_dns_rua_https(rua, &pos, &host) == NGX_OK) {

        if (host.len == 0 || host.len > sizeof(name)) {
            continue;
        }

        ngx_strlow(name, host.data, host.len);

        if (ngx_hash_find_combined(dmcf->names,
                                   ngx_hash_key(name, host.len),
                                   name, host.len)
            != NULL)
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


/* a check's result into the status zone, once its state is final */

static void
ngx_http_mta_sts_dns_status(ngx_http_mta_sts_dns_query_t *q)
{
    time_t                             recheck;
    ngx_uint_t                         check, value;
    ngx_http_mta_sts_dns_state_t      *st;
    ngx_http_mta_sts_dns_domain_t     *d;
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    d = q->domain;

    if (d->status == NULL) {
        return;
    }

    dmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_mta_sts_dns_module);

    value = 0;
    recheck = 0;

    switch (q->kind) {

    case NGX_HTTP_MTA_STS_DNS_Q_STS:
        check = NGX_HTTP_MTA_STS_STATUS_DNS_TXT;
        st = &d->result.txt;
        value = d->mismatch;
        recheck = d->recheck;
        break;

    case NGX_HTTP_MTA_STS_DNS_Q_MX:
        check = NGX_HTTP_MTA_STS_STATUS_DNS_MX;
        st = &d->result.mx;
        value = d->uncovered;
        break;

    case NGX_HTTP_MTA_STS_DNS_Q_A:
    case NGX_HTTP_MTA_STS_DNS_Q_AAAA:
        check = NGX_HTTP_MTA_STS_STATUS_DNS_HOST;
        st = &d->result.host;
        break;

    default:
        check = NGX_HTTP_MTA_STS_STATUS_DNS_TLSRPT;
        st = &d->result.tlsrpt;
    }

    ngx_http_mta_sts_status_dns((ngx_cycle_t *) ngx_cycle, d->status, check,
                                st->state, dmcf->finding, dmcf->finding_len,
                                value, recheck);
}


ngx_uint_t
ngx_http_mta_sts_dns_server_checked(ngx_http_core_srv_conf_t *cscf)
{
    ngx_http_core_loc_conf_t         *clcf;
    ngx_http_mta_sts_dns_srv_conf_t  *dscf;

    dscf = cscf->ctx->srv_conf[ngx_http_mta_sts_dns_module.ctx_index];
    clcf = cscf->ctx->loc_conf[ngx_http_core_module.ctx_index];

    return dscf->check && clcf->resolver
           && clcf->resolver->connections.nelts;
}


static u_char *
ngx_http_mta_sts_dns_why(ngx_http_mta_sts_dns_query_t *q, ngx_int_t status,
    u_char *buf, size_t size)
{
    ngx_resolver_connection_t  *rec;

    rec = q->domain->resolver->connections.elts;

    return ngx_snprintf(buf, size, "%s (resolver %V)",
                        q->failed ? q->failed
                        : ngx_http_mta_sts_dns_status_text(status),
                        &rec[q->server].server);
}


static void *
ngx_http_mta_sts_dns_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    dmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_dns_main_conf_t));
    if (dmcf == NULL) {
        return NULL;
    }

    dmcf->interval = NGX_CONF_UNSET_MSEC;

    return dmcf;
}


static void *
ngx_http_mta_sts_dns_create_srv_conf(ngx_conf_t *cf)
{
    ngx_http_mta_sts_dns_srv_conf_t  *dscf;

    dscf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_dns_srv_conf_t));
    if (dscf == NULL) {
        return NULL;
    }

    dscf->check = NGX_CONF_UNSET;

    return dscf;
}


static char *
ngx_http_mta_sts_dns_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_mta_sts_dns_srv_conf_t *prev = parent;
    ngx_http_mta_sts_dns_srv_conf_t *conf = child;

    ngx_conf_merge_value(conf->check, prev->check, 1);

    return NGX_CONF_OK;
}


/*
 * After every server is merged: the ssl listeners on port 443 of each
 * family, then each exact "mta-sts.<domain>" name of a server with a
 * static policy and a resolver, once per domain.
 */

static ngx_int_t
ngx_http_mta_sts_dns_init(ngx_conf_t *cf)
{
    ngx_str_t                          *name, domain, id;
    ngx_flag_t                          listener;
    ngx_int_t                           rc;
    ngx_uint_t                          p, a, s, i, unchecked;
    ngx_hash_keys_arrays_t              ha;
    ngx_http_conf_addr_t               *addr;
    ngx_http_conf_port_t               *port;
    ngx_http_server_name_t             *sn;
    ngx_http_core_srv_conf_t          **cscfp;
    ngx_http_core_loc_conf_t           *clcf;
    ngx_http_core_main_conf_t          *cmcf;
    ngx_http_mta_sts_policy_t           policy;
    ngx_http_mta_sts_dns_domain_t      *d;
    ngx_http_mta_sts_dns_srv_conf_t    *dscf;
    ngx_http_mta_sts_dns_main_conf_t   *dmcf;

    dmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_mta_sts_dns_module);
    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    ngx_conf_init_msec_value(dmcf->interval, 3600 * 1000);

    if (cmcf->ports) {
        port = cmcf->ports->elts;

        for (p = 0; p < cmcf->ports->nelts; p++) {

            if (port[p].port != 443) {
                continue;
            }

            addr = port[p].addrs.elts;

            for (a = 0; a < port[p].addrs.nelts; a++) {
#if (NGX_HTTP_SSL)
                if (!addr[a].opt.ssl) {
                    continue;
                }
#if (NGX_HTTP_V3)
                if (addr[a].opt.quic) {
                    continue;
                }
#endif
#else
                continue;
#endif
                cscfp = addr[a].servers.elts;

                for (s = 0; s < addr[a].servers.nelts; s++) {
                    dscf = cscfp[s]->ctx->srv_conf[
                                          ngx_http_mta_sts_dns_module.ctx_index];

#if (NGX_HAVE_INET6)
                    if (port[p].family == AF_INET6) {
                        dscf->ssl6 = 1;
                        continue;
                    }
#endif
                    dscf->ssl4 = 1;
                }
            }
        }
    }

    /* at most a domain a server, mostly: sized once, not grown */

    if (ngx_array_init(&dmcf->domains, cf->pool,
                       cmcf->servers.nelts ? cmcf->servers.nelts : 1,
                       sizeof(ngx_http_mta_sts_dns_domain_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    unchecked = 0;
    cscfp = cmcf->servers.elts;
    ngx_memzero(&ha, sizeof(ngx_hash_keys_arrays_t));

    for (s = 0; s < cmcf->servers.nelts; s++) {

        if (ngx_http_mta_sts_server_policy(cscfp[s], &policy, &id, &listener)
            != NGX_OK)
        {
            continue;
        }

        dscf = cscfp[s]->ctx->srv_conf[ngx_http_mta_sts_dns_module.ctx_index];

        if (!dscf->check) {
            continue;
        }

        clcf = cscfp[s]->ctx->loc_conf[ngx_http_core_module.ctx_index];
        sn = cscfp[s]->server_names.elts;

        for (i = 0; i < cscfp[s]->server_names.nelts; i++) {
            name = &sn[i].name;

#if (NGX_PCRE)
            if (sn[i].regex) {
                continue;
            }
#endif

            if (ngx_http_mta_sts_server_domain(name, &domain) != NGX_OK
                || domain.len > NGX_HTTP_MTA_STS_NAME_MAX - 11)
            {
                continue;
            }

            if (clcf->resolver == NULL
                || clcf->resolver->connections.nelts == 0)
            {
                unchecked++;
                continue;
            }

            /* a domain named twice is checked once, for its first server */

            if (ha.temp_pool == NULL) {
                ha.temp_pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE,
                                               cf->log);
                if (ha.temp_pool == NULL) {
                    return NGX_ERROR;
                }

                ha.pool = ha.temp_pool;

                if (ngx_hash_keys_array_init(&ha, NGX_HASH_LARGE) != NGX_OK) {
                    ngx_destroy_pool(ha.temp_pool);
                    return NGX_ERROR;
                }
            }

            rc = ngx_hash_add_key(&ha, &domain, dscf, NGX_HASH_READONLY_KEY);

            if (rc == NGX_BUSY) {
                continue;
            }

            if (rc != NGX_OK) {
                ngx_destroy_pool(ha.temp_pool);
                return NGX_ERROR;
            }

            d = ngx_array_push(&dmcf->domains);
            if (d == NULL) {
                ngx_destroy_pool(ha.temp_pool);
                return NGX_ERROR;
            }

            ngx_memzero(d, sizeof(ngx_http_mta_sts_dns_domain_t));

            d->result.domain = domain;
            d->id = id;
            d->policy = policy;
            d->resolver = clcf->resolver;
            d->timeout = clcf->resolver_timeout;
            d->listener = listener ? 1 : 0;
            d->ssl4 = dscf->ssl4;
            d->ssl6 = dscf->ssl6;
        }
    }

    if (ha.temp_pool) {
        ngx_destroy_pool(ha.temp_pool);
    }

    if (dmcf->domains.nelts
        && ngx_http_mta_sts_dns_names(cf, dmcf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (unchecked) {
        ngx_log_error(NGX_LOG_NOTICE, cf->log, 0,
                      "MTA-STS DNS check: the records of %ui policy "
                      "domain%s are not checked: no \"resolver\" is "
                      "configured for %s; "
                      "add \"resolver ADDRESS;\" (a DNS resolver nginx may "
                      "ask) to the http block, or set \"mta_sts_check_dns "
                      "off\"",
                      unchecked, unchecked == 1 ? "" : "s",
                      unchecked == 1 ? "it" : "them");
    }

    return NGX_OK;
}


/*
 * When this nginx receives TLS reports (an "mta_sts_tlsrpt" location),
 * the names of its servers, exact and wildcard as nginx matches a Host,
 * for the rua of _smtp._tls records.
 */

static ngx_int_t
ngx_http_mta_sts_dns_names(ngx_conf_t *cf,
    ngx_http_mta_sts_dns_main_conf_t *dmcf)
{
    ngx_int_t                    rc;
    ngx_uint_t                   s, i;
    ngx_hash_init_t              hash;
    ngx_hash_keys_arrays_t       ha;
    ngx_http_server_name_t      *sn;
    ngx_http_core_srv_conf_t   **cscfp;
    ngx_http_core_main_conf_t   *cmcf;

    if (ngx_http_mta_sts_tlsrpt_receivers(cf) == 0) {
        return NGX_OK;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    dmcf->names = ngx_pcalloc(cf->pool, sizeof(ngx_hash_combined_t));
    if (dmcf->names == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(&ha, sizeof(ngx_hash_keys_arrays_t));

    ha.temp_pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE, cf->log);
    if (ha.temp_pool == NULL) {
        return NGX_ERROR;
    }

    ha.pool = cf->pool;

    if (ngx_hash_keys_array_init(&ha, NGX_HASH_LARGE) != NGX_OK) {
        goto failed;
    }

    cscfp = cmcf->servers.elts;

    for (s = 0; s < cmcf->servers.nelts; s++) {
        sn = cscfp[s]->server_names.elts;

        for (i = 0; i < cscfp[s]->server_names.nelts; i++) {

#if (NGX_PCRE)
            if (sn[i].regex) {
                continue;
            }
#endif

            if (sn[i].name.len == 0 || sn[i].name.len > 255) {
                continue;
            }

            rc = ngx_hash_add_key(&ha, &sn[i].name, cscfp[s],
                                  NGX_HASH_WILDCARD_KEY);

            if (rc == NGX_ERROR) {
                goto failed;
            }

            /* NGX_BUSY: named twice; NGX_DECLINED: nginx says so itself */
        }
    }

    hash.key = ngx_hash_key;
    hash.max_size = 4096 + ha.keys.nelts;
    hash.bucket_size = 512;
    hash.name = "mta_sts_check_dns_names_hash";
    hash.pool = cf->pool;

    if (ha.keys.nelts) {
        hash.hash = &dmcf->names->hash;
        hash.temp_pool = NULL;

        if (ngx_hash_init(&hash, ha.keys.elts, ha.keys.nelts) != NGX_OK) {
            goto failed;
        }
    }

    if (ha.dns_wc_head.nelts) {
        ngx_qsort(ha.dns_wc_head.elts, (size_t) ha.dns_wc_head.nelts,
                  sizeof(ngx_hash_key_t),
                  ngx_http_mta_sts_dns_cmp_wildcards);

        hash.hash = NULL;
        hash.temp_pool = ha.temp_pool;

        if (ngx_hash_wildcard_init(&hash, ha.dns_wc_head.elts,
                                   ha.dns_wc_head.nelts)
            != NGX_OK)
        {
            goto failed;
        }

        dmcf->names->wc_head = (ngx_hash_wildcard_t *) hash.hash;
    }

    if (ha.dns_wc_tail.nelts) {
        ngx_qsort(ha.dns_wc_tail.elts, (size_t) ha.dns_wc_tail.nelts,
                  sizeof(ngx_hash_key_t),
                  ngx_http_mta_sts_dns_cmp_wildcards);

        hash.hash = NULL;
        hash.temp_pool = ha.temp_pool;

        if (ngx_hash_wildcard_init(&hash, ha.dns_wc_tail.elts,
                                   ha.dns_wc_tail.nelts)
            != NGX_OK)
        {
            goto failed;
        }

        dmcf->names->wc_tail = (ngx_hash_wildcard_t *) hash.hash;
    }

    ngx_destroy_pool(ha.temp_pool);

    return NGX_OK;

failed:

    ngx_destroy_pool(ha.temp_pool);

    return NGX_ERROR;
}


static int ngx_libc_cdecl
ngx_http_mta_sts_dns_cmp_wildcards(const void *one, const void *two)
{
    ngx_hash_key_t  *first, *second;

    first = (ngx_hash_key_t *) one;
    second = (ngx_hash_key_t *) two;

    return ngx_dns_strcmp(first->key.data, second->key.data);
}


/* the first worker checks, 2 to 5 seconds after a start or a reload */

static ngx_int_t
ngx_http_mta_sts_dns_init_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                         i;
    ngx_http_mta_sts_dns_domain_t     *d;
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    if ((ngx_process != NGX_PROCESS_WORKER
         && ngx_process != NGX_PROCESS_SINGLE)
        || ngx_worker != 0)
    {
        return NGX_OK;
    }

    dmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_mta_sts_dns_module);

    if (dmcf == NULL || dmcf->domains.nelts == 0) {
        return NGX_OK;
    }

    dmcf->queries = ngx_pcalloc(cycle->pool,
                                NGX_HTTP_MTA_STS_DNS_INFLIGHT
                                * sizeof(ngx_http_mta_sts_dns_query_t));
    if (dmcf->queries == NULL) {
        return NGX_ERROR;
    }

    dmcf->log = cycle->log;

    d = dmcf->domains.elts;

    for (i = 0; i < dmcf->domains.nelts; i++) {
        d[i].status = ngx_http_mta_sts_status_dns_domain(cycle,
                                                         &d[i].result.domain);
    }

    dmcf->round.handler = ngx_http_mta_sts_dns_round;
    dmcf->round.data = dmcf;
    dmcf->round.log = cycle->log;
    dmcf->round.cancelable = 1;

    dmcf->recheck.handler = ngx_http_mta_sts_dns_recheck;
    dmcf->recheck.data = dmcf;
    dmcf->recheck.log = cycle->log;
    dmcf->recheck.cancelable = 1;

    dmcf->dispatch.handler = ngx_http_mta_sts_dns_dispatch;
    dmcf->dispatch.data = dmcf;
    dmcf->dispatch.log = cycle->log;

    ngx_add_timer(&dmcf->round, 2000 + ngx_random() % 3000);

    return NGX_OK;
}


/* every query in flight closed, so that the worker exits without alerts */

static void
ngx_http_mta_sts_dns_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                         i;
    ngx_http_mta_sts_dns_main_conf_t  *dmcf;

    dmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_mta_sts_dns_module);

    if (dmcf == NULL || dmcf->queries == NULL) {
        return;
    }

    if (dmcf->dispatch.posted) {
        ngx_delete_posted_event(&dmcf->dispatch);
    }

    if (dmcf->round.timer_set) {
        ngx_del_timer(&dmcf->round);
    }

    if (dmcf->recheck.timer_set) {
        ngx_del_timer(&dmcf->recheck);
    }

    for (i = 0; i < NGX_HTTP_MTA_STS_DNS_INFLIGHT; i++) {
        ngx_http_mta_sts_dns_close(&dmcf->queries[i]);
    }
}
