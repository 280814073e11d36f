/* test_util.c: util.c, the arena, vectors, buffers, checked arithmetic,
** number formatting, edit distance and UTF-8 lengths that every pass uses. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

/* arena_alloc gives zeroed, 16-byte aligned memory, also for requests
** larger than a chunk; arena_free releases every chunk at once. */
static void test_arena_alloc(void **state) {
    (void)state;
    Arena a = {0};
    unsigned char *p = arena_alloc(&a, 100);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(p[i], 0);
    memset(p, 0xAB, 100);
    unsigned char *q = arena_alloc(&a, 1);
    assert_int_equal((uintptr_t)q % 16, 0);
    assert_int_equal(q[0], 0);
    assert_true(q >= p + 100 || q + 1 <= p); /* no overlap */
    /* bigger than a 64 KiB chunk */
    unsigned char *big = arena_alloc(&a, 1u << 20);
    assert_non_null(big);
    assert_int_equal((uintptr_t)big % 16, 0);
    assert_int_equal(big[0], 0);
    assert_int_equal(big[(1u << 20) - 1], 0);
    big[(1u << 20) - 1] = 7;
    /* the earlier blocks are untouched */
    assert_int_equal(p[99], 0xAB);
    /* many small allocations over several chunks */
    for (int i = 0; i < 10000; i++) {
        int *x = arena_alloc(&a, sizeof(int) * 3);
        assert_int_equal(x[0] | x[1] | x[2], 0);
        x[0] = i;
    }
    arena_free(&a);
    assert_null(a.head);
    /* an arena is usable again after arena_free */
    char *s = arena_strdup(&a, "again");
    assert_string_equal(s, "again");
    arena_free(&a);
}

static void test_arena_strings(void **state) {
    (void)state;
    Arena a = {0};
    const char *src = "layer1.0.conv2";
    char *s = arena_strdup(&a, src);
    assert_string_equal(s, "layer1.0.conv2");
    assert_ptr_not_equal(s, src);
    char *n = arena_strndup(&a, src, 6);
    assert_string_equal(n, "layer1");
    char *e = arena_strndup(&a, src, 0);
    assert_string_equal(e, "");
    char *f = arena_printf(&a, "%s_%d", "conv2d", 12);
    assert_string_equal(f, "conv2d_12");
    /* a long result: no truncation */
    char *l = arena_printf(&a, "%0300d", 5);
    assert_int_equal(strlen(l), 300);
    assert_int_equal(l[299], '5');
    assert_int_equal(l[0], '0');
    arena_free(&a);
}

static void test_vec(void **state) {
    (void)state;
    Arena a = {0};
    Vec v = {0};
    assert_int_equal(v.len, 0);
    static int items[1000];
    for (int i = 0; i < 1000; i++) {
        items[i] = i;
        vec_push(&a, &v, &items[i]);
    }
    assert_int_equal(v.len, 1000);
    assert_true(v.cap >= 1000);
    for (int i = 0; i < 1000; i++)
        assert_ptr_equal(v.data[i], &items[i]);
    /* NULL is a value like any other */
    vec_push(&a, &v, NULL);
    assert_int_equal(v.len, 1001);
    assert_null(v.data[1000]);
    arena_free(&a);
}

