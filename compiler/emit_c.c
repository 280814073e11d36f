/* emit_c.c: the C back end.
**
** Prints a Lowered program (lower.c) as C99 that needs nothing beyond libc
** and libm and allocates nothing at run time: one function per step, every
** shape, stride and padding a literal, so the C compiler sees fixed trip
** counts and vectorises the innermost loops, which run over contiguous
** channels (the tensors are HWC). Windows at the border of a map get their
** kernel bounds clipped once per output pixel; the interior columns, where
** no clipping is needed, are a separate loop whose bounds are constants.
**
** The same inputs give the same bytes: nothing here depends on the time,
** the machine or the order of a hash table.
**
** Weights: by default one array in the .c, written as the 32-bit patterns
** of the floats (hexadecimal integers parse several times faster than
** decimal floats); or, for big networks, a file loaded at start
** (--weights-file, with a header NAME_load_weights checks), or an object
** built by the assembler (the standalone binary, whose build netc drives).
** Every identifier made from a name of the network comes from cname.c.
*/
#include "backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Emit {
    const Lowered *l;
    const BuildOptions *o;
    Buf *b;
    const CNames *names; /* every identifier made from a name (cname.c) */
    const char *prefix;  /* names->prefix, for exported symbols */
    const char *macro;   /* names->macro */
    const char **in_names, **out_names; /* names->in, names->out */
    int to_output; /* the step that writes the output straight to the
                   ** caller's array (out_names[0]), or -1 */
} Emit;

/* The C expression of a tensor's first float. */
static const char *ptr(const Emit *e, TRef r) {
    Arena *a = e->l->g->arena;
    if (r.input >= 0)
        return e->in_names[r.input];
    return arena_printf(a, "a + %lld", (long long)r.off);
}

static int64_t elems(const Shape *s) {
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->d[i];
    return n;
}

/* Applies act to the n floats at `v` (a C expression), in place. */
static void emit_act_n(Buf *b, Act act, float alpha, const char *v, const char *n,
                       const char *ind);

static void emit_act(Buf *b, Act act, float alpha, const char *v, int64_t n, const char *ind) {
    char count[32];
    snprintf(count, sizeof count, "%lld", (long long)n);
    emit_act_n(b, act, alpha, v, count, ind);
}

static bool uses_act(const Lowered *l, Act act) {
    for (int i = 0; i < l->nsteps; i++)
        if (l->steps[i].act == act)
            return true;
    return false;
}

/*
** One function per kind of step
*/

/* The row loop shared by convs and pools: for each output row, the kernel
** rows inside the input; for each column, the kernel columns; then the
** per-pixel function `px`. `split`: thread t of nt takes its share of the
** rows (the step function has the parameters t and nt). */
static void emit_rows(Buf *b, const Win *w, const char *px, const char *args, bool split) {
    int64_t lo, hi;
    win_interior(w, &lo, &hi);
    buf_printf(b, "    long oh, ow;\n");
    if (split)
        buf_printf(b, "    for (oh = %lld * t / nt; oh < %lld * (t + 1) / nt; oh++) {\n",
                   (long long)w->OH, (long long)w->OH);
    else
        buf_printf(b, "    for (oh = 0; oh < %lld; oh++) {\n", (long long)w->OH);
    buf_printf(b, "        const long ih0 = oh * %lld - %lld;\n", (long long)w->SH, (long long)w->PT);
    buf_printf(b, "        const long kh0 = ih0 < 0 ? (-ih0 + %lld) / %lld : 0;\n",
               (long long)(w->DH - 1), (long long)w->DH);
    buf_printf(b, "        long kh1 = (%lld - ih0 + %lld) / %lld;\n", (long long)w->H,
               (long long)(w->DH - 1), (long long)w->DH);
    buf_printf(b, "        if (kh1 > %lld) kh1 = %lld;\n", (long long)w->KH, (long long)w->KH);
    const char *border =
        "            const long iw0 = ow * %lld - %lld;\n"
        "            const long kw0 = iw0 < 0 ? (-iw0 + %lld) / %lld : 0;\n"
        "            long kw1 = (%lld - iw0 + %lld) / %lld;\n"
        "            if (kw1 > %lld) kw1 = %lld;\n"
        "            %s(%s, oh, ow, ih0, iw0, kh0, kh1, kw0, kw1);\n";
    if (lo > 0) {
        buf_printf(b, "        for (ow = 0; ow < %lld; ow++) {\n", (long long)lo);
        buf_printf(b, border, (long long)w->SW, (long long)w->PL, (long long)(w->DW - 1),
                   (long long)w->DW, (long long)w->W, (long long)(w->DW - 1), (long long)w->DW,
                   (long long)w->KW, (long long)w->KW, px, args);
        buf_puts(b, "        }\n");
    }
    if (hi > lo)
        buf_printf(b,
                   "        for (ow = %lld; ow < %lld; ow++)\n"
                   "            %s(%s, oh, ow, ih0, ow * %lld - %lld, kh0, kh1, 0, %lld);\n",
                   (long long)lo, (long long)hi, px, args, (long long)w->SW, (long long)w->PL,
                   (long long)w->KW);
    if (w->OW > hi) {
        buf_printf(b, "        for (ow = %lld; ow < %lld; ow++) {\n", (long long)hi,
                   (long long)w->OW);
        buf_printf(b, border, (long long)w->SW, (long long)w->PL, (long long)(w->DW - 1),
                   (long long)w->DW, (long long)w->W, (long long)(w->DW - 1), (long long)w->DW,
                   (long long)w->KW, (long long)w->KW, px, args);
        buf_puts(b, "        }\n");
    }
    buf_puts(b, "    }\n");
}

/* The extra parameters of a step function that threads split (step_splits),
** and the range [lo, hi) of n items that thread t of nt takes. */
#define THREAD_PARAMS(e) ((e)->o->threads > 1 ? ", int t, int nt" : "")

static void emit_range(const Emit *e, const char *lo, const char *hi, int64_t n) {
    if (e->o->threads > 1)
        buf_printf(e->b, "    const long %s = %lld * t / nt, %s = %lld * (t + 1) / nt;\n", lo,
                   (long long)n, hi, (long long)n);
    else
        buf_printf(e->b, "    const long %s = 0, %s = %lld;\n", lo, hi, (long long)n);
}

static void emit_conv(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    Win w = step_window(s);
    int64_t G = s->node->groups, Cg = w.C / G, Fg = w.F / G;
    buf_printf(b,
               "static void netc_px%d(const float *restrict in, float *restrict out, long oh, "
               "long ow, long ih0, long iw0, long kh0, long kh1, long kw0, long kw1)\n{\n",
               k);
    buf_printf(b, "    float *restrict o = out + (oh * %lld + ow) * %lld;\n", (long long)w.OW,
               (long long)w.F);
    buf_printf(b, "    long i, kh, kw, c;\n");
    if (s->b >= 0)
        buf_printf(b, "    for (i = 0; i < %lld; i++) o[i] = NETC_W[%lld + i];\n", (long long)w.F,
                   (long long)s->b);
    else
        buf_printf(b, "    for (i = 0; i < %lld; i++) o[i] = 0.0f;\n", (long long)w.F);
    buf_puts(b, "    for (kh = kh0; kh < kh1; kh++)\n");
    buf_puts(b, "        for (kw = kw0; kw < kw1; kw++) {\n");
    buf_printf(b,
               "            const float *restrict x = in + ((ih0 + kh * %lld) * %lld + iw0 + kw * "
               "%lld) * %lld;\n",
               (long long)w.DH, (long long)w.W, (long long)w.DW, (long long)w.C);
    if (Cg == 1) {
        /* depthwise: weights [kh][kw][out]; output channel c·Fg + j reads input c */
        buf_printf(b, "            const float *restrict wk = NETC_W + %lld + (kh * %lld + kw) * %lld;\n",
                   (long long)s->w, (long long)w.KW, (long long)w.F);
        if (Fg == 1) {
            buf_printf(b, "            for (c = 0; c < %lld; c++) o[c] += x[c] * wk[c];\n",
                       (long long)w.C);
        } else {
            buf_printf(b, "            for (c = 0; c < %lld; c++) {\n", (long long)w.C);
            buf_printf(b, "                const float xv = x[c];\n");
            buf_printf(b, "                for (i = 0; i < %lld; i++) o[c * %lld + i] += xv * wk[c * %lld + i];\n",
                       (long long)Fg, (long long)Fg, (long long)Fg);
            buf_puts(b, "            }\n");
        }
    } else {
        /* weights [g][kh][kw][in/g][out/g] */
        buf_puts(b, "            long g;\n");
        buf_printf(b, "            for (g = 0; g < %lld; g++) {\n", (long long)G);
        buf_printf(b,
                   "                const float *restrict wk = NETC_W + %lld + ((g * %lld + kh) * "
                   "%lld + kw) * %lld;\n",
                   (long long)s->w, (long long)w.KH, (long long)w.KW, (long long)(Cg * Fg));
        buf_printf(b, "                float *restrict og = o + g * %lld;\n", (long long)Fg);
        buf_printf(b, "                for (c = 0; c < %lld; c++) {\n", (long long)Cg);
        buf_printf(b, "                    const float xv = x[g * %lld + c];\n", (long long)Cg);
        buf_printf(b, "                    const float *restrict wr = wk + c * %lld;\n", (long long)Fg);
        buf_printf(b, "                    for (i = 0; i < %lld; i++) og[i] += xv * wr[i];\n",
                   (long long)Fg);
        buf_puts(b, "                }\n            }\n");
    }
    buf_puts(b, "        }\n");
    emit_act(b, s->act, s->alpha, "o", w.F, "    ");
    buf_puts(b, "}\n\n");
    buf_printf(b, "static void netc_step%d(const float *restrict in, float *restrict out%s)\n{\n", k,
               THREAD_PARAMS(e));
    emit_rows(b, &w, arena_printf(e->l->g->arena, "netc_px%d", k), "in, out", e->o->threads > 1);
    buf_puts(b, "}\n\n");
}

static void emit_pool(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    Win w = step_window(s);
    bool avg = s->kind == K_AVGPOOL;
    buf_printf(b,
               "static void netc_px%d(const float *restrict in, float *restrict out, long oh, "
               "long ow, long ih0, long iw0, long kh0, long kh1, long kw0, long kw1)\n{\n",
               k);
    buf_printf(b, "    float *restrict o = out + (oh * %lld + ow) * %lld;\n", (long long)w.OW,
               (long long)w.C);
    buf_puts(b, "    long c, kh, kw;\n");
    buf_printf(b, "    for (c = 0; c < %lld; c++) o[c] = %s;\n", (long long)w.C,
               avg ? "0.0f" : "-HUGE_VALF");
    buf_puts(b, "    for (kh = kh0; kh < kh1; kh++)\n        for (kw = kw0; kw < kw1; kw++) {\n");
    buf_printf(b, "            const float *restrict x = in + ((ih0 + kh) * %lld + iw0 + kw) * %lld;\n",
               (long long)w.W, (long long)w.C);
    if (avg)
        buf_printf(b, "            for (c = 0; c < %lld; c++) o[c] += x[c];\n", (long long)w.C);
    else
        buf_printf(b, "            for (c = 0; c < %lld; c++) o[c] = x[c] > o[c] ? x[c] : o[c];\n",
                   (long long)w.C);
    buf_puts(b, "        }\n");
    if (avg) {
        if (s->node->count_pad) {
            /* the window's cells inside the padded input (PyTorch's divisor) */
            buf_printf(b, "    {\n        long h1 = ih0 + %lld, w1 = iw0 + %lld;\n",
                       (long long)w.KH, (long long)w.KW);
            buf_printf(b, "        if (h1 > %lld) h1 = %lld;\n", (long long)(w.H + w.PB),
                       (long long)(w.H + w.PB));
            buf_printf(b, "        if (w1 > %lld) w1 = %lld;\n", (long long)(w.W + w.PR),
                       (long long)(w.W + w.PR));
            buf_puts(b, "        {\n            const float div = (float)((h1 - ih0) * (w1 - iw0));\n");
            buf_printf(b, "            for (c = 0; c < %lld; c++) o[c] /= div;\n", (long long)w.C);
            buf_puts(b, "        }\n    }\n");
        } else {
            buf_puts(b, "    {\n        const float div = (float)((kh1 - kh0) * (kw1 - kw0));\n");
            buf_printf(b, "        for (c = 0; c < %lld; c++) o[c] /= div;\n", (long long)w.C);
            buf_puts(b, "    }\n");
        }
    }
    buf_puts(b, "}\n\n");
    buf_printf(b, "static void netc_step%d(const float *restrict in, float *restrict out%s)\n{\n", k,
               THREAD_PARAMS(e));
    emit_rows(b, &w, arena_printf(e->l->g->arena, "netc_px%d", k), "in, out", e->o->threads > 1);
    buf_puts(b, "}\n\n");
}

