
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_dns.h>
#include <ngx_http_mta_sts_update.h>

#include <openssl/evp.h>
#include <openssl/crypto.h>


#define NGX_HTTP_MTA_STS_UPDATE_TOKENS   32


typedef struct {
    u_char        *data;
    size_t         len;
    ngx_uint_t     quoted;
} ngx_http_mta_sts_update_token_t;


typedef struct {
    const char    *name;              /* the algorithm's name, RFC 8945 */
    const EVP_MD *(*md)(void);
} ngx_http_mta_sts_update_alg_t;


static ngx_int_t ngx_http_mta_sts_update_tokens(u_char *p, u_char *last,
    ngx_http_mta_sts_update_token_t *tok, ngx_uint_t *n);
static ngx_uint_t ngx_http_mta_sts_update_is(
    ngx_http_mta_sts_update_token_t *t, const char *word);
static const char *ngx_http_mta_sts_update_set(
    ngx_http_mta_sts_update_key_t *key, ngx_http_mta_sts_update_token_t *name,
    ngx_http_mta_sts_update_token_t *alg,
    ngx_http_mta_sts_update_token_t *secret);
static ssize_t ngx_http_mta_sts_update_base64(u_char *dst, size_t size,
    u_char *src, size_t len);
static u_char *ngx_http_mta_sts_update_wire(u_char *p, u_char *last,
    u_char *name, size_t len, ngx_uint_t lower);
static ngx_uint_t ngx_http_mta_sts_update_within(ngx_str_t *name,
    ngx_str_t *zone);
static u_char *ngx_http_mta_sts_update_rr(u_char *p, u_char *last,
    ngx_str_t *owner, ngx_uint_t type, ngx_uint_t class, uint32_t ttl,
    u_char *rdata, size_t rdlen);
static size_t ngx_http_mta_sts_update_vars(u_char *buf, size_t size,
    ngx_http_mta_sts_update_key_t *key, uint64_t time, uint16_t fudge,
    uint16_t error, u_char *other, size_t other_len);
static ngx_int_t ngx_http_mta_sts_update_hmac(
    ngx_http_mta_sts_update_key_t *key, ngx_str_t *parts, ngx_uint_t n,
    u_char *mac, size_t *mac_len);
static const char *ngx_http_mta_sts_update_tsig(
    ngx_http_mta_sts_update_resp_t *resp, u_char *packet, size_t off,
    size_t rdlen);
static ngx_uint_t ngx_http_mta_sts_update_txt_ok(u_char *p, size_t len);
static ngx_int_t ngx_http_mta_sts_update_casecmp(u_char *a, u_char *b,
    size_t n);


static ngx_http_mta_sts_update_alg_t  ngx_http_mta_sts_update_algs[] = {
    { "hmac-sha1", EVP_sha1 },
    { "hmac-sha224", EVP_sha224 },
    { "hmac-sha256", EVP_sha256 },
    { "hmac-sha384", EVP_sha384 },
    { "hmac-sha512", EVP_sha512 },
};


static const char  *ngx_http_mta_sts_update_rcodes[] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
    "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
    "RCODE12", "RCODE13", "RCODE14", "RCODE15", "BADSIG", "BADKEY",
    "BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC", "BADCOOKIE"
};


/*
 * A key file: BIND's "key" clause, as tsig-keygen prints it,
 *
 *     key "name" { algorithm hmac-sha256; secret "base64"; };
 *
 * or Knot's, as keymgr -t prints it,
 *
 *     key:
 *       - id: name
 *         algorithm: hmac-sha256
 *         secret: base64
 *
 * with #, // and C comments.  One key a file.  Returns NULL, or why the
 * file is not a key; hmac-md5 is refused (RFC 8945, section 6: MUST NOT).
 */

