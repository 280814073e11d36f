/* budget.c: `--max-ram`, `--max-params`, `--max-macs`.
**
** A budget that a network exceeds is an error with id `budget`, located at
** the layer that matters: the one at the memory plan's peak, or the one that
** holds the most parameters or MACs.
**
** requires: counts (count.c); the memory plan (memplan.c) for RAM
*/
#include "netc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* "512K", "4M", "1G" (powers of 1024 for bytes, of 1000 for counts), with
** an optional trailing 'B' or "iB"; -1 if malformed. */
int64_t parse_size(const char *s, bool bytes) {
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    int64_t v = 0;
    while (isdigit((unsigned char)*s)) {
        if (!ck_mul(v, 10, &v) || !ck_add(v, *s - '0', &v))
            return -1;
        s++;
    }
    int64_t unit = 1, k = bytes ? 1024 : 1000;
    switch (toupper((unsigned char)*s)) {
    case 'K':
        unit = k;
        s++;
        break;
    case 'M':
        unit = k * k;
        s++;
        break;
    case 'G':
        unit = k * k * k;
        s++;
        break;
    default:
        break;
    }
    if (bytes && unit > 1 && *s == 'i')
        s++;
    if (bytes && toupper((unsigned char)*s) == 'B')
        s++;
    if (*s)
        return -1;
    return ck_mul(v, unit, &v) ? v : -1;
}

static const Node *largest(const Graph *g, bool macs) {
    const Node *best = NULL;
    for (int i = 0; i < g->nodes.len; i++) {
        const Node *n = graph_node(g, i);
        int64_t v = macs ? n->macs : n->params;
        if (!best || v > (macs ? best->macs : best->params))
            best = n;
    }
    return best;
}

static Diag *at_layer(Diags *d, const Node *n, const char *msg) {
    Diag *e = diag_error(d, n->file, n->span, "budget", "%s", msg);
    e->caret_len = n->focus_len;
    e->layer = n->name;
    note_sites(d, e, n->site);
    return e;
}

void check_budgets(const Graph *g, Diags *d, const Budgets *b, const MemPlan *p) {
    char v1[32], v3[32];
    for (int i = 0; i < g->nodes.len; i++)
        if (graph_node(g, i)->bad)
            return;
    if (b->max_params >= 0 && g->params > b->max_params) {
        const Node *n = largest(g, false);
        Diag *e = at_layer(d, n, arena_printf(d->arena,
                                              "network '%s' has %s parameters, more than "
                                              "--max-params=%s; '%s' holds %s of them",
                                              g->name, fmt_thousands(v1, g->params),
                                              b->max_params_text, n->name,
                                              fmt_thousands(v3, n->params)));
        (void)e;
    }
    if (b->max_macs >= 0 && g->macs > b->max_macs) {
        const Node *n = largest(g, true);
        at_layer(d, n, arena_printf(d->arena,
                                    "network '%s' needs %s MACs, more than --max-macs=%s; '%s' "
                                    "does %s of them",
                                    g->name, fmt_thousands(v1, g->macs), b->max_macs_text, n->name,
                                    fmt_thousands(v3, n->macs)));
    }
    if (b->max_ram >= 0 && p && p->arena > b->max_ram && p->peak_node >= 0) {
        const Node *n = graph_node(g, p->peak_node);
        at_layer(d, n, arena_printf(d->arena,
                                    "network '%s' needs %s bytes of activation memory, more "
                                    "than --max-ram=%s; the peak is at '%s'",
                                    g->name, fmt_thousands(v1, p->arena), b->max_ram_text,
                                    n->name));
    }
}
