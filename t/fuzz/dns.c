
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * A libFuzzer target for src/ngx_http_mta_sts_dns.c: a DNS response in,
 * records and the checks' verdicts out.
 *
 * The input (and every file of t/fuzz/corpus-dns/) is
 *
 *     CTL PACKET
 *
 *   CTL     one byte: CTL % 4 picks the question the packet must answer,
 *           with the id 0x4d2a: 0 "_mta-sts.example.com" TXT, 1
 *           "example.com" MX, 2 "mta-sts.example.com" AAAA, 3
 *           "_smtp._tls.example.com" TXT;
 *   PACKET  the response as a resolver sends it over UDP.
 *
 * Checks, abort() on any failure:
 *
 *   - parse() returns one of its statuses; BAD with a reason;
 *   - OK holds 1 to 32 records of the type asked for, each in the buffer
 *     given (a malloc() of exactly the packet's size plus 256 bytes a
 *     record, so that ASan sees an overrun), names lowercase, no longer
 *     than 253 characters, A/AAAA of 4/16 bytes; CNAME_NEXT a name;
 *   - the checks of the records (sts, tlsrpt, mx) run on what was parsed,
 *     and an id found is 1 to 32 letters or digits;
 *   - the packet taken as a TXT record string and as a name: the record
 *     checks run on it, and a query built for the name, with QR set,
 *     parses back as NODATA.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_dns.h>

#include <stdio.h>
#include <stdint.h>
#include <ctype.h>


static void fuzz_assert(int good, const char *what);


static ngx_str_t  fuzz_names[] = {
    ngx_string("_mta-sts.example.com"),
    ngx_string("example.com"),
    ngx_string("mta-sts.example.com"),
    ngx_string("_smtp._tls.example.com"),
};

