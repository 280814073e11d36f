/* test_parse.c: the scanner and the parser (grammar/, parse.c).
**
** Tokens as docs/language.md ("Lexical") defines them, the grammar's
** productions as the syntax tree of netc.h records them, and syntax errors:
** each located at its line and column (columns count characters), worded
** "expected X, saw Y", recovered from at the next ';' or '}' so that every
** error of a file is reported, and hostile input (NUL bytes, bad UTF-8, huge
** names, deep nesting) that must end in a located error, never a crash.
**
** Where the specification leaves room, the expectations follow the choices
** written down in docs/language.md (for example: a missing ';' is reported
** just after the previous token, "... on line N").
*/
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static NetAst *net0(TestNet *t) {
    assert_true(t->file->networks.len >= 1);
    return t->file->networks.data[0];
}

static Stmt *stmt_at(NetAst *n, int i) {
    assert_true(i < n->stmts.len);
    return n->stmts.data[i];
}

/* The value of keyword argument k of statement s. */
static Expr *kwarg_value(Stmt *s, int k) {
    assert_true(k < s->kwargs.len);
    return ((Kwarg *)s->kwargs.data[k])->value;
}

/* A name is one token, dots and integer parts included. */
static void test_dotted_names(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    layer1.0.conv2 = conv2d(x, filters=1, kernel=1);\n"
                          "    layer1.0 = relu(layer1.0.conv2);\n"
                          "    a_b.c12.0.d = add(layer1.0, x);\n"
                          "}\n");
    assert_no_errors(t);
    NetAst *n = net0(t);
    assert_string_equal(n->id.name, "n");
    assert_int_equal(n->stmts.len, 4);
    Stmt *s = stmt_at(n, 1);
    assert_int_equal(s->kind, S_CALL);
    assert_string_equal(s->target.name, "layer1.0.conv2");
    assert_int_equal(s->target.span.line, 3);
    assert_int_equal(s->target.span.col, 5);
    assert_int_equal(s->target.span.end_col, 19); /* 14 characters */
    assert_string_equal(s->callee.name, "conv2d");
    assert_int_equal(s->args.len, 1);
    assert_string_equal(((Ident *)s->args.data[0])->name, "x");
    assert_int_equal(s->kwargs.len, 2);
    /* `layer1.0` is a name, not `layer1` and the float `.0` */
    s = stmt_at(n, 2);
    assert_string_equal(s->target.name, "layer1.0");
    assert_int_equal(s->args.len, 1);
    assert_string_equal(((Ident *)s->args.data[0])->name, "layer1.0.conv2");
    s = stmt_at(n, 3);
    assert_string_equal(s->target.name, "a_b.c12.0.d");
    assert_int_equal(s->args.len, 2);
    assert_string_equal(((Ident *)s->args.data[0])->name, "layer1.0");
    tn_free(t);
}

/* A statement's span runs from its first token to the end of its call. */
static void test_statement_span(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    relu();\n"
                          "}\n");
    assert_no_errors(t);
    Stmt *s = stmt_at(net0(t), 0);
    assert_int_equal(s->span.line, 2);
    assert_int_equal(s->span.col, 5);
    assert_int_equal(s->span.end_line, 2);
    assert_int_equal(s->span.end_col, 31); /* just after the ')' at column 30 */
    assert_null(stmt_at(net0(t), 1)->target.name);
    assert_int_equal(stmt_at(net0(t), 1)->span.col, 5);
    assert_int_equal(stmt_at(net0(t), 1)->span.end_col, 11);
    tn_free(t);
}

/* Integers and the four forms of floats. */
static void test_numbers(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    leaky_relu(alpha=1.5);\n"
                          "    leaky_relu(alpha=1e-3);\n"
                          "    leaky_relu(alpha=.5);\n"
                          "    leaky_relu(alpha=2.);\n"
                          "    leaky_relu(alpha=0);\n"
                          "    leaky_relu(alpha=120);\n"
                          "    leaky_relu(alpha=3e2);\n"
                          "    leaky_relu(alpha=0.25);\n"
                          "}\n");
    assert_no_errors(t);
    NetAst *n = net0(t);
    Expr *e = kwarg_value(stmt_at(n, 1), 0);
    assert_int_equal(e->kind, E_FLOAT);
    assert_true(e->f == 1.5);
    e = kwarg_value(stmt_at(n, 2), 0);
    assert_int_equal(e->kind, E_FLOAT);
    assert_true(e->f == 1e-3);
    e = kwarg_value(stmt_at(n, 3), 0);
    assert_int_equal(e->kind, E_FLOAT);
    assert_true(e->f == 0.5);
    e = kwarg_value(stmt_at(n, 4), 0);
    assert_int_equal(e->kind, E_FLOAT);
    assert_true(e->f == 2.0);
    e = kwarg_value(stmt_at(n, 5), 0);
    assert_int_equal(e->kind, E_INT);
    assert_int_equal(e->i, 0);
    e = kwarg_value(stmt_at(n, 6), 0);
    assert_int_equal(e->kind, E_INT);
    assert_int_equal(e->i, 120);
    e = kwarg_value(stmt_at(n, 7), 0);
    assert_int_equal(e->kind, E_FLOAT);
    assert_true(e->f == 300.0);
    e = kwarg_value(stmt_at(n, 8), 0);
    assert_int_equal(e->kind, E_FLOAT);
    assert_true(e->f == 0.25);
    tn_free(t);
}

/* Integers are `0` or `[1-9][0-9]*`: a leading zero is an error. */
static void test_leading_zero(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    conv2d(filters=007, kernel=1);\n"
                          "}\n");
    assert_count(t, "syntax", 1);
    Diag *e = tn_diag(t, "syntax");
    assert_at(e, 3, 20);
    assert_string_equal(e->msg, "integer '007' has a leading zero");
    tn_free(t);
}

