/* util.c: the small things every pass uses.
**
** An arena is a list of chunks, bump-allocated and freed at once when the
** compilation ends: no pass frees what it allocates, so there is no
** ownership to track and no leak to chase. Vectors of pointers grow inside
** the arena. Buffers (Buf) are for output, on the heap.
**
** Memory, one policy for all of netc: what lives as long as the
** compilation comes from the arena; what is big and dies early (weights,
** the lowered program's constants, output buffers) comes from the heap
** through xmalloc, xcalloc and xrealloc. None of them returns NULL: when
** the machine has no memory left, netc flushes what it has printed, says
** `netc: error: out of memory` and exits with status 1 (an input error,
** never a crash). Sizes read from a file are checked against the file and
** its limits before anything is allocated for them, so only a network that
** truly needs more memory than the machine has gets there.
**
** Every size, count and index of a network is an int64_t computed with
** ck_add and ck_mul: a network large enough to overflow is an error the
** caller reports, never undefined behaviour.
*/
#include "netc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ArenaChunk {
    ArenaChunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *xrealloc(void *p, size_t n) {
    p = realloc(p, n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

_Noreturn void out_of_memory(void) {
    fflush(stdout);
    fputs("netc: error: out of memory\n", stderr);
    exit(1);
}

void *arena_alloc(Arena *a, size_t size) {
    size = (size + 15) & ~(size_t)15;
    ArenaChunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > 65536 ? size : 65536;
        c = xmalloc(sizeof(ArenaChunk) + cap);
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(Arena *a, const char *s) {
    return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(Arena *a, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(Arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void arena_free(Arena *a) {
    ArenaChunk *c = a->head;
    while (c) {
        ArenaChunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

void vec_push(Arena *a, Vec *v, void *p) {
    if (v->len == v->cap) {
        int cap = v->cap ? v->cap * 2 : 4;
        void **data = arena_alloc(a, sizeof(void *) * (size_t)cap);
        if (v->len)
            memcpy(data, v->data, sizeof(void *) * (size_t)v->len);
        v->data = data;
        v->cap = cap;
    }
    v->data[v->len++] = p;
}

static void buf_grow(Buf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = xrealloc(b->data, cap);
    b->data = p;
    b->cap = cap;
}

void buf_putc(Buf *b, char c) {
    buf_grow(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void buf_puts(Buf *b, const char *s) {
    size_t n = strlen(s);
    buf_grow(b, n);
    memcpy(b->data + b->len, s, n + 1);
    b->len += n;
}

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    buf_grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_free(Buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

bool ck_add(int64_t a, int64_t b, int64_t *r) {
    return !__builtin_add_overflow(a, b, r);
}

bool ck_mul(int64_t a, int64_t b, int64_t *r) {
    return !__builtin_mul_overflow(a, b, r);
}

char *fmt_thousands(char *out, int64_t v) {
    char tmp[32];
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = 0, digits = 0;
    do {
        if (digits && digits % 3 == 0)
            tmp[n++] = ',';
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
        digits++;
    } while (u);
    int k = 0;
    if (neg)
        out[k++] = '-';
    while (n)
        out[k++] = tmp[--n];
    out[k] = '\0';
    return out;
}

size_t utf8_char_len(const char *s, size_t n) {
    int k = utf8_seq((const unsigned char *)s, n);
    return k > 0 ? (size_t)k : 1; /* a byte that is not UTF-8 is a character of its own */
}

int utf8_len(const char *s, size_t n) {
    int c = 0;
    for (size_t i = 0; i < n; i += utf8_char_len(s + i, n - i))
        c++;
    return c;
}

int edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) /* too long to be a typo worth suggesting */
        return strcmp(a, b) == 0 ? 0 : 1000;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int best = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

int suggest_limit(const char *word) {
    int limit = (int)strlen(word) / 3;
    return limit < 1 ? 1 : limit > 3 ? 3 : limit;
}

const char *did_you_mean(Arena *a, const char *word, const char *const *cands, int n, int max) {
    int limit = suggest_limit(word);
    const char *pick[3];
    int np = 0;
    if (max > 3)
        max = 3;
    for (int d = 0; d <= limit && np < max; d++)
        for (int i = 0; i < n && np < max; i++) {
            const char *s = cands[i];
            if (!s)
                continue;
            bool dup = false;
            for (int k = 0; k < np; k++)
                dup = dup || strcmp(pick[k], s) == 0;
            if (!dup && edit_distance(word, s) == d)
                pick[np++] = s;
        }
    if (np == 0)
        return "";
    if (np == 1)
        return arena_printf(a, "; did you mean '%s'?", pick[0]);
    if (np == 2)
        return arena_printf(a, "; did you mean '%s' or '%s'?", pick[0], pick[1]);
    return arena_printf(a, "; did you mean '%s', '%s' or '%s'?", pick[0], pick[1], pick[2]);
}
