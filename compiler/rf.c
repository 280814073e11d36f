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
** from; inputs of a merge that descend from another input do not count.
*/
#include "netc.h"

typedef bool RfRule(Node *n);

static bool step(Field in, int64_t ke, int64_t s, int64_t pb, Field *out) {
    int64_t grow, pad;
    if (!ck_mul(ke - 1, in.jump, &grow) || !ck_add(in.size, grow, &out->size) ||
        !ck_mul(in.jump, s, &out->jump) || !ck_mul(pb, in.jump, &pad) ||
        !ck_add(in.pad, pad, &out->pad))
        return false;
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
        n->rf[0] = n->rf[1] = (Field){1, 1, 0};
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

static bool rf_union(Node *n) {
    int base = n->in[0]->rf_input;
    for (int i = 1; i < n->nin; i++)
        if (n->in[i]->rf_input < base)
            base = n->in[i]->rf_input;
    n->rf_input = base;
    for (int ax = 0; ax < 2; ax++) {
        const Field *first = NULL;
        const Field *largest = NULL;
        bool misaligned = false;
        int64_t pad = 0, reach = 0;
        for (int i = 0; i < n->nin; i++) {
            if (n->in[i]->rf_input != base)
                continue;
            const Field *f = &n->in[i]->rf[ax];
            if (!first) {
                first = f;
                pad = f->pad;
                reach = f->size - f->pad;
            }
            /* centres (r − 1)/2 − P, doubled to stay in integers */
            if (f->jump != first->jump ||
                (f->size - 1) - 2 * f->pad != (first->size - 1) - 2 * first->pad)
                misaligned = true;
            if (!largest || f->size > largest->size)
                largest = f;
            if (f->pad > pad)
                pad = f->pad;
            if (f->size - f->pad > reach)
                reach = f->size - f->pad;
        }
        if (misaligned)
            n->rf_misaligned = true;
        bool jumps_differ = false;
        for (int i = 0; i < n->nin; i++)
            if (n->in[i]->rf_input == base && n->in[i]->rf[ax].jump != first->jump)
                jumps_differ = true;
        if (jumps_differ) {
            n->rf[ax] = *largest;
        } else {
            n->rf[ax].jump = first->jump;
            n->rf[ax].pad = pad;
            if (!ck_add(reach, pad, &n->rf[ax].size))
                return false;
        }
    }
    return true;
}

static RfRule *const rules[OP__COUNT] = {
#define OP(id, mn, mx, rank, al, rq, sh, rf, cnt) [OP_##id] = rf,
#include "ops.def"
#undef OP
};

void rf_compute(Graph *g, Diags *d) {
    int next_input = 0;
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = graph_node(g, i);
        if (n->op == OP_input) {
            n->rf[0] = n->rf[1] = (Field){1, 1, 0};
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
            n->rf[0] = n->rf[1] = (Field){1, 1, 0};
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
            if (n->in[i]->rf_input == n->rf_input &&
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
