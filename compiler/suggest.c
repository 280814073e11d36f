/* suggest.c: input sizes that make every skip connection line up.
**
** The commonest failure of an encoder-decoder (U-Net, FPN, a YOLO neck) is
** an add or concat whose two maps differ by a row: 572 halved four times is
** 35.75, and the decoder's upsampled map is one row short of the skip.
** The fix is usually the input size, and which sizes work follows from
** every window of the network at once, so netc tries them: it re-runs the
** shape pass with another input size, on the graph itself (saving and
** restoring what the pass writes), and keeps the sizes that give no shape
** error. The nearest below and above the declared size go into a note on
** each such merge; `valid_input_sizes` lists the sizes of a range for
** `netc check --suggest-input`.
**
** Only a network with one spatial input is searched. A square input stays
** square; otherwise only the axis on which the maps disagree changes.
*/
#include "netc.h"

#include <stdlib.h>
#include <string.h>

/* What shape_infer writes on a node. */
typedef struct Saved {
    Shape shape;
    int64_t pad[4], groups, kernel[2];
    bool bad;
    struct Diag *size_mismatch;
} Saved;

/* The most shape passes one search may run, and the most layers all the
** passes of the automatic search may visit: a huge network gets fewer
** tries rather than a long wait. */
enum { MAX_TRIALS = 4096, MAX_VISITS = 20000000 };

static const Node *spatial_input(const Graph *g) {
    if (g->inputs.len != 1)
        return NULL;
    const Node *in = g->inputs.data[0];
    return in->shape.rank == 3 && !in->bad ? in : NULL;
}

static Saved *save(const Graph *g) {
    Saved *s = xmalloc(sizeof *s * (size_t)(g->nodes.len + 1));
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        s[i] = (Saved){n->shape, {n->pad[0], n->pad[1], n->pad[2], n->pad[3]}, n->groups,
                       {n->kernel[0], n->kernel[1]}, n->bad, n->size_mismatch};
    }
    return s;
}

static void restore(Graph *g, const Saved *s) {
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = graph_node(g, i);
        n->shape = s[i].shape;
        memcpy(n->pad, s[i].pad, sizeof n->pad);
        n->groups = s[i].groups;
        n->kernel[0] = s[i].kernel[0];
        n->kernel[1] = s[i].kernel[1];
        n->bad = s[i].bad;
        n->size_mismatch = s[i].size_mismatch;
    }
}

/* Does the network have no shape error with an input of h×w? The graph is
** left as `base` says. */
static bool works(Graph *g, Node *in, const Saved *base, int64_t h, int64_t w) {
    restore(g, base);
    /* the graph as resolve left it: only shape inference runs again */
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = graph_node(g, i);
        n->bad = n->unresolved;
        n->size_mismatch = NULL;
    }
    Shape declared = in->declared;
    in->declared.d[0] = h;
    in->declared.d[1] = w;
    Arena scratch = {0};
    Diags d = {.arena = &scratch};
    shape_infer(g, &d);
    in->declared = declared;
    bool ok = d.errors == 0;
    arena_free(&scratch);
    return ok;
}

/* Which axes change: both for a square input, else those that disagree. */
static void axes(const Graph *g, const Node *in, bool *rows, bool *cols) {
    *rows = *cols = false;
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        if (!n->size_mismatch)
            continue;
        for (int k = 1; k < n->nin; k++) {
            const Shape *a = &n->in[0]->shape, *b = &n->in[k]->shape;
            *rows = *rows || a->d[0] != b->d[0];
            *cols = *cols || a->d[1] != b->d[1];
        }
    }
    if (in->shape.d[0] == in->shape.d[1])
        *rows = *cols = true;
}

static const char *size_text(Arena *a, const Node *in, int64_t v, bool rows, bool cols) {
    if (rows && cols)
        return arena_printf(a, "%lld", (long long)v);
    if (rows)
        return arena_printf(a, "%lld×%lld", (long long)v, (long long)in->shape.d[1]);
    return arena_printf(a, "%lld×%lld", (long long)in->shape.d[0], (long long)v);
}

void suggest_inputs(Graph *g, Diags *d) {
    const Node *cin = spatial_input(g);
    bool any = false, unresolved = false;
    for (int i = 0; i < g->nodes.len; i++) {
        any = any || graph_node(g, i)->size_mismatch != NULL;
        unresolved = unresolved || graph_node(g, i)->unresolved;
    }
    /* with other errors in the network, the input is not the only suspect */
    if (!cin || !any || unresolved)
        return;
    Node *in = (Node *)cin;
    bool rows, cols;
    axes(g, in, &rows, &cols);
    int64_t at = rows ? in->shape.d[0] : in->shape.d[1];
    Saved *base = save(g);
    int64_t below = 0, above = 0;
    int trials = 0, max = MAX_VISITS / (g->nodes.len + 1);
    if (max > MAX_TRIALS)
        max = MAX_TRIALS;
    for (int64_t v = at - 1; v >= 1 && trials < max / 2 && !below; v--, trials++)
        if (works(g, in, base, rows ? v : in->shape.d[0], cols ? v : in->shape.d[1]))
            below = v;
    for (int64_t v = at + 1; v <= 4 * at + 64 && trials < max && !above; v++, trials++)
        if (works(g, in, base, rows ? v : in->shape.d[0], cols ? v : in->shape.d[1]))
            above = v;
    restore(g, base);
    free(base);
    if (!below && !above)
        return;
    const char *fix = below && above
                          ? arena_printf(d->arena, "%s or %s work",
                                         size_text(d->arena, in, below, rows, cols),
                                         size_text(d->arena, in, above, rows, cols))
                          : arena_printf(d->arena, "%s works",
                                         size_text(d->arena, in, below ? below : above, rows, cols));
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        if (!n->size_mismatch)
            continue;
        Buf b = {0};
        for (int k = 0; k < n->nin; k++) {
            const Shape *s = &n->in[k]->shape;
            bool dup = false;
            for (int j = 0; j < k; j++)
                dup = dup || (n->in[j]->shape.d[0] == s->d[0] && n->in[j]->shape.d[1] == s->d[1]);
            if (!dup)
                buf_printf(&b, "%s%lld×%lld", b.len ? " and " : "", (long long)s->d[0],
                           (long long)s->d[1]);
        }
        diag_note(d, n->size_mismatch, in->file, in->span,
                  "input %lld×%lld gives %s here; %s (every merge lines up)",
                  (long long)in->shape.d[0], (long long)in->shape.d[1], b.data, fix);
        buf_free(&b);
    }
}

int valid_input_sizes(Graph *g, int64_t lo, int64_t hi, int64_t *out, int max) {
    const Node *cin = spatial_input(g);
    if (!cin)
        return -1;
    Node *in = (Node *)cin;
    bool square = in->shape.d[0] == in->shape.d[1];
    Saved *base = save(g);
    int n = 0;
    for (int64_t v = lo; v <= hi && v - lo < MAX_TRIALS; v++)
        if (works(g, in, base, v, square ? v : in->shape.d[1])) {
            if (n < max)
                out[n] = v;
            n++;
        }
    restore(g, base);
    free(base);
    return n;
}
