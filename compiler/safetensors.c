/* safetensors.c: reading a safetensors file without trusting it.
**
** The format is an 8-byte little-endian length N, N bytes of UTF-8 JSON, then
** the data section:
**
**     {"conv1.weight": {"dtype": "F32", "shape": [32, 1, 3, 3],
**                       "data_offsets": [0, 1152]},
**      "__metadata__": {"format": "pt"}}
**
** Every number in the header is a claim about the rest of the file, so each
** is checked before it is used: N against the file, each shape entry as a
** non-negative integer (JSON numbers are doubles), the element count and the
** byte size with overflow checks, the byte range against the data section,
** and the ranges against each other (no two tensors may share a byte). After
** st_parse succeeds, a tensor's `data` and `nbytes` can be read without any
** further check. The JSON itself is parsed by cJSON, over a NUL-terminated
** copy of the header, after a scan that bounds how many values it may hold,
** so a hostile header costs at most a bounded amount of memory.
*/
#include "weights.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* ORDER: none; the names safetensors writes, and their sizes in bytes.
** Sub-byte types (F4, F6_*) are not listed: netc cannot size them. */
static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
    {"BOOL", 1},    {"U8", 1},      {"I8", 1},      {"F8_E5M2", 1},
    {"F8_E4M3", 1}, {"F8_E8M0", 1}, {"I16", 2},     {"U16", 2},
    {"F16", 2},     {"BF16", 2},    {"I32", 4},     {"U32", 4},
    {"F32", 4},     {"I64", 8},     {"U64", 8},     {"F64", 8},
    {"C64", 8},
};

static int dtype_index(const char *name) {
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (strcmp(dtypes[i].name, name) == 0)
            return (int)i;
    return -1;
}

size_t st_dtype_size(const char *dtype) {
    int i = dtype_index(dtype);
    return i < 0 ? 0 : dtypes[i].size;
}

static bool fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* A name from the file, fit for a message: control bytes escaped, long names
** cut, so a hostile name cannot take over a terminal or a screen. */
static const char *printable(const char *s, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o + 8 >= cap) {
            memcpy(out + o, "...", 4);
            return out;
        }
        if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\')
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    out[o] = '\0';
    return out;
}

/* "[32, 1, 3, 3]", cut short when it does not fit. */
static const char *shape_list(const int64_t *shape, int rank, char *out, size_t cap) {
    size_t o = 0;
    out[o++] = '[';
    for (int i = 0; i < rank; i++) {
        char num[32];
        int k = snprintf(num, sizeof num, "%s%lld", i ? ", " : "", (long long)shape[i]);
        if (o + (size_t)k + 6 >= cap) {
            memcpy(out + o, ", ...", 5);
            o += 5;
            break;
        }
        memcpy(out + o, num, (size_t)k);
        o += (size_t)k;
    }
    out[o++] = ']';
    out[o] = '\0';
    return out;
}

/* Well-formed UTF-8: no overlong forms, no surrogates, nothing past
** U+10FFFF. Returns the offset of the first bad byte, or n. */
static size_t utf8_check(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (n - i <= k)
            return i;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += k + 1;
    }
    return n;
}

/* An upper bound on the JSON values in the header: separators and openers
** outside strings, plus one. */
static size_t count_values(const unsigned char *s, size_t n) {
    size_t count = 1;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == ',' || c == '[' || c == '{' || c == ':') {
            count++;
        }
    }
    return count;
}

/* A JSON number that must be a non-negative integer a double holds exactly.
** The comparisons are written so that NaN fails them. */
static bool json_index(const cJSON *v, int64_t *out) {
    if (!cJSON_IsNumber(v))
        return false;
    double d = v->valuedouble;
    if (!(d >= 0.0 && d <= 9007199254740992.0)) /* 2^53 */
        return false;
    int64_t i = (int64_t)d;
    if ((double)i != d)
        return false;
    *out = i;
    return true;
}

