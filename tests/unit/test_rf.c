/* test_rf.c: receptive fields (rf.c).
**
** Per axis (size r, jump j, pad P), relative to the network input: the
** input is (1, 1, 0); a window with effective kernel ke, stride s and
** leading padding pb gives (r + (ke − 1)·j, j·s, P + pb·j); zeropad2d is a
** window of 1 with leading padding pb; flatten and the global pools are one
** window over the whole map; add and concat take the union
** (P = max Pᵢ, r = max(rᵢ − Pᵢ) + P), or, where the jumps differ, the field
** of the largest input (the first on a tie). A flat network input gives
** (1, 1, 0) everywhere. All expected fields are worked out by hand.
*/
#include "helpers.h"

#include <string.h>

static TestNet *net(const char *in, const char *body) {
    Buf b = {0};
    buf_printf(&b, "network n {\n    x = input(shape=%s);\n%s}\n", in, body);
    TestNet *t = tn_analyse(b.data, NULL);
    buf_free(&b);
    return t;
}

/* the same field on both axes */
static void assert_rf(TestNet *t, const char *name, int64_t r, int64_t j, int64_t p) {
    Node *n = tn_must_node(t, name);
    if (n->rf[0].size != r || n->rf[0].jump != j || n->rf[0].pad != p ||
        n->rf[1].size != r || n->rf[1].jump != j || n->rf[1].pad != p)
        print_error("%s: rows (%lld, %lld, %lld) columns (%lld, %lld, %lld), want (%lld, %lld, %lld)\n",
                    name, (long long)n->rf[0].size, (long long)n->rf[0].jump,
                    (long long)n->rf[0].pad, (long long)n->rf[1].size, (long long)n->rf[1].jump,
                    (long long)n->rf[1].pad, (long long)r, (long long)j, (long long)p);
    assert_field(n, 0, r, j, p);
    assert_field(n, 1, r, j, p);
}

static void test_window_step(void **state) {
    (void)state;
    Field f = rf_window_step((Field){1, 1, 0, 1, 0, 0}, 3, 1, 0);
    assert_int_equal(f.size, 3);
    assert_int_equal(f.jump, 1);
    assert_int_equal(f.pad, 0);
    f = rf_window_step((Field){3, 1, 1, 1, 0, 0}, 3, 2, 1);
    assert_int_equal(f.size, 5);
    assert_int_equal(f.jump, 2);
    assert_int_equal(f.pad, 2);
    f = rf_window_step((Field){10, 4, 3, 1, 0, 0}, 5, 3, 2); /* 10 + 4·4, 12, 3 + 2·4 */
    assert_int_equal(f.size, 26);
    assert_int_equal(f.jump, 12);
    assert_int_equal(f.pad, 11);
}

/* After a fractional jump: the window is fitted to the units it reads. */
static void test_window_step_fraction(void **state) {
    (void)state;
    /* (1, 1/2, 0): unit u sees ⌊u/2⌋. A 2×2 stride-2 window reads units
    ** 2o and 2o + 1, both position o: (1, 1, 0), exact */
    Field f = rf_window_step((Field){1, 1, 0, 2, 0, 0}, 2, 2, 0);
    assert_int_equal(f.size, 1);
    assert_int_equal(f.jump, 1);
    assert_int_equal(f.den, 1);
    assert_int_equal(f.pad, 0);
    assert_int_equal(f.over_lo + f.over_hi, 0);
    /* kernel 3, stride 1: units o … o + 2, positions ⌊o/2⌋ … ⌊o/2⌋ + 1:
    ** (2, 1/2, 0), exact */
    f = rf_window_step((Field){1, 1, 0, 2, 0, 0}, 3, 1, 0);
    assert_int_equal(f.size, 2);
    assert_int_equal(f.jump, 1);
    assert_int_equal(f.den, 2);
    assert_int_equal(f.pad, 0);
    assert_int_equal(f.over_lo + f.over_hi, 0);
    /* kernel 2, stride 1: units o, o + 1 see one position for even o and
    ** two for odd o: no linear field is exact; (2, 1/2, 0) contains both
    ** and exceeds the even units' by one */
    f = rf_window_step((Field){1, 1, 0, 2, 0, 0}, 2, 1, 0);
    assert_int_equal(f.size, 2);
    assert_int_equal(f.pad, 0);
    assert_int_equal(f.over_lo, 0);
    assert_int_equal(f.over_hi, 1);
}

