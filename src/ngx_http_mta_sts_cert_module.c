
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_http_mta_sts_cert_module.h>

#if (NGX_HTTP_SSL)
#include <ngx_http_mta_sts_cert.h>
#endif


#define NGX_HTTP_MTA_STS_CHECK_PREFIX  "mta-sts."
#define NGX_HTTP_MTA_STS_CHECK_RFC     "(RFC 8461, section 3.3)"
#define NGX_HTTP_MTA_STS_CHECK_NAMES   512


/* one server as the checks see it */

typedef struct {
    ngx_http_core_srv_conf_t   *cscf;
    ngx_http_mta_sts_check_t   *ccf;
    ngx_uint_t                  warn;
    ngx_uint_t                  notice;

    ngx_str_t                   host;         /* named in every message */
    ngx_str_t                  *other;        /* a wildcard or regex name */
    ngx_uint_t                  exact;        /* exact "mta-sts." names */
    ngx_uint_t                  reachable;

    /* certificate files already checked, once for all servers */
    ngx_rbtree_t               *files;
    ngx_array_t                *expiry;
} ngx_http_mta_sts_check_ctx_t;


typedef struct {
    ngx_str_node_t              sn;
    ngx_http_core_srv_conf_t   *cscf;         /* the first that loads it */
} ngx_http_mta_sts_check_file_t;


static ngx_int_t ngx_http_mta_sts_check_listeners(ngx_conf_t *cf,
    ngx_uint_t ctx_index, size_t offset);
static ngx_http_mta_sts_check_t *ngx_http_mta_sts_check_conf(
    ngx_http_core_srv_conf_t *cscf, ngx_uint_t ctx_index, size_t offset);
static void ngx_http_mta_sts_check_names(ngx_conf_t *cf,
    ngx_http_mta_sts_check_ctx_t *ctx);
static void ngx_http_mta_sts_check_server(ngx_conf_t *cf,
    ngx_http_mta_sts_check_ctx_t *ctx);

#if (NGX_HTTP_SSL)
static void ngx_http_mta_sts_check_certs(ngx_conf_t *cf,
    ngx_http_mta_sts_check_ctx_t *ctx, SSL_CTX *ssl);
static void ngx_http_mta_sts_check_cert(ngx_conf_t *cf,
    ngx_http_mta_sts_check_ctx_t *ctx, X509 *x, STACK_OF(X509) *chain);
static ngx_uint_t ngx_http_mta_sts_check_first(ngx_conf_t *cf,
    ngx_http_mta_sts_check_ctx_t *ctx, X509 *x, char *file);
static void ngx_http_mta_sts_check_validity(ngx_log_t *log,
    ngx_http_mta_sts_expiry_t *e);
#endif


