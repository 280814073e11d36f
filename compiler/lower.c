/* lower.c: from an analysed graph and its weights to kernel steps.
**
** One walk over the nodes in order. A conv or dense absorbs what follows it
** when that can be done at build time: a batchnorm (folded into its weights
** and bias), then dropout and linear layers (identities) and an activation
** (applied as each output pixel is finished). The memory plan already put
** every absorbed layer's tensor in the conv's buffer, since each of them is
** the only reader of the one before; the step simply writes there.
**
** Weights are rearranged once, here, so the innermost loop of every kernel
** runs over contiguous memory in the order the kernel reads it:
**   conv     [group][kh][kw][in/groups][out/groups]   (PyTorch: [out][in/g][kh][kw])
**   depthwise-like (in/groups = 1): [kh][kw][out]
**   dense    [in][out], the flatten order folded in:  (PyTorch: [out][in])
** so a chw flatten in front of a dense costs nothing at run time.
**
** requires: shapes, the memory plan, weights for every layer that has them
** provides: a Lowered program for the back ends (backend.h)
*/
#include "backend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Winograd needs at least this many 2x2 output tiles (docs/build.md). */
#define WINOGRAD_MIN_TILES 16

typedef struct Lower {
    const Graph *g;
    const WeightSet *ws;
    Lowered *l;
    bool *absorbed; /* per node: computed by an earlier step */
    int64_t cap;    /* of l->blob */
    int capsteps;
} Lower;

static TRef ref(const Lower *L, const Node *n) {
    if (n->op == OP_input) {
        for (int i = 0; i < L->g->inputs.len; i++)
            if (L->g->inputs.data[i] == n)
                return (TRef){i, 0};
    }
    return (TRef){-1, L->l->plan.offset[n->id] / 4};
}

static bool same_buffer(const Lower *L, const Node *a, const Node *b) {
    return L->l->plan.buffer[a->id] == L->l->plan.buffer[b->id];
}

/* Space for n floats in the blob, 16-float aligned; returns the offset.
** Without weights (the steps only) nothing is stored, only counted. */
static int64_t blob_alloc(Lower *L, int64_t n) {
    Lowered *l = L->l;
    int64_t at = (l->nblob + 15) / 16 * 16;
    if (L->ws && at + n > L->cap) {
        int64_t cap = L->cap ? L->cap : 1024;
        while (cap < at + n)
            cap *= 2;
        float *p = xrealloc(l->blob, sizeof(float) * (size_t)cap);
        memset(p + L->cap, 0, sizeof(float) * (size_t)(cap - L->cap));
        l->blob = p;
        L->cap = cap;
    }
    l->nblob = at + n;
    return at;
}

static Step *new_step(Lower *L, KernelKind k, const Node *n) {
    Lowered *l = L->l;
    if (l->nsteps == L->capsteps) {
        L->capsteps = L->capsteps ? L->capsteps * 2 : 64;
        l->steps = xrealloc(l->steps, sizeof(Step) * (size_t)L->capsteps);
    }
    Step *s = &l->steps[l->nsteps++];
    memset(s, 0, sizeof *s);
    s->kind = k;
    s->node = n;
    s->last = n;
    s->w = s->b = -1;
    s->act = ACT_LINEAR;
    s->alpha = 0.01f;
    s->nin = n->nin;
    s->ins = n->nin > 8 ? xmalloc(sizeof(TRef) * (size_t)n->nin) : NULL;
    TRef *in = s->ins ? s->ins : s->in;
    for (int i = 0; i < n->nin; i++)
        in[i] = ref(L, n->in[i]);
    s->out = ref(L, n);
    return s;
}

/* The one layer that reads n, if n is read by exactly one layer and is not
** an output. */
static const Node *sole_user(const Node *n) {
    if (n->is_output || n->users.len != 1)
        return NULL;
    return n->users.data[0];
}

/* The activation an op applies as a layer: the act column of ops.def. */
static bool is_act_op(OpKind op, Act *act) {
    if (op_info[op].act == NOACT)
        return false;
    *act = (Act)op_info[op].act;
    return true;
}

/* The same for a layer: gelu(approximate=tanh) is its own activation. */
static bool node_act(const Node *n, Act *act) {
    if (!is_act_op(n->op, act))
        return false;
    if (n->op == OP_gelu && n->act == ACT_GELU_TANH)
        *act = ACT_GELU_TANH;
    return true;
}

