/* test_count.c: parameters and multiply-accumulates (count.c).
**
** As Keras counts (count.c): conv kh·kw·(in/groups)·out (+out bias);
** depthwise kh·kw·C·m (+C·m); dense in·out (+out); batchnorm 4·C of which
** 2·C are not trainable. MACs: conv H'·W'·out·kh·kw·(in/groups), dense
** in·out, everything else 0. Every number below is worked out by hand.
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

static void assert_counts(TestNet *t, const char *name, int64_t params, int64_t trainable,
                          int64_t macs) {
    Node *n = tn_must_node(t, name);
    if (n->params != params || n->trainable != trainable || n->macs != macs)
        print_error("%s: params %lld trainable %lld macs %lld\n", name, (long long)n->params,
                    (long long)n->trainable, (long long)n->macs);
    assert_true(n->params == params);
    assert_true(n->trainable == trainable);
    assert_true(n->macs == macs);
}

static void test_conv(void **state) {
    (void)state;
    TestNet *t = net("(28, 28, 1)",
                     "    a = conv2d(x, filters=32, kernel=3);\n"
                     "    b = conv2d(x, filters=32, kernel=3, bias=false);\n");
    assert_no_errors(t);
    /* 3·3·1·32 = 288 (+32); 26·26·32·9 = 194,688 */
    assert_counts(t, "a", 320, 320, 194688);
    assert_counts(t, "b", 288, 288, 194688);
    tn_free(t);

    t = net("(10, 10, 4)",
            /* out 5×5×16: 3·3·4·16 = 576 (+16); 25·16·36 = 14,400 */
            "    a = conv2d(x, filters=16, kernel=3, stride=2, padding=1);\n"
            /* out 10×10×8 (same): 1·1·4·8 = 32 (+8); 100·8·4 = 3,200 */
            "    b = conv2d(x, filters=8, kernel=1, padding=same);\n"
            /* out 8×6×3: 3·5·4·3 = 180 (+3); 48·3·60 = 8,640 */
            "    c = conv2d(x, filters=3, kernel=(3, 5));\n"
            /* dilation changes the output, not the weights: out 6×6×2,
            ** 3·3·4·2 = 72 (+2); 36·2·36 = 2,592 */
            "    d = conv2d(x, filters=2, kernel=3, dilation=2);\n");
    assert_no_errors(t);
    assert_counts(t, "a", 592, 592, 14400);
    assert_counts(t, "b", 40, 40, 3200);
    assert_counts(t, "c", 183, 183, 8640);
    assert_counts(t, "d", 74, 74, 2592);
    tn_free(t);
}

static void test_conv_groups(void **state) {
    (void)state;
    TestNet *t = net("(10, 10, 4)",
                     /* 3·3·(4/2)·8 = 144 (+8); 8·8·8·9·2 = 9,216 */
                     "    a = conv2d(x, filters=8, kernel=3, groups=2);\n"
                     /* 3·3·1·8 = 72 (+8); 64·8·9 = 4,608 */
                     "    b = conv2d(x, filters=8, kernel=3, groups=4);\n"
                     "    c = conv2d(x, filters=8, kernel=3, groups=4, bias=false);\n");
    assert_no_errors(t);
    assert_counts(t, "a", 152, 152, 9216);
    assert_counts(t, "b", 80, 80, 4608);
    assert_counts(t, "c", 72, 72, 4608);
    tn_free(t);
}

static void test_depthwise(void **state) {
    (void)state;
    TestNet *t = net("(10, 10, 3)",
                     /* 3·3·3·2 = 54 (+6); 8·8·6·9·1 = 3,456 */
                     "    a = depthwise_conv2d(x, kernel=3, multiplier=2);\n"
                     "    b = depthwise_conv2d(x, kernel=3, multiplier=2, bias=false);\n"
                     /* 27 (+3); 64·3·9 = 1,728 */
                     "    c = depthwise_conv2d(x, kernel=3);\n"
                     /* same, stride 2: out 5×5×3, 25·3·9 = 675 */
                     "    d = depthwise_conv2d(x, kernel=3, stride=2, padding=same, bias=false);\n");
    assert_no_errors(t);
    assert_counts(t, "a", 60, 60, 3456);
    assert_counts(t, "b", 54, 54, 3456);
    assert_counts(t, "c", 30, 30, 1728);
    assert_counts(t, "d", 27, 27, 675);
    tn_free(t);
}

