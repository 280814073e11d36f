/* npycmp: compare the netc binary's output .npy files with rows of a
** reference .npy, without numpy.
**
**     npycmp TOL REF.npy OUT_1.npy OUT_2.npy ...
**
** REF holds float32 of shape (N, K); OUT_i holds K float32 and is compared
** with row i - 1 of REF. A row agrees when every |out - ref| is at most
** TOL times the largest |ref| of that row. Prints one line per OUT file:
**
**     REL ok        (REL = largest |out - ref| / largest |ref|)
**     REL FAIL      then a tab and the worst value, or what went wrong
**
** and exits 0 when every row agrees, 1 otherwise, 2 on bad usage or an
** unreadable REF. C99, libc and libm only; reads little-endian '<f4' .npy
** files of format version 1, 2 or 3 in C order.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    long shape[8];
    int ndim;
    long count;
    float *data;
} npy;

static unsigned long le(const unsigned char *p, int n) {
    unsigned long v = 0;
    while (n--)
        v = (v << 8) | p[n];
    return v;
}

/* Reads PATH into A; returns NULL on success or a message. */
static const char *npy_read(const char *path, npy *a) {
    static char msg[256];
    unsigned char pre[12];
    char *hdr = NULL, *p;
    unsigned long hlen;
    int lenbytes;
    long i;
    FILE *f = fopen(path, "rb");

    memset(a, 0, sizeof *a);
    if (!f)
        return "cannot open";
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        fclose(f);
        return "not a .npy file";
    }
    lenbytes = pre[6] == 1 ? 2 : 4;
    if (pre[6] < 1 || pre[6] > 3) {
        fclose(f);
        return "unknown .npy version";
    }
    if (lenbytes == 4 && fread(pre + 10, 1, 2, f) != 2) {
        fclose(f);
        return "truncated header";
    }
    hlen = le(pre + 8, lenbytes);
    if (hlen > 65536 || !(hdr = malloc(hlen + 1)) || fread(hdr, 1, hlen, f) != hlen) {
        free(hdr);
        fclose(f);
        return "truncated header";
    }
    hdr[hlen] = 0;
    if (!strstr(hdr, "'descr': '<f4'") || !strstr(hdr, "'fortran_order': False")) {
        snprintf(msg, sizeof msg, "not little-endian float32 in C order: %.100s", hdr);
        free(hdr);
        fclose(f);
        return msg;
    }
    p = strstr(hdr, "'shape': (");
    if (!p) {
        free(hdr);
        fclose(f);
        return "no shape in header";
    }
    p += 10;
    a->count = 1;
    while (*p && *p != ')') {
        char *end;
        long d = strtol(p, &end, 10);
        if (end == p || d < 0 || a->ndim == 8) {
            free(hdr);
            fclose(f);
            return "bad shape in header";
        }
        a->shape[a->ndim++] = d;
        a->count *= d;
        p = end;
        while (*p == ',' || *p == ' ')
            p++;
    }
    free(hdr);
    if (a->count > 100000000L || !(a->data = malloc((size_t)(a->count ? a->count : 1) * 4))) {
        fclose(f);
        return "too large";
    }
    for (i = 0; i < a->count; i++) {
        unsigned char b[4];
        unsigned long u;
        float v;
        if (fread(b, 1, 4, f) != 4) {
            free(a->data);
            a->data = NULL;
            fclose(f);
            return "truncated data";
        }
        u = le(b, 4);
        {
            unsigned int w = (unsigned int)u; /* IEEE 754 binary32 assumed */
            memcpy(&v, &w, 4);
        }
        a->data[i] = v;
    }
    fclose(f);
    return NULL;
}

int main(int argc, char **argv) {
    npy ref;
    const char *err;
    double tol;
    long k, rows;
    int i, bad = 0;

    if (argc < 4) {
        fprintf(stderr, "usage: npycmp TOL REF.npy OUT.npy...\n");
        return 2;
    }
    tol = atof(argv[1]);
    if ((err = npy_read(argv[2], &ref)) != NULL || ref.ndim != 2) {
        fprintf(stderr, "npycmp: %s: %s\n", argv[2], err ? err : "expected shape (N, K)");
        return 2;
    }
    rows = ref.shape[0];
    k = ref.shape[1];
    for (i = 3; i < argc; i++) {
        long row = i - 3, j;
        const float *r = ref.data + row * k;
        double big = 0, diff = 0, rel;
        long at = 0;
        npy out;

        if (row >= rows) {
            printf("inf FAIL\t%s: no row %ld in %s\n", argv[i], row, argv[2]);
            bad = 1;
            continue;
        }
        if ((err = npy_read(argv[i], &out)) != NULL || out.count != k) {
            printf("inf FAIL\t%s: %s\n", argv[i], err ? err : "wrong number of values");
            free(out.data);
            bad = 1;
            continue;
        }
        for (j = 0; j < k; j++) {
            double d = fabs((double)out.data[j] - (double)r[j]);
            if (fabs((double)r[j]) > big)
                big = fabs((double)r[j]);
            if (d > diff || (d != d && diff == diff)) {
                diff = d;
                at = j;
            }
        }
        rel = big > 0 ? diff / big : diff;
        if (rel <= tol) {
            printf("%.3g ok\n", rel);
        } else {
            printf("%.3g FAIL\tvalue %ld is %.9g, the reference %.9g\n", rel, at,
                   (double)out.data[at], (double)r[at]);
            bad = 1;
        }
        free(out.data);
    }
    free(ref.data);
    return bad;
}