/* Expressions: precedence, unary minus, tuples and parentheses. */
static void test_expressions_and_tuples(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(3,));\n"
                          "    y = input(shape=(3));\n"
                          "    z = input(shape=(28, 28, 1));\n"
                          "    zeropad2d(z, padding=(1, 2 + 3 * 4, -1, (5)));\n"
                          "}\n");
    assert_no_errors(t);
    NetAst *n = net0(t);
    Expr *e = kwarg_value(stmt_at(n, 0), 0);
    assert_int_equal(e->kind, E_TUPLE); /* (3,) is a tuple of one */
    assert_int_equal(e->elems.len, 1);
    assert_int_equal(((Expr *)e->elems.data[0])->i, 3);
    e = kwarg_value(stmt_at(n, 1), 0);
    assert_int_equal(e->kind, E_INT); /* (3) is 3 */
    assert_int_equal(e->i, 3);
    e = kwarg_value(stmt_at(n, 2), 0);
    assert_int_equal(e->kind, E_TUPLE);
    assert_int_equal(e->elems.len, 3);
    assert_int_equal(((Expr *)e->elems.data[0])->i, 28);
    assert_int_equal(((Expr *)e->elems.data[2])->i, 1);
    e = kwarg_value(stmt_at(n, 3), 0);
    assert_int_equal(e->kind, E_TUPLE);
    assert_int_equal(e->elems.len, 4);
    Expr *sum = e->elems.data[1]; /* 2 + (3 * 4) */
    assert_int_equal(sum->kind, E_ADD);
    assert_int_equal(sum->lhs->kind, E_INT);
    assert_int_equal(sum->rhs->kind, E_MUL);
    assert_int_equal(((Expr *)e->elems.data[2])->kind, E_NEG);
    assert_int_equal(((Expr *)e->elems.data[3])->kind, E_INT);
    tn_free(t);
}

/* `a - b - c` is (a − b) − c, `-a * b` is (−a)·b. */
static void test_associativity(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(10 - 2 - 3, -2 * 3, 8 / 2 / 2));\n"
                          "}\n");
    assert_no_errors(t);
    Expr *e = kwarg_value(stmt_at(net0(t), 0), 0);
    assert_int_equal(e->kind, E_TUPLE);
    Expr *a = e->elems.data[0];
    assert_int_equal(a->kind, E_SUB);
    assert_int_equal(a->lhs->kind, E_SUB);
    assert_int_equal(a->rhs->kind, E_INT);
    assert_int_equal(a->rhs->i, 3);
    Expr *b = e->elems.data[1];
    assert_int_equal(b->kind, E_MUL);
    assert_int_equal(b->lhs->kind, E_NEG);
    Expr *c = e->elems.data[2];
    assert_int_equal(c->kind, E_DIV);
    assert_int_equal(c->lhs->kind, E_DIV);
    tn_free(t);
}

/* Strings (only in import) with the \" and \\ escapes. */
static void test_string_escapes(void **state) {
    (void)state;
    TestNet *t = tn_parse("import \"a\\\"b\\\\c.net\";\n"
                          "import \"plain.net\";\n");
    assert_int_equal(tn_count(t, "syntax"), 0);
    assert_int_equal(t->file->imports.len, 2);
    Import *im = t->file->imports.data[0];
    assert_string_equal(im->path, "a\"b\\c.net");
    assert_int_equal(im->span.line, 1);
    assert_int_equal(im->span.col, 1);
    im = t->file->imports.data[1];
    assert_string_equal(im->path, "plain.net");
    /* neither file exists: each import is an `import` error at its line */
    assert_count(t, "import", 2);
    assert_at(tn_diag(t, "import"), 1, 1);
    tn_free(t);
}

/* Another escape is an error at the string; so is a string that does not
** end on its line. */
static void test_string_errors(void **state) {
    (void)state;
    TestNet *t = tn_parse("import \"x\\n.net\";\n"
                          "network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "}\n");
    assert_count(t, "syntax", 1);
    Diag *e = tn_diag_at(t, 0);
    assert_string_equal(e->id, "syntax");
    assert_at(e, 1, 8);
    assert_non_null(tn_network(t, "n"));
    tn_free(t);

    t = tn_parse("import \"open.net\n"
                 ";\n"
                 "network n {\n"
                 "    x = input(shape=(4, 4, 1));\n"
                 "}\n");
    assert_count(t, "syntax", 1);
    assert_at(tn_diag_at(t, 0), 1, 8);
    assert_non_null(tn_network(t, "n"));
    tn_free(t);
}

/* Keywords cannot be names or begin them; after a dot they are parts of a
** name like any other (torchvision's `features.1.0.block.0`); op names are
** names. */
static void test_keywords_not_names(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    output.a = relu(x);\n"
                          "    true.b = relu(x);\n"
                          "    c = relu(x);\n"
                          "}\n");
    assert_count(t, "syntax", 2);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 3, 5);
    assert_string_equal(e->msg, "'output' is a keyword and cannot begin a name");
    e = tn_diag_at(t, 1);
    assert_at(e, 4, 5);
    assert_string_equal(e->msg, "'true' is a keyword and cannot begin a name");
    tn_free(t);

    t = tn_resolve("network n {\n"
                   "    x = input(shape=(4, 4, 1));\n"
                   "    features.1.0.block.0 = relu(x);\n"
                   "    layer.true.output.network.import.return.false = relu(features.1.0.block.0);\n"
                   "}\n",
                   NULL);
    assert_no_errors(t);
    assert_int_equal(tn_must_node(t, "features.1.0.block.0")->op, OP_relu);
    assert_int_equal(tn_must_node(t, "layer.true.output.network.import.return.false")->op, OP_relu);
    tn_free(t);

    /* a keyword where a name should be: the grammar rejects it */
    t = tn_parse("network n {\n"
                 "    x = input(shape=(4, 4, 1));\n"
                 "    y = relu(x); network = relu(x);\n"
                 "    z = relu(x);\n"
                 "}\n");
    assert_count(t, "syntax", 1);
    e = tn_diag(t, "syntax");
    assert_at(e, 3, 18);
    assert_string_equal(e->msg, "expected identifier, 'output' or '}', saw 'network'");
    /* recovery at the ';': z is read */
    NetAst *n = net0(t);
    assert_int_equal(n->stmts.len, 3);
    assert_string_equal(stmt_at(n, 2)->target.name, "z");
    tn_free(t);

    /* op names are ordinary names */
    t = tn_resolve("network n {\n"
                   "    x = input(shape=(4, 4, 1));\n"
                   "    relu = relu(x);\n"
                   "    conv2d = conv2d(relu, filters=2, kernel=1);\n"
                   "    input.1 = add(conv2d, conv2d);\n"
                   "}\n",
                   NULL);
    assert_no_errors(t);
    assert_int_equal(tn_must_node(t, "relu")->op, OP_relu);
    assert_int_equal(tn_must_node(t, "conv2d")->op, OP_conv2d);
    assert_int_equal(tn_must_node(t, "input.1")->op, OP_add);
    tn_free(t);
}

