
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_repeat.h>


static ngx_http_mta_sts_repeat_kind_t *ngx_http_mta_sts_repeat_find(
    ngx_http_mta_sts_repeat_t *rp, const char *what, ngx_err_t err);


ngx_uint_t
ngx_http_mta_sts_repeat_add(ngx_http_mta_sts_repeat_t *rp, const char *what,
    ngx_err_t err, ngx_uint_t level, time_t now)
{
    ngx_uint_t                       i;
    ngx_http_mta_sts_repeat_kind_t  *k;

    k = ngx_http_mta_sts_repeat_find(rp, what, err);

    if (k && now < k->end) {
        k->count++;
        return 0;
    }

    if (k == NULL) {

        /* a free slot, or one whose minute ended with nothing counted */

        for (i = 0; i < NGX_HTTP_MTA_STS_REPEAT_KINDS; i++) {
            k = &rp->kinds[i];

            if (k->what == NULL || (k->end <= now && k->count == 0)) {
                break;
            }
        }

        if (i == NGX_HTTP_MTA_STS_REPEAT_KINDS) {

            /* more kinds at once than slots: each logged in full */

            return 1;
        }

        k->what = what;
        k->err = err;
        k->level = level;
    }

    k->end = now + NGX_HTTP_MTA_STS_REPEAT_WINDOW;
    k->count = 0;

    return 1;
}


ngx_uint_t
ngx_http_mta_sts_repeat_counting(ngx_http_mta_sts_repeat_t *rp,
    const char *what, ngx_err_t err, time_t now)
{
    ngx_http_mta_sts_repeat_kind_t  *k;

    k = ngx_http_mta_sts_repeat_find(rp, what, err);

    return k && now < k->end;
}


ngx_int_t
ngx_http_mta_sts_repeat_due(ngx_http_mta_sts_repeat_t *rp, time_t now,
    ngx_http_mta_sts_repeat_kind_t *kind)
{
    ngx_uint_t                       i;
    ngx_http_mta_sts_repeat_kind_t  *k;

    for (i = 0; i < NGX_HTTP_MTA_STS_REPEAT_KINDS; i++) {
        k = &rp->kinds[i];

        if (k->what == NULL || now < k->end) {
            continue;
        }

        if (k->count == 0) {

            /* a minute without the failure: the next is logged in full */

            k->what = NULL;
            continue;
        }

        *kind = *k;

        /* the next minute counts on from where this one ended */

        k->count = 0;
        k->end += NGX_HTTP_MTA_STS_REPEAT_WINDOW;

        if (k->end <= now) {
            k->what = NULL;
        }

        return NGX_OK;
    }

    return NGX_DONE;
}


time_t
ngx_http_mta_sts_repeat_next(ngx_http_mta_sts_repeat_t *rp)
{
    time_t       next;
    ngx_uint_t   i;

    next = 0;

    for (i = 0; i < NGX_HTTP_MTA_STS_REPEAT_KINDS; i++) {
        if (rp->kinds[i].what && rp->kinds[i].count
            && (next == 0 || rp->kinds[i].end < next))
        {
            next = rp->kinds[i].end;
        }
    }

    return next;
}


static ngx_http_mta_sts_repeat_kind_t *
ngx_http_mta_sts_repeat_find(ngx_http_mta_sts_repeat_t *rp, const char *what,
    ngx_err_t err)
{
    ngx_uint_t                       i;
    ngx_http_mta_sts_repeat_kind_t  *k;

    for (i = 0; i < NGX_HTTP_MTA_STS_REPEAT_KINDS; i++) {
        k = &rp->kinds[i];

        if (k->what && k->err == err && strcmp(k->what, what) == 0) {
            return k;
        }
    }

    return NULL;
}