static void test_buf(void **state) {
    (void)state;
    Buf b = {0};
    buf_putc(&b, 'a');
    buf_puts(&b, "bc");
    buf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(b.data, "abc42-x");
    assert_int_equal(b.len, 7);
    for (int i = 0; i < 5000; i++)
        buf_putc(&b, 'z');
    assert_int_equal(b.len, 5007);
    assert_int_equal(strlen(b.data), 5007);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_fmt_thousands(void **state) {
    (void)state;
    char out[32];
    assert_string_equal(fmt_thousands(out, 0), "0");
    assert_string_equal(fmt_thousands(out, 7), "7");
    assert_string_equal(fmt_thousands(out, 999), "999");
    assert_string_equal(fmt_thousands(out, 1000), "1,000");
    assert_string_equal(fmt_thousands(out, 99999), "99,999");
    assert_string_equal(fmt_thousands(out, 100000), "100,000");
    assert_string_equal(fmt_thousands(out, 93322), "93,322");
    assert_string_equal(fmt_thousands(out, 2794240), "2,794,240");
    assert_string_equal(fmt_thousands(out, -1), "-1");
    assert_string_equal(fmt_thousands(out, -999), "-999");
    assert_string_equal(fmt_thousands(out, -1000), "-1,000");
    assert_string_equal(fmt_thousands(out, -1234567), "-1,234,567");
    assert_string_equal(fmt_thousands(out, INT64_MAX), "9,223,372,036,854,775,807");
    assert_string_equal(fmt_thousands(out, INT64_MIN), "-9,223,372,036,854,775,808");
    /* it returns its buffer */
    assert_ptr_equal(fmt_thousands(out, 5), out);
}

static void test_ck_add(void **state) {
    (void)state;
    int64_t r = 0;
    assert_true(ck_add(2, 3, &r));
    assert_int_equal(r, 5);
    assert_true(ck_add(INT64_MAX, 0, &r));
    assert_true(r == INT64_MAX);
    assert_true(ck_add(INT64_MAX - 1, 1, &r));
    assert_true(r == INT64_MAX);
    assert_false(ck_add(INT64_MAX, 1, &r));
    assert_false(ck_add(1, INT64_MAX, &r));
    assert_false(ck_add(INT64_MAX, INT64_MAX, &r));
    assert_true(ck_add(INT64_MIN, 0, &r));
    assert_true(r == INT64_MIN);
    assert_false(ck_add(INT64_MIN, -1, &r));
    assert_true(ck_add(INT64_MAX, INT64_MIN, &r));
    assert_true(r == -1);
    assert_true(ck_add(-5, 3, &r));
    assert_true(r == -2);
}

static void test_ck_mul(void **state) {
    (void)state;
    int64_t r = 0;
    assert_true(ck_mul(6, 7, &r));
    assert_int_equal(r, 42);
    assert_true(ck_mul(0, INT64_MAX, &r));
    assert_int_equal(r, 0);
    assert_true(ck_mul(INT64_MAX, 1, &r));
    assert_true(r == INT64_MAX);
    assert_false(ck_mul(INT64_MAX, 2, &r));
    assert_false(ck_mul(INT64_MIN, -1, &r));
    assert_true(ck_mul(INT64_MIN, 1, &r));
    assert_true(r == INT64_MIN);
    /* 3,037,000,499² = 9,223,372,030,926,249,001 fits; 3,037,000,500² does not */
    assert_true(ck_mul(3037000499LL, 3037000499LL, &r));
    assert_true(r == 9223372030926249001LL);
    assert_false(ck_mul(3037000500LL, 3037000500LL, &r));
    /* 2^32 · 2^31 = 2^63 does not fit; 2^32 · (2^31 − 1) does */
    assert_false(ck_mul(4294967296LL, 2147483648LL, &r));
    assert_true(ck_mul(4294967296LL, 2147483647LL, &r));
    assert_true(r == 9223372032559808512LL);
    assert_true(ck_mul(-3, 4, &r));
    assert_true(r == -12);
}

static void test_edit_distance(void **state) {
    (void)state;
    assert_int_equal(edit_distance("", ""), 0);
    assert_int_equal(edit_distance("abc", ""), 3);
    assert_int_equal(edit_distance("", "abc"), 3);
    assert_int_equal(edit_distance("conv2d", "conv2d"), 0);
    assert_int_equal(edit_distance("kitten", "sitting"), 3);
    assert_int_equal(edit_distance("sitting", "kitten"), 3);
    assert_int_equal(edit_distance("filter", "filters"), 1);  /* insertion */
    assert_int_equal(edit_distance("flaten", "flatten"), 1);  /* insertion */
    assert_int_equal(edit_distance("relux", "relu"), 1);      /* deletion */
    assert_int_equal(edit_distance("conv3d", "conv2d"), 1);   /* substitution */
    assert_int_equal(edit_distance("kernal", "kernel"), 1);
    assert_int_equal(edit_distance("maxpool", "maxpool2d"), 2);
    assert_int_equal(edit_distance("ab", "ba"), 2); /* no transpositions */
    assert_int_equal(edit_distance("dense", "conv2d"), 5);
}

static void test_utf8_len(void **state) {
    (void)state;
    assert_int_equal(utf8_len("", 0), 0);
    assert_int_equal(utf8_len("abc", 3), 3);
    assert_int_equal(utf8_len("abc", 2), 2);
    assert_int_equal(utf8_len("\xC3\x97", 2), 1);              /* × */
    assert_int_equal(utf8_len("28\xC3\x97" "28", 6), 5);         /* 28×28 */
    assert_int_equal(utf8_len("\xE2\x88\x92", 3), 1);          /* − */
    assert_int_equal(utf8_len("\xF0\x9F\x98\x80", 4), 1);      /* an emoji */
    assert_int_equal(utf8_len("a\xC3\xA9" "b\xE2\x86\x92", 7), 4); /* aéb→ */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alloc),
        cmocka_unit_test(test_arena_strings),
        cmocka_unit_test(test_vec),
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_fmt_thousands),
        cmocka_unit_test(test_ck_add),
        cmocka_unit_test(test_ck_mul),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_utf8_len),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
