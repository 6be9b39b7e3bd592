
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * For bench/check-scale.sh: N leaf certificates for mta-sts.d<i>.example,
 * each in DIR/d<i>.crt followed by the intermediate that issued it, all
 * with the key DIR/ec.key.  One process: the openssl command would take
 * minutes for 10,000.
 *
 *   make-certs DIR N
 */


#include <stdio.h>
#include <stdlib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>


static X509 *make(const char *cn, const char *san, int ca, X509 *issuer,
    EVP_PKEY *key);


int
main(int argc, char **argv)
{
    int        i, n;
    FILE      *f;
    X509      *root, *inter, *leaf;
    char       path[4096], name[64], san[80];
    EVP_PKEY  *key;

    if (argc != 3) {
        fprintf(stderr, "usage: make-certs DIR N\n");
        return 2;
    }

    n = atoi(argv[2]);

    key = EVP_EC_gen("P-256");
    root = make("Scale Root", NULL, 1, NULL, key);
    inter = make("Scale Intermediate", NULL, 1, root, key);

    if (key == NULL || root == NULL || inter == NULL) {
        fprintf(stderr, "make-certs: no key or CA\n");
        return 1;
    }

    snprintf(path, sizeof(path), "%s/ec.key", argv[1]);
    f = fopen(path, "w");

    if (f == NULL || !PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL))
    {
        perror(path);
        return 1;
    }

    fclose(f);

    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "mta-sts.d%d.example", i);
        snprintf(san, sizeof(san), "DNS:%s", name);

        leaf = make(name, san, 0, inter, key);

        snprintf(path, sizeof(path), "%s/d%d.crt", argv[1], i);
        f = fopen(path, "w");

        if (leaf == NULL || f == NULL
            || !PEM_write_X509(f, leaf) || !PEM_write_X509(f, inter))
        {
            perror(path);
            return 1;
        }

        fclose(f);
        X509_free(leaf);
    }

    return 0;
}


static X509 *
make(const char *cn, const char *san, int ca, X509 *issuer, EVP_PKEY *key)
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
    X509_gmtime_adj(X509_getm_notBefore(x), -86400);
    X509_gmtime_adj(X509_getm_notAfter(x), 90 * 86400L);
    X509_set_pubkey(x, key);

    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *) cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);

    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);

    ext = X509V3_EXT_conf_nid(NULL, &ctx, ca ? NID_basic_constraints
                                             : NID_subject_alt_name,
                              ca ? "critical,CA:true" : (char *) san);
    if (ext == NULL) {
        return NULL;
    }

    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);

    if (!X509_sign(x, key, EVP_sha256())) {
        return NULL;
    }

    return x;
}