const char *
ngx_http_mta_sts_update_key(u_char *p, size_t len,
    ngx_http_mta_sts_update_key_t *key)
{
    ngx_uint_t                        n, i, closed;
    ngx_http_mta_sts_update_token_t   tok[NGX_HTTP_MTA_STS_UPDATE_TOKENS];
    ngx_http_mta_sts_update_token_t  *name, *alg, *secret;

    ngx_memzero(key, sizeof(ngx_http_mta_sts_update_key_t));

    if (ngx_http_mta_sts_update_tokens(p, p + len, tok, &n) != NGX_OK) {
        return "not a key: too long, or an unterminated quote or comment";
    }

    name = NULL;
    alg = NULL;
    secret = NULL;

    if (n >= 1 && ngx_http_mta_sts_update_is(&tok[0], "key")) {

        /* BIND */

        if (n < 3 || !ngx_http_mta_sts_update_is(&tok[2], "{")) {
            return "expected key \"NAME\" { ... };";
        }

        name = &tok[1];
        closed = 0;

        for (i = 3; i < n; i++) {

            if (ngx_http_mta_sts_update_is(&tok[i], "}")) {
                i++;

                if (i < n && ngx_http_mta_sts_update_is(&tok[i], ";")) {
                    i++;
                }

                if (i != n) {
                    return "more than one key, or text after the key";
                }

                closed = 1;
                break;
            }

            if (i + 2 >= n || !ngx_http_mta_sts_update_is(&tok[i + 2], ";")) {
                return "expected \"algorithm NAME;\" and \"secret "
                       "\"BASE64\";\" in the key";
            }

            if (ngx_http_mta_sts_update_is(&tok[i], "algorithm")) {
                alg = &tok[i + 1];

            } else if (ngx_http_mta_sts_update_is(&tok[i], "secret")) {
                secret = &tok[i + 1];

            } else {
                return "expected \"algorithm NAME;\" and \"secret "
                       "\"BASE64\";\" in the key";
            }

            i += 2;
        }

        if (!closed) {
            return "the key's \"}\" is missing";
        }

    } else if (n >= 1 && ngx_http_mta_sts_update_is(&tok[0], "key:")) {

        /* Knot */

        if (n < 2 || !ngx_http_mta_sts_update_is(&tok[1], "-")) {
            return "expected \"key:\" then \"- id: NAME\"";
        }

        for (i = 2; i < n; i += 2) {

            if (ngx_http_mta_sts_update_is(&tok[i], "-")) {
                return "more than one key";
            }

            if (i + 1 >= n) {
                return "a key attribute without a value";
            }

            if (ngx_http_mta_sts_update_is(&tok[i], "id:")) {
                name = &tok[i + 1];

            } else if (ngx_http_mta_sts_update_is(&tok[i], "algorithm:")) {
                alg = &tok[i + 1];

            } else if (ngx_http_mta_sts_update_is(&tok[i], "secret:")) {
                secret = &tok[i + 1];

            } else {
                return "expected \"id:\", \"algorithm:\" and \"secret:\"";
            }
        }

    } else {
        return "not a key: expected BIND's key \"NAME\" { ... }; "
               "(tsig-keygen) or Knot's key: - id: NAME (keymgr -t)";
    }

    if (name == NULL || alg == NULL || secret == NULL) {
        return "the key needs a name, an algorithm and a secret";
    }

    return ngx_http_mta_sts_update_set(key, name, alg, secret);
}


/* words, quoted strings and the punctuation { } ; without comments */

