
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_http_mta_sts_tlsrpt.h>
#include <ngx_http_mta_sts_tlsrpt_module.h>
#include <ngx_http_mta_sts_tlsrpt_dir.h>
#include <ngx_http_mta_sts_repeat.h>
#include <ngx_http_mta_sts_status_module.h>


/* $mta_sts_tlsrpt_result */
#define NGX_HTTP_MTA_STS_TLSRPT_NONE        0
#define NGX_HTTP_MTA_STS_TLSRPT_STORED      1
#define NGX_HTTP_MTA_STS_TLSRPT_DUPLICATE   2
#define NGX_HTTP_MTA_STS_TLSRPT_BAD         3
#define NGX_HTTP_MTA_STS_TLSRPT_LARGE       4
#define NGX_HTTP_MTA_STS_TLSRPT_FAILED      5
#define NGX_HTTP_MTA_STS_TLSRPT_REFUSED     6


typedef struct {
    /* ngx_http_mta_sts_tlsrpt_dir_t: checked once the configuration is read */
    ngx_array_t                 dirs;

    /* ngx_http_mta_sts_tlsrpt_failures_t *: their counts said at exit */
    ngx_array_t                 failures;
} ngx_http_mta_sts_tlsrpt_main_conf_t;


/* a receiver's failures in this worker, said once a minute when repeated */

typedef struct {
    ngx_http_mta_sts_repeat_t   repeat;
    ngx_event_t                 event;        /* says the counts */
    ngx_str_t                  *path;
    ngx_http_core_loc_conf_t   *clcf;         /* its error_log */
} ngx_http_mta_sts_tlsrpt_failures_t;


typedef struct {
    ngx_str_t                   path;         /* empty: no receiver here */
    size_t                      max_body;
    size_t                      max_json;
    ngx_uint_t                  access;
    ngx_array_t                *domains;      /* ngx_str_t, lowercase */
    ngx_http_mta_sts_tlsrpt_failures_t  *failures;
} ngx_http_mta_sts_tlsrpt_loc_conf_t;


/* what the access log variables show */

typedef struct {
    ngx_uint_t                  result;
    ngx_str_t                   organization;
    ngx_str_t                   report_id;
    ngx_str_t                   domains;
    ngx_str_t                   file;
    uint64_t                    successful;
    uint64_t                    failed;
    ngx_uint_t                  parsed;       /* the counts are known */
} ngx_http_mta_sts_tlsrpt_ctx_t;


typedef struct {
    ngx_file_t                 *file;
    off_t                       offset;
} ngx_http_mta_sts_tlsrpt_body_t;


static ngx_int_t ngx_http_mta_sts_tlsrpt_handler(ngx_http_request_t *r);
static void ngx_http_mta_sts_tlsrpt_body_handler(ngx_http_request_t *r);
static ssize_t ngx_http_mta_sts_tlsrpt_read(void *data, u_char *buf,
    size_t size);
static ngx_int_t ngx_http_mta_sts_tlsrpt_rewind(void *data);
static ngx_int_t ngx_http_mta_sts_tlsrpt_keep(ngx_http_request_t *r,
    ngx_http_mta_sts_tlsrpt_ctx_t *ctx, ngx_http_mta_sts_tlsrpt_t *rpt);
static ngx_int_t ngx_http_mta_sts_tlsrpt_allowed(
    ngx_http_mta_sts_tlsrpt_loc_conf_t *tlcf, ngx_str_t *domains);
static ngx_int_t ngx_http_mta_sts_tlsrpt_store(ngx_http_request_t *r,
    ngx_http_mta_sts_tlsrpt_loc_conf_t *tlcf, ngx_temp_file_t *tf,
    ngx_str_t *path);
static ngx_uint_t ngx_http_mta_sts_tlsrpt_repeated(ngx_http_request_t *r,
    ngx_http_mta_sts_tlsrpt_loc_conf_t *tlcf, const char *what,
    ngx_err_t err, ngx_uint_t level);
static ngx_uint_t ngx_http_mta_sts_tlsrpt_counting(
    ngx_http_mta_sts_tlsrpt_loc_conf_t *tlcf, const char *what);
