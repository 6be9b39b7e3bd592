
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * Unit tests of src/ngx_http_mta_sts_tlsrpt.c, without a running nginx:
 * the report shapes real senders send (RFC 8460, section 4.4, and our
 * docs/tlsrpt.md), gzip in its real-world forms (RFC 8460, section 5.2),
 * I-JSON (RFC 8460, section 4; RFC 7493), the caps, and the file name of
 * RFC 8460, section 5.1.  Prints a TAP line a check and exits non-zero
 * on any failure.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_tlsrpt.h>

#include <stdio.h>
#include <zlib.h>

#include "tap.h"


typedef struct {
    u_char    *data;
    size_t     len;
    size_t     pos;
    size_t     step;       /* at most this many bytes a read, 0: any */
    ngx_int_t  fail;       /* the read fails */
    ngx_int_t  rewinds;    /* how many times it was read again */
    ngx_int_t  no_rewind;  /* reading again fails */
} reader_t;


static ssize_t reader(void *data, u_char *buf, size_t size);
static ngx_int_t rewinder(void *data);
static ngx_int_t run_sized(ngx_http_mta_sts_tlsrpt_t *rpt, reader_t *rd);
static size_t gz(u_char *dst, size_t cap, const char *src, size_t len);
static ngx_int_t run(ngx_http_mta_sts_tlsrpt_t *rpt, u_char *data,
    size_t len, size_t step);
static void expect(const char *title, u_char *data, size_t len,
    ngx_int_t rc, const char *name);


static ngx_http_mta_sts_tlsrpt_t  rpt;
static u_char                     buf[64 * 1024 * 1024];


static const char google[] =
    "{\"organization-name\":\"Google Inc.\","
    "\"date-range\":{\"start-datetime\":\"2024-02-17T00:00:00Z\","
    "\"end-datetime\":\"2024-02-19T23:59:59Z\"},"
    "\"contact-info\":\"smtp-tls-reporting@google.com\","
    "\"report-id\":\"2024-02-17T00:00:00Z_example.com\","
    "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
    "\"policy-string\":[\"version: STSv1\",\"mode: testing\","
    "\"mx: mail.example.com\",\"max_age: 86400\"],"
    "\"policy-domain\":\"example.com\",\"mx-host\":[\"mail.example.com\"]},"
    "\"summary\":{\"total-successful-session-count\":12,"
    "\"total-failure-session-count\":3},"
    "\"failure-details\":[{\"result-type\":\"certificate-expired\","
    "\"sending-mta-ip\":\"192.0.2.1\","
    "\"receiving-mx-hostname\":\"mail.example.com\","
    "\"failed-session-count\":3}]}]}";

static const char microsoft[] =
    "{\"organization-name\":\"Microsoft Corporation\","
    "\"date-range\":{\"start-datetime\":\"2024-03-26T00:00:00\","
    "\"end-datetime\":\"2024-03-26T23:59:59\"},"
    "\"contact-info\":\"tlsrpt-noreply@microsoft.com\","
    "\"report-id\":\"133944884956529435+example.com\","
    "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
    "\"policy-domain\":\"Example.COM\"},"
    "\"summary\":{\"total-successful-session-count\":0,"
    "\"total-failure-session-count\":5},"
    "\"failure-details\":[{\"result-type\":\"sts-policy-fetch-error\","
    "\"failed-session-count\":5}]}]}\r\n";

static const char nopolicy[] =
    "{\"organization-name\":\"sys4\","
    "\"date-range\":{\"start-datetime\":\"2025-01-01T00:00:00Z\","
    "\"end-datetime\":\"2025-01-01T23:59:59Z\"},"
    "\"contact-info\":\"mailto:tlsrpt@mail.example.org\","
    "\"report-id\":\"x1\","
    "\"policies\":[{\"policy\":{\"policy-type\":\"no-policy-found\"},"
    "\"summary\":{\"total-successful-session-count\":7}}]}";

#define REPORT(org, range, contact, id, domain)                              \
    "{\"organization-name\":" org ",\"date-range\":" range                  \
    ",\"contact-info\":" contact ",\"report-id\":" id                        \
    ",\"policies\":[{\"policy\":{\"policy-type\":\"sts\","                   \
    "\"policy-domain\":" domain "}}]}"

