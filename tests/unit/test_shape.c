/* test_shape.c: output shapes (shape.c).
**
** Every expected size below is worked out by hand from the language's
** formula (docs/language.md, "Shapes"): with effective kernel ke = d·(k − 1) + 1 and padding pb + pe,
** out = floor((H + pb + pe − ke) / s) + 1; `same` is TensorFlow's SAME
** (out = ceil(H / s), an odd total padding puts the extra row and column at
** the bottom and right); with ceil=true, PyTorch's rule: round up, then drop
** the last window if it would start inside the end padding.
*/
#include "helpers.h"

#include <string.h>

/* A network of one input `x` of shape IN and the statements BODY. */
static TestNet *net(const char *in, const char *body) {
    Buf b = {0};
    buf_printf(&b, "network n {\n    x = input(shape=%s);\n%s}\n", in, body);
    TestNet *t = tn_analyse(b.data, NULL);
    buf_free(&b);
    return t;
}

static void assert_pad(const Node *n, int64_t top, int64_t bottom, int64_t left, int64_t right) {
    assert_int_equal(n->pad[0], top);
    assert_int_equal(n->pad[1], bottom);
    assert_int_equal(n->pad[2], left);
    assert_int_equal(n->pad[3], right);
}

/* valid convolutions: floor((H − k) / s) + 1 */
static void test_conv_valid(void **state) {
    (void)state;
    TestNet *t = net("(28, 20, 3)",
                     "    a = conv2d(x, filters=32, kernel=3);\n"          /* 26×18 */
                     "    b = conv2d(x, filters=8, kernel=3, stride=2);\n" /* 13×9 */
                     "    c = conv2d(x, filters=4, kernel=(3, 5));\n"      /* 26×16 */
                     "    d = conv2d(x, filters=4, kernel=1, stride=(2, 3));\n" /* 14×7 */
                     "    e = conv2d(x, filters=2, kernel=(28, 20));\n"    /* 1×1 */
                     "    f = conv2d(x, filters=2, kernel=4, stride=4);\n" /* 7×5 */
    );
    assert_no_errors(t);
    assert_shape3(tn_must_node(t, "x"), 28, 20, 3);
    assert_shape3(tn_must_node(t, "a"), 26, 18, 32);
    assert_shape3(tn_must_node(t, "b"), 13, 9, 8);
    assert_shape3(tn_must_node(t, "c"), 26, 16, 4);
    assert_shape3(tn_must_node(t, "d"), 14, 7, 4);
    assert_shape3(tn_must_node(t, "e"), 1, 1, 2);
    assert_shape3(tn_must_node(t, "f"), 7, 5, 2);
    tn_free(t);
}

/* integer, pair and four-number padding */
static void test_conv_explicit_padding(void **state) {
    (void)state;
    TestNet *t = net("(10, 10, 1)",
                     "    a = conv2d(x, filters=1, kernel=5, padding=2);\n"            /* 10×10 */
                     "    b = conv2d(x, filters=1, kernel=3, padding=(1, 2));\n"       /* 10×12 */
                     "    c = conv2d(x, filters=1, kernel=1, padding=(0, 1, 2, 3));\n" /* 11×15 */
                     "    d = conv2d(x, filters=1, kernel=3, stride=2, padding=1);\n"  /* 5×5 */
                     "    e = zeropad2d(x, padding=(1, 2, 3, 4));\n"                   /* 13×17 */
                     "    f = zeropad2d(x, padding=2);\n"                              /* 14×14 */
    );
    assert_no_errors(t);
    assert_shape3(tn_must_node(t, "a"), 10, 10, 1);
    assert_shape3(tn_must_node(t, "b"), 10, 12, 1);
    assert_shape3(tn_must_node(t, "c"), 11, 15, 1);
    assert_shape3(tn_must_node(t, "d"), 5, 5, 1);
    assert_shape3(tn_must_node(t, "e"), 13, 17, 1);
    assert_shape3(tn_must_node(t, "f"), 14, 14, 1);
    tn_free(t);

    /* AlexNet's first layer: floor((224 + 4 − 11) / 4) + 1 = 55 */
    t = net("(224, 224, 3)", "    c = conv2d(filters=64, kernel=11, stride=4, padding=2);\n");
    assert_no_errors(t);
    assert_shape3(tn_must_node(t, "c"), 55, 55, 64);
    tn_free(t);
}