static void ngx_http_mta_sts_tlsrpt_say_counts(
    ngx_http_mta_sts_tlsrpt_failures_t *f, time_t now);
static void ngx_http_mta_sts_tlsrpt_count_handler(ngx_event_t *ev);
static void ngx_http_mta_sts_tlsrpt_answer(ngx_http_request_t *r,
    ngx_uint_t status);
static ngx_http_mta_sts_tlsrpt_ctx_t *ngx_http_mta_sts_tlsrpt_ctx(
    ngx_http_request_t *r);

static ngx_int_t ngx_http_mta_sts_tlsrpt_result_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_mta_sts_tlsrpt_str_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_mta_sts_tlsrpt_count_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);

static char *ngx_http_mta_sts_tlsrpt(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mta_sts_tlsrpt_domains(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_mta_sts_tlsrpt_add_variables(ngx_conf_t *cf);
static void *ngx_http_mta_sts_tlsrpt_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_mta_sts_tlsrpt_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_mta_sts_tlsrpt_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_http_mta_sts_tlsrpt_init_module(ngx_cycle_t *cycle);
static void ngx_http_mta_sts_tlsrpt_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_http_mta_sts_tlsrpt_commands[] = {

    { ngx_string("mta_sts_tlsrpt"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_mta_sts_tlsrpt,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mta_sts_tlsrpt_max_body_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_tlsrpt_loc_conf_t, max_body),
      NULL },

    { ngx_string("mta_sts_tlsrpt_max_json_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_tlsrpt_loc_conf_t, max_json),
      NULL },

    { ngx_string("mta_sts_tlsrpt_access"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE123,
      ngx_conf_set_access_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_tlsrpt_loc_conf_t, access),
      NULL },

    { ngx_string("mta_sts_tlsrpt_domains"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_mta_sts_tlsrpt_domains,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_mta_sts_tlsrpt_module_ctx = {
    ngx_http_mta_sts_tlsrpt_add_variables, /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_http_mta_sts_tlsrpt_create_main_conf, /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_mta_sts_tlsrpt_create_loc_conf, /* create location conf */
    ngx_http_mta_sts_tlsrpt_merge_loc_conf /* merge location configuration */
};


ngx_module_t  ngx_http_mta_sts_tlsrpt_module = {
    NGX_MODULE_V1,
    &ngx_http_mta_sts_tlsrpt_module_ctx,   /* module context */
    ngx_http_mta_sts_tlsrpt_commands,      /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_mta_sts_tlsrpt_init_module,   /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_mta_sts_tlsrpt_exit_process,  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_variable_t  ngx_http_mta_sts_tlsrpt_vars[] = {

    { ngx_string("mta_sts_tlsrpt_result"), NULL,
      ngx_http_mta_sts_tlsrpt_result_variable, 0, 0, 0 },

    { ngx_string("mta_sts_tlsrpt_organization"), NULL,
      ngx_http_mta_sts_tlsrpt_str_variable,
      offsetof(ngx_http_mta_sts_tlsrpt_ctx_t, organization), 0, 0 },

    { ngx_string("mta_sts_tlsrpt_report_id"), NULL,
      ngx_http_mta_sts_tlsrpt_str_variable,
      offsetof(ngx_http_mta_sts_tlsrpt_ctx_t, report_id), 0, 0 },

    { ngx_string("mta_sts_tlsrpt_domains"), NULL,
      ngx_http_mta_sts_tlsrpt_str_variable,
      offsetof(ngx_http_mta_sts_tlsrpt_ctx_t, domains), 0, 0 },

    { ngx_string("mta_sts_tlsrpt_file"), NULL,
      ngx_http_mta_sts_tlsrpt_str_variable,
      offsetof(ngx_http_mta_sts_tlsrpt_ctx_t, file), 0, 0 },

    { ngx_string("mta_sts_tlsrpt_successful"), NULL,
      ngx_http_mta_sts_tlsrpt_count_variable,
      offsetof(ngx_http_mta_sts_tlsrpt_ctx_t, successful), 0, 0 },

    { ngx_string("mta_sts_tlsrpt_failed"), NULL,
      ngx_http_mta_sts_tlsrpt_count_variable,
      offsetof(ngx_http_mta_sts_tlsrpt_ctx_t, failed), 0, 0 },

      ngx_http_null_variable
};


static ngx_str_t  ngx_http_mta_sts_tlsrpt_results[] = {
    ngx_null_string,
    ngx_string("stored"),
    ngx_string("duplicate"),
    ngx_string("invalid"),
    ngx_string("too_large"),
    ngx_string("error"),
    ngx_string("refused")
};


static ngx_str_t  ngx_http_mta_sts_tlsrpt_allow = ngx_string("Allow");
static ngx_str_t  ngx_http_mta_sts_tlsrpt_post = ngx_string("POST");


/*
 * RFC 8460, section 5.4: a report is POSTed, and any 2xx means it was
 * delivered; other answers may make the sender retry (section 5.5).
 */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_handler(ngx_http_request_t *r)
{
    ngx_int_t                            rc;
    ngx_table_elt_t                     *h;
    ngx_http_mta_sts_tlsrpt_ctx_t       *ctx;
    ngx_http_mta_sts_tlsrpt_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_mta_sts_tlsrpt_module);

    if (r->method != NGX_HTTP_POST) {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }

        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
#if (nginx_version >= 1023000)
        h->next = NULL;
#endif
        h->key = ngx_http_mta_sts_tlsrpt_allow;
        h->value = ngx_http_mta_sts_tlsrpt_post;

        return NGX_HTTP_NOT_ALLOWED;
    }

    ctx = ngx_http_mta_sts_tlsrpt_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* refused before the body is read, as client_max_body_size does */

    if (r->headers_in.content_length_n > (off_t) tlcf->max_body) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "TLS report refused: Content-Length %O is over "
                      "mta_sts_tlsrpt_max_body_size",
                      r->headers_in.content_length_n);

        ctx->result = NGX_HTTP_MTA_STS_TLSRPT_LARGE;

        r->expect_tested = 1;
        (void) ngx_http_discard_request_body(r);

        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    r->request_body_in_file_only = 1;
    r->request_body_in_persistent_file = 1;
    r->request_body_in_clean_file = 1;
    r->request_body_file_log_level = 0;

    rc = ngx_http_read_client_request_body(r,
                                       ngx_http_mta_sts_tlsrpt_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        if (rc == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE) {
            ctx->result = NGX_HTTP_MTA_STS_TLSRPT_LARGE;
        }

        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_mta_sts_tlsrpt_body_handler(ngx_http_request_t *r)
{
    off_t                                size;
    u_char                              *p;
    ngx_int_t                            rc;
    ngx_str_t                            path;
    ngx_temp_file_t                     *tf;
    ngx_http_mta_sts_tlsrpt_t            rpt;
    ngx_http_mta_sts_tlsrpt_ctx_t       *ctx;
    ngx_http_mta_sts_tlsrpt_body_t       body;
    ngx_http_mta_sts_tlsrpt_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_mta_sts_tlsrpt_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_mta_sts_tlsrpt_module);

    if (r->request_body == NULL || r->request_body->temp_file == NULL
        || r->request_body->temp_file->file.offset == 0)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "TLS report refused: no body");
        ctx->result = NGX_HTTP_MTA_STS_TLSRPT_BAD;
        ngx_http_finalize_request(r, NGX_HTTP_BAD_REQUEST);
        return;
    }

    tf = r->request_body->temp_file;

    /* a chunked body has no Content-Length to refuse it by */

    if (tf->file.offset > (off_t) tlcf->max_body) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "TLS report refused: a body of %O bytes is over "
                      "mta_sts_tlsrpt_max_body_size", tf->file.offset);
        ctx->result = NGX_HTTP_MTA_STS_TLSRPT_LARGE;
        ngx_http_finalize_request(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE);
        return;
    }

    body.file = &tf->file;
    body.offset = 0;

    rpt.max_json = tlcf->max_json;
    rpt.read = ngx_http_mta_sts_tlsrpt_read;
    rpt.data = &body;
    rpt.body_size = (size_t) tf->file.offset;
    rpt.rewind = ngx_http_mta_sts_tlsrpt_rewind;

    size = tf->file.offset;

    rc = ngx_http_mta_sts_tlsrpt_parse(&rpt);

    /* ngx_read_file() counts what it reads in the offset, as if written */

    tf->file.offset = size;

    if (ngx_http_mta_sts_tlsrpt_keep(r, ctx, &rpt) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    switch (rc) {

    case NGX_HTTP_MTA_STS_TLSRPT_OK:
        break;

    case NGX_HTTP_MTA_STS_TLSRPT_INVALID:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "TLS report refused: %s", rpt.reason);
        ctx->result = NGX_HTTP_MTA_STS_TLSRPT_BAD;
        ngx_http_finalize_request(r, NGX_HTTP_BAD_REQUEST);
        return;

    case NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "TLS report refused: %s", rpt.reason);
        ctx->result = NGX_HTTP_MTA_STS_TLSRPT_LARGE;
        ngx_http_finalize_request(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE);
        return;

    default:
        if (!ngx_http_mta_sts_tlsrpt_repeated(r, tlcf, rpt.reason, 0,
                                              NGX_LOG_ALERT))
        {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "TLS report not stored: %s", rpt.reason);
        }

        ctx->result = NGX_HTTP_MTA_STS_TLSRPT_FAILED;
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (tlcf->domains
        && ngx_http_mta_sts_tlsrpt_allowed(tlcf, &ctx->domains) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "TLS report refused: policy domains \"%V\" are not in "
                      "mta_sts_tlsrpt_domains", &ctx->domains);
        ctx->result = NGX_HTTP_MTA_STS_TLSRPT_REFUSED;
        ngx_http_finalize_request(r, NGX_HTTP_FORBIDDEN);
        return;
    }

    path.len = tlcf->path.len + 1 + rpt.name_len;
    path.data = ngx_pnalloc(r->pool, path.len + 1);
    if (path.data == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    p = ngx_cpymem(path.data, tlcf->path.data, tlcf->path.len);
    *p++ = '/';
    ngx_memcpy(p, rpt.name, rpt.name_len + 1);

    ctx->file.data = p;
    ctx->file.len = rpt.name_len;

    rc = ngx_http_mta_sts_tlsrpt_store(r, tlcf, tf, &path);

    switch (rc) {

    case NGX_OK:
        ctx->result = NGX_HTTP_MTA_STS_TLSRPT_STORED;
        ngx_http_mta_sts_status_report(r, &rpt);
        ngx_http_mta_sts_tlsrpt_answer(r, NGX_HTTP_CREATED);
        return;

    case NGX_DECLINED:
        ctx->result = NGX_HTTP_MTA_STS_TLSRPT_DUPLICATE;
        ngx_http_mta_sts_tlsrpt_answer(r, NGX_HTTP_OK);
        return;

    default:
        ctx->result = NGX_HTTP_MTA_STS_TLSRPT_FAILED;
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }
}


