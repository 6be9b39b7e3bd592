
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <string.h>
#include <ngx_http_mta_sts_cert.h>


#define NGX_HTTP_MTA_STS_CERT_DAY  86400

/*
 * RFC 8461, section 3.3, and the senders written in Go: the name must be
 * a DNS subjectAltName, a wildcard only as the whole left-most label
 */
#define NGX_HTTP_MTA_STS_CERT_FLAGS                                          \
    (X509_CHECK_FLAG_NEVER_CHECK_SUBJECT                                     \
     | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS)


int
ngx_http_mta_sts_cert_covers(X509 *x, const char *host, size_t len)
{
    /* "mta-sts.example.com." never matches a certificate name */

    if (len && host[len - 1] == '.') {
        len--;
    }

    if (len == 0) {
        return NGX_HTTP_MTA_STS_CERT_NOT_COVERED;
    }

    if (X509_check_host(x, host, len, NGX_HTTP_MTA_STS_CERT_FLAGS, NULL)
        == 1)
    {
        return NGX_HTTP_MTA_STS_CERT_COVERS;
    }

    /* what OpenSSL accepts by default, browsers often too, senders not */

    if (X509_check_host(x, host, len, 0, NULL) == 1) {
        return NGX_HTTP_MTA_STS_CERT_CN_OR_PARTIAL;
    }

    return NGX_HTTP_MTA_STS_CERT_NOT_COVERED;
}


/*
 * The DNS subjectAltNames, quoted and separated by spaces, as many as fit
 * in size bytes with the terminating zero, then "..."; returns how many
 * names there are, listed or not.
 */

size_t
ngx_http_mta_sts_cert_names(X509 *x, int which, char *buf, size_t size)
{
    int              i, n;
    char            *p;
    size_t           len, count, nlen, j;
    const char      *name;
    GENERAL_NAME    *gn;
    GENERAL_NAMES   *names;

    len = 0;
    count = 0;

    if (size) {
        buf[0] = '\0';
    }

    names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) {
        return 0;
    }

    n = sk_GENERAL_NAME_num(names);

    for (i = 0; i < n; i++) {
        gn = sk_GENERAL_NAME_value(names, i);

        if (gn->type != GEN_DNS) {
            continue;
        }

        name = (const char *) ASN1_STRING_get0_data(gn->d.dNSName);
        nlen = ASN1_STRING_length(gn->d.dNSName);

        if (which == NGX_HTTP_MTA_STS_CERT_POLICY_NAMES
            && !(nlen > 8 && strncasecmp(name, "mta-sts.", 8) == 0)
            && !(nlen > 2 && name[0] == '*' && name[1] == '.'))
        {
            continue;
        }

        count++;

        if (len == (size_t) -1) {
            continue;
        }

        /* the name, its quotes and a space, and room for " ..." */

        if (len + nlen + 3 + 4 + 1 > size) {
            if (len + (len ? 5 : 4) <= size) {
                memcpy(buf + len, len ? " ..." : "...", len ? 5 : 4);
            }

            len = (size_t) -1;
            continue;
        }

        p = buf + len;

        if (len) {
            *p++ = ' ';
        }

        *p++ = '"';

        /* bytes from the certificate: printable ASCII only in the log */

        for (j = 0; j < nlen; j++) {
            *p++ = (name[j] > 0x20 && name[j] < 0x7f && name[j] != '"')
                   ? name[j] : '?';
        }

        *p++ = '"';
        *p = '\0';

        len = p - buf;
    }

    GENERAL_NAMES_free(names);

    return count;
}


/*
 * Against the current time; "left" is the days until notAfter, rounded
 * up, so that a certificate made for 3 days has 3 days left.
 */

int
ngx_http_mta_sts_cert_validity(X509 *x, int days, int *left)
{
    int                 d, s;
    const ASN1_TIME    *t;

    *left = 0;

    t = X509_get0_notBefore(x);

    if (t == NULL || !ASN1_TIME_diff(&d, &s, NULL, t)) {
        return NGX_HTTP_MTA_STS_CERT_BAD_TIME;
    }

    if (d > 0 || s > 0) {
        return NGX_HTTP_MTA_STS_CERT_NOT_YET_VALID;
    }

    t = X509_get0_notAfter(x);

    if (t == NULL || !ASN1_TIME_diff(&d, &s, NULL, t)) {
        return NGX_HTTP_MTA_STS_CERT_BAD_TIME;
    }

    if (d < 0 || s < 0 || (d == 0 && s == 0)) {
        *left = (d < 0) ? -d : 0;
        return NGX_HTTP_MTA_STS_CERT_EXPIRED;
    }

    *left = d + (s > 0);

    if (d < days) {
        return NGX_HTTP_MTA_STS_CERT_EXPIRING;
    }

    return NGX_HTTP_MTA_STS_CERT_VALID;
}


/*
 * The chain as loaded from the certificate file: senders build the path
 * from what the server sends, and fetch no missing intermediates.
 */

int
ngx_http_mta_sts_cert_chain(X509 *leaf, STACK_OF(X509) *chain)
{
    if (X509_check_issued(leaf, leaf) == X509_V_OK) {
        return NGX_HTTP_MTA_STS_CERT_SELF_SIGNED;
    }

    if (chain == NULL || sk_X509_num(chain) == 0) {
        return NGX_HTTP_MTA_STS_CERT_NO_CHAIN;
    }

    if (X509_check_issued(sk_X509_value(chain, 0), leaf) != X509_V_OK) {
        return NGX_HTTP_MTA_STS_CERT_WRONG_CHAIN;
    }

    return NGX_HTTP_MTA_STS_CERT_CHAIN_OK;
}
