/* diag.c: the only place that prints a diagnostic.
**
** Passes report into a Diags list and go on; nothing is printed until the
** whole file has been read and analysed. Then the list is sorted by place
** and printed the way GCC and Clang print, so editors and CI annotators read
** it, or as JSON (docs/language.md, "Diagnostics and output"; docs/netc.1):
**
**     FILE:LINE:COL: SEVERITY: MESSAGE [ID]
**         7 |     conv2d(filters=64, kernel=3, activation=relu);
**           |     ^~~~~~
**     FILE:LINE:COL: note: MORE
**
** Warning flags (-Wno-ID, -Werror, -Werror=ID) are applied here, as the
** warning is reported; suppressed() answers for `# netc: disable=` comments,
** which lint.c checks at each of a layer's places.
**
** So is the error limit, as Clang's -ferror-limit: of a file with more than
** N errors (--error-limit=N, default 20) netc shows what comes before its
** (N+1)th error by place, then `too many errors emitted, stopping now`. The
** passes still run to the end (a block defined at the bottom of a file must
** be known at the top), but a report that can no longer be shown is dropped
** as it is made, so a file of 100,000 errors costs the memory of N.
*/
#include "netc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const warn_names[W__COUNT] = {
#define W(e, s) s,
    WARNINGS(W)
#undef W
};

int warn_lookup(const char *name) {
    for (int i = 0; i < W__COUNT; i++)
        if (strcmp(warn_names[i], name) == 0)
            return i;
    return -1;
}

/* Where a diagnostic is, in the order diag_sort puts a file's: line,
** column, then report order. */
typedef struct Place {
    int line, col, seq;
} Place;

static bool before(Place a, Place b) {
    if (a.line != b.line)
        return a.line < b.line;
    if (a.col != b.col)
        return a.col < b.col;
    return a.seq < b.seq;
}

/* The error limit's record of one file. */
typedef struct FileCut {
    const SourceFile *file;
    Place *first; /* its earliest errors so far, in order: at most the limit */
    int n, cap;
    bool cut; /* it has more errors than the limit */
    Place at; /* if cut: its earliest error not among `first` */
} FileCut;

/* The limit in force: errors shown per file, 0 for none. */
static int error_limit(const Diags *d) {
    int n = d->config ? d->config->error_limit : 0;
    return n == 0 ? ERROR_LIMIT_DEFAULT : n < 0 ? 0 : n;
}

static FileCut *file_cut(const Diags *d, const SourceFile *f) {
    for (int i = d->cuts.len - 1; i >= 0; i--) {
        FileCut *c = d->cuts.data[i];
        if (c->file == f)
            return c;
    }
    return NULL;
}

static void cut_at(FileCut *c, Place p) {
    if (!c->cut || before(p, c->at))
        c->at = p;
    c->cut = true;
}

/* Counts an error at p against the limit; false if it is past the limit,
** so that it will not be shown. */
static bool keep_error(Diags *d, const SourceFile *f, Place p, int limit) {
    FileCut *c = file_cut(d, f);
    if (!c) {
        c = arena_alloc(d->arena, sizeof *c);
        c->file = f;
        vec_push(d->arena, &d->cuts, c);
    }
    if (c->n == limit) {
        if (!before(p, c->first[c->n - 1])) {
            cut_at(c, p);
            return false;
        }
        /* an error found late but placed early: the latest kept one goes */
        cut_at(c, c->first[--c->n]);
    }
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 8;
        if (cap > limit)
            cap = limit;
        Place *more = arena_alloc(d->arena, sizeof *more * (size_t)cap);
        if (c->n)
            memcpy(more, c->first, sizeof *more * (size_t)c->n);
        c->first = more;
        c->cap = cap;
    }
    int i = c->n++;
    for (; i > 0 && before(p, c->first[i - 1]); i--)
        c->first[i] = c->first[i - 1];
    c->first[i] = p;
    return true;
}

