/* test_cname.c: names as C identifiers (cname.c).
**
** The rules of docs/build.md, "Names in the generated C", one test each,
** then c_names on whole networks: the identifiers every part of the
** generated code uses.
*/
#include "helpers.h"

#include "backend.h"

#include <string.h>

static const char *word(CScope *s, const char *name) {
    return c_name(s, name, CN_WORD);
}

static void test_characters(void **state) {
    (void)state;
    Arena a = {0};
    CScope s = {.arena = &a};
    assert_string_equal(word(&s, "x"), "x");
    assert_string_equal(word(&s, "layer1.0.conv1"), "layer1_0_conv1");
    assert_string_equal(word(&s, "Conv_2"), "Conv_2");
    /* leading '_' go, runs of '_' become one: no _X, __x or x__y */
    assert_string_equal(word(&s, "_Foo"), "Foo");
    assert_string_equal(word(&s, "__bar"), "bar");
    assert_string_equal(word(&s, "p__q"), "p_q");
    assert_string_equal(word(&s, "r._s"), "r_s");
    CScope m = {.arena = &a};
    assert_string_equal(c_name(&m, "layer1.0.conv1", CN_MACRO), "LAYER1_0_CONV1");
    assert_string_equal(c_name(&m, "_mixed_Case_", CN_MACRO), "MIXED_CASE");
    CScope p = {.arena = &a};
    assert_string_equal(c_name(&p, "net_", CN_PREFIX), "net");
    arena_free(&a);
}

static void test_digit_or_empty(void **state) {
    (void)state;
    Arena a = {0};
    CScope s = {.arena = &a};
    /* a name that starts with a digit once its underscores are gone */
    assert_string_equal(word(&s, "_1"), "x1");
    assert_string_equal(word(&s, "_.0"), "x0");
    assert_string_equal(word(&s, "_"), "x");
    CScope m = {.arena = &a};
    assert_string_equal(c_name(&m, "_2d", CN_MACRO), "X2D");
    CScope p = {.arena = &a};
    assert_string_equal(c_name(&p, "__", CN_PREFIX), "x");
    arena_free(&a);
}

static void test_keywords(void **state) {
    (void)state;
    static const char *const words[] = {
        /* C89, C99, C11/C23, C++, GNU C */
        "int", "float", "return", "restrict", "inline", "bool", "true", "alignas",
        "static_assert", "nullptr", "typeof", "class", "new", "delete", "template", "asm",
        /* macros of the C library and of the compilers */
        "errno", "stdin", "stdout", "stderr", "assert", "complex", "I", "and", "NULL", "EOF",
        "NAN", "INFINITY", "HUGE_VALF", "CHAR_BIT", "linux", "unix", "EDOM", "ENOENT",
        "E2BIG", "SIGINT", "SIG_DFL", "LC_ALL", "FE_ALL_EXCEPT", "FLT_MAX", "PRId64",
        "SCNx32", "INT32_MAX", "UINT64_C", "size_t", "int8_t",
        /* what the generated run functions use beside their parameters */
        "a", "workspace", "memcpy", "memset", "netc_arena", "NETC_W", "in0", "in12",
    };
    Arena a = {0};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        CScope s = {.arena = &a};
        const char *got = word(&s, words[i]);
        const char *want = arena_printf(&a, "%s_", words[i]);
        if (strcmp(got, want) != 0)
            print_error("'%s' gave '%s'\n", words[i], got);
        assert_string_equal(got, want);
    }
    /* near misses stay as they are */
    static const char *const fine[] = {"integer", "in", "inx", "in1a", "b", "Ea", "E", "e2",
                                       "SIGn", "netc", "input", "output", "INT32", "size"};
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        CScope s = {.arena = &a};
        assert_string_equal(word(&s, fine[i]), fine[i]);
    }
    /* a prefix is followed by a suffix, so a keyword is a good prefix */
    CScope p = {.arena = &a};
    assert_string_equal(c_name(&p, "int", CN_PREFIX), "int");
    arena_free(&a);
}