/* What went wrong with a number, for the message. */
static const char *index_problem(const cJSON *v) {
    if (!cJSON_IsNumber(v))
        return "not a number";
    double d = v->valuedouble;
    if (d < 0.0)
        return "negative";
    if (!(d <= 9007199254740992.0))
        return "too large";
    return "not an integer";
}

typedef struct Range {
    size_t begin, end;
    int tensor;
} Range;

static int by_begin(const void *a, const void *b) {
    const Range *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->tensor - y->tensor;
}

static int by_name(const void *a, const void *b) {
    const StTensor *x = *(StTensor *const *)a, *y = *(StTensor *const *)b;
    return strcmp(x->name, y->name);
}

static char *dup_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

/* One tensor entry of the header: {"dtype", "shape", "data_offsets"}. */
static bool parse_entry(const cJSON *e, StTensor *t, size_t data_len, char *err, size_t errlen) {
    char nm[256], sh[256];
    const char *name = printable(t->name, nm, sizeof nm);
    if (!cJSON_IsObject(e))
        return fail(err, errlen, "tensor '%s': entry is not a JSON object", name);

    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(e, "shape");
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    if (!dtype)
        return fail(err, errlen, "tensor '%s': no \"dtype\"", name);
    if (!cJSON_IsString(dtype) || !dtype->valuestring)
        return fail(err, errlen, "tensor '%s': \"dtype\" is not a string", name);
    int di = dtype_index(dtype->valuestring);
    if (di < 0) {
        char dt[64];
        return fail(err, errlen, "tensor '%s': unknown dtype '%s'", name,
                    printable(dtype->valuestring, dt, sizeof dt));
    }
    t->dtype = dtypes[di].name;
    t->dtype_size = dtypes[di].size;

    if (!shape)
        return fail(err, errlen, "tensor '%s': no \"shape\"", name);
    if (!cJSON_IsArray(shape))
        return fail(err, errlen, "tensor '%s': \"shape\" is not an array", name);
    int rank = cJSON_GetArraySize(shape);
    if (rank > ST_MAX_RANK)
        return fail(err, errlen, "tensor '%s': shape has %d dimensions, more than %d", name,
                    rank, ST_MAX_RANK);
    if (rank > 0) {
        t->shape = xcalloc((size_t)rank, sizeof *t->shape);
    }
    t->rank = 0;
    int64_t count = 1;
    bool overflow = false;
    const cJSON *dim;
    cJSON_ArrayForEach(dim, shape) {
        int64_t v;
        if (!json_index(dim, &v))
            return fail(err, errlen, "tensor '%s': shape entry %d is %s", name, t->rank,
                        index_problem(dim));
        t->shape[t->rank++] = v;
        if (!overflow && !ck_mul(count, v, &count))
            overflow = true;
    }
    /* a zero anywhere makes the product 0, even after an overflow */
    for (int i = 0; i < t->rank; i++)
        if (t->shape[i] == 0)
            count = 0, overflow = false;
    int64_t nbytes;
    if (overflow || !ck_mul(count, (int64_t)t->dtype_size, &nbytes))
        return fail(err, errlen, "tensor '%s': shape %s has too many elements", name,
                    shape_list(t->shape, t->rank, sh, sizeof sh));
    t->count = count;

    if (!offs)
        return fail(err, errlen, "tensor '%s': no \"data_offsets\"", name);
    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2)
        return fail(err, errlen, "tensor '%s': \"data_offsets\" is not an array of two numbers",
                    name);
    int64_t be[2];
    for (int i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetArrayItem(offs, i);
        if (!json_index(v, &be[i]))
            return fail(err, errlen, "tensor '%s': data_offsets[%d] is %s", name, i,
                        index_problem(v));
    }
    if (be[0] > be[1])
        return fail(err, errlen, "tensor '%s': data_offsets [%lld, %lld] end before they begin",
                    name, (long long)be[0], (long long)be[1]);
    if ((uint64_t)be[1] > (uint64_t)data_len)
        return fail(err, errlen,
                    "tensor '%s': data_offsets [%lld, %lld] run past the data section (%zu bytes)",
                    name, (long long)be[0], (long long)be[1], data_len);
    t->begin = (size_t)be[0];
    t->end = (size_t)be[1];
    if ((uint64_t)nbytes != (uint64_t)(t->end - t->begin))
        return fail(err, errlen,
                    "tensor '%s': shape %s of %s needs %lld bytes, data_offsets [%zu, %zu] hold %zu",
                    name, shape_list(t->shape, t->rank, sh, sizeof sh), t->dtype,
                    (long long)nbytes, t->begin, t->end, t->end - t->begin);
    t->nbytes = (size_t)nbytes;
    return true;
}