static Diag *add(Diags *d, Severity sev, const SourceFile *f, Span s,
                 const char *id, const char *fmt, va_list ap) {
    if (sev == SEV_ERROR)
        d->errors++;
    else if (sev == SEV_WARNING)
        d->warnings++;
    Place p = {s.line, s.col, d->seq++};
    int limit = error_limit(d);
    bool shown = true;
    if (f && limit > 0) {
        if (sev == SEV_ERROR) {
            shown = keep_error(d, f, p, limit);
        } else {
            const FileCut *c = file_cut(d, f);
            shown = !c || !c->cut || before(p, c->at);
        }
    }
    if (!shown) {
        /* the caller may still set fields and add notes: they go nowhere */
        d->sink = (Diag){.sev = sev, .id = id, .file = f, .span = s, .msg = "", .seq = p.seq};
        return &d->sink;
    }
    Diag *g = arena_alloc(d->arena, sizeof *g);
    g->sev = sev;
    g->id = id;
    g->file = f;
    g->span = s;
    g->msg = arena_vprintf(d->arena, fmt, ap);
    g->seq = p.seq;
    vec_push(d->arena, &d->list, g);
    return g;
}

Diag *diag_report(Diags *d, Severity sev, const SourceFile *f, Span s, const char *id,
                  const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Diag *g = add(d, sev, f, s, id, fmt, ap);
    va_end(ap);
    return g;
}

Diag *diag_error(Diags *d, const SourceFile *f, Span s, const char *id,
                 const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    Diag *g = add(d, SEV_ERROR, f, s, id, fmt, ap);
    va_end(ap);
    return g;
}

Diag *diag_warn(Diags *d, const SourceFile *f, Span s, WarnId w,
                const char *fmt, ...) {
    const WarnConfig *c = d->config;
    if (c && !c->enabled[w])
        return NULL;
    Severity sev = c && c->werror[w] ? SEV_ERROR : SEV_WARNING;
    va_list ap;
    va_start(ap, fmt);
    Diag *g = add(d, sev, f, s, warn_names[w], fmt, ap);
    va_end(ap);
    return g;
}

void diag_note(Diags *d, Diag *g, const SourceFile *f, Span s,
               const char *fmt, ...) {
    if (!g || g == &d->sink)
        return;
    Note *n = arena_alloc(d->arena, sizeof *n);
    n->file = f;
    n->span = s;
    va_list ap;
    va_start(ap, fmt);
    n->msg = arena_vprintf(d->arena, fmt, ap);
    va_end(ap);
    vec_push(d->arena, &g->notes, n);
}

/* Is `id` in the comma-separated list `ids`? "all" matches every id. */
static bool in_list(const char *ids, const char *id) {
    size_t n = strlen(id);
    const char *p = ids;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if ((len == n && memcmp(p, id, n) == 0) || (len == 3 && memcmp(p, "all", 3) == 0))
            return true;
        if (!e)
            break;
        p = e + 1;
    }
    return false;
}

/* The comments are recorded in the order of their lines (the scanner's),
** so the few that can apply are found by a binary search, not a scan of
** every comment of the file for every warning. */
bool suppressed(const SourceFile *f, Span s, const char *id) {
    if (!f)
        return false;
    int lo = 0, hi = f->suppress.len; /* first comment on line s.line - 1 or later */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (((const Suppress *)f->suppress.data[mid])->line < s.line - 1)
            lo = mid + 1;
        else
            hi = mid;
    }
    int end = s.end_line > s.line ? s.end_line : s.line;
    for (int i = lo; i < f->suppress.len; i++) {
        const Suppress *c = f->suppress.data[i];
        if (c->line > end)
            break;
        bool here = c->own_line ? c->line + 1 == s.line
                                : s.line <= c->line && c->line <= end;
        if (here && in_list(c->ids, id))
            return true;
    }
    return false;
}

/* Files in the order they are first mentioned, then line, column and report
** order. */
static const SourceFile **file_order;
static int nfile_order;

static int file_rank(const SourceFile *f) {
    for (int i = 0; i < nfile_order; i++)
        if (file_order[i] == f)
            return i;
    return nfile_order;
}

static int cmp_diag(const void *a, const void *b) {
    const Diag *x = *(Diag *const *)a, *y = *(Diag *const *)b;
    int fx = file_rank(x->file), fy = file_rank(y->file);
    if (fx != fy)
        return fx - fy;
    if (x->span.line != y->span.line)
        return x->span.line - y->span.line;
    if (x->span.col != y->span.col)
        return x->span.col - y->span.col;
    return x->seq - y->seq;
}