/* A name may be written quoted, anywhere a name may stand: a target, an
** argument, a block call's name (its layers' prefix), `output`, `return`. */
static void test_quoted_names(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block proj(x) {\n"
                            "    \"conv-0\" = conv2d(x, filters=2, kernel=1);\n"
                            "    return \"conv-0\";\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(4, 4, 1));\n"
                            "    \"trunk_output.block1.block1-0.proj\" = conv2d(x, filters=2, kernel=1);\n"
                            "    \"block1-1\" = proj(\"trunk_output.block1.block1-0.proj\");\n"
                            "    y = add(\"block1-1\", trunk_output.block1);\n"
                            "    output \"block1-1\", y;\n"
                            "}\n",
                            NULL);
    assert_count(t, "syntax", 0);
    assert_count(t, "undefined", 1); /* the quoted name is one name, not a prefix */
    assert_int_equal(tn_must_node(t, "trunk_output.block1.block1-0.proj")->op, OP_conv2d);
    assert_int_equal(tn_must_node(t, "block1-1.conv-0")->op, OP_conv2d);
    tn_free(t);

    t = tn_parse("network n {\n"
                 "    x = input(shape=(4, 4, 1));\n"
                 "    \"\" = relu(x);\n"
                 "    \"a b\" = relu(x);\n"
                 "    \"a\\\"b\" = relu(x);\n"
                 "}\n");
    assert_count(t, "syntax", 3);
    assert_at(tn_diag_at(t, 0), 3, 5);
    assert_string_equal(tn_diag_at(t, 0)->msg, "a quoted name cannot be empty");
    assert_string_equal(tn_diag_at(t, 1)->msg,
                        "a quoted name cannot hold white space or control characters");
    assert_string_equal(tn_diag_at(t, 2)->msg, "a quoted name cannot hold '\"' or '\\'");
    tn_free(t);
}

/* An inline block call gives the block's layers the caller's prefix: one
** body serves MobileNet v2's plain and residual inverted blocks. */
static void test_inline_calls(void **state) {
    (void)state;
    TestNet *t = tn_resolve("block body(x, *, c) {\n"
                            "    conv.0 = conv2d(x, filters=c, kernel=1);\n"
                            "    return conv.0;\n"
                            "}\n"
                            "block res(x, *, c) {\n"
                            "    y = inline body(x, c=c);\n"
                            "    out = add(x, y);\n"
                            "    return out;\n"
                            "}\n"
                            "network n {\n"
                            "    x = input(shape=(4, 4, 2));\n"
                            "    features.1 = body(c=2);\n"
                            "    features.2 = res(c=2);\n"
                            "    inline body(c=2);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    assert_int_equal(tn_must_node(t, "features.1.conv.0")->op, OP_conv2d);
    assert_int_equal(tn_must_node(t, "features.2.conv.0")->op, OP_conv2d);
    assert_int_equal(tn_must_node(t, "features.2.out")->op, OP_add);
    assert_int_equal(tn_must_node(t, "conv.0")->op, OP_conv2d);
    tn_free(t);

    t = tn_resolve("network n {\n"
                   "    x = input(shape=(4, 4, 2));\n"
                   "    a = inline relu(x);\n"
                   "    b = foo relu(a);\n"
                   "}\n",
                   NULL);
    assert_count(t, "syntax", 2);
    /* the parser's error first, then the resolver's */
    assert_at(tn_diag_at(t, 0), 4, 9);
    assert_string_equal(tn_diag_at(t, 0)->msg,
                        "expected '=' or '(' after 'foo', saw identifier 'relu'");
    assert_at(tn_diag_at(t, 1), 3, 9);
    assert_string_equal(tn_diag_at(t, 1)->msg, "inline applies to block calls; 'relu' is an op");
    tn_free(t);
}

/* Comments run from # to the end of the line and may hold any byte. */
static void test_comments(void **state) {
    (void)state;
    const char src[] = "# 28\xC3\x97" "28, \xFF\x01 anything { ( ; \"\n"
                       "network n { # the network\n"
                       "    x = input(shape=(4, 4, 1)); # input ## more\n"
                       "    #relu();\n"
                       "    y = relu(x);\n"
                       "}\n"
                       "# no newline at the end";
    TestNet *t = tn_parse_len(src, sizeof src - 1);
    assert_int_equal(t->diags.list.len, 0);
    NetAst *n = net0(t);
    assert_int_equal(n->stmts.len, 2);
    assert_string_equal(stmt_at(n, 1)->target.name, "y");
    assert_int_equal(stmt_at(n, 1)->span.line, 5);
    assert_int_equal(t->file->suppress.len, 0);
    tn_free(t);
}

/* `# netc: disable=ID,...` comments are recorded with their line, and
** whether they are alone on it (then they are for the next line). */
static void test_disable_comments_recorded(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    # netc: disable=rf-coverage,unused\n"
                          "    y = relu(x);  # netc: disable=stride-gap\n"
                          "    # netc is not a directive here\n"
                          "    # netc: disable=dropped-pixels\n"
                          "}\n");
    assert_int_equal(t->diags.list.len, 0);
    assert_int_equal(t->file->suppress.len, 3);
    Suppress *s = t->file->suppress.data[0];
    assert_int_equal(s->line, 3);
    assert_true(s->own_line);
    assert_string_equal(s->ids, "rf-coverage,unused");
    s = t->file->suppress.data[1];
    assert_int_equal(s->line, 4);
    assert_false(s->own_line);
    assert_string_equal(s->ids, "stride-gap");
    s = t->file->suppress.data[2];
    assert_int_equal(s->line, 6);
    assert_true(s->own_line);
    assert_string_equal(s->ids, "dropped-pixels");
    tn_free(t);
}

