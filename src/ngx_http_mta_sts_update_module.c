
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_http_mta_sts_policy.h>
#include <ngx_http_mta_sts_ids.h>
#include <ngx_http_mta_sts_dns.h>
#include <ngx_http_mta_sts_update.h>
#include <ngx_http_mta_sts_update_module.h>
#include <ngx_http_mta_sts_status.h>
#include <ngx_http_mta_sts_status_module.h>

#include <openssl/rand.h>


/*
 * "mta_sts_dns_update": when the DNS check of the first worker finds that
 * _mta-sts.<domain> TXT does not carry the id served, that worker
 * publishes it by DNS UPDATE (RFC 2136) signed with TSIG (RFC 8945), over
 * TCP to the server named: the zone (given, or the owner of the SOA that
 * server answers for the name), the TXT set read from that server, an
 * UPDATE whose prerequisite is exactly that set, then the set read again
 * to confirm.  The key file is read by the master at configuration time.
 * The message and TSIG are ngx_http_mta_sts_update.c.
 */


#define NGX_HTTP_MTA_STS_UPDATE_BUF       4096
#define NGX_HTTP_MTA_STS_UPDATE_TCP_MAX   (65535 + 2)
#define NGX_HTTP_MTA_STS_UPDATE_FILE_MAX  65536
#define NGX_HTTP_MTA_STS_UPDATE_TTL       3600

/* retries of a transient failure: 5 s doubling to an hour */
#define NGX_HTTP_MTA_STS_UPDATE_BACKOFF   5000
#define NGX_HTTP_MTA_STS_UPDATE_BACKOFF_MAX  (3600 * 1000)
#define NGX_HTTP_MTA_STS_UPDATE_RACES     3

/* the status of a record found right, with no update of this worker */
#define NGX_HTTP_MTA_STS_UPDATE_SEEN                                         \
    "the DNS check found the id served published"

/* jobs at once: a reload that changes every id does not open 10,000 */
#define NGX_HTTP_MTA_STS_UPDATE_INFLIGHT  8

/* the steps of a job */
#define NGX_HTTP_MTA_STS_UPDATE_ZONE      0   /* SOA: which zone */
#define NGX_HTTP_MTA_STS_UPDATE_READ      1   /* TXT: the set as it is */
#define NGX_HTTP_MTA_STS_UPDATE_SEND      2   /* the UPDATE */
#define NGX_HTTP_MTA_STS_UPDATE_CONFIRM   3   /* TXT: the set after */

/* how a job ends */
#define NGX_HTTP_MTA_STS_UPDATE_DONE      0
#define NGX_HTTP_MTA_STS_UPDATE_RETRY     1   /* transient: backoff */
#define NGX_HTTP_MTA_STS_UPDATE_STOP      2   /* configuration: reload */


typedef struct {
    ngx_addr_t                       addr;
    ngx_str_t                        file;
    ngx_str_t                        zone;
    ngx_uint_t                       ttl;        /* 0: the set's, or 3600 */
    ngx_http_mta_sts_update_key_t    key;
} ngx_http_mta_sts_update_conf_t;


typedef struct ngx_http_mta_sts_update_job_s  ngx_http_mta_sts_update_job_t;

typedef struct {
    ngx_str_t                        domain;
    ngx_str_t                        id;         /* the id served */
    ngx_str_t                        name;       /* _mta-sts.<domain> */
    ngx_http_mta_sts_update_conf_t  *conf;
    ngx_msec_t                       timeout;

    /* the first worker's */
    ngx_http_mta_sts_update_job_t   *job;
    ngx_event_t                      retry;
    ngx_msec_t                       backoff;
    uint32_t                         logged;     /* the last failure's */
    ngx_uint_t                       state;      /* in the status zone */
    unsigned                         stopped:1;  /* until a reload */
    unsigned                         pending:1;  /* waits for a job */
} ngx_http_mta_sts_update_domain_t;


struct ngx_http_mta_sts_update_job_s {
    ngx_http_mta_sts_update_domain_t  *domain;
    ngx_uint_t                       step;
    ngx_uint_t                       races;
    ngx_connection_t                *connection;

    u_char                           zone_buf[NGX_HTTP_MTA_STS_DNS_NAME_LEN];
    ngx_str_t                        zone;
    uint32_t                         ttl;

    /* the set as read: the prerequisite */
    ngx_uint_t                       ntxt;
    ngx_str_t                        txt[NGX_HTTP_MTA_STS_UPDATE_TXT_MAX];
    u_char                           txt_buf[NGX_HTTP_MTA_STS_UPDATE_TXT_MAX
                                       * NGX_HTTP_MTA_STS_UPDATE_RDATA_MAX];

    uint16_t                         msgid;
    u_char                           mac[NGX_HTTP_MTA_STS_UPDATE_MAC_MAX];
    size_t                           mac_len;

    /* the message out, its length first; the answer in, the same */
    size_t                           out_len;
    size_t                           sent;
    u_char                           out[NGX_HTTP_MTA_STS_UPDATE_BUF + 2];
    size_t                           in_len;
    u_char                           in[NGX_HTTP_MTA_STS_UPDATE_TCP_MAX];
};


typedef struct {
    ngx_array_t                      domains;
    ngx_hash_t                       hash;       /* domain -> its index+1 */

    /* the first worker's */
    ngx_uint_t                       busy;       /* jobs in flight */
    ngx_uint_t                       pending;    /* domains waiting */
    ngx_event_t                      next;       /* starts those */
} ngx_http_mta_sts_update_main_conf_t;