/* dilation: ke = d·(k − 1) + 1 */
static void test_conv_dilation(void **state) {
    (void)state;
    TestNet *t = net("(28, 28, 1)",
                     "    a = conv2d(x, filters=1, kernel=3, dilation=2);\n"         /* ke 5: 24 */
                     "    b = conv2d(x, filters=1, kernel=3, dilation=(2, 3));\n"    /* 24×22 */
                     "    c = conv2d(x, filters=1, kernel=5, dilation=3, stride=2);\n" /* ke 13: 8 */
                     "    d = conv2d(x, filters=1, kernel=1, dilation=4);\n"         /* ke 1: 28 */
    );
    assert_no_errors(t);
    assert_shape3(tn_must_node(t, "a"), 24, 24, 1);
    assert_shape3(tn_must_node(t, "b"), 24, 22, 1);
    assert_shape3(tn_must_node(t, "c"), 8, 8, 1);
    assert_shape3(tn_must_node(t, "d"), 28, 28, 1);
    tn_free(t);
}

/* TensorFlow's SAME: out = ceil(H / s); total padding (out − 1)·s + ke − H,
** the odd one at the bottom and right, resolved into Node.pad. */
static void test_same_padding(void **state) {
    (void)state;
    TestNet *t = net("(224, 224, 3)",
                     "    a = conv2d(x, filters=8, kernel=3, padding=same);\n"
                     "    b = conv2d(x, filters=8, kernel=3, stride=2, padding=same);\n"
                     "    c = conv2d(x, filters=8, kernel=4, padding=same);\n"
                     "    d = conv2d(x, filters=8, kernel=3, dilation=2, padding=same);\n"
                     "    e = maxpool2d(x, size=2, padding=same);\n");
    assert_no_errors(t);
    Node *n = tn_must_node(t, "a"); /* total 2 */
    assert_shape3(n, 224, 224, 8);
    assert_pad(n, 1, 1, 1, 1);
    n = tn_must_node(t, "b"); /* 112; total 111·2 + 3 − 224 = 1 */
    assert_shape3(n, 112, 112, 8);
    assert_pad(n, 0, 1, 0, 1);
    n = tn_must_node(t, "c"); /* total 3 */
    assert_shape3(n, 224, 224, 8);
    assert_pad(n, 1, 2, 1, 2);
    n = tn_must_node(t, "d"); /* ke 5: total 4 */
    assert_shape3(n, 224, 224, 8);
    assert_pad(n, 2, 2, 2, 2);
    n = tn_must_node(t, "e"); /* 112; total 111·2 + 2 − 224 = 0 */
    assert_shape3(n, 112, 112, 3);
    assert_pad(n, 0, 0, 0, 0);
    tn_free(t);

    t = net("(7, 9, 1)",
            "    a = conv2d(x, filters=1, kernel=3, stride=2, padding=same);\n"
            "    b = conv2d(x, filters=1, kernel=1, stride=2, padding=same);\n"
            "    c = conv2d(x, filters=1, kernel=(3, 4), stride=(1, 2), padding=same);\n"
            "    d = conv2d(x, filters=1, kernel=5, stride=3, padding=same);\n"
            "    e = maxpool2d(x, size=2, padding=same);\n");
    assert_no_errors(t);
    /* rows: ceil(7/2) = 4, total 3·2 + 3 − 7 = 2; columns: 5, total 4·2 + 3 − 9 = 2 */
    n = tn_must_node(t, "a");
    assert_shape3(n, 4, 5, 1);
    assert_pad(n, 1, 1, 1, 1);
    /* 1×1 kernel: total 3·2 + 1 − 7 = 0 and 4·2 + 1 − 9 = 0 */
    n = tn_must_node(t, "b");
    assert_shape3(n, 4, 5, 1);
    assert_pad(n, 0, 0, 0, 0);
    /* rows: 7, total 2; columns: ceil(9/2) = 5, total 4·2 + 4 − 9 = 3 */
    n = tn_must_node(t, "c");
    assert_shape3(n, 7, 5, 1);
    assert_pad(n, 1, 1, 1, 2);
    /* rows: ceil(7/3) = 3, total 2·3 + 5 − 7 = 4; columns: 3, total 2·3 + 5 − 9 = 2 */
    n = tn_must_node(t, "d");
    assert_shape3(n, 3, 3, 1);
    assert_pad(n, 2, 2, 1, 1);
    /* pool 2, stride 2: rows 4, total 3·2 + 2 − 7 = 1; columns 5, total 1 */
    n = tn_must_node(t, "e");
    assert_shape3(n, 4, 5, 1);
    assert_pad(n, 0, 1, 0, 1);
    tn_free(t);
}

