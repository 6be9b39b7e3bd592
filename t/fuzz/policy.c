
/*
 * Copyright (C) The ngx_http_mta_sts_module authors
 */


/*
 * A libFuzzer target for src/ngx_http_mta_sts_policy.c: mx_check(),
 * mx_equal(), mode_value(), policy_check() and policy_render().
 *
 * The input (and every file of t/fuzz/corpus/) is
 *
 *     MODE [MAX_AGE] [SEP VALUE *("|" VALUE)]
 *
 *   MODE     one byte; byte % 3 picks the mode: '0' none, '1' testing,
 *            '2' enforce ("off" never reaches policy_check(): the module
 *            declines first);
 *   MAX_AGE  up to 10 ASCII digits, taken modulo 31557601 (no digits: 0),
 *            as the module only passes 0..31557600;
 *   SEP      any one byte (write "|"), skipped; without it, no mx values;
 *   VALUE    an mx value, any bytes but "|": patterns separated by white
 *            space (SP, HT, CR, LF), as variables give them.  A VALUE of
 *            exactly "=" and a digit d, d less than its own index, is the
 *            same string as value d (one variable given twice).
 *
 * e.g. "2604800|mail.example.com *.Example.NET|=0" is mode enforce,
 * max_age 604800, and three mx values, the last the same as the first.
 *
 * Checks, abort() on any failure:
 *
 *   - every white-space separated token of every value, and every raw
 *     value: mx_check() and pattern_valid() below, written from scratch,
 *     accept and reject the same patterns, with the same flags;
 *   - mx_equal() of neighbouring tokens against a case-insensitive compare;
 *   - mode_value() of the first value against the four mode names;
 *   - policy_check() against a model: the first invalid pattern (the same
 *     pointer), no mx for testing/enforce, the distinct patterns counted
 *     case-insensitively, the size, more than 64000 bytes;
 *   - an accepted policy is rendered into a malloc() of exactly
 *     policy.size bytes (ASan catches an overrun), the render must end
 *     exactly there, and a strict parser below must accept the body and
 *     give back the mode, max_age and the distinct patterns lowercased,
 *     in order of first occurrence;
 *   - at start-up, the parser accepts a good body and rejects a table of
 *     bad ones, so that it is known to check something.
 *
 * The strict parser follows RFC 8461, section 3.2, and the body that all
 * real senders accept (our docs/mta-sts.md): only printable ASCII, every
 * line "key: value" ending in CRLF, no empty lines, no trailing spaces,
 * "version: STSv1" first and once, one mode (enforce, testing or none),
 * mx lines (at least one unless the mode is none), each a lowercase valid
 * pattern, none twice, one max_age of canonical digits 0..31557600, no
 * other keys, at most 64000 bytes.  Like RFC 8461, and unlike the safest
 * body of docs/mta-sts.md, it allows mode none without mx and a max_age
 * under 86400, as the module does.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http_mta_sts_policy.h>

#include <stdio.h>
#include <stdint.h>


#define FUZZ_MAX_AGE_MAX   31557600
#define FUZZ_BODY_MAX      64000
#define FUZZ_FLAG_WILD     0x01
#define FUZZ_FLAG_TLD      0x02


typedef struct {
    u_char       *data;
    size_t        len;
} fuzz_str_t;


typedef struct {
    ngx_uint_t    mode;
    long          max_age;
    fuzz_str_t   *mx;
    size_t        nmx;
    size_t        cap;
} fuzz_parsed_t;


int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_fail(const char *what, const u_char *p, size_t len);
static const char *pattern_valid(const u_char *s, size_t len,
    ngx_uint_t *flags);
static void cross_check(u_char *s, size_t len);
static ngx_uint_t same_nocase(const u_char *a, size_t alen, const u_char *b,
    size_t blen);
static int is_space(u_char c);
static size_t decimal_len(long n);
static const char *parse(u_char *body, size_t len, fuzz_parsed_t *out);


static const char  *mode_names[] = { "off", "none", "testing", "enforce" };


#define V   "version: STSv1\r\n"
#define M   "mode: enforce\r\n"
#define X   "mx: mail.example.com\r\n"
#define A   "max_age: 86400\r\n"

/* the parser must reject each of these, or it checks nothing */

