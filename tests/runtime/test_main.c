/* test_main.c: the standalone binary's command line, with hand-made models.
**
**     test_rt_main PATH/netc_fake_double PATH/netc_fake_pair
**
** Runs each binary through the shell with its output in files, and pins
** standard output, standard error and the exit status.
*/
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "netc/npy.h"

static const char *fake_double, *fake_pair;
static char tmpdir[256];
static char out_text[65536], err_text[65536];

static const char *path_of(const char *name) {
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static void slurp(const char *path, char *buf, size_t cap) {
    FILE *fp = fopen(path, "rb");
    size_t n = fp ? fread(buf, 1, cap - 1, fp) : 0;
    buf[n] = '\0';
    if (fp)
        fclose(fp);
}

/* Runs `bin ARGS` (ARGS as the shell reads them) in tmpdir; returns the exit
** status, standard output and error in out_text and err_text. */
static int run(const char *bin, const char *args) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >stdout.txt 2>stderr.txt", tmpdir, bin, args);
    int st = system(cmd);
    slurp(path_of("stdout.txt"), out_text, sizeof out_text);
    slurp(path_of("stderr.txt"), err_text, sizeof err_text);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void raw_file(const char *name, const float *v, size_t n) {
    FILE *fp = fopen(path_of(name), "wb");
    assert_non_null(fp);
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        unsigned char b[4];
        memcpy(&u, &v[i], 4);
        for (int k = 0; k < 4; k++)
            b[k] = (unsigned char)(u >> (8 * k));
        assert_int_equal(fwrite(b, 1, 4, fp), 4);
    }
    fclose(fp);
}

static void npy_file(const char *name, int rank, const size_t *dims, const float *v) {
    char err[256];
    assert_int_equal(netc_npy_write(path_of(name), rank, dims, v, err, sizeof err), NETC_OK);
}

static const float X[12] = {1, 5, 3, 5, 0, -1, 0.1f, 2.5f, -7, 4, 1e-7f, 3};

static void test_all_values(void **state) {
    raw_file("x.bin", X, 12);
    assert_int_equal(run(fake_double, "x.bin"), 0);
    assert_string_equal(out_text, "2\n10\n6\n10\n0\n-2\n0.2\n5\n-14\n8\n2e-07\n6\n");
    assert_string_equal(err_text, "");
    /* the same from standard input, and from a .npy of each accepted shape */
    assert_int_equal(run(fake_double, "- < x.bin"), 0);
    assert_string_equal(out_text, "2\n10\n6\n10\n0\n-2\n0.2\n5\n-14\n8\n2e-07\n6\n");
    static const size_t hwc[3] = {2, 2, 3}, nhwc[4] = {1, 2, 2, 3}, flat[1] = {12};
    npy_file("x3.npy", 3, hwc, X);
    npy_file("x4.npy", 4, nhwc, X);
    npy_file("x1.npy", 1, flat, X);
    assert_int_equal(run(fake_double, "x3.npy"), 0);
    assert_string_equal(out_text, "2\n10\n6\n10\n0\n-2\n0.2\n5\n-14\n8\n2e-07\n6\n");
    assert_int_equal(run(fake_double, "x4.npy"), 0);
    assert_int_equal(run(fake_double, "x1.npy"), 0);
    assert_string_equal(out_text, "2\n10\n6\n10\n0\n-2\n0.2\n5\n-14\n8\n2e-07\n6\n");
}

static void test_top(void **state) {
    raw_file("x.bin", X, 12);
    /* 10 at 1 and 3: the lower index first */
    assert_int_equal(run(fake_double, "x.bin --top=3"), 0);
    assert_string_equal(out_text, "1 10\n3 10\n9 8\n");
    assert_int_equal(run(fake_double, "--top 1 x.bin"), 0);
    assert_string_equal(out_text, "1 10\n");
    /* K beyond the output's size: all of it, sorted */
    assert_int_equal(run(fake_double, "x.bin --top=50"), 0);
    assert_string_equal(out_text, "1 10\n3 10\n9 8\n2 6\n11 6\n7 5\n0 2\n6 0.2\n10 2e-07\n4 0\n"
                                  "5 -2\n8 -14\n");
}

static void test_npy_output(void **state) {
    raw_file("x.bin", X, 12);
    assert_int_equal(run(fake_double, "x.bin -o y.npy"), 0);
    assert_string_equal(out_text, "");
    netc_npy_header h;
    int st;
    char err[256];
    float *y = netc_npy_read(path_of("y.npy"), &h, &st, err, sizeof err);
    assert_non_null(y);
    assert_int_equal(h.rank, 1);
    assert_int_equal(h.dims[0], 12);
    for (int i = 0; i < 12; i++)
        assert_true(y[i] == 2 * X[i]);
    free(y);
    /* --top with -o does both */
    assert_int_equal(run(fake_double, "x.bin -o y2.npy --top=2"), 0);
    assert_string_equal(out_text, "1 10\n3 10\n");
    y = netc_npy_read(path_of("y2.npy"), &h, &st, err, sizeof err);
    assert_non_null(y);
    free(y);
}

static void test_bad_input(void **state) {
    static const size_t d222[3] = {2, 2, 2};
    npy_file("small.npy", 3, d222, X);
    assert_int_equal(run(fake_double, "small.npy"), 1);
    assert_string_equal(out_text, "");
    assert_string_equal(err_text, "netc_fake_double: error: 'small.npy' has shape (2, 2, 2), input "
                                  "'x' takes (2, 2, 3), (1, 2, 2, 3) or (12)\n");
    raw_file("short.bin", X, 11);
    assert_int_equal(run(fake_double, "short.bin"), 1);
    assert_string_equal(err_text, "netc_fake_double: error: raw float32 file 'short.bin' has shape "
                                  "(11), input 'x' takes (2, 2, 3) (12 values, 48 bytes)\n");
    assert_int_equal(run(fake_double, "- < short.bin"), 1);
    assert_string_equal(err_text, "netc_fake_double: error: raw float32 file '<stdin>' has shape "
                                  "(11), input 'x' takes (2, 2, 3) (12 values, 48 bytes)\n");
}

