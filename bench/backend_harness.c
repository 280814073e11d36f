/* backend_harness.c: times NAME_run_ws of code by either back end.
 *
 *   harness [WEIGHTS.bin] MIN_MS
 *
 * Compiled by bench/backends.sh with the C back end's model.c (and
 * -DNETC_LOAD=NAME_load_weights: the weights in a file, read at start) or
 * with the LLVM back end's model.o (the weights inside the object):
 *
 *   cc -O3 -march=native -I WORK -DNETC_MODEL_HEADER=\"model.h\"
 *      -DNETC_RUN_WS=NAME_run_ws -DNETC_IN=NAME_INPUT_SIZE
 *      -DNETC_OUT=NAME_OUTPUT_SIZE -DNETC_WS=NAME_WORKSPACE_BYTES
 *      WORK/model.{c,o} bench/backend_harness.c -lm
 *
 * Runs the network once on a fixed input to warm up, then call by call
 * until MIN_MS milliseconds and 5 calls have gone by; prints the fastest
 * and the median call in milliseconds (CLOCK_MONOTONIC) and the sum of the
 * output (the same for both back ends, within rounding). Exit 1 on any
 * error. Not a test: bench/README.md.
 */
#define _POSIX_C_SOURCE 200112L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include NETC_MODEL_HEADER

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static float input[NETC_IN], output[NETC_OUT];
static double times[100000];

int main(int argc, char **argv)
{
    double min_ms, start, sum = 0;
    long n = 0, i;
    void *ws = malloc(NETC_WS);
#ifdef NETC_LOAD
    if (argc != 3 || NETC_LOAD(argv[1]) != 0) {
        fprintf(stderr, "usage: harness WEIGHTS.bin MIN_MS (the weights must load)\n");
        return 1;
    }
    min_ms = atof(argv[2]);
#else
    if (argc != 2) {
        fprintf(stderr, "usage: harness MIN_MS\n");
        return 1;
    }
    min_ms = atof(argv[1]);
#endif
    if (!ws)
        return 1;
    for (i = 0; i < NETC_IN; i++)
        input[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    NETC_RUN_WS(input, output, ws);
    start = now_ms();
    while (n < (long)(sizeof times / sizeof *times) && (n < 5 || now_ms() - start < min_ms)) {
        double t = now_ms();
        NETC_RUN_WS(input, output, ws);
        times[n++] = now_ms() - t;
    }
    qsort(times, (size_t)n, sizeof *times, cmp);
    for (i = 0; i < NETC_OUT; i++)
        sum += output[i];
    printf("%.3f %.3f %.6g %ld\n", times[0], times[n / 2], sum, n);
    free(ws);
    return 0;
}
