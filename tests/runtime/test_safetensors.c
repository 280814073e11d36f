/* test_safetensors.c: st_parse on files built in memory.
**
** Valid files first (values, metadata, scalars, empty tensors, unaligned
** data), then one test per way a file can lie, each pinning the message.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "st_writer.h"
#include "weights.h"

static void test_valid(void **state) {
    StWriter w;
    stw_init(&w);
    stw_add(&w, "conv.weight", "F32", "4,1,3,3");
    stw_add(&w, "conv.bias", "F32", "4");
    size_t len;
    unsigned char *buf = stw_finish(&w, &len);
    StFile f;
    char err[256];
    assert_true(st_parse(buf, len, &f, err, sizeof err));
    assert_int_equal(f.n, 2);
    const StTensor *t = st_find(&f, "conv.weight");
    assert_non_null(t);
    assert_string_equal(t->dtype, "F32");
    assert_int_equal(t->rank, 4);
    assert_int_equal(t->shape[0], 4);
    assert_int_equal(t->shape[1], 1);
    assert_int_equal(t->shape[2], 3);
    assert_int_equal(t->shape[3], 3);
    assert_int_equal(t->count, 36);
    assert_int_equal(t->nbytes, 144);
    assert_int_equal(t->begin, 0);
    assert_int_equal(t->end, 144);
    float v[36];
    st_read_f32(t->data, v, 36);
    for (int k = 0; k < 36; k++)
        assert_true(v[k] == stw_value(0, (size_t)k));
    t = st_find(&f, "conv.bias");
    assert_non_null(t);
    assert_int_equal(t->rank, 1);
    assert_int_equal(t->begin, 144);
    st_read_f32(t->data, v, 4);
    assert_true(v[3] == stw_value(1, 3));
    assert_null(st_find(&f, "conv"));
    assert_int_equal(f.data_len, 160);
    st_free(&f);
    assert_int_equal(f.n, 0);
    free(buf);
}

static void test_metadata_and_dtypes(void **state) {
    StWriter w;
    stw_init(&w);
    stw_meta(&w, "{\"format\": \"pt\", \"note\": \"x\"}");
    stw_add(&w, "a", "BF16", "3");
    stw_add(&w, "b", "I64", "");
    stw_add(&w, "c", "BOOL", "2,2");
    stw_add(&w, "d", "F64", "0,5");
    size_t len;
    unsigned char *buf = stw_finish(&w, &len);
    StFile f;
    char err[256];
    assert_true(st_parse(buf, len, &f, err, sizeof err));
    assert_int_equal(f.n, 4);
    assert_int_equal(f.nmeta, 2);
    assert_string_equal(f.meta[0].key, "format");
    assert_string_equal(f.meta[0].value, "pt");
    assert_int_equal(st_find(&f, "a")->nbytes, 6);
    assert_int_equal(st_find(&f, "b")->rank, 0);
    assert_int_equal(st_find(&f, "b")->count, 1);
    assert_int_equal(st_find(&f, "b")->nbytes, 8);
    assert_int_equal(st_find(&f, "c")->nbytes, 4);
    assert_int_equal(st_find(&f, "d")->count, 0);
    assert_int_equal(st_find(&f, "d")->nbytes, 0);
    st_free(&f);
    free(buf);
    assert_int_equal(st_dtype_size("F16"), 2);
    assert_int_equal(st_dtype_size("F4"), 0);
}

/* Unaligned data (a 5-byte header), an empty object, padding. */
static void test_unaligned_and_empty(void **state) {
    size_t len;
    unsigned char *buf = st_file("{   }", 3, &len);
    StFile f;
    char err[256];
    assert_true(st_parse(buf, len, &f, err, sizeof err));
    assert_int_equal(f.n, 0);
    assert_int_equal(f.data_len, 3);
    st_free(&f);
    free(buf);

    const char *h = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[1,9]}}";
    buf = st_file(h, 9, &len);
    assert_true((8 + strlen(h) + 1) % 4 != 0); /* the data really is unaligned */
    assert_true(st_parse(buf, len, &f, err, sizeof err));
    float v[2];
    unsigned char *p = buf + 8 + strlen(h) + 1;
    float a = 1.5f, b = -2.25f;
    uint32_t u;
    memcpy(&u, &a, 4);
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(u >> (8 * i));
    memcpy(&u, &b, 4);
    for (int i = 0; i < 4; i++)
        p[4 + i] = (unsigned char)(u >> (8 * i));
    st_read_f32(st_find(&f, "x")->data, v, 2);
    assert_true(v[0] == 1.5f && v[1] == -2.25f);
    st_free(&f);
    free(buf);
}

/* A file made of `header` and `dlen` data bytes must fail with `msg`. */
static void expect_fail(const char *header, size_t dlen, const char *msg) {
    size_t len;
    unsigned char *buf = st_file(header, dlen, &len);
    StFile f;
    char err[512];
    bool ok = st_parse(buf, len, &f, err, sizeof err);
    if (ok || strcmp(err, msg) != 0)
        print_error("header %s\n  got: %s\n  want: %s\n", header, ok ? "(accepted)" : err, msg);
    assert_false(ok);
    assert_string_equal(err, msg);
    assert_int_equal(f.n, 0);
    assert_null(f.tensors);
    free(buf);
}

