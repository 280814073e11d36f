/* memplan.c: where every tensor lives at run time.
**
** The generated code owns one static arena; this pass lays it out, and the
** same plan gives `netc summary` its memory figures, so the number a user
** reads is the number the binary needs.
**
** A layer that works element by element (activations, batchnorm, dropout,
** a flatten that keeps the layout, an add) writes into its input's buffer
** when nothing else reads that input afterwards: the two tensors share one
** buffer. Each buffer lives from the layer that makes it to the last layer
** that reads it (the network's outputs, to the end); buffers whose lives do
** not overlap share space. Buffers are placed largest first, each at the
** lowest offset free for its whole life, aligned to 64 bytes. Network
** inputs are the caller's and take no space in the arena.
**
** Cost: placing a buffer looks only at the placed buffers whose lives
** overlap its own, found in a segment tree over steps, so a network of n
** layers is planned in O(n log n) when each step has a bounded number of
** buffers alive (chains, residual and inception blocks); k buffers alive at
** once cost O(k log k) more for each placed among them.
**
** requires: shapes (shape.c)
** provides: a MemPlan: per node its buffer and offset; the arena size, the
**           layer at its peak, the naive sum and the weight bytes
*/
#include "netc.h"

#include <stdlib.h>
#include <string.h>

enum { ALIGN = 64 };

static int64_t align_up(int64_t n) {
    if (n > INT64_MAX - ALIGN)
        return INT64_MAX; /* the caller's checked sum then fails */
    return (n + ALIGN - 1) / ALIGN * ALIGN;
}

int64_t tensor_bytes(const Shape *s) {
    int64_t n = 4;
    for (int i = 0; i < s->rank; i++)
        if (!ck_mul(n, s->d[i], &n))
            return INT64_MAX;
    return n;
}

/* Is x's buffer free for n to overwrite: read by n alone, not an input or
** an output of the network? */
static bool reusable(const Node *x, const Node *n) {
    if (x->op == OP_input || x->is_output)
        return false;
    for (int i = 0; i < x->users.len; i++)
        if (x->users.data[i] != n)
            return false;
    return true;
}

/* The input whose buffer n writes into, or -1 for a buffer of its own. */
static int in_place(const Node *n) {
    if (n->nin == 0)
        return -1;
    const Node *x = n->in[0];
    if (op_is_elementwise(n->op) && reusable(x, n))
        return x->id;
    if (n->op == OP_flatten && reusable(x, n)) {
        /* the memory is HWC: flatten(order=hwc) and any flatten of a 1×1 map
        ** or of a flat tensor keep the layout; a chw flatten whose readers
        ** are all dense keeps it too, its order moved into their weights */
        bool keeps = n->order == ORDER_HWC || x->shape.rank != 3 ||
                     (x->shape.d[0] == 1 && x->shape.d[1] == 1);
        bool dense_only = !n->is_output && n->users.len > 0;
        for (int i = 0; i < n->users.len; i++)
            if (((Node *)n->users.data[i])->op != OP_dense)
                dense_only = false;
        if (keeps || dense_only)
            return x->id;
    }
    if (n->op == OP_add || n->op == OP_multiply)
        for (int i = 0; i < n->nin; i++) {
            if (node_is_broadcast(n, i))
                continue; /* smaller than the output */
            /* every input once: add(a, a) cannot overwrite a */
            bool twice = false;
            for (int k = 0; k < n->nin; k++)
                twice = twice || (k != i && n->in[k] == n->in[i]);
            if (!twice && reusable(n->in[i], n))
                return n->in[i]->id;
        }
    return -1;
}

typedef struct Slot {
    int64_t off, size;
} Slot;

/* The buffers placed so far, by the step that writes them: a max segment
** tree over steps holding each placed buffer's last step (-1: none), so
** that the buffers alive at some step of [s, e] (written at or before e,
** read at or after s) are found in O((k + 1) log n) for k of them, not by a
** scan of every placed buffer. */
typedef struct Placed {
    int size;    /* leaves: a power of two > the number of steps */
    int *last;   /* 2·size entries; node k's children are 2k and 2k + 1 */
    Slot *slot;  /* by step */
} Placed;

static void placed_add(Placed *t, int first, int last, Slot s) {
    t->slot[first] = s;
    int k = first + t->size;
    t->last[k] = last;
    for (k /= 2; k >= 1; k /= 2)
        t->last[k] = t->last[2 * k] > t->last[2 * k + 1] ? t->last[2 * k] : t->last[2 * k + 1];
}

/* Appends to out the slots of buffers written in [lo, hi] of node k's range
** that are still read at step s or later. */
static void placed_find(const Placed *t, int k, int lo, int hi, int e, int s, Slot *out,
                        int *nout) {
    if (lo > e || t->last[k] < s)
        return;
    if (lo == hi) {
        out[(*nout)++] = t->slot[lo];
        return;
    }
    int mid = lo + (hi - lo) / 2;
    placed_find(t, 2 * k, lo, mid, e, s, out, nout);
    placed_find(t, 2 * k + 1, mid + 1, hi, e, s, out, nout);
}