static void emit_dense(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    int64_t in = s->node->in[0]->shape.d[0], out = s->node->shape.d[0];
    /* with threads, thread t makes the outputs [j0, j1), each summed in the
    ** same order as on one thread; a softmax is then emit_call's */
    buf_printf(b, "static void netc_step%d(const float *restrict in, float *restrict out%s)\n{\n", k,
               THREAD_PARAMS(e));
    buf_puts(b, "    long i, j;\n");
    emit_range(e, "j0", "j1", out);
    if (s->b >= 0)
        buf_printf(b, "    for (j = j0; j < j1; j++) out[j] = NETC_W[%lld + j];\n", (long long)s->b);
    else
        buf_puts(b, "    for (j = j0; j < j1; j++) out[j] = 0.0f;\n");
    buf_printf(b, "    for (i = 0; i < %lld; i++) {\n", (long long)in);
    buf_puts(b, "        const float xv = in[i];\n");
    buf_printf(b, "        const float *restrict wr = NETC_W + %lld + i * %lld;\n", (long long)s->w,
               (long long)out);
    buf_puts(b, "        for (j = j0; j < j1; j++) out[j] += xv * wr[j];\n");
    buf_puts(b, "    }\n");
    if (e->o->threads <= 1)
        emit_act(b, s->act, s->alpha, "out", out, "    ");
    else if (s->act != ACT_SOFTMAX) {
        buf_puts(b, "    {\n        float *o = out + j0;\n");
        emit_act_n(b, s->act, s->alpha, "o", "j1 - j0", "        ");
        buf_puts(b, "    }\n");
    }
    buf_puts(b, "}\n\n");
}

static void emit_global(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    const Shape *is = &s->node->in[0]->shape;
    int64_t HW = is->d[0] * is->d[1], C = is->d[2];
    bool avg = s->kind == K_GAVGPOOL;
    /* with threads, thread t takes the channels [c0, c1) */
    buf_printf(b, "static void netc_step%d(const float *restrict in, float *restrict out%s)\n{\n", k,
               THREAD_PARAMS(e));
    buf_puts(b, "    long p, c;\n");
    emit_range(e, "c0", "c1", C);
    buf_printf(b, "    for (c = c0; c < c1; c++) out[c] = %s;\n", avg ? "0.0f" : "in[c]");
    buf_printf(b, "    for (p = %d; p < %lld; p++)\n", avg ? 0 : 1, (long long)HW);
    if (avg)
        buf_printf(b, "        for (c = c0; c < c1; c++) out[c] += in[p * %lld + c];\n",
                   (long long)C);
    else
        buf_printf(b,
                   "        for (c = c0; c < c1; c++) out[c] = in[p * %lld + c] > out[c] ? in[p * "
                   "%lld + c] : out[c];\n",
                   (long long)C, (long long)C);
    if (avg)
        buf_printf(b, "    for (c = c0; c < c1; c++) out[c] /= %lld.0f;\n", (long long)HW);
    buf_puts(b, "}\n\n");
}

/* Element-wise steps may work in place: no restrict. */
static void emit_affine(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    const Shape *sh = &s->node->shape;
    int64_t C = sh->d[sh->rank - 1], P = elems(sh) / C;
    buf_printf(b, "static void netc_step%d(const float *in, float *out%s)\n{\n", k, THREAD_PARAMS(e));
    buf_puts(b, "    long p, c, i;\n");
    emit_range(e, "p0", "p1", P);
    buf_puts(b, "    for (p = p0; p < p1; p++) {\n");
    buf_printf(b, "        float *o = out + p * %lld;\n", (long long)C);
    buf_printf(b, "        for (c = 0; c < %lld; c++) o[c] = in[p * %lld + c] * NETC_W[%lld + c] + NETC_W[%lld + c];\n",
               (long long)C, (long long)C, (long long)s->w, (long long)s->b);
    emit_act(b, s->act, s->alpha, "o", C, "        ");
    buf_puts(b, "        (void)i;\n    }\n}\n\n");
}

static void emit_actstep(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    const Shape *sh = &s->node->shape;
    int64_t n = elems(sh);
    buf_printf(b, "static void netc_step%d(const float *in, float *out%s)\n{\n", k, THREAD_PARAMS(e));
    buf_puts(b, "    long i;\n");
    if (s->act == ACT_SOFTMAX) {
        int64_t C = sh->d[sh->rank - 1];
        buf_puts(b, "    long p;\n");
        emit_range(e, "p0", "p1", n / C);
        buf_printf(b, "    if (out != in) for (i = p0 * %lld; i < p1 * %lld; i++) out[i] = in[i];\n",
                   (long long)C, (long long)C);
        buf_printf(b, "    for (p = p0; p < p1; p++) netc_softmax(out + p * %lld, %lld);\n",
                   (long long)C, (long long)C);
        buf_puts(b, "    (void)i;\n}\n\n");
        return;
    }
    emit_range(e, "i0", "i1", n);
    buf_puts(b, "    if (out != in) for (i = i0; i < i1; i++) out[i] = in[i];\n");
    buf_puts(b, "    {\n        float *o = out + i0;\n");
    emit_act_n(b, s->act, s->alpha, "o", "i1 - i0", "        ");
    buf_puts(b, "    }\n}\n\n");
}

static void emit_add(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    int64_t n = elems(&s->node->shape);
    buf_printf(b, "static void netc_step%d(const float *const *in, float *out%s)\n{\n", k,
               THREAD_PARAMS(e));
    buf_puts(b, "    long i;\n");
    emit_range(e, "i0", "i1", n);
    buf_puts(b, "    for (i = i0; i < i1; i++) {\n        const float v = in[0][i]");
    for (int i = 1; i < s->nin; i++)
        buf_printf(b, " + in[%d][i]", i);
    /* a fused activation, as each sum is made (lower.c never fuses softmax here) */
    const char *x =
        s->act == ACT_SOFTMAX ? "v" : emit_act_expr(e->l->g->arena, s->act, s->alpha, "v");
    buf_printf(b, ";\n        out[i] = %s;\n", x);
    buf_puts(b, "    }\n}\n\n");
}

static void emit_concat(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    const Shape *sh = &s->node->shape;
    int ch = sh->rank - 1;
    int64_t total = sh->d[ch], P = elems(sh) / total;
    buf_printf(b, "static void netc_step%d(const float *const *in, float *restrict out%s)\n{\n", k,
               THREAD_PARAMS(e));
    buf_puts(b, "    long p;\n");
    emit_range(e, "p0", "p1", P);
    buf_puts(b, "    for (p = p0; p < p1; p++) {\n");
    int64_t off = 0;
    for (int i = 0; i < s->nin; i++) {
        int64_t c = s->node->in[i]->shape.d[ch];
        buf_printf(b, "        memcpy(out + p * %lld + %lld, in[%d] + p * %lld, %lld * sizeof(float));\n",
                   (long long)total, (long long)off, i, (long long)c, (long long)c);
        off += c;
    }
    buf_puts(b, "    }\n}\n\n");
}

static void emit_pad(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    const Node *n = s->node;
    const Shape *is = &n->in[0]->shape;
    int64_t H = is->d[0], W = is->d[1], C = is->d[2], OW = n->shape.d[1];
    buf_printf(b, "static void netc_step%d(const float *restrict in, float *restrict out%s)\n{\n", k,
               THREAD_PARAMS(e));
    buf_puts(b, "    long h;\n");
    /* the output rows [r0, r1): zeros, then the input rows that land there */
    emit_range(e, "r0", "r1", n->shape.d[0]);
    buf_printf(b, "    memset(out + r0 * %lld, 0, (r1 - r0) * %lld * sizeof(float));\n",
               (long long)(OW * C), (long long)(OW * C));
    buf_printf(b, "    for (h = r0 - %lld < 0 ? 0 : r0 - %lld; h < %lld && h < r1 - %lld; h++)\n",
               (long long)n->pad[0], (long long)n->pad[0], (long long)H, (long long)n->pad[0]);
    buf_printf(b, "        memcpy(out + ((h + %lld) * %lld + %lld) * %lld, in + h * %lld, %lld * sizeof(float));\n",
               (long long)n->pad[0], (long long)OW, (long long)n->pad[2], (long long)C,
               (long long)(W * C), (long long)(W * C));
    buf_puts(b, "}\n\n");
}

static void emit_flatten(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    const Shape *is = &s->node->in[0]->shape;
    int64_t HW = is->d[0] * is->d[1], C = is->d[2];
    buf_printf(b, "static void netc_step%d(const float *restrict in, float *restrict out%s)\n{\n", k,
               THREAD_PARAMS(e));
    buf_puts(b, "    long p, c;\n");
    emit_range(e, "c0", "c1", C);
    buf_printf(b, "    for (p = 0; p < %lld; p++)\n", (long long)HW);
    buf_printf(b, "        for (c = c0; c < c1; c++) out[c * %lld + p] = in[p * %lld + c];\n",
               (long long)HW, (long long)C);
    buf_puts(b, "}\n\n");
}

/*
** The fast strategies (lower.c chooses them; docs/build.md describes them).
** Their kernels work on vectors of NETC_VL floats: AVX-512, AVX with FMA,
** SSE2 or NEON intrinsics where the C compiler targets them, plain floats
** elsewhere, so the same C is right on every target and fast on these. A
** tile of NETC_RP output pixels x NETC_NB channels is held in registers
** (NETC_NV vectors a pixel); its weights are one contiguous run per input
** channel, packed at build time in the order the tile reads them.
*/
static const char *vector_prelude =
    "/* Vectors (netc's fast kernels): NETC_VL floats, a tile of NETC_RP pixels\n"
    "** x NETC_NV vectors in registers. Without a known vector unit: floats. */\n"
    "#if defined(__AVX512F__) && !defined(NETC_NO_VECTOR)\n"
    "#include <immintrin.h>\n"
    "typedef __m512 netc_v;\n"
    "#define NETC_VL 16\n#define NETC_NV 4\n"
    "#define netc_ld(p) _mm512_loadu_ps(p)\n"
    "#define netc_st(p, v) _mm512_storeu_ps(p, v)\n"
    "#define netc_set1(x) _mm512_set1_ps(x)\n"
    "#define netc_fma(a, b, c) _mm512_fmadd_ps(a, b, c)\n"
    "#define netc_add(a, b) _mm512_add_ps(a, b)\n"
    "#define netc_sub(a, b) _mm512_sub_ps(a, b)\n"
    "#elif defined(__AVX__) && defined(__FMA__) && !defined(NETC_NO_VECTOR)\n"
    "#include <immintrin.h>\n"
    "typedef __m256 netc_v;\n"
    "#define NETC_VL 8\n#define NETC_NV 2\n"
    "#define netc_ld(p) _mm256_loadu_ps(p)\n"
    "#define netc_st(p, v) _mm256_storeu_ps(p, v)\n"
    "#define netc_set1(x) _mm256_set1_ps(x)\n"
    "#define netc_fma(a, b, c) _mm256_fmadd_ps(a, b, c)\n"
    "#define netc_add(a, b) _mm256_add_ps(a, b)\n"
    "#define netc_sub(a, b) _mm256_sub_ps(a, b)\n"
    "#elif defined(__aarch64__) && defined(__ARM_NEON) && !defined(NETC_NO_VECTOR)\n"
    "#include <arm_neon.h>\n"
    "typedef float32x4_t netc_v;\n"
    "#define NETC_VL 4\n#define NETC_NV 4\n"
    "#define netc_ld(p) vld1q_f32(p)\n"
    "#define netc_st(p, v) vst1q_f32(p, v)\n"
    "#define netc_set1(x) vdupq_n_f32(x)\n"
    "#define netc_fma(a, b, c) vfmaq_f32(c, a, b)\n"
    "#define netc_add(a, b) vaddq_f32(a, b)\n"
    "#define netc_sub(a, b) vsubq_f32(a, b)\n"
    "#elif defined(__SSE2__) && !defined(NETC_NO_VECTOR)\n"
    "#include <emmintrin.h>\n"
    "typedef __m128 netc_v;\n"
    "#define NETC_VL 4\n#define NETC_NV 2\n"
    "#define netc_ld(p) _mm_loadu_ps(p)\n"
    "#define netc_st(p, v) _mm_storeu_ps(p, v)\n"
    "#define netc_set1(x) _mm_set1_ps(x)\n"
    "#define netc_fma(a, b, c) _mm_add_ps(_mm_mul_ps(a, b), c)\n"
    "#define netc_add(a, b) _mm_add_ps(a, b)\n"
    "#define netc_sub(a, b) _mm_sub_ps(a, b)\n"
    "#else\n"
    "typedef float netc_v;\n"
    "#define NETC_VL 1\n#define NETC_NV 4\n"
    "#define netc_ld(p) (*(p))\n"
    "#define netc_st(p, v) (*(p) = (v))\n"
    "#define netc_set1(x) (x)\n"
    "#define netc_fma(a, b, c) ((a) * (b) + (c))\n"
    "#define netc_add(a, b) ((a) + (b))\n"
    "#define netc_sub(a, b) ((a) - (b))\n"
    "#endif\n"
    "#define NETC_NB (NETC_NV * NETC_VL)\n\n";

