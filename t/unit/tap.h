
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_TAP_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_TAP_H_INCLUDED_


#include <stdio.h>


/*
 * One TAP line a check, for the unit tests that include it: main() then
 * prints "1..tests" and exits non-zero when "failed" is.
 */


static void ok(int good, const char *name, const char *detail);


static int  tests, failed;


static void
ok(int good, const char *name, const char *detail)
{
    tests++;

    if (good) {
        printf("ok %d - %s\n", tests, name);
        return;
    }

    failed++;
    printf("not ok %d - %s\n", tests, name);

    if (detail && *detail) {
        printf("#   %s\n", detail);
    }
}


#endif /* _NGX_HTTP_MTA_STS_TAP_H_INCLUDED_ */
