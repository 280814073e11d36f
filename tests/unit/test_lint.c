/* test_lint.c: the warnings (lint.c) and how they are configured.
**
** For every warning id (docs/language.md, "Warnings"): a minimal network
** where it fires (its place, layer and message) and a near miss where it
** must not. Then the configuration: WarnConfig's enabled and werror, the
** --rf-min threshold, and `# netc: disable=ID` comments after a layer's
** statement or alone on the line above it.
**
** Message texts are the documented ones where docs give them ("final layer
** 'conv2d_3' sees only 7×7 of the 28×28 input", "maxpool2d 'maxpool2d_2'
** ignores the last row and column of its 11×11 input") and follow the forms
** of docs/language.md elsewhere.
*/
#include "helpers.h"

#include <string.h>

/* docs/getting-started.md's first network (examples/seed.net), line for
** line. */
static const char *SEED =
    "# The convnet from \"Deep Learning with Python\", section 5.1, without pooling.\n"
    "network mnist_nopool {\n"
    "    x = input(shape=(28, 28, 1));\n"
    "\n"
    "    conv2d(filters=32, kernel=3, activation=relu);\n"
    "    conv2d(filters=64, kernel=3, activation=relu);\n"
    "    conv2d(filters=64, kernel=3, activation=relu);\n"
    "    flatten();\n"
    "    dense(units=64, activation=relu);\n"
    "    dense(units=10, activation=softmax);\n"
    "}\n";

/* examples/mnist.net's network, with conv2d_1 on line 4. */
static const char *MNIST =
    "# MNIST convnet with max pooling, Chollet, \"Deep Learning with Python\" (1st ed.), section 5.1: 93,322 params.\n"
    "network mnist {\n"
    "    x = input(shape=(28, 28, 1));\n"
    "    conv2d(filters=32, kernel=3, activation=relu);\n"
    "    maxpool2d(size=2);\n"
    "    conv2d(filters=64, kernel=3, activation=relu);\n"
    "    maxpool2d(size=2);\n"
    "    conv2d(filters=64, kernel=3, activation=relu);\n"
    "    flatten();\n"
    "    dense(units=64, activation=relu);\n"
    "    dense(units=10, activation=softmax);\n"
    "}\n";

static TestNet *net(const char *in, const char *body) {
    Buf b = {0};
    buf_printf(&b, "network n {\n    x = input(shape=%s);\n%s}\n", in, body);
    TestNet *t = tn_analyse(b.data, NULL);
    buf_free(&b);
    return t;
}

static TestNet *net_cfg(const char *in, const char *body, const WarnConfig *cfg) {
    Buf b = {0};
    buf_printf(&b, "network n {\n    x = input(shape=%s);\n%s}\n", in, body);
    TestNet *t = tn_analyse_cfg(b.data, NULL, cfg);
    buf_free(&b);
    return t;
}

static bool note_contains(const Diag *d, int k, const char *s) {
    if (k >= d->notes.len)
        return false;
    return strstr(((const Note *)d->notes.data[k])->msg, s) != NULL;
}

/* Asserts exactly one warning `id`, at line:col, about `layer`, with
** message `msg` (NULL: any). */
static const Diag *one(TestNet *t, const char *id, int line, int col, const char *layer,
                       const char *msg) {
    assert_count(t, id, 1);
    const Diag *d = tn_diag(t, id);
    assert_int_equal(d->sev, SEV_WARNING);
    assert_at(d, line, col);
    assert_non_null(d->layer);
    assert_string_equal(d->layer, layer);
    if (msg)
        assert_string_equal(d->msg, msg);
    return d;
}

/*
** rf-coverage
*/