/* Pools: stride = size by default; floor, or ceil with PyTorch's rule. */
static void test_pools(void **state) {
    (void)state;
    TestNet *t = net("(6, 6, 2)",
                     "    a = maxpool2d(x, size=2);\n"                   /* 3 */
                     "    b = maxpool2d(x, size=3, stride=2);\n"         /* floor(3/2)+1 = 2 */
                     "    c = maxpool2d(x, size=3, stride=2, ceil=true);\n" /* ceil(3/2)+1 = 3 */
                     "    d = avgpool2d(x, size=4);\n"                   /* floor(2/4)+1 = 1 */
                     "    e = avgpool2d(x, size=4, ceil=true);\n"        /* 2: starts 0, 4 */
                     "    f = maxpool2d(x, size=3, stride=2, padding=1);\n"  /* floor(5/2)+1 = 3 */
                     "    g = maxpool2d(x, size=3, stride=2, padding=1, ceil=true);\n" /* 4 */
                     "    h = maxpool2d(x, size=(2, 3), stride=1);\n"    /* 5×4 */
    );
    assert_no_errors(t);
    assert_shape3(tn_must_node(t, "a"), 3, 3, 2);
    assert_shape3(tn_must_node(t, "b"), 2, 2, 2);
    assert_shape3(tn_must_node(t, "c"), 3, 3, 2);
    assert_shape3(tn_must_node(t, "d"), 1, 1, 2);
    assert_shape3(tn_must_node(t, "e"), 2, 2, 2);
    assert_shape3(tn_must_node(t, "f"), 3, 3, 2);
    assert_shape3(tn_must_node(t, "g"), 4, 4, 2);
    assert_shape3(tn_must_node(t, "h"), 5, 4, 2);
    tn_free(t);

    /* mnist's pools: 26 → 13, 11 → 5; ResNet's: floor((112 + 2 − 3) / 2) + 1 = 56 */
    t = net("(26, 11, 1)", "    a = maxpool2d(size=2);\n");
    assert_shape3(tn_must_node(t, "a"), 13, 5, 1);
    tn_free(t);
    t = net("(112, 112, 64)", "    a = maxpool2d(size=3, stride=2, padding=1);\n");
    assert_shape3(tn_must_node(t, "a"), 56, 56, 64);
    tn_free(t);
}

/* ceil=true never lets the last window start inside the end padding: size
** 2, stride 2, padding 1 on 5 rounds ceil((5 + 2 − 2) / 2) + 1 = 4 up, but
** the 4th window would start at 3·2 = 6 ≥ 5 + 1 (the padded row), so 3. */
static void test_ceil_last_window_rule(void **state) {
    (void)state;
    TestNet *t = net("(5, 7, 1)",
                     "    a = maxpool2d(x, size=2, stride=2, padding=1, ceil=true);\n"
                     "    b = maxpool2d(x, size=2, stride=2, padding=1);\n"
                     "    c = avgpool2d(x, size=3, stride=2, ceil=true);\n");
    assert_no_errors(t);
    /* columns on 7: ceil((7 + 2 − 2) / 2) + 1 = 5, 4·2 = 8 ≥ 8: 4 */
    assert_shape3(tn_must_node(t, "a"), 3, 4, 1);
    /* floor: (5 + 2 − 2) / 2 → 3; (7 + 2 − 2) / 2 → 4 */
    assert_shape3(tn_must_node(t, "b"), 3, 4, 1);
    /* 5: (5 − 3) / 2 = 1 exactly, 2; 7: (7 − 3) / 2 = 2, 3 */
    assert_shape3(tn_must_node(t, "c"), 2, 3, 1);
    tn_free(t);

    /* size 3, stride 2 on 6 with ceil: ceil(3 / 2) + 1 = 3; the third
    ** window starts at 4 < 6, inside the input: kept */
    t = net("(6, 8, 1)", "    a = maxpool2d(size=3, stride=2, ceil=true);\n");
    assert_no_errors(t);
    /* 8: ceil(5 / 2) + 1 = 4, starts at 6 < 8 */
    assert_shape3(tn_must_node(t, "a"), 3, 4, 1);
    tn_free(t);
}

