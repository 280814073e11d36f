/* test_weights.c: weights_load against small graphs.
**
** Each test parses a .net string with the front end, writes a safetensors
** file into a temporary directory, loads it, and pins the `weights`
** diagnostics: their text, place and layer.
*/
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "st_writer.h"
#include "weights.h"

static char tmpdir[256];

/* One compilation: the front end on a string. */
typedef struct Net {
    Arena arena;
    Diags d;
    Program p;
    WarnConfig cfg;
    Graph *g;
} Net;

static Net *net_new(const char *src) {
    Net *n = calloc(1, sizeof *n);
    assert_non_null(n);
    n->d.arena = &n->arena;
    n->p.arena = &n->arena;
    n->p.diags = &n->d;
    for (int i = 0; i < W__COUNT; i++)
        n->cfg.enabled[i] = true;
    n->cfg.rf_min = 0.5;
    n->d.config = &n->cfg;
    SourceFile *f = parse_root(&n->p, "test.net", "test.net", src, strlen(src));
    assert_non_null(f);
    assert_true(f->networks.len >= 1);
    n->g = resolve_network(&n->p, f->networks.data[0]);
    analyse(n->g, &n->d, &n->cfg);
    return n;
}

static void net_free(Net *n) {
    arena_free(&n->arena);
    free(n);
}

static const Node *node(const Net *n, const char *name) {
    for (int i = 0; i < n->g->nodes.len; i++)
        if (strcmp(graph_node(n->g, i)->name, name) == 0)
            return graph_node(n->g, i);
    fail_msg("no node '%s'", name);
    return NULL;
}

/* The `weights` diagnostics, in report order. */
static int nweights(const Net *n) {
    int k = 0;
    for (int i = 0; i < n->d.list.len; i++)
        k += strcmp(((Diag *)n->d.list.data[i])->id, "weights") == 0;
    return k;
}

static const Diag *wdiag(const Net *n, int which) {
    for (int i = 0; i < n->d.list.len; i++) {
        const Diag *g = n->d.list.data[i];
        if (strcmp(g->id, "weights") == 0 && which-- == 0)
            return g;
    }
    fail_msg("no weights diagnostic #%d", which);
    return NULL;
}

static void dump(const Net *n) {
    for (int i = 0; i < n->d.list.len; i++) {
        const Diag *g = n->d.list.data[i];
        print_error("  %d:%d [%s] %s\n", g->span.line, g->span.col, g->id, g->msg);
    }
}

/* The diagnostic `which` says `msg` at line `line` (0: the file) of layer
** `layer` (NULL: none). */
static void expect_diag(const Net *n, int which, Severity sev, int line, const char *layer,
                        const char *msg) {
    const Diag *g = wdiag(n, which);
    if (strcmp(g->msg, msg) != 0)
        dump(n);
    assert_string_equal(g->msg, msg);
    assert_int_equal(g->sev, sev);
    assert_int_equal(g->span.line, line);
    if (layer) {
        assert_non_null(g->layer);
        assert_string_equal(g->layer, layer);
    } else {
        assert_null(g->layer);
    }
}

static char *path_of(const char *name) {
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
    return buf;
}

static void save(StWriter *w, const char *path) {
    size_t len;
    unsigned char *b = stw_finish(w, &len);
    assert_int_equal(write_bytes(path, b, len), 0);
    free(b);
}

/* line 1 .. 8 */
static const char *SRC =
    "network t {\n"
    "    x = input(shape=(8, 8, 3));\n"
    "    c1 = conv2d(filters=4, kernel=3, bias=false);\n"
    "    bn = batchnorm();\n"
    "    r = relu();\n"
    "    dw = depthwise_conv2d(kernel=3, multiplier=2);\n"
    "    g = global_avgpool2d();\n"
    "    fc = dense(units=5);\n"
    "}\n";

