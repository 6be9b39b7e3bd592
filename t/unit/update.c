
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * Unit tests of src/ngx_http_mta_sts_update.c: key files as tsig-keygen
 * and keymgr print them (hmac-md5 refused, RFC 8945, section 6; names
 * lowercased and absolute, section 4.3.3), the UPDATE message (RFC 2136,
 * sections 2.3 to 2.5: zone, prerequisite, delete and add), and TSIG
 * against BIND 9.18 itself: requests dig -y and nsupdate -y signed are
 * signed again here to the same bytes (RFC 8945, section 4.3.3), and
 * named's responses verify (section 5.3.2; BADSIG, BADKEY unsigned,
 * section 5.2).  The vectors come from t/unit/update-vectors.sh.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_dns.h>
#include <ngx_http_mta_sts_update.h>

#include <stdio.h>
#include <string.h>

#include "tap.h"


typedef struct {
    u_char   data[4096];
    size_t   len;
} msg_t;


static void hex(msg_t *m, const char *s);
static const char *key(ngx_http_mta_sts_update_key_t *k, const char *text);
static void resign(const char *label, const char *query, const char *text);
static void verify(const char *label, const char *query,
    const char *response, const char *text);
static size_t tsig_at(msg_t *m, ngx_http_mta_sts_update_key_t *k,
    size_t *alg);
static ngx_int_t parse(ngx_http_mta_sts_update_resp_t *r, msg_t *m,
    const char *name, ngx_uint_t type, ngx_uint_t opcode);

static const char  v_sha256_query[] =
    "57c401200001000000000001085f6d74612d737473076578616d706c65047465"
    "737400001000010d766563746f722d736861323536076578616d706c650000fa"
    "00ff00000000003d0b686d61632d7368613235360000006b140d55012c0020b8"
    "85eabe8f60f1de7ddcdfdcc8b336f678d06bf7e8488d958e6215443cfe059c57"
    "c400000000";

static const char  v_sha256_response[] =
    "57c485000001000100000001085f6d74612d737473076578616d706c65047465"
    "73740000100001c00c001000010000012c00100f763d53545376313b2069643d"
    "6f6c640d766563746f722d736861323536076578616d706c650000fa00ff0000"
    "0000003d0b686d61632d7368613235360000006b140d55012c0020b89611acdf"
    "3bc4afca5ba7cc80c36e90e0f624a868c77b0ab9d662eb0fd18bcf57c4000000"
    "00";

static const char  v_sha512_query[] =
    "458301200001000000000001085f6d74612d737473076578616d706c65047465"
    "737400001000010d766563746f722d736861353132076578616d706c650000fa"
    "00ff00000000005d0b686d61632d7368613531320000006b140d55012c004057"
    "1820c6920ec159c8e0b0d7c2fa75a7a3d42c4d1f41efab33ffc9e3d9d3ca50ad"
    "e6ce95d741b2fc5beb90e8367cf7396def98962251e286df823c16742ad2d645"
    "8300000000";

static const char  v_sha512_response[] =
    "458385000001000100000001085f6d74612d737473076578616d706c65047465"
    "73740000100001c00c001000010000012c00100f763d53545376313b2069643d"
    "6f6c640d766563746f722d736861353132076578616d706c650000fa00ff0000"
    "0000005d0b686d61632d7368613531320000006b140d55012c004029f8eccd00"
    "e3301bac331ae4e750c51b9cac6f85b65c146cce720c6dc0cfb0051a78b5ae16"
    "bf3b57ac9b4c54d7d3998d2441d8404e32f5d7c863a22f3e0364204583000000"
    "00";

static const char  v_sha1_query[] =
    "c99901200001000000000001085f6d74612d737473076578616d706c65047465"
    "737400001000010b766563746f722d73686131076578616d706c650000fa00ff"
    "00000000002f09686d61632d736861310000006b140d55012c0014e33d243b5f"
    "6cdde43d7c7e05e16a0a98076cb5b8c99900000000";

static const char  v_sha1_response[] =
    "c99985000001000100000001085f6d74612d737473076578616d706c65047465"
    "73740000100001c00c001000010000012c00100f763d53545376313b2069643d"
    "6f6c640b766563746f722d73686131076578616d706c650000fa00ff00000000"
    "002f09686d61632d736861310000006b140d55012c0014f3f2032a8b3b467f7e"
    "9055e53a6a663b546fe746c99900000000";