/* convs and pools, no padding */
static void test_chain(void **state) {
    (void)state;
    TestNet *t = net("(16, 16, 1)",
                     "    a = conv2d(filters=1, kernel=3);\n"
                     "    b = conv2d(filters=1, kernel=3);\n"
                     "    p = maxpool2d(size=2);\n"
                     "    c = conv2d(filters=1, kernel=3);\n"
                     "    d = conv2d(filters=1, kernel=3, stride=2);\n");
    assert_no_errors(t);
    assert_rf(t, "x", 1, 1, 0);
    assert_rf(t, "a", 3, 1, 0);
    assert_rf(t, "b", 5, 1, 0);
    assert_rf(t, "p", 6, 2, 0);
    assert_rf(t, "c", 10, 2, 0);
    assert_rf(t, "d", 14, 4, 0);
    assert_int_equal(tn_node(t, "d")->rf_input, 0);
    tn_free(t);
}

/* Upsampling: exact from a map of jump 1, contained from a map of jump 2. */
static void test_upsample(void **state) {
    (void)state;
    TestNet *t = net("(16, 16, 1)",
                     "    a = conv2d(filters=1, kernel=3, padding=1);\n"
                     "    u = upsample2d(a, scale=2);\n"
                     "    s = conv2d(a, filters=1, kernel=3, stride=2);\n"
                     "    v = upsample2d(s, scale=2);\n"
                     "    t = conv2d_transpose(s, filters=1, kernel=2, stride=2);\n");
    assert_no_errors(t);
    /* output o sees a's unit ⌊o/2⌋: positions ⌊o/2⌋ − 1 … ⌊o/2⌋ + 1,
    ** which is ⌊(o − 2)/2⌋ …: (3, 1/2, 2/2) */
    Node *u = tn_must_node(t, "u");
    assert_int_equal(u->rf[0].size, 3);
    assert_int_equal(u->rf[0].jump, 1);
    assert_int_equal(u->rf[0].den, 2);
    assert_int_equal(u->rf[0].pad, 2);
    assert_int_equal(u->rf[0].over_lo + u->rf[0].over_hi, 0);
    /* s: (5, 2, 1); output o sees 2⌊o/2⌋ − 1 … 2⌊o/2⌋ + 3: odd o the same
    ** as the even o before it. No linear field is exact: (6, 1, 2) begins
    ** one position early for even o and ends one late for odd o */
    assert_rf(t, "s", 5, 2, 1);
    assert_rf(t, "v", 6, 1, 2);
    Node *v = tn_must_node(t, "v");
    assert_int_equal(v->rf[0].over_lo, 1);
    assert_int_equal(v->rf[0].over_hi, 1);
    /* kernel 2, stride 2: each output reads one input, ⌊o/2⌋, as v */
    assert_rf(t, "t", 6, 1, 2);
    tn_free(t);
}

