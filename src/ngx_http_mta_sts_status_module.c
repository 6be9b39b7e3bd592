
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_http_mta_sts_status.h>
#include <ngx_http_mta_sts_status_module.h>

#include <openssl/evp.h>


#define NGX_HTTP_MTA_STS_STATUS_AUTO        3
#define NGX_HTTP_MTA_STS_STATUS_ZONE_SIZE   (1024 * 1024)


typedef struct {
    ngx_shm_zone_t                     *zone;
    ngx_flag_t                          used;     /* an mta_sts_status */
    ngx_array_t                         domains;  /* ..._status_domain_t */
    ngx_http_mta_sts_status_domain_t  **order;    /* each domain once */
    ngx_uint_t                          ndomains;
    ngx_hash_t                          names;    /* domain: its entry */
    ngx_uint_t                          generation;
    ngx_uint_t                          uncounted;
    ngx_uint_t                          variables; /* a server has them */
    ngx_uint_t                          domains_max; /* domains=, unset */
    ngx_uint_t                          bound;    /* domains from them */
    ngx_http_mta_sts_status_hosts_t     hosts;    /* the worker's */
    ngx_int_t                           result;   /* its variable index */
    ngx_str_t                           csp;
    ngx_http_mta_sts_status_shm_t      *shm;
    ngx_slab_pool_t                    *shpool;
} ngx_http_mta_sts_status_main_conf_t;


typedef struct {
    /* the policy domains of the server, indexes in the main conf's */
    ngx_uint_t                          first;
    ngx_uint_t                          n;
    ngx_uint_t                          variables; /* its policy has them */
} ngx_http_mta_sts_status_srv_conf_t;


typedef struct {
    ngx_uint_t                          format;
} ngx_http_mta_sts_status_loc_conf_t;


static ngx_int_t ngx_http_mta_sts_status_handler(ngx_http_request_t *r);
static ngx_uint_t ngx_http_mta_sts_status_format(ngx_http_request_t *r);
static ngx_int_t ngx_http_mta_sts_status_header(ngx_http_request_t *r,
    ngx_str_t *key, ngx_str_t *value);
static ngx_int_t ngx_http_mta_sts_status_rows(ngx_http_request_t *r,
    ngx_http_mta_sts_status_main_conf_t *smcf,
    ngx_http_mta_sts_status_t *st);
static ngx_http_mta_sts_status_host_t *ngx_http_mta_sts_status_seen(
    ngx_http_request_t *r, ngx_http_mta_sts_status_main_conf_t *smcf,
    uint32_t hash, u_char *domain, size_t len);
static void ngx_http_mta_sts_status_served(
    ngx_http_mta_sts_status_main_conf_t *smcf,
    ngx_http_mta_sts_status_host_t *h, ngx_http_mta_sts_answer_t *answer);
static ngx_inline ngx_uint_t ngx_http_mta_sts_status_same_id(u_char *a,
    u_char *b);