static ngx_uint_t  fuzz_types[] = {
    NGX_HTTP_MTA_STS_DNS_TXT,
    NGX_HTTP_MTA_STS_DNS_MX,
    NGX_HTTP_MTA_STS_DNS_AAAA,
    NGX_HTTP_MTA_STS_DNS_TXT,
};


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                         *buf, *pkt;
    u_char                          q[NGX_HTTP_MTA_STS_DNS_QUERY_MAX];
    size_t                          len, bsize, n, i, pos;
    ngx_int_t                       rc;
    ngx_str_t                       host, name, mx;
    ngx_uint_t                      which, r, un;
    ngx_http_mta_sts_dns_rr_t      *rr;
    ngx_http_mta_sts_dns_txt_t      txt;
    ngx_http_mta_sts_policy_t       policy;
    ngx_http_mta_sts_dns_answer_t   a;

    if (size < 1) {
        return 0;
    }

    which = data[0] % 4;
    len = size - 1;

    /* a copy of its own, so that ASan sees a read past its end */

    pkt = malloc(len ? len : 1);
    fuzz_assert(pkt != NULL, "malloc");
    memcpy(pkt, data + 1, len);

    bsize = len + 256 * NGX_HTTP_MTA_STS_DNS_RR_MAX;
    buf = malloc(bsize);
    fuzz_assert(buf != NULL, "malloc");

    a.name = fuzz_names[which];
    a.type = fuzz_types[which];
    a.id = 0x4d2a;
    a.buf = buf;
    a.size = bsize;

    rc = ngx_http_mta_sts_dns_parse(&a, pkt, len);

    fuzz_assert(rc >= NGX_HTTP_MTA_STS_DNS_OK
                && rc <= NGX_HTTP_MTA_STS_DNS_FOREIGN, "a status");
    fuzz_assert(rc != NGX_HTTP_MTA_STS_DNS_BAD || a.error != NULL,
                "BAD says why");
    fuzz_assert(ngx_http_mta_sts_dns_status_text(rc) != NULL, "a text");

    if (rc == NGX_HTTP_MTA_STS_DNS_OK) {
        fuzz_assert(a.nrr >= 1 && a.nrr <= NGX_HTTP_MTA_STS_DNS_RR_MAX,
                    "1 to 32 records");

        for (r = 0; r < a.nrr; r++) {
            rr = &a.rr[r];

            fuzz_assert(rr->type == a.type, "the type asked for");
            fuzz_assert(rr->data.data >= buf
                        && rr->data.data + rr->data.len <= buf + bsize,
                        "the data in the buffer");

            if (a.type == NGX_HTTP_MTA_STS_DNS_AAAA) {
                fuzz_assert(rr->data.len == 16, "AAAA of 16 bytes");
            }

            if (a.type == NGX_HTTP_MTA_STS_DNS_MX) {
                fuzz_assert(rr->data.len <= 253, "a host of 253 at most");

                for (i = 0; i < rr->data.len; i++) {
                    fuzz_assert(rr->data.data[i] < 'A'
                                || rr->data.data[i] > 'Z', "lowercase");
                }
            }
        }

        if (a.type == NGX_HTTP_MTA_STS_DNS_TXT) {
            if (which == 0) {
                ngx_http_mta_sts_dns_sts(&a, &txt);
            } else {
                ngx_http_mta_sts_dns_tlsrpt(&a, &txt);
            }

            fuzz_assert(txt.status <= NGX_HTTP_MTA_STS_DNS_TXT_MANY,
                        "a TXT status");
            fuzz_assert(txt.status != NGX_HTTP_MTA_STS_DNS_TXT_INVALID
                        || txt.error != NULL, "INVALID says why");

            if (which && txt.status == NGX_HTTP_MTA_STS_DNS_TXT_VALID) {
                pos = 0;

                while (ngx_http_mta_sts_dns_rua_https(&txt.rua, &pos, &host)
                       == NGX_OK)
                {
                    fuzz_assert(host.data >= txt.rua.data
                                && host.data + host.len
                                   <= txt.rua.data + txt.rua.len
                                && pos <= txt.rua.len,
                                "an https: host within the rua");
                }
            }
        }

        if (a.type == NGX_HTTP_MTA_STS_DNS_MX) {
            mx.data = (u_char *) "mx.example.com *.example.net";
            mx.len = sizeof("mx.example.com *.example.net") - 1;

            ngx_memzero(&policy, sizeof(policy));
            policy.mx = &mx;
            policy.nmx = 1;

            r = ngx_http_mta_sts_dns_mx(&a, &policy, &host, &un);
            fuzz_assert(r <= NGX_HTTP_MTA_STS_DNS_MX_NONE, "an MX verdict");
        }
    }

    if (rc == NGX_HTTP_MTA_STS_DNS_CNAME_NEXT) {
        fuzz_assert(a.next.len > 0 && a.next.len <= 253
                    && a.next.data >= buf
                    && a.next.data + a.next.len <= buf + bsize,
                    "a CNAME target in the buffer");
    }

    /* the packet as a record */

    rc = ngx_http_mta_sts_dns_sts_record(pkt, len, &txt);

    if (rc == NGX_OK) {
        fuzz_assert(txt.id.len >= 1 && txt.id.len <= 32, "an id of 1-32");

        for (i = 0; i < txt.id.len; i++) {
            fuzz_assert(isalnum(txt.id.data[i]), "an id of letters, digits");
        }
    }

    fuzz_assert(rc != NGX_ERROR || txt.error != NULL, "invalid says why");

    rc = ngx_http_mta_sts_dns_tlsrpt_record(pkt, len, &txt);

    fuzz_assert(rc != NGX_OK
                || (txt.flags & (NGX_HTTP_MTA_STS_DNS_RUA_MAILTO
                                 | NGX_HTTP_MTA_STS_DNS_RUA_HTTPS)),
                "a valid rua has a URI");

    /* the packet as a name: a query for it answers itself, as NODATA */

    name.data = pkt;
    name.len = len;

    n = ngx_http_mta_sts_dns_query(q, &name, NGX_HTTP_MTA_STS_DNS_MX,
                                   0x1234, len & 1);

    if (n) {
        fuzz_assert(n <= NGX_HTTP_MTA_STS_DNS_QUERY_MAX, "a query's size");

        q[2] |= 0x80;

        a.name = name;
        a.type = NGX_HTTP_MTA_STS_DNS_MX;
        a.id = 0x1234;
        a.buf = buf;
        a.size = bsize;

        rc = ngx_http_mta_sts_dns_parse(&a, q, n);

        fuzz_assert(rc == NGX_HTTP_MTA_STS_DNS_NODATA, "round trip");
    }

    free(buf);
    free(pkt);

    return 0;
}


static void
fuzz_assert(int good, const char *what)
{
    if (!good) {
        fprintf(stderr, "dns fuzz: failed: %s\n", what);
        abort();
    }
}
