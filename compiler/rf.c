/* rf.c: the receptive field of every tensor (docs/language.md, "Receptive
** fields").
**
** Per axis, a field is (size r, jump j, effective padding P): unit i of a
** tensor sees input positions i·j − P … i·j − P + r − 1. The input has
** (1, 1, 0); a window with effective kernel ke, stride s and leading padding
** pb maps (r, j, P) to (r + (ke − 1)·j, j·s, P + pb·j); flatten and the
** global pools are one window over the whole map; add and concat take the
** union of their inputs' fields, which exists only where the inputs agree
** on the jump. Where they do not, or where their centres differ, the node
** is marked rf_misaligned for lint.c, and the field of the input with the
** largest size stands in.
**
** Fields are relative to the first declared network input a tensor descends
** from; inputs of a merge that descend from another input do not count. A
** 1×1×C operand broadcast over an H×W×C one (squeeze-and-excitation's gate)
** adds nothing to the field of the map it scales: the field is that of the
** full-size operands.
**
** Upsampling by s and transposed convolutions with stride s divide the jump
** by s: jump and pad become exact fractions (Field.den), which the window
** rule carries on; the size stays whole, rounded up where the fraction
** leaves part of a position. The field keeps the average centre of the
** units it describes, so that merges of an upsampled map with a skip
** connection compare centres truly (docs/language.md, "Receptive fields
** through upsampling"):
**   upsample2d nearest:  (r, j/s, P + j·(s − 1)/(2s))
**   upsample2d bilinear: (r + ⌈j⌉, j/s, P + j·(s − 1)/(2s) + ⌈j⌉/2); with
**                        align_corners the jump is j·(H − 1)/(H·s − 1) and
**                        the padding P + ⌈j⌉/2
**   conv2d_transpose:    (r', j/s, P + ((ke − 1)/2 − p)·j/s + (r' − r)/2),
**                        r' = r + ⌈⌊(ke − 1)/s⌋·j⌉
** A window after a fractional jump grows the size by ⌈(ke − 1)·j⌉ and adds
** half the rounding to the padding, keeping the centre.
*/
#include "netc.h"

typedef bool RfRule(Node *n);

static int64_t den_of(const Field *f) {
    return f->den > 1 ? f->den : 1;
}

