/* weights.c: a safetensors file bound to a graph.
**
** A layer's tensors are found by their PyTorch `state_dict` names: the layer's
** full name (block prefixes included) and ".weight", ".bias", and for
** batchnorm ".running_mean" and ".running_var". Each one the graph expects is
** looked up, checked for dtype F32 and for the shape the layer implies, and
** copied out as host floats in the file's (PyTorch's) layout; the back end
** reorders them as it needs. Then every tensor of the file nobody asked for
** is reported, except `*.num_batches_tracked`, which PyTorch saves beside
** every batchnorm and which inference does not use.
**
** Every mistake is reported, not only the first, and each where the user
** can fix it: at the layer's statement when the tensor belongs to a layer
** (missing, mis-shaped, non-F32, or a bias for a layer with bias=false), at
** the weights file when it is about the file (malformed, or a tensor that
** matches no layer).
**
** requires: the front end (shapes of every good node)
** provides: a WeightSet indexed by Node.id; reports `weights` diagnostics
*/
#define _POSIX_C_SOURCE 200809L
#include "weights.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ORDER SUFFIX: the fields of NodeWeights. */
static const char *const suffixes[] = {"weight", "bias", "running_mean", "running_var"};
enum { NSUFFIX = 4 };

static float **slot(NodeWeights *w, int k) {
    switch (k) {
    case 0: return &w->weight;
    case 1: return &w->bias;
    case 2: return &w->mean;
    default: return &w->var;
    }
}

bool weights_expected(const Node *n, const char *suffix, int *rank, int64_t shape[4]) {
    if (n->bad || !op_has_weights(n->op) || n->shape.rank < 1)
        return false;
    bool is_weight = strcmp(suffix, "weight") == 0;
    bool is_bias = strcmp(suffix, "bias") == 0;
    const Node *in = n->nin > 0 ? n->in[0] : NULL;
    /* the layout is the weights column of ops.def */
    WeightKind wk = op_info[n->op].weights;
    if (wk == WK_CONV || wk == WK_DEPTHWISE) {
        if (!in || in->shape.rank != 3 || n->shape.rank != 3 || n->groups <= 0)
            return false;
        int64_t out = n->shape.d[2];
        if (is_weight) {
            *rank = 4;
            shape[0] = out;
            shape[1] = wk == WK_DEPTHWISE ? 1 : in->shape.d[2] / n->groups;
            shape[2] = n->kernel[0];
            shape[3] = n->kernel[1];
            return true;
        }
        if (is_bias && n->bias) {
            *rank = 1;
            shape[0] = out;
            return true;
        }
        return false;
    }
    if (wk == WK_CONVT) {
        if (!in || in->shape.rank != 3 || n->shape.rank != 3 || n->groups <= 0)
            return false;
        if (is_weight) {
            *rank = 4;
            shape[0] = in->shape.d[2];
            shape[1] = n->shape.d[2] / n->groups;
            shape[2] = n->kernel[0];
            shape[3] = n->kernel[1];
            return true;
        }
        if (is_bias && n->bias) {
            *rank = 1;
            shape[0] = n->shape.d[2];
            return true;
        }
        return false;
    }
    if (wk == WK_DENSE) {
        if (!in || in->shape.rank != 1 || n->shape.rank != 1)
            return false;
        if (is_weight) {
            *rank = 2;
            shape[0] = n->units;
            shape[1] = in->shape.d[0];
            return true;
        }
        if (is_bias && n->bias) {
            *rank = 1;
            shape[0] = n->units;
            return true;
        }
        return false;
    }
    /* batchnorm: gamma, beta and the running statistics, one per channel */
    if (is_weight || is_bias || strcmp(suffix, "running_mean") == 0 ||
        strcmp(suffix, "running_var") == 0) {
        *rank = 1;
        shape[0] = n->shape.d[n->shape.rank - 1];
        return true;
    }
    return false;
}