static bool same_note(const Note *a, const Note *b) {
    return a->file == b->file && memcmp(&a->span, &b->span, sizeof a->span) == 0 &&
           strcmp(a->msg, b->msg) == 0;
}

/* A mistake inside a block body is found once per call: after sorting, the
** copies are neighbours (same place, id and text). Each is folded into the
** first, which keeps one note per call site ("in block 'B', called as 'P'
** here"), so the user reads the error once. Only diagnostics with notes
** fold: those are the ones made inside blocks. */
static void fold_repeats(Diags *d) {
    int k = 0;
    for (int i = 0; i < d->list.len; i++) {
        Diag *g = d->list.data[i];
        Diag *first = k ? d->list.data[k - 1] : NULL;
        if (first && first->notes.len && g->notes.len && first->sev == g->sev &&
            first->file == g->file && memcmp(&first->span, &g->span, sizeof g->span) == 0 &&
            strcmp(first->id, g->id) == 0 && strcmp(first->msg, g->msg) == 0) {
            for (int n = 0; n < g->notes.len; n++) {
                bool dup = false;
                for (int m = 0; m < first->notes.len && !dup; m++)
                    dup = same_note(first->notes.data[m], g->notes.data[n]);
                if (!dup)
                    vec_push(d->arena, &first->notes, g->notes.data[n]);
            }
            if (g->sev == SEV_ERROR)
                d->errors--;
            else if (g->sev == SEV_WARNING)
                d->warnings--;
            continue;
        }
        d->list.data[k++] = g;
    }
    d->list.len = k;
}

void diag_sort(Diags *d) {
    int extra = d->file_order ? d->file_order->len : 0;
    const SourceFile **order = xmalloc(sizeof *order * (size_t)(d->list.len + extra + 1));
    int n = 0;
    for (int i = 0; i < extra; i++)
        order[n++] = d->file_order->data[i];
    for (int i = 0; i < d->list.len; i++) {
        const Diag *g = d->list.data[i];
        bool seen = false;
        for (int k = 0; k < n && !seen; k++)
            seen = order[k] == g->file;
        if (!seen)
            order[n++] = g->file;
    }
    file_order = order;
    nfile_order = n;
    if (d->list.len > 1)
        qsort(d->list.data, (size_t)d->list.len, sizeof(void *), cmp_diag);
    file_order = NULL;
    nfile_order = 0;
    free(order);
    fold_repeats(d);
    /* what was kept before a file's error past the limit was known */
    int k = 0;
    d->errors = d->warnings = 0;
    for (int i = 0; i < d->list.len; i++) {
        Diag *g = d->list.data[i];
        const FileCut *c = g->file ? file_cut(d, g->file) : NULL;
        if (c && c->cut && !before((Place){g->span.line, g->span.col, g->seq}, c->at))
            continue;
        d->list.data[k++] = g;
        d->errors += g->sev == SEV_ERROR;
        d->warnings += g->sev == SEV_WARNING;
    }
    d->list.len = k;
}

bool diag_cut(const Diags *d, const SourceFile *f) {
    const FileCut *c = f ? file_cut(d, f) : NULL;
    return c && c->cut;
}

void diag_json_cut(const Diags *d, const SourceFile *f, Buf *b) {
    if (diag_cut(d, f))
        buf_puts(b, ", \"truncated\": true");
}

static const char *sev_name[] = {"note", "warning", "error"};
static const char *sev_color[] = {"\033[1;36m", "\033[1;35m", "\033[1;31m"};

