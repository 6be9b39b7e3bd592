
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_IDS_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_IDS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_http_mta_sts_policy.h>


/*
 * The TXT record each static policy host needs (RFC 8461, section 3.1),
 * and on a reload the ids that changed since the running configuration
 * (section 8.1: publish the new id once the new policy is served).  The
 * previous configuration's ids reach the new one through a small shared
 * memory zone, whose init receives the old cycle's data.
 */


#define NGX_HTTP_MTA_STS_TXT_OFF       0
#define NGX_HTTP_MTA_STS_TXT_CHANGED   1
#define NGX_HTTP_MTA_STS_TXT_ALL       2

/* at start and "nginx -t", up to this many records are listed */
#define NGX_HTTP_MTA_STS_TXT_LIST      10


typedef struct {
    ngx_str_t       domain;           /* "example.com" */
    ngx_str_t       id;               /* the server's policy id */
    ngx_uint_t      order;            /* set by ngx_http_mta_sts_ids() */
} ngx_http_mta_sts_id_t;


/*
 * "ids" is an array of ngx_http_mta_sts_id_t, one per exact
 * "mta-sts.<domain>" server name of a server with a static policy, in
 * the configuration's order; a domain named twice keeps its first id.
 */

ngx_int_t ngx_http_mta_sts_ids(ngx_conf_t *cf, ngx_array_t *ids,
    ngx_uint_t mode, void *tag);

/* in ngx_http_mta_sts_module.c: what the TXT records and the DNS check of
 * ngx_http_mta_sts_dns_module.c need of a server */
ngx_int_t ngx_http_mta_sts_server_domain(ngx_str_t *name,
    ngx_str_t *domain);
ngx_int_t ngx_http_mta_sts_server_policy(ngx_http_core_srv_conf_t *cscf,
    ngx_http_mta_sts_policy_t *policy, ngx_str_t *id, ngx_flag_t *listener);


#endif /* _NGX_HTTP_MTA_STS_IDS_H_INCLUDED_ */
