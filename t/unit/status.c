
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * Unit tests of src/ngx_http_mta_sts_status.c: slots found by domain
 * name, a report's policies counted into them (RFC 8460, sections 4.3
 * and 4.4), and the three renderings: measured and written alike, never
 * past the buffer, with report text escaped for each format; the domains
 * seen through a policy's variables (RFC 8461, section 3.3: the policy of
 * <domain> fetched from mta-sts.<domain>): slots up to a bound, first come
 * first kept, the worker's table of them, a reload.  Prints a
 * TAP line a check and exits non-zero on any failure.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_status.h>

#include <stdio.h>
#include <stdlib.h>

#include "tap.h"


#define NSLOTS  3


static void policy(ngx_http_mta_sts_tlsrpt_policy_t *p, const char *domain,
    uint64_t ok, uint64_t failed);
static char *render(ngx_http_mta_sts_status_t *st, ngx_uint_t format);
static void variables(void);


int
main(void)
{
    char                               *out, detail[256], big[300];
    size_t                              size, len, cut;
    ngx_uint_t                          f, i;
    ngx_http_mta_sts_status_t           st;
    ngx_http_mta_sts_status_shm_t      *shm;
    ngx_http_mta_sts_status_slot_t     *a, *b;
    ngx_http_mta_sts_status_domain_t    d[2], *order[2];
    ngx_http_mta_sts_tlsrpt_detail_t   *dt;
    static ngx_http_mta_sts_tlsrpt_t    rpt;

    size = offsetof(ngx_http_mta_sts_status_shm_t, slots)
           + NSLOTS * sizeof(ngx_http_mta_sts_status_slot_t);
    shm = calloc(1, size);
    if (shm == NULL) {
        return 1;
    }

    shm->nslots = NSLOTS;

    /* slots by name: found again, new ones while free, then none */

    a = ngx_http_mta_sts_status_slot(shm, (u_char *) "example.com", 11, 1);
    b = ngx_http_mta_sts_status_slot(shm, (u_char *) "example.org", 11, 1);
    ok(a && b && a != b, "two domains, two slots", "");
    ok(ngx_http_mta_sts_status_slot(shm, (u_char *) "example.com", 11, 0)
       == a, "a domain finds its slot again", "");
    ok(ngx_http_mta_sts_status_slot(shm, (u_char *) "example.net", 11, 0)
       == NULL, "without create, an unknown domain has none", "");
    ok(ngx_http_mta_sts_status_slot(shm, (u_char *) "c.example", 9, 1)
       != NULL, "the third slot", "");
    ok(ngx_http_mta_sts_status_slot(shm, (u_char *) "d.example", 9, 1)
       == NULL, "the zone full: no slot", "");

    /* a report: two policies of one domain, one of another, one unknown */

    memcpy(rpt.organization, "</td><script>\"\\\n\xff", 17);
    rpt.organization_len = 17;
    rpt.npolicies = 4;

    policy(&rpt.policies[0], "example.com", 10, 5);
    rpt.policies[0].types[2] = 3;                 /* certificate-expired */
    rpt.policies[0].types[NGX_HTTP_MTA_STS_TLSRPT_NTYPES - 1] = 4;
    rpt.policies[0].ndetails = 1;
    dt = &rpt.policies[0].details[0];
    dt->type = 2;
    dt->count = 3;
    memcpy(dt->mx, "<b>mx</b>", 9);
    dt->mx_len = 9;

    policy(&rpt.policies[1], "example.com", 1, 1);
    policy(&rpt.policies[2], "unknown.example", 2, 0);
    policy(&rpt.policies[3], "", 0, 7);

    ngx_http_mta_sts_status_record(shm, &rpt, 1700000000);

    ok(a->reports == 1, "one report, counted once for two policies", "");
    ok(a->successful == 11 && a->failed == 6,
       "sessions from each policy's summary (RFC 8460, section 4.4)", "");
    ok(a->types[2] == 3 && a->types[NGX_HTTP_MTA_STS_TLSRPT_NTYPES - 1] == 4,
       "failed sessions by type apart (section 4.3)", "");
    ok(a->last_report == 1700000000 && a->last_failed == 6,
       "the last report's time and failures", "");
    ok(a->nfailures == 1 && a->failures[0].org_len == 17
       && memcmp(a->failures[0].detail.mx, "<b>mx</b>", 9) == 0,
       "a failure detail copied", "");
    ok(shm->other.reports == 2 && shm->other.successful == 2
       && shm->other.failed == 7,
       "an unknown domain and none: other", "");
    ok(b->reports == 0, "another domain untouched", "");

    /* the renderings */

    memset(d, 0, sizeof(d));
    d[0].domain.data = (u_char *) "example.com";
    d[0].domain.len = 11;
    ngx_str_set(&d[0].mode, "enforce");
    ngx_str_set(&d[0].id, "0123456789abcdef0123456789abcdef");
    ngx_str_set(&d[0].listener, "ok");
    d[0].slot = a;
    d[0].days = 14;
    d[0].not_after = 1700000000 + 100 * 86400;

    d[1] = d[0];
    d[1].domain.data = (u_char *) "a\"b\\c.example";
    d[1].domain.len = 13;
    ngx_str_set(&d[1].listener, "no_443");
    d[1].slot = NULL;

    order[0] = &d[0];
    order[1] = &d[1];

    st.domains = order;
    st.ndomains = 2;
    st.uncounted = 1;
    st.shm = shm;
    st.generation = 1;
    st.now = 1700000000;

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_PROMETHEUS);
    ok(out && strstr(out, "mta_sts_tlsrpt_sessions_total{domain=\"example"
                          ".com\",result=\"failed\"} 6\n") != NULL,
       "Prometheus: failed sessions", out);
    ok(out && strstr(out, "domain=\"a\\\"b\\\\c.example\"") != NULL,
       "Prometheus: a label value escaped", "");
    ok(out && strstr(out, "script") == NULL && strstr(out, "<b>") == NULL,
       "Prometheus: no report text", "");
    ok(out && strstr(out, "mta_sts_tlsrpt_failed_sessions_total{domain="
                          "\"example.com\",result_type=\"other\"} 4\n"),
       "Prometheus: other", "");
    ok(out && strstr(out, "mta_sts_status_uncounted_domains 1\n"),
       "Prometheus: the domains not counted", "");
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_JSON);
    ok(out && strstr(out, "\"organization\":\"</td><script>\\\"\\\\"
                          "\\u000a\\ufffd\"") != NULL,
       "JSON: the organization escaped, bad UTF-8 replaced", out);
    ok(out && strstr(out, "\"certificate_days_left\":100") != NULL,
       "JSON: days left", "");
    ok(out && strstr(out, "\"dns\":null") != NULL,
       "JSON: room for the DNS check", "");
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_HTML);
    ok(out && strstr(out, "<script") == NULL && strstr(out, "<b>") == NULL
       && strstr(out, "&lt;/td&gt;&lt;script&gt;&quot;") != NULL,
       "HTML: report text as text", out);
    ok(out && strstr(out, "a&quot;b\\c.example") != NULL
       && strstr(out, "a&quot;b\\c.example") < strstr(out, ">example.com<"),
       "HTML: the failing domain first", "");
    free(out);

    /* the DNS check's results: shown for the serving configuration only */

    d[0].dns = 1;
    memset(big, 'x', sizeof(big));
    strcpy(detail, "found \"</td><script>\n\xff\"");

    ngx_http_mta_sts_status_dns_set(&a->dns, 1, NGX_HTTP_MTA_STS_STATUS_DNS_TXT,
                                    4, 1700000000 - 120,
                                    (u_char *) detail, strlen(detail));
    a->dns.txt_stale = 1;
    ngx_http_mta_sts_status_dns_set(&a->dns, 1, NGX_HTTP_MTA_STS_STATUS_DNS_MX,
                                    1, 1700000000, (u_char *) "ok", 2);
    ngx_http_mta_sts_status_dns_set(&a->dns, 1,
                                    NGX_HTTP_MTA_STS_STATUS_DNS_TLSRPT, 3,
                                    1700000000, (u_char *) big, sizeof(big));
    ok(a->dns.checks[3].finding_len == NGX_HTTP_MTA_STS_STATUS_FINDING_MAX
       && memcmp(a->dns.checks[3].finding
                 + NGX_HTTP_MTA_STS_STATUS_FINDING_MAX - 3, "...", 3) == 0,
       "DNS: a long finding cut to its slot, marked", "");
    ngx_http_mta_sts_status_dns_set(&a->dns, 1, 9, 1, 1700000000,
                                    (u_char *) "x", 1);
    ngx_http_mta_sts_status_dns_set(&a->dns, 1, 0, 5, 1700000000,
                                    (u_char *) "x", 1);
    ok(a->dns.checks[0].state == 4, "DNS: a check or state out of range "
       "changes nothing", "");

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_PROMETHEUS);
    ok(out && strstr(out, "mta_sts_dns_check_state{domain=\"example.com\","
                          "check=\"txt\"} 4\n") != NULL
       && strstr(out, "mta_sts_dns_check_state{domain=\"example.com\","
                      "check=\"policy_host\"} 0\n") != NULL
       && strstr(out, "mta_sts_dns_check_state{domain=\"a\\\"b\\\\c."
                      "example\",check=\"mx\"} 0\n") != NULL,
       "Prometheus: each check's state, 0 when not run", out);
    ok(out && strstr(out, "mta_sts_dns_txt_id_stale{domain=\"example.com\"}"
                          " 1\n") != NULL
       && strstr(out, "mta_sts_dns_check_timestamp_seconds{domain=\"example"
                      ".com\",check=\"txt\"} 1699999880\n") != NULL
       && strstr(out, "mta_sts_dns_mx_uncovered_hosts{domain=\"example.com\"}"
                      " 0\n") != NULL,
       "Prometheus: stale id, time, MX hosts not covered", "");
    ok(out && strstr(out, "script") == NULL,
       "Prometheus: no finding text", "");
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_JSON);
    ok(out && strstr(out, "\"dns\":{\"txt\":{\"state\":\"warn\","
                          "\"checked\":1699999880,\"finding\":\"found "
                          "\\\"</td><script>\\u000a\\ufffd\\\"\","
                          "\"id_stale\":true,\"recheck\":null},") != NULL,
       "JSON: the TXT check, its finding escaped", out);
    ok(out && strstr(out, "\"policy_host\":{\"state\":\"not_run\","
                          "\"checked\":null,\"finding\":null}") != NULL
       && strstr(out, "\"uncovered_hosts\":0}") != NULL,
       "JSON: a check not run, MX hosts not covered", "");
    ok(out && strstr(out, "\"domain\":\"example.com\"") != NULL
       && strstr(out, "\"failing\":true,\"dns\":{") != NULL,
       "JSON: a DNS warn is failing", "");
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_HTML);
    ok(out && strstr(out, "<script") == NULL
       && strstr(out, "<strong>warn</strong>, 0 min ago<br>txt warn: found "
                      "&quot;&lt;/td&gt;&lt;script&gt;\xef\xbf\xbd\xef\xbf"
                      "\xbd&quot;<br>tlsrpt notice: xxx") != NULL,
       "HTML: the verdict and the findings as text", out);
    ok(out && strstr(out, "DNS does not match the policy") != NULL,
       "HTML: a DNS warn is a problem", "");
    free(out);

    st.generation = 2;
    out = render(&st, NGX_HTTP_MTA_STS_STATUS_JSON);
    ok(out && strstr(out, "\"txt\":{\"state\":\"not_run\"") != NULL,
       "JSON: the results of the configuration before a reload are not "
       "shown", "");
    free(out);
    out = render(&st, NGX_HTTP_MTA_STS_STATUS_HTML);
    ok(out && strstr(out, "DNS does not match") == NULL
       && strstr(out, "not run yet") != NULL,
       "HTML: nor are they a problem", "");
    free(out);

    ngx_http_mta_sts_status_dns_set(&a->dns, 2, NGX_HTTP_MTA_STS_STATUS_DNS_MX,
                                    1, 1700000000, (u_char *) "ok", 2);
    ok(a->dns.generation == 2 && a->dns.checks[0].state == 0
       && a->dns.txt_stale == 0 && a->dns.checks[1].state == 1,
       "DNS: a newer configuration's first result drops the older ones", "");

    /* the DNS UPDATE: off, waiting, then what the first worker wrote */

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_PROMETHEUS);
    ok(out && strstr(out, "mta_sts_dns_update_state{domain=\"example.com\","
                          "state=\"off\"} 1\n") != NULL
       && strstr(out, "mta_sts_dns_update_state{domain=\"example.com\","
                      "state=\"failed\"} 0\n") != NULL
       && strstr(out, "mta_sts_dns_update_timestamp_seconds{domain="
                      "\"example.com\"} 0\n") != NULL,
       "Prometheus: without mta_sts_dns_update, off; every state a series "
       "from the start", out);
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_JSON);
    ok(out && strstr(out, "\"dns_update\":{\"state\":\"off\",\"time\":null,"
                          "\"next_try\":null,\"detail\":null}") != NULL,
       "JSON: without mta_sts_dns_update, off", out);
    free(out);

    d[0].update = 1;
    d[1].update = 1;

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_JSON);
    ok(out && strstr(out, "\"dns_update\":{\"state\":\"waiting\",\"time\":"
                          "null,") != NULL
       && strstr(out, "\"state\":\"off\"") == NULL,
       "JSON: on, nothing written yet (or no slot): waiting", out);
    free(out);

    strcpy(detail, "NOTAUTH, TSIG BADSIG: key \"</td>\n\xff\"");
    ngx_http_mta_sts_status_update_set(&a->update, 2,
                                       NGX_HTTP_MTA_STS_STATUS_UPDATE_FAILED,
                                       1700000000 - 60, 0, (u_char *) detail,
                                       strlen(detail));

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_JSON);
    ok(out && strstr(out, "\"dns_update\":{\"state\":\"failed\",\"time\":"
                          "1699999940,\"next_try\":null,\"detail\":"
                          "\"NOTAUTH, TSIG BADSIG: key \\\"</td>\\u000a"
                          "\\ufffd\\\"\"}") != NULL,
       "JSON: failed, when, why escaped", out);
    ok(out && strstr(out, "\"domain\":\"example.com\"") != NULL
       && strstr(out, "\"failing\":true") != NULL,
       "JSON: a failed update is failing", "");
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_PROMETHEUS);
    ok(out && strstr(out, "mta_sts_dns_update_state{domain=\"example.com\","
                          "state=\"failed\"} 1\n") != NULL
       && strstr(out, "mta_sts_dns_update_state{domain=\"example.com\","
                      "state=\"waiting\"} 0\n") != NULL
       && strstr(out, "mta_sts_dns_update_state{domain=\"a\\\"b\\\\c."
                      "example\",state=\"waiting\"} 1\n") != NULL
       && strstr(out, "mta_sts_dns_update_timestamp_seconds{domain="
                      "\"example.com\"} 1699999940\n") != NULL
       && strstr(out, "BADSIG") == NULL,
       "Prometheus: the state, its time, no text", out);
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_HTML);
    ok(out && strstr(out, "<br>update: <strong>failed</strong>: NOTAUTH, "
                          "TSIG BADSIG: key &quot;&lt;/td&gt;") != NULL
       && strstr(out, "DNS update failed") != NULL
       && strstr(out, "<br>update: waiting for the DNS check") != NULL,
       "HTML: failed and why, as text, a problem; waiting", out);
    free(out);

    ngx_http_mta_sts_status_update_set(&a->update, 2,
                                       NGX_HTTP_MTA_STS_STATUS_UPDATE_PENDING,
                                       1700000000, 1700000060,
                                       (u_char *) "no answer in time", 17);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_JSON);
    ok(out && strstr(out, "\"dns_update\":{\"state\":\"pending\",\"time\":"
                          "1700000000,\"next_try\":1700000060,\"detail\":"
                          "\"no answer in time\"}") != NULL,
       "JSON: pending, the next try, why", out);
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_HTML);
    ok(out && strstr(out, "update: pending, next try in 60 s: no answer "
                          "in time") != NULL
       && strstr(out, "DNS update failed") == NULL,
       "HTML: pending, in how long, why; not a problem", out);
    free(out);

    ngx_http_mta_sts_status_update_set(&a->update, 2,
                                       NGX_HTTP_MTA_STS_STATUS_UPDATE_PENDING,
                                       1700000000, 0, NULL, 0);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_HTML);
    ok(out && strstr(out, "update: pending, in flight: no answer in time")
              != NULL,
       "HTML: the retry in flight still says why", out);
    free(out);

    ngx_http_mta_sts_status_update_set(&a->update, 2,
                                       NGX_HTTP_MTA_STS_STATUS_UPDATE_PUBLISHED,
                                       1700000000 - 180, 0,
                                       (u_char *) "published at x", 14);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_HTML);
    ok(out && strstr(out, "update: published, 3 min ago</td>") != NULL,
       "HTML: published, when", out);
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_PROMETHEUS);
    ok(out && strstr(out, "mta_sts_dns_update_state{domain=\"example.com\","
                          "state=\"published\"} 1\n") != NULL
       && strstr(out, "mta_sts_dns_update_state{domain=\"example.com\","
                      "state=\"failed\"} 0\n") != NULL,
       "Prometheus: published", out);
    free(out);

    ngx_http_mta_sts_status_update_set(&a->update, 2,
                                       NGX_HTTP_MTA_STS_STATUS_UPDATE_STATES,
                                       1700000000, 0, (u_char *) "x", 1);
    ok(a->update.state == NGX_HTTP_MTA_STS_STATUS_UPDATE_PUBLISHED,
       "update: a state out of range changes nothing", "");

    ngx_http_mta_sts_status_update_set(&a->update, 2,
                                       NGX_HTTP_MTA_STS_STATUS_UPDATE_FAILED,
                                       1700000000, 0, (u_char *) big,
                                       sizeof(big));
    ok(a->update.why_len == NGX_HTTP_MTA_STS_STATUS_FINDING_MAX
       && memcmp(a->update.why + NGX_HTTP_MTA_STS_STATUS_FINDING_MAX - 3,
                 "...", 3) == 0,
       "update: a long why cut to its slot, marked", "");

    st.generation = 3;
    out = render(&st, NGX_HTTP_MTA_STS_STATUS_JSON);
    ok(out && strstr(out, "\"state\":\"failed\"") == NULL
       && strstr(out, "\"dns_update\":{\"state\":\"waiting\"") != NULL,
       "JSON: the update state of the configuration before a reload is "
       "not shown", out);
    free(out);

    ngx_http_mta_sts_status_update_set(&a->update, 3,
                                       NGX_HTTP_MTA_STS_STATUS_UPDATE_PENDING,
                                       1700000000, 0, NULL, 0);
    ok(a->update.generation == 3 && a->update.why_len == 0,
       "update: a newer configuration's first state drops the older why",
       "");

    ngx_http_mta_sts_status_update_set(&a->update, 3,
                                       NGX_HTTP_MTA_STS_STATUS_UPDATE_FAILED,
                                       1700000000, 0, (u_char *) detail,
                                       strlen(detail));

        /* measured and written alike, nothing past a short buffer */

    for (f = 0; f < 3; f++) {
        size = ngx_http_mta_sts_status_render(&st, f, NULL, NULL);
        out = malloc(size + 1);

        for (cut = 0; cut < size; cut += 97) {
            out[cut] = '#';
            len = ngx_http_mta_sts_status_render(&st, f, (u_char *) out,
                                                 (u_char *) out + cut);
            if (len != size || out[cut] != '#') {
                break;
            }
        }

        snprintf(detail, sizeof(detail), "format %lu, cut at %lu",
                 (unsigned long) f, (unsigned long) cut);
        ok(cut >= size, "a short buffer: the length, nothing past it",
           detail);

        len = ngx_http_mta_sts_status_render(&st, f, (u_char *) out,
                                             (u_char *) out + size);
        ok(len == size, "measured as written", detail);

        free(out);
    }

    /* a ring of the last failures */

    rpt.npolicies = 1;
    rpt.policies[0].ndetails = 1;

    for (i = 0; i < 6; i++) {
        rpt.policies[0].details[0].count = i;
        ngx_http_mta_sts_status_record(shm, &rpt, 1700000000 + i);
    }

    ok(a->nfailures == 7
       && a->failures[6 % NGX_HTTP_MTA_STS_STATUS_FAILURES].detail.count == 5,
       "the newest failure replaces the oldest", "");

    free(shm);

    variables();

    printf("1..%d\n", tests);
    printf("unit status: %d passed, %d failed\n", tests - failed, failed);

    return failed ? 1 : 0;
}


