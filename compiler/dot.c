/* dot.c: the network as a Graphviz graph (`netc graph`).
**
** One node per layer, labelled with its name, op, window, output shape and
** receptive field; one edge per input, labelled with the tensor's shape.
** Layers made by a block call are drawn inside a cluster per call, nested
** as the calls are. Layers with a warning or an error are filled in a warm
** colour, and their messages are the node's tooltip (shown by SVG viewers).
*/
#include "netc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A DOT string: quoted, with quotes and backslashes escaped. */
static void dot_string(Buf *b, const char *s) {
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_putc(b, '\\');
        if (*s == '\n') {
            buf_puts(b, "\\n");
            continue;
        }
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static const char *pair(Arena *a, const int64_t v[2]) {
    return v[0] == v[1] ? arena_printf(a, "%lld", (long long)v[0])
                        : arena_printf(a, "%lld×%lld", (long long)v[0], (long long)v[1]);
}

static const char *node_label(Arena *a, const Node *n) {
    Buf b = {0};
    buf_printf(&b, "%s\n%s", n->name, op_info[n->op].name);
    if (op_is_window(n->op) && n->op != OP_zeropad2d) {
        buf_printf(&b, " %lld×%lld", (long long)n->kernel[0], (long long)n->kernel[1]);
        if (n->stride[0] != 1 || n->stride[1] != 1)
            buf_printf(&b, " /%s", pair(a, n->stride));
        if (n->dilation[0] != 1 || n->dilation[1] != 1)
            buf_printf(&b, " dil %s", pair(a, n->dilation));
    }
    if ((n->op == OP_conv2d || n->op == OP_depthwise_conv2d || n->op == OP_dense) &&
        n->act != ACT_LINEAR)
        buf_printf(&b, " + %s", act_names[n->act]);
    if (n->shape.rank)
        buf_printf(&b, "\n%s", shape_text(a, &n->shape));
    if (!n->bad)
        buf_printf(&b, "\nRF %lld×%lld, jump %s", (long long)n->rf[0].size,
                   (long long)n->rf[1].size,
                   strcmp(field_jump_text(a, &n->rf[0]), field_jump_text(a, &n->rf[1])) == 0
                       ? field_jump_text(a, &n->rf[0])
                       : arena_printf(a, "%s×%s", field_jump_text(a, &n->rf[0]),
                                      field_jump_text(a, &n->rf[1])));
    char *s = arena_strdup(a, b.data);
    buf_free(&b);
    return s;
}

/* The diagnostics about layers, sorted by layer name then report order, so
** that a node finds its own by binary search: a scan of every diagnostic
** for every node would cost their product. */
typedef struct LayerDiags {
    const Diag **list;
    int len;
} LayerDiags;

static int cmp_layer_diag(const void *x, const void *y) {
    const Diag *a = *(const Diag *const *)x, *b = *(const Diag *const *)y;
    int c = strcmp(a->layer, b->layer);
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

static LayerDiags layer_diags(const Diags *d) {
    LayerDiags l = {NULL, 0};
    if (!d)
        return l;
    l.list = xmalloc(sizeof *l.list * (size_t)(d->list.len + 1));
    for (int i = 0; i < d->list.len; i++) {
        const Diag *g = d->list.data[i];
        if (g->layer)
            l.list[l.len++] = g;
    }
    if (l.len)
        qsort(l.list, (size_t)l.len, sizeof *l.list, cmp_layer_diag);
    return l;
}

/* The messages of diagnostics about layer n, one per line; NULL if none. */
static const char *messages(Arena *a, const LayerDiags *l, const Node *n, bool *error) {
    int lo = 0, hi = l->len; /* the first about n or a later name */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(l->list[mid]->layer, n->name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    Buf b = {0};
    for (int i = lo; i < l->len && strcmp(l->list[i]->layer, n->name) == 0; i++) {
        const Diag *g = l->list[i];
        if (g->sev == SEV_ERROR)
            *error = true;
        buf_printf(&b, "%s%s [%s]", b.len ? "\n" : "", g->msg, g->id);
    }
    char *s = b.len ? arena_strdup(a, b.data) : NULL;
    buf_free(&b);
    return s;
}

static void emit_node(Buf *b, Arena *a, const LayerDiags *d, const Node *n, int indent) {
    bool error = n->bad;
    const char *msg = messages(a, d, n, &error);
    buf_printf(b, "%*s", indent, "");
    dot_string(b, n->name);
    buf_puts(b, " [label=");
    dot_string(b, node_label(a, n));
    if (n->op == OP_input)
        buf_puts(b, ", shape=invhouse");
    if (msg || error) {
        buf_printf(b, ", fillcolor=\"%s\", color=\"%s\", penwidth=2", error ? "#ffcdd2" : "#ffe0b2",
                   error ? "#c62828" : "#e65100");
        if (msg) {
            buf_puts(b, ", tooltip=");
            dot_string(b, msg);
        }
    }
    buf_puts(b, "];\n");
}

/* The call whose cluster holds what s made: an inline call draws no
** cluster of its own, as its layers are named as its caller's. */
static const Site *shown_site(const Site *s) {
    while (s && s->inline_call)
        s = s->up;
    return s;
}

/* The block calls, each once, in the order first met walking every node's
** chain of calls from the innermost; per call, its layers and the calls it
** makes, as index lists. */
typedef struct Calls {
    const Site **site; /* in first-met order */
    int n;
    int *first_node, *next_node; /* a call's layers: a list through the nodes */
    int *first_call, *next_call; /* the calls a call makes */
} Calls;

typedef struct SiteSeen {
    const Site *s;
    int seq;
} SiteSeen;

static int cmp_site_ptr(const void *x, const void *y) {
    const SiteSeen *a = x, *b = y;
    if (a->s != b->s)
        return (uintptr_t)a->s < (uintptr_t)b->s ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static int cmp_site_seq(const void *x, const void *y) {
    const SiteSeen *a = x, *b = y;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* The index of s in the sites sorted by pointer. */
static int site_index(const SiteSeen *by_ptr, const int *index, int n, const Site *s) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if ((uintptr_t)by_ptr[mid].s < (uintptr_t)s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return index[lo];
}

/* Calls nest at most 100 deep (resolve.c), so walking every chain is linear
** in the layers; the rest is sorting. */
static Calls find_calls(const Graph *g) {
    Calls c = {0};
    int cap = 0, len = 0;
    SiteSeen *seen = NULL;
    for (int i = 0; i < g->nodes.len; i++)
        for (const Site *s = shown_site(graph_node(g, i)->site); s; s = shown_site(s->up)) {
            if (len == cap) {
                cap = cap ? cap * 2 : 64;
                seen = xrealloc(seen, sizeof *seen * (size_t)cap);
            }
            seen[len] = (SiteSeen){s, len};
            len++;
        }
    /* one entry per call, with its first sequence number */
    if (len)
        qsort(seen, (size_t)len, sizeof *seen, cmp_site_ptr);
    int n = 0;
    for (int i = 0; i < len; i++)
        if (i == 0 || seen[i].s != seen[i - 1].s)
            seen[n++] = seen[i];
    int *index = xmalloc(sizeof *index * (size_t)(n + 1)); /* by pointer -> by order */
    SiteSeen *order = xmalloc(sizeof *order * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        order[i] = (SiteSeen){seen[i].s, seen[i].seq};
    if (n)
        qsort(order, (size_t)n, sizeof *order, cmp_site_seq);
    c.n = n;
    c.site = xmalloc(sizeof *c.site * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        c.site[i] = order[i].s;
        order[i].seq = i; /* reuse: the rank */
    }
    if (n) /* back by pointer, with ranks */
        qsort(order, (size_t)n, sizeof *order, cmp_site_ptr);
    for (int i = 0; i < n; i++)
        index[i] = order[i].seq;
    c.first_node = xmalloc(sizeof(int) * (size_t)(n + 1));
    c.first_call = xmalloc(sizeof(int) * (size_t)(n + 1));
    c.next_call = xmalloc(sizeof(int) * (size_t)(n + 1));
    c.next_node = xmalloc(sizeof(int) * (size_t)(g->nodes.len + 1));
    int *last_node = xmalloc(sizeof(int) * (size_t)(n + 1));
    int *last_call = xmalloc(sizeof(int) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        c.first_node[i] = c.first_call[i] = c.next_call[i] = last_node[i] = last_call[i] = -1;
    for (int i = 0; i < g->nodes.len; i++) {
        c.next_node[i] = -1;
        const Site *s = shown_site(graph_node(g, i)->site);
        if (!s)
            continue;
        int k = site_index(order, index, n, s);
        if (last_node[k] < 0)
            c.first_node[k] = i;
        else
            c.next_node[last_node[k]] = i;
        last_node[k] = i;
    }
    for (int i = 0; i < n; i++) {
        const Site *up = shown_site(c.site[i]->up);
        if (!up)
            continue;
        int k = site_index(order, index, n, up);
        if (last_call[k] < 0)
            c.first_call[k] = i;
        else
            c.next_call[last_call[k]] = i;
        last_call[k] = i;
    }
    free(seen);
    free(index);
    free(order);
    free(last_node);
    free(last_call);
    return c;
}

static void free_calls(Calls *c) {
    free(c->site);
    free(c->first_node);
    free(c->next_node);
    free(c->first_call);
    free(c->next_call);
}

/* Emits the cluster of block call k and, inside it, its layers and the
** clusters of the calls it makes. */
static void emit_cluster(Buf *b, Arena *a, const LayerDiags *d, const Graph *g, const Calls *c,
                         int k, int indent) {
    const Site *s = c->site[k];
    buf_printf(b, "%*ssubgraph ", indent, "");
    dot_string(b, arena_printf(a, "cluster_%s", s->prefix));
    buf_puts(b, " {\n");
    buf_printf(b, "%*slabel=", indent + 2, "");
    dot_string(b, arena_printf(a, "%s (%s)", s->prefix, s->block));
    buf_puts(b, ";\n");
    for (int i = c->first_node[k]; i >= 0; i = c->next_node[i])
        emit_node(b, a, d, graph_node(g, i), indent + 2);
    for (int j = c->first_call[k]; j >= 0; j = c->next_call[j])
        emit_cluster(b, a, d, g, c, j, indent + 2);
    buf_printf(b, "%*s}\n", indent, "");
}

void dot_write(const Graph *g, const Diags *d, Buf *b) {
    Arena *a = g->arena;
    buf_puts(b, "digraph ");
    dot_string(b, g->name);
    buf_puts(b, " {\n  rankdir=TB;\n");
    buf_puts(b, "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f5f5f5\", "
                "fontname=\"Helvetica\", fontsize=10];\n");
    buf_puts(b, "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    LayerDiags ld = layer_diags(d);
    Calls calls = find_calls(g);
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        if (!shown_site(n->site))
            emit_node(b, a, &ld, n, 2);
    }
    for (int k = 0; k < calls.n; k++)
        if (!shown_site(calls.site[k]->up))
            emit_cluster(b, a, &ld, g, &calls, k, 2);
    free_calls(&calls);
    free(ld.list);
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        for (int k = 0; k < n->nin; k++) {
            buf_puts(b, "  ");
            dot_string(b, n->in[k]->name);
            buf_puts(b, " -> ");
            dot_string(b, n->name);
            if (n->in[k]->shape.rank) {
                buf_puts(b, " [label=");
                dot_string(b, shape_text(a, &n->in[k]->shape));
                buf_putc(b, ']');
            }
            buf_puts(b, ";\n");
        }
    }
    buf_puts(b, "}\n");
}