static ngx_int_t
ngx_http_mta_sts_update_tokens(u_char *p, u_char *last,
    ngx_http_mta_sts_update_token_t *tok, ngx_uint_t *n)
{
    u_char  *start;

    *n = 0;

    while (p < last) {

        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            p++;
            continue;
        }

        if (*p == '#' || (*p == '/' && p + 1 < last && p[1] == '/')) {
            while (p < last && *p != '\n') {
                p++;
            }

            continue;
        }

        if (*p == '/' && p + 1 < last && p[1] == '*') {
            for (p += 2; p + 1 < last && !(p[0] == '*' && p[1] == '/'); p++) {
                /* void */
            }

            if (p + 1 >= last) {
                return NGX_ERROR;
            }

            p += 2;
            continue;
        }

        if (*n == NGX_HTTP_MTA_STS_UPDATE_TOKENS) {
            return NGX_ERROR;
        }

        if (*p == '"') {
            start = ++p;

            while (p < last && *p != '"' && *p != '\n') {
                p++;
            }

            if (p == last || *p != '"') {
                return NGX_ERROR;
            }

            tok[*n].data = start;
            tok[*n].len = p - start;
            tok[*n].quoted = 1;
            (*n)++;
            p++;
            continue;
        }

        start = p;

        if (*p == '{' || *p == '}' || *p == ';') {
            p++;

        } else {
            while (p < last && *p != ' ' && *p != '\t' && *p != '\r'
                   && *p != '\n' && *p != '{' && *p != '}' && *p != ';'
                   && *p != '"' && *p != '#')
            {
                p++;
            }
        }

        tok[*n].data = start;
        tok[*n].len = p - start;
        tok[*n].quoted = 0;
        (*n)++;
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_http_mta_sts_update_is(ngx_http_mta_sts_update_token_t *t,
    const char *word)
{
    size_t  len;

    len = ngx_strlen(word);

    return !t->quoted && t->len == len
           && ngx_http_mta_sts_update_casecmp(t->data, (u_char *) word, len)
              == 0;
}


static const char *
ngx_http_mta_sts_update_set(ngx_http_mta_sts_update_key_t *key,
    ngx_http_mta_sts_update_token_t *name,
    ngx_http_mta_sts_update_token_t *alg,
    ngx_http_mta_sts_update_token_t *secret)
{
    u_char     *p;
    size_t      i, len;
    ssize_t     n;
    ngx_uint_t  a;

    /* the name: lowercase and absolute, once (RFC 8945, section 4.3.3) */

    len = name->len;

    if (len && name->data[len - 1] == '.') {
        len--;
    }

    if (len == 0 || len > 253) {
        return "the key name is empty or too long";
    }

    for (i = 0; i < len; i++) {
        key->text[i] = ngx_tolower(name->data[i]);
    }

    key->text[len] = '.';
    key->text_len = len + 1;

    p = ngx_http_mta_sts_update_wire(key->name, key->name + sizeof(key->name),
                                     key->text, len, 1);
    if (p == NULL) {
        return "the key name is not a domain name";
    }

    key->name_len = p - key->name;

    /* the algorithm */

    len = alg->len;

    /* "hmac-sha256." and the like */
    if (len && alg->data[len - 1] == '.') {
        len--;
    }

    if ((len >= 8
         && ngx_http_mta_sts_update_casecmp(alg->data, (u_char *) "hmac-md5",
                                            8)
            == 0)
        || (len == 3
            && ngx_http_mta_sts_update_casecmp(alg->data, (u_char *) "md5", 3)
               == 0))
    {
        return "hmac-md5 must not be used (RFC 8945, section 6); make a "
               "new key with \"tsig-keygen -a hmac-sha256\"";
    }

    for (a = 0; a < sizeof(ngx_http_mta_sts_update_algs)
                    / sizeof(ngx_http_mta_sts_update_algs[0]); a++)
    {
        if (ngx_strlen(ngx_http_mta_sts_update_algs[a].name) == len
            && ngx_http_mta_sts_update_casecmp(alg->data,
                               (u_char *) ngx_http_mta_sts_update_algs[a].name,
                               len)
               == 0)
        {
            break;
        }
    }

    if (a == sizeof(ngx_http_mta_sts_update_algs)
             / sizeof(ngx_http_mta_sts_update_algs[0]))
    {
        return "unknown algorithm: expected hmac-sha256, hmac-sha384, "
               "hmac-sha512, hmac-sha224 or hmac-sha1";
    }

    key->alg = a;

    /* the secret */

    n = ngx_http_mta_sts_update_base64(key->secret, sizeof(key->secret),
                                       secret->data, secret->len);
    if (n <= 0) {
        return "the secret is not base64, or empty, or longer than 256 "
               "bytes";
    }

    key->secret_len = n;

    return NULL;
}


static ssize_t
ngx_http_mta_sts_update_base64(u_char *dst, size_t size, u_char *src,
    size_t len)
{
    u_char      c;
    size_t      i, n, pad;
    uint32_t    acc;
    ngx_uint_t  bits, v;

    acc = 0;
    bits = 0;
    n = 0;
    pad = 0;

    for (i = 0; i < len; i++) {
        c = src[i];

        if (c == '=') {
            pad++;
            continue;
        }

        if (pad) {
            return -1;
        }

        if (c >= 'A' && c <= 'Z') {
            v = c - 'A';

        } else if (c >= 'a' && c <= 'z') {
            v = c - 'a' + 26;

        } else if (c >= '0' && c <= '9') {
            v = c - '0' + 52;

        } else if (c == '+') {
            v = 62;

        } else if (c == '/') {
            v = 63;

        } else {
            return -1;
        }

        acc = (acc << 6) | v;
        bits += 6;

        if (bits >= 8) {
            bits -= 8;

            if (n == size) {
                return -1;
            }

            dst[n++] = (u_char) (acc >> bits);
        }
    }

    if (pad > 2 || (len - pad) % 4 == 1 || (pad && len % 4 != 0)) {
        return -1;
    }

    return n;
}


const char *
ngx_http_mta_sts_update_alg_name(ngx_uint_t alg)
{
    return ngx_http_mta_sts_update_algs[alg].name;
}


const char *
ngx_http_mta_sts_update_rcode_text(ngx_uint_t rcode)
{
    if (rcode < sizeof(ngx_http_mta_sts_update_rcodes)
                / sizeof(ngx_http_mta_sts_update_rcodes[0]))
    {
        return ngx_http_mta_sts_update_rcodes[rcode];
    }

    return "an unknown RCODE";
}


/* a dotted name (a final dot allowed) on the wire; NULL if it is not one */

static u_char *
ngx_http_mta_sts_update_wire(u_char *p, u_char *last, u_char *name,
    size_t len, ngx_uint_t lower)
{
    u_char  *label, *end, *dot, *start;

    if (len && name[len - 1] == '.') {
        len--;
    }

    if (len > 253) {
        return NULL;
    }

    start = p;
    end = name + len;
    label = name;

    while (len && label <= end) {

        for (dot = label; dot < end && *dot != '.'; dot++) { /* void */ }

        if (dot == label || dot - label > 63 || p + 1 + (dot - label) > last) {
            return NULL;
        }

        *p++ = (u_char) (dot - label);

        while (label < dot) {
            *p++ = lower ? ngx_tolower(*label) : *label;
            label++;
        }

        label = dot + 1;
    }

    if (p == last || p - start >= 255) {
        return NULL;
    }

    *p++ = 0;

    return p;
}


static ngx_uint_t
ngx_http_mta_sts_update_within(ngx_str_t *name, ngx_str_t *zone)
{
    size_t  nlen, zlen;

    nlen = name->len;
    zlen = zone->len;

    if (nlen && name->data[nlen - 1] == '.') {
        nlen--;
    }

    if (zlen && zone->data[zlen - 1] == '.') {
        zlen--;
    }

    if (zlen == 0) {
        return 1;
    }

    if (nlen == zlen) {
        return ngx_http_mta_sts_update_casecmp(name->data, zone->data, zlen)
               == 0;
    }

    return nlen > zlen && name->data[nlen - zlen - 1] == '.'
           && ngx_http_mta_sts_update_casecmp(name->data + nlen - zlen,
                                              zone->data, zlen)
              == 0;
}


static u_char *
ngx_http_mta_sts_update_rr(u_char *p, u_char *last, ngx_str_t *owner,
    ngx_uint_t type, ngx_uint_t class, uint32_t ttl, u_char *rdata,
    size_t rdlen)
{
    p = ngx_http_mta_sts_update_wire(p, last, owner->data, owner->len, 0);

    if (p == NULL || (size_t) (last - p) < 10 + rdlen) {
        return NULL;
    }

    *p++ = (u_char) (type >> 8);
    *p++ = (u_char) type;
    *p++ = (u_char) (class >> 8);
    *p++ = (u_char) class;
    *p++ = (u_char) (ttl >> 24);
    *p++ = (u_char) (ttl >> 16);
    *p++ = (u_char) (ttl >> 8);
    *p++ = (u_char) ttl;
    *p++ = (u_char) (rdlen >> 8);
    *p++ = (u_char) rdlen;

    if (rdlen) {
        p = ngx_cpymem(p, rdata, rdlen);
    }

    return p;
}


/*
 * The UPDATE (RFC 2136, section 2): the zone (SOA, IN); the prerequisite
 * that the TXT RRset is exactly as read, value dependent (section 2.4.2;
 * class IN, TTL 0, every record), or that there is none (2.4.3, class
 * NONE); then the deletion of the RRset (2.5.2, class ANY) and the new
 * record (2.5.1).  Atomic (section 3.7): a stale prerequisite, a replay
 * included, changes nothing (sections 5.4, 5.7).  Returns the length, or
 * 0 when it does not fit or a name is not one.
 */

size_t
ngx_http_mta_sts_update_build(u_char *buf, size_t size,
    ngx_http_mta_sts_update_msg_t *msg)
{
    u_char      *p, *last, rdata[256];
    size_t       len;
    ngx_uint_t   i, npr;

    if (size < 12 || msg->ntxt > NGX_HTTP_MTA_STS_UPDATE_TXT_MAX
        || msg->id.len == 0 || msg->id.len > 32
        || !ngx_http_mta_sts_update_within(&msg->name, &msg->zone))
    {
        return 0;
    }

    p = buf;
    last = buf + size;
    npr = msg->ntxt ? msg->ntxt : 1;

    *p++ = (u_char) (msg->msgid >> 8);
    *p++ = (u_char) msg->msgid;
    *p++ = NGX_HTTP_MTA_STS_UPDATE_OPCODE << 3;
    *p++ = 0;
    *p++ = 0; *p++ = 1;                          /* ZOCOUNT */
    *p++ = 0; *p++ = (u_char) npr;               /* PRCOUNT */
    *p++ = 0; *p++ = 2;                          /* UPCOUNT */
    *p++ = 0; *p++ = 0;                          /* ADCOUNT */

    p = ngx_http_mta_sts_update_wire(p, last, msg->zone.data, msg->zone.len,
                                     0);
    if (p == NULL || last - p < 4) {
        return 0;
    }

    *p++ = 0; *p++ = NGX_HTTP_MTA_STS_UPDATE_SOA;
    *p++ = 0; *p++ = 1;

    if (msg->ntxt == 0) {
        p = ngx_http_mta_sts_update_rr(p, last, &msg->name,
                                       NGX_HTTP_MTA_STS_DNS_TXT, 254, 0,
                                       NULL, 0);
        if (p == NULL) {
            return 0;
        }
    }

    for (i = 0; i < msg->ntxt; i++) {
        p = ngx_http_mta_sts_update_rr(p, last, &msg->name,
                                       NGX_HTTP_MTA_STS_DNS_TXT, 1, 0,
                                       msg->txt[i].data, msg->txt[i].len);
        if (p == NULL) {
            return 0;
        }
    }

    p = ngx_http_mta_sts_update_rr(p, last, &msg->name,
                                   NGX_HTTP_MTA_STS_DNS_TXT, 255, 0, NULL, 0);
    if (p == NULL) {
        return 0;
    }

    len = sizeof("v=STSv1; id=") - 1 + msg->id.len;
    rdata[0] = (u_char) len;
    ngx_memcpy(rdata + 1, "v=STSv1; id=", sizeof("v=STSv1; id=") - 1);
    ngx_memcpy(rdata + sizeof("v=STSv1; id="), msg->id.data, msg->id.len);

    p = ngx_http_mta_sts_update_rr(p, last, &msg->name,
                                   NGX_HTTP_MTA_STS_DNS_TXT, 1, msg->ttl,
                                   rdata, len + 1);
    if (p == NULL) {
        return 0;
    }

    return p - buf;
}


/*
 * TSIG's variables (RFC 8945, section 4.3.3): the key name and the
 * algorithm uncompressed and lowercase, class ANY, TTL 0, time signed
 * (48 bits), fudge, error, other data.
 */

static size_t
ngx_http_mta_sts_update_vars(u_char *buf, size_t size,
    ngx_http_mta_sts_update_key_t *key, uint64_t time, uint16_t fudge,
    uint16_t error, u_char *other, size_t other_len)
{
    u_char      *p, *last;
    const char  *alg;

    p = buf;
    last = buf + size;

    if (size < key->name_len + 4 + 4 + 6 + 2 + 2 + 2 + other_len + 256) {
        return 0;
    }

    p = ngx_cpymem(p, key->name, key->name_len);

    *p++ = 0; *p++ = 255;                        /* ANY */
    *p++ = 0; *p++ = 0; *p++ = 0; *p++ = 0;      /* TTL */

    alg = ngx_http_mta_sts_update_algs[key->alg].name;

    p = ngx_http_mta_sts_update_wire(p, last, (u_char *) alg,
                                     ngx_strlen(alg), 1);
    if (p == NULL) {
        return 0;
    }

    *p++ = (u_char) (time >> 40);
    *p++ = (u_char) (time >> 32);
    *p++ = (u_char) (time >> 24);
    *p++ = (u_char) (time >> 16);
    *p++ = (u_char) (time >> 8);
    *p++ = (u_char) time;
    *p++ = (u_char) (fudge >> 8);
    *p++ = (u_char) fudge;
    *p++ = (u_char) (error >> 8);
    *p++ = (u_char) error;
    *p++ = (u_char) (other_len >> 8);
    *p++ = (u_char) other_len;

    if (other_len) {
        p = ngx_cpymem(p, other, other_len);
    }

    return p - buf;
}


static ngx_int_t
ngx_http_mta_sts_update_hmac(ngx_http_mta_sts_update_key_t *key,
    ngx_str_t *parts, ngx_uint_t n, u_char *mac, size_t *mac_len)
{
    size_t       len;
    ngx_int_t    rc;
    ngx_uint_t   i;
    EVP_PKEY    *pkey;
    EVP_MD_CTX  *ctx;

    pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, NULL, key->secret,
                                        key->secret_len);
    if (pkey == NULL) {
        return NGX_ERROR;
    }

    ctx = EVP_MD_CTX_new();
    if (ctx == NULL) {
        EVP_PKEY_free(pkey);
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    if (EVP_DigestSignInit(ctx, NULL, ngx_http_mta_sts_update_algs[key->alg]
                                      .md(), NULL, pkey)
        != 1)
    {
        goto done;
    }

    for (i = 0; i < n; i++) {
        if (parts[i].len
            && EVP_DigestSignUpdate(ctx, parts[i].data, parts[i].len) != 1)
        {
            goto done;
        }
    }

    len = NGX_HTTP_MTA_STS_UPDATE_MAC_MAX;

    if (EVP_DigestSignFinal(ctx, mac, &len) != 1) {
        goto done;
    }

    *mac_len = len;
    rc = NGX_OK;

done:

    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);

    return rc;
}