static ssize_t
ngx_http_mta_sts_tlsrpt_read(void *data, u_char *buf, size_t size)
{
    ngx_http_mta_sts_tlsrpt_body_t *body = data;

    ssize_t  n;

    n = ngx_read_file(body->file, buf, size, body->offset);

    if (n == NGX_ERROR) {
        return -1;
    }

    body->offset += n;

    return n;
}


static ngx_int_t
ngx_http_mta_sts_tlsrpt_rewind(void *data)
{
    ngx_http_mta_sts_tlsrpt_body_t *body = data;

    body->offset = 0;

    return NGX_OK;
}


/* the report's fields for the access log, copied out of the parser's */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_keep(ngx_http_request_t *r,
    ngx_http_mta_sts_tlsrpt_ctx_t *ctx, ngx_http_mta_sts_tlsrpt_t *rpt)
{
    size_t   len;
    u_char  *p;

    len = rpt->organization_len + rpt->report_id_len + rpt->domains_len;

    if (len == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ctx->organization.data = p;
    ctx->organization.len = rpt->organization_len;
    p = ngx_cpymem(p, rpt->organization, rpt->organization_len);

    ctx->report_id.data = p;
    ctx->report_id.len = rpt->report_id_len;
    p = ngx_cpymem(p, rpt->report_id, rpt->report_id_len);

    ctx->domains.data = p;
    ctx->domains.len = rpt->domains_len;
    ngx_memcpy(p, rpt->domains, rpt->domains_len);

    ctx->successful = rpt->successful;
    ctx->failed = rpt->failed;
    ctx->parsed = 1;

    return NGX_OK;
}


/* a report is stored when one of its policy domains is on the list */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_allowed(ngx_http_mta_sts_tlsrpt_loc_conf_t *tlcf,
    ngx_str_t *domains)
{
    u_char      *p, *last, *comma;
    size_t       len;
    ngx_str_t   *d;
    ngx_uint_t   i;

    d = tlcf->domains->elts;
    p = domains->data;
    last = p + domains->len;

    while (p < last) {
        comma = ngx_strlchr(p, last, ',');
        len = (comma ? comma : last) - p;

        for (i = 0; i < tlcf->domains->nelts; i++) {
            if (d[i].len == len && ngx_memcmp(d[i].data, p, len) == 0) {
                return NGX_OK;
            }
        }

        if (comma == NULL) {
            break;
        }

        p = comma + 1;
    }

    return NGX_DECLINED;
}


/*
 * The body's temp file becomes the report's file with link(2): never half
 * written, and a name that exists already (the same report sent again)
 * is left as it is.  When the temp file is on another file system, a
 * copy in the directory is linked instead.  NGX_DECLINED: a duplicate.
 */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_store(ngx_http_request_t *r,
    ngx_http_mta_sts_tlsrpt_loc_conf_t *tlcf, ngx_temp_file_t *tf,
    ngx_str_t *path)
{
    ngx_err_t        err;
    ngx_str_t        copy;
    ngx_log_t        quiet;
    ngx_copy_file_t  cf;

    /* nginx made the temp file 0600, as the default wants it */

    if (tlcf->access != 0600 && fchmod(tf->file.fd, tlcf->access) == -1) {
        err = ngx_errno;

        if (!ngx_http_mta_sts_tlsrpt_repeated(r, tlcf, "fchmod() failed",
                                              err, NGX_LOG_CRIT))
        {
            ngx_log_error(NGX_LOG_CRIT, r->connection->log, err,
                          "fchmod() \"%s\" failed", tf->file.name.data);
        }

        return NGX_ERROR;
    }

    if (link((char *) tf->file.name.data, (char *) path->data) == 0) {
        return NGX_OK;
    }

    err = ngx_errno;

    if (err == NGX_EEXIST) {
        return NGX_DECLINED;
    }

    if (err != NGX_EXDEV) {
        if (!ngx_http_mta_sts_tlsrpt_repeated(r, tlcf, "link() failed", err,
                                              NGX_LOG_CRIT))
        {
            ngx_log_error(NGX_LOG_CRIT, r->connection->log, err,
                          "link() \"%s\" to \"%s\" failed",
                          tf->file.name.data, path->data);
        }

        return NGX_ERROR;
    }

    /* "<dir>/.<name>.<pid>", hidden from tools reading the directory */

    copy.data = ngx_pnalloc(r->pool, path->len + 2 + NGX_INT64_LEN + 1);
    if (copy.data == NULL) {
        return NGX_ERROR;
    }

    (void) ngx_sprintf(copy.data, "%V/.%s.%P%Z", &tlcf->path,
                       path->data + tlcf->path.len + 1, ngx_pid);

    cf.size = tf->file.offset;
    cf.buf_size = 0;
    cf.access = tlcf->access;
    cf.time = -1;
    cf.log = r->connection->log;

    /* ngx_copy_file() says why it failed, unless that is being counted */

    if (ngx_http_mta_sts_tlsrpt_counting(tlcf, "copying it failed")) {
        quiet = *r->connection->log;
        quiet.log_level = NGX_LOG_STDERR;
        cf.log = &quiet;
    }

    if (ngx_copy_file(tf->file.name.data, copy.data, &cf) != NGX_OK) {
        (void) ngx_http_mta_sts_tlsrpt_repeated(r, tlcf, "copying it failed",
                                                0, NGX_LOG_CRIT);
        (void) ngx_delete_file(copy.data);
        return NGX_ERROR;
    }

    if (link((char *) copy.data, (char *) path->data) == 0) {
        (void) ngx_delete_file(copy.data);
        return NGX_OK;
    }

    err = ngx_errno;

    (void) ngx_delete_file(copy.data);

    if (err == NGX_EEXIST) {
        return NGX_DECLINED;
    }

    if (!ngx_http_mta_sts_tlsrpt_repeated(r, tlcf, "link() failed", err,
                                          NGX_LOG_CRIT))
    {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, err,
                      "link() \"%s\" to \"%s\" failed",
                      copy.data, path->data);
    }

    return NGX_ERROR;
}


