/* test_resolve.c: from syntax tree to graph (resolve.c).
**
** Names (given, generated, prefixed by block calls), the dataflow defaults
** (the statement before, the default outputs), block expansion with tensor
** and value parameters, attribute defaults and the errors of this pass,
** each with its id and place: undefined, redefined, recursion, unknown-op,
** unknown-attribute, bad-attribute, missing-attribute.
**
** docs/language.md is the reference, above all its "Choices netc makes"
** ("Names", "Values and attributes", "Blocks and imports").
*/
#include "helpers.h"

#include <stdio.h>
#include <string.h>

static const char *node_name(TestNet *t, int i) {
    assert_true(i < t->g->nodes.len);
    return graph_node(t->g, i)->name;
}

static void assert_inputs(Node *n, int nin, Node *a, Node *b) {
    assert_non_null(n);
    assert_int_equal(n->nin, nin);
    if (nin >= 1)
        assert_ptr_equal(n->in[0], a);
    if (nin >= 2)
        assert_ptr_equal(n->in[1], b);
}

/* Unnamed calls get the op's name and a count per op, from 1, in source
** order; named calls do not take a number. */
static void test_generated_names(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    conv2d(filters=2, kernel=1);\n"
                            "    maxpool2d(size=2);\n"
                            "    conv2d(filters=2, kernel=1);\n"
                            "    c = conv2d(filters=2, kernel=1);\n"
                            "    conv2d(filters=2, kernel=1);\n"
                            "    relu();\n"
                            "    maxpool2d(size=2, stride=1);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    static const char *const want[] = {"x",        "conv2d_1", "maxpool2d_1", "conv2d_2",
                                       "c",        "conv2d_3", "relu_1",      "maxpool2d_2"};
    assert_int_equal(t->g->nodes.len, 8);
    for (int i = 0; i < 8; i++) {
        assert_string_equal(node_name(t, i), want[i]);
        assert_int_equal(graph_node(t->g, i)->id, i);
    }
    assert_int_equal(tn_must_node(t, "maxpool2d_1")->op, OP_maxpool2d);
    assert_string_equal(t->g->name, "n");
    assert_int_equal(t->g->inputs.len, 1);
    assert_ptr_equal(t->g->inputs.data[0], tn_node(t, "x"));
    tn_free(t);
}

/* A call without a tensor takes the previous statement's; `output` is not a
** statement that defines one. Users are recorded once per use. */
static void test_sequential_default(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    a = relu();\n"
                            "    b = relu(x);\n"
                            "    c = add(a, b);\n"
                            "    output c;\n"
                            "    d = relu();\n"
                            "    e = add(d, d, x);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    Node *x = tn_must_node(t, "x"), *a = tn_must_node(t, "a"), *b = tn_must_node(t, "b");
    Node *c = tn_must_node(t, "c"), *d = tn_must_node(t, "d"), *e = tn_must_node(t, "e");
    assert_int_equal(x->nin, 0);
    assert_inputs(a, 1, x, NULL);
    assert_inputs(b, 1, x, NULL);
    assert_inputs(c, 2, a, b);
    assert_inputs(d, 1, c, NULL);
    assert_int_equal(e->nin, 3);
    assert_ptr_equal(e->in[0], d);
    assert_ptr_equal(e->in[1], d);
    assert_ptr_equal(e->in[2], x);
    assert_int_equal(x->users.len, 3); /* a, b, e */
    assert_ptr_equal(x->users.data[0], a);
    assert_ptr_equal(x->users.data[1], b);
    assert_ptr_equal(x->users.data[2], e);
    assert_int_equal(d->users.len, 2); /* twice by e */
    assert_int_equal(c->users.len, 1);
    tn_free(t);
}

static const char *TINY =
    "block basic(x, *, filters, stride = 1) {\n"
    "    conv1 = conv2d(x, filters=filters, kernel=3, stride=stride, padding=1, bias=false);\n"
    "    bn1   = batchnorm();\n"
    "    r     = relu();\n"
    "    conv2 = conv2d(filters=filters, kernel=3, padding=1, bias=false);\n"
    "    bn2   = batchnorm();\n"
    "    s     = add(bn2, x);\n"
    "    out   = relu(s);\n"
    "    return out;\n"
    "}\n"
    "\n"
    "network tiny {\n"
    "    x = input(shape=(32, 32, 64));\n"
    "    layer1.0 = basic(x, filters=64);    # defines layer1.0.conv1, layer1.0.bn1, ...\n"
    "    layer1.1 = basic(filters=64);\n"
    "    y = relu(layer1.0);\n"
    "}\n";