/* The kernel column of ops.def: the step of an op lowered as one step of
** its own, with no weights. */
static const KernelKind op_kernel[OP__COUNT] = {
#define OP(id, mn, mx, rank, al, rq, sh, rf, cnt, flags, wk, act, kern, ...) [OP_##id] = kern,
#include "ops.def"
#undef OP
};

/* Absorbs identities and (if the step has none yet) one activation after
** s->last, while each is the only reader of the one before. `elementwise`:
** not softmax, which needs a whole pixel (for steps that work element by
** element). */
static void absorb_tail(Lower *L, Step *s, bool elementwise) {
    for (;;) {
        const Node *u = sole_user(s->last);
        Act act;
        if (!u || !same_buffer(L, u, s->last))
            return;
        if (u->op == OP_dropout || u->op == OP_linear) {
            L->absorbed[u->id] = true;
            s->last = u;
            continue;
        }
        if (s->act == ACT_LINEAR && node_act(u, &act) &&
            !(elementwise && act == ACT_SOFTMAX)) {
            s->act = act;
            s->alpha = (float)u->alpha;
            L->absorbed[u->id] = true;
            s->last = u;
            continue;
        }
        return;
    }
}

/* Per-channel scale and shift of a batchnorm: y = x·scale + shift. */
static void bn_affine(const Node *bn, const NodeWeights *w, int64_t c, double *scale,
                      double *shift) {
    double s = (double)w->weight[c] / sqrt((double)w->var[c] + bn->epsilon);
    *scale = s;
    *shift = (double)w->bias[c] - (double)w->mean[c] * s;
}

static bool same_shape(const Shape *a, const Shape *b) {
    if (a->rank != b->rank)
        return false;
    for (int i = 0; i < a->rank; i++)
        if (a->d[i] != b->d[i])
            return false;
    return true;
}

/* A conv whose output (after its folded batchnorm) is added to another
** tensor, and nothing else reads it, takes the add: each tile adds the
** other input before the activation, so the sum never makes a pass of its
** own. Only when the add writes in the conv's buffer and the other input
** lives elsewhere (so no tile overwrites what another still reads), and
** was computed before this step. An activation of the conv itself comes
** before the add, so it rules the fusion out. */
static void absorb_residual(Lower *L, Step *s) {
    const Node *u = sole_user(s->last);
    if (s->kind != K_CONV || s->act != ACT_LINEAR || !u || u->op != OP_add || u->nin != 2 ||
        (s->strategy != S_DIRECT && s->strategy != S_GEMM && s->strategy != S_DEPTHWISE &&
         s->strategy != S_WINOGRAD) ||
        !same_buffer(L, u, s->last))
        return;
    const Node *o = u->in[0] == s->last ? u->in[1] : u->in[0];
    if (o == s->last || o->shape.rank != 3 || !same_shape(&o->shape, &s->last->shape) ||
        (o->op != OP_input && (same_buffer(L, o, s->last) || o->id > s->node->id)))
        return;
    L->absorbed[u->id] = true;
    s->last = u;
    s->res_node = u;
    s->res = ref(L, o);
}

/* Winograd F(2,3) for this conv? The one place that chooses it, so that a
** back end without the kernel can turn it off. It takes 3x3 convs with
** stride 1, no dilation, no groups, and whole vectors (16 floats at most)
** of input and output channels; it wins where the layer has enough
** channels for its transforms to be a small part of the work and enough
** output tiles (docs/performance.md has the per-layer measurements). */
static bool choose_winograd(const Node *n) {
    int64_t C = n->in[0]->shape.d[2], F = n->shape.d[2];
    int64_t tiles = ((n->shape.d[0] + 1) / 2) * ((n->shape.d[1] + 1) / 2);
    return n->kernel[0] == 3 && n->kernel[1] == 3 && n->stride[0] == 1 && n->stride[1] == 1 &&
           n->dilation[0] == 1 && n->dilation[1] == 1 && n->groups == 1 && C % 16 == 0 &&
           F % 16 == 0 && tiles >= WINOGRAD_MIN_TILES;
}