/* All positional arguments come before all keyword arguments. */
static void test_positional_after_keyword(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    y = conv2d(filters=1, x, kernel=1);\n"
                          "}\n");
    Stmt *s = stmt_at(net0(t), 1);
    assert_int_equal(s->misorder.line, 3);
    assert_int_equal(s->misorder.col, 27);
    assert_int_equal(s->args.len, 1);
    assert_int_equal(s->kwargs.len, 2);
    tn_free(t);

    t = tn_resolve("network n {\n"
                   "    x = input(shape=(4, 4, 1));\n"
                   "    y = conv2d(filters=1, x, kernel=1);\n"
                   "}\n",
                   NULL);
    assert_count(t, "syntax", 1);
    assert_int_equal(tn_errors(t), 1);
    Diag *e = tn_diag(t, "syntax");
    assert_at(e, 3, 27);
    assert_non_null(strstr(e->msg, "positional"));
    tn_free(t);
}

/* The rest of the grammar: output statements, blocks with tensor and value
** parameters and defaults, several items in one file. */
static void test_blocks_outputs_items(void **state) {
    (void)state;
    TestNet *t = tn_parse("block b(x, y, *, f, g = 2 * 3) {\n"
                          "    s = add(x, y);\n"
                          "    return s;\n"
                          "}\n"
                          "block c(x) {\n"
                          "    return x;\n"
                          "}\n"
                          "network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    a = relu(x);\n"
                          "    output a, x;\n"
                          "}\n"
                          "network m {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "}\n");
    assert_int_equal(t->diags.list.len, 0);
    assert_int_equal(t->file->blocks.len, 2);
    assert_int_equal(t->file->networks.len, 2);
    Block *b = t->file->blocks.data[0];
    assert_string_equal(b->id.name, "b");
    assert_int_equal(b->tparams.len, 2);
    assert_int_equal(b->vparams.len, 2);
    Param *f = b->vparams.data[0];
    Param *g = b->vparams.data[1];
    assert_string_equal(f->id.name, "f");
    assert_null(f->def);
    assert_string_equal(g->id.name, "g");
    assert_non_null(g->def);
    assert_int_equal(g->def->kind, E_MUL);
    assert_string_equal(b->ret.name, "s");
    assert_int_equal(b->stmts.len, 1);
    Block *c = t->file->blocks.data[1];
    assert_int_equal(c->tparams.len, 1);
    assert_int_equal(c->vparams.len, 0);
    assert_int_equal(c->stmts.len, 0);
    NetAst *n = net0(t);
    Stmt *o = stmt_at(n, 2);
    assert_int_equal(o->kind, S_OUTPUT);
    assert_int_equal(o->args.len, 2);
    assert_string_equal(((Ident *)o->args.data[0])->name, "a");
    assert_string_equal(((Ident *)o->args.data[1])->name, "x");
    assert_string_equal(((NetAst *)t->file->networks.data[1])->id.name, "m");
    tn_free(t);
}

/* A missing ';' is reported where it is missing, just after the previous
** token, and says where the unexpected token is; the parser recovers at the
** next ';' and reports the next error too. */
static void test_recovery_at_semicolon(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    a = relu(x)\n"
                          "    b = relu(x);\n"
                          "    c = relu(x x);\n"
                          "    d = relu(x);\n"
                          "}\n");
    assert_count(t, "syntax", 2);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 3, 16);
    assert_string_equal(e->msg, "expected ';', saw identifier 'b' on line 4");
    e = tn_diag_at(t, 1);
    assert_at(e, 5, 16);
    assert_string_equal(e->msg, "expected ')' or ',', saw identifier 'x'");
    /* x, then a and c, whose calls were lost but whose names stay (b ran
    ** into a's statement), then d */
    NetAst *n = net0(t);
    assert_int_equal(n->stmts.len, 4);
    assert_string_equal(stmt_at(n, 0)->target.name, "x");
    assert_string_equal(stmt_at(n, 1)->target.name, "a");
    assert_int_equal(stmt_at(n, 1)->kind, S_LOST);
    assert_string_equal(stmt_at(n, 2)->target.name, "c");
    assert_int_equal(stmt_at(n, 2)->kind, S_LOST);
    assert_string_equal(stmt_at(n, 3)->target.name, "d");
    assert_int_equal(stmt_at(n, 3)->kind, S_CALL);
    tn_free(t);
}

/* Several errors on one line and on several lines, each located. */
static void test_several_errors(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    a = relu(x;\n"
                          "    b = = relu(x);\n"
                          "    5;\n"
                          "    c = relu(x);\n"
                          "}\n");
    assert_count(t, "syntax", 3);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 3, 15);
    assert_string_equal(e->msg, "expected ')' or ',', saw ';'");
    e = tn_diag_at(t, 1);
    assert_at(e, 4, 9);
    assert_string_equal(e->msg, "expected identifier, saw '='");
    /* nothing is missing at the end of line 4: the error is at the '5' */
    e = tn_diag_at(t, 2);
    assert_at(e, 5, 5);
    assert_string_equal(e->msg, "expected identifier, 'output' or '}', saw integer '5'");
    /* x, a and b lost (their names kept), c; the '5' leaves nothing */
    NetAst *n = net0(t);
    assert_int_equal(n->stmts.len, 4);
    assert_int_equal(stmt_at(n, 1)->kind, S_LOST);
    assert_string_equal(stmt_at(n, 2)->target.name, "b");
    assert_int_equal(stmt_at(n, 2)->kind, S_LOST);
    assert_string_equal(stmt_at(n, 3)->target.name, "c");
    tn_free(t);
}

