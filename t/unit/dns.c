
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * Unit tests of src/ngx_http_mta_sts_dns.c, without a running nginx: the
 * query (RFC 1035, section 4.1; EDNS0, RFC 6891), answers real resolvers
 * give and hostile ones (wrong id or question, compression loops and
 * forward pointers, labels and counts running past the end, reserved
 * label types), CNAME chains, the _mta-sts record (RFC 8461, section
 * 3.1, erratum 6285), the _smtp._tls record (RFC 8460, section 3), MX
 * coverage (RFC 8461, section 4.1) and the null MX (RFC 7505).  Prints a
 * TAP line a check and exits non-zero on any failure.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_dns.h>

#include <stdio.h>

#include "tap.h"


#define ID  0x4d2a


typedef struct {
    u_char   data[70000];
    size_t   len;
} pkt_t;


static void pkt_header(pkt_t *p, uint16_t id, u_char f1, u_char f2,
    ngx_uint_t qd, ngx_uint_t an);
static void pkt_bytes(pkt_t *p, const void *data, size_t len);
static void pkt_u16(pkt_t *p, ngx_uint_t v);
static void pkt_name(pkt_t *p, const char *name);
static void pkt_question(pkt_t *p, const char *name, ngx_uint_t type);
static void pkt_rr(pkt_t *p, const char *owner, ngx_uint_t type,
    uint32_t ttl, const void *rdata, size_t rdlen);
static void pkt_txt(pkt_t *p, const char *owner, const char *s1,
    const char *s2);
static void pkt_mx(pkt_t *p, const char *owner, ngx_uint_t pref,
    const char *host);
static ngx_int_t parse(pkt_t *p, const char *name, ngx_uint_t type,
    ngx_http_mta_sts_dns_answer_t *a);
static ngx_int_t sts(const char *record, ngx_http_mta_sts_dns_txt_t *t);
static ngx_int_t tlsrpt(const char *record, ngx_http_mta_sts_dns_txt_t *t);
static ngx_uint_t match(const char *pattern, const char *host);


static u_char  store[140000];