/* The strategy for a conv or dense (docs/build.md, "Kernel strategies").
** A softmax over the channels needs every channel of a pixel at once, which
** the blocked kernels do not have: those layers stay generic. */
static Strategy choose_strategy(const Node *n, Act act) {
    if (n->op == OP_dense)
        return S_GEMV;
    if (act == ACT_SOFTMAX)
        return S_GENERIC;
    int64_t C = n->in[0]->shape.d[2], F = n->shape.d[2], G = n->groups;
    if (G == 1) {
        if (n->kernel[0] == 1 && n->kernel[1] == 1 && n->stride[0] == 1 && n->stride[1] == 1 &&
            !n->pad[0] && !n->pad[1] && !n->pad[2] && !n->pad[3])
            return S_GEMM;
        if (choose_winograd(n))
            return S_WINOGRAD;
        return S_DIRECT;
    }
    /* depthwise, multiplier 1, whole vectors of channels (a vector holds at
    ** most 16 floats) */
    if (G == C && F == C && C % 16 == 0)
        return S_DEPTHWISE;
    return S_GENERIC;
}

/* Input channels per block of the direct kernel: a block's weights for
** NETC_BLOCK outputs (kh·kw·cblock·64 floats) stay under 512 KiB, half of
** a common L2 cache. */
static int64_t channel_block(int64_t K, int64_t C) {
    int64_t limit = 2048; /* kh·kw·cblock */
    int64_t nb = (K * C + limit - 1) / limit;
    return (C + nb - 1) / nb;
}

/* A direct conv whose output (after its activation) is read only by a max
** pool takes the pool: the back end pools each row of the output as soon
** as the conv rows under its window are made, while they are in the cache,
** instead of writing the whole map and reading it again. Only when the
** pool writes elsewhere than the conv's buffer (the conv's rows are made
** there) and than the conv's input (the memory plan may give the pool the
** input's place, which the unfused conv no longer needs; fused, the pool
** writes while the conv still reads), and when the conv's packed weights
** fit in 256 KiB: the kernel then goes through all of them for each row,
** which a layer with more weights would read from memory once per row. */
#define POOL_FUSE_WEIGHTS (256 * 1024 / 4)

/* Whether the arena tensors of nodes a and b share any float. */
static bool overlap(const Lower *L, const Node *a, const Node *b) {
    TRef ra = ref(L, a), rb = ref(L, b);
    int64_t na = 1, nb = 1;
    for (int i = 0; i < a->shape.rank; i++)
        na *= a->shape.d[i];
    for (int i = 0; i < b->shape.rank; i++)
        nb *= b->shape.d[i];
    return ra.input < 0 && rb.input < 0 && ra.off < rb.off + nb && rb.off < ra.off + na;
}

static void absorb_pool(Lower *L, Step *s) {
    const Node *u = sole_user(s->last), *n = s->node;
    if (s->kind != K_CONV || s->strategy != S_DIRECT || s->res_node || !u ||
        u->op != OP_maxpool2d || same_buffer(L, u, s->last) || overlap(L, u, n->in[0]))
        return;
    int64_t padded = (n->shape.d[2] + NETC_BLOCK - 1) / NETC_BLOCK * NETC_BLOCK;
    if (n->kernel[0] * n->kernel[1] * n->in[0]->shape.d[2] * padded > POOL_FUSE_WEIGHTS)
        return;
    L->absorbed[u->id] = true;
    s->mid = ref(L, s->last);
    s->pool = u;
    s->last = u;
}

/* The batchnorm that step s of the weighted node n takes in (n has no
** activation of its own, and the batchnorm is its only reader, working in
** its buffer), or NULL; and, per output channel, the scale of the weights
** and the shift of the bias that fold it in (1 and 0 without one, or
** without weights): two arrays the caller frees. */
static const Node *fold_batchnorm(Lower *L, Step *s, const Node *n, double **scale,
                                  double **shift) {
    const Node *bn = NULL, *u = sole_user(n);
    if (n->act == ACT_LINEAR && u && u->op == OP_batchnorm && same_buffer(L, u, n)) {
        bn = u;
        L->absorbed[u->id] = true;
        s->last = u;
    }
    int64_t out = n->shape.d[n->shape.rank - 1];
    *scale = xmalloc(sizeof(double) * (size_t)out);
    *shift = xmalloc(sizeof(double) * (size_t)out);
    for (int64_t o = 0; o < out; o++) {
        (*scale)[o] = 1;
        (*shift)[o] = 0;
        if (bn && L->ws)
            bn_affine(bn, &L->ws->w[bn->id], o, &(*scale)[o], &(*shift)[o]);
    }
    return bn;
}