/* A block example: the calls expand in place, their layers
** prefixed with the call's name; the call's name is the returned tensor. */
static void test_block_expansion(void **state) {
    (void)state;
    TestNet *t = tn_resolve(TINY, NULL);
    assert_no_errors(t);
    static const char *const want[] = {
        "x",
        "layer1.0.conv1", "layer1.0.bn1", "layer1.0.r", "layer1.0.conv2", "layer1.0.bn2",
        "layer1.0.s", "layer1.0.out",
        "layer1.1.conv1", "layer1.1.bn1", "layer1.1.r", "layer1.1.conv2", "layer1.1.bn2",
        "layer1.1.s", "layer1.1.out",
        "y"};
    assert_int_equal(t->g->nodes.len, 16);
    for (int i = 0; i < 16; i++)
        assert_string_equal(node_name(t, i), want[i]);
    /* the call names are not layers */
    assert_null(tn_node(t, "layer1.0"));
    assert_null(tn_node(t, "layer1.1"));
    Node *x = tn_node(t, "x");
    Node *out0 = tn_must_node(t, "layer1.0.out");
    assert_inputs(tn_must_node(t, "layer1.0.conv1"), 1, x, NULL);
    assert_inputs(tn_must_node(t, "layer1.0.s"), 2, tn_node(t, "layer1.0.bn2"), x);
    assert_inputs(tn_must_node(t, "layer1.0.bn1"), 1, tn_node(t, "layer1.0.conv1"), NULL);
    /* the second call takes the first call's tensor */
    assert_inputs(tn_must_node(t, "layer1.1.conv1"), 1, out0, NULL);
    assert_inputs(tn_must_node(t, "layer1.1.s"), 2, tn_node(t, "layer1.1.bn2"), out0);
    /* the call's name, used later, is the returned tensor */
    assert_inputs(tn_must_node(t, "y"), 1, out0, NULL);
    /* attributes from value parameters and defaults */
    Node *c1 = tn_node(t, "layer1.1.conv1");
    assert_int_equal(c1->filters, 64);
    assert_int_equal(c1->stride[0], 1);
    assert_int_equal(c1->stride[1], 1);
    assert_false(c1->bias);
    assert_int_equal(c1->pad[0], 1);
    assert_int_equal(c1->pad[3], 1);
    /* where each layer came from */
    assert_non_null(c1->site);
    assert_string_equal(c1->site->block, "basic");
    assert_string_equal(c1->site->prefix, "layer1.1");
    assert_null(c1->site->up);
    assert_int_equal(c1->site->span.line, 15);
    assert_int_equal(c1->span.line, 2); /* the statement inside the block */
    assert_null(x->site);
    /* outputs: what nobody consumes */
    assert_int_equal(t->g->outputs.len, 2);
    assert_ptr_equal(t->g->outputs.data[0], tn_node(t, "layer1.1.out"));
    assert_ptr_equal(t->g->outputs.data[1], tn_node(t, "y"));
    tn_free(t);
}

/* A value parameter given at the call overrides its default. */
static void test_block_value_override(void **state) {
    (void)state;
    Buf b = {0};
    buf_puts(&b, TINY);
    buf_puts(&b, "network down {\n"
                 "    x = input(shape=(32, 32, 64));\n"
                 "    layer2.0 = basic(x, filters=128, stride=2);\n"
                 "}\n");
    TestNet *t = tn_resolve(b.data, "down");
    buf_free(&b);
    assert_no_errors(t);
    Node *c1 = tn_must_node(t, "layer2.0.conv1");
    assert_int_equal(c1->filters, 128);
    assert_int_equal(c1->stride[0], 2);
    assert_int_equal(c1->stride[1], 2);
    Node *c2 = tn_must_node(t, "layer2.0.conv2");
    assert_int_equal(c2->filters, 128);
    assert_int_equal(c2->stride[0], 1);
    tn_free(t);
}

/* Inside a block call the counts start again and get the call's prefix;
** an unnamed block call is named like an unnamed op call. */
static void test_generated_names_in_blocks(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block b(t) {\n"
                            "    conv2d(t, filters=2, kernel=1);\n"
                            "    conv2d(filters=2, kernel=1);\n"
                            "    r = relu();\n"
                            "    return r;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    conv2d(filters=2, kernel=1);\n"
                            "    layer1.0 = b();\n"
                            "    layer1.1 = b();\n"
                            "    conv2d(filters=2, kernel=1);\n"
                            "    b();\n"
                            "    b();\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    static const char *const want[] = {
        "x", "conv2d_1",
        "layer1.0.conv2d_1", "layer1.0.conv2d_2", "layer1.0.r",
        "layer1.1.conv2d_1", "layer1.1.conv2d_2", "layer1.1.r",
        "conv2d_2",
        "b_1.conv2d_1", "b_1.conv2d_2", "b_1.r",
        "b_2.conv2d_1", "b_2.conv2d_2", "b_2.r"};
    assert_int_equal(t->g->nodes.len, 15);
    for (int i = 0; i < 15; i++)
        assert_string_equal(node_name(t, i), want[i]);
    assert_inputs(tn_must_node(t, "layer1.0.conv2d_1"), 1, tn_node(t, "conv2d_1"), NULL);
    assert_inputs(tn_must_node(t, "b_1.conv2d_1"), 1, tn_node(t, "conv2d_2"), NULL);
    assert_inputs(tn_must_node(t, "b_2.conv2d_1"), 1, tn_node(t, "b_1.r"), NULL);
    assert_string_equal(tn_node(t, "b_2.r")->site->prefix, "b_2");
    tn_free(t);
}

