
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_sha1.h>
#include <ngx_http_mta_sts_policy.h>


#define NGX_HTTP_MTA_STS_HOST_PREFIX  "mta-sts."
#define NGX_HTTP_MTA_STS_URI          "/.well-known/mta-sts.txt"
#define NGX_HTTP_MTA_STS_DAY          86400
#define NGX_HTTP_MTA_STS_ID_LEN       32


typedef struct {
    ngx_uint_t    mode;
    ngx_array_t  *mx;
    time_t        max_age;

    /* where the directives stand, for the checks made at merge time */
    u_char       *mode_file;
    ngx_uint_t    mode_line;
    u_char       *max_age_file;
    ngx_uint_t    max_age_line;

    /* built once at merge time */
    ngx_str_t     body;
    ngx_str_t     id;
    ngx_str_t     etag;
} ngx_http_mta_sts_srv_conf_t;


static ngx_int_t ngx_http_mta_sts_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_mta_sts_send(ngx_http_request_t *r,
    ngx_http_mta_sts_srv_conf_t *mscf);
static ngx_int_t ngx_http_mta_sts_not_allowed(ngx_http_request_t *r);

static ngx_int_t ngx_http_mta_sts_id_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_mta_sts_domain_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);

static char *ngx_http_mta_sts_mode(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mta_sts_mx(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_mta_sts_max_age(ngx_conf_t *cf, void *post,
    void *data);

static ngx_int_t ngx_http_mta_sts_build(ngx_conf_t *cf,
    ngx_http_mta_sts_srv_conf_t *mscf);

static ngx_int_t ngx_http_mta_sts_add_variables(ngx_conf_t *cf);
static void *ngx_http_mta_sts_create_srv_conf(ngx_conf_t *cf);
static char *ngx_http_mta_sts_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_mta_sts_init(ngx_conf_t *cf);


static ngx_conf_post_handler_pt  ngx_http_mta_sts_max_age_p =
    ngx_http_mta_sts_max_age;


static ngx_command_t  ngx_http_mta_sts_commands[] = {

    { ngx_string("mta_sts_mode"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_http_mta_sts_mode,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mta_sts_mx"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_1MORE,
      ngx_http_mta_sts_mx,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("mta_sts_max_age"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_srv_conf_t, max_age),
      &ngx_http_mta_sts_max_age_p },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_mta_sts_module_ctx = {
    ngx_http_mta_sts_add_variables,        /* preconfiguration */
    ngx_http_mta_sts_init,                 /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    ngx_http_mta_sts_create_srv_conf,      /* create server configuration */
    ngx_http_mta_sts_merge_srv_conf,       /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_mta_sts_module = {
    NGX_MODULE_V1,
    &ngx_http_mta_sts_module_ctx,          /* module context */
    ngx_http_mta_sts_commands,             /* module directives */
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


static ngx_http_variable_t  ngx_http_mta_sts_vars[] = {

    { ngx_string("mta_sts_policy_id"), NULL, ngx_http_mta_sts_id_variable,
      0, 0, 0 },

    { ngx_string("mta_sts_domain"), NULL, ngx_http_mta_sts_domain_variable,
      0, 0, 0 },

      ngx_http_null_variable
};


static ngx_str_t  ngx_http_mta_sts_type = ngx_string("text/plain");


/*
 * Runs in the server rewrite phase: before the site's own server-level
 * "rewrite" and "return", location matching, access checks and content
 * handlers, so none of them can redirect, deny or replace the policy.
 */

static ngx_int_t
ngx_http_mta_sts_handler(ngx_http_request_t *r)
{
    ngx_http_mta_sts_srv_conf_t  *mscf;

    mscf = ngx_http_get_module_srv_conf(r, ngx_http_mta_sts_module);

    if (mscf->body.len == 0) {
        return NGX_DECLINED;
    }

    if (r->uri.len != sizeof(NGX_HTTP_MTA_STS_URI) - 1
        || ngx_strncmp(r->uri.data, NGX_HTTP_MTA_STS_URI,
                       sizeof(NGX_HTTP_MTA_STS_URI) - 1)
           != 0)
    {
        return NGX_DECLINED;
    }

    /* the host is already validated and lowercased by nginx */

    if (r->headers_in.server.len <= sizeof(NGX_HTTP_MTA_STS_HOST_PREFIX) - 1
        || ngx_strncmp(r->headers_in.server.data,
                       NGX_HTTP_MTA_STS_HOST_PREFIX,
                       sizeof(NGX_HTTP_MTA_STS_HOST_PREFIX) - 1)
           != 0)
    {
        return NGX_DECLINED;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return ngx_http_mta_sts_not_allowed(r);
    }

    return ngx_http_mta_sts_send(r, mscf);
}


static ngx_int_t
ngx_http_mta_sts_send(ngx_http_request_t *r,
    ngx_http_mta_sts_srv_conf_t *mscf)
{
    ngx_int_t         rc;
    ngx_buf_t        *b;
    ngx_chain_t       out;
    ngx_table_elt_t  *h;

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
    ngx_str_set(&h->key, "ETag");
    h->value = mscf->etag;

    r->headers_out.etag = h;
    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = mscf->body.len;
    r->headers_out.content_type_len = ngx_http_mta_sts_type.len;
    r->headers_out.content_type = ngx_http_mta_sts_type;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = mscf->body.data;
    b->last = mscf->body.data + mscf->body.len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


static ngx_int_t
ngx_http_mta_sts_not_allowed(ngx_http_request_t *r)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    ngx_str_set(&h->key, "Allow");
    ngx_str_set(&h->value, "GET, HEAD");

    return NGX_HTTP_NOT_ALLOWED;
}


static ngx_int_t
ngx_http_mta_sts_id_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_mta_sts_srv_conf_t  *mscf;

    mscf = ngx_http_get_module_srv_conf(r, ngx_http_mta_sts_module);

    v->len = mscf->id.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = mscf->id.data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_mta_sts_domain_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    size_t      len;
    ngx_str_t  *host;

    host = &r->headers_in.server;
    len = sizeof(NGX_HTTP_MTA_STS_HOST_PREFIX) - 1;

    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    if (host->len > len
        && ngx_strncmp(host->data, NGX_HTTP_MTA_STS_HOST_PREFIX, len) == 0)
    {
        v->len = host->len - len;
        v->data = host->data + len;

    } else {
        v->len = 0;
        v->data = (u_char *) "";
    }

    return NGX_OK;
}


static char *
ngx_http_mta_sts_mode(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mta_sts_srv_conf_t *mscf = conf;

    ngx_int_t   mode;
    ngx_str_t  *value;

    if (mscf->mode != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    mode = ngx_http_mta_sts_mode_value(value[1].data, value[1].len);

    if (mode == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid mode \"%V\", it must be \"off\", "
                           "\"none\", \"testing\" or \"enforce\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    mscf->mode = mode;
    mscf->mode_file = cf->conf_file->file.name.data;
    mscf->mode_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static char *
ngx_http_mta_sts_mx(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mta_sts_srv_conf_t *mscf = conf;

    char        *err;
    ngx_str_t   *value, *mx;
    ngx_uint_t   i, flags;

    if (mscf->mx == NGX_CONF_UNSET_PTR) {
        mscf->mx = ngx_array_create(cf->pool, 4, sizeof(ngx_str_t));
        if (mscf->mx == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        err = ngx_http_mta_sts_mx_check(value[i].data, value[i].len, &flags);

        if (err) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid mx pattern \"%V\": %s",
                               &value[i], err);
            return NGX_CONF_ERROR;
        }

        if (flags & NGX_HTTP_MTA_STS_MX_TLD) {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "mx pattern \"%V\" matches any host "
                               "directly under a top-level domain",
                               &value[i]);
        }

        if (ngx_http_mta_sts_mx_find(mscf->mx->elts, mscf->mx->nelts,
                                     value[i].data, value[i].len)
            != NGX_ERROR)
        {
            ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                               "mx pattern \"%V\" is duplicate, "
                               "it is served once", &value[i]);
            continue;
        }

        mx = ngx_array_push(mscf->mx);
        if (mx == NULL) {
            return NGX_CONF_ERROR;
        }

        *mx = value[i];
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_mta_sts_max_age(ngx_conf_t *cf, void *post, void *data)
{
    time_t  *max_age = data;

    ngx_str_t                    *value;
    ngx_http_mta_sts_srv_conf_t  *mscf;

    value = cf->args->elts;

    /* RFC 8461, section 3.2: at most 31557600 seconds, about a year */

    if (*max_age > NGX_HTTP_MTA_STS_MAX_AGE_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "max_age \"%V\" is more than %d seconds",
                           &value[1], NGX_HTTP_MTA_STS_MAX_AGE_MAX);
        return NGX_CONF_ERROR;
    }

    mscf = (ngx_http_mta_sts_srv_conf_t *)
               ((u_char *) data
                - offsetof(ngx_http_mta_sts_srv_conf_t, max_age));

    mscf->max_age_file = cf->conf_file->file.name.data;
    mscf->max_age_line = cf->conf_file->line;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_mta_sts_build(ngx_conf_t *cf, ngx_http_mta_sts_srv_conf_t *mscf)
{
    u_char                     *p;
    size_t                      size;
    ngx_sha1_t                  sha1;
    ngx_http_mta_sts_policy_t   policy;
    u_char                      hash[20];

    policy.mode = mscf->mode;
    policy.max_age = mscf->max_age;

    if (mscf->mx) {
        policy.mx = mscf->mx->elts;
        policy.nmx = mscf->mx->nelts;

    } else {
        policy.mx = NULL;
        policy.nmx = 0;
    }

    if (policy.nmx == 0 && mscf->mode != NGX_HTTP_MTA_STS_NONE) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"mta_sts_mx\" is defined for "
                      "mta_sts_mode \"%V\" in %s:%ui",
                      ngx_http_mta_sts_mode_name(mscf->mode),
                      mscf->mode_file, mscf->mode_line);
        return NGX_ERROR;
    }

    if (policy.nmx == 0) {
        ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                      "no \"mta_sts_mx\" is defined for mta_sts_mode "
                      "\"none\", some senders reject a policy without mx "
                      "in %s:%ui", mscf->mode_file, mscf->mode_line);
    }

    if (mscf->mode == NGX_HTTP_MTA_STS_ENFORCE
        && mscf->max_age < NGX_HTTP_MTA_STS_DAY)
    {
        ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                      "mta_sts_max_age of %T seconds is less than a day "
                      "for mta_sts_mode \"enforce\" in %s:%ui",
                      mscf->max_age, mscf->max_age_file, mscf->max_age_line);
    }

    size = ngx_http_mta_sts_policy_size(&policy);

    /* RFC 8461, section 3.3: senders may refuse more than 64 KB */

    if (size > NGX_HTTP_MTA_STS_BODY_MAX) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "MTA-STS policy of %uz bytes is larger than %d bytes "
                      "in %s:%ui", size, NGX_HTTP_MTA_STS_BODY_MAX,
                      mscf->mode_file, mscf->mode_line);
        return NGX_ERROR;
    }

    /* the body, the id and the quoted id as ETag, in one allocation */

    p = ngx_pnalloc(cf->pool, size + 2 + NGX_HTTP_MTA_STS_ID_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    mscf->body.data = p;
    mscf->body.len = ngx_http_mta_sts_policy_render(p, &policy) - p;

    /*
     * RFC 8461, section 3.1: the id must change with the policy; half of
     * the body's SHA-1 in hex is the same wherever the same policy is served
     */

    ngx_sha1_init(&sha1);
    ngx_sha1_update(&sha1, mscf->body.data, mscf->body.len);
    ngx_sha1_final(hash, &sha1);

    p += mscf->body.len;
    mscf->etag.data = p;

    *p++ = '"';
    p = ngx_hex_dump(p, hash, NGX_HTTP_MTA_STS_ID_LEN / 2);
    *p++ = '"';

    mscf->etag.len = NGX_HTTP_MTA_STS_ID_LEN + 2;
    mscf->id.data = mscf->etag.data + 1;
    mscf->id.len = NGX_HTTP_MTA_STS_ID_LEN;

    return NGX_OK;
}


static ngx_int_t
ngx_http_mta_sts_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_mta_sts_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static void *
ngx_http_mta_sts_create_srv_conf(ngx_conf_t *cf)
{
    ngx_http_mta_sts_srv_conf_t  *mscf;

    mscf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_srv_conf_t));
    if (mscf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     mscf->mode_file = NULL;
     *     mscf->max_age_file = NULL;
     *     mscf->body = { 0, NULL };
     *     mscf->id = { 0, NULL };
     *     mscf->etag = { 0, NULL };
     */

    mscf->mode = NGX_CONF_UNSET_UINT;
    mscf->mx = NGX_CONF_UNSET_PTR;
    mscf->max_age = NGX_CONF_UNSET;

    return mscf;
}


static char *
ngx_http_mta_sts_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_mta_sts_srv_conf_t *prev = parent;
    ngx_http_mta_sts_srv_conf_t *conf = child;

    ngx_uint_t  inherited;

    inherited = (conf->mode == NGX_CONF_UNSET_UINT
                 && conf->mx == NGX_CONF_UNSET_PTR
                 && conf->max_age == NGX_CONF_UNSET);

    if (conf->mode == NGX_CONF_UNSET_UINT) {
        conf->mode_file = prev->mode_file;
        conf->mode_line = prev->mode_line;
    }

    if (conf->max_age == NGX_CONF_UNSET) {
        conf->max_age_file = prev->max_age_file;
        conf->max_age_line = prev->max_age_line;
    }

    ngx_conf_merge_uint_value(conf->mode, prev->mode, NGX_HTTP_MTA_STS_OFF);
    ngx_conf_merge_ptr_value(conf->mx, prev->mx, NULL);
    ngx_conf_merge_sec_value(conf->max_age, prev->max_age, 7 * 86400);

    if (conf->mode == NGX_HTTP_MTA_STS_OFF) {
        return NGX_CONF_OK;
    }

    /*
     * a server that sets nothing serves the http level policy: it is
     * built and checked once, for the first such server, and then shared
     */

    if (inherited && prev->body.data) {
        conf->body = prev->body;
        conf->id = prev->id;
        conf->etag = prev->etag;
        return NGX_CONF_OK;
    }

    if (ngx_http_mta_sts_build(cf, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (inherited) {
        prev->body = conf->body;
        prev->id = conf->id;
        prev->etag = conf->etag;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_mta_sts_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_SERVER_REWRITE_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_mta_sts_handler;

    return NGX_OK;
}
