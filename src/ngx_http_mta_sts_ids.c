
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_http_mta_sts_ids.h>


typedef struct {
    ngx_http_mta_sts_id_t  *ids;              /* sorted by domain */
    ngx_uint_t              nids;
    ngx_uint_t              mode;
    ngx_uint_t              reload;
} ngx_http_mta_sts_ids_t;


static int ngx_libc_cdecl ngx_http_mta_sts_ids_cmp(const void *one,
    const void *two);
static void ngx_http_mta_sts_ids_list(ngx_log_t *log,
    ngx_http_mta_sts_ids_t *ctx);
static ngx_int_t ngx_http_mta_sts_ids_init(ngx_shm_zone_t *shm_zone,
    void *data);


static ngx_str_t  ngx_http_mta_sts_ids_zone = ngx_string("mta_sts_ids");


ngx_int_t
ngx_http_mta_sts_ids(ngx_conf_t *cf, ngx_array_t *ids, ngx_uint_t mode,
    void *tag)
{
    ngx_uint_t               i, n;
    ngx_shm_zone_t          *shm_zone;
    ngx_http_mta_sts_id_t   *id;
    ngx_http_mta_sts_ids_t  *ctx;

    if (mode == NGX_HTTP_MTA_STS_TXT_OFF || ids->nelts == 0) {
        return NGX_OK;
    }

    ctx = ngx_palloc(cf->pool, sizeof(ngx_http_mta_sts_ids_t));
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    /* stable: of a domain named twice, the first server's id is kept */

    id = ids->elts;

    for (i = 0; i < ids->nelts; i++) {
        id[i].order = i;
    }

    ngx_qsort(id, ids->nelts, sizeof(ngx_http_mta_sts_id_t),
              ngx_http_mta_sts_ids_cmp);

    n = 0;

    for (i = 0; i < ids->nelts; i++) {
        if (n && id[n - 1].domain.len == id[i].domain.len
            && ngx_strncmp(id[n - 1].domain.data, id[i].domain.data,
                           id[i].domain.len)
               == 0)
        {
            continue;
        }

        id[n++] = id[i];
    }

    ctx->ids = id;
    ctx->nids = n;
    ctx->mode = mode;
    ctx->reload = !ngx_is_init_cycle(cf->cycle->old_cycle);

    /*
     * at start and "nginx -t" the records are said here, where they reach
     * the terminal; on a reload, in the zone's init, with the old ids
     */

    if (!ctx->reload) {
        ngx_http_mta_sts_ids_list(cf->log, ctx);
    }

    shm_zone = ngx_shared_memory_add(cf, &ngx_http_mta_sts_ids_zone,
                                     8 * ngx_pagesize, tag);
    if (shm_zone == NULL) {
        return NGX_ERROR;
    }

    shm_zone->init = ngx_http_mta_sts_ids_init;
    shm_zone->data = ctx;

    return NGX_OK;
}


/* by domain, then by place in the configuration */

static int ngx_libc_cdecl
ngx_http_mta_sts_ids_cmp(const void *one, const void *two)
{
    ngx_int_t               rc;
    ngx_http_mta_sts_id_t  *a, *b;

    a = (ngx_http_mta_sts_id_t *) one;
    b = (ngx_http_mta_sts_id_t *) two;

    rc = ngx_memn2cmp(a->domain.data, b->domain.data, a->domain.len,
                      b->domain.len);

    if (rc == 0) {
        return (a->order < b->order) ? -1 : 1;
    }

    return (rc < 0) ? -1 : 1;
}


static void
ngx_http_mta_sts_ids_list(ngx_log_t *log, ngx_http_mta_sts_ids_t *ctx)
{
    ngx_uint_t              i;
    ngx_http_mta_sts_id_t  *id;

    if (ctx->mode != NGX_HTTP_MTA_STS_TXT_ALL
        && ctx->nids > NGX_HTTP_MTA_STS_TXT_LIST)
    {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "%ui MTA-STS policy hosts, each needs its TXT record; "
                      "\"mta_sts_txt_log all\" lists them",
                      ctx->nids);
        return;
    }

    id = ctx->ids;

    for (i = 0; i < ctx->nids; i++) {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "MTA-STS policy of \"%V\": publish "
                      "_mta-sts.%V. TXT \"v=STSv1; id=%V\" "
                      "(RFC 8461, section 3.1)",
                      &id[i].domain, &id[i].domain, &id[i].id);
    }
}


/*
 * "data" is the running configuration's ctx, alive until the new
 * configuration is in place: both lists are sorted, one pass compares.
 */

static ngx_int_t
ngx_http_mta_sts_ids_init(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_mta_sts_ids_t  *octx = data;

    ngx_int_t                rc;
    ngx_uint_t               i, j;
    ngx_http_mta_sts_id_t   *id, *oid;
    ngx_http_mta_sts_ids_t  *ctx;

    ctx = shm_zone->data;

    if (!ctx->reload) {
        return NGX_OK;
    }

    if (octx == NULL || ctx->mode == NGX_HTTP_MTA_STS_TXT_ALL) {
        /* the running configuration had none, or all are asked for */
        ngx_http_mta_sts_ids_list(shm_zone->shm.log, ctx);
        return NGX_OK;
    }

    id = ctx->ids;
    oid = octx->ids;
    i = 0;
    j = 0;

    while (i < ctx->nids || j < octx->nids) {

        if (i == ctx->nids) {
            rc = 1;

        } else if (j == octx->nids) {
            rc = -1;

        } else {
            rc = ngx_memn2cmp(id[i].domain.data, oid[j].domain.data,
                              id[i].domain.len, oid[j].domain.len);
        }

        if (rc < 0) {
            ngx_log_error(NGX_LOG_NOTICE, shm_zone->shm.log, 0,
                          "MTA-STS policy of \"%V\" is new: publish "
                          "_mta-sts.%V. TXT \"v=STSv1; id=%V\" "
                          "(RFC 8461, section 3.1)",
                          &id[i].domain, &id[i].domain, &id[i].id);
            i++;
            continue;
        }

        if (rc > 0) {
            ngx_log_error(NGX_LOG_NOTICE, shm_zone->shm.log, 0,
                          "MTA-STS policy of \"%V\" is no longer served "
                          "here, senders keep it until its max_age ends "
                          "(RFC 8461, section 8.3)",
                          &oid[j].domain);
            j++;
            continue;
        }

        if (id[i].id.len != oid[j].id.len
            || ngx_strncmp(id[i].id.data, oid[j].id.data, id[i].id.len)
               != 0)
        {
            ngx_log_error(NGX_LOG_NOTICE, shm_zone->shm.log, 0,
                          "MTA-STS policy of \"%V\" changed: publish "
                          "_mta-sts.%V. TXT \"v=STSv1; id=%V\" now, it was "
                          "id=%V (RFC 8461, section 8.1)",
                          &id[i].domain, &id[i].domain, &id[i].id,
                          &oid[j].id);
        }

        i++;
        j++;
    }

    return NGX_OK;
}