/* A conv or dense, with the batchnorm after it folded in when it can be. */
static bool lower_weighted(Lower *L, const Node *n) {
    Step *s = new_step(L, n->op == OP_dense ? K_DENSE : K_CONV, n);
    s->act = n->act;
    s->alpha = (float)n->alpha;
    const NodeWeights *w = L->ws ? &L->ws->w[n->id] : NULL;
    double *scale, *shift;
    const Node *bn = fold_batchnorm(L, s, n, &scale, &shift);
    int64_t out = n->shape.d[n->shape.rank - 1];
    /* the weights in the generic layout first, then packed for the strategy */
    int64_t nw, in = 0, K = 1, C = 1;
    float *tmp;
    if (n->op == OP_dense) {
        const Node *x = n->in[0];
        in = x->shape.d[0];
        /* a chw flatten that shares its input's buffer leaves the data in
        ** HWC order: read the weights in that order instead */
        int64_t H = 1, W = 1, Cx = in;
        if (x->op == OP_flatten && x->order == ORDER_CHW && x->in[0]->shape.rank == 3 &&
            same_buffer(L, x, x->in[0])) {
            H = x->in[0]->shape.d[0];
            W = x->in[0]->shape.d[1];
            Cx = x->in[0]->shape.d[2];
        }
        nw = in * out;
        tmp = xmalloc(sizeof(float) * (size_t)(nw && w ? nw : 1));
        for (int64_t h = 0; h < H && w; h++)
            for (int64_t ww = 0; ww < W; ww++)
                for (int64_t c = 0; c < Cx; c++) {
                    int64_t p = (h * W + ww) * Cx + c;    /* where it is in memory */
                    int64_t i = (c * H + h) * W + ww;     /* its index in chw order */
                    float *dst = tmp + p * out;
                    for (int64_t o = 0; o < out; o++)
                        dst[o] = (float)((double)w->weight[o * in + i] * scale[o]);
                }
    } else {
        int64_t KH = n->kernel[0], KW = n->kernel[1], G = n->groups;
        C = n->in[0]->shape.d[2];
        K = KH * KW;
        int64_t Cg = C / G, Fg = out / G;
        nw = KH * KW * Cg * out;
        tmp = xmalloc(sizeof(float) * (size_t)(nw && w ? nw : 1));
        for (int64_t g = 0; g < G && w; g++)
            for (int64_t f = 0; f < Fg; f++)
                for (int64_t c = 0; c < Cg; c++)
                    for (int64_t kh = 0; kh < KH; kh++)
                        for (int64_t kw = 0; kw < KW; kw++) {
                            int64_t o = g * Fg + f;
                            double v = (double)w->weight[((o * Cg + c) * KH + kh) * KW + kw] * scale[o];
                            int64_t at = Cg == 1 ? (kh * KW + kw) * out + o
                                                 : (((g * KH + kh) * KW + kw) * Cg + c) * Fg + f;
                            tmp[at] = (float)v;
                        }
    }
    s->strategy = choose_strategy(n, s->act);
    int64_t rows = n->op == OP_dense ? in : K * C; /* of the [rows][out] matrix */
    int64_t padded = out;
    if (s->strategy == S_WINOGRAD) {
        /* U = G g G^T per (in, out) pair, as [out/64][16][in][64] */
        static const double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
        padded = (out + NETC_BLOCK - 1) / NETC_BLOCK * NETC_BLOCK;
        s->w = blob_alloc(L, 16 * C * padded);
        for (int64_t c = 0; c < C && w; c++)
            for (int64_t o = 0; o < out; o++) {
                double g[3][3], t[4][3];
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++)
                        g[i][j] = tmp[((i * 3 + j) * C + c) * out + o];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 3; j++)
                        t[i][j] = G[i][0] * g[0][j] + G[i][1] * g[1][j] + G[i][2] * g[2][j];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++) {
                        double u = t[i][0] * G[j][0] + t[i][1] * G[j][1] + t[i][2] * G[j][2];
                        L->l->blob[s->w + (((o / NETC_BLOCK) * 16 + i * 4 + j) * C + c) * NETC_BLOCK +
                                   o % NETC_BLOCK] = (float)u;
                    }
            }
        s->cblock = C < 128 ? C : 128;
    } else if (s->strategy == S_DIRECT || s->strategy == S_GEMM || s->strategy == S_GEMV) {
        /* [out/64][rows][64], the last block padded with zeros */
        padded = (out + NETC_BLOCK - 1) / NETC_BLOCK * NETC_BLOCK;
        s->w = blob_alloc(L, rows * padded);
        for (int64_t r = 0; r < rows && w; r++)
            for (int64_t o = 0; o < out; o++)
                L->l->blob[s->w + ((o / NETC_BLOCK) * rows + r) * NETC_BLOCK + o % NETC_BLOCK] =
                    tmp[r * out + o];
        s->cblock = n->op == OP_dense ? in : channel_block(K, C);
    } else {
        s->w = blob_alloc(L, nw);
        if (w)
            memcpy(L->l->blob + s->w, tmp, sizeof(float) * (size_t)nw);
    }
    free(tmp);
    /* the fast strategies always have a bias, as long as their blocks */
    bool has_bias = w ? w->bias != NULL : n->bias;
    if (has_bias || bn || s->strategy != S_GENERIC) {
        int64_t bo = blob_alloc(L, padded);
        for (int64_t o = 0; o < out && w; o++) {
            double b = w->bias ? (double)w->bias[o] : 0;
            L->l->blob[bo + o] = (float)(b * scale[o] + shift[o]);
        }
        s->b = bo;
    }
    free(scale);
    free(shift);
    absorb_residual(L, s);
    s->out = ref(L, s->last);
    absorb_tail(L, s, false);
    absorb_pool(L, s);
    s->out = ref(L, s->last);
    return true;
}