static void test_dense(void **state) {
    (void)state;
    TestNet *t = net("(5, 5, 16)",
                     "    f = flatten();\n"
                     /* 400·120 = 48,000 (+120) */
                     "    a = dense(f, units=120);\n"
                     "    b = dense(f, units=120, bias=false);\n"
                     /* 120·84 = 10,080 (+84) */
                     "    c = dense(a, units=84, activation=relu);\n"
                     "    g = global_avgpool2d(x);\n"
                     /* 16·10 = 160 (+10) */
                     "    d = dense(g, units=10);\n");
    assert_no_errors(t);
    assert_counts(t, "a", 48120, 48120, 48000);
    assert_counts(t, "b", 48000, 48000, 48000);
    assert_counts(t, "c", 10164, 10164, 10080);
    assert_counts(t, "d", 170, 170, 160);
    tn_free(t);
}

static void test_batchnorm(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 16)",
                     "    a = batchnorm(x);\n"
                     "    f = flatten(x);\n"
                     "    d = dense(f, units=10);\n"
                     "    b = batchnorm(d);\n");
    assert_no_errors(t);
    assert_counts(t, "a", 64, 32, 0); /* 4·16, 2·16 trainable */
    assert_counts(t, "b", 40, 20, 0); /* 4·10 */
    tn_free(t);
}

/* Everything but conv, depthwise, dense and batchnorm counts 0. */
static void test_zero_count_ops(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 4)",
                     "    a = maxpool2d(x, size=2);\n"
                     "    b = avgpool2d(x, size=2);\n"
                     "    c = relu(x);\n"
                     "    d = dropout(x);\n"
                     "    e = zeropad2d(x, padding=1);\n"
                     "    f = add(x, c);\n"
                     "    g = concat(x, c);\n"
                     "    h = flatten(x);\n"
                     "    i = global_maxpool2d(x);\n"
                     "    j = global_avgpool2d(x);\n"
                     "    k = softmax(i);\n"
                     "    l = leaky_relu(x);\n"
                     "    m = sigmoid(x);\n"
                     "    o = tanh(x);\n"
                     "    p = relu6(x);\n"
                     "    q = linear(x);\n");
    assert_no_errors(t);
    for (int i = 0; i < t->g->nodes.len; i++) {
        Node *n = graph_node(t->g, i);
        assert_true(n->params == 0);
        assert_true(n->trainable == 0);
        assert_true(n->macs == 0);
    }
    assert_true(t->g->params == 0);
    assert_true(t->g->macs == 0);
    assert_true(t->g->totals_ok);
    tn_free(t);
}

static void test_totals(void **state) {
    (void)state;
    TestNet *t = net("(8, 8, 3)",
                     /* 6×6×4: 3·3·3·4 = 108; 36·4·27 = 3,888 */
                     "    c = conv2d(filters=4, kernel=3, bias=false);\n"
                     "    bn = batchnorm();\n" /* 16, 8 trainable */
                     "    r = relu();\n"
                     "    g = global_avgpool2d();\n"
                     "    d = dense(units=2);\n" /* 4·2 = 8 (+2) */
    );
    assert_no_errors(t);
    assert_counts(t, "c", 108, 108, 3888);
    assert_counts(t, "bn", 16, 8, 0);
    assert_counts(t, "d", 10, 10, 8);
    assert_true(t->g->totals_ok);
    assert_true(t->g->params == 134);
    assert_true(t->g->trainable == 126);
    assert_true(t->g->params - t->g->trainable == 8);
    assert_true(t->g->macs == 3896);
    tn_free(t);
}