static void ngx_http_mta_sts_status_cleanup(void *data);
static ngx_int_t ngx_http_mta_sts_status_log(ngx_http_request_t *r);
static char *ngx_http_mta_sts_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mta_sts_status_zone(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_mta_sts_status_add_zone(ngx_conf_t *cf,
    ngx_http_mta_sts_status_main_conf_t *smcf, ngx_str_t *name,
    size_t size);
static ngx_int_t ngx_http_mta_sts_status_init_zone(ngx_shm_zone_t *shm_zone,
    void *data);
static ngx_int_t ngx_http_mta_sts_status_domains(ngx_conf_t *cf,
    ngx_http_mta_sts_status_main_conf_t *smcf);
static void ngx_http_mta_sts_status_server(ngx_conf_t *cf,
    ngx_http_core_srv_conf_t *cscf, ngx_http_mta_sts_status_domain_t *d);
static ngx_int_t ngx_http_mta_sts_status_csp(ngx_conf_t *cf,
    ngx_http_mta_sts_status_main_conf_t *smcf);
static void *ngx_http_mta_sts_status_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_mta_sts_status_create_srv_conf(ngx_conf_t *cf);
static void *ngx_http_mta_sts_status_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_mta_sts_status_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_http_mta_sts_status_init(ngx_conf_t *cf);


static ngx_conf_enum_t  ngx_http_mta_sts_status_formats[] = {
    { ngx_string("prometheus"), NGX_HTTP_MTA_STS_STATUS_PROMETHEUS },
    { ngx_string("json"), NGX_HTTP_MTA_STS_STATUS_JSON },
    { ngx_string("html"), NGX_HTTP_MTA_STS_STATUS_HTML },
    { ngx_null_string, 0 }
};


static ngx_command_t  ngx_http_mta_sts_status_commands[] = {

    { ngx_string("mta_sts_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS|NGX_CONF_TAKE1,
      ngx_http_mta_sts_status,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mta_sts_status_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE23,
      ngx_http_mta_sts_status_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_mta_sts_status_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_mta_sts_status_init,          /* postconfiguration */

    ngx_http_mta_sts_status_create_main_conf, /* create main configuration */
    NULL,                                  /* init main configuration */

    ngx_http_mta_sts_status_create_srv_conf, /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_mta_sts_status_create_loc_conf, /* create location configuration */
    ngx_http_mta_sts_status_merge_loc_conf /* merge location configuration */
};


ngx_module_t  ngx_http_mta_sts_status_module = {
    NGX_MODULE_V1,
    &ngx_http_mta_sts_status_module_ctx,   /* module context */
    ngx_http_mta_sts_status_commands,      /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


extern ngx_module_t  ngx_http_mta_sts_module;


static ngx_str_t  ngx_http_mta_sts_status_types[] = {
    ngx_string("text/plain; version=0.0.4; charset=utf-8"),
    ngx_string("application/json"),
    ngx_string("text/html; charset=utf-8")
};

static ngx_str_t  ngx_http_mta_sts_status_allow = ngx_string("Allow");
static ngx_str_t  ngx_http_mta_sts_status_methods = ngx_string("GET, HEAD");
static ngx_str_t  ngx_http_mta_sts_status_vary = ngx_string("Vary");
static ngx_str_t  ngx_http_mta_sts_status_accept = ngx_string("Accept");
static ngx_str_t  ngx_http_mta_sts_status_csp_key = ngx_string(
    "Content-Security-Policy");
static ngx_str_t  ngx_http_mta_sts_status_default = ngx_string(
    "mta_sts_status");
static ngx_str_t  ngx_http_mta_sts_status_result = ngx_string(
    "mta_sts_tlsrpt_result");


static ngx_int_t
ngx_http_mta_sts_status_handler(ngx_http_request_t *r)
{
    size_t                                size, len;
    ngx_int_t                             rc;
    ngx_buf_t                            *b;
    ngx_uint_t                            format, tries;
    ngx_chain_t                           out;
    ngx_http_mta_sts_status_t             st;
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        if (ngx_http_mta_sts_status_header(r, &ngx_http_mta_sts_status_allow,
                                           &ngx_http_mta_sts_status_methods)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    smcf = ngx_http_get_module_main_conf(r, ngx_http_mta_sts_status_module);

    format = ngx_http_mta_sts_status_format(r);

    st.domains = smcf->order;
    st.ndomains = smcf->ndomains;
    st.uncounted = smcf->uncounted;
    st.variables = smcf->variables;
    st.bound = smcf->bound;
    st.shm = smcf->shm;
    st.generation = smcf->generation;
    st.now = ngx_time();

    /* measured, then written under the lock, a report's updates whole */

    b = NULL;
    len = 0;

    ngx_shmtx_lock(&smcf->shpool->mutex);
    rc = ngx_http_mta_sts_status_rows(r, smcf, &st);
    ngx_shmtx_unlock(&smcf->shpool->mutex);

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    size = ngx_http_mta_sts_status_render(&st, format, NULL, NULL) + 4096;

    for (tries = 0; tries < 3; tries++) {
        b = ngx_create_temp_buf(r->pool, size);
        if (b == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_shmtx_lock(&smcf->shpool->mutex);
        len = ngx_http_mta_sts_status_render(&st, format, b->pos, b->end);
        ngx_shmtx_unlock(&smcf->shpool->mutex);

        if (len <= size) {
            break;
        }

        size = len + 4096;
    }

    if (len > size) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = b->pos + len;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    if (format == NGX_HTTP_MTA_STS_STATUS_HTML
        && ngx_http_mta_sts_status_header(r, &ngx_http_mta_sts_status_csp_key,
                                          &smcf->csp)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = len;
    r->headers_out.content_type = ngx_http_mta_sts_status_types[format];
    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * The static domains, then a row for each domain seen through variables,
 * in the zone's order; under the mutex, which the slots' kinds are
 */

static ngx_int_t
ngx_http_mta_sts_status_rows(ngx_http_request_t *r,
    ngx_http_mta_sts_status_main_conf_t *smcf, ngx_http_mta_sts_status_t *st)
{
    ngx_uint_t                          i, n;
    ngx_http_mta_sts_status_slot_t     *s;
    ngx_http_mta_sts_status_domain_t   *v, **rows;
    ngx_http_mta_sts_status_shm_t      *shm;

    shm = smcf->shm;

    if (shm->nvariable == 0) {
        return NGX_OK;
    }

    rows = ngx_palloc(r->pool, (smcf->ndomains + shm->nvariable)
                               * sizeof(ngx_http_mta_sts_status_domain_t *));
    if (rows == NULL) {
        return NGX_ERROR;
    }

    v = ngx_pcalloc(r->pool, shm->nvariable
                             * sizeof(ngx_http_mta_sts_status_domain_t));
    if (v == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(rows, smcf->order,
               smcf->ndomains * sizeof(ngx_http_mta_sts_status_domain_t *));
    n = smcf->ndomains;

    for (i = 0; i < shm->nslots && n < smcf->ndomains + shm->nvariable; i++)
    {
        s = &shm->slots[i];

        if (s->kind != NGX_HTTP_MTA_STS_STATUS_VARIABLE) {
            continue;
        }

        v->domain.data = s->domain;
        v->domain.len = s->domain_len;
        v->mode = ngx_http_mta_sts_status_modes[s->mode < 4 ? s->mode : 0];
        v->id.data = s->id;
        v->id.len = s->id_len;
        v->slot = s;
        v->variable = 1;

        rows[n++] = v++;
    }

    st->domains = rows;
    st->ndomains = n;

    return NGX_OK;
}


/*
 * "mta_sts_status" without a format: JSON for an Accept that names
 * application/json, the page for one that names text/html (a browser),
 * else Prometheus text (Prometheus, curl)
 */

static ngx_uint_t
ngx_http_mta_sts_status_format(ngx_http_request_t *r)
{
    ngx_uint_t                           i;
    ngx_list_part_t                     *part;
    ngx_table_elt_t                     *h;
    ngx_http_mta_sts_status_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_http_mta_sts_status_module);

    if (slcf->format != NGX_HTTP_MTA_STS_STATUS_AUTO) {
        return slcf->format;
    }

    (void) ngx_http_mta_sts_status_header(r, &ngx_http_mta_sts_status_vary,
                                          &ngx_http_mta_sts_status_accept);

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len != 6
            || ngx_strncasecmp(h[i].key.data, (u_char *) "Accept", 6) != 0)
        {
            continue;
        }

        if (ngx_strlcasestrn(h[i].value.data,
                             h[i].value.data + h[i].value.len,
                             (u_char *) "application/json", 16 - 1)
            != NULL)
        {
            return NGX_HTTP_MTA_STS_STATUS_JSON;
        }

        if (ngx_strlcasestrn(h[i].value.data,
                             h[i].value.data + h[i].value.len,
                             (u_char *) "text/html", 9 - 1)
            != NULL)
        {
            return NGX_HTTP_MTA_STS_STATUS_HTML;
        }
    }

    return NGX_HTTP_MTA_STS_STATUS_PROMETHEUS;
}


static ngx_int_t
ngx_http_mta_sts_status_header(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    h->key = *key;
    h->value = *value;

    return NGX_OK;
}


/* the hooks */

/*
 * Every policy request pays this.  A static policy's path has no call in
 * it, so that it saves no register; the domain of a server of several is
 * found by the host, compared a byte a step (short names, and the first
 * byte mostly differs).  A policy from variables finds its domain's row
 * in the worker's table.
 */

void
ngx_http_mta_sts_status_fetched(ngx_http_request_t *r,
    ngx_http_mta_sts_answer_t *answer)
{
    size_t                                len, k;
    u_char                               *host;
    uint32_t                              hash;
    ngx_uint_t                            i;
    ngx_http_mta_sts_status_host_t       *h;
    ngx_http_mta_sts_status_slot_t       *slot;
    ngx_http_mta_sts_status_domain_t     *d;
    ngx_http_mta_sts_status_srv_conf_t   *sscf;
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_mta_sts_status_module);

    if (smcf->shm == NULL) {
        return;
    }

    if (answer) {
        /*
         * a policy from variables: the domain as $mta_sts_domain names it
         * (nginx has lowercased the host), found in the worker's table;
         * the zone's lock only for a domain this worker has not seen, or
         * when the policy served for it changed
         */

        len = sizeof(NGX_HTTP_MTA_STS_STATUS_PREFIX) - 1;
        host = r->headers_in.server.data + len;
        len = r->headers_in.server.len - len;

        hash = ngx_http_mta_sts_status_hash(smcf->hosts.seed, host, len);

        h = NULL;

        if (smcf->hosts.hosts) {
            h = ngx_http_mta_sts_status_host_find(&smcf->hosts, hash, host,
                                                  len);
        }

        if (h == NULL) {
            h = ngx_http_mta_sts_status_seen(r, smcf, hash, host, len);

            if (h == NULL) {
                return;
            }
        }

        (void) ngx_atomic_fetch_add(&h->slot->fetches, 1);

        if (h->mode != answer->mode
            || !ngx_http_mta_sts_status_same_id(h->id, answer->id.data))
        {
            ngx_http_mta_sts_status_served(smcf, h, answer);
        }

        /* the row holds this answer's mode and id: the next finds it */

        h->serial = answer->serial;
        answer->status = h;

        return;
    }

    sscf = ngx_http_get_module_srv_conf(r, ngx_http_mta_sts_status_module);
    slot = &smcf->shm->other;

    if (sscf->n == 1) {
        d = smcf->domains.elts;
        slot = d[sscf->first].slot;

    } else if (sscf->n) {
        d = smcf->domains.elts;
        d += sscf->first;

        /* the handler has checked that the host starts with "mta-sts." */

        len = sizeof(NGX_HTTP_MTA_STS_STATUS_PREFIX) - 1;
        host = r->headers_in.server.data + len;
        len = r->headers_in.server.len - len;

        for (i = 0; i < sscf->n; i++) {
            if (d[i].domain.len != len) {
                continue;
            }

            for (k = 0; k < len && d[i].domain.data[k] == host[k]; k++) {
                /* void */
            }

            if (k == len) {
                slot = d[i].slot;
                break;
            }
        }
    }

    if (slot) {
        (void) ngx_atomic_fetch_add(&slot->fetches, 1);
    }
}


/*
 * A domain this worker has not counted yet: its slot from the zone, under
 * the lock, into the worker's table (allocated at the first).  NULL when
 * it is counted under "other": over the bound, the zone full, or a worker
 * of a configuration a reload has replaced.
 */

static ngx_http_mta_sts_status_host_t *
ngx_http_mta_sts_status_seen(ngx_http_request_t *r,
    ngx_http_mta_sts_status_main_conf_t *smcf, uint32_t hash, u_char *domain,
    size_t len)
{
    ngx_uint_t                        size;
    ngx_http_mta_sts_status_shm_t    *shm;
    ngx_http_mta_sts_status_slot_t   *s;
    ngx_http_mta_sts_status_hosts_t  *t;

    shm = smcf->shm;
    t = &smcf->hosts;

    /* no name longer than a domain name can be (RFC 1035) has a row */

    if (t->complete || len > NGX_HTTP_MTA_STS_STATUS_DOMAIN_MAX) {
        goto other;
    }

    if (t->hosts == NULL) {
        size = ngx_http_mta_sts_status_hosts_size(smcf->bound);

        t->hosts = ngx_calloc(size * sizeof(ngx_http_mta_sts_status_host_t),
                              r->connection->log);
        if (t->hosts == NULL) {
            goto other;
        }

        t->mask = size - 1;

        /* a seed of the worker's: values a client sends cannot aim at it */

        t->seed = ((uint64_t) ngx_random() << 32) ^ ngx_random()
                  ^ (uint64_t) (uintptr_t) t->hosts;

        hash = ngx_http_mta_sts_status_hash(t->seed, domain, len);
    }

    ngx_shmtx_lock(&smcf->shpool->mutex);

    if (shm->generation != smcf->generation) {
        /* an old worker after a reload: the new configuration's slots */
        ngx_shmtx_unlock(&smcf->shpool->mutex);
        goto other_old;
    }

    s = ngx_http_mta_sts_status_claim(shm, domain, len, smcf->bound);

    if (s == NULL) {
        if (shm->full) {
            /* no domain more until a reload: all there are, in the table */
            ngx_http_mta_sts_status_hosts_fill(t, shm);
        }

        ngx_shmtx_unlock(&smcf->shpool->mutex);
        goto other;
    }

    ngx_shmtx_unlock(&smcf->shpool->mutex);

    if (ngx_http_mta_sts_status_host_add(t, hash, s) != NGX_OK) {
        /* a static policy's domain served through variables, table full */
        (void) ngx_atomic_fetch_add(&s->fetches, 1);
        return NULL;
    }

    return ngx_http_mta_sts_status_host_find(t, hash, domain, len);

other:

    (void) ngx_atomic_fetch_add(&shm->dropped, 1);

other_old:

    (void) ngx_atomic_fetch_add(&shm->other.fetches, 1);

    return NULL;
}


/* the 32 digits of two ids, as four words, without a call */

static ngx_inline ngx_uint_t
ngx_http_mta_sts_status_same_id(u_char *a, u_char *b)
{
    ngx_uint_t  i;
    uint64_t    x, y;

    for (i = 0; i < NGX_HTTP_MTA_STS_STATUS_ID_MAX; i += 8) {
        ngx_memcpy(&x, a + i, 8);
        ngx_memcpy(&y, b + i, 8);

        if (x != y) {
            return 0;
        }
    }

    return 1;
}


/* the mode and id served last, shown in the domain's row */

static void
ngx_http_mta_sts_status_served(ngx_http_mta_sts_status_main_conf_t *smcf,
    ngx_http_mta_sts_status_host_t *h, ngx_http_mta_sts_answer_t *answer)
{
    ngx_http_mta_sts_status_slot_t  *s;

    h->mode = answer->mode;
    ngx_memcpy(h->id, answer->id.data, NGX_HTTP_MTA_STS_STATUS_ID_MAX);

    s = h->slot;

    ngx_shmtx_lock(&smcf->shpool->mutex);

    if (s->kind == NGX_HTTP_MTA_STS_STATUS_VARIABLE
        && s->domain_len == h->len)
    {
        s->mode = answer->mode;
        ngx_memcpy(s->id, answer->id.data, NGX_HTTP_MTA_STS_STATUS_ID_MAX);
        s->id_len = NGX_HTTP_MTA_STS_STATUS_ID_MAX;
    }

    ngx_shmtx_unlock(&smcf->shpool->mutex);
}


static void
ngx_http_mta_sts_status_cleanup(void *data)
{
    ngx_http_mta_sts_status_main_conf_t  *smcf = data;

    if (smcf->hosts.hosts) {
        ngx_free(smcf->hosts.hosts);
        smcf->hosts.hosts = NULL;
    }
}


void
ngx_http_mta_sts_status_report(ngx_http_request_t *r,
    ngx_http_mta_sts_tlsrpt_t *rpt)
{
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    smcf = ngx_http_get_module_main_conf(r, ngx_http_mta_sts_status_module);

    if (smcf->shm == NULL) {
        return;
    }

    ngx_shmtx_lock(&smcf->shpool->mutex);
    ngx_http_mta_sts_status_record(smcf->shm, rpt, ngx_time());
    ngx_shmtx_unlock(&smcf->shpool->mutex);
}


/* the DNS check's hooks, in the first worker */

void *
ngx_http_mta_sts_status_dns_domain(ngx_cycle_t *cycle, ngx_str_t *domain)
{
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    smcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_mta_sts_status_module);

    if (smcf == NULL || smcf->shm == NULL || smcf->names.buckets == NULL) {
        return NULL;
    }

    return ngx_hash_find(&smcf->names,
                         ngx_hash_key(domain->data, domain->len),
                         domain->data, domain->len);
}


void
ngx_http_mta_sts_status_dns(ngx_cycle_t *cycle, void *domain,
    ngx_uint_t check, ngx_uint_t state, u_char *finding, size_t len,
    ngx_uint_t value, time_t recheck)
{
    ngx_http_mta_sts_status_dns_t        *dns;
    ngx_http_mta_sts_status_domain_t     *d;
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    d = domain;

    if (d == NULL || d->slot == NULL) {
        return;
    }

    smcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_mta_sts_status_module);
    dns = &d->slot->dns;

    ngx_shmtx_lock(&smcf->shpool->mutex);

    /* a worker of the configuration before a reload writes nothing */

    if (smcf->shm->generation == smcf->generation) {
        ngx_http_mta_sts_status_dns_set(dns, smcf->generation, check, state,
                                        ngx_time(), finding, len);

        if (check == NGX_HTTP_MTA_STS_STATUS_DNS_TXT) {
            dns->txt_stale = value;
            dns->txt_recheck = recheck;

        } else if (check == NGX_HTTP_MTA_STS_STATUS_DNS_MX) {
            dns->mx_uncovered = value;
        }
    }

    ngx_shmtx_unlock(&smcf->shpool->mutex);
}


/* the DNS UPDATE's hook, in the first worker, as the DNS check's */

void
ngx_http_mta_sts_status_update(ngx_cycle_t *cycle, ngx_str_t *domain,
    ngx_uint_t state, time_t next, u_char *why, size_t len)
{
    ngx_http_mta_sts_status_domain_t     *d;
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    d = ngx_http_mta_sts_status_dns_domain(cycle, domain);

    if (d == NULL || d->slot == NULL) {
        return;
    }

    smcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_mta_sts_status_module);

    ngx_shmtx_lock(&smcf->shpool->mutex);

    /* a worker of the configuration before a reload writes nothing */

    if (smcf->shm->generation == smcf->generation) {
        ngx_http_mta_sts_status_update_set(&d->slot->update, smcf->generation,
                                           state, ngx_time(), next, why, len);
    }

    ngx_shmtx_unlock(&smcf->shpool->mutex);
}


/* the receiver's outcomes, from $mta_sts_tlsrpt_result */

static ngx_int_t
ngx_http_mta_sts_status_log(ngx_http_request_t *r)
{
    ngx_str_t                            *o;
    ngx_http_variable_value_t            *v;
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    if (r->method != NGX_HTTP_POST) {
        return NGX_OK;
    }

    smcf = ngx_http_get_module_main_conf(r, ngx_http_mta_sts_status_module);

    if (smcf->shm == NULL) {
        return NGX_OK;
    }

    v = ngx_http_get_indexed_variable(r, smcf->result);

    if (v == NULL || v->not_found || v->len == 0) {
        return NGX_OK;
    }

    for (o = ngx_http_mta_sts_status_outcomes; o->len; o++) {
        if (o->len == v->len && ngx_strncmp(o->data, v->data, v->len) == 0) {
            (void) ngx_atomic_fetch_add(
                &smcf->shm->outcomes[o - ngx_http_mta_sts_status_outcomes],
                1);
            break;
        }
    }

    return NGX_OK;
}


static char *
ngx_http_mta_sts_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mta_sts_status_loc_conf_t *slcf = conf;

    ngx_str_t                            *value;
    ngx_conf_enum_t                      *e;
    ngx_http_core_loc_conf_t             *clcf;
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    if (slcf->format != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    slcf->format = NGX_HTTP_MTA_STS_STATUS_AUTO;

    if (cf->args->nelts == 2) {
        value = cf->args->elts;

        for (e = ngx_http_mta_sts_status_formats; e->name.len; e++) {
            if (e->name.len == value[1].len
                && ngx_strcmp(e->name.data, value[1].data) == 0)
            {
                slcf->format = e->value;
                break;
            }
        }

        if (e->name.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid format \"%V\" in \"mta_sts_status\", "
                               "it must be \"prometheus\", \"json\" or "
                               "\"html\"", &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_mta_sts_status_handler;

    smcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_mta_sts_status_module);
    smcf->used = 1;

    return NGX_CONF_OK;
}


static char *
ngx_http_mta_sts_status_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mta_sts_status_main_conf_t *smcf = conf;

    size_t      max;
    ssize_t     size;
    ngx_int_t   n;
    ngx_str_t  *value, v;

    if (smcf->zone) {
        return "is duplicate";
    }

    value = cf->args->elts;

    size = ngx_parse_size(&value[2]);

    if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone size \"%V\" in "
                           "\"mta_sts_status_zone\", it must be at least %uz",
                           &value[2], 8 * ngx_pagesize);
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 4) {
        if (ngx_strncmp(value[3].data, "domains=", 8) != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in "
                               "\"mta_sts_status_zone\"", &value[3]);
            return NGX_CONF_ERROR;
        }

        v.data = value[3].data + 8;
        v.len = value[3].len - 8;

        n = ngx_atoi(v.data, v.len);

        if (n == NGX_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid number of domains \"%V\" in "
                               "\"mta_sts_status_zone\"", &v);
            return NGX_CONF_ERROR;
        }

        /* about what the zone holds: its slots but for the slab's pages */

        max = size / sizeof(ngx_http_mta_sts_status_slot_t);

        if ((size_t) n > max) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"%V\" in \"mta_sts_status_zone\" is more "
                               "than a zone of %V holds (%uz domains), make "
                               "the zone larger", &value[3], &value[2], max);
            return NGX_CONF_ERROR;
        }

        smcf->domains_max = n;
    }

    if (ngx_http_mta_sts_status_add_zone(cf, smcf, &value[1], size)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_mta_sts_status_add_zone(ngx_conf_t *cf,
    ngx_http_mta_sts_status_main_conf_t *smcf, ngx_str_t *name, size_t size)
{
    smcf->zone = ngx_shared_memory_add(cf, name, size,
                                       &ngx_http_mta_sts_status_module);
    if (smcf->zone == NULL) {
        return NGX_ERROR;
    }

    if (smcf->zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is already used", name);
        return NGX_ERROR;
    }

    smcf->zone->init = ngx_http_mta_sts_status_init_zone;
    smcf->zone->data = smcf;

    return NGX_OK;
}


/*
 * The slots are found by domain name: a reload that keeps the zone's name
 * and size keeps every domain's counters, adds a new domain at 0 and
 * gives a removed domain's slot to a new one only when no slot is free.
 */

static ngx_int_t
ngx_http_mta_sts_status_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    size_t                                size;
    u_char                               *used;
    ngx_uint_t                            i, j, n;
    ngx_slab_pool_t                      *shpool;
    ngx_http_mta_sts_status_shm_t        *shm;
    ngx_http_mta_sts_status_slot_t       *s;
    ngx_http_mta_sts_status_domain_t     *d;
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    smcf = shm_zone->data;
    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;
    shm = NULL;

    if (data || shm_zone->shm.exists) {
        shm = shpool->data;

        if (shm->layout != NGX_HTTP_MTA_STS_STATUS_LAYOUT) {
            ngx_log_error(NGX_LOG_NOTICE, shm_zone->shm.log, 0,
                          "mta_sts_status_zone \"%V\" was made by another "
                          "version of the module: its counters start again "
                          "at 0", &shm_zone->shm.name);

            ngx_shmtx_lock(&shpool->mutex);
            ngx_slab_free_locked(shpool, shm);
            ngx_shmtx_unlock(&shpool->mutex);

            shm = NULL;
        }
    }

    if (shm == NULL) {
        shpool->log_nomem = 0;

        n = shpool->pfree * ngx_pagesize
            / sizeof(ngx_http_mta_sts_status_slot_t);
        shm = NULL;

        while (n > 1) {
            size = offsetof(ngx_http_mta_sts_status_shm_t, slots)
                   + n * sizeof(ngx_http_mta_sts_status_slot_t);

            shm = ngx_slab_calloc(shpool, size);
            if (shm) {
                break;
            }

            n--;
        }

        if (shm == NULL) {
            return NGX_ERROR;
        }

        shm->layout = NGX_HTTP_MTA_STS_STATUS_LAYOUT;
        shm->nslots = n;
        shpool->data = shm;
        shpool->log_nomem = 1;
    }

    /*
     * the DNS results of older configurations are not shown as current;
     * an old worker that takes the lock after this claims no slot for a
     * domain from variables, so the slots below are the master's alone
     */

    ngx_shmtx_lock(&shpool->mutex);
    smcf->generation = ++shm->generation;
    ngx_shmtx_unlock(&shpool->mutex);
    smcf->shm = shm;
    smcf->shpool = shpool;

    d = smcf->domains.elts;

    used = ngx_calloc(shm->nslots, shm_zone->shm.log);
    if (used == NULL) {
        return NGX_ERROR;
    }

    /* the new configuration's static domains say which slots are theirs */

    for (i = 0; i < shm->nslots; i++) {
        if (shm->slots[i].kind == NGX_HTTP_MTA_STS_STATUS_STATIC) {
            shm->slots[i].kind = NGX_HTTP_MTA_STS_STATUS_KEPT;
        }
    }

    for (i = 0; i < smcf->domains.nelts; i++) {
        d[i].slot = ngx_http_mta_sts_status_slot(shm, d[i].domain.data,
                                                 d[i].domain.len, 0);
        if (d[i].slot) {
            used[d[i].slot - shm->slots] = 1;
        }
    }

    j = 0;
    smcf->uncounted = 0;

    for (i = 0; i < smcf->domains.nelts; i++) {
        if (d[i].slot) {
            continue;
        }

        s = ngx_http_mta_sts_status_slot(shm, d[i].domain.data,
                                         d[i].domain.len, 1);

        if (s == NULL) {
            /* full: the slot of a domain no longer configured */

            while (j < shm->nslots && used[j]) {
                j++;
            }

            if (j < shm->nslots) {
                s = &shm->slots[j];
                ngx_memzero(s, sizeof(ngx_http_mta_sts_status_slot_t));
                ngx_memcpy(s->domain, d[i].domain.data, d[i].domain.len);
                s->domain_len = d[i].domain.len;
            }
        }

        if (s == NULL) {
            smcf->uncounted += d[i].alias ? 0 : 1;
            continue;
        }

        used[s - shm->slots] = 1;
        d[i].slot = s;
    }

    ngx_free(used);

    n = 0;

    for (i = 0; i < smcf->domains.nelts; i++) {
        if (d[i].slot) {
            d[i].slot->kind = NGX_HTTP_MTA_STS_STATUS_STATIC;
            n += d[i].alias ? 0 : 1;
        }
    }

    /*
     * domains from variables: by default as many as the zone has slots
     * left once the static domains have theirs
     */

    smcf->bound = (smcf->domains_max != NGX_CONF_UNSET_UINT)
                  ? smcf->domains_max
                  : (smcf->variables ? shm->nslots - n : 0);

    ngx_http_mta_sts_status_reload(shm, smcf->variables, smcf->bound);

    if (smcf->uncounted) {
        ngx_log_error(NGX_LOG_WARN, shm_zone->shm.log, 0,
                      "mta_sts_status_zone \"%V\" is full: %ui policy "
                      "domains are not counted", &shm_zone->shm.name,
                      smcf->uncounted);
    }

    return NGX_OK;
}


