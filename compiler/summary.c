/* summary.c: the layer table of `netc summary`, as text and JSON
** (docs/netc.1, docs/getting-started.md, "The layer table").
**
** The text follows Keras' model.summary(), one row per layer with the
** receptive field beside it, then the totals:
**
**   Layer (type)              Output shape    Params     MACs        RF     Jump
**   conv2d_1 (conv2d)         26×26×32           320     194,688     3×3    1
**
** Columns start where the header's do, and widen when a cell would not fit
** (a long dotted name, a 10-digit count). The parameter and byte columns
** are right aligned under their headers; the others are left aligned. The
** bytes are those of each layer's output and weights (float32); the totals
** add the memory plan's peak (memplan.c) beside the naive sum.
*/
#include "netc.h"

#include <string.h>

static int width(const char *s) {
    return utf8_len(s, strlen(s));
}

static void pad_to(Buf *b, const char *s, int w) {
    buf_puts(b, s);
    for (int k = width(s); k < w; k++)
        buf_putc(b, ' ');
}

static void pad_left(Buf *b, const char *s, int w) {
    for (int k = width(s); k < w; k++)
        buf_putc(b, ' ');
    buf_puts(b, s);
}

static const char *shape_cell(Arena *a, const Shape *s) {
    if (s->rank == 3)
        return shape_text(a, s);
    return arena_printf(a, "%lld", (long long)s->d[0]);
}

static const char *rf_cell(Arena *a, const Node *n) {
    return arena_printf(a, "%lld×%lld", (long long)n->rf[0].size, (long long)n->rf[1].size);
}

static const char *jump_cell(Arena *a, const Node *n) {
    const char *h = field_jump_text(a, &n->rf[0]), *w = field_jump_text(a, &n->rf[1]);
    if (strcmp(h, w) == 0)
        return h;
    return arena_printf(a, "%s×%s", h, w);
}