static bool parse_meta(const cJSON *m, StFile *f, char *err, size_t errlen) {
    if (!cJSON_IsObject(m))
        return fail(err, errlen, "\"__metadata__\" is not a JSON object");
    int n = cJSON_GetArraySize(m);
    if (n == 0)
        return true;
    f->meta = xcalloc((size_t)n, sizeof *f->meta);
    const cJSON *e;
    cJSON_ArrayForEach(e, m) {
        char nm[256];
        if (!cJSON_IsString(e) || !e->valuestring)
            return fail(err, errlen, "\"__metadata__\" entry '%s' is not a string",
                        printable(e->string ? e->string : "", nm, sizeof nm));
        StMeta *s = &f->meta[f->nmeta++];
        s->key = dup_string(e->string ? e->string : "");
        s->value = dup_string(e->valuestring);
    }
    return true;
}

/* No two names alike, no two byte ranges sharing a byte. */
static bool check_disjoint(StFile *f, char *err, size_t errlen) {
    if (f->n < 2)
        return true;
    StTensor **byname = xmalloc(sizeof *byname * (size_t)f->n);
    Range *r = xmalloc(sizeof *r * (size_t)f->n);
    bool ok = true;
    char a[256], b[256];
    for (int i = 0; i < f->n; i++)
        byname[i] = &f->tensors[i];
    qsort(byname, (size_t)f->n, sizeof *byname, by_name);
    for (int i = 1; i < f->n && ok; i++)
        if (strcmp(byname[i - 1]->name, byname[i]->name) == 0)
            ok = fail(err, errlen, "tensor '%s' appears twice in the header",
                      printable(byname[i]->name, a, sizeof a));

    int nr = 0;
    for (int i = 0; i < f->n; i++)
        if (f->tensors[i].end > f->tensors[i].begin) /* empty ranges hold no byte */
            r[nr++] = (Range){f->tensors[i].begin, f->tensors[i].end, i};
    if (nr > 1)
        qsort(r, (size_t)nr, sizeof *r, by_begin);
    /* sorted by begin: a range overlaps an earlier one iff it begins before
    ** the furthest end so far */
    int far = 0;
    for (int i = 1; i < nr && ok; i++) {
        if (r[i].begin < r[far].end) {
            const StTensor *x = &f->tensors[r[far].tensor], *y = &f->tensors[r[i].tensor];
            ok = fail(err, errlen, "tensors '%s' [%zu, %zu] and '%s' [%zu, %zu] overlap",
                      printable(x->name, a, sizeof a), x->begin, x->end,
                      printable(y->name, b, sizeof b), y->begin, y->end);
        }
        if (r[i].end > r[far].end)
            far = i;
    }
    free(byname);
    free(r);
    return ok;
}