#define RANGE                                                                \
    "{\"start-datetime\":\"2024-01-01T00:00:00Z\","                          \
    "\"end-datetime\":\"2024-01-01T23:59:59Z\"}"


int
main(void)
{
    int64_t     t;
    size_t      n, m, i;
    u_char      d[300];
    ngx_int_t   rc;

    /* real-world shapes, plain and gzip'd, whole and a byte a read */

    expect("Google-style report, plain JSON",
           (u_char *) google, sizeof(google) - 1, NGX_HTTP_MTA_STS_TLSRPT_OK,
           "google.com!example.com!1708128000!1708387199!");
    ok(rpt.successful == 12 && rpt.failed == 3, "Google-style counts", NULL);
    ok(rpt.organization_len == 11
       && memcmp(rpt.organization, "Google Inc.", 11) == 0,
       "organization-name kept", NULL);
    ok(!rpt.gzip && strstr((char *) rpt.name, ".json") != NULL
       && strstr((char *) rpt.name, ".gz") == NULL,
       "plain JSON is named .json", (char *) rpt.name);

    n = gz(buf, sizeof(buf), google, sizeof(google) - 1);
    expect("Google-style report, gzip", buf, n, NGX_HTTP_MTA_STS_TLSRPT_OK,
           "google.com!example.com!1708128000!1708387199!");
    ok(rpt.gzip && strstr((char *) rpt.name, ".json.gz") != NULL,
       "gzip is named .json.gz", (char *) rpt.name);

    rc = run(&rpt, buf, n, 1);
    ok(rc == NGX_HTTP_MTA_STS_TLSRPT_OK, "gzip read a byte at a time",
       rpt.reason);

    expect("Microsoft-style report: zoneless dates are UTC, no mx-host",
           (u_char *) microsoft, sizeof(microsoft) - 1,
           NGX_HTTP_MTA_STS_TLSRPT_OK,
           "microsoft.com!example.com!1711411200!1711497599!");
    ok(rpt.failed == 5 && rpt.successful == 0, "Microsoft-style counts",
       NULL);

    expect("no-policy-found without policy-domain",
           (u_char *) nopolicy, sizeof(nopolicy) - 1,
           NGX_HTTP_MTA_STS_TLSRPT_OK,
           "mail.example.org!unknown!1735689600!1735775999!");
    ok(rpt.domains_len == 0, "no domain listed", NULL);

    /* the unique id: reporter and report-id, the same when resent */

    run(&rpt, (u_char *) google, sizeof(google) - 1, 0);
    memcpy(d, rpt.name, rpt.name_len + 1);
    n = gz(buf, sizeof(buf), google, sizeof(google) - 1);
    run(&rpt, buf, n, 0);
    ok(strncmp((char *) d, (char *) rpt.name,
               strlen((char *) d) - sizeof(".json") + 1) == 0,
       "a resent report gets the same unique id", (char *) rpt.name);

    n = strlen((char *) d);
    m = n - sizeof(".json") + 1;
    for (i = m - NGX_HTTP_MTA_STS_TLSRPT_UID_LEN; i < m; i++) {
        if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f'))) {
            break;
        }
    }
    ok(i == m && d[m - NGX_HTTP_MTA_STS_TLSRPT_UID_LEN - 1] == '!',
       "the unique id is 32 hex digits (section 5.1: 1*(ALPHA / DIGIT))",
       (char *) d);

    {
        static const char  other[] =
            REPORT("\"Google Inc.\"", RANGE,
                   "\"smtp-tls-reporting@google.com\"", "\"2\"",
                   "\"example.com\"");
        static const char  other2[] =
            REPORT("\"Google Inc.\"", RANGE,
                   "\"smtp-tls-reporting@google.com\"", "\"3\"",
                   "\"example.com\"");

        run(&rpt, (u_char *) other, sizeof(other) - 1, 0);
        memcpy(d, rpt.name, rpt.name_len + 1);
        run(&rpt, (u_char *) other2, sizeof(other2) - 1, 0);
        ok(strcmp((char *) d, (char *) rpt.name) != 0,
           "another report-id, another name", (char *) d);
    }

    /* gzip as real senders send it (RFC 8460, section 5.2) */

    n = gz(buf, sizeof(buf), google, sizeof(google) - 1);
    memcpy(buf + n, "\r\n", 2);
    expect("trailing CRLF after the gzip data", buf, n + 2,
           NGX_HTTP_MTA_STS_TLSRPT_OK, "google.com!example.com!");

    n = gz(buf, sizeof(buf), google, 100);
    n += gz(buf + n, sizeof(buf) - n, google + 100, sizeof(google) - 101);
    expect("two gzip members", buf, n, NGX_HTTP_MTA_STS_TLSRPT_OK,
           "google.com!example.com!");
    rc = run(&rpt, buf, n, 3);
    ok(rc == NGX_HTTP_MTA_STS_TLSRPT_OK, "two members, 3 bytes a read",
       rpt.reason);

    n = gz(buf, sizeof(buf), google, sizeof(google) - 1);
    expect("truncated gzip", buf, n - 5, NGX_HTTP_MTA_STS_TLSRPT_INVALID,
           NULL);
    expect("truncated gzip header", buf, 6, NGX_HTTP_MTA_STS_TLSRPT_INVALID,
           NULL);
    memcpy(buf + n, "xyz", 3);
    expect("garbage after the gzip data", buf, n + 3,
           NGX_HTTP_MTA_STS_TLSRPT_INVALID, NULL);
    buf[n / 2] ^= 0x55;
    expect("corrupt gzip data", buf, n, NGX_HTTP_MTA_STS_TLSRPT_INVALID,
           NULL);

    /* I-JSON (RFC 8460, section 4; RFC 7493) and the required fields */

    expect("empty body", (u_char *) "", 0, NGX_HTTP_MTA_STS_TLSRPT_INVALID,
           NULL);
    expect("a JSON array", (u_char *) "[1,2]", 5,
           NGX_HTTP_MTA_STS_TLSRPT_INVALID, NULL);
    expect("not JSON", (u_char *) "hello", 5,
           NGX_HTTP_MTA_STS_TLSRPT_INVALID, NULL);

