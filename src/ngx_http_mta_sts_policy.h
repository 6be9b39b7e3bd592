
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_POLICY_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_POLICY_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/*
 * Policy validation and rendering (RFC 8461, section 3.2).  This file
 * uses nginx types and macros only, no nginx functions, so that it links
 * into a unit test or a fuzzer without the rest of nginx.
 */


#define NGX_HTTP_MTA_STS_OFF            0
#define NGX_HTTP_MTA_STS_NONE           1
#define NGX_HTTP_MTA_STS_TESTING        2
#define NGX_HTTP_MTA_STS_ENFORCE        3

#define NGX_HTTP_MTA_STS_MAX_AGE_MAX    31557600
#define NGX_HTTP_MTA_STS_BODY_MAX       64000
#define NGX_HTTP_MTA_STS_NAME_MAX       253
#define NGX_HTTP_MTA_STS_LABEL_MAX      63

/* flags set by ngx_http_mta_sts_mx_check() on a valid pattern */
#define NGX_HTTP_MTA_STS_MX_WILDCARD    0x01
#define NGX_HTTP_MTA_STS_MX_TLD         0x02

/* what ngx_http_mta_sts_policy_check() finds wrong */
#define NGX_HTTP_MTA_STS_MX_INVALID     1
#define NGX_HTTP_MTA_STS_MX_MISSING     2
#define NGX_HTTP_MTA_STS_TOO_LARGE      3


/*
 * Each mx value holds one or more patterns separated by white space; the
 * body lists every distinct pattern once, in the order given.
 */

typedef struct {
    ngx_uint_t    mode;
    ngx_str_t    *mx;
    ngx_uint_t    nmx;
    time_t        max_age;

    /* set by ngx_http_mta_sts_policy_check() */
    ngx_uint_t    patterns;
    size_t        size;
} ngx_http_mta_sts_policy_t;


ngx_int_t ngx_http_mta_sts_mode_value(u_char *data, size_t len);
ngx_str_t *ngx_http_mta_sts_mode_name(ngx_uint_t mode);

char *ngx_http_mta_sts_mx_check(u_char *data, size_t len, ngx_uint_t *flags);
ngx_uint_t ngx_http_mta_sts_mx_equal(ngx_str_t *a, ngx_str_t *b);
ngx_uint_t ngx_http_mta_sts_mx_match(ngx_str_t *pattern, u_char *host,
    size_t len);

ngx_int_t ngx_http_mta_sts_policy_check(ngx_http_mta_sts_policy_t *policy,
    ngx_str_t *bad, char **reason);
u_char *ngx_http_mta_sts_policy_render(u_char *p,
    ngx_http_mta_sts_policy_t *policy);


#endif /* _NGX_HTTP_MTA_STS_POLICY_H_INCLUDED_ */