/*
 * A report not stored, for a reason that may repeat for every report
 * (a directory the workers cannot write to): 0 to log it in full, 1 when
 * the same failure was logged less than a minute ago and is only
 * counted; the count is said when the minute ends (issue 19: 403,000
 * lines in 21 seconds otherwise).  The answer stays 500 either way.
 */

static ngx_uint_t
ngx_http_mta_sts_tlsrpt_repeated(ngx_http_request_t *r,
    ngx_http_mta_sts_tlsrpt_loc_conf_t *tlcf, const char *what,
    ngx_err_t err, ngx_uint_t level)
{
    time_t                               now, next;
    ngx_http_mta_sts_tlsrpt_failures_t  *f;

    f = tlcf->failures;
    now = ngx_time();

    ngx_http_mta_sts_tlsrpt_say_counts(f, now);

    if (ngx_http_mta_sts_repeat_add(&f->repeat, what, err, level, now)) {
        return 0;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, err,
                   "TLS report not stored in \"%V\": %s, counted",
                   f->path, what);

    if (!f->event.timer_set) {
        next = ngx_http_mta_sts_repeat_next(&f->repeat);

        f->event.log = f->clcf->error_log;
        ngx_add_timer(&f->event, (ngx_msec_t) (next - now) * 1000);
    }

    return 1;
}


