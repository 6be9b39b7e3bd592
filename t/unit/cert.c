
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * Unit tests of src/ngx_http_mta_sts_cert.c, on certificates made here at
 * run time: name coverage as senders check it (RFC 8461, section 3.3),
 * the DNS names listed, validity and days left, the chain.  Prints a TAP
 * line a check and exits non-zero on any failure.
 */


#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <ngx_http_mta_sts_cert.h>


#define DAY  86400L


static void ok(int good, const char *name);
static X509 *make(const char *cn, const char *san, long from, long to,
    X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY *key);
static int covers(X509 *x, const char *host);


static int        tests, failed;
static EVP_PKEY  *key;


int
main(void)
{
    int              left;
    char             buf[64];
    X509            *ca, *inter, *leaf, *wild, *wild2, *partial, *cn, *other;
    X509            *expired, *future, *soon, *many;
    STACK_OF(X509)  *chain;

    key = EVP_EC_gen("P-256");
    if (key == NULL) {
        printf("Bail out! no key\n");
        return 1;
    }

    ca = make("Test CA", NULL, -DAY, 365 * DAY, NULL, NULL, key);
    inter = make("Test Intermediate", NULL, -DAY, 365 * DAY, ca, key, key);
    leaf = make("leaf", "DNS:mta-sts.example.com,DNS:example.com",
                -DAY, 90 * DAY, inter, key, key);
    wild = make("wild", "DNS:*.example.com", -DAY, 90 * DAY, inter, key, key);
    wild2 = make("wild2", "DNS:*.com", -DAY, 90 * DAY, inter, key, key);
    partial = make("partial", "DNS:mta*.example.com", -DAY, 90 * DAY,
                   inter, key, key);
    cn = make("mta-sts.example.com", NULL, -DAY, 90 * DAY, inter, key, key);
    other = make("other", "DNS:www.example.org,IP:127.0.0.1,DNS:example.org",
                 -DAY, 90 * DAY, inter, key, key);
    expired = make("expired", "DNS:mta-sts.example.com", -30 * DAY, -DAY,
                   inter, key, key);
    future = make("future", "DNS:mta-sts.example.com", DAY, 30 * DAY,
                  inter, key, key);
    soon = make("soon", "DNS:mta-sts.example.com", -DAY, 3 * DAY,
                inter, key, key);
    many = make("many", "DNS:mta-sts.a.example,DNS:mta-sts.b.example,"
                "DNS:www.c.example,DNS:*.d.example,DNS:mta-sts.e.example",
                -DAY, 90 * DAY, inter, key, key);

    if (many == NULL) {
        printf("Bail out! certificates not made\n");
        return 1;
    }

    /* coverage: a DNS name or a wildcard as the whole left-most label */

    ok(covers(leaf, "mta-sts.example.com") == NGX_HTTP_MTA_STS_CERT_COVERS,
       "a SAN covers the host");
    ok(covers(leaf, "MTA-STS.Example.COM") == NGX_HTTP_MTA_STS_CERT_COVERS,
       "case-insensitive");
    ok(covers(leaf, "mta-sts.example.com.") == NGX_HTTP_MTA_STS_CERT_COVERS,
       "a trailing dot is stripped");
    ok(covers(leaf, "mta-sts.example.org")
       == NGX_HTTP_MTA_STS_CERT_NOT_COVERED, "another domain is not covered");
    ok(covers(leaf, ".") == NGX_HTTP_MTA_STS_CERT_NOT_COVERED,
       "a lone dot is not covered");
    ok(covers(wild, "mta-sts.example.com") == NGX_HTTP_MTA_STS_CERT_COVERS,
       "a wildcard one label up covers the host");
    ok(covers(wild, "mta-sts.sub.example.com")
       == NGX_HTTP_MTA_STS_CERT_NOT_COVERED,
       "a wildcard two labels up does not");
    ok(covers(wild2, "mta-sts.example.com")
       == NGX_HTTP_MTA_STS_CERT_NOT_COVERED,
       "*.com does not cover mta-sts.example.com");
    ok(covers(partial, "mta-sts.example.com")
       == NGX_HTTP_MTA_STS_CERT_CN_OR_PARTIAL,
       "a partial wildcard is refused, and said to be one");
    ok(covers(cn, "mta-sts.example.com")
       == NGX_HTTP_MTA_STS_CERT_CN_OR_PARTIAL,
       "a name in the CN only is refused, and said to be one");
    ok(covers(other, "mta-sts.example.com")
       == NGX_HTTP_MTA_STS_CERT_NOT_COVERED, "other names do not cover");

    /* the names listed */

    ok(ngx_http_mta_sts_cert_names(other, NGX_HTTP_MTA_STS_CERT_ALL_NAMES,
                                   buf, sizeof(buf)) == 2
       && strcmp(buf, "\"www.example.org\" \"example.org\"") == 0,
       "DNS names listed, the IP left out");
    ok(ngx_http_mta_sts_cert_names(cn, NGX_HTTP_MTA_STS_CERT_ALL_NAMES,
                                   buf, sizeof(buf)) == 0
       && buf[0] == '\0', "no DNS names: empty");
    ok(ngx_http_mta_sts_cert_names(many, NGX_HTTP_MTA_STS_CERT_POLICY_NAMES,
                                   buf, sizeof(buf)) == 4
       && strcmp(buf, "\"mta-sts.a.example\" \"mta-sts.b.example\" "
                 "\"*.d.example\" ...") == 0,
       "policy names only, truncated with ...");
    ok(ngx_http_mta_sts_cert_names(many, NGX_HTTP_MTA_STS_CERT_ALL_NAMES,
                                   buf, 4) == 5
       && strcmp(buf, "...") == 0, "a buffer of 4 holds ...");
    ok(ngx_http_mta_sts_cert_names(many, NGX_HTTP_MTA_STS_CERT_ALL_NAMES,
                                   buf, 3) == 5
       && buf[0] == '\0', "a buffer of 3 stays empty");

    /* validity */

    ok(ngx_http_mta_sts_cert_validity(leaf, 14, &left)
       == NGX_HTTP_MTA_STS_CERT_VALID && left == 90, "90 days left: valid");
    ok(ngx_http_mta_sts_cert_validity(leaf, 91, &left)
       == NGX_HTTP_MTA_STS_CERT_EXPIRING && left == 90,
       "90 days left, 91 asked: expiring");
    ok(ngx_http_mta_sts_cert_validity(soon, 14, &left)
       == NGX_HTTP_MTA_STS_CERT_EXPIRING && left == 3,
       "3 days left: expiring, 3 days");
    ok(ngx_http_mta_sts_cert_validity(soon, 0, &left)
       == NGX_HTTP_MTA_STS_CERT_VALID, "3 days left, 0 asked: valid");
    ok(ngx_http_mta_sts_cert_validity(expired, 14, &left)
       == NGX_HTTP_MTA_STS_CERT_EXPIRED && left == 1,
       "expired a day ago");
    ok(ngx_http_mta_sts_cert_validity(future, 14, &left)
       == NGX_HTTP_MTA_STS_CERT_NOT_YET_VALID, "not yet valid");

    /* the chain as loaded */

    chain = sk_X509_new_null();

    ok(ngx_http_mta_sts_cert_chain(leaf, chain)
       == NGX_HTTP_MTA_STS_CERT_NO_CHAIN, "a leaf alone: no chain");
    ok(ngx_http_mta_sts_cert_chain(leaf, NULL)
       == NGX_HTTP_MTA_STS_CERT_NO_CHAIN, "no chain at all");
    ok(ngx_http_mta_sts_cert_chain(ca, chain)
       == NGX_HTTP_MTA_STS_CERT_SELF_SIGNED, "a self-signed certificate");

    sk_X509_push(chain, ca);

    ok(ngx_http_mta_sts_cert_chain(leaf, chain)
       == NGX_HTTP_MTA_STS_CERT_WRONG_CHAIN,
       "the root after the leaf: the wrong intermediate");

    sk_X509_insert(chain, inter, 0);

    ok(ngx_http_mta_sts_cert_chain(leaf, chain)
       == NGX_HTTP_MTA_STS_CERT_CHAIN_OK, "leaf, intermediate, root");

    printf("1..%d\n", tests);
    printf("unit cert: %d passed, %d failed\n", tests - failed, failed);

    return failed ? 1 : 0;
}


static void
ok(int good, const char *name)
{
    tests++;

    if (!good) {
        failed++;
    }

    printf("%sok %d - cert: %s\n", good ? "" : "not ", tests, name);
}


static int
covers(X509 *x, const char *host)
{
    return ngx_http_mta_sts_cert_covers(x, host, strlen(host));
}


/* a certificate valid from now + from to now + to seconds */

static X509 *
make(const char *cn, const char *san, long from, long to, X509 *issuer,
    EVP_PKEY *issuer_key, EVP_PKEY *pkey)
{
    X509             *x;
    X509V3_CTX        ctx;
    X509_NAME        *name;
    X509_EXTENSION   *ext;
    static long       serial;

    x = X509_new();
    if (x == NULL) {
        return NULL;
    }

    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
    X509_gmtime_adj(X509_getm_notBefore(x), from);
    X509_gmtime_adj(X509_getm_notAfter(x), to);
    X509_set_pubkey(x, pkey);

    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *) cn, -1, -1, 0);

    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);

    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);

    if (san) {
        ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
        if (ext == NULL) {
            return NULL;
        }

        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }

    if (!X509_sign(x, issuer_key ? issuer_key : pkey, EVP_sha256())) {
        return NULL;
    }

    return x;
}