/* "[32, 1, 3, 3]" */
static const char *shape_list(Arena *a, const int64_t *shape, int rank) {
    Buf b = {0};
    buf_putc(&b, '[');
    for (int i = 0; i < rank && i < 8; i++)
        buf_printf(&b, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (rank > 8)
        buf_puts(&b, ", ...");
    buf_putc(&b, ']');
    char *s = arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return s;
}

/* A name from the file, fit for a message (see safetensors.c). */
static const char *printable(Arena *a, const char *s) {
    Buf b = {0};
    size_t i = 0;
    for (; s[i] && i < 200; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            buf_printf(&b, "\\x%02x", c);
        else
            buf_putc(&b, (char)c);
    }
    if (s[i])
        buf_puts(&b, "...");
    char *r = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return r;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* What a binding run needs in one place. */
typedef struct Binder {
    const Graph *g;
    Diags *d;
    const SourceFile *wf; /* the weights file, for file-level diagnostics */
    const char *display;
    bool allow_extra;
    int errors;
} Binder;

static Diag *at_layer_sev(Binder *b, const Node *n, Severity sev, const char *msg) {
    Diag *g = diag_report(b->d, sev, n->file, n->span, "weights", "%s", msg);
    g->caret_len = n->focus_len;
    g->layer = n->name;
    note_sites(b->d, g, n->site);
    b->errors += sev == SEV_ERROR;
    return g;
}

static Diag *at_file_sev(Binder *b, Severity sev, const char *msg) {
    Diag *g = diag_report(b->d, sev, b->wf, (Span){0, 0, 0, 0}, "weights", "%s", msg);
    b->errors += sev == SEV_ERROR;
    return g;
}

static Diag *at_layer(Binder *b, const Node *n, const char *msg) {
    return at_layer_sev(b, n, SEV_ERROR, msg);
}

static Diag *at_file(Binder *b, const char *msg) {
    return at_file_sev(b, SEV_ERROR, msg);
}

static int node_by_name(const void *a, const void *b) {
    return strcmp((*(Node *const *)a)->name, (*(Node *const *)b)->name);
}

static int tensor_by_name(const void *a, const void *b) {
    return strcmp((*(const StTensor *const *)a)->name, (*(const StTensor *const *)b)->name);
}

/* The layer a tensor name belongs to: the longest prefix before a '.' that
** names a node. */
static const Node *owner(Node **sorted, int n, const char *tensor, Arena *a) {
    size_t len = strlen(tensor);
    for (size_t i = len; i-- > 0;) {
        if (tensor[i] != '.')
            continue;
        Node key = {.name = arena_strndup(a, tensor, i)};
        Node *kp = &key;
        Node **hit = bsearch(&kp, sorted, (size_t)n, sizeof *sorted, node_by_name);
        if (hit)
            return *hit;
    }
    return NULL;
}

static void report_extra(Binder *b, const StTensor *t, Node **sorted, int nn) {
    Arena *a = b->d->arena;
    const char *name = printable(a, t->name);
    const char *sh = shape_list(a, t->shape, t->rank);
    const Node *n = owner(sorted, nn, t->name, a);
    if (n && n->bad)
        return; /* the layer is already in error; its tensors cannot be checked */
    /* an unexpected tensor is an error, or with allow_extra a warning */
    Severity sev = b->allow_extra ? SEV_WARNING : SEV_ERROR;
    if (n) {
        const char *suffix = t->name + strlen(n->name) + 1;
        const char *why = "";
        if (!op_has_weights(n->op))
            why = arena_printf(a, ": %s '%s' has no weights", op_info[n->op].name, n->name);
        else if (strcmp(suffix, "bias") == 0 && op_info[n->op].weights != WK_NORM && !n->bias)
            why = arena_printf(a, ": %s '%s' has bias=false", op_info[n->op].name, n->name);
        at_layer_sev(b, n, sev, arena_printf(a, "unexpected tensor '%s' %s in '%s'%s", name, sh,
                                             b->display, why));
    } else {
        const char *dot = strrchr(name, '.');
        const char *why =
            dot ? arena_printf(a, ": network '%s' has no layer '%.*s'", b->g->name,
                               (int)(dot - name), name)
                : "";
        at_file_sev(b, sev, arena_printf(a, "unexpected tensor '%s' %s in '%s'%s", name, sh,
                                         b->display, why));
    }
}

/* Two layer names that differ only in the characters an identifier cannot
** hold ('-' for '_'), in case, or by an edit or two: the file's name is the
** one the user meant. */
static bool near_name(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la == lb) {
        bool same = true;
        for (size_t i = 0; i < la && same; i++) {
            char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
            if (x >= 'A' && x <= 'Z')
                x = (char)(x - 'A' + 'a');
            if (y >= 'A' && y <= 'Z')
                y = (char)(y - 'A' + 'a');
            same = x == y;
        }
        if (same)
            return true;
    }
    size_t m = la < lb ? la : lb;
    int limit = m >= 9 ? 2 : m >= 4 ? 1 : 0;
    return limit > 0 && edit_distance(a, b) <= limit;
}

/* A layer none of whose tensors is in the file: if every one of them is
** there under a near name (x.block1-0 for x.block1_0), one error says so,
** with the fix, instead of a missing and an unexpected tensor each. */
static bool pair_layer(Binder *b, const Node *n, const StTensor **tens, int nt, bool *used,
                       const StTensor *base) {
    Arena *a = b->d->arena;
    int rank;
    int64_t want[4];
    if (!weights_expected(n, "weight", &rank, want))
        return false;
    for (int i = 0; i < nt; i++) {
        const StTensor *t = tens[i];
        size_t len = strlen(t->name);
        if (used[t - base] || len < 8 || strcmp(t->name + len - 7, ".weight") != 0)
            continue;
        char *prefix = arena_strndup(a, t->name, len - 7);
        if (!near_name(prefix, n->name))
            continue;
        /* every tensor the layer needs, under the near prefix */
        const StTensor *found[NSUFFIX] = {0};
        bool all = true;
        for (int k = 0; k < NSUFFIX && all; k++) {
            if (!weights_expected(n, suffixes[k], &rank, want))
                continue;
            const char *name = arena_printf(a, "%s.%s", prefix, suffixes[k]);
            for (int j = 0; j < nt && !found[k]; j++)
                if (!used[tens[j] - base] && strcmp(tens[j]->name, name) == 0)
                    found[k] = tens[j];
            all = found[k] != NULL;
        }
        if (!all)
            continue;
        bool ident = true;
        for (const char *p = prefix; *p && ident; p++)
            ident = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == '_' || *p == '.';
        at_layer(b, n,
                 arena_printf(a,
                              "the tensors of %s '%s' are not in '%s', but '%s.*' are: %s",
                              op_info[n->op].name, n->name, b->display, printable(a, prefix),
                              ident ? arena_printf(a, "name the layer %s", prefix)
                                    : arena_printf(a, "name the layer \"%s\" (a quoted name)",
                                                   printable(a, prefix))));
        for (int k = 0; k < NSUFFIX; k++)
            if (found[k])
                used[found[k] - base] = true;
        return true;
    }
    return false;
}

static float *to_floats(const StTensor *t) {
    float *p = xmalloc(t->count ? (size_t)t->count * sizeof(float) : 1);
    st_read_f32(t->data, p, (size_t)t->count);
    return p;
}

void weights_free(WeightSet *w) {
    for (int i = 0; i < w->n; i++)
        for (int k = 0; k < NSUFFIX; k++)
            free(*slot(&w->w[i], k));
    free(w->w);
    w->w = NULL;
    w->n = 0;
}

static void set_init(const Graph *g, WeightSet *out) {
    out->n = g->nodes.len;
    out->w = xcalloc(out->n ? (size_t)out->n : 1, sizeof *out->w);
}

bool weights_bind(const Graph *g, const unsigned char *buf, size_t len, const char *display,
                  bool allow_extra, Diags *d, WeightSet *out) {
    Arena *a = d->arena;
    Binder b = {g, d, source_new(a, display, display, "", 0), display, allow_extra, 0};
    out->w = NULL;
    out->n = 0;

    StFile f;
    char err[512];
    if (!st_parse(buf, len, &f, err, sizeof err)) {
        at_file(&b, arena_printf(a, "not a valid safetensors file: %s", err));
        return false;
    }
    set_init(g, out);

    /* both sides sorted by name, so a lookup is a binary search */
    const StTensor **tens = xmalloc(sizeof *tens * (size_t)(f.n ? f.n : 1));
    bool *used = xcalloc((size_t)(f.n ? f.n : 1), sizeof *used);
    int nn = g->nodes.len;
    Node **nodes = xmalloc(sizeof *nodes * (size_t)(nn ? nn : 1));
    for (int i = 0; i < f.n; i++)
        tens[i] = &f.tensors[i];
    if (f.n > 1)
        qsort(tens, (size_t)f.n, sizeof *tens, tensor_by_name);
    for (int i = 0; i < nn; i++)
        nodes[i] = graph_node(g, i);
    if (nn > 1)
        qsort(nodes, (size_t)nn, sizeof *nodes, node_by_name);

    for (int i = 0; i < nn; i++) {
        const Node *n = graph_node(g, i);
        if (n->bad || !op_has_weights(n->op))
            continue;
        {
            /* none of its tensors by its name, all by a near one: one error */
            StTensor key = {.name = (char *)arena_printf(a, "%s.weight", n->name)};
            const StTensor *kp = &key;
            if ((int64_t)f.n * nn <= 50000000 && /* bounded work on huge files */
                (!f.n || !bsearch(&kp, tens, (size_t)f.n, sizeof *tens, tensor_by_name)) &&
                pair_layer(&b, n, tens, f.n, used, f.tensors))
                continue;
        }
        for (int k = 0; k < NSUFFIX; k++) {
            int rank;
            int64_t want[4];
            if (!weights_expected(n, suffixes[k], &rank, want))
                continue;
            const char *tname = arena_printf(a, "%s.%s", n->name, suffixes[k]);
            StTensor key = {.name = (char *)tname};
            const StTensor *kp = &key;
            const StTensor **hit = f.n ? bsearch(&kp, tens, (size_t)f.n, sizeof *tens,
                                                 tensor_by_name)
                                       : NULL;
            const char *wsh = shape_list(a, want, rank);
            if (!hit) {
                at_layer(&b, n, arena_printf(a, "tensor '%s' %s is missing from '%s'", tname,
                                             wsh, display));
                continue;
            }
            const StTensor *t = *hit;
            used[t - f.tensors] = true;
            bool ok = true;
            if (strcmp(t->dtype, "F32") != 0) {
                at_layer(&b, n, arena_printf(a, "tensor '%s' has dtype %s in '%s', expected F32",
                                             tname, t->dtype, display));
                ok = false;
            }
            bool same = t->rank == rank;
            for (int j = 0; same && j < rank; j++)
                same = t->shape[j] == want[j];
            if (!same) {
                at_layer(&b, n, arena_printf(a, "tensor '%s' has shape %s in '%s', expected %s",
                                             tname, shape_list(a, t->shape, t->rank), display,
                                             wsh));
                ok = false;
            }
            if (ok)
                *slot(&out->w[n->id], k) = to_floats(t);
        }
    }

    for (int i = 0; i < f.n; i++)
        if (!used[i] && !ends_with(f.tensors[i].name, ".num_batches_tracked"))
            report_extra(&b, &f.tensors[i], nodes, nn);

    free(tens);
    free(used);
    free(nodes);
    st_free(&f);
    if (b.errors > 0) {
        weights_free(out);
        return false;
    }
    return true;
}

/* The bytes of a weights file: mapped when it is a regular file, so that
** a file of any size up to WEIGHTS_MAX_BYTES costs no copy and no more
** memory than the pages the tensors occupy; read into the heap otherwise
** (a pipe, /dev/stdin). False with errno set, or with *too_big set. */
typedef struct Mapped {
    unsigned char *data;
    size_t len;
    bool mapped; /* munmap, not free */
} Mapped;

static bool map_file(const char *path, Mapped *m, uint64_t *too_big) {
    memset(m, 0, sizeof *m);
    *too_big = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        errno = EISDIR;
        return false;
    }
    if (S_ISREG(st.st_mode)) {
        if ((uint64_t)st.st_size > WEIGHTS_MAX_BYTES || (uint64_t)st.st_size > SIZE_MAX) {
            *too_big = (uint64_t)st.st_size;
            close(fd);
            return false;
        }
        m->len = (size_t)st.st_size;
        if (m->len == 0) {
            close(fd);
            m->data = (unsigned char *)"";
            return true;
        }
        void *p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
        int e = errno;
        close(fd);
        if (p == MAP_FAILED) {
            errno = e;
            return false;
        }
        m->data = p;
        m->mapped = true;
        return true;
    }
    /* not a regular file: read it, in chunks, up to the limit */
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if ((uint64_t)cap * 2 > WEIGHTS_MAX_BYTES + (1u << 16)) {
                *too_big = (uint64_t)n;
                free(buf);
                close(fd);
                return false;
            }
            buf = xrealloc(buf, cap * 2);
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            close(fd);
            errno = e;
            return false;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if ((uint64_t)n > WEIGHTS_MAX_BYTES) {
        *too_big = (uint64_t)n;
        free(buf);
        return false;
    }
    m->data = buf;
    m->len = n;
    return true;
}