/*
 * Signs the message buf[0..len) in place (RFC 8945, section 4.3): the
 * MAC of the message and the variables, then the TSIG record appended
 * and ARCOUNT counted up.  The MAC is kept (mac, 64 bytes) to check the
 * response's.  Returns the new length, 0 when it does not fit.
 */

size_t
ngx_http_mta_sts_update_sign(u_char *buf, size_t len, size_t size,
    ngx_http_mta_sts_update_key_t *key, uint64_t now, u_char *mac,
    size_t *mac_len)
{
    u_char     *p, *last, vars[600];
    size_t      vlen, rdlen;
    uint16_t    ar;
    ngx_str_t   parts[2];
    const char *alg;

    if (len < 12) {
        return 0;
    }

    vlen = ngx_http_mta_sts_update_vars(vars, sizeof(vars), key, now,
                                        NGX_HTTP_MTA_STS_UPDATE_FUDGE, 0,
                                        NULL, 0);
    if (vlen == 0) {
        return 0;
    }

    parts[0].data = buf;
    parts[0].len = len;
    parts[1].data = vars;
    parts[1].len = vlen;

    if (ngx_http_mta_sts_update_hmac(key, parts, 2, mac, mac_len) != NGX_OK) {
        return 0;
    }

    alg = ngx_http_mta_sts_update_algs[key->alg].name;
    rdlen = ngx_strlen(alg) + 2 + 6 + 2 + 2 + *mac_len + 2 + 2 + 2;

    if (size - len < key->name_len + 10 + rdlen) {
        return 0;
    }

    p = buf + len;
    last = buf + size;

    p = ngx_cpymem(p, key->name, key->name_len);

    *p++ = 0; *p++ = NGX_HTTP_MTA_STS_UPDATE_TSIG;
    *p++ = 0; *p++ = 255;
    *p++ = 0; *p++ = 0; *p++ = 0; *p++ = 0;
    *p++ = (u_char) (rdlen >> 8);
    *p++ = (u_char) rdlen;

    p = ngx_http_mta_sts_update_wire(p, last, (u_char *) alg,
                                     ngx_strlen(alg), 1);
    if (p == NULL) {
        return 0;
    }

    /* time signed, fudge: as in the variables */
    p = ngx_cpymem(p, vars + vlen - 12, 8);

    *p++ = (u_char) (*mac_len >> 8);
    *p++ = (u_char) *mac_len;
    p = ngx_cpymem(p, mac, *mac_len);
    *p++ = buf[0];                               /* original id */
    *p++ = buf[1];
    *p++ = 0; *p++ = 0;                          /* error */
    *p++ = 0; *p++ = 0;                          /* other length */

    ar = (uint16_t) ((buf[10] << 8) | buf[11]) + 1;
    buf[10] = (u_char) (ar >> 8);
    buf[11] = (u_char) ar;

    return p - buf;
}


