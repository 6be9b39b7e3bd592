
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_TLSRPT_DIR_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_TLSRPT_DIR_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/*
 * What "nginx -t" and every reload say about a TLS report receiver's
 * directory: that it is missing, is no directory, or that the workers'
 * user cannot create files in it (warn), and that the request bodies'
 * temp files are on another file system (notice).  Never more than a
 * warning: a broken receiver must not take the site down.
 */


/* one "mta_sts_tlsrpt" directive, as read */

typedef struct {
    ngx_str_t                  *path;         /* the full directory name */
    ngx_http_core_loc_conf_t   *clcf;         /* client_body_temp_path */
    u_char                     *file;
    ngx_uint_t                  line;
} ngx_http_mta_sts_tlsrpt_dir_t;


/*
 * Called when the configuration is complete (init_module, in "nginx -t"
 * and in the master at every start and reload), when the "user"
 * directive and nginx's default user are known and the temp paths exist.
 */

void ngx_http_mta_sts_tlsrpt_dir_check(ngx_cycle_t *cycle, ngx_log_t *log,
    ngx_array_t *dirs);


#endif /* _NGX_HTTP_MTA_STS_TLSRPT_DIR_H_INCLUDED_ */
