/* pipeline.c: netc, from the files named to code, in one function.
**
** Every command runs pipeline_run, as far as it needs:
**
**     parse     the files named, and their imports          parse.c
**     resolve   each network asked for                      resolve.c
**     analyse   shapes, counts, fields, warnings            shape.c count.c rf.c lint.c
**     plan      the memory plan, once per network           memplan.c
**     budgets   --max-ram, --max-params, --max-macs         budget.c
**   and for `netc build` and `netc run`, on the one network chosen:
**     weights   the safetensors file, or random weights     weights.c
**     lower     kernel steps, on the plan made above        lower.c
**     emit      C source and header, or a binary            emit_c.c build.c
**               (or an object, IR, a JIT run)               emit_llvm.c
**
** Problems with the input are diagnostics in the Program's Diags; the
** pipeline goes on past them as far as it can, and stops before the back
** end when there are errors. What a command does with each outcome (exit
** codes, usage messages) is main.c's business.
*/
#define _POSIX_C_SOURCE 200809L
#include "backend.h"
#include "onnx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void analyse(Graph *g, Diags *d, const WarnConfig *cfg) {
    shape_infer(g, d);    /* Node.shape, `same` padding */
    suggest_inputs(g, d); /* input sizes that line the merges up */
    count_params(g, d);   /* Node.params/trainable/macs, totals */
    rf_compute(g, d);     /* Node.rf */
    if (!g->incomplete)
        lint_run(g, d, cfg); /* warnings, about what was read in full */
}

/* parse: each file named ("-": standard input); those that cannot be read
** go to pl->failures. */
static void parse_files(Pipeline *pl) {
    Program *p = pl->p;
    for (int i = 0; i < pl->files->len; i++) {
        const char *path = pl->files->data[i];
        SourceFile *f;
        if (strcmp(path, "-") == 0) {
            Buf b = {0};
            char chunk[65536];
            size_t got;
            while ((got = fread(chunk, 1, sizeof chunk, stdin)) > 0)
                for (size_t k = 0; k < got; k++)
                    buf_putc(&b, chunk[k]);
            f = parse_root(p, "<stdin>", "<stdin>", b.data ? b.data : "", b.len);
            buf_free(&b);
        } else {
            /* an ONNX model is imported in memory (onnx_cli.c) */
            f = onnx_file(path) ? onnx_source(p, path) : parse_root(p, path, path, NULL, 0);
            if (!f) {
                vec_push(p->arena, &pl->failures,
                         arena_printf(p->arena, "cannot read '%s': %s", path, strerror(errno)));
                continue;
            }
        }
        vec_push(p->arena, &pl->roots, f);
    }
}

/* weights, lower, emit: the back end on one network. */
static bool back_end(Pipeline *pl, Unit *u) {
    BuildRequest *r = pl->build;
    Diags *d = pl->p->diags;
    WeightSet ws = {0};
    bool steps = r->kind == EMIT_STEPS; /* the steps do not depend on the weights' values */
    if (!steps && r->weights) {
        if (!weights_load(u->g, r->weights, r->allow_extra, d, &ws))
            return false;
    } else if (!steps) {
        weights_random(u->g, r->seed, &ws);
    }
    Lowered l;
    bool ok = lower(u->g, &u->plan, steps ? NULL : &ws, d, &l);
    u->planned = false; /* the plan is the Lowered's now */
    weights_free(&ws);
    if (!ok)
        return false;
    CNames names;
    c_names(u->g, u->g->arena, &names);
    if (steps)
        ok = build_steps(&l, r->out, d);
    else if (r->llvm)
        ok = build_llvm(&l, &names, r, d);
    else if (r->kind == EMIT_C)
        ok = build_c(&l, &names, r, d);
    else
        ok = build_exe(&l, &names, r->out, r->threads, d);
    lower_free(&l);
    return ok;
}

PipeStatus pipeline_run(Pipeline *pl) {
    Program *p = pl->p;
    Diags *d = p->diags;
    parse_files(pl);
    if (pl->build && pl->failures.len)
        return PIPE_UNREADABLE;
    lint_comments(p, d); /* the disable comments' ids */

    for (int i = 0; i < pl->roots.len; i++) {
        SourceFile *f = pl->roots.data[i];
        for (int k = 0; k < f->networks.len; k++) {
            NetAst *net = f->networks.data[k];
            if (pl->network && strcmp(pl->network, net->id.name) != 0)
                continue;
            pl->found = true;
            Unit *u = arena_alloc(p->arena, sizeof *u);
            memset(u, 0, sizeof *u);
            u->g = resolve_network(p, net);
            analyse(u->g, d, pl->warn);
            if (pl->plan || pl->build || (pl->budgets && pl->budgets->max_ram >= 0))
                u->planned = memplan_build(u->g, &u->plan);
            if (pl->budgets)
                check_budgets(u->g, d, pl->budgets, u->planned ? &u->plan : NULL);
            vec_push(p->arena, &pl->units, u);
        }
    }
    if (pl->network && !pl->found)
        return PIPE_NO_SUCH_NETWORK;
    if (pl->units.len == 0)
        return PIPE_NO_NETWORK;
    if (!pl->build)
        return PIPE_OK;

    if (pl->units.len > 1)
        return PIPE_MANY_NETWORKS;
    if (d->errors)
        return PIPE_ERRORS;
    return back_end(pl, pl->units.data[0]) && !d->errors ? PIPE_OK : PIPE_BUILD_FAILED;
}

void pipeline_free(Pipeline *pl) {
    for (int i = 0; i < pl->units.len; i++) {
        Unit *u = pl->units.data[i];
        if (u->planned)
            memplan_free(&u->plan);
        u->planned = false;
    }
}