typedef struct {
    ngx_http_mta_sts_update_conf_t  *update;     /* NULL: off */
} ngx_http_mta_sts_update_srv_conf_t;


static void ngx_http_mta_sts_update_start(
    ngx_http_mta_sts_update_domain_t *d);
static void ngx_http_mta_sts_update_retry_handler(ngx_event_t *ev);
static void ngx_http_mta_sts_update_next(ngx_event_t *ev);
static void ngx_http_mta_sts_update_step(ngx_http_mta_sts_update_job_t *job);
static ngx_int_t ngx_http_mta_sts_update_connect(
    ngx_http_mta_sts_update_job_t *job);
static void ngx_http_mta_sts_update_write(ngx_event_t *wev);
static void ngx_http_mta_sts_update_read(ngx_event_t *rev);
static void ngx_http_mta_sts_update_dummy(ngx_event_t *ev);
static void ngx_http_mta_sts_update_answer(ngx_http_mta_sts_update_job_t *job,
    u_char *packet, size_t len);
static void ngx_http_mta_sts_update_sent(ngx_http_mta_sts_update_job_t *job,
    ngx_http_mta_sts_update_resp_t *r, u_char *packet, size_t len);
static void ngx_http_mta_sts_update_close(ngx_http_mta_sts_update_job_t *job);
static void ngx_http_mta_sts_update_status(ngx_http_mta_sts_update_domain_t *d,
    ngx_uint_t state, time_t next, u_char *why, size_t len);
static void ngx_cdecl ngx_http_mta_sts_update_end(
    ngx_http_mta_sts_update_job_t *job, ngx_uint_t how, const char *fmt,
    ...);