static int cmp_off(const void *a, const void *b) {
    const Slot *x = a, *y = b;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Placement order: the largest buffers first, then by the step that writes
** them. */
typedef struct ToPlace {
    int64_t bytes;
    int id;
} ToPlace;

static int cmp_place(const void *a, const void *b) {
    const ToPlace *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

bool memplan_build(const Graph *g, MemPlan *p) {
    int n = g->nodes.len;
    memset(p, 0, sizeof *p);
    p->peak_node = -1;
    p->buffer = xcalloc((size_t)n + 1, sizeof(int));
    p->offset = xcalloc((size_t)n + 1, sizeof(int64_t));
    p->bytes = xcalloc((size_t)n + 1, sizeof(int64_t));
    bool ok = true;
    for (int i = 0; i < n; i++) {
        const Node *x = graph_node(g, i);
        if (x->bad)
            ok = false;
        p->bytes[i] = tensor_bytes(&x->shape);
        if (p->bytes[i] == INT64_MAX)
            ok = false;
        int64_t wb;
        if (!ck_mul(x->params, 4, &wb) || !ck_add(p->weights, wb, &p->weights))
            ok = false;
        /* aligned as the plan's buffers are, so the two compare */
        if (x->op != OP_input && !ck_add(p->naive, align_up(p->bytes[i]), &p->naive))
            ok = false;
    }
    if (!ok) {
        memplan_free(p);
        return false;
    }
    /* buffers, and how long each lives */
    int *last = xcalloc((size_t)n + 1, sizeof(int));
    for (int i = 0; i < n; i++) {
        const Node *x = graph_node(g, i);
        int b = in_place(x);
        p->buffer[i] = b >= 0 ? p->buffer[b] : i;
        int end = x->is_output ? n : i;
        for (int k = 0; k < x->users.len; k++) {
            int u = ((Node *)x->users.data[k])->id;
            if (u > end)
                end = u;
        }
        if (end > last[p->buffer[i]])
            last[p->buffer[i]] = end;
        p->offset[i] = -1;
    }
    /* the most bytes live at one step, and where: node i's step needs its
    ** inputs and its output at once */
    int64_t *delta = xcalloc((size_t)n + 2, sizeof(int64_t));
    ToPlace *order = xcalloc((size_t)n + 1, sizeof *order);
    int nbuf = 0;
    for (int i = 0; i < n; i++) {
        if (graph_node(g, i)->op == OP_input || p->buffer[i] != i)
            continue;
        order[nbuf++] = (ToPlace){p->bytes[i], i};
        delta[i] += align_up(p->bytes[i]);
        delta[last[i] + 1] -= align_up(p->bytes[i]);
    }
    int64_t live_now = 0;
    for (int i = 0; i < n; i++) {
        live_now += delta[i];
        if (live_now > p->peak_live) {
            p->peak_live = live_now;
            p->peak_node = i;
        }
    }
    /* greedy by size: the largest buffers first, each at the lowest offset
    ** where it overlaps no placed buffer that is live at the same time */
    qsort(order, (size_t)nbuf, sizeof *order, cmp_place);
    Placed t = {1, NULL, NULL};
    while (t.size < n + 1)
        t.size *= 2;
    t.last = xmalloc(sizeof *t.last * 2 * (size_t)t.size);
    for (int k = 0; k < 2 * t.size; k++)
        t.last[k] = -1;
    t.slot = xcalloc((size_t)t.size, sizeof *t.slot);
    Slot *conflict = xcalloc((size_t)n + 1, sizeof(Slot));
    int64_t top = 0;
    for (int a = 0; a < nbuf; a++) {
        int i = order[a].id;
        int64_t size = align_up(p->bytes[i]);
        /* the placed buffers that share i's lifetime, by offset */
        int nconf = 0;
        placed_find(&t, 1, 0, t.size - 1, last[i], i, conflict, &nconf);
        qsort(conflict, (size_t)nconf, sizeof *conflict, cmp_off);
        int64_t at = 0;
        for (int j = 0; j < nconf; j++) {
            if (conflict[j].off - at >= size)
                break;
            if (conflict[j].off + conflict[j].size > at)
                at = conflict[j].off + conflict[j].size;
        }
        p->offset[i] = at;
        placed_add(&t, i, last[i], (Slot){at, size});
        if (at + size > top)
            top = at + size;
    }
    for (int i = 0; i < n; i++)
        if (p->buffer[i] != i && graph_node(g, i)->op != OP_input)
            p->offset[i] = p->offset[p->buffer[i]];
    p->arena = top;
    free(t.last);
    free(t.slot);
    free(delta);
    free(order);
    free(conflict);
    free(last);
    return true;
}

void memplan_free(MemPlan *p) {
    free(p->buffer);
    free(p->offset);
    free(p->bytes);
    p->buffer = NULL;
    p->offset = NULL;
    p->bytes = NULL;
}