static const char  *bad_bodies[] = {
    "",
    M V X A,
    V V M X A,
    V M M X A,
    V M X A A,
    V M A,
    V X A,
    V M X,
    V M X "max_age: 31557601\r\n",
    V M X "max_age: 086400\r\n",
    V M X "max_age: 8640x\r\n",
    V M X "max_age: \r\n",
    V "mode: Enforce\r\n" X A,
    V "mode: off\r\n" X A,
    V M "mx: Mail.example.com\r\n" A,
    V M X X A,
    V M "mx: mail.example.com.\r\n" A,
    V M "mx: *.*.example.com\r\n" A,
    V M "mx: 192.0.2.1\r\n" A,
    V M "mx: localhost\r\n" A,
    V M "mx: m\xc3\xa4il.example.com\r\n" A,
    V M X "nmx: a.example.com\r\n" A,
    V M X "\r\n" A,
    V M X A "\r\n",
    V M X "max_age: 86400 \r\n",
    V M X "max_age:86400\r\n",
    V M X "max_age:  86400\r\n",
    V M X " max_age: 86400\r\n",
    V M X "max_age : 86400\r\n",
    V M X "max_age: 86400\n",
    V M X "max_age: 86400\r",
    V M X "max_age: 86400",
    V M "mx: mail.example.com\rmx: a.example.com\r\n" A,
    V M "mx: mail.example.com\tx\r\n" A,
    "version: STSv2\r\n" M X A,
    NULL
};