/* Blocks calling blocks: prefixes nest, and each site knows the one above. */
static void test_nested_blocks(void **state) {
    (void)state;
    /* inner's first statement takes the block's first tensor parameter */
    TestNet *t = tn_resolve("block inner(t) {\n"
                            "    c = relu();\n"
                            "    return c;\n"
                            "}\n"
                            "block outer(t) {\n"
                            "    a = inner(t);\n"
                            "    inner();\n"
                            "    return inner_1;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    top = outer(x);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    assert_int_equal(t->g->nodes.len, 3);
    assert_string_equal(node_name(t, 1), "top.a.c");
    assert_string_equal(node_name(t, 2), "top.inner_1.c");
    Node *c = tn_node(t, "top.inner_1.c");
    assert_string_equal(c->site->prefix, "top.inner_1");
    assert_string_equal(c->site->block, "inner");
    assert_non_null(c->site->up);
    assert_string_equal(c->site->up->prefix, "top");
    assert_string_equal(c->site->up->block, "outer");
    assert_inputs(c, 1, tn_node(t, "top.a.c"), NULL);
    tn_free(t);
}

/* Value parameters: defaults evaluated at the call, after the parameters
** before them; arithmetic on integers is exact. */
static void test_value_parameters(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block wide(t, *, filters, mult = 2, width = filters * mult, k = 3) {\n"
                            "    c = conv2d(t, filters=width, kernel=k);\n"
                            "    d = conv2d(filters=filters + 1, kernel=(k, k - 2), stride=mult);\n"
                            "    return d;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(16, 16, 1));\n"
                            "    a = wide(filters=8);\n"
                            "    b = wide(filters=4, mult=3, k=1 + 4);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    Node *n = tn_must_node(t, "a.c");
    assert_int_equal(n->filters, 16);
    assert_int_equal(n->kernel[0], 3);
    assert_int_equal(n->kernel[1], 3);
    n = tn_must_node(t, "a.d");
    assert_int_equal(n->filters, 9);
    assert_int_equal(n->kernel[0], 3);
    assert_int_equal(n->kernel[1], 1);
    assert_int_equal(n->stride[0], 2);
    assert_int_equal(n->stride[1], 2);
    n = tn_must_node(t, "b.c");
    assert_int_equal(n->filters, 12);
    assert_int_equal(n->kernel[0], 5);
    n = tn_must_node(t, "b.d");
    assert_int_equal(n->filters, 5);
    assert_int_equal(n->kernel[0], 5);
    assert_int_equal(n->kernel[1], 3);
    assert_int_equal(n->stride[0], 3);
    tn_free(t);
}

/* A value parameter may carry a symbol (a padding form, an activation). */
static void test_symbol_parameters(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block b(t, *, pad = same, act = relu) {\n"
                            "    c = conv2d(t, filters=1, kernel=3, padding=pad, activation=act);\n"
                            "    return c;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    l = b(x);\n"
                            "    m = b(l, pad=valid, act=tanh);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    Node *n = tn_must_node(t, "l.c");
    assert_true(n->pad_same);
    assert_int_equal(n->act, ACT_RELU);
    n = tn_must_node(t, "m.c");
    assert_false(n->pad_same);
    assert_int_equal(n->act, ACT_TANH);
    assert_inputs(n, 1, tn_node(t, "l.c"), NULL);
    tn_free(t);
}

/* Integer arithmetic in attributes: precedence, associativity, unary minus,
** exact division. */
static void test_arithmetic(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(4));\n"
                            "    a = dense(units=2 + 3 * 4);\n"
                            "    b = dense(units=(2 + 3) * 4);\n"
                            "    c = dense(units=10 - 2 - 3);\n"
                            "    d = dense(units=-2 + 5);\n"
                            "    e = dense(units=8 / 2);\n"
                            "    f = dense(units=12 / 2 / 3);\n"
                            "    g = dense(units=--7);\n"
                            "    h = leaky_relu(alpha=1 / 4.0);\n"
                            "    i = leaky_relu(alpha=-0.5 * 2);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    assert_int_equal(tn_must_node(t, "a")->units, 14);
    assert_int_equal(tn_must_node(t, "b")->units, 20);
    assert_int_equal(tn_must_node(t, "c")->units, 5);
    assert_int_equal(tn_must_node(t, "d")->units, 3);
    assert_int_equal(tn_must_node(t, "e")->units, 4);
    assert_int_equal(tn_must_node(t, "f")->units, 2);
    assert_int_equal(tn_must_node(t, "g")->units, 7);
    assert_true(tn_must_node(t, "h")->alpha == 0.25);
    assert_true(tn_must_node(t, "i")->alpha == -1.0);
    tn_free(t);
}

/* `7 / 2` is an error, not 3; so is division by zero and overflow. */
static void test_arithmetic_errors(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(4));\n"
                            "    a = dense(units=7 / 2);\n"
                            "    b = dense(units=7 / 0);\n"
                            "    c = dense(units=9223372036854775807 + 1);\n"
                            "    d = dense(units=4611686018427387904 * 2);\n"
                            "    e = relu(a);\n"
                            "}\n",
                            NULL);
    assert_count(t, "bad-attribute", 4);
    assert_int_equal(tn_errors(t), 4);
    assert_at(tn_diag_at(t, 0), 3, 21);
    assert_at(tn_diag_at(t, 1), 4, 21);
    assert_at(tn_diag_at(t, 2), 5, 21);
    assert_at(tn_diag_at(t, 3), 6, 21);
    /* each failed statement still defines its name, marked bad */
    assert_true(tn_must_node(t, "a")->bad);
    assert_true(tn_must_node(t, "e")->bad);
    tn_free(t);
}

