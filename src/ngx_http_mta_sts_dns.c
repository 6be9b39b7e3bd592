
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_dns.h>




static ngx_uint_t ngx_http_mta_sts_dns_same(u_char *a, size_t alen,
    u_char *b, size_t blen);
static const char *ngx_http_mta_sts_dns_answers(
    ngx_http_mta_sts_dns_answer_t *answer, u_char *packet, size_t len,
    size_t off, ngx_uint_t an, u_char *owner, size_t olen, u_char *next,
    size_t *nlen);
static const char *ngx_http_mta_sts_dns_keep(
    ngx_http_mta_sts_dns_answer_t *answer, u_char *packet, size_t len,
    size_t off, size_t rdlen, ngx_uint_t type, uint32_t ttl);
static u_char *ngx_http_mta_sts_dns_copy(ngx_http_mta_sts_dns_answer_t *answer,
    u_char *data, size_t len);
static ngx_int_t ngx_http_mta_sts_dns_record(u_char *p, size_t len,
    const char *version, ngx_uint_t is_sts, ngx_http_mta_sts_dns_txt_t *txt);
static void ngx_http_mta_sts_dns_txt(ngx_http_mta_sts_dns_answer_t *answer,
    ngx_http_mta_sts_dns_txt_t *txt, ngx_uint_t is_sts);
static const char *ngx_http_mta_sts_dns_rua(u_char *p, u_char *last,
    ngx_http_mta_sts_dns_txt_t *txt);


/*
 * A query for name (dotted, a trailing dot allowed) of the type, with the
 * given id (the caller draws it from a good random source), RD set, and
 * an EDNS0 OPT record announcing 1232 bytes when edns is set.  Returns
 * the length written to buf (NGX_HTTP_MTA_STS_DNS_QUERY_MAX bytes), or 0
 * when the name cannot be asked for.
 */

size_t
ngx_http_mta_sts_dns_query(u_char *buf, ngx_str_t *name, ngx_uint_t type,
    uint16_t id, ngx_uint_t edns)
{
    u_char  *p, *label, *last;
    size_t   len;

    len = name->len;

    if (len && name->data[len - 1] == '.') {
        len--;
    }

    if (len == 0 || len > 253) {
        return 0;
    }

    p = buf;

    *p++ = (u_char) (id >> 8);
    *p++ = (u_char) id;
    *p++ = 0x01;                 /* RD */
    *p++ = 0;
    *p++ = 0; *p++ = 1;          /* one question */
    *p++ = 0; *p++ = 0;
    *p++ = 0; *p++ = 0;
    *p++ = 0; *p++ = edns ? 1 : 0;

    last = name->data + len;
    label = name->data;

    while (label <= last) {
        u_char  *dot;

        for (dot = label; dot < last && *dot != '.'; dot++) { /* void */ }

        if (dot == label || dot - label > 63) {
            return 0;
        }

        *p++ = (u_char) (dot - label);
        p = ngx_cpymem(p, label, dot - label);

        label = dot + 1;
    }

    *p++ = 0;

    *p++ = (u_char) (type >> 8);
    *p++ = (u_char) type;
    *p++ = 0; *p++ = 1;          /* IN */

    if (edns) {
        *p++ = 0;                /* the root */
        *p++ = 0; *p++ = 41;     /* OPT */
        *p++ = (u_char) (NGX_HTTP_MTA_STS_DNS_UDP_SIZE >> 8);
        *p++ = (u_char) (NGX_HTTP_MTA_STS_DNS_UDP_SIZE & 0xff);
        *p++ = 0; *p++ = 0; *p++ = 0; *p++ = 0;
        *p++ = 0; *p++ = 0;
    }

    return p - buf;
}


/*
 * Reads a response to the query described by answer (name, type, id).
 * Accepts it only when the id, QR, opcode and the question (name, type,
 * class) match; then the rcode, the TC bit, and the answer records of the
 * type owned by the name, CNAMEs followed from the question name.  Header
 * counts are never trusted: every length is checked against the packet.
 */