#define ENTRY(body) "{\"t\": " body "}"

static void test_length_field(void **state) {
    StFile f;
    char err[256];
    unsigned char tiny[5] = {1, 0, 0, 0, 0};
    assert_false(st_parse(tiny, 5, &f, err, sizeof err));
    assert_string_equal(err, "file of 5 bytes is too short for the 8-byte header length");
    assert_false(st_parse(NULL, 0, &f, err, sizeof err));
    assert_string_equal(err, "file of 0 bytes is too short for the 8-byte header length");

    unsigned char big[18] = {100, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
    assert_false(st_parse(big, sizeof big, &f, err, sizeof err));
    assert_string_equal(err, "header length 100 exceeds the 10 bytes that follow it");
    unsigned char huge[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, '{', '}'};
    assert_false(st_parse(huge, sizeof huge, &f, err, sizeof err));
    assert_string_equal(err, "header length 9223372036854775808 exceeds the 2 bytes that follow it");
    unsigned char one[10] = {1, 0, 0, 0, 0, 0, 0, 0, '{', '}'};
    assert_false(st_parse(one, sizeof one, &f, err, sizeof err));
    assert_string_equal(err, "header length 1 is too short for a JSON object");

    /* a header longer than netc accepts, within the file */
    size_t n = ST_MAX_HEADER + 1;
    unsigned char *b = calloc(8 + n, 1);
    assert_non_null(b);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)n >> (8 * i));
    assert_false(st_parse(b, 8 + n, &f, err, sizeof err));
    assert_string_equal(err, "header length 16777217 is more than the 16777216 bytes netc accepts");
    free(b);
}

static void test_bad_json(void **state) {
    expect_fail("{\"a\": ", 0, "header is not valid JSON (byte 6 of the header)");
    expect_fail("{} x", 0, "header is not valid JSON (byte 3 of the header)");
    expect_fail("[1, 2]", 0, "header is not a JSON object");
    expect_fail("\"str\"", 0, "header is not a JSON object");
    expect_fail("{\"\xff\": 1}", 0, "header is not valid UTF-8 (byte 2)");
    expect_fail("{\"\xc0\x80\": 1}", 0, "header is not valid UTF-8 (byte 2)");
    expect_fail("{\"\xed\xa0\x80\": 1}", 0, "header is not valid UTF-8 (byte 2)");
}

static void test_nul_in_header(void **state) {
    unsigned char b[8 + 6] = {6, 0, 0, 0, 0, 0, 0, 0, '{', '}', 0, ' ', ' ', ' '};
    StFile f;
    char err[256];
    assert_false(st_parse(b, sizeof b, &f, err, sizeof err));
    assert_string_equal(err, "header contains a NUL byte at offset 2");
}

static void test_too_many_values(void **state) {
    size_t n = 2 * (size_t)ST_MAX_VALUES + 16;
    char *h = malloc(n + 1);
    assert_non_null(h);
    size_t o = 0;
    o += (size_t)sprintf(h, "{\"m\": [");
    while (o < n - 4) {
        h[o++] = '0';
        h[o++] = ',';
    }
    memcpy(h + o, "0]}", 4);
    expect_fail(h, 0, "header holds more than 1048576 JSON values");
    free(h);
}

static void test_entry_fields(void **state) {
    expect_fail(ENTRY("3"), 0, "tensor 't': entry is not a JSON object");
    expect_fail(ENTRY("{\"shape\": [], \"data_offsets\": [0, 4]}"), 4, "tensor 't': no \"dtype\"");
    expect_fail(ENTRY("{\"dtype\": 32, \"shape\": [], \"data_offsets\": [0, 4]}"), 4,
                "tensor 't': \"dtype\" is not a string");
    expect_fail(ENTRY("{\"dtype\": \"F4\", \"shape\": [], \"data_offsets\": [0, 4]}"), 4,
                "tensor 't': unknown dtype 'F4'");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"data_offsets\": [0, 4]}"), 4,
                "tensor 't': no \"shape\"");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": 3, \"data_offsets\": [0, 4]}"), 4,
                "tensor 't': \"shape\" is not an array");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": []}"), 4, "tensor 't': no \"data_offsets\"");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0]}"), 4,
                "tensor 't': \"data_offsets\" is not an array of two numbers");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 4, 8]}"), 8,
                "tensor 't': \"data_offsets\" is not an array of two numbers");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": {\"a\": 1}}"), 8,
                "tensor 't': \"data_offsets\" is not an array of two numbers");
    expect_fail("{\"__metadata__\": [1]}", 0, "\"__metadata__\" is not a JSON object");
    expect_fail("{\"__metadata__\": {\"a\": 1}}", 0, "\"__metadata__\" entry 'a' is not a string");
}