static void test_rf_coverage_seed(void **state) {
    (void)state;
    TestNet *t = tn_analyse(SEED, NULL);
    assert_no_errors(t);
    const Diag *d = one(t, "rf-coverage", 7, 5, "conv2d_3",
                        "final layer 'conv2d_3' sees only 7×7 of the 28×28 input");
    /* the caret underlines the op, the first token of an unnamed call */
    assert_int_equal(d->caret_len, 6);
    /* a note on how the field grew ... */
    assert_true(d->notes.len >= 1);
    assert_true(note_contains(d, 0, "'conv2d_1'"));
    assert_true(note_contains(d, 0, "3×3"));
    assert_true(note_contains(d, 0, "5×5"));
    assert_true(note_contains(d, 0, "7×7"));
    /* ... and the fix: one 2×2 max pool right after the input gives
    ** 2 → 6 → 10 → 14, the bar (0.5·28); any later one falls short
    ** (after conv2d_1: 4 → 8 → 12) */
    assert_int_equal(d->notes.len, 2);
    assert_true(note_contains(d, 1, "maxpool2d(size=2)"));
    assert_true(note_contains(d, 1, "'x'"));
    assert_true(note_contains(d, 1, "14×14"));
    tn_free(t);
}

/* mnist: conv2d_3 sees 18×18 ≥ 14. */
static void test_rf_coverage_near_miss(void **state) {
    (void)state;
    TestNet *t = tn_analyse(MNIST, NULL);
    assert_no_errors(t);
    assert_count(t, "rf-coverage", 0);
    tn_free(t);

    /* exactly at the bar does not warn: 16 of 32 */
    t = net("(32, 32, 1)", "    c = conv2d(filters=1, kernel=16);\n    f = flatten();\n");
    assert_count(t, "rf-coverage", 0);
    tn_free(t);
    t = net("(32, 32, 1)", "    c = conv2d(filters=1, kernel=15);\n    f = flatten();\n");
    one(t, "rf-coverage", 3, 5, "c", "final layer 'c' sees only 15×15 of the 32×32 input");
    tn_free(t);
}

/* Where it looks: tensors feeding flatten, dense or a global pool, and
** spatial network outputs; on each axis; never an input layer. */
static void test_rf_coverage_where(void **state) {
    (void)state;
    /* one axis short: 9 < 10 */
    TestNet *t = net("(28, 20, 1)",
                     "    c = conv2d(filters=1, kernel=(15, 9));\n    g = global_avgpool2d();\n");
    one(t, "rf-coverage", 3, 5, "c", "final layer 'c' sees only 15×9 of the 28×20 input");
    tn_free(t);

    /* a spatial output; the conv before it does not feed a final layer */
    t = net("(12, 12, 1)",
            "    a = conv2d(filters=1, kernel=3);\n    b = conv2d(filters=1, kernel=3);\n");
    one(t, "rf-coverage", 4, 5, "b", "final layer 'b' sees only 5×5 of the 12×12 input");
    tn_free(t);

    /* a global max pool; after it the tensor is flat */
    t = net("(10, 10, 1)",
            "    a = conv2d(filters=1, kernel=3);\n"
            "    g = global_maxpool2d();\n"
            "    d = dense(units=2);\n");
    one(t, "rf-coverage", 3, 5, "a", "final layer 'a' sees only 3×3 of the 10×10 input");
    tn_free(t);

    /* never the input itself */
    t = net("(10, 10, 1)", "    f = flatten();\n    d = dense(units=2);\n");
    assert_count(t, "rf-coverage", 0);
    tn_free(t);

    /* a flat network has no spatial field */
    t = net("(100)", "    d = dense(units=2);\n");
    assert_count(t, "rf-coverage", 0);
    tn_free(t);
}

/* With two inputs, the growth note follows the path of the field the
** warning is about (relative to x), not a larger field from y. */
static void test_rf_coverage_note_two_inputs(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)",
                     "    y = input(shape=(8, 8, 1));\n"
                     "    a = conv2d(x, filters=1, kernel=3, padding=1);\n"
                     "    b = conv2d(y, filters=1, kernel=5, padding=2);\n"
                     "    s = add(b, a);\n"
                     "    f = flatten(s);\n");
    const Diag *d = one(t, "rf-coverage", 6, 5, "s", "final layer 's' sees only 3×3 of the 8×8 input");
    assert_true(d->notes.len >= 1);
    if (!note_contains(d, 0, "'x'") || note_contains(d, 0, "'y'"))
        print_error("note: %s\n", ((const Note *)d->notes.data[0])->msg);
    assert_true(note_contains(d, 0, "'x'"));
    assert_true(note_contains(d, 0, "'a'"));
    assert_false(note_contains(d, 0, "'y'"));
    assert_false(note_contains(d, 0, "'b'"));
    tn_free(t);
}

