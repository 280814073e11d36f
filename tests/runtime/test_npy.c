/* test_npy.c: the runtime's .npy and raw float32 input, and .npy output.
**
** Files are built in memory from a header text, so each test shows the
** bytes it feeds; the messages are pinned whole.
*/
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "netc/npy.h"

static char tmpdir[256];

static const char *path_of(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static void put_f32(unsigned char *p, float v, int big) {
    uint32_t u;
    memcpy(&u, &v, 4);
    for (int i = 0; i < 4; i++)
        p[big ? 3 - i : i] = (unsigned char)(u >> (8 * i));
}

/* A .npy file of version major.0 with the dictionary `dict` (padded as
** numpy pads), then n floats v[i] = i + 0.5 in the given byte order, then
** `extra` more bytes. */
static unsigned char *make_npy(int major, const char *dict, size_t n, int big, size_t extra,
                               size_t *len) {
    size_t pre = major == 1 ? 10 : 12;
    size_t h = strlen(dict) + 1;
    while ((pre + h) % 64)
        h++;
    *len = pre + h + 4 * n + extra;
    unsigned char *b = calloc(*len + 1, 1);
    assert_non_null(b);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    for (size_t i = 0; i < pre - 8; i++)
        b[8 + i] = (unsigned char)(h >> (8 * i));
    memset(b + pre, ' ', h);
    memcpy(b + pre, dict, strlen(dict));
    b[pre + h - 1] = '\n';
    for (size_t i = 0; i < n; i++)
        put_f32(b + pre + h + 4 * i, (float)i + 0.5f, big);
    return b;
}

#define DICT(descr, order, shape)                                                              \
    "{'descr': '" descr "', 'fortran_order': " order ", 'shape': " shape ", }"

static const size_t HWC[3] = {2, 2, 3};
static const size_t FLAT[1] = {4};

/* Decodes `dict` with n floats into an input of shape dims; expects `msg`
** (NULL: success, values checked). */
static void expect(const char *dict, size_t n, int rank, const size_t *dims, const char *msg) {
    size_t len;
    unsigned char *b = make_npy(1, dict, n, 0, 0, &len);
    float out[64];
    char err[512] = "";
    int st = netc_input_decode(b, len, "f.npy", "x", rank, dims, out, err, sizeof err);
    if (msg) {
        if (st != NETC_EDATA || strcmp(err, msg) != 0)
            print_error("dict %s\n  got: %d %s\n  want: %s\n", dict, st, err, msg);
        assert_int_equal(st, NETC_EDATA);
        assert_string_equal(err, msg);
    } else {
        if (st != NETC_OK)
            print_error("dict %s: %s\n", dict, err);
        assert_int_equal(st, NETC_OK);
        for (size_t i = 0; i < n; i++)
            assert_true(out[i] == (float)i + 0.5f);
    }
    free(b);
}

static void test_shapes_accepted(void **state) {
    expect(DICT("<f4", "False", "(2, 2, 3)"), 12, 3, HWC, NULL);
    expect(DICT("<f4", "False", "(1, 2, 2, 3)"), 12, 3, HWC, NULL);
    expect(DICT("<f4", "False", "(12,)"), 12, 3, HWC, NULL);
    expect(DICT("<f4", "False", "(4,)"), 4, 1, FLAT, NULL);
    expect(DICT("<f4", "False", "(1, 4)"), 4, 1, FLAT, NULL);
    /* as Python 2 numpy wrote them; double quotes; no trailing comma; (4) */
    expect("{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 4L)}", 4, 1, FLAT, NULL);
    expect("{\"shape\": (4,), \"descr\": \"<f4\", \"fortran_order\": False}", 4, 1, FLAT, NULL);
    expect("{'descr':'<f4','fortran_order':False,'shape':(4)}", 4, 1, FLAT, NULL);
}

static void test_shapes_rejected(void **state) {
    expect(DICT("<f4", "False", "(12, 1)"), 12, 3, HWC,
           "'f.npy' has shape (12, 1), input 'x' takes (2, 2, 3), (1, 2, 2, 3) or (12)");
    expect(DICT("<f4", "False", "(3, 2, 2)"), 12, 3, HWC,
           "'f.npy' has shape (3, 2, 2), input 'x' takes (2, 2, 3), (1, 2, 2, 3) or (12)");
    expect(DICT("<f4", "False", "(2, 2, 2, 3)"), 24, 3, HWC,
           "'f.npy' has shape (2, 2, 2, 3), input 'x' takes (2, 2, 3), (1, 2, 2, 3) or (12)");
    expect(DICT("<f4", "False", "(1, 1, 2, 2, 3)"), 12, 3, HWC,
           "'f.npy' has shape (1, 1, 2, 2, 3), input 'x' takes (2, 2, 3), (1, 2, 2, 3) or (12)");
    expect(DICT("<f4", "False", "()"), 1, 3, HWC,
           "'f.npy' has shape (), input 'x' takes (2, 2, 3), (1, 2, 2, 3) or (12)");
    expect(DICT("<f4", "False", "(4, 1)"), 4, 1, FLAT,
           "'f.npy' has shape (4, 1), input 'x' takes (4) or (1, 4)");
    expect(DICT("<f4", "False", "(5,)"), 5, 1, FLAT,
           "'f.npy' has shape (5), input 'x' takes (4) or (1, 4)");
}

static void test_dtypes(void **state) {
    expect(DICT("<f8", "False", "(4,)"), 8, 1, FLAT,
           "'f.npy' has dtype '<f8', input 'x' takes float32 ('<f4')");
    expect(DICT("|u1", "False", "(4,)"), 1, 1, FLAT,
           "'f.npy' has dtype '|u1', input 'x' takes float32 ('<f4')");
    expect(DICT("f4", "False", "(4,)"), 4, 1, FLAT,
           "'f.npy' has dtype 'f4', input 'x' takes float32 ('<f4')");
    expect("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", 4, 1, FLAT,
           "'f.npy' has dtype '[('a', '<f4')]', input 'x' takes float32 ('<f4')");
    expect(DICT("<f4", "True", "(1, 4)"), 4, 1, FLAT,
           "'f.npy' is in Fortran order; netc reads C order only");
}

static void test_big_endian(void **state) {
    size_t len;
    unsigned char *b = make_npy(1, DICT(">f4", "False", "(4,)"), 4, 1, 0, &len);
    float out[4];
    char err[256];
    assert_int_equal(netc_input_decode(b, len, "f.npy", "x", 1, FLAT, out, err, sizeof err),
                     NETC_OK);
    for (int i = 0; i < 4; i++)
        assert_true(out[i] == (float)i + 0.5f);
    free(b);
}

static void test_versions(void **state) {
    for (int v = 1; v <= 3; v++) {
        size_t len;
        unsigned char *b = make_npy(v, DICT("<f4", "False", "(2, 2, 3)"), 12, 0, 0, &len);
        float out[12];
        char err[256];
        netc_npy_header h;
        assert_int_equal(netc_npy_parse_header(b, len, &h, err, sizeof err), NETC_OK);
        assert_int_equal(h.major, v);
        assert_int_equal(h.rank, 3);
        assert_int_equal(h.count, 12);
        assert_int_equal(h.data_offset % 64, 0);
        assert_int_equal(netc_input_decode(b, len, "f.npy", "x", 3, HWC, out, err, sizeof err),
                         NETC_OK);
        assert_true(out[11] == 11.5f);
        free(b);
    }
    size_t len;
    unsigned char *b = make_npy(1, DICT("<f4", "False", "(4,)"), 4, 0, 0, &len);
    b[6] = 4;
    float out[4];
    char err[256];
    assert_int_equal(netc_input_decode(b, len, "f.npy", "x", 1, FLAT, out, err, sizeof err),
                     NETC_EDATA);
    assert_string_equal(err, "'f.npy': unsupported .npy format version 4.0");
    b[6] = 1;
    b[7] = 1;
    assert_int_equal(netc_input_decode(b, len, "f.npy", "x", 1, FLAT, out, err, sizeof err),
                     NETC_EDATA);
    assert_string_equal(err, "'f.npy': unsupported .npy format version 1.1");
    free(b);
}

static void test_sizes(void **state) {
    size_t len;
    float out[16];
    char err[256];
    unsigned char *b = make_npy(1, DICT("<f4", "False", "(4,)"), 3, 0, 0, &len);
    assert_int_equal(netc_input_decode(b, len, "f.npy", "x", 1, FLAT, out, err, sizeof err),
                     NETC_EDATA);
    assert_string_equal(err, "'f.npy' is truncated: shape (4) needs 16 bytes of data, the file holds 12");
    free(b);
    b = make_npy(1, DICT("<f4", "False", "(4,)"), 4, 0, 3, &len);
    assert_int_equal(netc_input_decode(b, len, "f.npy", "x", 1, FLAT, out, err, sizeof err),
                     NETC_EDATA);
    assert_string_equal(err, "'f.npy' has 3 bytes after the data of its shape (4)");
    free(b);
    /* the header's length runs past the file */
    b = make_npy(1, DICT("<f4", "False", "(4,)"), 0, 0, 0, &len);
    assert_int_equal(netc_input_decode(b, len - 10, "f.npy", "x", 1, FLAT, out, err, sizeof err),
                     NETC_EDATA);
    assert_string_equal(err, "'f.npy': truncated .npy header: 118 bytes announced, 108 present");
    assert_int_equal(netc_input_decode(b, 8, "f.npy", "x", 1, FLAT, out, err, sizeof err),
                     NETC_EDATA);
    assert_string_equal(err, "'f.npy': truncated .npy header");
    free(b);
}

static void expect_header(const char *dict, const char *msg) {
    size_t len;
    unsigned char *b = make_npy(1, dict, 0, 0, 0, &len);
    netc_npy_header h;
    char err[256] = "";
    int st = netc_npy_parse_header(b, len, &h, err, sizeof err);
    if (st != NETC_EDATA || strcmp(err, msg) != 0)
        print_error("dict %s\n  got: %d %s\n  want: %s\n", dict, st, err, msg);
    assert_int_equal(st, NETC_EDATA);
    assert_string_equal(err, msg);
    free(b);
}

static void test_malformed_headers(void **state) {
    expect_header("{'descr': '<f4', 'fortran_order': False}", "malformed .npy header: no 'shape'");
    expect_header("{'shape': (1,), 'fortran_order': False}", "malformed .npy header: no 'descr'");
    expect_header("{'shape': (1,), 'descr': '<f4'}", "malformed .npy header: no 'fortran_order'");
    expect_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}",
                  "malformed .npy header: unexpected key 'x'");
    expect_header("{'descr': '<f4', 'descr': '<f4'}", "malformed .npy header: 'descr' given twice");
    expect_header("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}",
                  "malformed .npy header: 'fortran_order' is not True or False");
    expect_header("{'descr': '<f4', 'fortran_order': Falsey, 'shape': (1,)}",
                  "malformed .npy header: 'fortran_order' is not True or False");
    expect_header("{'descr': '<f4', 'fortran_order': False, 'shape': [1]}",
                  "malformed .npy header: 'shape' is not a tuple");
    expect_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}",
                  "malformed .npy header: 'shape' holds something other than non-negative integers");
    expect_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1.5,)}",
                  "malformed .npy header: 'shape' is not a tuple of integers");
    expect_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}",
                  "malformed .npy header: 'shape' is not a tuple of integers");
    expect_header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
                  "malformed .npy header: a dimension of 'shape' is too large");
    expect_header("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
                  "shape (4294967296, 4294967296) has too many elements");
    expect_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x",
                  "malformed .npy header: text after the dictionary");
    expect_header("{'descr': '<f4' 'fortran_order': False}",
                  "malformed .npy header: expected ',' or '}'");
    expect_header("{'descr' '<f4'}", "malformed .npy header: expected ':' after a key");
    expect_header("{descr: '<f4'}", "malformed .npy header: expected a quoted key");
    expect_header("{'descr': '<f4}", "malformed .npy header: bad 'descr'");
    expect_header("['descr']", "malformed .npy header: no dictionary");
    expect_header("{'descr': ((((((((((((((((((((1))))))))))))))))))), 'fortran_order': False, 'shape': ()}",
                  "malformed .npy header: bad 'descr'");
    char dict[512] = "{'descr': '<f4', 'fortran_order': False, 'shape': (1";
    for (int i = 0; i < NETC_NPY_MAX_RANK; i++)
        strcat(dict, ", 1");
    strcat(dict, ")}");
    expect_header(dict, "'shape' has more than 32 dimensions");

    /* no magic */
    netc_npy_header h;
    char err[256];
    assert_int_equal(netc_npy_parse_header((const unsigned char *)"NUMPY\x01", 6, &h, err, sizeof err),
                     NETC_EDATA);
    assert_string_equal(err, "not a .npy file (no \\x93NUMPY magic)");
}