/* conv2d_transpose: weights from PyTorch's [in][out/g][kh][kw] to
** [g][kh][kw][in/g][out/g], the conv kernel's order, so that each output
** pixel gathers from the input pixels that reach it. A batchnorm after it
** is folded in as after a conv: output channel o's weights times scale[o],
** its bias b·scale[o] + shift[o]. */
static bool lower_convt(Lower *L, const Node *n) {
    Step *s = new_step(L, K_CONVT, n);
    s->act = n->act;
    s->alpha = (float)n->alpha;
    const NodeWeights *w = L->ws ? &L->ws->w[n->id] : NULL;
    int64_t KH = n->kernel[0], KW = n->kernel[1], F = n->shape.d[2];
    int64_t C = n->in[0]->shape.d[2], G = n->groups, Cg = C / G, Fg = F / G;
    double *scale, *shift;
    const Node *bn = fold_batchnorm(L, s, n, &scale, &shift);
    s->w = blob_alloc(L, KH * KW * C * Fg);
    if (n->bias || bn)
        s->b = blob_alloc(L, F);
    float *dst = w ? L->l->blob + s->w : NULL;
    for (int64_t g = 0; g < G && w; g++)
        for (int64_t c = 0; c < Cg; c++)
            for (int64_t f = 0; f < Fg; f++)
                for (int64_t kh = 0; kh < KH; kh++)
                    for (int64_t kw = 0; kw < KW; kw++)
                        dst[(((g * KH + kh) * KW + kw) * Cg + c) * Fg + f] = (float)(
                            (double)w->weight[(((g * Cg + c) * Fg + f) * KH + kh) * KW + kw] *
                            scale[g * Fg + f]);
    for (int64_t o = 0; o < F && w && s->b >= 0; o++) {
        double bias = w->bias ? (double)w->bias[o] : 0;
        L->l->blob[s->b + o] = (float)(bias * scale[o] + shift[o]);
    }
    free(scale);
    free(shift);
    absorb_tail(L, s, false);
    s->out = ref(L, s->last);
    return true;
}