/* --rf-min: the fraction of the input a final layer must see. */
static void test_rf_min(void **state) {
    (void)state;
    WarnConfig c = tn_default_config();
    c.rf_min = 0.25; /* 7 ≥ 0.25·28 = 7 */
    TestNet *t = tn_analyse_cfg(SEED, NULL, &c);
    assert_count(t, "rf-coverage", 0);
    tn_free(t);
    c.rf_min = 0.26; /* 7 < 7.28 */
    t = tn_analyse_cfg(SEED, NULL, &c);
    one(t, "rf-coverage", 7, 5, "conv2d_3",
        "final layer 'conv2d_3' sees only 7×7 of the 28×28 input");
    tn_free(t);
    c.rf_min = 0.7; /* mnist's 18 < 19.6 */
    t = tn_analyse_cfg(MNIST, NULL, &c);
    one(t, "rf-coverage", 8, 5, "conv2d_3",
        "final layer 'conv2d_3' sees only 18×18 of the 28×28 input");
    tn_free(t);
    c.rf_min = 0;
    t = net_cfg("(28, 28, 1)", "    f = flatten();\n    d = dense(units=2);\n", &c);
    assert_count(t, "rf-coverage", 0);
    tn_free(t);
}

/*
** dropped-pixels
*/

static void test_dropped_pixels_mnist(void **state) {
    (void)state;
    TestNet *t = tn_analyse(MNIST, NULL);
    /* 11×11 → 5×5: the last window ends at (5 − 1)·2 − 0 + 2 − 1 = 9 < 10;
    ** maxpool2d_1 on 26×26 ends at 12·2 + 1 = 25: nothing lost */
    const Diag *d =
        one(t, "dropped-pixels", 7, 5, "maxpool2d_2",
            "maxpool2d 'maxpool2d_2' ignores the last row and column of its 11×11 input");
    assert_true(d->notes.len >= 1);
    assert_true(note_contains(d, 0, "= 9"));
    assert_true(note_contains(d, 0, "10"));
    tn_free(t);
}

typedef struct DropCase {
    const char *in, *stmt, *msg; /* msg NULL: must not fire */
} DropCase;