/* The book's MNIST convnet, layer by layer; the flatten is a 3×3 window of
** stride 3 over conv2d_3's map: 18 + 2·4 = 26, jump 12. */
static void test_mnist(void **state) {
    (void)state;
    TestNet *t = net("(28, 28, 1)",
                     "    conv2d(filters=32, kernel=3, activation=relu);\n"
                     "    maxpool2d(size=2);\n"
                     "    conv2d(filters=64, kernel=3, activation=relu);\n"
                     "    maxpool2d(size=2);\n"
                     "    conv2d(filters=64, kernel=3, activation=relu);\n"
                     "    flatten();\n"
                     "    dense(units=64, activation=relu);\n"
                     "    dense(units=10, activation=softmax);\n");
    assert_no_errors(t);
    assert_rf(t, "conv2d_1", 3, 1, 0);
    assert_rf(t, "maxpool2d_1", 4, 2, 0);
    assert_rf(t, "conv2d_2", 8, 2, 0);
    assert_rf(t, "maxpool2d_2", 10, 4, 0);
    assert_rf(t, "conv2d_3", 18, 4, 0);
    assert_rf(t, "flatten_1", 26, 12, 0);
    assert_rf(t, "dense_1", 26, 12, 0);
    assert_rf(t, "dense_2", 26, 12, 0);
    tn_free(t);
}

/* leading padding moves the field: P + pb·j */
static void test_padding(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)",
                     "    a = conv2d(filters=1, kernel=3, padding=1);\n"
                     "    b = conv2d(filters=1, kernel=3, stride=2, padding=1);\n"
                     "    c = conv2d(filters=1, kernel=3, padding=1);\n"
                     "    d = conv2d(x, filters=1, kernel=3, padding=(0, 1, 2, 3));\n");
    assert_no_errors(t);
    assert_rf(t, "a", 3, 1, 1);
    assert_rf(t, "b", 5, 2, 2);
    assert_rf(t, "c", 9, 2, 4);
    Node *d = tn_must_node(t, "d"); /* only the leading (top, left) padding counts */
    assert_field(d, 0, 3, 1, 0);
    assert_field(d, 1, 3, 1, 2);
    tn_free(t);

    /* ResNet's stem: conv 7/2 pad 3, maxpool 3/2 pad 1 */
    t = net("(224, 224, 3)",
            "    conv1 = conv2d(filters=64, kernel=7, stride=2, padding=3, bias=false);\n"
            "    maxpool = maxpool2d(size=3, stride=2, padding=1);\n");
    assert_no_errors(t);
    assert_rf(t, "conv1", 7, 2, 3);
    assert_rf(t, "maxpool", 11, 4, 5);
    tn_free(t);
}

/* `same` resolves to numbers first: TF puts the odd padding at the end, so
** the leading padding is the smaller half. */
static void test_same(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)",
                     "    a = conv2d(x, filters=1, kernel=3, padding=same);\n"            /* pb 1 */
                     "    b = conv2d(x, filters=1, kernel=3, stride=2, padding=same);\n"  /* pb 0 */
                     "    c = conv2d(x, filters=1, kernel=4, padding=same);\n"            /* pb 1 */
                     "    d = conv2d(x, filters=1, kernel=5, stride=2, padding=same);\n"  /* pb 1 */
    );
    assert_no_errors(t);
    assert_rf(t, "a", 3, 1, 1);
    assert_rf(t, "b", 3, 2, 0);
    assert_rf(t, "c", 4, 1, 1);
    /* 4 outputs: total (4 − 1)·2 + 5 − 8 = 3, pb 1 */
    assert_rf(t, "d", 5, 2, 1);
    tn_free(t);
}

static void test_dilation(void **state) {
    (void)state;
    TestNet *t = net("(32, 32, 1)",
                     "    a = conv2d(filters=1, kernel=3, dilation=2);\n" /* ke 5 */
                     "    b = conv2d(filters=1, kernel=1, stride=2);\n"
                     "    c = conv2d(filters=1, kernel=3, dilation=2);\n" /* 5 + 4·2 */
                     "    d = conv2d(x, filters=1, kernel=3, dilation=(1, 3), padding=(1, 3));\n");
    assert_no_errors(t);
    assert_rf(t, "a", 5, 1, 0);
    assert_rf(t, "b", 5, 2, 0);
    assert_rf(t, "c", 13, 2, 0);
    Node *d = tn_must_node(t, "d"); /* ke 3 and 7 */
    assert_field(d, 0, 3, 1, 1);
    assert_field(d, 1, 7, 1, 3);
    tn_free(t);
}