static const char  v_badsig_query[] =
    "53d201200001000000000001085f6d74612d737473076578616d706c65047465"
    "737400001000010d766563746f722d736861323536076578616d706c650000fa"
    "00ff00000000003d0b686d61632d7368613235360000006b140d55012c002083"
    "777270784292d75f3c970fe7836b0880bdf34a14314537dab3bf360e594d0153"
    "d200000000";

static const char  v_badsig_response[] =
    "53d281090001000000000001085f6d74612d737473076578616d706c65047465"
    "737400001000010d766563746f722d736861323536076578616d706c650000fa"
    "00ff00000000001d0b686d61632d7368613235360000006b140d55012c000053"
    "d200100000";

static const char  v_badkey_query[] =
    "cf1e01200001000000000001085f6d74612d737473076578616d706c65047465"
    "7374000010000107756e6b6e6f776e076578616d706c650000fa00ff00000000"
    "003d0b686d61632d7368613235360000006b140d56012c0020e77f5ffa852f27"
    "9492eda729e1973a074eb2cd06c04d5ba47dfb2037f6b8a65acf1e00000000";

static const char  v_badkey_response[] =
    "cf1e81090001000000000001085f6d74612d737473076578616d706c65047465"
    "7374000010000107756e6b6e6f776e076578616d706c650000fa00ff00000000"
    "001d0b686d61632d7368613235360000006b140d56012c0000cf1e00110000";

static const char  v_update_query[] =
    "db1f28000001000100020001076578616d706c6504746573740000060001085f"
    "6d74612d737473c00c001000010000000000100f763d53545376313b2069643d"
    "6f6c64c01e001000ff000000000000c01e001000010000012c00100f763d5354"
    "5376313b2069643d6e65770d766563746f722d736861323536076578616d706c"
    "650000fa00ff00000000003d0b686d61632d7368613235360000006b140d5601"
    "2c00201b8f9b8326778b5ad2a24d08fd7a9e0c466e82a603eb450421c238a499"
    "a7a4dddb1f00000000";

static const char  v_update_response[] =
    "db1fa8000001000000000001076578616d706c65047465737400000600010d76"
    "6563746f722d736861323536076578616d706c650000fa00ff00000000003d0b"
    "686d61632d7368613235360000006b140d56012c0020334ed856578510641cda"
    "e603e0f4d14062f580484856af37e3368499eef0f384db1f00000000";


#define K256  "key \"Vector-SHA256.Example\" {\n" \
              "\talgorithm hmac-sha256;\n" \
              "\tsecret \"c2VjcmV0IG9mIHRoZSBzaGEyNTYgdmVjdG9yIGtleSAh\";\n" \
              "};\n"
#define K512  "key:\n  - id: vector-sha512.example.\n" \
              "    algorithm: hmac-sha512\n" \
              "    secret: c2VjcmV0IG9mIHRoZSBzaGE1MTIgdmVjdG9yIGtleSAh\n"
#define K1    "key \"vector-sha1.example.\" { algorithm hmac-sha1; " \
              "secret \"c2VjcmV0IG9mIHRoZSBzaGExIHZlY3RvciBrZXkgISE=\"; };"