/* A pool's padding is at most half its window (PyTorch). */
static void test_pool_padding_limit(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)", "    m = maxpool2d(size=2, padding=2);\n");
    assert_count(t, "shape", 1);
    Diag *e = tn_diag(t, "shape");
    assert_at(e, 3, 5);
    assert_string_equal(e->layer, "m");
    tn_free(t);
    t = net("(8, 8, 1)", "    m = maxpool2d(size=3, padding=1);\n");
    assert_no_errors(t);
    assert_shape3(tn_must_node(t, "m"), 3, 3, 1); /* floor((8 + 2 − 3) / 3) + 1 */
    tn_free(t);
}

/* depthwise: C·multiplier channels, groups = C */
static void test_depthwise_and_groups(void **state) {
    (void)state;
    TestNet *t = net("(10, 10, 4)",
                     "    a = depthwise_conv2d(x, kernel=3);\n"
                     "    b = depthwise_conv2d(x, kernel=3, multiplier=2, stride=2, padding=1);\n"
                     "    c = conv2d(x, filters=8, kernel=3, groups=2);\n"
                     "    d = conv2d(x, filters=4, kernel=1, groups=4);\n");
    assert_no_errors(t);
    Node *n = tn_must_node(t, "a");
    assert_shape3(n, 8, 8, 4);
    assert_int_equal(n->groups, 4);
    n = tn_must_node(t, "b"); /* floor((10 + 2 − 3) / 2) + 1 = 5 */
    assert_shape3(n, 5, 5, 8);
    assert_int_equal(n->groups, 4);
    assert_shape3(tn_must_node(t, "c"), 8, 8, 8);
    assert_shape3(tn_must_node(t, "d"), 10, 10, 4);
    tn_free(t);

    /* groups must divide both the input channels and the filters */
    t = net("(10, 10, 4)",
            "    a = conv2d(x, filters=6, kernel=1, groups=3);\n"
            "    b = conv2d(x, filters=6, kernel=1, groups=4);\n"
            "    c = relu(a);\n");
    assert_count(t, "shape", 2);
    assert_int_equal(tn_errors(t), 2);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 3, 5);
    assert_string_equal(e->layer, "a");
    e = tn_diag_at(t, 1);
    assert_at(e, 4, 5);
    assert_string_equal(e->layer, "b");
    tn_free(t);
}

/* flatten, global pools, dense and the layers that keep the shape */
static void test_flatten_global_dense(void **state) {
    (void)state;
    TestNet *t = net("(7, 5, 16)",
                     "    f = flatten(x);\n"
                     "    fh = flatten(x, order=hwc);\n"
                     "    g = global_avgpool2d(x);\n"
                     "    m = global_maxpool2d(x);\n"
                     "    d = dense(f, units=10);\n"
                     "    bn = batchnorm(x);\n"
                     "    r = relu(bn);\n"
                     "    dr = dropout(r);\n"
                     "    s = softmax(d);\n"
                     "    l = leaky_relu(g);\n");
    assert_no_errors(t);
    assert_shape1(tn_must_node(t, "f"), 560);
    assert_shape1(tn_must_node(t, "fh"), 560);
    assert_shape1(tn_must_node(t, "g"), 16);
    assert_shape1(tn_must_node(t, "m"), 16);
    assert_shape1(tn_must_node(t, "d"), 10);
    assert_shape3(tn_must_node(t, "bn"), 7, 5, 16);
    assert_shape3(tn_must_node(t, "dr"), 7, 5, 16);
    assert_shape1(tn_must_node(t, "s"), 10);
    assert_shape1(tn_must_node(t, "l"), 16);
    tn_free(t);

    /* flat inputs: `shape=(n)` and `shape=(n,)` */
    t = net("(12)", "    y = input(shape=(12,));\n    d = dense(x, units=3);\n    e = dense(y, units=4);\n");
    assert_no_errors(t);
    assert_shape1(tn_must_node(t, "x"), 12);
    assert_shape1(tn_must_node(t, "y"), 12);
    assert_shape1(tn_must_node(t, "d"), 3);
    assert_shape1(tn_must_node(t, "e"), 4);
    tn_free(t);
}

