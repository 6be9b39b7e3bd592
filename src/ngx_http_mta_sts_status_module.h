
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_STATUS_MODULE_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_STATUS_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_http_mta_sts_tlsrpt.h>
#include <ngx_http_mta_sts_cert_module.h>


/* the hooks: a policy answered, a TLS report newly stored */
void ngx_http_mta_sts_status_fetched(ngx_http_request_t *r);
void ngx_http_mta_sts_status_report(ngx_http_request_t *r,
    ngx_http_mta_sts_tlsrpt_t *rpt);

/*
 * ngx_http_mta_sts_module.c: the static policy of a server's module
 * configuration; NGX_DECLINED when it serves none or one from variables
 */
ngx_int_t ngx_http_mta_sts_status_policy(void *conf, ngx_str_t **mode,
    ngx_str_t *id, ngx_http_mta_sts_check_t **check);


#endif /* _NGX_HTTP_MTA_STS_STATUS_MODULE_H_INCLUDED_ */
