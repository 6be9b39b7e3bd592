
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_DNS_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_DNS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_policy.h>


/*
 * A small DNS client's wire format (RFC 1035, section 4; EDNS0, RFC 6891)
 * and the checks of the records an MTA-STS domain publishes: the
 * _mta-sts TXT record (RFC 8461, section 3.1), the MX hosts against the
 * policy (section 4.1), the null MX (RFC 7505) and the _smtp._tls TXT
 * record (RFC 8460, section 3).  Like the policy code, this file uses
 * nginx types and macros only, no nginx functions, so that it links into
 * a unit test or a fuzzer without the rest of nginx.
 */


#define NGX_HTTP_MTA_STS_DNS_A           1
#define NGX_HTTP_MTA_STS_DNS_CNAME       5
#define NGX_HTTP_MTA_STS_DNS_MX          15
#define NGX_HTTP_MTA_STS_DNS_TXT         16
#define NGX_HTTP_MTA_STS_DNS_AAAA        28

/* the longest name dotted, with room for its terminating byte */
#define NGX_HTTP_MTA_STS_DNS_NAME_LEN    256

/* the EDNS0 buffer size announced (the DNS flag day 2020 value) */
#define NGX_HTTP_MTA_STS_DNS_UDP_SIZE    1232

/* header, a name of 255 octets, type and class, an OPT record */
#define NGX_HTTP_MTA_STS_DNS_QUERY_MAX   (12 + 255 + 4 + 11)

/* records kept of one answer, CNAMEs followed, pointers in one name */
#define NGX_HTTP_MTA_STS_DNS_RR_MAX      32
#define NGX_HTTP_MTA_STS_DNS_CNAME_MAX   8
#define NGX_HTTP_MTA_STS_DNS_PTR_MAX     16

/* what ngx_http_mta_sts_dns_parse() makes of a response */
#define NGX_HTTP_MTA_STS_DNS_OK          0   /* records of the type */
#define NGX_HTTP_MTA_STS_DNS_NODATA      1   /* the name, no such record */
#define NGX_HTTP_MTA_STS_DNS_NXDOMAIN    2   /* no such name */
#define NGX_HTTP_MTA_STS_DNS_CNAME_NEXT  3   /* ask again for answer->next */
#define NGX_HTTP_MTA_STS_DNS_TRUNCATED   4   /* TC: ask again over TCP */
#define NGX_HTTP_MTA_STS_DNS_FAILED      5   /* SERVFAIL, REFUSED, ... */
#define NGX_HTTP_MTA_STS_DNS_BAD         6   /* malformed: could not check */
#define NGX_HTTP_MTA_STS_DNS_FOREIGN     7   /* not the answer to our query */


typedef struct {
    ngx_uint_t     type;
    uint32_t       ttl;
    ngx_uint_t     pref;          /* MX */
    ngx_str_t      data;          /* TXT joined, MX host, A/AAAA octets */
} ngx_http_mta_sts_dns_rr_t;


/*
 * The caller gives buf (names and TXT data are copied there; the size of
 * the packet plus 256 bytes a record is always enough) and the question.
 */

typedef struct {
    ngx_str_t                  name;      /* the question, dotted */
    ngx_uint_t                 type;
    uint16_t                   id;

    u_char                    *buf;
    size_t                     size;

    ngx_uint_t                 rcode;
    ngx_uint_t                 nrr;
    uint32_t                   ttl;       /* the least of the records' */
    ngx_str_t                  next;      /* the CNAME chain's end */
    const char                *error;     /* why an answer is BAD */
    ngx_http_mta_sts_dns_rr_t  rr[NGX_HTTP_MTA_STS_DNS_RR_MAX];
} ngx_http_mta_sts_dns_answer_t;


/* what the checks find, worst last */
#define NGX_HTTP_MTA_STS_DNS_UNKNOWN     0   /* not checked yet */
#define NGX_HTTP_MTA_STS_DNS_GOOD        1
#define NGX_HTTP_MTA_STS_DNS_UNCHECKED   2   /* could not check */
#define NGX_HTTP_MTA_STS_DNS_NOTICE      3
#define NGX_HTTP_MTA_STS_DNS_WARN        4