int
main(void)
{
    u_char                           buf[1024];
    size_t                           n;
    ngx_str_t                        id;
    const char                      *err;
    static msg_t                     m;
    ngx_http_mta_sts_update_msg_t    msg;
    ngx_http_mta_sts_update_key_t    k;
    ngx_http_mta_sts_update_resp_t   r;

    /* key files */

    err = key(&k, K256);
    ok(err == NULL, "key: tsig-keygen's output", err);
    ok(k.text_len == 22 && memcmp(k.text, "vector-sha256.example.", 22) == 0,
       "key: the name lowercased and absolute (RFC 8945, section 4.3.3)",
       "");
    ok(k.name_len == 23 && memcmp(k.name, "\x0dvector-sha256\x07"
                                  "example\0", 23) == 0,
       "key: the name on the wire", "");
    ok(k.alg == NGX_HTTP_MTA_STS_UPDATE_SHA256 && k.secret_len == 33
       && memcmp(k.secret, "secret of the sha256 vector key !", 33) == 0,
       "key: hmac-sha256, the secret decoded", "");

    err = key(&k, K512);
    ok(err == NULL && k.alg == NGX_HTTP_MTA_STS_UPDATE_SHA512
       && k.text_len == 22, "key: Knot's keymgr -t output", err);

    err = key(&k, "# made by tsig-keygen\n// and a comment\n/* another\n*/ "
                  "key mta-sts { secret \"AAAA\"; algorithm HMAC-SHA384; };");
    ok(err == NULL && k.alg == NGX_HTTP_MTA_STS_UPDATE_SHA384
       && k.secret_len == 3 && k.text_len == 8,
       "key: comments, a bare name, attributes in any order", err);

    err = key(&k, K1);
    ok(err == NULL && k.alg == NGX_HTTP_MTA_STS_UPDATE_SHA1,
       "key: hmac-sha1 accepted (the module warns)", err);

    err = key(&k, "key \"k\" { algorithm hmac-md5; secret \"AAAA\"; };");
    ok(err && strstr(err, "RFC 8945, section 6"),
       "key: hmac-md5 refused (RFC 8945, section 6)", err);
    err = key(&k, "key \"k\" { algorithm hmac-md5.sig-alg.reg.int; "
                  "secret \"AAAA\"; };");
    ok(err && strstr(err, "hmac-md5"), "key: hmac-md5.sig-alg.reg.int "
       "refused", err);
    err = key(&k, "key \"k\" { algorithm hmac-sha3; secret \"AAAA\"; };");
    ok(err && strstr(err, "unknown algorithm"), "key: unknown algorithm",
       err);
    err = key(&k, "key \"k\" { algorithm hmac-sha256; secret \"AA*A\"; };");
    ok(err && strstr(err, "base64"), "key: a secret not base64", err);
    err = key(&k, "key \"k\" { algorithm hmac-sha256; secret \"AAA==\"; };");
    ok(err && strstr(err, "base64"), "key: bad padding", err);
    err = key(&k, "key \"k\" { algorithm hmac-sha256; };");
    ok(err && strstr(err, "secret"), "key: no secret", err);
    err = key(&k, "key \"k\" { algorithm hmac-sha256; secret \"AAAA\";");
    ok(err && strstr(err, "}"), "key: no closing brace", err);
    err = key(&k, K256 K256);
    ok(err && strstr(err, "more than one"), "key: two keys", err);
    err = key(&k, "key \"k\" { algorithm hmac-sha256; secret \"AAAA");
    ok(err && strstr(err, "unterminated"), "key: unterminated quote", err);
    err = key(&k, "c2VjcmV0IG9mIHRoZSBzaGEyNTYgdmVjdG9yIGtleSAh");
    ok(err && strstr(err, "tsig-keygen"), "key: a bare secret", err);
    err = key(&k, "");
    ok(err != NULL, "key: an empty file", err);
    err = key(&k, "key \"a..b\" { algorithm hmac-sha256; secret \"AAAA\"; };");
    ok(err && strstr(err, "name"), "key: a name with an empty label", err);

    /* the UPDATE, first publish: "no TXT RRset" (RFC 2136, section 2.4.3) */

    ngx_memzero(&msg, sizeof(msg));
    ngx_str_set(&msg.zone, "example.test");
    ngx_str_set(&msg.name, "_mta-sts.example.test");
    ngx_str_set(&msg.id, "20250601");
    msg.ttl = 300;
    msg.msgid = 0x1234;

    n = ngx_http_mta_sts_update_build(buf, sizeof(buf), &msg);

    hex(&m, "1234" "2800" "0001" "0001" "0002" "0000"
            /* zone: example.test SOA IN */
            "076578616d706c650474657374" "00" "0006" "0001"
            /* prerequisite: _mta-sts TXT NONE, TTL 0, no RDATA */
            "085f6d74612d737473076578616d706c650474657374" "00"
            "0010" "00fe" "00000000" "0000"
            /* delete the RRset: TXT ANY */
            "085f6d74612d737473076578616d706c650474657374" "00"
            "0010" "00ff" "00000000" "0000"
            /* add: TXT IN 300 "v=STSv1; id=20250601" */
            "085f6d74612d737473076578616d706c650474657374" "00"
            "0010" "0001" "0000012c" "0015"
            "14763d53545376313b2069643d3230323530363031");

    ok(n == m.len && memcmp(buf, m.data, n) == 0,
       "update: opcode 5, zone SOA, \"no TXT RRset\" (class NONE), delete "
       "(class ANY), add (RFC 2136, sections 2.3-2.5)", "");

    /* a replace: the set as read, value dependent (section 2.4.2) */

    msg.ntxt = 2;
    ngx_str_set(&msg.txt[0], "\x0fv=STSv1; id=old");
    ngx_str_set(&msg.txt[1], "\x03" "abc" "\x02" "de");

    n = ngx_http_mta_sts_update_build(buf, sizeof(buf), &msg);

    hex(&m, "1234" "2800" "0001" "0002" "0002" "0000"
            "076578616d706c650474657374" "00" "0006" "0001"
            "085f6d74612d737473076578616d706c650474657374" "00"
            "0010" "0001" "00000000" "0010"
            "0f763d53545376313b2069643d6f6c64"
            "085f6d74612d737473076578616d706c650474657374" "00"
            "0010" "0001" "00000000" "0007" "03616263026465"
            "085f6d74612d737473076578616d706c650474657374" "00"
            "0010" "00ff" "00000000" "0000"
            "085f6d74612d737473076578616d706c650474657374" "00"
            "0010" "0001" "0000012c" "0015"
            "14763d53545376313b2069643d3230323530363031");

    ok(n == m.len && memcmp(buf, m.data, n) == 0,
       "update: the prerequisite holds every record read, class IN, TTL 0 "
       "(RFC 2136, section 2.4.2)", "");

    ngx_str_set(&msg.zone, "other.test");
    ok(ngx_http_mta_sts_update_build(buf, sizeof(buf), &msg) == 0,
       "update: a name outside the zone - refused (NOTZONE, section 3.2)",
       "");
    ngx_str_set(&msg.zone, "test.");
    ok(ngx_http_mta_sts_update_build(buf, sizeof(buf), &msg) != 0,
       "update: a parent zone with a trailing dot", "");
    ngx_str_set(&msg.zone, "ample.test");
    ok(ngx_http_mta_sts_update_build(buf, sizeof(buf), &msg) == 0,
       "update: a zone that is only a suffix of a label - refused", "");
    ngx_str_set(&msg.zone, "example.test");
    ngx_str_set(&msg.id, "123456789012345678901234567890123");
    ok(ngx_http_mta_sts_update_build(buf, sizeof(buf), &msg) == 0,
       "update: an id of 33 characters - refused (RFC 8461, section 3.1)",
       "");
    ngx_str_set(&msg.id, "20250601");
    ok(ngx_http_mta_sts_update_build(buf, 100, &msg) == 0,
       "update: a buffer too small - 0", "");

    /* TSIG: dig's and nsupdate's requests signed again to the same bytes */

    resign("hmac-sha256", v_sha256_query, K256);
    resign("hmac-sha512", v_sha512_query, K512);
    resign("hmac-sha1", v_sha1_query, K1);
    resign("nsupdate hmac-sha256", v_update_query, K256);
    resign("another secret", v_badsig_query,
           "key vector-sha256.example { algorithm hmac-sha256; secret "
           "\"d3Jvbmcgc2VjcmV0IG9mIHRoZSBzaGEyNTYga2V5ICE=\"; };");
    resign("another name", v_badkey_query,
           "key unknown.example { algorithm hmac-sha256; secret "
           "\"c2VjcmV0IG9mIHRoZSBzaGEyNTYgdmVjdG9yIGtleSAh\"; };");

    /* named's responses */

    verify("hmac-sha256", v_sha256_query, v_sha256_response, K256);
    verify("hmac-sha512", v_sha512_query, v_sha512_response, K512);
    verify("hmac-sha1", v_sha1_query, v_sha1_response, K1);

    hex(&m, v_sha256_response);
    (void) key(&k, K256);

    ok(parse(&r, &m, "_mta-sts.example.test", 16, 0) == NGX_OK
       && r.rcode == 0 && r.ntxt == 1 && r.txt[0].len == 16
       && memcmp(r.txt[0].data, "\x0fv=STSv1; id=old", 16) == 0
       && r.txt_ttl == 300,
       "response: the TXT RDATA as sent, for a prerequisite", "");

    ngx_str_set(&id, "old");
    ok(ngx_http_mta_sts_update_published(&r, &id),
       "response: id old is published", "");
    ngx_str_set(&id, "new");
    ok(!ngx_http_mta_sts_update_published(&r, &id),
       "response: id new is not", "");

    ok(parse(&r, &m, "_mta-sts.example.test", 1, 0) == NGX_DECLINED,
       "response: another question - declined", "");
    ngx_memzero(&r, sizeof(r));
    ngx_str_set(&r.name, "_mta-sts.example.test");
    r.type = 16;
    r.id = (uint16_t) (((m.data[0] << 8) | m.data[1]) + 1);
    ok(ngx_http_mta_sts_update_parse(&r, m.data, m.len) == NGX_DECLINED,
       "response: another id - declined", "");
    ok(parse(&r, &m, "_mta-sts.example.test", 16, 5) == NGX_DECLINED,
       "response: another opcode - declined", "");

    /* BADSIG and BADKEY: NOTAUTH, the TSIG record without a MAC */

    hex(&m, v_badsig_response);
    ok(parse(&r, &m, "_mta-sts.example.test", 16, 0) == NGX_OK
       && r.rcode == 9 && r.tsig
       && r.tsig_error == NGX_HTTP_MTA_STS_UPDATE_BADSIG && r.mac_len == 0,
       "response: BADSIG, NOTAUTH, unsigned (RFC 8945, section 5.2.2)", "");
    ok(ngx_http_mta_sts_update_verify(&r, m.data, m.len, &k, NULL, 0,
                                      r.time_signed)
       == NGX_HTTP_MTA_STS_UPDATE_FORGED,
       "response: BADSIG does not verify", "");

    hex(&m, v_badkey_response);
    ok(parse(&r, &m, "_mta-sts.example.test", 16, 0) == NGX_OK
       && r.rcode == 9 && r.tsig_error == NGX_HTTP_MTA_STS_UPDATE_BADKEY,
       "response: BADKEY, NOTAUTH (RFC 8945, section 5.2.1)", "");
    ok(ngx_http_mta_sts_update_verify(&r, m.data, m.len, &k, NULL, 0,
                                      r.time_signed)
       == NGX_HTTP_MTA_STS_UPDATE_OTHER_KEY,
       "response: BADKEY names another key", "");

    /* the update's response: opcode 5, the zone echoed */

    verify("nsupdate's UPDATE", v_update_query, v_update_response, K256);

    /* hostile */

    hex(&m, v_sha256_response);
    m.len -= 3;
    ok(parse(&r, &m, "_mta-sts.example.test", 16, 0) == NGX_ERROR
       && r.error, "response: TSIG cut short - malformed", "");
    m.len = 11;
    ok(parse(&r, &m, "_mta-sts.example.test", 16, 0) == NGX_ERROR,
       "response: shorter than a header", "");

    hex(&m, v_sha256_response);
    m.data[11] = 2;
    ok(parse(&r, &m, "_mta-sts.example.test", 16, 0) == NGX_ERROR,
       "response: a record counted that is not there", "");

    ok(strcmp(ngx_http_mta_sts_update_rcode_text(8), "NXRRSET") == 0
       && strcmp(ngx_http_mta_sts_update_rcode_text(7), "YXRRSET") == 0
       && strcmp(ngx_http_mta_sts_update_rcode_text(18), "BADTIME") == 0,
       "rcode names (RFC 2136, section 2.2; RFC 8945)", "");

    printf("1..%d\n", tests);

    return failed ? 1 : 0;
}