static char *ngx_http_mta_sts_update_directive(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static void ngx_http_mta_sts_update_wipe(void *data);
static void *ngx_http_mta_sts_update_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_mta_sts_update_create_srv_conf(ngx_conf_t *cf);
static char *ngx_http_mta_sts_update_merge_srv_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_http_mta_sts_update_init(ngx_conf_t *cf);
static void ngx_http_mta_sts_update_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_http_mta_sts_update_commands[] = {

    { ngx_string("mta_sts_dns_update"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_1MORE,
      ngx_http_mta_sts_update_directive,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_mta_sts_update_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_mta_sts_update_init,          /* postconfiguration */

    ngx_http_mta_sts_update_create_main_conf, /* create main configuration */
    NULL,                                  /* init main configuration */

    ngx_http_mta_sts_update_create_srv_conf, /* create server configuration */
    ngx_http_mta_sts_update_merge_srv_conf, /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_mta_sts_update_module = {
    NGX_MODULE_V1,
    &ngx_http_mta_sts_update_module_ctx,   /* module context */
    ngx_http_mta_sts_update_commands,      /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_mta_sts_update_exit_process,  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


void
ngx_http_mta_sts_update_txt(ngx_str_t *domain, ngx_int_t status,
    ngx_http_mta_sts_dns_answer_t *answer)
{
    uintptr_t                             n;
    ngx_http_mta_sts_dns_txt_t            txt;
    ngx_http_mta_sts_update_domain_t     *d;
    ngx_http_mta_sts_update_main_conf_t  *umcf;

    umcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_mta_sts_update_module);

    if (umcf == NULL || umcf->domains.nelts == 0
        || ngx_exiting || ngx_terminate)
    {
        return;
    }

    n = (uintptr_t) ngx_hash_find(&umcf->hash,
                                  ngx_hash_key(domain->data, domain->len),
                                  domain->data, domain->len);
    if (n == 0) {
        return;
    }

    d = (ngx_http_mta_sts_update_domain_t *) umcf->domains.elts + n - 1;

    switch (status) {

    case NGX_HTTP_MTA_STS_DNS_NODATA:
    case NGX_HTTP_MTA_STS_DNS_NXDOMAIN:
        break;

    case NGX_HTTP_MTA_STS_DNS_OK:
        ngx_http_mta_sts_dns_sts(answer, &txt);

        if (txt.status == NGX_HTTP_MTA_STS_DNS_TXT_VALID
            && txt.id.len == d->id.len
            && ngx_strncmp(txt.id.data, d->id.data, d->id.len) == 0)
        {
            if (d->job == NULL
                && d->state != NGX_HTTP_MTA_STS_STATUS_UPDATE_PUBLISHED)
            {
                ngx_http_mta_sts_update_status(d,
                                    NGX_HTTP_MTA_STS_STATUS_UPDATE_PUBLISHED,
                                    0, (u_char *) NGX_HTTP_MTA_STS_UPDATE_SEEN,
                                    sizeof(NGX_HTTP_MTA_STS_UPDATE_SEEN) - 1);
            }

            return;
        }

        break;

    default:
        /* could not check: nothing is known */
        return;
    }

    if (d->job || d->stopped || d->pending || d->retry.timer_set) {
        return;
    }

    ngx_http_mta_sts_update_start(d);
}


static void
ngx_http_mta_sts_update_start(ngx_http_mta_sts_update_domain_t *d)
{
    ngx_http_mta_sts_update_job_t        *job;
    ngx_http_mta_sts_update_main_conf_t  *umcf;

    umcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_mta_sts_update_module);

    /* a retry in flight still says why it is one */

    ngx_http_mta_sts_update_status(d, NGX_HTTP_MTA_STS_STATUS_UPDATE_PENDING,
                                   0,
                                   d->state
                                   == NGX_HTTP_MTA_STS_STATUS_UPDATE_PENDING
                                   ? NULL : (u_char *) "", 0);

    if (umcf->busy >= NGX_HTTP_MTA_STS_UPDATE_INFLIGHT) {
        if (!d->pending) {
            d->pending = 1;
            umcf->pending++;
        }

        return;
    }

    job = ngx_calloc(sizeof(ngx_http_mta_sts_update_job_t), ngx_cycle->log);
    if (job == NULL) {
        return;
    }

    job->domain = d;
    d->job = job;
    umcf->busy++;

    if (d->conf->zone.len) {
        job->zone = d->conf->zone;
        job->step = NGX_HTTP_MTA_STS_UPDATE_READ;

    } else {
        job->step = NGX_HTTP_MTA_STS_UPDATE_ZONE;
    }

    ngx_http_mta_sts_update_step(job);
}


/* the domains that waited for a job, from the event loop */

static void
ngx_http_mta_sts_update_next(ngx_event_t *ev)
{
    ngx_uint_t                            i;
    ngx_http_mta_sts_update_domain_t     *d;
    ngx_http_mta_sts_update_main_conf_t  *umcf;

    umcf = ev->data;

    if (ngx_exiting || ngx_terminate) {
        return;
    }

    d = umcf->domains.elts;

    for (i = 0; i < umcf->domains.nelts && umcf->pending; i++) {

        if (umcf->busy >= NGX_HTTP_MTA_STS_UPDATE_INFLIGHT) {
            return;
        }

        if (!d[i].pending) {
            continue;
        }

        d[i].pending = 0;
        umcf->pending--;

        ngx_http_mta_sts_update_start(&d[i]);
    }
}


static void
ngx_http_mta_sts_update_retry_handler(ngx_event_t *ev)
{
    ngx_http_mta_sts_update_domain_t  *d;

    d = ev->data;

    if (ngx_exiting || ngx_terminate || d->job) {
        return;
    }

    ngx_http_mta_sts_update_start(d);
}


/* the message of the job's step, then a connection to send it */

static void
ngx_http_mta_sts_update_step(ngx_http_mta_sts_update_job_t *job)
{
    size_t                             n;
    ngx_uint_t                         type;
    ngx_http_mta_sts_update_msg_t      msg;
    ngx_http_mta_sts_update_domain_t  *d;

    d = job->domain;

    if (RAND_bytes((u_char *) &job->msgid, sizeof(job->msgid)) != 1) {
        job->msgid = (uint16_t) ngx_random();
    }

    if (job->step == NGX_HTTP_MTA_STS_UPDATE_SEND) {
        ngx_memzero(&msg, sizeof(msg));

        msg.zone = job->zone;
        msg.name = d->name;
        msg.id = d->id;
        msg.ttl = job->ttl;
        msg.msgid = job->msgid;
        msg.ntxt = job->ntxt;
        ngx_memcpy(msg.txt, job->txt, sizeof(job->txt));

        n = ngx_http_mta_sts_update_build(job->out + 2,
                                          NGX_HTTP_MTA_STS_UPDATE_BUF, &msg);
        if (n) {
            n = ngx_http_mta_sts_update_sign(job->out + 2, n,
                                             NGX_HTTP_MTA_STS_UPDATE_BUF,
                                             &d->conf->key,
                                             (uint64_t) ngx_time(), job->mac,
                                             &job->mac_len);
        }

        if (n == 0) {
            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                        "the UPDATE for zone \"%V\" could "
                                        "not be made", &job->zone);
            return;
        }

    } else {
        type = (job->step == NGX_HTTP_MTA_STS_UPDATE_ZONE)
               ? NGX_HTTP_MTA_STS_UPDATE_SOA : NGX_HTTP_MTA_STS_DNS_TXT;

        n = ngx_http_mta_sts_dns_query(job->out + 2, &d->name, type,
                                       job->msgid, 0);
        if (n == 0) {
            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                        "the name cannot be asked for");
            return;
        }
    }

    job->out[0] = (u_char) (n >> 8);
    job->out[1] = (u_char) n;
    job->out_len = n + 2;
    job->sent = 0;
    job->in_len = 0;

    if (ngx_http_mta_sts_update_connect(job) != NGX_OK) {
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                    "no TCP connection");
    }
}


static ngx_int_t
ngx_http_mta_sts_update_connect(ngx_http_mta_sts_update_job_t *job)
{
    ngx_int_t                        rc;
    ngx_connection_t                *c;
    ngx_peer_connection_t            peer;
    ngx_http_mta_sts_update_conf_t  *conf;

    conf = job->domain->conf;

    ngx_memzero(&peer, sizeof(ngx_peer_connection_t));

    peer.sockaddr = conf->addr.sockaddr;
    peer.socklen = conf->addr.socklen;
    peer.name = &conf->addr.name;
    peer.get = ngx_event_get_peer;
    peer.log = ngx_cycle->log;
    peer.log_error = NGX_ERROR_ERR;
    peer.type = SOCK_STREAM;
    peer.tries = 1;

    rc = ngx_event_connect_peer(&peer);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        if (peer.connection) {
            ngx_close_connection(peer.connection);
        }

        return NGX_ERROR;
    }

    c = peer.connection;
    c->data = job;
    c->read->handler = ngx_http_mta_sts_update_read;
    c->write->handler = ngx_http_mta_sts_update_write;
    c->read->cancelable = 1;
    c->write->cancelable = 1;

    job->connection = c;

    ngx_add_timer(c->write, job->domain->timeout);

    if (rc == NGX_OK) {
        ngx_http_mta_sts_update_write(c->write);
    }

    return NGX_OK;
}