/* A name is defined once: explicit or generated, whichever comes second is
** the error, with a note at the first. */
static void test_name_collisions(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    conv2d_1 = relu(x);\n"
                            "    conv2d(filters=1, kernel=1);\n"
                            "}\n",
                            NULL);
    assert_count(t, "redefined", 1);
    assert_int_equal(tn_errors(t), 1);
    Diag *e = tn_diag(t, "redefined");
    assert_at(e, 4, 5);
    assert_non_null(strstr(e->msg, "'conv2d_1'"));
    assert_int_equal(e->notes.len, 1);
    assert_int_equal(((Note *)e->notes.data[0])->span.line, 3);
    assert_int_equal(((Note *)e->notes.data[0])->span.col, 5);
    tn_free(t);

    t = tn_resolve("network n {\n"
                   "    x = input(shape=(8, 8, 1));\n"
                   "    conv2d(filters=1, kernel=1);\n"
                   "    conv2d_1 = relu();\n"
                   "}\n",
                   NULL);
    assert_count(t, "redefined", 1);
    assert_int_equal(tn_errors(t), 1);
    e = tn_diag(t, "redefined");
    assert_at(e, 4, 5);
    assert_non_null(strstr(e->msg, "'conv2d_1'"));
    assert_int_equal(e->notes.len, 1);
    assert_int_equal(((Note *)e->notes.data[0])->span.line, 3);
    tn_free(t);

    t = tn_resolve("network n {\n"
                   "    x = input(shape=(8, 8, 1));\n"
                   "    a = relu(x);\n"
                   "    a = relu(x);\n"
                   "    x = relu(a);\n"
                   "}\n",
                   NULL);
    assert_count(t, "redefined", 2);
    assert_int_equal(tn_errors(t), 2);
    assert_at(tn_diag_at(t, 0), 4, 5);
    assert_at(tn_diag_at(t, 1), 5, 5);
    tn_free(t);
}

/* A block call's layers may not take a name the network already has. */
static void test_block_name_collisions(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block b(t) {\n"
                            "    c = relu(t);\n"
                            "    return c;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    l.c = relu(x);\n"
                            "    l = b(x);\n"
                            "    m = relu(x);\n"
                            "    m = b(x);\n"
                            "}\n",
                            NULL);
    assert_count(t, "redefined", 2);
    /* one mistake, one error: the block's return of its own 'c' is not
    ** reported again as undefined */
    if (tn_errors(t) != 2)
        print_error("%s", tn_dump(t));
    assert_int_equal(tn_errors(t), 2);
    assert_int_equal(tn_diag_at(t, 0)->span.line, 2); /* l.c, inside the block */
    assert_at(tn_diag_at(t, 1), 10, 5);               /* m */
    tn_free(t);
}

/* Undefined names and names used before their definition. */
static void test_undefined(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    y = relu(z);\n"
                            "    a = add(x, b);\n"
                            "    b = relu(x);\n"
                            "    c = relu(y);\n"
                            "    output q;\n"
                            "}\n",
                            NULL);
    assert_count(t, "undefined", 3);
    assert_int_equal(tn_errors(t), 3);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 3, 14);
    assert_non_null(strstr(e->msg, "'z'"));
    e = tn_diag_at(t, 1);
    assert_at(e, 4, 16);
    assert_non_null(strstr(e->msg, "'b'"));
    e = tn_diag_at(t, 2);
    assert_at(e, 7, 12);
    assert_non_null(strstr(e->msg, "'q'"));
    tn_free(t);
}

/* Inside a block only its tensor parameters and own names are visible; the
** error is located inside the block with a note at the call site. */
static void test_block_scope(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block b(t) {\n"
                            "    y = add(t, x);\n"
                            "    return y;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    c = b(x);\n"
                            "    d = relu(y);\n"
                            "}\n",
                            NULL);
    assert_count(t, "undefined", 2);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 2, 16);
    assert_string_equal(e->msg,
                        "'x' is not visible inside block 'b': pass it as a tensor parameter");
    assert_int_equal(e->notes.len, 1);
    Note *n = e->notes.data[0];
    assert_int_equal(n->span.line, 7);
    assert_int_equal(n->span.col, 5);
    assert_string_equal(n->msg, "in block 'b', called as 'c' here");
    /* and the block's names are not visible outside it */
    e = tn_diag_at(t, 1);
    assert_at(e, 8, 14);
    tn_free(t);
}

/* A block calling itself, directly or through another, is an error. */
static void test_recursion(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block a(t) {\n"
                            "    y = a(t);\n"
                            "    return y;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    c = a(x);\n"
                            "}\n",
                            NULL);
    assert_count(t, "recursion", 1);
    assert_at(tn_diag(t, "recursion"), 2, 9);
    tn_free(t);

    t = tn_resolve("block a(t) {\n"
                   "    y = b(t);\n"
                   "    return y;\n"
                   "}\n"
                   "block b(t) {\n"
                   "    z = a(t);\n"
                   "    return z;\n"
                   "}\n"
                   "network n {\n"
                   "    x = input(shape=(8, 8, 1));\n"
                   "    c = a(x);\n"
                   "}\n",
                   NULL);
    assert_count(t, "recursion", 1);
    assert_at(tn_diag(t, "recursion"), 6, 9);
    tn_free(t);
}