/*
 * Reads a response to the query or the UPDATE described by resp (name,
 * type, id, opcode): its rcode; for a query, the TXT records and any
 * CNAME the name owns, and the owner of an SOA in the answer or the
 * authority section (the zone, as nsupdate finds it); the TSIG record,
 * when it is the last one.  Every length is checked against the packet.
 * Returns NGX_OK, NGX_DECLINED for a response to another message, or
 * NGX_ERROR with resp->error.
 */

ngx_int_t
ngx_http_mta_sts_update_parse(ngx_http_mta_sts_update_resp_t *resp,
    u_char *packet, size_t len)
{
    u_char       name[NGX_HTTP_MTA_STS_DNS_NAME_LEN];
    size_t       off, nlen, rdlen, start, qlen;
    uint16_t     id;
    uint32_t     ttl;
    ngx_uint_t   qd, total, i, type, class, section, an, ns;
    const char  *err;

    resp->rcode = 0;
    resp->ntxt = 0;
    resp->txt_over = 0;
    resp->txt_ttl = 0;
    resp->cname = 0;
    resp->soa_len = 0;
    resp->error = NULL;
    resp->tsig = 0;

    if (len < 12) {
        resp->error = "shorter than a header";
        return NGX_ERROR;
    }

    id = (uint16_t) ((packet[0] << 8) | packet[1]);

    if (id != resp->id || !(packet[2] & 0x80)
        || ((packet[2] >> 3) & 0x0f) != resp->opcode)
    {
        return NGX_DECLINED;
    }

    resp->rcode = packet[3] & 0x0f;

    qd = (packet[4] << 8) | packet[5];
    an = (packet[6] << 8) | packet[7];
    ns = (packet[8] << 8) | packet[9];
    total = an + ns + ((packet[10] << 8) | packet[11]);

    qlen = resp->name.len;

    if (qlen && resp->name.data[qlen - 1] == '.') {
        qlen--;
    }

    off = 12;

    if (resp->opcode == 0 && qd != 1) {
        return NGX_DECLINED;
    }

    for (i = 0; i < qd; i++) {
        err = ngx_http_mta_sts_dns_name(packet, len, &off, name, &nlen);
        if (err) {
            resp->error = err;
            return NGX_ERROR;
        }

        if (off + 4 > len) {
            resp->error = "a question runs past the end";
            return NGX_ERROR;
        }

        type = (packet[off] << 8) | packet[off + 1];
        off += 4;

        if (resp->opcode == 0
            && (type != resp->type || nlen != qlen
                || ngx_http_mta_sts_update_casecmp(name, resp->name.data,
                                                   qlen)
                   != 0))
        {
            return NGX_DECLINED;
        }
    }

    for (i = 0; i < total; i++) {
        start = off;
        section = (i < an) ? 1 : (i < an + ns ? 2 : 3);

        err = ngx_http_mta_sts_dns_name(packet, len, &off, name, &nlen);
        if (err) {
            resp->error = err;
            return NGX_ERROR;
        }

        if (off + 10 > len) {
            resp->error = "a record runs past the end";
            return NGX_ERROR;
        }

        type = (packet[off] << 8) | packet[off + 1];
        class = (packet[off + 2] << 8) | packet[off + 3];
        ttl = ((uint32_t) packet[off + 4] << 24) | (packet[off + 5] << 16)
              | (packet[off + 6] << 8) | packet[off + 7];
        rdlen = (packet[off + 8] << 8) | packet[off + 9];
        off += 10;

        if (off + rdlen > len) {
            resp->error = "a record's data runs past the end";
            return NGX_ERROR;
        }

        if (type == NGX_HTTP_MTA_STS_UPDATE_TSIG) {
            if (section != 3 || i != total - 1) {
                resp->error = "a TSIG record that is not the last one";
                return NGX_ERROR;
            }

            ngx_memcpy(resp->tsig_name, name, nlen);
            resp->tsig_name_len = nlen;
            resp->tsig_off = start;

            err = ngx_http_mta_sts_update_tsig(resp, packet, off, rdlen);
            if (err) {
                resp->error = err;
                return NGX_ERROR;
            }

            off += rdlen;
            continue;
        }

        if (type == NGX_HTTP_MTA_STS_UPDATE_SOA && section < 3
            && resp->soa_len == 0 && nlen)
        {
            ngx_memcpy(resp->soa, name, nlen);
            resp->soa_len = nlen;
        }

        if (section == 1 && class == 1 && qlen && nlen == qlen
            && ngx_http_mta_sts_update_casecmp(name, resp->name.data, qlen)
               == 0)
        {
            if (type == NGX_HTTP_MTA_STS_DNS_CNAME) {
                resp->cname = 1;

            } else if (type == NGX_HTTP_MTA_STS_DNS_TXT) {

                if (!ngx_http_mta_sts_update_txt_ok(packet + off, rdlen)) {
                    resp->error = "a TXT record's strings do not fill it";
                    return NGX_ERROR;
                }

                if (resp->ntxt == NGX_HTTP_MTA_STS_UPDATE_TXT_MAX
                    || rdlen > NGX_HTTP_MTA_STS_UPDATE_RDATA_MAX)
                {
                    resp->txt_over = 1;

                } else {
                    if (resp->ntxt == 0 || ttl < resp->txt_ttl) {
                        resp->txt_ttl = ttl;
                    }

                    resp->txt[resp->ntxt].data = packet + off;
                    resp->txt[resp->ntxt].len = rdlen;
                    resp->ntxt++;
                }
            }
        }

        off += rdlen;
    }

    return NGX_OK;
}