static void
ngx_http_mta_sts_update_write(ngx_event_t *wev)
{
    ssize_t                         n;
    ngx_connection_t               *c;
    ngx_http_mta_sts_update_job_t  *job;

    c = wev->data;
    job = c->data;

    if (wev->timedout) {
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                    "timed out connecting");
        return;
    }

    while (job->sent < job->out_len) {
        n = c->send(c, job->out + job->sent, job->out_len - job->sent);

        if (n == NGX_AGAIN) {
            if (ngx_handle_write_event(wev, 0) != NGX_OK) {
                ngx_http_mta_sts_update_end(job,
                                            NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                            "the TCP socket failed");
            }

            return;
        }

        if (n == NGX_ERROR) {
            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                        "the connection failed");
            return;
        }

        job->sent += n;
    }

    wev->handler = ngx_http_mta_sts_update_dummy;

    if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    if (!c->read->timer_set) {
        ngx_add_timer(c->read, job->domain->timeout);
    }

    if (c->read->ready) {
        ngx_http_mta_sts_update_read(c->read);
    }
}


static void
ngx_http_mta_sts_update_read(ngx_event_t *rev)
{
    size_t                          want;
    ssize_t                         n;
    ngx_connection_t               *c;
    ngx_http_mta_sts_update_job_t  *job;

    c = rev->data;
    job = c->data;

    if (rev->timedout) {
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                    "no answer in time");
        return;
    }

    for ( ;; ) {
        want = (job->in_len < 2)
               ? 2 : (size_t) ((job->in[0] << 8) | job->in[1]) + 2;

        if (job->in_len == want && want > 2) {
            ngx_http_mta_sts_update_close(job);
            ngx_http_mta_sts_update_answer(job, job->in + 2, want - 2);
            return;
        }

        if (job->in_len == 2 && want == 2) {
            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                        "an empty answer");
            return;
        }

        n = c->recv(c, job->in + job->in_len, want - job->in_len);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR || n == 0) {
            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                        "the connection closed early");
            return;
        }

        job->in_len += n;
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                    "the TCP socket failed");
    }
}


static void
ngx_http_mta_sts_update_dummy(ngx_event_t *ev)
{
}


static void
ngx_http_mta_sts_update_answer(ngx_http_mta_sts_update_job_t *job,
    u_char *packet, size_t len)
{
    u_char                            *p;
    ngx_int_t                          rc;
    ngx_uint_t                         i;
    ngx_http_mta_sts_update_resp_t     r;
    ngx_http_mta_sts_update_domain_t  *d;

    d = job->domain;

    ngx_memzero(&r, sizeof(r));

    r.id = job->msgid;

    if (job->step == NGX_HTTP_MTA_STS_UPDATE_SEND) {
        r.opcode = NGX_HTTP_MTA_STS_UPDATE_OPCODE;

    } else {
        r.name = d->name;
        r.type = (job->step == NGX_HTTP_MTA_STS_UPDATE_ZONE)
                 ? NGX_HTTP_MTA_STS_UPDATE_SOA : NGX_HTTP_MTA_STS_DNS_TXT;
    }

    rc = ngx_http_mta_sts_update_parse(&r, packet, len);

    if (rc == NGX_DECLINED) {
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                    "an answer to another message");
        return;
    }

    if (rc == NGX_ERROR) {
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                    "a malformed answer: %s", r.error);
        return;
    }

    if (job->step == NGX_HTTP_MTA_STS_UPDATE_SEND) {
        ngx_http_mta_sts_update_sent(job, &r, packet, len);
        return;
    }

    if (r.rcode != 0 && r.rcode != 3) {
        ngx_http_mta_sts_update_end(job,
                                    r.rcode == 2
                                    ? NGX_HTTP_MTA_STS_UPDATE_RETRY
                                    : NGX_HTTP_MTA_STS_UPDATE_STOP,
                                    "%s asking for %s",
                                    ngx_http_mta_sts_update_rcode_text(
                                                                   r.rcode),
                                    r.type == NGX_HTTP_MTA_STS_DNS_TXT
                                    ? "TXT" : "SOA");
        return;
    }

    switch (job->step) {

    case NGX_HTTP_MTA_STS_UPDATE_ZONE:

        if (r.soa_len == 0 || r.cname) {
            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                        "the server named no zone for it "
                                        "(no SOA in its answer); set "
                                        "\"zone=\"");
            return;
        }

        p = ngx_cpymem(job->zone_buf, r.soa, r.soa_len);
        job->zone.data = job->zone_buf;
        job->zone.len = p - job->zone_buf;

        job->step = NGX_HTTP_MTA_STS_UPDATE_READ;
        ngx_http_mta_sts_update_step(job);
        return;

    case NGX_HTTP_MTA_STS_UPDATE_READ:

        if (r.cname) {
            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                        "it is a CNAME (a delegated "
                                        "policy, RFC 8461, section 8.2): "
                                        "a TXT record cannot stand beside "
                                        "it (RFC 2136, section 3.4.2.2); "
                                        "not updated, publish the id where "
                                        "the CNAME points");
            return;
        }

        if (r.txt_over) {
            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                        "more than 8 TXT records, or one "
                                        "longer than 512 bytes: not "
                                        "updated");
            return;
        }

        if (ngx_http_mta_sts_update_published(&r, &d->id)) {
            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_DONE,
                                        "already published at %V, no "
                                        "update sent", &d->conf->addr.name);
            return;
        }

        p = job->txt_buf;
        job->ntxt = r.ntxt;

        for (i = 0; i < r.ntxt; i++) {
            job->txt[i].data = p;
            job->txt[i].len = r.txt[i].len;
            p = ngx_cpymem(p, r.txt[i].data, r.txt[i].len);
        }

        job->ttl = d->conf->ttl ? d->conf->ttl
                   : (r.ntxt ? r.txt_ttl : NGX_HTTP_MTA_STS_UPDATE_TTL);

        job->step = NGX_HTTP_MTA_STS_UPDATE_SEND;
        ngx_http_mta_sts_update_step(job);
        return;

    default: /* CONFIRM */

        if (ngx_http_mta_sts_update_published(&r, &d->id)) {
            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_DONE,
                                        "published at %V, zone \"%V\", "
                                        "TTL %uD", &d->conf->addr.name,
                                        &job->zone, job->ttl);
            return;
        }

        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                    "the server answered NOERROR but the "
                                    "record did not change%s: nothing was "
                                    "published",
                                    r.cname ? " (a CNAME is there)"
                                    : " (a limit of the server's update "
                                      "policy?)");
        return;
    }
}