/* the parser accepts a good body and rejects every one of bad_bodies[] */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    u_char          body[256];
    size_t          len;
    fuzz_str_t      mx[4];
    ngx_uint_t      i;
    fuzz_parsed_t   parsed;

    parsed.mx = mx;
    parsed.cap = 4;

    len = sizeof(V M X "mx: *.example.net\r\n" A) - 1;
    memcpy(body, V M X "mx: *.example.net\r\n" A, len);

    if (parse(body, len, &parsed) != NULL
        || parsed.mode != NGX_HTTP_MTA_STS_ENFORCE || parsed.max_age != 86400
        || parsed.nmx != 2 || parsed.mx[1].len != 13)
    {
        fuzz_fail("the parser rejects a good body", body, len);
    }

    for (i = 0; bad_bodies[i]; i++) {
        len = strlen(bad_bodies[i]);
        memcpy(body, bad_bodies[i], len);

        if (parse(body, len, &parsed) == NULL) {
            fuzz_fail("the parser accepts a bad body", body, len);
        }
    }

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                     *in, *p, *last, *body, *end;
    char                       *reason;
    size_t                      i, j, n, nvalues, ntokens, ndistinct;
    size_t                      expect_size, first_bad;
    uint64_t                    age;
    ngx_int_t                   rc, expect_rc, mode;
    ngx_str_t                  *values, bad;
    ngx_uint_t                  k, flags, too_large;
    fuzz_str_t                 *tokens, *distinct;
    fuzz_parsed_t               parsed;
    ngx_http_mta_sts_policy_t   policy;

    if (size == 0) {
        return 0;
    }

    /* a copy of exactly the input, so that ASan sees reads past a value */

    in = malloc(size);
    if (in == NULL) {
        return 0;
    }

    memcpy(in, data, size);

    p = in;
    last = in + size;

    policy.mode = NGX_HTTP_MTA_STS_NONE + *p++ % 3;

    age = 0;

    for (i = 0; i < 10 && p < last && *p >= '0' && *p <= '9'; i++, p++) {
        age = age * 10 + (*p - '0');
    }

    policy.max_age = (time_t) (age % (FUZZ_MAX_AGE_MAX + 1));

    /* the values */

    nvalues = 0;

    if (p < last) {
        p++;                                      /* the separator */
        nvalues = 1;

        for (end = p; end < last; end++) {
            if (*end == '|') {
                nvalues++;
            }
        }
    }

    tokens = NULL;
    distinct = NULL;
    values = malloc((nvalues ? nvalues : 1) * sizeof(ngx_str_t));
    parsed.cap = FUZZ_BODY_MAX / sizeof("mx: a.b\r\n") + 1;
    parsed.mx = malloc(parsed.cap * sizeof(fuzz_str_t));

    if (values == NULL || parsed.mx == NULL) {
        goto done;
    }

    n = 0;

    for (i = 0; i < nvalues; i++) {
        end = p;

        while (end < last && *end != '|') {
            end++;
        }

        values[i].data = p;
        values[i].len = end - p;

        if (values[i].len == 2 && p[0] == '='
            && p[1] >= '0' && p[1] <= '9' && (size_t) (p[1] - '0') < i)
        {
            values[i] = values[p[1] - '0'];
        }

        n += values[i].len;
        p = end + 1;
    }

    /* aliases repeat tokens: at most one token a byte of all the values */

    tokens = malloc((n + 1) * sizeof(fuzz_str_t));
    distinct = malloc((n + 1) * sizeof(fuzz_str_t));

    if (tokens == NULL || distinct == NULL) {
        goto done;
    }

    policy.mx = values;
    policy.nmx = nvalues;

    /* tokens, and the checks of single patterns */

    ntokens = 0;

    for (i = 0; i < nvalues; i++) {
        p = values[i].data;
        end = p + values[i].len;

        cross_check(p, values[i].len);

        while (p < end) {
            if (is_space(*p)) {
                p++;
                continue;
            }

            tokens[ntokens].data = p;

            while (p < end && !is_space(*p)) {
                p++;
            }

            tokens[ntokens].len = p - tokens[ntokens].data;
            cross_check(tokens[ntokens].data, tokens[ntokens].len);
            ntokens++;
        }
    }

    for (i = 1; i < ntokens; i++) {
        ngx_str_t  a, b;

        a.data = tokens[i - 1].data;
        a.len = tokens[i - 1].len;
        b.data = tokens[i].data;
        b.len = tokens[i].len;

        if (ngx_http_mta_sts_mx_equal(&a, &b)
            != same_nocase(a.data, a.len, b.data, b.len))
        {
            fuzz_fail("mx_equal() disagrees", a.data, a.len);
        }
    }

    if (nvalues) {
        mode = ngx_http_mta_sts_mode_value(values[0].data, values[0].len);

        for (k = 0; k < 4; k++) {
            n = strlen(mode_names[k]);

            if (values[0].len == n
                && memcmp(values[0].data, mode_names[k], n) == 0)
            {
                break;
            }
        }

        if (mode != (k < 4 ? (ngx_int_t) k : NGX_ERROR)) {
            fuzz_fail("mode_value() is wrong", values[0].data,
                      values[0].len);
        }
    }

    /*
     * the model of policy_check(): patterns in order, the first invalid
     * one stops it, and so does the first that takes the body past 64000
     */

    first_bad = ntokens;
    ndistinct = 0;
    too_large = 0;

    expect_size = sizeof("version: STSv1\r\n") - 1
                  + sizeof("mode: \r\n") - 1
                  + strlen(mode_names[policy.mode])
                  + sizeof("max_age: \r\n") - 1
                  + decimal_len((long) policy.max_age);

    for (i = 0; i < ntokens && !too_large; i++) {
        if (pattern_valid(tokens[i].data, tokens[i].len, &flags) != NULL) {
            first_bad = i;
            break;
        }

        for (j = 0; j < ndistinct; j++) {
            if (same_nocase(distinct[j].data, distinct[j].len,
                            tokens[i].data, tokens[i].len))
            {
                break;
            }
        }

        if (j == ndistinct) {
            distinct[ndistinct++] = tokens[i];
            expect_size += sizeof("mx: \r\n") - 1 + tokens[i].len;
            too_large = (expect_size > FUZZ_BODY_MAX);
        }
    }

    if (first_bad < ntokens) {
        expect_rc = NGX_HTTP_MTA_STS_MX_INVALID;

    } else if (too_large || expect_size > FUZZ_BODY_MAX) {
        expect_rc = NGX_HTTP_MTA_STS_TOO_LARGE;

    } else if (ndistinct == 0 && policy.mode != NGX_HTTP_MTA_STS_NONE) {
        expect_rc = NGX_HTTP_MTA_STS_MX_MISSING;

    } else {
        expect_rc = NGX_OK;
    }

    reason = NULL;
    bad.data = NULL;
    bad.len = 0;

    rc = ngx_http_mta_sts_policy_check(&policy, &bad, &reason);

    if (rc != expect_rc) {
        fprintf(stderr, "policy_check(): %d, expected %d\n",
                (int) rc, (int) expect_rc);
        fuzz_fail("policy_check() returns the wrong code", in, size);
    }

    if (rc == NGX_HTTP_MTA_STS_MX_INVALID) {
        if (bad.data != tokens[first_bad].data
            || bad.len != tokens[first_bad].len || reason == NULL)
        {
            fuzz_fail("policy_check() names the wrong pattern",
                      bad.data, bad.len);
        }

        goto done;
    }

    if (policy.patterns != ndistinct || policy.size != expect_size) {
        fprintf(stderr, "patterns %zu, expected %zu; size %zu, "
                "expected %zu\n", (size_t) policy.patterns, ndistinct,
                policy.size, expect_size);
        fuzz_fail("policy_check() counts wrong", in, size);
    }

    if (rc != NGX_OK) {
        goto done;
    }

    /* render into exactly policy.size bytes, then parse it back */

    body = malloc(policy.size);
    if (body == NULL) {
        goto done;
    }

    end = ngx_http_mta_sts_policy_render(body, &policy);

    if ((size_t) (end - body) != policy.size) {
        fprintf(stderr, "render wrote %zd bytes, policy.size is %zu\n",
                (ssize_t) (end - body), policy.size);
        fuzz_fail("render does not fill policy.size", body, policy.size);
    }

    reason = (char *) parse(body, policy.size, &parsed);

    if (reason) {
        fuzz_fail(reason, body, policy.size);
    }

    if (parsed.mode != policy.mode) {
        fuzz_fail("the body has the wrong mode", body, policy.size);
    }

    if (parsed.max_age != (long) policy.max_age) {
        fuzz_fail("the body has the wrong max_age", body, policy.size);
    }

    if (parsed.nmx != ndistinct) {
        fuzz_fail("the body has the wrong number of mx", body, policy.size);
    }

    for (j = 0; j < ndistinct; j++) {
        if (parsed.mx[j].len != distinct[j].len) {
            fuzz_fail("the body has a wrong mx", body, policy.size);
        }

        for (n = 0; n < distinct[j].len; n++) {
            u_char  c = distinct[j].data[n];

            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }

            if (parsed.mx[j].data[n] != c) {
                fuzz_fail("the body has a wrong mx", body, policy.size);
            }
        }
    }

    free(body);