static void test_dropped_pixels_cases(void **state) {
    (void)state;
    static const DropCase cases[] = {
        /* 8: out 3, the last window ends at 2·2 + 2 = 6 < 7 */
        {"(8, 8, 1)", "    c = conv2d(filters=1, kernel=3, stride=2);\n",
         "conv2d 'c' ignores the last row and column of its 8×8 input"},
        /* 7: ends at 6 = 7 − 1 */
        {"(7, 7, 1)", "    c = conv2d(filters=1, kernel=3, stride=2);\n", NULL},
        /* rows only: 11 → 5 ends at 9 < 10; 10 → 5 ends at 9 */
        {"(11, 10, 1)", "    p = maxpool2d(size=2);\n",
         "maxpool2d 'p' ignores the last row of its 11×10 input"},
        /* 11: out 3, ends at 2·3 + 2 = 8 < 10: two rows and columns */
        {"(11, 11, 1)", "    c = conv2d(filters=1, kernel=3, stride=3);\n",
         "conv2d 'c' ignores the last 2 rows and columns of its 11×11 input"},
        /* columns: 11 → 2, ends at 4 + 3 = 7 < 10 */
        {"(5, 11, 1)", "    c = conv2d(filters=1, kernel=(1, 4), stride=(1, 4));\n",
         "conv2d 'c' ignores the last 3 columns of its 5×11 input"},
        /* rows 11 → 3 ends at 8 (2 lost), columns 9 → 4 ends at 7 (1 lost) */
        {"(11, 9, 1)", "    p = maxpool2d(size=(3, 2));\n",
         "maxpool2d 'p' ignores the last 2 rows and the last column of its 11×9 input"},
        /* padding counts: 8 → 4, ends at 3·2 − 1 + 2 = 7 */
        {"(8, 8, 1)", "    c = conv2d(filters=1, kernel=3, stride=2, padding=1);\n", NULL},
        /* ResNet's pool: 112 → 56, ends at 55·2 − 1 + 2 = 111 */
        {"(112, 112, 1)", "    p = maxpool2d(size=3, stride=2, padding=1);\n", NULL},
        /* TF SAME on an even input: 224 → 112, ends at 111·2 − 0 + 2 = 224 */
        {"(224, 224, 1)", "    c = conv2d(filters=1, kernel=3, stride=2, padding=same);\n", NULL},
        /* stride above the kernel is stride-gap's case, not this one */
        {"(10, 10, 1)", "    c = conv2d(filters=1, kernel=1, stride=2);\n", NULL},
        /* a dilated kernel: ke 5, 10 → 3, ends at 2·2 + 4 = 8 < 9 */
        {"(10, 10, 1)", "    c = conv2d(filters=1, kernel=3, dilation=2, stride=2);\n",
         "conv2d 'c' ignores the last row and column of its 10×10 input"},
        /* avgpool with ceil reads the end: 11 → 6 */
        {"(11, 11, 1)", "    p = avgpool2d(size=2, ceil=true);\n", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        TestNet *t = net(cases[i].in, cases[i].stmt);
        assert_no_errors(t);
        int want = cases[i].msg ? 1 : 0;
        if (tn_count(t, "dropped-pixels") != want)
            print_error("case %zu: %s%s", i, cases[i].stmt, tn_dump(t));
        assert_int_equal(tn_count(t, "dropped-pixels"), want);
        if (cases[i].msg) {
            const Diag *d = tn_diag(t, "dropped-pixels");
            assert_at(d, 3, 5);
            assert_string_equal(d->msg, cases[i].msg);
        }
        tn_free(t);
    }
}

/*
** stride-gap
*/

static void test_stride_gap(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)", "    c = conv2d(filters=1, kernel=1, stride=2);\n");
    const Diag *d = one(t, "stride-gap", 3, 5, "c", NULL);
    assert_true(strncmp(d->msg, "conv2d 'c' has stride 2", 23) == 0);
    tn_free(t);

    /* a pool with a stride above its size; a dilated kernel: ke = 3 < 4 */
    t = net("(12, 12, 1)",
            "    p = maxpool2d(x, size=2, stride=3);\n"
            "    c = conv2d(x, filters=1, kernel=2, dilation=2, stride=4);\n");
    assert_count(t, "stride-gap", 2);
    assert_string_equal(tn_diag_nth(t, "stride-gap", 0)->layer, "p");
    assert_string_equal(tn_diag_nth(t, "stride-gap", 1)->layer, "c");
    tn_free(t);

    /* near misses: stride equal to the (effective) kernel; zeropad2d */
    t = net("(12, 12, 1)",
            "    a = conv2d(x, filters=1, kernel=2, stride=2);\n"
            "    b = conv2d(x, filters=1, kernel=2, dilation=2, stride=3);\n"
            "    c = maxpool2d(x, size=3);\n"
            "    z = zeropad2d(x, padding=1);\n");
    assert_count(t, "stride-gap", 0);
    tn_free(t);
}

/* A shortcut: every consumer path reaches add or concat through batchnorm,
** activations or dropout only; the other branch reads the skipped pixels. */
static void test_stride_gap_shortcut(void **state) {
    (void)state;
    static const char *DOWN =
        "    c1 = conv2d(x, filters=8, kernel=3, stride=2, padding=1, bias=false);\n"
        "    b1 = batchnorm();\n"
        "    r1 = relu();\n"
        "    d0 = conv2d(x, filters=8, kernel=1, stride=2, bias=false);\n"
        "    d1 = batchnorm();\n";
    Buf b = {0};
    buf_printf(&b, "%s    s = add(r1, d1);\n    o = relu(s);\n", DOWN);
    TestNet *t = net("(8, 8, 4)", b.data);
    buf_free(&b);
    assert_no_errors(t);
    assert_count(t, "stride-gap", 0);
    tn_free(t);

    /* the same through dropout and an activation into a concat */
    t = net("(8, 8, 4)",
            "    c1 = conv2d(x, filters=8, kernel=3, stride=2, padding=1);\n"
            "    d0 = conv2d(x, filters=8, kernel=1, stride=2);\n"
            "    d1 = dropout();\n"
            "    d2 = leaky_relu();\n"
            "    s = concat(c1, d2);\n");
    assert_count(t, "stride-gap", 0);
    tn_free(t);

    /* a path through a conv is not a shortcut */
    t = net("(8, 8, 4)",
            "    c1 = conv2d(x, filters=8, kernel=3, stride=2, padding=1);\n"
            "    d0 = conv2d(x, filters=8, kernel=1, stride=2);\n"
            "    d1 = conv2d(filters=8, kernel=1);\n"
            "    s = add(c1, d1);\n");
    one(t, "stride-gap", 4, 5, "d0", NULL);
    tn_free(t);

    /* one consumer reaches the add, the other is a network output */
    t = net("(8, 8, 4)",
            "    c1 = conv2d(x, filters=8, kernel=3, stride=2, padding=1);\n"
            "    d0 = conv2d(x, filters=8, kernel=1, stride=2);\n"
            "    s = add(c1, d0);\n"
            "    r = relu(d0);\n");
    one(t, "stride-gap", 4, 5, "d0", NULL);
    tn_free(t);
}

