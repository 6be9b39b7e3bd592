
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_UPDATE_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_UPDATE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/*
 * Publishing the _mta-sts TXT record by DNS UPDATE (RFC 2136) signed
 * with TSIG (RFC 8945): the key file, the UPDATE message, the TSIG
 * record of a request and the check of a response's.  Plain C with nginx
 * types and OpenSSL's libcrypto, no nginx functions, so that it links
 * into a unit test and a fuzzer.
 */


#define NGX_HTTP_MTA_STS_UPDATE_OPCODE     5
#define NGX_HTTP_MTA_STS_UPDATE_TSIG       250
#define NGX_HTTP_MTA_STS_UPDATE_SOA        6
#define NGX_HTTP_MTA_STS_UPDATE_FUDGE      300

/* TSIG's algorithms (RFC 8945, section 6) */
#define NGX_HTTP_MTA_STS_UPDATE_SHA1       0
#define NGX_HTTP_MTA_STS_UPDATE_SHA224     1
#define NGX_HTTP_MTA_STS_UPDATE_SHA256     2
#define NGX_HTTP_MTA_STS_UPDATE_SHA384     3
#define NGX_HTTP_MTA_STS_UPDATE_SHA512     4

#define NGX_HTTP_MTA_STS_UPDATE_MAC_MAX    64
#define NGX_HTTP_MTA_STS_UPDATE_SECRET_MAX 256

/* the TXT records of a set kept for a prerequisite */
#define NGX_HTTP_MTA_STS_UPDATE_TXT_MAX    8
#define NGX_HTTP_MTA_STS_UPDATE_RDATA_MAX  512

/* TSIG errors (RFC 8945, section 5.3.2) */
#define NGX_HTTP_MTA_STS_UPDATE_BADSIG     16
#define NGX_HTTP_MTA_STS_UPDATE_BADKEY     17
#define NGX_HTTP_MTA_STS_UPDATE_BADTIME    18
#define NGX_HTTP_MTA_STS_UPDATE_BADTRUNC   22

/* what ngx_http_mta_sts_update_verify() finds of a response's TSIG */
#define NGX_HTTP_MTA_STS_UPDATE_SIGNED     0   /* the MAC is good */
#define NGX_HTTP_MTA_STS_UPDATE_UNSIGNED   1   /* no TSIG record */
#define NGX_HTTP_MTA_STS_UPDATE_FORGED     2   /* a MAC that does not match */
#define NGX_HTTP_MTA_STS_UPDATE_OTHER_KEY  3   /* another key or algorithm */
#define NGX_HTTP_MTA_STS_UPDATE_STALE      4   /* signed outside the fudge */


typedef struct {
    u_char         name[256];         /* the key name on the wire */
    size_t         name_len;
    u_char         text[256];         /* dotted, lowercase, with the root */
    size_t         text_len;
    ngx_uint_t     alg;
    u_char         secret[NGX_HTTP_MTA_STS_UPDATE_SECRET_MAX];
    size_t         secret_len;
} ngx_http_mta_sts_update_key_t;


typedef struct {
    ngx_str_t      zone;              /* dotted */
    ngx_str_t      name;              /* _mta-sts.<domain> */
    ngx_str_t      id;                /* the id to publish */
    uint32_t       ttl;
    uint16_t       msgid;
    ngx_uint_t     ntxt;              /* 0: "no TXT RRset" */
    ngx_str_t      txt[NGX_HTTP_MTA_STS_UPDATE_TXT_MAX]; /* RDATA as read */
} ngx_http_mta_sts_update_msg_t;


/* a response: to a query (TXT, SOA) or to an UPDATE */

typedef struct {
    /* asked */
    ngx_str_t      name;              /* a query's name; UPDATE: empty */
    ngx_uint_t     type;
    uint16_t       id;
    ngx_uint_t     opcode;

    /* found */
    ngx_uint_t     rcode;
    ngx_uint_t     ntxt;              /* TXT records the name owns */
    ngx_str_t      txt[NGX_HTTP_MTA_STS_UPDATE_TXT_MAX];
    ngx_uint_t     txt_over;          /* more, or longer, than kept */
    uint32_t       txt_ttl;           /* the least of their TTLs */
    ngx_uint_t     cname;             /* a CNAME the name owns */
    u_char         soa[256];          /* an SOA's owner, dotted */
    size_t         soa_len;
    const char    *error;             /* why a response is malformed */

    /* its TSIG record, when the last of the additional section */
    ngx_uint_t     tsig;
    size_t         tsig_off;          /* where it begins */
    u_char         tsig_name[256];
    size_t         tsig_name_len;
    u_char         tsig_alg[256];
    size_t         tsig_alg_len;
    uint64_t       time_signed;
    uint16_t       fudge;
    u_char        *mac;
    size_t         mac_len;
    uint16_t       orig_id;
    uint16_t       tsig_error;
    u_char        *other;
    size_t         other_len;
} ngx_http_mta_sts_update_resp_t;


const char *ngx_http_mta_sts_update_key(u_char *p, size_t len,
    ngx_http_mta_sts_update_key_t *key);
const char *ngx_http_mta_sts_update_alg_name(ngx_uint_t alg);

size_t ngx_http_mta_sts_update_build(u_char *buf, size_t size,
    ngx_http_mta_sts_update_msg_t *msg);
size_t ngx_http_mta_sts_update_sign(u_char *buf, size_t len, size_t size,
    ngx_http_mta_sts_update_key_t *key, uint64_t now, u_char *mac,
    size_t *mac_len);

ngx_int_t ngx_http_mta_sts_update_parse(ngx_http_mta_sts_update_resp_t *resp,
    u_char *packet, size_t len);
ngx_uint_t ngx_http_mta_sts_update_verify(
    ngx_http_mta_sts_update_resp_t *resp, u_char *packet, size_t len,
    ngx_http_mta_sts_update_key_t *key, u_char *req_mac, size_t req_mac_len,
    uint64_t now);
ngx_uint_t ngx_http_mta_sts_update_published(
    ngx_http_mta_sts_update_resp_t *resp, ngx_str_t *id);

const char *ngx_http_mta_sts_update_rcode_text(ngx_uint_t rcode);


#endif /* _NGX_HTTP_MTA_STS_UPDATE_H_INCLUDED_ */
