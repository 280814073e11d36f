/* emit_ops.c: the C kernels of the ops that came with squeeze-and-excitation,
** ShuffleNet and segmentation networks: multiply and broadcast add,
** channel_slice, channel_shuffle, upsample2d, conv2d_transpose, and the
** expressions of silu, hardswish, hardsigmoid and gelu.
**
** Each kernel follows PyTorch's definition to the letter (docs/language.md
** states them); the tensors are HWC, so a channel operation is a loop over
** pixels with contiguous channels inside, and a broadcast 1×1×C operand is
** indexed by the channel alone. Like the rest of emit_c.c, every size is a
** literal, and nothing here depends on anything but the program.
*/
#include "backend.h"

static int64_t count(const Shape *s) {
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->d[i];
    return n;
}

/* The step function's head, with the parameters t and nt when threads
** split it; and the loop over the n items of its outer dimension, thread
** t of nt taking [n·t/nt, n·(t+1)/nt). */
static void op_head(Buf *b, int k, const char *params, bool split) {
    buf_printf(b, "static void netc_step%d(%s%s)\n{\n", k, params, split ? ", int t, int nt" : "");
}

static void op_loop(Buf *b, const char *v, int64_t n, bool split) {
    if (split)
        buf_printf(b, "    for (%s = %lld * t / nt; %s < %lld * (t + 1) / nt; %s++)\n", v, (long long)n,
                   v, (long long)n, v);
    else
        buf_printf(b, "    for (%s = 0; %s < %lld; %s++)\n", v, v, (long long)n, v);
}

const char *emit_act_expr(Arena *a, Act act, float alpha, const char *x) {
    switch (act) {
    case ACT_LINEAR:
        return x;
    case ACT_RELU:
        return arena_printf(a, "%s > 0.0f ? %s : 0.0f", x, x);
    case ACT_RELU6:
        return arena_printf(a, "%s > 0.0f ? (%s < 6.0f ? %s : 6.0f) : 0.0f", x, x, x);
    case ACT_SIGMOID:
        return arena_printf(a, "1.0f / (1.0f + expf(-%s))", x);
    case ACT_TANH:
        return arena_printf(a, "tanhf(%s)", x);
    case ACT_LEAKY_RELU:
        return arena_printf(a, "%s > 0.0f ? %s : %a * %s", x, x, (double)alpha, x);
    case ACT_SILU:
        return arena_printf(a, "%s / (1.0f + expf(-%s))", x, x);
    case ACT_HARDSWISH:
        return arena_printf(a, "%s * (%s <= -3.0f ? 0.0f : %s >= 3.0f ? 6.0f : %s + 3.0f) / 6.0f",
                            x, x, x, x);
    case ACT_HARDSIGMOID:
        return arena_printf(a, "(%s <= -3.0f ? 0.0f : %s >= 3.0f ? 6.0f : %s + 3.0f) / 6.0f", x,
                            x, x);
    case ACT_GELU:
        return arena_printf(a, "0.5f * %s * (1.0f + erff(%s * 0.70710678118654752f))", x, x);
    case ACT_GELU_TANH:
        return arena_printf(a,
                            "0.5f * %s * (1.0f + tanhf(0.79788456080286536f * (%s + 0.044715f * "
                            "%s * %s * %s)))",
                            x, x, x, x, x);
    case ACT_SOFTMAX:
        break;
    }
    return NULL;
}

bool step_broadcasts(const Step *s) {
    for (int i = 0; i < s->node->nin; i++)
        if (node_is_broadcast(s->node, i))
            return true;
    return false;
}

/* add or multiply, with 1×1×C operands read by channel. The output may be
** one of the full-size inputs (the memory plan works in place). */
void emit_op_merge(Buf *b, const Step *s, int k, bool split) {
    const Node *n = s->node;
    const Shape *sh = &n->shape;
    int64_t C = sh->d[sh->rank - 1], P = count(sh) / C;
    const char *op = s->kind == K_MUL ? " * " : " + ";
    op_head(b, k, "const float *const *in, float *out", split);
    buf_puts(b, "    long p, c;\n");
    op_loop(b, "p", P, split);
    buf_printf(b, "        for (c = 0; c < %lld; c++)\n", (long long)C);
    buf_printf(b, "            out[p * %lld + c] = ", (long long)C);
    for (int i = 0; i < n->nin; i++) {
        if (node_is_broadcast(n, i))
            buf_printf(b, "%sin[%d][c]", i ? op : "", i);
        else
            buf_printf(b, "%sin[%d][p * %lld + c]", i ? op : "", i, (long long)C);
    }
    buf_puts(b, ";\n}\n\n");
}

/* Channels [start, stop) of every pixel. */
void emit_op_slice(Buf *b, const Step *s, int k, bool split) {
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    int64_t P = is->d[0] * is->d[1], C = is->d[2], E = n->stop - n->start;
    op_head(b, k, "const float *restrict in, float *restrict out", split);
    buf_puts(b, "    long p;\n");
    op_loop(b, "p", P, split);
    buf_printf(b, "        memcpy(out + p * %lld, in + p * %lld + %lld, %lld * sizeof(float));\n",
               (long long)E, (long long)C, (long long)n->start, (long long)E);
    buf_puts(b, "}\n\n");
}

