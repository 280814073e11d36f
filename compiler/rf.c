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
** by s: jump and pad become exact fractions (Field.den), and unit i's first
** position is ⌊(i·jump − pad)/den⌋. The units an output unit reads then no
** longer step evenly (nearest output o reads input ⌊o/s⌋), so each rule
** says which input units output o reads, and fit() finds the tightest
** linear field over one period of that pattern (docs/language.md,
** "Receptive fields through upsampling"). It is exact wherever a linear
** field can be (nearest or bilinear upsampling of a map of jump 1/n, a
** transposed convolution whose kernel the stride divides, windows after
** them); where none can, it contains every unit's field and records by how
** much it may exceed one (Field.over_lo, over_hi).
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

/* ⌊a / b⌋ and ⌈a / b⌉ for b >= 1, any sign of a. */
static int64_t floor_q(int64_t a, int64_t b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int64_t ceil_q(int64_t a, int64_t b) {
    return -floor_q(-a, b);
}

/* The first input position of unit u of f: ⌊(u·jump − pad)/den⌋. */
static bool first_cell(const Field *f, int64_t u, int64_t *out) {
    int64_t v;
    if (!ck_mul(u, f->jump, &v) || !ck_add(v, -f->pad, &v))
        return false;
    *out = floor_q(v, den_of(f));
    return true;
}

/*
** Fitting a linear field. After an upsampling the input units an output
** unit reads no longer step evenly (nearest output o reads ⌊o/s⌋), so each
** rule below says which input units output unit o reads (Gather), and
** fit() finds the tightest linear field over one period of the pattern:
** the slope is the average jump; the padding the least that makes every
** unit's first position at or before its true one; the size the least that
** then reaches every unit's true last position. Where every unit's true
** field is the linear one, the fit is exact (over_lo = over_hi = 0);
** otherwise it contains every unit's field and says by how much it may
** exceed one. The edges of maps are ignored, as the window rule ignores
** them (a window reaching into the padding).
*/

typedef enum { G_WINDOW, G_NEAREST, G_BILINEAR, G_ALIGN, G_CONVT, G_UNION } GatherKind;

typedef struct Gather {
    GatherKind kind;
    const Field *in;  /* the input's field (G_UNION: `nin` of them) */
    int nin;
    const Field *const *ins;
    int64_t s;        /* stride or scale; G_ALIGN: the numerator H − 1 */
    int64_t q;        /* G_ALIGN: the denominator H·s − 1 */
    int64_t ke, pb;   /* G_WINDOW: effective kernel, leading padding */
    int64_t k, d, p;  /* G_CONVT: kernel, dilation, padding */
} Gather;

/* The most units one fit looks at: beyond, the field is too large to count. */
enum { FIT_MAX_UNITS = 1 << 20 };

/* The input units output unit o reads, lo … hi; false if none. */
static bool gather_units(const Gather *g, int64_t o, int64_t *lo, int64_t *hi) {
    switch (g->kind) {
    case G_WINDOW:
        *lo = o * g->s - g->pb;
        *hi = *lo + g->ke - 1;
        return true;
    case G_NEAREST:
        *lo = *hi = floor_q(o, g->s);
        return true;
    case G_BILINEAR: /* source point (o + ½)/s − ½; a whole point reads one unit */
        *lo = floor_q(2 * o + 1 - g->s, 2 * g->s);
        *hi = ceil_q(2 * o + 1 - g->s, 2 * g->s);
        return true;
    case G_ALIGN: { /* source point o·(H − 1)/(H·s − 1) */
        int64_t v = 0;
        (void)ck_mul(o, g->s, &v); /* o < T = q·den, so o·s < s·q·den fits (see fit) */
        *lo = floor_q(v, g->q);
        *hi = ceil_q(v, g->q);
        return true;
    }
    case G_CONVT: { /* the i with i·s + t·d = o + p, 0 ≤ t < k */
        bool any = false;
        for (int64_t t = 0; t < g->k; t++) {
            int64_t num = o + g->p - t * g->d;
            if (num % g->s != 0)
                continue;
            int64_t i = num / g->s;
            if (!any || i < *lo)
                *lo = i;
            if (!any || i > *hi)
                *hi = i;
            any = true;
        }
        return any;
    }
    case G_UNION:
        *lo = *hi = o;
        return true;
    }
    return false;
}

/* The true field of output unit o: its first and last input positions. */
static bool gather(const Gather *g, int64_t o, int64_t *first, int64_t *last, bool *none) {
    int64_t lo, hi;
    *none = false;
    if (g->kind == G_UNION) {
        for (int i = 0; i < g->nin; i++) {
            int64_t a, b;
            if (!first_cell(g->ins[i], o, &a) || !ck_add(a, g->ins[i]->size - 1, &b))
                return false;
            if (i == 0 || a < *first)
                *first = a;
            if (i == 0 || b > *last)
                *last = b;
        }
        return true;
    }
    if (!gather_units(g, o, &lo, &hi)) {
        *none = true; /* reads nothing: any field contains it */
        return true;
    }
    return first_cell(g->in, lo, first) && first_cell(g->in, hi, last) &&
           ck_add(*last, g->in->size - 1, last);
}

/* Fits the field of slope jump/den (lowest terms) to the units 0 … T − 1,
** one period of g's pattern; adds the inputs' over_lo and over_hi. */
static bool fit(const Gather *g, int64_t jump, int64_t den, int64_t T, int64_t over_lo,
                int64_t over_hi, Field *out) {
    int64_t reach;
    if (T < 1 || T > FIT_MAX_UNITS || (g->kind == G_CONVT && T * g->k > 64 * FIT_MAX_UNITS) ||
        (g->kind == G_ALIGN && !ck_mul(T, g->s, &reach)) ||
        (g->kind == G_CONVT && !ck_mul(g->k, g->d, &reach)) ||
        (g->kind == G_WINDOW && (!ck_mul(T, g->s, &reach) || !ck_add(reach, g->ke, &reach))))
        return false;
    /* the padding: first_cell(u) ≤ first(u) for every u, with equality for one */
    int64_t pad = 0, size = 1, lo = 0, hi = 0;
    bool any = false;
    for (int64_t o = 0; o < T; o++) {
        int64_t a, b, v, w;
        bool none;
        if (!gather(g, o, &a, &b, &none))
            return false;
        if (none)
            continue;
        /* ⌊(o·jump − pad)/den⌋ ≤ a  ⟺  pad ≥ o·jump − den·a − den + 1 */
        if (!ck_mul(o, jump, &v) || !ck_mul(den, a, &w) || !ck_add(v, -w, &v) ||
            !ck_add(v, 1 - den, &v))
            return false;
        if (!any || v > pad)
            pad = v;
        any = true;
    }
    Field f = {1, jump, pad, den, 0, 0};
    for (int64_t o = 0; any && o < T; o++) {
        int64_t a, b, c, r;
        bool none;
        if (!gather(g, o, &a, &b, &none) || !first_cell(&f, o, &c))
            return false;
        if (none)
            continue;
        if (!ck_add(b, -c, &r) || !ck_add(r, 1, &r))
            return false;
        if (r > size)
            size = r;
        if (a - c > lo)
            lo = a - c;
    }
    for (int64_t o = 0; any && o < T; o++) {
        int64_t a, b, c;
        bool none;
        if (!gather(g, o, &a, &b, &none) || !first_cell(&f, o, &c))
            return false;
        if (!none && c + size - 1 - b > hi)
            hi = c + size - 1 - b;
    }
    f.size = size;
    if (!ck_add(lo, over_lo, &f.over_lo) || !ck_add(hi, over_hi, &f.over_hi))
        return false;
    *out = f;
    return true;
}

/* jump·num/dv in lowest terms. */
static bool scale_jump(const Field *f, int64_t num, int64_t dv, int64_t *jump, int64_t *den) {
    int64_t j, d;
    if (!ck_mul(f->jump, num, &j) || !ck_mul(den_of(f), dv, &d))
        return false;
    int64_t g = gcd64(j, d);
    *jump = g ? j / g : j;
    *den = g ? d / g : d;
    return true;
}

/* A window with effective kernel ke, stride s and leading padding pb. With
** whole jumps, (r, j, P) → (r + (ke − 1)·j, j·s, P + pb·j), exact; after a
** fractional jump, fitted. */
static bool step(Field in, int64_t ke, int64_t s, int64_t pb, Field *out) {
    if (den_of(&in) > 1) {
        Gather g = {.kind = G_WINDOW, .in = &in, .s = s, .ke = ke, .pb = pb};
        int64_t jump, den;
        return scale_jump(&in, s, 1, &jump, &den) &&
               fit(&g, jump, den, den_of(&in), in.over_lo, in.over_hi, out);
    }
    int64_t grow, pad;
    if (!ck_mul(ke - 1, in.jump, &grow) || !ck_add(in.size, grow, &out->size) ||
        !ck_mul(in.jump, s, &out->jump) || !ck_mul(pb, in.jump, &pad) ||
        !ck_add(in.pad, pad, &out->pad))
        return false;
    out->den = 1;
    out->over_lo = in.over_lo;
    out->over_hi = in.over_hi;
    return true;
}

Field rf_window_step(Field in, int64_t ke, int64_t stride, int64_t pb) {
    Field out = in;
    /* lint.c tries many of these for its hint; a fit over a long period is
    ** not worth it there: the field stands unchanged */
    if (den_of(&in) > 4096 || !step(in, ke, stride, pb, &out))
        return in;
    return out;
}

static bool rf_keep(Node *n) {
    if (n->nin == 0) {
        n->rf[0] = n->rf[1] = (Field){1, 1, 0, 1, 0, 0};
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
        } else if (L > 1) {
            /* equal fractional jumps, one denominator: the union of the
            ** inputs' fields, unit by unit, fitted */
            const Field *ins[64];
            int k = 0;
            int64_t olo = 0, ohi = 0;
            for (int i = 0; i < n->nin; i++) {
                if (n->in[i]->rf_input != base || node_is_broadcast(n, i))
                    continue;
                const Field *f = &n->in[i]->rf[ax];
                if (k == 64) /* more inputs than a fit takes: the largest stands in */
                    break;
                ins[k++] = f;
                olo = f->over_lo > olo ? f->over_lo : olo;
                ohi = f->over_hi > ohi ? f->over_hi : ohi;
            }
            Gather g = {.kind = G_UNION, .ins = ins, .nin = k};
            if (k == 64)
                n->rf[ax] = *largest;
            else if (!fit(&g, largest->jump, den_of(largest), den_of(largest), olo, ohi,
                          &n->rf[ax]))
                return false;
        } else {
            int64_t size;
            if (!ck_add(reach, pad, &size))
                return false;
            int64_t olo = 0, ohi = 0; /* whole jumps: the inputs' excess, the most of each */
            for (int i = 0; i < n->nin; i++)
                if (n->in[i]->rf_input == base && !node_is_broadcast(n, i)) {
                    const Field *f = &n->in[i]->rf[ax];
                    olo = f->over_lo > olo ? f->over_lo : olo;
                    ohi = f->over_hi > ohi ? f->over_hi : ohi;
                }
            n->rf[ax].over_lo = olo;
            n->rf[ax].over_hi = ohi;
            n->rf[ax].jump = jump0;
            n->rf[ax].pad = pad;
            n->rf[ax].size = ceil_div(size, L);
            n->rf[ax].den = L;
            reduce(&n->rf[ax]);
        }
    }
    return true;
}

