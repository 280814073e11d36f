/* count.c: parameters and multiply-accumulates (docs/language.md, "The ops").
**
** Parameters: conv kh·kw·(in/groups)·out (+out bias); depthwise
** kh·kw·C·m (+C·m); dense in·out (+out); batchnorm 4·C, of which the running
** mean and variance (2·C) are not trainable, as Keras counts. MACs: conv
** H'·W'·out·kh·kw·(in/groups), dense in·out; everything else counts 0.
** Every product is checked: a count that overflows is an error.
*/
#include "netc.h"

typedef bool CountRule(Node *n);

static bool count_none(Node *n) {
    (void)n;
    return true;
}

/* A kernel of kh·kw·(in/groups)·out weights (+out bias) applied at each
** of H×W pixels: the conv's output pixels, the transposed conv's input
** pixels. */
static bool count_kernel(Node *n, int64_t H, int64_t W) {
    int64_t in = n->in[0]->shape.d[2];
    int64_t out = n->shape.d[2];
    int64_t per = 0, w = 0, macs = 0;
    bool ok = ck_mul(n->kernel[0], n->kernel[1], &per) && ck_mul(per, in / n->groups, &per) &&
              ck_mul(per, out, &w) && ck_mul(H, W, &macs) && ck_mul(macs, w, &macs);
    if (ok && n->bias)
        ok = ck_add(w, out, &w);
    n->params = n->trainable = w;
    n->macs = macs;
    return ok;
}

/* conv2d and depthwise_conv2d: a depthwise conv is a conv with groups = C. */
static bool count_conv(Node *n) {
    return count_kernel(n, n->shape.d[0], n->shape.d[1]);
}

static bool count_dense(Node *n) {
    int64_t in = n->in[0]->shape.d[0];
    int64_t w;
    bool ok = ck_mul(in, n->units, &w);
    n->macs = w;
    if (ok && n->bias)
        ok = ck_add(w, n->units, &w);
    n->params = n->trainable = w;
    return ok;
}

static bool count_norm(Node *n) {
    int64_t c = n->shape.d[n->shape.rank - 1];
    bool ok = ck_mul(c, 4, &n->params) && ck_mul(c, 2, &n->trainable);
    n->macs = 0;
    return ok;
}

/* conv2d_transpose: weight [in, out/groups, kh, kw], as many as a conv's
** kh·kw·(in/groups)·out; every input pixel is multiplied by the whole
** kernel: H_in·W_in·in·kh·kw·(out/groups) MACs. */
static bool count_convt(Node *n) {
    return count_kernel(n, n->in[0]->shape.d[0], n->in[0]->shape.d[1]);
}

static CountRule *const rules[OP__COUNT] = {
#define OP(id, mn, mx, rank, al, rq, sh, rf, cnt, ...) [OP_##id] = cnt,
#include "ops.def"
#undef OP
};

void count_params(Graph *g, Diags *d) {
    g->params = g->trainable = g->macs = 0;
    g->totals_ok = true;
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = graph_node(g, i);
        if (n->bad) {
            g->totals_ok = false;
            continue;
        }
        if (!rules[n->op](n)) {
            Diag *e = diag_error(d, n->file, n->span, "shape",
                                 "%s '%s': its parameter or MAC count overflows",
                                 op_info[n->op].name, n->name);
            e->caret_len = n->focus_len;
            e->layer = n->name;
            note_sites(d, e, n->site);
            n->bad = true;
            g->totals_ok = false;
            continue;
        }
        if (!ck_add(g->params, n->params, &g->params) ||
            !ck_add(g->trainable, n->trainable, &g->trainable) ||
            !ck_add(g->macs, n->macs, &g->macs)) {
            Diag *e = diag_error(d, g->file, g->span, "shape",
                                 "network '%s': its total parameter or MAC count overflows",
                                 g->name);
            (void)e;
            g->totals_ok = false;
            return;
        }
    }
}