/* Source text as it may be shown on a terminal, one character at a time:
** printable characters and tabs as they are; control characters (C0, DEL,
** C1) and the bidirectional overrides that can make a line read otherwise
** than it parses (U+202A-U+202E, U+2066-U+2069) as <U+001B>, and bytes
** that are not UTF-8 as <FF>, as Clang shows them. No escape sequence
** reaches the terminal, a NUL does not cut the line short, and the caret
** below is moved by the width of what was shown. Writes the text to buf
** (NUL-terminated), returns the bytes of p it stands for and sets *cols to
** the columns it takes. */
static size_t shown_char(const unsigned char *p, size_t n, char buf[16], int *cols) {
    if (p[0] == '\t' || (p[0] >= 0x20 && p[0] < 0x7F)) {
        buf[0] = (char)p[0];
        buf[1] = '\0';
        *cols = 1;
        return 1;
    }
    int len = p[0] >= 0x80 ? utf8_seq(p, n) : 0;
    if (!len) {
        if (p[0] < 0x80)
            snprintf(buf, 16, "<U+%04X>", (unsigned)p[0]);
        else
            snprintf(buf, 16, "<%02X>", (unsigned)p[0]);
        *cols = (int)strlen(buf);
        return 1;
    }
    unsigned cp = len == 2   ? (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu)
                  : len == 3 ? (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu)
                             : 0x10000; /* 4 bytes: printable as far as this is concerned */
    if ((cp >= 0x80 && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2066 && cp <= 0x2069)) {
        snprintf(buf, 16, "<U+%04X>", cp);
        *cols = (int)strlen(buf);
    } else {
        memcpy(buf, p, (size_t)len);
        buf[len] = '\0';
        *cols = 1;
    }
    return (size_t)len;
}

/* s[0..n) as shown_char shows it. */
static void put_shown(FILE *out, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    char buf[16];
    int cols;
    for (size_t i = 0; i < n;) {
        i += shown_char(p + i, n - i, buf, &cols);
        fputs(buf, out);
    }
}

/* Byte offset of character `chars` (0-based) of line[0..len). */
static int char_offset(const char *line, int len, int chars) {
    int i = 0;
    for (int c = 0; c < chars && i < len; c++)
        i += (int)utf8_char_len(line + i, (size_t)(len - i));
    return i;
}

/* The quoted line and the caret under it. A long line is shown as a window
** around the column, so a 1 MB line costs a screenful, not a megabyte. */
static void print_caret(FILE *out, const SourceFile *f, Span s, int caret_len, bool color) {
    enum { WIDTH = 120, BEFORE = 40 };
    int len;
    const char *line = source_line(f, s.line, &len);
    if (s.line < 1 || s.line > f->nlines)
        return;
    int nchars = utf8_len(line, (size_t)len);
    int first = 0; /* first character shown */
    if (nchars > WIDTH && s.col - 1 > BEFORE)
        first = s.col - 1 - BEFORE;
    if (first > nchars)
        first = nchars;
    int last = first + WIDTH < nchars ? first + WIDTH : nchars;
    int from = char_offset(line, len, first);
    int to = char_offset(line, len, last);
    const char *lead = first > 0 ? "..." : "";
    fprintf(out, "%5d | %s", s.line, lead);
    put_shown(out, line + from, (size_t)(to - from));
    fprintf(out, "%s\n", last < nchars ? "..." : "");
    fprintf(out, "      | %s", first > 0 ? "   " : "");
    /* walk characters up to the column, keeping tabs so the caret lines up */
    const unsigned char *p = (const unsigned char *)line;
    char buf[16];
    int cols;
    int c = first + 1, i = from;
    while (i < to && c < s.col) {
        size_t k = shown_char(p + i, (size_t)(to - i), buf, &cols);
        if (buf[0] == '\t')
            fputc('\t', out);
        else
            for (int w = 0; w < cols; w++)
                fputc(' ', out);
        i += (int)k;
        c++;
    }
    int n = caret_len;
    if (n <= 0)
        n = s.end_line == s.line && s.end_col > s.col ? s.end_col - s.col : 1;
    if (n > last - (s.col - 1) && last - (s.col - 1) >= 1)
        n = last - (s.col - 1);
    if (n > WIDTH)
        n = WIDTH;
    /* the columns of the n characters underlined; past the end, one each */
    int width = 0;
    for (int k = 0; k < n; k++) {
        if (i < to) {
            i += (int)shown_char(p + i, (size_t)(to - i), buf, &cols);
            width += cols;
        } else {
            width++;
        }
    }
    if (color)
        fputs("\033[1;32m", out);
    fputc('^', out);
    for (int k = 1; k < width; k++)
        fputc('~', out);
    if (color)
        fputs("\033[0m", out);
    fputc('\n', out);
}