/*
** bias-before-norm
*/

static void test_bias_before_norm(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 4)",
                     "    c = conv2d(filters=8, kernel=3, padding=1);\n"
                     "    bn = batchnorm();\n");
    const Diag *d = one(t, "bias-before-norm", 3, 5, "c", NULL);
    assert_non_null(strstr(d->msg, "'c'"));
    assert_non_null(strstr(d->msg, "'bn'"));
    tn_free(t);

    t = net("(16)", "    d = dense(units=8);\n    bn = batchnorm();\n");
    one(t, "bias-before-norm", 3, 5, "d", NULL);
    tn_free(t);

    t = net("(8, 8, 4)", "    c = depthwise_conv2d(kernel=3);\n    bn = batchnorm();\n");
    one(t, "bias-before-norm", 3, 5, "c", NULL);
    tn_free(t);

    /* near misses: no bias; an activation in between (in the layer or
    ** after it) */
    t = net("(8, 8, 4)",
            "    a = conv2d(x, filters=8, kernel=3, bias=false);\n"
            "    an = batchnorm();\n"
            "    b = conv2d(x, filters=8, kernel=3, activation=relu);\n"
            "    bn = batchnorm();\n"
            "    c = conv2d(x, filters=8, kernel=3);\n"
            "    cr = relu();\n"
            "    cn = batchnorm();\n");
    assert_count(t, "bias-before-norm", 0);
    tn_free(t);
}

/*
** param-hotspot
*/

static void test_param_hotspot(void **state) {
    (void)state;
    /* dense_1: 30,976·64 + 64 = 1,982,528 of 2,038,922 = 97.2% */
    TestNet *t = tn_analyse(SEED, NULL);
    one(t, "param-hotspot", 9, 5, "dense_1",
        "dense 'dense_1' holds 97% of the network's 2,038,922 parameters");
    tn_free(t);

    /* 100,000 exactly: 999·100 + 100 */
    t = net("(999)", "    d = dense(units=100);\n");
    one(t, "param-hotspot", 3, 5, "d", "dense 'd' holds 100% of the network's 100,000 parameters");
    tn_free(t);

    /* non-trainable parameters count, towards the 100,000 and the share:
    ** the batchnorm holds 4·20,000 = 80,000 (40,000 frozen), the dense
    ** 20,000 + 1; 100,001 in all (60,001 trainable), 80,000 is 80% */
    t = net("(20000)", "    bn = batchnorm();\n    d = dense(units=1);\n");
    assert_true(t->g->params == 100001);
    assert_true(t->g->trainable == 60001);
    one(t, "param-hotspot", 3, 5, "bn",
        "batchnorm 'bn' holds 80% of the network's 100,001 parameters");
    tn_free(t);
}

static void test_param_hotspot_near_miss(void **state) {
    (void)state;
    /* mnist: 93,322 < 100,000 */
    TestNet *t = tn_analyse(MNIST, NULL);
    assert_count(t, "param-hotspot", 0);
    tn_free(t);
    /* 99,998 + 1 = 99,999 parameters, all in one layer */
    t = net("(99998)", "    d = dense(units=1);\n");
    assert_true(t->g->params == 99999);
    assert_count(t, "param-hotspot", 0);
    tn_free(t);
    /* two layers of exactly half: 60,060 each of 120,120 */
    t = net("(1000)", "    a = dense(x, units=60);\n    b = dense(x, units=60);\n");
    assert_true(t->g->params == 120120);
    assert_count(t, "param-hotspot", 0);
    tn_free(t);
}