ngx_int_t
ngx_http_mta_sts_dns_parse(ngx_http_mta_sts_dns_answer_t *answer,
    u_char *packet, size_t len)
{
    u_char       seen[NGX_HTTP_MTA_STS_DNS_CNAME_MAX + 1]
                     [NGX_HTTP_MTA_STS_DNS_NAME_LEN];
    u_char       qname[NGX_HTTP_MTA_STS_DNS_NAME_LEN];
    u_char      *p;
    size_t       off, qlen, nlen, slen[NGX_HTTP_MTA_STS_DNS_CNAME_MAX + 1];
    ngx_uint_t   qd, an, hop, i;
    const char  *err;

    answer->nrr = 0;
    answer->rcode = 0;
    answer->ttl = 0;
    answer->error = NULL;
    answer->next.len = 0;
    answer->next.data = NULL;

    if (len < 12) {
        return NGX_HTTP_MTA_STS_DNS_FOREIGN;
    }

    p = packet;

    if ((uint16_t) ((p[0] << 8) | p[1]) != answer->id
        || !(p[2] & 0x80)
        || (p[2] & 0x78) != 0)
    {
        return NGX_HTTP_MTA_STS_DNS_FOREIGN;
    }

    qd = (p[4] << 8) | p[5];
    an = (p[6] << 8) | p[7];

    if (qd != 1) {
        return NGX_HTTP_MTA_STS_DNS_FOREIGN;
    }

    off = 12;

    if (ngx_http_mta_sts_dns_name(packet, len, &off, qname, &qlen) != NULL
        || off + 4 > len)
    {
        return NGX_HTTP_MTA_STS_DNS_FOREIGN;
    }

    nlen = answer->name.len;

    if (nlen && answer->name.data[nlen - 1] == '.') {
        nlen--;
    }

    if (!ngx_http_mta_sts_dns_same(qname, qlen, answer->name.data, nlen)
        || (ngx_uint_t) ((p[off] << 8) | p[off + 1]) != answer->type
        || p[off + 2] != 0 || p[off + 3] != 1)
    {
        return NGX_HTTP_MTA_STS_DNS_FOREIGN;
    }

    off += 4;

    if (p[2] & 0x02) {
        return NGX_HTTP_MTA_STS_DNS_TRUNCATED;
    }

    answer->rcode = p[3] & 0x0f;

    if (answer->rcode == 3) {
        return NGX_HTTP_MTA_STS_DNS_NXDOMAIN;
    }

    if (answer->rcode != 0) {
        return NGX_HTTP_MTA_STS_DNS_FAILED;
    }

    /* the records of the question's name, then of each CNAME's target */

    ngx_memcpy(seen[0], qname, qlen);
    slen[0] = qlen;

    for (hop = 0; /* void */ ; hop++) {

        err = ngx_http_mta_sts_dns_answers(answer, packet, len, off, an,
                                           seen[hop], slen[hop],
                                           seen[hop + 1], &slen[hop + 1]);
        if (err) {
            answer->error = err;
            answer->nrr = 0;
            return NGX_HTTP_MTA_STS_DNS_BAD;
        }

        if (answer->nrr || slen[hop + 1] == (size_t) -1) {
            break;
        }

        for (i = 0; i <= hop; i++) {
            if (ngx_http_mta_sts_dns_same(seen[i], slen[i],
                                          seen[hop + 1], slen[hop + 1]))
            {
                answer->error = "a CNAME loop";
                return NGX_HTTP_MTA_STS_DNS_BAD;
            }
        }

        if (hop + 1 == NGX_HTTP_MTA_STS_DNS_CNAME_MAX) {
            answer->error = "more than 8 CNAMEs in a row";
            return NGX_HTTP_MTA_STS_DNS_BAD;
        }
    }

    if (answer->nrr) {
        return NGX_HTTP_MTA_STS_DNS_OK;
    }

    if (hop == 0) {
        return NGX_HTTP_MTA_STS_DNS_NODATA;
    }

    /* the chain ends in a name the answer holds nothing for: ask for it */

    answer->next.data = ngx_http_mta_sts_dns_copy(answer, seen[hop],
                                                  slen[hop]);
    if (answer->next.data == NULL) {
        answer->error = "the answer is too large";
        return NGX_HTTP_MTA_STS_DNS_BAD;
    }

    answer->next.len = slen[hop];

    return NGX_HTTP_MTA_STS_DNS_CNAME_NEXT;
}