done:

    free(parsed.mx);
    free(distinct);
    free(tokens);
    free(values);
    free(in);

    return 0;
}


static void
fuzz_fail(const char *what, const u_char *p, size_t len)
{
    size_t  i;

    fprintf(stderr, "fuzz: %s: \"", what);

    for (i = 0; p && i < len && i < 4096; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\') {
            fputc(p[i], stderr);

        } else {
            fprintf(stderr, "\\x%02x", p[i]);
        }
    }

    fprintf(stderr, "\"%s\n", i < len ? "..." : "");

    abort();
}


/*
 * mx_check() and pattern_valid() must agree on every pattern and, on a
 * valid one, on the flags.
 */

static void
cross_check(u_char *s, size_t len)
{
    char        *reason;
    const char  *why;
    ngx_uint_t   flags, mine;

    reason = ngx_http_mta_sts_mx_check(s, len, &flags);
    why = pattern_valid(s, len, &mine);

    if ((reason == NULL) != (why == NULL)) {
        fprintf(stderr, "mx_check(): %s; pattern_valid(): %s\n",
                reason ? reason : "valid", why ? why : "valid");
        fuzz_fail("mx_check() and the parser disagree", s, len);
    }

    if (reason == NULL
        && (((flags & NGX_HTTP_MTA_STS_MX_WILDCARD) != 0)
               != ((mine & FUZZ_FLAG_WILD) != 0)
            || ((flags & NGX_HTTP_MTA_STS_MX_TLD) != 0)
               != ((mine & FUZZ_FLAG_TLD) != 0)))
    {
        fprintf(stderr, "flags 0x%x, expected 0x%x\n",
                (unsigned) flags, (unsigned) mine);
        fuzz_fail("mx_check() sets the wrong flags", s, len);
    }
}