int
main(void)
{
    u_char                          q[NGX_HTTP_MTA_STS_DNS_QUERY_MAX];
    char                            detail[256], big[300];
    size_t                          n, i;
    ngx_int_t                       rc;
    ngx_str_t                       name, host, mx[2];
    ngx_uint_t                      k, un;
    ngx_http_mta_sts_dns_txt_t      t;
    ngx_http_mta_sts_policy_t       policy;
    static pkt_t                    p;
    static ngx_http_mta_sts_dns_answer_t  a;

    /* the query */

    name.data = (u_char *) "_mta-sts.Example.com.";
    name.len = sizeof("_mta-sts.Example.com.") - 1;

    n = ngx_http_mta_sts_dns_query(q, &name, NGX_HTTP_MTA_STS_DNS_TXT, ID,
                                   1);
    ok(n == 12 + 22 + 4 + 11, "query: header, name, type, class, OPT", "");
    ok(q[0] == 0x4d && q[1] == 0x2a, "query: the id given", "");
    ok(q[2] == 0x01 && q[3] == 0, "query: RD set, nothing else", "");
    ok(q[5] == 1 && q[11] == 1, "query: one question, one OPT", "");
    ok(ngx_memcmp(q + 12, "\x08_mta-sts\x07" "Example\x03" "com\0", 22)
       == 0, "query: the name in labels, the trailing dot dropped", "");
    ok(q[34] == 0 && q[35] == 16 && q[37] == 1, "query: TXT IN", "");
    ok(q[39] == 0 && q[40] == 41 && q[41] == 0x04 && q[42] == 0xd0,
       "query: OPT announcing 1232 bytes (RFC 6891)", "");

    n = ngx_http_mta_sts_dns_query(q, &name, NGX_HTTP_MTA_STS_DNS_MX, 1, 0);
    ok(n == 12 + 22 + 4 && q[11] == 0, "query: without EDNS0", "");

    name.data = (u_char *) "a..b";
    name.len = 4;
    ok(ngx_http_mta_sts_dns_query(q, &name, 16, 1, 1) == 0,
       "query: an empty label - refused", "");

    memset(big, 'a', sizeof(big));
    big[64] = '.';
    name.data = (u_char *) big;
    name.len = 100;
    ok(ngx_http_mta_sts_dns_query(q, &name, 16, 1, 1) == 0,
       "query: a label of 64 octets - refused", "");

    big[64] = 'a';

    for (i = 63; i < 260; i += 64) {
        big[i] = '.';
    }

    name.len = 254;
    ok(ngx_http_mta_sts_dns_query(q, &name, 16, 1, 1) == 0,
       "query: a name of 254 characters - refused", "");
    name.len = 253;
    ok(ngx_http_mta_sts_dns_query(q, &name, 16, 1, 1) == 12 + 255 + 4 + 11,
       "query: a name of 253 characters - 255 octets on the wire", "");

    /* a good TXT answer, the record in two strings */

    pkt_header(&p, ID, 0x81, 0x80, 1, 2);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_txt(&p, "_MTA-STS.example.com", "v=STSv1; id=2024", "0101");
    pkt_txt(&p, "_mta-sts.example.com", "google-site-verification=x", NULL);

    rc = parse(&p, "_mta-sts.example.com.", 16, &a);
    ok(rc == NGX_HTTP_MTA_STS_DNS_OK && a.nrr == 2, "TXT: two records", "");
    ok(a.rr[0].data.len == 20
       && ngx_memcmp(a.rr[0].data.data, "v=STSv1; id=20240101", 20) == 0,
       "TXT: the strings of one record joined (RFC 8461, section 3.1)", "");
    ok(a.ttl == 300, "TXT: the TTL", "");

    ngx_http_mta_sts_dns_sts(&a, &t);
    ok(t.status == NGX_HTTP_MTA_STS_DNS_TXT_VALID && t.id.len == 8
       && ngx_memcmp(t.id.data, "20240101", 8) == 0,
       "TXT: one v=STSv1 record among others, id 20240101", "");

    /* the wrong id, QR clear, an opcode, the wrong question */

    pkt_header(&p, ID + 1, 0x81, 0x80, 1, 0);
    pkt_question(&p, "_mta-sts.example.com", 16);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_FOREIGN, "hostile: a wrong id - ignored", "");

    pkt_header(&p, ID, 0x01, 0x80, 1, 0);
    pkt_question(&p, "_mta-sts.example.com", 16);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_FOREIGN, "hostile: QR clear - ignored", "");

    pkt_header(&p, ID, 0x91, 0x80, 1, 0);
    pkt_question(&p, "_mta-sts.example.com", 16);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_FOREIGN, "hostile: opcode 2 - ignored", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 0);
    pkt_question(&p, "_mta-sts.example.org", 16);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_FOREIGN, "hostile: another name - ignored",
       "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 0);
    pkt_question(&p, "_mta-sts.example.com", 15);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_FOREIGN, "hostile: another type - ignored",
       "");

    pkt_header(&p, ID, 0x81, 0x80, 2, 0);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_question(&p, "_mta-sts.example.com", 16);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_FOREIGN, "hostile: two questions - ignored",
       "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 0);
    p.len = 11;
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_FOREIGN, "hostile: 11 bytes - ignored", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 0);
    pkt_question(&p, "_mta-sts.example.com", 16);
    p.len -= 2;
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_FOREIGN,
       "hostile: the question cut short - ignored", "");

    /* rcodes, TC, NODATA */

    pkt_header(&p, ID, 0x81, 0x83, 1, 0);
    pkt_question(&p, "_mta-sts.example.com", 16);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_NXDOMAIN, "rcode 3: NXDOMAIN", "");

    pkt_header(&p, ID, 0x81, 0x82, 1, 0);
    pkt_question(&p, "_mta-sts.example.com", 16);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_FAILED && a.rcode == 2,
       "rcode 2: SERVFAIL - could not check, not missing", "");

    pkt_header(&p, ID, 0x81, 0x85, 1, 0);
    pkt_question(&p, "_mta-sts.example.com", 16);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_FAILED && a.rcode == 5,
       "rcode 5: REFUSED - could not check", "");

    pkt_header(&p, ID, 0x83, 0x80, 1, 1);
    pkt_question(&p, "_mta-sts.example.com", 16);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_TRUNCATED, "TC: ask again over TCP", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 0);
    pkt_question(&p, "_mta-sts.example.com", 16);
    ok(parse(&p, "_mta-sts.example.com", 16, &a)
       == NGX_HTTP_MTA_STS_DNS_NODATA, "NOERROR, no answer: NODATA", "");

    pkt_header(&p, ID, 0x81, 0xa0, 1, 1);
    pkt_question(&p, "example.com", 15);
    pkt_mx(&p, "other.example", 10, "mx.example.com");
    ok(parse(&p, "example.com", 15, &a) == NGX_HTTP_MTA_STS_DNS_NODATA,
       "AD set accepted; a record of another owner: NODATA", "");

    /* counts that lie */

    pkt_header(&p, ID, 0x81, 0x80, 1, 3);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_txt(&p, "_mta-sts.example.com", "v=STSv1; id=1", NULL);
    rc = parse(&p, "_mta-sts.example.com", 16, &a);
    snprintf(detail, sizeof(detail), "rc %d %s", (int) rc,
             a.error ? a.error : "");
    ok(rc == NGX_HTTP_MTA_STS_DNS_BAD && a.nrr == 0,
       "hostile: an answer count of 3, one record - malformed", detail);

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_name(&p, "_mta-sts.example.com");
    pkt_u16(&p, 16); pkt_u16(&p, 1);
    pkt_bytes(&p, "\0\0\1\0", 4);
    pkt_u16(&p, 40);
    pkt_bytes(&p, "\x0dv=STSv1; id=1", 14);
    ok(parse(&p, "_mta-sts.example.com", 16, &a) == NGX_HTTP_MTA_STS_DNS_BAD,
       "hostile: a data length past the end - malformed", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_rr(&p, "_mta-sts.example.com", 16, 60, "\x20v=STSv1; id=1", 14);
    ok(parse(&p, "_mta-sts.example.com", 16, &a) == NGX_HTTP_MTA_STS_DNS_BAD,
       "hostile: a TXT string past its record - malformed", "");

    /* compression */

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "example.com", 15);
    pkt_bytes(&p, "\xc0\x0c", 2);          /* the question's name */
    pkt_u16(&p, 15); pkt_u16(&p, 1);
    pkt_bytes(&p, "\0\0\0\x3c", 4);
    pkt_u16(&p, 7);
    pkt_bytes(&p, "\0\x0a\x02mx\xc0\x0c", 7);
    rc = parse(&p, "example.com", 15, &a);
    ok(rc == NGX_HTTP_MTA_STS_DNS_OK && a.nrr == 1 && a.rr[0].pref == 10
       && a.rr[0].data.len == 14
       && ngx_memcmp(a.rr[0].data.data, "mx.example.com", 14) == 0,
       "compression: owner and MX host by pointers", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "example.com", 15);
    n = p.len;
    pkt_bytes(&p, "\xc0", 1);
    p.data[p.len++] = (u_char) n;           /* points at itself */
    pkt_u16(&p, 15); pkt_u16(&p, 1);
    pkt_bytes(&p, "\0\0\0\x3c\0\3\0\0\0", 9);
    ok(parse(&p, "example.com", 15, &a) == NGX_HTTP_MTA_STS_DNS_BAD,
       "hostile: a pointer to itself - malformed, no loop", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "example.com", 15);
    n = p.len;
    pkt_bytes(&p, "\x01x\xc0", 3);
    p.data[p.len++] = (u_char) n;           /* x.x.x... */
    pkt_u16(&p, 15); pkt_u16(&p, 1);
    pkt_bytes(&p, "\0\0\0\x3c\0\3\0\0\0", 9);
    rc = parse(&p, "example.com", 15, &a);
    ok(rc == NGX_HTTP_MTA_STS_DNS_BAD && a.error
       && strstr(a.error, "point back"),
       "hostile: a compression loop - malformed", a.error);

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "example.com", 15);
    pkt_bytes(&p, "\xc0\x3f", 2);           /* forward */
    pkt_u16(&p, 15); pkt_u16(&p, 1);
    pkt_bytes(&p, "\0\0\0\x3c\0\3\0\0\0", 9);
    pkt_bytes(&p, "\x07" "example\x03" "com\0", 13);
    ok(parse(&p, "example.com", 15, &a) == NGX_HTTP_MTA_STS_DNS_BAD,
       "hostile: a forward pointer - malformed", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "example.com", 15);
    pkt_bytes(&p, "\x41x", 2);              /* label type 01 */
    ok(parse(&p, "example.com", 15, &a) == NGX_HTTP_MTA_STS_DNS_BAD
       && a.error && strstr(a.error, "reserved"),
       "hostile: a reserved label type - malformed", a.error);

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "example.com", 15);
    pkt_bytes(&p, "\x30" "abc", 4);         /* a label of 48 octets */
    ok(parse(&p, "example.com", 15, &a) == NGX_HTTP_MTA_STS_DNS_BAD,
       "hostile: a label running past the end - malformed", "");

    /*
     * a chain of pointers, each one back, in the data of a record of a
     * type not asked for; the next record's owner points at its end
     */

    for (k = 15; k <= 16; k++) {
        pkt_header(&p, ID, 0x81, 0x80, 1, 2);
        pkt_question(&p, "example.com", 15);
        pkt_name(&p, "example.com");
        pkt_u16(&p, 99); pkt_u16(&p, 1);
        pkt_bytes(&p, "\0\0\0\x3c", 4);
        pkt_u16(&p, 1 + 2 * k);
        n = p.len;
        pkt_bytes(&p, "\0", 1);
        for (i = 0; i <= k; i++) {
            p.data[p.len] = 0xc0;
            p.data[p.len + 1] = (u_char) (i == 0 ? n : p.len - 2);
            p.len += 2;
        }
        pkt_u16(&p, 15); pkt_u16(&p, 1);
        pkt_bytes(&p, "\0\0\0\x3c\0\3\0\0\0", 9);
        rc = parse(&p, "example.com", 15, &a);

        if (k == 15) {
            ok(rc == NGX_HTTP_MTA_STS_DNS_NODATA,
               "compression: 16 pointers in one name - read", a.error);
        } else {
            ok(rc == NGX_HTTP_MTA_STS_DNS_BAD,
               "hostile: 17 pointers in one name - malformed", a.error);
        }
    }

    /* a name of 321 octets */

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "example.com", 15);
    for (i = 0; i < 5; i++) {
        p.data[p.len++] = 63;
        memset(p.data + p.len, 'a', 63);
        p.len += 63;
    }
    pkt_bytes(&p, "\0", 1);
    pkt_u16(&p, 15); pkt_u16(&p, 1);
    pkt_bytes(&p, "\0\0\0\x3c\0\3\0\0\0", 9);
    ok(parse(&p, "example.com", 15, &a) == NGX_HTTP_MTA_STS_DNS_BAD,
       "hostile: a name of 321 octets - malformed", a.error);

    /* CNAMEs */

    pkt_header(&p, ID, 0x81, 0x80, 1, 2);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_rr(&p, "_mta-sts.example.com", 5, 600,
           "\x08_mta-sts\x08provider\x03net\0", 23);
    pkt_txt(&p, "_mta-sts.provider.net", "v=STSv1; id=p1", NULL);
    rc = parse(&p, "_mta-sts.example.com", 16, &a);
    snprintf(detail, sizeof(detail), "rc %d nrr %d ttl %d %s", (int) rc,
             (int) a.nrr, (int) a.ttl, a.error ? a.error : "");
    ok(rc == NGX_HTTP_MTA_STS_DNS_OK && a.nrr == 1 && a.ttl == 300,
       "CNAME: followed in the answer, the least TTL", detail);

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_rr(&p, "_mta-sts.example.com", 5, 600,
           "\x08_mta-sts\x08provider\x03net\0", 23);
    rc = parse(&p, "_mta-sts.example.com", 16, &a);
    ok(rc == NGX_HTTP_MTA_STS_DNS_CNAME_NEXT && a.next.len == 21
       && ngx_memcmp(a.next.data, "_mta-sts.provider.net", 21) == 0,
       "CNAME: its target not in the answer - asked next", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 2);
    pkt_question(&p, "a.example", 16);
    pkt_rr(&p, "a.example", 5, 60, "\x01" "b\x07" "example\0", 11);
    pkt_rr(&p, "b.example", 5, 60, "\x01" "a\x07" "example\0", 11);
    rc = parse(&p, "a.example", 16, &a);
    ok(rc == NGX_HTTP_MTA_STS_DNS_BAD && a.error && strstr(a.error, "loop"),
       "CNAME: a loop - could not check", a.error);

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "a.example", 16);
    pkt_rr(&p, "a.example", 5, 60, "\0", 1);
    ok(parse(&p, "a.example", 16, &a) == NGX_HTTP_MTA_STS_DNS_BAD,
       "CNAME: to the root - could not check (found by the fuzzer)", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 9);
    pkt_question(&p, "c0.example", 16);
    for (i = 0; i < 9; i++) {
        char  o[16], rd[16];

        snprintf(o, sizeof(o), "c%d.example", (int) i);
        snprintf(rd, sizeof(rd), "\x02" "c%d\x07" "example", (int) i + 1);
        pkt_rr(&p, o, 5, 60, rd, 13);
    }
    rc = parse(&p, "c0.example", 16, &a);
    ok(rc == NGX_HTTP_MTA_STS_DNS_BAD, "CNAME: 9 in a row - could not check",
       a.error);

    /* the buffer the caller gives is never overrun */

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_txt(&p, "_mta-sts.example.com", "v=STSv1; id=1", NULL);
    a.name.data = (u_char *) "_mta-sts.example.com";
    a.name.len = 20;
    a.type = 16;
    a.id = ID;
    a.buf = store;
    a.size = 5;
    ok(ngx_http_mta_sts_dns_parse(&a, p.data, p.len)
       == NGX_HTTP_MTA_STS_DNS_BAD, "a buffer too small - refused", "");

    /* address records */

    pkt_header(&p, ID, 0x81, 0x80, 1, 2);
    pkt_question(&p, "mta-sts.example.com", 28);
    pkt_rr(&p, "mta-sts.example.com", 28, 60,
           "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1", 16);
    pkt_rr(&p, "mta-sts.example.com", 1, 60, "\x7f\0\0\1", 4);
    ok(parse(&p, "mta-sts.example.com", 28, &a) == NGX_HTTP_MTA_STS_DNS_OK
       && a.nrr == 1 && a.rr[0].data.len == 16, "AAAA: one kept", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "mta-sts.example.com", 1);
    pkt_rr(&p, "mta-sts.example.com", 1, 60, "\x7f\0\0\1\0", 5);
    ok(parse(&p, "mta-sts.example.com", 1, &a) == NGX_HTTP_MTA_STS_DNS_BAD,
       "A: five octets - malformed", "");

    /* a TXT record of 65,000 bytes, as over TCP */

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_name(&p, "_mta-sts.example.com");
    pkt_u16(&p, 16); pkt_u16(&p, 1);
    pkt_bytes(&p, "\0\0\1\0", 4);
    pkt_u16(&p, 256 * 250);
    for (i = 0; i < 250; i++) {
        p.data[p.len++] = 255;
        memset(p.data + p.len, 'x', 255);
        p.len += 255;
    }
    ok(parse(&p, "_mta-sts.example.com", 16, &a) == NGX_HTTP_MTA_STS_DNS_OK
       && a.rr[0].data.len == 255 * 250, "TXT: 64,000 bytes joined", "");
    ngx_http_mta_sts_dns_sts(&a, &t);
    ok(t.status == NGX_HTTP_MTA_STS_DNS_TXT_NONE,
       "TXT: ... and no v=STSv1 record", "");

    /* the _mta-sts record, RFC 8461, section 3.1 */

    ok(sts("v=STSv1; id=20160831085700Z;", &t) == NGX_OK
       && t.id.len == 15 && t.flags == 0, "STS: RFC 8461's example", "");
    ok(sts("v=STSv1;id=abc", &t) == NGX_OK, "STS: no spaces", "");
    ok(sts("v=STSv1; id=abc; ext_1=x.y", &t) == NGX_OK,
       "STS: an extension field is ignored", "");
    ok(sts("v=STSv1; id=abc; id=def", &t) == NGX_OK && t.id.len == 3
       && t.id.data[0] == 'a', "STS: the first id wins", "");
    ok(sts("v=STSv1 ; id=abc", &t) == NGX_OK
       && (t.flags & NGX_HTTP_MTA_STS_DNS_SPACE_SEMI),
       "STS: \"v=STSv1 ;\" flagged (erratum 6285)", "");
    ok(sts("v=STSv1; id=", &t) == NGX_ERROR, "STS: an empty id", "");
    ok(sts("v=STSv1; id=abc-def", &t) == NGX_ERROR,
       "STS: a hyphen in the id", t.error);
    ok(sts("v=STSv1; id=123456789012345678901234567890123", &t) == NGX_ERROR,
       "STS: an id of 33 characters", t.error);
    ok(sts("v=STSv1; id=12345678901234567890123456789012", &t) == NGX_OK,
       "STS: an id of 32 characters", t.error);
    ok(sts("v=STSv1;", &t) == NGX_ERROR, "STS: no id", t.error);
    ok(sts("v=STSv1", &t) == NGX_ERROR, "STS: the version alone", t.error);
    ok(sts("v=STSv1; id=a b", &t) == NGX_ERROR, "STS: a space in the id",
       t.error);
    ok(sts("v=STSv1, id=abc", &t) == NGX_DECLINED,
       "STS: \"v=STSv1,\" is not an STS record", "");
    ok(sts("v=STSv10; id=abc", &t) == NGX_DECLINED,
       "STS: v=STSv10 is not an STS record", "");
    ok(sts("V=STSv1; id=abc", &t) == NGX_DECLINED,
       "STS: the version is case-sensitive", "");
    ok(sts("v=STSv1; Id=abc", &t) == NGX_ERROR,
       "STS: \"Id\" is not \"id\" (case-sensitive)", "");
    ok(sts("v=STSv1; id=abc; x==y", &t) == NGX_ERROR,
       "STS: \"=\" in a value", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 2);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_txt(&p, "_mta-sts.example.com", "v=STSv1; id=1", NULL);
    pkt_txt(&p, "_mta-sts.example.com", "v=STSv1; id=2", NULL);
    parse(&p, "_mta-sts.example.com", 16, &a);
    ngx_http_mta_sts_dns_sts(&a, &t);
    ok(t.status == NGX_HTTP_MTA_STS_DNS_TXT_MANY,
       "STS: two v=STSv1 records - as none for senders", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "_mta-sts.example.com", 16);
    pkt_txt(&p, "_mta-sts.example.com", "v=STSv1; id=", "a-b");
    parse(&p, "_mta-sts.example.com", 16, &a);
    ngx_http_mta_sts_dns_sts(&a, &t);
    ok(t.status == NGX_HTTP_MTA_STS_DNS_TXT_INVALID && t.error,
       "STS: one invalid record", "");

    /* _smtp._tls, RFC 8460, section 3 */

    ok(tlsrpt("v=TLSRPTv1; rua=mailto:tlsrpt@example.com", &t) == NGX_OK
       && t.flags == NGX_HTTP_MTA_STS_DNS_RUA_MAILTO,
       "TLSRPT: RFC 8460's mailto example", "");
    ok(tlsrpt("v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt", &t)
       == NGX_OK && t.flags == NGX_HTTP_MTA_STS_DNS_RUA_HTTPS,
       "TLSRPT: an https URI", "");
    ok(tlsrpt("v=TLSRPTv1; rua=mailto:a@example.com , https://r.example/x;",
              &t) == NGX_OK
       && t.flags == (NGX_HTTP_MTA_STS_DNS_RUA_MAILTO
                      | NGX_HTTP_MTA_STS_DNS_RUA_HTTPS),
       "TLSRPT: two URIs, spaces around the comma", t.error);
    ok(tlsrpt("v=TLSRPTv1; rua=http://r.example/x", &t) == NGX_ERROR,
       "TLSRPT: http: is not allowed", t.error);
    ok(tlsrpt("v=TLSRPTv1; rua=mailto:a!b@example.com", &t) == NGX_ERROR,
       "TLSRPT: \"!\" must be encoded", t.error);
    ok(tlsrpt("v=TLSRPTv1;", &t) == NGX_ERROR, "TLSRPT: no rua", t.error);
    ok(tlsrpt("v=TLSRPTv1; rua=", &t) == NGX_ERROR, "TLSRPT: rua empty",
       t.error);
    ok(tlsrpt("v=TLSRPTv1; rua=mailto:a@example.com,", &t) == NGX_ERROR,
       "TLSRPT: a trailing comma", t.error);
    ok(tlsrpt("v=STSv1; id=1", &t) == NGX_DECLINED,
       "TLSRPT: an STS record is not a TLSRPT record", "");

    /* the hosts of the https: rua URIs, for "does this nginx get them" */

    ok(tlsrpt("v=TLSRPTv1; rua=mailto:a@x.example, HTTPS://u@R.example:8443"
              "/v1,https://[2001:db8::1]:443/x , https://last.example.",
              &t) == NGX_OK, "rua: a valid record", t.error);
    n = 0;
    ok(ngx_http_mta_sts_dns_rua_https(&t.rua, &n, &host) == NGX_OK
       && host.len == 9 && memcmp(host.data, "R.example", 9) == 0,
       "rua: mailto: skipped, userinfo and port cut (RFC 3986, 3.2)", "");
    ok(ngx_http_mta_sts_dns_rua_https(&t.rua, &n, &host) == NGX_OK
       && host.len == 13 && memcmp(host.data, "[2001:db8::1]", 13) == 0,
       "rua: an IPv6 literal kept whole", "");
    ok(ngx_http_mta_sts_dns_rua_https(&t.rua, &n, &host) == NGX_OK
       && host.len == 12 && memcmp(host.data, "last.example", 12) == 0,
       "rua: the last URI, its final dot cut", "");
    ok(ngx_http_mta_sts_dns_rua_https(&t.rua, &n, &host) == NGX_DONE,
       "rua: then none", "");
    ok(tlsrpt("v=TLSRPTv1; rua=mailto:a@x.example; x=https://y", &t)
       == NGX_OK, "rua: mailto: only", t.error);
    n = 0;
    ok(ngx_http_mta_sts_dns_rua_https(&t.rua, &n, &host) == NGX_DONE,
       "rua: mailto: only - no https: host, other fields not read", "");

    /* MX coverage, RFC 8461, section 4.1 */

    ok(match("mail.example.com", "MAIL.example.com."),
       "match: case-insensitive, the trailing dot", "");
    ok(match("*.example.com", "mx1.example.com"), "match: *.example.com", "");
    ok(!match("*.example.com", "a.b.example.com"),
       "match: * is exactly one label, not a.b", "");
    ok(!match("*.example.com", "example.com"),
       "match: * is not the empty label", "");
    ok(!match("*.example.com", "mxexample.com"), "match: no substring", "");
    ok(!match("mail.example.com", "mail.example.co"), "match: no prefix", "");

    mx[0].data = (u_char *) "mx1.example.com *.backup.example.net";
    mx[0].len = ngx_strlen(mx[0].data);
    mx[1].data = (u_char *) "mx3.example.org";
    mx[1].len = ngx_strlen(mx[1].data);

    ngx_memzero(&policy, sizeof(policy));
    policy.mode = NGX_HTTP_MTA_STS_ENFORCE;
    policy.mx = mx;
    policy.nmx = 2;

    pkt_header(&p, ID, 0x81, 0x80, 1, 3);
    pkt_question(&p, "example.com", 15);
    pkt_mx(&p, "example.com", 10, "mx1.example.com");
    pkt_mx(&p, "example.com", 20, "b.backup.example.net");
    pkt_mx(&p, "example.com", 30, "mx3.example.org");
    parse(&p, "example.com", 15, &a);
    ok(ngx_http_mta_sts_dns_mx(&a, &policy, &host, &un)
       == NGX_HTTP_MTA_STS_DNS_MX_COVERED, "MX: all three covered", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 2);
    pkt_question(&p, "example.com", 15);
    pkt_mx(&p, "example.com", 10, "mx1.example.com");
    pkt_mx(&p, "example.com", 50, "backup.example.org");
    parse(&p, "example.com", 15, &a);
    ok(ngx_http_mta_sts_dns_mx(&a, &policy, &host, &un)
       == NGX_HTTP_MTA_STS_DNS_MX_UNCOVERED && host.len == 18 && un == 1,
       "MX: a backup MX not covered (RFC 8461, section 8.4)", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 3);
    pkt_question(&p, "example.com", 15);
    pkt_mx(&p, "example.com", 10, "new.example.org");
    pkt_mx(&p, "example.com", 20, "mx1.example.com");
    pkt_mx(&p, "example.com", 50, "backup.example.org");
    parse(&p, "example.com", 15, &a);
    ok(ngx_http_mta_sts_dns_mx(&a, &policy, &host, &un)
       == NGX_HTTP_MTA_STS_DNS_MX_UNCOVERED && host.len == 15 && un == 2,
       "MX: two hosts not covered, the first named (RFC 8461, 4.1)", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "example.com", 15);
    pkt_mx(&p, "example.com", 10, "a.b.backup.example.net");
    parse(&p, "example.com", 15, &a);
    ok(ngx_http_mta_sts_dns_mx(&a, &policy, &host, &un)
       == NGX_HTTP_MTA_STS_DNS_MX_UNCOVERED,
       "MX: *.backup.example.net against a.b.backup.example.net", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "example.com", 15);
    pkt_rr(&p, "example.com", 15, 60, "\0\0\0", 3);
    parse(&p, "example.com", 15, &a);
    ok(ngx_http_mta_sts_dns_mx(&a, &policy, &host, &un)
       == NGX_HTTP_MTA_STS_DNS_MX_NULL, "MX: a null MX (RFC 7505)", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 0);
    pkt_question(&p, "example.com", 15);
    parse(&p, "example.com", 15, &a);
    ok(ngx_http_mta_sts_dns_mx(&a, &policy, &host, &un)
       == NGX_HTTP_MTA_STS_DNS_MX_NONE, "MX: none", "");

    pkt_header(&p, ID, 0x81, 0x80, 1, 1);
    pkt_question(&p, "example.com", 15);
    pkt_rr(&p, "example.com", 15, 60, "\0\0\0\0", 4);
    ok(parse(&p, "example.com", 15, &a) == NGX_HTTP_MTA_STS_DNS_BAD,
       "MX: data longer than its name - malformed", "");

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}


