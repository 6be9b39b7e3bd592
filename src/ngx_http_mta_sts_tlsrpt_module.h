
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_TLSRPT_MODULE_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_TLSRPT_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/* the number of "mta_sts_tlsrpt" receivers in the configuration read */
ngx_uint_t ngx_http_mta_sts_tlsrpt_receivers(ngx_conf_t *cf);


extern ngx_module_t  ngx_http_mta_sts_tlsrpt_module;


#endif /* _NGX_HTTP_MTA_STS_TLSRPT_MODULE_H_INCLUDED_ */
