
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_sha1.h>
#include <ngx_http_mta_sts_policy.h>
#include <ngx_http_mta_sts_cert_module.h>
#include <ngx_http_mta_sts_ids.h>
#include <ngx_http_mta_sts_status_module.h>
#include <ngx_http_mta_sts_cache.h>


#define NGX_HTTP_MTA_STS_HOST_PREFIX  "mta-sts."
#define NGX_HTTP_MTA_STS_URI          "/.well-known/mta-sts.txt"
#define NGX_HTTP_MTA_STS_DAY          86400
#define NGX_HTTP_MTA_STS_ID_LEN       32
#define NGX_HTTP_MTA_STS_MODES                                               \
    "it must be \"off\", \"none\", \"testing\" or \"enforce\""

/* mta_sts_mode given by a variable, known per request */
#define NGX_HTTP_MTA_STS_VARIABLE     (NGX_HTTP_MTA_STS_ENFORCE + 1)


/* a directive argument: text, one variable, or text with variables */

typedef struct {
    ngx_http_complex_value_t    cv;
    ngx_int_t                   index;
    ngx_http_variable_t        *var;          /* a worker's, at first use */
} ngx_http_mta_sts_value_t;


/* an mx argument with variables, and where in the key its text goes */

typedef struct {
    ngx_http_mta_sts_value_t   *value;
    ngx_str_t                  *text;
} ngx_http_mta_sts_arg_t;


typedef struct {
    ngx_flag_t                  enabled;      /* a server serves a policy */
    ngx_uint_t                  txt_log;      /* mta_sts_txt_log */
    ngx_msec_t                  interval;     /* mta_sts_check_interval */

    /* certificates whose days left one worker checks again */
    ngx_array_t                *expiry;
    ngx_event_t                 timer;
} ngx_http_mta_sts_main_conf_t;


typedef struct {
    ngx_uint_t                  mode;
    ngx_http_mta_sts_value_t   *mode_value;
    ngx_array_t                *mx;           /* ngx_http_mta_sts_value_t */
    time_t                      max_age;

    /* where the directives stand, for the checks made at merge time */
    u_char                     *mode_file;
    ngx_uint_t                  mode_line;
    u_char                     *max_age_file;
    ngx_uint_t                  max_age_line;

    /* built once at merge time */
    ngx_flag_t                  variables;
    ngx_str_t                  *mx_values;
    ngx_uint_t                  nkey;         /* the mode's text and mx */
    ngx_http_mta_sts_arg_t     *args;         /* the mx with variables */
    ngx_uint_t                  nargs;
    ngx_http_mta_sts_answer_t   answer;

    /* a policy with variables: the answers rendered in this worker */
    ngx_http_mta_sts_cache_t   *cache;

    /* what "nginx -t" says about the server: ngx_http_mta_sts_cert_module.c */
    ngx_http_mta_sts_check_t    check;
} ngx_http_mta_sts_srv_conf_t;


static ngx_int_t ngx_http_mta_sts_handler(ngx_http_request_t *r);
static ngx_inline uint64_t ngx_http_mta_sts_word(u_char *p);
static ngx_int_t ngx_http_mta_sts_send(ngx_http_request_t *r,
    ngx_http_mta_sts_answer_t *answer, ngx_uint_t cached);
static ngx_inline ngx_int_t ngx_http_mta_sts_keep(ngx_http_request_t *r,
    ngx_table_elt_t *h, ngx_buf_t *b);
static ngx_int_t ngx_http_mta_sts_not_allowed(ngx_http_request_t *r);
static ngx_inline ngx_table_elt_t *ngx_http_mta_sts_add_header(
    ngx_http_request_t *r, ngx_str_t *key, ngx_str_t *value);
static ngx_inline ngx_int_t ngx_http_mta_sts_evaluate(ngx_http_request_t *r,
    ngx_http_mta_sts_srv_conf_t *mscf, ngx_http_mta_sts_answer_t **answer);
static ngx_inline ngx_int_t ngx_http_mta_sts_key(ngx_http_request_t *r,
    ngx_http_mta_sts_srv_conf_t *mscf, ngx_str_t **key, ngx_uint_t *n,
    ngx_uint_t direct);
static ngx_int_t ngx_http_mta_sts_variable_answer(ngx_http_request_t *r,
    ngx_http_mta_sts_srv_conf_t *mscf, ngx_http_mta_sts_answer_t **answer);
static ngx_int_t ngx_http_mta_sts_lookup(ngx_http_request_t *r,
    ngx_http_mta_sts_srv_conf_t *mscf, ngx_str_t *key, ngx_uint_t n,
    uint64_t where, ngx_http_mta_sts_answer_t **answer);
static ngx_int_t ngx_http_mta_sts_cache_answer(ngx_http_request_t *r,
    ngx_http_mta_sts_cache_t *cache, ngx_http_mta_sts_policy_t *policy,
    ngx_uint_t mode, ngx_str_t *key, ngx_uint_t n, uint64_t hash,
    uint64_t where, ngx_http_mta_sts_answer_t **answer);
static void ngx_http_mta_sts_cache_cleanup(void *data);
static ngx_inline ngx_int_t ngx_http_mta_sts_value(ngx_http_request_t *r,
    ngx_http_mta_sts_value_t *v, ngx_str_t *value, ngx_uint_t direct);
static ngx_inline ngx_int_t ngx_http_mta_sts_get_variable(
    ngx_http_request_t *r, ngx_http_mta_sts_value_t *v,
    ngx_http_variable_value_t *vv);

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
static ngx_int_t ngx_http_mta_sts_compile(ngx_conf_t *cf,
    ngx_str_t *value, ngx_http_mta_sts_value_t *v);

static ngx_int_t ngx_http_mta_sts_build(ngx_conf_t *cf,
    ngx_http_mta_sts_srv_conf_t *mscf);
static void ngx_http_mta_sts_render(u_char *p,
    ngx_http_mta_sts_policy_t *policy, ngx_http_mta_sts_answer_t *answer);

