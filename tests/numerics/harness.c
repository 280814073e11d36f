/* harness: a main() around the C that `netc build -o model.c` emits.
 *
 *   harness IN.npy [IN2.npy ...] -o OUT.npy [-o OUT2.npy ...]
 *
 * as the standalone binary of `netc build -o model` is called (docs/build.md,
 * "The standalone binary"): reads
 * each input from a float32 .npy file (any shape with the right element
 * count: (H, W, C), (1, H, W, C) or (n)), calls the network once, and writes
 * each output as a float32 .npy of shape (n).
 *
 * Compiled together with the generated model.c, by run.sh:
 *
 *   cc -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I WORK \
 *      -DNETC_MODEL_HEADER=\"model.h\" -DNETC_RUN=mnist_run \
 *      -DNETC_IN=MNIST_INPUT_SIZE -DNETC_OUT=MNIST_OUTPUT_SIZE \
 *      WORK/model.c harness.c -lm
 *
 * For a network with several inputs or outputs, which has no INPUT_SIZE and
 * OUTPUT_SIZE macros (docs/build.md, "The generated C"), run.sh gives the
 * sizes and the call instead:
 *
 *   -DNETC_NIN=2 -DNETC_NOUT=2 -DNETC_IN_SIZES={126,84} -DNETC_OUT_SIZES={84,3}
 *   -DNETC_CALL="net_run(in[0], in[1], out[0], out[1])"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include NETC_MODEL_HEADER

#ifndef NETC_NIN
#define NETC_NIN 1
#endif
#ifndef NETC_NOUT
#define NETC_NOUT 1
#endif
#ifndef NETC_IN_SIZES
#define NETC_IN_SIZES { (long)(NETC_IN) }
#endif
#ifndef NETC_OUT_SIZES
#define NETC_OUT_SIZES { (long)(NETC_OUT) }
#endif
#ifndef NETC_CALL
#define NETC_CALL NETC_RUN(in[0], out[0])
#endif

static const long in_sizes[NETC_NIN] = NETC_IN_SIZES;
static const long out_sizes[NETC_NOUT] = NETC_OUT_SIZES;

static float *read_npy(const char *path, long want)
{
    FILE *f = fopen(path, "rb");
    unsigned char pre[12];
    unsigned long hlen;
    char *hdr, *p;
    long n = 1, i;
    unsigned char *raw;
    float *data;

    if (!f) {
        perror(path);
        return NULL;
    }
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        fprintf(stderr, "%s: not a .npy file\n", path);
        fclose(f);
        return NULL;
    }
    hlen = pre[8] | (unsigned long)pre[9] << 8;
    if (pre[6] >= 2) {
        if (fread(pre + 10, 1, 2, f) != 2) {
            fclose(f);
            return NULL;
        }
        hlen |= (unsigned long)pre[10] << 16 | (unsigned long)pre[11] << 24;
    }
    hdr = malloc(hlen + 1);
    if (!hdr || hlen > 1000000 || fread(hdr, 1, hlen, f) != hlen) {
        fprintf(stderr, "%s: bad .npy header\n", path);
        free(hdr);
        fclose(f);
        return NULL;
    }
    hdr[hlen] = '\0';
    if (!strstr(hdr, "'<f4'") || !strstr(hdr, "'fortran_order': False") ||
        !(p = strstr(hdr, "'shape': ("))) {
        fprintf(stderr, "%s: not a C-order float32 ('<f4') array\n", path);
        free(hdr);
        fclose(f);
        return NULL;
    }
    for (p += 10; *p && *p != ')';) {
        char *end;
        long d;
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            break;
        d = strtol(p, &end, 10);
        if (end == p || d < 0 || (d && n > 1000000000L / d)) {
            fprintf(stderr, "%s: bad shape\n", path);
            free(hdr);
            fclose(f);
            return NULL;
        }
        n *= d;
        p = end;
    }
    free(hdr);
    if (n != want) {
        fprintf(stderr, "%s: %ld elements, the network wants %ld\n", path, n, want);
        fclose(f);
        return NULL;
    }
    raw = malloc((size_t)n * 4 + 1);
    data = malloc((size_t)n * sizeof *data + 1);
    if (!raw || !data || fread(raw, 4, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "%s: truncated data\n", path);
        free(raw);
        free(data);
        fclose(f);
        return NULL;
    }
    fclose(f);
    for (i = 0; i < n; i++) {
        unsigned int w = (unsigned int)(raw[4 * i] | (unsigned long)raw[4 * i + 1] << 8 |
                                        (unsigned long)raw[4 * i + 2] << 16 |
                                        (unsigned long)raw[4 * i + 3] << 24);
        memcpy(&data[i], &w, sizeof w);
    }
    free(raw);
    return data;
}

static int write_npy(const char *path, const float *data, long n)
{
    char hdr[128];
    unsigned char pre[10];
    size_t len, total;
    long i;
    FILE *f = fopen(path, "wb");

    if (!f) {
        perror(path);
        return -1;
    }
    len = (size_t)sprintf(hdr, "{'descr': '<f4', 'fortran_order': False, 'shape': (%ld,), }", n);
    total = 10 + len + 1;
    while (total % 64) {
        hdr[len++] = ' ';
        total++;
    }
    hdr[len++] = '\n';
    memcpy(pre, "\x93NUMPY\x01\x00", 8);
    pre[8] = (unsigned char)(len & 0xff);
    pre[9] = (unsigned char)(len >> 8);
    fwrite(pre, 1, 10, f);
    fwrite(hdr, 1, len, f);
    for (i = 0; i < n; i++) {
        unsigned int w;
        unsigned char b[4];
        memcpy(&w, &data[i], sizeof w);
        b[0] = (unsigned char)(w & 0xff);
        b[1] = (unsigned char)(w >> 8 & 0xff);
        b[2] = (unsigned char)(w >> 16 & 0xff);
        b[3] = (unsigned char)(w >> 24 & 0xff);
        fwrite(b, 1, 4, f);
    }
    if (fclose(f) != 0) {
        perror(path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    float *in[NETC_NIN] = { 0 };
    float *out[NETC_NOUT] = { 0 };
    const char *out_path[NETC_NOUT] = { 0 };
    int nin = 0, nout = 0, i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            if (nout == NETC_NOUT) {
                fprintf(stderr, "harness: the network has %d output(s)\n", NETC_NOUT);
                return 2;
            }
            out_path[nout++] = argv[++i];
        } else {
            if (nin == NETC_NIN) {
                fprintf(stderr, "harness: the network has %d input(s)\n", NETC_NIN);
                return 2;
            }
            if (!(in[nin] = read_npy(argv[i], in_sizes[nin])))
                return 1;
            nin++;
        }
    }
    if (nin != NETC_NIN || nout != NETC_NOUT) {
        fprintf(stderr, "usage: %s IN.npy... -o OUT.npy... (%d input(s), %d output(s))\n",
                argv[0], NETC_NIN, NETC_NOUT);
        return 2;
    }
    for (i = 0; i < NETC_NOUT; i++) {
        long k;
        out[i] = malloc((size_t)out_sizes[i] * sizeof(float) + 1);
        if (!out[i])
            return 1;
        for (k = 0; k < out_sizes[i]; k++)   /* NaN: an output never written shows */
            memcpy(&out[i][k], "\xff\xff\xff\x7f", 4);
    }
    NETC_CALL;
    for (i = 0; i < NETC_NOUT; i++)
        if (write_npy(out_path[i], out[i], out_sizes[i]) != 0)
            return 1;
    return 0;
}