static const char *vector_part =
    "/* Stores the first n floats of a vector. */\n"
    "static void netc_st_part(float *p, netc_v v, long n)\n{\n"
    "    float t[NETC_VL];\n"
    "    int i, m = n <= 0 ? 0 : n >= NETC_VL ? NETC_VL : (int)n;\n"
    "    netc_st(t, v);\n"
    "    for (i = 0; i < m; i++) p[i] = t[i];\n}\n\n";

static const char *vector_load_part =
    "/* Loads n floats into a vector, zeros after them. */\n"
    "static netc_v netc_ld_part(const float *p, long n)\n{\n"
    "    float t[NETC_VL];\n    long i;\n"
    "    for (i = 0; i < NETC_VL; i++) t[i] = i < n ? p[i] : 0.0f;\n"
    "    return netc_ld(t);\n}\n\n";

static bool uses_strategy(const Lowered *l, Strategy st) {
    for (int i = 0; i < l->nsteps; i++)
        if ((l->steps[i].kind == K_CONV || l->steps[i].kind == K_DENSE) &&
            l->steps[i].strategy == st)
            return true;
    return false;
}

/* Applies act to `n` (a C expression) floats at `v`, in place: each float
** through emit_act_expr, or softmax over all n. */
static void emit_act_n(Buf *b, Act act, float alpha, const char *v, const char *n,
                       const char *ind) {
    if (act == ACT_LINEAR)
        return;
    if (act == ACT_SOFTMAX) {
        buf_printf(b, "%snetc_softmax(%s, %s);\n", ind, v, n);
        return;
    }
    Arena scratch = {0};
    const char *x = arena_printf(&scratch, "%s[i]", v);
    buf_printf(b, "%sfor (i = 0; i < %s; i++) %s = %s;\n", ind, n, x,
               emit_act_expr(&scratch, act, alpha, x));
    arena_free(&scratch);
}

/* With threads: does the step split its blocks of 64 output channels
** between the threads (when they divide evenly, and always for a GEMV,
** which has no rows), or its output rows? */
static bool split_blocks(const Emit *e, const Step *s) {
    int nt = e->o->threads;
    int64_t F = s->node->shape.d[s->node->shape.rank - 1];
    int64_t nfb = (F + NETC_BLOCK - 1) / NETC_BLOCK;
    if (s->strategy == S_GEMV)
        return true;
    return s->strategy != S_DEPTHWISE && nfb % nt == 0;
}

/* The geometry the direct kernel sees: S_GEMM is one row of H·W pixels
** (unless threads split the rows). */
static Win fast_window(const Emit *e, const Step *s) {
    Win w = step_window(s);
    if (s->strategy == S_GEMM && (e->o->threads <= 1 || split_blocks(e, s))) {
        w.W = w.OW = w.H * w.W;
        w.H = w.OH = 1;
    }
    return w;
}

/* The direct tile of np pixels: out[p][c0 + j] for j < nc (<= NETC_NB),
** from input channels [c0, c1) (all of them when cblock is C). `first`:
** start from the bias, else from the partial sums in out; `last`: add the
** residual and apply the activation. The input pixel of kernel cell
** (kh, kw) for tile pixel p is in[xb + ((kh·DH)·W + p·SW + kw·DW)·C]. */
static void emit_direct_tile(const Emit *e, const Step *s, int k, int np) {
    Buf *b = e->b;
    Win w = fast_window(e, s);
    bool blocked = s->cblock < w.C, res = s->res_node != NULL;
    buf_printf(b,
               "static void netc_t%d_%d(const float *restrict in, long xb, const float *restrict "
               "wt, const float *restrict bias, float *restrict o, const float *restrict r, long "
               "kh0, long kh1, long kw0, long kw1, long c0, long c1, int first, int last, long nc)\n{\n",
               k, np);
    buf_printf(b, "    netc_v acc[%d][NETC_NV];\n    long p, v, kh, kw, c, i;\n", np);
    buf_printf(b, "    for (p = 0; p < %d; p++)\n        for (v = 0; v < NETC_NV; v++)\n", np);
    buf_printf(b, "            acc[p][v] = first ? netc_ld(bias + v * NETC_VL) : "
                  "netc_ld_part(o + p * %lld + v * NETC_VL, nc - v * NETC_VL);\n",
               (long long)w.F);
    buf_puts(b, "    for (kh = kh0; kh < kh1; kh++)\n        for (kw = kw0; kw < kw1; kw++) {\n");
    buf_printf(b, "            const float *restrict x = in + (xb + (kh * %lld + kw * %lld) * %lld);\n",
               (long long)(w.DH * w.W), (long long)w.DW, (long long)w.C);
    buf_printf(b, "            const float *restrict wk = wt + (kh * %lld + kw) * %lld;\n",
               (long long)w.KW, (long long)(w.C * NETC_BLOCK));
    if (blocked)
        buf_puts(b, "            for (c = c0; c < c1; c++) {\n");
    else
        buf_printf(b, "            for (c = 0; c < %lld; c++) {\n", (long long)w.C);
    buf_puts(b, "                netc_v wv[NETC_NV];\n");
    buf_printf(b, "                for (v = 0; v < NETC_NV; v++) wv[v] = netc_ld(wk + c * %d + v * NETC_VL);\n",
               NETC_BLOCK);
    buf_printf(b, "                for (p = 0; p < %d; p++) {\n", np);
    buf_printf(b, "                    const netc_v xv = netc_set1(x[p * %lld + c]);\n",
               (long long)(w.SW * w.C));
    buf_puts(b, "                    for (v = 0; v < NETC_NV; v++) acc[p][v] = netc_fma(xv, wv[v], acc[p][v]);\n");
    buf_puts(b, "                }\n            }\n        }\n");
    if (res)
        buf_printf(b,
                   "    if (last)\n        for (p = 0; p < %d; p++)\n            for (v = 0; v < NETC_NV; v++)\n"
                   "                acc[p][v] = netc_add(acc[p][v], netc_ld_part(r + p * %lld + v * NETC_VL, nc - v * NETC_VL));\n",
                   np, (long long)w.F);
    buf_printf(b, "    for (p = 0; p < %d; p++) {\n        float *restrict op = o + p * %lld;\n", np,
               (long long)w.F);
    buf_puts(b, "        for (v = 0; v < NETC_NV; v++) {\n"
                "            if (nc - v * NETC_VL >= NETC_VL) netc_st(op + v * NETC_VL, acc[p][v]);\n"
                "            else if (nc > v * NETC_VL) netc_st_part(op + v * NETC_VL, acc[p][v], nc - v * NETC_VL);\n"
                "        }\n");
    if (s->act != ACT_LINEAR) {
        buf_puts(b, "        if (last) {\n");
        emit_act_n(b, s->act, s->alpha, "op", "nc", "            ");
        buf_puts(b, "        }\n");
    }
    buf_puts(b, "    }\n    (void)i; (void)r; (void)c0; (void)c1; (void)last;\n}\n\n");
}

/* The depthwise tile of np pixels, all channels, one vector at a time. */
static void emit_dw_tile(const Emit *e, const Step *s, int k, int np) {
    Buf *b = e->b;
    Win w = step_window(s);
    bool res = s->res_node != NULL;
    buf_printf(b,
               "static void netc_t%d_%d(const float *restrict in, long xb, const float *restrict "
               "wt, const float *restrict bias, float *restrict o, const float *restrict r, long "
               "kh0, long kh1, long kw0, long kw1)\n{\n",
               k, np);
    buf_printf(b, "    long p, kh, kw, c, i;\n");
    buf_printf(b, "    for (c = 0; c < %lld; c += NETC_VL) {\n", (long long)w.C);
    buf_printf(b, "        netc_v acc[%d];\n", np);
    buf_printf(b, "        for (p = 0; p < %d; p++) acc[p] = netc_ld(bias + c);\n", np);
    buf_puts(b, "        for (kh = kh0; kh < kh1; kh++)\n            for (kw = kw0; kw < kw1; kw++) {\n");
    buf_printf(b, "                const float *restrict x = in + (xb + (kh * %lld + kw * %lld) * %lld + c);\n",
               (long long)(w.DH * w.W), (long long)w.DW, (long long)w.C);
    buf_printf(b, "                const netc_v wv = netc_ld(wt + (kh * %lld + kw) * %lld + c);\n",
               (long long)w.KW, (long long)w.C);
    buf_printf(b, "                for (p = 0; p < %d; p++) acc[p] = netc_fma(netc_ld(x + p * %lld), wv, acc[p]);\n",
               np, (long long)(w.SW * w.C));
    buf_puts(b, "            }\n");
    buf_printf(b, "        for (p = 0; p < %d; p++) netc_st(o + p * %lld + c, %s);\n", np,
               (long long)w.C, res ? arena_printf(e->l->g->arena, "netc_add(acc[p], netc_ld(r + p * %lld + c))", (long long)w.C) : "acc[p]");
    buf_puts(b, "    }\n");
    if (s->act != ACT_LINEAR) {
        buf_printf(b, "    for (p = 0; p < %d; p++) {\n        float *restrict op = o + p * %lld;\n", np,
                   (long long)w.C);
        emit_act_n(b, s->act, s->alpha, "op", arena_printf(e->l->g->arena, "%lld", (long long)w.C), "        ");
        buf_puts(b, "    }\n");
    }
    buf_puts(b, "    (void)i; (void)r;\n}\n\n");
}

/* The tile sizes a row needs: the main one, the rest of the interior, and
** single pixels at the borders. */
#define FAST_RP 6