/* The book's MNIST convnet (Chollet, Deep Learning with Python, 5.1):
** 93,322 parameters, 2,794,240 MACs. */
static void test_mnist(void **state) {
    (void)state;
    TestNet *t = tn_analyse("network mnist {\n"
                            "    x = input(shape=(28, 28, 1));\n"
                            "    conv2d(filters=32, kernel=3, activation=relu);\n"
                            "    maxpool2d(size=2);\n"
                            "    conv2d(filters=64, kernel=3, activation=relu);\n"
                            "    maxpool2d(size=2);\n"
                            "    conv2d(filters=64, kernel=3, activation=relu);\n"
                            "    flatten();\n"
                            "    dense(units=64, activation=relu);\n"
                            "    dense(units=10, activation=softmax);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    /* 26×26×32: 9·1·32 + 32; 676·32·9 */
    assert_counts(t, "conv2d_1", 320, 320, 194688);
    assert_shape3(tn_node(t, "maxpool2d_1"), 13, 13, 32);
    /* 11×11×64: 9·32·64 + 64 = 18,496; 121·64·288 = 2,230,272 */
    assert_counts(t, "conv2d_2", 18496, 18496, 2230272);
    assert_shape3(tn_node(t, "maxpool2d_2"), 5, 5, 64);
    /* 3×3×64: 9·64·64 + 64 = 36,928; 9·64·576 = 331,776 */
    assert_counts(t, "conv2d_3", 36928, 36928, 331776);
    assert_shape1(tn_node(t, "flatten_1"), 576);
    /* 576·64 + 64; 576·64 */
    assert_counts(t, "dense_1", 36928, 36928, 36864);
    /* 64·10 + 10; 640 */
    assert_counts(t, "dense_2", 650, 650, 640);
    assert_true(t->g->totals_ok);
    assert_true(t->g->params == 93322);
    assert_true(t->g->trainable == 93322);
    assert_true(t->g->macs == 2794240);
    tn_free(t);
}

/* A count that does not fit in int64 is a `shape` error naming the layer,
** never a wrong number; so is a total that does not fit. */
static void test_overflow(void **state) {
    (void)state;
    /* 3,037,000,500² > 2^63 − 1 */
    TestNet *t = net("(3037000500)", "    d = dense(units=3037000500);\n    r = relu(d);\n");
    assert_count(t, "shape", 1);
    assert_int_equal(tn_errors(t), 1);
    Diag *e = tn_diag(t, "shape");
    assert_at(e, 3, 5);
    assert_string_equal(e->layer, "d");
    assert_true(tn_must_node(t, "d")->bad);
    assert_false(t->g->totals_ok);
    tn_free(t);

    /* each layer holds 2^31 · 2^31 = 2^62; together 2^63 */
    t = net("(2147483648)",
            "    a = dense(x, units=2147483648, bias=false);\n"
            "    b = dense(x, units=2147483648, bias=false);\n");
    assert_count(t, "shape", 1);
    assert_int_equal(tn_errors(t), 1);
    assert_true(tn_must_node(t, "a")->params == 4611686018427387904LL);
    assert_false(t->g->totals_ok);
    tn_free(t);
}

/* A network with an error has no trustworthy totals. */
static void test_totals_with_errors(void **state) {
    (void)state;
    TestNet *t = net("(4, 4, 1)", "    c = conv2d(filters=2, kernel=5);\n");
    assert_count(t, "shape", 1);
    assert_false(t->g->totals_ok);
    tn_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv),
        cmocka_unit_test(test_conv_groups),
        cmocka_unit_test(test_depthwise),
        cmocka_unit_test(test_dense),
        cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_zero_count_ops),
        cmocka_unit_test(test_totals),
        cmocka_unit_test(test_mnist),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_totals_with_errors),
    };
    return cmocka_run_group_tests_name("count", tests, NULL, NULL);
}
