/* test_pipeline.c: the pipeline every command runs (pipeline.c).
**
** What each outcome is, which stages run for which request, and that the
** memory plan is made once and handed to the back end.
*/
#define _POSIX_C_SOURCE 200809L
#include "helpers.h"

#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct Run {
    Arena arena;
    Diags diags;
    Program prog;
    WarnConfig cfg;
    Budgets budgets;
    Vec files;
    Pipeline pl;
    char dir[64];
} Run;

static const char *write_tmp(Run *r, const char *name, const char *text) {
    const char *path = arena_printf(&r->arena, "%s/%s", r->dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static Run *run_new(void) {
    Run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    strcpy(r->dir, "/tmp/netc-pipeline-XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    r->cfg = tn_default_config();
    r->diags = (Diags){.arena = &r->arena, .config = &r->cfg};
    r->prog = (Program){.arena = &r->arena, .diags = &r->diags};
    r->diags.file_order = &r->prog.files;
    r->budgets = (Budgets){-1, -1, -1, NULL, NULL, NULL};
    r->pl = (Pipeline){.p = &r->prog, .files = &r->files, .warn = &r->cfg,
                       .budgets = &r->budgets};
    return r;
}

static void run_free(Run *r) {
    pipeline_free(&r->pl);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", r->dir);
    assert_int_equal(system(cmd), 0);
    arena_free(&r->arena);
    free(r);
}

static const char *TWO = "network a {\n    x = input(shape=(4, 4, 1));\n    relu(x);\n}\n"
                         "network b {\n    x = input(shape=(2,));\n    dense(x, units=3);\n}\n";

static void test_front_only(void **state) {
    (void)state;
    Run *r = run_new();
    vec_push(&r->arena, &r->files, (void *)write_tmp(r, "two.net", TWO));
    assert_int_equal(pipeline_run(&r->pl), PIPE_OK);
    assert_int_equal(r->pl.units.len, 2);
    assert_int_equal(r->pl.roots.len, 1);
    /* check makes no plan unless a budget needs it */
    for (int i = 0; i < 2; i++)
        assert_false(((Unit *)r->pl.units.data[i])->planned);
    run_free(r);

    r = run_new();
    vec_push(&r->arena, &r->files, (void *)write_tmp(r, "two.net", TWO));
    r->pl.plan = true;
    assert_int_equal(pipeline_run(&r->pl), PIPE_OK);
    const Unit *a = r->pl.units.data[0];
    assert_true(a->planned);
    /* relu works in place on x's buffer: 4·4·1 floats, 64 bytes */
    assert_int_equal(a->plan.arena, 64);
    run_free(r);

    r = run_new();
    vec_push(&r->arena, &r->files, (void *)write_tmp(r, "two.net", TWO));
    r->budgets.max_ram = 10;
    r->budgets.max_ram_text = "10";
    r->pl.network = "a";
    assert_int_equal(pipeline_run(&r->pl), PIPE_OK);
    assert_int_equal(r->pl.units.len, 1);
    assert_true(((Unit *)r->pl.units.data[0])->planned);
    assert_int_equal(r->diags.errors, 1); /* over --max-ram */
    run_free(r);
}

static void test_outcomes(void **state) {
    (void)state;
    Run *r = run_new();
    vec_push(&r->arena, &r->files, (void *)write_tmp(r, "two.net", TWO));
    r->pl.network = "c";
    assert_int_equal(pipeline_run(&r->pl), PIPE_NO_SUCH_NETWORK);
    assert_false(r->pl.found);
    run_free(r);

    r = run_new();
    vec_push(&r->arena, &r->files, (void *)write_tmp(r, "none.net", "# nothing\n"));
    assert_int_equal(pipeline_run(&r->pl), PIPE_NO_NETWORK);
    run_free(r);

    BuildRequest br = {.kind = EMIT_C, .seed = 1};
    r = run_new();
    vec_push(&r->arena, &r->files, (void *)write_tmp(r, "two.net", TWO));
    br.out = arena_printf(&r->arena, "%s/m.c", r->dir);
    r->pl.build = &br;
    assert_int_equal(pipeline_run(&r->pl), PIPE_MANY_NETWORKS);
    assert_int_not_equal(access(br.out, F_OK), 0);
    run_free(r);

    r = run_new();
    vec_push(&r->arena, &r->files,
             (void *)write_tmp(r, "bad.net",
                               "network e {\n    x = input(shape=(2, 2, 1));\n"
                               "    conv2d(x, filters=1, kernel=3);\n}\n"));
    br.out = arena_printf(&r->arena, "%s/m.c", r->dir);
    r->pl.build = &br;
    assert_int_equal(pipeline_run(&r->pl), PIPE_ERRORS);
    assert_int_not_equal(access(br.out, F_OK), 0);
    run_free(r);

    r = run_new();
    const char *missing = arena_printf(&r->arena, "%s/missing.net", r->dir);
    vec_push(&r->arena, &r->files, (void *)missing);
    vec_push(&r->arena, &r->files, (void *)write_tmp(r, "two.net", TWO));
    /* check goes on with the other files; build stops */
    assert_int_equal(pipeline_run(&r->pl), PIPE_OK);
    assert_int_equal(r->pl.failures.len, 1);
    assert_string_equal(r->pl.failures.data[0],
                        arena_printf(&r->arena, "cannot read '%s': No such file or directory",
                                     missing));
    assert_int_equal(r->pl.units.len, 2);
    run_free(r);

    r = run_new();
    vec_push(&r->arena, &r->files, (void *)arena_printf(&r->arena, "%s/missing.net", r->dir));
    br.out = arena_printf(&r->arena, "%s/m.c", r->dir);
    r->pl.build = &br;
    assert_int_equal(pipeline_run(&r->pl), PIPE_UNREADABLE);
    assert_int_equal(r->pl.units.len, 0);
    run_free(r);
}

static void test_build(void **state) {
    (void)state;
    Run *r = run_new();
    vec_push(&r->arena, &r->files, (void *)write_tmp(r, "two.net", TWO));
    BuildRequest br = {.kind = EMIT_C, .seed = 1};
    br.out = arena_printf(&r->arena, "%s/m.c", r->dir);
    r->pl.build = &br;
    r->pl.network = "b";
    assert_int_equal(pipeline_run(&r->pl), PIPE_OK);
    assert_int_equal(access(br.out, F_OK), 0);
    assert_int_equal(access(arena_printf(&r->arena, "%s/m.h", r->dir), F_OK), 0);
    /* the plan made by the front end went to lower, which freed it */
    assert_false(((Unit *)r->pl.units.data[0])->planned);
    run_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_front_only),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