const char *
ngx_http_mta_sts_dns_status_text(ngx_int_t status)
{
    switch (status) {
    case NGX_HTTP_MTA_STS_DNS_OK:
        return "found";
    case NGX_HTTP_MTA_STS_DNS_NODATA:
        return "no record of the type (NODATA)";
    case NGX_HTTP_MTA_STS_DNS_NXDOMAIN:
        return "no such name (NXDOMAIN)";
    case NGX_HTTP_MTA_STS_DNS_CNAME_NEXT:
        return "a CNAME to follow";
    case NGX_HTTP_MTA_STS_DNS_TRUNCATED:
        return "truncated";
    case NGX_HTTP_MTA_STS_DNS_FAILED:
        return "the resolver failed";
    case NGX_HTTP_MTA_STS_DNS_BAD:
        return "a malformed answer";
    default:
        return "an answer to another question";
    }
}


/*
 * Scans the an answer records from off: keeps those of the question's
 * type owned by owner, and puts the target of a CNAME owned by owner in
 * next (*nlen is (size_t) -1 when there is none).
 */

static const char *
ngx_http_mta_sts_dns_answers(ngx_http_mta_sts_dns_answer_t *answer,
    u_char *packet, size_t len, size_t off, ngx_uint_t an, u_char *owner,
    size_t olen, u_char *next, size_t *nlen)
{
    u_char       name[NGX_HTTP_MTA_STS_DNS_NAME_LEN];
    size_t       namelen, rdlen, end, t;
    uint32_t     ttl;
    ngx_uint_t   i, type, class;
    const char  *err;

    *nlen = (size_t) -1;

    for (i = 0; i < an; i++) {

        err = ngx_http_mta_sts_dns_name(packet, len, &off, name, &namelen);
        if (err) {
            return err;
        }

        if (off + 10 > len) {
            return "a record runs past the end";
        }

        type = (packet[off] << 8) | packet[off + 1];
        class = (packet[off + 2] << 8) | packet[off + 3];
        ttl = ((uint32_t) packet[off + 4] << 24) | (packet[off + 5] << 16)
              | (packet[off + 6] << 8) | packet[off + 7];
        rdlen = (packet[off + 8] << 8) | packet[off + 9];

        off += 10;
        end = off + rdlen;

        if (end > len) {
            return "a record's data runs past the end";
        }

        /* RFC 2181, section 8: a TTL with the top bit set counts as 0 */

        if (ttl & 0x80000000) {
            ttl = 0;
        }

        if (class != 1
            || !ngx_http_mta_sts_dns_same(name, namelen, owner, olen))
        {
            off = end;
            continue;
        }

        if (type == NGX_HTTP_MTA_STS_DNS_CNAME
            && answer->type != NGX_HTTP_MTA_STS_DNS_CNAME)
        {
            if (*nlen != (size_t) -1) {
                return "two CNAMEs for one name";
            }

            t = off;

            err = ngx_http_mta_sts_dns_name(packet, len, &t, next, nlen);
            if (err) {
                return err;
            }

            if (t != end) {
                return "a CNAME's data does not end with its name";
            }

            if (*nlen == 0) {
                return "a CNAME to the root";
            }

            if (answer->ttl == 0 || ttl < answer->ttl) {
                answer->ttl = ttl;
            }

            off = end;
            continue;
        }

        if (type == answer->type) {
            err = ngx_http_mta_sts_dns_keep(answer, packet, len, off, rdlen,
                                            type, ttl);
            if (err) {
                return err;
            }
        }

        off = end;
    }

    if (answer->nrr && *nlen != (size_t) -1) {
        return "a CNAME and other records for one name";
    }

    return NULL;
}


