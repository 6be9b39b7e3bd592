
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * A libFuzzer target for src/ngx_http_mta_sts_update.c: the responses of
 * an UPDATE server, and key files.
 *
 * The input (and every file of t/fuzz/corpus-update/) is
 *
 *     CTL DATA
 *
 *   CTL     one byte: CTL % 4 picks what DATA is: 0 the response to
 *           "_mta-sts.example.test" TXT, 1 to "_mta-sts.example.test"
 *           SOA, 2 to an UPDATE, 3 a key file; CTL & 4 expects the id
 *           0x4d2a, else the packet's own id.
 *
 * Checks, abort() on any failure:
 *
 *   - parse() returns OK, DECLINED or ERROR with a reason; the TXT RDATA
 *     kept lie in the packet (a malloc() of its exact size, so that ASan
 *     sees an overrun), 8 at most, each well formed; an SOA owner of 253
 *     characters at most; a TSIG record's MAC in the packet;
 *   - a response with a TSIG record is verified with a fixed key, and
 *     never counts as signed by it unless its MAC is that key's;
 *   - the TXT set read builds an UPDATE whose prerequisite holds it, and
 *     the UPDATE signs;
 *   - a key file parses or says why; a key parsed has a name of 255
 *     octets at most on the wire, and signs a message.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_dns.h>
#include <ngx_http_mta_sts_update.h>

#include <stdio.h>
#include <stdint.h>
#include <string.h>


static void fuzz_assert(int good, const char *what);


static u_char  fuzz_key[] =
    "key \"fuzz.example.\" { algorithm hmac-sha256; "
    "secret \"c2VjcmV0IG9mIHRoZSBzaGEyNTYgdmVjdG9yIGtleSAh\"; };";


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                          *pkt, mac[64], out[8192];
    size_t                           len, i, off, n, mac_len;
    ngx_int_t                        rc;
    ngx_str_t                        id;
    ngx_uint_t                       which, v;
    const char                      *err;
    ngx_http_mta_sts_update_key_t    key;
    ngx_http_mta_sts_update_msg_t    msg;
    ngx_http_mta_sts_update_resp_t   r;

    if (size < 1) {
        return 0;
    }

    which = data[0] % 4;
    len = size - 1;

    pkt = malloc(len ? len : 1);
    fuzz_assert(pkt != NULL, "malloc");
    memcpy(pkt, data + 1, len);

    if (which == 3) {
        err = ngx_http_mta_sts_update_key(pkt, len, &key);

        if (err == NULL) {
            fuzz_assert(key.name_len >= 2 && key.name_len <= 255,
                        "a key name of 255 octets at most");
            fuzz_assert(key.secret_len >= 1, "a secret");
            fuzz_assert(key.alg <= NGX_HTTP_MTA_STS_UPDATE_SHA512,
                        "an algorithm");
            fuzz_assert(key.text[key.text_len - 1] == '.', "absolute");

            for (i = 0; i < key.text_len; i++) {
                fuzz_assert(key.text[i] < 'A' || key.text[i] > 'Z',
                            "lowercase");
            }

            memset(out, 0, 12);
            fuzz_assert(ngx_http_mta_sts_update_sign(out, 12, sizeof(out),
                                                     &key, 1, mac, &mac_len)
                        != 0, "a key signs");
        }

        free(pkt);
        return 0;
    }

    ngx_memzero(&r, sizeof(r));

    if (which == 2) {
        r.opcode = NGX_HTTP_MTA_STS_UPDATE_OPCODE;

    } else {
        ngx_str_set(&r.name, "_mta-sts.example.test");
        r.type = which ? NGX_HTTP_MTA_STS_UPDATE_SOA
                       : NGX_HTTP_MTA_STS_DNS_TXT;
    }

    r.id = (data[0] & 4) ? 0x4d2a
           : (len >= 2 ? (uint16_t) ((pkt[0] << 8) | pkt[1]) : 0);

    rc = ngx_http_mta_sts_update_parse(&r, pkt, len);

    fuzz_assert(rc == NGX_OK || rc == NGX_DECLINED || rc == NGX_ERROR,
                "a status");
    fuzz_assert(rc != NGX_ERROR || r.error != NULL, "ERROR says why");

    if (rc != NGX_OK) {
        free(pkt);
        return 0;
    }

    fuzz_assert(r.rcode <= 15, "an rcode of four bits");
    fuzz_assert(ngx_http_mta_sts_update_rcode_text(r.rcode) != NULL,
                "an rcode text");
    fuzz_assert(r.ntxt <= NGX_HTTP_MTA_STS_UPDATE_TXT_MAX, "8 TXT at most");
    fuzz_assert(r.soa_len <= 253, "an SOA owner of 253 at most");

    for (i = 0; i < r.ntxt; i++) {
        fuzz_assert(r.txt[i].data >= pkt
                    && r.txt[i].data + r.txt[i].len <= pkt + len
                    && r.txt[i].len >= 1
                    && r.txt[i].len <= NGX_HTTP_MTA_STS_UPDATE_RDATA_MAX,
                    "TXT RDATA in the packet");

        for (off = 0; off < r.txt[i].len; off += 1 + r.txt[i].data[off]) {
            /* void */
        }

        fuzz_assert(off == r.txt[i].len, "TXT strings fill the RDATA");
    }

    ngx_str_set(&id, "20250601");
    (void) ngx_http_mta_sts_update_published(&r, &id);

    if (r.tsig) {
        fuzz_assert(r.mac_len == 0
                    || (r.mac >= pkt && r.mac + r.mac_len <= pkt + len),
                    "the MAC in the packet");
        fuzz_assert(r.tsig_off >= 12 && r.tsig_off < len,
                    "the TSIG record in the packet");

        fuzz_assert(ngx_http_mta_sts_update_key(fuzz_key,
                                                sizeof(fuzz_key) - 1, &key)
                    == NULL, "the fixed key");

        memset(mac, 0x5a, sizeof(mac));

        v = ngx_http_mta_sts_update_verify(&r, pkt, len, &key, mac, 32,
                                           r.time_signed);
        fuzz_assert(v <= NGX_HTTP_MTA_STS_UPDATE_STALE, "a verdict");
    }

    if (which == 0) {
        ngx_memzero(&msg, sizeof(msg));
        ngx_str_set(&msg.zone, "example.test");
        ngx_str_set(&msg.name, "_mta-sts.example.test");
        msg.id = id;
        msg.ttl = 300;
        msg.ntxt = r.ntxt;

        for (i = 0; i < r.ntxt; i++) {
            msg.txt[i] = r.txt[i];
        }

        n = ngx_http_mta_sts_update_build(out, sizeof(out), &msg);
        fuzz_assert(n != 0, "the TXT set read fits a prerequisite");

        fuzz_assert(ngx_http_mta_sts_update_key(fuzz_key,
                                                sizeof(fuzz_key) - 1, &key)
                    == NULL, "the fixed key");
        fuzz_assert(ngx_http_mta_sts_update_sign(out, n, sizeof(out), &key,
                                                 1, mac, &mac_len)
                    != 0, "the UPDATE signs");
    }

    free(pkt);

    return 0;
}


static void
fuzz_assert(int good, const char *what)
{
    if (!good) {
        fprintf(stderr, "fuzz: update: %s\n", what);
        abort();
    }
}
