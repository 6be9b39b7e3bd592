
/*
 * Forced (-include) into the module's sources by util/build-variant.sh
 * when the module is built with -DNGX_DEBUG_PALLOC=1 against a tree that
 * has headers only (Debian's nginx-dev), for make test-asan and
 * make test-valgrind.
 *
 * NGX_DEBUG_PALLOC only changes src/core/ngx_palloc.c, and that file is
 * compiled into /usr/sbin/nginx: there every ngx_palloc() still carves
 * from the pool's big block, where neither ASan nor memcheck sees an
 * overflow.  This header gives the module's own allocations what
 * NGX_DEBUG_PALLOC gives all of them: each is a heap block of its own
 * (ngx_pmemalign(): posix_memalign(), kept on pool->large and freed by
 * ngx_destroy_pool()).  Memory the nginx core allocates for the module
 * (ngx_array_push() growing an array, ngx_list_push(), ...) still comes
 * from the pool block.
 *
 * Not for a full nginx source tree: there -DNGX_DEBUG_PALLOC=1 works
 * as it is, and this header would rename the core's own functions.
 */


#ifndef NGX_MTA_STS_PALLOC_DEBUG_H_INCLUDED_
#define NGX_MTA_STS_PALLOC_DEBUG_H_INCLUDED_

#if (NGX_DEBUG_PALLOC)

/*
 * Renamed before the nginx headers are read, so the headers' own inline
 * functions (ngx_array_init(), ngx_list_init(), ngx_calloc_buf()...) use
 * these too.
 */
#define ngx_palloc           ngx_palloc_debug
#define ngx_pnalloc          ngx_pnalloc_debug
#define ngx_pcalloc          ngx_pcalloc_debug
#define ngx_array_create     ngx_array_create_debug
#define ngx_list_create      ngx_list_create_debug
#define ngx_create_temp_buf  ngx_create_temp_buf_debug
#define ngx_pstrdup          ngx_pstrdup_debug

#include <ngx_config.h>
#include <ngx_core.h>


/* weak: every source file of the module has a copy, the linker keeps one */
#define NGX_PALLOC_DEBUG_FN  __attribute__((weak, visibility("hidden")))


NGX_PALLOC_DEBUG_FN void *
ngx_palloc_debug(ngx_pool_t *pool, size_t size)
{
    return ngx_pmemalign(pool, size, NGX_ALIGNMENT);
}


NGX_PALLOC_DEBUG_FN void *
ngx_pnalloc_debug(ngx_pool_t *pool, size_t size)
{
    return ngx_pmemalign(pool, size, sizeof(void *));
}


NGX_PALLOC_DEBUG_FN void *
ngx_pcalloc_debug(ngx_pool_t *pool, size_t size)
{
    void  *p;

    p = ngx_pmemalign(pool, size, NGX_ALIGNMENT);
    if (p) {
        ngx_memzero(p, size);
    }

    return p;
}


NGX_PALLOC_DEBUG_FN ngx_array_t *
ngx_array_create_debug(ngx_pool_t *p, ngx_uint_t n, size_t size)
{
    ngx_array_t  *a;

    a = ngx_palloc_debug(p, sizeof(ngx_array_t));
    if (a == NULL) {
        return NULL;
    }

    if (ngx_array_init(a, p, n, size) != NGX_OK) {
        return NULL;
    }

    return a;
}


NGX_PALLOC_DEBUG_FN ngx_list_t *
ngx_list_create_debug(ngx_pool_t *pool, ngx_uint_t n, size_t size)
{
    ngx_list_t  *list;

    list = ngx_palloc_debug(pool, sizeof(ngx_list_t));
    if (list == NULL) {
        return NULL;
    }

    if (ngx_list_init(list, pool, n, size) != NGX_OK) {
        return NULL;
    }

    return list;
}


NGX_PALLOC_DEBUG_FN ngx_buf_t *
ngx_create_temp_buf_debug(ngx_pool_t *pool, size_t size)
{
    ngx_buf_t  *b;

    b = ngx_calloc_buf(pool);
    if (b == NULL) {
        return NULL;
    }

    b->start = ngx_palloc_debug(pool, size);
    if (b->start == NULL) {
        return NULL;
    }

    b->pos = b->start;
    b->last = b->start;
    b->end = b->last + size;
    b->temporary = 1;

    return b;
}


NGX_PALLOC_DEBUG_FN u_char *
ngx_pstrdup_debug(ngx_pool_t *pool, ngx_str_t *src)
{
    u_char  *dst;

    dst = ngx_pnalloc_debug(pool, src->len);
    if (dst == NULL) {
        return NULL;
    }

    ngx_memcpy(dst, src->data, src->len);

    return dst;
}

#endif /* NGX_DEBUG_PALLOC */

#endif /* NGX_MTA_STS_PALLOC_DEBUG_H_INCLUDED_ */