/* upsample2d, per axis: nearest output o reads input ⌊o/s⌋; bilinear output
** o reads the two inputs around its source point (o + ½)/s − ½, or
** o·(H − 1)/(H·s − 1) with align_corners, and only one where the point is
** whole (the other's weight is 0). */
static bool rf_upsample(Node *n) {
    const Node *x = n->in[0];
    n->rf_input = x->rf_input;
    for (int ax = 0; ax < 2; ax++) {
        const Field *f = &x->rf[ax];
        int64_t s = n->scale[ax], H = x->shape.d[ax], jump, den, T;
        Gather g = {.kind = n->bilinear ? G_BILINEAR : G_NEAREST, .in = f, .s = s};
        bool ok;
        if (n->bilinear && n->align_corners && H > 1) {
            int64_t m = H - 1, q = H * s - 1, c = gcd64(m, q);
            g.kind = G_ALIGN;
            g.s = m / c;
            g.q = q / c;
            ok = scale_jump(f, g.s, g.q, &jump, &den) && ck_mul(g.q, den_of(f), &T);
        } else if (n->bilinear && n->align_corners) {
            g.kind = G_NEAREST; /* one row: every output reads it */
            g.s = s;
            ok = scale_jump(f, 1, s, &jump, &den) && ck_mul(s, den_of(f), &T);
        } else {
            ok = scale_jump(f, 1, s, &jump, &den) && ck_mul(s, den_of(f), &T);
        }
        if (ok && T > FIT_MAX_UNITS && n->shape.d[ax] <= FIT_MAX_UNITS)
            T = n->shape.d[ax]; /* a period longer than the map: its units */
        if (!ok || !fit(&g, jump, den, T, f->over_lo, f->over_hi, &n->rf[ax]))
            return false;
    }
    return true;
}