static void
policy(ngx_http_mta_sts_tlsrpt_policy_t *p, const char *domain,
    uint64_t ok, uint64_t failed)
{
    memset(p, 0, sizeof(ngx_http_mta_sts_tlsrpt_policy_t));
    p->domain_len = strlen(domain);
    memcpy(p->domain, domain, p->domain_len);
    p->successful = ok;
    p->failed = failed;
}


static char *
render(ngx_http_mta_sts_status_t *st, ngx_uint_t format)
{
    char    *out;
    size_t   size;

    size = ngx_http_mta_sts_status_render(st, format, NULL, NULL);

    out = malloc(size + 1);
    if (out == NULL) {
        return NULL;
    }

    ngx_http_mta_sts_status_render(st, format, (u_char *) out,
                                   (u_char *) out + size);
    out[size] = '\0';

    return out;
}


#define VSLOTS  5

static void
variables(void)
{
    char                              *out;
    size_t                             size;
    uint32_t                           ha, hb;
    ngx_uint_t                         i;
    ngx_http_mta_sts_status_t          st;
    ngx_http_mta_sts_status_shm_t     *shm;
    ngx_http_mta_sts_status_slot_t    *st_slot, *a, *b, *c;
    ngx_http_mta_sts_status_host_t    *h, *ah;
    ngx_http_mta_sts_status_hosts_t    t;
    ngx_http_mta_sts_status_domain_t   d[2], *order[2];
    static char                        big[300], big2[300];

    memset(&t, 0, sizeof(t));
    t.seed = 0x1234567890abcdefULL;

    ha = ngx_http_mta_sts_status_hash(t.seed, (u_char *) "a.example", 9);
    hb = ngx_http_mta_sts_status_hash(t.seed, (u_char *) "b.example", 9);
    ok(ha == ngx_http_mta_sts_status_hash(t.seed, (u_char *) "a.example", 9)
       && ha != hb
       && ha != ngx_http_mta_sts_status_hash(1, (u_char *) "a.example", 9)
       && ngx_http_mta_sts_status_hash(t.seed,
                                       (u_char *) "mail.example.com", 16)
          != ngx_http_mta_sts_status_hash(t.seed,
                                          (u_char *) "mail.example.con", 16)
       && ngx_http_mta_sts_status_hash(t.seed,
                                       (u_char *) "mail.example.com", 16)
          != ngx_http_mta_sts_status_hash(t.seed,
                                          (u_char *) "mbil.example.com", 16),
       "hash: the same name and seed, the same hash; another, another", "");

    ok(ngx_http_mta_sts_status_hosts_size(0) == 16
       && ngx_http_mta_sts_status_hosts_size(8) == 16
       && ngx_http_mta_sts_status_hosts_size(9) == 32
       && ngx_http_mta_sts_status_hosts_size(1000) == 2048,
       "table: a power of two, at least twice the bound", "");

    size = offsetof(ngx_http_mta_sts_status_shm_t, slots)
           + VSLOTS * sizeof(ngx_http_mta_sts_status_slot_t);
    shm = calloc(1, size);
    if (shm == NULL) {
        ok(0, "memory", "");
        return;
    }

    shm->nslots = VSLOTS;

    st_slot = ngx_http_mta_sts_status_slot(shm, (u_char *) "static.example",
                                           14, 1);
    st_slot->kind = NGX_HTTP_MTA_STS_STATUS_STATIC;

    /* a bound of 2: the first two come, the third is "other" */

    a = ngx_http_mta_sts_status_claim(shm, (u_char *) "a.example", 9, 2);
    ok(a && a != st_slot && a->kind == NGX_HTTP_MTA_STS_STATUS_VARIABLE
       && shm->nvariable == 1, "claim: a new domain, a new slot", "");
    ok(ngx_http_mta_sts_status_claim(shm, (u_char *) "a.example", 9, 2) == a
       && shm->nvariable == 1, "claim: the same domain, its slot", "");
    ok(ngx_http_mta_sts_status_claim(shm, (u_char *) "static.example", 14, 2)
       == st_slot && st_slot->kind == NGX_HTTP_MTA_STS_STATUS_STATIC
       && shm->nvariable == 1,
       "claim: a static policy's domain, its slot, not counted in the bound",
       "");
    b = ngx_http_mta_sts_status_claim(shm, (u_char *) "b.example", 9, 2);
    ok(b && b != a && shm->nvariable == 2 && !shm->full,
       "claim: the second domain", "");
    ok(ngx_http_mta_sts_status_claim(shm, (u_char *) "c.example", 9, 2)
       == NULL && shm->full, "claim: the third, over the bound: none", "");
    ok(ngx_http_mta_sts_status_claim(shm, (u_char *) "a.example", 9, 2) == a,
       "claim: over the bound, the first still has its slot", "");
    ok(ngx_http_mta_sts_status_claim(shm, (u_char *) "", 0, 2) == NULL,
       "claim: an empty name: none", "");

    /* the worker's table */

    t.mask = ngx_http_mta_sts_status_hosts_size(2) - 1;
    t.hosts = calloc(t.mask + 1, sizeof(ngx_http_mta_sts_status_host_t));

    ok(ngx_http_mta_sts_status_host_find(&t, ha, (u_char *) "a.example", 9)
       == NULL, "table: empty, nothing found", "");
    ok(ngx_http_mta_sts_status_host_add(&t, ha, a) == NGX_OK
       && ngx_http_mta_sts_status_host_add(&t, hb, b) == NGX_OK
       && ngx_http_mta_sts_status_host_add(&t,
              ngx_http_mta_sts_status_hash(t.seed,
                                           (u_char *) "static.example", 14),
              st_slot) == NGX_OK
       && t.n == 3, "table: three added", "");
    h = ngx_http_mta_sts_status_host_find(&t, ha, (u_char *) "a.example", 9);
    ok(h && h->slot == a, "table: a domain found by its name", "");
    ok(ngx_http_mta_sts_status_host_find(&t, ha, (u_char *) "a.exampl_", 9)
       == NULL
       && ngx_http_mta_sts_status_host_find(&t, ha, (u_char *) "a.exbmple", 9)
          == NULL
       && ngx_http_mta_sts_status_host_find(&t, ha, (u_char *) "a.example", 8)
          == NULL, "table: the same hash, another name: not found", "");
    h = ngx_http_mta_sts_status_host_find(&t,
            ngx_http_mta_sts_status_hash(t.seed,
                                         (u_char *) "static.example", 14),
            (u_char *) "static.example", 14);
    ok(h && h->slot == st_slot, "table: a name longer than a word", "");
    ok(ngx_http_mta_sts_status_host_find(&t,
           ngx_http_mta_sts_status_hash(t.seed, (u_char *) "c.example", 9),
           (u_char *) "c.example", 9) == NULL,
       "table: an unknown domain: not found", "");

    /* an answer's hint: its row, for its domain and its serial only */

    ah = ngx_http_mta_sts_status_host_find(&t, ha, (u_char *) "a.example", 9);
    ah->serial = 7;
    ok(ngx_http_mta_sts_status_host_hint(ah, 7, (u_char *) "a.example", 9)
       == ah
       && ngx_http_mta_sts_status_host_hint(
              &ngx_http_mta_sts_status_nohint, 7,
                                            (u_char *) "a.example", 9)
          == NULL
       && ngx_http_mta_sts_status_host_hint(ah, 8,
                                            (u_char *) "a.example", 9)
          == NULL
       && ngx_http_mta_sts_status_host_hint(ah, 7,
                                            (u_char *) "b.example", 9)
          == NULL
       && ngx_http_mta_sts_status_host_hint(ah, 7,
                                            (u_char *) "a.exampl", 8)
          == NULL,
       "hint: an answer's row, for its domain and serial, else none", "");

    /* names of 1 to 40 bytes, a byte changed anywhere: not equal */

    memset(big, 'a', 40);
    memset(big2, 'a', 40);

    for (i = 1; i <= 40 * 40; i++) {
        size = (i - 1) / 40 + 1;
        big2[(i - 1) % 40] = 'b';

        if (ngx_http_mta_sts_status_equal((u_char *) big, (u_char *) big2,
                                          size)
            != ((i - 1) % 40 >= size))
        {
            break;
        }

        big2[(i - 1) % 40] = 'a';
    }

    ok(i > 40 * 40, "equal: every byte of names of 1 to 40 bytes", "");

    for (i = 0; i < 16; i++) {
        if (ngx_http_mta_sts_status_host_add(&t, (uint32_t) i, a) != NGX_OK) {
            break;
        }
    }

    ok(t.n == (t.mask + 1) / 2, "table: never more than half full", "");

    ngx_http_mta_sts_status_hosts_fill(&t, shm);
    h = ngx_http_mta_sts_status_host_find(&t, hb, (u_char *) "b.example", 9);
    ok(t.complete && t.n == 2 && h && h->slot == b,
       "table: filled with the zone's domains from variables", "");
    ok(ngx_http_mta_sts_status_host_hint(ah, 7, (u_char *) "a.example", 9)
       == NULL, "hint: a table filled anew holds no answer's row", "");

    /* a reload gives a's slot to another domain: a's entry finds nothing */

    ah = ngx_http_mta_sts_status_host_find(&t, ha, (u_char *) "a.example", 9);
    ah->serial = 7;
    memcpy(a->domain, "x.example", 9);
    ok(ngx_http_mta_sts_status_host_find(&t, ha, (u_char *) "a.example", 9)
       == NULL, "table: a slot given to another domain is not found", "");
    ok(ngx_http_mta_sts_status_host_hint(ah, 7, (u_char *) "a.example", 9)
       == NULL, "hint: a slot given to another domain is no answer's row",
       "");
    memcpy(a->domain, "a.example", 9);

    free(t.hosts);

    /* the rows: mode and id served last, no listener, DNS or certificate */

    a->fetches = 2;
    a->mode = 3;
    memcpy(a->id, "0123456789abcdef0123456789abcdef", 32);
    a->id_len = 32;
    shm->dropped = 7;

    memset(d, 0, sizeof(d));
    d[0].domain.data = a->domain;
    d[0].domain.len = a->domain_len;
    d[0].mode = ngx_http_mta_sts_status_modes[a->mode];
    d[0].id.data = a->id;
    d[0].id.len = a->id_len;
    d[0].slot = a;
    d[0].variable = 1;
    order[0] = &d[0];

    memset(&st, 0, sizeof(st));
    st.domains = order;
    st.ndomains = 1;
    st.variables = 1;
    st.bound = 2;
    st.shm = shm;
    st.now = 1700000000;

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_PROMETHEUS);
    ok(out && strstr(out, "mta_sts_policy_info{domain=\"a.example\","
                          "mode=\"enforce\",id=\"0123456789abcdef0123456789"
                          "abcdef\"} 1\n") != NULL
       && strstr(out, "mta_sts_policy_fetches_total{domain=\"a.example\"} 2\n")
          != NULL
       && strstr(out, "mta_sts_listener_ok{domain=\"a.example\"") == NULL
       && strstr(out, "mta_sts_dns_check_state{domain=\"a.example\"") == NULL
       && strstr(out, "mta_sts_dns_update_state{domain=\"a.example\"") == NULL
       && strstr(out, "mta_sts_status_variable_domains 2\n") != NULL
       && strstr(out, "mta_sts_status_variable_domains_max 2\n") != NULL
       && strstr(out, "mta_sts_status_dropped_fetches_total 7\n") != NULL,
       "Prometheus: a domain from variables, the bound and the drops", out);
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_JSON);
    ok(out && strstr(out, "\"variable_domains\":2,\"variable_domains_max\":2,"
                          "\"dropped_fetches\":7,") != NULL
       && strstr(out, "\"mode\":\"enforce\"") != NULL
       && strstr(out, "\"variable\":true,\"listener\":null,"
                      "\"certificate_not_after\":null") != NULL
       && strstr(out, "\"dns\":null,\"dns_update\":null,\"counted\":true,"
                      "\"fetches\":2") != NULL,
       "JSON: a domain from variables", out);
    free(out);

    out = render(&st, NGX_HTTP_MTA_STS_STATUS_HTML);
    ok(out && strstr(out, "a.example</a> (from variables)</td><td></td>"
                          "<td>enforce</td>") != NULL
       && strstr(out, "<td>-</td><td>-</td><td>-</td><td>2</td>") != NULL
       && strstr(out, "7 policy requests of domains from variables were not "
                      "counted per domain") != NULL,
       "HTML: a domain from variables, the drops said", out);
    free(out);

    /* a reload with a bound of 1: the first kept, the second gone */

    b->fetches = 5;
    ngx_http_mta_sts_status_reload(shm, 1, 1);
    ok(shm->nvariable == 1 && !shm->full
       && a->kind == NGX_HTTP_MTA_STS_STATUS_VARIABLE
       && b->kind == NGX_HTTP_MTA_STS_STATUS_KEPT
       && st_slot->kind == NGX_HTTP_MTA_STS_STATUS_STATIC
       && a->fetches == 2, "reload, bound 1: the first come kept", "");
    ok(ngx_http_mta_sts_status_claim(shm, (u_char *) "b.example", 9, 1)
       == NULL, "reload, bound 1: the second has none", "");

    /* and a bound of 3: the second back, with its counters */

    ngx_http_mta_sts_status_reload(shm, 1, 3);
    ok(ngx_http_mta_sts_status_claim(shm, (u_char *) "b.example", 9, 3) == b
       && b->fetches == 5 && shm->nvariable == 2,
       "reload, bound 3: a domain seen before has its counters again", "");

    memset(big, 'x', sizeof(big));
    ok(ngx_http_mta_sts_status_claim(shm, (u_char *) big, 254, 3) == NULL
       && !shm->full && shm->nvariable == 2,
       "claim: a name longer than 253 bytes: none, and the zone not full",
       "");

    /* no free slot: a domain no longer configured gives its own */

    c = ngx_http_mta_sts_status_claim(shm, (u_char *) "c.example", 9, 3);
    ok(c && shm->nvariable == 3, "the third domain", "");

    ngx_http_mta_sts_status_reload(shm, 0, 0);
    ok(shm->nvariable == 0 && a->kind == NGX_HTTP_MTA_STS_STATUS_KEPT
       && b->kind == NGX_HTTP_MTA_STS_STATUS_KEPT,
       "reload without variables: their slots kept by name only", "");

    ngx_http_mta_sts_status_reload(shm, 1, 10);
    ok(ngx_http_mta_sts_status_claim(shm, (u_char *) "d.example", 9, 10) != NULL
       && ngx_http_mta_sts_status_claim(shm, (u_char *) "e.example", 9, 10)
          != NULL
       && shm->nvariable == 2,
       "the zone full: the slots of domains no longer served are taken", "");

    memset(shm->slots, 0, VSLOTS * sizeof(ngx_http_mta_sts_status_slot_t));
    shm->nvariable = 0;

    for (i = 0; i < VSLOTS; i++) {
        ngx_http_mta_sts_status_slot(shm, (u_char *) "abcde" + i, 1, 1)->kind =
            NGX_HTTP_MTA_STS_STATUS_STATIC;
    }

    ok(ngx_http_mta_sts_status_claim(shm, (u_char *) "f.example", 9, 10)
       == NULL && shm->full, "the zone full of static domains: none", "");

    free(shm);
}