static void
hex(msg_t *m, const char *s)
{
    unsigned int  b;

    m->len = 0;

    while (s[0] && s[1] && sscanf(s, "%2x", &b) == 1) {
        m->data[m->len++] = (u_char) b;
        s += 2;
    }
}


static const char *
key(ngx_http_mta_sts_update_key_t *k, const char *text)
{
    return ngx_http_mta_sts_update_key((u_char *) text, strlen(text), k);
}


static size_t
tsig_at(msg_t *m, ngx_http_mta_sts_update_key_t *k, size_t *alg)
{
    size_t  md;

    md = (k->alg == NGX_HTTP_MTA_STS_UPDATE_SHA1) ? 20
         : (k->alg == NGX_HTTP_MTA_STS_UPDATE_SHA512) ? 64 : 32;

    *alg = strlen(ngx_http_mta_sts_update_alg_name(k->alg)) + 2;

    return m->len - (k->name_len + 10 + *alg + 10 + md + 6);
}


static void
resign(const char *label, const char *query, const char *text)
{
    u_char                          mac[64];
    char                            name[128];
    size_t                          off, alg, n, mac_len, i;
    uint64_t                        t;
    static msg_t                    m, s;
    ngx_http_mta_sts_update_key_t   k;

    hex(&m, query);
    (void) key(&k, text);

    off = tsig_at(&m, &k, &alg);

    t = 0;

    for (i = 0; i < 6; i++) {
        t = (t << 8) | m.data[off + k.name_len + 10 + alg + i];
    }

    s = m;
    s.data[11]--;

    n = ngx_http_mta_sts_update_sign(s.data, off, sizeof(s.data), &k, t,
                                     mac, &mac_len);

    snprintf(name, sizeof(name), "sign: %s, the bytes BIND signed (RFC "
             "8945, section 4.3.3)", label);
    ok(n == m.len && memcmp(s.data, m.data, n) == 0, name, "");
}