/* `output` names the outputs, in its order. */
static void test_output_statements(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    a = relu(x);\n"
                            "    b = relu(x);\n"
                            "    c = relu(x);\n"
                            "    output b, a;\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    assert_true(t->g->explicit_outputs);
    assert_int_equal(t->g->outputs.len, 2);
    assert_ptr_equal(t->g->outputs.data[0], tn_node(t, "b"));
    assert_ptr_equal(t->g->outputs.data[1], tn_node(t, "a"));
    assert_true(tn_node(t, "a")->is_output);
    assert_true(tn_node(t, "b")->is_output);
    assert_false(tn_node(t, "c")->is_output);
    tn_free(t);

    /* listing a tensor twice is an error */
    t = tn_resolve("network n {\n"
                   "    x = input(shape=(8, 8, 1));\n"
                   "    a = relu(x);\n"
                   "    output a, a;\n"
                   "}\n",
                   NULL);
    assert_int_equal(tn_errors(t), 1);
    assert_at(tn_diag_at(t, 0), 4, 15);
    assert_int_equal(t->g->outputs.len, 1);
    tn_free(t);
}

/* Without `output`, every unconsumed tensor is an output, in source order,
** an unread input included. */
static void test_default_outputs(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    y = input(shape=(4));\n"
                            "    a = relu(x);\n"
                            "    b = relu(x);\n"
                            "    c = relu(a);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    assert_false(t->g->explicit_outputs);
    assert_int_equal(t->g->outputs.len, 3);
    assert_ptr_equal(t->g->outputs.data[0], tn_node(t, "y"));
    assert_ptr_equal(t->g->outputs.data[1], tn_node(t, "b"));
    assert_ptr_equal(t->g->outputs.data[2], tn_node(t, "c"));
    assert_false(tn_node(t, "a")->is_output);
    assert_true(tn_node(t, "c")->is_output);
    assert_int_equal(t->g->inputs.len, 2);
    tn_free(t);
}

/* The attributes' defaults of the op table (attrs.def, ops.def). */
static void test_attribute_defaults(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(16, 16, 4));\n"
                            "    c = conv2d(x, filters=8, kernel=3);\n"
                            "    dw = depthwise_conv2d(x, kernel=(3, 5));\n"
                            "    mp = maxpool2d(x, size=3);\n"
                            "    mq = maxpool2d(x, size=(2, 3));\n"
                            "    mr = maxpool2d(x, size=3, stride=1);\n"
                            "    ap = avgpool2d(x, size=2);\n"
                            "    bn = batchnorm(x);\n"
                            "    lr = leaky_relu(x);\n"
                            "    dr = dropout(x);\n"
                            "    f = flatten(x);\n"
                            "    fh = flatten(x, order=hwc);\n"
                            "    d = dense(f, units=10);\n"
                            "    ca = conv2d(x, filters=8, kernel=1, activation=relu, bias=false);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    Node *n = tn_must_node(t, "c");
    assert_int_equal(n->filters, 8);
    assert_int_equal(n->kernel[0], 3);
    assert_int_equal(n->kernel[1], 3);
    assert_int_equal(n->stride[0], 1);
    assert_int_equal(n->stride[1], 1);
    assert_int_equal(n->dilation[0], 1);
    assert_int_equal(n->dilation[1], 1);
    assert_int_equal(n->groups, 1);
    assert_true(n->bias);
    assert_int_equal(n->act, ACT_LINEAR);
    assert_false(n->pad_same);
    for (int i = 0; i < 4; i++)
        assert_int_equal(n->pad[i], 0);
    n = tn_must_node(t, "dw");
    assert_int_equal(n->multiplier, 1);
    assert_int_equal(n->kernel[0], 3);
    assert_int_equal(n->kernel[1], 5);
    assert_int_equal(n->stride[0], 1);
    assert_true(n->bias);
    assert_int_equal(n->act, ACT_LINEAR);
    n = tn_must_node(t, "mp"); /* stride = size */
    assert_int_equal(n->kernel[0], 3);
    assert_int_equal(n->stride[0], 3);
    assert_int_equal(n->stride[1], 3);
    assert_false(n->ceil);
    n = tn_must_node(t, "mq");
    assert_int_equal(n->stride[0], 2);
    assert_int_equal(n->stride[1], 3);
    n = tn_must_node(t, "mr");
    assert_int_equal(n->stride[0], 1);
    assert_int_equal(n->stride[1], 1);
    n = tn_must_node(t, "ap");
    assert_int_equal(n->stride[0], 2);
    assert_true(n->count_pad);
    assert_false(n->ceil);
    assert_true(tn_must_node(t, "bn")->epsilon == 1e-5);
    assert_true(tn_must_node(t, "lr")->alpha == 0.01);
    assert_true(tn_must_node(t, "dr")->rate == 0.5);
    assert_int_equal(tn_must_node(t, "f")->order, ORDER_CHW);
    assert_int_equal(tn_must_node(t, "fh")->order, ORDER_HWC);
    n = tn_must_node(t, "d");
    assert_int_equal(n->units, 10);
    assert_true(n->bias);
    assert_int_equal(n->act, ACT_LINEAR);
    n = tn_must_node(t, "ca");
    assert_int_equal(n->act, ACT_RELU);
    assert_false(n->bias);
    tn_free(t);
}