static void
pkt_header(pkt_t *p, uint16_t id, u_char f1, u_char f2, ngx_uint_t qd,
    ngx_uint_t an)
{
    p->len = 0;
    p->data[p->len++] = (u_char) (id >> 8);
    p->data[p->len++] = (u_char) id;
    p->data[p->len++] = f1;
    p->data[p->len++] = f2;
    pkt_u16(p, qd);
    pkt_u16(p, an);
    pkt_u16(p, 0);
    pkt_u16(p, 0);
}


static void
pkt_bytes(pkt_t *p, const void *data, size_t len)
{
    memcpy(p->data + p->len, data, len);
    p->len += len;
}


static void
pkt_u16(pkt_t *p, ngx_uint_t v)
{
    p->data[p->len++] = (u_char) (v >> 8);
    p->data[p->len++] = (u_char) v;
}


static void
pkt_name(pkt_t *p, const char *name)
{
    const char  *dot;

    while (*name) {
        dot = strchr(name, '.');

        if (dot == NULL) {
            dot = name + strlen(name);
        }

        p->data[p->len++] = (u_char) (dot - name);
        pkt_bytes(p, name, dot - name);
        name = *dot ? dot + 1 : dot;
    }

    p->data[p->len++] = 0;
}


static void
pkt_question(pkt_t *p, const char *name, ngx_uint_t type)
{
    pkt_name(p, name);
    pkt_u16(p, type);
    pkt_u16(p, 1);
}