static bool lower_node(Lower *L, const Node *n) {
    Step *s;
    switch (n->op) {
    case OP_input:
        return true;
    case OP_conv2d:
    case OP_depthwise_conv2d:
    case OP_dense:
        return lower_weighted(L, n);
    case OP_maxpool2d:
        new_step(L, K_MAXPOOL, n);
        return true;
    case OP_avgpool2d:
        new_step(L, K_AVGPOOL, n);
        return true;
    case OP_global_maxpool2d:
        new_step(L, K_GMAXPOOL, n);
        return true;
    case OP_global_avgpool2d:
        new_step(L, K_GAVGPOOL, n);
        return true;
    case OP_batchnorm: {
        s = new_step(L, K_AFFINE, n);
        int64_t c = n->shape.d[n->shape.rank - 1];
        s->w = blob_alloc(L, c);
        s->b = blob_alloc(L, c);
        if (s->w < 0 || s->b < 0)
            return false;
        for (int64_t k = 0; k < c && L->ws; k++) {
            double sc, sh;
            bn_affine(n, &L->ws->w[n->id], k, &sc, &sh);
            L->l->blob[s->w + k] = (float)sc;
            L->l->blob[s->b + k] = (float)sh;
        }
        absorb_tail(L, s, false);
        s->out = ref(L, s->last);
        return true;
    }
    case OP_relu:
    case OP_relu6:
    case OP_sigmoid:
    case OP_tanh:
    case OP_softmax:
    case OP_leaky_relu:
    case OP_silu:
    case OP_hardswish:
    case OP_hardsigmoid:
    case OP_gelu:
        s = new_step(L, K_ACT, n);
        node_act(n, &s->act);
        s->alpha = (float)n->alpha;
        return true;
    case OP_linear:
    case OP_dropout:
        if (!same_buffer(L, n, n->in[0]) || n->in[0]->op == OP_input)
            new_step(L, K_COPY, n);
        return true;
    case OP_flatten:
        if (same_buffer(L, n, n->in[0]) && n->in[0]->op != OP_input)
            return true;
        if (n->order == ORDER_CHW && n->in[0]->shape.rank == 3 &&
            n->in[0]->shape.d[0] * n->in[0]->shape.d[1] > 1)
            new_step(L, K_FLATTEN, n);
        else
            new_step(L, K_COPY, n);
        return true;
    case OP_add:
        s = new_step(L, K_ADD, n);
        if (!step_broadcasts(s)) /* the broadcast kernel (emit_ops.c) applies none */
            absorb_tail(L, s, true);
        s->out = ref(L, s->last);
        return true;
    case OP_concat:
        new_step(L, K_CONCAT, n);
        return true;
    case OP_zeropad2d:
        new_step(L, K_PAD, n);
        return true;
    case OP_multiply:
    case OP_channel_slice:
    case OP_channel_shuffle:
    case OP_upsample2d:
        new_step(L, op_kernel[n->op], n);
        return true;
    case OP_conv2d_transpose:
        return lower_convt(L, n);
    case OP__COUNT:
        break;
    }
    return false;
}

bool lower(const Graph *g, MemPlan *plan, const WeightSet *ws, Diags *d, Lowered *out) {
    memset(out, 0, sizeof *out);
    out->g = g;
    out->plan = *plan; /* taken: lower_free frees it */
    memset(plan, 0, sizeof *plan);
    Lower L = {.g = g, .ws = ws, .l = out};
    L.absorbed = xcalloc((size_t)g->nodes.len + 1, sizeof(bool));
    bool ok = true;
    for (int i = 0; i < g->nodes.len && ok; i++) {
        const Node *n = graph_node(g, i);
        if (!L.absorbed[n->id])
            ok = lower_node(&L, n);
    }
    free(L.absorbed);
    if (!ok) {
        diag_error(d, g->file, g->span, "build", "network '%s' has a layer netc cannot lower", g->name);
        lower_free(out);
        return false;
    }
    out->outputs = xmalloc(sizeof(TRef) * (size_t)(g->outputs.len + 1));
    for (int i = 0; i < g->outputs.len; i++)
        out->outputs[i] = ref(&L, g->outputs.data[i]);
    return true;
}

void lower_free(Lowered *l) {
    for (int i = 0; i < l->nsteps; i++)
        free(l->steps[i].ins);
    free(l->steps);
    free(l->blob);
    free(l->outputs);
    memplan_free(&l->plan);
    memset(l, 0, sizeof *l);
}