/* torchvision's channel_shuffle: view the channels as (groups, C/groups),
** transpose, flatten: output channel i·groups + g is input channel
** g·(C/groups) + i. */
void emit_op_shuffle(Buf *b, const Step *s, int k, bool split) {
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    int64_t P = is->d[0] * is->d[1], C = is->d[2], G = n->groups, Cg = C / G;
    op_head(b, k, "const float *restrict in, float *restrict out", split);
    buf_puts(b, "    long p, g, i;\n");
    op_loop(b, "p", P, split);
    buf_printf(b, "        for (g = 0; g < %lld; g++)\n", (long long)G);
    buf_printf(b, "            for (i = 0; i < %lld; i++)\n", (long long)Cg);
    buf_printf(b, "                out[p * %lld + i * %lld + g] = in[p * %lld + g * %lld + i];\n",
               (long long)C, (long long)G, (long long)C, (long long)Cg);
    buf_puts(b, "}\n\n");
}

void bilinear_source(int64_t in, int64_t out, int64_t scale, bool align, int64_t o, int64_t *i0,
                     int64_t *i1, double *lambda) {
    double src;
    if (align)
        src = out > 1 ? (double)o * (double)(in - 1) / (double)(out - 1) : 0.0;
    else {
        src = ((double)o + 0.5) / (double)scale - 0.5;
        if (src < 0)
            src = 0;
    }
    *i0 = (int64_t)src;
    if (*i0 > in - 1)
        *i0 = in - 1;
    *i1 = *i0 + 1 < in ? *i0 + 1 : in - 1;
    *lambda = src - (double)*i0;
}

/* The tables of bilinear_source for the C kernel: the lower index, the
** upper one and the weight of the upper one. */
static void bilinear_table(Buf *b, const char *name, int64_t in, int64_t out, int64_t scale,
                           bool align) {
    buf_printf(b, "    static const int %s0[%lld] = {", name, (long long)out);
    for (int pass = 0; pass < 3; pass++) {
        if (pass == 1)
            buf_printf(b, "};\n    static const int %s1[%lld] = {", name, (long long)out);
        if (pass == 2)
            buf_printf(b, "};\n    static const float %sl[%lld] = {", name, (long long)out);
        for (int64_t o = 0; o < out; o++) {
            int64_t i0, i1;
            double lam;
            bilinear_source(in, out, scale, align, o, &i0, &i1, &lam);
            if (pass == 0)
                buf_printf(b, "%s%lld", o ? ", " : "", (long long)i0);
            else if (pass == 1)
                buf_printf(b, "%s%lld", o ? ", " : "", (long long)i1);
            else
                buf_printf(b, "%s%.9ef", o ? ", " : "", lam);
        }
    }
    buf_puts(b, "};\n");
}

/* nn.Upsample with an integer scale: nearest reads input ⌊dst/scale⌋;
** bilinear mixes the four neighbours of its source point. */
void emit_op_upsample(Buf *b, const Step *s, int k, bool split) {
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    int64_t H = is->d[0], W = is->d[1], C = is->d[2], OH = n->shape.d[0], OW = n->shape.d[1];
    op_head(b, k, "const float *restrict in, float *restrict out", split);
    buf_puts(b, n->bilinear ? "    long oh, ow, c;\n" : "    long oh, ow;\n");
    if (!n->bilinear) {
        op_loop(b, "oh", OH, split);
        buf_printf(b, "        for (ow = 0; ow < %lld; ow++)\n", (long long)OW);
        buf_printf(b,
                   "            memcpy(out + (oh * %lld + ow) * %lld, in + (oh / %lld * %lld + ow / "
                   "%lld) * %lld, %lld * sizeof(float));\n",
                   (long long)OW, (long long)C, (long long)n->scale[0], (long long)W,
                   (long long)n->scale[1], (long long)C, (long long)C);
        buf_puts(b, "}\n\n");
        return;
    }
    bilinear_table(b, "h", H, OH, n->scale[0], n->align_corners);
    bilinear_table(b, "w", W, OW, n->scale[1], n->align_corners);
    op_loop(b, "oh", OH, split);
    buf_printf(b, "        for (ow = 0; ow < %lld; ow++) {\n", (long long)OW);
    buf_puts(b, "            const float lh = hl[oh], lw = wl[ow];\n");
    buf_printf(b, "            const float *a = in + (h0[oh] * %lld + w0[ow]) * %lld;\n",
               (long long)W, (long long)C);
    buf_printf(b, "            const float *bb = in + (h0[oh] * %lld + w1[ow]) * %lld;\n",
               (long long)W, (long long)C);
    buf_printf(b, "            const float *cc = in + (h1[oh] * %lld + w0[ow]) * %lld;\n",
               (long long)W, (long long)C);
    buf_printf(b, "            const float *d = in + (h1[oh] * %lld + w1[ow]) * %lld;\n",
               (long long)W, (long long)C);
    buf_printf(b, "            float *o = out + (oh * %lld + ow) * %lld;\n", (long long)OW,
               (long long)C);
    buf_printf(b, "            for (c = 0; c < %lld; c++)\n", (long long)C);
    buf_puts(b, "                o[c] = (1.0f - lh) * ((1.0f - lw) * a[c] + lw * bb[c]) +\n"
                "                       lh * ((1.0f - lw) * cc[c] + lw * d[c]);\n");
    buf_puts(b, "        }\n}\n\n");
}

