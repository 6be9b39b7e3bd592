
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_UPDATE_MODULE_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_UPDATE_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_dns.h>


/*
 * Called by the DNS check (ngx_http_mta_sts_dns_module.c) in the first
 * worker with what it found of _mta-sts.<domain> TXT: the status of
 * ngx_http_mta_sts_dns_parse() and the answer.  Where "mta_sts_dns_update"
 * covers the domain and the id published is not the id served, an UPDATE
 * starts; nothing waits on it.
 */

void ngx_http_mta_sts_update_txt(ngx_str_t *domain, ngx_int_t status,
    ngx_http_mta_sts_dns_answer_t *answer);


#endif /* _NGX_HTTP_MTA_STS_UPDATE_MODULE_H_INCLUDED_ */