/* flatten() of a flat tensor is the identity (docs/language.md). */
static void test_flatten_of_flat(void **state) {
    (void)state;
    TestNet *t = net("(12)", "    f = flatten();\n");
    assert_no_errors(t);
    assert_shape1(tn_must_node(t, "f"), 12);
    tn_free(t);
}

/* concat adds up channels; add keeps the one shape. */
static void test_merges(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 3)",
                     "    a = conv2d(x, filters=5, kernel=1);\n"
                     "    b = conv2d(x, filters=2, kernel=3, padding=1);\n"
                     "    c = concat(x, a, b);\n"
                     "    d = add(a, a, a);\n"
                     "    f = flatten(x);\n"
                     "    g = dense(f, units=20);\n"
                     "    h = concat(f, g);\n"
                     "    i = add(g, g);\n");
    assert_no_errors(t);
    assert_shape3(tn_must_node(t, "c"), 8, 8, 10);
    assert_shape3(tn_must_node(t, "d"), 8, 8, 5);
    assert_shape1(tn_must_node(t, "h"), 212);
    assert_shape1(tn_must_node(t, "i"), 20);
    tn_free(t);
}

/* add needs one shape; concat equal H and W: a `shape` error on the merge,
** naming it, and nothing after it. */
static void test_merge_errors(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 3)",
                     "    a = conv2d(x, filters=4, kernel=1);\n"
                     "    s = add(x, a);\n"
                     "    r = relu(s);\n");
    assert_count(t, "shape", 1);
    assert_int_equal(tn_errors(t), 1);
    Diag *e = tn_diag(t, "shape");
    assert_at(e, 4, 5);
    assert_string_equal(e->layer, "s");
    assert_non_null(strstr(e->msg, "'s'"));
    assert_non_null(strstr(e->msg, "8×8×3"));
    assert_non_null(strstr(e->msg, "8×8×4"));
    assert_true(tn_must_node(t, "s")->bad);
    assert_true(tn_must_node(t, "r")->bad);
    tn_free(t);

    t = net("(8, 8, 3)",
            "    p = maxpool2d(x, size=2);\n"
            "    c = concat(x, p);\n");
    assert_count(t, "shape", 1);
    e = tn_diag(t, "shape");
    assert_at(e, 4, 5);
    assert_string_equal(e->layer, "c");
    assert_non_null(strstr(e->msg, "8×8×3"));
    assert_non_null(strstr(e->msg, "4×4×3"));
    tn_free(t);

    t = net("(8, 8, 3)",
            "    f = flatten(x);\n"
            "    s = add(x, f);\n");
    assert_count(t, "shape", 1);
    assert_at(tn_diag(t, "shape"), 4, 5);
    tn_free(t);
}

/* A size below 1 names the layer, the input size and the smallest input
** that fits, with a note at the layer that made the input that size
** (docs/language.md's example, line for line). */
static void test_too_small(void **state) {
    (void)state;
    TestNet *t = tn_analyse("network e {\n"
                            "    x = input(shape=(5, 5, 1));\n"
                            "    r = relu();\n"
                            "    # pooling\n"
                            "    p = maxpool2d(size=2);\n"
                            "    c = conv2d(filters=1, kernel=3);\n"
                            "    d = dense(units=3);\n"
                            "}\n",
                            NULL);
    assert_count(t, "shape", 1);
    assert_int_equal(tn_errors(t), 1);
    Diag *e = tn_diag(t, "shape");
    assert_at(e, 6, 5);
    assert_string_equal(e->msg, "conv2d 'c' needs at least 3×3 input, gets 2×2");
    assert_string_equal(e->layer, "c");
    assert_int_equal(e->notes.len, 1);
    Note *n = e->notes.data[0];
    assert_int_equal(n->span.line, 5);
    assert_int_equal(n->span.col, 5);
    assert_string_equal(n->msg, "'p' turns 5×5 into 2×2 (floor((5 − 2) / 2) + 1)");
    tn_free(t);
}

typedef struct SmallCase {
    const char *in, *stmt, *msg;
} SmallCase;