static const char *
ngx_http_mta_sts_update_tsig(ngx_http_mta_sts_update_resp_t *resp,
    u_char *packet, size_t off, size_t rdlen)
{
    size_t       end, n;
    const char  *err;

    end = off + rdlen;

    /* the algorithm name: uncompressed, but read as any name */
    err = ngx_http_mta_sts_dns_name(packet, end, &off, resp->tsig_alg,
                                    &resp->tsig_alg_len);
    if (err) {
        return err;
    }

    if (off + 10 > end) {
        return "a TSIG record runs past its length";
    }

    resp->time_signed = ((uint64_t) packet[off] << 40)
                        | ((uint64_t) packet[off + 1] << 32)
                        | ((uint64_t) packet[off + 2] << 24)
                        | ((uint64_t) packet[off + 3] << 16)
                        | ((uint64_t) packet[off + 4] << 8)
                        | packet[off + 5];
    resp->fudge = (uint16_t) ((packet[off + 6] << 8) | packet[off + 7]);
    n = (packet[off + 8] << 8) | packet[off + 9];
    off += 10;

    if (n > NGX_HTTP_MTA_STS_UPDATE_MAC_MAX || off + n + 6 > end) {
        return "a TSIG record's MAC runs past its length";
    }

    resp->mac = packet + off;
    resp->mac_len = n;
    off += n;

    resp->orig_id = (uint16_t) ((packet[off] << 8) | packet[off + 1]);
    resp->tsig_error = (uint16_t) ((packet[off + 2] << 8) | packet[off + 3]);
    n = (packet[off + 4] << 8) | packet[off + 5];
    off += 6;

    if (off + n != end) {
        return "a TSIG record's other data does not fill it";
    }

    resp->other = packet + off;
    resp->other_len = n;
    resp->tsig = 1;

    return NULL;
}