/*
** rf-misaligned
*/

static void test_rf_misaligned(void **state) {
    (void)state;
    /* TF SAME on an even input puts no padding in front: a's field is
    ** centred at 1, b's at 0 */
    TestNet *t = net("(8, 8, 1)",
                     "    a = conv2d(x, filters=1, kernel=3, stride=2, padding=same);\n"
                     "    b = conv2d(x, filters=1, kernel=1, stride=2);\n"
                     "    s = add(a, b);\n");
    assert_no_errors(t);
    const Diag *d = one(t, "rf-misaligned", 5, 5, "s", NULL);
    assert_non_null(strstr(d->msg, "'s'"));
    assert_non_null(strstr(d->msg, "'a'"));
    assert_non_null(strstr(d->msg, "'b'"));
    tn_free(t);

    /* jumps that differ */
    t = net("(8, 8, 1)",
            "    a = conv2d(x, filters=1, kernel=1, stride=2);\n"
            "    b = conv2d(x, filters=1, kernel=5);\n"
            "    s = concat(a, b);\n");
    d = one(t, "rf-misaligned", 5, 5, "s", NULL);
    assert_non_null(strstr(d->msg, "jump"));
    tn_free(t);

    /* near miss: PyTorch's padding 1 keeps both centred at 0 */
    t = net("(8, 8, 1)",
            "    a = conv2d(x, filters=1, kernel=3, stride=2, padding=1);\n"
            "    b = conv2d(x, filters=1, kernel=1, stride=2);\n"
            "    s = add(a, b);\n");
    assert_count(t, "rf-misaligned", 0);
    tn_free(t);
}

/*
** softmax-not-last
*/

static void test_softmax_not_last(void **state) {
    (void)state;
    TestNet *t = net("(16)", "    a = dense(units=8, activation=softmax);\n    b = dense(units=2);\n");
    const Diag *d = one(t, "softmax-not-last", 3, 5, "a", NULL);
    assert_non_null(strstr(d->msg, "'b'"));
    tn_free(t);

    t = net("(16)", "    s = softmax();\n    r = relu();\n");
    one(t, "softmax-not-last", 3, 5, "s", NULL);
    tn_free(t);

    t = net("(4, 4, 1)", "    c = conv2d(filters=2, kernel=1, activation=softmax);\n    f = flatten();\n");
    one(t, "softmax-not-last", 3, 5, "c", NULL);
    tn_free(t);

    /* near misses: at the end */
    t = net("(16)",
            "    a = dense(units=8, activation=relu);\n"
            "    b = dense(units=2, activation=softmax);\n"
            "    c = softmax(a);\n");
    assert_count(t, "softmax-not-last", 0);
    tn_free(t);
}

/*
** unused
*/

static void test_unused(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)",
                     "    a = relu(x);\n"
                     "    b = relu(x);\n"
                     "    relu(x);\n"
                     "    output a;\n");
    assert_count(t, "unused", 2);
    const Diag *d = tn_diag_msg(t, "unused", "'b' is never used");
    assert_non_null(d);
    assert_at(d, 4, 5);
    assert_string_equal(d->layer, "b");
    d = tn_diag_msg(t, "unused", "'relu_1' is never used");
    assert_non_null(d);
    assert_at(d, 5, 5);
    tn_free(t);

    /* an input nobody reads, under `output` */
    t = net("(8, 8, 1)", "    y = input(shape=(4));\n    a = relu(x);\n    output a;\n");
    assert_count(t, "unused", 1);
    assert_non_null(tn_diag_msg(t, "unused", "'y' is never used"));
    tn_free(t);

    /* near misses: without `output` every unconsumed tensor is an output;
    ** with it, consumed tensors and outputs are used */
    t = net("(8, 8, 1)", "    a = relu(x);\n    b = relu(x);\n");
    assert_count(t, "unused", 0);
    tn_free(t);
    t = net("(8, 8, 1)", "    a = relu(x);\n    b = relu(a);\n    output b, x;\n");
    assert_count(t, "unused", 0);
    tn_free(t);
}