static const char *
ngx_http_mta_sts_dns_keep(ngx_http_mta_sts_dns_answer_t *answer,
    u_char *packet, size_t len, size_t off, size_t rdlen, ngx_uint_t type,
    uint32_t ttl)
{
    u_char                     *p, *last, *d;
    u_char                      name[NGX_HTTP_MTA_STS_DNS_NAME_LEN];
    size_t                      n, t;
    const char                 *err;
    ngx_http_mta_sts_dns_rr_t  *rr;

    if (answer->nrr == NGX_HTTP_MTA_STS_DNS_RR_MAX) {
        return "more than 32 records";
    }

    rr = &answer->rr[answer->nrr];
    rr->type = type;
    rr->ttl = ttl;
    rr->pref = 0;

    switch (type) {

    case NGX_HTTP_MTA_STS_DNS_TXT:

        /* RFC 7208 section 3.3, RFC 8461 section 3.1: strings joined */

        p = packet + off;
        last = p + rdlen;
        n = 0;

        while (p < last) {
            if (p + 1 + *p > last) {
                return "a TXT string runs past its record";
            }

            n += *p;
            p += 1 + *p;
        }

        d = ngx_http_mta_sts_dns_copy(answer, NULL, n);
        if (d == NULL) {
            return "the answer is too large";
        }

        rr->data.data = d;
        rr->data.len = n;

        for (p = packet + off; p < last; p += 1 + *p) {
            d = ngx_cpymem(d, p + 1, *p);
        }

        break;

    case NGX_HTTP_MTA_STS_DNS_MX:

        if (rdlen < 3) {
            return "an MX record is too short";
        }

        rr->pref = (packet[off] << 8) | packet[off + 1];

        t = off + 2;

        err = ngx_http_mta_sts_dns_name(packet, len, &t, name, &n);
        if (err) {
            return err;
        }

        if (t != off + rdlen) {
            return "an MX record's data does not end with its name";
        }

        rr->data.data = ngx_http_mta_sts_dns_copy(answer, name, n);
        if (rr->data.data == NULL) {
            return "the answer is too large";
        }

        rr->data.len = n;
        break;

    case NGX_HTTP_MTA_STS_DNS_A:
    case NGX_HTTP_MTA_STS_DNS_AAAA:

        if (rdlen != (type == NGX_HTTP_MTA_STS_DNS_A ? 4 : 16)) {
            return "an address record of the wrong length";
        }

        rr->data.data = ngx_http_mta_sts_dns_copy(answer, packet + off,
                                                  rdlen);
        if (rr->data.data == NULL) {
            return "the answer is too large";
        }

        rr->data.len = rdlen;
        break;

    default:
        return "a record type this client does not ask for";
    }

    if (answer->nrr == 0 || answer->ttl == 0 || ttl < answer->ttl) {
        answer->ttl = ttl;
    }

    answer->nrr++;

    return NULL;
}


static u_char *
ngx_http_mta_sts_dns_copy(ngx_http_mta_sts_dns_answer_t *answer,
    u_char *data, size_t len)
{
    u_char  *p;

    if (answer->size < len) {
        return NULL;
    }

    p = answer->buf;

    if (data) {
        ngx_memcpy(p, data, len);
    }

    answer->buf += len;
    answer->size -= len;

    return p;
}