static ngx_uint_t
ngx_http_mta_sts_update_txt_ok(u_char *p, size_t len)
{
    size_t  off;

    if (len == 0) {
        return 0;
    }

    for (off = 0; off < len; off += 1 + p[off]) { /* void */ }

    return off == len;
}


/*
 * The response's MAC (RFC 8945, sections 4.3.2 and 5.3.2): over the
 * request's MAC, the response without its TSIG record (ARCOUNT one less,
 * the original id) and the variables; the key and algorithm must be ours
 * and the time within the fudge.  Call after a parse that found resp->tsig.
 */

ngx_uint_t
ngx_http_mta_sts_update_verify(ngx_http_mta_sts_update_resp_t *resp,
    u_char *packet, size_t len, ngx_http_mta_sts_update_key_t *key,
    u_char *req_mac, size_t req_mac_len, uint64_t now)
{
    u_char       head[12], pre[2], mac[NGX_HTTP_MTA_STS_UPDATE_MAC_MAX];
    u_char       vars[600];
    size_t       vlen, mac_len, alen;
    uint16_t     ar;
    ngx_str_t    parts[5];
    const char  *alg;

    if (!resp->tsig) {
        return NGX_HTTP_MTA_STS_UPDATE_UNSIGNED;
    }

    alg = ngx_http_mta_sts_update_algs[key->alg].name;
    alen = ngx_strlen(alg);

    if (resp->tsig_name_len + 1 != key->text_len
        || ngx_http_mta_sts_update_casecmp(resp->tsig_name, key->text,
                                           key->text_len - 1)
           != 0
        || resp->tsig_alg_len != alen
        || ngx_http_mta_sts_update_casecmp(resp->tsig_alg, (u_char *) alg,
                                           alen)
           != 0)
    {
        return NGX_HTTP_MTA_STS_UPDATE_OTHER_KEY;
    }

    vlen = ngx_http_mta_sts_update_vars(vars, sizeof(vars), key,
                                        resp->time_signed, resp->fudge,
                                        resp->tsig_error, resp->other,
                                        resp->other_len);
    if (vlen == 0 || resp->tsig_off < 12) {
        return NGX_HTTP_MTA_STS_UPDATE_FORGED;
    }

    pre[0] = (u_char) (req_mac_len >> 8);
    pre[1] = (u_char) req_mac_len;

    ngx_memcpy(head, packet, 12);
    head[0] = (u_char) (resp->orig_id >> 8);
    head[1] = (u_char) resp->orig_id;
    ar = (uint16_t) ((head[10] << 8) | head[11]) - 1;
    head[10] = (u_char) (ar >> 8);
    head[11] = (u_char) ar;

    parts[0].data = pre;
    parts[0].len = 2;
    parts[1].data = req_mac;
    parts[1].len = req_mac_len;
    parts[2].data = head;
    parts[2].len = 12;
    parts[3].data = packet + 12;
    parts[3].len = resp->tsig_off - 12;
    parts[4].data = vars;
    parts[4].len = vlen;

    if (ngx_http_mta_sts_update_hmac(key, parts, 5, mac, &mac_len) != NGX_OK
        || resp->mac_len != mac_len
        || CRYPTO_memcmp(mac, resp->mac, mac_len) != 0)
    {
        return NGX_HTTP_MTA_STS_UPDATE_FORGED;
    }

    if ((now > resp->time_signed ? now - resp->time_signed
                                 : resp->time_signed - now)
        > resp->fudge)
    {
        return NGX_HTTP_MTA_STS_UPDATE_STALE;
    }

    return NGX_HTTP_MTA_STS_UPDATE_SIGNED;
}