/*
** Warnings in blocks
*/

/* A warning about a layer inside a block is located in the block, names
** the full layer name and has a note at the call site. */
static void test_warning_in_block(void **state) {
    (void)state;
    TestNet *t = tn_analyse("block down(t) {\n"
                            "    c = conv2d(t, filters=1, kernel=1, stride=2);\n"
                            "    return c;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    l1 = down(x);\n"
                            "}\n",
                            NULL);
    const Diag *d = one(t, "stride-gap", 2, 5, "l1.c", NULL);
    assert_int_equal(d->notes.len, 1);
    const Note *n = d->notes.data[0];
    assert_int_equal(n->span.line, 7);
    assert_string_equal(n->msg, "in block 'down', called as 'l1' here");
    tn_free(t);
}

/*
** Configuration
*/

static void test_config_enabled(void **state) {
    (void)state;
    WarnConfig c = tn_default_config();
    c.enabled[W_RF_COVERAGE] = false;
    TestNet *t = tn_analyse_cfg(SEED, NULL, &c);
    assert_count(t, "rf-coverage", 0);
    assert_count(t, "param-hotspot", 1);
    tn_free(t);

    c = tn_default_config();
    for (int i = 0; i < W__COUNT; i++)
        c.enabled[i] = false;
    t = tn_analyse_cfg(SEED, NULL, &c);
    assert_int_equal(t->diags.list.len, 0);
    tn_free(t);
}

/* -Werror: the warning becomes an error, its id stays. */
static void test_config_werror(void **state) {
    (void)state;
    WarnConfig c = tn_default_config();
    c.werror[W_RF_COVERAGE] = true;
    TestNet *t = tn_analyse_cfg(SEED, NULL, &c);
    assert_count(t, "rf-coverage", 1);
    const Diag *d = tn_diag(t, "rf-coverage");
    assert_int_equal(d->sev, SEV_ERROR);
    assert_string_equal(d->msg, "final layer 'conv2d_3' sees only 7×7 of the 28×28 input");
    assert_int_equal(t->diags.errors, 1);
    assert_int_equal(t->diags.warnings, 1); /* param-hotspot stays a warning */
    assert_int_equal(tn_diag(t, "param-hotspot")->sev, SEV_WARNING);
    tn_free(t);

    /* a disabled warning is not an error either */
    c.enabled[W_RF_COVERAGE] = false;
    t = tn_analyse_cfg(SEED, NULL, &c);
    assert_count(t, "rf-coverage", 0);
    assert_int_equal(t->diags.errors, 0);
    tn_free(t);
}

/* The seed file with `extra` inserted before line `at` (1-based). */
static TestNet *seed_with(int at, const char *extra) {
    Buf b = {0};
    const char *p = SEED;
    for (int line = 1; *p; line++) {
        if (line == at)
            buf_puts(&b, extra);
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p + 1) : strlen(p);
        for (size_t i = 0; i < n; i++)
            buf_putc(&b, p[i]);
        p += n;
    }
    TestNet *t = tn_analyse(b.data, NULL);
    buf_free(&b);
    return t;
}

static void test_disable_comments(void **state) {
    (void)state;
    /* on the line above the layer (conv2d_3 moves to line 8) */
    TestNet *t = seed_with(7, "    # netc: disable=rf-coverage\n");
    assert_count(t, "rf-coverage", 0);
    assert_count(t, "param-hotspot", 1);
    tn_free(t);

    /* a list of ids */
    t = seed_with(7, "    # netc: disable=dropped-pixels,rf-coverage\n");
    assert_count(t, "rf-coverage", 0);
    tn_free(t);

    /* `all` */
    t = seed_with(7, "    # netc: disable=all\n");
    assert_count(t, "rf-coverage", 0);
    assert_count(t, "param-hotspot", 1); /* dense_1, another layer */
    tn_free(t);

    /* two lines above does not count */
    t = seed_with(6, "    # netc: disable=rf-coverage\n");
    one(t, "rf-coverage", 8, 5, "conv2d_3", NULL);
    tn_free(t);

    /* another id does not silence it */
    t = seed_with(7, "    # netc: disable=param-hotspot\n");
    one(t, "rf-coverage", 8, 5, "conv2d_3", NULL);
    assert_count(t, "param-hotspot", 1);
    tn_free(t);
}

