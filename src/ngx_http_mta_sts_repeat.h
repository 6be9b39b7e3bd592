
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_REPEAT_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_REPEAT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


/*
 * A failure repeated does not flood the error log: the first of a kind is
 * logged in full; the same failure again within a minute is only counted,
 * and the count is said when the minute ends, then once a minute for as
 * long as the failure goes on.  A minute without one ends the kind: the
 * next is logged in full again.  Plain C with the time passed in, so that
 * a unit test runs the minutes through without waiting; one a process,
 * as nginx's workers log each on its own.
 */


#define NGX_HTTP_MTA_STS_REPEAT_KINDS   4
#define NGX_HTTP_MTA_STS_REPEAT_WINDOW  60


typedef struct {
    const char                     *what;     /* NULL: a free slot */
    ngx_err_t                       err;
    ngx_uint_t                      level;
    time_t                          end;      /* when its minute ends */
    ngx_uint_t                      count;    /* not logged one by one */
} ngx_http_mta_sts_repeat_kind_t;


typedef struct {
    ngx_http_mta_sts_repeat_kind_t  kinds[NGX_HTTP_MTA_STS_REPEAT_KINDS];
} ngx_http_mta_sts_repeat_t;


/*
 * A failure ("what" and err make its kind) at "now": 1 to log it in full,
 * 0 when it is counted.  Call ngx_http_mta_sts_repeat_due() first, so
 * that a minute that has ended is said before another one starts.
 */
ngx_uint_t ngx_http_mta_sts_repeat_add(ngx_http_mta_sts_repeat_t *rp,
    const char *what, ngx_err_t err, ngx_uint_t level, time_t now);

/* whether such a failure now would be counted */
ngx_uint_t ngx_http_mta_sts_repeat_counting(ngx_http_mta_sts_repeat_t *rp,
    const char *what, ngx_err_t err, time_t now);

/*
 * The next kind whose minute has ended by "now" with failures counted,
 * copied to "kind" (its count to say); NGX_DONE when there is none.
 */
ngx_int_t ngx_http_mta_sts_repeat_due(ngx_http_mta_sts_repeat_t *rp,
    time_t now, ngx_http_mta_sts_repeat_kind_t *kind);

/* when the first minute with failures counted ends; 0: none */
time_t ngx_http_mta_sts_repeat_next(ngx_http_mta_sts_repeat_t *rp);


#endif /* _NGX_HTTP_MTA_STS_REPEAT_H_INCLUDED_ */