/* what the server said to the UPDATE (RFC 2136, section 2.2; RFC 8945) */

static void
ngx_http_mta_sts_update_sent(ngx_http_mta_sts_update_job_t *job,
    ngx_http_mta_sts_update_resp_t *r, u_char *packet, size_t len)
{
    time_t                             now;
    int64_t                            skew;
    uint64_t                           server;
    ngx_uint_t                         v;
    const char                        *rcode, *tsig;
    ngx_http_mta_sts_update_domain_t  *d;

    d = job->domain;
    now = ngx_time();
    rcode = ngx_http_mta_sts_update_rcode_text(r->rcode);

    if (r->tsig && r->tsig_error) {
        tsig = ngx_http_mta_sts_update_rcode_text(r->tsig_error);

        if (r->tsig_error == NGX_HTTP_MTA_STS_UPDATE_BADTIME) {
            server = r->time_signed;

            if (r->other_len == 6) {
                server = ((uint64_t) r->other[0] << 40)
                         | ((uint64_t) r->other[1] << 32)
                         | ((uint64_t) r->other[2] << 24)
                         | ((uint64_t) r->other[3] << 16)
                         | ((uint64_t) r->other[4] << 8) | r->other[5];
            }

            skew = (int64_t) server - (int64_t) now;

            ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                        "%s, TSIG BADTIME: the server's "
                                        "clock is %L s %s this host's, "
                                        "more than the %uD s allowed (RFC "
                                        "8945, section 5.2.3); fix the "
                                        "clocks (NTP)", rcode,
                                        skew < 0 ? -skew : skew,
                                        skew < 0 ? "behind" : "ahead of",
                                        (uint32_t) r->fudge);
            return;
        }

        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                    "%s, TSIG %s: the server %s key "
                                    "\"%s\" of \"%V\" (RFC 8945, section "
                                    "5.2)", rcode, tsig,
                                    r->tsig_error
                                    == NGX_HTTP_MTA_STS_UPDATE_BADKEY
                                    ? "does not know" : "has another secret "
                                                        "for",
                                    d->conf->key.text, &d->conf->file);
        return;
    }

    v = ngx_http_mta_sts_update_verify(r, packet, len, &d->conf->key,
                                       job->mac, job->mac_len,
                                       (uint64_t) now);

    if (v != NGX_HTTP_MTA_STS_UPDATE_SIGNED && r->rcode == 0) {
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                    "NOERROR, but the answer is %s: not "
                                    "believed",
                                    v == NGX_HTTP_MTA_STS_UPDATE_UNSIGNED
                                    ? "unsigned"
                                    : v == NGX_HTTP_MTA_STS_UPDATE_STALE
                                    ? "signed outside the fudge"
                                    : "signed with a MAC that does not "
                                      "verify");
        return;
    }

    tsig = (v == NGX_HTTP_MTA_STS_UPDATE_SIGNED) ? "signed" : "unsigned";

    switch (r->rcode) {

    case 0:
        job->step = NGX_HTTP_MTA_STS_UPDATE_CONFIRM;
        ngx_http_mta_sts_update_step(job);
        return;

    case 7:     /* YXRRSET */
    case 8:     /* NXRRSET */

        /* the set changed since it was read: read it again (section 5.7) */

        if (++job->races <= NGX_HTTP_MTA_STS_UPDATE_RACES) {
            ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                          "MTA-STS DNS update of _mta-sts.%V: %s (%s): "
                          "the TXT set changed since it was read, reading "
                          "it again", &d->domain, rcode, tsig);

            job->step = NGX_HTTP_MTA_STS_UPDATE_READ;
            ngx_http_mta_sts_update_step(job);
            return;
        }

        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                    "%s (%s): the prerequisite failed %ui "
                                    "times in a row", rcode, tsig,
                                    job->races);
        return;

    case 2:     /* SERVFAIL */
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_RETRY,
                                    "%s (%s)", rcode, tsig);
        return;

    case 4:     /* NOTIMP */
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                    "%s (%s): the server does not take "
                                    "dynamic updates", rcode, tsig);
        return;

    case 5:     /* REFUSED */
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                    "%s (%s): the server's policy does not "
                                    "let key \"%s\" change _mta-sts.%V TXT "
                                    "in zone \"%V\"", rcode, tsig,
                                    d->conf->key.text, &d->domain,
                                    &job->zone);
        return;

    case 9:     /* NOTAUTH */
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                    "%s (%s): the server is not the "
                                    "primary of zone \"%V\", or its "
                                    "policy refused key \"%s\"", rcode, tsig,
                                    &job->zone, d->conf->key.text);
        return;

    default:
        ngx_http_mta_sts_update_end(job, NGX_HTTP_MTA_STS_UPDATE_STOP,
                                    "%s (%s)", rcode, tsig);
        return;
    }
}


