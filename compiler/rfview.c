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

static int64_t fden(const Field *f) {
    return f->den > 1 ? f->den : 1;
}

/* The first input position of unit i's field: ⌊(i·jump − pad) / den⌋ (a
** fractional field, after an upsampling, starts at the position it
** reaches into). False on overflow. */
static bool fstart(const Field *f, int64_t i, int64_t *out) {
    int64_t v, d = fden(f);
    if (!ck_mul(i, f->jump, &v) || __builtin_sub_overflow(v, f->pad, &v))
        return false;
    *out = v >= 0 ? v / d : -((-v + d - 1) / d);
    return true;
}

/* A field's jump or padding as text: "3", "1/2", or "1/2×3" per axis. */
static const char *frac_pair(Arena *a, const Field *f, bool jump) {
    const char *t[2];
    for (int ax = 0; ax < 2; ax++) {
        int64_t v = jump ? f[ax].jump : f[ax].pad, d = fden(&f[ax]);
        int64_t g = v, h = d;
        while (h) {
            int64_t r = g % h;
            g = h;
            h = r;
        }
        g = g < 0 ? -g : g;
        if (g == 0)
            g = 1;
        t[ax] = d / g == 1 ? arena_printf(a, "%lld", (long long)(v / g))
                           : arena_printf(a, "%lld/%lld", (long long)(v / g), (long long)(d / g));
    }
    return strcmp(t[0], t[1]) == 0 ? t[0] : arena_printf(a, "%s×%s", t[0], t[1]);
}

/* How many input positions the field of unit i covers on one axis. */
static int64_t covered(const Field *f, int64_t i, int64_t in) {
    int64_t start, end; /* [start, end) */
    if (!fstart(f, i, &start) || !ck_add(start, f->size, &end))
        return 0;
    if (start < 0)
        start = 0;
    if (end > in)
        end = in;
    return end > start ? end - start : 0;
}

static int64_t centre_unit(const Node *n, int ax) {
    return n->shape.rank == 3 ? (n->shape.d[ax] - 1) / 2 : 0;
}

/* part / whole as a percentage: to the nearest whole, one decimal below 10. */
static const char *percent(Arena *a, int64_t part, int64_t whole) {
    double p = 100.0 * (double)part / (double)whole;
    return p < 10 ? arena_printf(a, "%.1f%%", p) : arena_printf(a, "%.0f%%", p);
}

static bool covers_all(const Node *n, int64_t H, int64_t W);

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
    const Node **chain = xmalloc(sizeof *chain * MAXCHAIN);
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
        buf_printf(&row, "%-7s%-7s%lld×%lld (%s × %s)\n", frac_pair(a, x->rf, true),
                   frac_pair(a, x->rf, false), (long long)ch, (long long)cw,
                   percent(a, ch, H), percent(a, cw, W));
        buf_puts(out, row.data);
        buf_free(&row);
    }
    if (covers_all(n, H, W))
        buf_printf(out, "\n'%s': a %lld×%lld field covers the whole %lld×%lld input.\n", n->name,
                   (long long)n->rf[0].size, (long long)n->rf[1].size, (long long)H, (long long)W);
    else
        buf_printf(out, "\n'%s' sees %lld×%lld of the %lld×%lld input.\n", n->name,
                   (long long)n->rf[0].size, (long long)n->rf[1].size, (long long)H, (long long)W);
    free(chain);
}

/* Colours along the path: the earliest (innermost) field darkest, the
** layer's own (outermost) lightest, so nested rings read from the centre. */
static const char *shade(Arena *a, int i, int len) {
    double t = len > 1 ? (double)i / (len - 1) : 1.0; /* 0: innermost */
    int r = (int)(21 + t * (200 - 21));
    int g = (int)(101 + t * (230 - 101));
    int b = (int)(192 + t * (250 - 192));
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
        /* centre2 = 2(u·j − P)/den + r − 1  =>
        ** u = ((centre2 − r + 1)·den + 2P) / 2j */
        int64_t num = (centre2[ax] - f->size + 1) * fden(f) + 2 * f->pad;
        int64_t u = num >= 0 && f->jump > 0 ? (num + f->jump) / (2 * f->jump) : 0;
        if (u > units - 1)
            u = units - 1;
        if (u < 0)
            u = 0;
        if (!fstart(f, u, &start[ax]))
            start[ax] = 0;
    }
    return (Rect){start[0], start[1], x->rf[0].size, x->rf[1].size};
}

/* A round step for ticks: at most about 8 of them over n pixels. */
static int64_t tick_step(int64_t n) {
    static const int64_t steps[] = {1, 2, 5, 7, 10, 14, 16, 20, 25, 28, 32, 50, 56, 64, 100, 112, 128, 200, 224, 256, 500, 1000};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (n / steps[i] <= 8)
            return steps[i];
    return n / 8 + 1;
}

static bool covers_all(const Node *n, int64_t H, int64_t W) {
    return n->rf[0].size >= H && n->rf[1].size >= W;
}