static void test_too_small_cases(void **state) {
    (void)state;
    static const SmallCase cases[] = {
        /* padding counts: 5 − 1 − 1 = 3 */
        {"(2, 2, 1)", "    conv5 = conv2d(filters=64, kernel=5, padding=1);\n",
         "conv2d 'conv5' needs at least 3×3 input, gets 2×2"},
        /* per axis */
        {"(4, 4, 1)", "    k = conv2d(filters=1, kernel=(3, 5));\n",
         "conv2d 'k' needs at least 3×5 input, gets 4×4"},
        /* dilation: ke = 3·(3 − 1) + 1 = 7 */
        {"(6, 9, 1)", "    k = conv2d(filters=1, kernel=3, dilation=3);\n",
         "conv2d 'k' needs at least 7×7 input, gets 6×9"},
        /* the stride does not matter */
        {"(2, 2, 1)", "    m = maxpool2d(size=3, stride=2);\n",
         "maxpool2d 'm' needs at least 3×3 input, gets 2×2"},
        {"(1, 1, 1)", "    dw = depthwise_conv2d(kernel=(1, 2));\n",
         "depthwise_conv2d 'dw' needs at least 1×2 input, gets 1×1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        TestNet *t = net(cases[i].in, cases[i].stmt);
        if (tn_errors(t) != 1)
            print_error("case %zu:\n%s", i, tn_dump(t));
        assert_int_equal(tn_errors(t), 1);
        Diag *e = tn_diag(t, "shape");
        assert_non_null(e);
        assert_at(e, 3, 5);
        assert_string_equal(e->msg, cases[i].msg);
        tn_free(t);
    }
}

/* dense after a spatial tensor asks for flatten() or a global pool; conv2d
** and the pools need a spatial tensor. */
static void test_wrong_rank(void **state) {
    (void)state;
    TestNet *t = net("(4, 4, 2)", "    d = dense(units=10);\n    e = dense(units=2);\n");
    assert_count(t, "shape", 1);
    assert_int_equal(tn_errors(t), 1);
    Diag *e = tn_diag(t, "shape");
    assert_at(e, 3, 5);
    assert_string_equal(e->layer, "d");
    assert_non_null(strstr(e->msg, "flatten()"));
    assert_non_null(strstr(e->msg, "global pool"));
    assert_non_null(strstr(e->msg, "4×4×2"));
    tn_free(t);

    t = net("(16)",
            "    c = conv2d(filters=1, kernel=1);\n"
            "    m = maxpool2d(x, size=2);\n"
            "    g = global_avgpool2d(x);\n");
    assert_count(t, "shape", 3);
    assert_string_equal(tn_diag_at(t, 0)->layer, "c");
    assert_non_null(strstr(tn_diag_at(t, 0)->msg, "(16)"));
    assert_string_equal(tn_diag_at(t, 1)->layer, "m");
    assert_string_equal(tn_diag_at(t, 2)->layer, "g");
    tn_free(t);
}

/* Every tensor's element count fits in int64; beyond is an error. */
static void test_shape_overflow(void **state) {
    (void)state;
    TestNet *t = net("(3037000500, 3037000500, 1)", "");
    assert_count(t, "shape", 1);
    assert_at(tn_diag(t, "shape"), 2, 5);
    tn_free(t);
    t = net("(4611686018427387904)", "    c = concat(x, x);\n");
    assert_count(t, "shape", 1);
    assert_string_equal(tn_diag(t, "shape")->layer, "c");
    tn_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_valid),
        cmocka_unit_test(test_conv_explicit_padding),
        cmocka_unit_test(test_conv_dilation),
        cmocka_unit_test(test_same_padding),
        cmocka_unit_test(test_pools),
        cmocka_unit_test(test_ceil_last_window_rule),
        cmocka_unit_test(test_pool_padding_limit),
        cmocka_unit_test(test_depthwise_and_groups),
        cmocka_unit_test(test_flatten_global_dense),
        cmocka_unit_test(test_flatten_of_flat),
        cmocka_unit_test(test_merges),
        cmocka_unit_test(test_merge_errors),
        cmocka_unit_test(test_too_small),
        cmocka_unit_test(test_too_small_cases),
        cmocka_unit_test(test_wrong_rank),
        cmocka_unit_test(test_shape_overflow),
    };
    return cmocka_run_group_tests_name("shape", tests, NULL, NULL);
}
