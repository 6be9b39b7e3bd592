
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * Unit tests of src/ngx_http_mta_sts_json.c, without nginx: every rule
 * the parser enforces, RFC 8259 (JSON) and RFC 7493 (I-JSON, which RFC
 * 8460, section 4 asks of TLS reports): the grammar, strict UTF-8
 * (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF), the
 * escapes with their surrogate pairs, no NUL, numbers as jansson takes
 * them, no duplicate names in an object, no garbage after the value, and
 * the nesting cap.  Each input is parsed whole and again a byte at a
 * time: the verdict and what the handler saw must be the same.  Prints a
 * TAP line a check and exits non-zero on any failure.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_json.h>

#include <stdio.h>

#include "tap.h"


/* the roles of the recording handler */
#define ROLE_ANY   1
#define ROLE_KEEP  2       /* a string kept in the arena */


typedef struct {
    char      log[8192];
    size_t    len;
    uint32_t  kept;
    size_t    kept_len;
} record_t;


static ngx_uint_t rec_name(void *data, ngx_uint_t role, u_char *name,
    size_t len);
static ngx_uint_t rec_element(void *data, ngx_uint_t role);
static void rec_open(void *data, ngx_uint_t role, u_char type);
static void rec_close(void *data, ngx_uint_t role, u_char type);
static ngx_int_t rec_string(void *data, ngx_uint_t role, u_char *s,
    size_t len);
static void rec_integer(void *data, ngx_uint_t role, ngx_uint_t negative,
    uint64_t mag);
static void rec_add(record_t *rec, const char *fmt, u_char *s, size_t len);
static ngx_int_t parse(record_t *rec, const char *in, size_t len,
    size_t step);
static void expect(const char *title, const char *in, size_t len,
    ngx_int_t rc, const char *reason, const char *log);


static ngx_http_mta_sts_json_handler_t  handler = {
    rec_name,
    rec_element,
    rec_open,
    rec_close,
    rec_string,
    rec_integer
};

static ngx_http_mta_sts_json_t  js;
static record_t                 whole, bytes;
static char                     big[1 << 20];


#define T(s)  s, sizeof(s) - 1