static void test_usage(void **state) {
    raw_file("x.bin", X, 12);
    assert_int_equal(run(fake_double, "x.bin --bogus"), 2);
    assert_string_equal(out_text, "");
    assert_string_equal(err_text, "netc_fake_double: error: unknown option '--bogus'\n"
                                  "usage: netc_fake_double INPUT... [--top=K] [-o OUT.npy]...\n"
                                  "(netc_fake_double --help for more)\n");
    assert_int_equal(run(fake_double, "missing.npy"), 2);
    assert_string_equal(err_text, "netc_fake_double: error: cannot open 'missing.npy': No such file "
                                  "or directory\n");
    assert_int_equal(run(fake_double, ""), 2);
    assert_true(strstr(err_text, "error: 'double' takes 1 input file (x), 0 given\n"));
    assert_int_equal(run(fake_double, "x.bin x.bin"), 2);
    assert_true(strstr(err_text, "error: 'double' takes 1 input file (x), 2 given\n"));
    assert_int_equal(run(fake_double, "x.bin --top=0"), 2);
    assert_true(strstr(err_text, "error: --top needs a positive integer, not '0'\n"));
    assert_int_equal(run(fake_double, "x.bin --top=3x"), 2);
    assert_int_equal(run(fake_double, "x.bin -o"), 2);
    assert_true(strstr(err_text, "error: -o needs a file name\n"));
    assert_int_equal(run(fake_double, "x.bin -o a.npy -o b.npy"), 2);
    assert_true(strstr(err_text, "error: 'double' has 1 output (y): give one -o per output, 2 given\n"));
    assert_int_equal(run(fake_double, "x.bin -o no-such-dir/y.npy"), 2);
    assert_string_equal(err_text, "netc_fake_double: error: cannot write 'no-such-dir/y.npy': No "
                                  "such file or directory\n");
    assert_int_equal(run(fake_double, "--help"), 0);
    assert_true(strncmp(out_text, "usage: netc_fake_double INPUT... [--top=K] [-o OUT.npy]...\n", 58) == 0);
    assert_true(strstr(out_text, "  x                (2, 2, 3), also (1, 2, 2, 3) or (12)\n"));
    assert_true(strstr(out_text, "  y                (12)\n"));
    assert_string_equal(err_text, "");
    /* a file named like an option, after -- */
    assert_int_equal(run(fake_double, "-- --bogus"), 2);
    assert_string_equal(err_text, "netc_fake_double: error: cannot open '--bogus': No such file or "
                                  "directory\n");
}

static void test_two_in_two_out(void **state) {
    static const float a[4] = {1, 2, 3, 4}, b[4] = {0.5f, -1, 2, 8};
    raw_file("a.bin", a, 4);
    static const size_t db[3] = {2, 1, 2};
    npy_file("b.npy", 3, db, b);
    assert_int_equal(run(fake_pair, "a.bin b.npy"), 0);
    assert_string_equal(out_text, "sum:\n1.5\n1\n5\n12\nneg:\n-0.5\n1\n-2\n-8\n");
    assert_int_equal(run(fake_pair, "a.bin b.npy --top=2"), 0);
    assert_string_equal(out_text, "sum:\n3 12\n2 5\nneg:\n1 1\n0 -0.5\n");
    assert_int_equal(run(fake_pair, "a.bin - -o s.npy -o n.npy < b.npy"), 0);
    assert_string_equal(out_text, "");
    netc_npy_header h;
    int st;
    char err[256];
    float *n = netc_npy_read(path_of("n.npy"), &h, &st, err, sizeof err);
    assert_non_null(n);
    assert_int_equal(h.rank, 3);
    assert_int_equal(h.dims[0], 2);
    assert_int_equal(h.dims[1], 1);
    assert_int_equal(h.dims[2], 2);
    assert_true(n[3] == -8);
    free(n);
    float *s = netc_npy_read(path_of("s.npy"), &h, &st, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(h.rank, 1);
    assert_true(s[0] == 1.5f);
    free(s);
    /* inputs in declaration order; every bad one is reported */
    raw_file("a3.bin", a, 3);
    assert_int_equal(run(fake_pair, "b.npy a3.bin"), 1);
    assert_string_equal(err_text,
                        "netc_fake_pair: error: 'b.npy' has shape (2, 1, 2), input 'a' takes (4) or (1, 4)\n"
                        "netc_fake_pair: error: raw float32 file 'a3.bin' has shape (3), input 'b' takes "
                        "(2, 1, 2) (4 values, 16 bytes)\n");
    assert_int_equal(run(fake_pair, "a.bin b.npy -o s.npy"), 2);
    assert_true(strstr(err_text, "error: 'pair' has 2 outputs (sum, neg): give one -o per output, 1 given\n"));
    assert_int_equal(run(fake_pair, "- -"), 2);
    assert_true(strstr(err_text, "error: standard input ('-') can feed one input only\n"));
}

static int setup(void **state) {
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/netc-main-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fputs("usage: test_rt_main FAKE_DOUBLE FAKE_PAIR\n", stderr);
        return 2;
    }
    fake_double = argv[1];
    fake_pair = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_values),
        cmocka_unit_test(test_top),
        cmocka_unit_test(test_npy_output),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_two_in_two_out),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
