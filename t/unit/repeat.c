
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * Unit tests of src/ngx_http_mta_sts_repeat.c: a failure repeated is
 * logged once, counted, and its count said once a minute, with the
 * minutes run through by hand, never waited for.  Prints a TAP line a
 * check and exits non-zero on any failure.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_repeat.h>

#include <stdio.h>

#include "tap.h"


static ngx_uint_t said(ngx_http_mta_sts_repeat_t *rp, time_t now,
    ngx_uint_t *lines);


int
main(void)
{
    char                            detail[256];
    time_t                          t;
    ngx_uint_t                      n, full, counted, lines, total, i;
    ngx_http_mta_sts_repeat_t       rp;
    ngx_http_mta_sts_repeat_kind_t  k;

    /* the first failure of a kind is logged, the same again counted */

    memset(&rp, 0, sizeof(rp));

    ok(ngx_http_mta_sts_repeat_add(&rp, "link() failed", 13, 3, 1000) == 1,
       "the first failure - logged", "");
    ok(ngx_http_mta_sts_repeat_next(&rp) == 0,
       "one failure - no count to say, no timer", "");
    ok(ngx_http_mta_sts_repeat_add(&rp, "link() failed", 13, 3, 1000) == 0,
       "the same failure in the same second - counted", "");
    ok(ngx_http_mta_sts_repeat_add(&rp, "link() failed", 13, 3, 1059) == 0,
       "the same failure 59 s later - counted", "");
    ok(ngx_http_mta_sts_repeat_next(&rp) == 1060,
       "counted - said when the minute ends", "");
    ok(ngx_http_mta_sts_repeat_counting(&rp, "link() failed", 13, 1059),
       "counting - told before the failure, for its own log", "");

    /* another errno, another step: another kind, logged */

    ok(ngx_http_mta_sts_repeat_add(&rp, "link() failed", 28, 3, 1010) == 1,
       "the same step, another errno - logged", "");
    ok(ngx_http_mta_sts_repeat_add(&rp, "fchmod() failed", 13, 3, 1010)
       == 1, "another step - logged", "");
    ok(!ngx_http_mta_sts_repeat_counting(&rp, "out of memory", 0, 1010),
       "a kind not seen - not counting", "");

    /* nothing due before the minute ends */

    ok(ngx_http_mta_sts_repeat_due(&rp, 1059, &k) == NGX_DONE,
       "before the minute ends - nothing to say", "");

    /* at its end: one line with the count, for the kind counted only */

    ok(ngx_http_mta_sts_repeat_due(&rp, 1060, &k) == NGX_OK
       && k.count == 2 && k.err == 13 && k.level == 3
       && strcmp(k.what, "link() failed") == 0,
       "the minute ends - its count, with the kind", "");
    ok(ngx_http_mta_sts_repeat_due(&rp, 1060, &k) == NGX_DONE,
       "the minute ends - said once; kinds never repeated say nothing", "");

    /* the failure goes on: counted on, said a minute later */

    ok(ngx_http_mta_sts_repeat_add(&rp, "link() failed", 13, 3, 1061) == 0,
       "the failure goes on into the next minute - counted", "");
    ok(ngx_http_mta_sts_repeat_next(&rp) == 1120,
       "the next minute follows the first", "");
    ok(ngx_http_mta_sts_repeat_due(&rp, 1120, &k) == NGX_OK && k.count == 1,
       "the next minute - its own count", "");

    /* a whole minute without it: the next one is logged in full */

    ok(ngx_http_mta_sts_repeat_due(&rp, 1180, &k) == NGX_DONE,
       "a minute without the failure - nothing to say", "");
    ok(ngx_http_mta_sts_repeat_add(&rp, "link() failed", 13, 3, 1181) == 1,
       "after a quiet minute - logged in full again", "");

    /* more kinds at once than slots: each logged, never lost */

    memset(&rp, 0, sizeof(rp));

    for (i = 0; i < NGX_HTTP_MTA_STS_REPEAT_KINDS + 2; i++) {
        (void) ngx_http_mta_sts_repeat_add(&rp, "x", (ngx_err_t) i + 1, 3,
                                           2000);
        (void) ngx_http_mta_sts_repeat_add(&rp, "x", (ngx_err_t) i + 1, 3,
                                           2000);
    }

    ok(ngx_http_mta_sts_repeat_add(&rp, "x",
                                   NGX_HTTP_MTA_STS_REPEAT_KINDS + 2, 3, 2001)
       == 1, "more kinds than slots - the extra ones logged in full", "");

    /*
     * The flood: a failure every 50 ms for 10 minutes gives one
     * line in full, then one count a minute, and the counts and lines
     * add up to every failure.
     */

    memset(&rp, 0, sizeof(rp));

    full = 0;
    counted = 0;
    lines = 0;
    total = 0;

    for (n = 0; n < 12000; n++) {
        t = 3000 + (time_t) (n / 20);

        counted += said(&rp, t, &lines);

        if (ngx_http_mta_sts_repeat_add(&rp, "link() failed", 13, 3, t)) {
            full++;
        }

        total++;
    }

    counted += said(&rp, 3000 + 600, &lines);

    snprintf(detail, sizeof(detail), "%lu in full, %lu count lines, "
             "%lu counted of %lu", (unsigned long) full,
             (unsigned long) lines, (unsigned long) counted,
             (unsigned long) total);

    ok(full == 1 && lines == 10 && full + counted == total,
       "12,000 failures in 10 minutes - 1 line and 10 counts", detail);

    printf("1..%d\n", tests);
    printf("unit repeat: %d passed, %d failed\n", tests - failed, failed);

    return failed ? 1 : 0;
}


/* what the timer would say at "now": the counts, and how many lines */

static ngx_uint_t
said(ngx_http_mta_sts_repeat_t *rp, time_t now, ngx_uint_t *lines)
{
    ngx_uint_t                      n;
    ngx_http_mta_sts_repeat_kind_t  k;

    n = 0;

    while (ngx_http_mta_sts_repeat_due(rp, now, &k) == NGX_OK) {
        n += k.count;
        (*lines)++;
    }

    return n;
}