/* whether such a failure now would only be counted */

static ngx_uint_t
ngx_http_mta_sts_tlsrpt_counting(ngx_http_mta_sts_tlsrpt_loc_conf_t *tlcf,
    const char *what)
{
    time_t                               now;
    ngx_http_mta_sts_tlsrpt_failures_t  *f;

    f = tlcf->failures;
    now = ngx_time();

    ngx_http_mta_sts_tlsrpt_say_counts(f, now);

    return ngx_http_mta_sts_repeat_counting(&f->repeat, what, 0, now);
}


static void
ngx_http_mta_sts_tlsrpt_say_counts(ngx_http_mta_sts_tlsrpt_failures_t *f,
    time_t now)
{
    u_char                          *p, *last;
    ngx_http_mta_sts_repeat_kind_t   k;
    u_char                           why[NGX_MAX_ERROR_STR];

    while (ngx_http_mta_sts_repeat_due(&f->repeat, now, &k) == NGX_OK) {

        p = why;
        last = why + sizeof(why) - 1;

        if (k.err) {
            p = ngx_slprintf(p, last, " (%d: ", k.err);
            p = ngx_strerror(k.err, p, last - p);
            p = ngx_slprintf(p, last, ")");
        }

        ngx_log_error(k.level, f->clcf->error_log, 0,
                      "TLS report not stored in \"%V\": %s%*s, and %ui more "
                      "reports failed the same way in the last minute",
                      f->path, k.what, p - why, why, k.count);
    }
}