#define BAD(title, text)                                                     \
    expect(title, (u_char *) text, sizeof(text) - 1,                         \
           NGX_HTTP_MTA_STS_TLSRPT_INVALID, NULL)

    BAD("duplicate keys (I-JSON)",
        "{\"organization-name\":\"a\",\"organization-name\":\"b\","
        "\"date-range\":" RANGE ",\"report-id\":\"1\",\"policies\":[]}");
    BAD("invalid UTF-8 (I-JSON)",
        REPORT("\"a\xff\"", RANGE, "\"a@b.example\"", "\"1\"",
               "\"d.example\""));
    BAD("overlong UTF-8 (I-JSON)",
        REPORT("\"a\xc0\xaf\"", RANGE, "\"a@b.example\"", "\"1\"",
               "\"d.example\""));
    BAD("a NUL in a string",
        REPORT("\"a\\u0000\"", RANGE, "\"a@b.example\"", "\"1\"",
               "\"d.example\""));
    BAD("a byte-order mark",
        "\xef\xbb\xbf" REPORT("\"a\"", RANGE, "\"a@b.example\"", "\"1\"",
                              "\"d.example\""));
    BAD("organization-name missing",
        "{\"date-range\":" RANGE ",\"report-id\":\"1\",\"policies\":[]}");
    BAD("organization-name a number",
        "{\"organization-name\":1,\"date-range\":" RANGE
        ",\"report-id\":\"1\",\"policies\":[]}");
    BAD("report-id missing",
        "{\"organization-name\":\"a\",\"date-range\":" RANGE
        ",\"policies\":[]}");
    BAD("date-range missing",
        "{\"organization-name\":\"a\",\"report-id\":\"1\",\"policies\":[]}");
    BAD("end-datetime missing",
        "{\"organization-name\":\"a\",\"report-id\":\"1\",\"policies\":[],"
        "\"date-range\":{\"start-datetime\":\"2024-01-01T00:00:00Z\"}}");
    BAD("start-datetime not a date",
        "{\"organization-name\":\"a\",\"report-id\":\"1\",\"policies\":[],"
        "\"date-range\":{\"start-datetime\":\"yesterday\","
        "\"end-datetime\":\"2024-01-01T00:00:00Z\"}}");
    BAD("policies missing",
        "{\"organization-name\":\"a\",\"date-range\":" RANGE
        ",\"report-id\":\"1\"}");
    BAD("policies an object",
        "{\"organization-name\":\"a\",\"date-range\":" RANGE
        ",\"report-id\":\"1\",\"policies\":{}}");

    expect("unknown result and policy types, extra fields are kept",
           (u_char *) "{\"organization-name\":\"a\",\"date-range\":" RANGE
           ",\"report-id\":\"1\",\"x-new\":[{}],\"policies\":[{\"policy\":"
           "{\"policy-type\":\"new\",\"policy-domain\":\"d.example\","
           "\"mx-host\":\"mx.d.example\"},\"failure-details\":[{"
           "\"result-type\":\"brand-new\"}]}]}", 0,
           NGX_HTTP_MTA_STS_TLSRPT_OK, "unknown!d.example!");

    /* nesting (our cap: NGX_HTTP_MTA_STS_TLSRPT_DEPTH) */

    for (i = 1; i <= 2; i++) {
        char  *p = (char *) buf;

        p += sprintf(p, "{\"organization-name\":\"a\",\"date-range\":" RANGE
                        ",\"report-id\":\"1\",\"policies\":[],\"x\":");
        for (n = 0; n < NGX_HTTP_MTA_STS_TLSRPT_DEPTH - 2 + i; n++) {
            *p++ = '[';
        }
        for (n = 0; n < NGX_HTTP_MTA_STS_TLSRPT_DEPTH - 2 + i; n++) {
            *p++ = ']';
        }
        p += sprintf(p, "}");

        expect(i == 1 ? "nested 16 deep" : "nested 17 deep", buf,
               p - (char *) buf,
               i == 1 ? NGX_HTTP_MTA_STS_TLSRPT_OK
                      : NGX_HTTP_MTA_STS_TLSRPT_INVALID, NULL);
    }

    expect("brackets inside strings do not nest",
           (u_char *) "{\"organization-name\":\"[[[[[[[[[[[[[[[[[[[[\\\"[[\","
           "\"date-range\":" RANGE ",\"report-id\":\"1\",\"policies\":[]}", 0,
           NGX_HTTP_MTA_STS_TLSRPT_OK, NULL);

    /* checked names (section 5.1): nothing unchecked reaches the name */

    expect("hostile policy-domain",
           (u_char *) REPORT("\"a\"", RANGE, "\"a@b.example\"", "\"1\"",
                             "\"../x\""), 0,
           NGX_HTTP_MTA_STS_TLSRPT_OK, "b.example!unknown!");
    expect("hostile contact-info",
           (u_char *) REPORT("\"a\"", RANGE, "\"a@/etc/passwd\"", "\"1\"",
                             "\"d.example\""), 0,
           NGX_HTTP_MTA_STS_TLSRPT_OK, "unknown!d.example!");
    expect("a policy-domain with a slash",
           (u_char *) REPORT("\"a\"", RANGE, "\"a@b.example\"", "\"1\"",
                             "\"d.example/..\""), 0,
           NGX_HTTP_MTA_STS_TLSRPT_OK, "b.example!unknown!");
    expect("a policy-domain with a trailing dot and capitals",
           (u_char *) REPORT("\"a\"", RANGE, "\"a@B.Example.\"", "\"1\"",
                             "\"D.Example.\""), 0,
           NGX_HTTP_MTA_STS_TLSRPT_OK, "b.example!d.example!");

    n = ngx_http_mta_sts_tlsrpt_domain(d, (u_char *) "-a.example", 10);
    ok(n == 0, "domain: leading hyphen refused", NULL);
    n = ngx_http_mta_sts_tlsrpt_domain(d, (u_char *) "a..example", 10);
    ok(n == 0, "domain: empty label refused", NULL);
    n = ngx_http_mta_sts_tlsrpt_domain(d, (u_char *) "b.example..", 11);
    ok(n == 0, "domain: two trailing dots refused (found by the fuzzer)",
       NULL);
    n = ngx_http_mta_sts_tlsrpt_domain(d, (u_char *) ".", 1);
    ok(n == 0, "domain: \".\" refused", NULL);
    n = ngx_http_mta_sts_tlsrpt_domain(d, (u_char *) "xn--mil-ula.example",
                                       19);
    ok(n == 19, "domain: an A-label", NULL);
    memset(buf, 'a', 64);
    n = ngx_http_mta_sts_tlsrpt_domain(d, buf, 64);
    ok(n == 0, "domain: a 64-character label refused", NULL);
    n = ngx_http_mta_sts_tlsrpt_domain(d, buf, 63);
    ok(n == 63, "domain: a 63-character label", NULL);

    /* datetimes (RFC 3339, as RFC 8460, section 4.4 uses them) */