static void unmap_file(Mapped *m) {
    if (m->mapped)
        munmap(m->data, m->len);
    else if (m->len)
        free(m->data);
}

bool weights_load(const Graph *g, const char *path, bool allow_extra, Diags *d,
                  WeightSet *out) {
    out->w = NULL;
    out->n = 0;
    Mapped m;
    uint64_t too_big;
    if (!map_file(path, &m, &too_big)) {
        const char *why = strerror(errno);
        SourceFile *f = source_new(d->arena, path, path, "", 0);
        if (too_big)
            diag_error(d, f, (Span){0, 0, 0, 0}, "weights",
                       "cannot read '%s': it holds %llu bytes, more than the %llu (%u GiB) "
                       "netc reads as weights",
                       path, (unsigned long long)too_big, (unsigned long long)WEIGHTS_MAX_BYTES,
                       (unsigned)(WEIGHTS_MAX_BYTES >> 30));
        else
            diag_error(d, f, (Span){0, 0, 0, 0}, "weights", "cannot read '%s': %s", path, why);
        return false;
    }
    bool ok = weights_bind(g, m.data, m.len, path, allow_extra, d, out);
    unmap_file(&m);
    return ok;
}

/*
** Random weights: splitmix64 (Steele, Lea, Flood 2014), one stream for the
** whole network, so that a script can make the same floats (docs/build.md).
*/