ngx_int_t
ngx_http_mta_sts_check(ngx_conf_t *cf, ngx_uint_t ctx_index, size_t offset,
    ngx_array_t *expiry)
{
    ngx_uint_t                     s;
    ngx_rbtree_t                   files;
    ngx_rbtree_node_t              sentinel;
    ngx_http_core_srv_conf_t     **cscfp;
    ngx_http_core_main_conf_t     *cmcf;
    ngx_http_mta_sts_check_ctx_t   ctx;

    if (ngx_http_mta_sts_check_listeners(cf, ctx_index, offset) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_rbtree_init(&files, &sentinel, ngx_str_rbtree_insert_value);

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
    cscfp = cmcf->servers.elts;

    for (s = 0; s < cmcf->servers.nelts; s++) {

        ngx_memzero(&ctx, sizeof(ngx_http_mta_sts_check_ctx_t));

        ctx.cscf = cscfp[s];
        ctx.ccf = ngx_http_mta_sts_check_conf(cscfp[s], ctx_index, offset);
        ctx.files = &files;
        ctx.expiry = expiry;

        if (!ctx.ccf->enabled
            || ctx.ccf->check == NGX_HTTP_MTA_STS_CHECK_OFF)
        {
            continue;
        }

        if (ctx.ccf->check == NGX_HTTP_MTA_STS_CHECK_QUIET) {
            ctx.warn = NGX_LOG_INFO;
            ctx.notice = NGX_LOG_INFO;

        } else {
            ctx.warn = NGX_LOG_WARN;
            ctx.notice = NGX_LOG_NOTICE;
        }

        ngx_http_mta_sts_check_names(cf, &ctx);

        /*
         * a mode from the http level reaches every server: those where
         * no policy host can be named are no one's policy host
         */

        if (!ctx.ccf->explicit && ctx.exact == 0 && ctx.other == NULL) {
            continue;
        }

        ngx_http_mta_sts_check_server(cf, &ctx);
    }

    return NGX_OK;
}


/*
 * One pass over every listening address: which servers have an "ssl"
 * listener, one on port 443, or are the default server of an address.
 * A "quic" listener (HTTP/3) is no HTTPS listener for senders, who fetch
 * the policy over TCP; it is noted only to say so.
 */

static ngx_int_t
ngx_http_mta_sts_check_listeners(ngx_conf_t *cf, ngx_uint_t ctx_index,
    size_t offset)
{
    ngx_uint_t                   p, a, s;
    ngx_http_conf_addr_t        *addr;
    ngx_http_conf_port_t        *port;
    ngx_http_core_srv_conf_t   **cscfp;
    ngx_http_core_main_conf_t   *cmcf;
    ngx_http_mta_sts_check_t    *ccf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    if (cmcf->ports == NULL) {
        return NGX_OK;
    }

    port = cmcf->ports->elts;

    for (p = 0; p < cmcf->ports->nelts; p++) {

        addr = port[p].addrs.elts;

        for (a = 0; a < port[p].addrs.nelts; a++) {

            ccf = ngx_http_mta_sts_check_conf(addr[a].default_server,
                                              ctx_index, offset);
            ccf->default_server = 1;

#if (NGX_HTTP_SSL)
            cscfp = addr[a].servers.elts;

#if (NGX_HTTP_V3)
            if (addr[a].opt.quic) {
                for (s = 0; s < addr[a].servers.nelts; s++) {
                    ccf = ngx_http_mta_sts_check_conf(cscfp[s], ctx_index,
                                                      offset);
                    ccf->quic = 1;
                }

                continue;
            }
#endif

            if (!addr[a].opt.ssl) {
                continue;
            }

            for (s = 0; s < addr[a].servers.nelts; s++) {
                ccf = ngx_http_mta_sts_check_conf(cscfp[s], ctx_index,
                                                  offset);
                ccf->ssl = 1;

                if (port[p].port == 443) {
                    ccf->ssl_443 = 1;
                }
            }
#else
            (void) cscfp;
            (void) s;
#endif
        }
    }

    return NGX_OK;
}


static ngx_http_mta_sts_check_t *
ngx_http_mta_sts_check_conf(ngx_http_core_srv_conf_t *cscf,
    ngx_uint_t ctx_index, size_t offset)
{
    return (ngx_http_mta_sts_check_t *)
               ((u_char *) cscf->ctx->srv_conf[ctx_index] + offset);
}


/*
 * Senders ask for "mta-sts.<domain>": an exact such name is checked
 * against the certificates; a wildcard or regex name may match one too,
 * as may any name of a default server.
 */

static void
ngx_http_mta_sts_check_names(ngx_conf_t *cf,
    ngx_http_mta_sts_check_ctx_t *ctx)
{
    size_t                   len;
    ngx_uint_t               i;
    ngx_str_t               *name;
    ngx_http_server_name_t  *sn;

    len = sizeof(NGX_HTTP_MTA_STS_CHECK_PREFIX) - 1;
    sn = ctx->cscf->server_names.elts;

    for (i = 0; i < ctx->cscf->server_names.nelts; i++) {
        name = &sn[i].name;

#if (NGX_PCRE)
        if (sn[i].regex) {
            if (ctx->other == NULL) {
                ctx->other = name;
            }

            ctx->reachable = 1;
            continue;
        }
#endif

        if (name->len && (name->data[0] == '*' || name->data[0] == '.')) {
            if (ctx->other == NULL) {
                ctx->other = name;
            }

            ctx->reachable = 1;
            continue;
        }

        if (name->len > 2 && name->data[name->len - 1] == '*') {
            /* "mail.*" never matches a policy host, "mta-sts.*" does */

            if (name->len == len + 1
                && ngx_strncmp(name->data, NGX_HTTP_MTA_STS_CHECK_PREFIX,
                               len)
                   == 0)
            {
                if (ctx->other == NULL) {
                    ctx->other = name;
                }

                ctx->reachable = 1;
            }

            continue;
        }

        if (name->len > len
            && ngx_strncmp(name->data, NGX_HTTP_MTA_STS_CHECK_PREFIX, len)
               == 0)
        {
            if (ctx->exact++ == 0) {
                ctx->host = *name;
            }

            ctx->reachable = 1;
        }
    }

    if (ctx->ccf->default_server) {
        ctx->reachable = 1;
    }

    if (ctx->host.len == 0) {
        if (ctx->other) {
            ctx->host = *ctx->other;

        } else if (ctx->cscf->server_names.nelts) {
            ctx->host = sn[0].name;
        }
    }
}


static void
ngx_http_mta_sts_check_server(ngx_conf_t *cf,
    ngx_http_mta_sts_check_ctx_t *ctx)
{
    ngx_http_core_srv_conf_t  *cscf;
#if (NGX_HTTP_SSL)
    ngx_http_ssl_srv_conf_t   *sscf;
#endif

    cscf = ctx->cscf;

    if (!ctx->reachable) {
        ngx_log_error(ctx->warn, cf->log, 0,
                      "no host \"" NGX_HTTP_MTA_STS_CHECK_PREFIX "<domain>\" "
                      "reaches server \"%V\", its MTA-STS policy is never "
                      "served: add \"" NGX_HTTP_MTA_STS_CHECK_PREFIX
                      "<domain>\" to its \"server_name\" "
                      NGX_HTTP_MTA_STS_CHECK_RFC " in %s:%ui",
                      &ctx->host, cscf->file_name, cscf->line);
        return;
    }

    if (!ctx->ccf->ssl) {
        if (ctx->ccf->listener && ctx->ccf->quic) {
            ngx_log_error(ctx->warn, cf->log, 0,
                          "no \"ssl\" listener for \"%V\", only \"quic\": "
                          "senders fetch the MTA-STS policy over HTTPS on "
                          "TCP port 443 only " NGX_HTTP_MTA_STS_CHECK_RFC
                          "; add \"listen 443 ssl\" next to \"listen 443 "
                          "quic\" in %s:%ui",
                          &ctx->host, cscf->file_name, cscf->line);

        } else if (ctx->ccf->listener) {
            ngx_log_error(ctx->warn, cf->log, 0,
                          "no \"ssl\" listener for \"%V\": senders fetch "
                          "the MTA-STS policy over HTTPS on port 443 only "
                          NGX_HTTP_MTA_STS_CHECK_RFC "; where TLS ends in "
                          "front of nginx, set \"mta_sts_check_listener "
                          "off\" in %s:%ui",
                          &ctx->host, cscf->file_name, cscf->line);

        } else {
            ngx_log_error(ctx->notice, cf->log, 0,
                          "no \"ssl\" listener for \"%V\", its certificate "
                          "is not checked in %s:%ui",
                          &ctx->host, cscf->file_name, cscf->line);
        }

        return;
    }

    if (!ctx->ccf->ssl_443 && ctx->ccf->listener) {
        ngx_log_error(ctx->warn, cf->log, 0,
                      "no \"ssl\" listener on port 443 for \"%V\": senders "
                      "fetch the MTA-STS policy over HTTPS on port 443 only "
                      NGX_HTTP_MTA_STS_CHECK_RFC "; where TLS ends in front "
                      "of nginx, set \"mta_sts_check_listener off\" "
                      "in %s:%ui",
                      &ctx->host, cscf->file_name, cscf->line);
    }

#if (NGX_HTTP_SSL)

    sscf = cscf->ctx->srv_conf[ngx_http_ssl_module.ctx_index];

    if (sscf->reject_handshake) {
        ngx_log_error(ctx->notice, cf->log, 0,
                      "\"ssl_reject_handshake\" is on for \"%V\", "
                      "no certificate is checked in %s:%ui",
                      &ctx->host, cscf->file_name, cscf->line);
        return;
    }

    if (sscf->certificate_values) {
        ngx_log_error(ctx->notice, cf->log, 0,
                      "certificates chosen per handshake (\"ssl_certificate\" "
                      "with variables) for \"%V\" are not checked "
                      "in %s:%ui",
                      &ctx->host, cscf->file_name, cscf->line);
        return;
    }

    if (sscf->ssl.ctx == NULL) {
        /* nginx itself says "no ssl_certificate is defined" */
        return;
    }

    ngx_http_mta_sts_check_certs(cf, ctx, sscf->ssl.ctx);

#endif
}


#if (NGX_HTTP_SSL)

/*
 * The certificates as OpenSSL will serve them, one per key type, on any
 * nginx version: the cursor is moved here, at load time only, and put
 * back on the first certificate.
 */

static void
ngx_http_mta_sts_check_certs(ngx_conf_t *cf,
    ngx_http_mta_sts_check_ctx_t *ctx, SSL_CTX *ssl)
{
    int              rc;
    X509            *x;
    STACK_OF(X509)  *chain;

    for (rc = SSL_CTX_set_current_cert(ssl, SSL_CERT_SET_FIRST);
         rc == 1;
         rc = SSL_CTX_set_current_cert(ssl, SSL_CERT_SET_NEXT))
    {
        x = SSL_CTX_get0_certificate(ssl);

        if (x == NULL) {
            continue;
        }

        chain = NULL;

        if (SSL_CTX_get0_chain_certs(ssl, &chain) != 1) {
            chain = NULL;
        }

        ngx_http_mta_sts_check_cert(cf, ctx, x, chain);
    }

    (void) SSL_CTX_set_current_cert(ssl, SSL_CERT_SET_FIRST);

    ERR_clear_error();
}


static void
ngx_http_mta_sts_check_cert(ngx_conf_t *cf,
    ngx_http_mta_sts_check_ctx_t *ctx, X509 *x, STACK_OF(X509) *chain)
{
    char                      *file, *why;
    size_t                     len;
    ngx_uint_t                 i, n;
    ngx_http_server_name_t    *sn;
    ngx_http_core_srv_conf_t  *cscf;
    ngx_http_mta_sts_expiry_t  e;
    char                       buf[NGX_HTTP_MTA_STS_CHECK_NAMES];

    cscf = ctx->cscf;
    file = X509_get_ex_data(x, ngx_ssl_certificate_name_index);

    if (file == NULL) {
        file = "(unknown)";
    }

    /* every exact policy host, as a sender sends it in SNI */

    len = sizeof(NGX_HTTP_MTA_STS_CHECK_PREFIX) - 1;
    sn = cscf->server_names.elts;

    for (i = 0; i < cscf->server_names.nelts; i++) {

#if (NGX_PCRE)
        if (sn[i].regex) {
            continue;
        }
#endif

        if (sn[i].name.len <= len
            || sn[i].name.data[sn[i].name.len - 1] == '*'
            || ngx_strncmp(sn[i].name.data, NGX_HTTP_MTA_STS_CHECK_PREFIX,
                           len)
               != 0)
        {
            continue;
        }

        switch (ngx_http_mta_sts_cert_covers(x, (char *) sn[i].name.data,
                                             sn[i].name.len))
        {
        case NGX_HTTP_MTA_STS_CERT_COVERS:
            continue;

        case NGX_HTTP_MTA_STS_CERT_CN_OR_PARTIAL:
            why = " (only its subject CN or a partial wildcard names it, "
                  "and senders ignore both)";
            break;

        default: /* NGX_HTTP_MTA_STS_CERT_NOT_COVERED */
            why = "";
        }

        n = ngx_http_mta_sts_cert_names(x, NGX_HTTP_MTA_STS_CERT_ALL_NAMES,
                                        buf, sizeof(buf));

        ngx_log_error(ctx->warn, cf->log, 0,
                      "certificate \"%s\" does not cover \"%V\"%s, senders "
                      "will not fetch its MTA-STS policy "
                      NGX_HTTP_MTA_STS_CHECK_RFC "; its DNS names: %s "
                      "in %s:%ui",
                      file, &sn[i].name, why, n ? buf : "none",
                      cscf->file_name, cscf->line);
    }

    /* wildcard and regex names: say which policy hosts it could serve */

    if (ctx->other) {
        n = ngx_http_mta_sts_cert_names(x,
                                        NGX_HTTP_MTA_STS_CERT_POLICY_NAMES,
                                        buf, sizeof(buf));

        ngx_log_error(ctx->notice, cf->log, 0,
                      "server name \"%s%V\" is not checked against "
                      "certificate \"%s\", whose names for policy hosts "
                      "are: %s in %s:%ui",
#if (NGX_PCRE)
                      (ctx->other->data[0] == '*'
                       || ctx->other->data[0] == '.'
                       || ctx->other->data[ctx->other->len - 1] == '*')
                      ? "" : "~",
#else
                      "",
#endif
                      ctx->other, file, n ? buf : "none",
                      cscf->file_name, cscf->line);
    }

    /* the same file in many servers is reported once, for the first */

    if (!ngx_http_mta_sts_check_first(cf, ctx, x, file)) {
        return;
    }

    e.cert = x;
    e.file = file;
    e.host = ctx->host;
    e.conf_file = cscf->file_name;
    e.line = cscf->line;
    e.days = ctx->ccf->days;
    e.level = ctx->warn;

    ngx_http_mta_sts_check_validity(cf->log, &e);

    switch (ngx_http_mta_sts_cert_chain(x, chain)) {

    case NGX_HTTP_MTA_STS_CERT_NO_CHAIN:
        ngx_log_error(ctx->warn, cf->log, 0,
                      "certificate \"%s\" for \"%V\" has no intermediate "
                      "certificate after it, senders do not fetch "
                      "missing ones " NGX_HTTP_MTA_STS_CHECK_RFC
                      "; use the full chain file in %s:%ui",
                      file, &ctx->host, cscf->file_name, cscf->line);
        break;

    case NGX_HTTP_MTA_STS_CERT_SELF_SIGNED:
        ngx_log_error(ctx->warn, cf->log, 0,
                      "certificate \"%s\" for \"%V\" is self-signed, "
                      "senders will not trust it "
                      NGX_HTTP_MTA_STS_CHECK_RFC " in %s:%ui",
                      file, &ctx->host, cscf->file_name, cscf->line);
        break;

    case NGX_HTTP_MTA_STS_CERT_WRONG_CHAIN:
        ngx_log_error(ctx->warn, cf->log, 0,
                      "certificate \"%s\" for \"%V\" is not followed by "
                      "the certificate that issued it, senders will not "
                      "trust it " NGX_HTTP_MTA_STS_CHECK_RFC " in %s:%ui",
                      file, &ctx->host, cscf->file_name, cscf->line);
        break;

    default:
        break;
    }
}


/*
 * A certificate file used by thousands of servers is reported for the
 * first that loads it only: returns 1 for that server.  The first time a
 * file is seen, it is added to the list of the daily check.
 */

static ngx_uint_t
ngx_http_mta_sts_check_first(ngx_conf_t *cf,
    ngx_http_mta_sts_check_ctx_t *ctx, X509 *x, char *file)
{
    uint32_t                        hash;
    ngx_str_t                       name;
    ngx_http_mta_sts_expiry_t      *e;
    ngx_http_mta_sts_check_file_t  *f;

    name.data = (u_char *) file;
    name.len = ngx_strlen(file);
    hash = ngx_crc32_long(name.data, name.len);

    f = (ngx_http_mta_sts_check_file_t *)
            ngx_str_rbtree_lookup(ctx->files, &name, hash);

    if (f) {
        return f->cscf == ctx->cscf;
    }

    f = ngx_palloc(cf->temp_pool, sizeof(ngx_http_mta_sts_check_file_t));
    if (f == NULL) {
        return 1;
    }

    f->sn.node.key = hash;
    f->sn.str = name;
    f->cscf = ctx->cscf;

    ngx_rbtree_insert(ctx->files, &f->sn.node);

    if (ctx->expiry) {
        e = ngx_array_push(ctx->expiry);
        if (e == NULL) {
            return 1;
        }

        e->cert = x;
        e->file = file;
        e->host = ctx->host;
        e->conf_file = ctx->cscf->file_name;
        e->line = ctx->cscf->line;
        e->days = ctx->ccf->days;
        e->level = ctx->warn;
    }

    return 1;
}


/* the same words at load time and from the daily check */

static void
ngx_http_mta_sts_check_validity(ngx_log_t *log, ngx_http_mta_sts_expiry_t *e)
{
    int  left;

    switch (ngx_http_mta_sts_cert_validity(e->cert, e->days, &left)) {

    case NGX_HTTP_MTA_STS_CERT_EXPIRED:
        ngx_log_error(e->level, log, 0,
                      "certificate \"%s\" for \"%V\" has expired, "
                      "senders will not fetch the MTA-STS policy "
                      NGX_HTTP_MTA_STS_CHECK_RFC " in %s:%ui",
                      e->file, &e->host, e->conf_file, e->line);
        break;

    case NGX_HTTP_MTA_STS_CERT_NOT_YET_VALID:
        ngx_log_error(e->level, log, 0,
                      "certificate \"%s\" for \"%V\" is not yet valid, "
                      "senders will not fetch the MTA-STS policy "
                      NGX_HTTP_MTA_STS_CHECK_RFC " in %s:%ui",
                      e->file, &e->host, e->conf_file, e->line);
        break;

    case NGX_HTTP_MTA_STS_CERT_EXPIRING:
        ngx_log_error(e->level, log, 0,
                      "certificate \"%s\" for \"%V\" expires in %d "
                      "day%s, senders will not fetch the MTA-STS policy "
                      "after that " NGX_HTTP_MTA_STS_CHECK_RFC " in %s:%ui",
                      e->file, &e->host, left, left == 1 ? "" : "s",
                      e->conf_file, e->line);
        break;

    default:
        break;
    }
}

#endif


void
ngx_http_mta_sts_check_expiry(ngx_log_t *log, ngx_array_t *expiry)
{
#if (NGX_HTTP_SSL)
    ngx_uint_t                  i;
    ngx_http_mta_sts_expiry_t  *e;

    e = expiry->elts;

    for (i = 0; i < expiry->nelts; i++) {
        ngx_http_mta_sts_check_validity(log, &e[i]);
    }
#endif
}