static void emit_fast_conv(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    Win w = fast_window(e, s);
    bool dw = s->strategy == S_DEPTHWISE, res = s->res_node != NULL;
    int64_t lo, hi;
    win_interior(&w, &lo, &hi);
    int64_t rem = (hi - lo) % FAST_RP;
    bool need[FAST_RP + 1] = {false};
    if (hi - lo >= FAST_RP)
        need[FAST_RP] = true;
    if (rem)
        need[rem] = true;
    if (lo > 0 || hi < w.OW)
        need[1] = true;
    for (int np = 1; np <= FAST_RP; np++)
        if (need[np]) {
            if (dw)
                emit_dw_tile(e, s, k, np);
            else
                emit_direct_tile(e, s, k, np);
        }
    /* with a pool fused: netc_r<k> makes the conv rows [oh0, oh1), row oh at
    ** out + (oh % R)·OW·F, and the step (emit_pool_rows) calls it */
    bool pooled = s->pool != NULL;
    bool threads = e->o->threads > 1, by_block = threads && !pooled && split_blocks(e, s);
    if (pooled)
        buf_printf(b, "static void netc_r%d(const float *restrict in, float *restrict out, long oh0, long oh1)\n{\n", k);
    else
        buf_printf(b, "static void netc_step%d(const float *restrict in, float *restrict out%s%s)\n{\n", k,
                   res ? ", const float *restrict r" : "", threads ? ", int t, int nt" : "");
    buf_puts(b, "    long oh, ow;\n");
    /* the rows this thread computes */
    if (pooled)
        ;
    else if (threads && !by_block)
        buf_printf(b, "    const long oh0 = %lld * t / nt, oh1 = %lld * (t + 1) / nt;\n",
                   (long long)w.OH, (long long)w.OH);
    else
        buf_printf(b, "    const long oh0 = 0, oh1 = %lld;\n", (long long)w.OH);
    if (!res)
        buf_puts(b, "    const float *restrict r = 0;\n");
    const char *cargs = "";
    if (!dw) {
        int64_t nfb = (w.F + NETC_BLOCK - 1) / NETC_BLOCK;
        int64_t ncb = (w.C + s->cblock - 1) / s->cblock;
        buf_puts(b, "    long fb, h, cb;\n");
        if (by_block)
            buf_printf(b, "    for (fb = %lld * t / nt; fb < %lld * (t + 1) / nt; fb++)\n",
                       (long long)nfb, (long long)nfb);
        else
            buf_printf(b, "    for (fb = 0; fb < %lld; fb++)\n", (long long)nfb);
        buf_printf(b, "    for (h = 0; h < %d / NETC_NB; h++)\n", NETC_BLOCK);
        buf_printf(b, "    for (cb = 0; cb < %lld; cb++) {\n", (long long)ncb);
        buf_printf(b, "        const long c0 = fb * %d + h * NETC_NB, nc = %lld - c0 < NETC_NB ? %lld - c0 : NETC_NB;\n",
                   NETC_BLOCK, (long long)w.F, (long long)w.F);
        buf_printf(b, "        const long k0 = cb * %lld, k1 = k0 + %lld < %lld ? k0 + %lld : %lld;\n",
                   (long long)s->cblock, (long long)s->cblock, (long long)w.C,
                   (long long)s->cblock, (long long)w.C);
        buf_printf(b, "        const float *restrict wt = NETC_W + %lld + fb * %lld + h * NETC_NB;\n",
                   (long long)s->w, (long long)(w.KH * w.KW * w.C * NETC_BLOCK));
        buf_printf(b, "        const float *restrict bias = NETC_W + %lld + c0;\n", (long long)s->b);
        buf_printf(b, "        const int first = cb == 0, last = cb == %lld;\n", (long long)(ncb - 1));
        buf_puts(b, "        if (c0 >= " );
        buf_printf(b, "%lld) continue;\n", (long long)w.F);
        cargs = ", k0, k1, first, last, nc";
    } else {
        buf_puts(b, "    {\n        const long c0 = 0;\n");
        buf_printf(b, "        const float *restrict wt = NETC_W + %lld;\n", (long long)s->w);
        buf_printf(b, "        const float *restrict bias = NETC_W + %lld;\n", (long long)s->b);
    }
    buf_puts(b, "        for (oh = oh0; oh < oh1; oh++) {\n");
    buf_printf(b, "            const long ih0 = oh * %lld - %lld;\n", (long long)w.SH, (long long)w.PT);
    buf_printf(b, "            const long kh0 = ih0 < 0 ? (-ih0 + %lld) / %lld : 0;\n",
               (long long)(w.DH - 1), (long long)w.DH);
    buf_printf(b, "            long kh1 = (%lld - ih0 + %lld) / %lld;\n", (long long)w.H,
               (long long)(w.DH - 1), (long long)w.DH);
    if (pooled)
        buf_printf(b, "            float *restrict orow = out + oh %% %lld * %lld + c0;\n",
                   (long long)s->pool->kernel[0], (long long)(w.OW * w.F));
    else
        buf_printf(b, "            float *restrict orow = out + oh * %lld + c0;\n", (long long)(w.OW * w.F));
    buf_printf(b, "            const float *restrict rrow = r ? r + oh * %lld + c0 : 0;\n",
               (long long)(w.OW * w.F));
    buf_printf(b, "            if (kh1 > %lld) kh1 = %lld;\n", (long long)w.KH, (long long)w.KH);
    const char *border =
        "                const long iw0 = ow * %lld - %lld;\n"
        "                const long kw0 = iw0 < 0 ? (-iw0 + %lld) / %lld : 0;\n"
        "                long kw1 = (%lld - iw0 + %lld) / %lld;\n"
        "                if (kw1 > %lld) kw1 = %lld;\n"
        "                netc_t%d_1(in, ih0 * %lld + iw0 * %lld, wt, bias, orow + ow * %lld, rrow ? rrow + ow * %lld : 0, kh0, kh1, kw0, kw1%s);\n";
    for (int part = 0; part < 3; part++) {
        if (part == 1) {
            if (hi <= lo)
                continue;
            const char *call =
                "netc_t%d_%d(in, ih0 * %lld + (ow * %lld - %lld) * %lld, wt, bias, orow + ow * %lld, "
                "rrow ? rrow + ow * %lld : 0, kh0, kh1, 0, %lld%s);\n";
            if (hi - lo >= FAST_RP) {
                buf_printf(b, "            for (ow = %lld; ow + %d <= %lld; ow += %d)\n                ",
                           (long long)lo, FAST_RP, (long long)hi, FAST_RP);
                buf_printf(b, call, k, FAST_RP, (long long)(w.W * w.C), (long long)w.SW,
                           (long long)w.PL, (long long)w.C, (long long)w.F, (long long)w.F,
                           (long long)w.KW, cargs);
            }
            if (rem) {
                buf_printf(b, "            ow = %lld;\n            ", (long long)(hi - rem));
                buf_printf(b, call, k, (int)rem, (long long)(w.W * w.C), (long long)w.SW,
                           (long long)w.PL, (long long)w.C, (long long)w.F, (long long)w.F,
                           (long long)w.KW, cargs);
            }
            continue;
        }
        int64_t a = part ? hi : 0, z = part ? w.OW : lo;
        if (z <= a)
            continue;
        buf_printf(b, "            for (ow = %lld; ow < %lld; ow++) {\n", (long long)a, (long long)z);
        buf_printf(b, border, (long long)w.SW, (long long)w.PL, (long long)(w.DW - 1),
                   (long long)w.DW, (long long)w.W, (long long)(w.DW - 1), (long long)w.DW,
                   (long long)w.KW, (long long)w.KW, k, (long long)(w.W * w.C), (long long)w.C,
                   (long long)w.F, (long long)w.F, cargs);
        buf_puts(b, "            }\n");
    }
    buf_puts(b, "        }\n    }\n}\n\n");
}

/* The step of a direct conv with a max pool fused (Step.pool): thread t of
** the nw that take part makes its share of the pool's rows; before each, the
** conv rows its window needs that are not made yet (netc_r<k>), into a ring
** of R = the pool's window height rows of its own in `mid`. A thread's
** first window may need a row its neighbour also makes: that row is made
** twice, with the same result. The pool then reads rows still in the cache,
** with the comparison of emit_pool, so the result is the unfused one. */
static void emit_pool_rows(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    const Node *p = s->pool;
    Win cw = step_window(s);
    int64_t R = p->kernel[0], F = cw.F, CW = cw.OW; /* conv rows are CW x F */
    int64_t PH = p->shape.d[0], PW = p->shape.d[1];
    int64_t SH = p->stride[0], SW = p->stride[1], PT = p->pad[0], PL = p->pad[2], KW = p->kernel[1];
    int64_t maxw = cw.OH / R; /* threads whose rings fit in mid */
    if (maxw < 1)
        maxw = 1;
    bool threads = e->o->threads > 1;
    /* one row of the pool from the ring */
    buf_printf(b, "static void netc_pr%d(const float *restrict ring, float *restrict o, long ih0, long kh0, long kh1)\n{\n", k);
    buf_puts(b, "    long pw, kh, kw, c;\n");
    buf_printf(b, "    for (pw = 0; pw < %lld; pw++, o += %lld) {\n", (long long)PW, (long long)F);
    buf_printf(b, "        const long iw0 = pw * %lld - %lld;\n", (long long)SW, (long long)PL);
    buf_puts(b, "        const long kw0 = iw0 < 0 ? -iw0 : 0;\n");
    buf_printf(b, "        const long kw1 = %lld - iw0 < %lld ? %lld - iw0 : %lld;\n", (long long)CW,
               (long long)KW, (long long)CW, (long long)KW);
    buf_printf(b, "        for (c = 0; c < %lld; c++) o[c] = -HUGE_VALF;\n", (long long)F);
    buf_puts(b, "        for (kh = kh0; kh < kh1; kh++)\n            for (kw = kw0; kw < kw1; kw++) {\n");
    buf_printf(b, "                const float *restrict x = ring + (ih0 + kh) %% %lld * %lld + (iw0 + kw) * %lld;\n",
               (long long)R, (long long)(CW * F), (long long)F);
    buf_printf(b, "                for (c = 0; c < %lld; c++) o[c] = x[c] > o[c] ? x[c] : o[c];\n",
               (long long)F);
    buf_puts(b, "            }\n    }\n}\n\n");
    buf_printf(b, "static void netc_step%d(const float *restrict in, float *restrict out, float *restrict mid%s)\n{\n",
               k, threads ? ", int t, int nt" : "");
    buf_puts(b, "    long p, next;\n");
    if (threads)
        buf_printf(b, "    const long nw = nt < %lld ? nt : %lld;\n", (long long)maxw, (long long)maxw);
    else
        buf_puts(b, "    const long t = 0, nw = 1;\n");
    buf_printf(b, "    const long p0 = %lld * t / nw, p1 = %lld * (t + 1) / nw;\n", (long long)PH,
               (long long)PH);
    buf_printf(b, "    float *restrict ring = mid + t * %lld;\n", (long long)(R * CW * F));
    buf_puts(b, "    if (t >= nw) return;\n");
    buf_puts(b, "    next = 0;\n");
    buf_puts(b, "    for (p = p0; p < p1; p++) {\n");
    buf_printf(b, "        const long ih0 = p * %lld - %lld;\n", (long long)SH, (long long)PT);
    buf_puts(b, "        const long kh0 = ih0 < 0 ? -ih0 : 0;\n");
    buf_printf(b, "        const long kh1 = %lld - ih0 < %lld ? %lld - ih0 : %lld;\n", (long long)cw.OH,
               (long long)R, (long long)cw.OH, (long long)R);
    buf_puts(b, "        if (next < ih0 + kh0) next = ih0 + kh0;\n");
    buf_printf(b, "        if (next < ih0 + kh1) {\n            netc_r%d(in, ring, next, ih0 + kh1);\n"
                  "            next = ih0 + kh1;\n        }\n", k);
    buf_printf(b, "        netc_pr%d(ring, out + p * %lld, ih0, kh0, kh1);\n", k, (long long)(PW * F));
    buf_puts(b, "    }\n}\n\n");
}

/* Winograd F(2,3) (docs/build.md, "Kernel strategies"): the output in
** tiles of 2x2 pixels, WG_T tiles at a time in row order (a group may span
** two rows). For each block of 64 output channels and each block of cblock
** input channels, the tiles' 4x4 input patches are transformed (V = B^T d B, vectors over the channels),
** then 16 products of (WG_T x cblock) by (cblock x 64), the direct tile's
** loop, are summed in M; at the end M is transformed back (Y = A^T M A),
** with the bias, the residual and the activation. The groups are taken
** WG_CHUNK at a time, for each block of input channels in turn, so that a
** block's transformed weights (16·cblock·64 floats, 512 KiB at most) are
** read from memory once per chunk rather than once per group: the layers
** with many channels and few tiles, whose weights do not fit in the L2
** cache, were bound by that traffic. The scratch, V and M, is on the stack:
** 16·WG_T·(cblock + 64·WG_CHUNK) floats, 144 KiB at most. */
#define WG_T 6
#define WG_CHUNK 4

static void emit_wg_tile(const Emit *e, const Step *s, int k, int np) {
    Buf *b = e->b;
    buf_printf(b,
               "static void netc_w%d_%d(const float *restrict x, const float *restrict u, "
               "float *restrict m, long cn, int first)\n{\n",
               k, np);
    buf_printf(b, "    netc_v acc[%d][NETC_NV];\n    long p, v, c, h;\n", np);
    buf_printf(b, "    for (h = 0; h < %d / NETC_NB; h++) {\n", NETC_BLOCK);
    buf_printf(b,
               "        for (p = 0; p < %d; p++)\n            for (v = 0; v < NETC_NV; v++)\n"
               "                acc[p][v] = first ? netc_set1(0.0f) : netc_ld(m + p * %d + h * "
               "NETC_NB + v * NETC_VL);\n",
               np, NETC_BLOCK);
    buf_puts(b, "        for (c = 0; c < cn; c++) {\n            netc_v wv[NETC_NV];\n");
    buf_printf(b,
               "            for (v = 0; v < NETC_NV; v++) wv[v] = netc_ld(u + c * %d + h * "
               "NETC_NB + v * NETC_VL);\n",
               NETC_BLOCK);
    buf_printf(b,
               "            for (p = 0; p < %d; p++) {\n                const netc_v xv = "
               "netc_set1(x[p * %lld + c]);\n",
               np, (long long)s->cblock);
    buf_puts(b, "                for (v = 0; v < NETC_NV; v++) acc[p][v] = netc_fma(xv, wv[v], "
                "acc[p][v]);\n            }\n        }\n");
    buf_printf(b,
               "        for (p = 0; p < %d; p++)\n            for (v = 0; v < NETC_NV; v++) "
               "netc_st(m + p * %d + h * NETC_NB + v * NETC_VL, acc[p][v]);\n    }\n}\n\n",
               np, NETC_BLOCK);
}