/*
 * Every exact "mta-sts.<domain>" name of a server with a static policy.
 * A domain that several servers serve (port 80 and 443, say) is listed
 * and checked once: its other entries are aliases that count into the
 * same slot.
 */

static ngx_int_t
ngx_http_mta_sts_status_domains(ngx_conf_t *cf,
    ngx_http_mta_sts_status_main_conf_t *smcf)
{
    size_t                                len, n;
    ngx_str_t                            *name, *mode, id;
    ngx_int_t                             rc;
    ngx_uint_t                            s, i, k;
    ngx_hash_key_t                       *key;
    ngx_hash_init_t                       hash;
    ngx_hash_keys_arrays_t                ha;
    ngx_http_server_name_t               *sn;
    ngx_http_mta_sts_check_t             *check;
    ngx_http_core_srv_conf_t            **cscfp;
    ngx_http_core_main_conf_t            *cmcf;
    ngx_http_mta_sts_status_domain_t     *d;
    ngx_http_mta_sts_status_srv_conf_t   *sscf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    if (ngx_array_init(&smcf->domains, cf->pool, cmcf->servers.nelts,
                       sizeof(ngx_http_mta_sts_status_domain_t))
        != NGX_OK)
    {
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

    len = sizeof(NGX_HTTP_MTA_STS_STATUS_PREFIX) - 1;
    cscfp = cmcf->servers.elts;

    for (s = 0; s < cmcf->servers.nelts; s++) {

        sscf = cscfp[s]->ctx->srv_conf[
                                  ngx_http_mta_sts_status_module.ctx_index];
        sscf->first = smcf->domains.nelts;

        rc = ngx_http_mta_sts_status_policy(
                cscfp[s]->ctx->srv_conf[ngx_http_mta_sts_module.ctx_index],
                &mode, &id, &check);

        if (rc == NGX_AGAIN) {
            sscf->variables = 1;
            smcf->variables = 1;
            continue;
        }

        if (rc != NGX_OK) {
            continue;
        }

        sn = cscfp[s]->server_names.elts;

        for (i = 0; i < cscfp[s]->server_names.nelts; i++) {
            name = &sn[i].name;

#if (NGX_PCRE)
            if (sn[i].regex) {
                continue;
            }
#endif

            if (name->len <= len
                || name->data[name->len - 1] == '*'
                || ngx_strncmp(name->data, NGX_HTTP_MTA_STS_STATUS_PREFIX,
                               len)
                   != 0)
            {
                continue;
            }

            n = name->len - len - (name->data[name->len - 1] == '.');

            if (n == 0 || n > NGX_HTTP_MTA_STS_STATUS_DOMAIN_MAX) {
                continue;
            }

            d = ngx_array_push(&smcf->domains);
            if (d == NULL) {
                goto failed;
            }

            ngx_memzero(d, sizeof(ngx_http_mta_sts_status_domain_t));

            d->domain.data = name->data + len;
            d->domain.len = n;
            d->mode = *mode;
            d->id = id;
            d->days = check->days;
            d->dns = ngx_http_mta_sts_dns_server_checked(cscfp[s]);
            d->update = ngx_http_mta_sts_update_server_on(cscfp[s]);

            if (check->check == NGX_HTTP_MTA_STS_CHECK_OFF
                || !check->listener)
            {
                ngx_str_set(&d->listener, "unchecked");

            } else if (!check->ssl && check->quic) {
                ngx_str_set(&d->listener, "quic_only");

            } else if (!check->ssl) {
                ngx_str_set(&d->listener, "no_ssl");

            } else if (!check->ssl_443) {
                ngx_str_set(&d->listener, "no_443");

            } else {
                ngx_str_set(&d->listener, "ok");
            }

            ngx_http_mta_sts_status_server(cf, cscfp[s], d);

            /* the entry's index, made a pointer once the array is whole */

            rc = ngx_hash_add_key(&ha, &d->domain,
                                  (void *) (uintptr_t) smcf->domains.nelts,
                                  NGX_HASH_READONLY_KEY);

            if (rc == NGX_BUSY) {
                d->alias = 1;
                continue;
            }

            if (rc != NGX_OK) {
                goto failed;
            }
        }

        sscf->n = smcf->domains.nelts - sscf->first;
    }

    smcf->order = ngx_palloc(cf->pool, (smcf->domains.nelts + 1)
                             * sizeof(ngx_http_mta_sts_status_domain_t *));
    if (smcf->order == NULL) {
        goto failed;
    }

    d = smcf->domains.elts;
    smcf->ndomains = 0;

    for (i = 0; i < smcf->domains.nelts; i++) {
        if (!d[i].alias) {
            smcf->order[smcf->ndomains++] = &d[i];
        }
    }

    if (ha.keys.nelts) {
        key = ha.keys.elts;

        for (k = 0; k < ha.keys.nelts; k++) {
            key[k].value = &d[(uintptr_t) key[k].value - 1];
        }

        hash.hash = &smcf->names;
        hash.key = ngx_hash_key;
        hash.max_size = ha.keys.nelts + 1024;
        hash.bucket_size = ngx_align(64 + NGX_HTTP_MTA_STS_STATUS_DOMAIN_MAX,
                                     ngx_cacheline_size);
        hash.name = "mta_sts_status_names_hash";
        hash.pool = cf->pool;
        hash.temp_pool = ha.temp_pool;

        if (ngx_hash_init(&hash, ha.keys.elts, ha.keys.nelts) != NGX_OK) {
            goto failed;
        }
    }

    ngx_destroy_pool(ha.temp_pool);

    return NGX_OK;

failed:

    ngx_destroy_pool(ha.temp_pool);

    return NGX_ERROR;
}


/* the earliest not-after of the server's certificates */

static void
ngx_http_mta_sts_status_server(ngx_conf_t *cf,
    ngx_http_core_srv_conf_t *cscf, ngx_http_mta_sts_status_domain_t *d)
{
#if (NGX_HTTP_SSL)
    int                      days, secs;
    X509                    *x;
    time_t                   t;
    ngx_http_ssl_srv_conf_t  *sslcf;

    sslcf = cscf->ctx->srv_conf[ngx_http_ssl_module.ctx_index];

    if (sslcf->ssl.ctx == NULL) {
        return;
    }

    for (x = SSL_CTX_get_ex_data(sslcf->ssl.ctx, ngx_ssl_certificate_index);
         x;
         x = X509_get_ex_data(x, ngx_ssl_next_certificate_index))
    {
        if (!ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x))) {
            continue;
        }

        t = ngx_time() + (time_t) days * 86400 + secs;

        if (d->not_after == 0 || t < d->not_after) {
            d->not_after = t;
        }
    }