/* zeropad2d: a window of 1 and stride 1 with leading padding pb */
static void test_zeropad(void **state) {
    (void)state;
    TestNet *t = net("(16, 16, 1)",
                     "    a = conv2d(filters=1, kernel=2, stride=2);\n"
                     "    z = zeropad2d(padding=(2, 1, 3, 0));\n"
                     "    c = conv2d(filters=1, kernel=3);\n");
    assert_no_errors(t);
    assert_rf(t, "a", 2, 2, 0);
    Node *z = tn_must_node(t, "z");
    assert_shape3(z, 11, 11, 1);
    assert_field(z, 0, 2, 2, 4);
    assert_field(z, 1, 2, 2, 6);
    Node *c = tn_must_node(t, "c");
    assert_field(c, 0, 6, 2, 4);
    assert_field(c, 1, 6, 2, 6);
    tn_free(t);
}

/* Activations, batchnorm and dropout keep the field. */
static void test_keep(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)",
                     "    a = conv2d(filters=1, kernel=3, stride=2, padding=1);\n"
                     "    b = batchnorm();\n"
                     "    r = relu();\n"
                     "    d = dropout();\n"
                     "    s = sigmoid();\n");
    assert_no_errors(t);
    assert_rf(t, "a", 3, 2, 1);
    assert_rf(t, "b", 3, 2, 1);
    assert_rf(t, "r", 3, 2, 1);
    assert_rf(t, "d", 3, 2, 1);
    assert_rf(t, "s", 3, 2, 1);
    tn_free(t);
}

/* flatten and the global pools: one window over the whole H×W map. */
static void test_flatten_and_global(void **state) {
    (void)state;
    TestNet *t = net("(8, 10, 1)",
                     "    a = conv2d(filters=1, kernel=3);\n" /* 6×8, (3, 1, 0) */
                     "    f = flatten(a);\n"
                     "    g = global_avgpool2d(a);\n"
                     "    m = global_maxpool2d(a);\n"
                     "    d = dense(f, units=4);\n"
                     "    e = dense(d, units=2);\n"
                     "    p = conv2d(x, filters=1, kernel=3, padding=1);\n" /* 8×10, (3, 1, 1) */
                     "    q = global_avgpool2d(p);\n");
    assert_no_errors(t);
    const char *names[] = {"f", "g", "m", "d", "e"};
    for (int i = 0; i < 5; i++) {
        Node *n = tn_must_node(t, names[i]);
        assert_field(n, 0, 8, 6, 0);  /* 3 + 5·1, jump 6 */
        assert_field(n, 1, 10, 8, 0); /* 3 + 7·1, jump 8 */
    }
    /* units 0..7 see i − 1 … i + 1: the union is −1 … 8 */
    Node *q = tn_must_node(t, "q");
    assert_field(q, 0, 10, 8, 1);
    assert_field(q, 1, 12, 10, 1);
    tn_free(t);
}

/* add and concat: the union, P = max Pᵢ, r = max(rᵢ − Pᵢ) + P. */
static void test_union(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)",
                     /* a2: unit i sees i − 2 … i: (3, 1, 2) */
                     "    a = zeropad2d(x, padding=(2, 0, 2, 0));\n"
                     "    a2 = conv2d(a, filters=1, kernel=3);\n"
                     /* b: i − 1 … i + 1: (3, 1, 1) */
                     "    b = conv2d(x, filters=1, kernel=3, padding=1);\n"
                     /* c: i − 2 … i + 2: (5, 1, 2) */
                     "    c = conv2d(x, filters=1, kernel=5, padding=2);\n"
                     "    s = add(a2, b);\n"    /* i − 2 … i + 1: (4, 1, 2) */
                     "    k = concat(b, a2);\n" /* the same */
                     "    u = add(b, c);\n"     /* (5, 1, 2) */
                     "    v = add(x, b);\n"     /* (3, 1, 1) */
                     "    w = concat(x, a2, c);\n" /* i − 2 … i + 2: (5, 1, 2) */
    );
    assert_no_errors(t);
    assert_rf(t, "a", 1, 1, 2);
    assert_rf(t, "a2", 3, 1, 2);
    assert_rf(t, "s", 4, 1, 2);
    assert_rf(t, "k", 4, 1, 2);
    assert_rf(t, "u", 5, 1, 2);
    assert_rf(t, "v", 3, 1, 1);
    assert_rf(t, "w", 5, 1, 2);
    /* centres (r − 1)/2 − P: a2 −1, b 0, c 0, x 0 */
    assert_true(tn_node(t, "s")->rf_misaligned);
    assert_true(tn_node(t, "k")->rf_misaligned);
    assert_false(tn_node(t, "u")->rf_misaligned);
    assert_false(tn_node(t, "v")->rf_misaligned);
    assert_true(tn_node(t, "w")->rf_misaligned);
    tn_free(t);
}