/* ConvTranspose2d as a gather: output (oh, ow) reads input (ih, iw) through
** kernel tap (kh, kw) where ih·s + kh·d = oh + p (and the same for the
** columns). Weights [g][kh][kw][in/g][out/g] (lower.c). Each output pixel
** is a function of its own, never inlined by GCC: GCC 12 at -O3 with
** AVX-512 vectorises the loop over a row's pixels, with the whole kernel
** unrolled inside, into wrong code (tests/numerics/fixtures/convt_small). */
void emit_op_convt(Buf *b, const Step *s, int k, bool split) {
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    int64_t H = is->d[0], W = is->d[1], C = is->d[2];
    int64_t OH = n->shape.d[0], OW = n->shape.d[1], F = n->shape.d[2];
    int64_t G = n->groups, Cg = C / G, Fg = F / G, KH = n->kernel[0], KW = n->kernel[1];
    buf_printf(b, "#if defined(__GNUC__)\n__attribute__((noinline))\n#endif\n"
                  "static void netc_ct%d(const float *restrict in, float *restrict o, long oh, long ow)\n{\n"
                  "    long kh, kw, g, c, i;\n    {\n        {\n",
               k);
    if (s->b >= 0)
        buf_printf(b, "            for (i = 0; i < %lld; i++) o[i] = NETC_W[%lld + i];\n",
                   (long long)F, (long long)s->b);
    else
        buf_printf(b, "            for (i = 0; i < %lld; i++) o[i] = 0.0f;\n", (long long)F);
    buf_printf(b, "            for (kh = 0; kh < %lld; kh++) {\n", (long long)KH);
    buf_printf(b, "                const long th = oh + %lld - kh * %lld;\n", (long long)n->pad[0],
               (long long)n->dilation[0]);
    buf_printf(b, "                if (th < 0 || th %% %lld != 0 || th / %lld >= %lld) continue;\n",
               (long long)n->stride[0], (long long)n->stride[0], (long long)H);
    buf_printf(b, "                for (kw = 0; kw < %lld; kw++) {\n", (long long)KW);
    buf_printf(b, "                    const long tw = ow + %lld - kw * %lld;\n",
               (long long)n->pad[2], (long long)n->dilation[1]);
    buf_puts(b, "                    const float *restrict x;\n");
    buf_printf(b,
               "                    if (tw < 0 || tw %% %lld != 0 || tw / %lld >= %lld) continue;\n",
               (long long)n->stride[1], (long long)n->stride[1], (long long)W);
    buf_printf(b, "                    x = in + (th / %lld * %lld + tw / %lld) * %lld;\n",
               (long long)n->stride[0], (long long)W, (long long)n->stride[1], (long long)C);
    buf_printf(b, "                    for (g = 0; g < %lld; g++) {\n", (long long)G);
    buf_printf(b,
               "                        const float *restrict wk = NETC_W + %lld + ((g * %lld + kh) "
               "* %lld + kw) * %lld;\n",
               (long long)s->w, (long long)KH, (long long)KW, (long long)(Cg * Fg));
    buf_printf(b, "                        for (c = 0; c < %lld; c++) {\n", (long long)Cg);
    buf_printf(b, "                            const float xv = x[g * %lld + c];\n", (long long)Cg);
    buf_printf(b, "                            const float *restrict wr = wk + c * %lld;\n",
               (long long)Fg);
    buf_printf(b,
               "                            for (i = 0; i < %lld; i++) o[g * %lld + i] += xv * "
               "wr[i];\n",
               (long long)Fg, (long long)Fg);
    buf_puts(b, "                        }\n                    }\n                }\n            }\n");
    if (s->act != ACT_LINEAR) {
        /* the act of emit_c.c's conv, applied to this pixel */
        Arena scratch = {0};
        const char *e = emit_act_expr(&scratch, s->act, s->alpha, "o[i]");
        if (e)
            buf_printf(b, "            for (i = 0; i < %lld; i++) o[i] = %s;\n", (long long)F, e);
        else
            buf_printf(b, "            netc_softmax(o, %lld);\n", (long long)F);
        arena_free(&scratch);
    }
    buf_puts(b, "        }\n    }\n}\n\n");
    op_head(b, k, "const float *restrict in, float *restrict out", split);
    buf_puts(b, "    long oh, ow;\n");
    op_loop(b, "oh", OH, split);
    buf_printf(b, "        for (ow = 0; ow < %lld; ow++)\n", (long long)OW);
    buf_printf(b, "            netc_ct%d(in, out + (oh * %lld + ow) * %lld, oh, ow);\n}\n\n", k,
               (long long)OW, (long long)F);
}
