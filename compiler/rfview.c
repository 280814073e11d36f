/* rfview.c: `netc rf`, the receptive field of one layer, explained.
**
** The text shows the path along which the field grew (rf_chain), layer by
** layer: the window, then the field's size, jump and effective padding, and
** how much of the input the centre unit's field covers.
**
** The SVG draws the input grid and, on it, the field of the layer's centre
** unit, with the field of each earlier layer on the path nested inside (for
** each, the unit whose field is centred nearest the centre unit's), and the
** field of the corner unit, dashed. A reader sees at once why "7×7 of
** 28×28" is small. The SVG is plain and self-contained: no script, no
** external font or style sheet.
*/
#include "netc.h"

#include <stdlib.h>
#include <string.h>

enum { MAXCHAIN = 4096 };

const Node *rfview_default(const Graph *g) {
    const Node *best = NULL;
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        if (n->shape.rank == 3 && n->op != OP_input && !n->bad)
            best = n;
    }
    return best;
}

static const char *pair_text(Arena *a, int64_t h, int64_t w) {
    return h == w ? arena_printf(a, "%lld", (long long)h)
                  : arena_printf(a, "%lld×%lld", (long long)h, (long long)w);
}

/* How many input positions the field of unit i covers on one axis. */
static int64_t covered(const Field *f, int64_t i, int64_t in) {
    int64_t start = i * f->jump - f->pad, end = start + f->size; /* [start, end) */
    if (start < 0)
        start = 0;
    if (end > in)
        end = in;
    return end > start ? end - start : 0;
}

static int64_t centre_unit(const Node *n, int ax) {
    return n->shape.rank == 3 ? (n->shape.d[ax] - 1) / 2 : 0;
}

static const Node *input_of(const Graph *g, const Node *n) {
    if (n->rf_input < 0 || n->rf_input >= g->inputs.len)
        return NULL;
    return g->inputs.data[n->rf_input];
}

void rfview_text(const Graph *g, const Node *n, Buf *out) {
    Arena *a = g->arena;
    const Node *in = input_of(g, n);
    if (!in || in->shape.rank != 3) {
        buf_printf(out, "'%s' has no spatial receptive field: the network input is flat\n",
                   n->name);
        return;
    }
    int64_t H = in->shape.d[0], W = in->shape.d[1];
    const Node **chain = malloc(sizeof *chain * MAXCHAIN);
    int len = rf_chain(n, chain, MAXCHAIN);
    buf_printf(out, "Receptive field of '%s' (%s) in network '%s', input '%s' %lld×%lld\n\n",
               n->name, op_info[n->op].name, g->name, in->name, (long long)H, (long long)W);
    int w_name = 26;
    for (int i = 0; i < len; i++) {
        int w = (int)(strlen(chain[i]->name) + strlen(op_info[chain[i]->op].name)) + 5;
        if (w > w_name)
            w_name = w;
    }
    buf_printf(out, "%-*s%-14s%-10s%-7s%-7s%s\n", w_name, "Layer (type)", "Window", "Size", "Jump",
               "Pad", "Covers (centre unit)");
    for (int i = 0; i < len; i++) {
        const Node *x = chain[i];
        const char *label = arena_printf(a, "%s (%s)", x->name, op_info[x->op].name);
        const char *win = "";
        if (op_is_window(x->op) && x->op != OP_zeropad2d) {
            win = arena_printf(a, "%lld×%lld /%s", (long long)x->kernel[0],
                               (long long)x->kernel[1], pair_text(a, x->stride[0], x->stride[1]));
            if (x->dilation[0] != 1 || x->dilation[1] != 1)
                win = arena_printf(a, "%s d%s", win, pair_text(a, x->dilation[0], x->dilation[1]));
        } else if (x->op == OP_zeropad2d) {
            win = arena_printf(a, "pad %lld", (long long)x->pad[0]);
        } else if (x->op == OP_flatten || x->op == OP_global_avgpool2d ||
                   x->op == OP_global_maxpool2d) {
            win = "whole map";
        }
        const char *size = arena_printf(a, "%lld×%lld", (long long)x->rf[0].size,
                                        (long long)x->rf[1].size);
        int64_t ch = covered(&x->rf[0], centre_unit(x, 0), H);
        int64_t cw = covered(&x->rf[1], centre_unit(x, 1), W);
        /* pad strings to display width (× is one character, two bytes) */
        Buf row = {0};
        buf_printf(&row, "%-*s", w_name, label);
        buf_puts(&row, win);
        for (int k = utf8_len(win, strlen(win)); k < 14; k++)
            buf_putc(&row, ' ');
        buf_puts(&row, size);
        for (int k = utf8_len(size, strlen(size)); k < 10; k++)
            buf_putc(&row, ' ');
        buf_printf(&row, "%-7s%-7s%lld×%lld (%lld%% × %lld%%)\n",
                   pair_text(a, x->rf[0].jump, x->rf[1].jump),
                   pair_text(a, x->rf[0].pad, x->rf[1].pad), (long long)ch, (long long)cw,
                   (long long)(ch * 100 / H), (long long)(cw * 100 / W));
        buf_puts(out, row.data);
        buf_free(&row);
    }
    buf_printf(out, "\n'%s' sees %lld×%lld of the %lld×%lld input.\n", n->name,
               (long long)n->rf[0].size, (long long)n->rf[1].size, (long long)H, (long long)W);
    free(chain);
}