/*
** The lowered program as text (`netc build --emit=steps`), one step a line:
**   INDEX KIND 'LAYER' IN -> OUT [window] [+ROLE 'LAYER']... <- INPUTS -> OUTPUT
** The `+` items are the layers the step absorbed, in order: a batchnorm
** folded into the weights (`+fold`), an activation applied as each output
** is finished (`+act`), identities, a residual add. The golden tests
** (tests/golden/steps) pin this text, so a fusion or fold that is lost shows.
*/
const char *const kind_names[] = {
    /* ORDER KernelKind */
    "conv", "dense", "maxpool", "avgpool", "gmaxpool", "gavgpool", "affine",
    "act", "add", "concat", "pad", "flatten", "copy", "multiply", "slice", "shuffle",
    "upsample", "convt"};

const char *const strategy_names[] = {
    /* ORDER Strategy */
    "generic", "direct", "gemm", "depthwise", "gemv", "winograd"};

static void print_ref(const Lowered *l, TRef r, Buf *b) {
    if (r.input >= 0)
        buf_printf(b, "input %s", ((const Node *)l->g->inputs.data[r.input])->name);
    else
        buf_printf(b, "a+%lld", (long long)r.off);
}

void lower_print(const Lowered *l, Buf *b) {
    Arena *a = l->g->arena;
    buf_printf(b, "network %s: %d steps, workspace %lld bytes, constants %lld floats\n",
               l->g->name, l->nsteps, (long long)((l->plan.arena + 63) / 64 * 64),
               (long long)l->nblob);
    for (int k = 0; k < l->nsteps; k++) {
        const Step *s = &l->steps[k];
        const Node *n = s->node;
        buf_printf(b, "%d %s '%s'", k, kind_names[s->kind], n->name);
        if (n->nin && n->in[0]->shape.rank)
            buf_printf(b, " %s -> %s", shape_text(a, &n->in[0]->shape),
                       shape_text(a, &s->last->shape));
        if (op_is_window(n->op) && n->op != OP_zeropad2d)
            buf_printf(b, " k%lldx%lld s%lldx%lld", (long long)n->kernel[0],
                       (long long)n->kernel[1], (long long)n->stride[0], (long long)n->stride[1]);
        if (n->op == OP_depthwise_conv2d || (n->op == OP_conv2d && n->groups > 1))
            buf_printf(b, " groups %lld", (long long)n->groups);
        if (s->kind == K_CONV || s->kind == K_DENSE) {
            buf_printf(b, " [%s", strategy_names[s->strategy]);
            if ((s->strategy == S_DIRECT || s->strategy == S_GEMM ||
                 s->strategy == S_WINOGRAD) &&
                s->cblock < n->in[0]->shape.d[2])
                buf_printf(b, ", %lld-channel blocks", (long long)s->cblock);
            buf_putc(b, ']');
        }
        if (n->act != ACT_LINEAR && (s->kind == K_CONV || s->kind == K_DENSE))
            buf_printf(b, " act %s", act_names[n->act]);
        /* the absorbed layers, from the step's layer to its last */
        for (const Node *u = n; u != s->last;) {
            u = u->users.data[0];
            Act act;
            if (u->op == OP_batchnorm)
                buf_printf(b, " +fold '%s'", u->name);
            else if (u == s->pool)
                buf_printf(b, " +pool %s '%s' k%lldx%lld s%lldx%lld", op_info[u->op].name, u->name,
                           (long long)u->kernel[0], (long long)u->kernel[1],
                           (long long)u->stride[0], (long long)u->stride[1]);
            else if (is_act_op(u->op, &act))
                buf_printf(b, " +act %s '%s'", act_names[act], u->name);
            else
                buf_printf(b, " +%s '%s'", op_info[u->op].name, u->name);
        }
        buf_puts(b, " <-");
        const TRef *in = step_inputs(s);
        for (int i = 0; i < s->nin; i++) {
            buf_puts(b, i ? ", " : " ");
            print_ref(l, in[i], b);
        }
        if (s->res_node) {
            buf_puts(b, ", residual ");
            print_ref(l, s->res, b);
        }
        if (s->pool) {
            buf_puts(b, ", rows in ");
            print_ref(l, s->mid, b);
        }
        buf_puts(b, " -> ");
        print_ref(l, s->out, b);
        buf_putc(b, '\n');
    }
    for (int i = 0; i < l->g->outputs.len; i++) {
        buf_printf(b, "output '%s' ", ((const Node *)l->g->outputs.data[i])->name);
        print_ref(l, l->outputs[i], b);
        buf_putc(b, '\n');
    }
}
