/* analyse.c: the front end's pipeline, readable in one function. */
#include "netc.h"

void analyse(Graph *g, Diags *d, const WarnConfig *cfg) {
    shape_infer(g, d);   /* Node.shape, `same` padding */
    suggest_inputs(g, d); /* input sizes that line the merges up */
    count_params(g, d);  /* Node.params/trainable/macs, totals */
    rf_compute(g, d);    /* Node.rf */
    if (!g->incomplete)
        lint_run(g, d, cfg); /* warnings, about what was read in full */
}