static void
ngx_http_mta_sts_update_close(ngx_http_mta_sts_update_job_t *job)
{
    if (job->connection) {
        ngx_close_connection(job->connection);
        job->connection = NULL;
    }
}


/*
 * The end of a job, said once: the same failure again is not logged
 * again.  A transient failure is tried again after 5 s doubling to an
 * hour, a configuration error only after a reload.
 */

static void ngx_cdecl
ngx_http_mta_sts_update_end(ngx_http_mta_sts_update_job_t *job,
    ngx_uint_t how, const char *fmt, ...)
{
    u_char                               *last;
    u_char                                msg[NGX_MAX_ERROR_STR];
    va_list                               args;
    uint32_t                              crc;
    ngx_msec_t                            delay;
    ngx_http_mta_sts_update_domain_t     *d;
    ngx_http_mta_sts_update_main_conf_t  *umcf;

    d = job->domain;
    umcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_mta_sts_update_module);

    va_start(args, fmt);
    last = ngx_vslprintf(msg, msg + sizeof(msg), fmt, args);
    va_end(args);

    ngx_http_mta_sts_update_close(job);

    d->job = NULL;
    ngx_free(job);
    umcf->busy--;

    if (umcf->pending && !umcf->next.posted) {
        umcf->next.handler = ngx_http_mta_sts_update_next;
        umcf->next.data = umcf;
        umcf->next.log = ngx_cycle->log;
        ngx_post_event(&umcf->next, &ngx_posted_events);
    }

    if (how == NGX_HTTP_MTA_STS_UPDATE_DONE) {
        d->backoff = 0;
        d->logged = 0;

        ngx_http_mta_sts_update_status(d,
                                    NGX_HTTP_MTA_STS_STATUS_UPDATE_PUBLISHED,
                                    0, msg, last - msg);

        ngx_log_error(NGX_LOG_NOTICE, ngx_cycle->log, 0,
                      "MTA-STS DNS update of _mta-sts.%V: TXT "
                      "\"v=STSv1; id=%V\" %*s",
                      &d->domain, &d->id, last - msg, msg);
        return;
    }

    crc = ngx_crc32_short(msg, last - msg);

    if (crc != d->logged) {
        d->logged = crc;

        ngx_log_error(NGX_LOG_ERR, ngx_cycle->log, 0,
                      "MTA-STS DNS update of _mta-sts.%V at %V failed: "
                      "%*s; %s",
                      &d->domain, &d->conf->addr.name, last - msg, msg,
                      how == NGX_HTTP_MTA_STS_UPDATE_STOP
                      ? "not tried again until a reload"
                      : "tried again later");
    }

    if (how == NGX_HTTP_MTA_STS_UPDATE_STOP) {
        d->stopped = 1;
        ngx_http_mta_sts_update_status(d,
                                       NGX_HTTP_MTA_STS_STATUS_UPDATE_FAILED,
                                       0, msg, last - msg);
        return;
    }

    d->backoff = d->backoff ? ngx_min(d->backoff * 2,
                                      NGX_HTTP_MTA_STS_UPDATE_BACKOFF_MAX)
                            : NGX_HTTP_MTA_STS_UPDATE_BACKOFF;

    delay = d->backoff + ngx_random() % (d->backoff / 4 + 1);

    d->retry.handler = ngx_http_mta_sts_update_retry_handler;
    d->retry.data = d;
    d->retry.log = ngx_cycle->log;
    d->retry.cancelable = 1;

    ngx_add_timer(&d->retry, delay);

    ngx_http_mta_sts_update_status(d, NGX_HTTP_MTA_STS_STATUS_UPDATE_PENDING,
                                   ngx_time() + (time_t) (delay + 999) / 1000,
                                   msg, last - msg);
}


/* the state the status page shows (ngx_http_mta_sts_status_module.c) */

static void
ngx_http_mta_sts_update_status(ngx_http_mta_sts_update_domain_t *d,
    ngx_uint_t state, time_t next, u_char *why, size_t len)
{
    d->state = state;

    ngx_http_mta_sts_status_update((ngx_cycle_t *) ngx_cycle, &d->domain,
                                   state, next, why, len);
}


ngx_uint_t
ngx_http_mta_sts_update_server_on(ngx_http_core_srv_conf_t *cscf)
{
    ngx_http_mta_sts_update_srv_conf_t  *uscf;

    uscf = cscf->ctx->srv_conf[ngx_http_mta_sts_update_module.ctx_index];

    return uscf->update != NULL;
}


/*
 * mta_sts_dns_update ADDRESS[:PORT] key=FILE [zone=NAME] [ttl=N] | off
 *
 * The key file is read here, by the master, as ssl_session_ticket_key
 * is: never inline, where nginx -T would print it.
 */