/*
 * An mx pattern, from scratch: split on dots, each label LDH of 1 to 63
 * characters, not beginning or ending with a hyphen; "*" only as the whole
 * left-most label; at least two labels, the "*" counted ("*.com" is valid,
 * a wildcard over a top-level domain); at most 253 characters in all; no
 * trailing dot (an empty last label); the top label not all digits (an IP
 * address).  Flags: a wildcard; a wildcard over a top-level domain.
 */

static const char *
pattern_valid(const u_char *s, size_t len, ngx_uint_t *flags)
{
    u_char      c;
    size_t      start, end, i, labels, digits;
    ngx_uint_t  wildcard;

    *flags = 0;

    if (len == 0) {
        return "empty";
    }

    if (len > 253) {
        return "longer than 253";
    }

    start = 0;
    labels = 0;
    wildcard = 0;

    for ( ;; ) {
        for (end = start; end < len && s[end] != '.'; end++) {
            /* void */
        }

        if (end == start) {
            return "an empty label";
        }

        if (start == 0 && end == 1 && s[0] == '*' && end < len) {
            wildcard = 1;

        } else {
            if (end - start > 63) {
                return "a label longer than 63";
            }

            if (s[start] == '-' || s[end - 1] == '-') {
                return "a hyphen at a label edge";
            }

            digits = 0;

            for (i = start; i < end; i++) {
                c = s[i];

                if (c >= '0' && c <= '9') {
                    digits++;

                } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                             || c == '-'))
                {
                    return "not LDH";
                }
            }

            if (end == len && digits == end - start) {
                return "an all-digit top label";
            }
        }

        labels++;

        if (end == len) {
            break;
        }

        start = end + 1;
    }

    if (labels < 2) {
        return "one label";
    }

    if (wildcard) {
        *flags |= FUZZ_FLAG_WILD;

        if (labels == 2) {
            *flags |= FUZZ_FLAG_TLD;
        }
    }

    return NULL;
}


static ngx_uint_t
same_nocase(const u_char *a, size_t alen, const u_char *b, size_t blen)
{
    size_t  i;
    u_char  x, y;

    if (alen != blen) {
        return 0;
    }

    for (i = 0; i < alen; i++) {
        x = a[i];
        y = b[i];

        if (x >= 'A' && x <= 'Z') {
            x += 'a' - 'A';
        }

        if (y >= 'A' && y <= 'Z') {
            y += 'a' - 'A';
        }

        if (x != y) {
            return 0;
        }
    }

    return 1;
}


static int
is_space(u_char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}


static size_t
decimal_len(long n)
{
    char  buf[32];

    return (size_t) snprintf(buf, sizeof(buf), "%ld", n);
}


/*
 * The strict parser: NULL when the body is a policy that every sender
 * accepts, filling "out"; otherwise what is wrong.
 */

