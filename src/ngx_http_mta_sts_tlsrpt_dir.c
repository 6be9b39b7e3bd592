
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_http_mta_sts_tlsrpt_dir.h>


#define NGX_HTTP_MTA_STS_TLSRPT_DIR_LOST                                     \
    "TLS reports will be answered 500 and lost when senders stop "           \
    "retrying (RFC 8460, section 5.5)"

/* the check's own failure, told from an errno by the child's exit code */
#define NGX_HTTP_MTA_STS_TLSRPT_DIR_UNKNOWN  255


/* the workers' user, as the master switches to it */

typedef struct {
    char                       *name;
    ngx_uid_t                   uid;
    ngx_gid_t                   gid;
    ngx_uint_t                  other;        /* not nginx's own user */
} ngx_http_mta_sts_tlsrpt_dir_user_t;


static void ngx_http_mta_sts_tlsrpt_dir_one(ngx_cycle_t *cycle,
    ngx_log_t *log, ngx_http_mta_sts_tlsrpt_dir_t *d,
    ngx_http_mta_sts_tlsrpt_dir_user_t *u, ngx_uint_t said);
static void ngx_http_mta_sts_tlsrpt_dir_create(ngx_log_t *log,
    ngx_http_mta_sts_tlsrpt_dir_t *d, ngx_http_mta_sts_tlsrpt_dir_user_t *u,
    u_char *name, ngx_uint_t missing);
static ngx_int_t ngx_http_mta_sts_tlsrpt_dir_user(ngx_cycle_t *cycle,
    ngx_http_mta_sts_tlsrpt_dir_user_t *u);
static ngx_err_t ngx_http_mta_sts_tlsrpt_dir_access(ngx_log_t *log,
    char *name, ngx_http_mta_sts_tlsrpt_dir_user_t *u);


void
ngx_http_mta_sts_tlsrpt_dir_check(ngx_cycle_t *cycle, ngx_log_t *log,
    ngx_array_t *dirs)
{
    ngx_uint_t                           i, j, said;
    ngx_http_mta_sts_tlsrpt_dir_t       *d;
    ngx_http_mta_sts_tlsrpt_dir_user_t   u;

    if (dirs == NULL || dirs->nelts == 0) {
        return;
    }

    if (ngx_http_mta_sts_tlsrpt_dir_user(cycle, &u) != NGX_OK) {
        return;
    }

    d = dirs->elts;

    for (i = 0; i < dirs->nelts; i++) {

        /*
         * a directory shared by several receivers is said once, and with
         * each of their temp paths once
         */

        said = 0;

        for (j = 0; j < i; j++) {
            if (d[j].path->len != d[i].path->len
                || ngx_strncmp(d[j].path->data, d[i].path->data,
                               d[i].path->len) != 0)
            {
                continue;
            }

            said = 1;

            if (d[j].clcf->client_body_temp_path
                == d[i].clcf->client_body_temp_path)
            {
                break;
            }
        }

        if (j == i) {
            ngx_http_mta_sts_tlsrpt_dir_one(cycle, log, &d[i], &u, said);
        }
    }
}


static void
ngx_http_mta_sts_tlsrpt_dir_one(ngx_cycle_t *cycle, ngx_log_t *log,
    ngx_http_mta_sts_tlsrpt_dir_t *d, ngx_http_mta_sts_tlsrpt_dir_user_t *u,
    ngx_uint_t said)
{
    u_char           *name, *temp, *p;
    ngx_err_t         err;
    ngx_file_info_t   fi, ti;
    u_char            errstr[NGX_MAX_ERROR_STR];

    name = ngx_pnalloc(cycle->pool, d->path->len + 1);
    if (name == NULL) {
        return;
    }

    (void) ngx_cpystrn(name, d->path->data, d->path->len + 1);

    if (ngx_file_info(name, &fi) == NGX_FILE_ERROR) {
        err = ngx_errno;

        if (said) {
            return;
        }

        if (err == NGX_ENOENT) {
            ngx_http_mta_sts_tlsrpt_dir_create(log, d, u, name, 1);
            return;
        }

        p = ngx_strerror(err, errstr, NGX_MAX_ERROR_STR);

        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "directory \"%s\" of \"mta_sts_tlsrpt\" is not "
                      "checked, " ngx_file_info_n " failed (%d: %*s) "
                      "in %s:%ui",
                      name, err, p - errstr, errstr, d->file, d->line);
        return;
    }

    if (!ngx_is_dir(&fi)) {
        if (!said) {
            ngx_http_mta_sts_tlsrpt_dir_create(log, d, u, name, 0);
        }

        return;
    }

    err = said ? 0 : ngx_http_mta_sts_tlsrpt_dir_access(log, (char *) name, u);

    if (err == NGX_HTTP_MTA_STS_TLSRPT_DIR_UNKNOWN) {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "whether user \"%s\" can create files in directory "
                      "\"%s\" of \"mta_sts_tlsrpt\" is not checked in %s:%ui",
                      u->name, name, d->file, d->line);

    } else if (err) {
        p = ngx_strerror(err, errstr, NGX_MAX_ERROR_STR);

        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "user \"%s\" cannot create files in directory \"%s\" "
                      "of \"mta_sts_tlsrpt\" (%d: %*s), "
                      NGX_HTTP_MTA_STS_TLSRPT_DIR_LOST "%s%s%s%s%s in %s:%ui",
                      u->name, name, err, p - errstr, errstr,
                      err == NGX_EACCES ? "; give it to the user: "
                                          "\"chown " : "",
                      err == NGX_EACCES ? u->name : "",
                      err == NGX_EACCES ? " " : "",
                      err == NGX_EACCES ? (char *) name : "",
                      err == NGX_EACCES ? "\"" : "",
                      d->file, d->line);
    }

    /*
     * a temp file on the same file system is linked into place; from
     * another one, each report is copied first (EXDEV)
     */

    temp = d->clcf->client_body_temp_path->name.data;

    if (ngx_file_info(temp, &ti) != NGX_FILE_ERROR
        && ti.st_dev != fi.st_dev)
    {
        ngx_log_error(NGX_LOG_NOTICE, log, 0,
                      "\"client_body_temp_path\" \"%s\" is on another file "
                      "system than directory \"%s\" of \"mta_sts_tlsrpt\": "
                      "each TLS report is copied, not linked into place; "
                      "put both on one file system in %s:%ui",
                      temp, name, d->file, d->line);
    }
}