/* Colours from light to dark along the path. */
static const char *shade(Arena *a, int i, int len) {
    double t = len > 1 ? (double)i / (len - 1) : 1.0;
    int r = (int)(187 - t * (187 - 13));
    int g = (int)(222 - t * (222 - 71));
    int b = (int)(251 - t * (251 - 161));
    return arena_printf(a, "#%02x%02x%02x", r, g, b);
}

typedef struct Rect {
    int64_t y, x, h, w; /* in input pixels; may reach into the padding */
} Rect;

/* The field of the unit of x whose field is centred nearest `centre`
** (twice the centre, in input pixels, to stay in integers). */
static Rect nearest_field(const Node *x, const int64_t centre2[2]) {
    int64_t start[2];
    for (int ax = 0; ax < 2; ax++) {
        const Field *f = &x->rf[ax];
        int64_t units = x->shape.rank == 3 ? x->shape.d[ax] : 1;
        /* centre2 = 2(u·j − P) + r − 1  =>  u = (centre2 + 2P − r + 1) / 2j */
        int64_t num = centre2[ax] + 2 * f->pad - f->size + 1;
        int64_t u = num >= 0 ? (num + f->jump) / (2 * f->jump) : 0;
        if (u > units - 1)
            u = units - 1;
        if (u < 0)
            u = 0;
        start[ax] = u * f->jump - f->pad;
    }
    return (Rect){start[0], start[1], x->rf[0].size, x->rf[1].size};
}

