/* lint.c: warnings about networks that are valid but cannot work well.
**
** Each warning of docs/language.md ("Warnings") and of docs/netc.1
** ("WARNINGS") is one function over the analysed graph.
** The message forms are part of netc's contract (tools and tests match
** them), so they are written out in full here and nowhere else:
**
**   rf-coverage       final layer 'NAME' sees only R×R of the H×W input
**   dropped-pixels    OP 'NAME' ignores the last row and column of its H×W input
**   stride-gap        OP 'NAME' has stride S larger than its K kernel: ...
**   bias-before-norm  OP 'NAME' has a bias that batchnorm 'BN' cancels: ...
**   param-hotspot     OP 'NAME' holds P% of the network's N parameters
**   rf-misaligned     OP 'NAME' merges misaligned fields: ...
**   softmax-not-last  softmax of 'NAME' feeds 'USER': ...
**   unused            'NAME' is never used
**
** A warning is reported where its layer's statement is; for a layer made by
** a block call, notes name the call sites. `# netc: disable=ID` after code on
** a line of the layer's statement, or alone on the line above it (or so for
** a call site), silences it.
*/
#include "netc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_suppressed(const Node *n, WarnId w) {
    if (suppressed(n->file, n->span, warn_names[w]))
        return true;
    for (const Site *s = n->site; s; s = s->up)
        if (suppressed(s->file, s->span, warn_names[w]))
            return true;
    return false;
}