/* no directory there: the warning, and the commands that make it */

static void
ngx_http_mta_sts_tlsrpt_dir_create(ngx_log_t *log,
    ngx_http_mta_sts_tlsrpt_dir_t *d, ngx_http_mta_sts_tlsrpt_dir_user_t *u,
    u_char *name, ngx_uint_t missing)
{
    u_char  *p, *last;
    u_char   fix[NGX_MAX_ERROR_STR];

    last = fix + sizeof(fix);

    p = ngx_slprintf(fix, last, "\"mkdir %s", name);

    if (u->other) {
        p = ngx_slprintf(p, last, " && chown %s %s", u->name, name);
    }

    p = ngx_slprintf(p, last, "\"");

    ngx_log_error(NGX_LOG_WARN, log, 0,
                  "%s\"%s\" of \"mta_sts_tlsrpt\" %s, "
                  NGX_HTTP_MTA_STS_TLSRPT_DIR_LOST "; %s: %*s in %s:%ui",
                  missing ? "directory " : "", name,
                  missing ? "does not exist" : "is not a directory",
                  missing ? "create it"
                          : "move it away and create the directory",
                  p - fix, fix, d->file, d->line);
}


/*
 * The user the workers run as: the "user" directive, or nginx's default
 * user, when the master runs as root; else, and with "master_process off"
 * (one process, which never switches), the master's own user.
 */

static ngx_int_t
ngx_http_mta_sts_tlsrpt_dir_user(ngx_cycle_t *cycle,
    ngx_http_mta_sts_tlsrpt_dir_user_t *u)
{
    size_t            len;
    struct passwd    *pwd;
    ngx_core_conf_t  *ccf;

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    if (geteuid() == 0 && ccf->master
        && ccf->user != (ngx_uid_t) NGX_CONF_UNSET_UINT)
    {
        u->name = ccf->username;
        u->uid = ccf->user;
        u->gid = ccf->group;
        u->other = (ccf->user != 0);

        return NGX_OK;
    }

    u->uid = geteuid();
    u->gid = getegid();
    u->other = 0;

    pwd = getpwuid(u->uid);

    len = (pwd ? ngx_strlen(pwd->pw_name) : NGX_INT64_LEN) + 1;

    u->name = ngx_pnalloc(cycle->pool, len);
    if (u->name == NULL) {
        return NGX_ERROR;
    }

    if (pwd) {
        (void) ngx_cpystrn((u_char *) u->name, (u_char *) pwd->pw_name, len);

    } else {
        (void) ngx_sprintf((u_char *) u->name, "%ui%Z", (ngx_uint_t) u->uid);
    }

    return NGX_OK;
}


/*
 * Whether the user can create files in the directory, as the kernel sees
 * it (modes, groups, ACLs, the parents' search rights, a read-only mount):
 * for another user, asked by a child that becomes that user, as a worker
 * does.  Returns 0, an errno, or NGX_HTTP_MTA_STS_TLSRPT_DIR_UNKNOWN.
 */

static ngx_err_t
ngx_http_mta_sts_tlsrpt_dir_access(ngx_log_t *log, char *name,
    ngx_http_mta_sts_tlsrpt_dir_user_t *u)
{
    int        status;
    ngx_pid_t  pid;
    ngx_err_t  err;
    sigset_t   set, old;

    if (!u->other) {
        return (access(name, W_OK|X_OK) == 0) ? 0 : ngx_errno;
    }

    /* the master reaps its workers on SIGCHLD; this child is not one */

    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);

    if (sigprocmask(SIG_BLOCK, &set, &old) == -1) {
        return NGX_HTTP_MTA_STS_TLSRPT_DIR_UNKNOWN;
    }

    pid = fork();

    if (pid == 0) {
        if (setgid(u->gid) == -1
            || initgroups(u->name, u->gid) == -1
            || setuid(u->uid) == -1)
        {
            _exit(NGX_HTTP_MTA_STS_TLSRPT_DIR_UNKNOWN);
        }

        if (access(name, W_OK|X_OK) == 0) {
            _exit(0);
        }

        err = ngx_errno;

        _exit((err > 0 && err < NGX_HTTP_MTA_STS_TLSRPT_DIR_UNKNOWN)
              ? err : NGX_HTTP_MTA_STS_TLSRPT_DIR_UNKNOWN);
    }

    err = NGX_HTTP_MTA_STS_TLSRPT_DIR_UNKNOWN;

    if (pid == -1) {
        ngx_log_error(NGX_LOG_NOTICE, log, ngx_errno, "fork() failed");

    } else {
        while (waitpid(pid, &status, 0) == -1) {
            if (ngx_errno != NGX_EINTR) {
                status = -1;
                break;
            }
        }

        if (status != -1 && WIFEXITED(status)) {
            err = WEXITSTATUS(status);
        }
    }

    (void) sigprocmask(SIG_SETMASK, &old, NULL);

    return err;
}