static char *
ngx_http_mta_sts_update_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_mta_sts_update_srv_conf_t  *uscf = conf;

    u_char                          *buf;
    size_t                           size;
    ssize_t                          n;
    ngx_fd_t                         fd;
    ngx_int_t                        ttl;
    ngx_str_t                       *value, s;
    ngx_uint_t                       i;
    ngx_file_t                       file;
    ngx_file_info_t                  fi;
    const char                      *err;
    ngx_pool_cleanup_t              *cln;
    ngx_http_mta_sts_update_conf_t  *ucf;

    if (uscf->update != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2
        && ngx_strcmp(value[1].data, "off") == 0)
    {
        uscf->update = NULL;
        return NGX_CONF_OK;
    }

    ucf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_update_conf_t));
    if (ucf == NULL) {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_mta_sts_update_wipe;
    cln->data = ucf;

    /* the address: an IP address, the port 53 unless given */

    if (ngx_parse_addr_port(cf->pool, &ucf->addr, value[1].data,
                            value[1].len)
        != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid address \"%V\": expected an IP address "
                           "and an optional port, such as 192.0.2.53 or "
                           "[2001:db8::53]:5353", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (ngx_inet_get_port(ucf->addr.sockaddr) == 0) {
        ngx_inet_set_port(ucf->addr.sockaddr, 53);
    }

    ucf->addr.name.data = ngx_pnalloc(cf->pool, NGX_SOCKADDR_STRLEN);
    if (ucf->addr.name.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ucf->addr.name.len = ngx_sock_ntop(ucf->addr.sockaddr,
                                       ucf->addr.socklen,
                                       ucf->addr.name.data,
                                       NGX_SOCKADDR_STRLEN, 1);

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "key=", 4) == 0 && value[i].len > 4) {
            ucf->file.data = value[i].data + 4;
            ucf->file.len = value[i].len - 4;
            continue;
        }

        if (ngx_strncmp(value[i].data, "zone=", 5) == 0 && value[i].len > 5) {
            s.data = value[i].data + 5;
            s.len = value[i].len - 5;

            if (s.len > 1 && s.data[s.len - 1] == '.') {
                s.len--;
            }

            if (s.len > 253) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid zone \"%V\"", &value[i]);
                return NGX_CONF_ERROR;
            }

            ucf->zone = s;
            continue;
        }

        if (ngx_strncmp(value[i].data, "ttl=", 4) == 0) {
            ttl = ngx_atoi(value[i].data + 4, value[i].len - 4);

            if (ttl <= 0 || ttl > 2147483647) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid ttl \"%V\": expected seconds, "
                                   "1 or more", &value[i]);
                return NGX_CONF_ERROR;
            }

            ucf->ttl = ttl;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (ucf->file.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "no \"key=\" is given: the TSIG key file, as "
                           "tsig-keygen prints it");
        return NGX_CONF_ERROR;
    }

    if (ngx_conf_full_name(cf->cycle, &ucf->file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* the key file */

    fd = ngx_open_file(ucf->file.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%s\" failed", ucf->file.data);
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.fd = fd;
    file.name = ucf->file;
    file.log = cf->log;

    buf = NULL;
    size = 0;
    err = NULL;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%s\" failed", ucf->file.data);
        goto failed;
    }

    size = ngx_file_size(&fi);

    if (size > NGX_HTTP_MTA_STS_UPDATE_FILE_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "key file \"%s\" is larger than 64 KB",
                           ucf->file.data);
        goto failed;
    }

    buf = ngx_alloc(size ? size : 1, cf->log);
    if (buf == NULL) {
        goto failed;
    }

    n = ngx_read_file(&file, buf, size, 0);

    if (n == NGX_ERROR) {
        goto failed;
    }

    if ((size_t) n != size) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           ngx_read_file_n " \"%s\" returned only "
                           "%z bytes instead of %uz", ucf->file.data, n,
                           size);
        goto failed;
    }

    err = ngx_http_mta_sts_update_key(buf, size, &ucf->key);

    if (err) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid key file \"%s\": %s", ucf->file.data,
                           err);
        goto failed;
    }

    ngx_explicit_memzero(buf, size);
    ngx_free(buf);

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno,
                      ngx_close_file_n " \"%s\" failed", ucf->file.data);
    }

    if (ucf->key.alg == NGX_HTTP_MTA_STS_UPDATE_SHA1) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "key \"%s\" of \"%s\" is hmac-sha1: RFC 8945, "
                           "section 6 recommends hmac-sha256; make a new "
                           "key with \"tsig-keygen -a hmac-sha256\"",
                           ucf->key.text, ucf->file.data);
    }

    uscf->update = ucf;

    return NGX_CONF_OK;

failed:

    if (buf) {
        ngx_explicit_memzero(buf, size);
        ngx_free(buf);
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno,
                      ngx_close_file_n " \"%s\" failed", ucf->file.data);
    }

    return NGX_CONF_ERROR;
}


/* the secret does not outlive its configuration in the process's memory */

static void
ngx_http_mta_sts_update_wipe(void *data)
{
    ngx_http_mta_sts_update_conf_t  *ucf = data;

    ngx_explicit_memzero(&ucf->key, sizeof(ngx_http_mta_sts_update_key_t));
}