/*
 * Whether a TXT set read is already what would be published: one record
 * beginning with "v=STSv1", valid, of the id (RFC 8461, section 3.1).
 */

ngx_uint_t
ngx_http_mta_sts_update_published(ngx_http_mta_sts_update_resp_t *resp,
    ngx_str_t *id)
{
    u_char                      joined[NGX_HTTP_MTA_STS_UPDATE_RDATA_MAX];
    size_t                      off, n;
    ngx_int_t                   rc;
    ngx_uint_t                  i, found, good;
    ngx_http_mta_sts_dns_txt_t  txt;

    if (resp->txt_over || resp->cname) {
        return 0;
    }

    found = 0;
    good = 0;

    for (i = 0; i < resp->ntxt; i++) {
        n = 0;

        for (off = 0; off < resp->txt[i].len;
             off += 1 + resp->txt[i].data[off])
        {
            ngx_memcpy(joined + n, resp->txt[i].data + off + 1,
                       resp->txt[i].data[off]);
            n += resp->txt[i].data[off];
        }

        rc = ngx_http_mta_sts_dns_sts_record(joined, n, &txt);

        if (rc == NGX_DECLINED) {
            continue;
        }

        found++;

        if (rc == NGX_OK && txt.id.len == id->len
            && ngx_strncmp(txt.id.data, id->data, id->len) == 0)
        {
            good = 1;
        }
    }

    return found == 1 && good;
}


/* ngx_strncasecmp() without nginx: this file links into the unit test */

static ngx_int_t
ngx_http_mta_sts_update_casecmp(u_char *a, u_char *b, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (ngx_tolower(a[i]) != ngx_tolower(b[i])) {
            return 1;
        }
    }

    return 0;
}