void rfview_svg(const Graph *g, const Node *n, Buf *out) {
    Arena *a = g->arena;
    const Node *in = input_of(g, n);
    int64_t H = in && in->shape.rank == 3 ? in->shape.d[0] : 1;
    int64_t W = in && in->shape.rank == 3 ? in->shape.d[1] : 1;
    const Node **chain = malloc(sizeof *chain * MAXCHAIN);
    int len = rf_chain(n, chain, MAXCHAIN);

    /* the centre unit's field, and the corner unit's */
    int64_t cu[2] = {centre_unit(n, 0), centre_unit(n, 1)};
    Rect target = {cu[0] * n->rf[0].jump - n->rf[0].pad, cu[1] * n->rf[1].jump - n->rf[1].pad,
                   n->rf[0].size, n->rf[1].size};
    int64_t centre2[2] = {2 * target.y + target.h - 1, 2 * target.x + target.w - 1};
    Rect corner = {-n->rf[0].pad, -n->rf[1].pad, n->rf[0].size, n->rf[1].size};
    Rect *rects = malloc(sizeof *rects * (size_t)(len + 1));
    for (int i = 0; i < len; i++)
        rects[i] = i == len - 1 ? target : nearest_field(chain[i], centre2);

    /* the drawing's extent in input pixels: the grid and every rectangle */
    int64_t y0 = 0, x0 = 0, y1 = H, x1 = W;
    for (int i = 0; i <= len; i++) {
        const Rect *r = i < len ? &rects[i] : &corner;
        if (r->y < y0)
            y0 = r->y;
        if (r->x < x0)
            x0 = r->x;
        if (r->y + r->h > y1)
            y1 = r->y + r->h;
        if (r->x + r->w > x1)
            x1 = r->x + r->w;
    }
    int64_t span = y1 - y0 > x1 - x0 ? y1 - y0 : x1 - x0;
    double cell = 480.0 / (double)(span > 0 ? span : 1);
    if (cell > 24)
        cell = 24;
    double ox = 20 - (double)x0 * cell, oy = 60 - (double)y0 * cell;
    double draw_w = (double)(x1 - x0) * cell, draw_h = (double)(y1 - y0) * cell;
    int legend_x = (int)(40 + draw_w);
    int width = legend_x + 300;
    int height = (int)(80 + draw_h);
    if (height < 90 + 18 * (len + 3))
        height = 90 + 18 * (len + 3);

    buf_printf(out,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 "
               "%d %d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n",
               width, height, width, height);
    buf_printf(out, "<title>Receptive field of %s</title>\n", n->name);
    buf_printf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height);
    buf_printf(out,
               "<text x=\"20\" y=\"26\" font-size=\"16\" font-weight=\"bold\">'%s' sees "
               "%lld×%lld of the %lld×%lld input</text>\n",
               n->name, (long long)n->rf[0].size, (long long)n->rf[1].size, (long long)H,
               (long long)W);
    buf_printf(out,
               "<text x=\"20\" y=\"46\" fill=\"#555555\">network '%s', input '%s'; one square "
               "is one input pixel</text>\n",
               g->name, in ? in->name : "?");
    /* the input grid */
    buf_printf(out,
               "<rect id=\"input\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
               "fill=\"#fafafa\" stroke=\"#9e9e9e\" stroke-width=\"1.5\"/>\n",
               ox, oy, (double)W * cell, (double)H * cell);
    if (cell >= 4) {
        buf_puts(out, "<g stroke=\"#e0e0e0\" stroke-width=\"0.5\">\n");
        for (int64_t r = 1; r < H; r++)
            buf_printf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", ox,
                       oy + (double)r * cell, ox + (double)W * cell, oy + (double)r * cell);
        for (int64_t c = 1; c < W; c++)
            buf_printf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n",
                       ox + (double)c * cell, oy, ox + (double)c * cell, oy + (double)H * cell);
        buf_puts(out, "</g>\n");
    }
    /* the fields, outermost (the layer's) first so the inner ones stay visible */
    for (int i = len - 1; i >= 1; i--) {
        const Rect *r = &rects[i];
        buf_printf(out,
                   "<rect class=\"field\" data-layer=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                   "height=\"%.2f\" fill=\"%s\" fill-opacity=\"0.55\" stroke=\"%s\" "
                   "stroke-width=\"1.5\"/>\n",
                   chain[i]->name, ox + (double)r->x * cell, oy + (double)r->y * cell,
                   (double)r->w * cell, (double)r->h * cell, shade(a, i, len), shade(a, len - 1, len));
    }
    buf_printf(out,
               "<rect class=\"corner\" data-layer=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
               "height=\"%.2f\" fill=\"none\" stroke=\"#d84315\" stroke-width=\"2\" "
               "stroke-dasharray=\"6 4\"/>\n",
               n->name, ox + (double)corner.x * cell, oy + (double)corner.y * cell,
               (double)corner.w * cell, (double)corner.h * cell);
    /* the legend */
    int ly = 70;
    buf_printf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Field of the centre unit</text>\n",
               legend_x, ly);
    for (int i = len - 1; i >= 1; i--) {
        ly += 18;
        buf_printf(out,
                   "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\" "
                   "fill-opacity=\"0.55\" stroke=\"%s\"/>\n",
                   legend_x, ly - 11, shade(a, i, len), shade(a, len - 1, len));
        buf_printf(out, "<text x=\"%d\" y=\"%d\">%s: %lld×%lld</text>\n", legend_x + 20, ly,
                   chain[i]->name, (long long)chain[i]->rf[0].size, (long long)chain[i]->rf[1].size);
    }
    ly += 26;
    buf_printf(out,
               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d84315\" stroke-width=\"2\" "
               "stroke-dasharray=\"6 4\"/>\n",
               legend_x, ly - 4, legend_x + 14, ly - 4);
    buf_printf(out, "<text x=\"%d\" y=\"%d\">field of the corner unit (0, 0)</text>\n",
               legend_x + 20, ly);
    ly += 18;
    buf_printf(out,
               "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"#fafafa\" "
               "stroke=\"#9e9e9e\"/>\n",
               legend_x, ly - 11);
    buf_printf(out, "<text x=\"%d\" y=\"%d\">input, %lld×%lld</text>\n", legend_x + 20, ly,
               (long long)H, (long long)W);
    buf_puts(out, "</svg>\n");
    free(rects);
    free(chain);
}