int
main(void)
{
    size_t  i, n, m;
    char   *p;

    /* RFC 8259, section 2: the grammar; jansson takes no scalar on top */

    expect("empty input", T(""), NGX_DECLINED, "not JSON", "");
    expect("white space only", T(" \t\r\n"), NGX_DECLINED, "not JSON", "");
    expect("an empty object", T("{}"), NGX_OK, NULL, "{1 }1 ");
    expect("an empty array", T("[]"), NGX_OK, NULL, "[1 ]1 ");
    expect("white space around and inside (section 2)",
           T(" \t\r\n{ \"a\" : [ 1 , 2 ] }\r\n"), NGX_OK, NULL,
           "{1 n:a [1 i:1 i:2 ]1 }1 ");
    expect("a number on top", T("1"), NGX_DECLINED, "not JSON", "");
    expect("a string on top", T("\"a\""), NGX_DECLINED, "not JSON", "");
    expect("a literal on top", T("true"), NGX_DECLINED, "not JSON", "");
    expect("trailing garbage", T("{}x"), NGX_DECLINED, "not JSON",
           "{1 }1 ");
    expect("two values", T("{}{}"), NGX_DECLINED, "not JSON", "{1 }1 ");
    expect("a NUL after the value", "{} \0", 4, NGX_DECLINED, "not JSON",
           "{1 }1 ");
    expect("an unclosed object", T("{\"a\":1"), NGX_DECLINED, "not JSON",
           "{1 n:a ");
    expect("an unclosed array", T("[1,"), NGX_DECLINED, "not JSON",
           "[1 i:1 ");
    expect("an unclosed string", T("[\"ab"), NGX_DECLINED, "not JSON",
           "[1 ");
    expect("a trailing comma in an array", T("[1,]"), NGX_DECLINED,
           "not JSON", "[1 i:1 ");
    expect("a trailing comma in an object", T("{\"a\":1,}"), NGX_DECLINED,
           "not JSON", "{1 n:a i:1 ");
    expect("a leading comma", T("[,1]"), NGX_DECLINED, "not JSON", "[1 ");
    expect("a name without a value", T("{\"a\"}"), NGX_DECLINED,
           "not JSON", "{1 n:a ");
    expect("a name without a colon", T("{\"a\" 1}"), NGX_DECLINED,
           "not JSON", "{1 n:a ");
    expect("an unquoted name", T("{a:1}"), NGX_DECLINED, "not JSON",
           "{1 ");
    expect("a number as a name", T("{1:1}"), NGX_DECLINED, "not JSON",
           "{1 ");
    expect("a mismatched close", T("[1}"), NGX_DECLINED, "not JSON",
           "[1 i:1 ");
    expect("a single-quoted string", T("['a']"), NGX_DECLINED, "not JSON",
           "[1 ");
    expect("white space that JSON has not (form feed)", T("[\f1]"),
           NGX_DECLINED, "not JSON", "[1 ");

    /* section 3: literals */

    expect("true, false, null", T("[true,false,null]"), NGX_OK, NULL,
           "[1 ]1 ");
    expect("a literal cut short", T("[tru]"), NGX_DECLINED, "not JSON",
           "[1 ");
    expect("a literal in capitals", T("[True]"), NGX_DECLINED, "not JSON",
           "[1 ");
    expect("a literal with more letters", T("[nulll]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("a literal at the end of the input", T("[null"), NGX_DECLINED,
           "not JSON", "[1 ");

    /* section 6: numbers; 64-bit integers and doubles as jansson */

    expect("integers", T("[0,-0,7,-7,1203]"), NGX_OK, NULL,
           "[1 i:0 i:-0 i:7 i:-7 i:1203 ]1 ");
    expect("the largest int64", T("[9223372036854775807]"), NGX_OK, NULL,
           "[1 i:9223372036854775807 ]1 ");
    expect("the smallest int64", T("[-9223372036854775808]"), NGX_OK, NULL,
           "[1 i:-9223372036854775808 ]1 ");
    expect("an integer over int64", T("[9223372036854775808]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("an integer under int64", T("[-9223372036854775809]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("an integer over 64 bits", T("[18446744073709551616]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("reals are no integers", T("[1.5,-0.0,1e3,1E+3,2e-3,0.5e1]"),
           NGX_OK, NULL, "[1 ]1 ");
    expect("the largest double", T("[1.7976931348623157e308]"), NGX_OK,
           NULL, "[1 ]1 ");
    expect("a real over a double", T("[1.8e308]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("a real far over a double", T("[1e400]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("a real that underflows is fine", T("[1e-400,0.0e999999999]"),
           NGX_OK, NULL, "[1 ]1 ");
    expect("a leading zero", T("[01]"), NGX_DECLINED, "not JSON",
           "[1 i:0 ");
    expect("a leading plus", T("[+1]"), NGX_DECLINED, "not JSON", "[1 ");
    expect("a minus alone", T("[-]"), NGX_DECLINED, "not JSON", "[1 ");
    expect("a dot without digits after", T("[1.]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("a dot without digits before", T("[.5]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("an exponent without digits", T("[1e]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("an exponent sign without digits", T("[1e+]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("hexadecimal", T("[0x1]"), NGX_DECLINED, "not JSON",
           "[1 i:0 ");
    expect("a number at the end of an array", T("[1]"), NGX_OK, NULL,
           "[1 i:1 ]1 ");
    expect("a number at the end of the input", T("[1"), NGX_DECLINED,
           "not JSON", "[1 ");

    /* section 7: strings and escapes */

    expect("the two-character escapes",
           T("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]"), NGX_OK, NULL,
           "[1 s:\"\\/\b\f\n\r\t ]1 ");
    expect("an unknown escape", T("[\"\\x\"]"), NGX_DECLINED, "not JSON",
           "[1 ");
    expect("an escaped single quote", T("[\"\\'\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("\\u escapes to UTF-8, upper and lower case hex",
           T("[\"\\u0041\\u00e9\\u00E9\\u20ac\\uFFFF\"]"), NGX_OK, NULL,
           "[1 s:A\xc3\xa9\xc3\xa9\xe2\x82\xac\xef\xbf\xbf ]1 ");
    expect("a surrogate pair", T("[\"\\ud83d\\ude00\"]"), NGX_OK, NULL,
           "[1 s:\xf0\x9f\x98\x80 ]1 ");
    expect("the last surrogate pair", T("[\"\\udbff\\udfff\"]"), NGX_OK,
           NULL, "[1 s:\xf4\x8f\xbf\xbf ]1 ");
    expect("a lone high surrogate", T("[\"\\ud83d\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("a high surrogate and a letter", T("[\"\\ud83dx\"]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("a high surrogate and no low one", T("[\"\\ud83d\\u0041\"]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("two high surrogates", T("[\"\\ud83d\\ud83d\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("a high surrogate and another escape", T("[\"\\ud83d\\n\"]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("a lone low surrogate", T("[\"\\ude00\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("an escaped NUL (jansson)", T("[\"\\u0000\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("a short \\u escape", T("[\"\\u12\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("a \\u escape with no hex digit", T("[\"\\u00g0\"]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("a raw control character", T("[\"a\x01\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("a raw tab", T("[\"a\tb\"]"), NGX_DECLINED, "not JSON", "[1 ");
    expect("a raw NUL", "[\"a\0\"]", 6, NGX_DECLINED, "not JSON", "[1 ");
    expect("a raw DEL is fine", T("[\"a\x7f\"]"), NGX_OK, NULL,
           "[1 s:a\x7f ]1 ");
    expect("the empty string", T("[\"\"]"), NGX_OK, NULL, "[1 s: ]1 ");

    /* RFC 3629 (I-JSON, RFC 7493, section 2.1): strict UTF-8 */

    expect("UTF-8 of 2, 3 and 4 bytes",
           T("[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]"), NGX_OK, NULL,
           "[1 s:\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 ]1 ");
    expect("the first and last of each length",
           T("[\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf"
             "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"]"), NGX_OK, NULL,
           "[1 s:\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf"
           "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf ]1 ");
    expect("an overlong NUL (c0 80)", T("[\"\xc0\x80\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("an overlong of 2 bytes (c1 bf)", T("[\"\xc1\xbf\"]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("an overlong of 3 bytes (e0 9f bf)", T("[\"\xe0\x9f\xbf\"]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("an overlong of 4 bytes (f0 8f bf bf)",
           T("[\"\xf0\x8f\xbf\xbf\"]"), NGX_DECLINED, "not JSON", "[1 ");
    expect("an encoded high surrogate (ed a0 80)", T("[\"\xed\xa0\x80\"]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("an encoded low surrogate (ed bf bf)", T("[\"\xed\xbf\xbf\"]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("the last before the surrogates (ed 9f bf)",
           T("[\"\xed\x9f\xbf\"]"), NGX_OK, NULL, "[1 s:\xed\x9f\xbf ]1 ");
    expect("past U+10FFFF (f4 90 80 80)", T("[\"\xf4\x90\x80\x80\"]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("no lead byte (f5)", T("[\"\xf5\x80\x80\x80\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("no lead byte (ff)", T("[\"\xff\"]"), NGX_DECLINED, "not JSON",
           "[1 ");
    expect("a lone continuation byte", T("[\"\x80\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("a sequence cut by the quote", T("[\"\xe2\x82\"]"),
           NGX_DECLINED, "not JSON", "[1 ");
    expect("a sequence cut by ASCII", T("[\"\xc3\x41\"]"), NGX_DECLINED,
           "not JSON", "[1 ");
    expect("bad UTF-8 in a name", T("{\"\xc0\x80\":1}"), NGX_DECLINED,
           "not JSON", "{1 ");
    expect("bad UTF-8 outside a string", T("[\xc3\xa9]"), NGX_DECLINED,
           "not JSON", "[1 ");

    /* RFC 7493, section 2.3: no duplicate names in an object */

    expect("a duplicate name", T("{\"a\":1,\"a\":2}"), NGX_DECLINED,
           "not JSON", "{1 n:a i:1 ");
    expect("a duplicate name spelt with an escape",
           T("{\"a\":1,\"\\u0061\":2}"), NGX_DECLINED, "not JSON",
           "{1 n:a i:1 ");
    expect("a duplicate empty name", T("{\"\":1,\"\":2}"), NGX_DECLINED,
           "not JSON", "{1 n: i:1 ");
    expect("names that differ in case are distinct",
           T("{\"a\":1,\"A\":2}"), NGX_OK, NULL, "{1 n:a i:1 n:A i:2 }1 ");
    expect("a prefix is a distinct name", T("{\"ab\":1,\"a\":2}"), NGX_OK,
           NULL, "{1 n:ab i:1 n:a i:2 }1 ");
    expect("the same name in sibling objects",
           T("{\"x\":{\"a\":1},\"y\":{\"a\":2}}"), NGX_OK, NULL,
           "{1 n:x {1 n:a i:1 }1 n:y {1 n:a i:2 }1 }1 ");
    expect("the same name in an object and its parent",
           T("{\"a\":{\"a\":1}}"), NGX_OK, NULL,
           "{1 n:a {1 n:a i:1 }1 }1 ");
    expect("a closed object's names leave it",
           T("{\"x\":{\"a\":1},\"a\":2}"), NGX_OK, NULL,
           "{1 n:x {1 n:a i:1 }1 n:a i:2 }1 ");
    expect("a duplicate after a nested object",
           T("{\"a\":1,\"x\":{\"a\":1},\"a\":2}"), NGX_DECLINED,
           "not JSON", "{1 n:a i:1 n:x {1 n:a i:1 }1 ");
    expect("a duplicate inside an ignored object",
           T("{\"skip\":{\"a\":1,\"a\":2}}"), NGX_DECLINED, "not JSON",
           "{1 n:skip ");
    expect("objects in an array have their own names",
           T("[{\"a\":1},{\"a\":2}]"), NGX_OK, NULL,
           "[1 {1 n:a i:1 }1 {1 n:a i:2 }1 ]1 ");

    /* the names cap: 64 in one object, each object its own count */

    for (n = NGX_HTTP_MTA_STS_JSON_NAMES; n <= NGX_HTTP_MTA_STS_JSON_NAMES + 1;
         n++)
    {
        p = big;
        p += sprintf(p, "{\"x\":{");
        for (i = 0; i < n; i++) {
            p += sprintf(p, "%s\"k%zu\":0", i ? "," : "", i);
        }
        p += sprintf(p, "}}");

        if (n == NGX_HTTP_MTA_STS_JSON_NAMES) {
            ok(parse(&whole, big, p - big, 0) == NGX_OK,
               "as many names in one object as the cap", NULL);

        } else {
            ok(parse(&whole, big, p - big, 0) == NGX_DECLINED
               && js.reason != NULL
               && strcmp(js.reason, "too many names in one JSON object")
                  == 0,
               "one name over the cap: \"too many names in one JSON "
               "object\"", js.reason);
        }
    }

    p = big;
    p += sprintf(p, "{");
    for (i = 0; i < NGX_HTTP_MTA_STS_JSON_NAMES - 1; i++) {
        p += sprintf(p, "\"k%zu\":0,", i);
    }
    p += sprintf(p, "\"k0\":0}");
    ok(parse(&whole, big, p - big, 0) == NGX_DECLINED
       && strcmp(js.reason, "not JSON") == 0,
       "a duplicate as the last name the cap allows", js.reason);

    p = big;
    p += sprintf(p, "{");
    for (i = 0; i < NGX_HTTP_MTA_STS_JSON_NAMES - 1; i++) {
        p += sprintf(p, "\"k%zu\":{", i);
        for (n = 0; n < NGX_HTTP_MTA_STS_JSON_NAMES; n++) {
            p += sprintf(p, "%s\"k%zu\":0", n ? "," : "", n);
        }
        p += sprintf(p, "},");
    }
    p += sprintf(p, "\"last\":[{\"a\":1},{\"a\":1}]}");
    ok(parse(&whole, big, p - big, 0) == NGX_OK,
       "63 objects of 64 names in an object of 64: each counts its own",
       js.reason);

    /* 15 open objects of 64 names: the name table grows, and rehashes */

    p = big;
    for (i = 0; i < 15; i++) {
        p += sprintf(p, "{");
        for (n = 0; n < NGX_HTTP_MTA_STS_JSON_NAMES - 1; n++) {
            p += sprintf(p, "\"k%zu\":0,", n);
        }
        p += sprintf(p, "\"next\":");
    }
    m = p - big;
    p += sprintf(p, "{\"k0\":0,\"k0\":0}");
    ok(parse(&whole, big, p - big, 0) == NGX_DECLINED
       && strcmp(js.reason, "not JSON") == 0,
       "960 names open: a duplicate in the innermost is found", js.reason);
    p = big + m;
    p += sprintf(p, "{\"k0\":0,\"k1\":0}");
    for (i = 0; i < 15; i++) {
        *p++ = '}';
    }
    ok(parse(&whole, big, p - big, 0) == NGX_OK,
       "960 names open: names of outer objects are no duplicates",
       js.reason);

    /* the nesting cap */

    for (n = NGX_HTTP_MTA_STS_JSON_DEPTH; n <= NGX_HTTP_MTA_STS_JSON_DEPTH + 1;
         n++)
    {
        p = big;
        for (i = 0; i < n; i++) {
            *p++ = (i % 2) ? '[' : '{';
            if (i % 2 == 0 && i + 1 < n) {
                p += sprintf(p, "\"a\":");
            }
        }
        for (i = n; i > 0; i--) {
            *p++ = ((i - 1) % 2) ? ']' : '}';
        }

        if (n == NGX_HTTP_MTA_STS_JSON_DEPTH) {
            ok(parse(&whole, big, p - big, 0) == NGX_OK,
               "nested as deep as the cap", NULL);

        } else {
            ok(parse(&whole, big, p - big, 0) == NGX_DECLINED
               && js.reason != NULL
               && strcmp(js.reason, "JSON nested too deep") == 0,
               "nested one deeper than the cap: \"JSON nested too deep\"",
               NULL);
        }
    }

    /* roles: nothing under role 0 reaches the handler */

    expect("an ignored value calls nothing",
           T("{\"skip\":{\"a\":\"x\",\"b\":[1,{\"c\":2}]},\"d\":\"y\"}"),
           NGX_OK, NULL, "{1 n:skip n:d s:y }1 ");
    expect("an ignored string and number", T("{\"skip\":\"x\",\"skip2\":1}"),
           NGX_OK, NULL, "{1 n:skip n:skip2 }1 ");

    /* kept strings stay in the arena, the others are dropped */

    ok(parse(&whole, T("{\"keep\":\"kept text\",\"x\":{\"y\":\"dropped\"},"
                       "\"z\":\"also dropped\"}"), 0) == NGX_OK
       && whole.kept_len == 9
       && memcmp(js.arena + whole.kept, "kept text", 9) == 0
       && js.arena_len < 9 + 32,
       "a kept string of the top object stays, the others go", NULL);

    /* the buffers: trimmed when large, freed */

    p = big;
    p += sprintf(p, "[\"");
    memset(p, 'a', 200000);
    p += 200000;
    p += sprintf(p, "\"]");
    ok(parse(&whole, big, p - big, 0) == NGX_OK && js.peak >= 200000,
       "a string of 200,000 bytes, its bytes in peak", NULL);
    ngx_http_mta_sts_json_trim(&js, 0);
    ok(js.arena == NULL, "trim frees a large arena", NULL);
    ok(parse(&whole, T("[\"a\"]"), 0) == NGX_OK && js.arena != NULL,
       "the parser works again after a trim", NULL);
    ngx_http_mta_sts_json_trim(&js, 0);
    ok(js.arena != NULL, "trim keeps a small arena", NULL);
    ngx_http_mta_sts_json_trim(&js, 1);
    ok(js.arena == NULL && js.entries == NULL && js.buckets == NULL,
       "trim of all frees every buffer", NULL);
    ok(parse(&whole, T("{\"\":\"\"}"), 0) == NGX_OK
       && strcmp(whole.log, "{1 n: s: }1 ") == 0,
       "an empty name first of all, with no arena yet", whole.log);

    printf("1..%d\n", tests);
    printf("unit json: %d passed, %d failed\n", tests - failed, failed);

    return failed ? 1 : 0;
}


static ngx_uint_t
rec_name(void *data, ngx_uint_t role, u_char *name, size_t len)
{
    record_t  *rec = data;

    rec_add(rec, "n:", name, len);

    if (len >= 4 && memcmp(name, "skip", 4) == 0) {
        return 0;
    }

    if (len == 4 && memcmp(name, "keep", 4) == 0) {
        return ROLE_KEEP;
    }

    return ROLE_ANY;
}


static ngx_uint_t
rec_element(void *data, ngx_uint_t role)
{
    return ROLE_ANY;
}


static void
rec_open(void *data, ngx_uint_t role, u_char type)
{
    char  s[8];

    sprintf(s, "%c%u", type, (unsigned) role);
    rec_add(data, s, NULL, 0);
}


static void
rec_close(void *data, ngx_uint_t role, u_char type)
{
    char  s[8];

    sprintf(s, "%c%u", type == '{' ? '}' : ']', (unsigned) role);
    rec_add(data, s, NULL, 0);
}


static ngx_int_t
rec_string(void *data, ngx_uint_t role, u_char *s, size_t len)
{
    record_t  *rec = data;

    if (role == ROLE_KEEP) {
        rec->kept = s - js.arena;
        rec->kept_len = len;
        return NGX_DONE;
    }

    rec_add(rec, "s:", s, len);

    return NGX_OK;
}


static void
rec_integer(void *data, ngx_uint_t role, ngx_uint_t negative, uint64_t mag)
{
    char  s[32];

    sprintf(s, "i:%s%llu", negative ? "-" : "", (unsigned long long) mag);
    rec_add(data, s, NULL, 0);
}


/* an event, and a space after it */

static void
rec_add(record_t *rec, const char *head, u_char *s, size_t len)
{
    size_t  n;

    n = strlen(head);

    if (rec->len + n + len + 2 > sizeof(rec->log)) {
        return;
    }

    memcpy(rec->log + rec->len, head, n);
    rec->len += n;

    if (len) {
        memcpy(rec->log + rec->len, s, len);
        rec->len += len;
    }

    rec->log[rec->len++] = ' ';
    rec->log[rec->len] = '\0';
}


/* the input in reads of step bytes (0: whole) */

static ngx_int_t
parse(record_t *rec, const char *in, size_t len, size_t step)
{
    size_t     n, off;
    ngx_int_t  rc;

    rec->len = 0;
    rec->log[0] = '\0';
    rec->kept_len = 0;

    if (ngx_http_mta_sts_json_reset(&js, &handler, rec, ROLE_ANY) != NGX_OK) {
        return NGX_ERROR;
    }

    for (off = 0; off < len; off += n) {
        n = (step && len - off > step) ? step : len - off;

        rc = ngx_http_mta_sts_json_feed(&js, (u_char *) in + off, n);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    return ngx_http_mta_sts_json_end(&js);
}


static void
expect(const char *title, const char *in, size_t len, ngx_int_t rc,
    const char *reason, const char *log)
{
    char        detail[sizeof(whole.log) * 2 + 256];
    ngx_int_t   rc1, rc2;
    const char *r1;

    rc1 = parse(&whole, in, len, 0);
    r1 = js.reason;
    rc2 = parse(&bytes, in, len, 1);

    snprintf(detail, sizeof(detail),
             "rc %d (a byte a read: %d), want %d; reason \"%.64s\"; "
             "log \"%.512s\", want \"%.512s\"", (int) rc1, (int) rc2,
             (int) rc, r1 ? r1 : "", whole.log, log);

    ok(rc1 == rc && rc2 == rc
       && (reason == NULL
           ? r1 == NULL
           : (r1 != NULL && strcmp(r1, reason) == 0
              && js.reason != NULL && strcmp(js.reason, reason) == 0))
       && strcmp(whole.log, log) == 0 && strcmp(bytes.log, log) == 0,
       title, detail);
}