/* a checked TXT record: _mta-sts or _smtp._tls */
#define NGX_HTTP_MTA_STS_DNS_TXT_NONE     0   /* no record of the version */
#define NGX_HTTP_MTA_STS_DNS_TXT_VALID    1
#define NGX_HTTP_MTA_STS_DNS_TXT_INVALID  2
#define NGX_HTTP_MTA_STS_DNS_TXT_MANY     3

/* flags of a checked TXT record */
#define NGX_HTTP_MTA_STS_DNS_SPACE_SEMI   0x01  /* "v=STSv1 ;", erratum 6285 */
#define NGX_HTTP_MTA_STS_DNS_RUA_HTTPS    0x02
#define NGX_HTTP_MTA_STS_DNS_RUA_MAILTO   0x04

typedef struct {
    ngx_uint_t     status;
    ngx_uint_t     flags;
    ngx_str_t      id;            /* _mta-sts: the id */
    ngx_str_t      record;        /* the one record of the version */
    ngx_str_t      rua;           /* _smtp._tls: the rua value */
    const char    *error;         /* why it is invalid */
} ngx_http_mta_sts_dns_txt_t;


/* the MX check */
#define NGX_HTTP_MTA_STS_DNS_MX_COVERED   0
#define NGX_HTTP_MTA_STS_DNS_MX_UNCOVERED 1   /* *host is the first one */
                                              /* of *uncovered hosts */
#define NGX_HTTP_MTA_STS_DNS_MX_NULL      2   /* RFC 7505 */
#define NGX_HTTP_MTA_STS_DNS_MX_NONE      3


/*
 * What the DNS check found for one domain, for the log and for a status
 * page: each check's state and when it last ran.
 */

typedef struct {
    ngx_uint_t     state;
    time_t         checked;       /* 0: never */
    time_t         logged;        /* when the finding was last logged */
    uint32_t       finding;       /* a hash of the last finding logged */
} ngx_http_mta_sts_dns_state_t;

typedef struct {
    ngx_str_t                     domain;
    ngx_http_mta_sts_dns_state_t  txt;     /* _mta-sts.<domain> TXT */
    ngx_http_mta_sts_dns_state_t  mx;      /* <domain> MX */
    ngx_http_mta_sts_dns_state_t  host;    /* mta-sts.<domain> A, AAAA */
    ngx_http_mta_sts_dns_state_t  tlsrpt;  /* _smtp._tls.<domain> TXT */
} ngx_http_mta_sts_dns_result_t;


size_t ngx_http_mta_sts_dns_query(u_char *buf, ngx_str_t *name,
    ngx_uint_t type, uint16_t id, ngx_uint_t edns);
ngx_int_t ngx_http_mta_sts_dns_parse(ngx_http_mta_sts_dns_answer_t *answer,
    u_char *packet, size_t len);
const char *ngx_http_mta_sts_dns_status_text(ngx_int_t status);

/* a name at *off of a packet, dotted and lowercased into name (256 bytes) */
const char *ngx_http_mta_sts_dns_name(u_char *packet, size_t len,
    size_t *off, u_char *name, size_t *nlen);

void ngx_http_mta_sts_dns_sts(ngx_http_mta_sts_dns_answer_t *answer,
    ngx_http_mta_sts_dns_txt_t *txt);
void ngx_http_mta_sts_dns_tlsrpt(ngx_http_mta_sts_dns_answer_t *answer,
    ngx_http_mta_sts_dns_txt_t *txt);
ngx_int_t ngx_http_mta_sts_dns_sts_record(u_char *p, size_t len,
    ngx_http_mta_sts_dns_txt_t *txt);
ngx_int_t ngx_http_mta_sts_dns_tlsrpt_record(u_char *p, size_t len,
    ngx_http_mta_sts_dns_txt_t *txt);
ngx_int_t ngx_http_mta_sts_dns_rua_https(ngx_str_t *rua, size_t *pos,
    ngx_str_t *host);
ngx_uint_t ngx_http_mta_sts_dns_mx(ngx_http_mta_sts_dns_answer_t *answer,
    ngx_http_mta_sts_policy_t *policy, ngx_str_t *host,
    ngx_uint_t *uncovered);


#endif /* _NGX_HTTP_MTA_STS_DNS_H_INCLUDED_ */
