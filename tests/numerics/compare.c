/* compare: the numerical check of netc's generated code.
 *
 *   compare EXPECTED.npy ACTUAL.npy [TOL]
 *   compare --count FILE.npy
 *
 * Reads two float32 .npy files ('<f4', C order; any shape), checks that they
 * hold the same number of elements, and prints one line
 *
 *   max_abs_err=E ref_max=M rel=R n=N
 *
 * where E = max |expected - actual|, M = max |expected| and
 * R = E / max(M, 1e-30). Exits 0 if R <= TOL (default 1e-4), 1 if not (a NaN
 * or infinity in ACTUAL, or a different element count, fails too), 2 on bad
 * usage or an unreadable file.
 *
 * --count prints the element count of FILE.npy (run.sh sizes the harness of
 * networks with several inputs or outputs with it).
 *
 * C99, no dependency beyond libc and libm; reads the .npy bytes itself, so it
 * does not depend on the host's byte order.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct npy {
    long n;        /* element count */
    float *data;
};

static int fail(const char *path, const char *msg)
{
    fprintf(stderr, "compare: %s: %s\n", path, msg);
    return -1;
}

/* Finds 'key': in the header dict and returns a pointer just past the colon. */
static const char *dict_value(const char *hdr, const char *key)
{
    char pat[32];
    const char *p;
    sprintf(pat, "'%s'", key);
    p = strstr(hdr, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

static int read_npy(const char *path, struct npy *out)
{
    FILE *f = fopen(path, "rb");
    unsigned char pre[12];
    unsigned long hlen;
    char *hdr;
    const char *v;
    long n = 1, i;
    unsigned char *raw;

    if (!f) {
        fprintf(stderr, "compare: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        fclose(f);
        return fail(path, "not a .npy file");
    }
    if (pre[6] == 1) {
        hlen = pre[8] | (unsigned long)pre[9] << 8;
    } else if (pre[6] == 2 || pre[6] == 3) {
        if (fread(pre + 10, 1, 2, f) != 2) {
            fclose(f);
            return fail(path, "truncated header");
        }
        hlen = pre[8] | (unsigned long)pre[9] << 8 | (unsigned long)pre[10] << 16 |
               (unsigned long)pre[11] << 24;
    } else {
        fclose(f);
        return fail(path, "unknown .npy version");
    }
    if (hlen > 1000000) {
        fclose(f);
        return fail(path, "header too long");
    }
    hdr = malloc(hlen + 1);
    if (!hdr || fread(hdr, 1, hlen, f) != hlen) {
        free(hdr);
        fclose(f);
        return fail(path, "truncated header");
    }
    hdr[hlen] = '\0';
    v = dict_value(hdr, "descr");
    if (!v || (strncmp(v, "'<f4'", 5) != 0 && strncmp(v, "'float32'", 9) != 0)) {
        free(hdr);
        fclose(f);
        return fail(path, "not little-endian float32 (descr '<f4')");
    }
    v = dict_value(hdr, "fortran_order");
    if (!v || strncmp(v, "False", 5) != 0) {
        free(hdr);
        fclose(f);
        return fail(path, "not in C order (fortran_order must be False)");
    }
    v = dict_value(hdr, "shape");
    if (!v || *v != '(') {
        free(hdr);
        fclose(f);
        return fail(path, "no shape");
    }
    for (v++; *v && *v != ')';) {
        char *end;
        long d;
        while (*v == ' ' || *v == ',')
            v++;
        if (*v == ')')
            break;
        errno = 0;
        d = strtol(v, &end, 10);
        if (end == v || d < 0 || errno) {
            free(hdr);
            fclose(f);
            return fail(path, "bad shape");
        }
        if (d != 0 && n > 1000000000L / d) {
            free(hdr);
            fclose(f);
            return fail(path, "too many elements");
        }
        n *= d;
        v = end;
    }
    free(hdr);
    raw = malloc(n > 0 ? (size_t)n * 4 : 1);
    out->data = malloc(n > 0 ? (size_t)n * sizeof(float) : 1);
    if (!raw || !out->data) {
        free(raw);
        free(out->data);
        fclose(f);
        return fail(path, "out of memory");
    }
    if (fread(raw, 4, (size_t)n, f) != (size_t)n) {
        free(raw);
        free(out->data);
        fclose(f);
        return fail(path, "truncated data");
    }
    fclose(f);
    for (i = 0; i < n; i++) {
        unsigned long u = raw[4 * i] | (unsigned long)raw[4 * i + 1] << 8 |
                          (unsigned long)raw[4 * i + 2] << 16 |
                          (unsigned long)raw[4 * i + 3] << 24;
        unsigned int w = (unsigned int)u;
        float x;
        memcpy(&x, &w, sizeof x);   /* IEEE binary32, as float is everywhere netc runs */
        out->data[i] = x;
    }
    free(raw);
    out->n = n;
    return 0;
}

int main(int argc, char **argv)
{
    struct npy e, a;
    double tol = 1e-4, max_abs = 0.0, ref_max = 0.0, rel;
    int bad = 0;
    long i;

    if (argc == 3 && strcmp(argv[1], "--count") == 0) {
        if (read_npy(argv[2], &e) != 0)
            return 2;
        printf("%ld\n", e.n);
        free(e.data);
        return 0;
    }
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: compare EXPECTED.npy ACTUAL.npy [TOL]\n"
                        "       compare --count FILE.npy\n");
        return 2;
    }
    if (argc == 4) {
        char *end;
        tol = strtod(argv[3], &end);
        if (end == argv[3] || *end || !(tol >= 0)) {
            fprintf(stderr, "compare: bad tolerance '%s'\n", argv[3]);
            return 2;
        }
    }
    if (read_npy(argv[1], &e) != 0)
        return 2;
    if (read_npy(argv[2], &a) != 0)
        return 2;
    if (e.n != a.n) {
        printf("size mismatch: expected %ld elements, actual %ld\n", e.n, a.n);
        return 1;
    }
    for (i = 0; i < e.n; i++) {
        double d = fabs((double)e.data[i] - (double)a.data[i]);
        double r = fabs((double)e.data[i]);
        if (!isfinite(a.data[i]) || !(d == d))
            bad = 1;
        if (d > max_abs)
            max_abs = d;
        if (r > ref_max)
            ref_max = r;
    }
    rel = max_abs / (ref_max > 1e-30 ? ref_max : 1e-30);
    if (bad) {
        max_abs = rel = NAN;
    }
    printf("max_abs_err=%.3e ref_max=%.3e rel=%.3e n=%ld\n", max_abs, ref_max, rel, e.n);
    free(e.data);
    free(a.data);
    return !bad && rel <= tol ? 0 : 1;
}