static void
verify(const char *label, const char *query, const char *response,
    const char *text)
{
    u_char                          *req_mac;
    char                             name[128];
    size_t                           off, alg, mac_len;
    ngx_uint_t                       opcode;
    static msg_t                     q, m;
    ngx_http_mta_sts_update_key_t    k, other;
    ngx_http_mta_sts_update_resp_t   r;

    hex(&q, query);
    hex(&m, response);
    (void) key(&k, text);

    off = tsig_at(&q, &k, &alg);
    req_mac = q.data + off + k.name_len + 10 + alg + 10;
    mac_len = q.len - 6 - (req_mac - q.data);
    opcode = (q.data[2] >> 3) & 0x0f;

    snprintf(name, sizeof(name), "verify: %s, named's response parsed",
             label);
    ok(parse(&r, &m, opcode ? "" : "_mta-sts.example.test", 16, opcode)
       == NGX_OK && r.tsig && r.rcode == 0, name, r.error);

    snprintf(name, sizeof(name), "verify: %s, named's MAC (RFC 8945, "
             "section 5.3.2)", label);
    ok(ngx_http_mta_sts_update_verify(&r, m.data, m.len, &k, req_mac,
                                      mac_len, r.time_signed + 300)
       == NGX_HTTP_MTA_STS_UPDATE_SIGNED, name, "");

    snprintf(name, sizeof(name), "verify: %s, 301 s later - outside the "
             "fudge (BADTIME, section 5.2.3)", label);
    ok(ngx_http_mta_sts_update_verify(&r, m.data, m.len, &k, req_mac,
                                      mac_len, r.time_signed - 301)
       == NGX_HTTP_MTA_STS_UPDATE_STALE, name, "");

    snprintf(name, sizeof(name), "verify: %s, another request's MAC - "
             "forged", label);
    req_mac[0] ^= 1;
    ok(ngx_http_mta_sts_update_verify(&r, m.data, m.len, &k, req_mac,
                                      mac_len, r.time_signed)
       == NGX_HTTP_MTA_STS_UPDATE_FORGED, name, "");
    req_mac[0] ^= 1;

    snprintf(name, sizeof(name), "verify: %s, a byte changed - forged",
             label);
    m.data[3] ^= 0x05;
    ok(ngx_http_mta_sts_update_verify(&r, m.data, m.len, &k, req_mac,
                                      mac_len, r.time_signed)
       == NGX_HTTP_MTA_STS_UPDATE_FORGED, name, "");
    m.data[3] ^= 0x05;

    snprintf(name, sizeof(name), "verify: %s, another secret - forged",
             label);
    k.secret[0] ^= 1;
    ok(ngx_http_mta_sts_update_verify(&r, m.data, m.len, &k, req_mac,
                                      mac_len, r.time_signed)
       == NGX_HTTP_MTA_STS_UPDATE_FORGED, name, "");

    (void) key(&other, "key \"other.example\" { algorithm hmac-sha256; "
                       "secret \"AAAA\"; };");
    snprintf(name, sizeof(name), "verify: %s, another key's name - not "
             "ours", label);
    ok(ngx_http_mta_sts_update_verify(&r, m.data, m.len, &other, req_mac,
                                      mac_len, r.time_signed)
       == NGX_HTTP_MTA_STS_UPDATE_OTHER_KEY, name, "");
}


static ngx_int_t
parse(ngx_http_mta_sts_update_resp_t *r, msg_t *m, const char *name,
    ngx_uint_t type, ngx_uint_t opcode)
{
    ngx_memzero(r, sizeof(ngx_http_mta_sts_update_resp_t));

    r->name.data = (u_char *) name;
    r->name.len = strlen(name);
    r->type = type;
    r->opcode = opcode;
    r->id = (uint16_t) ((m->data[0] << 8) | m->data[1]);

    return ngx_http_mta_sts_update_parse(r, m->data, m->len);
}