static bool parse_header(const unsigned char *buf, size_t len, StFile *f, char *err,
                         size_t errlen) {
    if (len < 8)
        return fail(err, errlen, "file of %zu bytes is too short for the 8-byte header length", len);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | buf[i];
    if (n > (uint64_t)(len - 8))
        return fail(err, errlen, "header length %llu exceeds the %zu bytes that follow it",
                    (unsigned long long)n, len - 8);
    if (n > ST_MAX_HEADER)
        return fail(err, errlen, "header length %llu is more than the %u bytes netc accepts",
                    (unsigned long long)n, (unsigned)ST_MAX_HEADER);
    if (n < 2)
        return fail(err, errlen, "header length %llu is too short for a JSON object",
                    (unsigned long long)n);
    const unsigned char *json = buf + 8;
    f->header_len = (size_t)n;
    f->data_len = len - 8 - (size_t)n;

    if (memchr(json, 0, (size_t)n))
        return fail(err, errlen, "header contains a NUL byte at offset %zu",
                    (size_t)((const unsigned char *)memchr(json, 0, (size_t)n) - json));
    size_t bad = utf8_check(json, (size_t)n);
    if (bad < n)
        return fail(err, errlen, "header is not valid UTF-8 (byte %zu)", bad);
    if (count_values(json, (size_t)n) > ST_MAX_VALUES)
        return fail(err, errlen, "header holds more than %d JSON values", ST_MAX_VALUES);

    /* cJSON reads a NUL-terminated copy; the extra NULs are a margin */
    char *copy = xmalloc((size_t)n + 8);
    memcpy(copy, json, (size_t)n);
    memset(copy + n, 0, 8);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(copy, (size_t)n + 1, &end, 1);
    if (!root) {
        size_t at = end && end >= copy && end <= copy + n ? (size_t)(end - copy) : 0;
        free(copy);
        return fail(err, errlen, "header is not valid JSON (byte %zu of the header)", at);
    }
    bool ok = true;
    if (!cJSON_IsObject(root))
        ok = fail(err, errlen, "header is not a JSON object");

    int count = ok ? cJSON_GetArraySize(root) : 0;
    if (ok && count > 0) {
        f->tensors = xcalloc((size_t)count, sizeof *f->tensors);
    }
    const cJSON *e;
    if (ok)
        cJSON_ArrayForEach(e, root) {
            const char *key = e->string ? e->string : "";
            if (strcmp(key, "__metadata__") == 0) {
                ok = parse_meta(e, f, err, errlen);
            } else {
                StTensor *t = &f->tensors[f->n++];
                t->name = dup_string(key);
                ok = parse_entry(e, t, f->data_len, err, errlen);
                if (ok)
                    t->data = buf + 8 + n + t->begin;
            }
            if (!ok)
                break;
        }
    cJSON_Delete(root);
    free(copy);
    return ok && check_disjoint(f, err, errlen);
}

bool st_parse(const unsigned char *buf, size_t len, StFile *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (err && errlen)
        err[0] = '\0';
    if (!buf && len)
        return fail(err, errlen, "no data");
    if (!parse_header(buf, len, out, err, errlen)) {
        st_free(out);
        return false;
    }
    return true;
}

void st_free(StFile *f) {
    for (int i = 0; i < f->n; i++) {
        free(f->tensors[i].name);
        free(f->tensors[i].shape);
    }
    free(f->tensors);
    for (int i = 0; i < f->nmeta; i++) {
        free(f->meta[i].key);
        free(f->meta[i].value);
    }
    free(f->meta);
    memset(f, 0, sizeof *f);
}

const StTensor *st_find(const StFile *f, const char *name) {
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->tensors[i].name, name) == 0)
            return &f->tensors[i];
    return NULL;
}

static bool host_little_endian(void) {
    const uint32_t one = 1;
    unsigned char c;
    memcpy(&c, &one, 1);
    return c == 1;
}

void st_read_f32(const unsigned char *src, float *dst, size_t n) {
    if (host_little_endian()) {
        memcpy(dst, src, n * sizeof(float));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = src + 4 * i;
        uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
        memcpy(&dst[i], &u, sizeof u);
    }
}