/* A statement lost to a syntax error causes no second error: the network
** whose input statement was lost does not also "have no input". */
static void test_no_cascade_after_lost_statement(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(4, 4, 1))\n"
                            "    y = relu(x);\n"
                            "}\n",
                            NULL);
    if (tn_errors(t) != 1)
        print_error("%s", tn_dump(t));
    assert_int_equal(tn_errors(t), 1);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 2, 31);
    assert_string_equal(e->msg, "expected ';', saw identifier 'y' on line 3");
    tn_free(t);
}

/* A statement error before a '}' recovers at that '}': the network is
** closed there and the next network is read as itself. */
static void test_recovery_at_brace(void **state) {
    (void)state;
    TestNet *t = tn_parse("network a {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    y = relu(x\n"
                          "}\n"
                          "network b {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    y = relu(x);\n"
                          "}\n");
    assert_count(t, "syntax", 1);
    Diag *e = tn_diag(t, "syntax");
    assert_at(e, 3, 15);
    assert_string_equal(e->msg, "expected ')' or ',', saw '}' on line 4");
    assert_int_equal(t->file->networks.len, 2);
    NetAst *a = tn_network(t, "a");
    NetAst *b = tn_network(t, "b");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->stmts.len, 1);
    assert_int_equal(b->stmts.len, 2);
    assert_int_equal(stmt_at(b, 1)->span.line, 7);
    tn_free(t);
}

/* An error at the top level skips to the '}' that ends the item. */
static void test_recovery_top_level(void **state) {
    (void)state;
    TestNet *t = tn_parse("network {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    y = relu(x);\n"
                          "}\n"
                          "network ok {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "}\n");
    assert_count(t, "syntax", 1);
    Diag *e = tn_diag(t, "syntax");
    assert_at(e, 1, 9);
    assert_string_equal(e->msg, "expected identifier, saw '{'");
    NetAst *ok = tn_network(t, "ok");
    assert_non_null(ok);
    assert_int_equal(ok->stmts.len, 1);
    tn_free(t);
}

/* A block must end in `return NAME;`: an error at its '}'. */
static void test_block_without_return(void **state) {
    (void)state;
    TestNet *t = tn_parse("block b(x) {\n"
                          "    y = relu(x);\n"
                          "}\n"
                          "network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "}\n");
    assert_count(t, "syntax", 1);
    Diag *e = tn_diag(t, "syntax");
    assert_at(e, 3, 1);
    assert_non_null(strstr(e->msg, "return"));
    assert_non_null(tn_network(t, "n"));
    tn_free(t);
}

/* The end of the file where a '}' is missing. */
static void test_unexpected_end_of_file(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n");
    assert_count(t, "syntax", 1);
    Diag *e = tn_diag(t, "syntax");
    assert_int_equal(e->span.line, 2);
    assert_string_equal(e->msg, "expected identifier, 'output' or '}', saw end of file");
    tn_free(t);
}

/* Where an expression is expected, the message says so rather than
** "expected something else". */
static void test_expected_expression_message(void **state) {
    (void)state;
    TestNet *t = tn_parse("network n {\n"
                          "    x = input(shape=(4, 4, 1));\n"
                          "    conv2d(filters=, kernel=1);\n"
                          "}\n");
    assert_count(t, "syntax", 1);
    Diag *e = tn_diag(t, "syntax");
    assert_at(e, 3, 20);
    assert_true(strncmp(e->msg, "expected ", 9) == 0);
    assert_true(strlen(e->msg) > 9 + strlen(", saw ','"));
    assert_string_equal(e->msg + strlen(e->msg) - strlen(", saw ','"), ", saw ','");
    if (strstr(e->msg, "something else"))
        print_error("message: %s\n", e->msg);
    assert_null(strstr(e->msg, "something else"));
    tn_free(t);
}

/* An integer literal above 2^63 − 1 is one located error. */
static void test_integer_overflow(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(4));\n"
                            "    dense(units=9223372036854775807);\n"
                            "    dense(units=9223372036854775808);\n"
                            "    dense(units=99999999999999999999999);\n"
                            "}\n",
                            NULL);
    assert_count(t, "syntax", 2);
    assert_int_equal(tn_errors(t), 2); /* and nothing else about them */
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 4, 17);
    assert_string_equal(e->msg,
                        "integer 9223372036854775808 is too large; the largest is 9223372036854775807");
    e = tn_diag_at(t, 1);
    assert_at(e, 5, 17);
    assert_true(tn_must_node(t, "dense_1")->units == INT64_MAX);
    tn_free(t);
}

/* A NUL byte in the first 8 KiB makes the file binary content: one error
** at its line and column that gives its byte offset, and the file is not
** read further. */
static void test_nul_byte(void **state) {
    (void)state;
    const char src[] = "network n {\n"
                       "  x = input(shape=(4,4,1));\0\n"
                       "  y = relu(x);\n"
                       "}\n";
    TestNet *t = tn_parse_len(src, sizeof src - 1);
    assert_int_equal(t->diags.list.len, 1);
    Diag *e = tn_diag(t, "binary");
    assert_at(e, 2, 28);
    assert_string_equal(e->msg, "not a .net file (binary content at byte 39)");
    assert_int_equal(e->caret_len, -1);
    assert_int_equal(e->notes.len, 0); /* not a format netc recognises */
    assert_int_equal(t->file->networks.len, 0);
    tn_free(t);
}

/* A NUL byte further on is the lexer's: an error at its line and column,
** and the rest is read. */
static void test_nul_byte_late(void **state) {
    (void)state;
    Buf b = {0};
    buf_puts(&b, "network n {\n");
    for (int i = 0; i < 100; i++) /* 100 lines of 100 bytes */
        buf_printf(&b, "# %096d\n", i);
    buf_puts(&b, "  x = input(shape=(4,4,1));");
    buf_putc(&b, '\0');
    buf_puts(&b, "\n  y = relu(x);\n}\n");
    TestNet *t = tn_parse_len(b.data, b.len);
    assert_count(t, "syntax", 1);
    assert_count(t, "binary", 0);
    Diag *e = tn_diag(t, "syntax");
    assert_at(e, 102, 28);
    assert_string_equal(e->msg, "unexpected NUL byte");
    assert_int_equal(net0(t)->stmts.len, 2);
    buf_free(&b);
    tn_free(t);
}