static void emit_winograd(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    Win w = step_window(s);
    bool res = s->res_node != NULL, threads = e->o->threads > 1;
    int64_t TW = (w.OW + 1) / 2, NT = (w.OH + 1) / 2 * TW, CB = s->cblock;
    int64_t nfb = (w.F + NETC_BLOCK - 1) / NETC_BLOCK, ncb = (w.C + CB - 1) / CB;
    int64_t NG = (NT + WG_T - 1) / WG_T;
    int64_t MG = 16 * WG_T * NETC_BLOCK; /* floats of M per group */
    int rem = (int)(NT % WG_T);
    if (NT >= WG_T)
        emit_wg_tile(e, s, k, WG_T);
    if (rem)
        emit_wg_tile(e, s, k, rem);
    buf_printf(b, "static void netc_step%d(const float *restrict in, float *restrict out%s%s)\n{\n", k,
               res ? ", const float *restrict r" : "", threads ? ", int t, int nt" : "");
    buf_printf(b, "    static const float zero[%lld];\n", (long long)CB);
    buf_printf(b, "    float V[%lld], M[%lld];\n", (long long)(16 * WG_T * CB),
               (long long)(WG_CHUNK * MG));
    buf_puts(b, "    const float *d[16];\n    long fb, tc, tg, t0, cb, j, i, q, c;\n");
    /* threads: the blocks of output channels when they divide evenly (each
    ** thread then reads its own part of the weights), else the groups */
    if (threads) {
        buf_printf(b, "    const int byf = %lld %% nt == 0;\n", (long long)nfb);
        buf_printf(b, "    const long fb0 = byf ? %lld * t / nt : 0, fb1 = byf ? %lld * (t + 1) / nt : %lld;\n",
                   (long long)nfb, (long long)nfb, (long long)nfb);
        buf_printf(b, "    const long tg0 = byf ? 0 : %lld * t / nt, tg1 = byf ? %lld : %lld * (t + 1) / nt;\n",
                   (long long)NG, (long long)NG, (long long)NG);
    } else {
        buf_printf(b, "    const long fb0 = 0, fb1 = %lld, tg0 = 0, tg1 = %lld;\n", (long long)nfb,
                   (long long)NG);
    }
    buf_puts(b, "    for (fb = fb0; fb < fb1; fb++)\n");
    buf_printf(b, "    for (tc = tg0; tc < tg1; tc += %d) {\n", WG_CHUNK);
    buf_printf(b, "        const long tce = tc + %d < tg1 ? tc + %d : tg1;\n", WG_CHUNK, WG_CHUNK);
    buf_printf(b, "        const float *restrict bias = NETC_W + %lld + fb * %d;\n", (long long)s->b,
               NETC_BLOCK);
    buf_printf(b, "        const long nq = %lld - fb * %d < %d ? %lld - fb * %d : %d;\n", (long long)w.F,
               NETC_BLOCK, NETC_BLOCK, (long long)w.F, NETC_BLOCK, NETC_BLOCK);
    buf_printf(b, "        for (cb = 0; cb < %lld; cb++) {\n", (long long)ncb);
    buf_printf(b, "            const long c0 = cb * %lld, cn = %lld - c0 < %lld ? %lld - c0 : %lld;\n",
               (long long)CB, (long long)w.C, (long long)CB, (long long)w.C, (long long)CB);
    buf_puts(b, "            for (tg = tc; tg < tce; tg++) {\n");
    buf_printf(b, "            float *restrict Mg = M + (tg - tc) * %lld;\n", (long long)MG);
    buf_printf(b, "            const long np = %lld - tg * %d < %d ? %lld - tg * %d : %d;\n", (long long)NT,
               WG_T, WG_T, (long long)NT, WG_T, WG_T);
    buf_printf(b, "            t0 = tg * %d;\n", WG_T);
    /* the input transform */
    buf_puts(b, "            for (j = 0; j < np; j++) {\n");
    buf_printf(b, "                const long iy = (t0 + j) / %lld * 2 - %lld, ix = (t0 + j) %% %lld * 2 - %lld;\n",
               (long long)TW, (long long)w.PT, (long long)TW, (long long)w.PL);
    buf_puts(b, "                for (i = 0; i < 16; i++) {\n"
                "                    const long y = iy + i / 4, x = ix + i % 4;\n");
    buf_printf(b,
               "                    d[i] = y >= 0 && y < %lld && x >= 0 && x < %lld ? in + (y * "
               "%lld + x) * %lld + c0 : zero;\n                }\n",
               (long long)w.H, (long long)w.W, (long long)w.W, (long long)w.C);
    buf_puts(b, "                for (c = 0; c < cn; c += NETC_VL) {\n"
                "                    netc_v a[16], t4[16];\n"
                "                    for (i = 0; i < 16; i++) a[i] = netc_ld(d[i] + c);\n"
                "                    for (i = 0; i < 4; i++) {\n"
                "                        t4[i] = netc_sub(a[i], a[8 + i]);\n"
                "                        t4[4 + i] = netc_add(a[4 + i], a[8 + i]);\n"
                "                        t4[8 + i] = netc_sub(a[8 + i], a[4 + i]);\n"
                "                        t4[12 + i] = netc_sub(a[4 + i], a[12 + i]);\n"
                "                    }\n"
                "                    for (i = 0; i < 4; i++) {\n");
    buf_printf(b, "                        float *restrict vp = V + (i * 4 * %d + j) * %lld + c;\n",
               WG_T, (long long)CB);
    buf_printf(b, "                        netc_st(vp, netc_sub(t4[4 * i], t4[4 * i + 2]));\n"
                  "                        netc_st(vp + %lld, netc_add(t4[4 * i + 1], t4[4 * i + 2]));\n"
                  "                        netc_st(vp + %lld, netc_sub(t4[4 * i + 2], t4[4 * i + 1]));\n"
                  "                        netc_st(vp + %lld, netc_sub(t4[4 * i + 1], t4[4 * i + 3]));\n",
               (long long)(WG_T * CB), (long long)(2 * WG_T * CB), (long long)(3 * WG_T * CB));
    buf_puts(b, "                    }\n                }\n            }\n");
    /* the 16 products */
    buf_puts(b, "            for (i = 0; i < 16; i++) {\n");
    buf_printf(b,
               "                const float *restrict u = NETC_W + %lld + ((fb * 16 + i) * %lld + "
               "c0) * %d;\n",
               (long long)s->w, (long long)w.C, NETC_BLOCK);
    const char *call = "netc_w%d_%d(V + i * %lld, u, Mg + i * %d, cn, cb == 0);\n";
    if (NT >= WG_T && rem) {
        buf_printf(b, "                if (np == %d) ", WG_T);
        buf_printf(b, call, k, WG_T, (long long)(WG_T * CB), WG_T * NETC_BLOCK);
        buf_puts(b, "                else ");
        buf_printf(b, call, k, rem, (long long)(WG_T * CB), WG_T * NETC_BLOCK);
    } else {
        buf_puts(b, "                ");
        buf_printf(b, call, k, rem ? rem : WG_T, (long long)(WG_T * CB), WG_T * NETC_BLOCK);
    }
    buf_puts(b, "            }\n            }\n        }\n");
    /* the output transform */
    buf_puts(b, "        for (tg = tc; tg < tce; tg++)\n");
    buf_printf(b, "        for (j = 0; j < %lld - tg * %d && j < %d; j++) {\n", (long long)NT, WG_T,
               WG_T);
    buf_printf(b, "            const float *restrict Mg = M + (tg - tc) * %lld;\n", (long long)MG);
    buf_printf(b, "            const long oy = (tg * %d + j) / %lld * 2, ox = (tg * %d + j) %% %lld * 2;\n",
               WG_T, (long long)TW, WG_T, (long long)TW);
    buf_printf(b, "            const int h2 = oy + 1 < %lld, w2 = ox + 1 < %lld;\n", (long long)w.OH,
               (long long)w.OW);
    buf_printf(b, "            float *restrict o0 = out + (oy * %lld + ox) * %lld + fb * %d;\n",
               (long long)w.OW, (long long)w.F, NETC_BLOCK);
    if (res)
        buf_printf(b, "            const float *restrict r0 = r + (oy * %lld + ox) * %lld + fb * %d;\n",
                   (long long)w.OW, (long long)w.F, NETC_BLOCK);
    buf_puts(b, "            for (q = 0; q < nq; q += NETC_VL) {\n");
    buf_puts(b, "                netc_v m[16], t2[8], y[4];\n"
                "                const netc_v bv = netc_ld(bias + q);\n");
    buf_printf(b, "                for (i = 0; i < 16; i++) m[i] = netc_ld(Mg + (i * %d + j) * %d + q);\n",
               WG_T, NETC_BLOCK);
    buf_puts(b, "                for (i = 0; i < 4; i++) {\n"
                "                    t2[i] = netc_add(netc_add(m[i], m[4 + i]), m[8 + i]);\n"
                "                    t2[4 + i] = netc_sub(netc_sub(m[4 + i], m[8 + i]), m[12 + i]);\n"
                "                }\n"
                "                for (i = 0; i < 2; i++) {\n"
                "                    y[2 * i] = netc_add(netc_add(netc_add(t2[4 * i], t2[4 * i + 1]), t2[4 * i + 2]), bv);\n"
                "                    y[2 * i + 1] = netc_add(netc_sub(netc_sub(t2[4 * i + 1], t2[4 * i + 2]), t2[4 * i + 3]), bv);\n"
                "                }\n");
    const char *px[4] = {"0", arena_printf(e->l->g->arena, "%lld", (long long)w.F),
                         arena_printf(e->l->g->arena, "%lld", (long long)(w.OW * w.F)),
                         arena_printf(e->l->g->arena, "%lld", (long long)((w.OW + 1) * w.F))};
    const char *cond[4] = {"1", "w2", "h2", "h2 && w2"};
    for (int p = 0; p < 4; p++) {
        if (res)
            buf_printf(b, "                if (%s) netc_st(o0 + %s + q, netc_add(y[%d], netc_ld(r0 + %s + q)));\n",
                       cond[p], px[p], p, px[p]);
        else
            buf_printf(b, "                if (%s) netc_st(o0 + %s + q, y[%d]);\n", cond[p], px[p], p);
    }
    buf_puts(b, "            }\n");
    if (s->act != ACT_LINEAR) {
        for (int p = 0; p < 4; p++) {
            buf_printf(b, "            if (%s) {\n                float *restrict op = o0 + %s;\n", cond[p], px[p]);
            emit_act_n(b, s->act, s->alpha, "op", "nq", "                ");
            buf_puts(b, "            }\n");
        }
    }
    buf_puts(b, "        }\n    }\n}\n\n");
}