/*
 * Reads a name at *off into name (lowercase, dotted, no trailing dot; the
 * root is empty), moving *off past it.  A compression pointer must point
 * before the labels it continues, so that a chain of them always ends;
 * at most 16 of them; reserved label types (01, 10) are refused; the name
 * must fit 255 octets on the wire.  Returns NULL or why the name is bad.
 */

const char *
ngx_http_mta_sts_dns_name(u_char *packet, size_t len, size_t *off,
    u_char *name, size_t *nlen)
{
    u_char      c;
    size_t      pos, start, wire, n, i, target;
    ngx_uint_t  jumped, ptrs;

    pos = *off;
    start = pos;
    wire = 1;
    n = 0;
    jumped = 0;
    ptrs = 0;

    for ( ;; ) {

        if (pos >= len) {
            return "a name runs past the end";
        }

        c = packet[pos];

        if (c == 0) {
            if (!jumped) {
                *off = pos + 1;
            }

            break;
        }

        switch (c & 0xc0) {

        case 0xc0:
            if (pos + 1 >= len) {
                return "a compression pointer runs past the end";
            }

            target = ((size_t) (c & 0x3f) << 8) | packet[pos + 1];

            if (target >= start) {
                return "a compression pointer that does not point back";
            }

            if (++ptrs > NGX_HTTP_MTA_STS_DNS_PTR_MAX) {
                return "more than 16 compression pointers in a name";
            }

            if (!jumped) {
                *off = pos + 2;
                jumped = 1;
            }

            pos = target;
            start = target;
            continue;

        case 0x40:
        case 0x80:
            return "a reserved label type";
        }

        if (pos + 1 + c > len) {
            return "a label runs past the end";
        }

        wire += 1 + c;

        if (wire > 255) {
            return "a name longer than 255 octets";
        }

        if (n) {
            name[n++] = '.';
        }

        for (i = 0; i < c; i++) {
            if (packet[pos + 1 + i] == '.') {
                return "a label with a dot in it";
            }

            name[n++] = ngx_tolower(packet[pos + 1 + i]);
        }

        pos += 1 + c;
    }

    *nlen = n;

    return NULL;
}


static ngx_uint_t
ngx_http_mta_sts_dns_same(u_char *a, size_t alen, u_char *b, size_t blen)
{
    size_t  i;

    if (alen != blen) {
        return 0;
    }

    for (i = 0; i < alen; i++) {
        if (ngx_tolower(a[i]) != ngx_tolower(b[i])) {
            return 0;
        }
    }

    return 1;
}


/*
 * The _mta-sts TXT records of an answer (RFC 8461, section 3.1): those
 * not beginning with "v=STSv1" are discarded; exactly one must be left,
 * and valid.  "v=STSv1 ;" is kept and flagged (erratum 6285: senders
 * that read the prose to the letter discard it).
 */

void
ngx_http_mta_sts_dns_sts(ngx_http_mta_sts_dns_answer_t *answer,
    ngx_http_mta_sts_dns_txt_t *txt)
{
    ngx_http_mta_sts_dns_txt(answer, txt, 1);
}


/* the _smtp._tls TXT records (RFC 8460, section 3), the same way */

void
ngx_http_mta_sts_dns_tlsrpt(ngx_http_mta_sts_dns_answer_t *answer,
    ngx_http_mta_sts_dns_txt_t *txt)
{
    ngx_http_mta_sts_dns_txt(answer, txt, 0);
}


ngx_int_t
ngx_http_mta_sts_dns_sts_record(u_char *p, size_t len,
    ngx_http_mta_sts_dns_txt_t *txt)
{
    return ngx_http_mta_sts_dns_record(p, len, "v=STSv1", 1, txt);
}


ngx_int_t
ngx_http_mta_sts_dns_tlsrpt_record(u_char *p, size_t len,
    ngx_http_mta_sts_dns_txt_t *txt)
{
    return ngx_http_mta_sts_dns_record(p, len, "v=TLSRPTv1", 0, txt);
}