static void
pkt_rr(pkt_t *p, const char *owner, ngx_uint_t type, uint32_t ttl,
    const void *rdata, size_t rdlen)
{
    pkt_name(p, owner);
    pkt_u16(p, type);
    pkt_u16(p, 1);
    pkt_u16(p, ttl >> 16);
    pkt_u16(p, ttl & 0xffff);
    pkt_u16(p, rdlen);
    pkt_bytes(p, rdata, rdlen);
}


static void
pkt_txt(pkt_t *p, const char *owner, const char *s1, const char *s2)
{
    u_char  rd[600];
    size_t  n;

    n = 0;
    rd[n++] = (u_char) strlen(s1);
    memcpy(rd + n, s1, strlen(s1));
    n += strlen(s1);

    if (s2) {
        rd[n++] = (u_char) strlen(s2);
        memcpy(rd + n, s2, strlen(s2));
        n += strlen(s2);
    }

    pkt_rr(p, owner, 16, 300, rd, n);
}


static void
pkt_mx(pkt_t *p, const char *owner, ngx_uint_t pref, const char *host)
{
    pkt_t  *rd;

    rd = malloc(sizeof(pkt_t));
    rd->len = 0;
    pkt_u16(rd, pref);
    pkt_name(rd, host);
    pkt_rr(p, owner, 15, 3600, rd->data, rd->len);
    free(rd);
}


static ngx_int_t
parse(pkt_t *p, const char *name, ngx_uint_t type,
    ngx_http_mta_sts_dns_answer_t *a)
{
    a->name.data = (u_char *) name;
    a->name.len = strlen(name);
    a->type = type;
    a->id = ID;
    a->buf = store;
    a->size = sizeof(store);

    return ngx_http_mta_sts_dns_parse(a, p->data, p->len);
}


static ngx_int_t
sts(const char *record, ngx_http_mta_sts_dns_txt_t *t)
{
    return ngx_http_mta_sts_dns_sts_record((u_char *) record,
                                           strlen(record), t);
}


static ngx_int_t
tlsrpt(const char *record, ngx_http_mta_sts_dns_txt_t *t)
{
    return ngx_http_mta_sts_dns_tlsrpt_record((u_char *) record,
                                              strlen(record), t);
}


static ngx_uint_t
match(const char *pattern, const char *host)
{
    ngx_str_t  pat;

    pat.data = (u_char *) pattern;
    pat.len = strlen(pattern);

    return ngx_http_mta_sts_mx_match(&pat, (u_char *) host, strlen(host));
}