static void print_head(FILE *out, const SourceFile *f, Span s, Severity sev,
                       const char *msg, const char *id, bool color) {
    if (color)
        fputs("\033[1m", out);
    const char *node = f && f->onnx_label && s.line > 0 && s.line <= f->nlines
                           ? f->onnx_label[s.line] : NULL;
    /* a file name or a message may quote bytes of the input (an import's
    ** path): they are shown as source text is */
    if (f) {
        put_shown(out, f->display, strlen(f->display));
        if (node)
            fprintf(out, ": %s", node); /* an ONNX model: no lines */
        else if (s.line > 0 && !f->onnx_label)
            fprintf(out, ":%d:%d", s.line, s.col);
        fputs(": ", out);
    } else {
        fputs("netc: ", out);
    }
    if (color)
        fprintf(out, "%s%s:\033[0m\033[1m ", sev_color[sev], sev_name[sev]);
    else
        fprintf(out, "%s: ", sev_name[sev]);
    put_shown(out, msg, strlen(msg));
    if (id)
        fprintf(out, " [%s]", id);
    if (color)
        fputs("\033[0m", out);
    fputc('\n', out);
}

void diag_print_text(const Diags *d, void *stream, bool color) {
    FILE *out = stream;
    for (int i = 0; i < d->list.len; i++) {
        const Diag *g = d->list.data[i];
        print_head(out, g->file, g->span, g->sev, g->msg, g->id, color);
        if (g->file && g->span.line > 0 && g->caret_len >= 0 && !g->file->onnx_label)
            print_caret(out, g->file, g->span, g->caret_len, color);
        for (int k = 0; k < g->notes.len; k++) {
            const Note *n = g->notes.data[k];
            print_head(out, n->file, n->span, SEV_NOTE, n->msg, NULL, color);
        }
        /* a file's diagnostics are together: its last one ends a cut list */
        const Diag *next = i + 1 < d->list.len ? d->list.data[i + 1] : NULL;
        if ((!next || next->file != g->file) && diag_cut(d, g->file))
            print_head(out, g->file, (Span){0, 0, 0, 0}, SEV_ERROR, DIAG_LIMIT_MSG,
                       DIAG_LIMIT_ID, color);
    }
}

static void indent_to(Buf *b, int n) {
    for (int i = 0; i < n; i++)
        buf_putc(b, ' ');
}

void diag_json_list(const Diags *d, const SourceFile *f, Buf *b, int ind) {
    bool first = true;
    buf_putc(b, '[');
    for (int i = 0; i < d->list.len; i++) {
        const Diag *g = d->list.data[i];
        if (g->file != f)
            continue;
        buf_puts(b, first ? "\n" : ",\n");
        first = false;
        indent_to(b, ind + 2);
        buf_puts(b, "{\"id\": ");
        json_string(b, g->id ? g->id : "");
        buf_printf(b, ", \"severity\": \"%s\", ", sev_name[g->sev]);
        buf_printf(b, "\"line\": %d, \"column\": %d, \"end_line\": %d, \"end_column\": %d, ",
                   g->span.line, g->span.col, g->span.end_line, g->span.end_col);
        buf_puts(b, "\"layer\": ");
        if (g->layer)
            json_string(b, g->layer);
        else
            buf_puts(b, "null");
        if (f && f->onnx_node && g->span.line > 0 && g->span.line <= f->nlines &&
            f->onnx_node[g->span.line]) {
            buf_puts(b, ", \"node\": ");
            json_string(b, f->onnx_node[g->span.line]);
        }
        buf_puts(b, ", \"message\": ");
        json_string(b, g->msg);
        buf_puts(b, ", \"notes\": [");
        for (int k = 0; k < g->notes.len; k++) {
            const Note *n = g->notes.data[k];
            buf_puts(b, k ? ", {" : "{");
            if (n->file && n->file != f) {
                buf_puts(b, "\"file\": ");
                json_string(b, n->file->display);
                buf_puts(b, ", ");
            }
            buf_printf(b, "\"line\": %d, \"column\": %d, \"message\": ", n->span.line, n->span.col);
            json_string(b, n->msg);
            buf_putc(b, '}');
        }
        buf_puts(b, "]}");
    }
    if (!first) {
        buf_putc(b, '\n');
        indent_to(b, ind);
    }
    buf_putc(b, ']');
}