/* Where the jumps differ there is no union: the field of the input with the
** largest size, the first in argument order on a tie. */
static void test_misaligned_jumps(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)",
                     "    a = conv2d(x, filters=1, kernel=1, stride=2);\n"            /* (1, 2, 0) */
                     "    b = conv2d(x, filters=1, kernel=5);\n"                      /* (5, 1, 0) */
                     "    c = conv2d(x, filters=1, kernel=5, stride=2, padding=2);\n" /* (5, 2, 2) */
                     "    s = add(a, b);\n"
                     "    t1 = add(c, b);\n"
                     "    t2 = add(b, c);\n"
                     "    k = concat(b, a);\n");
    assert_no_errors(t);
    assert_shape3(tn_node(t, "a"), 4, 4, 1);
    assert_shape3(tn_node(t, "b"), 4, 4, 1);
    assert_shape3(tn_node(t, "c"), 4, 4, 1);
    assert_rf(t, "s", 5, 1, 0);
    assert_rf(t, "t1", 5, 2, 2);
    assert_rf(t, "t2", 5, 1, 0);
    assert_rf(t, "k", 5, 1, 0);
    assert_true(tn_node(t, "s")->rf_misaligned);
    assert_true(tn_node(t, "t1")->rf_misaligned);
    assert_true(tn_node(t, "t2")->rf_misaligned);
    assert_true(tn_node(t, "k")->rf_misaligned);
    tn_free(t);
}

/* Axis by axis: the jumps differ on the rows only. */
static void test_misaligned_one_axis(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)",
                     /* rows (1, 2, 0), columns (3, 1, 1) */
                     "    a = conv2d(x, filters=1, kernel=(1, 3), stride=(2, 1), padding=(0, 1));\n"
                     /* rows (5, 1, 0), columns (1, 1, 0) */
                     "    b = conv2d(x, filters=1, kernel=(5, 1));\n"
                     "    s = add(a, b);\n");
    assert_no_errors(t);
    Node *s = tn_must_node(t, "s");
    assert_shape3(s, 4, 8, 1);
    assert_field(s, 0, 5, 1, 0); /* b's */
    assert_field(s, 1, 3, 1, 1); /* P = 1, r = max(3 − 1, 1 − 0) + 1 */
    assert_true(s->rf_misaligned);
    tn_free(t);
}

/* Fields are relative to the first declared input a tensor descends from;
** a merge ignores inputs that descend only from a later one. */
static void test_several_inputs(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 1)",
                     "    y = input(shape=(8, 8, 1));\n"
                     "    a = conv2d(x, filters=1, kernel=3, padding=1);\n" /* (3, 1, 1) of x */
                     "    b = conv2d(y, filters=1, kernel=5, padding=2);\n" /* (5, 1, 2) of y */
                     "    s = add(b, a);\n"
                     "    r = relu(b);\n");
    assert_no_errors(t);
    assert_int_equal(tn_node(t, "x")->rf_input, 0);
    assert_int_equal(tn_node(t, "y")->rf_input, 1);
    assert_int_equal(tn_node(t, "a")->rf_input, 0);
    assert_int_equal(tn_node(t, "b")->rf_input, 1);
    assert_int_equal(tn_node(t, "r")->rf_input, 1);
    assert_rf(t, "b", 5, 1, 2);
    Node *s = tn_must_node(t, "s");
    assert_int_equal(s->rf_input, 0);
    assert_rf(t, "s", 3, 1, 1);
    assert_false(s->rf_misaligned);
    tn_free(t);
}