static ngx_int_t ngx_http_mta_sts_add_variables(ngx_conf_t *cf);
static void *ngx_http_mta_sts_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_mta_sts_create_srv_conf(ngx_conf_t *cf);
static char *ngx_http_mta_sts_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_mta_sts_init(ngx_conf_t *cf);
static ngx_int_t ngx_http_mta_sts_txt(ngx_conf_t *cf,
    ngx_http_mta_sts_main_conf_t *mmcf);
static ngx_int_t ngx_http_mta_sts_init_process(ngx_cycle_t *cycle);
static void ngx_http_mta_sts_expiry_handler(ngx_event_t *ev);


static ngx_conf_post_handler_pt  ngx_http_mta_sts_max_age_p =
    ngx_http_mta_sts_max_age;


static ngx_conf_enum_t  ngx_http_mta_sts_check_values[] = {
    { ngx_string("on"), NGX_HTTP_MTA_STS_CHECK_ON },
    { ngx_string("quiet"), NGX_HTTP_MTA_STS_CHECK_QUIET },
    { ngx_string("off"), NGX_HTTP_MTA_STS_CHECK_OFF },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_mta_sts_txt_log_values[] = {
    { ngx_string("changed"), NGX_HTTP_MTA_STS_TXT_CHANGED },
    { ngx_string("all"), NGX_HTTP_MTA_STS_TXT_ALL },
    { ngx_string("off"), NGX_HTTP_MTA_STS_TXT_OFF },
    { ngx_null_string, 0 }
};


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

    { ngx_string("mta_sts_check"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_srv_conf_t, check.check),
      &ngx_http_mta_sts_check_values },

    { ngx_string("mta_sts_check_days"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_srv_conf_t, check.days),
      NULL },

    { ngx_string("mta_sts_check_listener"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_srv_conf_t, check.listener),
      NULL },

    { ngx_string("mta_sts_check_interval"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_main_conf_t, interval),
      NULL },

    { ngx_string("mta_sts_txt_log"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_mta_sts_main_conf_t, txt_log),
      &ngx_http_mta_sts_txt_log_values },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_mta_sts_module_ctx = {
    ngx_http_mta_sts_add_variables,        /* preconfiguration */
    ngx_http_mta_sts_init,                 /* postconfiguration */

    ngx_http_mta_sts_create_main_conf,     /* create main configuration */
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
    ngx_http_mta_sts_init_process,         /* init process */
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
static ngx_str_t  ngx_http_mta_sts_etag = ngx_string("ETag");
static ngx_str_t  ngx_http_mta_sts_allow = ngx_string("Allow");
static ngx_str_t  ngx_http_mta_sts_methods = ngx_string("GET, HEAD");

/* memory, last_buf and last_in_chain: ngx_http_mta_sts_init() */
static ngx_buf_t  ngx_http_mta_sts_buf;


/*
 * Runs in the server rewrite phase: before the site's own server-level
 * "rewrite" and "return", location matching, access checks and content
 * handlers, so none of them can redirect, deny or replace the policy.
 */

static ngx_int_t
ngx_http_mta_sts_handler(ngx_http_request_t *r)
{
    u_char                       *p;
    ngx_int_t                     rc;
    ngx_http_mta_sts_answer_t    *answer;
    ngx_http_mta_sts_srv_conf_t  *mscf;

    static u_char                 uri[] = NGX_HTTP_MTA_STS_URI;
    static u_char                 prefix[] = NGX_HTTP_MTA_STS_HOST_PREFIX;

    mscf = ngx_http_get_module_srv_conf(r, ngx_http_mta_sts_module);

    if (mscf->mode == NGX_HTTP_MTA_STS_OFF) {
        return NGX_DECLINED;
    }

    /*
     * the URI and the host's prefix compared eight bytes a step with the
     * constants, no call: every request to a server with a policy pays
     * this; the host is already validated and lowercased by nginx
     */

    p = r->uri.data;

    if (r->uri.len != sizeof(NGX_HTTP_MTA_STS_URI) - 1
        || ngx_http_mta_sts_word(p) != ngx_http_mta_sts_word(uri)
        || ngx_http_mta_sts_word(p + 8) != ngx_http_mta_sts_word(uri + 8)
        || ngx_http_mta_sts_word(p + 16) != ngx_http_mta_sts_word(uri + 16))
    {
        return NGX_DECLINED;
    }

    if (r->headers_in.server.len <= sizeof(NGX_HTTP_MTA_STS_HOST_PREFIX) - 1
        || ngx_http_mta_sts_word(r->headers_in.server.data)
           != ngx_http_mta_sts_word(prefix))
    {
        return NGX_DECLINED;
    }

    answer = &mscf->answer;

    if (mscf->variables) {
        rc = ngx_http_mta_sts_evaluate(r, mscf, &answer);

        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return ngx_http_mta_sts_not_allowed(r);
    }

    if (mscf->variables) {
        ngx_http_mta_sts_status_count(r, answer);

    } else {
        ngx_http_mta_sts_status_fetched(r, NULL);
    }

    return ngx_http_mta_sts_send(r, answer, answer != &mscf->answer);
}


/* eight bytes as one word, for a compare with no call */

static ngx_inline uint64_t
ngx_http_mta_sts_word(u_char *p)
{
    uint64_t  w;

    ngx_memcpy(&w, p, 8);

    return w;
}


static ngx_int_t
ngx_http_mta_sts_send(ngx_http_request_t *r,
    ngx_http_mta_sts_answer_t *answer, ngx_uint_t cached)
{
    ngx_int_t         rc;
    ngx_buf_t        *b;
    ngx_chain_t       out;
    ngx_table_elt_t  *h;

    /*
     * a request with no body, no "Expect" and no read timer (nginx
     * deletes it once the header is read) has nothing to discard: the
     * call would return at once, as it does for these; HTTP/2 is left to
     * it, it tells the stream to skip DATA frames
     */

    if (r->headers_in.content_length_n > 0
        || r->headers_in.chunked
        || r->headers_in.expect
        || r->connection->read->timer_set
#if (NGX_HTTP_V2)
        || r->stream
#endif
        )
    {
        rc = ngx_http_discard_request_body(r);

        if (rc != NGX_OK) {
            return rc;
        }
    }

    h = ngx_http_mta_sts_add_header(r, &ngx_http_mta_sts_etag,
                                    &answer->etag);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.etag = h;
    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = answer->body.len;
    r->headers_out.content_type_len = ngx_http_mta_sts_type.len;
    r->headers_out.content_type = ngx_http_mta_sts_type;
    r->headers_out.content_type_lowcase = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        if (cached && rc != NGX_ERROR
            && ngx_http_mta_sts_keep(r, h, NULL) != NGX_OK)
        {
            return NGX_ERROR;
        }

        return rc;
    }

    /*
     * a copy of a buffer with its flags set at load time: no call to
     * memset(), no bit set one by one
     */

    b = ngx_palloc(r->pool, sizeof(ngx_buf_t));
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    *b = ngx_http_mta_sts_buf;

    b->pos = answer->body.data;
    b->last = answer->body.data + answer->body.len;

    if (r != r->main) {
        b->last_buf = 0;
    }

    out.buf = b;
    out.next = NULL;

    rc = ngx_http_output_filter(r, &out);

    if (cached && rc != NGX_ERROR
        && ngx_http_mta_sts_keep(r, h, b) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return rc;
}


/*
 * A cached answer is sent from the cache, and a later request can replace
 * and free it: what nginx still holds of it once the handler returns,
 * when the request is not done (a slow client, an SSI subrequest whose
 * output waits), is copied to the request's pool first.  Most requests
 * are done here and copy nothing.
 */

static ngx_inline ngx_int_t
ngx_http_mta_sts_keep(ngx_http_request_t *r, ngx_table_elt_t *h,
    ngx_buf_t *b)
{
    u_char  *p;
    size_t   len;

    if ((b == NULL || b->pos == b->last)
        && r == r->main
        && r->out == NULL
        && r->postponed == NULL
        && !r->buffered
        && !r->connection->buffered)
    {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, h->value.len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, h->value.data, h->value.len);
    h->value.data = p;

    if (b == NULL || b->pos == b->last) {
        return NGX_OK;
    }

    len = b->last - b->pos;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    b->last = ngx_cpymem(p, b->pos, len);
    b->pos = p;

    return NGX_OK;
}


static ngx_int_t
ngx_http_mta_sts_not_allowed(ngx_http_request_t *r)
{
    if (ngx_http_mta_sts_add_header(r, &ngx_http_mta_sts_allow,
                                    &ngx_http_mta_sts_methods)
        == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_HTTP_NOT_ALLOWED;
}


static ngx_inline ngx_table_elt_t *
ngx_http_mta_sts_add_header(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value)
{
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    /* room in the list's last part, as ngx_list_push() finds it: no call */

    part = r->headers_out.headers.last;

    if (part->nelts < r->headers_out.headers.nalloc) {
        h = part->elts;
        h += part->nelts++;

    } else {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NULL;
        }
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    h->key = *key;
    h->value = *value;

    return h;
}


/*
 * A policy with variables: evaluated, then found in the worker's cache by
 * the values (ngx_http_mta_sts_cache.c), or checked by the same code as
 * at load time, rendered into one buffer and cached.  NGX_DECLINED when
 * the mode is off or empty; an invalid policy is logged and never served,
 * nor cached: it is checked again, and logged again, each time.  Inline,
 * with the memo's lookup: a request for a domain asked before makes no
 * call of the module's own; the rest is ngx_http_mta_sts_lookup().
 */

static ngx_inline ngx_int_t
ngx_http_mta_sts_evaluate(ngx_http_request_t *r,
    ngx_http_mta_sts_srv_conf_t *mscf, ngx_http_mta_sts_answer_t **answer)
{
    uint64_t                         where;
    ngx_int_t                        rc;
    ngx_str_t                       *key;
    ngx_uint_t                       n;
    ngx_http_mta_sts_cache_entry_t  *e;

    rc = ngx_http_mta_sts_key(r, mscf, &key, &n, 1);

    if (rc != NGX_OK) {
        return rc;
    }

    e = ngx_http_mta_sts_cache_recall(mscf->cache, mscf->mode, key, n,
                                      &where);
    if (e) {
        *answer = &e->answer;
        return NGX_OK;
    }

    return ngx_http_mta_sts_lookup(r, mscf, key, n, where, answer);
}


/*
 * The key: the mode's text, as given (empty when the mode is not a
 * variable), then every mx argument, in the slot before mx_values.
 */

static ngx_inline ngx_int_t
ngx_http_mta_sts_key(ngx_http_request_t *r, ngx_http_mta_sts_srv_conf_t *mscf,
    ngx_str_t **key, ngx_uint_t *n, ngx_uint_t direct)
{
    ngx_str_t               *k;
    ngx_uint_t               i;
    ngx_http_mta_sts_arg_t  *a;

    k = mscf->mx_values - 1;

    *key = k;
    *n = mscf->nkey;

    if (mscf->mode == NGX_HTTP_MTA_STS_VARIABLE) {
        if (ngx_http_mta_sts_value(r, mscf->mode_value, &k[0], direct)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (k[0].len == 0) {
            return NGX_DECLINED;
        }
    }

    /*
     * mx_values holds the text of every static argument from load time;
     * a worker evaluates one request at a time, start to end, so the
     * variable arguments can be written there with no allocation
     */

    a = mscf->args;

    for (i = 0; i < mscf->nargs; i++) {
        if (ngx_http_mta_sts_value(r, a[i].value, a[i].text, direct)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    return NGX_OK;
}


/* $mta_sts_policy_id's way to the answer: the same, with calls */

static ngx_int_t
ngx_http_mta_sts_variable_answer(ngx_http_request_t *r,
    ngx_http_mta_sts_srv_conf_t *mscf, ngx_http_mta_sts_answer_t **answer)
{
    ngx_int_t    rc;
    ngx_str_t   *key;
    ngx_uint_t   n;

    rc = ngx_http_mta_sts_key(r, mscf, &key, &n, 0);

    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_mta_sts_lookup(r, mscf, key, n,
                                   ngx_http_mta_sts_cache_where(
                                       mscf->cache->seed, key, n),
                                   answer);
}


/*
 * The values not in the memo: found in the table and remembered, or
 * checked and rendered.
 */

static ngx_int_t
ngx_http_mta_sts_lookup(ngx_http_request_t *r,
    ngx_http_mta_sts_srv_conf_t *mscf, ngx_str_t *key, ngx_uint_t n,
    uint64_t where, ngx_http_mta_sts_answer_t **answer)
{
    char                       *reason;
    u_char                     *p;
    uint64_t                    hash;
    ngx_int_t                   mode;
    ngx_str_t                   value, bad;
    ngx_http_mta_sts_cache_t   *cache;
    ngx_http_mta_sts_policy_t   policy;
    ngx_http_mta_sts_answer_t  *a;

    ngx_http_mta_sts_cache_entry_t  *e;

    cache = mscf->cache;

    if (cache->table == NULL) {
        /* the first policy with variables in this worker: the table */

        cache->table = ngx_calloc(NGX_HTTP_MTA_STS_CACHE_ENTRIES
                                  * sizeof(ngx_http_mta_sts_cache_entry_t *),
                                  r->connection->log);

        if (cache->table) {
            /* without a memo, every lookup hashes the values */

            cache->memo = ngx_calloc(NGX_HTTP_MTA_STS_CACHE_MEMO
                                     * sizeof(ngx_http_mta_sts_cache_memo_t),
                                     r->connection->log);

            /*
             * without slots, every entry is from the heap; not zeroed: a
             * slot is touched when it is first used
             */

            cache->slots = ngx_alloc(NGX_HTTP_MTA_STS_CACHE_SLOTS
                                     * NGX_HTTP_MTA_STS_CACHE_SLOT,
                                     r->connection->log);
        }

        cache->seed = ((uint64_t) ngx_random() << 32) ^ ngx_random()
                      ^ (uint64_t) (uintptr_t) cache->table;

        /* where the values are, by the new seed */

        where = ngx_http_mta_sts_cache_where(cache->seed, key, n);
    }

    hash = ngx_http_mta_sts_cache_hash(cache->seed, mscf->mode, key, n);

    e = ngx_http_mta_sts_cache_find(cache, hash, mscf->mode, key, n);
    if (e) {
        ngx_http_mta_sts_cache_remember(cache, where, e);
        *answer = &e->answer;
        return NGX_OK;
    }

    /* not cached: checked, logged if invalid, rendered */

    mode = mscf->mode;

    if (mode == NGX_HTTP_MTA_STS_VARIABLE) {
        value = key[0];

        mode = ngx_http_mta_sts_mode_value(value.data, value.len);

        if (mode == NGX_ERROR) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "invalid mta_sts_mode \"%V\", "
                          NGX_HTTP_MTA_STS_MODES, &value);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (mode == NGX_HTTP_MTA_STS_OFF) {
            return NGX_DECLINED;
        }
    }

    policy.mode = mode;
    policy.mx = mscf->mx_values;
    policy.nmx = n - 1;
    policy.max_age = mscf->max_age;

    switch (ngx_http_mta_sts_policy_check(&policy, &bad, &reason)) {

    case NGX_OK:
        break;

    case NGX_HTTP_MTA_STS_MX_INVALID:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "invalid mx pattern \"%V\": %s", &bad, reason);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    case NGX_HTTP_MTA_STS_MX_MISSING:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "no mx pattern for mta_sts_mode \"%V\"",
                      ngx_http_mta_sts_mode_name(mode));
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    default: /* NGX_HTTP_MTA_STS_TOO_LARGE */
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "MTA-STS policy is larger than %d bytes",
                      NGX_HTTP_MTA_STS_BODY_MAX);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_mta_sts_cache_answer(r, cache, &policy, mscf->mode, key, n,
                                      hash, where, answer)
        == NGX_OK)
    {
        return NGX_OK;
    }

    /* over the bound of an entry, or no memory for it: this request's */

    a = ngx_palloc(r->pool, sizeof(ngx_http_mta_sts_answer_t)
                            + policy.size + 2 + NGX_HTTP_MTA_STS_ID_LEN);
    if (a == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = (u_char *) a + sizeof(ngx_http_mta_sts_answer_t);

    ngx_http_mta_sts_render(p, &policy, a);

    *answer = a;

    return NGX_OK;
}


/*
 * A checked policy rendered into a new cache entry, which may replace
 * another; NGX_DECLINED when it is not to be cached.
 */

static ngx_int_t
ngx_http_mta_sts_cache_answer(ngx_http_request_t *r,
    ngx_http_mta_sts_cache_t *cache, ngx_http_mta_sts_policy_t *policy,
    ngx_uint_t mode, ngx_str_t *key, ngx_uint_t n, uint64_t hash,
    uint64_t where, ngx_http_mta_sts_answer_t **answer)
{
    u_char                          *p, *body;
    size_t                           size;
    ngx_http_mta_sts_cache_entry_t  *e, *old;

    if (cache->table == NULL) {
        return NGX_DECLINED;
    }

    size = ngx_http_mta_sts_cache_size(key, n, policy->size);
    if (size == 0) {
        return NGX_DECLINED;
    }

    p = ngx_http_mta_sts_cache_alloc(cache, size);

    if (p == NULL) {
        p = ngx_alloc(size, r->connection->log);
        if (p == NULL) {
            return NGX_DECLINED;
        }
    }

    e = ngx_http_mta_sts_cache_init_entry(p, hash, mode, key, n, &body);

    ngx_http_mta_sts_render(body, policy, &e->answer);

    old = ngx_http_mta_sts_cache_insert(cache, e);

    if (old && !ngx_http_mta_sts_cache_free(cache, old)) {
        ngx_free(old);
    }

    ngx_http_mta_sts_cache_remember(cache, where, e);

    *answer = &e->answer;

    return NGX_OK;
}


/* the cache belongs to a configuration: freed with it */

static void
ngx_http_mta_sts_cache_cleanup(void *data)
{
    ngx_http_mta_sts_cache_t  *cache = data;

    ngx_uint_t  i;

    if (cache->table == NULL) {
        return;
    }

    for (i = 0; i < NGX_HTTP_MTA_STS_CACHE_ENTRIES; i++) {
        if (cache->table[i]
            && !ngx_http_mta_sts_cache_free(cache, cache->table[i]))
        {
            ngx_free(cache->table[i]);
        }
    }

    ngx_free(cache->table);
    cache->table = NULL;

    if (cache->slots) {
        ngx_free(cache->slots);
        cache->slots = NULL;
    }

    if (cache->memo) {
        ngx_free(cache->memo);
        cache->memo = NULL;
    }
}


static ngx_inline ngx_int_t
ngx_http_mta_sts_value(ngx_http_request_t *r, ngx_http_mta_sts_value_t *v,
    ngx_str_t *value, ngx_uint_t direct)
{
    ngx_http_variable_value_t  *vv;

    if (v->index == NGX_ERROR) {
        return ngx_http_complex_value(r, &v->cv, value);
    }

    /*
     * a lone variable is used where it is, without a copy; flushed as a
     * complex value flushes it, so that one not cacheable ($arg_...) is
     * read again in each SSI subrequest, which shares its parent's values:
     * what ngx_http_get_flushed_variable() does, without its call
     */

    vv = &r->variables[v->index];

    if (!(vv->valid || vv->not_found) || vv->no_cacheable) {
        vv->valid = 0;
        vv->not_found = 0;

        if (!direct) {
            vv = ngx_http_get_indexed_variable(r, v->index);
            if (vv == NULL) {
                return NGX_ERROR;
            }

        } else if (ngx_http_mta_sts_get_variable(r, v, vv) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    if (vv->not_found) {
        value->len = 0;
        value->data = NULL;
        return NGX_OK;
    }

    value->len = vv->len;
    value->data = vv->data;

    return NGX_OK;
}


/*
 * A variable not yet known in this request, by its handler: what
 * ngx_http_get_indexed_variable() does, without its call and its count of
 * nested evaluations.  Only the policy's handler reads variables so: a
 * cycle through the policy passes through $mta_sts_policy_id, whose
 * handler reads them by ngx_http_get_indexed_variable(), so nginx's count
 * still stops it ("cycle while evaluating variable").
 */

static ngx_inline ngx_int_t
ngx_http_mta_sts_get_variable(ngx_http_request_t *r,
    ngx_http_mta_sts_value_t *v, ngx_http_variable_value_t *vv)
{
    ngx_http_variable_t        *var;
    ngx_http_core_main_conf_t  *cmcf;

    var = v->var;

    if (var == NULL) {
        /* nginx's variables are all known once a worker runs */

        cmcf = ngx_http_get_module_main_conf(r, ngx_http_core_module);
        var = cmcf->variables.elts;
        var += v->index;
        v->var = var;
    }

    if (var->get_handler(r, vv, var->data) != NGX_OK) {
        vv->valid = 0;
        vv->not_found = 1;
        return NGX_ERROR;
    }

    if (var->flags & NGX_HTTP_VAR_NOCACHEABLE) {
        vv->no_cacheable = 1;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_mta_sts_id_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_mta_sts_answer_t    *answer;
    ngx_http_mta_sts_srv_conf_t  *mscf;

    mscf = ngx_http_get_module_srv_conf(r, ngx_http_mta_sts_module);

    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    if (!mscf->variables) {
        v->len = mscf->answer.id.len;
        v->data = mscf->answer.id.data;
        return NGX_OK;
    }

    switch (ngx_http_mta_sts_variable_answer(r, mscf, &answer)) {

    case NGX_OK:
        /* a copy: a later request can replace the cached answer */

        v->data = ngx_pnalloc(r->pool, answer->id.len);
        if (v->data == NULL) {
            return NGX_ERROR;
        }

        v->len = answer->id.len;
        ngx_memcpy(v->data, answer->id.data, answer->id.len);
        break;

    case NGX_DECLINED:
        v->len = 0;
        v->data = (u_char *) "";
        break;

    default:
        v->not_found = 1;
    }

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

    mscf->mode_file = cf->conf_file->file.name.data;
    mscf->mode_line = cf->conf_file->line;

    if (ngx_http_script_variables_count(&value[1])) {
        mscf->mode_value = ngx_palloc(cf->pool,
                                      sizeof(ngx_http_mta_sts_value_t));
        if (mscf->mode_value == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_mta_sts_compile(cf, &value[1], mscf->mode_value)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }

        mscf->mode = NGX_HTTP_MTA_STS_VARIABLE;

        return NGX_CONF_OK;
    }

    mode = ngx_http_mta_sts_mode_value(value[1].data, value[1].len);

    if (mode == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid mode \"%V\", " NGX_HTTP_MTA_STS_MODES,
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    mscf->mode = mode;

    return NGX_CONF_OK;
}


static char *
ngx_http_mta_sts_mx(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_mta_sts_srv_conf_t *mscf = conf;

    char                      *err;
    ngx_str_t                 *value;
    ngx_uint_t                 i, j, flags;
    ngx_http_mta_sts_value_t  *v, *mx;

    if (mscf->mx == NGX_CONF_UNSET_PTR) {
        mscf->mx = ngx_array_create(cf->pool, 4,
                                    sizeof(ngx_http_mta_sts_value_t));
        if (mscf->mx == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        v = ngx_array_push(mscf->mx);
        if (v == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_script_variables_count(&value[i])) {
            if (ngx_http_mta_sts_compile(cf, &value[i], v) != NGX_OK) {
                return NGX_CONF_ERROR;
            }

            continue;
        }

        ngx_memzero(v, sizeof(ngx_http_mta_sts_value_t));
        v->cv.value = value[i];
        v->index = NGX_ERROR;

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

        mx = mscf->mx->elts;

        for (j = 0; j < mscf->mx->nelts - 1; j++) {
            if (mx[j].cv.lengths == NULL
                && ngx_http_mta_sts_mx_equal(&mx[j].cv.value, &value[i]))
            {
                ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                                   "mx pattern \"%V\" is duplicate, "
                                   "it is served once", &value[i]);
                break;
            }
        }
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


/*
 * An argument with variables.  One that is a lone variable, as "$mx" or
 * "${mx}", is read from the variable itself per request; one that mixes
 * text and variables is a complex value, built per request.
 */

static ngx_int_t
ngx_http_mta_sts_compile(ngx_conf_t *cf, ngx_str_t *value,
    ngx_http_mta_sts_value_t *v)
{
    u_char                            *p, *last;
    ngx_str_t                          name;
    ngx_http_compile_complex_value_t   ccv;

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = value;
    ccv.complex_value = &v->cv;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_ERROR;
    }

    v->index = NGX_ERROR;
    v->var = NULL;

    p = value->data + 1;
    last = value->data + value->len;

    if (value->len > 3 && p[0] == '{' && last[-1] == '}') {
        p++;
        last--;
    }

    name.data = p;

    while (p < last
           && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
               || (*p >= '0' && *p <= '9') || *p == '_'))
    {
        p++;
    }

    name.len = p - name.data;

    /* "$1" and the like are regex captures, not variables by index */

    if (value->data[0] == '$' && p == last && name.len
        && !(name.data[0] >= '0' && name.data[0] <= '9'))
    {
        v->index = ngx_http_get_variable_index(cf, &name);

        if (v->index == NGX_ERROR) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_mta_sts_build(ngx_conf_t *cf, ngx_http_mta_sts_srv_conf_t *mscf)
{
    char                       *reason;
    u_char                     *p;
    ngx_int_t                   rc;
    ngx_str_t                   bad;
    ngx_http_mta_sts_policy_t   policy;

    policy.mode = mscf->mode;
    policy.mx = mscf->mx_values;
    policy.nmx = mscf->mx ? mscf->mx->nelts : 0;
    policy.max_age = mscf->max_age;

    rc = ngx_http_mta_sts_policy_check(&policy, &bad, &reason);

    if (rc == NGX_HTTP_MTA_STS_MX_MISSING) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"mta_sts_mx\" is defined for "
                      "mta_sts_mode \"%V\" in %s:%ui",
                      ngx_http_mta_sts_mode_name(mscf->mode),
                      mscf->mode_file, mscf->mode_line);
        return NGX_ERROR;
    }

    if (rc == NGX_HTTP_MTA_STS_TOO_LARGE) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "MTA-STS policy is larger than %d bytes in %s:%ui",
                      NGX_HTTP_MTA_STS_BODY_MAX, mscf->mode_file,
                      mscf->mode_line);
        return NGX_ERROR;
    }

    if (rc != NGX_OK) {
        /* cannot happen: every static pattern was checked when parsed */
        return NGX_ERROR;
    }

    if (policy.patterns == 0) {
        ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                      "no \"mta_sts_mx\" is defined for mta_sts_mode "
                      "\"none\", some senders reject a policy without mx "
                      "in %s:%ui", mscf->mode_file, mscf->mode_line);
    }

    p = ngx_pnalloc(cf->pool, policy.size + 2 + NGX_HTTP_MTA_STS_ID_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_http_mta_sts_render(p, &policy, &mscf->answer);

    return NGX_OK;
}


/*
 * The body, then the id and the quoted id as ETag, in one buffer of
 * policy->size + 2 + NGX_HTTP_MTA_STS_ID_LEN bytes.
 * RFC 8461, section 3.1: the id must change with the policy; half of the
 * body's SHA-1 in hex is the same wherever the same policy is served.
 */

static void
ngx_http_mta_sts_render(u_char *p, ngx_http_mta_sts_policy_t *policy,
    ngx_http_mta_sts_answer_t *answer)
{
    ngx_sha1_t         sha1;
    u_char             hash[20];

    static uint64_t    serial;

    answer->mode = policy->mode;
    answer->serial = ++serial;
    answer->status = &ngx_http_mta_sts_status_nohint;
    answer->body.data = p;
    answer->body.len = ngx_http_mta_sts_policy_render(p, policy) - p;

    ngx_sha1_init(&sha1);
    ngx_sha1_update(&sha1, answer->body.data, answer->body.len);
    ngx_sha1_final(hash, &sha1);

    p += answer->body.len;
    answer->etag.data = p;

    *p++ = '"';
    p = ngx_hex_dump(p, hash, NGX_HTTP_MTA_STS_ID_LEN / 2);
    *p = '"';

    answer->etag.len = NGX_HTTP_MTA_STS_ID_LEN + 2;
    answer->id.data = answer->etag.data + 1;
    answer->id.len = NGX_HTTP_MTA_STS_ID_LEN;
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
ngx_http_mta_sts_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_mta_sts_main_conf_t  *mmcf;

    mmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_main_conf_t));
    if (mmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     mmcf->enabled = 0;
     *     mmcf->expiry = NULL;
     *     mmcf->timer = { 0 };
     */

    mmcf->txt_log = NGX_CONF_UNSET_UINT;
    mmcf->interval = NGX_CONF_UNSET_MSEC;

    return mmcf;
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
     *     mscf->mode_value = NULL;
     *     mscf->mode_file = NULL;
     *     mscf->max_age_file = NULL;
     *     mscf->variables = 0;
     *     mscf->mx_values = NULL;
     *     mscf->nkey = 0;
     *     mscf->args = NULL;
     *     mscf->nargs = 0;
     *     mscf->answer = { { 0, NULL }, ... };
     *     mscf->cache = NULL;
     *     mscf->check.enabled = 0;
     *     mscf->check.explicit = 0;
     *     mscf->check.ssl = 0;
     *     mscf->check.ssl_443 = 0;
     *     mscf->check.default_server = 0;
     */

    mscf->mode = NGX_CONF_UNSET_UINT;
    mscf->check.check = NGX_CONF_UNSET_UINT;
    mscf->check.days = NGX_CONF_UNSET;
    mscf->check.listener = NGX_CONF_UNSET;
    mscf->mx = NGX_CONF_UNSET_PTR;
    mscf->max_age = NGX_CONF_UNSET;

    return mscf;
}


static char *
ngx_http_mta_sts_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_mta_sts_srv_conf_t *prev = parent;
    ngx_http_mta_sts_srv_conf_t *conf = child;

    ngx_uint_t                     i, n, inherited;
    ngx_pool_cleanup_t            *cln;
    ngx_http_mta_sts_value_t      *v;
    ngx_http_mta_sts_main_conf_t  *mmcf;

    conf->check.explicit = (conf->mode != NGX_CONF_UNSET_UINT);

    inherited = (conf->mode == NGX_CONF_UNSET_UINT
                 && conf->mx == NGX_CONF_UNSET_PTR
                 && conf->max_age == NGX_CONF_UNSET);

    if (conf->mode == NGX_CONF_UNSET_UINT) {
        conf->mode_value = prev->mode_value;
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

    ngx_conf_merge_uint_value(conf->check.check, prev->check.check,
                              NGX_HTTP_MTA_STS_CHECK_ON);
    ngx_conf_merge_value(conf->check.days, prev->check.days,
                         NGX_HTTP_MTA_STS_CHECK_DAYS);
    ngx_conf_merge_value(conf->check.listener, prev->check.listener, 1);

    if (conf->mode == NGX_HTTP_MTA_STS_OFF) {
        return NGX_CONF_OK;
    }

    conf->check.enabled = 1;

    mmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_mta_sts_module);
    mmcf->enabled = 1;

    /*
     * a server that sets nothing serves the http level policy: it is
     * built and checked once, for the first such server, and then shared
     */

    if (inherited && (prev->answer.body.len || prev->variables)) {
        conf->variables = prev->variables;
        conf->mx_values = prev->mx_values;
        conf->nkey = prev->nkey;
        conf->args = prev->args;
        conf->nargs = prev->nargs;
        conf->answer = prev->answer;
        conf->cache = prev->cache;
        return NGX_CONF_OK;
    }

    if (conf->mode == NGX_HTTP_MTA_STS_ENFORCE
        && conf->max_age < NGX_HTTP_MTA_STS_DAY)
    {
        ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                      "mta_sts_max_age of %T seconds is less than a day "
                      "for mta_sts_mode \"enforce\" in %s:%ui",
                      conf->max_age, conf->max_age_file, conf->max_age_line);
    }


    conf->variables = (conf->mode == NGX_HTTP_MTA_STS_VARIABLE);

    /* one more before them: the mode's text in a cache key */

    conf->mx_values = ngx_pcalloc(cf->pool,
                                  (1 + (conf->mx ? conf->mx->nelts : 0))
                                  * sizeof(ngx_str_t));
    if (conf->mx_values == NULL) {
        return NGX_CONF_ERROR;
    }

    conf->mx_values++;
    conf->nkey = 1 + (conf->mx ? conf->mx->nelts : 0);

    if (conf->mx) {
        v = conf->mx->elts;

        for (i = 0; i < conf->mx->nelts; i++) {
            conf->mx_values[i] = v[i].cv.value;

            if (v[i].cv.lengths) {
                conf->variables = 1;
                conf->nargs++;
            }
        }
    }

    if (conf->nargs) {
        /* what a request evaluates, with no test of the others */

        conf->args = ngx_palloc(cf->pool,
                                conf->nargs * sizeof(ngx_http_mta_sts_arg_t));
        if (conf->args == NULL) {
            return NGX_CONF_ERROR;
        }

        v = conf->mx->elts;
        n = 0;

        for (i = 0; i < conf->mx->nelts; i++) {
            if (v[i].cv.lengths) {
                conf->args[n].value = &v[i];
                conf->args[n].text = &conf->mx_values[i];
                n++;
            }
        }
    }

    if (!conf->variables
        && ngx_http_mta_sts_build(cf, conf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (conf->variables) {
        /* the table is allocated by a worker, at its first request */

        conf->cache = ngx_pcalloc(cf->pool, sizeof(ngx_http_mta_sts_cache_t));
        if (conf->cache == NULL) {
            return NGX_CONF_ERROR;
        }

        cln = ngx_pool_cleanup_add(cf->pool, 0);
        if (cln == NULL) {
            return NGX_CONF_ERROR;
        }

        cln->handler = ngx_http_mta_sts_cache_cleanup;
        cln->data = conf->cache;
    }

    if (inherited) {
        prev->variables = conf->variables;
        prev->mx_values = conf->mx_values;
        prev->nkey = conf->nkey;
        prev->args = conf->args;
        prev->nargs = conf->nargs;
        prev->answer = conf->answer;
        prev->cache = conf->cache;
    }

    return NGX_CONF_OK;
}


/*
 * Runs after the servers are merged, their certificates loaded: where no
 * server serves a policy, nothing is checked, the handler is not
 * installed and requests pay nothing for the module.
 */

static ngx_int_t
ngx_http_mta_sts_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt           *h;
    ngx_http_core_main_conf_t     *cmcf;
    ngx_http_mta_sts_main_conf_t  *mmcf;

    mmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_mta_sts_module);

    if (!mmcf->enabled) {
        return NGX_OK;
    }

    ngx_http_mta_sts_buf.memory = 1;
    ngx_http_mta_sts_buf.last_buf = 1;
    ngx_http_mta_sts_buf.last_in_chain = 1;

    ngx_conf_init_msec_value(mmcf->interval, 86400 * 1000);

#if (NGX_HTTP_SSL)
    if (mmcf->interval) {
        mmcf->expiry = ngx_array_create(cf->pool, 4,
                                        sizeof(ngx_http_mta_sts_expiry_t));
        if (mmcf->expiry == NULL) {
            return NGX_ERROR;
        }
    }
#endif

    if (ngx_http_mta_sts_check(cf, ngx_http_mta_sts_module.ctx_index,
                               offsetof(ngx_http_mta_sts_srv_conf_t, check),
                               mmcf->expiry)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (ngx_http_mta_sts_txt(cf, mmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_SERVER_REWRITE_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_mta_sts_handler;

    return NGX_OK;
}


/*
 * The domain and id of every exact "mta-sts.<domain>" name of a server
 * with a static policy, for the TXT records (ngx_http_mta_sts_ids.c).
 */

static ngx_int_t
ngx_http_mta_sts_txt(ngx_conf_t *cf, ngx_http_mta_sts_main_conf_t *mmcf)
{
    ngx_str_t                     *name, domain;
    ngx_uint_t                     s, i;
    ngx_array_t                    ids;
    ngx_http_mta_sts_id_t         *id;
    ngx_http_server_name_t        *sn;
    ngx_http_core_srv_conf_t     **cscfp;
    ngx_http_core_main_conf_t     *cmcf;
    ngx_http_mta_sts_srv_conf_t   *mscf;

    ngx_conf_init_uint_value(mmcf->txt_log, NGX_HTTP_MTA_STS_TXT_CHANGED);

    if (mmcf->txt_log == NGX_HTTP_MTA_STS_TXT_OFF) {
        return NGX_OK;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    if (ngx_array_init(&ids, cf->pool, cmcf->servers.nelts,
                       sizeof(ngx_http_mta_sts_id_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    cscfp = cmcf->servers.elts;

    for (s = 0; s < cmcf->servers.nelts; s++) {

        mscf = cscfp[s]->ctx->srv_conf[ngx_http_mta_sts_module.ctx_index];

        if (mscf->mode == NGX_HTTP_MTA_STS_OFF || mscf->variables) {
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

            if (ngx_http_mta_sts_server_domain(name, &domain) != NGX_OK) {
                continue;
            }

            id = ngx_array_push(&ids);
            if (id == NULL) {
                return NGX_ERROR;
            }

            id->domain = domain;
            id->id = mscf->answer.id;
        }
    }

    return ngx_http_mta_sts_ids(cf, &ids, mmcf->txt_log,
                                &ngx_http_mta_sts_module);
}


/*
 * The domain of an exact "mta-sts.<domain>" server name, a trailing dot
 * dropped; NGX_DECLINED for any other name.
 */

ngx_int_t
ngx_http_mta_sts_server_domain(ngx_str_t *name, ngx_str_t *domain)
{
    size_t  len, n;

    len = sizeof(NGX_HTTP_MTA_STS_HOST_PREFIX) - 1;

    if (name->len <= len
        || name->data[name->len - 1] == '*'
        || ngx_strncmp(name->data, NGX_HTTP_MTA_STS_HOST_PREFIX, len) != 0)
    {
        return NGX_DECLINED;
    }

    /* "mta-sts.example.com." is the same domain */

    n = name->len - len - (name->data[name->len - 1] == '.');

    if (n == 0) {
        return NGX_DECLINED;
    }

    domain->data = name->data + len;
    domain->len = n;

    return NGX_OK;
}


/*
 * The static policy a server serves, its id and whether its listeners
 * are checked, for the DNS check (ngx_http_mta_sts_dns_module.c);
 * NGX_DECLINED when it serves none or one built from variables.
 */

ngx_int_t
ngx_http_mta_sts_server_policy(ngx_http_core_srv_conf_t *cscf,
    ngx_http_mta_sts_policy_t *policy, ngx_str_t *id, ngx_flag_t *listener)
{
    ngx_http_mta_sts_srv_conf_t  *mscf;

    mscf = cscf->ctx->srv_conf[ngx_http_mta_sts_module.ctx_index];

    if (mscf->mode == NGX_HTTP_MTA_STS_OFF || mscf->variables
        || mscf->answer.id.len == 0)
    {
        return NGX_DECLINED;
    }

    ngx_memzero(policy, sizeof(ngx_http_mta_sts_policy_t));

    policy->mode = mscf->mode;
    policy->mx = mscf->mx_values;
    policy->nmx = mscf->mx ? mscf->mx->nelts : 0;
    policy->max_age = mscf->max_age;

    *id = mscf->answer.id;
    *listener = mscf->check.listener;

    return NGX_OK;
}


/*
 * Certificates expire while nginx runs, and a failed renewal reloads
 * nothing: the first worker checks their days left again on a timer
 * (daily by default), and says the same as "nginx -t" would.
 */

static ngx_int_t
ngx_http_mta_sts_init_process(ngx_cycle_t *cycle)
{
    ngx_http_mta_sts_main_conf_t  *mmcf;

    if ((ngx_process != NGX_PROCESS_WORKER
         && ngx_process != NGX_PROCESS_SINGLE)
        || ngx_worker != 0)
    {
        return NGX_OK;
    }

    mmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_mta_sts_module);

    if (mmcf == NULL || mmcf->expiry == NULL || mmcf->expiry->nelts == 0) {
        return NGX_OK;
    }

    mmcf->timer.handler = ngx_http_mta_sts_expiry_handler;
    mmcf->timer.data = mmcf;
    mmcf->timer.log = cycle->log;
    mmcf->timer.cancelable = 1;

    ngx_add_timer(&mmcf->timer, mmcf->interval);

    return NGX_OK;
}


static void
ngx_http_mta_sts_expiry_handler(ngx_event_t *ev)
{
    ngx_http_mta_sts_main_conf_t  *mmcf;

    mmcf = ev->data;

    if (ngx_exiting || ngx_terminate) {
        return;
    }

    ngx_http_mta_sts_check_expiry(ev->log, mmcf->expiry);

    ngx_add_timer(ev, mmcf->interval);
}


/* for the status endpoint: ngx_http_mta_sts_status_module.c */

ngx_int_t
ngx_http_mta_sts_status_policy(void *conf, ngx_str_t **mode, ngx_str_t *id,
    ngx_http_mta_sts_check_t **check)
{
    ngx_http_mta_sts_srv_conf_t  *mscf = conf;

    if (mscf->mode == NGX_HTTP_MTA_STS_OFF) {
        return NGX_DECLINED;
    }

    if (mscf->variables) {
        return NGX_AGAIN;
    }

    *mode = ngx_http_mta_sts_mode_name(mscf->mode);
    *id = mscf->answer.id;
    *check = &mscf->check;

    return NGX_OK;
}