static const char *
parse(u_char *body, size_t len, fuzz_parsed_t *out)
{
    u_char      *p, *last, *line, *eol, *colon, *v;
    size_t       i, j, n, vlen, nlines;
    ngx_uint_t   flags;

    out->mode = 0;
    out->max_age = -1;
    out->nmx = 0;

    if (len > FUZZ_BODY_MAX) {
        return "the body is larger than 64000 bytes";
    }

    for (i = 0; i < len; i++) {
        if (body[i] >= 0x7f
            || (body[i] < 0x20 && body[i] != '\r' && body[i] != '\n'))
        {
            return "a byte that is not printable ASCII";
        }
    }

    p = body;
    last = body + len;
    nlines = 0;

    while (p < last) {
        line = p;

        for (eol = p; eol < last && *eol != '\r' && *eol != '\n'; eol++) {
            /* void */
        }

        if (eol == last) {
            return "the last line does not end in CRLF";
        }

        if (*eol == '\n') {
            return "a line ends in a bare LF";
        }

        if (eol + 1 == last || eol[1] != '\n') {
            return "a bare CR";
        }

        p = eol + 2;
        nlines++;

        if (eol == line) {
            return "an empty line";
        }

        if (eol[-1] == ' ') {
            return "a trailing space";
        }

        for (colon = line; colon < eol && *colon != ':'; colon++) {
            /* void */
        }

        if (colon == eol || colon == line) {
            return "a line that is not \"key: value\"";
        }

        if (colon + 1 == eol || colon[1] != ' ') {
            return "no single space after the colon";
        }

        v = colon + 2;
        vlen = eol - v;

        if (vlen == 0 || memchr(v, ' ', vlen) != NULL) {
            return "a value that is empty or has spaces";
        }

        n = colon - line;

#define KEY(k)  (n == sizeof(k) - 1 && memcmp(line, k, n) == 0)
#define VALUE(s)  (vlen == sizeof(s) - 1 && memcmp(v, s, vlen) == 0)

        if (nlines == 1) {
            if (!KEY("version") || !VALUE("STSv1")) {
                return "the first line is not \"version: STSv1\"";
            }

            continue;
        }

        if (KEY("version")) {
            return "version twice";

        } else if (KEY("mode")) {
            if (out->mode) {
                return "mode twice";
            }

            if (VALUE("enforce")) {
                out->mode = NGX_HTTP_MTA_STS_ENFORCE;

            } else if (VALUE("testing")) {
                out->mode = NGX_HTTP_MTA_STS_TESTING;

            } else if (VALUE("none")) {
                out->mode = NGX_HTTP_MTA_STS_NONE;

            } else {
                return "an unknown mode";
            }

        } else if (KEY("max_age")) {
            if (out->max_age != -1) {
                return "max_age twice";
            }

            if (vlen > 8 || (vlen > 1 && v[0] == '0')) {
                return "max_age is not canonical digits up to 31557600";
            }

            out->max_age = 0;

            for (i = 0; i < vlen; i++) {
                if (v[i] < '0' || v[i] > '9') {
                    return "max_age is not digits";
                }

                out->max_age = out->max_age * 10 + (v[i] - '0');
            }

            if (out->max_age > FUZZ_MAX_AGE_MAX) {
                return "max_age is more than 31557600";
            }

        } else if (KEY("mx")) {
            for (i = 0; i < vlen; i++) {
                if (v[i] >= 'A' && v[i] <= 'Z') {
                    return "an mx is not lowercase";
                }
            }

            if (pattern_valid(v, vlen, &flags) != NULL) {
                return "an mx is not a valid pattern";
            }

            for (j = 0; j < out->nmx; j++) {
                if (out->mx[j].len == vlen
                    && memcmp(out->mx[j].data, v, vlen) == 0)
                {
                    return "an mx twice";
                }
            }

            if (out->nmx == out->cap) {
                return "more mx lines than fit in 64000 bytes";
            }

            out->mx[out->nmx].data = v;
            out->mx[out->nmx].len = vlen;
            out->nmx++;

        } else {
            return "an unknown key";
        }

#undef KEY
#undef VALUE
    }

    if (nlines == 0) {
        return "the body is empty";
    }

    if (out->mode == 0) {
        return "no mode";
    }

    if (out->max_age == -1) {
        return "no max_age";
    }

    if (out->nmx == 0 && out->mode != NGX_HTTP_MTA_STS_NONE) {
        return "no mx for testing or enforce";
    }

    return NULL;
}
