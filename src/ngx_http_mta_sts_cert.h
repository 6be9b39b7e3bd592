
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_CERT_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_CERT_H_INCLUDED_


#include <stddef.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>


/*
 * What a sender will think of a policy host's certificate (RFC 8461,
 * section 3.3).  Plain C and OpenSSL, no nginx functions, so that it links
 * into a unit test and a fuzzer.
 */


/* ngx_http_mta_sts_cert_covers() */
#define NGX_HTTP_MTA_STS_CERT_COVERS        0
#define NGX_HTTP_MTA_STS_CERT_NOT_COVERED   1
/* covered only by the subject CN or a partial wildcard: senders say no */
#define NGX_HTTP_MTA_STS_CERT_CN_OR_PARTIAL 2

/* ngx_http_mta_sts_cert_validity() */
#define NGX_HTTP_MTA_STS_CERT_VALID         0
#define NGX_HTTP_MTA_STS_CERT_EXPIRED       1
#define NGX_HTTP_MTA_STS_CERT_NOT_YET_VALID 2
#define NGX_HTTP_MTA_STS_CERT_EXPIRING      3
#define NGX_HTTP_MTA_STS_CERT_BAD_TIME      4

/* ngx_http_mta_sts_cert_chain() */
#define NGX_HTTP_MTA_STS_CERT_CHAIN_OK      0
#define NGX_HTTP_MTA_STS_CERT_NO_CHAIN      1
#define NGX_HTTP_MTA_STS_CERT_SELF_SIGNED   2
#define NGX_HTTP_MTA_STS_CERT_WRONG_CHAIN   3

/* ngx_http_mta_sts_cert_names(): which DNS names to list */
#define NGX_HTTP_MTA_STS_CERT_ALL_NAMES     0
#define NGX_HTTP_MTA_STS_CERT_POLICY_NAMES  1   /* "mta-sts." and "*." */


int ngx_http_mta_sts_cert_covers(X509 *x, const char *host, size_t len);
size_t ngx_http_mta_sts_cert_names(X509 *x, int which, char *buf,
    size_t size);
int ngx_http_mta_sts_cert_validity(X509 *x, int days, int *left);
int ngx_http_mta_sts_cert_chain(X509 *leaf, STACK_OF(X509) *chain);


#endif /* _NGX_HTTP_MTA_STS_CERT_H_INCLUDED_ */
