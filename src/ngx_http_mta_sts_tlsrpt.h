
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_TLSRPT_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_TLSRPT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_json.h>


/*
 * SMTP TLS reports (RFC 8460): inflate, parse, check and name one report.
 * This file uses nginx types and macros only, no nginx functions, so that
 * it links into a unit test or a fuzzer without the rest of nginx; it
 * needs zlib, OpenSSL's libcrypto and the JSON parser of
 * ngx_http_mta_sts_json.c.
 */


/* ngx_http_mta_sts_tlsrpt_parse() results */
#define NGX_HTTP_MTA_STS_TLSRPT_OK          0
#define NGX_HTTP_MTA_STS_TLSRPT_INVALID     1
#define NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE   2
#define NGX_HTTP_MTA_STS_TLSRPT_ERROR       3

/* the JSON parser's caps: nesting, and names in one object */
#define NGX_HTTP_MTA_STS_TLSRPT_DEPTH       NGX_HTTP_MTA_STS_JSON_DEPTH
#define NGX_HTTP_MTA_STS_TLSRPT_NAMES       NGX_HTTP_MTA_STS_JSON_NAMES

/* text kept for the access log, longer text is cut */
#define NGX_HTTP_MTA_STS_TLSRPT_TEXT_MAX    256
#define NGX_HTTP_MTA_STS_TLSRPT_DOMAINS_MAX 1024

#define NGX_HTTP_MTA_STS_TLSRPT_UID_LEN     32

/* sender!domain!begin!end!uid.json.gz: two names, two numbers, the id */
#define NGX_HTTP_MTA_STS_TLSRPT_NAME_MAX                                     \
    (2 * 253 + 2 * NGX_INT64_LEN + NGX_HTTP_MTA_STS_TLSRPT_UID_LEN + 16)


/*
 * deflate turns at most this many bytes into one (RFC 1951: a length of
 * 258 in a code of at least 2 bits), so a gzip body no larger than
 * max_json / RATIO cannot inflate past max_json
 */
#define NGX_HTTP_MTA_STS_TLSRPT_DEFLATE_RATIO  1032


/*
 * What each policy of a report says, for the status counters
 * (ngx_http_mta_sts_status.c): the first POLICIES policies, their
 * failed sessions by result type (RFC 8460, section 4.3; unknown types
 * as "other", the last), and their first DETAILS failure-details rows,
 * cut, as sent
 */
#define NGX_HTTP_MTA_STS_TLSRPT_POLICIES    8
#define NGX_HTTP_MTA_STS_TLSRPT_DETAILS     4
#define NGX_HTTP_MTA_STS_TLSRPT_NTYPES      12
#define NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX   96

typedef struct {
    ngx_uint_t                        type;
    uint64_t                          count;
    size_t                            mx_len;
    size_t                            ip_len;
    size_t                            reason_len;
    u_char                            mx[NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX];
    u_char                            ip[NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX];
    u_char                            reason[
                                        NGX_HTTP_MTA_STS_TLSRPT_FIELD_MAX];
} ngx_http_mta_sts_tlsrpt_detail_t;

typedef struct {
    size_t                            domain_len;   /* 0: none given */
    u_char                            domain[254];
    uint64_t                          successful;
    uint64_t                          failed;
    uint64_t                          types[NGX_HTTP_MTA_STS_TLSRPT_NTYPES];
    ngx_uint_t                        ndetails;
    ngx_http_mta_sts_tlsrpt_detail_t  details[
                                        NGX_HTTP_MTA_STS_TLSRPT_DETAILS];
} ngx_http_mta_sts_tlsrpt_policy_t;


/* reads up to size bytes of the body; 0 at its end, -1 on an error */
typedef ssize_t (*ngx_http_mta_sts_tlsrpt_read_pt)(void *data, u_char *buf,
    size_t size);

/* reads the body from its start again; NGX_OK or NGX_ERROR */
typedef ngx_int_t (*ngx_http_mta_sts_tlsrpt_rewind_pt)(void *data);


typedef struct {
    /* set by the caller */
    size_t                            max_json;
    ngx_http_mta_sts_tlsrpt_read_pt   read;
    void                             *data;

    /*
     * optional: the body's size (0: not known), and a way to read it
     * again, so that a body over max_json is refused before it is parsed
     */
    size_t                            body_size;
    ngx_http_mta_sts_tlsrpt_rewind_pt rewind;

    /* set by ngx_http_mta_sts_tlsrpt_parse() */
    const char                       *reason;   /* why not OK */
    ngx_uint_t                        gzip;
    size_t                            json_size;
    size_t                            tree_peak;  /* the parser's memory */

    size_t                            organization_len;
    size_t                            report_id_len;
    size_t                            domains_len;
    size_t                            name_len;

    int64_t                           begin;
    int64_t                           end;
    uint64_t                          successful;
    uint64_t                          failed;

    /* checked policy domains, "," separated, each once */
    u_char                            domains[
                                        NGX_HTTP_MTA_STS_TLSRPT_DOMAINS_MAX];

    /* as sent, cut at NGX_HTTP_MTA_STS_TLSRPT_TEXT_MAX bytes */
    u_char                            organization[
                                        NGX_HTTP_MTA_STS_TLSRPT_TEXT_MAX];
    u_char                            report_id[
                                        NGX_HTTP_MTA_STS_TLSRPT_TEXT_MAX];

    ngx_uint_t                        npolicies;
    ngx_http_mta_sts_tlsrpt_policy_t  policies[
                                        NGX_HTTP_MTA_STS_TLSRPT_POLICIES];

    /* the RFC 8460 section 5.1 file name, NUL-terminated */
    u_char                            name[
                                        NGX_HTTP_MTA_STS_TLSRPT_NAME_MAX];
} ngx_http_mta_sts_tlsrpt_t;


void ngx_http_mta_sts_tlsrpt_cleanup(void);
ngx_int_t ngx_http_mta_sts_tlsrpt_parse(ngx_http_mta_sts_tlsrpt_t *rpt);

ngx_int_t ngx_http_mta_sts_tlsrpt_datetime(u_char *p, size_t len,
    int64_t *t);
size_t ngx_http_mta_sts_tlsrpt_domain(u_char *dst, u_char *src,
    size_t len);

/* the RFC 8460 result types, "other" last */
extern ngx_str_t  ngx_http_mta_sts_tlsrpt_types[];


#endif /* _NGX_HTTP_MTA_STS_TLSRPT_H_INCLUDED_ */