/* On the layer's own line, after the statement. */
static void test_disable_same_line(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)",
                     "    c = conv2d(filters=1, kernel=1, stride=2);  # netc: disable=stride-gap\n"
                     "    d = conv2d(x, filters=1, kernel=1, stride=2);\n");
    /* a comment after code is for its own line: d, on the next, still warns */
    one(t, "stride-gap", 4, 5, "d", NULL);
    tn_free(t);
}

/* For a layer made by a block call, a comment at the call site works. */
static void test_disable_at_call_site(void **state) {
    (void)state;
    TestNet *t = tn_analyse("block down(t) {\n"
                            "    c = conv2d(t, filters=1, kernel=1, stride=2);\n"
                            "    return c;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    # netc: disable=stride-gap\n"
                            "    l1 = down(x);\n"
                            "    l2 = down(x);\n"
                            "}\n",
                            NULL);
    one(t, "stride-gap", 2, 5, "l2.c", NULL);
    tn_free(t);
}

/* A path longer than any bound on it: 5,000 layers that never grow the
** field. The note names the input it starts from and is placed there. */
static void test_rf_coverage_long_path(void **state) {
    (void)state;
    Buf b = {0};
    buf_puts(&b, "network n {\n    x = input(shape=(8, 8, 1));\n");
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "    relu();\n");
    buf_puts(&b, "    flatten();\n}\n");
    TestNet *t = tn_analyse(b.data, NULL);
    buf_free(&b);
    const Diag *d = tn_diag(t, "rf-coverage");
    assert_non_null(d);
    assert_string_equal(d->msg, "final layer 'relu_5000' sees only 1×1 of the 8×8 input");
    assert_true(d->notes.len >= 1);
    const Note *note = d->notes.data[0];
    assert_string_equal(note->msg,
                        "the field never grows: it stays 1×1 from 'x' to 'relu_5000'");
    assert_int_equal(note->span.line, 2);
    tn_free(t);
}

/* 10,000 comments, each for the layer on the next line, but one: that
** layer alone warns, so each warning finds its own comment among them. */
static void test_disable_many_comments(void **state) {
    (void)state;
    Buf b = {0};
    buf_puts(&b, "network n {\n    x = input(shape=(8));\n");
    for (int i = 0; i < 10000; i++)
        buf_printf(&b, "    %s\n    a%d = relu(x);\n",
                   i == 6000 ? "# no comment here" : "# netc: disable=unused", i);
    buf_puts(&b, "    y = relu(x);\n    output y;\n}\n");
    TestNet *t = tn_analyse(b.data, NULL);
    buf_free(&b);
    one(t, "unused", 3 + 2 * 6000 + 1, 5, "a6000", NULL);
    tn_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rf_coverage_seed),
        cmocka_unit_test(test_rf_coverage_near_miss),
        cmocka_unit_test(test_rf_coverage_where),
        cmocka_unit_test(test_rf_coverage_note_two_inputs),
        cmocka_unit_test(test_rf_coverage_long_path),
        cmocka_unit_test(test_rf_min),
        cmocka_unit_test(test_dropped_pixels_mnist),
        cmocka_unit_test(test_dropped_pixels_cases),
        cmocka_unit_test(test_stride_gap),
        cmocka_unit_test(test_stride_gap_shortcut),
        cmocka_unit_test(test_bias_before_norm),
        cmocka_unit_test(test_param_hotspot),
        cmocka_unit_test(test_param_hotspot_near_miss),
        cmocka_unit_test(test_rf_misaligned),
        cmocka_unit_test(test_softmax_not_last),
        cmocka_unit_test(test_unused),
        cmocka_unit_test(test_warning_in_block),
        cmocka_unit_test(test_config_enabled),
        cmocka_unit_test(test_config_werror),
        cmocka_unit_test(test_disable_comments),
        cmocka_unit_test(test_disable_same_line),
        cmocka_unit_test(test_disable_many_comments),
        cmocka_unit_test(test_disable_at_call_site),
    };
    return cmocka_run_group_tests_name("lint", tests, NULL, NULL);
}