/* What source_binary says of `len` bytes named `name`: NULL if text, else
** "AT:HINT" (HINT "-" when there is none). */
static const char *binary_of(Arena *a, const char *name, const char *bytes, size_t len) {
    SourceFile *f = source_new(a, name, name, bytes, len);
    size_t at;
    const char *hint;
    if (!source_binary(f, &at, &hint))
        return NULL;
    return arena_printf(a, "%zu:%s", at, hint ? hint : "-");
}

/* The formats netc recognises, by their first bytes; and text that must
** stay text. */
static void test_binary_formats(void **state) {
    (void)state;
    Arena a = {0};
    static const struct {
        const char *name, *bytes;
        size_t len;
        const char *want; /* NULL: text; else "AT:" and the start of the hint */
    } cases[] = {
#define B(s) s, sizeof s - 1
        {"ls", B("\x7F" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0"), "0:this looks like an ELF executable"},
        {"ls", B("\xCF\xFA\xED\xFE\x0C\0\0\x01"), "0:this looks like a Mach-O executable"},
        /* the first bytes of an ONNX model that onnx.save writes */
        {"m.bin", B("\x08\x07\x12\x07pytorch\x1a\x05" "2.1.0:\xb2\x02\n"), "0:this looks like an ONNX model"},
        {"m.bin", B("\x08\x03:J\n\x12\n\x01x\x12\x01y\x1a\x04test\"\x04Relu"), "0:this looks like an ONNX model"},
        /* a backspace then not a protobuf tag: binary, but not ONNX */
        {"m.bin", B("\x08\x03\x01\x01\0"), "0:-"},
        /* the name alone says ONNX only of content that is binary anyway */
        {"m.onnx", B("\x0a\x05graph\0\0"), "1:this looks like an ONNX model"},
        {"m.onnx", B("network n {\n}\n"), NULL},
        {"w.st", B("\x11\0\0\0\0\0\0\0{\"a\":{\"dtype\":1}}"), "0:this looks like a safetensors"},
        {"x.npy", B("\x93NUMPY\x01\0v\0{'descr': '<f4', }"), "0:this looks like a NumPy .npy array"},
        {"x.npz", B("PK\x03\x04\x14\0\0\0"), "2:this looks like a NumPy .npz archive"},
        {"w.pt", B("PK\x03\x04\x14\0\0\0"), "2:this looks like a zip archive"},
        {"w.pt", B("\x80\x02\x8a\x0alz\xfc\x9c" "F\xf9 j\xa8P\x19."), "0:this looks like a Python pickle"},
        {"k.h5", B("\x89HDF\r\n\x1a\n\0\0\0\0"), "0:this looks like an HDF5 file"},
        {"m.tflite", B("\x1c\0\0\0TFL3\0\0"), "0:this looks like a TensorFlow Lite model"},
        {"a.gz", B("\x1f\x8b\x08\0\0\0\0\0"), "0:this looks like gzip-compressed data"},
        {"i.png", B("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "0:this looks like a PNG image"},
        {"i.jpg", B("\xff\xd8\xff\xe0\0\x10JFIF"), "0:this looks like a JPEG image"},
        {"u.net", B("\xff\xfen\0e\0t\0"), "0:this looks like UTF-16 text"},
        {"u.net", B("n\0e\0t\0w\0o\0r\0k\0"), "1:this looks like UTF-16 text"},
        {"a.exe", B("MZ\x90\0\x03\0\0\0"), "2:this looks like a Windows executable"},
        /* text: ASCII, UTF-8, a BOM, a few Latin-1 bytes, ANSI colours */
        {"t.net", B("network n {\n    x = input(shape=(8));\n}\n"), NULL},
        {"t.net", B("# 28×28 → 10\nnetwork n {}\n"), NULL},
        {"t.net", B("\xef\xbb\xbfnetwork n {}\n"), NULL},
        {"t.net", B("# caf\xe9 cr\xe8me\nnetwork n {\n    x = input(shape=(8));\n}\n"), NULL},
        {"t.log", B("\x1b[31merror\x1b[0m: x\n"), NULL},
        {"t.net", B(""), NULL},
        /* no NUL: binary when more than 30% of the bytes are not text */
        {"t.net", B("abcdef\x01\x02\x03"), "6:-"},
        {"t.net", B("abcdefg\x01\x02\x03"), NULL},
        {"t.net", B("\xfd\xfe\xff"), "0:-"},
#undef B
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = binary_of(&a, cases[i].name, cases[i].bytes, cases[i].len);
        const char *want = cases[i].want;
        if (!want) {
            if (got)
                fail_msg("case %zu (%s): text taken for binary: %s", i, cases[i].name, got);
            continue;
        }
        if (!got || strncmp(got, want, strlen(want)) != 0)
            fail_msg("case %zu (%s): expected '%s...', got '%s'", i, cases[i].name, want,
                     got ? got : "(text)");
    }
    arena_free(&a);
}

/* Only the first 8 KiB decide: a NUL after them is left to the lexer; a
** UTF-8 character cut by the end of the window is not held against the
** file. */
static void test_binary_window(void **state) {
    (void)state;
    Arena a = {0};
    char *text = arena_alloc(&a, 20000);
    memset(text, 'a', 20000);
    text[9000] = '\0';
    assert_null(binary_of(&a, "t.net", text, 20000));
    text[8100] = '\0';
    assert_string_equal(binary_of(&a, "t.net", text, 20000), "8100:-");
    memset(text, 'a', 20000);
    memcpy(text + 8190, "\xe2\x86\x92", 3); /* → across byte 8192 */
    assert_null(binary_of(&a, "t.net", text, 20000));
    /* a file of bytes that are mostly not text, every byte checked */
    for (int i = 0; i < 20000; i++)
        text[i] = (char)(i % 3 ? 0xff : 'a');
    assert_string_equal(binary_of(&a, "t.net", text, 20000), "1:-");
    /* the span of a byte counts characters, as the lexer does */
    SourceFile *f = source_new(&a, "t.net", "t.net", "ab\n\xc3\x97\xc3\x97x\n", 9);
    Span s = source_span_at(f, 7);
    assert_int_equal(s.line, 2);
    assert_int_equal(s.col, 3);
    s = source_span_at(f, 0);
    assert_int_equal(s.line, 1);
    assert_int_equal(s.col, 1);
    arena_free(&a);
}

/* Bytes that are not UTF-8, and UTF-8 characters the language does not
** use, are errors at their line and column (columns count characters). */
static void test_invalid_utf8(void **state) {
    (void)state;
    const char src[] = "network n {\n"
                       "  x = input(shape=(4,4,1));\n"
                       "  y\xFF = relu(x);\n"
                       "  \x80z = relu(x);\n"
                       "  w = relu(x); \xC3\x97 \xC3\x97\n"
                       "  v = relu(\xC3 x);\n"
                       "}\n";
    TestNet *t = tn_parse_len(src, sizeof src - 1);
    assert_count(t, "syntax", 5);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 3, 4);
    assert_string_equal(e->msg, "invalid UTF-8 byte 0xFF");
    e = tn_diag_at(t, 1);
    assert_at(e, 4, 3);
    assert_string_equal(e->msg, "invalid UTF-8 byte 0x80");
    e = tn_diag_at(t, 2);
    assert_at(e, 5, 16);
    assert_string_equal(e->msg, "unexpected character '\xC3\x97'");
    e = tn_diag_at(t, 3);
    assert_at(e, 5, 18); /* × is one column */
    e = tn_diag_at(t, 4);
    assert_at(e, 6, 12);
    assert_string_equal(e->msg, "invalid UTF-8 byte 0xC3");
    /* every statement survives: each bad byte is skipped */
    assert_int_equal(net0(t)->stmts.len, 5);
    tn_free(t);
}

/* Forms that look like characters but are not UTF-8 (RFC 3629): a
** surrogate, an overlong 3-byte form and a code point above U+10FFFF. Each
** byte is an error of its own, and no message holds the raw bytes (which
** would make the JSON document invalid). */
static void test_utf8_not_characters(void **state) {
    (void)state;
    const char src[] = "network n {\n"
                       "  x = input(shape=(4,4,1));\n"
                       "  y = relu(\xED\xA0\x80);\n"
                       "  z = relu(\xE0\x80\x80);\n"
                       "  w = relu(\xF4\x90\x80\x80);\n"
                       "}\n";
    TestNet *t = tn_parse_len(src, sizeof src - 1);
    assert_count(t, "syntax", 10);
    Diag *e = tn_diag_at(t, 0);
    assert_at(e, 3, 12);
    assert_string_equal(e->msg, "invalid UTF-8 byte 0xED");
    assert_string_equal(tn_diag_at(t, 1)->msg, "invalid UTF-8 byte 0xA0");
    assert_at(tn_diag_at(t, 2), 3, 14);
    e = tn_diag_at(t, 3);
    assert_at(e, 4, 12);
    assert_string_equal(e->msg, "invalid UTF-8 byte 0xE0");
    e = tn_diag_at(t, 6);
    assert_at(e, 5, 12);
    assert_string_equal(e->msg, "invalid UTF-8 byte 0xF4");
    assert_string_equal(tn_diag_at(t, 7)->msg, "invalid UTF-8 byte 0x90");
    tn_free(t);
}

/* Each stray byte is one error at its own column: a continuation byte
** with no lead byte is not part of a character, so it is one column, like
** any other byte that is not UTF-8 (an editor shows each as one U+FFFD). */
static void test_stray_bytes_have_columns(void **state) {
    (void)state;
    const char src[] = "network n {\n"
                       "  x = input(shape=(4,4,1));\n"
                       "  \x80\x80 ?\n"
                       "}\n";
    TestNet *t = tn_parse_len(src, sizeof src - 1);
    assert_count(t, "syntax", 3);
    assert_at(tn_diag_at(t, 0), 3, 3);
    assert_at(tn_diag_at(t, 1), 3, 4);
    assert_at(tn_diag_at(t, 2), 3, 6);
    tn_free(t);
}

/* Columns after multi-byte characters count characters, not bytes. */
static void test_columns_count_characters(void **state) {
    (void)state;
    TestNet *t = tn_parse("import \"\xC3\xBC\xC3\xBC.net\" ?;\n");
    assert_count(t, "syntax", 1);
    Diag *e = tn_diag(t, "syntax");
    assert_at(e, 1, 17); /* import(1-6) space(7) "üü.net"(8-15) space(16) ?(17) */
    assert_string_equal(e->msg, "unexpected character '?'");
    tn_free(t);
}

/* A tab is one column; CRLF line ends are white space, and a disable
** comment ends before the '\r'. */
static void test_tabs_and_crlf(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\r\n"
                            "\tx = input(shape=(8, 8, 1));\r\n"
                            "\t# netc: disable=rf-coverage\r\n"
                            "\ty = relu(z);\r\n"
                            "}\r\n",
                            NULL);
    assert_int_equal(tn_count(t, "syntax"), 0);
    assert_count(t, "undefined", 1);
    assert_at(tn_diag(t, "undefined"), 4, 11); /* tab(1) y(2) = (4) relu(6-9) ((10) z(11) */
    assert_int_equal(t->file->suppress.len, 1);
    Suppress *s = t->file->suppress.data[0];
    assert_int_equal(s->line, 3);
    assert_true(s->own_line);
    assert_string_equal(s->ids, "rf-coverage");
    tn_free(t);
}

/* Identifiers that begin with a keyword are identifiers. */
static void test_keyword_prefixes(void **state) {
    (void)state;
    TestNet *t = tn_resolve("network n {\n"
                            "    x = input(shape=(8, 8, 1));\n"
                            "    networks = relu(x);\n"
                            "    outputs = relu(networks);\n"
                            "    true_x = relu(outputs);\n"
                            "    block1.return_ = relu(true_x);\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    assert_non_null(tn_node(t, "networks"));
    assert_non_null(tn_node(t, "outputs"));
    assert_non_null(tn_node(t, "true_x"));
    assert_non_null(tn_node(t, "block1.return_"));
    tn_free(t);
}

static char *repeat(const char *head, char c, size_t n, const char *tail, size_t *len) {
    size_t hl = strlen(head), tl = strlen(tail);
    char *s = malloc(hl + n + tl + 1);
    assert_non_null(s);
    memcpy(s, head, hl);
    memset(s + hl, c, n);
    memcpy(s + hl + n, tail, tl + 1);
    *len = hl + n + tl;
    return s;
}

/* Names are at most 1,024 bytes; a 1 MB name is one located error and the
** rest of the file is read. */
static void test_long_names(void **state) {
    (void)state;
    size_t len;
    char *src = repeat("network n {\n  x = input(shape=(4,4,1));\n  ", 'a', 1024,
                       " = relu(x);\n  z = relu(x);\n}\n", &len);
    TestNet *t = tn_parse_len(src, len);
    assert_int_equal(t->diags.list.len, 0);
    assert_int_equal(strlen(stmt_at(net0(t), 1)->target.name), 1024);
    tn_free(t);
    free(src);

    src = repeat("network n {\n  x = input(shape=(4,4,1));\n  ", 'a', 1025,
                 " = relu(x);\n  z = relu(x);\n}\n", &len);
    t = tn_parse_len(src, len);
    assert_count(t, "syntax", 1);
    assert_at(tn_diag(t, "syntax"), 3, 3);
    tn_free(t);
    free(src);

    src = repeat("network n {\n  x = input(shape=(4,4,1));\n  ", 'a', 1u << 20,
                 " = relu(x);\n  z = relu(x);\n}\n", &len);
    t = tn_parse_len(src, len);
    assert_count(t, "syntax", 1);
    Diag *e = tn_diag(t, "syntax");
    assert_at(e, 3, 3);
    assert_non_null(strstr(e->msg, "1048576"));
    assert_int_equal(net0(t)->stmts.len, 3);
    assert_string_equal(stmt_at(net0(t), 2)->target.name, "z");
    tn_free(t);
    free(src);
}

/* `x = input(shape=` + k '(' + `1` + k ')' + `);` on line 2 */
static TestNet *nested(size_t k, char open, const char *close_each) {
    size_t cl = strlen(close_each);
    Buf b = {0};
    buf_puts(&b, "network n {\n  x = input(shape=");
    for (size_t i = 0; i < k; i++)
        buf_putc(&b, open);
    buf_puts(&b, "1");
    for (size_t i = 0; i < k && cl; i++)
        buf_puts(&b, close_each);
    buf_puts(&b, ");\n}\nnetwork after {\n  x = input(shape=(1));\n}\n");
    TestNet *t = tn_parse_len(b.data, b.len);
    buf_free(&b);
    return t;
}

/* 200,000 nested parentheses (or unary minuses): one located error, no
** crash, and the rest of the file is not read. */
static void test_deep_nesting(void **state) {
    (void)state;
    TestNet *t = nested(200000, '(', ")");
    assert_count(t, "syntax", 1);
    Diag *e = tn_diag(t, "syntax");
    assert_int_equal(e->span.line, 2);
    assert_true(e->span.col > 17 && e->span.col <= 17 + 200000);
    assert_string_equal(e->msg,
                        "parentheses nested more than 1000 deep; the rest of the file is not read");
    assert_null(tn_network(t, "after"));
    tn_free(t);

    t = nested(200000, '-', "");
    assert_count(t, "syntax", 1);
    e = tn_diag(t, "syntax");
    assert_int_equal(e->span.line, 2);
    assert_non_null(strstr(e->msg, "nesting is too deep"));
    tn_free(t);

    /* modest nesting is fine */
    t = nested(100, '(', ")");
    assert_int_equal(t->diags.list.len, 0);
    assert_non_null(tn_network(t, "after"));
    tn_free(t);
}

/* The limit the message names is the real one: that many levels are read,
** one more is the error (docs/language.md: 1,000). */
static void test_nesting_limit_is_as_stated(void **state) {
    (void)state;
    TestNet *t = nested(200000, '(', ")");
    Diag *e = tn_diag(t, "syntax");
    assert_non_null(e);
    const char *p = strstr(e->msg, "more than ");
    assert_non_null(p);
    long limit = strtol(p + 10, NULL, 10);
    tn_free(t);
    assert_true(limit >= 100);

    t = nested((size_t)limit, '(', ")");
    if (t->diags.list.len)
        print_error("%ld levels:\n%s", limit, tn_dump(t));
    assert_int_equal(t->diags.list.len, 0);
    tn_free(t);

    t = nested((size_t)limit + 1, '(', ")");
    if (tn_count(t, "syntax") != 1)
        print_error("%ld levels gave no error\n", limit + 1);
    assert_count(t, "syntax", 1);
    tn_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dotted_names),
        cmocka_unit_test(test_statement_span),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_leading_zero),
        cmocka_unit_test(test_expressions_and_tuples),
        cmocka_unit_test(test_associativity),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_string_errors),
        cmocka_unit_test(test_keywords_not_names),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_disable_comments_recorded),
        cmocka_unit_test(test_positional_after_keyword),
        cmocka_unit_test(test_blocks_outputs_items),
        cmocka_unit_test(test_recovery_at_semicolon),
        cmocka_unit_test(test_several_errors),
        cmocka_unit_test(test_no_cascade_after_lost_statement),
        cmocka_unit_test(test_recovery_at_brace),
        cmocka_unit_test(test_recovery_top_level),
        cmocka_unit_test(test_block_without_return),
        cmocka_unit_test(test_unexpected_end_of_file),
        cmocka_unit_test(test_expected_expression_message),
        cmocka_unit_test(test_integer_overflow),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_nul_byte_late),
        cmocka_unit_test(test_binary_formats),
        cmocka_unit_test(test_binary_window),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_utf8_not_characters),
        cmocka_unit_test(test_columns_count_characters),
        cmocka_unit_test(test_stray_bytes_have_columns),
        cmocka_unit_test(test_tabs_and_crlf),
        cmocka_unit_test(test_keyword_prefixes),
        cmocka_unit_test(test_quoted_names),
        cmocka_unit_test(test_inline_calls),
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_nesting_limit_is_as_stated),
    };
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
