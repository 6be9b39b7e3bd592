
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_CERT_MODULE_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_CERT_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/*
 * What "nginx -t" and every reload say about a server that serves a
 * policy: its certificates, its listeners, whether a policy host can reach
 * it.  Warnings and notices only: a certificate problem must never stop
 * nginx (Debian runs "nginx -t -q" before every start).
 */


#define NGX_HTTP_MTA_STS_CHECK_OFF     0
#define NGX_HTTP_MTA_STS_CHECK_ON      1
#define NGX_HTTP_MTA_STS_CHECK_QUIET   2

#define NGX_HTTP_MTA_STS_CHECK_DAYS    14


/* a part of the module's server configuration */

typedef struct {
    ngx_uint_t      check;            /* mta_sts_check */
    ngx_int_t       days;             /* mta_sts_check_days */
    ngx_flag_t      listener;         /* mta_sts_check_listener */

    unsigned        enabled:1;        /* the mode is not off */
    unsigned        explicit:1;       /* mta_sts_mode set in the server */

    /* found by ngx_http_mta_sts_check() in the listeners */
    unsigned        ssl:1;
    unsigned        ssl_443:1;
    unsigned        quic:1;           /* HTTP/3: no listener for senders */
    unsigned        default_server:1;
} ngx_http_mta_sts_check_t;


#if (NGX_HTTP_SSL)

/* a certificate file whose days left one worker checks again daily */

typedef struct {
    X509           *cert;             /* owned by the server's SSL_CTX */
    char           *file;
    ngx_str_t       host;
    u_char         *conf_file;        /* the server block's */
    ngx_uint_t      line;
    ngx_int_t       days;
    ngx_uint_t      level;
} ngx_http_mta_sts_expiry_t;

#endif


/*
 * Called from the postconfiguration, when every server is merged and its
 * certificates are loaded: "offset" is where ngx_http_mta_sts_check_t
 * stands in the module's server configuration.  Each certificate file
 * checked is added once to "expiry" (ngx_http_mta_sts_expiry_t), unless
 * it is NULL.
 */

ngx_int_t ngx_http_mta_sts_check(ngx_conf_t *cf, ngx_uint_t ctx_index,
    size_t offset, ngx_array_t *expiry);

/* the days left of each, again: from a worker's timer */
void ngx_http_mta_sts_check_expiry(ngx_log_t *log, ngx_array_t *expiry);


#endif /* _NGX_HTTP_MTA_STS_CERT_MODULE_H_INCLUDED_ */