#define DT(s, want)                                                          \
    rc = ngx_http_mta_sts_tlsrpt_datetime((u_char *) s, sizeof(s) - 1, &t);  \
    ok(rc == NGX_OK && t == want, "datetime " s, NULL)
#define DTBAD(s)                                                             \
    rc = ngx_http_mta_sts_tlsrpt_datetime((u_char *) s, sizeof(s) - 1, &t);  \
    ok(rc == NGX_ERROR, "datetime refused: " s, NULL)

    DT("1970-01-01T00:00:00Z", 0);
    DT("2016-08-01T00:00:00Z", 1470009600);
    DT("2016-08-02T23:59:59Z", 1470182399);
    DT("2024-02-29T12:00:00Z", 1709208000);
    DT("2024-03-26T00:00:00", 1711411200);
    DT("2024-03-26t00:00:00z", 1711411200);
    DT("2024-03-26 00:00:00.123456Z", 1711411200);
    DT("2024-03-26T02:00:00+02:00", 1711411200);
    DT("2024-03-25T22:30:00-01:30", 1711411200);
    DT("2016-12-31T23:59:60Z", 1483228799);
    DTBAD("2023-02-29T00:00:00Z");
    DTBAD("2024-13-01T00:00:00Z");
    DTBAD("2024-01-01T24:00:00Z");
    DTBAD("2024-01-01");
    DTBAD("2024-01-01T00:00:00+0200");
    DTBAD("2024-01-01T00:00:00Zjunk");
    DTBAD("2024-01-01T00:00:00.Z");
    DTBAD("1969-12-31T23:59:59Z");

    /* caps: a gzip bomb stops at max_json; no tree, so no cap on one */

    memset(buf + 32 * 1024 * 1024, ' ', 20 * 1024 * 1024);
    n = gz(buf, 32 * 1024 * 1024, (char *) buf + 32 * 1024 * 1024,
           20 * 1024 * 1024);
    rpt.max_json = 10 * 1024 * 1024;
    rc = run(&rpt, buf, n, 0);
    ok(rc == NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE
       && rpt.json_size <= rpt.max_json + 16384,
       "a 20 MiB gzip bomb stops at 10 MiB", rpt.reason);
    fprintf(stderr, "# the bomb: %zu bytes of gzip, %zu inflated\n",
            n, rpt.json_size);

    {
        char  *p = (char *) buf;

        p += sprintf(p, "{\"organization-name\":\"a\",\"date-range\":" RANGE
                        ",\"report-id\":\"1\",\"policies\":[],\"x\":[0");
        while (p - (char *) buf < 1000000) {
            p = stpcpy(p, ",0");
        }
        p = stpcpy(p, "]}");

        rpt.max_json = 1024 * 1024;
        rc = run(&rpt, buf, p - (char *) buf, 0);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_OK && rpt.tree_peak <= 65536,
           "500,000 numbers under the size cap: parsed in the parser's "
           "first 64 KiB, no tree", rpt.reason);

        rpt.max_json = 999999;
        rc = run(&rpt, buf, p - (char *) buf, 0);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE
           && rpt.json_size <= 999999 + 16384,
           "plain JSON over max_json", rpt.reason);
    }

    {
        char  *p = (char *) buf;

        p += sprintf(p, "{\"organization-name\":\"a\",\"date-range\":" RANGE
                        ",\"report-id\":\"1\",\"policies\":[{\"policy\":"
                        "{\"policy-domain\":\"d.example\"},"
                        "\"failure-details\":[");
        for (i = 0; i < 60000; i++) {
            p += sprintf(p, "%s{\"result-type\":\"certificate-expired\","
                         "\"sending-mta-ip\":\"192.0.2.%d\","
                         "\"receiving-mx-hostname\":\"mail.d.example\","
                         "\"receiving-ip\":\"198.51.100.1\","
                         "\"failed-session-count\":%d}",
                         i ? "," : "", (int) (i % 256), (int) i);
        }
        p = stpcpy(p, "]}]}");

        rpt.max_json = 10 * 1024 * 1024;
        rc = run(&rpt, buf, p - (char *) buf, 0);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_OK,
           "a real 9.7 MiB report of 60,000 failure-details", rpt.reason);
        ok(rpt.tree_peak <= 65536,
           "its parser's memory: the names of the open objects only",
           NULL);
        fprintf(stderr, "# %zu bytes of JSON, the parser's memory %zu bytes\n",
                rpt.json_size, rpt.tree_peak);
    }

    rpt.max_json = sizeof(google) - 1;
    rc = run(&rpt, (u_char *) google, sizeof(google) - 1, 0);
    ok(rc == NGX_HTTP_MTA_STS_TLSRPT_OK, "exactly max_json", rpt.reason);
    rpt.max_json = sizeof(google) - 2;
    rc = run(&rpt, (u_char *) google, sizeof(google) - 1, 0);
    ok(rc == NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE, "one byte over max_json",
       rpt.reason);

    /*
     * With the body's size and a way to read it again, as nginx gives
     * them: over max_json is refused before a byte is parsed
     * (json_size 0), gzip by inflating it once first, and only when it
     * could inflate past max_json (more than max_json / 1032 bytes)
     */

    {
        reader_t  r = { buf, 0, 0, 0, 0, 0, 0 };
        u_char    name[NGX_HTTP_MTA_STS_TLSRPT_NAME_MAX];

        r.len = gz(buf, 1024 * 1024, google, sizeof(google) - 1);

        rpt.max_json = 10 * 1024 * 1024;
        rc = run_sized(&rpt, &r);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_OK && r.rewinds == 0,
           "sized: a small gzip report is not inflated twice", rpt.reason);
        memcpy(name, rpt.name, sizeof(name));

        rpt.max_json = sizeof(google) - 1;
        r.pos = 0;
        rc = run_sized(&rpt, &r);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_OK && r.rewinds == 1
           && strcmp((char *) rpt.name, (char *) name) == 0,
           "sized: exactly max_json inflated - measured, read again, the "
           "same report", rpt.reason);

        rpt.max_json = sizeof(google) - 2;
        r.pos = 0;
        r.rewinds = 0;
        rc = run_sized(&rpt, &r);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE && rpt.json_size == 0
           && rpt.tree_peak == 0 && r.rewinds == 0
           && strcmp(rpt.reason, "the report inflates to more than the "
                     "JSON size limit") == 0,
           "sized: one byte over max_json inflated - refused unparsed",
           rpt.reason);

        rpt.max_json = sizeof(google) - 1;
        r.pos = 0;
        r.no_rewind = 1;
        rc = run_sized(&rpt, &r);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_ERROR,
           "sized: reading again fails - an error (RFC 8460, 5.5)",
           rpt.reason);

        r.len -= 10;
        r.pos = 0;
        r.no_rewind = 0;
        rc = run_sized(&rpt, &r);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_INVALID
           && strcmp(rpt.reason, "truncated gzip data") == 0,
           "sized: truncated gzip - invalid, as without measuring",
           rpt.reason);

        r.data = (u_char *) google;
        r.len = sizeof(google) - 1;
        r.pos = 0;
        r.rewinds = 0;
        rpt.max_json = sizeof(google) - 2;
        rc = run_sized(&rpt, &r);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE && rpt.json_size == 0
           && r.rewinds == 0,
           "sized: plain JSON one byte over max_json - refused unparsed",
           rpt.reason);

        memset(buf + 32 * 1024 * 1024, ' ', 20 * 1024 * 1024);
        r.data = buf;
        r.len = gz(buf, 32 * 1024 * 1024, (char *) buf + 32 * 1024 * 1024,
                   20 * 1024 * 1024);
        r.pos = 0;
        rpt.max_json = 10 * 1024 * 1024;
        rc = run_sized(&rpt, &r);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_TOO_LARGE && rpt.json_size == 0
           && rpt.tree_peak == 0,
           "sized: a 20 MiB gzip bomb - refused unparsed", rpt.reason);
    }

    /* a failing read is an error, not a bad report (RFC 8460, 5.5) */

    {
        reader_t  r = { (u_char *) google, sizeof(google) - 1, 0, 0, 1, 0, 0 };

        rpt.max_json = 10 * 1024 * 1024;
        rpt.read = reader;
        rpt.data = &r;
        rc = ngx_http_mta_sts_tlsrpt_parse(&rpt);
        ok(rc == NGX_HTTP_MTA_STS_TLSRPT_ERROR, "a read error", rpt.reason);
    }

    ngx_http_mta_sts_tlsrpt_cleanup();

    printf("1..%d\n", tests);
    printf("unit tlsrpt: %d passed, %d failed\n", tests - failed, failed);

    return failed ? 1 : 0;
}