static void assert_chain(TestNet *t, const char *from, const char *const *want, int n) {
    const Node *chain[64];
    int len = rf_chain(tn_must_node(t, from), chain, 64);
    bool same = len == n;
    for (int i = 0; same && i < n; i++)
        same = strcmp(chain[i]->name, want[i]) == 0;
    if (!same) {
        print_error("rf_chain(%s):", from);
        for (int i = 0; i < len; i++)
            print_error(" %s", chain[i]->name);
        print_error("\n");
    }
    assert_true(same);
}

/* The path along which a field grew, input first; at a merge, through the
** input with the largest field among those the field is relative to. */
static void test_chain_path(void **state) {
    (void)state;
    TestNet *t = net("(28, 28, 1)",
                     "    conv2d(filters=32, kernel=3);\n"
                     "    maxpool2d(size=2);\n"
                     "    conv2d(filters=64, kernel=3);\n"
                     "    r = relu();\n"
                     /* 11×11: floor((28 + 2 − 9) / 2) + 1; (9, 2, 1) */
                     "    s = conv2d(x, filters=64, kernel=9, stride=2, padding=1);\n"
                     "    k = concat(r, s);\n");
    assert_no_errors(t);
    static const char *const a[] = {"x", "conv2d_1", "maxpool2d_1", "conv2d_2", "r"};
    assert_chain(t, "r", a, 5);
    static const char *const b[] = {"x", "s", "k"}; /* 9 > 8 */
    assert_chain(t, "k", b, 3);
    tn_free(t);

    /* s's field is relative to x: its path runs through a, not through the
    ** larger field of b, which descends from y */
    t = net("(8, 8, 1)",
            "    y = input(shape=(8, 8, 1));\n"
            "    a = conv2d(x, filters=1, kernel=3, padding=1);\n"
            "    b = conv2d(y, filters=1, kernel=5, padding=2);\n"
            "    s = add(b, a);\n");
    assert_no_errors(t);
    static const char *const c[] = {"x", "a", "s"};
    assert_chain(t, "s", c, 3);
    tn_free(t);
}

/* A flat network input has no spatial field: (1, 1, 0) throughout. */
static void test_flat_input(void **state) {
    (void)state;
    TestNet *t = net("(10)",
                     "    a = dense(units=5);\n"
                     "    b = dense(units=5);\n"
                     "    s = add(a, b);\n"
                     "    c = concat(a, s);\n");
    assert_no_errors(t);
    const char *names[] = {"x", "a", "b", "s", "c"};
    for (int i = 0; i < 5; i++)
        assert_rf(t, names[i], 1, 1, 0);
    tn_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_step),
        cmocka_unit_test(test_window_step_fraction),
        cmocka_unit_test(test_upsample),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_mnist),
        cmocka_unit_test(test_padding),
        cmocka_unit_test(test_same),
        cmocka_unit_test(test_dilation),
        cmocka_unit_test(test_zeropad),
        cmocka_unit_test(test_keep),
        cmocka_unit_test(test_flatten_and_global),
        cmocka_unit_test(test_union),
        cmocka_unit_test(test_misaligned_jumps),
        cmocka_unit_test(test_misaligned_one_axis),
        cmocka_unit_test(test_several_inputs),
        cmocka_unit_test(test_chain_path),
        cmocka_unit_test(test_flat_input),
    };
    return cmocka_run_group_tests_name("rf", tests, NULL, NULL);
}