/* The forms of padding, resolved to (top, bottom, left, right). */
static void test_padding_forms(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(16, 16, 4));\n"
                            "    a = conv2d(x, filters=1, kernel=3, padding=valid);\n"
                            "    b = conv2d(x, filters=1, kernel=3, padding=same);\n"
                            "    c = conv2d(x, filters=1, kernel=3, padding=2);\n"
                            "    d = conv2d(x, filters=1, kernel=3, padding=(1, 2));\n"
                            "    e = conv2d(x, filters=1, kernel=3, padding=(1, 2, 3, 4));\n"
                            "    f = zeropad2d(x, padding=(0, 1, 0, 1));\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    Node *n = tn_must_node(t, "a");
    assert_false(n->pad_same);
    assert_int_equal(n->pad[0] + n->pad[1] + n->pad[2] + n->pad[3], 0);
    assert_true(tn_must_node(t, "b")->pad_same);
    static const int64_t want[4][4] = {{2, 2, 2, 2}, {1, 1, 2, 2}, {1, 2, 3, 4}, {0, 1, 0, 1}};
    const char *names[4] = {"c", "d", "e", "f"};
    for (int k = 0; k < 4; k++) {
        n = tn_must_node(t, names[k]);
        assert_false(n->pad_same);
        for (int i = 0; i < 4; i++)
            assert_int_equal(n->pad[i], want[k][i]);
    }
    tn_free(t);
}

/* An unknown op, with "did you mean" where a known op or block is close. */
static void test_unknown_op(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block basic(t) {\n"
                            "    return t;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    y = conv2(x, filters=1, kernel=1);\n"
                            "    z = relu(y);\n"
                            "    maxpool(size=2);\n"
                            "    basik();\n"
                            "    frobnicate();\n"
                            "}\n",
                            NULL);
    assert_count(t, "unknown-op", 4);
    assert_int_equal(tn_errors(t), 4); /* no error for z, which uses y */
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 6, 9);
    assert_non_null(strstr(e->msg, "'conv2'"));
    assert_non_null(strstr(e->msg, "did you mean 'conv2d'?"));
    e = tn_diag_at(t, 1);
    assert_at(e, 8, 5);
    assert_non_null(strstr(e->msg, "did you mean 'maxpool2d'?"));
    e = tn_diag_at(t, 2);
    assert_at(e, 9, 5);
    assert_non_null(strstr(e->msg, "did you mean 'basic'?"));
    e = tn_diag_at(t, 3);
    assert_at(e, 10, 5);
    assert_non_null(strstr(e->msg, "'frobnicate'"));
    assert_null(strstr(e->msg, "did you mean"));
    tn_free(t);
}

/* An attribute the op does not have, with "did you mean"; a misspelt
** required attribute is said once (no missing-attribute besides). */
static void test_unknown_attribute(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    a = conv2d(x, filter=8, kernel=3);\n"
                            "    b = conv2d(x, filters=8, kernal=3);\n"
                            "    c = maxpool2d(x, size=2, filters=3);\n"
                            "    d = dense(units=3, activaton=relu);\n"
                            "}\n",
                            NULL);
    if (tn_errors(t) != 4)
        print_error("%s", tn_dump(t));
    assert_count(t, "unknown-attribute", 4);
    assert_count(t, "missing-attribute", 0);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 3, 19);
    assert_non_null(strstr(e->msg, "'filter'"));
    assert_non_null(strstr(e->msg, "did you mean 'filters'?"));
    e = tn_diag_at(t, 1);
    assert_at(e, 4, 30);
    assert_non_null(strstr(e->msg, "did you mean 'kernel'?"));
    e = tn_diag_at(t, 2);
    assert_at(e, 5, 30);
    assert_non_null(strstr(e->msg, "'filters'"));
    assert_null(strstr(e->msg, "did you mean"));
    e = tn_diag_at(t, 3);
    assert_at(e, 6, 24);
    assert_non_null(strstr(e->msg, "did you mean 'activation'?"));
    tn_free(t);
}

typedef struct BadCase {
    const char *stmt; /* one statement, on line 3, its value at column col */
    int col;
    const char *id;
    const char *contains;
} BadCase;

/* Values of the wrong type or out of range: one error each, at the value. */
static void test_bad_attribute(void **state) {
    (void)state;
    static const BadCase cases[] = {
        {"    conv2d(filters=8, kernel=0);", 30, "bad-attribute", NULL},
        {"    conv2d(filters=-1, kernel=1);", 20, "bad-attribute", NULL},
        {"    conv2d(filters=2.5, kernel=1);", 20, "bad-attribute", NULL},
        {"    conv2d(filters=8, kernel=(1, 2, 3));", 30, "bad-attribute", NULL},
        {"    conv2d(filters=8, kernel=1, stride=(2, 0));", 40, "bad-attribute", NULL},
        {"    conv2d(filters=8, kernel=1, bias=1);", 38, "bad-attribute", NULL},
        {"    conv2d(filters=8, kernel=1, activation=relux);", 44, "bad-attribute",
         "did you mean 'relu'?"},
        {"    conv2d(filters=8, kernel=1, padding=sam);", 41, "bad-attribute",
         "did you mean 'same'?"},
        {"    conv2d(filters=8, kernel=1, padding=-1);", 41, "bad-attribute", NULL},
        {"    dropout(rate=1.5);", 18, "bad-attribute", NULL},
        {"    dropout(rate=1);", 18, "bad-attribute", NULL},
        {"    batchnorm(epsilon=0);", 23, "bad-attribute", NULL},
        {"    flatten(order=whc);", 19, "bad-attribute", NULL},
        {"    conv2d(filters=nfilters, kernel=1);", 20, "undefined",
         "undefined value 'nfilters': filters must be a positive integer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char src[512];
        snprintf(src, sizeof src,
                 "network n {\n    x = input(shape=(8, 8, 4));\n%s\n}\n", cases[i].stmt);
        TestNet *t = tn_resolve(src, NULL);
        if (tn_errors(t) != 1 || tn_count(t, cases[i].id) != 1)
            print_error("case %zu: %s\n%s", i, cases[i].stmt, tn_dump(t));
        assert_int_equal(tn_errors(t), 1);
        Diag *e = tn_diag(t, cases[i].id);
        assert_non_null(e);
        if (e->span.line != 3 || e->span.col != cases[i].col)
            print_error("case %zu: %s at %d:%d\n", i, cases[i].stmt, e->span.line, e->span.col);
        assert_at(e, 3, cases[i].col);
        if (cases[i].contains) {
            if (!strstr(e->msg, cases[i].contains))
                print_error("case %zu: message %s\n", i, e->msg);
            assert_non_null(strstr(e->msg, cases[i].contains));
        }
        tn_free(t);
    }
}

/* An attribute given twice is an error at the second. */
static void test_attribute_twice(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(8, 8, 4));\n"
                            "    conv2d(filters=8, kernel=1, filters=4);\n"
                            "}\n",
                            NULL);
    assert_int_equal(tn_errors(t), 1);
    assert_at(tn_diag_at(t, 0), 3, 33);
    tn_free(t);
}