static int64_t gcd64(int64_t a, int64_t b) {
    if (a < 0)
        a = -a;
    if (b < 0)
        b = -b;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Keeps jump/den and pad/den in lowest terms; den 1 for whole numbers. */
static void reduce(Field *f) {
    int64_t den = den_of(f);
    int64_t g = gcd64(gcd64(f->jump, f->pad), den);
    if (g > 1) {
        f->jump /= g;
        f->pad /= g;
        den /= g;
    }
    f->den = den;
}

/* ⌈a / b⌉ for a >= 0, b >= 1. */
static int64_t ceil_div(int64_t a, int64_t b) {
    return a / b + (a % b != 0);
}

const char *field_jump_text(Arena *a, const Field *f) {
    int64_t g = gcd64(f->jump, den_of(f));
    if (g == 0 || den_of(f) / g == 1)
        return arena_printf(a, "%lld", (long long)(g ? f->jump / g : f->jump));
    return arena_printf(a, "%lld/%lld", (long long)(f->jump / g), (long long)(f->den / g));
}

/* f.pad += num/den, exactly: f is brought to a common denominator. */
static bool add_pad(Field *f, int64_t num, int64_t den) {
    int64_t fd = den_of(f);
    int64_t g = gcd64(fd, den);
    int64_t m = den / g; /* f's scale */
    int64_t k = fd / g;  /* the addend's */
    int64_t a, bb;
    if (!ck_mul(f->jump, m, &f->jump) || !ck_mul(f->pad, m, &f->pad) || !ck_mul(fd, m, &f->den) ||
        !ck_mul(num, k, &a) || !ck_add(f->pad, a, &bb))
        return false;
    f->pad = bb;
    reduce(f);
    return true;
}

static bool step(Field in, int64_t ke, int64_t s, int64_t pb, Field *out) {
    int64_t grow, pad;
    int64_t den = den_of(&in);
    if (!ck_mul(ke - 1, in.jump, &grow) || !ck_add(in.size, ceil_div(grow, den), &out->size) ||
        !ck_mul(in.jump, s, &out->jump) || !ck_mul(pb, in.jump, &pad) ||
        !ck_add(in.pad, pad, &out->pad))
        return false;
    out->den = in.den;
    /* a fractional jump rounds the size up: keep the centre where it was,
    ** half the rounding on each side */
    if (den > 1 && grow % den != 0 && !add_pad(out, den - grow % den, 2 * den))
        return false;
    reduce(out);
    return true;
}

Field rf_window_step(Field in, int64_t ke, int64_t stride, int64_t pb) {
    Field out = in;
    if (!step(in, ke, stride, pb, &out))
        return in;
    return out;
}

static bool rf_keep(Node *n) {
    if (n->nin == 0) {
        n->rf[0] = n->rf[1] = (Field){1, 1, 0, 1};
        n->rf_input = -1; /* set by rf_compute */
        return true;
    }
    n->rf[0] = n->in[0]->rf[0];
    n->rf[1] = n->in[0]->rf[1];
    n->rf_input = n->in[0]->rf_input;
    return true;
}

static bool rf_window(Node *n) {
    const Node *x = n->in[0];
    n->rf_input = x->rf_input;
    for (int ax = 0; ax < 2; ax++) {
        int64_t ke = node_eff_kernel(n, ax);
        if (!step(x->rf[ax], ke, n->stride[ax], n->pad[ax * 2], &n->rf[ax]))
            return false;
    }
    return true;
}

static bool rf_global(Node *n) {
    const Node *x = n->in[0];
    n->rf_input = x->rf_input;
    if (x->shape.rank != 3)
        return rf_keep(n);
    for (int ax = 0; ax < 2; ax++)
        if (!step(x->rf[ax], x->shape.d[ax], x->shape.d[ax], 0, &n->rf[ax]))
            return false;
    return true;
}

/* The union works in units of 1/L of an input position, L the least common
** denominator of the inputs' fields (1 unless a jump is a fraction). */
static bool rf_union(Node *n) {
    int base = -1;
    for (int i = 0; i < n->nin; i++)
        if (!node_is_broadcast(n, i) && (base < 0 || n->in[i]->rf_input < base))
            base = n->in[i]->rf_input;
    n->rf_input = base;
    for (int ax = 0; ax < 2; ax++) {
        int64_t L = 1;
        for (int i = 0; i < n->nin; i++)
            if (n->in[i]->rf_input == base && !node_is_broadcast(n, i)) {
                int64_t d = den_of(&n->in[i]->rf[ax]);
                int64_t m;
                if (!ck_mul(L / gcd64(L, d), d, &m))
                    return false;
                L = m;
            }
        const Field *largest = NULL;
        bool misaligned = false, jumps_differ = false, first = true;
        int64_t jump0 = 0, centre0 = 0, pad = 0, reach = 0;
        for (int i = 0; i < n->nin; i++) {
            if (n->in[i]->rf_input != base || node_is_broadcast(n, i))
                continue;
            const Field *f = &n->in[i]->rf[ax];
            int64_t k = L / den_of(f), J, P, S, P2, centre;
            /* centres (r − 1)/2 − P, doubled to stay in integers */
            if (!ck_mul(f->jump, k, &J) || !ck_mul(f->pad, k, &P) || !ck_mul(f->size, L, &S) ||
                !ck_mul(P, 2, &P2) || !ck_add(S - L, -P2, &centre))
                return false;
            if (first) {
                jump0 = J;
                centre0 = centre;
                pad = P;
                reach = S - P;
                first = false;
            }
            if (J != jump0)
                jumps_differ = true;
            if (J != jump0 || centre != centre0)
                misaligned = true;
            if (!largest || f->size > largest->size)
                largest = f;
            if (P > pad)
                pad = P;
            if (S - P > reach)
                reach = S - P;
        }
        if (misaligned && n->shape.rank == 3)
            n->rf_misaligned = true; /* a flat vector has no alignment */
        if (jumps_differ) {
            n->rf[ax] = *largest;
        } else {
            int64_t size;
            if (!ck_add(reach, pad, &size))
                return false;
            n->rf[ax].jump = jump0;
            n->rf[ax].pad = pad;
            n->rf[ax].size = ceil_div(size, L);
            n->rf[ax].den = L;
            reduce(&n->rf[ax]);
        }
    }
    return true;
}

/* upsample2d, per axis (see the top of this file). The field keeps the
** average centre of the units it stands for: nearest output o reads input
** ⌊o/s⌋, whose centre is o/s − (s − 1)/(2s) input units on average;
** bilinear output o is centred on its source point (o + ½)/s − ½, or
** o·(H − 1)/(H·s − 1) with align_corners, and reads its neighbour too. */
static bool rf_upsample(Node *n) {
    const Node *x = n->in[0];
    n->rf_input = x->rf_input;
    for (int ax = 0; ax < 2; ax++) {
        Field f = x->rf[ax];
        f.den = den_of(&f);
        int64_t s = n->scale[ax], H = x->shape.d[ax];
        int64_t j = f.jump, d = f.den, shift;
        bool ok = true;
        if (n->bilinear && n->align_corners && H > 1) {
            int64_t m = H * s - 1;
            ok = ck_add(f.size, ceil_div(j, d), &f.size) && ck_mul(f.jump, H - 1, &f.jump) &&
                 ck_mul(f.pad, m, &f.pad) && ck_mul(f.den, m, &f.den) &&
                 add_pad(&f, ceil_div(j, d), 2);
        } else {
            ok = ck_mul(f.pad, s, &f.pad) && ck_mul(f.den, s, &f.den) &&
                 ck_mul(j, s - 1, &shift) && add_pad(&f, shift, 2 * s * d);
            if (ok && n->bilinear)
                ok = ck_add(f.size, ceil_div(j, d), &f.size) && add_pad(&f, ceil_div(j, d), 2);
        }
        if (!ok)
            return false;
        reduce(&f);
        n->rf[ax] = f;
    }
    return true;
}

/* conv2d_transpose: output o gathers the inputs i with i·s + t·d = o + p,
** at most ⌊(ke − 1)/s⌋ + 1 consecutive ones, centred on input
** (o + p − (ke − 1)/2)/s. */
static bool rf_convt(Node *n) {
    const Node *x = n->in[0];
    n->rf_input = x->rf_input;
    for (int ax = 0; ax < 2; ax++) {
        Field f = x->rf[ax];
        f.den = den_of(&f);
        int64_t s = n->stride[ax], ke = node_eff_kernel(n, ax), p = n->pad[ax * 2];
        int64_t j = f.jump, d = f.den;
        int64_t grow, shift, r0 = f.size;
        bool ok = ck_mul((ke - 1) / s, j, &grow) && ck_add(f.size, ceil_div(grow, d), &f.size) &&
                  ck_mul(f.pad, s, &f.pad) && ck_mul(f.den, s, &f.den) &&
                  /* + ((ke − 1)/2 − p)·j/s, the centre */
                  ck_mul(ke - 1 - 2 * p, j, &shift) && add_pad(&f, shift, 2 * s * d) &&
                  /* + (r' − r)/2: the size grew on both sides */
                  add_pad(&f, f.size - r0, 2);
        if (!ok)
            return false;
        reduce(&f);
        n->rf[ax] = f;
    }
    return true;
}

static RfRule *const rules[OP__COUNT] = {
#define OP(id, mn, mx, rank, al, rq, sh, rf, cnt, ...) [OP_##id] = rf,
#include "ops.def"
#undef OP
};

void rf_compute(Graph *g, Diags *d) {
    int next_input = 0;
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = graph_node(g, i);
        if (n->op == OP_input) {
            n->rf[0] = n->rf[1] = (Field){1, 1, 0, 1};
            n->rf_input = next_input++;
            continue;
        }
        if (n->bad)
            continue;
        if (!rules[n->op](n)) {
            Diag *e = diag_error(d, n->file, n->span, "shape",
                                 "%s '%s': its receptive field is too large to count",
                                 op_info[n->op].name, n->name);
            e->caret_len = n->focus_len;
            e->layer = n->name;
            n->bad = true;
        }
    }
    /* a tensor that descends from a flat input reports (1, 1, 0) */
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = graph_node(g, i);
        if (n->bad || n->rf_input < 0 || n->rf_input >= g->inputs.len)
            continue;
        const Node *in = g->inputs.data[n->rf_input];
        if (in->shape.rank != 3)
            n->rf[0] = n->rf[1] = (Field){1, 1, 0, 1};
    }
}

int rf_chain(const Node *n, const Node **chain, int max) {
    int k = 0;
    while (n && k < max) {
        chain[k++] = n;
        if (n->nin == 0)
            break;
        /* the input with the largest field among those of n's network input */
        const Node *next = NULL;
        for (int i = 0; i < n->nin; i++)
            if (n->in[i]->rf_input == n->rf_input && !node_is_broadcast(n, i) &&
                (!next || n->in[i]->rf[0].size + n->in[i]->rf[1].size >
                              next->rf[0].size + next->rf[1].size))
                next = n->in[i];
        if (!next)
            next = n->in[0];
        n = next;
    }
    /* input first */
    for (int i = 0; i < k / 2; i++) {
        const Node *t = chain[i];
        chain[i] = chain[k - 1 - i];
        chain[k - 1 - i] = t;
    }
    return k;
}