#endif
}


/* the page allows its own style by its SHA-256, and nothing else */

static ngx_int_t
ngx_http_mta_sts_status_csp(ngx_conf_t *cf,
    ngx_http_mta_sts_status_main_conf_t *smcf)
{
    u_char       *p;
    ngx_str_t     hash, b64;
    unsigned int  len;
    u_char        md[EVP_MAX_MD_SIZE];

    if (!EVP_Digest(ngx_http_mta_sts_status_style.data,
                    ngx_http_mta_sts_status_style.len, md, &len,
                    EVP_sha256(), NULL))
    {
        return NGX_ERROR;
    }

    hash.data = md;
    hash.len = len;

    b64.len = ngx_base64_encoded_length(len);
    b64.data = ngx_pnalloc(cf->pool, b64.len);
    if (b64.data == NULL) {
        return NGX_ERROR;
    }

    ngx_encode_base64(&b64, &hash);

    smcf->csp.len = sizeof("default-src 'none'; style-src 'sha256-'; "
                           "base-uri 'none'; form-action 'none'; "
                           "frame-ancestors 'none'") - 1 + b64.len;
    smcf->csp.data = ngx_pnalloc(cf->pool, smcf->csp.len);
    if (smcf->csp.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(smcf->csp.data, "default-src 'none'; style-src "
                    "'sha256-%V'; base-uri 'none'; form-action 'none'; "
                    "frame-ancestors 'none'", &b64);
    smcf->csp.len = p - smcf->csp.data;

    return NGX_OK;
}


static void *
ngx_http_mta_sts_status_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    smcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_status_main_conf_t));
    if (smcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     smcf->zone = NULL;
     *     smcf->used = 0;
     *     smcf->shm = NULL;
     */

    smcf->result = NGX_ERROR;
    smcf->domains_max = NGX_CONF_UNSET_UINT;

    return smcf;
}