static void test_raw(void **state) {
    unsigned char b[48];
    for (int i = 0; i < 12; i++)
        put_f32(b + 4 * i, (float)i * 2.0f, 0);
    float out[12];
    char err[512];
    assert_int_equal(netc_input_decode(b, 48, "in.bin", "x", 3, HWC, out, err, sizeof err), NETC_OK);
    assert_true(out[5] == 10.0f);
    assert_int_equal(netc_input_decode(b, 44, "in.bin", "x", 3, HWC, out, err, sizeof err),
                     NETC_EDATA);
    assert_string_equal(err, "raw float32 file 'in.bin' has shape (11), input 'x' takes (2, 2, 3) "
                             "(12 values, 48 bytes)");
    assert_int_equal(netc_input_decode(b, 47, "in.bin", "x", 3, HWC, out, err, sizeof err),
                     NETC_EDATA);
    assert_string_equal(err, "raw float32 file 'in.bin' has 47 bytes, not a multiple of 4; input 'x' "
                             "takes (2, 2, 3) (12 values, 48 bytes)");
    assert_int_equal(netc_input_decode(b, 0, "in.bin", "x", 1, FLAT, out, err, sizeof err),
                     NETC_EDATA);
    assert_string_equal(err, "raw float32 file 'in.bin' has shape (0), input 'x' takes (4) "
                             "(4 values, 16 bytes)");
}