/* Dense as a matrix-vector product: NETC_NB outputs in registers, the
** weights [out/64][in][64] read once, in order. */
static void emit_gemv(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    int64_t in = s->node->in[0]->shape.d[0], out = s->node->shape.d[0];
    int64_t nfb = (out + NETC_BLOCK - 1) / NETC_BLOCK;
    bool split = e->o->threads > 1 && split_blocks(e, s);
    buf_printf(b, "static void netc_step%d(const float *restrict in, float *restrict out%s)\n{\n", k,
               split ? ", int t, int nt" : "");
    buf_puts(b, "    long fb, h, i, v;\n");
    if (split)
        buf_printf(b, "    for (fb = %lld * t / nt; fb < %lld * (t + 1) / nt; fb++)\n",
                   (long long)nfb, (long long)nfb);
    else
        buf_printf(b, "    for (fb = 0; fb < %lld; fb++)\n", (long long)nfb);
    buf_printf(b, "        for (h = 0; h < %d / NETC_NB; h++) {\n", NETC_BLOCK);
    buf_printf(b, "            const long c0 = fb * %d + h * NETC_NB, nc = %lld - c0 < NETC_NB ? %lld - c0 : NETC_NB;\n",
               NETC_BLOCK, (long long)out, (long long)out);
    buf_printf(b, "            const float *restrict wt = NETC_W + %lld + fb * %lld + h * NETC_NB;\n",
               (long long)s->w, (long long)(in * NETC_BLOCK));
    buf_puts(b, "            netc_v acc[NETC_NV];\n");
    buf_printf(b, "            if (c0 >= %lld) continue;\n", (long long)out);
    buf_printf(b, "            for (v = 0; v < NETC_NV; v++) acc[v] = netc_ld(NETC_W + %lld + c0 + v * NETC_VL);\n",
               (long long)s->b);
    buf_printf(b, "            for (i = 0; i < %lld; i++) {\n", (long long)in);
    buf_puts(b, "                const netc_v xv = netc_set1(in[i]);\n");
    buf_printf(b, "                for (v = 0; v < NETC_NV; v++) acc[v] = netc_fma(xv, netc_ld(wt + i * %d + v * NETC_VL), acc[v]);\n",
               NETC_BLOCK);
    buf_puts(b, "            }\n");
    buf_puts(b, "            for (v = 0; v < NETC_NV; v++) {\n"
                "                if (nc - v * NETC_VL >= NETC_VL) netc_st(out + c0 + v * NETC_VL, acc[v]);\n"
                "                else if (nc > v * NETC_VL) netc_st_part(out + c0 + v * NETC_VL, acc[v], nc - v * NETC_VL);\n"
                "            }\n");
    if (split) {
        /* each thread its own blocks: the activation there too, but a
        ** softmax, which needs every output (emit_call) */
        if (s->act != ACT_LINEAR && s->act != ACT_SOFTMAX) {
            buf_puts(b, "            {\n                float *restrict ob = out + c0;\n");
            emit_act_n(b, s->act, s->alpha, "ob", "nc", "                ");
            buf_puts(b, "            }\n");
        }
        buf_puts(b, "        }\n");
    } else {
        buf_puts(b, "        }\n");
        emit_act(b, s->act, s->alpha, "out", out, "    ");
    }
    buf_puts(b, "}\n\n");
}

static void emit_step_fn(const Emit *e, const Step *s, int k) {
    const Node *n = s->node;
    Buf *b = e->b;
    buf_printf(b, "/* %s '%s'", op_info[n->op].name, n->name);
    if (s->last != n)
        buf_printf(b, " through '%s'", s->last->name);
    if (n->nin && n->in[0]->shape.rank)
        buf_printf(b, ": %s -> %s", shape_text(e->l->g->arena, &n->in[0]->shape),
                   shape_text(e->l->g->arena, &n->shape));
    buf_puts(b, " */\n");
    switch (s->kind) {
    case K_CONV:
        if (s->strategy == S_GENERIC)
            emit_conv(e, s, k);
        else if (s->strategy == S_WINOGRAD)
            emit_winograd(e, s, k);
        else
            emit_fast_conv(e, s, k);
        if (s->pool)
            emit_pool_rows(e, s, k);
        break;
    case K_MAXPOOL:
    case K_AVGPOOL:
        emit_pool(e, s, k);
        break;
    case K_DENSE:
        if (s->strategy == S_GEMV)
            emit_gemv(e, s, k);
        else
            emit_dense(e, s, k);
        break;
    case K_GMAXPOOL:
    case K_GAVGPOOL:
        emit_global(e, s, k);
        break;
    case K_AFFINE:
        emit_affine(e, s, k);
        break;
    case K_ACT:
        emit_actstep(e, s, k);
        break;
    case K_ADD:
        if (step_broadcasts(s))
            emit_op_merge(b, s, k, e->o->threads > 1);
        else
            emit_add(e, s, k);
        break;
    case K_MUL:
        emit_op_merge(b, s, k, e->o->threads > 1);
        break;
    case K_SLICE:
        emit_op_slice(b, s, k, e->o->threads > 1);
        break;
    case K_SHUFFLE:
        emit_op_shuffle(b, s, k, e->o->threads > 1);
        break;
    case K_UPSAMPLE:
        emit_op_upsample(b, s, k, e->o->threads > 1);
        break;
    case K_CONVT:
        emit_op_convt(b, s, k, e->o->threads > 1);
        break;
    case K_CONCAT:
        emit_concat(e, s, k);
        break;
    case K_PAD:
        emit_pad(e, s, k);
        break;
    case K_FLATTEN:
        emit_flatten(e, s, k);
        break;
    case K_COPY:
        break;
    }
}

/* Does the step split its work between threads (else thread 0 does it)? */
static bool step_splits(const Emit *e, const Step *s) {
    if (e->o->threads <= 1)
        return false;
    switch (s->kind) {
    case K_CONV:
    case K_MAXPOOL:
    case K_AVGPOOL:
    case K_PAD:
    case K_AFFINE:
    case K_ACT:
        return true;
    case K_ADD:
    case K_DENSE:
    case K_GMAXPOOL:
    case K_GAVGPOOL:
    case K_CONCAT:
    case K_FLATTEN:
    case K_COPY:
    case K_MUL:
    case K_SLICE:
    case K_SHUFFLE:
    case K_UPSAMPLE:
    case K_CONVT:
        return true;
    }
    return false;
}

static void emit_call(const Emit *e, const Step *s, int k) {
    Buf *b = e->b;
    const TRef *in = step_inputs(s);
    bool threads = e->o->threads > 1, splits = step_splits(e, s);
    const char *ind = threads && !splits ? "        " : "    ";
    if (threads && !splits)
        buf_puts(b, "    if (t == 0) {\n");
    switch (s->kind) {
    case K_ADD:
    case K_MUL:
    case K_CONCAT: {
        buf_printf(b, "%s{\n%s    const float *in%d[%d];\n", ind, ind, k, s->nin);
        for (int i = 0; i < s->nin; i++)
            buf_printf(b, "%s    in%d[%d] = %s;\n", ind, k, i, ptr(e, in[i]));
        buf_printf(b, "%s    netc_step%d(in%d, %s%s);\n%s}\n", ind, k, k, ptr(e, s->out),
                   splits ? ", t, nt" : "", ind);
        break;
    }
    case K_COPY:
        if (splits) {
            int64_t n = elems(&s->node->shape);
            buf_printf(b, "    {\n        const long lo = %lld * t / nt, hi = %lld * (t + 1) / nt;\n",
                       (long long)n, (long long)n);
            buf_printf(b, "        memcpy(%s + lo, %s + lo, (size_t)(hi - lo) * sizeof(float));\n    }\n",
                       ptr(e, s->out), ptr(e, in[0]));
        } else {
            buf_printf(b, "%smemcpy(%s, %s, %lld * sizeof(float));\n", ind, ptr(e, s->out),
                       ptr(e, in[0]), (long long)elems(&s->node->shape));
        }
        break;
    case K_CONV:
    case K_DENSE:
    case K_MAXPOOL:
    case K_AVGPOOL:
    case K_GMAXPOOL:
    case K_GAVGPOOL:
    case K_AFFINE:
    case K_ACT:
    case K_PAD:
    case K_FLATTEN:
    case K_SLICE:
    case K_SHUFFLE:
    case K_UPSAMPLE:
    case K_CONVT:
        buf_printf(b, "%snetc_step%d(%s, %s", ind, k, ptr(e, in[0]),
                   k == e->to_output ? e->out_names[0] : ptr(e, s->out));
        if (s->res_node)
            buf_printf(b, ", %s", ptr(e, s->res));
        if (s->pool)
            buf_printf(b, ", %s", ptr(e, s->mid));
        buf_puts(b, splits ? ", t, nt);\n" : ");\n");
        /* a dense layer's softmax needs all its outputs: thread 0 takes it
        ** once every thread has made its share */
        if (splits && s->kind == K_DENSE && s->act == ACT_SOFTMAX)
            buf_printf(b, "    netc_barrier(nt);\n    if (t == 0) netc_softmax(%s, %lld);\n",
                       k == e->to_output ? e->out_names[0] : ptr(e, s->out),
                       (long long)s->node->shape.d[0]);
        break;
    }
    if (threads && !splits)
        buf_puts(b, "    }\n");
    if (threads)
        buf_puts(b, "    netc_barrier(nt);\n");
    /* the standalone binary's --profile: a clock read after each step */
    if (e->o->standalone)
        buf_printf(b, "    if (%snetc_hook) netc_hook(%d);\n", threads ? "t == 0 && " : "", k);
}

/* The steps as the standalone binary's --profile prints them: layer,
** kind and strategy, floating-point operations (2 per multiply-add). */
static void emit_profile_desc(const Emit *e, Buf *b) {
    const Lowered *l = e->l;
    int n = l->nsteps;
    buf_puts(b, "\nstatic const char *const netc_prof_layer[] = {\n");
    for (int k = 0; k < n; k++)
        buf_printf(b, "    \"%s\",\n", l->steps[k].node->name);
    buf_puts(b, "    0};\nstatic const char *const netc_prof_kind[] = {\n");
    for (int k = 0; k < n; k++) {
        const Step *s = &l->steps[k];
        if (s->kind == K_CONV || s->kind == K_DENSE)
            buf_printf(b, "    \"%s %s%s\",\n", kind_names[s->kind], strategy_names[s->strategy],
                       s->pool ? "+pool" : "");
        else
            buf_printf(b, "    \"%s\",\n", kind_names[s->kind]);
    }
    buf_puts(b, "    0};\nstatic const double netc_prof_flops[] = {\n");
    for (int k = 0; k < n; k++)
        buf_printf(b, "    %lld.0,\n", (long long)(2 * l->steps[k].node->macs));
    buf_puts(b, "    0.0};\n");
    buf_printf(b,
               "const netc_profile netc_profile_desc = {%d, netc_prof_layer, netc_prof_kind, "
               "netc_prof_flops, &netc_hook};\n",
               n);
}

/* The pool of --threads=N (docs/build.md): N - 1 workers started at the
** first run, which then wait for the next inference (spinning a while,
** then on a condition variable); within an inference, the threads meet at
** a spinning barrier after each step, so a layer costs no system call. One
** inference at a time uses the pool: a concurrent call runs on its own
** thread alone, so NAME_run_ws stays reentrant. NETC_THREADS in the
** environment, read at the first run, may ask for fewer threads. */
static const char *pool_code =
    "#include <pthread.h>\n#include <sched.h>\n#include <stdlib.h>\n\n"
    "#if !defined(__GNUC__)\n#error \"netc's thread pool needs GCC or Clang atomics\"\n#endif\n\n"
    "static pthread_mutex_t netc_pool_lock = PTHREAD_MUTEX_INITIALIZER;\n"
    "static pthread_mutex_t netc_wake_lock = PTHREAD_MUTEX_INITIALIZER;\n"
    "static pthread_cond_t netc_wake = PTHREAD_COND_INITIALIZER;\n"
    "static pthread_once_t netc_pool_once = PTHREAD_ONCE_INIT;\n"
    "static int netc_pool_n = 1;        /* threads in the pool, the caller's included */\n"
    "static unsigned netc_job;          /* the number of the current inference */\n"
    "static unsigned netc_arrived, netc_phase; /* the barrier */\n"
    "static void *netc_job_args[NETC_NARGS];\n\n"
    "static void netc_barrier(int nt)\n{\n"
    "    unsigned phase;\n    long spins = 0;\n"
    "    if (nt <= 1) return;\n"
    "    phase = __atomic_load_n(&netc_phase, __ATOMIC_ACQUIRE);\n"
    "    if (__atomic_add_fetch(&netc_arrived, 1, __ATOMIC_ACQ_REL) == (unsigned)nt) {\n"
    "        __atomic_store_n(&netc_arrived, 0, __ATOMIC_RELAXED);\n"
    "        __atomic_store_n(&netc_phase, phase + 1, __ATOMIC_RELEASE);\n"
    "        return;\n    }\n"
    "    while (__atomic_load_n(&netc_phase, __ATOMIC_ACQUIRE) == phase)\n"
    "        if (++spins > 4000) sched_yield();\n}\n\n"
    "static void netc_steps(void *const *args, int t, int nt);\n\n"
    "static void *netc_worker(void *arg)\n{\n"
    "    const int t = (int)(long)arg;\n    unsigned seen = 0;\n"
    "    for (;;) {\n        long spins = 0;\n"
    "        while (__atomic_load_n(&netc_job, __ATOMIC_ACQUIRE) == seen)\n"
    "            if (++spins > 200000) {\n"
    "                pthread_mutex_lock(&netc_wake_lock);\n"
    "                while (__atomic_load_n(&netc_job, __ATOMIC_ACQUIRE) == seen)\n"
    "                    pthread_cond_wait(&netc_wake, &netc_wake_lock);\n"
    "                pthread_mutex_unlock(&netc_wake_lock);\n            }\n"
    "        seen = __atomic_load_n(&netc_job, __ATOMIC_ACQUIRE);\n"
    "        netc_steps(netc_job_args, t, netc_pool_n);\n    }\n    return 0;\n}\n\n"
    "static void netc_pool_start(void)\n{\n"
    "    const char *env = getenv(\"NETC_THREADS\");\n"
    "    int n = NETC_POOL, i;\n    pthread_attr_t attr;\n"
    "    if (env && atoi(env) >= 1 && atoi(env) < n) n = atoi(env);\n"
    "    if (pthread_attr_init(&attr) != 0) return;\n"
    "    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);\n"
    "    for (i = 1; i < n; i++) {\n        pthread_t th;\n"
    "        if (pthread_create(&th, &attr, netc_worker, (void *)(long)i) != 0) break;\n    }\n"
    "    pthread_attr_destroy(&attr);\n"
    "    /* workers that did start wait for ever if not all did: the pool is\n"
    "    ** only used whole */\n"
    "    netc_pool_n = i == n ? n : 1;\n}\n\n"
    "/* Runs the steps on the pool, or alone when it is busy or absent. */\n"
    "static void netc_run_pool(void **args)\n{\n    int i;\n"
    "    pthread_once(&netc_pool_once, netc_pool_start);\n"
    "    if (netc_pool_n > 1 && pthread_mutex_trylock(&netc_pool_lock) == 0) {\n"
    "        for (i = 0; i < NETC_NARGS; i++) netc_job_args[i] = args[i];\n"
    "        pthread_mutex_lock(&netc_wake_lock);\n"
    "        __atomic_add_fetch(&netc_job, 1, __ATOMIC_ACQ_REL);\n"
    "        pthread_cond_broadcast(&netc_wake);\n"
    "        pthread_mutex_unlock(&netc_wake_lock);\n"
    "        netc_steps(netc_job_args, 0, netc_pool_n);\n"
    "        pthread_mutex_unlock(&netc_pool_lock);\n"
    "    } else {\n        netc_steps(args, 0, 1);\n    }\n}\n\n";