static void
ngx_http_mta_sts_dns_txt(ngx_http_mta_sts_dns_answer_t *answer,
    ngx_http_mta_sts_dns_txt_t *txt, ngx_uint_t is_sts)
{
    ngx_int_t                   rc;
    ngx_uint_t                  i, found;
    ngx_http_mta_sts_dns_txt_t  one;

    ngx_memzero(txt, sizeof(ngx_http_mta_sts_dns_txt_t));

    found = 0;

    for (i = 0; i < answer->nrr; i++) {
        rc = ngx_http_mta_sts_dns_record(answer->rr[i].data.data,
                                         answer->rr[i].data.len,
                                         is_sts ? "v=STSv1" : "v=TLSRPTv1",
                                         is_sts, &one);
        if (rc == NGX_DECLINED) {
            continue;
        }

        if (found++ == 0) {
            *txt = one;
            txt->status = (rc == NGX_OK) ? NGX_HTTP_MTA_STS_DNS_TXT_VALID
                                         : NGX_HTTP_MTA_STS_DNS_TXT_INVALID;
        }
    }

    if (found > 1) {
        txt->status = NGX_HTTP_MTA_STS_DNS_TXT_MANY;
    }
}


/*
 * One record (RFC 8461, section 3.1; RFC 8460, section 3):
 *
 *     record    = version 1*(delim field) [delim]
 *     delim     = *WSP ";" *WSP
 *     field     = name "=" value
 *     name      = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *     value     = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * with "id=" 1*32(ALPHA / DIGIT) required in _mta-sts and "rua=" a list
 * of mailto: and https: URIs required in _smtp._tls; for a field given
 * twice, the first counts.  Returns NGX_DECLINED when the record does not
 * begin with the version, NGX_OK when valid, NGX_ERROR with txt->error.
 */