/* Everything SRC needs, in state_dict order; `skip` left out. */
static void add_all(StWriter *w, const char *skip) {
    static const char *t[][3] = {
        {"c1.weight", "F32", "4,3,3,3"},   {"bn.weight", "F32", "4"},
        {"bn.bias", "F32", "4"},           {"bn.running_mean", "F32", "4"},
        {"bn.running_var", "F32", "4"},    {"bn.num_batches_tracked", "I64", ""},
        {"dw.weight", "F32", "8,1,3,3"},   {"dw.bias", "F32", "8"},
        {"fc.weight", "F32", "5,8"},       {"fc.bias", "F32", "5"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (!skip || !strstr(skip, t[i][0]))
            stw_add(w, t[i][0], t[i][1], t[i][2]);
}

static void test_all_present(void **state) {
    Net *n = net_new(SRC);
    assert_int_equal(n->d.errors, 0);
    StWriter w;
    stw_init(&w);
    add_all(&w, NULL);
    const char *p = path_of("ok.safetensors");
    save(&w, p);
    WeightSet ws;
    assert_true(weights_load(n->g, p, false, &n->d, &ws));
    assert_int_equal(nweights(n), 0);
    assert_int_equal(ws.n, n->g->nodes.len);
    const NodeWeights *c1 = &ws.w[node(n, "c1")->id];
    assert_non_null(c1->weight);
    assert_null(c1->bias);
    assert_true(c1->weight[107] == stw_value(0, 107));
    const NodeWeights *bn = &ws.w[node(n, "bn")->id];
    assert_true(bn->weight[1] == stw_value(1, 1));
    assert_true(bn->bias[2] == stw_value(2, 2));
    assert_true(bn->mean[3] == stw_value(3, 3));
    assert_true(bn->var[0] == stw_value(4, 0));
    const NodeWeights *fc = &ws.w[node(n, "fc")->id];
    assert_true(fc->weight[29] == stw_value(8, 29));
    assert_true(fc->bias[4] == stw_value(9, 4));
    const NodeWeights *r = &ws.w[node(n, "r")->id];
    assert_null(r->weight);
    weights_free(&ws);
    assert_null(ws.w);
    net_free(n);
}

static void test_missing(void **state) {
    Net *n = net_new(SRC);
    StWriter w;
    stw_init(&w);
    add_all(&w, "bn.running_var fc.bias");
    const char *p = path_of("missing.safetensors");
    save(&w, p);
    WeightSet ws;
    assert_false(weights_load(n->g, p, false, &n->d, &ws));
    assert_null(ws.w);
    assert_int_equal(nweights(n), 2);
    char msg[600];
    snprintf(msg, sizeof msg, "tensor 'bn.running_var' [4] is missing from '%s'", p);
    expect_diag(n, 0, SEV_ERROR, 4, "bn", msg);
    snprintf(msg, sizeof msg, "tensor 'fc.bias' [5] is missing from '%s'", p);
    expect_diag(n, 1, SEV_ERROR, 8, "fc", msg);
    assert_int_equal(wdiag(n, 1)->span.col, 5);
    assert_int_equal(wdiag(n, 1)->caret_len, 2);
    net_free(n);
}

/* A layer whose tensors are all in the file under a near name (a '-' the
** layer's name could not hold): one error with the fix, nothing unexpected. */
static void test_near_names(void **state) {
    (void)state;
    Net *n = net_new("network near {\n"
                     "    x = input(shape=(4, 4, 2));\n"
                     "    trunk.block1_0.proj = conv2d(filters=3, kernel=1);\n"
                     "    \"trunk.block1-1.proj\" = conv2d(filters=3, kernel=1);\n"
                     "}\n");
    StWriter w;
    stw_init(&w);
    stw_add(&w, "trunk.block1-0.proj.weight", "F32", "3,2,1,1");
    stw_add(&w, "trunk.block1-0.proj.bias", "F32", "3");
    stw_add(&w, "trunk.block1-1.proj.weight", "F32", "3,3,1,1");
    stw_add(&w, "trunk.block1-1.proj.bias", "F32", "3");
    const char *p = path_of("near.safetensors");
    save(&w, p);
    WeightSet ws;
    assert_false(weights_load(n->g, p, false, &n->d, &ws));
    assert_int_equal(nweights(n), 1);
    char msg[1200];
    snprintf(msg, sizeof msg,
             "the tensors of conv2d 'trunk.block1_0.proj' are not in '%s', but "
             "'trunk.block1-0.proj.*' are: name the layer \"trunk.block1-0.proj\" (a quoted "
             "name)",
             p);
    expect_diag(n, 0, SEV_ERROR, 3, "trunk.block1_0.proj", msg);
    net_free(n);
}

static void test_misshaped_and_dtype(void **state) {
    Net *n = net_new(SRC);
    StWriter w;
    stw_init(&w);
    add_all(&w, "c1.weight fc.weight dw.bias");
    stw_add(&w, "c1.weight", "F32", "4,1,3,3");
    stw_add(&w, "fc.weight", "F16", "5,8");
    stw_add(&w, "dw.bias", "F64", "6,1");
    const char *p = path_of("shape.safetensors");
    save(&w, p);
    WeightSet ws;
    assert_false(weights_load(n->g, p, false, &n->d, &ws));
    assert_int_equal(nweights(n), 4);
    char msg[600];
    snprintf(msg, sizeof msg, "tensor 'c1.weight' has shape [4, 1, 3, 3] in '%s', expected [4, 3, 3, 3]", p);
    expect_diag(n, 0, SEV_ERROR, 3, "c1", msg);
    snprintf(msg, sizeof msg, "tensor 'dw.bias' has dtype F64 in '%s', expected F32", p);
    expect_diag(n, 1, SEV_ERROR, 6, "dw", msg);
    snprintf(msg, sizeof msg, "tensor 'dw.bias' has shape [6, 1] in '%s', expected [8]", p);
    expect_diag(n, 2, SEV_ERROR, 6, "dw", msg);
    snprintf(msg, sizeof msg, "tensor 'fc.weight' has dtype F16 in '%s', expected F32", p);
    expect_diag(n, 3, SEV_ERROR, 8, "fc", msg);
    net_free(n);
}

static void test_extra(void **state) {
    for (int allow = 0; allow <= 1; allow++) {
        Net *n = net_new(SRC);
        int errors0 = n->d.errors, warnings0 = n->d.warnings;
        StWriter w;
        stw_init(&w);
        add_all(&w, NULL);
        stw_add(&w, "c1.bias", "F32", "4");
        stw_add(&w, "r.weight", "F32", "4");
        stw_add(&w, "fc.scale", "F32", "5");
        stw_add(&w, "head.fc.weight", "F16", "2,2");
        stw_add(&w, "stray", "U8", "");
        stw_add(&w, "other.num_batches_tracked", "F32", "3");
        const char *p = path_of("extra.safetensors");
        save(&w, p);
        WeightSet ws;
        bool ok = weights_load(n->g, p, allow, &n->d, &ws);
        assert_int_equal(ok, allow);
        Severity sev = allow ? SEV_WARNING : SEV_ERROR;
        assert_int_equal(nweights(n), 5);
        char msg[600];
        snprintf(msg, sizeof msg, "unexpected tensor 'c1.bias' [4] in '%s': conv2d 'c1' has bias=false", p);
        expect_diag(n, 0, sev, 3, "c1", msg);
        snprintf(msg, sizeof msg, "unexpected tensor 'r.weight' [4] in '%s': relu 'r' has no weights", p);
        expect_diag(n, 1, sev, 5, "r", msg);
        snprintf(msg, sizeof msg, "unexpected tensor 'fc.scale' [5] in '%s'", p);
        expect_diag(n, 2, sev, 8, "fc", msg);
        snprintf(msg, sizeof msg, "unexpected tensor 'head.fc.weight' [2, 2] in '%s': network 't' has no layer 'head.fc'", p);
        expect_diag(n, 3, sev, 0, NULL, msg);
        assert_string_equal(wdiag(n, 3)->file->display, p);
        snprintf(msg, sizeof msg, "unexpected tensor 'stray' [] in '%s'", p);
        expect_diag(n, 4, sev, 0, NULL, msg);
        assert_int_equal(n->d.errors, errors0 + (allow ? 0 : 5));
        assert_int_equal(n->d.warnings, warnings0 + (allow ? 5 : 0));
        if (ok) {
            assert_non_null(ws.w[node(n, "fc")->id].weight);
            weights_free(&ws);
        }
        net_free(n);
    }
}

/* The whole text as netc prints it: a layer error with its caret, and a
** file-level error. */
static void test_printed(void **state) {
    Net *n = net_new(SRC);
    StWriter w;
    stw_init(&w);
    add_all(&w, "fc.bias");
    stw_add(&w, "head.weight", "F32", "1");
    const char *p = path_of("print.safetensors");
    save(&w, p);
    WeightSet ws;
    assert_false(weights_load(n->g, p, false, &n->d, &ws));
    Diags only = {.arena = &n->arena};
    for (int i = 0; i < n->d.list.len; i++)
        if (strcmp(((Diag *)n->d.list.data[i])->id, "weights") == 0)
            vec_push(&n->arena, &only.list, n->d.list.data[i]);
    diag_sort(&only);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    diag_print_text(&only, out, false);
    fclose(out);
    char want[2048];
    snprintf(want, sizeof want,
             "test.net:8:5: error: tensor 'fc.bias' [5] is missing from '%s' [weights]\n"
             "    8 |     fc = dense(units=5);\n"
             "      |     ^~\n"
             "%s: error: unexpected tensor 'head.weight' [1] in '%s': network 't' has no layer 'head' [weights]\n",
             p, p, p);
    assert_string_equal(text, want);
    free(text);
    net_free(n);
}

static void test_bad_file(void **state) {
    Net *n = net_new(SRC);
    const char *p = path_of("bad.safetensors");
    size_t len;
    unsigned char *b = st_file("{\"x\": [", 0, &len);
    assert_int_equal(write_bytes(p, b, len), 0);
    free(b);
    WeightSet ws;
    assert_false(weights_load(n->g, p, false, &n->d, &ws));
    assert_int_equal(nweights(n), 1);
    expect_diag(n, 0, SEV_ERROR, 0, NULL,
                "not a valid safetensors file: header is not valid JSON (byte 7 of the header)");
    assert_string_equal(wdiag(n, 0)->file->display, p);

    const char *none = path_of("does-not-exist.safetensors");
    assert_false(weights_load(n->g, none, false, &n->d, &ws));
    char msg[600];
    snprintf(msg, sizeof msg, "cannot read '%s': No such file or directory", none);
    expect_diag(n, 1, SEV_ERROR, 0, NULL, msg);
    net_free(n);
}

/* Blocks: dotted names; an error inside a block notes the call site. A
** grouped conv's weight is [out, in/groups, kh, kw]. */
static void test_blocks_and_groups(void **state) {
    Net *n = net_new("block unit(x, *, f) {\n"
                     "    conv1 = conv2d(x, filters=f, kernel=1, groups=2);\n"
                     "    bn1 = batchnorm();\n"
                     "    return bn1;\n"
                     "}\n"
                     "network t {\n"
                     "    x = input(shape=(4, 4, 4));\n"
                     "    layer1.0 = unit(x, f=6);\n"
                     "}\n");
    assert_int_equal(n->d.errors, 0);
    StWriter w;
    stw_init(&w);
    stw_add(&w, "layer1.0.conv1.weight", "F32", "6,4,1,1");
    stw_add(&w, "layer1.0.conv1.bias", "F32", "6");
    stw_add(&w, "layer1.0.bn1.weight", "F32", "6");
    stw_add(&w, "layer1.0.bn1.bias", "F32", "6");
    stw_add(&w, "layer1.0.bn1.running_mean", "F32", "6");
    stw_add(&w, "layer1.0.bn1.running_var", "F32", "6");
    const char *p = path_of("block.safetensors");
    save(&w, p);
    WeightSet ws;
    assert_false(weights_load(n->g, p, false, &n->d, &ws));
    assert_int_equal(nweights(n), 1);
    char msg[600];
    snprintf(msg, sizeof msg,
             "tensor 'layer1.0.conv1.weight' has shape [6, 4, 1, 1] in '%s', expected [6, 2, 1, 1]", p);
    expect_diag(n, 0, SEV_ERROR, 2, "layer1.0.conv1", msg);
    const Diag *g = wdiag(n, 0);
    assert_int_equal(g->notes.len, 1);
    const Note *note = g->notes.data[0];
    assert_int_equal(note->span.line, 8);
    assert_string_equal(note->msg, "in block 'unit', called as 'layer1.0' here");
    net_free(n);
}

/* A layer already in error has no tensors to check: no cascade. */
static void test_bad_node_skipped(void **state) {
    Net *n = net_new("network t {\n"
                     "    x = input(shape=(2, 2, 1));\n"
                     "    c = conv2d(filters=2, kernel=5);\n"
                     "    d = dense(units=3);\n"
                     "}\n");
    assert_true(n->d.errors > 0);
    StWriter w;
    stw_init(&w);
    stw_add(&w, "c.weight", "F32", "2,1,5,5");
    stw_add(&w, "c.bias", "F32", "2");
    const char *p = path_of("badnode.safetensors");
    save(&w, p);
    WeightSet ws;
    assert_true(weights_load(n->g, p, false, &n->d, &ws));
    assert_int_equal(nweights(n), 0);
    weights_free(&ws);
    net_free(n);
}

static void test_random(void **state) {
    Net *n = net_new(SRC);
    WeightSet a, b, c;
    weights_random(n->g, 42, &a);
    weights_random(n->g, 42, &b);
    weights_random(n->g, 43, &c);
    const Node *c1 = node(n, "c1"), *bn = node(n, "bn"), *fc = node(n, "fc"), *dw = node(n, "dw");
    assert_memory_equal(a.w[c1->id].weight, b.w[c1->id].weight, 108 * sizeof(float));
    assert_memory_not_equal(a.w[c1->id].weight, c.w[c1->id].weight, 108 * sizeof(float));
    assert_null(a.w[c1->id].bias);
    double bound = 1.0 / sqrt(27.0);
    for (int k = 0; k < 108; k++)
        assert_true(fabs(a.w[c1->id].weight[k]) <= bound);
    for (int k = 0; k < 72; k++)
        assert_true(fabs(a.w[dw->id].weight[k]) <= 1.0 / 3.0);
    for (int k = 0; k < 8; k++)
        assert_true(fabs(a.w[dw->id].bias[k]) <= 1.0 / 3.0);
    for (int k = 0; k < 5; k++)
        assert_true(fabs(a.w[fc->id].bias[k]) <= 1.0 / sqrt(8.0));
    for (int k = 0; k < 4; k++) {
        const NodeWeights *w = &a.w[bn->id];
        assert_true(w->weight[k] >= 0.9f && w->weight[k] <= 1.1f);
        assert_true(fabs(w->bias[k]) <= 0.1f);
        assert_true(fabs(w->mean[k]) <= 0.1f);
        assert_true(w->var[k] >= 0.5f && w->var[k] <= 1.5f);
    }
    /* the values spread over the range, not all one number */
    assert_true(a.w[fc->id].weight[0] != a.w[fc->id].weight[1]);
    /* pinned: the stream is documented (docs/build.md) and reproduced by
    ** the PyTorch fixture script; this is its first value for seed 42,
    ** float((2u − 1)/√27) with u the top 24 bits of splitmix64's first
    ** output over 2^24, computed independently */
    uint32_t bits;
    memcpy(&bits, &a.w[c1->id].weight[0], 4);
    assert_int_equal(bits, 0x3dbe6b70); /* 0.0929783583 */
    weights_free(&a);
    weights_free(&b);
    weights_free(&c);
    net_free(n);
}

static int setup(void **state) {
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/netc-weights-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_present),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_misshaped_and_dtype),
        cmocka_unit_test(test_extra),
        cmocka_unit_test(test_printed),
        cmocka_unit_test(test_bad_file),
        cmocka_unit_test(test_blocks_and_groups),
        cmocka_unit_test(test_bad_node_skipped),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_near_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