/* conv2d_transpose: output o gathers the inputs i with i·s + t·d = o + p,
** 0 ≤ t < k. */
static bool rf_convt(Node *n) {
    const Node *x = n->in[0];
    n->rf_input = x->rf_input;
    for (int ax = 0; ax < 2; ax++) {
        const Field *f = &x->rf[ax];
        int64_t s = n->stride[ax], jump, den, T;
        Gather g = {.kind = G_CONVT, .in = f, .s = s, .k = n->kernel[ax],
                    .d = n->dilation[ax], .p = n->pad[ax * 2]};
        if (!scale_jump(f, 1, s, &jump, &den) || !ck_mul(s, den_of(f), &T))
            return false;
        if (T > FIT_MAX_UNITS && n->shape.d[ax] <= FIT_MAX_UNITS)
            T = n->shape.d[ax]; /* a period longer than the map: its units */
        if (!fit(&g, jump, den, T, f->over_lo, f->over_hi, &n->rf[ax]))
            return false;
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
            n->rf[0] = n->rf[1] = (Field){1, 1, 0, 1, 0, 0};
            n->rf_input = next_input++;
            continue;
        }
        if (n->bad)
            continue;
        bool lost = false; /* an input whose field could not be counted */
        for (int k = 0; k < n->nin; k++)
            lost = lost || n->in[k]->rf_lost;
        if (lost || !rules[n->op](n)) {
            n->rf_lost = true;
            n->rf[0] = n->rf[1] = (Field){1, 1, 0, 1, 0, 0};
            n->bad = true; /* no warning about a field that is not known */
            if (lost)
                continue;
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
            n->rf[0] = n->rf[1] = (Field){1, 1, 0, 1, 0, 0};
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