static ssize_t
reader(void *data, u_char *p, size_t size)
{
    reader_t  *r = data;

    if (r->fail) {
        return -1;
    }

    if (r->step && size > r->step) {
        size = r->step;
    }

    if (size > r->len - r->pos) {
        size = r->len - r->pos;
    }

    memcpy(p, r->data + r->pos, size);
    r->pos += size;

    return size;
}


static size_t
gz(u_char *dst, size_t cap, const char *src, size_t len)
{
    z_stream  zs;

    memset(&zs, 0, sizeof(zs));

    if (deflateInit2(&zs, 9, Z_DEFLATED, MAX_WBITS + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
    {
        abort();
    }

    zs.next_in = (u_char *) src;
    zs.avail_in = len;
    zs.next_out = dst;
    zs.avail_out = cap;

    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
        abort();
    }

    deflateEnd(&zs);

    return zs.total_out;
}


static ngx_int_t
run(ngx_http_mta_sts_tlsrpt_t *r, u_char *data, size_t len, size_t step)
{
    reader_t  rd = { data, len, 0, step, 0, 0, 0 };

    r->read = reader;
    r->data = &rd;
    r->body_size = 0;
    r->rewind = NULL;

    return ngx_http_mta_sts_tlsrpt_parse(r);
}


/* the body's size known and read again as needed, as nginx does */

static ngx_int_t
run_sized(ngx_http_mta_sts_tlsrpt_t *r, reader_t *rd)
{
    ngx_int_t  rc;

    r->read = reader;
    r->data = rd;
    r->body_size = rd->len;
    r->rewind = rewinder;

    rc = ngx_http_mta_sts_tlsrpt_parse(r);

    r->body_size = 0;
    r->rewind = NULL;

    return rc;
}


static ngx_int_t
rewinder(void *data)
{
    reader_t  *r = data;

    if (r->no_rewind) {
        return NGX_ERROR;
    }

    r->pos = 0;
    r->rewinds++;

    return NGX_OK;
}


static void
expect(const char *title, u_char *data, size_t len, ngx_int_t rc,
    const char *name)
{
    ngx_int_t  got;
    char       detail[1024];

    if (len == 0) {
        len = strlen((char *) data);
    }

    rpt.max_json = 10 * 1024 * 1024;
    got = run(&rpt, data, len, 0);

    snprintf(detail, sizeof(detail), "rc %d, want %d, reason \"%s\", "
             "name \"%s\"", (int) got, (int) rc,
             rpt.reason ? rpt.reason : "", (char *) rpt.name);

    ok(got == rc
       && (name == NULL
           || strncmp((char *) rpt.name, name, strlen(name)) == 0),
       title, detail);
}