/* The signature of the run function, without its name's suffix. */
static void emit_params(const Emit *e, Buf *b, bool ws) {
    const Graph *g = e->l->g;
    buf_putc(b, '(');
    for (int i = 0; i < g->inputs.len; i++)
        buf_printf(b, "%sconst float *%s", i ? ", " : "", e->in_names[i]);
    for (int i = 0; i < g->outputs.len; i++)
        buf_printf(b, ", float *%s", e->out_names[i]);
    if (ws)
        buf_puts(b, ", void *workspace");
    buf_putc(b, ')');
}

static void emit_header(const Emit *e, Buf *b) {
    const Graph *g = e->l->g;
    Arena *a = g->arena;
    const char *guard = e->names->guard;
    buf_printf(b, "/* %s: inference for network '%s', generated by netc %s. */\n", e->o->header_name,
               g->name, NETC_VERSION);
    buf_printf(b, "#ifndef %s\n#define %s\n\n", guard, guard);
    buf_puts(b, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    for (int pass = 0; pass < 2; pass++) {
        const Vec *v = pass ? &g->outputs : &g->inputs;
        for (int i = 0; i < v->len; i++) {
            const Node *n = v->data[i];
            const char *stem = (pass ? e->names->out_macro : e->names->in_macro)[i];
            bool again = false; /* an output that is an input: its macro is defined above */
            for (int k = 0; pass && k < g->inputs.len; k++)
                again = again || g->inputs.data[k] == n;
            const char *dims = n->shape.rank == 3
                                   ? arena_printf(a, "%lld*%lld*%lld, HWC", (long long)n->shape.d[0],
                                                  (long long)n->shape.d[1], (long long)n->shape.d[2])
                                   : arena_printf(a, "%lld", (long long)n->shape.d[0]);
            if (v->len == 1)
                buf_printf(b, "#define %s_%s_SIZE %lld /* floats: %s */\n", e->macro,
                           pass ? "OUTPUT" : "INPUT", (long long)elems(&n->shape), dims);
            if (!again)
                buf_printf(b, "#define %s_%s_SIZE %lld /* floats: '%s', %s */\n", e->macro, stem,
                           (long long)elems(&n->shape), n->name, dims);
        }
    }
    int64_t ws = (e->l->plan.arena + 63) / 64 * 64;
    buf_printf(b, "#define %s_WORKSPACE_BYTES %lld\n\n", e->macro, (long long)(ws ? ws : 64));
    if (e->o->weights_bin) {
        buf_printf(b,
                   "/* Reads the weights from the file netc wrote beside this code (its format:\n"
                   "** docs/build.md); call it once before %s_run. Returns %s_WEIGHTS_OK,\n"
                   "** or why the file was refused; the weights are then unusable. */\n",
                   e->prefix, e->macro);
        static const char *const codes[] = {
            "OK 0",              "the weights are loaded",
            "CANNOT_OPEN 1",     "the file cannot be opened or read",
            "NOT_NETC 2",        "not a netc weights file (no header)",
            "BAD_VERSION 3",     "a version of the format this code does not read",
            "WRONG_NETWORK 4",   "the weights of another network",
            "WRONG_COUNT 5",     "not the number of floats this network needs",
            "BAD_CHECKSUM 6",    "the floats are not those netc wrote (a damaged file)",
        };
        for (size_t i = 0; i < sizeof codes / sizeof *codes; i += 2)
            buf_printf(b, "#define %s_WEIGHTS_%s /* %s */\n", e->macro, codes[i], codes[i + 1]);
        buf_printf(b, "int %s_load_weights(const char *path);\n\n", e->prefix);
    }
    buf_puts(b, "/* Uses one static arena: not reentrant. */\n");
    buf_printf(b, "void %s_run", e->prefix);
    emit_params(e, b, false);
    buf_puts(b, ";\n\n");
    buf_printf(b, "/* The same on a caller's workspace of %s_WORKSPACE_BYTES bytes. */\n", e->macro);
    buf_printf(b, "void %s_run_ws", e->prefix);
    emit_params(e, b, true);
    buf_puts(b, ";\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

/* NAME_load_weights: reads the file of write_weights_file, checking its
** header (docs/build.md, "The weights file") before it trusts a float. */
static void emit_load_weights(const Emit *e, Buf *b) {
    const Lowered *l = e->l;
    const char *name = l->g->name;
    size_t len = strlen(name), padded = (len + 7) / 8 * 8;
    const char *M = e->macro;
    buf_printf(b, "int %s_load_weights(const char *path)\n{\n", e->prefix);
    buf_printf(b, "    static const char name[%zu] = \"%s\";\n", padded + 1, name);
    buf_printf(b, "    unsigned char h[%zu];\n", (size_t)NETC_WF_HEADER + padded);
    buf_puts(b, "    unsigned long sum = 2166136261UL, want;\n");
    if (l->nblob)
        buf_puts(b, "    unsigned char *p = (unsigned char *)netc_weights;\n"
                    "    size_t i;\n");
    buf_puts(b, "    int c;\n    FILE *f = fopen(path, \"rb\");\n");
    buf_printf(b, "    if (!f)\n        return %s_WEIGHTS_CANNOT_OPEN;\n", M);
    buf_printf(b,
               "#define NETC_LE32(q) ((unsigned long)(q)[0] | (unsigned long)(q)[1] << 8 | "
               "(unsigned long)(q)[2] << 16 | (unsigned long)(q)[3] << 24)\n"
               "#define NETC_FAIL(code) do { fclose(f); return %s_WEIGHTS_##code; } while (0)\n",
               M);
    buf_printf(b,
               "    if (fread(h, 1, %d, f) != %d || memcmp(h, \"%s\", 8) != 0)\n"
               "        NETC_FAIL(NOT_NETC);\n",
               NETC_WF_HEADER, NETC_WF_HEADER, NETC_WF_MAGIC);
    buf_printf(b, "    if (NETC_LE32(h + 8) != %dUL)\n        NETC_FAIL(BAD_VERSION);\n",
               NETC_WF_VERSION);
    buf_printf(b,
               "    if (NETC_LE32(h + 12) != %zuUL || fread(h + %d, 1, %zu, f) != %zu ||\n"
               "        memcmp(h + %d, name, %zu) != 0)\n"
               "        NETC_FAIL(WRONG_NETWORK);\n",
               len, NETC_WF_HEADER, padded, padded, NETC_WF_HEADER, padded);
    buf_printf(b,
               "    if (NETC_LE32(h + 16) != %luUL || NETC_LE32(h + 20) != %luUL)\n"
               "        NETC_FAIL(WRONG_COUNT);\n",
               (unsigned long)((uint64_t)l->nblob & 0xffffffffu),
               (unsigned long)((uint64_t)l->nblob >> 32));
    buf_puts(b, "    want = NETC_LE32(h + 24);\n");
    if (l->nblob) {
        buf_printf(b,
                   "    if (fread(netc_weights, sizeof(float), %lld, f) != %lld)\n"
                   "        NETC_FAIL(%s);\n",
                   (long long)l->nblob, (long long)l->nblob, "WRONG_COUNT");
    }
    buf_puts(b, "    c = fgetc(f);\n"
                "    if (ferror(f))\n        NETC_FAIL(CANNOT_OPEN);\n"
                "    if (c != EOF)\n        NETC_FAIL(WRONG_COUNT);\n"
                "    fclose(f);\n");
    if (l->nblob) {
        /* FNV-1a over the bytes as stored, then to host order */
        buf_printf(b, "    for (i = 0; i < %lld * sizeof(float); i++)\n"
                      "        sum = ((sum ^ p[i]) * 16777619UL) & 0xffffffffUL;\n",
                   (long long)l->nblob);
    }
    buf_printf(b, "    if (sum != want)\n        return %s_WEIGHTS_BAD_CHECKSUM;\n", M);
    if (l->nblob)
        buf_printf(b,
                   "    {\n"
                   "        /* the file is little-endian */\n"
                   "        const unsigned int one = 1;\n"
                   "        if (*(const unsigned char *)&one == 0)\n"
                   "            for (i = 0; i < %lld * sizeof(float); i += 4) {\n"
                   "                unsigned char t = p[i]; p[i] = p[i + 3]; p[i + 3] = t;\n"
                   "                t = p[i + 1]; p[i + 1] = p[i + 2]; p[i + 2] = t;\n"
                   "            }\n"
                   "    }\n",
                   (long long)l->nblob);
    buf_puts(b, "#undef NETC_FAIL\n#undef NETC_LE32\n");
    buf_printf(b, "    return %s_WEIGHTS_OK;\n}\n\n", M);
}

static void emit_weights(const Emit *e, Buf *b) {
    const Lowered *l = e->l;
    int64_t n = l->nblob ? l->nblob : 1;
    if (e->o->weights_bin) {
        if (l->nblob)
            buf_printf(b, "static float netc_weights[%lld];\n#define NETC_W netc_weights\n\n",
                       (long long)n);
        emit_load_weights(e, b);
        return;
    }
    if (l->nblob == 0)
        return; /* no layer reads a constant: nothing to define, nothing unused */
    if (e->o->weights_extern) {
        buf_printf(b, "extern const float %s[%lld];\n", e->names->weights, (long long)n);
        buf_printf(b, "#define NETC_W %s\n\n", e->names->weights);
        return;
    }
    buf_puts(b, "/* The weights, as the bit patterns of their floats. */\n");
    buf_puts(b, "typedef char netc_unsigned_int_is_32_bits[sizeof(unsigned int) == 4 ? 1 : -1];\n");
    buf_printf(b, "static const union {\n    unsigned int u[%lld];\n    float f[%lld];\n} netc_weights = {{\n",
               (long long)n, (long long)n);
    for (int64_t i = 0; i < l->nblob; i++) {
        unsigned int u;
        memcpy(&u, &l->blob[i], 4);
        buf_printf(b, "%s0x%08xu,", i % 8 == 0 ? "    " : " ", u);
        if (i % 8 == 7 || i == l->nblob - 1)
            buf_putc(b, '\n');
    }
    buf_puts(b, "}};\n#define NETC_W (netc_weights.f)\n\n");
}

/* A file's path as it may stand in a C comment: "*" "/" (a directory
** whose name ends in '*') becomes "* /". */
static const char *in_comment(Arena *a, const char *path) {
    Buf t = {0};
    for (const char *p = path; *p; p++) {
        buf_putc(&t, *p);
        if (p[0] == '*' && p[1] == '/')
            buf_putc(&t, ' ');
    }
    const char *r = arena_strdup(a, t.data ? t.data : "");
    buf_free(&t);
    return r;
}

/* The step that can write the network's output straight to the caller's
** array, so that the run ends without a copy: one output, made by the last
** step, a conv or dense that reads only the workspace (not the network's
** input, which a caller may pass in the output's place) and writes once, in
** the code without threads. Else -1. */
static int output_step(const Lowered *l, const BuildOptions *o) {
    if (o->threads > 1 || l->g->outputs.len != 1 || l->nsteps == 0)
        return -1;
    int k = l->nsteps - 1;
    const Step *s = &l->steps[k];
    if ((s->kind != K_CONV && s->kind != K_DENSE) || s->out.input >= 0 ||
        l->outputs[0].input >= 0 || l->outputs[0].off != s->out.off)
        return -1;
    const TRef *in = step_inputs(s);
    for (int i = 0; i < s->nin; i++)
        if (in[i].input >= 0 || in[i].off == s->out.off)
            return -1;
    if (s->res_node && s->res.input >= 0)
        return -1;
    return k;
}

/* The description the standalone binary's main() reads (runtime/main.c). */
static void emit_model_desc(const Emit *e, Buf *b) {
    const Graph *g = e->l->g;
    buf_puts(b, "\n/* The description the standalone binary's main() reads. */\n");
    buf_puts(b, "#include \"netc/runtime.h\"\n\n");
    for (int pass = 0; pass < 2; pass++) {
        const Vec *v = pass ? &g->outputs : &g->inputs;
        buf_printf(b, "static const netc_tensor_info netc_%s_info[] = {\n", pass ? "out" : "in");
        for (int i = 0; i < v->len; i++) {
            const Node *n = v->data[i];
            buf_printf(b, "    {\"%s\", %d, {%lld, %lld, %lld}, %lld},\n", n->name, n->shape.rank,
                       (long long)n->shape.d[0],
                       (long long)(n->shape.rank == 3 ? n->shape.d[1] : 1),
                       (long long)(n->shape.rank == 3 ? n->shape.d[2] : 1),
                       (long long)elems(&n->shape));
        }
        buf_puts(b, "};\n");
    }
    buf_puts(b, "\nstatic void netc_run_all(const float *const *in, float *const *out)\n{\n");
    buf_printf(b, "    %s_run(", e->prefix);
    for (int i = 0; i < g->inputs.len; i++)
        buf_printf(b, "%sin[%d]", i ? ", " : "", i);
    for (int i = 0; i < g->outputs.len; i++)
        buf_printf(b, ", out[%d]", i);
    buf_puts(b, ");\n}\n\n");
    buf_printf(b,
               "const netc_model netc_model_desc = {\"%s\", %d, %d, netc_in_info, netc_out_info, "
               "netc_run_all};\n",
               g->name, g->inputs.len, g->outputs.len);
}

static void emit_source(const Emit *e, Buf *b) {
    const Lowered *l = e->l;
    const Graph *g = l->g;
    buf_printf(b, "/* Inference for network '%s' of %s, generated by netc %s.\n", g->name,
               in_comment(g->arena, g->file->display), NETC_VERSION);
    buf_puts(b, "** C99, libc and libm only; allocates nothing. Regenerate, do not edit. */\n");
    buf_printf(b, "#include \"%s\"\n\n#include <math.h>\n#include <stdio.h>\n#include <string.h>\n\n",
               e->o->header_name);
    emit_weights(e, b);
    int64_t arena = (l->plan.arena + 63) / 64 * 64;
    buf_printf(b, "static float netc_arena[%lld];\n\n", (long long)(arena ? arena / 4 : 16));
    if (uses_act(l, ACT_SOFTMAX))
        buf_puts(b,
                 "static void netc_softmax(float *v, long n)\n{\n"
                 "    long i;\n    float m = v[0], s = 0.0f;\n"
                 "    for (i = 1; i < n; i++) m = v[i] > m ? v[i] : m;\n"
                 "    for (i = 0; i < n; i++) { v[i] = expf(v[i] - m); s += v[i]; }\n"
                 "    for (i = 0; i < n; i++) v[i] /= s;\n}\n\n");
    bool direct = uses_strategy(l, S_DIRECT) || uses_strategy(l, S_GEMM);
    if (direct || uses_strategy(l, S_DEPTHWISE) || uses_strategy(l, S_GEMV) ||
        uses_strategy(l, S_WINOGRAD))
        buf_puts(b, vector_prelude);
    if (direct || uses_strategy(l, S_GEMV))
        buf_puts(b, vector_part);
    if (direct)
        buf_puts(b, vector_load_part);
    for (int k = 0; k < l->nsteps; k++)
        emit_step_fn(e, &l->steps[k], k);
    int nin = g->inputs.len;
    if (e->o->standalone)
        buf_puts(b, "/* Set by the standalone binary's --profile. */\nstatic void (*netc_hook)(int);\n\n");
    if (e->o->threads > 1) {
        buf_printf(b, "#define NETC_POOL %d\n#define NETC_NARGS %d\n", e->o->threads, nin + 1);
        buf_puts(b, pool_code);
        buf_puts(b, "/* Thread t of nt: its part of every step, in order. */\n");
        buf_puts(b, "static void netc_steps(void *const *args, int t, int nt)\n{\n");
        for (int i = 0; i < nin; i++)
            buf_printf(b, "    const float *%s = (const float *)args[%d];\n", e->in_names[i], i);
        buf_printf(b, "    float *a = (float *)args[%d];\n", nin);
        for (int k = 0; k < l->nsteps; k++)
            emit_call(e, &l->steps[k], k);
        for (int i = 0; i < nin; i++)
            buf_printf(b, "    (void)%s;\n", e->in_names[i]);
        buf_puts(b, "    (void)a;\n}\n\n");
    }
    buf_printf(b, "void %s_run_ws", e->prefix);
    emit_params(e, b, true);
    buf_puts(b, "\n{\n    float *a = (float *)workspace;\n");
    if (e->o->threads > 1) {
        buf_printf(b, "    void *args[%d];\n", nin + 1);
        for (int i = 0; i < nin; i++)
            buf_printf(b, "    args[%d] = (void *)%s;\n", i, e->in_names[i]);
        buf_printf(b, "    args[%d] = workspace;\n    netc_run_pool(args);\n", nin);
    } else {
        for (int k = 0; k < l->nsteps; k++)
            emit_call(e, &l->steps[k], k);
    }
    for (int i = e->to_output >= 0 ? 1 : 0; i < g->outputs.len; i++) {
        const Node *n = g->outputs.data[i];
        buf_printf(b, "    memcpy(%s, %s, %lld * sizeof(float));\n", e->out_names[i],
                   ptr(e, l->outputs[i]), (long long)elems(&n->shape));
    }
    buf_puts(b, "    (void)a;\n}\n\n");
    buf_printf(b, "void %s_run", e->prefix);
    emit_params(e, b, false);
    buf_printf(b, "\n{\n    %s_run_ws(", e->prefix);
    for (int i = 0; i < g->inputs.len; i++)
        buf_printf(b, "%s%s", i ? ", " : "", e->in_names[i]);
    for (int i = 0; i < g->outputs.len; i++)
        buf_printf(b, ", %s", e->out_names[i]);
    buf_puts(b, ", netc_arena);\n}\n");
    if (e->o->standalone) {
        emit_model_desc(e, b);
        emit_profile_desc(e, b);
    }
}

static bool write_text(Diags *d, const char *path, const Buf *b) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
        Diag *g = diag_error(d, NULL, (Span){0}, "build", "cannot write '%s': %s", path,
                             strerror(errno));
        (void)g;
        return false;
    }
    return true;
}

bool emit_c(const Lowered *l, const BuildOptions *o, Diags *d) {
    Emit e = {.l = l, .o = o, .names = o->names, .prefix = o->names->prefix,
              .macro = o->names->macro, .in_names = o->names->in, .out_names = o->names->out,
              .to_output = output_step(l, o)};
    Buf src = {0}, hdr = {0};
    e.b = &src;
    emit_source(&e, &src);
    emit_header(&e, &hdr);
    bool ok = write_text(d, o->out_c, &src) && write_text(d, o->out_h, &hdr);
    buf_free(&src);
    buf_free(&hdr);
    return ok;
}

bool write_blob(const Lowered *l, const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = true;
    for (int64_t i = 0; i < l->nblob && ok; i++) {
        unsigned char bytes[4];
        uint32_t u;
        memcpy(&u, &l->blob[i], 4);
        for (int k = 0; k < 4; k++)
            bytes[k] = (unsigned char)(u >> (8 * k));
        ok = fwrite(bytes, 1, 4, f) == 4;
    }
    if (l->nblob == 0)
        ok = fwrite("\0\0\0\0", 1, 4, f) == 4;
    return fclose(f) == 0 && ok;
}

/* FNV-1a, 32 bits, over the floats as little-endian bytes. */
static uint32_t blob_checksum(const Lowered *l) {
    uint32_t h = 2166136261u;
    for (int64_t i = 0; i < l->nblob; i++) {
        uint32_t u;
        memcpy(&u, &l->blob[i], 4);
        for (int k = 0; k < 4; k++)
            h = (h ^ ((u >> (8 * k)) & 0xff)) * 16777619u;
    }
    return h;
}

static void put_le32(unsigned char *p, uint32_t v) {
    for (int k = 0; k < 4; k++)
        p[k] = (unsigned char)(v >> (8 * k));
}

bool write_weights_file(const Lowered *l, const char *path) {
    const char *name = l->g->name;
    size_t len = strlen(name), padded = (len + 7) / 8 * 8;
    unsigned char h[NETC_WF_HEADER];
    memset(h, 0, sizeof h);
    memcpy(h, NETC_WF_MAGIC, 8);
    put_le32(h + 8, NETC_WF_VERSION);
    put_le32(h + 12, (uint32_t)len);
    put_le32(h + 16, (uint32_t)((uint64_t)l->nblob & 0xffffffffu));
    put_le32(h + 20, (uint32_t)((uint64_t)l->nblob >> 32));
    put_le32(h + 24, blob_checksum(l));
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(h, 1, sizeof h, f) == sizeof h && fwrite(name, 1, len, f) == len;
    for (size_t i = len; i < padded && ok; i++)
        ok = fputc(0, f) != EOF;
    for (int64_t i = 0; i < l->nblob && ok; i++) {
        unsigned char bytes[4];
        uint32_t u;
        memcpy(&u, &l->blob[i], 4);
        put_le32(bytes, u);
        ok = fwrite(bytes, 1, 4, f) == 4;
    }
    return fclose(f) == 0 && ok;
}

bool emit_c_header(const Lowered *l, const BuildOptions *o, Diags *d) {
    Emit e = {.l = l, .o = o, .names = o->names, .prefix = o->names->prefix,
              .macro = o->names->macro, .in_names = o->names->in, .out_names = o->names->out,
              .to_output = -1};
    Buf hdr = {0};
    emit_header(&e, &hdr);
    bool ok = write_text(d, o->out_h, &hdr);
    buf_free(&hdr);
    return ok;
}

void emit_c_descriptor(const Lowered *l, const CNames *names, Buf *b) {
    BuildOptions o = {.names = names, .header_name = "model.h", .standalone = true};
    Emit e = {.l = l, .o = &o, .names = names, .prefix = names->prefix, .macro = names->macro,
              .in_names = names->in, .out_names = names->out, .to_output = -1, .b = b};
    const Graph *g = l->g;
    buf_printf(b, "/* The description of network '%s' for the standalone binary's main();\n"
                  "** its code is in the LLVM back end's object. */\n", g->name);
    buf_puts(b, "void ");
    buf_printf(b, "%s_run", e.prefix);
    emit_params(&e, b, false);
    buf_puts(b, ";\n");
    emit_model_desc(&e, b);
    buf_puts(b, "\n/* Set by --profile; the object calls it after each step. */\n"
                "void (*netc_hook)(int);\n");
    emit_profile_desc(&e, b);
}