static void *
ngx_http_mta_sts_status_create_srv_conf(ngx_conf_t *cf)
{
    return ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_status_srv_conf_t));
}


static void *
ngx_http_mta_sts_status_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_mta_sts_status_loc_conf_t  *slcf;

    slcf = ngx_palloc(cf->pool, sizeof(ngx_http_mta_sts_status_loc_conf_t));
    if (slcf == NULL) {
        return NULL;
    }

    slcf->format = NGX_CONF_UNSET_UINT;

    return slcf;
}


static char *
ngx_http_mta_sts_status_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_mta_sts_status_loc_conf_t *prev = parent;
    ngx_http_mta_sts_status_loc_conf_t *conf = child;

    ngx_conf_merge_uint_value(conf->format, prev->format,
                              NGX_HTTP_MTA_STS_STATUS_AUTO);

    return NGX_CONF_OK;
}


/*
 * Without mta_sts_status_zone and mta_sts_status, nothing is counted and
 * the hooks return at once; with a status location alone, a zone
 * "mta_sts_status" of 1m is made.
 */

static ngx_int_t
ngx_http_mta_sts_status_init(ngx_conf_t *cf)
{
    ngx_pool_cleanup_t                   *cln;
    ngx_http_handler_pt                  *h;
    ngx_http_core_main_conf_t            *cmcf;
    ngx_http_mta_sts_status_main_conf_t  *smcf;

    smcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_mta_sts_status_module);

    if (smcf->zone == NULL && !smcf->used) {
        return NGX_OK;
    }

    if (smcf->zone == NULL
        && ngx_http_mta_sts_status_add_zone(cf, smcf,
                                            &ngx_http_mta_sts_status_default,
                                            NGX_HTTP_MTA_STS_STATUS_ZONE_SIZE)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_mta_sts_status_domains(cf, smcf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* a worker's table of the domains seen through variables */

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_mta_sts_status_cleanup;
    cln->data = smcf;

    if (ngx_http_mta_sts_status_csp(cf, smcf) != NGX_OK) {
        return NGX_ERROR;
    }

    smcf->result = ngx_http_get_variable_index(cf,
                                            &ngx_http_mta_sts_status_result);
    if (smcf->result == NGX_ERROR) {
        return NGX_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_mta_sts_status_log;

    return NGX_OK;
}
