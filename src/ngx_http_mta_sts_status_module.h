
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#ifndef _NGX_HTTP_MTA_STS_STATUS_MODULE_H_INCLUDED_
#define _NGX_HTTP_MTA_STS_STATUS_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_http_mta_sts_tlsrpt.h>
#include <ngx_http_mta_sts_cert_module.h>
#include <ngx_http_mta_sts_cache.h>
#include <ngx_http_mta_sts_status.h>


/* what the handler has checked that the host starts with */
#define NGX_HTTP_MTA_STS_STATUS_PREFIX      "mta-sts."


/*
 * The hooks: a policy answered (answer: NULL for a static policy, else
 * the one built from variables), a TLS report newly stored
 */
void ngx_http_mta_sts_status_fetched(ngx_http_request_t *r,
    ngx_http_mta_sts_answer_t *answer);
void ngx_http_mta_sts_status_report(ngx_http_request_t *r,
    ngx_http_mta_sts_tlsrpt_t *rpt);


/*
 * A policy from variables answered: counted in the row its answer was
 * counted in last, when that is still its domain's row and holds its mode
 * and id, here in the handler without a call; else by _fetched(), which
 * finds the row and leaves it as the answer's hint.  An answer has no
 * hint without a status zone.
 */

static ngx_inline void
ngx_http_mta_sts_status_count(ngx_http_request_t *r,
    ngx_http_mta_sts_answer_t *answer)
{
    ngx_http_mta_sts_status_host_t  *h;

    h = ngx_http_mta_sts_status_host_hint(answer->status, answer->serial,
            r->headers_in.server.data
            + sizeof(NGX_HTTP_MTA_STS_STATUS_PREFIX) - 1,
            r->headers_in.server.len
            - (sizeof(NGX_HTTP_MTA_STS_STATUS_PREFIX) - 1));

    if (h) {
        (void) ngx_atomic_fetch_add(&h->slot->fetches, 1);
        return;
    }

    ngx_http_mta_sts_status_fetched(r, answer);
}

/*
 * ngx_http_mta_sts_module.c: the static policy of a server's module
 * configuration; NGX_AGAIN when it serves one from variables,
 * NGX_DECLINED when none
 */
ngx_int_t ngx_http_mta_sts_status_policy(void *conf, ngx_str_t **mode,
    ngx_str_t *id, ngx_http_mta_sts_check_t **check);

/*
 * The DNS check (ngx_http_mta_sts_dns_module.c): whether it checks the
 * domains of a server; the status of a domain it checks (NULL: none is
 * kept), and a check's result into it, with the TXT id's staleness and
 * recheck time (TXT) or the MX hosts not covered (MX) as value and time
 */
ngx_uint_t ngx_http_mta_sts_dns_server_checked(
    ngx_http_core_srv_conf_t *cscf);
void *ngx_http_mta_sts_status_dns_domain(ngx_cycle_t *cycle,
    ngx_str_t *domain);
void ngx_http_mta_sts_status_dns(ngx_cycle_t *cycle, void *domain,
    ngx_uint_t check, ngx_uint_t state, u_char *finding, size_t len,
    ngx_uint_t value, time_t recheck);

/*
 * The DNS UPDATE (ngx_http_mta_sts_update_module.c): whether it covers a
 * server's domains; a domain's state into the status zone (the states of
 * ngx_http_mta_sts_status.h), with the next try's time when pending and
 * why (NULL: the last why stays)
 */
ngx_uint_t ngx_http_mta_sts_update_server_on(ngx_http_core_srv_conf_t *cscf);
void ngx_http_mta_sts_status_update(ngx_cycle_t *cycle, ngx_str_t *domain,
    ngx_uint_t state, time_t next, u_char *why, size_t len);


#endif /* _NGX_HTTP_MTA_STS_STATUS_MODULE_H_INCLUDED_ */
