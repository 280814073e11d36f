/* shape.c: the output shape of every layer.
**
** One loop over the nodes in topological order, one rule per op (the
** shape column of ops.def). A rule that fails reports a `shape` error that
** shows its arithmetic, with a note at the layer that made the input what it
** is, and marks the node bad; its consumers are then skipped silently.
**
** Sizes are int64_t and every sum and product is checked: a shape that does
** not fit is an error, never undefined behaviour. `same` padding is resolved
** here, into Node.pad, so the back ends see only numbers.
*/
#include "netc.h"

#include <stdio.h>
#include <string.h>

typedef bool ShapeRule(Node *n, Diags *d);

static const char *shape_str(Arena *a, const Shape *s) {
    if (s->rank == 3)
        return arena_printf(a, "%lld×%lld×%lld", (long long)s->d[0], (long long)s->d[1],
                            (long long)s->d[2]);
    return arena_printf(a, "(%lld)", (long long)s->d[0]);
}

const char *shape_text(Arena *a, const Shape *s) {
    return shape_str(a, s);
}

static Diag *shape_error(Diags *d, const Node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static Diag *shape_error(Diags *d, const Node *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(d->arena, fmt, ap);
    va_end(ap);
    Diag *g = diag_error(d, n->file, n->span, "shape", "%s", msg);
    g->caret_len = n->focus_len;
    g->layer = n->name;
    note_sites(d, g, n->site);
    return g;
}

/* The layer that last changed the shape on the way to n's input: the one
** whose arithmetic a note should show. */
static const Node *shape_origin(const Node *n) {
    while (n->nin == 1 && !op_is_window(n->op) && n->op != OP_input &&
           n->shape.rank == n->in[0]->shape.rank &&
           memcmp(n->shape.d, n->in[0]->shape.d, sizeof n->shape.d) == 0)
        n = n->in[0];
    return n;
}

/* Explains how a window layer got its output size on one axis. */
static const char *window_arith(Arena *a, const Node *p, int ax) {
    int64_t in = p->in[0]->shape.d[ax];
    int64_t pads = p->pad[ax * 2] + p->pad[ax * 2 + 1];
    int64_t ke = node_eff_kernel(p, ax);
    if (p->op == OP_zeropad2d)
        return arena_printf(a, "%lld + %lld", (long long)in, (long long)pads);
    const char *num = pads ? arena_printf(a, "%lld + %lld − %lld", (long long)in, (long long)pads,
                                          (long long)ke)
                           : arena_printf(a, "%lld − %lld", (long long)in, (long long)ke);
    return arena_printf(a, "%s((%s) / %lld) + 1", p->ceil ? "ceil" : "floor", num,
                        (long long)p->stride[ax]);
}

static void note_origin(Diags *d, Diag *g, const Node *input) {
    const Node *p = shape_origin(input);
    if (p->op == OP_input) {
        diag_note(d, g, p->file, p->span, "'%s' is declared %s here", p->name,
                  shape_str(d->arena, &p->shape));
        return;
    }
    if (op_is_window(p->op) && p->in[0]->shape.rank == 3) {
        const char *h = window_arith(d->arena, p, 0);
        const char *w = window_arith(d->arena, p, 1);
        const Shape *is = &p->in[0]->shape;
        if (strcmp(h, w) == 0)
            diag_note(d, g, p->file, p->span, "'%s' turns %lld×%lld into %lld×%lld (%s)", p->name,
                      (long long)is->d[0], (long long)is->d[1], (long long)p->shape.d[0],
                      (long long)p->shape.d[1], h);
        else
            diag_note(d, g, p->file, p->span,
                      "'%s' turns %lld×%lld into %lld×%lld (rows: %s; columns: %s)", p->name,
                      (long long)is->d[0], (long long)is->d[1], (long long)p->shape.d[0],
                      (long long)p->shape.d[1], h, w);
        return;
    }
    diag_note(d, g, p->file, p->span, "'%s' gives %s", p->name, shape_str(d->arena, &p->shape));
}

static bool shape_input(Node *n, Diags *d) {
    (void)d;
    n->shape = n->declared;
    return true;
}

/* Resolves `same` padding on one axis: TensorFlow's SAME, the extra row or
** column at the end. */
static void same_padding(Node *n, int ax, int64_t in, int64_t ke) {
    int64_t s = n->stride[ax];
    int64_t out = in / s + (in % s != 0);
    int64_t total = (out - 1) * s + ke - in;
    if (total < 0)
        total = 0;
    n->pad[ax * 2] = total / 2;
    n->pad[ax * 2 + 1] = total - total / 2;
}

static bool shape_window(Node *n, Diags *d) {
    const Node *x = n->in[0];
    const Shape *is = &x->shape;
    int64_t out[2];
    int64_t ke[2];
    for (int ax = 0; ax < 2; ax++) {
        if (n->op == OP_zeropad2d)
            n->kernel[ax] = 1;
        /* check before computing: d·(k − 1) + 1 must not overflow */
        int64_t span;
        if (!ck_mul(n->dilation[ax], n->kernel[ax] - 1, &span) || span > INT64_MAX / 4) {
            shape_error(d, n, "%s '%s': kernel and dilation are too large", op_info[n->op].name,
                        n->name);
            return false;
        }
        ke[ax] = n->op == OP_zeropad2d ? 1 : node_eff_kernel(n, ax);
        if (n->pad_same)
            same_padding(n, ax, is->d[ax], ke[ax]);
    }
    /* A pool window that lies wholly in the padding has nothing to read:
    ** as in PyTorch, a pool's padding is at most half its window. */
    if (n->op == OP_maxpool2d || n->op == OP_avgpool2d) {
        for (int ax = 0; ax < 2; ax++)
            for (int side = 0; side < 2; side++)
                if (n->pad[ax * 2 + side] > ke[ax] / 2) {
                    shape_error(d, n,
                                "%s '%s' pads %lld on a side, more than half its %lld×%lld window",
                                op_info[n->op].name, n->name, (long long)n->pad[ax * 2 + side],
                                (long long)ke[0], (long long)ke[1]);
                    return false;
                }
    }
    bool too_small = false;
    for (int ax = 0; ax < 2; ax++) {
        int64_t padded;
        if (!ck_add(is->d[ax], n->pad[ax * 2], &padded) ||
            !ck_add(padded, n->pad[ax * 2 + 1], &padded)) {
            shape_error(d, n, "%s '%s': padding too large", op_info[n->op].name, n->name);
            return false;
        }
        if (padded < ke[ax]) {
            too_small = true;
            continue;
        }
        int64_t span = padded - ke[ax];
        int64_t s = n->stride[ax];
        int64_t o = span / s + 1;
        if (n->ceil && span % s != 0) {
            o++;
            /* the last window may not start inside the end padding */
            if ((o - 1) * s >= is->d[ax] + n->pad[ax * 2])
                o--;
        }
        out[ax] = o;
    }
    if (too_small) {
        int64_t need[2];
        for (int ax = 0; ax < 2; ax++) {
            need[ax] = ke[ax] - n->pad[ax * 2] - n->pad[ax * 2 + 1];
            if (need[ax] < 1)
                need[ax] = 1;
        }
        Diag *g = shape_error(d, n, "%s '%s' needs at least %lld×%lld input, gets %lld×%lld",
                              op_info[n->op].name, n->name, (long long)need[0], (long long)need[1],
                              (long long)is->d[0], (long long)is->d[1]);
        note_origin(d, g, x);
        return false;
    }
    int64_t c = is->d[2];
    if (n->op == OP_conv2d) {
        if (c % n->groups != 0 || n->filters % n->groups != 0) {
            shape_error(d, n,
                        "conv2d '%s': groups=%lld must divide both its %lld input channels and "
                        "its %lld filters",
                        n->name, (long long)n->groups, (long long)c, (long long)n->filters);
            return false;
        }
        c = n->filters;
    } else if (n->op == OP_depthwise_conv2d) {
        n->groups = c;
        if (!ck_mul(c, n->multiplier, &c)) {
            shape_error(d, n, "depthwise_conv2d '%s': %lld channels × multiplier %lld overflows",
                        n->name, (long long)is->d[2], (long long)n->multiplier);
            return false;
        }
    }
    n->shape = (Shape){3, {out[0], out[1], c}};
    return true;
}

static bool shape_global(Node *n, Diags *d) {
    (void)d;
    n->shape = n->keepdims ? (Shape){3, {1, 1, n->in[0]->shape.d[2]}}
                           : (Shape){1, {n->in[0]->shape.d[2], 0, 0}};
    return true;
}

static bool shape_same(Node *n, Diags *d) {
    (void)d;
    n->shape = n->in[0]->shape;
    return true;
}

static bool shape_flatten(Node *n, Diags *d) {
    const Shape *is = &n->in[0]->shape;
    if (is->rank == 1) {
        n->shape = *is;
        return true;
    }
    int64_t v;
    if (!ck_mul(is->d[0], is->d[1], &v) || !ck_mul(v, is->d[2], &v)) {
        shape_error(d, n, "flatten '%s': %s has too many elements", n->name,
                    shape_str(d->arena, is));
        return false;
    }
    n->shape = (Shape){1, {v, 0, 0}};
    return true;
}

static bool shape_dense(Node *n, Diags *d) {
    (void)d;
    n->shape = (Shape){1, {n->units, 0, 0}};
    return true;
}

static const char *list_inputs(Arena *a, const Node *n) {
    Buf b = {0};
    for (int i = 0; i < n->nin; i++)
        buf_printf(&b, "%s%s ('%s')", i ? (i == n->nin - 1 ? " and " : ", ") : "",
                   shape_str(a, &n->in[i]->shape), n->in[i]->name);
    char *s = arena_strdup(a, b.data);
    buf_free(&b);
    return s;
}

/* add and multiply: tensors of one shape, or besides H×W×C ones, 1×1×C
** ones that are broadcast over H and W (squeeze-and-excitation's gate). */
static bool shape_add(Node *n, Diags *d) {
    const Shape *full = &n->in[0]->shape;
    for (int i = 1; i < n->nin; i++) {
        const Shape *b = &n->in[i]->shape;
        if (b->rank == 3 && full->rank == 3 && b->d[0] * b->d[1] > full->d[0] * full->d[1])
            full = b;
    }
    for (int i = 0; i < n->nin; i++) {
        const Shape *b = &n->in[i]->shape;
        bool same = b->rank == full->rank && memcmp(b->d, full->d, sizeof b->d) == 0;
        if (!same && !node_is_broadcast(n, i)) {
            bool gate = b->rank == 3 && b->d[0] == 1 && b->d[1] == 1;
            Diag *g = shape_error(d, n, "%s '%s' needs tensors of one shape, gets %s%s",
                                  op_info[n->op].name, n->name, list_inputs(d->arena, n),
                                  gate ? ": a 1×1×C tensor is broadcast only over a map of as "
                                         "many channels"
                                       : "");
            if (!gate && b->rank == 3 && full->rank == 3 &&
                (b->d[0] != full->d[0] || b->d[1] != full->d[1]))
                n->size_mismatch = g;
            return false;
        }
    }
    n->shape = *full;
    return true;
}

static bool shape_slice(Node *n, Diags *d) {
    const Shape *is = &n->in[0]->shape;
    if (!(n->start < n->stop && n->stop <= is->d[2])) {
        shape_error(d, n,
                    "channel_slice '%s' takes channels [%lld, %lld) of a tensor with %lld: "
                    "needs start < stop <= %lld",
                    n->name, (long long)n->start, (long long)n->stop, (long long)is->d[2],
                    (long long)is->d[2]);
        return false;
    }
    n->shape = *is;
    n->shape.d[2] = n->stop - n->start;
    return true;
}

static bool shape_shuffle(Node *n, Diags *d) {
    const Shape *is = &n->in[0]->shape;
    if (is->d[2] % n->groups != 0) {
        shape_error(d, n, "channel_shuffle '%s': groups=%lld must divide its %lld channels",
                    n->name, (long long)n->groups, (long long)is->d[2]);
        return false;
    }
    n->shape = *is;
    return true;
}

static bool shape_upsample(Node *n, Diags *d) {
    const Shape *is = &n->in[0]->shape;
    if (n->align_corners && !n->bilinear) {
        shape_error(d, n, "upsample2d '%s': align_corners applies to mode=bilinear only",
                    n->name);
        return false;
    }
    n->shape = *is;
    for (int ax = 0; ax < 2; ax++)
        if (!ck_mul(is->d[ax], n->scale[ax], &n->shape.d[ax])) {
            shape_error(d, n, "upsample2d '%s': its output is too large", n->name);
            return false;
        }
    return true;
}

/* PyTorch's ConvTranspose2d: (H − 1)·s − 2p + d·(k − 1) + output_padding + 1. */
static bool shape_convt(Node *n, Diags *d) {
    const Shape *is = &n->in[0]->shape;
    if (n->pad_same || n->pad[0] != n->pad[1] || n->pad[2] != n->pad[3]) {
        shape_error(d, n,
                    "conv2d_transpose '%s': padding must be an integer or a pair (ph, pw), as "
                    "in PyTorch",
                    n->name);
        return false;
    }
    int64_t c = is->d[2];
    if (c % n->groups != 0 || n->filters % n->groups != 0) {
        shape_error(d, n,
                    "conv2d_transpose '%s': groups=%lld must divide both its %lld input channels "
                    "and its %lld filters",
                    n->name, (long long)n->groups, (long long)c, (long long)n->filters);
        return false;
    }
    int64_t out[2];
    for (int ax = 0; ax < 2; ax++) {
        int64_t s = n->stride[ax], dl = n->dilation[ax], op = n->out_pad[ax];
        if (op >= s && op >= dl) {
            shape_error(d, n,
                        "conv2d_transpose '%s': output_padding %lld must be smaller than the "
                        "stride %lld or the dilation %lld",
                        n->name, (long long)op, (long long)s, (long long)dl);
            return false;
        }
        int64_t span, o;
        int64_t pads;
        if (!ck_mul(dl, n->kernel[ax] - 1, &span) || span > INT64_MAX / 4 ||
            !ck_mul(is->d[ax] - 1, s, &o) || !ck_add(o, span, &o) || !ck_add(o, op, &o) ||
            !ck_add(o, 1, &o) || !ck_mul(n->pad[ax * 2], 2, &pads) || !ck_add(o, -pads, &o)) {
            shape_error(d, n, "conv2d_transpose '%s': its output is too large", n->name);
            return false;
        }
        out[ax] = o;
    }
    if (out[0] < 1 || out[1] < 1) {
        Diag *g = shape_error(d, n,
                              "conv2d_transpose '%s' gives %lld×%lld from %lld×%lld: its padding "
                              "removes more than the kernel adds",
                              n->name, (long long)out[0], (long long)out[1],
                              (long long)is->d[0], (long long)is->d[1]);
        note_origin(d, g, n->in[0]);
        return false;
    }
    n->shape = (Shape){3, {out[0], out[1], n->filters}};
    return true;
}

static bool shape_concat(Node *n, Diags *d) {
    const Shape *a = &n->in[0]->shape;
    int64_t total = 0;
    int ch = a->rank == 3 ? 2 : 0;
    for (int i = 0; i < n->nin; i++) {
        const Shape *b = &n->in[i]->shape;
        if (b->rank != a->rank || (a->rank == 3 && (a->d[0] != b->d[0] || a->d[1] != b->d[1]))) {
            Diag *g = shape_error(d, n,
                                  a->rank == 3
                                      ? "concat '%s' needs tensors of equal height and width, gets %s"
                                      : "concat '%s' needs tensors of one rank, gets %s",
                                  n->name, list_inputs(d->arena, n));
            if (a->rank == 3 && b->rank == 3)
                n->size_mismatch = g;
            return false;
        }
        if (!ck_add(total, b->d[ch], &total)) {
            shape_error(d, n, "concat '%s': too many channels", n->name);
            return false;
        }
    }
    n->shape = *a;
    n->shape.d[ch] = total;
    return true;
}

static ShapeRule *const rules[OP__COUNT] = {
#define OP(id, mn, mx, rank, al, rq, sh, rf, cnt, ...) [OP_##id] = sh,
#include "ops.def"
#undef OP
};

void shape_infer(Graph *g, Diags *d) {
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = graph_node(g, i);
        n->unresolved = n->bad;
        for (int k = 0; k < n->nin; k++)
            if (n->in[k]->bad)
                n->bad = true;
        if (n->bad)
            continue;
        const OpInfo *info = &op_info[n->op];
        if (n->nin) {
            const Shape *is = &n->in[0]->shape;
            if (info->in_rank == 3 && is->rank != 3) {
                shape_error(d, n, "%s needs a spatial (H×W×C) input, gets the flat %s from '%s'",
                            info->name, shape_str(d->arena, is), n->in[0]->name);
                n->bad = true;
                continue;
            }
            if (info->in_rank == 1 && is->rank != 1) {
                shape_error(d, n,
                            "%s needs a flat input, gets %s from '%s': add flatten() or a global "
                            "pool before it",
                            info->name, shape_str(d->arena, is), n->in[0]->name);
                n->bad = true;
                continue;
            }
        }
        if (!rules[n->op](n, d)) {
            n->bad = true;
            continue;
        }
        /* every tensor's element count must fit, for the back ends */
        int64_t elems = 1;
        bool ok = true;
        for (int k = 0; k < n->shape.rank && ok; k++)
            ok = ck_mul(elems, n->shape.d[k], &elems);
        if (!ok) {
            shape_error(d, n, "%s '%s': its %s output has too many elements", info->name, n->name,
                        shape_str(d->arena, &n->shape));
            n->bad = true;
        }
    }
}