static ngx_int_t
ngx_http_mta_sts_dns_record(u_char *p, size_t len, const char *version,
    ngx_uint_t is_sts, ngx_http_mta_sts_dns_txt_t *txt)
{
    u_char      *last, *name, *value;
    size_t       vlen, nlen, n;
    ngx_uint_t   first, wsp, fields, got;
    const char  *err;

    ngx_memzero(txt, sizeof(ngx_http_mta_sts_dns_txt_t));

    txt->record.data = p;
    txt->record.len = len;

    last = p + len;
    vlen = ngx_strlen(version);

    if (len < vlen || ngx_memcmp(p, version, vlen) != 0
        || (len > vlen && p[vlen] != ';' && p[vlen] != ' '
            && p[vlen] != '\t'))
    {
        return NGX_DECLINED;
    }

    p += vlen;
    first = 1;
    fields = 0;
    got = 0;

    for ( ;; ) {

        /* a delimiter, or the end */

        wsp = 0;

        while (p < last && (*p == ' ' || *p == '\t')) {
            p++;
            wsp = 1;
        }

        if (p == last) {
            if (wsp && fields) {
                txt->error = "white space at the end";
                return NGX_ERROR;
            }

            break;
        }

        if (*p != ';') {
            txt->error = first ? "the version is not followed by \";\""
                               : "fields must be separated by \";\"";
            return NGX_ERROR;
        }

        if (first && wsp) {
            txt->flags |= NGX_HTTP_MTA_STS_DNS_SPACE_SEMI;
        }

        first = 0;
        p++;

        while (p < last && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p == last) {
            break;
        }

        /* a field */

        name = p;

        while (p < last
               && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
                   || (*p >= '0' && *p <= '9')
                   || (p > name && (*p == '_' || *p == '-' || *p == '.'))))
        {
            p++;
        }

        nlen = p - name;

        if (nlen == 0 || nlen > 32 || p == last || *p != '=') {
            txt->error = "a field is not name=value";
            return NGX_ERROR;
        }

        p++;
        value = p;

        if (!is_sts && nlen == 3 && ngx_memcmp(name, "rua", 3) == 0) {

            /* URIs may be separated by white space around commas */

            while (p < last && *p != ';') {
                p++;
            }

            while (p > value && (p[-1] == ' ' || p[-1] == '\t')) {
                p--;
            }

            if (!got) {
                err = ngx_http_mta_sts_dns_rua(value, p, txt);
                if (err) {
                    txt->error = err;
                    return NGX_ERROR;
                }

                txt->rua.data = value;
                txt->rua.len = p - value;
                got = 1;
            }

            fields++;
            continue;
        }

        while (p < last && *p >= 0x21 && *p <= 0x7e && *p != ';'
               && *p != '=')
        {
            p++;
        }

        if (p == value) {
            txt->error = "a field has an empty value";
            return NGX_ERROR;
        }

        if (p < last && *p == '=') {
            txt->error = "a value has \"=\" in it";
            return NGX_ERROR;
        }

        if (p < last && *p != ';' && *p != ' ' && *p != '\t') {
            txt->error = "a value has a character outside printable ASCII";
            return NGX_ERROR;
        }

        if (is_sts && nlen == 2 && ngx_memcmp(name, "id", 2) == 0 && !got) {
            n = p - value;

            if (n > 32) {
                txt->error = "the id is longer than 32 characters";
                return NGX_ERROR;
            }

            for (n = 0; value + n < p; n++) {
                if (!((value[n] >= 'a' && value[n] <= 'z')
                      || (value[n] >= 'A' && value[n] <= 'Z')
                      || (value[n] >= '0' && value[n] <= '9')))
                {
                    txt->error = "the id has characters other than letters"
                                 " and digits";
                    return NGX_ERROR;
                }
            }

            txt->id.data = value;
            txt->id.len = p - value;
            got = 1;
        }

        fields++;
    }

    if (!got) {
        txt->error = is_sts ? "there is no id" : "there is no rua";
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * rua (RFC 8460, section 3): URIs separated by commas, each mailto: or
 * https:, with ",", "!" and ";" percent-encoded inside.
 */

static const char *
ngx_http_mta_sts_dns_rua(u_char *p, u_char *last,
    ngx_http_mta_sts_dns_txt_t *txt)
{
    u_char  *uri;

    if (p == last) {
        return "rua is empty";
    }

    for ( ;; ) {
        while (p < last && (*p == ' ' || *p == '\t')) {
            p++;
        }

        uri = p;

        while (p < last && *p != ',' && *p != ' ' && *p != '\t') {
            if (*p < 0x21 || *p > 0x7e || *p == '!') {
                return "a rua URI has a character that must be"
                       " percent-encoded";
            }

            p++;
        }

        if (p - uri > 7 && ngx_tolower(uri[0]) == 'm'
            && ngx_tolower(uri[1]) == 'a' && ngx_tolower(uri[2]) == 'i'
            && ngx_tolower(uri[3]) == 'l' && ngx_tolower(uri[4]) == 't'
            && ngx_tolower(uri[5]) == 'o' && uri[6] == ':')
        {
            txt->flags |= NGX_HTTP_MTA_STS_DNS_RUA_MAILTO;

        } else if (p - uri > 8 && ngx_tolower(uri[0]) == 'h'
                   && ngx_tolower(uri[1]) == 't'
                   && ngx_tolower(uri[2]) == 't'
                   && ngx_tolower(uri[3]) == 'p'
                   && ngx_tolower(uri[4]) == 's' && uri[5] == ':'
                   && uri[6] == '/' && uri[7] == '/')
        {
            txt->flags |= NGX_HTTP_MTA_STS_DNS_RUA_HTTPS;

        } else {
            return "a rua URI is neither mailto: nor https://";
        }

        while (p < last && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p == last) {
            return NULL;
        }

        if (*p != ',') {
            return "rua URIs must be separated by \",\"";
        }

        p++;
    }
}


/*
 * The host of the next https: URI of a valid rua value from *pos on
 * (RFC 8460, section 3; the authority of RFC 3986, section 3.2, without
 * userinfo, port and a final dot); NGX_DONE when there is none left
 */

ngx_int_t
ngx_http_mta_sts_dns_rua_https(ngx_str_t *rua, size_t *pos, ngx_str_t *host)
{
    u_char  *p, *last, *uri, *end, *h, *at;

    p = rua->data + *pos;
    last = rua->data + rua->len;

    while (p < last) {
        while (p < last && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        uri = p;

        while (p < last && *p != ',' && *p != ' ' && *p != '\t') {
            p++;
        }

        end = p;

        if (end - uri <= 8 || ngx_tolower(uri[0]) != 'h'
            || ngx_tolower(uri[1]) != 't' || ngx_tolower(uri[2]) != 't'
            || ngx_tolower(uri[3]) != 'p' || ngx_tolower(uri[4]) != 's'
            || uri[5] != ':' || uri[6] != '/' || uri[7] != '/')
        {
            continue;
        }

        h = uri + 8;
        at = NULL;

        for (p = h; p < end && *p != '/' && *p != '?' && *p != '#'; p++) {
            if (*p == '@') {
                at = p;
            }
        }

        end = p;

        if (at) {
            h = at + 1;
        }

        p = h;

        if (h < end && *h == '[') {
            while (p < end && *p != ']') {
                p++;
            }

            if (p < end) {
                p++;
            }

        } else {
            while (p < end && *p != ':') {
                p++;
            }
        }

        if (p > h && p[-1] == '.') {
            p--;
        }

        *pos = end - rua->data;

        host->data = h;
        host->len = p - h;

        return NGX_OK;
    }

    *pos = rua->len;

    return NGX_DONE;
}


/*
 * The MX records of an answer against the policy's patterns (RFC 8461,
 * section 4.1): every MX host must match one, as a backup MX is tried
 * only when the primary fails (section 8.4).  A single MX of preference
 * 0 and host "." is a null MX (RFC 7505).  *host is the first host
 * matched by no pattern.
 */

ngx_uint_t
ngx_http_mta_sts_dns_mx(ngx_http_mta_sts_dns_answer_t *answer,
    ngx_http_mta_sts_policy_t *policy, ngx_str_t *host, ngx_uint_t *uncovered)
{
    u_char                     *p, *last;
    ngx_str_t                   pattern;
    ngx_uint_t                  i, v, found;
    ngx_http_mta_sts_dns_rr_t  *rr;

    *uncovered = 0;

    if (answer->nrr == 0) {
        return NGX_HTTP_MTA_STS_DNS_MX_NONE;
    }

    if (answer->nrr == 1 && answer->rr[0].data.len == 0
        && answer->rr[0].pref == 0)
    {
        return NGX_HTTP_MTA_STS_DNS_MX_NULL;
    }

    for (i = 0; i < answer->nrr; i++) {
        rr = &answer->rr[i];
        found = 0;

        for (v = 0; v < policy->nmx && !found; v++) {
            p = policy->mx[v].data;
            last = p + policy->mx[v].len;

            while (p < last && !found) {
                while (p < last && (*p == ' ' || *p == '\t' || *p == CR
                                    || *p == LF))
                {
                    p++;
                }

                pattern.data = p;

                while (p < last && *p != ' ' && *p != '\t' && *p != CR
                       && *p != LF)
                {
                    p++;
                }

                pattern.len = p - pattern.data;

                if (pattern.len
                    && ngx_http_mta_sts_mx_match(&pattern, rr->data.data,
                                                 rr->data.len))
                {
                    found = 1;
                }
            }
        }

        if (!found && (*uncovered)++ == 0) {
            *host = rr->data;
        }
    }

    return *uncovered ? NGX_HTTP_MTA_STS_DNS_MX_UNCOVERED
                      : NGX_HTTP_MTA_STS_DNS_MX_COVERED;
}