static void
ngx_http_mta_sts_tlsrpt_count_handler(ngx_event_t *ev)
{
    time_t                               now, next;
    ngx_http_mta_sts_tlsrpt_failures_t  *f;

    f = ev->data;
    now = ngx_time();

    ngx_http_mta_sts_tlsrpt_say_counts(f, now);

    next = ngx_http_mta_sts_repeat_next(&f->repeat);

    if (next) {
        ngx_add_timer(ev, (ngx_msec_t) (next > now ? next - now : 1) * 1000);
    }
}


/* 201 or 200, no body (RFC 8460, section 5.4) */

static void
ngx_http_mta_sts_tlsrpt_answer(ngx_http_request_t *r, ngx_uint_t status)
{
    r->headers_out.status = status;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    ngx_http_finalize_request(r, ngx_http_send_header(r));
}


static ngx_http_mta_sts_tlsrpt_ctx_t *
ngx_http_mta_sts_tlsrpt_ctx(ngx_http_request_t *r)
{
    ngx_http_mta_sts_tlsrpt_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_mta_sts_tlsrpt_module);

    if (ctx) {
        return ctx;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_mta_sts_tlsrpt_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_mta_sts_tlsrpt_module);

    return ctx;
}


static ngx_int_t
ngx_http_mta_sts_tlsrpt_result_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                      *s;
    ngx_http_mta_sts_tlsrpt_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_mta_sts_tlsrpt_module);

    if (ctx == NULL || ctx->result == NGX_HTTP_MTA_STS_TLSRPT_NONE) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = &ngx_http_mta_sts_tlsrpt_results[ctx->result];

    v->len = s->len;
    v->data = s->data;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_http_mta_sts_tlsrpt_str_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                      *s;
    ngx_http_mta_sts_tlsrpt_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_mta_sts_tlsrpt_module);

    if (ctx == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    s = (ngx_str_t *) ((char *) ctx + data);

    if (s->len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = s->len;
    v->data = s->data;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_http_mta_sts_tlsrpt_count_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                         *p;
    ngx_http_mta_sts_tlsrpt_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_mta_sts_tlsrpt_module);

    if (ctx == NULL || !ctx->parsed) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(p, "%uL", *(uint64_t *) ((char *) ctx + data)) - p;
    v->data = p;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static char *
ngx_http_mta_sts_tlsrpt(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mta_sts_tlsrpt_loc_conf_t *tlcf = conf;

    ngx_str_t                            *value;
    ngx_http_core_loc_conf_t             *clcf;
    ngx_http_mta_sts_tlsrpt_dir_t        *d;
    ngx_http_mta_sts_tlsrpt_failures_t  **f;
    ngx_http_mta_sts_tlsrpt_main_conf_t  *tmcf;

    if (tlcf->path.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid directory \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    tlcf->path = value[1];

    while (tlcf->path.len > 1
           && tlcf->path.data[tlcf->path.len - 1] == '/')
    {
        tlcf->path.len--;
    }

    if (ngx_conf_full_name(cf->cycle, &tlcf->path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_mta_sts_tlsrpt_handler;

    tmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_mta_sts_tlsrpt_module);

    d = ngx_array_push(&tmcf->dirs);
    if (d == NULL) {
        return NGX_CONF_ERROR;
    }

    d->path = &tlcf->path;
    d->clcf = clcf;
    d->file = cf->conf_file->file.name.data;
    d->line = cf->conf_file->line;

    tlcf->failures = ngx_pcalloc(cf->pool,
                                 sizeof(ngx_http_mta_sts_tlsrpt_failures_t));
    if (tlcf->failures == NULL) {
        return NGX_CONF_ERROR;
    }

    tlcf->failures->path = &tlcf->path;
    tlcf->failures->clcf = clcf;
    tlcf->failures->event.handler = ngx_http_mta_sts_tlsrpt_count_handler;
    tlcf->failures->event.data = tlcf->failures;
    tlcf->failures->event.cancelable = 1;

    f = ngx_array_push(&tmcf->failures);
    if (f == NULL) {
        return NGX_CONF_ERROR;
    }

    *f = tlcf->failures;

    return NGX_CONF_OK;
}


static char *
ngx_http_mta_sts_tlsrpt_domains(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_mta_sts_tlsrpt_loc_conf_t *tlcf = conf;

    size_t       len;
    ngx_str_t   *value, *d;
    ngx_uint_t   i;

    if (tlcf->domains != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    tlcf->domains = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                     sizeof(ngx_str_t));
    if (tlcf->domains == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        d = ngx_array_push(tlcf->domains);
        if (d == NULL) {
            return NGX_CONF_ERROR;
        }

        d->data = ngx_pnalloc(cf->pool, 254);
        if (d->data == NULL) {
            return NGX_CONF_ERROR;
        }

        len = ngx_http_mta_sts_tlsrpt_domain(d->data, value[i].data,
                                             value[i].len);
        if (len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid domain \"%V\", it must be a domain "
                               "name in A-labels", &value[i]);
            return NGX_CONF_ERROR;
        }

        d->len = len;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_mta_sts_tlsrpt_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_mta_sts_tlsrpt_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


ngx_uint_t
ngx_http_mta_sts_tlsrpt_receivers(ngx_conf_t *cf)
{
    ngx_http_mta_sts_tlsrpt_main_conf_t  *tmcf;

    tmcf = ngx_http_conf_get_module_main_conf(cf,
                                              ngx_http_mta_sts_tlsrpt_module);

    return tmcf == NULL ? 0 : tmcf->dirs.nelts;
}


static void *
ngx_http_mta_sts_tlsrpt_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_mta_sts_tlsrpt_main_conf_t  *tmcf;

    tmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_tlsrpt_main_conf_t));
    if (tmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&tmcf->dirs, cf->pool, 1,
                       sizeof(ngx_http_mta_sts_tlsrpt_dir_t))
        != NGX_OK)
    {
        return NULL;
    }

    if (ngx_array_init(&tmcf->failures, cf->pool, 1,
                       sizeof(ngx_http_mta_sts_tlsrpt_failures_t *))
        != NGX_OK)
    {
        return NULL;
    }

    return tmcf;
}


