/* dot.c: the network as a Graphviz graph (`netc graph`).
**
** One node per layer, labelled with its name, op, window, output shape and
** receptive field; one edge per input, labelled with the tensor's shape.
** Layers made by a block call are drawn inside a cluster per call, nested
** as the calls are. Layers with a warning or an error are filled in a warm
** colour, and their messages are the node's tooltip (shown by SVG viewers).
*/
#include "netc.h"

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

/* The messages of diagnostics about layer n, one per line; NULL if none. */
static const char *messages(Arena *a, const Diags *d, const Node *n, bool *error) {
    Buf b = {0};
    for (int i = 0; d && i < d->list.len; i++) {
        const Diag *g = d->list.data[i];
        if (!g->layer || strcmp(g->layer, n->name) != 0)
            continue;
        if (g->sev == SEV_ERROR)
            *error = true;
        buf_printf(&b, "%s%s [%s]", b.len ? "\n" : "", g->msg, g->id);
    }
    char *s = b.len ? arena_strdup(a, b.data) : NULL;
    buf_free(&b);
    return s;
}

static void emit_node(Buf *b, Arena *a, const Diags *d, const Node *n, int indent) {
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

/* Emits the cluster of block call `s` and, inside it, its layers and the
** clusters of the calls it makes. */
static void emit_cluster(Buf *b, Arena *a, const Diags *d, const Graph *g, const Site *s,
                         const Site **sites, int nsites, int indent) {
    buf_printf(b, "%*ssubgraph ", indent, "");
    dot_string(b, arena_printf(a, "cluster_%s", s->prefix));
    buf_puts(b, " {\n");
    buf_printf(b, "%*slabel=", indent + 2, "");
    dot_string(b, arena_printf(a, "%s (%s)", s->prefix, s->block));
    buf_puts(b, ";\n");
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        if (shown_site(n->site) == s)
            emit_node(b, a, d, n, indent + 2);
    }
    for (int k = 0; k < nsites; k++)
        if (shown_site(sites[k]->up) == s)
            emit_cluster(b, a, d, g, sites[k], sites, nsites, indent + 2);
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
    /* the block calls, once each */
    Vec sites = {0};
    for (int i = 0; i < g->nodes.len; i++)
        for (const Site *s = shown_site(graph_node(g, i)->site); s; s = shown_site(s->up)) {
            bool seen = false;
            for (int k = sites.len - 1; k >= 0 && !seen; k--)
                seen = sites.data[k] == s;
            if (seen)
                break;
            vec_push(a, &sites, (void *)s);
        }
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        if (!shown_site(n->site))
            emit_node(b, a, d, n, 2);
    }
    for (int k = 0; k < sites.len; k++) {
        const Site *s = sites.data[k];
        if (!shown_site(s->up))
            emit_cluster(b, a, d, g, s, (const Site **)sites.data, sites.len, 2);
    }
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