/* A required attribute or block parameter that is missing. */
static void test_missing_attribute(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block b(t, *, f) {\n"
                            "    c = conv2d(t, filters=f, kernel=1);\n"
                            "    return c;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 4));\n"
                            "    conv2d(kernel=3);\n"
                            "    maxpool2d(x);\n"
                            "    y = flatten(x);\n"
                            "    dense(y);\n"
                            "    z = b(x);\n"
                            "    i = input();\n"
                            "}\n",
                            NULL);
    assert_count(t, "missing-attribute", 5);
    assert_int_equal(tn_errors(t), 5);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 7, 5);
    assert_non_null(strstr(e->msg, "'filters'"));
    e = tn_diag_at(t, 1);
    assert_at(e, 8, 5);
    assert_non_null(strstr(e->msg, "'size'"));
    e = tn_diag_at(t, 2);
    assert_at(e, 10, 5);
    assert_non_null(strstr(e->msg, "'units'"));
    e = tn_diag_at(t, 3);
    assert_at(e, 11, 9);
    assert_non_null(strstr(e->msg, "'f'"));
    e = tn_diag_at(t, 4);
    assert_at(e, 12, 9);
    assert_non_null(strstr(e->msg, "'shape'"));
    tn_free(t);
}

/* `add` and `concat` take two or more tensors, the other ops exactly one;
** the first statement of a network must be an input. */
static void test_tensor_counts(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(8, 8, 4));\n"
                            "    a = relu(x, x);\n"
                            "    b = add(x);\n"
                            "    c = concat();\n"
                            "    d = add(x, x, x);\n"
                            "}\n",
                            NULL);
    assert_int_equal(tn_errors(t), 3);
    assert_at(tn_diag_at(t, 0), 3, 9);
    assert_at(tn_diag_at(t, 1), 4, 9);
    assert_at(tn_diag_at(t, 2), 5, 9);
    assert_false(tn_must_node(t, "d")->bad);
    tn_free(t);

    t = tn_resolve("network n {\n"
                   "    relu();\n"
                   "    x = input(shape=(8, 8, 4));\n"
                   "}\n",
                   NULL);
    assert_int_equal(tn_errors(t), 1);
    assert_at(tn_diag_at(t, 0), 2, 5);
    tn_free(t);
}

/* An error inside a block is located inside it, with a note at each call
** site; two calls, two errors. */
static void test_errors_in_blocks(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block b(t, *, f) {\n"
                            "    c = conv2d(t, filters=f, kernel=1);\n"
                            "    return c;\n"
                            "}\n"
                            "block outer(t) {\n"
                            "    o = b(t, f=0);\n"
                            "    return o;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 4));\n"
                            "    l1 = b(x, f=0);\n"
                            "    l2 = outer(x);\n"
                            "}\n",
                            NULL);
    assert_count(t, "bad-attribute", 2);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 2, 27);
    assert_int_equal(e->notes.len, 1);
    assert_int_equal(((Note *)e->notes.data[0])->span.line, 11);
    assert_string_equal(((Note *)e->notes.data[0])->msg, "in block 'b', called as 'l1' here");
    e = tn_diag_at(t, 1);
    assert_at(e, 2, 27);
    assert_int_equal(e->notes.len, 2);
    assert_int_equal(((Note *)e->notes.data[0])->span.line, 6);
    assert_string_equal(((Note *)e->notes.data[0])->msg, "in block 'b', called as 'l2.o' here");
    assert_int_equal(((Note *)e->notes.data[1])->span.line, 12);
    assert_string_equal(((Note *)e->notes.data[1])->msg,
                        "in block 'outer', called as 'l2' here");
    tn_free(t);
}

/* A block's parameters are names like any other: one of them given twice
** is a `redefined` error at the second, in the block's header. */
static void test_duplicate_block_parameters(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block b(x, x) {\n"
                            "    s = add(x, x);\n"
                            "    return s;\n"
                            "}\n"
                            "block c(t, *, f, f = 2) {\n"
                            "    k = conv2d(t, filters=f, kernel=1);\n"
                            "    return k;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "}\n",
                            NULL);
    if (tn_count(t, "redefined") != 2)
        print_error("%s", tn_dump(t));
    assert_count(t, "redefined", 2);
    assert_at(tn_diag_nth(t, "redefined", 0), 1, 12);
    assert_at(tn_diag_nth(t, "redefined", 1), 5, 18);
    tn_free(t);
}