static void *
ngx_http_mta_sts_tlsrpt_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_mta_sts_tlsrpt_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_tlsrpt_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->path = { 0, NULL };
     */

    conf->max_body = NGX_CONF_UNSET_SIZE;
    conf->max_json = NGX_CONF_UNSET_SIZE;
    conf->access = NGX_CONF_UNSET_UINT;
    conf->domains = NGX_CONF_UNSET_PTR;

    return conf;
}


static char *
ngx_http_mta_sts_tlsrpt_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_mta_sts_tlsrpt_loc_conf_t *prev = parent;
    ngx_http_mta_sts_tlsrpt_loc_conf_t *conf = child;

    /*
     * RFC 8460, section 5.2: "a commonly observed receiver limit is ten
     * megabytes" of JSON; real gzip'd reports are a few hundred bytes
     */

    ngx_conf_merge_size_value(conf->max_body, prev->max_body, 1024 * 1024);
    ngx_conf_merge_size_value(conf->max_json, prev->max_json,
                              10 * 1024 * 1024);
    ngx_conf_merge_uint_value(conf->access, prev->access, 0600);
    ngx_conf_merge_ptr_value(conf->domains, prev->domains, NULL);

    return NGX_CONF_OK;
}


/*
 * The receivers' directories, checked when the whole configuration is
 * read: the "user" directive may stand after the http block, and nginx
 * sets its default user only then.
 */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_init_module(ngx_cycle_t *cycle)
{
    ngx_http_mta_sts_tlsrpt_main_conf_t  *tmcf;

    tmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_mta_sts_tlsrpt_module);

    /*
     * said where nginx says what it finds while reading the configuration:
     * the log of the running cycle (at start, stderr or "-e"), not the new
     * one, whose level hides warnings by default
     */

    if (tmcf) {
        ngx_http_mta_sts_tlsrpt_dir_check(cycle, cycle->old_cycle->log,
                                          &tmcf->dirs);
    }

    return NGX_OK;
}


static void
ngx_http_mta_sts_tlsrpt_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                            i;
    ngx_http_mta_sts_tlsrpt_failures_t  **f;
    ngx_http_mta_sts_tlsrpt_main_conf_t  *tmcf;

    /*
     * the counts of minutes not ended yet, or a reload would lose them:
     * each minute is over for this worker
     */

    tmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_mta_sts_tlsrpt_module);

    if (tmcf) {
        f = tmcf->failures.elts;

        for (i = 0; i < tmcf->failures.nelts; i++) {
            ngx_http_mta_sts_tlsrpt_say_counts(f[i], NGX_MAX_TIME_T_VALUE);
        }
    }

    /* the inflater kept from report to report */

    ngx_http_mta_sts_tlsrpt_cleanup();
}