static uint64_t splitmix64(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* u in [0, 1) from the top 24 bits: exactly representable everywhere. */
static double unit(uint64_t *s) {
    return (double)(splitmix64(s) >> 40) / 16777216.0;
}

static int64_t fan_in(const Node *n) {
    switch (op_info[n->op].weights) {
    case WK_CONV:
        return n->in[0]->shape.d[2] / n->groups * n->kernel[0] * n->kernel[1];
    case WK_DEPTHWISE:
        return n->kernel[0] * n->kernel[1];
    case WK_DENSE:
        return n->in[0]->shape.d[0];
    case WK_CONVT: /* PyTorch's fan_in of a [in, out/groups, kh, kw] weight */
        return n->filters / n->groups * n->kernel[0] * n->kernel[1];
    case WK_NONE:
    case WK_NORM:
        break;
    }
    return 1;
}

/* One splitmix64 stream for the whole network, in a documented order, so
** that a test script can make the very same floats (docs/build.md): the
** layers in source order; per layer weight, bias, running_mean,
** running_var; each tensor in row-major order of its PyTorch shape. With
** u = (next >> 40) / 2^24: conv, depthwise and dense values are
** float((2u − 1)·b) with b = 1/√fan_in (PyTorch's default bound); batchnorm
** gets gamma = float(1 + 0.1(2u − 1)), beta and the running mean
** float(0.1(2u − 1)), the running variance float(0.5 + u). */
void weights_random(const Graph *g, uint64_t seed, WeightSet *out) {
    set_init(g, out);
    uint64_t s = seed;
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        if (n->bad || !op_has_weights(n->op))
            continue;
        double bound = 1.0 / sqrt((double)fan_in(n));
        for (int k = 0; k < NSUFFIX; k++) {
            int rank;
            int64_t shape[4], count = 1;
            if (!weights_expected(n, suffixes[k], &rank, shape))
                continue;
            bool ok = true;
            for (int j = 0; j < rank && ok; j++)
                ok = ck_mul(count, shape[j], &count);
            if (!ok || count < 0 || (uint64_t)count > SIZE_MAX / sizeof(float))
                continue; /* cannot happen for a good node: count.c checked */
            float *p = xmalloc(count ? (size_t)count * sizeof(float) : 1);
            for (int64_t j = 0; j < count; j++) {
                double u = unit(&s);
                double v;
                if (op_info[n->op].weights != WK_NORM)
                    v = (2.0 * u - 1.0) * bound;
                else if (k == 0)
                    v = 1.0 + 0.1 * (2.0 * u - 1.0);
                else if (k == 3)
                    v = 0.5 + u;
                else
                    v = 0.1 * (2.0 * u - 1.0);
                p[j] = (float)v;
            }
            *slot(&out->w[n->id], k) = p;
        }
    }
}