static void test_shape_entries(void **state) {
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [2, -1], \"data_offsets\": [0, 8]}"), 8,
                "tensor 't': shape entry 1 is negative");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 8]}"), 8,
                "tensor 't': shape entry 0 is not an integer");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [1e300], \"data_offsets\": [0, 8]}"), 8,
                "tensor 't': shape entry 0 is too large");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [1e999], \"data_offsets\": [0, 8]}"), 8,
                "tensor 't': shape entry 0 is too large");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [\"2\"], \"data_offsets\": [0, 8]}"), 8,
                "tensor 't': shape entry 0 is not a number");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [null], \"data_offsets\": [0, 8]}"), 8,
                "tensor 't': shape entry 0 is not a number");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [[2]], \"data_offsets\": [0, 8]}"), 8,
                "tensor 't': shape entry 0 is not a number");
    /* 2^32 · 2^32 overflows the count; 2^31 · 2^31 · 4 bytes overflows the size */
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], "
                      "\"data_offsets\": [0, 8]}"),
                8, "tensor 't': shape [4294967296, 4294967296] has too many elements");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [2147483648, 2147483648], "
                      "\"data_offsets\": [0, 8]}"),
                8, "tensor 't': shape [2147483648, 2147483648] has too many elements");
    expect_fail(ENTRY("{\"dtype\": \"U8\", \"shape\": [9007199254740992, 9007199254740992, 0], "
                      "\"data_offsets\": [0, 8]}"),
                8,
                "tensor 't': shape [9007199254740992, 9007199254740992, 0] of U8 needs 0 bytes, "
                "data_offsets [0, 8] hold 8");
    /* more dimensions than netc keeps */
    char h[1024];
    size_t o = (size_t)sprintf(h, "{\"t\": {\"dtype\": \"U8\", \"data_offsets\": [0, 1], \"shape\": [1");
    for (int i = 1; i < ST_MAX_RANK + 1; i++)
        o += (size_t)sprintf(h + o, ",1");
    sprintf(h + o, "]}}");
    expect_fail(h, 1, "tensor 't': shape has 65 dimensions, more than 64");
}

static void test_offsets(void **state) {
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [-8, 0]}"), 8,
                "tensor 't': data_offsets[0] is negative");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 7.5]}"), 8,
                "tensor 't': data_offsets[1] is not an integer");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, \"8\"]}"), 8,
                "tensor 't': data_offsets[1] is not a number");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}"), 8,
                "tensor 't': data_offsets [8, 0] end before they begin");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}"), 7,
                "tensor 't': data_offsets [0, 8] run past the data section (7 bytes)");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [2], "
                      "\"data_offsets\": [18446744073709551608, 18446744073709551616]}"),
                8, "tensor 't': data_offsets[0] is too large");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}"), 24,
                "tensor 't': shape [2, 3] of F32 needs 24 bytes, data_offsets [0, 20] hold 20");
    expect_fail(ENTRY("{\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [0, 0]}"), 8,
                "tensor 't': shape [] of F32 needs 4 bytes, data_offsets [0, 0] hold 0");
}

static void test_overlap_and_duplicates(void **state) {
    expect_fail("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]},"
                " \"b\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [8, 24]}}",
                24, "tensors 'a' [0, 16] and 'b' [8, 24] overlap");
    /* b inside a, c after b but still inside a */
    expect_fail("{\"c\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [8, 12]},"
                " \"a\": {\"dtype\": \"U8\", \"shape\": [32], \"data_offsets\": [0, 32]},"
                " \"b\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [4, 8]}}",
                32, "tensors 'a' [0, 32] and 'b' [4, 8] overlap");
    expect_fail("{\"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]},"
                " \"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [4, 8]}}",
                8, "tensor 'a' appears twice in the header");
    /* same range twice */
    expect_fail("{\"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]},"
                " \"b\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]}}",
                8, "tensors 'a' [0, 4] and 'b' [0, 4] overlap");

    /* empty ranges hold no byte: they overlap nothing; adjacent ranges are fine */
    size_t len;
    unsigned char *buf = st_file(
        "{\"a\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [0, 4]},"
        " \"e\": {\"dtype\": \"U8\", \"shape\": [0], \"data_offsets\": [2, 2]},"
        " \"b\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [4, 8]}}",
        8, &len);
    StFile f;
    char err[256];
    assert_true(st_parse(buf, len, &f, err, sizeof err));
    assert_int_equal(f.n, 3);
    st_free(&f);
    free(buf);
}

/* Names from a hostile file are escaped in messages. */
static void test_hostile_name(void **state) {
    expect_fail("{\"a\\u001b[2Jb\": 3}", 0, "tensor 'a\\x1b[2Jb': entry is not a JSON object");
    expect_fail("{\"it's\": 3}", 0, "tensor 'it\\x27s': entry is not a JSON object");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_metadata_and_dtypes),
        cmocka_unit_test(test_unaligned_and_empty),
        cmocka_unit_test(test_length_field),
        cmocka_unit_test(test_bad_json),
        cmocka_unit_test(test_nul_in_header),
        cmocka_unit_test(test_too_many_values),
        cmocka_unit_test(test_entry_fields),
        cmocka_unit_test(test_shape_entries),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_overlap_and_duplicates),
        cmocka_unit_test(test_hostile_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
