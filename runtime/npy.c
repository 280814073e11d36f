/* npy.c: .npy and raw float32 files for the standalone binaries.
**
** A .npy file is the magic "\x93NUMPY", a version (1.0, 2.0 or 3.0), a
** little-endian header length (2 bytes in 1.0, 4 after), then a Python
** literal dictionary padded with spaces and ending in a newline:
**
**     {'descr': '<f4', 'fortran_order': False, 'shape': (28, 28, 1), }
**
** and the array's bytes. The header is parsed as the small subset of Python
** literals numpy writes (strings, True/False, tuples of integers, with other
** values skipped over only to name them in a message), by a scanner that
** never looks past the header's own length and bounds its nesting, because
** the file is the user's, and this parser is fuzzed. Sizes are checked for
** overflow before they are multiplied.
**
** Values are converted from the file's byte order ('<f4', or '>f4' from a
** big-endian numpy) to the host's by assembling each 32-bit word from its
** bytes, which is right on either kind of host; a little-endian host reading
** a little-endian file copies.
*/
#include "netc/npy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int fail(char *err, size_t errlen, int status, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}

static int host_little_endian(void) {
    const uint32_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

/* n float32 values in the given byte order to host floats. */
static void load_f32(const unsigned char *src, float *dst, size_t n, int big) {
    size_t i;
    if (host_little_endian() == !big) {
        memcpy(dst, src, n * 4);
        return;
    }
    for (i = 0; i < n; i++) {
        const unsigned char *p = src + 4 * i;
        uint32_t u = big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                         : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
        memcpy(&dst[i], &u, 4);
    }
}

/* n host floats to little-endian float32 bytes. */
static void store_f32le(const float *src, unsigned char *dst, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &src[i], 4);
        dst[4 * i] = (unsigned char)u;
        dst[4 * i + 1] = (unsigned char)(u >> 8);
        dst[4 * i + 2] = (unsigned char)(u >> 16);
        dst[4 * i + 3] = (unsigned char)(u >> 24);
    }
}

void netc_shape_text(char *out, size_t cap, int rank, const size_t *dims) {
    size_t o = 0;
    int i;
    if (cap < 8) {
        if (cap)
            out[0] = '\0';
        return;
    }
    out[o++] = '(';
    for (i = 0; i < rank; i++) {
        char num[32];
        int k = sprintf(num, "%s%lu", i ? ", " : "", (unsigned long)dims[i]);
        if (o + (size_t)k + 6 >= cap) {
            memcpy(out + o, ", ...", 5);
            o += 5;
            break;
        }
        memcpy(out + o, num, (size_t)k);
        o += (size_t)k;
    }
    out[o++] = ')';
    out[o] = '\0';
}

/* The product of dims, 0 on overflow of size_t or of its byte size (with
** *ok cleared). */
static size_t product(int rank, const size_t *dims, int *ok) {
    size_t p = 1;
    int i, zero = 0;
    *ok = 1;
    for (i = 0; i < rank; i++)
        if (dims[i] == 0)
            zero = 1;
    if (zero)
        return 0;
    for (i = 0; i < rank; i++) {
        if (p > (SIZE_MAX / 4) / dims[i]) {
            *ok = 0;
            return 0;
        }
        p *= dims[i];
    }
    return p;
}

int netc_npy_is_npy(const unsigned char *buf, size_t len) {
    return len >= 6 && memcmp(buf, "\x93NUMPY", 6) == 0;
}

/*
** The header's dictionary: a scanner over s[0..n).
*/

typedef struct lit {
    const unsigned char *s;
    size_t i, n;
} lit;

enum { MAX_DEPTH = 16 };

static int at(const lit *p) {
    return p->i < p->n ? p->s[p->i] : -1;
}

static void skip_ws(lit *p) {
    while (p->i < p->n) {
        unsigned char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v')
            break;
        p->i++;
    }
}

static int is_word(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '+' || c == '-';
}

/* 'text' or "text", into out (cut to cap - 1 bytes, *cut set). 0 if there
** is no well-formed string here. */
static int read_string(lit *p, char *out, size_t cap, int *cut) {
    size_t o = 0;
    int q;
    skip_ws(p);
    q = at(p);
    *cut = 0;
    if (q != '\'' && q != '"')
        return 0;
    p->i++;
    while (p->i < p->n) {
        int c = p->s[p->i++];
        if (c == q) {
            if (cap)
                out[o] = '\0';
            return 1;
        }
        if (c == '\n')
            return 0;
        if (c == '\\') {
            if (p->i >= p->n)
                return 0;
            c = p->s[p->i++];
        }
        if (o + 1 < cap)
            out[o++] = (char)c;
        else
            *cut = 1;
    }
    return 0;
}