static void test_write_read(void **state) {
    float v[24];
    for (int i = 0; i < 24; i++)
        v[i] = (float)i * -0.75f;
    static const size_t shapes[][4] = {{2, 3, 4}, {24}, {1, 2, 3, 4}, {0}};
    static const int ranks[] = {3, 1, 4, 0};
    for (int s = 0; s < 4; s++) {
        const char *p = path_of("rt.npy");
        char err[256];
        assert_int_equal(netc_npy_write(p, ranks[s], shapes[s], v, err, sizeof err), NETC_OK);
        netc_npy_header h;
        int st;
        float *r = netc_npy_read(p, &h, &st, err, sizeof err);
        if (!r)
            print_error("%s\n", err);
        assert_non_null(r);
        assert_int_equal(st, NETC_OK);
        assert_int_equal(h.major, 1);
        assert_string_equal(h.descr, "<f4");
        assert_int_equal(h.rank, ranks[s]);
        assert_int_equal(h.data_offset % 64, 0);
        for (int k = 0; k < ranks[s]; k++)
            assert_int_equal(h.dims[k], shapes[s][k]);
        assert_int_equal(h.count, ranks[s] ? (shapes[s][0] ? 24 : 0) : 1);
        assert_memory_equal(r, v, h.count * sizeof(float));
        free(r);
    }
    /* the exact bytes numpy writes for shape (2, 3) */
    const char *p = path_of("exact.npy");
    char err[256];
    static const size_t d23[2] = {2, 3};
    assert_int_equal(netc_npy_write(p, 2, d23, v, err, sizeof err), NETC_OK);
    FILE *fp = fopen(p, "rb");
    assert_non_null(fp);
    unsigned char head[128];
    assert_int_equal(fread(head, 1, sizeof head, fp), sizeof head);
    fclose(fp);
    const char *want = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    assert_memory_equal(head, "\x93NUMPY\x01\x00\x76\x00", 10);
    assert_memory_equal(head + 10, want, strlen(want));
    assert_int_equal(head[127], '\n');
    assert_int_equal(head[126], ' ');
    /* read back as a network input */
    float out[6];
    static const size_t flat6[1] = {6};
    assert_int_equal(netc_input_read(p, "x", 1, flat6, out, err, sizeof err), NETC_EDATA);
    char msg[700];
    snprintf(msg, sizeof msg, "'%s' has shape (2, 3), input 'x' takes (6) or (1, 6)", p);
    assert_string_equal(err, msg);
}

