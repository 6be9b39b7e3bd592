
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * A libFuzzer target for src/ngx_http_mta_sts_cert.c: what nginx -t says
 * of a certificate must not crash on any certificate nginx could load.
 *
 * The input is
 *
 *     DAYS HOST "\n" DER [DER ...]
 *
 *   DAYS   one byte, the days asked for (0 to 255);
 *   HOST   the policy host, any bytes but "\n";
 *   DER    the leaf, then the chain, each a DER certificate.
 *
 * Checks, abort() on any failure: every function returns one of its
 * documented values; the listed names fit the buffer, are terminated and
 * printable; the days left are not negative.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <ngx_http_mta_sts_cert.h>


static void check_names(X509 *x, int which, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                   days, left, rc;
    X509                 *x, *c;
    size_t                hlen;
    const uint8_t        *nl, *p, *end;
    STACK_OF(X509)       *chain;

    if (size < 2) {
        return 0;
    }

    days = data[0];
    nl = memchr(data + 1, '\n', size - 1);

    if (nl == NULL) {
        return 0;
    }

    hlen = nl - (data + 1);
    p = nl + 1;
    end = data + size;

    x = d2i_X509(NULL, &p, end - p);
    if (x == NULL) {
        return 0;
    }

    chain = sk_X509_new_null();
    if (chain == NULL) {
        abort();
    }

    while (p < end && (c = d2i_X509(NULL, &p, end - p)) != NULL) {
        sk_X509_push(chain, c);
    }

    rc = ngx_http_mta_sts_cert_covers(x, (const char *) data + 1, hlen);

    if (rc != NGX_HTTP_MTA_STS_CERT_COVERS
        && rc != NGX_HTTP_MTA_STS_CERT_NOT_COVERED
        && rc != NGX_HTTP_MTA_STS_CERT_CN_OR_PARTIAL)
    {
        abort();
    }

    check_names(x, NGX_HTTP_MTA_STS_CERT_ALL_NAMES, 0);
    check_names(x, NGX_HTTP_MTA_STS_CERT_ALL_NAMES, 3);
    check_names(x, NGX_HTTP_MTA_STS_CERT_ALL_NAMES, 4);
    check_names(x, NGX_HTTP_MTA_STS_CERT_ALL_NAMES, 40);
    check_names(x, NGX_HTTP_MTA_STS_CERT_POLICY_NAMES, 512);

    rc = ngx_http_mta_sts_cert_validity(x, days, &left);

    if (rc < NGX_HTTP_MTA_STS_CERT_VALID
        || rc > NGX_HTTP_MTA_STS_CERT_BAD_TIME || left < 0)
    {
        abort();
    }

    rc = ngx_http_mta_sts_cert_chain(x, chain);

    if (rc < NGX_HTTP_MTA_STS_CERT_CHAIN_OK
        || rc > NGX_HTTP_MTA_STS_CERT_WRONG_CHAIN)
    {
        abort();
    }

    sk_X509_pop_free(chain, X509_free);
    X509_free(x);

    ERR_clear_error();

    return 0;
}


static void
check_names(X509 *x, int which, size_t size)
{
    char    *buf;
    size_t   i, len;

    /* exactly "size" bytes, so that ASan sees any write past them */

    buf = malloc(size ? size : 1);
    if (buf == NULL) {
        abort();
    }

    ngx_http_mta_sts_cert_names(x, which, buf, size);

    if (size) {
        len = strnlen(buf, size);

        if (len == size) {
            abort();
        }

        for (i = 0; i < len; i++) {
            if (buf[i] < 0x20 || buf[i] >= 0x7f) {
                abort();
            }
        }
    }

    free(buf);
}