static Diag *warn(Diags *d, const Node *n, WarnId w, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static Diag *warn(Diags *d, const Node *n, WarnId w, const char *fmt, ...) {
    if (is_suppressed(n, w))
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(d->arena, fmt, ap);
    va_end(ap);
    Diag *g = diag_warn(d, n->file, n->span, w, "%s", msg);
    if (!g)
        return NULL;
    g->caret_len = n->focus_len;
    g->layer = n->name;
    note_sites(d, g, n->site);
    return g;
}

static const char *opname(const Node *n) {
    return op_info[n->op].name;
}

static bool spatial_input(const Graph *g, const Node *n, const Node **in) {
    if (n->rf_input < 0 || n->rf_input >= g->inputs.len)
        return false;
    *in = g->inputs.data[n->rf_input];
    return (*in)->shape.rank == 3 && !(*in)->bad;
}

/*
** rf-coverage
*/

static const char *field_text(Arena *a, const Node *n) {
    return arena_printf(a, "%lld×%lld", (long long)n->rf[0].size, (long long)n->rf[1].size);
}

/* The field at the end of the chain if a 2×2, stride-2 max pool were put
** after chain[at]; false if a map on the way would shrink below 1×1. */
static bool with_pool(const Node **chain, int len, int at, Field out[2]) {
    for (int ax = 0; ax < 2; ax++) {
        Field f = rf_window_step(chain[at]->rf[ax], 2, 2, 0);
        int64_t size = chain[at]->shape.d[ax] / 2;
        if (size < 1)
            return false;
        for (int i = at + 1; i < len; i++) {
            const Node *n = chain[i];
            if (op_is_window(n->op)) {
                int64_t ke = n->op == OP_zeropad2d ? 1 : node_eff_kernel(n, ax);
                int64_t padded = size + n->pad[ax * 2] + n->pad[ax * 2 + 1];
                if (padded < ke)
                    return false;
                size = (padded - ke) / n->stride[ax] + 1;
                f = rf_window_step(f, ke, n->stride[ax], n->pad[ax * 2]);
            }
        }
        out[ax] = f;
    }
    return true;
}

static bool size_changed(const Node *a, const Node *b) {
    return a->rf[0].size != b->rf[0].size || a->rf[1].size != b->rf[1].size;
}

static bool covers(int64_t r, int64_t h, double frac) {
    return (double)r >= frac * (double)h - 1e-9;
}

static void rf_coverage(Graph *g, Diags *d, const Node *n, double frac) {
    const Node *in;
    if (n->shape.rank != 3 || n->op == OP_input || !spatial_input(g, n, &in))
        return;
    bool feeds = n->is_output;
    for (int i = 0; i < n->users.len; i++) {
        const Node *u = n->users.data[i];
        if (u->op == OP_flatten || u->op == OP_dense ||
            ((u->op == OP_global_avgpool2d || u->op == OP_global_maxpool2d) && !u->keepdims))
            feeds = true; /* a keepdims pool is a squeeze inside the network, not its head */
    }
    if (!feeds)
        return;
    int64_t h = in->shape.d[0], w = in->shape.d[1];
    if (covers(n->rf[0].size, h, frac) && covers(n->rf[1].size, w, frac))
        return;
    Diag *gd = warn(d, n, W_RF_COVERAGE, "final layer '%s' sees only %lld×%lld of the %lld×%lld input",
                    n->name, (long long)n->rf[0].size, (long long)n->rf[1].size, (long long)h,
                    (long long)w);
    if (!gd)
        return;

    /* the whole path, however long: its first layer is the input */
    const Node **chain = xmalloc(sizeof *chain * (size_t)g->nodes.len);
    int len = rf_chain(n, chain, g->nodes.len);
    /* the growth note: each layer that changed the field */
    Buf b = {0};
    const Node *first = NULL;
    int shown = 0, changes = 0;
    for (int i = 1; i < len; i++)
        if (size_changed(chain[i], chain[i - 1]))
            changes++;
    buf_printf(&b, "the field grows from 1×1 at '%s'", chain[0]->name);
    for (int i = 1; i < len; i++) {
        if (!size_changed(chain[i], chain[i - 1]))
            continue;
        if (!first)
            first = chain[i];
        shown++;
        if (changes > 12 && shown > 5 && shown <= changes - 5) {
            if (shown == 6)
                buf_puts(&b, " → …");
            continue;
        }
        buf_printf(&b, " → %s at '%s'", field_text(d->arena, chain[i]), chain[i]->name);
    }
    if (!first) {
        /* at the input, where the field it never grows beyond is */
        first = chain[0];
        buf_free(&b);
        buf_printf(&b, "the field never grows: it stays 1×1 from '%s' to '%s'", chain[0]->name,
                   n->name);
    }
    diag_note(d, gd, first->file, first->span, "%s", b.data);
    buf_free(&b);

    /* the fix: the latest single 2×2 max pool that brings the field over the
    ** bar, among the last POOL_SEARCH layers of the path (each try walks the
    ** rest of the path: a bound keeps a very deep path from costing its
    ** length squared) */
    enum { POOL_SEARCH = 4096 };
    for (int at = len - 1; at >= 0 && at >= len - POOL_SEARCH; at--) {
        if (chain[at]->shape.rank != 3 || (at + 1 < len && chain[at + 1]->nin != 1))
            continue;
        Field f[2];
        if (!with_pool(chain, len, at, f))
            continue;
        if (covers(f[0].size, h, frac) && covers(f[1].size, w, frac)) {
            diag_note(d, gd, chain[at]->file, chain[at]->span,
                      "a maxpool2d(size=2) after '%s' would grow the field to %lld×%lld",
                      chain[at]->name, (long long)f[0].size, (long long)f[1].size);
            break;
        }
    }
    free(chain);
}

/*
** dropped-pixels and stride-gap
*/

static const char *count_text(Arena *a, int64_t n, const char *one, const char *many) {
    return n == 1 ? arena_printf(a, "the last %s", one)
                  : arena_printf(a, "the last %lld %s", (long long)n, many);
}

static void dropped_pixels(Diags *d, const Node *n) {
    if (!op_is_window(n->op) || n->op == OP_zeropad2d)
        return;
    const Shape *is = &n->in[0]->shape;
    int64_t lost[2] = {0, 0};
    for (int ax = 0; ax < 2; ax++) {
        int64_t ke = node_eff_kernel(n, ax);
        if (n->stride[ax] > ke)
            continue;
        int64_t last = (n->shape.d[ax] - 1) * n->stride[ax] - n->pad[ax * 2] + ke - 1;
        if (last < is->d[ax] - 1)
            lost[ax] = is->d[ax] - 1 - last;
    }
    if (!lost[0] && !lost[1])
        return;
    Arena *a = d->arena;
    const char *what;
    if (lost[0] == lost[1])
        what = lost[0] == 1 ? "the last row and column"
                            : arena_printf(a, "the last %lld rows and columns", (long long)lost[0]);
    else if (!lost[1])
        what = count_text(a, lost[0], "row", "rows");
    else if (!lost[0])
        what = count_text(a, lost[1], "column", "columns");
    else
        what = arena_printf(a, "%s and %s", count_text(a, lost[0], "row", "rows"),
                            count_text(a, lost[1], "column", "columns"));
    Diag *g = warn(d, n, W_DROPPED_PIXELS, "%s '%s' ignores %s of its %lld×%lld input", opname(n),
                   n->name, what, (long long)is->d[0], (long long)is->d[1]);
    if (!g)
        return;
    for (int ax = 0; ax < 2; ax++) {
        if (!lost[ax])
            continue;
        int64_t ke = node_eff_kernel(n, ax);
        int64_t last = (n->shape.d[ax] - 1) * n->stride[ax] - n->pad[ax * 2] + ke - 1;
        bool same = ax == 0 && lost[1] && n->shape.d[0] == n->shape.d[1] &&
                    n->stride[0] == n->stride[1] && n->pad[0] == n->pad[2] &&
                    ke == node_eff_kernel(n, 1) && is->d[0] == is->d[1];
        diag_note(d, g, n->file, n->span,
                  "%s, the last window ends at (%lld − 1)·%lld − %lld + %lld − 1 = %lld, before "
                  "the last %s at %lld",
                  same ? "on both axes" : ax ? "on the columns" : "on the rows",
                  (long long)n->shape.d[ax], (long long)n->stride[ax], (long long)n->pad[ax * 2],
                  (long long)ke, (long long)last, same ? "row and column" : ax ? "column" : "row",
                  (long long)(is->d[ax] - 1));
        if (same)
            break;
    }
}

/* Does every path from n's consumers reach an add or concat through
** batchnorm, activation or dropout layers only? */
static bool reaches_merge(const Node *n, int depth) {
    if (n->is_output || n->users.len == 0 || depth > 64)
        return false;
    for (int i = 0; i < n->users.len; i++) {
        const Node *u = n->users.data[i];
        if (u->op == OP_add || u->op == OP_concat)
            continue;
        if (!op_is_elementwise(u->op) || !reaches_merge(u, depth + 1))
            return false;
    }
    return true;
}

static const char *pair_text(Arena *a, const int64_t v[2]) {
    if (v[0] == v[1])
        return arena_printf(a, "%lld", (long long)v[0]);
    return arena_printf(a, "%lld×%lld", (long long)v[0], (long long)v[1]);
}

/* Odena et al., "Deconvolution and checkerboard artifacts" (2016): with
** a kernel the stride does not divide, neighbouring outputs of a
** transposed convolution get ⌈k/s⌉ and ⌊k/s⌋ taps in turn. */
static void checkerboard(Diags *d, const Node *n) {
    if (n->op != OP_conv2d_transpose)
        return;
    bool bad[2] = {n->kernel[0] % n->stride[0] != 0, n->kernel[1] % n->stride[1] != 0};
    if (!bad[0] && !bad[1])
        return;
    int ax = bad[0] ? 0 : 1;
    int64_t k = n->kernel[ax], s = n->stride[ax];
    Diag *g = warn(d, n, W_CHECKERBOARD,
                   "conv2d_transpose '%s' has kernel %s and stride %s: the %s of its output get "
                   "%lld and %lld kernel taps in turn, a checkerboard pattern",
                   n->name, pair_text(d->arena, n->kernel), pair_text(d->arena, n->stride),
                   bad[0] && bad[1] ? "rows and columns" : bad[0] ? "rows" : "columns",
                   (long long)((k + s - 1) / s), (long long)(k / s));
    if (g)
        diag_note(d, g, n->file, n->span,
                  "upsample2d(scale=%s) then conv2d, or a kernel divisible by the stride "
                  "(kernel=%lld), avoids it",
                  pair_text(d->arena, n->stride), (long long)((k / s + 1) * s));
}

static void stride_gap(Diags *d, const Node *n) {
    if (!op_is_window(n->op) || n->op == OP_zeropad2d)
        return;
    int64_t ke[2] = {node_eff_kernel(n, 0), node_eff_kernel(n, 1)};
    bool gap[2] = {n->stride[0] > ke[0], n->stride[1] > ke[1]};
    if (!gap[0] && !gap[1])
        return;
    if (reaches_merge(n, 0))
        return;
    const char *where = gap[0] && gap[1] ? "rows and columns" : gap[0] ? "rows" : "columns";
    warn(d, n, W_STRIDE_GAP,
         "%s '%s' has stride %s, larger than its %lld×%lld kernel: the %s between windows are "
         "never read",
         opname(n), n->name, pair_text(d->arena, n->stride), (long long)ke[0], (long long)ke[1],
         where);
}

/*
** The others
*/

static void bias_before_norm(Diags *d, const Node *n) {
    if (!(n->op == OP_conv2d || n->op == OP_depthwise_conv2d || n->op == OP_conv2d_transpose ||
          n->op == OP_dense) ||
        !n->bias ||
        n->act != ACT_LINEAR)
        return;
    for (int i = 0; i < n->users.len; i++) {
        const Node *u = n->users.data[i];
        if (u->op == OP_batchnorm) {
            warn(d, n, W_BIAS_BEFORE_NORM,
                 "%s '%s' has a bias that batchnorm '%s' cancels: use bias=false", opname(n),
                 n->name, u->name);
            return;
        }
    }
}

static void param_hotspot(const Graph *g, Diags *d, const Node *n) {
    if (g->params < 100000 || n->params <= g->params / 2) /* more than half */
        return;
    char total[32];
    fmt_thousands(total, g->params);
    int pct = (int)floor((double)n->params * 100.0 / (double)g->params + 0.5);
    warn(d, n, W_PARAM_HOTSPOT, "%s '%s' holds %d%% of the network's %s parameters", opname(n),
         n->name, pct, total);
}

static const char *centre_text(Arena *a, const Field *f) {
    int64_t twice = (f->size - 1) - 2 * f->pad;
    if (twice % 2 == 0)
        return arena_printf(a, "%lld", (long long)(twice / 2));
    return arena_printf(a, "%lld.5", (long long)(twice / 2));
}

static void rf_misaligned(Diags *d, const Node *n) {
    if (!n->rf_misaligned)
        return;
    /* a broadcast 1×1×C operand takes no part (rf.c) */
    int first = 0;
    while (first < n->nin - 1 && node_is_broadcast(n, first))
        first++;
    const Node *a = n->in[first];
    for (int i = first + 1; i < n->nin; i++) {
        const Node *b = n->in[i];
        if (b->rf_input != a->rf_input || node_is_broadcast(n, i))
            continue;
        for (int ax = 0; ax < 2; ax++) {
            const Field *fa = &a->rf[ax], *fb = &b->rf[ax];
            const char *axis = ax ? "columns" : "rows";
            int64_t da = fa->den > 1 ? fa->den : 1, db = fb->den > 1 ? fb->den : 1;
            if (fa->jump * db != fb->jump * da) {
                warn(d, n, W_RF_MISALIGNED,
                     "%s '%s' merges misaligned fields: on the %s, '%s' has jump %s and '%s' "
                     "jump %s",
                     opname(n), n->name, axis, a->name, field_jump_text(d->arena, fa), b->name,
                     field_jump_text(d->arena, fb));
                return;
            }
            if (da == 1 && db == 1 &&
                (fa->size - 1) - 2 * fa->pad != (fb->size - 1) - 2 * fb->pad) {
                warn(d, n, W_RF_MISALIGNED,
                     "%s '%s' merges misaligned fields: on the %s, the field of '%s' is centred "
                     "at %s and that of '%s' at %s",
                     opname(n), n->name, axis, a->name, centre_text(d->arena, fa), b->name,
                     centre_text(d->arena, fb));
                return;
            }
        }
    }
}

static void softmax_not_last(Diags *d, const Node *n) {
    if (!(n->op == OP_softmax || n->act == ACT_SOFTMAX) || n->users.len == 0)
        return;
    if (!op_has_weights(n->op) && n->op != OP_softmax)
        return;
    const Node *u = n->users.data[0];
    if (n->op == OP_softmax)
        warn(d, n, W_SOFTMAX_NOT_LAST,
             "softmax '%s' feeds %s '%s': a softmax belongs at the end of a network", n->name,
             opname(u), u->name);
    else
        warn(d, n, W_SOFTMAX_NOT_LAST,
             "the softmax of %s '%s' feeds %s '%s': a softmax belongs at the end of a network",
             opname(n), n->name, opname(u), u->name);
}

static void unused(const Graph *g, Diags *d, const Node *n) {
    if (!g->explicit_outputs || n->users.len || n->is_output)
        return;
    warn(d, n, W_UNUSED, "'%s' is never used", n->name);
}

void lint_comments(const Program *p, Diags *d) {
    for (int i = 0; i < p->files.len; i++) {
        const SourceFile *f = p->files.data[i];
        for (int k = 0; k < f->suppress.len; k++) {
            const Suppress *c = f->suppress.data[k];
            int col = c->col;
            for (const char *q = c->ids;;) {
                const char *e = strchr(q, ',');
                size_t len = e ? (size_t)(e - q) : strlen(q);
                int width = utf8_len(q, len);
                char *id = arena_strndup(d->arena, q, len);
                if (len && strcmp(id, "all") != 0 && warn_lookup(id) < 0) {
                    Span s = {c->line, col, c->line, col + width};
                    Diag *g = diag_warn(d, f, s, W_UNKNOWN_WARNING,
                                        "unknown warning id '%s' in a disable comment%s", id,
                                        did_you_mean(d->arena, id, warn_names, W__COUNT, 3));
                    if (g)
                        g->caret_len = width;
                }
                if (!e)
                    break;
                col += width + 1;
                q = e + 1;
            }
        }
    }
}

void lint_run(Graph *g, Diags *d, const WarnConfig *cfg) {
    double frac = cfg ? cfg->rf_min : 0.5;
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        if (n->bad)
            continue;
        unused(g, d, n);
        rf_coverage(g, d, n, frac);
        dropped_pixels(d, n);
        stride_gap(d, n);
        bias_before_norm(d, n);
        if (g->totals_ok)
            param_hotspot(g, d, n);
        rf_misaligned(d, n);
        softmax_not_last(d, n);
        checkerboard(d, n);
    }
}