static void test_distinct(void **state) {
    (void)state;
    Arena a = {0};
    CScope s = {.arena = &a};
    assert_string_equal(word(&s, "a.b"), "a_b");
    assert_string_equal(word(&s, "a_b"), "a_b_2");
    assert_string_equal(word(&s, "a__b"), "a_b_3");
    assert_string_equal(word(&s, "a_b_2"), "a_b_2_2");
    /* a keyword twice: int_, then int_2 (not int__2) */
    assert_string_equal(word(&s, "int"), "int_");
    assert_string_equal(word(&s, "_int"), "int_2");
    /* reserved names are skipped when numbering */
    c_reserve(&s, "q");
    assert_string_equal(word(&s, "q"), "q_2");
    CScope m = {.arena = &a};
    c_reserve(&m, "INPUT");
    assert_string_equal(c_name(&m, "input", CN_MACRO), "INPUT_2");
    assert_string_equal(c_name(&m, "A", CN_MACRO), "A");
    assert_string_equal(c_name(&m, "a", CN_MACRO), "A_2");
    arena_free(&a);
}

static void test_network_names(void **state) {
    (void)state;
    TestNet *t = tn_analyse("network int {\n"
                            "    a.b = input(shape=(4,));\n"
                            "    a_b = input(shape=(4,));\n"
                            "    int_run_ws = add(a.b, a_b);\n"
                            "    input = relu(int_run_ws);\n"
                            "    A = relu(int_run_ws);\n"
                            "    output input, A, a.b;\n"
                            "}\n",
                            NULL);
    assert_no_errors(t);
    CNames n;
    c_names(t->g, &t->arena, &n);
    assert_string_equal(n.prefix, "int");
    assert_string_equal(n.macro, "INT");
    assert_string_equal(n.guard, "NETC_INT_H");
    assert_string_equal(n.weights, "netc_int_weights");
    assert_string_equal(n.in[0], "a_b");
    assert_string_equal(n.in[1], "a_b_2");
    assert_string_equal(n.out[0], "input");
    assert_string_equal(n.out[1], "A");
    assert_string_equal(n.out[2], "a_b_3");
    assert_string_equal(n.in_macro[0], "A_B");
    assert_string_equal(n.in_macro[1], "A_B_2");
    assert_string_equal(n.out_macro[0], "INPUT_2");
    assert_string_equal(n.out_macro[1], "A");
    /* an output that is an input has the input's macro */
    assert_string_equal(n.out_macro[2], "A_B");
    tn_free(t);

    /* one input and one output are `input` and `output`, whatever their
    ** names; a function of the network is no parameter's name */
    t = tn_analyse("network _Net {\n"
                   "    Net_run = input(shape=(2,));\n"
                   "    Output = relu(Net_run);\n"
                   "}\n",
                   NULL);
    assert_no_errors(t);
    c_names(t->g, &t->arena, &n);
    assert_string_equal(n.prefix, "Net");
    assert_string_equal(n.macro, "NET");
    assert_string_equal(n.in[0], "input");
    assert_string_equal(n.out[0], "output");
    assert_string_equal(n.in_macro[0], "NET_RUN");
    assert_string_equal(n.out_macro[0], "OUTPUT_2");
    tn_free(t);

    t = tn_analyse("network n {\n"
                   "    n_run = input(shape=(2,));\n"
                   "    n_run_ws = input(shape=(2,));\n"
                   "    s = add(n_run, n_run_ws);\n"
                   "}\n",
                   NULL);
    assert_no_errors(t);
    c_names(t->g, &t->arena, &n);
    assert_string_equal(n.in[0], "n_run_2");
    assert_string_equal(n.in[1], "n_run_ws_2");
    tn_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_characters),  cmocka_unit_test(test_digit_or_empty),
        cmocka_unit_test(test_keywords),    cmocka_unit_test(test_distinct),
        cmocka_unit_test(test_network_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