static void test_files(void **state) {
    char err[512], want[700];
    float out[4];
    const char *none = path_of("none.npy");
    assert_int_equal(netc_input_read(none, "x", 1, FLAT, out, err, sizeof err), NETC_EUSAGE);
    snprintf(want, sizeof want, "cannot open '%s': No such file or directory", none);
    assert_string_equal(err, want);

    /* a file much larger than the input: read only as far as needed */
    const char *big = path_of("big.bin");
    FILE *fp = fopen(big, "wb");
    assert_non_null(fp);
    static unsigned char zeros[1 << 16];
    for (int i = 0; i < 40; i++)
        assert_int_equal(fwrite(zeros, 1, sizeof zeros, fp), sizeof zeros);
    fclose(fp);
    assert_int_equal(netc_input_read(big, "x", 1, FLAT, out, err, sizeof err), NETC_EDATA);
    snprintf(want, sizeof want,
             "raw float32 file '%s' has more than 1048656 bytes, input 'x' takes (4) "
             "(4 values, 16 bytes)", big);
    assert_string_equal(err, want);

    /* a .npy of the right shape with a megabyte after its data */
    size_t len;
    unsigned char *b = make_npy(1, DICT("<f4", "False", "(4,)"), 4, 0, 2u << 20, &len);
    const char *tail = path_of("tail.npy");
    fp = fopen(tail, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, len, fp), len);
    fclose(fp);
    free(b);
    assert_int_equal(netc_input_read(tail, "x", 1, FLAT, out, err, sizeof err), NETC_EDATA);
    snprintf(want, sizeof want, "'%s' has more than 1048512 bytes after the data of its shape (4)",
             tail);
    assert_string_equal(err, want);

    /* a good one */
    b = make_npy(2, DICT("<f4", "False", "(1, 4)"), 4, 0, 0, &len);
    const char *good = path_of("good.npy");
    fp = fopen(good, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, len, fp), len);
    fclose(fp);
    free(b);
    assert_int_equal(netc_input_read(good, "x", 1, FLAT, out, err, sizeof err), NETC_OK);
    assert_true(out[3] == 3.5f);
}

static void test_shape_text(void **state) {
    char s[64];
    static const size_t d[3] = {28, 28, 1};
    netc_shape_text(s, sizeof s, 3, d);
    assert_string_equal(s, "(28, 28, 1)");
    netc_shape_text(s, sizeof s, 0, d);
    assert_string_equal(s, "()");
    netc_shape_text(s, 12, 3, d);
    assert_string_equal(s, "(28, ...)");
}

static int setup(void **state) {
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/netc-npy-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes_accepted),
        cmocka_unit_test(test_shapes_rejected),
        cmocka_unit_test(test_dtypes),
        cmocka_unit_test(test_big_endian),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_malformed_headers),
        cmocka_unit_test(test_raw),
        cmocka_unit_test(test_write_read),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_shape_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