static void *
ngx_http_mta_sts_update_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_mta_sts_update_main_conf_t  *umcf;

    umcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_update_main_conf_t));
    if (umcf == NULL) {
        return NULL;
    }

    return umcf;
}


static void *
ngx_http_mta_sts_update_create_srv_conf(ngx_conf_t *cf)
{
    ngx_http_mta_sts_update_srv_conf_t  *uscf;

    uscf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_update_srv_conf_t));
    if (uscf == NULL) {
        return NULL;
    }

    uscf->update = NGX_CONF_UNSET_PTR;

    return uscf;
}


static char *
ngx_http_mta_sts_update_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_mta_sts_update_srv_conf_t  *prev = parent;
    ngx_http_mta_sts_update_srv_conf_t  *conf = child;

    ngx_conf_merge_ptr_value(conf->update, prev->update, NULL);

    return NGX_CONF_OK;
}


/*
 * After every server is merged: each exact "mta-sts.<domain>" name of a
 * server with a static policy and an update target, once per domain.
 */

static ngx_int_t
ngx_http_mta_sts_update_init(ngx_conf_t *cf)
{
    u_char                               *p;
    ngx_str_t                            *name, domain, id;
    ngx_flag_t                            listener;
    ngx_int_t                             rc;
    ngx_uint_t                            s, i;
    ngx_hash_init_t                       hash;
    ngx_hash_keys_arrays_t                ha;
    ngx_http_server_name_t               *sn;
    ngx_http_core_srv_conf_t            **cscfp;
    ngx_http_core_loc_conf_t             *clcf;
    ngx_http_core_main_conf_t            *cmcf;
    ngx_http_mta_sts_policy_t             policy;
    ngx_http_mta_sts_update_domain_t     *d;
    ngx_http_mta_sts_update_srv_conf_t   *uscf;
    ngx_http_mta_sts_update_main_conf_t  *umcf;

    umcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_mta_sts_update_module);
    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    if (ngx_array_init(&umcf->domains, cf->pool, 4,
                       sizeof(ngx_http_mta_sts_update_domain_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_memzero(&ha, sizeof(ngx_hash_keys_arrays_t));
    cscfp = cmcf->servers.elts;

    for (s = 0; s < cmcf->servers.nelts; s++) {

        uscf = cscfp[s]->ctx->srv_conf[
                                    ngx_http_mta_sts_update_module.ctx_index];

        if (uscf->update == NULL) {
            continue;
        }

        if (ngx_http_mta_sts_server_policy(cscfp[s], &policy, &id, &listener)
            != NGX_OK)
        {
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

            if (ha.temp_pool == NULL) {
                ha.temp_pool = ngx_create_pool(NGX_DEFAULT_POOL_SIZE,
                                               cf->log);
                if (ha.temp_pool == NULL) {
                    return NGX_ERROR;
                }

                ha.pool = cf->pool;

                if (ngx_hash_keys_array_init(&ha, NGX_HASH_SMALL) != NGX_OK) {
                    goto failed;
                }
            }

            rc = ngx_hash_add_key(&ha, &domain,
                                  (void *) (uintptr_t)
                                      (umcf->domains.nelts + 1),
                                  NGX_HASH_READONLY_KEY);

            if (rc == NGX_BUSY) {
                continue;
            }

            if (rc != NGX_OK) {
                goto failed;
            }

            d = ngx_array_push(&umcf->domains);
            if (d == NULL) {
                goto failed;
            }

            ngx_memzero(d, sizeof(ngx_http_mta_sts_update_domain_t));

            d->domain = domain;
            d->id = id;
            d->conf = uscf->update;
            d->timeout = clcf->resolver_timeout;

            d->name.data = ngx_pnalloc(cf->pool, domain.len + 9);
            if (d->name.data == NULL) {
                goto failed;
            }

            p = ngx_cpymem(d->name.data, "_mta-sts.", 9);
            p = ngx_cpymem(p, domain.data, domain.len);
            d->name.len = p - d->name.data;
        }
    }

    if (ha.temp_pool == NULL) {
        return NGX_OK;
    }

    hash.hash = &umcf->hash;
    hash.key = ngx_hash_key;
    hash.max_size = 512 + umcf->domains.nelts;
    hash.bucket_size = ngx_align(64, ngx_cacheline_size);
    hash.name = "mta_sts_dns_update_hash";
    hash.pool = cf->pool;
    hash.temp_pool = ha.temp_pool;

    if (ngx_hash_init(&hash, ha.keys.elts, ha.keys.nelts) != NGX_OK) {
        goto failed;
    }

    ngx_destroy_pool(ha.temp_pool);

    return NGX_OK;

failed:

    ngx_destroy_pool(ha.temp_pool);

    return NGX_ERROR;
}


/* every job closed, every timer gone, so that the worker exits cleanly */

static void
ngx_http_mta_sts_update_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                            i;
    ngx_http_mta_sts_update_domain_t     *d;
    ngx_http_mta_sts_update_main_conf_t  *umcf;

    umcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_mta_sts_update_module);

    if (umcf == NULL) {
        return;
    }

    if (umcf->next.posted) {
        ngx_delete_posted_event(&umcf->next);
    }

    d = umcf->domains.elts;

    for (i = 0; i < umcf->domains.nelts; i++) {

        if (d[i].retry.timer_set) {
            ngx_del_timer(&d[i].retry);
        }

        if (d[i].job) {
            ngx_http_mta_sts_update_close(d[i].job);
            ngx_free(d[i].job);
            d[i].job = NULL;
        }
    }
}