/* Skips one literal: a string, a word (number, True, None...), or a tuple,
** list or dict of them, nested at most MAX_DEPTH deep. */
static int skip_value(lit *p, int depth) {
    char dummy[4];
    int cut, c, close;
    skip_ws(p);
    c = at(p);
    if (c == '\'' || c == '"')
        return read_string(p, dummy, sizeof dummy, &cut);
    if (is_word(c)) {
        while (is_word(at(p)))
            p->i++;
        return 1;
    }
    if (c == '(')
        close = ')';
    else if (c == '[')
        close = ']';
    else if (c == '{')
        close = '}';
    else
        return 0;
    if (depth >= MAX_DEPTH)
        return 0;
    p->i++;
    for (;;) {
        skip_ws(p);
        if (at(p) == close) {
            p->i++;
            return 1;
        }
        if (!skip_value(p, depth + 1))
            return 0;
        if (close == '}') {
            skip_ws(p);
            if (at(p) != ':')
                return 0;
            p->i++;
            if (!skip_value(p, depth + 1))
                return 0;
        }
        skip_ws(p);
        if (at(p) == ',')
            p->i++;
        else if (at(p) != close)
            return 0;
    }
}

/* The text s[from..to) for a message: printable ASCII kept, the rest as
** '?', cut to fit. */
static void excerpt(const lit *p, size_t from, size_t to, char *out, size_t cap) {
    size_t o = 0, i;
    for (i = from; i < to && o + 4 < cap; i++) {
        unsigned char c = p->s[i];
        out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (i < to && cap >= 4) {
        if (o + 4 > cap)
            o = cap - 4;
        memcpy(out + o, "...", 3);
        o += 3;
    }
    if (cap)
        out[o] = '\0';
}

static int parse_descr(lit *p, netc_npy_header *h) {
    size_t from;
    int cut;
    skip_ws(p);
    from = p->i;
    if (at(p) == '\'' || at(p) == '"') {
        if (!read_string(p, h->descr, sizeof h->descr, &cut))
            return 0;
        h->descr_ok = !cut && (strcmp(h->descr, "<f4") == 0 || strcmp(h->descr, ">f4") == 0);
        h->big_endian = h->descr_ok && h->descr[0] == '>';
        return 1;
    }
    /* a structured dtype or some other value: kept only to be named */
    if (!skip_value(p, 1))
        return 0;
    excerpt(p, from, p->i, h->descr, sizeof h->descr);
    return 1;
}

static int parse_bool(lit *p, int *out) {
    skip_ws(p);
    if (p->n - p->i >= 4 && memcmp(p->s + p->i, "True", 4) == 0 && !is_word(p->i + 4 < p->n ? p->s[p->i + 4] : -1)) {
        p->i += 4;
        *out = 1;
        return 1;
    }
    if (p->n - p->i >= 5 && memcmp(p->s + p->i, "False", 5) == 0 && !is_word(p->i + 5 < p->n ? p->s[p->i + 5] : -1)) {
        p->i += 5;
        *out = 0;
        return 1;
    }
    return 0;
}

/* '(' [INT (',' INT)* [',']] ')'; an INT may end in 'L' (Python 2 numpy).
** Returns 0 with a reason in err on failure. */
static int parse_shape(lit *p, netc_npy_header *h, char *err, size_t errlen) {
    skip_ws(p);
    if (at(p) != '(') {
        fail(err, errlen, 0, "malformed .npy header: 'shape' is not a tuple");
        return 0;
    }
    p->i++;
    for (;;) {
        size_t v = 0;
        int digits = 0;
        skip_ws(p);
        if (at(p) == ')') {
            p->i++;
            return 1;
        }
        while (at(p) >= '0' && at(p) <= '9') {
            unsigned d = (unsigned)(at(p) - '0');
            if (v > (SIZE_MAX - d) / 10) {
                fail(err, errlen, 0, "malformed .npy header: a dimension of 'shape' is too large");
                return 0;
            }
            v = v * 10 + d;
            digits++;
            p->i++;
        }
        if (!digits) {
            fail(err, errlen, 0,
                 "malformed .npy header: 'shape' holds something other than non-negative integers");
            return 0;
        }
        if (at(p) == 'L' || at(p) == 'l')
            p->i++;
        if (h->rank >= NETC_NPY_MAX_RANK) {
            fail(err, errlen, 0, "'shape' has more than %d dimensions", NETC_NPY_MAX_RANK);
            return 0;
        }
        h->dims[h->rank++] = v;
        skip_ws(p);
        if (at(p) == ',')
            p->i++;
        else if (at(p) != ')') {
            fail(err, errlen, 0, "malformed .npy header: 'shape' is not a tuple of integers");
            return 0;
        }
    }
}

/* '{' (KEY ':' VALUE ',')* '}' with an optional last comma, then only
** whitespace. */
static int parse_dict(lit *p, netc_npy_header *h, char *err, size_t errlen) {
    int seen_descr = 0, seen_order = 0, seen_shape = 0;
    skip_ws(p);
    if (at(p) != '{')
        return fail(err, errlen, NETC_EDATA, "malformed .npy header: no dictionary");
    p->i++;
    for (;;) {
        char key[32];
        int cut;
        skip_ws(p);
        if (at(p) == '}') {
            p->i++;
            break;
        }
        if (!read_string(p, key, sizeof key, &cut))
            return fail(err, errlen, NETC_EDATA, "malformed .npy header: expected a quoted key");
        skip_ws(p);
        if (at(p) != ':')
            return fail(err, errlen, NETC_EDATA, "malformed .npy header: expected ':' after a key");
        p->i++;
        if (!cut && strcmp(key, "descr") == 0) {
            if (seen_descr++)
                return fail(err, errlen, NETC_EDATA, "malformed .npy header: 'descr' given twice");
            if (!parse_descr(p, h))
                return fail(err, errlen, NETC_EDATA, "malformed .npy header: bad 'descr'");
        } else if (!cut && strcmp(key, "fortran_order") == 0) {
            if (seen_order++)
                return fail(err, errlen, NETC_EDATA,
                            "malformed .npy header: 'fortran_order' given twice");
            if (!parse_bool(p, &h->fortran_order))
                return fail(err, errlen, NETC_EDATA,
                            "malformed .npy header: 'fortran_order' is not True or False");
        } else if (!cut && strcmp(key, "shape") == 0) {
            if (seen_shape++)
                return fail(err, errlen, NETC_EDATA, "malformed .npy header: 'shape' given twice");
            if (!parse_shape(p, h, err, errlen))
                return NETC_EDATA;
        } else {
            char shown[40];
            lit k;
            k.s = (const unsigned char *)key;
            k.i = 0;
            k.n = strlen(key);
            excerpt(&k, 0, k.n, shown, sizeof shown);
            return fail(err, errlen, NETC_EDATA, "malformed .npy header: unexpected key '%s%s'",
                        shown, cut ? "..." : "");
        }
        skip_ws(p);
        if (at(p) == ',')
            p->i++;
        else if (at(p) != '}')
            return fail(err, errlen, NETC_EDATA, "malformed .npy header: expected ',' or '}'");
    }
    skip_ws(p);
    if (p->i != p->n)
        return fail(err, errlen, NETC_EDATA,
                    "malformed .npy header: text after the dictionary");
    if (!seen_descr)
        return fail(err, errlen, NETC_EDATA, "malformed .npy header: no 'descr'");
    if (!seen_order)
        return fail(err, errlen, NETC_EDATA, "malformed .npy header: no 'fortran_order'");
    if (!seen_shape)
        return fail(err, errlen, NETC_EDATA, "malformed .npy header: no 'shape'");
    return NETC_OK;
}

int netc_npy_parse_header(const unsigned char *buf, size_t len, netc_npy_header *h, char *err,
                          size_t errlen) {
    size_t prefix, hlen;
    int ok, st;
    lit p;
    memset(h, 0, sizeof *h);
    if (!netc_npy_is_npy(buf, len))
        return fail(err, errlen, NETC_EDATA, "not a .npy file (no \\x93NUMPY magic)");
    if (len < 10)
        return fail(err, errlen, NETC_EDATA, "truncated .npy header");
    h->major = buf[6];
    h->minor = buf[7];
    if (h->minor != 0 || h->major < 1 || h->major > 3)
        return fail(err, errlen, NETC_EDATA, "unsupported .npy format version %d.%d", h->major,
                    h->minor);
    if (h->major == 1) {
        prefix = 10;
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
    } else {
        if (len < 12)
            return fail(err, errlen, NETC_EDATA, "truncated .npy header");
        prefix = 12;
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
               (size_t)buf[11] << 24;
    }
    if (hlen > NETC_NPY_MAX_HEADER)
        return fail(err, errlen, NETC_EDATA, "the .npy header of %lu bytes is longer than %d",
                    (unsigned long)hlen, NETC_NPY_MAX_HEADER);
    if (hlen > len - prefix)
        return fail(err, errlen, NETC_EDATA,
                    "truncated .npy header: %lu bytes announced, %lu present",
                    (unsigned long)hlen, (unsigned long)(len - prefix));
    h->data_offset = prefix + hlen;
    p.s = buf + prefix;
    p.i = 0;
    p.n = hlen;
    st = parse_dict(&p, h, err, errlen);
    if (st != NETC_OK)
        return st;
    h->count = product(h->rank, h->dims, &ok);
    if (!ok) {
        char sh[128];
        netc_shape_text(sh, sizeof sh, h->rank, h->dims);
        return fail(err, errlen, NETC_EDATA, "shape %s has too many elements", sh);
    }
    return NETC_OK;
}

/* Does a file of shape h fit a network input of shape dims[0..rank)? */
static int shape_fits(const netc_npy_header *h, int rank, const size_t *dims, size_t count) {
    int i;
    if (rank == 3) {
        if (h->rank == 3 || (h->rank == 4 && h->dims[0] == 1)) {
            const size_t *d = h->dims + (h->rank - 3);
            for (i = 0; i < 3; i++)
                if (d[i] != dims[i])
                    return 0;
            return 1;
        }
        return h->rank == 1 && h->dims[0] == count;
    }
    if (h->rank == 1)
        return h->dims[0] == dims[0];
    return h->rank == 2 && h->dims[0] == 1 && h->dims[1] == dims[0];
}

/* "(28, 28, 1), (1, 28, 28, 1) or (784)" */
static void accepted(char *out, size_t cap, int rank, const size_t *dims, size_t count) {
    char a[128], b[128], c[64];
    size_t lead[4];
    int i;
    netc_shape_text(a, sizeof a, rank, dims);
    lead[0] = 1;
    for (i = 0; i < rank && i < 3; i++)
        lead[i + 1] = dims[i];
    netc_shape_text(b, sizeof b, rank + 1, lead);
    if (rank == 3) {
        netc_shape_text(c, sizeof c, 1, &count);
        snprintf(out, cap, "%s, %s or %s", a, b, c);
    } else {
        snprintf(out, cap, "%s or %s", a, b);
    }
}

static int decode(const unsigned char *buf, size_t len, int more, const char *file,
                  const char *input, int rank, const size_t *dims, float *dst, char *err,
                  size_t errlen) {
    char want[400], have[160], why[300];
    size_t count, need;
    int ok;
    if (rank != 1 && rank != 3)
        return fail(err, errlen, NETC_EDATA, "input '%s' has rank %d; netc inputs have 1 or 3",
                    input, rank);
    count = product(rank, dims, &ok);
    if (!ok)
        return fail(err, errlen, NETC_EDATA, "input '%s' is too large", input);
    need = count * 4;
    netc_shape_text(want, sizeof want, rank, dims);

    if (netc_npy_is_npy(buf, len)) {
        netc_npy_header h;
        size_t avail;
        if (netc_npy_parse_header(buf, len, &h, why, sizeof why) != NETC_OK)
            return fail(err, errlen, NETC_EDATA, "'%s': %s", file, why);
        if (!h.descr_ok)
            return fail(err, errlen, NETC_EDATA,
                        "'%s' has dtype '%s', input '%s' takes float32 ('<f4')", file, h.descr,
                        input);
        if (h.fortran_order)
            return fail(err, errlen, NETC_EDATA,
                        "'%s' is in Fortran order; netc reads C order only", file);
        if (!shape_fits(&h, rank, dims, count)) {
            netc_shape_text(have, sizeof have, h.rank, h.dims);
            accepted(want, sizeof want, rank, dims, count);
            return fail(err, errlen, NETC_EDATA, "'%s' has shape %s, input '%s' takes %s", file,
                        have, input, want);
        }
        avail = len - h.data_offset;
        if (avail < need)
            return fail(err, errlen, NETC_EDATA,
                        "'%s' is truncated: shape %s needs %lu bytes of data, the file holds %lu",
                        file, want, (unsigned long)need, (unsigned long)avail);
        if (avail > need || more)
            return fail(err, errlen, NETC_EDATA,
                        "'%s' has %s%lu bytes after the data of its shape %s", file,
                        more ? "more than " : "", (unsigned long)(avail - need), want);
        load_f32(buf + h.data_offset, dst, count, h.big_endian);
        return NETC_OK;
    }

    if (more)
        return fail(err, errlen, NETC_EDATA,
                    "raw float32 file '%s' has more than %lu bytes, input '%s' takes %s "
                    "(%lu values, %lu bytes)",
                    file, (unsigned long)len, input, want, (unsigned long)count,
                    (unsigned long)need);
    if (len % 4 != 0)
        return fail(err, errlen, NETC_EDATA,
                    "raw float32 file '%s' has %lu bytes, not a multiple of 4; input '%s' takes "
                    "%s (%lu values, %lu bytes)",
                    file, (unsigned long)len, input, want, (unsigned long)count,
                    (unsigned long)need);
    if (len != need) {
        size_t n = len / 4;
        netc_shape_text(have, sizeof have, 1, &n);
        return fail(err, errlen, NETC_EDATA,
                    "raw float32 file '%s' has shape %s, input '%s' takes %s (%lu values, %lu "
                    "bytes)",
                    file, have, input, want, (unsigned long)count, (unsigned long)need);
    }
    load_f32(buf, dst, count, 0);
    return NETC_OK;
}

int netc_input_decode(const unsigned char *buf, size_t len, const char *file, const char *input,
                      int rank, const size_t *dims, float *dst, char *err, size_t errlen) {
    return decode(buf, len, 0, file, input, rank, dims, dst, err, errlen);
}

/* Reads at most `limit` bytes of path ("-": standard input) into a malloc'd
** buffer; *more is set if the file has more. */
static int read_limited(const char *path, size_t limit, unsigned char **out, size_t *len,
                        int *more, char *err, size_t errlen) {
    int is_stdin = strcmp(path, "-") == 0;
    const char *shown = is_stdin ? "<stdin>" : path;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    int failed = 0, saved;
    *out = NULL;
    *len = 0;
    *more = 0;
    if (!fp)
        return fail(err, errlen, NETC_EUSAGE, "cannot open '%s': %s", path, strerror(errno));
    for (;;) {
        size_t want, got;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            unsigned char *nb;
            if (ncap > limit + 1 || ncap < cap)
                ncap = limit + 1;
            if (ncap <= cap) {
                break; /* limit + 1 bytes are in: there is more */
            }
            nb = realloc(buf, ncap);
            if (!nb) {
                failed = ENOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        want = cap - n;
        got = fread(buf + n, 1, want, fp);
        n += got;
        if (got < want) {
            if (ferror(fp))
                failed = errno ? errno : EIO;
            break;
        }
    }
    saved = failed;
    if (!is_stdin)
        fclose(fp);
    if (saved) {
        free(buf);
        return fail(err, errlen, NETC_EUSAGE, "cannot read '%s': %s", shown, strerror(saved));
    }
    if (n > limit) {
        *more = 1;
        n = limit;
    }
    *out = buf;
    *len = n;
    return NETC_OK;
}

int netc_input_read(const char *path, const char *input, int rank, const size_t *dims,
                    float *dst, char *err, size_t errlen) {
    unsigned char *buf;
    size_t len, count, limit;
    int more, st, ok;
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    count = product(rank, dims, &ok);
    /* the data, the largest header netc reads, and the prefix before it */
    limit = count * 4;
    limit = ok && limit <= SIZE_MAX - NETC_NPY_MAX_HEADER - 64 ? limit + NETC_NPY_MAX_HEADER + 64
                                                               : SIZE_MAX - 1;
    st = read_limited(path, limit, &buf, &len, &more, err, errlen);
    if (st != NETC_OK)
        return st;
    st = decode(buf ? buf : (const unsigned char *)"", len, more, shown, input, rank, dims, dst,
                err, errlen);
    free(buf);
    return st;
}

float *netc_npy_read(const char *path, netc_npy_header *h, int *status, char *err,
                     size_t errlen) {
    unsigned char *buf;
    size_t len;
    int more;
    float *out;
    int st = read_limited(path, SIZE_MAX - 1, &buf, &len, &more, err, errlen);
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    char why[300];
    *status = st;
    if (st != NETC_OK)
        return NULL;
    *status = NETC_EDATA;
    if (netc_npy_parse_header(buf ? buf : (const unsigned char *)"", len, h, why, sizeof why) !=
        NETC_OK) {
        fail(err, errlen, 0, "'%s': %s", shown, why);
        free(buf);
        return NULL;
    }
    if (!h->descr_ok || h->fortran_order) {
        fail(err, errlen, 0, "'%s' has dtype '%s'%s, expected float32 ('<f4') in C order", shown,
             h->descr, h->fortran_order ? " in Fortran order" : "");
        free(buf);
        return NULL;
    }
    if (len - h->data_offset != h->count * 4) {
        char sh[160];
        netc_shape_text(sh, sizeof sh, h->rank, h->dims);
        fail(err, errlen, 0, "'%s' holds %lu bytes of data, its shape %s needs %lu", shown,
             (unsigned long)(len - h->data_offset), sh, (unsigned long)(h->count * 4));
        free(buf);
        return NULL;
    }
    out = malloc(h->count ? h->count * sizeof(float) : 1);
    if (!out) {
        fail(err, errlen, 0, "'%s': out of memory", shown);
        free(buf);
        return NULL;
    }
    load_f32(buf + h->data_offset, out, h->count, h->big_endian);
    free(buf);
    *status = NETC_OK;
    return out;
}

int netc_npy_write(const char *path, int rank, const size_t *dims, const float *data, char *err,
                   size_t errlen) {
    char head[64 + NETC_NPY_MAX_RANK * 24 + 128];
    size_t n, total, count, i;
    int ok, is_stdout = strcmp(path, "-") == 0, failed = 0;
    FILE *fp;
    if (rank < 0 || rank > NETC_NPY_MAX_RANK)
        return fail(err, errlen, NETC_EDATA, "cannot write a .npy of rank %d", rank);
    count = product(rank, dims, &ok);
    if (!ok)
        return fail(err, errlen, NETC_EDATA, "cannot write '%s': too many elements", path);

    /* the dictionary as numpy writes it, padded so the data starts at a
    ** multiple of 64 */
    n = 10;
    n += (size_t)sprintf(head + n, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (i = 0; i < (size_t)rank; i++)
        n += (size_t)sprintf(head + n, "%s%lu", i ? ", " : "", (unsigned long)dims[i]);
    n += (size_t)sprintf(head + n, "%s), }", rank == 1 ? "," : "");
    total = (n + 1 + 63) / 64 * 64;
    while (n < total - 1)
        head[n++] = ' ';
    head[n++] = '\n';
    memcpy(head, "\x93NUMPY\x01\x00", 8);
    head[8] = (char)((n - 10) & 0xff);
    head[9] = (char)((n - 10) >> 8);

    fp = is_stdout ? stdout : fopen(path, "wb");
    if (!fp)
        return fail(err, errlen, NETC_EUSAGE, "cannot write '%s': %s", path, strerror(errno));
    if (fwrite(head, 1, n, fp) != n)
        failed = 1;
    if (!failed && host_little_endian()) {
        if (count && fwrite(data, 4, count, fp) != count)
            failed = 1;
    } else {
        unsigned char chunk[4096];
        for (i = 0; i < count && !failed; i += sizeof chunk / 4) {
            size_t k = count - i < sizeof chunk / 4 ? count - i : sizeof chunk / 4;
            store_f32le(data + i, chunk, k);
            if (fwrite(chunk, 4, k, fp) != k)
                failed = 1;
        }
    }
    if (fflush(fp) != 0)
        failed = 1;
    if (!is_stdout && fclose(fp) != 0)
        failed = 1;
    if (failed)
        return fail(err, errlen, NETC_EUSAGE, "cannot write '%s': %s", path,
                    errno ? strerror(errno) : "write error");
    return NETC_OK;
}