/* `output` belongs in a network. */
static void test_output_in_block(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block b(t) {\n"
                            "    c = relu(t);\n"
                            "    output c;\n"
                            "    return c;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(8, 8, 4));\n"
                            "    y = b(x);\n"
                            "}\n",
                            NULL);
    assert_int_equal(tn_errors(t), 1);
    assert_int_equal(tn_diag_at(t, 0)->span.line, 3);
    tn_free(t);
}

/* A large generated file: 2,000 blocks, each defined once and calling the
** one before it (every 50th calls the first, so that calls do not nest more
** than 100 deep), and a network of 5,000 calls. Every call
** starts with no names (its generated names count from 1 again, a name of
** the previous call is not visible), value parameters bind by name, and a
** block defined twice is reported once, against the first definition.
** Results only: that calls are cheap is measured in bench/. */
static void test_many_blocks_and_calls(void **state) {
    (void)state;
    enum { NBLOCKS = 2000, NCALLS = 5000 };
    Buf b = {0};
    buf_puts(&b, "block b0(t, *, k = 1, f = 2) {\n"
                 "    conv2d(t, filters=f, kernel=k);\n"
                 "    conv2d(filters=f, kernel=k);\n"
                 "    y = relu();\n"
                 "    return y;\n"
                 "}\n");
    for (int i = 1; i < NBLOCKS; i++)
        buf_printf(&b, "block b%d(t, *, f) {\n    y = b%d(t, f=f);\n    return y;\n}\n", i,
                   i % 50 ? i - 1 : 0);
    buf_puts(&b, "block b1(t) {\n    return t;\n}\n"); /* defined twice */
    buf_puts(&b, "network n {\n    x = input(shape=(4, 4, 2));\n");
    for (int i = 0; i < NCALLS; i++)
        buf_printf(&b, "    c%d = b%d(x, f=%d);\n", i, i < NCALLS - 1 ? 0 : NBLOCKS - 1, 1 + i % 3);
    buf_puts(&b, "}\n");
    TestNet *t = tn_resolve(b.data, NULL);
    buf_free(&b);
    assert_count(t, "redefined", 1);
    Diag *e = tn_diag(t, "redefined");
    assert_string_equal(e->msg, "block 'b1' is already defined");
    assert_int_equal(e->span.line, 4 * NBLOCKS + 3);
    assert_int_equal(e->notes.len, 1);
    assert_int_equal(((Note *)e->notes.data[0])->span.line, 7);
    assert_int_equal(t->diags.list.len, 1);
    /* the input, then three layers a call */
    assert_int_equal(t->g->nodes.len, 1 + 3 * NCALLS);
    Node *n = tn_must_node(t, "c4997.conv2d_1");
    assert_int_equal(n->filters, 1 + 4997 % 3);
    assert_ptr_equal(n->in[0], tn_must_node(t, "x"));
    n = tn_must_node(t, "c4997.conv2d_2");
    assert_ptr_equal(n->in[0], tn_must_node(t, "c4997.conv2d_1"));
    assert_ptr_equal(tn_must_node(t, "c4997.y")->in[0], n);
    assert_null(tn_node(t, "c4997.conv2d_3"));
    /* the last call goes through b1999 to b1950, then b0 */
    Buf name = {0};
    buf_puts(&name, "c4999");
    for (int i = 0; i < 50; i++)
        buf_puts(&name, ".y");
    buf_puts(&name, ".conv2d_2");
    n = tn_must_node(t, name.data);
    assert_int_equal(n->filters, 1 + 4999 % 3);
    assert_int_equal(n->kernel[0], 1);
    buf_free(&name);
    tn_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_names),
        cmocka_unit_test(test_sequential_default),
        cmocka_unit_test(test_block_expansion),
        cmocka_unit_test(test_block_value_override),
        cmocka_unit_test(test_generated_names_in_blocks),
        cmocka_unit_test(test_nested_blocks),
        cmocka_unit_test(test_value_parameters),
        cmocka_unit_test(test_symbol_parameters),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_arithmetic_errors),
        cmocka_unit_test(test_name_collisions),
        cmocka_unit_test(test_block_name_collisions),
        cmocka_unit_test(test_undefined),
        cmocka_unit_test(test_block_scope),
        cmocka_unit_test(test_recursion),
        cmocka_unit_test(test_output_statements),
        cmocka_unit_test(test_default_outputs),
        cmocka_unit_test(test_attribute_defaults),
        cmocka_unit_test(test_padding_forms),
        cmocka_unit_test(test_unknown_op),
        cmocka_unit_test(test_unknown_attribute),
        cmocka_unit_test(test_bad_attribute),
        cmocka_unit_test(test_attribute_twice),
        cmocka_unit_test(test_missing_attribute),
        cmocka_unit_test(test_tensor_counts),
        cmocka_unit_test(test_errors_in_blocks),
        cmocka_unit_test(test_duplicate_block_parameters),
        cmocka_unit_test(test_output_in_block),
        cmocka_unit_test(test_many_blocks_and_calls),
    };
    return cmocka_run_group_tests_name("resolve", tests, NULL, NULL);
}