/* Can the fields of the path be drawn: every coordinate within 2^40 pixels? */
static bool drawable(const Node **chain, int len) {
    const int64_t lim = (int64_t)1 << 40;
    for (int i = 0; i < len; i++)
        for (int ax = 0; ax < 2; ax++) {
            const Field *f = &chain[i]->rf[ax];
            int64_t units = chain[i]->shape.rank == 3 ? chain[i]->shape.d[ax] : 1, reach;
            if (f->size > lim || f->pad > lim || f->jump > lim ||
                !ck_mul(units, f->jump, &reach) || reach > lim)
                return false;
        }
    return true;
}

void rfview_svg(const Graph *g, const Node *n, double rf_min, Buf *out) {
    Arena *a = g->arena;
    const Node *in = input_of(g, n);
    int64_t H = in && in->shape.rank == 3 ? in->shape.d[0] : 1;
    int64_t W = in && in->shape.rank == 3 ? in->shape.d[1] : 1;
    const Node **chain = xmalloc(sizeof *chain * MAXCHAIN);
    int len = rf_chain(n, chain, MAXCHAIN);
    if (!drawable(chain, len) || H > ((int64_t)1 << 40) || W > ((int64_t)1 << 40)) {
        buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"60\">"
                      "<text x=\"10\" y=\"30\">this field is too large to draw</text></svg>\n");
        free(chain);
        return;
    }
    /* keep the layers where the field grows: the first of each run of equal
    ** fields, the run of the layer itself named after it */
    int k = 0;
    for (int i = 1; i < len; i++) {
        const Node *prev = chain[i - 1], *x = chain[i];
        if (x->rf[0].size != prev->rf[0].size || x->rf[1].size != prev->rf[1].size)
            chain[k++] = x;
    }
    if (k == 0 || chain[k - 1]->rf[0].size != n->rf[0].size ||
        chain[k - 1]->rf[1].size != n->rf[1].size)
        k++;
    chain[k - 1] = n;
    len = k;

    /* the centre unit's field, and the corner unit's */
    int64_t cu[2] = {centre_unit(n, 0), centre_unit(n, 1)};
    Rect target = {0, 0, n->rf[0].size, n->rf[1].size};
    Rect corner = {0, 0, n->rf[0].size, n->rf[1].size};
    fstart(&n->rf[0], cu[0], &target.y);
    fstart(&n->rf[1], cu[1], &target.x);
    fstart(&n->rf[0], 0, &corner.y);
    fstart(&n->rf[1], 0, &corner.x);
    int64_t centre2[2] = {2 * target.y + target.h - 1, 2 * target.x + target.w - 1};
    Rect *rects = xmalloc(sizeof *rects * (size_t)(len + 1));
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
    double ox = 40 - (double)x0 * cell, oy = 90 - (double)y0 * cell;
    double draw_w = (double)(x1 - x0) * cell, draw_h = (double)(y1 - y0) * cell;
    int legend_x = (int)(70 + draw_w);
    size_t longest = 32;
    for (int i = 0; i < len; i++)
        if (strlen(chain[i]->name) + 14 > longest)
            longest = strlen(chain[i]->name) + 14;
    enum { MAXLEGEND = 12 };
    int shown = len < MAXLEGEND ? len : MAXLEGEND;
    int width = legend_x + (int)(longest * 7.5) + 20;
    int height = (int)(110 + draw_h);
    if (height < 150 + 20 * (shown + 5))
        height = 150 + 20 * (shown + 5);

    buf_printf(out,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 "
               "%d %d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n",
               width, height, width, height);
    buf_printf(out, "<title>Receptive field of %s</title>\n", n->name);
    buf_printf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, height);
    if (covers_all(n, H, W))
        buf_printf(out,
                   "<text x=\"20\" y=\"26\" font-size=\"16\" font-weight=\"bold\">'%s': a %lld×%lld "
                   "field covers the whole %lld×%lld input</text>\n",
                   n->name, (long long)n->rf[0].size, (long long)n->rf[1].size, (long long)H,
                   (long long)W);
    else
        buf_printf(out,
                   "<text x=\"20\" y=\"26\" font-size=\"16\" font-weight=\"bold\">'%s' sees "
                   "%lld×%lld of the %lld×%lld input</text>\n",
                   n->name, (long long)n->rf[0].size, (long long)n->rf[1].size, (long long)H,
                   (long long)W);
    buf_printf(out,
               "<text x=\"20\" y=\"46\" fill=\"#555555\">network '%s', input '%s'%s</text>\n",
               g->name, in ? in->name : "?",
               cell >= 4 ? "; one square is one input pixel" : "; the dark frame is the input");
    /* the padding zone, then the input */
    buf_printf(out,
               "<rect id=\"padding\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
               "fill=\"#eeeeee\"/>\n",
               ox + (double)x0 * cell, oy + (double)y0 * cell, draw_w, draw_h);
    buf_printf(out,
               "<rect id=\"input\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
               "fill=\"#ffffff\"/>\n",
               ox, oy, (double)W * cell, (double)H * cell);
    /* the fields, outermost (the layer's own) first */
    for (int i = len - 1; i >= 0; i--) {
        const Rect *r = &rects[i];
        buf_printf(out,
                   "<rect class=\"field\" data-layer=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                   "height=\"%.2f\" fill=\"%s\" stroke=\"#0d47a1\" stroke-width=\"1\"/>\n",
                   chain[i]->name, ox + (double)r->x * cell, oy + (double)r->y * cell,
                   (double)r->w * cell, (double)r->h * cell, shade(a, i, len));
    }
    /* the grid over the fields, so the pixels can be counted */
    if (cell >= 4) {
        buf_puts(out, "<g stroke=\"#000000\" stroke-opacity=\"0.15\" stroke-width=\"0.5\">\n");
        for (int64_t r = y0 + 1; r < y1; r++)
            buf_printf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n",
                       ox + (double)x0 * cell, oy + (double)r * cell, ox + (double)x1 * cell,
                       oy + (double)r * cell);
        for (int64_t c = x0 + 1; c < x1; c++)
            buf_printf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n",
                       ox + (double)c * cell, oy + (double)y0 * cell, ox + (double)c * cell,
                       oy + (double)y1 * cell);
        buf_puts(out, "</g>\n");
    }
    buf_printf(out,
               "<rect class=\"input-frame\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
               "fill=\"none\" stroke=\"#212121\" stroke-width=\"2\"/>\n",
               ox, oy, (double)W * cell, (double)H * cell);
    /* ticks along the top and the left of the input */
    int64_t step = tick_step(H > W ? H : W);
    buf_puts(out, "<g font-size=\"10\" fill=\"#555555\">\n");
    for (int64_t t = 0; t <= W; t += step)
        buf_printf(out, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%lld</text>\n",
                   ox + (double)t * cell, oy + (double)y0 * cell - 6, (long long)t);
    for (int64_t t = step; t <= H; t += step)
        buf_printf(out, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%lld</text>\n",
                   ox + (double)x0 * cell - 4, oy + (double)t * cell + 4, (long long)t);
    buf_puts(out, "</g>\n");
    /* what --rf-min asks for, centred on the input */
    double th = rf_min * (double)H, tw = rf_min * (double)W;
    buf_printf(out,
               "<rect class=\"target\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
               "fill=\"none\" stroke=\"#2e7d32\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>\n",
               ox + ((double)W - tw) / 2 * cell, oy + ((double)H - th) / 2 * cell, tw * cell,
               th * cell);
    buf_printf(out,
               "<rect class=\"corner\" data-layer=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
               "height=\"%.2f\" fill=\"none\" stroke=\"#d84315\" stroke-width=\"2\" "
               "stroke-dasharray=\"6 4\"/>\n",
               n->name, ox + (double)corner.x * cell, oy + (double)corner.y * cell,
               (double)corner.w * cell, (double)corner.h * cell);
    /* the legend: the layers where the field grows */
    int ly = 100;
    buf_printf(out, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">Field of the centre unit</text>\n",
               legend_x, ly);
    for (int j = 0; j < shown; j++) {
        /* with many layers: the first few, a gap, the last ones */
        int i = len - 1 - j;
        if (len > MAXLEGEND && j >= MAXLEGEND - 3)
            i = MAXLEGEND - 1 - j;
        ly += 20;
        if (len > MAXLEGEND && j == MAXLEGEND - 3) {
            buf_printf(out, "<text x=\"%d\" y=\"%d\" fill=\"#555555\">… %d more</text>\n",
                       legend_x + 20, ly, len - MAXLEGEND + 1);
            ly += 20;
        }
        buf_printf(out,
                   "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\" "
                   "stroke=\"#0d47a1\"/>\n",
                   legend_x, ly - 11, shade(a, i, len));
        buf_printf(out, "<text x=\"%d\" y=\"%d\">%s: %lld×%lld</text>\n", legend_x + 20, ly,
                   chain[i]->name, (long long)chain[i]->rf[0].size, (long long)chain[i]->rf[1].size);
    }
    ly += 30;
    buf_printf(out,
               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d84315\" stroke-width=\"2\" "
               "stroke-dasharray=\"6 4\"/>\n",
               legend_x, ly - 4, legend_x + 14, ly - 4);
    buf_printf(out, "<text x=\"%d\" y=\"%d\">field of the corner unit (0, 0)</text>\n",
               legend_x + 20, ly);
    ly += 20;
    buf_printf(out,
               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#2e7d32\" stroke-width=\"1.5\" "
               "stroke-dasharray=\"2 3\"/>\n",
               legend_x, ly - 4, legend_x + 14, ly - 4);
    buf_printf(out, "<text x=\"%d\" y=\"%d\">%g of the input (--rf-min)</text>\n", legend_x + 20, ly,
               rf_min);
    ly += 20;
    buf_printf(out,
               "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"#ffffff\" "
               "stroke=\"#212121\" stroke-width=\"2\"/>\n",
               legend_x, ly - 11);
    buf_printf(out, "<text x=\"%d\" y=\"%d\">input, %lld×%lld; grey: padding</text>\n",
               legend_x + 20, ly, (long long)H, (long long)W);
    buf_puts(out, "</svg>\n");
    free(rects);
    free(chain);
}