static void trim_line(Buf *b) {
    while (b->len && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
    buf_putc(b, '\n');
}

void summary_text(const Graph *g, const MemPlan *mp, Buf *out) {
    Arena *a = g->arena;
    int n = g->nodes.len;
    int w_name = 26, w_shape = 16, w_params = 6, w_macs = 12, w_rf = 7, w_jump = 6, w_out = 12;
    char num[32];
    for (int i = 0; i < n; i++) {
        const Node *x = graph_node(g, i);
        int w = width(x->name) + (int)strlen(op_info[x->op].name) + 3 + 2;
        if (w > w_name)
            w_name = w;
        w = width(shape_cell(a, &x->shape)) + 2;
        if (w > w_shape)
            w_shape = w;
        w = (int)strlen(fmt_thousands(num, x->params));
        if (w > w_params)
            w_params = w;
        w = (int)strlen(fmt_thousands(num, x->macs)) + 3;
        if (w > w_macs)
            w_macs = w;
        w = width(rf_cell(a, x)) + 2;
        if (w > w_rf)
            w_rf = w;
        w = width(jump_cell(a, x)) + 2;
        if (w > w_jump)
            w_jump = w;
        w = (int)strlen(fmt_thousands(num, mp->bytes[i]));
        if (w > w_out)
            w_out = w;
    }
    Buf line = {0};
    pad_to(&line, "Layer (type)", w_name);
    pad_to(&line, "Output shape", w_shape);
    pad_left(&line, "Params", w_params);
    buf_puts(&line, "     ");
    pad_to(&line, "MACs", w_macs);
    pad_to(&line, "RF", w_rf);
    pad_to(&line, "Jump", w_jump);
    pad_left(&line, "Output bytes", w_out);
    buf_puts(&line, "  Weight bytes");
    trim_line(&line);
    buf_puts(out, line.data);
    for (int i = 0; i < n; i++) {
        const Node *x = graph_node(g, i);
        line.len = 0;
        pad_to(&line, arena_printf(a, "%s (%s)", x->name, op_info[x->op].name), w_name);
        pad_to(&line, shape_cell(a, &x->shape), w_shape);
        pad_left(&line, fmt_thousands(num, x->params), w_params);
        buf_puts(&line, "     ");
        pad_to(&line, fmt_thousands(num, x->macs), w_macs);
        pad_to(&line, rf_cell(a, x), w_rf);
        pad_to(&line, jump_cell(a, x), w_jump);
        pad_left(&line, fmt_thousands(num, mp->bytes[i]), w_out);
        buf_puts(&line, "  ");
        pad_left(&line, fmt_thousands(num, x->params * 4), 12);
        trim_line(&line);
        buf_puts(out, line.data);
    }
    buf_free(&line);
    buf_printf(out, "Total params: %s\n", fmt_thousands(num, g->params));
    buf_printf(out, "Trainable params: %s\n", fmt_thousands(num, g->trainable));
    buf_printf(out, "Non-trainable params: %s\n", fmt_thousands(num, g->params - g->trainable));
    buf_printf(out, "Total MACs: %s\n", fmt_thousands(num, g->macs));
    buf_printf(out, "Weight bytes: %s\n", fmt_thousands(num, mp->weights));
    buf_printf(out, "Peak activation memory: %s bytes", fmt_thousands(num, mp->arena));
    if (mp->peak_node >= 0)
        buf_printf(out, " (at '%s')", graph_node(g, mp->peak_node)->name);
    buf_printf(out, "\nNaive activation memory: %s bytes\n", fmt_thousands(num, mp->naive));
}

static void json_ints(Buf *b, const int64_t *v, int n) {
    buf_putc(b, '[');
    for (int i = 0; i < n; i++)
        buf_printf(b, "%s%lld", i ? ", " : "", (long long)v[i]);
    buf_putc(b, ']');
}

void summary_json(const Graph *g, const MemPlan *mp, Buf *b) {
    buf_puts(b, "{\n  \"version\": 1,\n  \"network\": ");
    json_string(b, g->name);
    buf_puts(b, ",\n  \"file\": ");
    json_string(b, g->file->display);
    buf_puts(b, ",\n  \"layers\": [");
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        buf_puts(b, i ? ",\n    {" : "\n    {");
        buf_puts(b, "\"name\": ");
        json_string(b, n->name);
        buf_printf(b, ", \"op\": \"%s\", \"line\": %d, \"inputs\": [", op_info[n->op].name,
                   n->span.line);
        for (int k = 0; k < n->nin; k++) {
            if (k)
                buf_puts(b, ", ");
            json_string(b, n->in[k]->name);
        }
        buf_puts(b, "], \"shape\": ");
        json_ints(b, n->shape.d, n->shape.rank);
        buf_printf(b, ", \"params\": %lld, \"trainable_params\": %lld, \"macs\": %lld",
                   (long long)n->params, (long long)n->trainable, (long long)n->macs);
        buf_printf(b, ", \"output_bytes\": %lld, \"weight_bytes\": %lld, \"arena_offset\": %lld",
                   (long long)mp->bytes[i], (long long)n->params * 4, (long long)mp->offset[i]);
        int64_t size[2] = {n->rf[0].size, n->rf[1].size};
        int64_t jump[2] = {n->rf[0].jump, n->rf[1].jump};
        int64_t pad[2] = {n->rf[0].pad, n->rf[1].pad};
        buf_puts(b, ", \"rf\": {\"size\": ");
        json_ints(b, size, 2);
        buf_puts(b, ", \"jump\": ");
        if (n->rf[0].den > 1 || n->rf[1].den > 1) {
            /* a fractional jump, exact: "1/2" */
            buf_putc(b, '[');
            for (int ax = 0; ax < 2; ax++) {
                buf_puts(b, ax ? ", " : "");
                json_string(b, field_jump_text(g->arena, &n->rf[ax]));
            }
            buf_putc(b, ']');
        } else {
            json_ints(b, jump, 2);
        }
        buf_puts(b, ", \"pad\": ");
        if (n->rf[0].den > 1 || n->rf[1].den > 1) {
            buf_putc(b, '[');
            for (int ax = 0; ax < 2; ax++) {
                const Field *f = &n->rf[ax];
                buf_puts(b, ax ? ", " : "");
                Field p = {.jump = f->pad, .den = f->den}; /* the pad, in lowest terms */
                json_string(b, field_jump_text(g->arena, &p));
            }
            buf_putc(b, ']');
        } else {
            json_ints(b, pad, 2);
        }
        if (n->rf[0].over_lo || n->rf[0].over_hi || n->rf[1].over_lo || n->rf[1].over_hi) {
            /* no linear field is exact: it contains every unit's and exceeds
            ** one by at most this (docs/language.md) */
            int64_t over[2] = {n->rf[0].over_lo + n->rf[0].over_hi,
                               n->rf[1].over_lo + n->rf[1].over_hi};
            buf_puts(b, ", \"excess\": ");
            json_ints(b, over, 2);
        }
        buf_puts(b, "}}");
    }
    buf_puts(b, "\n  ],\n  \"outputs\": [");
    for (int i = 0; i < g->outputs.len; i++) {
        if (i)
            buf_puts(b, ", ");
        json_string(b, ((Node *)g->outputs.data[i])->name);
    }
    buf_printf(b,
               "],\n  \"totals\": {\"params\": %lld, \"trainable_params\": %lld, "
               "\"non_trainable_params\": %lld, \"macs\": %lld},\n",
               (long long)g->params, (long long)g->trainable, (long long)(g->params - g->trainable),
               (long long)g->macs);
    buf_printf(b,
               "  \"memory\": {\"weight_bytes\": %lld, \"peak_activation_bytes\": %lld, "
               "\"naive_activation_bytes\": %lld, \"peak_layer\": ",
               (long long)mp->weights, (long long)mp->arena, (long long)mp->naive);
    if (mp->peak_node >= 0)
        json_string(b, graph_node(g, mp->peak_node)->name);
    else
        buf_puts(b, "null");
    buf_puts(b, "}\n}\n");
}
